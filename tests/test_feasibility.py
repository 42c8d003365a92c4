"""Tests of analysis.paper.feasibility: the exact U / p-value range engine and its helpers.

Expected values come from R (tests/fixtures/feasibility/r_reference.json, written by
make_reference.R in the same folder), from brute-force enumeration of small integer datasets written
here independently of the mixed-integer programme, or from hand calculations shown in comments.
"""

from __future__ import annotations

import itertools
import json
import math
from fractions import Fraction

import numpy as np
import pytest

from analysis.paper import feasibility as fz
from analysis.paths import TESTS

REF = json.loads((TESTS / "fixtures" / "feasibility" / "r_reference.json").read_text())


# ------------------------------------------------------------------------------------------------
# brute force (independent of the solver): all integer datasets on a small grid
# ------------------------------------------------------------------------------------------------


def _q7(sorted_vals, prob):
    """Type-7 quantile written out from R's definition (not via the module)."""
    n = len(sorted_vals)
    h = (n - 1) * Fraction(prob)
    j = math.floor(h)
    g = h - j
    lo = Fraction(sorted_vals[j])
    hi = Fraction(sorted_vals[min(j + 1, n - 1)])
    return lo + g * (hi - lo)


def _ok(vals, printed: dict[str, str]):
    for prob, text in printed.items():
        v = Fraction(text)
        half = Fraction(1, 2 * 10 ** (len(text.split(".")[1]) if "." in text else 0))
        if not (v - half <= _q7(vals, prob) <= v + half):
            return False
    return True


def _brute_u(n1, px, n2, py, grid):
    """Every U (x > y pairs) over all tie-free datasets with values in ``grid`` meeting the printed
    quartiles (enumerates every multiset of the grid)."""
    xs = [c for c in itertools.combinations_with_replacement(grid, n1) if _ok(c, px)]
    ys = np.array([c for c in itertools.combinations_with_replacement(grid, n2) if _ok(c, py)], dtype=float)
    us = set()
    if not xs or not len(ys):
        return us
    for cx in xs:
        ax = np.array(cx, dtype=float)
        gt = (ax[None, :, None] > ys[:, None, :]).sum(axis=(1, 2))
        tie = (ax[None, :, None] == ys[:, None, :]).any(axis=(1, 2))
        us.update(int(u) for u in np.unique(gt[~tie]))
    return us


# ------------------------------------------------------------------------------------------------
# quantile positions and grids
# ------------------------------------------------------------------------------------------------


def test_type7_position_matches_hand_calculation_of_h_equals_n_minus_1_times_p():
    # h = (n - 1) p: n=15 -> 3.5 (x4..x5 halfway), n=19 -> 4.5, n=8 -> 1.75, n=9 -> 2 (exact x3),
    # n=10 p=0.75 -> 6.75 (x7 + 3/4 (x8 - x7))
    assert fz.type7_position(15, "0.25") == (4, Fraction(1, 2))
    assert fz.type7_position(15, "0.5") == (8, 0)
    assert fz.type7_position(19, "0.25") == (5, Fraction(1, 2))
    assert fz.type7_position(8, "0.25") == (2, Fraction(3, 4))
    assert fz.type7_position(9, "0.25") == (3, 0)
    assert fz.type7_position(10, "0.75") == (7, Fraction(3, 4))


@pytest.mark.parametrize("case", REF["quantile7"])
def test_quantile7_matches_r_quantile_type_7(case):
    got = [float(fz.quantile7(case["x"], p)) for p in ("0.25", "0.5", "0.75")]
    assert got == pytest.approx(case["q"], abs=1e-12)


def test_integer_grid_step_is_one_over_denominator_of_g():
    # n=15 Q1: g = 1/2 -> halves; n=10 Q1: g = 1/4 -> quarters; n=9 median: g = 0 -> integers
    assert fz.integer_grid_step(15, "0.25") == Fraction(1, 2)
    assert fz.integer_grid_step(10, "0.25") == Fraction(1, 4)
    assert fz.integer_grid_step(9, "0.5") == 1
    assert fz.grid_hits(Fraction(2995, 10), Fraction(3005, 10), Fraction(1)) == [300]
    assert fz.grid_hits(Fraction(23535, 1000), Fraction(23545, 1000), Fraction(1, 10)) == []


def test_rounding_interval_is_half_a_unit_of_the_last_printed_digit():
    assert fz.rounding_interval("43.9") == (Fraction("43.85"), Fraction("43.95"))
    assert fz.rounding_interval("56") == (Fraction("55.5"), Fraction("56.5"))
    assert fz.rounding_interval("13.26", sign=-1) == (Fraction("-13.265"), Fraction("-13.255"))


