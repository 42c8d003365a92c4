"""Consistency audit of the publication: can all its printed numbers be true at once?

``run_audit()`` reads the paper's numbers through :func:`analysis.paper.published.load_published` (no
published number is written in this module) and runs nine kinds of check:

percent
    each printed percentage against its count, over the plausible denominators (whole cohort,
    group, subgroup, category total), rounding-aware (GRIM-style: ``k / n`` must round to it);
sum
    counts that must add up (subgroups, categories, response categories within a group);
agreement
    every number printed twice (abstract vs table vs text) and textual claims about table numbers;
order
    ``LQ <= Me <= UQ``, ``min <= mean <= max``, ranges, and signs the text states;
granularity
    quartiles of whole-day data must lie on the grid R's type-7 quantile allows for that n;
p_feasibility
    the exact range of the Mann-Whitney U (and so of p) over all datasets with the printed n,
    medians and quartiles (:mod:`analysis.paper.feasibility`, mixed-integer programme);
joint_quartiles
    one set of patients satisfying the group summaries and the subgroup summaries at once;
moments
    age mean, SD, minimum and maximum together (GRIM and SD bounds);
regression
    R² against n and the stated conclusion.

Verdicts are ``consistent``, ``inconsistent`` (no dataset can give the printed numbers; every
bound used is exact or conservative, and the explanation says which) or ``not checkable``.

``write_audit(out_dir)`` writes ``audit.csv`` and ``audit.md`` (a short reviewer's report).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

CHECKS = ("percent", "sum", "agreement", "order", "granularity", "p_feasibility", "joint_quartiles",
          "moments", "regression")
VERDICTS = ("consistent", "inconsistent", "not checkable")
COLUMNS = ["check", "where", "printed", "recomputed", "verdict", "explanation"]

GROUPS = ("group1", "group2")
SUBGROUPS = ("immediate", "after_chemo")
SUB_LABEL = {"immediate": "TACE immediately", "after_chemo": "TACE after chemotherapy"}
STAT_PROB = {"q1": "0.25", "median": "0.5", "q3": "0.75"}

# Families of counts that partition the cohort (structure only: the numbers come from the file).
PARTITIONS = {
    "t_stage": "T stage",
    "primary_site": "primary site",
    "dx_to_liver_mets": "time from diagnosis to liver metastases",
    "liver_mets_to_tace": "time from liver metastases to TACE",
    "liver_distribution": "liver distribution",
    "extrahepatic": "liver-only vs extrahepatic disease",
    "primary_resected": "primary resected",
}
RESPONSES = ("CR", "PR", "SD", "PD")


@dataclass
class Finding:
    check: str
    where: str
    printed: str
    recomputed: str
    verdict: str
    explanation: str

    def as_row(self) -> list[str]:
        return [self.check, self.where, self.printed, self.recomputed, self.verdict, self.explanation]


# ------------------------------------------------------------------------------------------------
# access to the published numbers
# ------------------------------------------------------------------------------------------------


class _Pub:
    """Look-ups into the published-values frame by row id."""

    def __init__(self, df: "pd.DataFrame"):
        self.df = df
        self.rows = {r["id"]: r for r in df.to_dict("records")}

    def has(self, rid: str) -> bool:
        return rid in self.rows

    def val(self, rid: str) -> float | None:
        r = self.rows.get(rid)
        return None if r is None else float(r["value"])

    def dec(self, rid: str) -> int:
        return int(self.rows[rid]["decimals"])

    def text(self, rid: str, value: float | None = None) -> str:
        """The number as printed (with the restored sign): value formatted with its decimals."""
        v = self.val(rid) if value is None else value
        return _fmt_num(v, self.dec(rid))

    def interval(self, rid: str, value: float | None = None) -> tuple[Fraction, Fraction]:
        from analysis.paper.feasibility import rounding_interval

        return rounding_interval(self.text(rid, value))

    def alt(self, rid: str) -> float | None:
        r = self.rows.get(rid)
        if r is None:
            return None
        a = r.get("alt_value")
        return None if a is None or (isinstance(a, float) and math.isnan(a)) or a == "" else float(a)

    def ids(self, prefix: str = "", suffix: str = "") -> list[str]:
        return [i for i in self.rows if i.startswith(prefix) and i.endswith(suffix)]

    def n(self, *parts: str) -> int | None:
        """A sample size printed under key ``n.<parts>`` (any section; the first one found)."""
        key = ".".join(("n",) + parts)
        for rid in sorted(self.rows):
            r = self.rows[rid]
            if r.get("key") == key or rid.split(":", 1)[-1] == key:
                return int(round(float(r["value"])))
        return None

    def cell(self, prefix: str) -> dict[str, str]:
        """Ids of the median / q1 / q3 printed under ``prefix`` (e.g. ``table2:before.group1``)."""
        out = {}
        for stat in ("q1", "median", "q3"):
            rid = f"{prefix}.{stat}"
            if rid in self.rows:
                out[stat] = rid
        return out


def _fmt_num(v: float, decimals: int) -> str:
    s = f"{v:.{decimals}f}"
    return "0" if s in ("-0", "-0.0") and decimals == 0 else s


def _fmt_p(p: float) -> str:
    if p >= 0.001:
        return f"{p:.4f}"
    return f"{p:.2e}"


def _me_iqr(pub: _Pub, cell: dict[str, str], values: dict[str, float] | None = None) -> str:
    v = values or {}
    parts = {k: pub.text(rid, v.get(k)) for k, rid in cell.items()}
    return f"{parts.get('median', '?')} [{parts.get('q1', '?')}; {parts.get('q3', '?')}]"


# ------------------------------------------------------------------------------------------------
# percent
# ------------------------------------------------------------------------------------------------


def _denominators(pub: _Pub, rid: str, family_total: int | None) -> list[tuple[str, int]]:
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


def check_percent(pub: _Pub) -> list[Finding]:
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


# ------------------------------------------------------------------------------------------------
# sum
# ------------------------------------------------------------------------------------------------


def _family(pub: _Pub, where: str, fam: str) -> dict[str, int]:
    out = {}
    pre = f"{where}:{fam}."
    for rid in sorted(pub.ids(prefix=pre, suffix=".n")):
        cat = rid[len(pre):-2]
        if "." not in cat:
            out[cat] = int(round(pub.val(rid)))
    return out


def _family_pct(pub: _Pub, where: str, fam: str) -> dict[str, tuple[float, int]]:
    out = {}
    pre = f"{where}:{fam}."
    for rid in sorted(pub.ids(prefix=pre, suffix=".pct")):
        cat = rid[len(pre):-4]
        if "." not in cat:
            out[cat] = (pub.val(rid), pub.dec(rid))
    return out


def check_sum(pub: _Pub) -> list[Finding]:
    out = []
    n_all = pub.n("patients")
    # subgroups add up to groups, groups to the cohort
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
    # categories partition the cohort
    for where in sorted({i.split(":")[0] for i in pub.rows}):
        for fam, label in PARTITIONS.items():
            cats = _family(pub, where, fam)
            if len(cats) < 2 or n_all is None:
                continue
            tot = sum(cats.values())
            shown = " + ".join(str(v) for v in cats.values())
            out.append(Finding("sum", f"{where} {fam}", f"{shown} vs {n_all}", str(tot),
                               "consistent" if tot == n_all else "inconsistent",
                               f"The {label} categories {'account for all' if tot == n_all else 'do not account for the'} "
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
                                   " + ".join(_fmt_num(v, d) for v, d in pcts.values()) + " vs 100",
                                   _fmt_num(s, max(d for _, d in pcts.values())),
                                   "consistent" if ok else "inconsistent",
                                   f"The {label} percentages sum to {s:g}, "
                                   f"{'within' if ok else 'outside'} the ±{slack:g} that rounding allows "
                                   f"(whether each fits its count is the percent check)."))
    # responses cannot exceed the group
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
        out.append(Finding("sum", "results RECIST all", f"{tot} responses vs {n_all} patients", str(tot), verdict, expl))
    # procedures
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
    if pub.has("results:lesions.target.n") and n_all is not None:
        t = int(pub.val("results:lesions.target.n"))
        cap = 5 * n_all
        out.append(Finding("sum", "results target lesions", f"{t} target lesions, {n_all} patients", f"at most {cap}",
                           "consistent" if t <= cap else "inconsistent",
                           f"RECIST 1.1 allows at most 5 target lesions per patient ({cap} for {n_all}); "
                           f"{t} {'fits' if t <= cap else 'exceeds that'} (the text does not say at how many exams)."))
    return out


# ------------------------------------------------------------------------------------------------
# agreement
# ------------------------------------------------------------------------------------------------


def check_agreement(pub: _Pub) -> list[Finding]:
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
                a, b = (_fmt_num(v, 0) for _, v in exact[:2])
                if sorted(a) == sorted(b):
                    expl += f" {a} and {b} have the same digits (a likely transposition; which is right is undecidable)."
        out.append(Finding("agreement", " vs ".join(sorted(wheres)) + f": {name}", printed,
                           f"difference {diff:g}" if exact else "", "consistent" if ok else "inconsistent", expl))
    # claimed fold increase of TTP vs the Table 3 medians
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
                               "consistent" if ok else "inconsistent",
                               f"Read as the ratio of the Table 3 medians, the {where} text's "
                               f"{pub.text(lo_id)}–{pub.text(hi_id)}-fold rise of TTP after TACE "
                               f"{'holds' if ok else 'fails'} for group {g[-1]} ({pub.val(a) / pub.val(b):.2f})"
                               f"{'' if ok else '; a median of per-patient ratios is not printed and cannot be checked'}."))
    return out


# ------------------------------------------------------------------------------------------------
# order
# ------------------------------------------------------------------------------------------------


def _cells(pub: _Pub) -> list[str]:
    prefixes = set()
    for rid in pub.rows:
        for stat in ("median", "q1", "q3"):
            if rid.endswith("." + stat):
                prefixes.add(rid[: -len(stat) - 1])
    return sorted(p for p in prefixes if len(pub.cell(p)) == 3)


def check_order(pub: _Pub) -> list[Finding]:
    out = []
    for pre in _cells(pub):
        c = pub.cell(pre)
        q1, me, q3 = (pub.val(c[s]) for s in ("q1", "median", "q3"))
        restored = any(pub.rows[c[s]].get("alt_value") not in (None, "") and pub.alt(c[s]) is not None
                       or "restored" in str(pub.rows[c[s]].get("note", "")).lower() for s in c)
        ok = q1 <= me <= q3
        readings = [f"{_fmt_num(me, pub.dec(c['median']))} [{_fmt_num(q1, pub.dec(c['q1']))}; "
                    f"{_fmt_num(q3, pub.dec(c['q3']))}]"]
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
                               f"The printed range {'runs' if ok else 'does not run'} from the smaller to the larger bound."))
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


# ------------------------------------------------------------------------------------------------
# granularity
# ------------------------------------------------------------------------------------------------


def _n_for(pub: _Pub, pre: str) -> tuple[int | None, str]:
    path = pre.split(":", 1)[1]
    parts = path.split(".")
    for g in GROUPS:
        if g in parts:
            for s in SUBGROUPS:
                if s in parts:
                    return pub.n(g, s), f"{g} {SUB_LABEL[s]}"
            return pub.n(g), g
    return None, ""


def check_granularity(pub: _Pub) -> list[Finding]:
    from analysis.paper.feasibility import grid_hits, integer_grid_step, type7_position

    out = []
    for pre in _cells(pub):
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


# ------------------------------------------------------------------------------------------------
# p_feasibility
# ------------------------------------------------------------------------------------------------


def _sample(pub: _Pub, pre: str, n: int, values: dict[str, float] | None = None):
    """A feasibility.Sample from the printed cell ``pre`` (values override for sign readings)."""
    from analysis.paper.feasibility import Quartile, Sample, rounding_interval

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


def _sign_readings(pub: _Pub, pre: str) -> list[dict[str, float]]:
    c = pub.cell(pre)
    out = [{}]
    for stat, rid in c.items():
        a = pub.alt(rid)
        if a is not None:
            out.append({stat: a})
    return out


def _p_comparisons(pub: _Pub) -> list[tuple[str, str, str, str, int, int]]:
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


def _p_check(pub: _Pub, rid: str, key: str, px: str, py: str, n1: int, n2: int,
             cache: dict) -> Finding:
    from analysis.paper.feasibility import (CONVENTIONS, max_tie_cluster, min_p_with_ties, p_interval, p_values,
                                      tie_p_example, u_attainable, u_range, u_values_for_p)

    printed_p = pub.text(rid)
    plo, phi = p_interval(printed_p)
    where = rid.split(":")[0]
    readings = [(rx, ry) for rx in _sign_readings(pub, px) for ry in _sign_readings(pub, py)]
    best = None
    summaries = []
    for rx, ry in readings:
        sx, sy = _sample(pub, px, n1, rx), _sample(pub, py, n2, ry)
        ck = (sx, sy)
        if ck not in cache:
            cache[ck] = u_range(sx, sy)
        ur = cache[ck]
        if ur.outer is None:
            summaries.append(("infeasible", rx, ry, ur, {}, None))
            continue
        umin, umax = ur.outer
        hits = {}
        for conv in CONVENTIONS:
            us = [u for u in u_values_for_p(n1, n2, conv, plo, phi) if umin <= u <= umax]
            if us:
                hits[conv] = us
        cert = None
        for conv, us in hits.items():
            mid = n1 * n2 / 2
            for u in sorted(us, key=lambda v: (abs(v - mid), v))[:3]:
                ck2 = (sx, sy, u)
                if ck2 not in cache:
                    cache[ck2] = u_attainable(sx, sy, u)
                sol = cache[ck2]
                if sol.status == "optimal":
                    cert = (conv, u)
                    break
            if cert:
                break
        summaries.append(("ok", rx, ry, ur, hits, cert))
        if hits and best is None:
            best = summaries[-1]
        if cert:
            best = summaries[-1]
            break
    mu = n1 * n2 / 2
    reading_note = ""
    first = summaries[0]
    ur = (best or first)[3]
    rx, ry = (best or first)[1], (best or first)[2]
    if rx or ry:
        reading_note = " (with the alternative sign reading " + ", ".join(
            f"{k} {pub.text(pub.cell(p)[k], v)}" for p, r in ((px, rx), (py, ry)) for k, v in r.items()) + ")"
    label = f"{where} {key}"
    if ur.outer is None:
        return Finding("p_feasibility", label, f"p = {printed_p}", "no dataset", "inconsistent",
                       "No dataset has the printed medians and quartiles at all (see joint/order checks).")
    umin, umax = ur.outer
    exact = "exact" if ur.exact else "conservative"
    prange = {}
    for conv in CONVENTIONS:
        pv = p_values(n1, n2, conv)
        ps = pv[umin:umax + 1]
        prange[conv] = (float(ps.min()), float(ps.max()))
    rec = (f"U in [{umin}, {umax}] ({exact}; n={n1} vs {n2}, mean {mu:g}); p in "
           f"[{_fmt_p(prange['R exact'][0])}, {_fmt_p(prange['R exact'][1])}] (R exact), "
           f"[{_fmt_p(prange['normal with continuity correction'][0])}, "
           f"{_fmt_p(prange['normal with continuity correction'][1])}] (normal+cc)")
    interp = (" Interpolated quartiles are modelled exactly with continuous values; ties are not "
              "allowed in the certified dataset but are in the conservative bound.")
    sx0, sy0 = _sample(pub, px, n1), _sample(pub, py, n2)
    if sx0.lower is None or sy0.lower is None:
        from analysis.paper.feasibility import value_box

        lb, ub = value_box([sx0, sy0])
        rec += f"; values assumed within [{lb:.0f}, {ub:.0f}]"
    if best is not None and best[5] is not None:
        conv, u = best[5]
        others = sorted(best[4])
        return Finding("p_feasibility", label, f"p = {printed_p}", rec, "consistent",
                       f"A dataset with these n, medians and quartiles and U = {u} gives p = {printed_p} under "
                       f"{conv} (conventions that can give it: {', '.join(others)}){reading_note}.")
    if best is not None:
        return Finding("p_feasibility", label, f"p = {printed_p}", rec, "consistent",
                       f"Within the conservative U range some U gives p = {printed_p} "
                       f"({', '.join(sorted(best[4]))}), though no explicit tie-free dataset was certified{reading_note}.")
    # no tie-free dataset gives the printed p: could tied values (R's tie-corrected normal rule)?
    dev_max = max(abs(umin - mu), abs(umax - mu))
    dev_min = 0.0 if umin <= mu <= umax else min(abs(umin - mu), abs(umax - mu))
    sx, sy = _sample(pub, px, n1), _sample(pub, py, n2)
    cluster = max_tie_cluster(sx) + max_tie_cluster(sy)
    pmin = min(v[0] for v in prange.values())
    pmax = max(v[1] for v in prange.values())
    lattice = (f"no U in [{umin}, {umax}] gives p = {printed_p} under R exact, normal with or without "
               f"continuity correction, or scipy auto")
    if phi < pmin:
        p_ties = min_p_with_ties(n1, n2, dev_max, cluster)
        if p_ties > phi:
            return Finding("p_feasibility", label, f"p = {printed_p}", rec, "inconsistent",
                           f"No dataset with n={n1} vs {n2} and the printed medians and quartiles can give "
                           f"p = {printed_p}: the most extreme U they allow gives p >= {_fmt_p(pmin)} under every "
                           f"convention, and even ties (at most {cluster} equal values) keep the tie-corrected "
                           f"p >= {_fmt_p(p_ties)} ({exact} U range{reading_note or ', all sign readings tried'}).")
        return Finding("p_feasibility", label, f"p = {printed_p}", rec, "not checkable",
                       f"Without ties {lattice} (p >= {_fmt_p(pmin)}); heavy ties (up to {cluster} equal values) "
                       f"could lower the tie-corrected p to {_fmt_p(p_ties)}, which the programme does not model.")
    if plo > pmax:
        from scipy.special import ndtr

        sd = math.sqrt(n1 * n2 * (n1 + n2 + 1) / 12)
        p_hi = float(min(1.0, 2 * ndtr(-max(0.0, dev_min - 1.0) / sd)))
        if p_hi < plo:
            return Finding("p_feasibility", label, f"p = {printed_p}", rec, "inconsistent",
                           f"No dataset with n={n1} vs {n2} and the printed medians and quartiles can give "
                           f"p = {printed_p}: U cannot come close enough to its mean ({lattice}; p <= {_fmt_p(p_hi)} "
                           f"even with ties, {exact} U range).")
    ex = tie_p_example(n1, n2, umin, umax, cluster, plo, phi)
    tie_txt = (f"; tied values could give it under R's tie-corrected normal approximation (e.g. U = {ex[0]:g} "
               f"with tie groups of {', '.join(str(t) for t in ex[1])}), which the programme does not certify"
               if ex else "; no simple tie pattern reaches it either, but ties are not modelled exhaustively")
    return Finding("p_feasibility", label, f"p = {printed_p}", rec, "not checkable",
                   f"The printed p lies inside the attainable range but off the tie-free lattice: {lattice}"
                   f"{tie_txt}.")


def check_p(pub: _Pub) -> list[Finding]:
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


# ------------------------------------------------------------------------------------------------
# joint quartiles
# ------------------------------------------------------------------------------------------------


def _collection(pub: _Pub, name: str, pre: str, members: tuple[int, ...], values=None):
    from analysis.paper.feasibility import Collection

    s = _sample(pub, pre, len(members), values)
    return Collection(name, members, s.quartiles)


def check_joint(pub: _Pub) -> list[Finding]:
    from analysis.paper.feasibility import joint_feasible, union_quantile_bounds

    out = []
    for g in GROUPS:
        na, nb = pub.n(g, "immediate"), pub.n(g, "after_chemo")
        pa, pb = f"table4:{g}.immediate.ttp", f"table4:{g}.after_chemo.ttp"
        if na is None or nb is None or len(pub.cell(pa)) < 3 or len(pub.cell(pb)) < 3:
            continue
        a = tuple(range(na))
        b = tuple(range(na, na + nb))
        sa, sb = _sample(pub, pa, na), _sample(pub, pb, nb)
        for src in ("table3", "abstract"):
            pg = f"{src}:table3.tace.{g}" if src == "abstract" else f"table3:tace.{g}"
            if len(pub.cell(pg)) < 3:
                continue
            if src == "abstract" and all(pub.text(pub.cell(pg)[k]) == pub.text(pub.cell(f"table3:tace.{g}")[k])
                                         for k in STAT_PROB if f"table3:tace.{g}" in _cells(pub)):
                continue
            cols = [_collection(pub, "a", pa, a), _collection(pub, "b", pb, b),
                    _collection(pub, "all", pg, a + b)]
            st_real, _ = joint_feasible(na + nb, [a, b], cols, lower=0, integer=False)
            st_int = st_real
            if st_real == "feasible":
                st_int, _ = joint_feasible(na + nb, [a, b], cols, lower=0, integer=True)
            printed = (f"{_me_iqr(pub, pub.cell(pg))} (n={na + nb}) = {_me_iqr(pub, pub.cell(pa))} (n={na}) + "
                       f"{_me_iqr(pub, pub.cell(pb))} (n={nb})")
            # a readable bound for the explanation
            why = []
            for stat in ("q1", "median", "q3"):
                lo, hi = union_quantile_bounds([sa, sb], STAT_PROB[stat])
                plo, phi = pub.interval(pub.cell(pg)[stat])
                if lo > float(phi) or hi < float(plo):
                    rng = (f"at least {_fmt_num(lo, 1)}" if hi == math.inf else
                           f"at most {_fmt_num(hi, 1)}" if lo == -math.inf else
                           f"between {_fmt_num(lo, 1)} and {_fmt_num(hi, 1)}")
                    why.append(f"the subgroup quartiles alone make the group {stat} {rng} days, "
                               f"so it cannot print as {pub.text(pub.cell(pg)[stat])}")
            if st_real == "infeasible":
                verdict, rec = "inconsistent", "no dataset (real or whole-day values)"
                expl = (f"No {na + nb} TTP values split {na} + {nb} can have both the group summary ({src}) and "
                        f"the two Table 4 subgroup summaries, taking Table 4's TTP as Table 3's TTP after TACE "
                        f"(mixed-integer programme, exact, ties allowed)" + (f": {why[0]}." if why else "."))
            elif st_int == "infeasible":
                verdict, rec = "inconsistent", "real values only, no whole-day dataset"
                expl = (f"Only non-integer day counts could satisfy the group summary ({src}) and the subgroup "
                        f"summaries together; TTP in whole days cannot (exact mixed-integer programme).")
            elif st_real == "feasible":
                verdict, rec = "consistent", "a whole-day dataset exists"
                expl = (f"Some {na + nb} whole-day TTP values split {na} + {nb} satisfy the group summary ({src}) and "
                        f"both subgroup summaries; assumes Table 4's TTP is the TTP after TACE of Table 3.")
            else:
                verdict, rec = "not checkable", st_real
                expl = f"The solver did not finish ({st_real})."
            out.append(Finding("joint_quartiles", f"{src} vs table4 TTP {g}", printed, rec, verdict, expl))
    # volumes: Table 2 (V0, V1) vs Table 4 (V1 - V0) per subgroup
    for g in GROUPS:
        na, nb = pub.n(g, "immediate"), pub.n(g, "after_chemo")
        p0, p1 = f"table2:before.{g}", f"table2:after.{g}"
        pa, pb = f"table4:{g}.immediate.volume_change", f"table4:{g}.after_chemo.volume_change"
        if None in (na, nb) or any(len(pub.cell(p)) < 3 for p in (p0, p1, pa, pb)):
            continue
        n = na + nb
        v0 = tuple(range(n))
        v1 = tuple(range(n, 2 * n))
        dv = tuple(range(2 * n, 3 * n))
        da, db = dv[:na], dv[na:]
        links = [(v0[t], v1[t], dv[t]) for t in range(n)]
        statuses = []
        for rx in _sign_readings(pub, pa):
            for ry in _sign_readings(pub, pb):
                cols = [_collection(pub, "v0", p0, v0), _collection(pub, "v1", p1, v1),
                        _collection(pub, "da", pa, da, rx), _collection(pub, "db", pb, db, ry)]
                st, _ = _joint_volumes(n, da, db, cols, links)
                statuses.append(st)
                if st == "feasible":
                    break
            if statuses[-1] == "feasible":
                break
        printed = (f"V0 {_me_iqr(pub, pub.cell(p0))}, V1 {_me_iqr(pub, pub.cell(p1))}; ΔV {_me_iqr(pub, pub.cell(pa))} "
                   f"(n={na}), {_me_iqr(pub, pub.cell(pb))} (n={nb})")
        if "feasible" in statuses:
            out.append(Finding("joint_quartiles", f"table2 vs table4 volumes {g}", printed, "a dataset exists",
                               "consistent",
                               f"Some {n} patients (V0 >= 0, V1 >= 0, ΔV = V1 − V0) have the Table 2 volume summaries "
                               f"and the Table 4 volume-change summaries at once; the link is weak (pairing unknown)."))
        elif all(s == "infeasible" for s in statuses):
            out.append(Finding("joint_quartiles", f"table2 vs table4 volumes {g}", printed, "no dataset",
                               "inconsistent",
                               f"No {n} patients can have the Table 2 volume summaries and the Table 4 volume-change "
                               f"summaries at once, under any sign reading (exact mixed-integer programme)."))
        else:
            out.append(Finding("joint_quartiles", f"table2 vs table4 volumes {g}", printed, "solver time limit",
                               "not checkable", "The solver did not settle the question within its time limit."))
    return out


def _joint_volumes(n, da, db, cols, links):
    from analysis.paper.feasibility import joint_feasible

    # V0 and V1 are unsorted per patient; ΔV is sorted within each subgroup
    return joint_feasible(3 * n, [da, db], cols, lower=None, integer=False, links=links,
                          nonneg=tuple(range(2 * n)), time_limit=3.0)


# ------------------------------------------------------------------------------------------------
# moments
# ------------------------------------------------------------------------------------------------


def check_moments(pub: _Pub) -> list[Finding]:
    from analysis.paper.feasibility import grim_sums, grimmer_feasible, sd_range_given_extremes

    out = []
    for rid in sorted(pub.ids(suffix=".mean")):
        pre = rid[:-5]
        sid, lid, hid = pre + ".sd", pre + ".min", pre + ".max"
        n = pub.n("patients")
        if n is None:
            continue
        mean_t = pub.text(rid)
        sums = grim_sums(mean_t, n)
        label = pre.replace(":", " ")
        if sums:
            out.append(Finding("moments", f"{label} mean (GRIM)", f"mean {mean_t}, n={n}",
                               f"totals {sums[0]}..{sums[-1]}", "consistent",
                               f"{n} whole numbers can have a mean that prints as {mean_t} (total {sums[0]})."))
        else:
            lo, hi = pub.interval(rid)
            below, above = math.floor(lo * n), math.ceil(hi * n)
            out.append(Finding("moments", f"{label} mean (GRIM)", f"mean {mean_t}, n={n}",
                               f"{below}/{n} = {below / n:.4f}; {above}/{n} = {above / n:.4f}", "inconsistent",
                               f"Assuming whole-year ages, no {n} integers have a mean that prints as {mean_t} "
                               f"(the nearest are {below / n:.{pub.dec(rid)}f} and {above / n:.{pub.dec(rid)}f}); "
                               f"ages with decimals would make this not checkable."))
        if pub.has(sid) and pub.has(lid) and pub.has(hid):
            m, s = pub.val(rid), pub.val(sid)
            lo, hi = pub.val(lid), pub.val(hid)
            sdlo, sdhi = sd_range_given_extremes(n, m, lo, hi)
            slo, shi = pub.interval(sid)
            ok = sdlo <= float(shi) and sdhi >= float(slo)
            grimmer = ""
            if sums and ok:
                good = [t for t in sums if grimmer_feasible(t, n, pub.text(sid))]
                grimmer = (f"; with whole-year ages an integer sum of squares fits ({len(good)} of {len(sums)} totals)"
                           if good else "; but no integer sum of squares fits (GRIMMER)")
            out.append(Finding("moments", f"{label} SD range", f"SD {pub.text(sid)}, mean {pub.text(rid)}, "
                               f"min {pub.text(lid)}, max {pub.text(hid)}, n={n}",
                               f"SD in [{sdlo:.2f}, {sdhi:.2f}]", "consistent" if ok else "inconsistent",
                               f"{n} values between {pub.text(lid)} and {pub.text(hid)} (each reached) with mean "
                               f"{pub.text(rid)} have an SD between {sdlo:.2f} and {sdhi:.2f}; "
                               f"{pub.text(sid)} {'fits' if ok else 'does not fit'}{grimmer}."))
    return out


# ------------------------------------------------------------------------------------------------
# regression
# ------------------------------------------------------------------------------------------------


def check_regression(pub: _Pub) -> list[Finding]:
    from analysis.paper.feasibility import regression_p_from_r2

    out = []
    alpha = pub.val("methods:alpha") if pub.has("methods:alpha") else 0.05
    for rid in sorted(pub.ids()):
        r = pub.rows[rid]
        if r["unit"] != "r2":
            continue
        g = next((x for x in GROUPS if x in rid), None)
        n = pub.n(g) if g else None
        if n is None:
            continue
        r2 = pub.val(rid)
        p = regression_p_from_r2(r2, n)
        other = [x for x in GROUPS if x != g][0]
        p_other = regression_p_from_r2(r2, pub.n(other)) if pub.n(other) else float("nan")
        n_sig = next((m for m in range(3, 10000) if regression_p_from_r2(r2, m) < alpha), None)
        ok = p >= alpha and p_other >= alpha
        out.append(Finding("regression", f"{rid.split(':')[0]} {g} R²", f"R² = {pub.text(rid)}",
                           f"p = {p:.3f} with n={n} (p = {p_other:.3f} with n={pub.n(other)})",
                           "consistent" if ok else "inconsistent",
                           f"F(1, n−2) = R²(n−2)/(1−R²) gives p = {p:.3f} for n={n} (fewer points if some doubling "
                           f"times are undefined), not significant for either group size (significance would need "
                           f"n >= {n_sig}); this supports 'no linear relationship', and 'weak linear dependence' "
                           f"only as a description of a non-significant R²."))
    return out


# ------------------------------------------------------------------------------------------------
# driver
# ------------------------------------------------------------------------------------------------


def run_audit(published: "pd.DataFrame | None" = None) -> "pd.DataFrame":
    """Run every check on the published numbers (default: :func:`analysis.paper.published.load_published`).

    Parameters
    ----------
    published : pandas.DataFrame, optional
        A frame with the columns of ``load_published()`` (at least id, key, value, unit, printed,
        decimals; note, relation and alt_value are optional). Tests pass small frames.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`, one row per check, in a fixed order (check kind, then generation order).
    """
    import pandas as pd

    if published is None:
        from analysis.paper.published import load_published

        published = load_published()
    df = published.copy()
    for col, default in (("key", ""), ("note", ""), ("relation", "="), ("alt_value", float("nan"))):
        if col not in df.columns:
            df[col] = default
    df["key"] = df["key"].fillna("").astype(str)
    pub = _Pub(df)
    findings: list[Finding] = []
    for fn in (check_percent, check_sum, check_agreement, check_order, check_granularity, check_p,
               check_joint, check_moments, check_regression):
        findings.extend(fn(pub))
    order = {c: i for i, c in enumerate(CHECKS)}
    findings = sorted(enumerate(findings), key=lambda t: (order[t[1].check], t[0]))
    return pd.DataFrame([f.as_row() for _, f in findings], columns=COLUMNS)


def audit_markdown(df: "pd.DataFrame") -> str:
    """The reviewer's report: a summary line, then one section (with a table) per check kind."""
    n = len(df)
    bad = int((df["verdict"] == "inconsistent").sum())
    nc = int((df["verdict"] == "not checkable").sum())
    lines = ["# Consistency audit of the published article", "",
             f"**{n} checks: {bad} inconsistent, {n - bad - nc} consistent, {nc} not checkable.**", "",
             "Every number comes from `data/published/published.csv`. A check is `inconsistent` only when no "
             "dataset can produce the printed numbers; bounds are exact unless the explanation says "
             "\"conservative\".", ""]
    titles = {
        "percent": "Percentages vs counts", "sum": "Counts that must add up",
        "agreement": "Numbers printed more than once", "order": "Order and signs",
        "granularity": "Granularity of quartiles", "p_feasibility": "Can the Mann-Whitney p-values arise?",
        "joint_quartiles": "Group vs subgroup summaries together", "moments": "Mean, SD, minimum and maximum",
        "regression": "R² and the stated conclusion",
    }
    for kind in CHECKS:
        sub = df[df["check"] == kind]
        if sub.empty:
            continue
        k_bad = int((sub["verdict"] == "inconsistent").sum())
        lines += [f"## {titles[kind]} (`{kind}`): {len(sub)} checks, {k_bad} inconsistent", "",
                  "| where | printed | recomputed | verdict | explanation |", "|---|---|---|---|---|"]
        for _, r in sub.iterrows():
            cells = [str(r[c]).replace("|", "\\|").replace("\n", " ") for c in
                     ("where", "printed", "recomputed", "verdict", "explanation")]
            if r["verdict"] == "inconsistent":
                cells[3] = "**inconsistent**"
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def write_audit(out_dir: str | Path, published: "pd.DataFrame | None" = None) -> "pd.DataFrame":
    """Run the audit and write ``out_dir/audit.csv`` and ``out_dir/audit.md``; print where."""
    from analysis.errors import UserError

    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"{out}: cannot create the output folder ({exc.strerror or exc})") from None
    df = run_audit(published)
    csv_path, md_path = out / "audit.csv", out / "audit.md"
    df.to_csv(csv_path, index=False, lineterminator="\n")
    md_path.write_text(audit_markdown(df) + "\n", encoding="utf-8")
    n_bad = int((df["verdict"] == "inconsistent").sum())
    print(f"wrote {csv_path} and {md_path} ({len(df)} checks, {n_bad} inconsistent)")
    return df
