"""Statistics at registry scale: the bootstrap's resampled medians and the rank-biserial correlation
computed in bounded memory, with the values of the definitions (hand calculations written here)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.stats.shift import _MedianByRank, _paired_medians, bootstrap_ratio_of_medians, rank_biserial


def test_resampled_median_by_rank_equals_the_hand_median_odd_and_even():
    values = np.array([5.0, 1.0, 3.0, 3.0, 9.0])
    # rows of resampled indices -> values (5, 5, 1, 3, 9): sorted 1 3 5 5 9, median 5;
    # (1, 1, 1, 9, 9): median 1; (3, 3, 3, 3, 3) with ties across positions 2 and 3: median 3
    idx = np.array([[0, 0, 1, 2, 4], [1, 1, 1, 4, 4], [2, 3, 2, 3, 3]])
    assert list(_MedianByRank(values)(idx)) == [5.0, 1.0, 3.0]
    even = np.array([4.0, 1.0, 2.0, 8.0])
    # (4, 1, 2, 8) -> (2 + 4) / 2 = 3; (1, 1, 8, 8) -> (1 + 8) / 2 = 4.5; (2, 2, 2, 1) -> 2
    idx = np.array([[0, 1, 2, 3], [1, 1, 3, 3], [2, 2, 2, 1]])
    assert list(_MedianByRank(even)(idx)) == [3.0, 4.5, 2.0]


def test_resampled_median_outside_the_counting_window_is_still_exact():
    # 101 values 0..100; a window of 3 ranks around rank 50 (49, 50, 51); a resample of the 101
    # smallest-but-one value (index 1 = value 1) everywhere has median 1, below the window; one of
    # index 100 everywhere has median 100, above it; one spread evenly has median 50, inside.
    values = np.arange(101, dtype=float)
    m = _MedianByRank(values, half_width=1)
    assert (m.width, list(m.bin_values)) == (3, [49.0, 50.0, 51.0])
    idx = np.array([np.full(101, 1), np.full(101, 100), np.arange(101)])
    assert list(m(idx)) == [1.0, 100.0, 50.0]


def test_bootstrap_is_one_stream_of_resamples_whatever_the_chunks():
    # the definition: row b of default_rng(seed).integers(0, n, (n_boot, n)) is resample b;
    # the 2.5 % / 97.5 % type-7 quantiles of median(x*) / median(y*)
    rng = np.random.default_rng(7)
    x, y = rng.integers(1, 400, 60).astype(float), rng.integers(1, 200, 60).astype(float)
    idx = np.random.default_rng(3).integers(0, 60, size=(500, 60))
    ratios = np.median(x[idx], axis=1) / np.median(y[idx], axis=1)
    lo, hi = np.quantile(ratios, [0.025, 0.975])
    for chunk in (1, 7 * 60, 1 << 21):
        r = bootstrap_ratio_of_medians(x, y, n_boot=500, seed=3, chunk_values=chunk)
        assert (r["lower"], r["upper"], r["n_dropped"]) == (lo, hi, 0)


@pytest.mark.parametrize("n", [1, 2, 3, 34, 1000, 17000, 18000, 65537, 2**31 - 1])
def test_int32_draws_are_the_default_int64_draws(n):
    # the bootstrap draws its indices as int32: numpy's default int64 draws of the same range must be
    # the same numbers (both come from the same bounded 32-bit stream), and the stream must continue
    # in the same place afterwards
    a, b = np.random.default_rng(n), np.random.default_rng(n)
    for shape in ((3, 7), (1, 1000), (5, 33)):
        assert np.array_equal(a.integers(0, n, size=shape), b.integers(0, n, size=shape, dtype=np.int32))
    assert a.integers(0, 2**40) == b.integers(0, 2**40)


@pytest.mark.parametrize("kind", ["days", "continuous", "signed_zeros"])
def test_resampled_medians_equal_numpy_median_on_tied_and_continuous_data(kind):
    # the definition, computed the slow way: numpy.median of every resampled row, bit for bit;
    # tied data (few distinct values: one joint count serves x and y), continuous data (one count each),
    # and -0.0 beside 0.0 (equal values whose bits differ)
    rng = np.random.default_rng(5)
    n = 401
    if kind == "days":
        x, y = rng.integers(80, 95, n).astype(float), rng.integers(40, 44, n).astype(float)
    elif kind == "continuous":
        x, y = rng.lognormal(size=n), rng.normal(size=n)
    else:
        x = rng.choice([-0.0, 0.0, 1.0, -1.0], n)
        y = rng.choice([-0.0, 0.0, 2.0], n, p=[0.3, 0.3, 0.4])
    idx = rng.integers(0, n, size=(300, n))
    mx, my = _MedianByRank(x), _MedianByRank(y)
    got, want = _paired_medians(mx, my, idx), (np.median(x[idx], axis=1), np.median(y[idx], axis=1))
    for g, w in zip(got, want):
        assert np.array_equal(g, w)
        if kind != "signed_zeros":  # numpy's partition may pick either zero
            assert np.array_equal(g.view(np.int64), w.view(np.int64))
    if kind != "signed_zeros":  # tied data: one joint count; continuous: one count each
        assert ((mx.width + 2) * (my.width + 2) <= n) == (kind == "days")


def test_bootstrap_counts_resamples_with_a_zero_median_of_y():
    # y = (0, 0, 1): a resample has median(y*) = 0 unless it holds index 2 at least twice
    # (probability 7/27); those are dropped and counted
    r = bootstrap_ratio_of_medians([1.0, 2.0, 3.0], [0.0, 0.0, 1.0], n_boot=2700, seed=11)
    assert math.isnan(r["ratio"])
    assert abs(r["n_dropped"] / 2700 - 20 / 27) < 0.03


@pytest.mark.parametrize(("x", "y", "expected"), [
    ([3, 4], [1, 2, 5], 1 / 3),           # x wins 4 of 6 pairs: 2 * 4/6 - 1
    ([1, 2, 2], [2, 3], 2 * 1 / 6 - 1),  # W = 1/2 + 1/2 (two ties (2, 2), the rest x < y)
    ([5.0], [5.0], 0.0),                   # one tie: W = 1/2
])
def test_rank_biserial_is_two_w_over_n1_n2_minus_one(x, y, expected):
    assert math.isclose(rank_biserial(x, y), expected, rel_tol=0, abs_tol=1e-15)


def test_rank_biserial_needs_values_in_both_samples():
    with pytest.raises(ValueError, match="both samples"):
        rank_biserial([], [1.0])


def test_rank_sum_of_first_by_merging_two_sorted_samples():
    from analysis.stats.shift import _rank_sum_of_first

    # pooled 1 1 1 2 4 4: average ranks 2 2 2 4 5.5 5.5; a = (1, 1, 4) has 2 + 2 + 5.5 = 9.5;
    # ties: three 1s (27 - 3 = 24) and two 4s (8 - 2 = 6): 30
    assert _rank_sum_of_first(np.array([1.0, 1.0, 4.0]), np.array([1.0, 2.0, 4.0])) == (9.5, 30.0)
    assert _rank_sum_of_first(np.array([]), np.array([3.0])) == (0.0, 0.0)


def test_bootstrap_drawn_once_per_process_for_the_same_arguments():
    # a second call with the same pairs, n_boot, seed and conf_level gives the same result without drawing
    # again (a fresh copy: changing it changes nothing later); another seed draws again
    from analysis.stats import shift

    x, y = [5.0, 8.0, 9.0, 12.0, 20.0], [2.0, 4.0, 4.0, 6.0, 7.0]
    shift._BOOTSTRAPS.clear()
    first = bootstrap_ratio_of_medians(x, y, n_boot=300, seed=4)
    first["lower"] = -1.0
    assert len(shift._BOOTSTRAPS) == 1
    again = bootstrap_ratio_of_medians(x, y, n_boot=300, seed=4)
    assert again["lower"] != -1.0 and len(shift._BOOTSTRAPS) == 1
    assert again == shift._bootstrap(np.array(x), np.array(y), 300, 4, 0.95, 1 << 18)
    bootstrap_ratio_of_medians(x, y, n_boot=300, seed=5)
    assert len(shift._BOOTSTRAPS) == 2
