"""Rank tests exactly as R 4.2's ``wilcox.test`` and ``kruskal.test`` compute them.

Functions
---------
mann_whitney          R ``wilcox.test(x, y)`` (Wilcoxon rank sum / Mann-Whitney U), W as R reports it.
wilcoxon_signed_rank  R ``wilcox.test(x, y, paired = TRUE)`` / one-sample, V as R reports it.
kruskal               R ``kruskal.test(list(...))`` (tie-corrected chi-squared).

R's rule for the p-value of the two Wilcoxon tests (``method='r'``): the exact null
distribution when every group has fewer than :data:`EXACT_LIMIT` values and nothing is tied
(and, for the signed-rank test, no difference is zero); otherwise the normal approximation with
tie-corrected variance and, by default, continuity correction. scipy's and pingouin's ``'auto'``
switch to the approximation much earlier and are never used. The exact p-values come from the ports
of R's ``pwilcox`` / ``psignrank`` (:mod:`analysis.stats.rmath`), the approximate ones from R's formulas
with the port of R's ``pnorm`` (:func:`analysis.stats.rmath.pnorm`): both equal R's to the last bit, and
a notebook that needs only these tests does not import scipy (0.35 s in a fresh kernel). Parity with
R 4.2.2 is checked by ``tests/test_stats_r_parity.py``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from analysis.stats.inputs import _as_float_array, _paired_arrays
from analysis.stats.rmath import pnorm, psignrank, pwilcox
from analysis.stats.results import ExactPValueUnavailable, TestResult

__all__ = ["EXACT_LIMIT", "kruskal", "mann_whitney", "wilcoxon_signed_rank"]

_ALTERNATIVES = ("two-sided", "less", "greater")
_METHODS = ("r", "exact", "asymptotic")
#: R's rule: the exact null distribution is used when every group has fewer than this many values.
EXACT_LIMIT = 50
_FALLBACK = "(R's wilcox.test(exact=TRUE) would silently fall back to the normal approximation)"


# ----------------------------------------------------------------------------------------------
# shared by the Wilcoxon tests


def _check_alternative(alternative: str) -> str:
    """The alternative in this project's spelling; R's ``'two.sided'`` is accepted."""
    alt = alternative.replace(".", "-")  # accept R's 'two.sided'
    if alt not in _ALTERNATIVES:
        raise ValueError(f"alternative must be one of {_ALTERNATIVES}, got {alternative!r}")
    return alt


def _check_method(method: str) -> str:
    """``method`` if it is one of ``'r'``, ``'exact'``, ``'asymptotic'``; else ``ValueError``."""
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    return method


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n with ties given their average rank (R ``rank()``, scipy ``rankdata``: the same values)."""
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    first = np.r_[True, ordered[1:] != ordered[:-1]]  # the first of each run of equal values
    starts = np.r_[np.nonzero(first)[0], values.size]  # where each run starts, and n
    group = np.cumsum(first) - 1  # run of each sorted value
    ranks = np.empty(values.size)
    ranks[order] = 0.5 * (starts[group + 1] + starts[group] + 1)  # mean of ranks start+1 .. next start
    return ranks


def _exact_p(cdf, stat: float, mean: float, alternative: str) -> float:
    """R's exact p of a rank statistic from its distribution function ``cdf(q, lower_tail)``."""
    if alternative == "less":
        return cdf(stat, True)
    if alternative == "greater":
        return cdf(stat - 1, False)
    p = cdf(stat - 1, False) if stat > mean else cdf(stat, True)
    return min(2 * p, 1.0)


def _has_ties(values: np.ndarray) -> bool:
    """Whether any value occurs more than once."""
    return np.unique(values).size != values.size


def _tie_sum(values: np.ndarray) -> float:
    """sum(t^3 - t) over groups of tied values (R: ``sum(NTIES^3 - NTIES)``)."""
    _, counts = np.unique(values, return_counts=True)
    t = counts.astype(float)
    return float(np.sum(t**3 - t))


def _describe_ties(values: np.ndarray) -> str:
    """The first five tied values, for an error message."""
    u, c = np.unique(values, return_counts=True)
    tied = u[c > 1]
    shown = ", ".join(f"{v:g}" for v in tied[:5])
    more = ", ..." if tied.size > 5 else ""
    return f"tied values: {shown}{more}"


