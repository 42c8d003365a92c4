"""Unit tests of analysis.stats: hand calculations (shown in the comments) and edge cases.

R parity over many generated cases lives in tests/test_stats_r_parity.py; the expected values
here are worked out by hand (or, where stated, printed by R 4.2.2).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis import stats
from analysis.errors import UserError


def normal_two_sided_p(z: float) -> float:
    """2 * (1 - Phi(|z|)) = erfc(|z| / sqrt 2): the textbook formula, independent of scipy."""
    return math.erfc(abs(z) / math.sqrt(2))


# ---------------------------------------------------------------------------------------------
# quantile


def test_quantile_type7_of_1_to_4_at_quarter_is_1_75():
    # type 7: h = 1 + (n - 1) p = 1 + 3 * 0.25 = 1.75 -> x[1] + 0.75 * (x[2] - x[1]) = 1.75
    assert stats.quantile([1, 2, 3, 4], 0.25) == 1.75
    # and at 0.75: h = 3.25 -> 3 + 0.25 * (4 - 3) = 3.25
    assert stats.quantile([4, 3, 2, 1], 0.75) == 3.25  # input order does not matter


def test_quantile_type6_is_spss_definition():
    # type 6: h = (n + 1) p = 5 * 0.25 = 1.25 -> 1 + 0.25 * (2 - 1) = 1.25; at 0.75: h = 3.75 -> 3.75
    assert stats.quantile([1, 2, 3, 4], [0.25, 0.75], type=6).tolist() == [1.25, 3.75]


def test_quantile_discontinuous_types_1_2_3_at_median_of_even_n():
    x = [1, 2, 3, 4]
    # type 1 (inverse ECDF): n p = 2 is an integer -> x[2] = 2
    assert stats.quantile(x, 0.5, type=1) == 2
    # type 2 (ECDF with averaging at jumps): n p = 2 integer -> (x[2] + x[3]) / 2 = 2.5
    assert stats.quantile(x, 0.5, type=2) == 2.5
    # type 3 (nearest even order statistic): n p - 1/2 = 1.5 -> j = 1, g > 0 -> x[2] = 2
    assert stats.quantile(x, 0.5, type=3) == 2


def test_quantile_types_4_5_8_9_by_formula():
    x = [10, 20, 30, 40, 50]  # n = 5, p = 0.3
    # type 4: h = n p = 1.5          -> 10 + 0.5 * 10  = 15
    # type 5: h = n p + 1/2 = 2.0    -> 20
    # type 8: h = (n + 1/3) p + 1/3 = 1.6 + 1/3 = 1.9333.. -> 10 + 0.9333.. * 10 = 19.333..
    # type 9: h = (n + 1/4) p + 3/8 = 1.575 + 0.375 = 1.95 -> 19.5
    assert stats.quantile(x, 0.3, type=4) == pytest.approx(15, rel=1e-15)
    assert stats.quantile(x, 0.3, type=5) == pytest.approx(20, rel=1e-15)
    assert stats.quantile(x, 0.3, type=8) == pytest.approx(10 + (1.6 + 1 / 3 - 1) * 10, rel=1e-14)
    assert stats.quantile(x, 0.3, type=9) == pytest.approx(19.5, rel=1e-14)


@pytest.mark.parametrize("type_", range(1, 10))
def test_quantile_of_single_value_is_that_value_for_every_type(type_):
    assert stats.quantile([3.7], [0, 0.25, 0.5, 1], type=type_).tolist() == [3.7] * 4


@pytest.mark.parametrize("type_", range(1, 10))
def test_quantile_extremes_are_min_and_max(type_):
    assert stats.quantile([5, -2, 9, 0], [0, 1], type=type_).tolist() == [-2, 9]


def test_quantile_of_empty_sample_is_nan_like_r_na():
    assert math.isnan(stats.quantile([], 0.5))
    assert np.isnan(stats.quantile([], [0.25, 0.75])).all()


def test_quantile_scalar_probs_give_float_and_sequence_gives_array():
    assert isinstance(stats.quantile([1, 2, 3], 0.5), float)
    assert isinstance(stats.quantile([1, 2, 3], [0.5]), np.ndarray)


def test_quantile_refuses_nan_unless_dropna():
    with pytest.raises(ValueError, match="missing value"):
        stats.quantile([1, float("nan"), 3], 0.5)
    assert stats.quantile([1, float("nan"), 3], 0.5, dropna=True) == 2


@pytest.mark.parametrize("bad", [0, 10, 7.0, True, "7"])
def test_quantile_rejects_type_outside_1_to_9(bad):
    with pytest.raises(ValueError, match="type"):
        stats.quantile([1, 2, 3], 0.5, type=bad)


@pytest.mark.parametrize("probs", [-0.1, 1.1, [0.5, float("nan")]])
def test_quantile_rejects_probs_outside_unit_interval(probs):
    with pytest.raises(ValueError, match="probs"):
        stats.quantile([1, 2, 3], probs)


def test_quantile_tolerates_probs_overshoot_of_rounding_size_like_r():
    # R clips probs within 100 * eps outside [0, 1]
    assert stats.quantile([1, 2, 3], 1 + 1e-15) == 3


def test_quantile_does_not_modify_its_input():
    x = np.array([3.0, 1.0, 2.0])
    stats.quantile(x, 0.5)
    assert x.tolist() == [3.0, 1.0, 2.0]


# ---------------------------------------------------------------------------------------------
# summary and display


def test_summary_of_1_to_4_by_hand():
    # median = (2 + 3) / 2; quartiles type 7 as above
    assert stats.summary([4, 1, 3, 2]) == {"n": 4, "median": 2.5, "q1": 1.75, "q3": 3.25, "min": 1.0, "max": 4.0}


def test_summary_median_is_r_median_whatever_the_quantile_type():
    # type 1 at 0.5 would give 2 (lower middle); the reported median is R's median() = 2.5
    s = stats.summary([1, 2, 3, 4], type=1)
    assert s["median"] == 2.5
    assert (s["q1"], s["q3"]) == (1, 3)  # type 1: n p = 1 -> x[1]; n p = 3 -> x[3]


def test_summary_of_empty_sample_has_n_zero_and_nan():
    s = stats.summary([])
    assert s["n"] == 0 and all(math.isnan(s[k]) for k in ("median", "q1", "q3", "min", "max"))


def test_format_me_iqr_of_1_to_4():
    assert stats.format_me_iqr([1, 2, 3, 4]) == "2.50 [1.75; 3.25]"
    assert stats.format_me_iqr([1, 2, 3, 4], type=6) == "2.50 [1.25; 3.75]"


def test_format_me_iqr_rounds_like_r_sprintf_not_half_up():
    # R's sprintf("%.1f") rounds the exact binary value, ties to even:
    # 1.75 and 3.25 are exact binary ties -> "1.8" (8 even) and "3.2" (2 even)
    assert stats.format_me_iqr([1, 2, 3, 4], decimals=1) == "2.5 [1.8; 3.2]"
    # 0.125 is an exact tie -> "0.12"; 2.675 is stored as 2.67499999... -> "2.67";
    # 0.375 is an exact tie -> "0.38" (R 4.2.2 prints the same three strings)
    assert stats.format_me_iqr({"median": 0.125, "q1": 2.675, "q3": 0.375}) == "0.12 [2.67; 0.38]"


def test_format_me_iqr_accepts_a_summary_dict_and_decimals():
    s = stats.summary([10, 20, 30])
    assert stats.format_me_iqr(s, decimals=0) == "20 [15; 25]"
    assert stats.format_me_iqr(s, decimals=3) == "20.000 [15.000; 25.000]"


def test_format_me_iqr_of_empty_sample_prints_na_like_r():
    assert stats.format_me_iqr([]) == "NA [NA; NA]"


def test_format_me_iqr_rejects_bad_input():
    with pytest.raises(ValueError, match="lacks"):
        stats.format_me_iqr({"median": 1.0})
    with pytest.raises(ValueError, match="decimals"):
        stats.format_me_iqr([1, 2, 3], decimals=-1)


# ---------------------------------------------------------------------------------------------
# Mann-Whitney U


def test_mann_whitney_exact_p_counted_by_hand():
    # x = {1, 2}, y = {3, 4, 5}: x has ranks 1, 2 -> W = 3 - 2*3/2 = 0.
    # Under H0 all C(5, 2) = 10 rank pairs are equally likely; only {1, 2} gives W = 0.
    # two-sided p = 2 * P(W <= 0) = 2/10.
    r = stats.mann_whitney([1, 2], [3, 4, 5])
    assert r.statistic == 0
    assert r.p == pytest.approx(0.2, rel=1e-12)
    assert r.method == "exact" and r.test == "Mann-Whitney U"
    assert (r.n1, r.n2) == (2, 3)


def test_mann_whitney_statistic_is_r_w_of_the_first_sample():
    # swapping the samples gives W' = n1 n2 - W = 6 (same p)
    r = stats.mann_whitney([3, 4, 5], [1, 2])
    assert r.statistic == 6
    assert r.p == pytest.approx(0.2, rel=1e-12)


def test_mann_whitney_one_sided_exact_by_hand():
    # x = {1, 2, 3}, y = {4, 5, 6}: W = 0; P(W <= 0) = 1 / C(6, 3) = 1/20
    assert stats.mann_whitney([1, 2, 3], [4, 5, 6], alternative="less").p == pytest.approx(0.05, rel=1e-12)
    # 'greater': P(W >= 0) = 1
    assert stats.mann_whitney([1, 2, 3], [4, 5, 6], alternative="greater").p == pytest.approx(1.0)
    # R's spelling of the alternative is accepted
    assert stats.mann_whitney([1, 2, 3], [4, 5, 6], alternative="two.sided").p == pytest.approx(0.1)


def test_mann_whitney_asymptotic_p_by_hand_formula():
    # x = {1, 2, 3}, y = {4, 5, 6}: W = 0, E(W) = n1 n2 / 2 = 4.5, Var(W) = n1 n2 (N + 1) / 12 = 5.25.
    # With continuity correction z = (0 - 4.5 + 0.5) / sqrt(5.25) = -1.7457; p = erfc(|z|/sqrt 2)
    r = stats.mann_whitney([1, 2, 3], [4, 5, 6], method="asymptotic")
    assert r.p == pytest.approx(normal_two_sided_p(-4 / math.sqrt(5.25)), rel=1e-12)
    assert r.method == "normal approximation with continuity correction"
    # without correction z = -4.5 / sqrt(5.25)
    r = stats.mann_whitney([1, 2, 3], [4, 5, 6], method="asymptotic", correct=False)
    assert r.p == pytest.approx(normal_two_sided_p(-4.5 / math.sqrt(5.25)), rel=1e-12)
    assert r.method == "normal approximation"


def test_mann_whitney_with_ties_uses_normal_approximation_with_tie_correction():
    # pooled 1, 2, 2, 2, 3, 4 -> ranks 1, 3, 3, 3, 5, 6; x = {1, 2, 2} -> 1 + 3 + 3 = 7, W = 7 - 6 = 1.
    # one tie group of t = 3: sum(t^3 - t) = 24.
    # Var(W) = (9 / 12) * (7 - 24 / (6 * 5)) = 0.75 * 6.2 = 4.65
    # z = (1 - 4.5 + 0.5) / sqrt(4.65)
    r = stats.mann_whitney([1, 2, 2], [2, 3, 4])
    assert r.statistic == 1
    assert r.method == "normal approximation with continuity correction"
    assert r.p == pytest.approx(normal_two_sided_p(-3 / math.sqrt(4.65)), rel=1e-12)


def test_mann_whitney_uses_exact_p_below_50_without_ties():
    rng = np.random.default_rng(1)
    for n1, n2 in [(7, 8), (9, 10), (15, 19), (49, 49), (3, 49)]:
        x, y = rng.normal(size=n1), rng.normal(size=n2)
        assert stats.mann_whitney(x, y).method == "exact", (n1, n2)
        # scipy's 'auto' would use the normal approximation here for both n > 8; the exact p differs
    x, y = rng.normal(size=15), rng.normal(0.8, size=19)
    assert stats.mann_whitney(x, y).p != pytest.approx(stats.mann_whitney(x, y, method="asymptotic").p, rel=1e-6)


def test_mann_whitney_uses_normal_approximation_from_50_values_in_a_group():
    rng = np.random.default_rng(2)
    for n1, n2 in [(50, 10), (10, 50), (60, 55)]:
        r = stats.mann_whitney(rng.normal(size=n1), rng.normal(size=n2))
        assert r.method == "normal approximation with continuity correction", (n1, n2)


def test_mann_whitney_exact_can_be_forced_above_50():
    rng = np.random.default_rng(3)
    assert stats.mann_whitney(rng.normal(size=50), rng.normal(size=10), method="exact").method == "exact"


def test_mann_whitney_exact_with_ties_is_refused_with_a_user_error():
    with pytest.raises(stats.ExactPValueUnavailable, match="tied values: 2") as exc:
        stats.mann_whitney([1, 2, 2], [2, 3, 4], method="exact")
    assert isinstance(exc.value, UserError) and isinstance(exc.value, ValueError)


def test_mann_whitney_all_values_tied_gives_nan_p_like_r():
    r = stats.mann_whitney([4, 4, 4], [4, 4])
    assert r.statistic == 3  # every rank is 3: W = 9 - 6
    assert math.isnan(r.p) and "tied" in r.note


@pytest.mark.parametrize("x,y", [([], [1, 2]), ([1, 2], [])])
def test_mann_whitney_refuses_an_empty_group(x, y):
    with pytest.raises(ValueError, match="at least one value in each group"):
        stats.mann_whitney(x, y)


def test_mann_whitney_refuses_nan_unless_dropna():
    with pytest.raises(ValueError, match="y: contains 1 missing"):
        stats.mann_whitney([1, 2], [3, float("nan"), 5])
    r = stats.mann_whitney([1, 2], [3, float("nan"), 4, 5], dropna=True)
    assert (r.n2, r.statistic) == (3, 0)


@pytest.mark.parametrize("kw", [{"method": "auto"}, {"alternative": "two_sided"}])
def test_mann_whitney_rejects_unknown_options(kw):
    with pytest.raises(ValueError):
        stats.mann_whitney([1, 2], [3, 4], **kw)


def test_test_result_to_dict_is_plain():
    d = stats.mann_whitney([1, 2], [3, 4, 5]).to_dict()
    assert d["test"] == "Mann-Whitney U" and d["ns"] == [2, 3] and d["statistic_name"] == "W"
    assert d["r_method"] == "Wilcoxon rank sum exact test"


# ---------------------------------------------------------------------------------------------
# Wilcoxon signed rank


def test_signed_rank_exact_by_hand_all_positive():
    # d = 1..5, all positive: V = 15 = the maximum; P(V >= 15) = 1 / 2^5; two-sided p = 2/32
    r = stats.wilcoxon_signed_rank([2, 3, 4, 5, 6], [1, 1, 1, 1, 1])
    assert r.statistic == 15 and r.method == "exact"
    assert r.p == pytest.approx(0.0625, rel=1e-12)


def test_signed_rank_exact_one_sample_by_hand():
    # d = 1, 2, -3 -> V = 1 + 2 = 3. Sign patterns with V <= 3: V = 0, 1, 2, 3 (= 1+2), 3 (= 3): 5 of 8
    # two-sided p = min(1, 2 * 5/8) = 1
    r = stats.wilcoxon_signed_rank([1, 2, -3])
    assert (r.statistic, r.p, r.n1) == (3, 1.0, 3)


def test_signed_rank_drops_zeros_and_then_uses_normal_approximation():
    # d = 0, 1, 2, 3: the zero is dropped (n = 3); ranks 1, 2, 3; V = 6.
    # Because a zero was present R does not use the exact p:
    # E(V) = n(n+1)/4 = 3, Var(V) = n(n+1)(2n+1)/24 = 3.5, z = (6 - 3 - 0.5) / sqrt(3.5)
    r = stats.wilcoxon_signed_rank([5, 6, 7, 8], [5, 5, 5, 5])
    assert r.statistic == 6 and r.n1 == 3 and r.ns == (4,)
    assert r.method == "normal approximation with continuity correction"
    assert r.p == pytest.approx(normal_two_sided_p(2.5 / math.sqrt(3.5)), rel=1e-12)
    assert "1 zero difference(s) dropped" in r.note


def test_signed_rank_tie_correction_by_hand():
    # d = 1, 1, 2, -3: |d| ranks 1.5, 1.5, 3, 4; V = 1.5 + 1.5 + 3 = 6; one tie group t = 2
    # Var = 4*5*9/24 - (8 - 2)/48 = 7.5 - 0.125 = 7.375; E = 5; z = (6 - 5 - 0.5)/sqrt(7.375)
    r = stats.wilcoxon_signed_rank([1, 1, 2, -3])
    assert r.statistic == 6
    assert r.p == pytest.approx(normal_two_sided_p(0.5 / math.sqrt(7.375)), rel=1e-12)


def test_signed_rank_exact_with_zeros_is_refused():
    with pytest.raises(stats.ExactPValueUnavailable, match="zero difference"):
        stats.wilcoxon_signed_rank([5, 6, 7], [5, 5, 5], method="exact")


def test_signed_rank_all_zero_differences_gives_nan_p_like_r():
    r = stats.wilcoxon_signed_rank([1, 2, 3], [1, 2, 3])
    assert r.statistic == 0 and math.isnan(r.p)


def test_signed_rank_paired_lengths_must_match():
    with pytest.raises(ValueError, match="same length"):
        stats.wilcoxon_signed_rank([1, 2, 3], [1, 2])


def test_signed_rank_incomplete_pairs_need_dropna():
    with pytest.raises(ValueError, match="pair"):
        stats.wilcoxon_signed_rank([1, 2, float("nan")], [0, 0, 0])
    r = stats.wilcoxon_signed_rank([2, 3, float("nan")], [0, 0, 0], dropna=True)
    assert r.ns == (2,) and r.statistic == 3


def test_signed_rank_refuses_empty_input():
    with pytest.raises(ValueError, match="at least one"):
        stats.wilcoxon_signed_rank([])


# ---------------------------------------------------------------------------------------------
# Kruskal-Wallis


def test_kruskal_by_hand_without_ties():
    # rank sums 3, 7, 11 (n_i = 2, N = 6): H = 12/(6*7) * (9 + 49 + 121)/2 - 3*7 = 32/7
    # chi-squared with 2 df: p = exp(-H/2)
    r = stats.kruskal([1, 2], [3, 4], [5, 6])
    assert r.statistic == pytest.approx(32 / 7, rel=1e-12)
    assert r.df == 2
    assert r.p == pytest.approx(math.exp(-16 / 7), rel=1e-12)
    assert r.ns == (2, 2, 2) and r.method == "chi-squared approximation"


def test_kruskal_is_tie_corrected_by_hand():
    # [1, 1] vs [2, 2]: ranks 1.5, 1.5 | 3.5, 3.5; H = 12/20 * (9/2 + 49/2) - 15 = 2.4
    # ties: 2 groups of t = 2 -> sum(t^3 - t) = 12; correction 1 - 12 / (64 - 4) = 0.8 -> H = 3.0
    # 1 df: p = P(Z^2 > 3) = erfc(sqrt(3/2))
    r = stats.kruskal([1, 1], [2, 2])
    assert r.statistic == pytest.approx(3.0, rel=1e-12)
    assert r.p == pytest.approx(math.erfc(math.sqrt(1.5)), rel=1e-12)


def test_kruskal_accepts_a_list_of_groups_like_r():
    assert stats.kruskal([[1, 2], [3, 4], [5, 6]]).statistic == pytest.approx(32 / 7, rel=1e-12)


def test_kruskal_needs_two_nonempty_groups():
    with pytest.raises(ValueError, match="at least 2 groups"):
        stats.kruskal([1, 2, 3])
    with pytest.raises(ValueError, match="empty: group \\[2\\]"):
        stats.kruskal([1, 2], [], [3])


def test_kruskal_all_tied_gives_nan_like_r():
    r = stats.kruskal([1, 1], [1, 1, 1])
    assert math.isnan(r.statistic) and math.isnan(r.p)


# ---------------------------------------------------------------------------------------------
# Shapiro-Wilk


def test_shapiro_n3_exact_by_hand():
    # n = 3: a = (-1, 0, 1)/sqrt 2; x = 1, 2, 4 (mean 7/3, SS = 21 - 49/3 = 14/3)
    # W = (a'x)^2 / SS = (3/sqrt 2)^2 / (14/3) = 27/28; p = 6/pi (asin sqrt W - asin sqrt(3/4))
    r = stats.shapiro([4, 1, 2])
    assert r.statistic == pytest.approx(27 / 28, rel=1e-13)
    assert r.p == pytest.approx(6 / math.pi * (math.asin(math.sqrt(27 / 28)) - math.pi / 3), rel=1e-12)
    assert r.method == "exact"


def test_shapiro_is_invariant_to_location_and_scale():
    x = np.array([2.1, 3.4, 1.9, 5.6, 4.4, 3.3, 2.8, 7.1, 0.5, 3.9, 4.0, 2.2])
    a, b = stats.shapiro(x), stats.shapiro(1000 + 1e-3 * x)
    assert a.statistic == pytest.approx(b.statistic, rel=1e-9) and a.p == pytest.approx(b.p, rel=1e-6)


def test_shapiro_matches_r_on_a_printed_example():
    # R 4.2.2: shapiro.test(c(2.1,3.4,1.9,5.6,4.4,3.3,2.8,7.1,0.5,3.9,4.0,2.2))
    #   W = 0.97225607725091057, p-value = 0.93294071428201930 (print(..., digits = 17))
    r = stats.shapiro([2.1, 3.4, 1.9, 5.6, 4.4, 3.3, 2.8, 7.1, 0.5, 3.9, 4.0, 2.2])
    assert r.statistic == pytest.approx(0.97225607725091057, rel=1e-12)
    assert r.p == pytest.approx(0.93294071428201930, rel=1e-12)


@pytest.mark.parametrize("x,msg", [([1, 2], "between 3 and 5000"), ([2, 2, 2, 2], "identical")])
def test_shapiro_refuses_what_r_refuses(x, msg):
    with pytest.raises(ValueError, match=msg):
        stats.shapiro(x)


# ---------------------------------------------------------------------------------------------
# OLS


def test_ols_by_hand_three_points():
    # (1,1), (2,3), (3,2): xbar = ybar = 2, Sxx = 2, Sxy = 1 -> slope 0.5, intercept 1.
    # SSres = 0.25 + 1 + 0.25 = 1.5, SStot = 2 -> R² = 0.25.
    # s² = 1.5 / (n - 2) = 1.5, se = sqrt(1.5 / 2), t = 0.5 / sqrt(0.75) = 1/sqrt 3;
    # t with 1 df is Cauchy: p = 1 - (2/pi) atan(1/sqrt 3) = 1 - (2/pi)(pi/6) = 2/3
    r = stats.ols([1, 2, 3], [1, 3, 2])
    assert (r.slope, r.intercept, r.r2, r.n) == (pytest.approx(0.5), pytest.approx(1.0), pytest.approx(0.25), 3)
    assert r.p == pytest.approx(2 / 3, rel=1e-10)
    assert r.slope_se == pytest.approx(math.sqrt(0.75), rel=1e-12)
    assert r.method == "t-test"


def test_ols_perfect_line():
    r = stats.ols([0, 1, 2, 3], [1, 3, 5, 7])  # y = 1 + 2x
    assert r.slope == pytest.approx(2) and r.intercept == pytest.approx(1) and r.r2 == pytest.approx(1)


@pytest.mark.parametrize("x,y,msg", [
    ([1, 2], [1, 2], "at least 3"),
    ([2, 2, 2], [1, 2, 3], "constant"),
    ([1, 2, 3], [1, 2], "same length"),
    ([1, 2, float("nan"), 4], [1, 2, 3, 4], "NaN"),
])
def test_ols_refuses_degenerate_input(x, y, msg):
    with pytest.raises(ValueError, match=msg):
        stats.ols(x, y)


def test_ols_dropna_drops_incomplete_pairs():
    r = stats.ols([1, 2, float("nan"), 3], [1, 3, 5, 2], dropna=True)
    assert r.n == 3 and r.slope == pytest.approx(0.5)


def test_importing_analysis_stays_cheap():
    import subprocess
    import sys

    code = "import sys, analysis.stats; print('scipy' in sys.modules, 'statsmodels' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_rank_tests_with_the_normal_approximation_and_shapiro_need_no_scipy():
    """The normal distribution is R's own (rmath.pnorm / qnorm): a notebook kernel that runs only these tests
    does not pay scipy's import (0.35 CPU-s). Sizes chosen so that every path runs: exact and normal
    Mann-Whitney, normal signed-rank (n = 60), Shapiro-Wilk (Royston's p), Kaplan-Meier intervals."""
    import subprocess
    import sys

    code = ("import sys; from analysis import stats; from analysis.stats.survival import survfit_km\n"
            "x = [float(i % 17) for i in range(60)]; y = [float(i % 13) + 0.5 for i in range(55)]\n"
            "stats.mann_whitney(x[:7], y[:8]); stats.mann_whitney(x, y)\n"
            "stats.mann_whitney(x, y, method='asymptotic')\n"
            "stats.wilcoxon_signed_rank(x, [v + (i % 3) - 1.1 for i, v in enumerate(x)]); stats.shapiro(x)\n"
            "survfit_km([1, 2, 3, 4, 5], [1, 0, 1, 1, 0])\n"
            "print('scipy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False"]




def test_pandas_nullable_missing_values_count_as_nan():
    import pandas as pd

    s = pd.Series([1, 2, None, 4], dtype="Int64")
    with pytest.raises(ValueError, match="1 missing value"):
        stats.summary(s)
    assert stats.summary(s, dropna=True)["median"] == 2
    assert stats.mann_whitney(pd.Series([1.0, 2.0]), pd.Series([3, 4, 5], dtype="Int64")).statistic == 0


def test_non_numeric_input_is_a_clear_value_error():
    with pytest.raises(ValueError, match="x: expected numbers"):
        stats.summary(["a", "b"])


def test_the_package_re_exports_every_public_name_of_its_modules():
    import importlib

    for name in ("descriptive", "normality", "ranktests", "regression", "results", "shift", "multiplicity",
                 "agreement", "location"):
        module = importlib.import_module(f"analysis.stats.{name}")
        for public in module.__all__:
            if public not in ("EXACT_LIMIT", "PERMUTATION_SEED"):  # constants, not part of the package API
                assert getattr(stats, public) is getattr(module, public), public
    assert all(hasattr(stats, n) for n in stats.__all__)
