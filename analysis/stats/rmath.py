"""Ports of the pieces of R's C code whose last bits the statistics depend on.

Exact null distributions and quantiles of the signed-rank and rank-sum statistics (R
``src/nmath/signrank.c``, ``src/nmath/wilcox.c``), the normal quantile (``src/nmath/qnorm.c``, Wichura's
AS 241) and distribution function (``src/nmath/pnorm.c``, Cody's algorithm), and ``uniroot`` (Brent's
``R_zeroin2``, ``src/library/stats/src/zeroin.c``, with the non-finite-value guard of ``optimize.c``).
Ported line by line from the R 4.2 branch so that results equal R's to the last bit, including the
approximate roots of ``uniroot(tol = 1e-4)`` used by ``wilcox.test(conf.int = TRUE)``.
"""

from __future__ import annotations

import math
import sys
import warnings
from collections.abc import Callable
from functools import cache

import numpy as np

#: R's ``uniroot`` tolerance used by ``wilcox.test`` (argument ``tol.root``).
TOL_ROOT = 1e-4
_DBL_EPS = sys.float_info.epsilon
_DBL_MAX = sys.float_info.max

__all__ = [
    "TOL_ROOT",
    "pnorm",
    "psignrank",
    "pwilcox",
    "qnorm",
    "qsignrank",
    "qwilcox",
    "signrank_null_counts",
    "uniroot",
    "wilcox_null_counts",
]


# ----------------------------------------------------------------------------------------------
# R's nmath: exact null distributions of V and W, and their quantiles