def _use_exact(method: str, small: bool, undefined: str | None) -> bool:
    """R's choice between the exact and the normal p; ``undefined`` says why exact is impossible.

    ``'exact'`` with ``undefined`` set raises :class:`ExactPValueUnavailable` (R would warn and
    fall back); ``'r'`` is exact when the groups are ``small`` and nothing is ``undefined``.
    """
    if method == "asymptotic":
        return False
    if undefined is not None:
        if method == "exact":
            raise ExactPValueUnavailable(undefined)
        return False
    return method == "exact" or small


def _normal_labels(test: str, correct: bool) -> tuple[str, str]:
    """R's ``htest$method`` text and this project's p-method label for the normal approximation."""
    suffix = " with continuity correction" if correct else ""
    return test + suffix, "normal approximation" + suffix


def _normal_p(z: float, alternative: str) -> float:
    """p of a standard normal z for the alternative (two-sided: twice the smaller tail), with R's
    ``pnorm`` (:func:`analysis.stats.rmath.pnorm`) in the expressions of R's ``wilcox.test``."""
    if alternative == "less":
        return pnorm(z)
    if alternative == "greater":
        return pnorm(z, lower_tail=False)
    return 2 * min(pnorm(z), pnorm(z, lower_tail=False))


def _correction(z: float, alternative: str, correct: bool) -> float:
    """R's continuity correction of ``z`` (0 when ``correct`` is False)."""
    if not correct:
        return 0.0
    if alternative == "two-sided":
        return float(np.sign(z)) * 0.5
    return 0.5 if alternative == "greater" else -0.5


# ----------------------------------------------------------------------------------------------
# Mann-Whitney U / Wilcoxon rank sum


def mann_whitney(
    x: Any,
    y: Any,
    method: str = "r",
    correct: bool = True,
    alternative: str = "two-sided",
    dropna: bool = False,
) -> TestResult:
    """Mann-Whitney U / Wilcoxon rank sum test, exactly as R 4.2's ``wilcox.test(x, y)``.

    The statistic is R's W: the sum of the ranks of ``x`` in the pooled sample minus
    ``n1 (n1 + 1) / 2`` (equal to scipy's U of the first sample).

    How the p-value is obtained (``method``):

    - ``'r'`` (default, R's rule): the **exact** null distribution when both samples have fewer
      than 50 values and there are no ties in the pooled sample; otherwise the **normal
      approximation** with tie correction of the variance and, if ``correct``, continuity
      correction. scipy's and pingouin's ``'auto'`` switch to the approximation as soon as
      both n > 8 and are never used here.
    - ``'exact'``: always exact. With ties there is no exact distribution of W; R would warn
      and use the normal approximation; here :class:`ExactPValueUnavailable` is raised.
      (The exact distribution is fast below 50 per group but slow for large ones: about
      4 s for 100 vs 100.)
    - ``'asymptotic'``: always the normal approximation (tie + optional continuity correction).

    The exact p is R's: the port of ``pwilcox`` (:func:`analysis.stats.rmath.pwilcox`; two-sided p =
    ``min(1, 2 * smaller tail)``), equal to R 4.2.2 to the last bit whenever ``choose(n1 + n2, n1)`` is
    below 2^53 (scipy's ``mannwhitneyu(method='exact')`` differs from R in the last bits in about a
    quarter of such cases). The approximate p follows R's formula line by line, with R's ``pnorm``
    (:func:`analysis.stats.rmath.pnorm`). When every value is tied R's variance is 0 and R reports p = NaN; so does
    this function (scipy would say 1).

    Parameters
    ----------
    x, y : array_like
        The two samples (each at least one value).
    method : {'r', 'exact', 'asymptotic'}, default 'r'
        How the p-value is obtained (see above).
    correct : bool, default True
        Continuity correction of the normal approximation (R's ``correct = TRUE``).
    alternative : {'two-sided', 'less', 'greater'}, default 'two-sided'
        'greater' means x tends to be larger than y (R's convention).
    dropna : bool, default False
        Drop NaN (otherwise NaN raises ``ValueError``).

    Returns
    -------
    TestResult
        ``test='Mann-Whitney U'``, ``statistic`` = W, ``p``, ``method`` = ``'exact'``,
        ``'normal approximation with continuity correction'`` or ``'normal approximation'``,
        ``n1``, ``n2``, ``r_method`` = R's method text.

    Raises
    ------
    ValueError
        Empty sample, NaN without ``dropna``, bad ``method``/``alternative``.
    ExactPValueUnavailable
        ``method='exact'`` with ties.

    References
    ----------
    .. [1] Mann, H. B. and Whitney, D. R. (1947) On a test of whether one of two random
       variables is stochastically larger than the other. Ann. Math. Statist. 18, 50-60.
    .. [2] Hollander, M. and Wolfe, D. A. (1973) Nonparametric Statistical Methods. Wiley,
       pp. 68-75.
    .. [3] R Core Team. ``?wilcox.test``, R 4.2.2, package stats.

    Examples
    --------
    x = [1, 2] against y = [3, 4, 5]: x holds ranks 1 and 2, so W = 3 - 3 = 0, the most extreme
    of the C(5, 2) = 10 equally likely rank sets; exact two-sided p = 2 * 1/10 = 0.2.

    >>> r = mann_whitney([1, 2], [3, 4, 5])
    >>> r.statistic, round(r.p, 12), r.method
    (0.0, 0.2, 'exact')
    """
    method = _check_method(method)
    alt = _check_alternative(alternative)
    xa = _as_float_array(x, "x", dropna)
    ya = _as_float_array(y, "y", dropna)
    if xa.size == 0 or ya.size == 0:
        raise ValueError(
            f"Mann-Whitney U needs at least one value in each group (got n1={xa.size}, n2={ya.size})"
        )
    n1, n2 = float(xa.size), float(ya.size)
    pooled = np.concatenate([xa, ya])
    ranks = _average_ranks(pooled)
    W = float(ranks[: xa.size].sum() - n1 * (n1 + 1) / 2)
    undefined = None
    if _has_ties(pooled):
        undefined = ("Mann-Whitney U: an exact p-value is not defined when values are tied "
                     f"({_describe_ties(pooled)}); use mwu_method=r or mwu_method=asymptotic " + _FALLBACK)
    common = {"test": "Mann-Whitney U", "statistic": W, "n1": int(n1), "n2": int(n2), "statistic_name": "W",
              "alternative": alt, "ns": (int(n1), int(n2))}
    if _use_exact(method, n1 < EXACT_LIMIT and n2 < EXACT_LIMIT, undefined):
        return _mann_whitney_exact(W, alt, common)
    return _mann_whitney_normal(W, pooled, correct, alt, common)


