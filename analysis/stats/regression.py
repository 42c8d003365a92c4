"""Ordinary least squares exactly as R's ``lm(y ~ x)`` reports it, via statsmodels.

Functions
---------
ols             R ``lm(y ~ x)``: R², slope, intercept, t-test p of the slope.

Parity with R 4.2.2 is checked by ``tests/test_stats_r_parity.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from analysis.stats.inputs import _paired_arrays
from analysis.stats.results import OLSResult

__all__ = ["ols"]


def ols(x: Any, y: Any, dropna: bool = False) -> OLSResult:
    """Simple linear regression ``y ~ x`` by ordinary least squares, as R's ``lm(y ~ x)``.

    Fitted with statsmodels' ``OLS`` on ``[1, x]``; R² is ``summary(lm)$r.squared``, p is the
    two-sided t-test of the slope (``Pr(>|t|)``) with n - 2 degrees of freedom.

    Parameters
    ----------
    x : array_like
        Predictor.
    y : array_like
        Response, same length as ``x``.
    dropna : bool, default False
        Drop pairs with a NaN (R's default ``na.action = na.omit``); otherwise NaN raises.

    Returns
    -------
    OLSResult
        ``r2``, ``slope``, ``intercept``, ``p``, ``n``, ``slope_se``.

    Raises
    ------
    ValueError
        Fewer than 3 pairs (no residual degrees of freedom), constant ``x``, unequal lengths.

    References
    ----------
    .. [1] Seabold, S. and Perktold, J. (2010) statsmodels: Econometric and statistical modeling
       with Python. Proc. 9th Python in Science Conference.
    .. [2] R Core Team. ``?lm``, ``?summary.lm``, R 4.2.2, package stats.

    Examples
    --------
    Points (1, 1), (2, 3), (3, 2): x̄ = 2, ȳ = 2, Sxy = 1, Sxx = 2 -> slope 0.5, intercept 1;
    SSres = 1.5, SStot = 2 -> R² = 0.25.

    >>> r = ols([1, 2, 3], [1, 3, 2])
    >>> round(r.slope, 12), round(r.intercept, 12), round(r.r2, 12), r.n
    (0.5, 1.0, 0.25, 3)
    """
    # the two modules needed, not statsmodels.api (which imports every model of statsmodels: ~1 s more)
    from statsmodels.regression.linear_model import OLS
    from statsmodels.tools.tools import add_constant

    xa, ya, ok = _paired_arrays(x, y, "ols")
    if not ok.all():
        if not dropna:
            raise ValueError(f"ols: {int((~ok).sum())} pair(s) contain NaN; remove them or pass dropna=True")
        xa, ya = xa[ok], ya[ok]
    n = int(xa.size)
    if n < 3:
        raise ValueError(f"ols: needs at least 3 (x, y) pairs for a slope p-value (got {n})")
    if np.unique(xa).size < 2:
        raise ValueError("ols: x is constant; the slope is not estimable")
    fit = OLS(ya, add_constant(xa, has_constant="add")).fit()
    intercept, slope = (float(v) for v in fit.params)
    return OLSResult(r2=float(fit.rsquared), slope=slope, intercept=intercept, p=float(fit.pvalues[1]),
                     n=n, slope_se=float(fit.bse[1]))
