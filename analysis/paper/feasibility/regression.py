"""Simple linear regression: the slope's p from R² and n."""

from __future__ import annotations


def regression_p_from_r2(r2: float, n: int) -> float:
    """p of the slope in a simple linear regression with ``n`` points: F(1, n - 2) = R²(n-2)/(1-R²)."""
    from scipy.special import fdtrc

    df = n - 2
    if df < 1:
        return float("nan")
    return float(fdtrc(1, df, r2 * df / (1 - r2)))
