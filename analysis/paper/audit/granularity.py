"""Check kind ``granularity``: quartiles of whole-day data must lie on the grid type-7 allows for n."""

from __future__ import annotations

from fractions import Fraction

from analysis.paper.audit.cells import cells
from analysis.paper.audit.core import GROUPS, STAT_PROB, SUB_LABEL, SUBGROUPS, Finding, Pub
from analysis.paper.feasibility import grid_hits, integer_grid_step, type7_position


def _n_for(pub: Pub, pre: str) -> tuple[int | None, str]:
    """The sample size and label of the (sub)group a cell describes; (None, '') when unknown."""
    path = pre.split(":", 1)[1]
    parts = path.split(".")
    for g in GROUPS:
        if g in parts:
            for s in SUBGROUPS:
                if s in parts:
                    return pub.n(g, s), f"{g} {SUB_LABEL[s]}"
            return pub.n(g), g
    return None, ""


def check_granularity(pub: Pub) -> list[Finding]:
    """Each quartile of whole-day data lies on the grid R's type-7 quantile allows for its n."""
    out = []
    for pre in cells(pub):
        n, who = _n_for(pub, pre)
        if n is None:
            continue
        c = pub.cell(pre)
        unit = pub.rows[c["median"]]["unit"]
        for stat in ("q1", "median", "q3"):
            rid = c[stat]
            j, g = type7_position(n, STAT_PROB[stat])
            pos = f"x[{j}]" if g == 0 else f"x[{j}] + {g}·(x[{j + 1}] − x[{j}])"
            lo, hi = pub.interval(rid)
            if unit == "days":
                step = integer_grid_step(n, STAT_PROB[stat])
                hits = grid_hits(lo, hi, step)
                ok = bool(hits)
                out.append(Finding("granularity", f"{pre.replace(':', ' ')}.{stat}", pub.text(rid),
                                   f"n={n}: {pos}, grid {step}", "consistent" if ok else "inconsistent",
                                   f"With n={n} ({who}) the type-7 {stat} is {pos}, so whole days give multiples of "
                                   f"{step}; {pub.text(rid)} {'is' if ok else 'is not'} reachable."))
            else:
                # precision of the raw volumes is not printed; say what a 0.1 cm3 precision would imply
                step = integer_grid_step(n, STAT_PROB[stat]) * Fraction(1, 10)
                ok01 = bool(grid_hits(lo, hi, step))
                cond = ("would also be reachable" if ok01 else "could not arise")
                out.append(Finding("granularity", f"{pre.replace(':', ' ')}.{stat}", pub.text(rid),
                                   f"n={n}: {pos}", "not checkable",
                                   f"The precision of the raw volumes is not stated (n={n}, {who}: {pos}); "
                                   f"if volumes were recorded to 0.1 cm3, {pub.text(rid)} {cond}."))
    return out