# ------------------------------------------------------------------------------------------------
# p-values as functions of U
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", REF["exact"], ids=lambda c: f"{c['n1']}v{c['n2']}")
def test_exact_p_matches_r_pwilcox_for_every_u(case):
    got = fz.p_values(case["n1"], case["n2"], "R exact")
    assert got == pytest.approx(case["p"], rel=1e-12, abs=1e-15)


def test_null_counts_sum_to_the_number_of_interleavings():
    for n1, n2 in [(4, 5), (7, 8), (15, 19)]:
        assert sum(fz.w_null_counts(n1, n2)) == math.comb(n1 + n2, n1)


@pytest.mark.parametrize("case", REF["normal"], ids=lambda c: f"{c['n1']}v{c['n2']}-W{c['w']}-cc{c['correct']}")
def test_normal_p_matches_r_wilcox_test_exact_false(case):
    conv = "normal with continuity correction" if case["correct"] else "normal without correction"
    got = fz.p_values(case["n1"], case["n2"], conv)[int(case["w"])]
    assert got == pytest.approx(case["p"], rel=1e-10)


def test_scipy_auto_rule_matches_scipy_mannwhitneyu_on_tie_free_data():
    from scipy.stats import mannwhitneyu

    rng = np.random.default_rng(1)
    for n1, n2 in [(7, 8), (9, 10), (8, 15)]:
        for _ in range(5):
            v = rng.permutation(n1 + n2).astype(float)
            x, y = v[:n1], v[n1:]
            res = mannwhitneyu(x, y)  # method='auto'
            u = int(res.statistic)
            assert fz.p_values(n1, n2, "scipy auto")[u] == pytest.approx(res.pvalue, rel=1e-10)


def test_u_values_for_p_picks_both_tails():
    # 4 vs 5, R exact: p = 0.0317 at U = 1 and U = 19 (fixture above), printed 0.032
    lo, hi = fz.p_interval("0.032")
    assert fz.u_values_for_p(4, 5, "R exact", lo, hi) == [1, 19]


# ------------------------------------------------------------------------------------------------
# the mixed-integer programme vs brute force
# ------------------------------------------------------------------------------------------------


def _int_sample(n, printed, upper):
    return fz.sample_from_printed(n, printed, lower=0, upper=upper, integer=True)


@pytest.mark.parametrize("px,py", [
    ({"0.5": "3"}, {"0.25": "2", "0.5": "5"}),
    ({"0.25": "2", "0.5": "4", "0.75": "6"}, {"0.25": "3", "0.5": "5", "0.75": "8"}),
    ({"0.5": "7"}, {"0.5": "2", "0.75": "3"}),
])
def test_u_range_4_vs_5_equals_brute_force_over_all_integer_datasets(px, py):
    grid = list(range(0, 11))
    bf = _brute_u(4, px, 5, py, grid)
    r = fz.u_range(_int_sample(4, px, 10), _int_sample(5, py, 10))
    assert r.inner == (min(bf), max(bf))            # certified range = exact brute-force range
    assert r.outer[0] <= min(bf) and r.outer[1] >= max(bf)   # conservative range contains it


def test_u_attainable_agrees_with_brute_force_for_every_u_4_vs_5():
    px, py = {"0.5": "3"}, {"0.25": "2", "0.5": "5"}
    sx, sy = _int_sample(4, px, 10), _int_sample(5, py, 10)
    bf = _brute_u(4, px, 5, py, list(range(0, 11)))
    for u in range(0, 21):
        sol = fz.u_attainable(sx, sy, u)
        assert (sol.status == "optimal") == (u in bf), u
        if sol.status == "optimal":   # the certificate is a real dataset with that U
            assert sum(a > b for a in sol.x for b in sol.y) == u
            assert fz.check_dataset(sx, sol.x) and fz.check_dataset(sy, sol.y)


def test_u_range_7_vs_8_equals_brute_force_over_all_integer_datasets():
    px = {"0.25": "3", "0.5": "6", "0.75": "8"}
    py = {"0.25": "2", "0.5": "5", "0.75": "9"}
    bf = _brute_u(7, px, 8, py, list(range(0, 11)))
    r = fz.u_range(_int_sample(7, px, 10), _int_sample(8, py, 10))
    assert bf  # the printed summaries are attainable at all
    assert r.inner == (min(bf), max(bf))


def test_real_valued_u_range_contains_every_grid_dataset_and_certifies_its_ends():
    px = {"0.25": "2", "0.5": "4"}
    py = {"0.5": "5", "0.75": "6"}
    grid = [k / 2 for k in range(0, 17)]  # 0, 0.5, ..., 8
    bf = _brute_u(4, px, 5, py, grid)
    sx = fz.sample_from_printed(4, px, lower=0, upper=8)
    sy = fz.sample_from_printed(5, py, lower=0, upper=8)
    r = fz.u_range(sx, sy)
    assert r.outer[0] <= min(bf) and max(bf) <= r.outer[1]
    for u in r.inner:
        sol = fz.u_attainable(sx, sy, u)
        assert sol.status == "optimal"
        assert fz.check_dataset(sx, sol.x) and fz.check_dataset(sy, sol.y)
        assert not set(sol.x) & set(sol.y)


