"""Location shifts with confidence intervals, exactly as R 4.2's ``wilcox.test(..., conf.int = TRUE)``.

The p-values come from :func:`analysis.stats.ranktests.wilcoxon_signed_rank` and
:func:`analysis.stats.ranktests.mann_whitney` (already checked against R); this module adds what
``conf.int = TRUE`` adds in R: the Hodges-Lehmann estimate and its confidence interval, by a line-by-line
port of ``wilcox.test.default`` (R 4.2 branch, ``src/library/stats/R/wilcox.test.R``):

- exact branch (no ties, no zeros, n < 50): order statistics of the Walsh averages (one sample / paired)
  or of the pairwise differences (two samples), indexed by ``qsignrank`` / ``qwilcox`` (ported from
  ``src/nmath/signrank.c`` and ``src/nmath/wilcox.c``);
- asymptotic branch: the roots of the continuity- and tie-corrected normal statistic, found by R's
  ``uniroot`` (Brent's ``R_zeroin2`` from ``src/library/stats/src/zeroin.c``, ported with its exact
  iteration, ``tol = 1e-4``), so that the approximate roots are R's to the last digit.

Also the rank-biserial correlation ``2 W / (n1 n2) - 1`` (positive when x tends to be larger, see
:func:`rank_biserial`), and a seeded bootstrap CI of a ratio of medians of paired data.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from analysis.stats.inputs import _as_float_array
from analysis.stats.ranktests import _differences, mann_whitney, wilcoxon_signed_rank
from analysis.stats.rmath import psignrank, pwilcox, qnorm, qsignrank, qwilcox, uniroot

__all__ = [
    "ShiftResult",
    "bootstrap_ratio_of_medians",
    "hodges_lehmann_two_sample",
    "rank_biserial",
    "wilcoxon_paired_ci",
]



@dataclass(frozen=True)
class ShiftResult:
    """A Wilcoxon test with its Hodges-Lehmann estimate and confidence interval (R ``conf.int = TRUE``).

    Attributes
    ----------
    p : float
        Two-sided p-value, as R's ``$p.value``.
    statistic : float
        V (signed rank) or W (rank sum), as R's ``$statistic``.
    statistic_name : str
        ``'V'`` or ``'W'``.
    estimate : float
        R's ``$estimate``: the (pseudo)median of the differences, or the difference in location;
        NaN when R gives NaN.
    lower, upper : float
        R's ``$conf.int``; NaN when R gives NaN (every value tied or zero).
    conf_level : float
        The confidence level R attaches to the interval (``attr(, "conf.level")``): the requested one
        unless R had to lower it ("requested conf.level not achievable").
    n : int
        Values used: nonzero differences (signed rank) or n1 + n2 (rank sum).
    n1, n2 : int or None
        Pairs before zeros were dropped (signed rank; n2 None), or the two sample sizes.
    exact : bool
        True for the exact branch, False for the normal approximation.
    method : str
        R's ``$method`` text, e.g. ``'Wilcoxon signed rank exact test'``.
    estimate_name : str
        R's name of the estimate: ``'(pseudo)median'``, ``'midrange'`` or ``'difference in location'``.
    note : str
        R's warnings, if any (zeros dropped, ties, conf.level not achievable); empty otherwise.
    """

    p: float
    statistic: float
    statistic_name: str
    estimate: float
    lower: float
    upper: float
    conf_level: float
    n: int
    n1: int | None
    n2: int | None
    exact: bool
    method: str
    estimate_name: str
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-serialisable dict."""
        return asdict(self)


