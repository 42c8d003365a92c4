"""Check kind ``joint_quartiles``: one set of patients with the group and the subgroup summaries at once."""

from __future__ import annotations

import math

from analysis.paper.audit.cells import cell_sample, cells, collection, sign_readings
from analysis.paper.audit.core import GROUPS, READING, STAT_PROB, Finding, Pub, fmt_num, me_iqr
from analysis.paper.feasibility import joint_feasible, union_quantile_bounds


def check_joint(pub: Pub) -> list[Finding]:
    """Group and subgroup summaries together: Table 3 (or abstract) TTP vs Table 4, Table 2 vs Table 4 volumes."""
    out = []
    for g in GROUPS:
        out += _ttp_findings(pub, g)
    for g in GROUPS:
        f = _volume_finding(pub, g)
        if f is not None:
            out.append(f)
    return out


def _ttp_findings(pub: Pub, g: str) -> list[Finding]:
    """One group's TTP summary (Table 3, and the abstract where it differs) vs its two Table 4 subgroups."""
    na, nb = pub.n(g, "immediate"), pub.n(g, "after_chemo")
    pa, pb = f"table4:{g}.immediate.ttp", f"table4:{g}.after_chemo.ttp"
    if na is None or nb is None or len(pub.cell(pa)) < 3 or len(pub.cell(pb)) < 3:
        return []
    out = []
    a = tuple(range(na))
    b = tuple(range(na, na + nb))
    sa, sb = cell_sample(pub, pa, na), cell_sample(pub, pb, nb)
    for src in ("table3", "abstract"):
        pg = f"{src}:table3.tace.{g}" if src == "abstract" else f"table3:tace.{g}"
        if len(pub.cell(pg)) < 3:
            continue
        if src == "abstract" and all(pub.text(pub.cell(pg)[k]) == pub.text(pub.cell(f"table3:tace.{g}")[k])
                                     for k in STAT_PROB if f"table3:tace.{g}" in cells(pub)):
            continue
        cols = [collection(pub, "a", pa, a), collection(pub, "b", pb, b),
                collection(pub, "all", pg, a + b)]
        st_real, _ = joint_feasible(na + nb, [a, b], cols, lower=0, integer=False)
        st_int = st_real
        if st_real == "feasible":
            st_int, _ = joint_feasible(na + nb, [a, b], cols, lower=0, integer=True)
        printed = (f"{me_iqr(pub, pub.cell(pg))} (n={na + nb}) = {me_iqr(pub, pub.cell(pa))} (n={na}) + "
                   f"{me_iqr(pub, pub.cell(pb))} (n={nb})")
        why = _ttp_why(pub, sa, sb, pg)
        verdict, rec, expl = _ttp_verdict(st_real, st_int, na, nb, src, why)
        out.append(Finding("joint_quartiles", f"{src} vs table4 TTP {g}", printed, rec, verdict, expl))
    return out


def _ttp_why(pub: Pub, sa, sb, pg: str) -> list[str]:
    """A readable bound for the explanation: group quartiles the subgroup quartiles alone rule out."""
    why = []
    for stat in ("q1", "median", "q3"):
        lo, hi = union_quantile_bounds([sa, sb], STAT_PROB[stat])
        plo, phi = pub.interval(pub.cell(pg)[stat])
        if lo > float(phi) or hi < float(plo):
            rng = (f"at least {fmt_num(lo, 1)}" if hi == math.inf else
                   f"at most {fmt_num(hi, 1)}" if lo == -math.inf else
                   f"between {fmt_num(lo, 1)} and {fmt_num(hi, 1)}")
            why.append(f"the subgroup quartiles alone make the group {stat} {rng} days, "
                       f"so it cannot print as {pub.text(pub.cell(pg)[stat])}")
    return why