# ------------------------------------------------------------------------------------------------
# joint order statistics
# ------------------------------------------------------------------------------------------------


def _qs(printed):
    return tuple(fz.Quartile(Fraction(p), *fz.rounding_interval(t), t) for p, t in printed.items())


def _union_medians():
    """All medians of A + B (n = 3 + 3, integers 0..30) with A median 10 and B median 20."""
    grid = range(0, 31)
    a_sets = [c for c in itertools.combinations_with_replacement(grid, 3) if c[1] == 10]
    b_sets = [c for c in itertools.combinations_with_replacement(grid, 3) if c[1] == 20]
    out = set()
    for a in a_sets:
        for b in b_sets:
            u = sorted(a + b)
            out.add(Fraction(u[2] + u[3], 2))
    return out


UNION_MEDIANS = None


@pytest.mark.parametrize("union_median", ["5", "9", "10", "15", "18", "20", "24"])
def test_joint_feasible_matches_brute_force_for_two_subgroups_of_three(union_median):
    # A: median 10, B: median 20 (n = 3 each, integer values); union of 6: median (x3 + x4) / 2.
    global UNION_MEDIANS
    if UNION_MEDIANS is None:
        UNION_MEDIANS = _union_medians()
    pa, pb = {"0.5": "10"}, {"0.5": "20"}
    lo, hi = Fraction(union_median) - Fraction(1, 2), Fraction(union_median) + Fraction(1, 2)
    want = any(lo <= m <= hi for m in UNION_MEDIANS)
    cols = [fz.Collection("a", (0, 1, 2), _qs(pa)), fz.Collection("b", (3, 4, 5), _qs(pb)),
            fz.Collection("all", tuple(range(6)), _qs({"0.5": union_median}))]
    status, vals = fz.joint_feasible(6, [(0, 1, 2), (3, 4, 5)], cols, lower=0, upper=30, integer=True)
    assert (status == "feasible") == want
    if want:  # the returned values really satisfy all three summaries
        v = [round(t) for t in vals]
        assert _ok(tuple(sorted(v[:3])), pa) and _ok(tuple(sorted(v[3:])), pb)
        assert _ok(tuple(sorted(v)), {"0.5": union_median})


def test_union_quantile_bounds_reproduce_the_hand_counting_argument():
    # Subgroup of 7 with Q1 = (a2 + a3)/2 = 344 and median a4 = 364 has a3 >= 343.5 and a4..a7 >= 363.5;
    # so in the union of 15 the 4th largest is >= 363.5 and the 5th largest >= 343.5, and
    # Q3 = (x11 + x12)/2 >= (343.5 + 363.5)/2 = 353.5.
    a = fz.sample_from_printed(7, {"0.25": "344", "0.5": "364", "0.75": "637"}, lower=0)
    b = fz.sample_from_printed(8, {"0.25": "85", "0.5": "137", "0.75": "210"}, lower=0)
    lo, _ = fz.union_quantile_bounds([a, b], "0.75")
    assert lo == pytest.approx(353.5)


# ------------------------------------------------------------------------------------------------
# moments and regression
# ------------------------------------------------------------------------------------------------


def test_grim_by_hand():
    # 58.55 * 34 = 1990.7: 1990/34 = 58.529..., 1991/34 = 58.558... -> neither prints as 58.55
    assert fz.grim_sums("58.55", 34) == []
    # 58.53: 1990/34 = 58.5294 rounds to 58.53
    assert fz.grim_sums("58.53", 34) == [1990]
    assert fz.grim_sums("5.5", 2) == [11]


def test_grimmer_parity_by_hand():
    # values {1, 3}: sum 4, sum of squares 10, SD = sqrt(2) = 1.41 -> feasible
    assert fz.grimmer_feasible(4, 2, "1.41")
    # two integers summing to 4 have SD in {0, 1.41, 2.83, ...}: 1.00 impossible
    assert not fz.grimmer_feasible(4, 2, "1.00")


def test_sd_range_given_extremes_by_hand():
    # n=4 in [0, 4], mean 2: min SD from {0, 2, 2, 4} = sqrt(8/3); max from {0, 0, 4, 4} = sqrt(16/3)
    lo, hi = fz.sd_range_given_extremes(4, 2.0, 0.0, 4.0)
    assert lo == pytest.approx(math.sqrt(8 / 3))
    assert hi == pytest.approx(math.sqrt(16 / 3))
    lo_i, hi_i = fz.sd_range_given_extremes(4, 2.0, 0, 4, integer_total=8)
    assert (lo_i, hi_i) == pytest.approx((math.sqrt(8 / 3), math.sqrt(16 / 3)))


