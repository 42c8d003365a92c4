"""Two-sample location tests beyond the paper's rank test: Welch's t-test and a permutation test.

They serve the student's explore notebook (``notebooks/explore.ipynb``), where the same two groups can
be compared by the paper's Mann-Whitney test (:func:`analysis.stats.mann_whitney`) and by these two,
to see how much the conclusion depends on the choice of test.

- :func:`welch_t` is R's ``t.test(x, y)`` (``var.equal = FALSE``): the difference of the means
  divided by its standard error, with Welch-Satterthwaite degrees of freedom.
- :func:`permutation_test` compares the difference of the means with its distribution over
  relabellings of the pooled values: every relabelling when there are at most ``n_resamples`` of
  them (exact), else ``n_resamples`` random ones drawn with a fixed ``seed`` (reproducible). The
  two-sided p-value is twice the smaller one-sided tail (capped at 1), and a Monte Carlo tail counts
  the observed labelling too, ``(b + 1) / (B + 1)``, so a p-value is never 0. These are the
  conventions of :func:`scipy.stats.permutation_test`; the tests check both against it.

Both return :class:`analysis.stats.results.TestResult`, naming the test and how the p-value was obtained.

Examples
--------
>>> r = welch_t([1, 2, 3, 4], [2, 4, 6, 8, 10])
>>> round(r.statistic, 4), round(r.df, 4), round(r.p, 4)
(-2.2514, 5.5208, 0.0691)
>>> permutation_test([1, 2, 3], [4, 5, 6]).p    # 2 of the 20 relabellings are as extreme: 2 * 1/20
0.1
"""

from __future__ import annotations

import math
from itertools import combinations
from typing import Any

import numpy as np

from analysis.stats.inputs import _as_float_array
from analysis.stats.ranktests import _check_alternative
from analysis.stats.results import TestResult

__all__ = ["welch_t", "permutation_test", "PERMUTATION_SEED"]

#: default seed of the Monte Carlo permutation test (the project's seed)
PERMUTATION_SEED = 20221027


def welch_t(x: Any, y: Any, alternative: str = "two-sided", dropna: bool = False) -> TestResult:
    """Welch's two-sample t-test, as R's ``t.test(x, y)`` (unequal variances).

    Parameters
    ----------
    x, y : array_like
        The two samples (at least 2 values each).
    alternative : {'two-sided', 'less', 'greater'}
        ``'less'``: the mean of ``x`` is smaller than that of ``y``.
    dropna : bool, default False
        Drop NaN; otherwise a NaN raises ``ValueError``.

    Returns
    -------
    TestResult
        ``statistic`` = t, ``df`` = Welch-Satterthwaite degrees of freedom, ``p``, ``method`` =
        ``'t distribution (Welch)'``, ``r_method`` = ``'Welch Two Sample t-test'``. When both
        variances are 0 the statistic and p are NaN and ``note`` says why.

    Raises
    ------
    ValueError
        Fewer than 2 values in a sample, NaN without ``dropna``, unknown ``alternative``.
    """
    from scipy.special import stdtr  # what scipy.stats.t.cdf evaluates (t.sf(x) is stdtr(df, -x))

    alt = _check_alternative(alternative)
    a, b = _as_float_array(x, "x", dropna), _as_float_array(y, "y", dropna)
    if a.size < 2 or b.size < 2:
        raise ValueError(f"Welch's t-test needs at least 2 values per sample (got {a.size} and {b.size})")
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se2 = va + vb
    common = dict(test="Welch t-test", method="t distribution (Welch)", n1=int(a.size), n2=int(b.size),
                  statistic_name="t", alternative=alt, r_method="Welch Two Sample t-test",
                  ns=(int(a.size), int(b.size)))
    if se2 == 0:
        return TestResult(statistic=math.nan, p=math.nan, df=math.nan,
                          note="both samples are constant: the t statistic is undefined", **common)
    t = float((a.mean() - b.mean()) / math.sqrt(se2))
    df = float(se2 ** 2 / (va ** 2 / (a.size - 1) + vb ** 2 / (b.size - 1)))
    if alt == "two-sided":
        p = 2.0 * float(stdtr(df, -abs(t)))
    elif alt == "less":
        p = float(stdtr(df, t))
    else:
        p = float(stdtr(df, -t))
    return TestResult(statistic=t, p=min(1.0, p), df=df, **common)


def _relabelled_differences(pooled: np.ndarray, n1: int, n_resamples: int, seed: int) -> tuple[np.ndarray, bool]:
    """Mean differences over every split of ``pooled`` into n1 + rest (exact) or random ones."""
    n = pooled.size
    total = pooled.sum()
    if math.comb(n, n1) <= n_resamples:
        sums = np.array([pooled[list(idx)].sum() for idx in combinations(range(n), n1)])
        return sums / n1 - (total - sums) / (n - n1), True
    rng = np.random.default_rng(seed)
    sums = np.array([pooled[rng.permutation(n)[:n1]].sum() for _ in range(n_resamples)])
    return sums / n1 - (total - sums) / (n - n1), False


def permutation_test(x: Any, y: Any, n_resamples: int = 9999, seed: int = PERMUTATION_SEED,
                     alternative: str = "two-sided", dropna: bool = False) -> TestResult:
    """Permutation test of the difference of the means ``mean(x) - mean(y)``.

    Parameters
    ----------
    x, y : array_like
        The two samples (at least 1 value each).
    n_resamples : int, default 9999
        Upper limit of relabellings: exact enumeration when the number of splits
        ``C(n1 + n2, n1)`` is at most this, otherwise this many random relabellings.
    seed : int
        Seed of the random relabellings (numpy ``default_rng``), so the p-value is reproducible.
    alternative : {'two-sided', 'less', 'greater'}
    dropna : bool, default False

    Returns
    -------
    TestResult
        ``statistic`` = observed difference of the means, ``p``, ``method`` = ``'exact (all N
        relabellings)'`` or ``'Monte Carlo (B random relabellings, seed S)'``.

    Notes
    -----
    Tails are counted with a relative tolerance of 1e-12 so that relabellings whose difference
    equals the observed one up to rounding count as "as extreme" (as scipy does).
    """
    alt = _check_alternative(alternative)
    a, b = _as_float_array(x, "x", dropna), _as_float_array(y, "y", dropna)
    if a.size < 1 or b.size < 1:
        raise ValueError(f"the permutation test needs values in both samples (got {a.size} and {b.size})")
    observed = float(a.mean() - b.mean())
    diffs, exact = _relabelled_differences(np.concatenate([a, b]), int(a.size), int(n_resamples), int(seed))
    tol = 1e-12 * max(1.0, abs(observed))
    adj = 0 if exact else 1
    less = (np.count_nonzero(diffs <= observed + tol) + adj) / (diffs.size + adj)
    greater = (np.count_nonzero(diffs >= observed - tol) + adj) / (diffs.size + adj)
    p = {"less": less, "greater": greater, "two-sided": min(1.0, 2.0 * min(less, greater))}[alt]
    method = (f"exact (all {diffs.size} relabellings)" if exact
              else f"Monte Carlo ({diffs.size} random relabellings, seed {seed})")
    return TestResult(test="permutation test (difference of means)", statistic=observed, p=float(p),
                      method=method, n1=int(a.size), n2=int(b.size), statistic_name="mean difference",
                      alternative=alt, r_method="", ns=(int(a.size), int(b.size)))