def _ttp_verdict(st_real: str, st_int: str, na: int, nb: int, src: str, why: list[str]) -> tuple[str, str, str]:
    """Verdict, recomputed text and explanation from the real-valued and whole-day solver statuses."""
    if st_real == "infeasible":
        return (READING, "no dataset (real or whole-day values)",
                f"Reading: Table 4's TTP is Table 3's TTP after TACE of the same {na + nb} patients. Then no "
                f"{na + nb} TTP values split {na} + {nb} can have both the group summary ({src}) and the two "
                f"Table 4 subgroup summaries (mixed-integer programme, exact, ties allowed)"
                + (f": {why[0]}." if why else ".") + " Table 4 names its TTP without saying after what.")
    if st_int == "infeasible":
        return (READING, "real values only, no whole-day dataset",
                f"Reading: Table 4's TTP is Table 3's TTP after TACE, in whole days. Then only non-integer day "
                f"counts could satisfy the group summary ({src}) and the subgroup summaries together "
                f"(exact mixed-integer programme).")
    if st_real == "feasible":
        return ("consistent", "a whole-day dataset exists",
                f"Some {na + nb} whole-day TTP values split {na} + {nb} satisfy the group summary ({src}) and "
                f"both subgroup summaries; assumes Table 4's TTP is the TTP after TACE of Table 3.")
    return "not checkable", st_real, f"The solver did not finish ({st_real})."


def _volume_finding(pub: Pub, g: str) -> Finding | None:
    """Table 2 (V0, V1) vs Table 4 (V1 - V0) for one group's two subgroups, under every sign reading."""
    na, nb = pub.n(g, "immediate"), pub.n(g, "after_chemo")
    p0, p1 = f"table2:before.{g}", f"table2:after.{g}"
    pa, pb = f"table4:{g}.immediate.volume_change", f"table4:{g}.after_chemo.volume_change"
    if None in (na, nb) or any(len(pub.cell(p)) < 3 for p in (p0, p1, pa, pb)):
        return None
    n = na + nb
    v0 = tuple(range(n))
    v1 = tuple(range(n, 2 * n))
    dv = tuple(range(2 * n, 3 * n))
    da, db = dv[:na], dv[na:]
    links = [(v0[t], v1[t], dv[t]) for t in range(n)]
    statuses = []
    for rx in sign_readings(pub, pa):
        for ry in sign_readings(pub, pb):
            cols = [collection(pub, "v0", p0, v0), collection(pub, "v1", p1, v1),
                    collection(pub, "da", pa, da, rx), collection(pub, "db", pb, db, ry)]
            st, _ = _joint_volumes(n, da, db, cols, links)
            statuses.append(st)
            if st == "feasible":
                break
        if statuses[-1] == "feasible":
            break
    printed = (f"V0 {me_iqr(pub, pub.cell(p0))}, V1 {me_iqr(pub, pub.cell(p1))}; ΔV {me_iqr(pub, pub.cell(pa))} "
               f"(n={na}), {me_iqr(pub, pub.cell(pb))} (n={nb})")
    where = f"table2 vs table4 volumes {g}"
    if "feasible" in statuses:
        return Finding("joint_quartiles", where, printed, "a dataset exists", "consistent",
                       f"Some {n} patients (V0 >= 0, V1 >= 0, ΔV = V1 − V0) have the Table 2 volume summaries "
                       f"and the Table 4 volume-change summaries at once; the link is weak (pairing unknown).")
    if all(s == "infeasible" for s in statuses):
        return Finding("joint_quartiles", where, printed, "no dataset", "inconsistent",
                       f"No {n} patients can have the Table 2 volume summaries and the Table 4 volume-change "
                       f"summaries at once, under any sign reading (exact mixed-integer programme).")
    return Finding("joint_quartiles", where, printed, "solver node limit", "not checkable",
                   "The solver did not settle the question within its node limit (a count, not a clock).")


def _joint_volumes(n, da, db, cols, links):
    """The volume programme: V0 and V1 unsorted per patient, ΔV = V1 - V0 sorted within each subgroup."""
    return joint_feasible(3 * n, [da, db], cols, lower=None, integer=False, links=links,
                          nonneg=tuple(range(2 * n)))