@cache
def signrank_null_counts(n: int) -> tuple[int, ...]:
    """Number of subsets of {1..n} with each sum V = 0 .. n(n+1)/2 (R ``csignrank``), exact integers.

    Parameters
    ----------
    n : int

    Returns
    -------
    tuple of int

    References
    ----------
    .. [1] R Core Team. ``csignrank`` in ``src/nmath/signrank.c``, R 4.2.

    Examples
    --------
    >>> signrank_null_counts(3)
    (1, 1, 1, 2, 1, 1, 1)
    """
    u = n * (n + 1) // 2
    w = [0] * (u + 1)
    w[0] = 1
    for j in range(1, n + 1):
        for i in range(min(j * (j + 1) // 2, u), j - 1, -1):
            w[i] += w[i - j]
    return tuple(w)


@cache
def wilcox_null_counts(m: int, n: int) -> tuple[int, ...]:
    """Number of rank configurations giving each W = 0 .. m n (R ``cwilcox``), exact integers.

    Coefficients of the Gaussian binomial [m + n choose m]_q: the largest of the m + n values is
    either an x (W grows by n) or a y.

    Parameters
    ----------
    m, n : int
        Sizes of the two samples.

    Returns
    -------
    tuple of int

    References
    ----------
    .. [1] R Core Team. ``cwilcox`` in ``src/nmath/wilcox.c``, R 4.2.

    Examples
    --------
    >>> wilcox_null_counts(2, 2)
    (1, 1, 2, 1, 1)
    """
    prev = [[1] for _ in range(n + 1)]  # i = 0: only W = 0
    for i in range(1, m + 1):
        cur = [[1]]  # j = 0: only W = 0
        for j in range(1, n + 1):
            row = [0] * (i * j + 1)
            for k, v in enumerate(prev[j]):  # largest is an x: W + j
                row[k + j] += v
            for k, v in enumerate(cur[j - 1]):  # largest is a y
                row[k] += v
            cur.append(row)
        prev = cur
    return tuple(prev[n])


def _cdf(prob, x: float, top: int, lower_tail: bool) -> float:
    """The summation of R's ``psignrank`` / ``pwilcox`` (x already an integer; sum over the shorter tail)."""
    if x < 0:
        return 0.0 if lower_tail else 1.0
    if x >= top:
        return 1.0 if lower_tail else 0.0
    p = 0.0
    if x <= top / 2:
        for i in range(int(x) + 1):
            p += prob[i]
    else:
        for i in range(int(top - x)):
            p += prob[i]
        lower_tail = not lower_tail
    return float(p if lower_tail else 0.5 - p + 0.5)


def _quantile(prob, x: float, top: int) -> int:
    """The search loop of R's ``qsignrank`` / ``qwilcox`` (lower tail, fuzz 10 eps)."""
    if x == 0:
        return 0
    if x == 1:
        return top
    p = 0.0
    q = 0
    if x <= 0.5:
        x = x - 10 * _DBL_EPS
        while True:
            p += prob[q]
            if p >= x:
                return q
            q += 1
    x = 1 - x + 10 * _DBL_EPS
    while True:
        p += prob[q]
        if p > x:
            return top - q
        q += 1


def _signrank_probs(n: int) -> np.ndarray:
    return np.array(signrank_null_counts(n), dtype=float) * math.exp(-n * math.log(2))  # csignrank * f


def _wilcox_probs(m: int, n: int) -> np.ndarray:
    return np.array(wilcox_null_counts(m, n), dtype=float) / float(math.comb(m + n, n))  # cwilcox / c


def psignrank(q: float, n: int, lower_tail: bool = True) -> float:
    """Distribution function of the Wilcoxon signed-rank statistic V, R ``psignrank(q, n, lower.tail)``.

    Parameters
    ----------
    q : float
        Quantile (rounded to an integer as R does, after adding 1e-7).
    n : int
        Number of (nonzero) differences.
    lower_tail : bool, default True
        P(V <= q) if True, else P(V > q).

    Returns
    -------
    float

    References
    ----------
    .. [1] R Core Team. ``psignrank`` (``src/nmath/signrank.c``), R 4.2.

    Examples
    --------
    n = 2: V takes 0, 1, 2, 3 with probability 1/4 each, so P(V <= 1) = 1/2.

    >>> psignrank(1, 2)
    0.5
    """
    return _cdf(_signrank_probs(n), round(q + 1e-7), n * (n + 1) // 2, lower_tail)  # R_forceint



def qsignrank(prob: float, n: int) -> int:
    """Quantile of the signed-rank statistic, R ``qsignrank(p, n)`` (lower tail).

    The smallest q with P(V <= q) >= p, with R's fuzz of 10 machine epsilons.

    Parameters
    ----------
    prob : float
        Probability in [0, 1].
    n : int

    Returns
    -------
    int

    References
    ----------
    .. [1] R Core Team. ``qsignrank`` (``src/nmath/signrank.c``), R 4.2.

    Examples
    --------
    n = 2: P(V <= 0) = 1/4 < 0.3 <= P(V <= 1) = 1/2.

    >>> qsignrank(0.3, 2)
    1
    """
    return _quantile(_signrank_probs(n), prob, n * (n + 1) // 2)



def pwilcox(q: float, m: int, n: int, lower_tail: bool = True) -> float:
    """Distribution function of the rank-sum statistic W, R ``pwilcox(q, m, n, lower.tail)``.

    Parameters
    ----------
    q : float
    m, n : int
        Sizes of the two samples.
    lower_tail : bool, default True

    Returns
    -------
    float

    References
    ----------
    .. [1] R Core Team. ``pwilcox`` (``src/nmath/wilcox.c``), R 4.2.

    Examples
    --------
    m = 2, n = 3: W = 0 for 1 of the C(5, 2) = 10 rank sets.

    >>> pwilcox(0, 2, 3)
    0.1
    """
    return _cdf(_wilcox_probs(m, n), math.floor(q + 1e-7), m * n, lower_tail)



def qwilcox(prob: float, m: int, n: int) -> int:
    """Quantile of the rank-sum statistic, R ``qwilcox(p, m, n)`` (lower tail).

    Parameters
    ----------
    prob : float
    m, n : int

    Returns
    -------
    int

    References
    ----------
    .. [1] R Core Team. ``qwilcox`` (``src/nmath/wilcox.c``), R 4.2.

    Examples
    --------
    m = 2, n = 3: P(W <= 0) = 0.1 < 0.15 <= P(W <= 1) = 0.2.

    >>> qwilcox(0.15, 2, 3)
    1
    """
    return _quantile(_wilcox_probs(m, n), prob, m * n)



def _finite_for_zeroin(v: float) -> float:
    """R's ``fcn2`` wrapper in ``optimize.c``: -Inf -> -DBL_MAX, NaN/+Inf -> DBL_MAX."""
    if math.isfinite(v):
        return v
    return -_DBL_MAX if v == -math.inf else _DBL_MAX


def _zeroin2(f: Callable[[float], float], ax: float, bx: float, fa: float, fb: float,
             tol: float, maxit: int = 1000) -> float:
    """Port of R's ``R_zeroin2`` (src/library/stats/src/zeroin.c), iteration for iteration."""
    a, b = ax, bx
    c, fc = a, fa
    if fa == 0.0:
        return a
    if fb == 0.0:
        return b
    for _ in range(maxit + 1):
        prev_step = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol_act = 2 * _DBL_EPS * abs(b) + tol / 2
        new_step = (c - b) / 2
        if abs(new_step) <= tol_act or fb == 0.0:
            return b
        if abs(prev_step) >= tol_act and abs(fa) > abs(fb):
            cb = c - b
            if a == c:
                t1 = fb / fa
                p = cb * t1
                q = 1.0 - t1
            else:
                q = fa / fc
                t1 = fb / fc
                t2 = fb / fa
                p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0))
                q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            if p > 0:
                q = -q
            else:
                p = -p
            if p < (0.75 * cb * q - abs(tol_act * q) / 2) and p < abs(prev_step * q / 2):
                new_step = p / q
        if abs(new_step) < tol_act:
            new_step = tol_act if new_step > 0 else -tol_act
        a, fa = b, fb
        b += new_step
        fb = _finite_for_zeroin(f(b))
        if (fb > 0 and fc > 0) or (fb < 0 and fc < 0):
            c, fc = a, fa
    warnings.warn("uniroot: iteration limit reached", RuntimeWarning, stacklevel=2)
    return b


def uniroot(f: Callable[[float], float], lower: float, upper: float, f_lower: float | None = None,
             f_upper: float | None = None, tol: float = TOL_ROOT) -> float:
    """Root of f in [lower, upper], R ``uniroot(f, lower =, upper =, f.lower =, f.upper =, tol =)$root``.

    No interval extension (R's ``extendInt = "no"``); R's errors (bad interval, NA at an end, no sign
    change) raise ``ValueError``.

    Parameters
    ----------
    f : callable
    lower, upper : float
    f_lower, f_upper : float, optional
        f at the ends when already known (R's ``f.lower``, ``f.upper``).
    tol : float, default 1e-4
        R's ``tol`` (``wilcox.test``'s ``tol.root``).

    Returns
    -------
    float

    References
    ----------
    .. [1] R Core Team. ``uniroot`` (``nlm.R``) and ``R_zeroin2`` (``zeroin.c``), R 4.2.

    Examples
    --------
    >>> round(uniroot(lambda v: v * v - 4, 0, 5, tol=1e-10), 8)
    2.0
    """
    if not lower < upper:
        raise ValueError("uniroot: lower < upper is not fulfilled (R stops here too)")
    fl = f(lower) if f_lower is None else f_lower
    fu = f(upper) if f_upper is None else f_upper
    if math.isnan(fl) or math.isnan(fu):
        raise ValueError("uniroot: f(lower) or f(upper) is NA (R stops here too)")
    if np.sign(fl) * np.sign(fu) > 0:
        raise ValueError("uniroot: f() values at end points not of opposite sign (R stops here too)")
    return _zeroin2(lambda v: f(v), lower, upper, fl, fu, tol)


# ----------------------------------------------------------------------------------------------
# helpers


def qnorm(p: float, lower_tail: bool = True) -> float:
    """Normal quantile, R's ``qnorm(p, lower.tail = lower_tail)`` (Wichura's AS 241, ``src/nmath/qnorm.c``).

    Ported rather than taken from scipy (``ndtri``), which differs from R in the last bits (R's
    ``qnorm(0.975)`` is 1.9599639845400536, scipy's 1.9599639845400545); the interval ends found by
    root-finding inherit those bits.

    Parameters
    ----------
    p : float
    lower_tail : bool, default True

    Returns
    -------
    float

    References
    ----------
    .. [1] Wichura, M. J. (1988) Algorithm AS 241: the percentage points of the normal distribution.
       Applied Statistics 37, 477-484. R ``qnorm``, R 4.2.

    Examples
    --------
    >>> qnorm(0.5), qnorm(0.975)
    (0.0, 1.9599639845400536)
    """
    if math.isnan(p):
        return p
    if p < 0 or p > 1:
        return math.nan
    if p == 0:
        return -math.inf if lower_tail else math.inf
    if p == 1:
        return math.inf if lower_tail else -math.inf
    p_ = p if lower_tail else 0.5 - p + 0.5
    q = p_ - 0.5
    if abs(q) <= 0.425:
        r = 0.180625 - q * q
        return (q * (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r
                          + 67265.770927008700853) * r + 45921.953931549871457) * r
                        + 13731.693765509461125) * r + 1971.5909503065514427) * r
                      + 133.14166789178437745) * r + 3.387132872796366608)
                / (((((((r * 5226.495278852854561 + 28729.085735721942674) * r
                        + 39307.89580009271061) * r + 21213.794301586595867) * r
                      + 5394.1960214247511077) * r + 687.1870074920579083) * r
                    + 42.313330701600911252) * r + 1.0))
    if q > 0:
        r = math.log(0.5 - p + 0.5 if lower_tail else p)  # R_DT_CIv(p)
    else:
        r = math.log(p_)
    r = math.sqrt(-r)
    if r <= 5.0:
        r += -1.6
        val = ((((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r
                     + 0.24178072517745061177) * r + 1.27045825245236838258) * r
                   + 3.64784832476320460504) * r + 5.7694972214606914055) * r
                 + 4.6303378461565452959) * r + 1.42343711074968357734)
               / (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r
                       + 0.0151986665636164571966) * r + 0.14810397642748007459) * r
                     + 0.68976733498510000455) * r + 1.6763848301838038494) * r
                   + 2.05319162663775882187) * r + 1.0))
    elif r >= 816:
        val = r * math.sqrt(2)
    else:
        r += -5.0
        val = ((((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r
                     + 0.0012426609473880784386) * r + 0.026532189526576123093) * r
                   + 0.29656057182850489123) * r + 1.7848265399172913358) * r
                 + 5.4637849111641143699) * r + 6.6579046435011037772)
               / (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r
                       + 1.8463183175100546818e-5) * r + 7.868691311456132591e-4) * r
                     + 0.0148753612908506148525) * r + 0.13692988092273580531) * r
                   + 0.59983220655588793769) * r + 1.0))
    return -val if q < 0.0 else val


