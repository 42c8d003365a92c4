"""Check kind ``percent``: each printed percentage against its count, over the plausible denominators."""

from __future__ import annotations

from analysis.paper.audit.core import GROUPS, SUB_LABEL, SUBGROUPS, TENSION, Finding, Pub


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


def count_percentages(pub: Pub) -> list[str]:
    """Ids of the printed percentages that stand beside a count (``<x>.pct`` with a ``<x>.n``)."""
    return [rid for rid in sorted(pub.ids(suffix=".pct")) if pub.has(rid[:-4] + ".n")]


def rounding_step(pub: Pub) -> tuple[int, str]:
    """The article's rounding convention for count percentages, detected from its own printed values.

    Parameters
    ----------
    pub : Pub
        The published values.

    Returns
    -------
    tuple of (int, str)
        The step in percentage points (5 when at least 90 % of the whole-number percentages printed beside a
        count, and at least 5 of them, are multiples of 5; otherwise 1) and a sentence saying why.

    Notes
    -----
    Rounded to the nearest 1 %, a percentage is a multiple of 5 one time in five; 23 of 24 (all but one)
    such printings is not chance. A printed value that is not a multiple of 5 (e.g. 3 %) was evidently not
    rounded to 5 and is read at 1 %.

    Examples
    --------
    >>> import pandas as pd
    >>> ids = [f"t:a{i}.{s}" for i in range(6) for s in ("n", "pct")]
    >>> df = pd.DataFrame({"id": ids, "value": [1, 5, 2, 10, 3, 10, 4, 15, 5, 15, 6, 20], "decimals": 0})
    >>> rounding_step(Pub(df))[0]
    5
    """
    pcts = [pub.val(r) for r in count_percentages(pub) if pub.dec(r) == 0]
    fives = sum(1 for v in pcts if round(v) % 5 == 0)
    if len(pcts) >= 5 and fives >= 0.9 * len(pcts):
        return 5, (f"{fives} of the {len(pcts)} percentages the article prints beside a count are multiples of 5 "
                   f"(one in five would be by chance): it rounds to the nearest 5 %")
    return 1, f"{fives} of {len(pcts)} printed count percentages are multiples of 5: no 5 % convention"


def _fits(k: int, n: int, p: float, half: float) -> bool:
    """Does ``k / n`` lie within ``half`` percentage points of ``p``?"""
    return abs(100 * k / n - p) <= half + 1e-9


def check_percent(pub: Pub) -> list[Finding]:
    """Each printed percentage is its count over some plausible denominator, rounded as printed or to the
    article's own convention (:func:`rounding_step`); a fit only with an unusual denominator is a tension."""
    step, _ = rounding_step(pub)
    out = []
    for rid in count_percentages(pub):
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
        conv = step > 1 and round(p) % step == 0 and d == 0
        fits = [(lab, n) for lab, n in cands if _fits(k, n, p, half)]
        fits5 = [(lab, n) for lab, n in cands if conv and not fits and _fits(k, n, p, step / 2)]
        where = f"{rid.split(':')[0]} {rid.split(':')[1][:-4]}"
        shown = f"{k} ({pub.text(rid)}%)"
        rec = "; ".join(f"{k}/{n} = {100 * k / n:.1f}%" for _, n in cands[:3])
        if fits or fits5:
            lab, n = (fits or fits5)[0]
            how = ("rounds to the printed" if fits else
                   f"rounds (to the nearest {step}%, the article's convention) to the printed")
            if (lab, n) == cands[0]:
                out.append(Finding("percent", where, shown, f"{k}/{n} = {100 * k / n:.1f}%", "consistent",
                                   f"{k} of {n} ({lab}) {how} {pub.text(rid)}%."))
            else:
                first = cands[0]
                out.append(Finding("percent", where, shown, f"{k}/{n} = {100 * k / n:.1f}%", TENSION,
                                   f"The percentage fits only if its denominator is {lab} ({n}), not the "
                                   f"{first[0]} ({first[1]}) the row is about: {k} of {n} {how} "
                                   f"{pub.text(rid)}%, while {k}/{first[1]} = {100 * k / first[1]:.1f}%."))
            continue
        tol = f"the article's nearest-{step}% convention" if conv else "the printed precision"
        out.append(Finding("percent", where, shown, rec, "inconsistent",
                           f"No plausible denominator ({', '.join(str(n) for _, n in cands)}) turns {k} into "
                           f"{pub.text(rid)}%, even rounded to {tol}."))
    return out
