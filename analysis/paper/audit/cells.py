"""Printed ``median [LQ; UQ]`` cells: where they are, their sign readings, and as feasibility samples."""

from __future__ import annotations

from fractions import Fraction

from analysis.paper.audit.core import STAT_PROB, Pub
from analysis.paper.feasibility import Collection, Quartile, Sample, rounding_interval


def cells(pub: Pub) -> list[str]:
    """Prefixes of every cell that prints a median, LQ and UQ, sorted."""
    prefixes = set()
    for rid in pub.rows:
        for stat in ("median", "q1", "q3"):
            if rid.endswith("." + stat):
                prefixes.add(rid[: -len(stat) - 1])
    return sorted(p for p in prefixes if len(pub.cell(p)) == 3)



def cell_sample(pub: Pub, pre: str, n: int, values: dict[str, float] | None = None):
    """A feasibility.Sample from the printed cell ``pre`` (values override for sign readings)."""
    c = pub.cell(pre)
    unit = pub.rows[c["median"]]["unit"]
    qs = []
    for stat, rid in c.items():
        v = (values or {}).get(stat, pub.val(rid))
        lo, hi = rounding_interval(pub.text(rid, v))
        qs.append(Quartile(Fraction(STAT_PROB[stat]), lo, hi, stat))
    qs.sort(key=lambda q: q.prob)
    if unit == "days":
        return Sample(n, tuple(qs), Fraction(0), None, True, pre)
    if "volume_change" in pre:
        return Sample(n, tuple(qs), None, None, False, pre)
    return Sample(n, tuple(qs), Fraction(0), None, False, pre)


def sign_readings(pub: Pub, pre: str) -> list[dict[str, float]]:
    """The cell's value overrides to try: none, then each printed alternative value alone."""
    c = pub.cell(pre)
    out = [{}]
    for stat, rid in c.items():
        a = pub.alt(rid)
        if a is not None:
            out.append({stat: a})
    return out



def collection(pub: Pub, name: str, pre: str, members: tuple[int, ...], values=None):
    """A feasibility.Collection over ``members`` with the cell's printed quartiles."""
    s = cell_sample(pub, pre, len(members), values)
    return Collection(name, members, s.quartiles)
