"""Check kind ``order``: LQ <= Me <= UQ, min <= mean <= max, ranges, and the signs the text states."""

from __future__ import annotations

from analysis.paper.audit.cells import cells
from analysis.paper.audit.core import GROUPS, SUBGROUPS, Finding, Pub, fmt_num


def check_order(pub: Pub) -> list[Finding]:
    """LQ <= Me <= UQ, min <= mean <= max, ranges from the smaller bound, and the signs the text states."""
    out = []
    for pre in cells(pub):
        c = pub.cell(pre)
        q1, me, q3 = (pub.val(c[s]) for s in ("q1", "median", "q3"))
        restored = any(pub.rows[c[s]].get("alt_value") not in (None, "") and pub.alt(c[s]) is not None
                       or "restored" in str(pub.rows[c[s]].get("note", "")).lower() for s in c)
        ok = q1 <= me <= q3
        readings = [f"{fmt_num(me, pub.dec(c['median']))} [{fmt_num(q1, pub.dec(c['q1']))}; "
                    f"{fmt_num(q3, pub.dec(c['q3']))}]"]
        for s in c:
            a = pub.alt(c[s])
            if a is not None:
                vals = {"q1": q1, "median": me, "q3": q3, s: a}
                readings.append(f"alternative {s} {pub.text(c[s], a)}: "
                                f"{'ordered' if vals['q1'] <= vals['median'] <= vals['q3'] else 'not ordered'}")
        out.append(Finding("order", pre.replace(":", " "), pub.rows[c["median"]]["printed"], "; ".join(readings),
                           "consistent" if ok else "inconsistent",
                           ("LQ <= Me <= UQ holds" if ok else "LQ <= Me <= UQ fails")
                           + (" after restoring the minus signs lost in the text layer" if restored else "") + "."))
    # min <= mean <= max (age) and printed ranges
    for rid in sorted(pub.ids(suffix=".mean")):
        pre = rid[:-5]
        if pub.has(pre + ".min") and pub.has(pre + ".max"):
            lo, m, hi = pub.val(pre + ".min"), pub.val(rid), pub.val(pre + ".max")
            ok = lo <= m <= hi
            out.append(Finding("order", pre.replace(":", " "), f"min {pub.text(pre + '.min')}, mean {pub.text(rid)}, "
                               f"max {pub.text(pre + '.max')}", "", "consistent" if ok else "inconsistent",
                               f"The mean {'lies' if ok else 'does not lie'} between the minimum and the maximum."))
    for rid in sorted(pub.ids(suffix=".min")):
        pre = rid[:-4]
        if pub.has(pre + ".max") and not pub.has(pre + ".mean"):
            r1, r2 = pub.rows[rid], pub.rows[pre + ".max"]
            if r1["unit"] != r2["unit"]:
                continue
            ok = pub.val(rid) <= pub.val(pre + ".max")
            out.append(Finding("order", pre.replace(":", " "), f"{pub.text(rid)}–{pub.text(pre + '.max')} {r1['unit']}",
                               "", "consistent" if ok else "inconsistent",
                               f"The printed range {'runs' if ok else 'does not run'} "
                               "from the smaller to the larger bound."))
    # signs the text states: volumes fall after TACE
    for g in GROUPS:
        a, b = f"table2:after.{g}.median", f"table2:before.{g}.median"
        if pub.has(a) and pub.has(b):
            ok = pub.val(a) <= pub.val(b)
            out.append(Finding("order", f"table2 {g} before vs after", f"{pub.text(b)} -> {pub.text(a)} cm3",
                               f"{pub.val(a) - pub.val(b):+.2f} cm3", "consistent" if ok else "inconsistent",
                               f"The median total tumour volume {'falls' if ok else 'rises'} after TACE, "
                               f"{'as' if ok else 'against what'} the text describes."))
        for s in SUBGROUPS:
            m = f"table4:{g}.{s}.volume_change.median"
            if pub.has(m) and s == "immediate":
                ok = pub.val(m) < 0
                out.append(Finding("order", f"table4 {g} {s} volume change sign", pub.rows[m]["printed"],
                                   pub.text(m), "consistent" if ok else "inconsistent",
                                   "The restored negative median volume change matches the text's 'tumour volume "
                                   "reduction' (the sign itself is a restoration, see the published notes)."
                                   if ok else "A non-negative median volume change contradicts the stated reduction."))
    return out