def _mann_whitney_exact(W: float, alt: str, common: dict) -> TestResult:
    """Exact p of W as R's ``wilcox.test``: ``pwilcox`` (two-sided: ``min(1, 2 * smaller tail)``)."""
    m, n = common["n1"], common["n2"]
    p = _exact_p(lambda q, lower: pwilcox(q, m, n, lower_tail=lower), W, m * n / 2, alt)
    return TestResult(p=float(p), method="exact", r_method="Wilcoxon rank sum exact test", **common)


def _mann_whitney_normal(W: float, pooled: np.ndarray, correct: bool, alt: str, common: dict) -> TestResult:
    """R's normal approximation of W, line by line: tie-corrected variance; NaN when it is 0 (as R)."""
    r_method, p_method = _normal_labels("Wilcoxon rank sum test", correct)
    n1, n2 = float(common["n1"]), float(common["n2"])
    N = n1 + n2
    sigma2 = (n1 * n2 / 12) * ((N + 1) - _tie_sum(pooled) / (N * (N - 1))) if N > 1 else 0.0
    if not sigma2 > 0:
        return TestResult(p=math.nan, method=p_method, r_method=r_method,
                          note="every value is tied: the variance of W is 0 and p is undefined (R: NaN)",
                          **common)
    z = W - n1 * n2 / 2
    z = (z - _correction(z, alt, correct)) / math.sqrt(sigma2)
    return TestResult(p=_normal_p(z, alt), method=p_method, r_method=r_method, **common)


# ----------------------------------------------------------------------------------------------
# Wilcoxon signed-rank


