"""R's type-7 quantile in exact arithmetic: positions, values and the grid whole numbers allow."""

from __future__ import annotations

import math
from fractions import Fraction


def type7_position(n: int, prob: Fraction | float | str) -> tuple[int, Fraction]:
    """Return ``(j, g)``: R's type-7 quantile at ``prob`` is ``x[j] + g (x[j+1] - x[j])``.

    ``j`` is 1-based (x[1] is the smallest value) and ``g`` in [0, 1) is exact: with
    ``h = (n - 1) prob``, ``j = floor(h) + 1`` and ``g = h - floor(h)``.

    Examples
    --------
    >>> type7_position(15, "0.25")      # h = 3.5: halfway between x[4] and x[5]
    (4, Fraction(1, 2))
    >>> type7_position(8, "0.75")       # h = 5.25
    (6, Fraction(1, 4))
    """
    p = Fraction(prob) if not isinstance(prob, float) else Fraction(str(prob))
    h = (n - 1) * p
    fl = math.floor(h)
    return fl + 1, h - fl


def quantile7(values, prob) -> Fraction | float:
    """Type-7 quantile of ``values`` (exact when the values are Fractions or ints)."""
    xs = sorted(values)
    j, g = type7_position(len(xs), prob)
    lo = xs[j - 1]
    if g == 0:
        return lo
    return lo + (xs[j] - lo) * (g if isinstance(lo, (int, Fraction)) else float(g))


def integer_grid_step(n: int, prob) -> Fraction:
    """Spacing of the values a type-7 quantile of ``n`` integers can take (1, 1/2 or 1/4 ...).

    ``x[j] + g (x[j+1] - x[j])`` with integers ``x`` takes exactly the multiples of
    ``1 / denominator(g)``.

    Examples
    --------
    >>> integer_grid_step(19, "0.25"), integer_grid_step(10, "0.25"), integer_grid_step(9, "0.5")
    (Fraction(1, 2), Fraction(1, 4), Fraction(1, 1))
    """
    _, g = type7_position(n, prob)
    return Fraction(1, g.denominator)


def grid_hits(lo: Fraction, hi: Fraction, step: Fraction) -> list[Fraction]:
    """Multiples of ``step`` inside the closed interval [lo, hi]."""
    k0 = math.ceil(lo / step)
    k1 = math.floor(hi / step)
    return [k * step for k in range(k0, k1 + 1)]