def _rank_sum_of_first(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """``(sum of the average ranks of a's values in the pooled sample a + b, sum of t^3 - t over its
    tie groups)`` for two ascending arrays, in linear time (a merge of two sorted runs; no argsort).

    The same two numbers as ``scipy.stats.rankdata(np.concatenate([a, b]))[:a.size].sum()`` and the
    tie sum of those ranks, exactly: every rank is a multiple of 1/2 and every count an integer, so
    the sums are exact whatever their order.

    Examples
    --------
    Pooled 1, 2, 2, 3 with a = (2, 3): ranks 1, 2.5, 2.5, 4; a's ranks sum to 6.5; one tie of 2.

    >>> _rank_sum_of_first(np.array([2.0, 3.0]), np.array([1.0, 2.0]))
    (6.5, 6.0)
    """
    merged = np.concatenate([a, b])
    if merged.size == 0:
        return 0.0, 0.0
    merged.sort(kind="stable")  # timsort: two runs, one merge
    starts = np.flatnonzero(np.r_[True, merged[1:] != merged[:-1]])
    counts = np.diff(np.r_[starts, merged.size])
    average = starts + (counts + 1) / 2
    t = counts.astype(float)
    rank_sum = float(average[np.searchsorted(merged[starts], a)].sum()) if a.size else 0.0
    return rank_sum, float(np.sum(t**3 - t))


def _signif(x: float, digits: int) -> float:
    if x == 0 or not math.isfinite(x):
        return x
    return float(round(float(x), digits - 1 - int(math.floor(math.log10(abs(x))))))


def _sign(v: float) -> float:
    return 0.0 if v == 0 or math.isnan(v) else math.copysign(1.0, v)


def _check_conf_level(conf_level: float) -> float:
    c = float(conf_level)
    if not (math.isfinite(c) and 0 < c < 1):
        raise ValueError(f"conf_level must be a single number between 0 and 1, got {conf_level!r}")
    return c


# ----------------------------------------------------------------------------------------------
# one sample / paired


def _paired_exact(d: np.ndarray, alpha: float, conf_level: float, notes: list, common: dict) -> ShiftResult:
    """The exact branch of :func:`wilcoxon_paired_ci`: median of the Walsh averages, interval from qsignrank
    (R's ``wilcox.test.default``, paired, exact)."""
    n = int(d.size)
    i, j = np.triu_indices(n)
    walsh = np.sort(d[i] + d[j]) / 2
    qu = qsignrank(alpha / 2, n)
    if qu == 0:
        qu = 1
    ql = n * (n + 1) // 2 - qu
    achieved = 2 * psignrank(qu - 1, n)
    level = conf_level
    if achieved - alpha > alpha / 2:
        level = 1 - _signif(achieved, 2)
        notes.append("requested conf.level not achievable")
    return ShiftResult(estimate=float(np.median(walsh)), lower=float(walsh[qu - 1]),
                       upper=float(walsh[ql]), conf_level=level, estimate_name="(pseudo)median",
                       note="; ".join(notes), **common)


def _paired_normal(d: np.ndarray, alpha: float, conf_level: float, correct: bool, notes: list,
                   common: dict) -> ShiftResult:
    """The normal-approximation branch of :func:`wilcoxon_paired_ci` (R's ``wilcox.test.default``, paired,
    ``exact = FALSE``): the estimate and limits are roots (``uniroot``) of the standardised signed-rank
    statistic; when every difference is tied, the midrange and no interval."""
    n = int(d.size)
    use_correct, d_sorted = [bool(correct)], np.sort(d)

    def W(mu: float) -> float:
        xd = d_sorted - mu  # still sorted: the positive ones ascending, |negative ones| descending
        rank_sum, ties = _rank_sum_of_first(xd[xd > 0], -xd[xd < 0][::-1])
        nx = float(np.count_nonzero(xd))
        zd = rank_sum - nx * (nx + 1) / 4
        var = nx * (nx + 1) * (2 * nx + 1) / 24 - ties / 48
        sigma = math.sqrt(var) if var > 0 else 0.0
        corr = _sign(zd) * 0.5 if use_correct[0] else 0.0
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(np.float64(zd - corr) / np.float64(sigma))

    nan = math.nan
    if n > 0:
        mumin, mumax = float(d.min()), float(d.max())
        w_min = W(mumin)
        w_max = W(mumax) if math.isfinite(w_min) else nan
    if n == 0 or not math.isfinite(w_max):
        notes.append("cannot compute confidence interval when all observations are zero or tied")
        est = (mumin + mumax) / 2 if n > 0 else nan
        return ShiftResult(estimate=est, lower=nan, upper=nan, conf_level=0.0,
                           estimate_name="midrange" if n > 0 else "(pseudo)median",
                           note="; ".join(notes), **common)

    while True:
        mindiff = w_min - qnorm(alpha / 2, lower_tail=False)
        maxdiff = w_max - qnorm(alpha / 2)
        if mindiff < 0 or maxdiff > 0:
            alpha *= 2
        else:
            break
    level = conf_level
    if alpha >= 1 or 1 - conf_level < alpha * 0.75:
        level = 1 - min(1.0, alpha)
        notes.append("requested conf.level not achievable")
    if alpha < 1:
        def root(zq: float) -> float:
            return uniroot(lambda v: W(v) - zq, mumin, mumax, w_min - zq, w_max - zq)

        lower = root(qnorm(alpha / 2, lower_tail=False))
        upper = root(qnorm(alpha / 2))
    else:
        lower = upper = float(np.median(d))
    use_correct[0] = False
    est = uniroot(W, mumin, mumax)
    return ShiftResult(estimate=est, lower=lower, upper=upper, conf_level=level,
                       estimate_name="(pseudo)median", note="; ".join(notes), **common)


def wilcoxon_paired_ci(x: Any, y: Any | None = None, conf_level: float = 0.95, correct: bool = True,
                       dropna: bool = False) -> ShiftResult:
    """Wilcoxon signed-rank test with Hodges-Lehmann estimate and CI, as R 4.2's
    ``wilcox.test(x, y, paired = TRUE, conf.int = TRUE)``.

    With ``y`` the differences ``x - y`` are used; without, ``x`` itself (one sample, ``mu = 0``).
    Zero differences are dropped (R does this before everything, the interval included). R's rule:
    when n < 50 nonzero differences, no tied ``|d|`` and no zero was dropped, the p-value is exact,
    the estimate is the median of the n(n+1)/2 Walsh averages ``(d_i + d_j)/2, i <= j`` and the
    interval is ``[w_(k), w_(N-k+1)]`` with ``k = qsignrank(alpha/2, n)`` (1 if 0). Otherwise the
    normal approximation with tie correction and (if ``correct``) continuity correction; the interval
    ends are the roots in ``[min d, max d]`` of ``Z(mu) = -/+ z_(1-alpha/2)`` (with the continuity
    correction; ``alpha`` doubled until the ends bracket, as R does) and the estimate the root of
    ``Z(mu) = 0`` without continuity correction, all found by R's ``uniroot`` (ported exactly,
    ``tol = 1e-4``, so the asymptotic estimate and limits are only accurate to about 1e-4 but equal R's).

    Parameters
    ----------
    x : array_like
        First sample (or the differences when ``y`` is None).
    y : array_like, optional
        Paired second sample, same length as ``x``.
    conf_level : float, default 0.95
    correct : bool, default True
        Continuity correction of the normal approximation (p and interval), R's default.
    dropna : bool, default False
        Drop incomplete pairs (R's ``complete.cases``); otherwise NaN raises ``ValueError``.

    Returns
    -------
    ShiftResult
        ``p``, ``statistic`` (V), ``estimate`` ('(pseudo)median'), ``lower``, ``upper``,
        ``conf_level`` (as R attaches it), ``n`` (nonzero differences), ``n1`` (pairs), ``method``
        (R's text), ``note`` (R's warnings).

    References
    ----------
    .. [1] R Core Team. ``wilcox.test`` (``stats``), R 4.2: ``wilcox.test(x, y, paired = TRUE,
       conf.int = TRUE)``; ``qsignrank``; ``uniroot``.
    .. [2] Hollander, M. and Wolfe, D. A. (1973) Nonparametric Statistical Methods. Wiley, pp. 33-37.
    .. [3] Bauer, D. F. (1972) Constructing confidence sets using rank statistics. JASA 67, 687-690.

    Examples
    --------
    Differences 1, 2, 4: the six Walsh averages are 1, 1.5, 2, 2.5, 3, 4, whose median is 2.25;
    with n = 3 the exact 95 % interval cannot be reached (qsignrank(0.025, 3) = 0, so k = 1) and
    R reports the range of the Walsh averages [1, 4] with conf.level 1 - 2/8 = 0.75. V = 6 and
    p = 2 * P(V >= 6) = 2/8, to the last bit as R computes it (``print(wilcox.test(c(1, 2, 4))$p.value,
    digits = 17)`` gives 0.25000000000000006: the probability 1/8 is ``exp(-3 log 2)``).

    >>> r = wilcoxon_paired_ci([1, 2, 4])
    >>> r.statistic, r.p, r.estimate, r.lower, r.upper, r.conf_level
    (6.0, 0.25000000000000006, 2.25, 1.0, 4.0, 0.75)
    """
    conf_level = _check_conf_level(conf_level)
    d_all = _differences(x, y, dropna)
    if d_all.size == 0:
        raise ValueError("Wilcoxon signed-rank test needs at least one (non-missing) value")
    test = wilcoxon_signed_rank(d_all, correct=correct)
    d = d_all[d_all != 0]
    n = int(d.size)
    exact = test.method == "exact"
    notes = [test.note] if test.note else []
    alpha = 1 - conf_level
    common = dict(p=test.p, statistic=test.statistic, statistic_name="V", n=n, n1=int(d_all.size),
                  n2=None, exact=exact, method=test.r_method)

    if exact:
        return _paired_exact(d, alpha, conf_level, notes, common)

    return _paired_normal(d, alpha, conf_level, correct, notes, common)


# ----------------------------------------------------------------------------------------------
# two samples


def _two_sample_exact(xa: np.ndarray, ya: np.ndarray, alpha: float, conf_level: float, notes: list,
                      common: dict) -> ShiftResult:
    """The exact branch of :func:`hodges_lehmann_two_sample`: median of all differences x - y, interval from
    qwilcox (R's ``wilcox.test.default``, two samples, exact; small samples only: m * k differences)."""
    m, k = int(xa.size), int(ya.size)
    diffs = np.sort(np.subtract.outer(xa, ya).ravel())
    qu = qwilcox(alpha / 2, m, k)
    if qu == 0:
        qu = 1
    ql = m * k - qu
    achieved = 2 * pwilcox(qu - 1, m, k)
    level = conf_level
    if achieved - alpha > alpha / 2:
        level = float(1 - achieved)
        notes.append("Requested conf.level not achievable")
    return ShiftResult(estimate=float(np.median(diffs)), lower=float(diffs[qu - 1]),
                       upper=float(diffs[ql]), conf_level=level, note="; ".join(notes), **common)


def hodges_lehmann_two_sample(x: Any, y: Any, conf_level: float = 0.95, correct: bool = True,
                              dropna: bool = False) -> ShiftResult:
    """Wilcoxon rank sum test with the Hodges-Lehmann shift and CI, as R 4.2's
    ``wilcox.test(x, y, conf.int = TRUE)``.

    The shift is the "difference in location" x - y. Exact branch (both n < 50, no ties): median of
    the n1 n2 differences ``x_i - y_j`` and the interval ``[D_(k), D_(n1 n2 - k + 1)]`` with
    ``k = qwilcox(alpha/2, n1, n2)`` (1 if 0). Otherwise: roots in ``[min x - max y, max x - min y]``
    of the tie- and continuity-corrected normal statistic of ``x - mu`` against ``y`` (an end of the
    range is returned when the statistic there is already beyond the quantile, as R does), and the
    estimate the root without continuity correction; R's ``uniroot`` (ported, ``tol = 1e-4``).

    Parameters
    ----------
    x, y : array_like
        The two samples.
    conf_level : float, default 0.95
    correct : bool, default True
    dropna : bool, default False
        Drop NaN (otherwise NaN raises ``ValueError``).

    Returns
    -------
    ShiftResult
        ``statistic`` = W, ``estimate`` ('difference in location'), ``lower``, ``upper``, ``n1``,
        ``n2``, ``n`` = n1 + n2, ``method`` (R's text).

    References
    ----------
    .. [1] R Core Team. ``wilcox.test`` (``stats``), R 4.2: ``wilcox.test(x, y, conf.int = TRUE)``;
       ``qwilcox``; ``uniroot``.
    .. [2] Hodges, J. L. and Lehmann, E. L. (1963) Estimates of location based on rank tests.
       Ann. Math. Statist. 34, 598-611.

    Examples
    --------
    x = 3, 4, 5 and y = 1, 2: the six differences are 1, 2, 2, 3, 3, 4 (median 2.5); qwilcox(0.025,
    3, 2) = 0, so k = 1 and R gives their range [1, 4], at the achievable level 1 - 2 * 1/10 = 0.8.

    >>> r = hodges_lehmann_two_sample([3, 4, 5], [1, 2])
    >>> r.statistic, r.p, r.estimate, r.lower, r.upper, r.conf_level
    (6.0, 0.2, 2.5, 1.0, 4.0, 0.8)
    """
    conf_level = _check_conf_level(conf_level)
    xa = _as_float_array(x, "x", dropna)
    ya = _as_float_array(y, "y", dropna)
    test = mann_whitney(xa, ya, correct=correct)
    m, k = int(xa.size), int(ya.size)
    exact = test.method == "exact"
    alpha = 1 - conf_level
    notes = [test.note] if test.note else []
    common = dict(p=test.p, statistic=test.statistic, statistic_name="W", n=m + k, n1=m, n2=k,
                  exact=exact, method=test.r_method, estimate_name="difference in location")

    if exact:
        return _two_sample_exact(xa, ya, alpha, conf_level, notes, common)

    nx, ny = float(m), float(k)
    use_correct = [bool(correct)]

    xs, ys = np.sort(xa), np.sort(ya)

    def W(mu: float) -> float:
        rank_sum, ties = _rank_sum_of_first(xs - mu, ys)
        dz = rank_sum - nx * (nx + 1) / 2 - nx * ny / 2
        corr = _sign(dz) * 0.5 if use_correct[0] else 0.0
        var = (nx * ny / 12) * ((nx + ny + 1) - ties / ((nx + ny) * (nx + ny - 1)))
        sigma = math.sqrt(var) if var > 0 else 0.0
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(np.float64(dz - corr) / np.float64(sigma))

    mumin = float(xa.min() - ya.max())
    mumax = float(xa.max() - ya.min())
    w_min, w_max = W(mumin), W(mumax)

    def root(zq: float) -> float:
        f_lower = w_min - zq
        if f_lower <= 0:
            return mumin
        f_upper = w_max - zq
        if f_upper >= 0:
            return mumax
        return uniroot(lambda v: W(v) - zq, mumin, mumax, f_lower, f_upper)

    lower = root(qnorm(alpha / 2, lower_tail=False))
    upper = root(qnorm(alpha / 2))
    use_correct[0] = False
    est = uniroot(W, mumin, mumax)
    return ShiftResult(estimate=est, lower=lower, upper=upper, conf_level=conf_level,
                       note="; ".join(notes), **common)


def rank_biserial(x: Any, y: Any, dropna: bool = False) -> float:
    """Rank-biserial correlation of two samples, positive when ``x`` tends to be larger.

    ``r = 2 W / (n1 n2) - 1`` where W is R's ``wilcox.test(x, y)$statistic`` (the number of pairs
    with x_i > y_j, ties counting 1/2). Equivalently ``P(X > Y) - P(X < Y)`` over all pairs (Cliff's
    delta), in [-1, 1]. Sign: +1 when every x exceeds every y, -1 when every x is below every y.
    Computed from W of :func:`analysis.stats.ranktests.mann_whitney` (R's statistic), as
    ``1 - 2 (n1 n2 - W) / (n1 n2)``: the arithmetic of ``pingouin.mwu(x, y)["RBC"]`` (0.5.x), so the
    value is the same to the last bit; O(n log n) time and O(n) memory (pingouin also builds the
    n1 x n2 matrix of differences for its CLES). ``tests/test_beyond_stats.py`` checks it against R's
    W and against pingouin.

    Parameters
    ----------
    x, y : array_like
    dropna : bool, default False

    Returns
    -------
    float

    References
    ----------
    .. [1] Kerby, D. S. (2014) The simple difference formula: an approach to teaching nonparametric
       correlation. Comprehensive Psychology 3, 11.IT.3.1. W from R's ``wilcox.test(x, y)``.

    Examples
    --------
    x = 3, 4 and y = 1, 2, 5: x wins 4 of the 6 pairs (W = 4), r = 2 * 4/6 - 1 = 1/3.

    >>> round(rank_biserial([3, 4], [1, 2, 5]), 12)
    0.333333333333
    """
    xa = _as_float_array(x, "x", dropna)
    ya = _as_float_array(y, "y", dropna)
    if xa.size == 0 or ya.size == 0:
        raise ValueError(f"rank-biserial correlation needs values in both samples (n = {xa.size} and {ya.size})")
    w = float(mann_whitney(xa, ya).statistic)
    nn = xa.size * ya.size
    return float(1 - (2 * (nn - w)) / nn)


# ----------------------------------------------------------------------------------------------
# bootstrap


class _MedianByRank:
    """``numpy.median(values[idx], axis=1)`` to the last bit for rows of resampled indices ``idx``.

    Exact, without copying, sorting or partitioning the resampled values: per row, one ``bincount`` of a
    lookup table indexed by ``idx`` counts the values in a window of ranks around the middle (equal values,
    the same bits, share a bin; those below the window share bin 0, those above it bin ``width + 1``); the
    cumulative counts give the bins of the order statistics ``(n - 1) // 2`` and ``n // 2``. A row whose
    order statistic falls outside the window (rare: it spans about 12 standard deviations of a resampled
    median's rank, ``sqrt(n) / 2``) is selected by ``numpy.partition`` on that row's values.
    """

    def __init__(self, values: np.ndarray, half_width: int | None = None):
        n = values.size
        self.values = values
        order = np.argsort(values, kind="stable")
        if half_width is None:
            half_width = int(math.ceil(3 * math.sqrt(n))) + 2
        lo = max(0, (n - 1) // 2 - half_width)
        hi = min(n - 1, n // 2 + half_width)
        window = np.ascontiguousarray(values[order[lo:hi + 1]], dtype=np.float64)
        bits = window.view(np.int64)
        starts = np.flatnonzero(bits[1:] != bits[:-1]) + 1  # where a new value (new bits) begins
        self.bin_values = window[np.r_[0, starts]]  # the value of bins 1 .. width
        self.width = int(self.bin_values.size)
        sorted_bins = np.full(n, self.width + 1, dtype=np.intp)
        sorted_bins[:lo] = 0
        sorted_bins[lo:hi + 1] = 1 + np.cumsum(np.r_[0, bits[1:] != bits[:-1]])
        self.bins = np.empty(n, dtype=np.intp)  # intp: take and bincount without casts
        self.bins[order] = sorted_bins

    def __call__(self, idx: np.ndarray) -> np.ndarray:
        c = idx.shape[0]
        nb = self.width + 2
        key = self.bins[idx]  # fancy indexing: several times faster than np.take here
        key += (np.arange(c) * nb)[:, None]
        return self.from_counts(np.bincount(key.ravel(), minlength=c * nb).reshape(c, nb), idx)

    def from_counts(self, counts: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """The medians of the rows of ``idx`` from their counts per bin (``counts[row, bin]``)."""
        n = idx.shape[1]
        cum = np.cumsum(counts[:, :-1], axis=1)  # cum[:, j]: values with a bin <= j
        picked = []
        for k in ((n - 1) // 2, n // 2):
            pos = np.count_nonzero(cum <= k, axis=1)  # the bin of the order statistic k
            value = self.bin_values[np.clip(pos - 1, 0, self.width - 1)]
            for i in np.nonzero((pos == 0) | (pos > self.width))[0]:  # outside the window
                value[i] = np.partition(self.values[idx[i]], k)[k]
            picked.append(value)
        if n % 2:
            return picked[1]
        return (picked[0] + picked[1]) / 2  # numpy.median's mean of the two middle values


_BOOTSTRAPS: dict = {}  # (hash of the pairs, n, n_boot, seed, conf_level) -> result, per process


def _paired_medians(median_x: _MedianByRank, median_y: _MedianByRank, idx: np.ndarray):
    """The medians of x and of y over the rows of ``idx``: when there are no more joint bins ``(bx, by)``
    than pairs (tied data such as days), one ``bincount`` of ``bx * nby + by`` counts both samples."""
    c, n = idx.shape
    nbx, nby = median_x.width + 2, median_y.width + 2
    if nbx * nby > n:
        return median_x(idx), median_y(idx)
    key = (median_x.bins * nby + median_y.bins)[idx]
    key += (np.arange(c) * (nbx * nby))[:, None]
    counts = np.bincount(key.ravel(), minlength=c * nbx * nby).reshape(c, nbx, nby)
    return median_x.from_counts(counts.sum(axis=2), idx), median_y.from_counts(counts.sum(axis=1), idx)


def bootstrap_ratio_of_medians(x: Any, y: Any, n_boot: int = 10000, seed: int = 20221027,
                               conf_level: float = 0.95, chunk_values: int = 1 << 18) -> dict[str, float]:
    """Seeded percentile bootstrap CI of ``median(x) / median(y)`` for paired data.

    Pairs (x_i, y_i) are resampled with replacement: the indices are
    ``numpy.random.default_rng(seed).integers(0, n, size=(n_boot, n))`` read row by row (one row a
    resample), so the result is deterministic for a given seed and numpy's PCG64 generator. The rows
    are drawn in chunks of about ``chunk_values`` indices (the same stream as one ``n_boot x n``
    matrix, in bounded memory), and the medians of each resample are found from ranks without copying
    or sorting the resampled values (exactly ``numpy.median``'s values; computed once per process for the
    same arguments). The limits are the ``(1 -/+ conf_level)/2`` quantiles of the finite bootstrap ratios
    (numpy's linear interpolation = R type 7). Replicates with ``median(y*) = 0`` are dropped and counted.

    Parameters
    ----------
    x, y : array_like
        Paired samples of equal length, no NaN.
    n_boot : int, default 10000
    seed : int, default 20221027
    conf_level : float, default 0.95
    chunk_values : int, default 2**18
        About how many resampled indices are held at once (memory; the result does not depend on it).

    Returns
    -------
    dict
        ``ratio`` (on the data), ``lower``, ``upper``, ``n`` (pairs), ``n_boot``, ``n_dropped``, ``seed``.

    References
    ----------
    .. [1] Efron, B. and Tibshirani, R. J. (1993) An Introduction to the Bootstrap. Chapman & Hall,
       ch. 13 (percentile interval). R equivalent: ``boot::boot.ci(type = "perc")`` (different RNG).

    Examples
    --------
    When x = 2 y for every pair, every resample has the same ratio, 2:

    >>> r = bootstrap_ratio_of_medians([2, 4, 6, 8], [1, 2, 3, 4], n_boot=200, seed=1)
    >>> r["ratio"], r["lower"], r["upper"]
    (2.0, 2.0, 2.0)
    """
    conf_level = _check_conf_level(conf_level)
    xa = _as_float_array(x, "x", False)
    ya = _as_float_array(y, "y", False)
    if xa.size != ya.size or xa.size == 0:
        raise ValueError(f"paired bootstrap: x and y must be non-empty and of the same length "
                         f"(got {xa.size} and {ya.size})")
    n_boot = int(n_boot)
    if n_boot < 1:
        raise ValueError("n_boot must be at least 1")
    key = (hashlib.sha256(xa.tobytes() + b"|" + ya.tobytes()).hexdigest(), xa.size, n_boot, int(seed), conf_level)
    if (result := _BOOTSTRAPS.get(key)) is None:  # one lookup: safe when groups are bootstrapped in threads
        if len(_BOOTSTRAPS) >= 8:
            _BOOTSTRAPS.clear()
        result = _BOOTSTRAPS[key] = _bootstrap(xa, ya, n_boot, int(seed), conf_level, chunk_values)
    return dict(result)


def _bootstrap(xa, ya, n_boot: int, seed: int, conf_level: float, chunk_values: int) -> dict[str, float]:
    """:func:`bootstrap_ratio_of_medians` of checked arrays, computed."""
    my = float(np.median(ya))
    ratio = float(np.median(xa)) / my if my != 0 else math.nan
    rng = np.random.default_rng(seed)
    mx = np.empty(n_boot)
    myb = np.empty(n_boot)
    step = max(1, int(chunk_values) // xa.size)
    median_x, median_y = _MedianByRank(xa), _MedianByRank(ya)
    for start in range(0, n_boot, step):  # chunks of resamples: the generator's stream continues
        stop = min(n_boot, start + step)
        # int32 draws (n < 2**31) are the values of the default int64 ones (the same bounded 32-bit stream)
        idx = rng.integers(0, xa.size, size=(stop - start, xa.size), dtype=np.int32 if xa.size < 2**31 else np.int64)
        mx[start:stop], myb[start:stop] = _paired_medians(median_x, median_y, idx)
    ok = myb != 0
    r = mx[ok] / myb[ok]
    a = (1 - conf_level) / 2
    lo, hi = (np.quantile(r, [a, 1 - a]) if r.size else (math.nan, math.nan))
    return {"ratio": ratio, "lower": float(lo), "upper": float(hi), "n": int(xa.size),
            "n_boot": n_boot, "n_dropped": int((~ok).sum()), "seed": int(seed)}
