"""Adjustment of p-values for multiple testing, as R's ``p.adjust`` (methods "holm" and "bonferroni")."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["bonferroni", "holm_bonferroni"]


def _pvalues(pvalues: Any) -> np.ndarray:
    p = np.asarray(pvalues, dtype=float).ravel()
    bad = ~np.isnan(p) & ((p < 0) | (p > 1))
    if bad.any():
        raise ValueError(f"p-values must lie in [0, 1]; got {p[bad][:5].tolist()}")
    return p


def holm_bonferroni(pvalues: Any) -> dict[str, list[float]]:
    """Holm and Bonferroni adjusted p-values, exactly as R's ``p.adjust(p, method = "holm")`` and
    ``p.adjust(p, method = "bonferroni")``.

    With m non-missing p-values sorted increasingly, p_(1) <= ... <= p_(m): Holm's adjusted value is
    ``min(1, max_{j <= i} (m - j + 1) p_(j))``; Bonferroni's is ``min(1, m p)``. Missing values (NaN)
    stay NaN and do not count in m (R's ``n = length(p[!is.na(p)])``). The order of the input is kept.
    statsmodels' ``multipletests(method="holm")`` gives the same values without NaN.

    Parameters
    ----------
    pvalues : array-like of float
        Unadjusted p-values in [0, 1] (NaN allowed).

    Returns
    -------
    dict
        ``holm`` and ``bonferroni``: lists of adjusted p-values in the input order.

    References
    ----------
    .. [1] R Core Team. ``p.adjust`` (``stats``), R 4.2.
    .. [2] Holm, S. (1979) A simple sequentially rejective multiple test procedure. Scand. J.
       Statist. 6, 65-70.

    Examples
    --------
    p = 0.01, 0.04, 0.03 (m = 3): sorted 0.01, 0.03, 0.04 are multiplied by 3, 2, 1 -> 0.03, 0.06,
    0.04, then made non-decreasing -> 0.03, 0.06, 0.06; Bonferroni multiplies each by 3.

    >>> r = holm_bonferroni([0.01, 0.04, 0.03])
    >>> [round(v, 12) for v in r["holm"]], [round(v, 12) for v in r["bonferroni"]]
    ([0.03, 0.06, 0.06], [0.03, 0.12, 0.09])
    """
    p = _pvalues(pvalues)
    ok = ~np.isnan(p)
    holm = np.full(p.size, np.nan)
    bonf = np.full(p.size, np.nan)
    q = p[ok]
    m = q.size
    if m:
        o = np.argsort(q, kind="stable")
        adj = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * q[o]))
        h = np.empty(m)
        h[o] = adj
        holm[ok] = h
        bonf[ok] = np.minimum(1.0, m * q)
    return {"holm": holm.tolist(), "bonferroni": bonf.tolist()}


def bonferroni(pvalues: Any) -> list[float]:
    """Bonferroni adjusted p-values, R ``p.adjust(p, method = "bonferroni")``.

    Parameters
    ----------
    pvalues : array-like of float

    Returns
    -------
    list of float

    References
    ----------
    .. [1] R Core Team. ``p.adjust`` (``stats``), R 4.2.

    Examples
    --------
    >>> [round(v, 12) for v in bonferroni([0.01, 0.5])]
    [0.02, 1.0]
    """
    return holm_bonferroni(pvalues)["bonferroni"]