# Cody's rational approximations as R's pnorm_both holds them (src/nmath/pnorm.c, R 4.2)
_PN_A = (2.2352520354606839287, 161.02823106855587881, 1067.6894854603709582, 18154.981253343561249,
         0.065682337918207449113)
_PN_B = (47.20258190468824187, 976.09855173777669322, 10260.932208618978205, 45507.789335026729956)
_PN_C = (0.39894151208813466764, 8.8831497943883759412, 93.506656132177855979, 597.27027639480026226,
         2494.5375852903726711, 6848.1904505362823326, 11602.651437647350124, 9842.7148383839780218,
         1.0765576773720192317e-8)
_PN_D = (22.266688044328115691, 235.38790178262499861, 1519.377599407554805, 6485.558298266760755,
         18615.571640885098091, 34900.952721145977266, 38912.003286093271411, 19685.429676859990727)
_PN_P = (0.21589853405795699, 0.1274011611602473639, 0.022235277870649807, 0.001421619193227893466,
         2.9112874951168792e-5, 0.02307344176494017303)
_PN_Q = (1.28426009614491121, 0.468238212480865118, 0.0659881378689285515, 0.00378239633202758244,
         7.29751555083966205e-5)
_M_SQRT_32 = 5.656854249492380195206754896838
_M_1_SQRT_2PI = 0.398942280401432677939946059934


