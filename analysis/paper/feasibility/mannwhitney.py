"""The Mann-Whitney U / p lattice: exact null distribution of W and p for every U under four conventions."""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache

from analysis.paper.feasibility.rounding import rounding_interval


@lru_cache(maxsize=None)
def w_null_counts(n1: int, n2: int) -> tuple[int, ...]:
    """Number of interleavings giving W = 0 .. n1*n2 (R's ``dwilcox`` times ``choose(n1+n2, n1)``).

    Recurrence: the largest of the n1 + n2 values is either an x (it beats all n2 y's) or a y.
    """
    # table[a][b] = counts for sizes (a, b), built row by row with Python ints (exact)
    prev_row = [[1] for _ in range(n2 + 1)]  # a = 0: only W = 0
    for a in range(1, n1 + 1):
        row = [[1]]  # b = 0: only W = 0
        for b in range(1, n2 + 1):
            size = a * b + 1
            c = [0] * size
            for w, v in enumerate(prev_row[b]):      # largest is x: W increases by b
                c[w + b] += v
            for w, v in enumerate(row[b - 1]):       # largest is y
                c[w] += v
            row.append(c)
        prev_row = row
    return tuple(prev_row[n2])


CONVENTIONS = ("R exact", "normal with continuity correction", "normal without correction", "scipy auto")


@lru_cache(maxsize=None)
def _p_values_cached(n1: int, n2: int, convention: str) -> tuple[float, ...]:
    """The p-values of :func:`_p_values`, cached as a tuple."""
    return tuple(float(v) for v in _p_values(n1, n2, convention))


def p_values(n1: int, n2: int, convention: str):
    """Two-sided p for every U = 0 .. n1*n2 (numpy array), without ties.

    Conventions: ``'R exact'`` (R ``wilcox.test`` default for n < 50 without ties:
    ``2 * min(P(W <= U), P(W >= U))``, capped at 1); ``'normal with continuity correction'``
    (R ``exact=FALSE, correct=TRUE``; scipy ``method='asymptotic'``); ``'normal without correction'``;
    ``'scipy auto'`` (scipy 1.17: exact when ``min(n1, n2) <= 8`` and no ties, else normal with
    continuity correction).
    """
    import numpy as np

    if convention not in CONVENTIONS:
        raise ValueError(f"unknown convention {convention!r}; expected one of {CONVENTIONS}")
    return np.array(_p_values_cached(n1, n2, convention))


def _p_values(n1: int, n2: int, convention: str):
    """The p-values of :func:`p_values`, computed (exact counts, or the normal approximation)."""
    import numpy as np
    from scipy.special import ndtr

    u = np.arange(n1 * n2 + 1, dtype=float)
    mu = n1 * n2 / 2
    if convention == "R exact" or (convention == "scipy auto" and min(n1, n2) <= 8):
        counts = w_null_counts(n1, n2)
        total = sum(counts)
        cum = []
        acc = 0
        for c in counts:
            acc += c
            cum.append(acc)
        lower = np.array([Fraction(c, total) for c in cum], dtype=object)
        upper = np.array([Fraction(total - (cum[i - 1] if i else 0), total) for i in range(len(counts))],
                         dtype=object)
        p = np.array([float(min(1, 2 * min(lo, up))) for lo, up in zip(lower, upper)])
        return p
    sigma = math.sqrt(n1 * n2 * (n1 + n2 + 1) / 12)
    d = u - mu
    if convention in ("normal with continuity correction", "scipy auto"):
        d = d - 0.5 * np.sign(d)
    elif convention != "normal without correction":
        raise ValueError(f"unknown convention {convention!r}; expected one of {CONVENTIONS}")
    z = np.abs(d) / sigma
    return np.minimum(1.0, 2 * ndtr(-z))


def p_interval(printed: str, allow_truncation: bool = True) -> tuple[float, float]:
    """Closed interval of true p that print as ``printed`` (rounded, or truncated if allowed).

    Parameters
    ----------
    printed : str
        The p-value as printed, e.g. ``"0.57"``.
    allow_truncation : bool, optional
        Also accept a p that was cut (not rounded) to the printed digits: the upper end becomes
        the printed value plus one unit of the last digit.

    Returns
    -------
    (float, float)
        The lowest and highest true p.

    References
    ----------
    R Core Team, ``?wilcox.test`` (the p-values the paper reports) and ``?format.pval``.

    Examples
    --------
    >>> p_interval("0.57")                            # rounded from [0.565, 0.575] or cut from [0.57, 0.58)
    (0.565, 0.58)
    >>> p_interval("0.57", allow_truncation=False)
    (0.565, 0.575)
    """
    lo, hi = rounding_interval(printed)
    if allow_truncation:
        hi = Fraction(printed.strip().replace(",", ".")) + 2 * (hi - Fraction(printed.strip().replace(",", ".")))
    return float(lo), float(hi)


def u_values_for_p(n1: int, n2: int, convention: str, lo: float, hi: float) -> list[int]:
    """All U in 0 .. n1*n2 whose two-sided p under ``convention`` lies in [lo, hi]."""
    p = p_values(n1, n2, convention)
    tol = 1e-12
    return [int(u) for u in range(len(p)) if lo - tol <= p[u] <= hi + tol]
