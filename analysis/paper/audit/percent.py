"""Check kind ``percent``: each printed percentage against its count, over the plausible denominators."""

from __future__ import annotations

from analysis.paper.audit.core import GROUPS, SUB_LABEL, SUBGROUPS, Finding, Pub


def _denominators(pub: Pub, rid: str, family_total: int | None) -> list[tuple[str, int]]:
    """Plausible denominators for a percentage, most likely first, without repeated sizes."""
    cands: list[tuple[str, int]] = []
    path = rid.split(":", 1)[1]
    for g in GROUPS:
        if g in path:
            if pub.n(g) is not None:
                cands.append((f"group {g[-1]} size", pub.n(g)))
    if pub.n("patients") is not None:
        cands.append(("all patients", pub.n("patients")))
    if family_total is not None:
        cands.append(("category total", family_total))
    for g in GROUPS:
        if pub.n(g) is not None:
            cands.append((f"group {g[-1]} size", pub.n(g)))
    for g in GROUPS:
        for s in SUBGROUPS:
            if pub.n(g, s) is not None:
                cands.append((f"group {g[-1]} {SUB_LABEL[s]}", pub.n(g, s)))
    seen, out = set(), []
    for label, n in cands:
        if n and n not in seen:
            seen.add(n)
            out.append((label, n))
    return out


def check_percent(pub: Pub) -> list[Finding]:
    """Each printed percentage is its count over some plausible denominator, rounded as printed."""
    out = []
    for rid in sorted(pub.ids(suffix=".pct")):
        nid = rid[:-4] + ".n"
        if not pub.has(nid):
            continue
        k = int(round(pub.val(nid)))
        p = pub.val(rid)
        d = pub.dec(rid)
        half = 0.5 * 10 ** -d
        fam = rid[: rid[:-4].rfind(".")]
        members = [i for i in pub.ids(prefix=fam + ".", suffix=".n") if i.count(".") == nid.count(".")]
        fam_total = sum(int(round(pub.val(i))) for i in members) if len(members) > 1 else None
        cands = [(lab, n) for lab, n in _denominators(pub, rid, fam_total) if n >= k]
        fits = [(lab, n) for lab, n in cands if abs(100 * k / n - p) <= half + 1e-9]
        where = rid.split(":")[0]
        shown = f"{k} ({pub.text(rid)}%)"
        first_lab, first_n = cands[0] if cands else ("", 0)
        rec = "; ".join(f"{k}/{n} = {100 * k / n:.1f}%" for _, n in cands[:3])
        if fits:
            lab, n = fits[0]
            note = "" if (lab, n) == (first_lab, first_n) else f", not the {first_lab} of {first_n}"
            out.append(Finding("percent", f"{where} {rid.split(':')[1][:-4]}", shown, f"{k}/{n} = {100 * k / n:.1f}%",
                               "consistent",
                               f"{k} of {n} ({lab}{note}) rounds to the printed {pub.text(rid)}%."))
        else:
            five = [(lab, n) for lab, n in cands if round(100 * k / n / 5) * 5 == p]
            tail = (f"; only rounding to the nearest 5% with n={five[0][1]} would give it" if five else "")
            out.append(Finding("percent", f"{where} {rid.split(':')[1][:-4]}", shown, rec, "inconsistent",
                               f"No plausible denominator ({', '.join(str(n) for _, n in cands)}) turns {k} into "
                               f"{pub.text(rid)}% at the printed precision{tail}."))
    return out
