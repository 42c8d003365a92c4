"""Check kind ``agreement``: numbers printed more than once, and textual claims about table numbers."""

from __future__ import annotations

from analysis.paper.audit.core import GROUPS, TENSION, Finding, Pub, fmt_num

_NO_RATIO = ("; it can still hold under another reading (e.g. the median of per-patient ratios, or the ratio of "
             "means), which the medians alone cannot refute")


def check_agreement(pub: Pub) -> list[Finding]:
    """Numbers printed more than once agree; the text's fold increase of TTP fits Table 3's medians."""
    return _repeated_numbers(pub) + _fold_increase(pub)


def _repeated_numbers(pub: Pub) -> list[Finding]:
    """Every number printed in two or more places (same key, or same label) has one value."""
    out = []
    groups: dict[str, list[str]] = {}
    for rid, r in pub.rows.items():
        k = r.get("key") or ""
        groups.setdefault((k if k else rid.split(":", 1)[1], ""), []).append(rid)
    for name, label in sorted(groups):
        ids = sorted(groups[(name, label)])
        wheres = {i.split(":")[0] for i in ids}
        if len(ids) < 2 or len(wheres) < 2:
            continue
        if not any(pub.rows[i].get("key") for i in ids):
            # unkeyed rows are the same number only if labelled alike or said to repeat each other
            labels = {str(pub.rows[i].get("quantity", "")) for i in ids}
            notes = " ".join(str(pub.rows[i].get("note", "")) for i in ids)
            if len(labels) > 1 and not any(i in notes for i in ids):
                continue
        vals = [(i, pub.val(i), pub.rows[i].get("relation", "=") or "=") for i in ids]
        exact = [(i, v) for i, v, rel in vals if rel == "="]
        bounds = [(i, v, rel) for i, v, rel in vals if rel != "="]
        ok = len({round(v, 10) for _, v in exact}) <= 1
        for _, b, rel in bounds:
            for _, v in exact:
                ok = ok and ((v < b) if rel == "<" else (v > b))
        printed = " / ".join(f"{i.split(':')[0]} {pub.text(i)}" if pub.rows[i].get('relation', '=') in ('=', '')
                             else f"{i.split(':')[0]} {pub.rows[i]['relation']}{pub.text(i)}" for i in ids)
        diff = (max(v for _, v in exact) - min(v for _, v in exact)) if exact else 0.0
        if ok:
            expl = f"{name} is printed {len(ids)} times ({', '.join(sorted(wheres))}) and the printings agree."
        else:
            expl = f"{name} is printed differently in {', '.join(sorted(wheres))}."
            if name.startswith("regression.") and name.endswith(".r2"):
                expl += " The Results text swaps the two groups' R² relative to the abstract."
            elif name.endswith(".q3") and exact:
                a, b = (fmt_num(v, 0) for _, v in exact[:2])
                if sorted(a) == sorted(b):
                    expl += (f" {a} and {b} have the same digits"
                             " (a likely transposition; which is right is undecidable).")
        verdict = "consistent" if ok else "inconsistent"
        unit = _one_unit_apart(pub, exact, bounds)
        if unit is not None:
            lo, hi = (fmt_num(v, pub.dec(exact[0][0])) for v in (min(v for _, v in exact), max(v for _, v in exact)))
            verdict = TENSION
            expl = (f"One true value gives both printings ({lo} and {hi}, one unit of the last digit apart) only "
                    f"if one was truncated (or rounded down) and the other rounded: a value in "
                    f"[{max(v for _, v in exact) - unit / 2:g}, {hi}) truncates to {lo} and rounds to {hi}. " + expl)
        out.append(Finding("agreement", " vs ".join(sorted(wheres)) + f": {name}", printed,
                           f"difference {diff:g}" if exact else "", verdict, expl))
    return out


def _one_unit_apart(pub: Pub, exact: list, bounds: list) -> float | None:
    """The unit of the last digit when two printed values (not counts, same decimals, no bound) differ by it."""
    if bounds or len({round(v, 10) for _, v in exact}) != 2:
        return None
    if any(str(pub.rows[i].get("unit", "")) == "count" for i, _ in exact):
        return None
    decs = {pub.dec(i) for i, _ in exact}
    if len(decs) != 1:
        return None
    unit = 10.0 ** -decs.pop()
    vs = [v for _, v in exact]
    return unit if abs(max(vs) - min(vs) - unit) < unit * 1e-6 else None


def _fold_increase(pub: Pub) -> list[Finding]:
    """The Results / Discussion 'x-y times' rise of TTP after TACE against the ratio of Table 3's medians."""
    out = []
    for where in ("results", "discussion"):
        lo_id, hi_id = f"{where}:ttp_ratio.min", f"{where}:ttp_ratio.max"
        if not (pub.has(lo_id) and pub.has(hi_id)):
            continue
        lo = float(pub.interval(lo_id)[0])
        hi = float(pub.interval(hi_id)[1])
        for g in GROUPS:
            a, b = f"table3:tace.{g}.median", f"table3:chemo.{g}.median"
            if not (pub.has(a) and pub.has(b)):
                continue
            ia, ib = pub.interval(a), pub.interval(b)
            rmin, rmax = float(ia[0] / ib[1]), float(ia[1] / ib[0])
            ok = rmax >= lo and rmin <= hi
            out.append(Finding("agreement", f"{where} fold increase vs table3 {g}",
                               f"{pub.text(lo_id)}–{pub.text(hi_id)} times; {pub.text(a)} vs {pub.text(b)} days",
                               f"{pub.val(a) / pub.val(b):.2f} (range {rmin:.2f}–{rmax:.2f})",
                               "consistent" if ok else TENSION,
                               f"Read as the ratio of the Table 3 medians, the {where} text's "
                               f"{pub.text(lo_id)}–{pub.text(hi_id)}-fold rise of TTP after TACE "
                               f"{'holds' if ok else 'fails'} for group {g[-1]} ({pub.val(a) / pub.val(b):.2f})"
                               f"{'' if ok else _NO_RATIO}."))
    return out
