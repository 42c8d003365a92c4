"""Check kind ``p_feasibility``: can the printed Mann-Whitney p arise from the printed n, medians and quartiles?"""

from __future__ import annotations

import math
from dataclasses import dataclass

from analysis.paper.audit.cells import cell_sample, sign_readings
from analysis.paper.audit.core import GROUPS, SUBGROUPS, Finding, Pub, fmt_p
from analysis.paper.feasibility import (CONVENTIONS, max_tie_cluster, min_p_with_ties, p_interval, p_values,
                                        tie_p_example, u_attainable, u_range, u_values_for_p, value_box)


def _p_comparisons(pub: Pub) -> list[tuple[str, str, str, str, int, int]]:
    """(p row id, label, cell prefix x, cell prefix y, n1, n2) for every printed Mann-Whitney p."""
    comps = []
    for rid in sorted(pub.ids()):
        r = pub.rows[rid]
        if r["unit"] != "p" or (r.get("relation") or "=") != "=" or not r.get("key"):
            continue
        key = r["key"]
        where = rid.split(":")[0]
        parts = key.split(".")
        if parts[0] in ("table2", "table3") and len(parts) == 3:
            cands = []
            if where == "abstract":
                cands.append(("abstract", f"{parts[0]}.{parts[1]}"))
            cands.append((parts[0], parts[1]))
            for src, mid in cands:
                px, py = f"{src}:{mid}.group1", f"{src}:{mid}.group2"
                if len(pub.cell(px)) == 3 and len(pub.cell(py)) == 3:
                    break
            else:
                continue
            n1, n2 = pub.n("group1"), pub.n("group2")
            comps.append((rid, key, px, py, n1, n2))
            if parts[1] == "chemo":
                # Second reading: only the patients treated after progression on chemotherapy have a
                # chemotherapy TTP (the 'TACE immediately' patients had no chemotherapy before TACE).
                a1, a2 = pub.n("group1", "after_chemo"), pub.n("group2", "after_chemo")
                if a1 is not None and a2 is not None:
                    comps.append((rid, f"{key} [reading: after-chemotherapy subgroups only, n={a1} vs {a2}]",
                                  px, py, a1, a2))
        elif parts[0] == "table4" and len(parts) == 4:
            g, ep = parts[1], parts[2]
            px, py = f"table4:{g}.immediate.{ep}", f"table4:{g}.after_chemo.{ep}"
            if len(pub.cell(px)) == 3 and len(pub.cell(py)) == 3:
                comps.append((rid, key, px, py, pub.n(g, "immediate"), pub.n(g, "after_chemo")))
    return comps


@dataclass
class _PCase:
    """What every explanation of one printed p needs: where, the printed p and its interval, the sizes."""

    label: str
    printed_p: str
    plo: float
    phi: float
    n1: int
    n2: int
    rec: str = ""
    exact: str = ""
    reading_note: str = ""

    def finding(self, recomputed: str, verdict: str, explanation: str) -> Finding:
        """A ``p_feasibility`` finding for this p."""
        return Finding("p_feasibility", self.label, f"p = {self.printed_p}", recomputed, verdict, explanation)


