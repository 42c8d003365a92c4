"""Conservative bounds for explanations and ties: union quantiles, tie clusters, tie-corrected p."""

from __future__ import annotations

import math

from analysis.paper.feasibility.quantile import type7_position
from analysis.paper.feasibility.samples import Sample, position_bounds


def union_quantile_bounds(subsamples: list[Sample], prob) -> tuple[float, float]:
    """Conservative bounds on a type-7 quantile of the union of ``subsamples``.

    The k-th largest value of a union is at least the k-th largest of any part, and the k-th
    smallest is at most the k-th smallest of any part; each part's order statistics are bounded by
    :func:`position_bounds`. Used to explain an infeasibility in words (the solver proves it).
    """
    n = sum(s.n for s in subsamples)
    j, g = type7_position(n, prob)

    def stat_bounds(r: int) -> tuple[float, float]:
        """Bounds on the r-th smallest value of the union."""
        lo, hi = -math.inf, math.inf
        for s in subsamples:
            pb = position_bounds(s)
            r_lo = r - (n - s.n)          # x_(r) >= s_(r - (n - m))
            if r_lo >= 1:
                lo = max(lo, pb[r_lo - 1][0])
            if r <= s.n:                  # x_(r) <= s_(r)
                hi = min(hi, pb[r - 1][1])
        return lo, hi

    lo_j, hi_j = stat_bounds(j)
    if g == 0:
        return lo_j, hi_j
    lo_k, hi_k = stat_bounds(j + 1)
    gf = float(g)
    return (1 - gf) * lo_j + gf * lo_k, (1 - gf) * hi_j + gf * hi_k


def max_tie_cluster(s: Sample) -> int:
    """Upper bound on how many values of ``s`` can be equal (positions whose bounds share a point)."""
    pb = position_bounds(s)
    best = 1
    for i in range(s.n):
        for k in range(i, s.n):
            if max(b[0] for b in pb[i:k + 1]) <= min(b[1] for b in pb[i:k + 1]):
                best = max(best, k - i + 1)
    return best


def min_p_with_ties(n1: int, n2: int, max_dev: float, max_cluster: int) -> float:
    """Smallest two-sided normal-approximation p (tie-corrected, no continuity correction) for
    ``|U - n1 n2 / 2| <= max_dev`` when no tie group exceeds ``max_cluster`` values.

    The tie correction lowers the variance by ``sum(t^3 - t) / (N (N - 1))``; its largest value
    with groups of at most ``max_cluster`` among N values puts as many full groups as possible.
    Conservative: a smaller p is impossible however the ties fall.
    """
    from scipy.special import ndtr

    n = n1 + n2
    t = max(1, min(max_cluster, n))
    full, rest = divmod(n, t)
    tie = full * (t ** 3 - t) + (rest ** 3 - rest)
    var = n1 * n2 / 12 * ((n + 1) - tie / (n * (n - 1)))
    if var <= 0 or max_dev <= 0:
        return 0.0 if max_dev > 0 else 1.0
    return float(min(1.0, 2 * ndtr(-max_dev / math.sqrt(var))))


def tie_p_example(n1: int, n2: int, umin: float, umax: float, max_cluster: int, lo: float, hi: float,
                  max_groups: int = 3):
    """Search tie patterns that would let the tie-corrected normal approximation (R's rule when there
    are ties) give a p in [lo, hi] with U (now in steps of 1/2) in [umin, umax].

    Returns ``(U, tie group sizes, correction)`` for the pattern with the fewest tied values, or
    None. A hit shows only that ties *could* explain a p the tie-free lattice misses; it is not a
    certified dataset (the quartile constraints are not re-checked with ties).
    """
    from itertools import combinations_with_replacement

    from scipy.special import ndtr

    n = n1 + n2
    mu = n1 * n2 / 2
    patterns = [()]
    for k in range(1, max_groups + 1):
        patterns += [c for c in combinations_with_replacement(range(2, max(2, max_cluster) + 1), k) if sum(c) <= n]
    patterns.sort(key=lambda c: (sum(c), c))
    us = [umin + k / 2 for k in range(int(round(2 * (umax - umin))) + 1)]
    for pat in patterns:
        tie = sum(t ** 3 - t for t in pat)
        var = n1 * n2 / 12 * ((n + 1) - tie / (n * (n - 1)))
        if var <= 0:
            continue
        sd = math.sqrt(var)
        for corr in (0.5, 0.0):
            for u in sorted(us, key=lambda v: (abs(v - mu), v)):
                d = abs(u - mu)
                d = max(0.0, d - corr) if d > 0 else 0.0
                p = min(1.0, float(2 * ndtr(-d / sd)))
                if lo <= p <= hi:
                    return u, pat, corr
    return None