def wilcoxon_signed_rank(
    x: Any,
    y: Any | None = None,
    method: str = "r",
    correct: bool = True,
    alternative: str = "two-sided",
    mu: float = 0.0,
    dropna: bool = False,
) -> TestResult:
    """Wilcoxon signed-rank test, exactly as R 4.2's ``wilcox.test(x, y, paired = TRUE)``.

    With ``y`` the differences ``x - y`` are tested (paired); without, ``x - mu`` (one sample).
    As in R: zero differences are dropped before ranking (and n counts the rest); the
    statistic V is the sum of the ranks of |d| over positive d; under ``method='r'`` the p is
    **exact** when n < 50 and there are no ties among |d| and no zero was dropped, otherwise the
    **normal approximation** with tie correction ``sum(t^3 - t) / 48`` of the variance and, if
    ``correct``, continuity correction.

    The exact p is R's: the port of ``psignrank`` (:func:`analysis.stats.rmath.psignrank`; two-sided
    p = ``min(1, 2 * smaller tail)``) on the nonzero differences, equal to R 4.2.2 to the last bit; the
    normal approximation follows R's formula line by line.

    Parameters
    ----------
    x : array_like
        The sample (one-sample test) or the first of the paired samples.
    y : array_like, optional
        Paired sample of the same length as ``x``.
    method : {'r', 'exact', 'asymptotic'}, default 'r'
        ``'exact'`` with ties or zeros raises :class:`ExactPValueUnavailable` (R would warn and
        use the normal approximation).
    correct : bool, default True
        Continuity correction of the normal approximation (R's ``correct = TRUE``).
    alternative : {'two-sided', 'less', 'greater'}, default 'two-sided'
        'greater' means the differences tend to be larger than ``mu`` (R's convention).
    mu : float, default 0
        Location shift under the null hypothesis.
    dropna : bool, default False
        Drop incomplete pairs (R's ``complete.cases``); otherwise NaN raises ``ValueError``.

    Returns
    -------
    TestResult
        ``test='Wilcoxon signed-rank'``, ``statistic`` = V, ``n1`` = number of nonzero
        differences used, ``ns`` = (number of pairs before dropping zeros,), ``note`` says how
        many zeros were dropped.

    References
    ----------
    .. [1] Wilcoxon, F. (1945) Individual comparisons by ranking methods. Biometrics Bulletin
       1, 80-83.
    .. [2] Hollander, M. and Wolfe, D. A. (1973) Nonparametric Statistical Methods. Wiley,
       pp. 27-33.
    .. [3] R Core Team. ``?wilcox.test``, R 4.2.2, package stats.

    Examples
    --------
    Differences 1, 2, -3: ranks of |d| are 1, 2, 3; V = 1 + 2 = 3. Of the 2^3 = 8 equally likely
    sign patterns, V <= 3 happens for V in {0, 1, 2, 3, 3}, i.e. 5 of them; two-sided p =
    min(1, 2 * 5/8) = 1.

    >>> r = wilcoxon_signed_rank([1, 2, -3])
    >>> r.statistic, r.p, r.method
    (3.0, 1.0, 'exact')
    """
    method = _check_method(method)
    alt = _check_alternative(alternative)
    d = _differences(x, y, dropna)
    if d.size == 0:
        raise ValueError("Wilcoxon signed-rank test needs at least one (non-missing) value")
    n_pairs = int(d.size)
    d = d - mu
    n_zero = int((d == 0).sum())
    d = d[d != 0]
    n = float(d.size)
    ranks = _average_ranks(np.abs(d))
    V = float(ranks[d > 0].sum())
    ties = _has_ties(np.abs(d))
    undefined = _signed_rank_exact_undefined(n_zero, np.abs(d)) if (ties or n_zero) else None
    note = f"{n_zero} zero difference(s) dropped" if n_zero else ""
    common = {"test": "Wilcoxon signed-rank", "statistic": V, "n1": int(n), "n2": None, "statistic_name": "V",
              "alternative": alt, "ns": (n_pairs,)}
    if _use_exact(method, n < EXACT_LIMIT, undefined):
        return _signed_rank_exact(V, int(n), alt, note, common)
    return _signed_rank_normal(V, n, ranks, correct, alt, note, common)


def _differences(x: Any, y: Any | None, dropna: bool) -> np.ndarray:
    """``x - y`` over complete pairs (R's ``complete.cases``), or ``x`` itself without ``y``."""
    if y is None:
        return _as_float_array(x, "x", dropna)
    xa_full, ya_full, ok = _paired_arrays(x, y, "paired test")
    if not ok.all() and not dropna:
        raise ValueError(
            f"paired test: {int((~ok).sum())} pair(s) contain a missing value (NaN); remove them "
            "or pass dropna=True"
        )
    return xa_full[ok] - ya_full[ok]


def _signed_rank_exact_undefined(n_zero: int, abs_d: np.ndarray) -> str:
    """Why the signed-rank test has no exact p: zero differences and/or tied |d|."""
    what = []
    if n_zero:
        what.append(f"{n_zero} zero difference(s)")
    if _has_ties(abs_d):
        what.append(f"tied absolute differences ({_describe_ties(abs_d)})")
    return ("Wilcoxon signed-rank: an exact p-value is not defined with " + " and ".join(what)
            + "; use method 'r' or 'asymptotic' " + _FALLBACK)


