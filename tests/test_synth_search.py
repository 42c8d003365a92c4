"""The synthesizer's fast search surrogates and optimiser (analysis.synth.search, analysis.synth.build).

Expected values are hand calculations shown in the comments (R's type-7 definition, counting of
Mann-Whitney arrangements), not outputs of the code under test.
"""

from __future__ import annotations

import math
import random

import pytest

from analysis.synth.search import Item, Problem, Target, Var, anneal, mwu_p, polish, q7, r2


def test_type7_quartile_interpolates_between_order_statistics_as_r_does():
    x = [1, 2, 4, 8, 16, 32, 64, 128]  # n = 8: h = 7 p + 1
    # Q1: h = 2.75 -> x2 + 0.75 (x3 - x2) = 2 + 0.75 * 2 = 3.5
    assert q7(x, 0.25) == pytest.approx(3.5)
    # median: h = 4.5 -> (x4 + x5) / 2 = 12
    assert q7(x, 0.5) == pytest.approx(12)
    # Q3: h = 6.25 -> x6 + 0.25 (x7 - x6) = 32 + 8 = 40
    assert q7(x, 0.75) == pytest.approx(40)
    # n = 7: Q1 at h = 2.5 -> (x2 + x3) / 2
    assert q7([1, 3, 5, 7, 9, 11, 13], 0.25) == pytest.approx(4)


def test_mann_whitney_surrogate_uses_the_exact_distribution_without_ties():
    # x = (3, 4), y = (1, 2): W = 4 (every x above every y); of the C(4, 2) = 6 equally likely
    # arrangements only one has W = 4 and one W = 0, so the two-sided exact p = 2 / 6
    assert mwu_p([3, 4], [1, 2]) == pytest.approx(2 / 6)
    # x = (1, 4), y = (2, 3): W = 2 = m n / 2 -> p = 1 (capped)
    assert mwu_p([1, 4], [2, 3]) == pytest.approx(1.0)


def test_mann_whitney_surrogate_uses_normal_approximation_with_ties():
    # x = (1, 2, 2), y = (2, 3, 4): ranks 1, 3, 3 | 3, 5, 6 -> W = 7 - 6 = 1; m n / 2 = 4.5
    # ties: one group of 3 -> sum(t^3 - t) = 24; sigma^2 = 9/12 * (7 - 24 / 30) = 4.65
    # z = (1 - 4.5 + 0.5) / sqrt(4.65) = -1.3912; p = 2 * Phi(-1.3912)
    z = -3 / math.sqrt(4.65)
    expected = math.erfc(abs(z) / math.sqrt(2))
    assert mwu_p([1, 2, 2], [2, 3, 4]) == pytest.approx(expected, rel=1e-12)


def test_r2_of_a_perfect_line_is_one_and_of_a_symmetric_cloud_zero():
    assert r2([1, 2, 3, 4], [3, 5, 7, 9]) == pytest.approx(1.0)
    assert r2([-1, 0, 1, 0], [0, 1, 0, -1]) == pytest.approx(0.0)
    assert math.isnan(r2([1, 2], [1, 2]))


def test_item_is_met_at_the_printed_precision_only():
    it = Item("x", 43.9, 1)
    assert it.met(43.94) and it.met(43.86)
    assert not it.met(43.96) and not it.met(43.84)


def _median_problem():
    # five integer cells whose median must be 10 and Q1 7 (n = 5: Q1 = x2, median = x3)
    def fn(s):
        xs = sorted(s["x"])
        return [xs[1], xs[2]]
    t = Target([Item("q1", 7.0, 0), Item("median", 10.0, 0)], fn, {("x", i) for i in range(5)})
    return Problem({"x": [Var("x", 0, 100, (1, 2, 5, 10)) for _ in range(5)]}, [t])


def test_anneal_is_deterministic_for_a_seed_and_reaches_pinned_order_statistics():
    a = anneal(_median_problem(), {"x": [50, 60, 70, 80, 90]}, random.Random(3), 20000)
    b = anneal(_median_problem(), {"x": [50, 60, 70, 80, 90]}, random.Random(3), 20000)
    assert a == b
    xs = sorted(a["x"])
    assert xs[1] == 7 and xs[2] == 10


def test_polish_only_accepts_changes_that_lower_the_cost():
    p = _median_problem()
    start = {"x": [1, 7, 10, 20, 30]}  # already exact: nothing to improve
    out = polish(p, {"x": list(start["x"])}, [("x", i) for i in range(5)],
                 lambda name, i, s: [[(name, i, s[name][i] + d)] for d in (-3, -1, 1, 3)])
    assert sorted(out["x"])[1:3] == [7, 10]


def test_fast_search_surrogates_equal_the_project_statistics_that_judge_the_cohort():
    # The search uses allocation-free copies of three statistics in its inner loop; the cohort is judged by
    # analysis.stats (itself checked against R). The copies must agree, or the search aims at the wrong target.
    from analysis import stats

    rng = random.Random(7)
    for m, n in [(7, 8), (9, 10), (15, 19), (3, 60), (50, 55)]:
        x = [round(rng.uniform(-50, 150), 2) for _ in range(m)]
        y = [round(rng.uniform(-50, 150), 2) for _ in range(n)]
        assert math.isclose(mwu_p(x, y), stats.mann_whitney(x, y).p, rel_tol=1e-9)
        tied = [round(v) // 20 for v in x], [round(v) // 20 for v in y]  # forces ties -> normal approximation
        assert math.isclose(mwu_p(*tied), stats.mann_whitney(*tied).p, rel_tol=1e-9)
        for p in (0.25, 0.5, 0.75):
            assert math.isclose(q7(sorted(x), p), float(stats.quantile(x, p, type=7)), rel_tol=1e-12)
        ys = [0.5 * v + rng.gauss(0, 40) for v in x]
        assert math.isclose(r2(x, ys), stats.ols(x, ys).r2, rel_tol=1e-9)
