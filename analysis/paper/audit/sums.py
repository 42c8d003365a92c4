"""Check kind ``sum``: counts that must add up (subgroups, categories, responses, procedures, lesions)."""

from __future__ import annotations

from analysis.paper.audit.core import GROUPS, PARTITIONS, RESPONSES, SUBGROUPS, Finding, Pub, fmt_num


def _family(pub: Pub, where: str, fam: str) -> dict[str, int]:
    """Counts of one category family printed in one place: category -> n."""
    out = {}
    pre = f"{where}:{fam}."
    for rid in sorted(pub.ids(prefix=pre, suffix=".n")):
        cat = rid[len(pre):-2]
        if "." not in cat:
            out[cat] = int(round(pub.val(rid)))
    return out


def _family_pct(pub: Pub, where: str, fam: str) -> dict[str, tuple[float, int]]:
    """Percentages of one category family printed in one place: category -> (value, decimals)."""
    out = {}
    pre = f"{where}:{fam}."
    for rid in sorted(pub.ids(prefix=pre, suffix=".pct")):
        cat = rid[len(pre):-4]
        if "." not in cat:
            out[cat] = (pub.val(rid), pub.dec(rid))
    return out


def check_sum(pub: Pub) -> list[Finding]:
    """Counts that must add up: subgroups and groups, category families, responses, procedures, lesions."""
    n_all = pub.n("patients")
    return (_group_sums(pub, n_all) + _partition_sums(pub, n_all) + _response_sums(pub, n_all)
            + _procedure_sums(pub, n_all))


def _group_sums(pub: Pub, n_all: int | None) -> list[Finding]:
    """Subgroups add up to their group, the groups to the cohort."""
    out = []
    for g in GROUPS:
        ng = pub.n(g)
        parts = [pub.n(g, s) for s in SUBGROUPS]
        if ng is not None and None not in parts:
            tot = sum(parts)
            out.append(Finding("sum", f"figure1 {g}", f"{parts[0]} + {parts[1]} vs {ng}", str(tot),
                               "consistent" if tot == ng else "inconsistent",
                               f"The two {g} subgroups ({parts[0]} immediate, {parts[1]} after chemotherapy) "
                               f"{'add up' if tot == ng else 'do not add up'} to the group size {ng}."))
    if n_all is not None and pub.n("group1") is not None and pub.n("group2") is not None:
        tot = pub.n("group1") + pub.n("group2")
        out.append(Finding("sum", "figure1 groups", f"{pub.n('group1')} + {pub.n('group2')} vs {n_all}", str(tot),
                           "consistent" if tot == n_all else "inconsistent",
                           f"The two groups {'add up' if tot == n_all else 'do not add up'} to the {n_all} patients."))
    return out


def _partition_sums(pub: Pub, n_all: int | None) -> list[Finding]:
    """Categories (and their percentages) partition the cohort and group 2."""
    out = []
    for where in sorted({i.split(":")[0] for i in pub.rows}):
        for fam, label in PARTITIONS.items():
            cats = _family(pub, where, fam)
            if len(cats) < 2 or n_all is None:
                continue
            tot = sum(cats.values())
            shown = " + ".join(str(v) for v in cats.values())
            out.append(Finding("sum", f"{where} {fam}", f"{shown} vs {n_all}", str(tot),
                               "consistent" if tot == n_all else "inconsistent",
                               f"The {label} categories "
                               f"{'account for all' if tot == n_all else 'do not account for the'} "
                               f"{n_all} patients (sum {tot})."))
            g1 = {c: v for c, v in cats.items() if c.startswith("group1")}
            if g1 and pub.n("group2") is not None:
                rest = {c: v for c, v in cats.items() if c not in g1}
                t2 = sum(rest.values())
                n2 = pub.n("group2")
                out.append(Finding("sum", f"{where} {fam} (group 2 rows)",
                                   f"{' + '.join(str(v) for v in rest.values())} vs {n2}", str(t2),
                                   "consistent" if t2 == n2 else "inconsistent",
                                   f"The group 2 categories {'add up' if t2 == n2 else 'do not add up'} to the "
                                   f"group 2 size {n2} (sum {t2})."))
            pcts = _family_pct(pub, where, fam)
            if len(pcts) == len(cats) and pcts:
                s = sum(v for v, _ in pcts.values())
                slack = sum(0.5 * 10 ** -d for _, d in pcts.values())
                ok = abs(s - 100) <= slack + 1e-9
                out.append(Finding("sum", f"{where} {fam} percentages",
                                   " + ".join(fmt_num(v, d) for v, d in pcts.values()) + " vs 100",
                                   fmt_num(s, max(d for _, d in pcts.values())),
                                   "consistent" if ok else "inconsistent",
                                   f"The {label} percentages sum to {s:g}, "
                                   f"{'within' if ok else 'outside'} the ±{slack:g} that rounding allows "
                                   f"(whether each fits its count is the percent check)."))
    return out