def _signed_rank_exact(V: float, n: int, alt: str, note: str, common: dict) -> TestResult:
    """Exact p of V as R's ``wilcox.test``: ``psignrank`` (two-sided: ``min(1, 2 * smaller tail)``)."""
    p = _exact_p(lambda q, lower: psignrank(q, n, lower_tail=lower), V, n * (n + 1) / 4, alt)
    return TestResult(p=float(p), method="exact", r_method="Wilcoxon signed rank exact test", note=note,
                      **common)


def _signed_rank_normal(V: float, n: float, ranks: np.ndarray, correct: bool, alt: str, note: str,
                        common: dict) -> TestResult:
    """R's normal approximation of V, line by line: tie correction ``sum(t^3 - t) / 48``."""
    r_method, p_method = _normal_labels("Wilcoxon signed rank test", correct)
    z = V - n * (n + 1) / 4
    sigma2 = n * (n + 1) * (2 * n + 1) / 24 - _tie_sum(ranks) / 48
    if not sigma2 > 0:
        note = "; ".join(filter(None, [note, "no nonzero differences: p is undefined (R: NaN)"]))
        return TestResult(p=math.nan, method=p_method, r_method=r_method, note=note, **common)
    z = (z - _correction(z, alt, correct)) / math.sqrt(sigma2)
    return TestResult(p=_normal_p(z, alt), method=p_method, r_method=r_method, note=note, **common)


# ----------------------------------------------------------------------------------------------
# Kruskal-Wallis


def kruskal(*groups: Any, dropna: bool = False) -> TestResult:
    """Kruskal-Wallis rank sum test, as R's ``kruskal.test(list(g1, g2, ...))``.

    The statistic is R's tie-corrected "Kruskal-Wallis chi-squared"
    ``H / (1 - sum(t^3 - t) / (n^3 - n))``; p from the chi-squared distribution with
    ``k - 1`` degrees of freedom. Computed with ``scipy.stats.kruskal`` (same formula), verified
    against R 4.2.2. When every value is tied the statistic and p are NaN (as in R).

    Parameters
    ----------
    *groups : array_like
        Two or more samples, each with at least one value (or one list of them, like R's
        ``kruskal.test(list(...))``).
    dropna : bool, default False
        Drop NaN from every group (otherwise NaN raises ``ValueError``).

    Returns
    -------
    TestResult
        ``test='Kruskal-Wallis'``, ``statistic`` = chi-squared, ``df`` = k - 1, ``p``,
        ``method='chi-squared approximation'``, ``ns`` = group sizes.

    References
    ----------
    .. [1] Kruskal, W. H. and Wallis, W. A. (1952) Use of ranks in one-criterion variance
       analysis. JASA 47, 583-621.
    .. [2] R Core Team. ``?kruskal.test``, R 4.2.2, package stats.

    Examples
    --------
    Groups [1, 2], [3, 4], [5, 6]: rank sums 3, 7, 11; H = 12/(6*7) * (9+49+121)/2 - 3*7
    = 25.5714... - 21 = 32/7; df = 2; p = exp(-16/7) (R: 0.101701392304).

    >>> r = kruskal([1, 2], [3, 4], [5, 6])
    >>> round(r.statistic, 10), r.df, round(r.p, 10)
    (4.5714285714, 2, 0.1017013923)
    """
    from scipy.stats import kruskal as _kw

    if len(groups) == 1 and isinstance(groups[0], (list, tuple)) and groups[0] and np.ndim(groups[0][0]) == 1:
        groups = tuple(groups[0])  # kruskal([g1, g2, g3]) like R's kruskal.test(list(...))
    if len(groups) < 2:
        raise ValueError(f"Kruskal-Wallis needs at least 2 groups (got {len(groups)})")
    arrays = [_as_float_array(g, f"group {i + 1}", dropna) for i, g in enumerate(groups)]
    empty = [i + 1 for i, a in enumerate(arrays) if a.size == 0]
    if empty:
        raise ValueError(f"Kruskal-Wallis: every group must contain data (empty: group {empty})")
    ns = tuple(int(a.size) for a in arrays)
    k = len(arrays)
    pooled = np.concatenate(arrays)
    common = {"test": "Kruskal-Wallis", "df": k - 1, "statistic_name": "Kruskal-Wallis chi-squared",
              "r_method": "Kruskal-Wallis rank sum test", "method": "chi-squared approximation", "ns": ns,
              "n1": ns[0], "n2": ns[1] if k == 2 else None}
    if np.unique(pooled).size == 1:
        return TestResult(statistic=math.nan, p=math.nan,
                          note="every value is tied: the statistic is undefined (R: NaN)", **common)
    res = _kw(*arrays)
    return TestResult(statistic=float(res.statistic), p=float(res.pvalue), **common)