def _p_check(pub: Pub, rid: str, key: str, px: str, py: str, n1: int, n2: int,
             cache: dict) -> Finding:
    """Is the printed p at ``rid`` attainable by some dataset with the cells ``px`` and ``py``?"""
    printed_p = pub.text(rid)
    plo, phi = p_interval(printed_p)
    case = _PCase(f"{rid.split(':')[0]} {key}", printed_p, plo, phi, n1, n2)
    best, first = _search_readings(pub, px, py, case, cache)
    ur, rx, ry = (best or first)[3], (best or first)[1], (best or first)[2]
    if rx or ry:
        case.reading_note = " (with the alternative sign reading " + ", ".join(
            f"{k} {pub.text(pub.cell(p)[k], v)}" for p, r in ((px, rx), (py, ry)) for k, v in r.items()) + ")"
    if ur.outer is None:
        return case.finding("no dataset", "inconsistent",
                            "No dataset has the printed medians and quartiles at all (see joint/order checks).")
    umin, umax = ur.outer
    case.exact = "exact" if ur.exact else "conservative"
    prange = {}
    for conv in CONVENTIONS:
        ps = p_values(n1, n2, conv)[umin:umax + 1]
        prange[conv] = (float(ps.min()), float(ps.max()))
    case.rec = (f"U in [{umin}, {umax}] ({case.exact}; n={n1} vs {n2}, mean {n1 * n2 / 2:g}); p in "
                f"[{fmt_p(prange['R exact'][0])}, {fmt_p(prange['R exact'][1])}] (R exact), "
                f"[{fmt_p(prange['normal with continuity correction'][0])}, "
                f"{fmt_p(prange['normal with continuity correction'][1])}] (normal+cc)")
    sx0, sy0 = cell_sample(pub, px, n1), cell_sample(pub, py, n2)
    if sx0.lower is None or sy0.lower is None:
        lb, ub = value_box([sx0, sy0])
        case.rec += f"; values assumed within [{lb:.0f}, {ub:.0f}]"
    if best is not None and best[5] is not None:
        conv, u = best[5]
        others = sorted(best[4])
        return case.finding(case.rec, "consistent",
                            f"A dataset with these n, medians and quartiles and U = {u} gives p = {printed_p} under "
                            f"{conv} (conventions that can give it: {', '.join(others)}){case.reading_note}.")
    if best is not None:
        return case.finding(case.rec, "consistent",
                            f"Within the conservative U range some U gives p = {printed_p} "
                            f"({', '.join(sorted(best[4]))}), though no explicit tie-free dataset was "
                            f"certified{case.reading_note}.")
    return _off_lattice(case, sx0, sy0, umin, umax, prange)


def _search_readings(pub: Pub, px: str, py: str, case: _PCase, cache: dict) -> tuple:
    """Try every sign reading: the U range, the U values giving the printed p, a certified dataset.

    Returns ``(best, first)``: the best reading's summary (None if no U gives the p) and the first one;
    a summary is ``(status, reading x, reading y, URange, {convention: U values}, (convention, U) or None)``.
    """
    n1, n2 = case.n1, case.n2
    best = None
    summaries = []
    for rx in sign_readings(pub, px):
        for ry in sign_readings(pub, py):
            sx, sy = cell_sample(pub, px, n1, rx), cell_sample(pub, py, n2, ry)
            if (sx, sy) not in cache:
                cache[(sx, sy)] = u_range(sx, sy)
            ur = cache[(sx, sy)]
            if ur.outer is None:
                summaries.append(("infeasible", rx, ry, ur, {}, None))
                continue
            umin, umax = ur.outer
            hits = {}
            for conv in CONVENTIONS:
                us = [u for u in u_values_for_p(n1, n2, conv, case.plo, case.phi) if umin <= u <= umax]
                if us:
                    hits[conv] = us
            cert = _certified_u(sx, sy, hits, cache)
            summaries.append(("ok", rx, ry, ur, hits, cert))
            if hits and best is None:
                best = summaries[-1]
            if cert:
                return summaries[-1], summaries[0]
    return best, summaries[0]


def _certified_u(sx, sy, hits: dict[str, list[int]], cache: dict) -> tuple[str, int] | None:
    """The first (convention, U) with an explicit tie-free dataset, trying the 3 U nearest the mean each."""
    mid = sx.n * sy.n / 2
    for conv, us in hits.items():
        for u in sorted(us, key=lambda v: (abs(v - mid), v))[:3]:
            if (sx, sy, u) not in cache:
                cache[(sx, sy, u)] = u_attainable(sx, sy, u)
            if cache[(sx, sy, u)].status == "optimal":
                return conv, u
    return None


