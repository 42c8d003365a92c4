"""Means and SDs of bounded data: GRIM, GRIMMER and the SD range given the extremes."""

from __future__ import annotations

import math
from fractions import Fraction

from analysis.paper.feasibility.rounding import rounding_interval


def grim_sums(mean_printed: str, n: int) -> list[int]:
    """Integer totals whose mean over ``n`` prints as ``mean_printed`` (empty = GRIM failure).

    Parameters
    ----------
    mean_printed : str
        The mean as printed, e.g. ``"48.3"``.
    n : int
        Number of (whole-number) values.

    Returns
    -------
    list of int
        Every total ``t`` with ``t / n`` inside the rounding interval of the printed mean; empty when
        no ``n`` integers can have that mean (the GRIM test fails).

    References
    ----------
    Brown & Heathers 2017, "The GRIM test: a simple technique detects numerous anomalies in the
    reporting of results in psychology", Soc. Psychol. Personal. Sci. 8:363-369.

    Examples
    --------
    >>> grim_sums("48.3", 34)          # 1641/34 = 48.26, 1643/34 = 48.32; 1640/34 = 48.24 is too low
    [1641, 1642, 1643]
    >>> grim_sums("5.19", 10)          # ten integers have a mean of the form k/10: 5.19 is impossible
    []
    """
    lo, hi = rounding_interval(mean_printed)
    return list(range(math.ceil(lo * n), math.floor(hi * n) + 1))


def sd_range_given_extremes(n: int, mean: float, vmin: float, vmax: float,
                            integer_total: int | None = None) -> tuple[float, float]:
    """Smallest and largest sample SD (n - 1 denominator) of ``n`` values in [vmin, vmax] with at
    least one value at each extreme and the given mean.

    Real values: the minimum puts every other value at the common mean of the rest; the maximum
    piles values on the two extremes with at most one value in between (the variance is convex).
    With ``integer_total`` the values are whole numbers summing to it (floor/ceil splits).
    """
    if integer_total is not None:
        total = integer_total
        rest_n, rest_total = n - 2, total - vmin - vmax
        # minimum: the rest as equal as possible
        q, r = divmod(int(rest_total), rest_n)
        vals_min = [vmin, vmax] + [q + 1] * r + [q] * (rest_n - r)
        # maximum: greedy on the extremes
        vals_max = [vmin, vmax]
        remaining = rest_total - vmin * rest_n
        k = int(remaining // (vmax - vmin))
        vals_max += [vmax] * k
        left = rest_n - k
        if left:
            vals_max += [vmin + (remaining - k * (vmax - vmin))] + [vmin] * (left - 1)
        return _sd(vals_min), _sd(vals_max)
    rest_n = n - 2
    rest_mean = (n * mean - vmin - vmax) / rest_n
    vals_min = [vmin, vmax] + [rest_mean] * rest_n
    remaining = n * mean - vmin - vmax - vmin * rest_n
    k = int(remaining // (vmax - vmin))
    vals_max = [vmin, vmax] + [vmax] * k
    left = rest_n - k
    if left:
        vals_max += [vmin + (remaining - k * (vmax - vmin))] + [vmin] * (left - 1)
    return _sd(vals_min), _sd(vals_max)


def _sd(vals) -> float:
    """Sample SD (n - 1 denominator)."""
    n = len(vals)
    m = sum(vals) / n
    return math.sqrt(sum((v - m) ** 2 for v in vals) / (n - 1))


def grimmer_feasible(total: int, n: int, sd_printed: str) -> bool:
    """Can ``n`` integers summing to ``total`` have an SD that prints as ``sd_printed``?

    The sum of squares is an integer with the parity of ``total`` and equals
    ``(n - 1) sd^2 + total^2 / n``. Reference: Anaya 2016, "The GRIMMER test", PeerJ Preprints 4:e2400.
    """
    lo, hi = rounding_interval(sd_printed)
    q_lo = (n - 1) * lo * lo + Fraction(total * total, n)
    q_hi = (n - 1) * hi * hi + Fraction(total * total, n)
    for q in range(math.ceil(q_lo), math.floor(q_hi) + 1):
        if q % 2 == total % 2:
            return True
    return False