@pytest.mark.parametrize("case", REF["regression"])
def test_regression_p_from_r2_matches_r_pf(case):
    assert fz.regression_p_from_r2(case["r2"], case["n"]) == pytest.approx(case["p"], rel=1e-10)


# ------------------------------------------------------------------------------------------------
# ties
# ------------------------------------------------------------------------------------------------


def test_min_p_with_ties_is_below_the_tie_free_normal_p():
    # no ties allowed (cluster 1): equals the plain normal p without correction, 2 * Phi(-62.5 / sigma)
    from scipy.stats import norm

    sigma = math.sqrt(15 * 19 * 35 / 12)
    assert fz.min_p_with_ties(15, 19, 62.5, 1) == pytest.approx(2 * norm.sf(62.5 / sigma))
    assert fz.min_p_with_ties(15, 19, 62.5, 10) < fz.min_p_with_ties(15, 19, 62.5, 1)


def test_tie_example_reaches_a_p_off_the_tie_free_lattice():
    # 9 vs 10: no tie-free U gives p in [0.0455, 0.0465] (R: U=70 -> 0.0435, U=69 -> 0.0535), but a
    # tie-corrected normal p can; the example must reproduce the p it claims.
    from scipy.stats import norm

    lo, hi = fz.p_interval("0.046")
    for conv in fz.CONVENTIONS:
        assert fz.u_values_for_p(9, 10, conv, lo, hi) == []
    u, pat, corr = fz.tie_p_example(9, 10, 50, 78, 10, lo, hi)
    n = 19
    var = 90 / 12 * ((n + 1) - sum(t ** 3 - t for t in pat) / (n * (n - 1)))
    p = 2 * norm.sf((abs(u - 45) - corr) / math.sqrt(var))
    assert lo <= p <= hi


# ------------------------------------------------------------------------------------------------
# all interleavings, each checked by its own linear programme (real-valued data)
# ------------------------------------------------------------------------------------------------


def _interleaving_u_set(n1, px, n2, py, upper, eps=1e-4):
    """U of every interleaving of n1 x's and n2 y's for which strictly increasing real values in
    [0, upper] meet the printed type-7 quartiles (closed rounding intervals); one LP per interleaving."""
    from scipy.optimize import linprog

    n = n1 + n2
    out = set()
    for xpos in itertools.combinations(range(n), n1):
        ypos = [k for k in range(n) if k not in xpos]
        a_ub, b_ub = [], []
        for k in range(n - 1):          # v_k - v_{k+1} <= -eps
            row = [0.0] * n
            row[k], row[k + 1] = 1.0, -1.0
            a_ub.append(row)
            b_ub.append(-eps)
        for pos, printed in ((list(xpos), px), (ypos, py)):
            m = len(pos)
            for prob, text in printed.items():
                h = (m - 1) * Fraction(prob)
                j = math.floor(h)
                g = float(h - j)
                v = float(Fraction(text))
                half = 0.5 * 10 ** -(len(text.split(".")[1]) if "." in text else 0)
                row = [0.0] * n
                row[pos[j]] += 1 - g
                if g:
                    row[pos[j + 1]] += g
                a_ub.append(row)
                b_ub.append(v + half)
                a_ub.append([-c for c in row])
                b_ub.append(-(v - half))
        res = linprog(np.zeros(n), A_ub=a_ub, b_ub=b_ub, bounds=[(0, upper)] * n, method="highs")
        if res.status == 0:
            # U = number of (x, y) pairs with the x later in the merged order
            out.add(sum(1 for i in xpos for k in ypos if i > k))
    return out


@pytest.mark.parametrize("px,py", [
    ({"0.25": "2", "0.5": "4", "0.75": "6"}, {"0.25": "3", "0.5": "5", "0.75": "8"}),
    ({"0.5": "4.5"}, {"0.25": "1.5", "0.75": "9"}),
])
def test_u_range_4_vs_5_equals_enumeration_of_all_interleavings(px, py):
    want = _interleaving_u_set(4, px, 5, py, upper=20)
    sx = fz.sample_from_printed(4, px, lower=0, upper=20)
    sy = fz.sample_from_printed(5, py, lower=0, upper=20)
    r = fz.u_range(sx, sy)
    # certified range = exact range over tie-free data; the conservative range may be wider
    # (it also admits boundary ties such as x = y = 2.5 that printing cannot produce)
    assert r.inner == (min(want), max(want))
    assert r.outer[0] <= min(want) and max(want) <= r.outer[1]
    # and every U in between that an interleaving reaches is certified by an explicit dataset
    for u in sorted(want):
        assert fz.u_attainable(sx, sy, u).status == "optimal"
