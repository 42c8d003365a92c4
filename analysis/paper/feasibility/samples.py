"""What a paper says about one sample (size, printed quantiles, value domain) and the bounds it implies."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from analysis.paper.feasibility.quantile import quantile7, type7_position
from analysis.paper.feasibility.rounding import rounding_interval


@dataclass(frozen=True)
class Quartile:
    """A printed type-7 quantile: probability and the closed interval of its true value."""

    prob: Fraction
    lo: Fraction
    hi: Fraction
    label: str = ""


@dataclass(frozen=True)
class Sample:
    """What is known about one sample: its size, printed quantiles and the value domain.

    ``lower``/``upper`` bound every value (``lower=0`` for volumes and durations). ``integer``
    means the data are whole numbers (days).
    """

    n: int
    quartiles: tuple[Quartile, ...] = ()
    lower: Fraction | None = None
    upper: Fraction | None = None
    integer: bool = False
    name: str = ""


def sample_from_printed(n: int, printed: dict, *, lower=None, upper=None, integer=False, name="",
                        signs: dict | None = None) -> Sample:
    """Build a :class:`Sample` from printed quantiles, e.g. ``{"0.25": "35.6", "0.5": "43.9"}``."""
    qs = []
    for prob, text in printed.items():
        if text is None:
            continue
        sg = (signs or {}).get(prob, 1)
        lo, hi = rounding_interval(text, sg)
        qs.append(Quartile(Fraction(prob), lo, hi, f"Q{prob}={'-' if sg < 0 else ''}{text}"))
    return Sample(n, tuple(sorted(qs, key=lambda q: q.prob)),
                  None if lower is None else Fraction(lower), None if upper is None else Fraction(upper),
                  integer, name)


def value_box(samples: list[Sample]) -> tuple[float, float]:
    """The box of values the programme searches.

    With a lower bound of 0 (volumes, durations) the box loses no dataset: an interpolated pair
    ``(1 - g) x_j + g x_(j+1) <= hi`` with ``x_j >= 0`` keeps ``x_(j+1) <= hi / g``, and values that
    only need to respect the order can be moved inside the box. Without a lower bound (volume
    changes) the box is wide (several times the printed span divided by the smallest weight); the
    audit states it as an assumption.
    """
    los = [q.lo for s in samples for q in s.quartiles]
    his = [q.hi for s in samples for q in s.quartiles]
    gmin = Fraction(1)
    for s in samples:
        for q in s.quartiles:
            _, g = type7_position(s.n, q.prob)
            if g:
                gmin = min(gmin, g, 1 - g)
    span = (max(his) - min(los)) if los else Fraction(1)
    pad = (span + 1) / gmin * (1 + len(los))
    lows = [s.lower for s in samples if s.lower is not None]
    ups = [s.upper for s in samples if s.upper is not None]
    lb = min(lows) if len(lows) == len(samples) else (min(los) if los else 0) - pad
    ub = max(ups) if len(ups) == len(samples) else (max(his) if his else 0) + pad
    return float(lb), float(ub)


def var_bounds(s: Sample, lb: float, ub: float) -> list[tuple[float, float]]:
    """Per-position bounds implied by sortedness and the quantile intervals (tightens big-M)."""
    lo = [float(s.lower) if s.lower is not None else lb] * s.n
    hi = [float(s.upper) if s.upper is not None else ub] * s.n
    for q in s.quartiles:
        j, g = type7_position(s.n, q.prob)
        # x_j <= Q <= hi  and x_{j+1} >= Q >= lo (x_j when g == 0)
        for i in range(j):
            hi[i] = min(hi[i], float(q.hi))
        top = j if g == 0 else j + 1
        for i in range(top - 1, s.n):
            lo[i] = max(lo[i], float(q.lo))
    return list(zip(lo, hi))



def check_dataset(s: Sample, values) -> bool:
    """Exact check: do ``values`` (sorted or not) satisfy every constraint of ``s``?"""
    vals = sorted(values)
    if len(vals) != s.n:
        return False
    if s.lower is not None and vals[0] < s.lower:
        return False
    if s.upper is not None and vals[-1] > s.upper:
        return False
    if s.integer and any(Fraction(v).denominator != 1 for v in vals):
        return False
    for q in s.quartiles:
        qv = quantile7([Fraction(v) for v in vals], q.prob)
        if not (q.lo <= qv <= q.hi):
            return False
    return True



def position_bounds(s: Sample) -> list[tuple[float, float]]:
    """Simple bounds on each order statistic of ``s`` (sortedness plus each printed quantile)."""
    lb = float(s.lower) if s.lower is not None else -math.inf
    ub = float(s.upper) if s.upper is not None else math.inf
    return var_bounds(s, lb, ub)
