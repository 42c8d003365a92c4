"""Normality test exactly as R's ``shapiro.test``: Shapiro-Wilk W with Royston's (1995)
algorithm AS R94, implemented in double precision.

Functions
---------
shapiro         R ``shapiro.test(x)`` (3 to 5000 values).

Parity with R 4.2.2 (n = 3..60) is checked by ``tests/test_stats_r_parity.py``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from analysis.stats.inputs import _as_float_array
from analysis.stats.rmath import pnorm, qnorm
from analysis.stats.results import TestResult

__all__ = ["shapiro"]

# Royston (1995), AS R94: polynomial approximations (coefficients as published, lowest order first).
_SW_AN = (0.0, 0.221157, -0.147981, -2.071190, 4.434685, -2.706056)    # a_n in u = n^-1/2
_SW_AN1 = (0.0, 0.042981, -0.293762, -1.752461, 5.682633, -3.582633)   # a_{n-1} in u
_SW_SMALL_GAMMA = (-2.273, 0.459)                                        # gamma(n), 4 <= n <= 11
_SW_SMALL_MU = (0.5440, -0.39978, 0.025054, -0.0006714)                  # mu(n), 4 <= n <= 11
_SW_SMALL_LOGSIGMA = (1.3822, -0.77857, 0.062767, -0.0020322)            # log sigma(n), 4 <= n <= 11
_SW_LARGE_MU = (-1.5861, -0.31082, -0.083751, 0.0038915)                 # mu(log n), n >= 12
_SW_LARGE_LOGSIGMA = (-0.4803, -0.082676, 0.0030302)                     # log sigma(log n), n >= 12


def _poly(coef: Sequence[float], t: float) -> float:
    """coef[0] + coef[1] t + coef[2] t^2 + ... (Horner)."""
    acc = 0.0
    for c in reversed(coef[1:]):
        acc = (acc + c) * t
    return coef[0] + acc


def _shapiro_wilk(xs: np.ndarray) -> tuple[float, float]:
    """W and p of Royston's AS R94 for sorted ``xs`` (3 <= n <= 5000), in double precision.

    scipy.stats.shapiro implements the same algorithm but obtains the expected normal order
    statistics m_i from a single-precision approximation of the normal quantile (AS 111), which
    moves W and p by ~1e-10 relative and breaks 1e-9 agreement with R; here m_i uses R's own
    qnorm (:func:`analysis.stats.rmath.qnorm`), as R's ``swilk.c`` does, and p R's ``pnorm``.
    """
    n = xs.size
    w, one_minus_w = _sw_statistic(xs, _sw_coefficients(n))
    if n == 3:  # exact distribution (Shapiro & Wilk 1965)
        return w, max(0.0, 6 / math.pi * (math.asin(math.sqrt(w)) - math.asin(math.sqrt(0.75))))
    return w, _sw_p_royston(one_minus_w, n)


def _sw_half_coefficients(n: int) -> np.ndarray:
    """Royston's coefficients a_1 > a_2 > ... of the lower half (positive), AS R94 steps 1-3."""
    if n == 3:
        return np.array([math.sqrt(0.5)])
    half = n // 2
    m = np.array([qnorm((i - 0.375) / (n + 0.25)) for i in range(1, half + 1)])  # lower half: m_1 < ... < 0
    mm = 2.0 * float(np.sum(m * m))                 # m'm over all n
    u = 1.0 / math.sqrt(n)
    a = -m / math.sqrt(mm)                          # c_i = -m_i / sqrt(m'm), positive
    a_n = _poly(_SW_AN, u) + a[0]
    if n > 5:
        a_n1 = _poly(_SW_AN1, u) + a[1]
        eps = (mm - 2 * m[0] ** 2 - 2 * m[1] ** 2) / (1 - 2 * a_n**2 - 2 * a_n1**2)
        a = -m / math.sqrt(eps)
        a[0], a[1] = a_n, a_n1
    else:
        eps = (mm - 2 * m[0] ** 2) / (1 - 2 * a_n**2)
        a = -m / math.sqrt(eps)
        a[0] = a_n
    return a


def _sw_coefficients(n: int) -> np.ndarray:
    """Full antisymmetric coefficient vector, from the smallest observation to the largest."""
    half = n // 2
    a_half = _sw_half_coefficients(n)
    coef = np.zeros(n)
    coef[:half] = -a_half
    coef[n - half:] = a_half[::-1]
    return coef