def _off_lattice(case: _PCase, sx, sy, umin: int, umax: int, prange: dict) -> Finding:
    """No tie-free dataset gives the printed p: could tied values (R's tie-corrected normal rule)?"""
    n1, n2, printed_p, plo, phi = case.n1, case.n2, case.printed_p, case.plo, case.phi
    mu = n1 * n2 / 2
    dev_max = max(abs(umin - mu), abs(umax - mu))
    dev_min = 0.0 if umin <= mu <= umax else min(abs(umin - mu), abs(umax - mu))
    cluster = max_tie_cluster(sx) + max_tie_cluster(sy)
    pmin = min(v[0] for v in prange.values())
    pmax = max(v[1] for v in prange.values())
    lattice = (f"no U in [{umin}, {umax}] gives p = {printed_p} under R exact, normal with or without "
               f"continuity correction, or scipy auto")
    if phi < pmin:
        p_ties = min_p_with_ties(n1, n2, dev_max, cluster)
        if p_ties > phi:
            return case.finding(case.rec, "inconsistent",
                                f"No dataset with n={n1} vs {n2} and the printed medians and quartiles can give "
                                f"p = {printed_p}: the most extreme U they allow gives p >= {fmt_p(pmin)} under "
                                f"every convention, and even ties (at most {cluster} equal values) keep the "
                                f"tie-corrected p >= {fmt_p(p_ties)} ({case.exact} U range"
                                f"{case.reading_note or ', all sign readings tried'}).")
        return case.finding(case.rec, "not checkable",
                            f"Without ties {lattice} (p >= {fmt_p(pmin)}); heavy ties (up to {cluster} equal values) "
                            f"could lower the tie-corrected p to {fmt_p(p_ties)}, which the programme does not model.")
    if plo > pmax:
        from scipy.special import ndtr

        sd = math.sqrt(n1 * n2 * (n1 + n2 + 1) / 12)
        p_hi = float(min(1.0, 2 * ndtr(-max(0.0, dev_min - 1.0) / sd)))
        if p_hi < plo:
            return case.finding(case.rec, "inconsistent",
                                f"No dataset with n={n1} vs {n2} and the printed medians and quartiles can give "
                                f"p = {printed_p}: U cannot come close enough to its mean ({lattice}; "
                                f"p <= {fmt_p(p_hi)} even with ties, {case.exact} U range).")
    ex = tie_p_example(n1, n2, umin, umax, cluster, plo, phi)
    tie_txt = (f"; tied values could give it under R's tie-corrected normal approximation (e.g. U = {ex[0]:g} "
               f"with tie groups of {', '.join(str(t) for t in ex[1])}), which the programme does not certify"
               if ex else "; no simple tie pattern reaches it either, but ties are not modelled exhaustively")
    return case.finding(case.rec, "not checkable",
                        f"The printed p lies inside the attainable range but off the tie-free lattice: {lattice}"
                        f"{tie_txt}.")


def check_p(pub: Pub) -> list[Finding]:
    """Every printed Mann-Whitney p against the U range its cells allow (each distinct printing once)."""
    out = []
    cache: dict = {}
    groups: dict[tuple, list] = {}
    for rid, key, px, py, n1, n2 in _p_comparisons(pub):
        if n1 is None or n2 is None:
            continue
        sig = (key, pub.text(rid), n1, n2, tuple(pub.text(i) for i in pub.cell(px).values()),
               tuple(pub.text(i) for i in pub.cell(py).values()))
        groups.setdefault(sig, []).append((rid, key, px, py, n1, n2))
    for sig in sorted(groups, key=lambda s: (s[0], s[1])):
        items = groups[sig]
        rid, key, px, py, n1, n2 = items[0]
        f = _p_check(pub, rid, key, px, py, n1, n2, cache)
        srcs = sorted({i[0].split(":")[0] for i in items})
        f.where = f"{' + '.join(srcs)}: {key} (quartiles from {px.split(':')[0]})"
        out.append(f)
    # the remaining reading of the Table 4 p row: one p per endpoint with the groups pooled
    t4 = sorted(i for i in pub.ids(prefix="table4:") if pub.rows[i]["unit"] == "p")
    sizes = [pub.n(g, s) for s in SUBGROUPS for g in GROUPS]
    if t4 and None not in sizes:
        pooled = f"{sizes[0] + sizes[1]} vs {sizes[2] + sizes[3]}"
        shown = ", ".join(sorted({pub.text(i) for i in t4}))
        out.append(Finding("p_feasibility", "table4: pooled reading (volume change vs TTP, groups pooled)",
                           f"p = {shown}", "", "not checkable",
                           "If the two p compare TACE immediately vs after chemotherapy for the volume change and "
                           f"for TTP with both groups pooled ({pooled}), no pooled medians or quartiles are printed, "
                           "so the U range cannot be bounded."))
    return out
