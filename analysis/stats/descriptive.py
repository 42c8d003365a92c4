"""Descriptive statistics exactly as R computes them: quantiles of every type, medians, the
``"Me [LQ; UQ]"`` display form.

Functions
---------
quantile        R ``quantile(x, probs, type)`` for types 1-9.
summary         n, median, quartiles, min, max (R ``median()`` + ``quantile()``).
format_me_iqr   the display form ``"Me [LQ; UQ]"`` with R ``sprintf("%.2f")`` rounding.

An empty sample gives NaN (as R's ``NA``); NaN in the data raises ``ValueError`` unless
``dropna=True``. Parity with R 4.2.2 is checked by ``tests/test_stats_r_parity.py``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from analysis.stats.inputs import _as_float_array

__all__ = ["format_me_iqr", "quantile", "summary"]

#: Hyndman & Fan (a, b) of the continuous types: p_k = (k - a) / (n + 1 - a - b)
_CONTINUOUS_AB = {4: (0.0, 1.0), 5: (0.5, 0.5), 6: (0.0, 0.0), 8: (1 / 3, 1 / 3), 9: (3 / 8, 3 / 8)}


def quantile(x: Any, probs: float | Sequence[float], type: int = 7, dropna: bool = False):
    """Sample quantiles exactly as R's ``quantile(x, probs, type = type)``.

    A line-by-line translation of R 4.2.2's ``stats:::quantile.default`` (including its
    ``4 * .Machine$double.eps`` fuzz for types 4-9 and its interpolation formula
    ``(1 - h) * x[j] + h * x[j + 1]``), so results agree to the last bit rather than merely to
    rounding error. numpy's ``method=`` names cover the same definitions but use a different
    interpolation formula.

    Parameters
    ----------
    x : array_like
        Data. NaN raises ``ValueError`` unless ``dropna=True`` (R: ``na.rm = FALSE`` stops too).
    probs : float or sequence of float
        Probabilities in [0, 1] (values within ``100 * eps`` outside are clipped, as R does).
    type : int, default 7
        Hyndman & Fan (1996) definition 1-9. 7 is R's default; 6 is SPSS/Minitab's.
    dropna : bool, default False
        Drop NaN before computing (R ``na.rm = TRUE``).

    Returns
    -------
    float or numpy.ndarray
        A float when ``probs`` is a scalar, else an array of ``len(probs)``. An empty ``x``
        gives NaN (as R's ``NA``).

    Raises
    ------
    ValueError
        NaN in ``x`` without ``dropna``, NaN or out-of-range ``probs``, ``type`` not in 1-9.

    References
    ----------
    .. [1] Hyndman, R. J. and Fan, Y. (1996) Sample quantiles in statistical packages.
       The American Statistician 50, 361-365. doi:10.2307/2684934
    .. [2] R Core Team. ``?quantile``, R 4.2.2, package stats.

    Examples
    --------
    Type 7 of [1, 2, 3, 4] at 0.25: h = 1 + (4 - 1) * 0.25 = 1.75, so 1 + 0.75 * (2 - 1):

    >>> quantile([1, 2, 3, 4], 0.25)
    1.75
    >>> quantile([1, 2, 3, 4], [0.25, 0.5, 0.75], type=6).tolist()
    [1.25, 2.5, 3.75]
    """
    if isinstance(type, bool) or not isinstance(type, (int, np.integer)) or not 1 <= type <= 9:
        raise ValueError(f"quantile type must be an integer from 1 to 9, got {type!r}")
    scalar = np.ndim(probs) == 0
    p = _probabilities(probs)
    xs = np.sort(_as_float_array(x, "x", dropna))
    n = xs.size
    if n == 0:
        qs = np.full(p.shape, np.nan)
    elif type == 7:
        qs = _quantile_type7(xs, p)
    else:
        j, h = _discontinuous_j_h(n, p, type) if type <= 3 else _continuous_j_h(n, p, type)
        qs = _interpolate(xs, j, h)
    return float(qs[0]) if scalar else qs


def _probabilities(probs: float | Sequence[float]) -> np.ndarray:
    """``probs`` as a 1-D array in [0, 1]; NaN or values beyond ``100 * eps`` outside raise."""
    p = np.atleast_1d(np.asarray(probs, dtype=float)).ravel()
    if np.isnan(p).any():
        raise ValueError("probs must not contain NaN")
    eps = 100 * np.finfo(float).eps
    if ((p < -eps) | (p > 1 + eps)).any():
        raise ValueError(f"probs outside [0, 1]: {p[(p < -eps) | (p > 1 + eps)].tolist()}")
    return np.clip(p, 0.0, 1.0)


def _quantile_type7(xs: np.ndarray, p: np.ndarray) -> np.ndarray:
    """R's type 7 branch: index ``1 + (n - 1) p``, interpolated as ``(1 - h) x[lo] + h x[hi]``."""
    n = xs.size
    index = 1 + max(n - 1, 0) * p
    lo = np.floor(index).astype(np.int64)
    hi = np.ceil(index).astype(np.int64)
    qs = xs[lo - 1].copy()
    xhi = xs[hi - 1]
    i = (index > lo) & (xhi != qs)
    h = (index - lo)[i]
    qs[i] = (1 - h) * qs[i] + h * xhi[i]
    return qs


def _discontinuous_j_h(n: int, p: np.ndarray, type: int) -> tuple[np.ndarray, np.ndarray]:
    """Index j and weight h of R's discontinuous types 1-3 (inverse ECDF and its variants)."""
    nppm = n * p - 0.5 if type == 3 else n * p
    j = np.floor(nppm)
    if type == 1:
        h = (nppm > j).astype(float)
    elif type == 2:
        h = ((nppm > j).astype(float) + 1) / 2
    else:
        h = ((nppm != j) | (np.mod(j, 2) == 1)).astype(float)
    return j, h


def _continuous_j_h(n: int, p: np.ndarray, type: int) -> tuple[np.ndarray, np.ndarray]:
    """Index j and weight h of R's continuous types 4-6, 8, 9, with R's ``4 * eps`` fuzz."""
    a, b = _CONTINUOUS_AB[int(type)]
    fuzz = 4 * np.finfo(float).eps
    nppm = a + p * (n + 1 - a - b)
    j = np.floor(nppm + fuzz)
    h = nppm - j
    h[np.abs(h) < fuzz] = 0.0
    return j, h


def _interpolate(xs: np.ndarray, j: np.ndarray, h: np.ndarray) -> np.ndarray:
    """R's ``(1 - h) * x[j] + h * x[j + 1]`` on x padded with its extremes (types 1-6, 8, 9)."""
    j = j.astype(np.int64)
    # R: x <- c(x[1], x[1], x, x[n], x[n]); qs <- x[j + 2]  (1-based) -> 0-based j + 1
    xp = np.concatenate(([xs[0], xs[0]], xs, [xs[-1], xs[-1]]))
    lo_v = xp[j + 1]
    hi_v = xp[j + 2]
    qs = lo_v.copy()
    qs[h == 1] = hi_v[h == 1]
    other = (0 < h) & (h < 1) & (lo_v != hi_v)
    qs[other] = ((1 - h) * lo_v + h * hi_v)[other]
    return qs


def _median(xs_sorted: np.ndarray) -> float:
    """R's ``median()``: middle value, or the mean of the two middle values."""
    n = xs_sorted.size
    if n == 0:
        return math.nan
    half = (n + 1) // 2
    if n % 2 == 1:
        return float(xs_sorted[half - 1])
    return float((xs_sorted[half - 1] + xs_sorted[half]) / 2)


def summary(x: Any, type: int = 7, dropna: bool = False) -> dict[str, float]:
    """Median, quartiles, range and count of a sample.

    The median is R's ``median(x)`` (mean of the two middle values for even n, whatever
    ``type``); the quartiles are R's ``quantile(x, c(0.25, 0.75), type = type)``.

    Parameters
    ----------
    x : array_like
        Data (NaN raises ``ValueError`` unless ``dropna=True``).
    type : int, default 7
        R quantile type for the quartiles (see :func:`quantile`).
    dropna : bool, default False
        Drop NaN first.

    Returns
    -------
    dict
        ``{'n', 'median', 'q1', 'q3', 'min', 'max'}``; ``n`` is an int. For an empty sample
        ``n`` is 0 and the rest are NaN.

    References
    ----------
    .. [1] Hyndman, R. J. and Fan, Y. (1996) Sample quantiles in statistical packages.
       The American Statistician 50, 361-365.
    .. [2] R Core Team. ``?median`` and ``?quantile`` (``quantile(x, c(0.25, 0.75), type =
       type)``), R 4.2.2, packages stats.

    Examples
    --------
    Median of [1, 2, 3, 4] = (2 + 3) / 2 = 2.5; type 7 quartiles 1.75 and 3.25 (see
    :func:`quantile`):

    >>> s = summary([1, 2, 3, 4])
    >>> s["median"], s["q1"], s["q3"], s["n"]
    (2.5, 1.75, 3.25, 4)
    """
    xs = np.sort(_as_float_array(x, "x", dropna))
    if xs.size == 0:
        return {"n": 0, "median": math.nan, "q1": math.nan, "q3": math.nan, "min": math.nan, "max": math.nan}
    q1, q3 = quantile(xs, [0.25, 0.75], type=type)
    return {
        "n": int(xs.size),
        "median": _median(xs),
        "q1": float(q1),
        "q3": float(q3),
        "min": float(xs[0]),
        "max": float(xs[-1]),
    }


def _fmt(value: float, decimals: int) -> str:
    """R's ``sprintf("%.<d>f", value)``: C printf, i.e. the exact binary value rounded half-even."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "NA"
    v = float(value)
    if math.isinf(v):
        return "Inf" if v > 0 else "-Inf"
    return f"{v:.{decimals}f}"


def format_me_iqr(x_or_summary: Any, decimals: int = 2, type: int = 7, dropna: bool = False) -> str:
    """Display form ``"Me [LQ; UQ]"`` of a sample: median and quartiles.

    Each number is formatted as R's ``sprintf("%.2f", v)`` (with ``decimals`` digits): the C
    library rounds the exact binary value of ``v`` to nearest, ties to even, so 0.125 gives
    ``"0.12"`` and 2.675 (stored as 2.67499999...) gives ``"2.67"``, exactly as in R. Python's
    ``format(v, ".2f")`` does the same and is what is used. A missing number prints as ``"NA"``
    (R's ``sprintf("%.2f", NA)``).

    Parameters
    ----------
    x_or_summary : array_like or dict
        Raw values, or the dict returned by :func:`summary` (needs 'median', 'q1', 'q3').
    decimals : int, default 2
        Digits after the decimal point.
    type : int, default 7
        R quantile type used when raw values are given.
    dropna : bool, default False
        Drop NaN from raw values first.

    Returns
    -------
    str
        ``"<median> [<q1>; <q3>]"``, each with ``decimals`` digits (``"NA"`` when missing).

    References
    ----------
    .. [1] R Core Team. ``?sprintf``, R 4.2.2, package base: ``sprintf("%.2f [%.2f; %.2f]",
       median(x), quantile(x, 0.25), quantile(x, 0.75))``.

    Examples
    --------
    Median 2.5 and quartiles 1.75, 3.25 of [1, 2, 3, 4]; 0.125 rounds half-even to 0.12:

    >>> format_me_iqr([1, 2, 3, 4])
    '2.50 [1.75; 3.25]'
    >>> format_me_iqr({"median": 0.125, "q1": 0.1, "q3": 2.675}, decimals=2)
    '0.12 [0.10; 2.67]'
    """
    if isinstance(decimals, bool) or not isinstance(decimals, (int, np.integer)) or decimals < 0:
        raise ValueError(f"decimals must be a non-negative integer, got {decimals!r}")
    if isinstance(x_or_summary, dict):
        missing = {"median", "q1", "q3"} - set(x_or_summary)
        if missing:
            raise ValueError(f"summary dict lacks {sorted(missing)}")
        s = x_or_summary
    else:
        s = summary(x_or_summary, type=type, dropna=dropna)
    return f"{_fmt(s['median'], decimals)} [{_fmt(s['q1'], decimals)}; {_fmt(s['q3'], decimals)}]"