def _sw_statistic(xs: np.ndarray, coef: np.ndarray) -> tuple[float, float]:
    """W and 1 - W (the latter without cancellation near W = 1) for sorted ``xs``."""
    z = xs / (xs[-1] - xs[0])                           # scale by the range (W is scale-free)
    ac = coef - coef.mean()
    zc = z - z.mean()
    ssa = float(np.sum(ac * ac))
    ssz = float(np.sum(zc * zc))
    saz = float(np.sum(ac * zc))
    r = math.sqrt(ssa * ssz)
    one_minus_w = (r - saz) * (r + saz) / (ssa * ssz)   # 1 - W without cancellation near W = 1
    return 1.0 - one_minus_w, one_minus_w


def _sw_p_royston(one_minus_w: float, n: int) -> float:
    """Royston's normalising transformation of log(1 - W) to a p-value (4 <= n <= 5000)."""
    y = math.log(one_minus_w)
    if n <= 11:
        gamma = _poly(_SW_SMALL_GAMMA, n)
        if y >= gamma:
            return 1e-99  # beyond the approximation's range; R returns this same value
        y = -math.log(gamma - y)
        mu, sigma = _poly(_SW_SMALL_MU, n), math.exp(_poly(_SW_SMALL_LOGSIGMA, n))
    else:
        ln = math.log(n)
        mu, sigma = _poly(_SW_LARGE_MU, ln), math.exp(_poly(_SW_LARGE_LOGSIGMA, ln))
    return pnorm((y - mu) / sigma, lower_tail=False)  # swilk.c: pnorm(y, m, s, 0 /* upper tail */, 0)


def shapiro(x: Any, dropna: bool = False) -> TestResult:
    """Shapiro-Wilk normality test, as R's ``shapiro.test(x)``.

    Royston's algorithm AS R94 (the one R uses): coefficients from the expected normal order
    statistics with Royston's polynomial corrections for the two extreme ones, W as the squared
    correlation between the sorted data and the coefficients, and p from Royston's normalising
    transformation of log(1 - W) (exact for n = 3). Implemented here in double precision from
    the published formulas, because ``scipy.stats.shapiro`` computes the normal quantiles with a
    single-precision approximation and differs from R by ~1e-10 (more than the 1e-9 agreement
    this project requires). Agreement with R 4.2.2 is checked for n = 3..60 by the R-parity
    tests. As R does, values whose range is below 1e-10 are rescaled by the range first (W is
    scale-invariant anyway). For 4 <= n <= 11 with W beyond the approximation's range the p is
    1e-99, as in R.

    Parameters
    ----------
    x : array_like
        3 to 5000 values, not all identical.
    dropna : bool, default False
        Drop NaN first (otherwise NaN raises ``ValueError``).

    Returns
    -------
    TestResult
        ``test='Shapiro-Wilk'``, ``statistic`` = W, ``p``, ``method='Royston (1995) approximation'``
        (``'exact'`` for n = 3).

    Raises
    ------
    ValueError
        Fewer than 3 or more than 5000 values, all values identical, NaN without ``dropna``.

    References
    ----------
    .. [1] Shapiro, S. S. and Wilk, M. B. (1965) An analysis of variance test for normality
       (complete samples). Biometrika 52, 591-611.
    .. [2] Royston, P. (1992) Approximating the Shapiro-Wilk W-test for non-normality.
       Statistics and Computing 2, 117-119.
    .. [3] Royston, P. (1995) Remark AS R94: A remark on Algorithm AS 181: The W-test for
       normality. Applied Statistics 44, 547-551.
    .. [4] R Core Team. ``?shapiro.test``, R 4.2.2, package stats.

    Examples
    --------
    For n = 3 the coefficients are (-1, 0, 1)/sqrt(2), so for [1, 2, 4]
    W = (4 - 1)^2 / 2 / ((1 + 4 + 16) - 49/3) = 4.5 / (14/3) = 27/28, and the p-value is exact:
    p = 6/pi * (asin(sqrt(W)) - asin(sqrt(3/4))) (R: 0.63688684502896).

    >>> r = shapiro([1, 2, 4])
    >>> round(r.statistic, 12), round(r.p, 12)
    (0.964285714286, 0.636886845029)
    """
    xs = np.sort(_as_float_array(x, "x", dropna))
    n = xs.size
    if n < 3 or n > 5000:
        raise ValueError(f"Shapiro-Wilk needs between 3 and 5000 values (got {n})")
    rng = xs[-1] - xs[0]
    if rng == 0:
        raise ValueError("Shapiro-Wilk: all values are identical")
    if rng < 1e-10:
        xs = xs / rng
    w, p = _shapiro_wilk(xs)
    return TestResult(test="Shapiro-Wilk", statistic=w, p=p,
                      method="exact" if n == 3 else "Royston (1995) approximation", n1=int(n),
                      statistic_name="W", r_method="Shapiro-Wilk normality test", ns=(int(n),))