def pnorm(x: float, lower_tail: bool = True) -> float:
    """Standard normal distribution function, R's ``pnorm(x, lower.tail = lower_tail)``.

    Cody's rational Chebyshev approximations as R's ``pnorm_both`` evaluates them
    (``src/nmath/pnorm.c``), operation for operation, so that normal-approximation p-values equal
    R's to the last bit. ``pnorm(-x)`` and ``pnorm(x, lower_tail=False)`` are the same double.

    Parameters
    ----------
    x : float
    lower_tail : bool, default True
        P[X <= x]; False gives P[X > x].

    Returns
    -------
    float

    References
    ----------
    .. [1] Cody, W. J. (1993) Algorithm 715: SPECFUN, a portable FORTRAN package of special function
       routines and test drivers. ACM Transactions on Mathematical Software 19, 22-32.
       R ``pnorm``, R 4.2.

    Examples
    --------
    >>> pnorm(0.0), pnorm(1.959963984540054)
    (0.5, 0.975)
    >>> pnorm(-1.0) == pnorm(1.0, lower_tail=False)
    True
    """
    x = float(x)  # a numpy scalar in, a Python float out
    if math.isnan(x):
        return x
    y = abs(x)
    if y <= 0.67448975:  # qnorm(3/4)
        xnum = xden = 0.0
        if y > _DBL_EPS * 0.5:
            xsq = x * x
            xnum, xden = _PN_A[4] * xsq, xsq
            for i in range(3):
                xnum = (xnum + _PN_A[i]) * xsq
                xden = (xden + _PN_B[i]) * xsq
        temp = x * (xnum + _PN_A[3]) / (xden + _PN_B[3])
        return 0.5 + temp if lower_tail else 0.5 - temp
    if y <= _M_SQRT_32:
        xnum, xden = _PN_C[8] * y, y
        for i in range(7):
            xnum = (xnum + _PN_C[i]) * y
            xden = (xden + _PN_D[i]) * y
        cum, ccum = _pnorm_tails(y, (xnum + _PN_C[7]) / (xden + _PN_D[7]))
    elif (lower_tail and -37.5193 < x < 8.2924) or (not lower_tail and -8.2924 < x < 37.5193):
        xsq = 1.0 / (x * x)
        xnum, xden = _PN_P[5] * xsq, xsq
        for i in range(4):
            xnum = (xnum + _PN_P[i]) * xsq
            xden = (xden + _PN_Q[i]) * xsq
        temp = xsq * (xnum + _PN_P[4]) / (xden + _PN_Q[4])
        cum, ccum = _pnorm_tails(x, (_M_1_SQRT_2PI - temp) / y)
    else:  # so far out that the probabilities are 0 and 1
        cum, ccum = 0.0, 1.0
    if x > 0.0:  # the approximations give the lower tail of -|x|
        cum, ccum = ccum, cum
    return cum if lower_tail else ccum


def _pnorm_tails(v: float, temp: float) -> tuple[float, float]:
    """R's ``do_del``: exp(-v²/2) split so that its rounding error stays small; (tail, 1 - tail)."""
    xsq = math.trunc(v * 16) / 16
    delta = (v - xsq) * (v + xsq)
    cum = math.exp(-xsq * xsq * 0.5) * math.exp(-delta * 0.5) * temp
    return cum, 1.0 - cum