def _response_sums(pub: Pub, n_all: int | None) -> list[Finding]:
    """RECIST responses cannot exceed their group, nor all of them the cohort."""
    out = []
    resp = {}
    for g in GROUPS:
        resp[g] = {r: int(round(pub.val(f"results:recist.{g}.{r}.n")))
                   for r in RESPONSES if pub.has(f"results:recist.{g}.{r}.n")}
    pd_any = int(round(pub.val("results:recist.PD.n"))) if pub.has("results:recist.PD.n") else 0
    for g in GROUPS:
        ng = pub.n(g)
        if not resp[g] or ng is None:
            continue
        tot = sum(resp[g].values())
        shown = " + ".join(f"{v} {r}" for r, v in resp[g].items())
        ok = tot <= ng
        out.append(Finding("sum", f"results RECIST {g}", f"{shown} vs {ng} patients", str(tot),
                           "consistent" if ok else "inconsistent",
                           f"Group {g[-1]} has {ng} patients and {tot} with a stated RECIST response"
                           f"{'' if ok else ', more than the group holds'}."))
    if n_all is not None and any(resp.values()):
        tot = sum(sum(r.values()) for r in resp.values()) + pd_any
        ok_total = tot <= n_all
        detail = []
        bad = False
        if tot == n_all:
            for g in GROUPS:
                ng = pub.n(g)
                lo, hi = sum(resp[g].values()), sum(resp[g].values()) + pd_any
                if ng is not None and not lo <= ng <= hi:
                    bad = True
                detail.append(f"{g} {lo}-{hi} vs {ng}")
        verdict = "inconsistent" if (not ok_total or bad) else "consistent"
        expl = (f"All {tot} responses (incl. {pd_any} progression of unstated group) account for exactly the "
                f"{n_all} patients, so each group's responses should equal its size, but they give "
                + ", ".join(detail) + "." if tot == n_all else
                f"The {tot} stated responses (incl. {pd_any} progression) {'fit within' if ok_total else 'exceed'} "
                f"the {n_all} patients.")
        out.append(Finding("sum", "results RECIST all", f"{tot} responses vs {n_all} patients", str(tot),
                           verdict, expl))
    return out


def _procedure_sums(pub: Pub, n_all: int | None) -> list[Finding]:
    """Repeat procedures fit the TACE count (target lesions vs RECIST 1.1: :mod:`.criteria`)."""
    out = []
    n_tace = pub.val("methods:n.tace") if pub.has("methods:n.tace") else pub.val("abstract:n.tace")
    rep = [pub.val(f"methods:repeat_tace.{g}.n") for g in GROUPS]
    if n_tace is not None and n_all is not None and None not in rep:
        extra = int(n_tace) - n_all
        need = int(sum(rep))
        ok = extra >= need and all(r <= (pub.n(g) or r) for r, g in zip(rep, GROUPS))
        out.append(Finding("sum", "methods procedures", f"{int(n_tace)} TACE, {n_all} patients, "
                                                       f"{int(rep[0])} + {int(rep[1])} with repeats",
                           f"{extra} repeat procedures for {need} patients", "consistent" if ok else "inconsistent",
                           f"{int(n_tace)} procedures in {n_all} patients leave {extra} repeat procedures, "
                           f"{'enough' if ok else 'too few'} for the {need} patients said to have repeats "
                           f"(at least one each; {2 * need} if each had two or more)."))
    return out
