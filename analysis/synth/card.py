"""DATACARD.md of the synthetic cohort, generated from the written files (never typed by hand).

The "achieved" column is computed by the project's own pipeline: the folder is loaded with
:func:`analysis.data.load_dataset` and analysed with :func:`analysis.study.numbers.compute_numbers` (default
parameters: type-7 quartiles, R's wilcox.test rule). Counts that numbers.json has no key for (interval
categories, liver distribution, repeat procedures, adverse events) are counted from the loaded tables.
"""

from __future__ import annotations

import math
from pathlib import Path

from analysis.synth import targets as T

#: why a published number cannot be met (keys: numbers.json keys); filled in from the analysis of the
#: article's numbers, see also the audit (`python -m analysis audit`)
TTP_G1_CONFLICT = (
    "Table 3 and Table 4 cannot both hold for group 1 after TACE: Table 4 puts the immediate subgroup "
    "(n = 7) at Q1 344 and median 364, i.e. four values >= 364 and a fifth >= 344; the group Q3 of 15 "
    "values, (x11 + x12)/2 = 344, allows at most four values above 344, so x12 = 364 and x11 = 324 < 344, "
    "a contradiction (the audit's exact programme finds the subgroup quartiles force the group Q3 to at least "
    "353.5 days). One of the three numbers has to give; the search keeps the others")
REASONS = {
    "table3.tace.group1.q3": TTP_G1_CONFLICT,
    "table4.group1.immediate.ttp.q1": TTP_G1_CONFLICT,
    "table4.group1.immediate.ttp.median": TTP_G1_CONFLICT,
    "table2.after.p": (
        "impossible with the printed quartiles: the audit (p_feasibility, exact programme) finds p >= 0.030 "
        "under every convention for 15 vs 19 values with Table 2's group-1 and group-2 V1 quartiles"),
    "table2.before.p": (
        "the audit (p_feasibility) finds no tie-free dataset with Table 2's V0 quartiles giving p = 0.7511 under "
        "any convention (the value is off the lattice of attainable p); the search aims at it after every "
        "quartile and the R² are held and stops at a local optimum"),
    "table4.group2.ttp.p": (
        "the quartiles force ties (two after-chemotherapy TTP values of 304 days), so R uses the normal "
        "approximation; near |W - 45| = 25 it gives 0.0454 without further ties and 0.0500 at |W - 45| = 24.5, "
        "and 0.046 needs ties among six or more patients (the audit finds 0.046 off the tie-free lattice)"),
    "table4.group2.volume_change.p": (
        "the audit (p_feasibility) finds no tie-free dataset with Table 4's group-2 volume-change quartiles "
        "giving p = 0.046 (off the lattice of attainable p); the TTP reading is the other candidate for this p"),
    "table4.group1.volume_change.p": (
        "attainable in principle (the audit finds U = 6 with the printed quartiles) but not reached with the "
        "Table 2 quartiles and the R² also held; the TTP reading of this p (0.009) is met"),
    "table3.chemo.p": "p-values are aimed at after every quartile is pinned; see the audit's p_feasibility check",
    "table3.tace.p": "p-values are aimed at after every quartile is pinned; see the audit's p_feasibility check",
}
TABLE4_P = (
    "the article prints one p per group for Table 4 without saying whether it belongs to the volume change or "
    "to TTP; both readings are aimed at after the quartiles are pinned, and at most one of them needs to match")
GENERIC = "not reached by the seeded search together with the other targets (see the audit for feasibility)"


def _fmt(v, dec: int) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "not computable"
    if isinstance(v, int) and not isinstance(v, bool):
        return str(v)
    return f"{v:.{dec}f}"


def _met(a, value, dec) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return False
    return abs(float(a) - float(value)) < 0.5 * 10 ** (-dec) * (1 + 1e-9)


def _counts(ds) -> dict:
    """Counts with no numbers.json key, from the loaded tables."""
    p = ds.patients
    g2 = p[p["group"] == 2]["days_dx_to_liver_mets"]
    to_tace = p["days_liver_mets_to_tace"]
    proc = ds.procedures
    per = proc.groupby("patient_id").size()
    grp = p.set_index("patient_id")["group"]
    rep = per[per > 1]
    return {
        "liver_distribution.bilobar_multiple.n": int((p["liver_distribution"] == "bilobar_multiple").sum()),
        "liver_distribution.unilobar_multiple.n": int((p["liver_distribution"] == "unilobar_multiple").sum()),
        "liver_distribution.bilobar_single.n": int((p["liver_distribution"] == "bilobar_single").sum()),
        "extrahepatic.true.n": int(p["extrahepatic_disease"].sum()),
        "extrahepatic.false.n": int((~p["extrahepatic_disease"]).sum()),
        "primary_resected.true.n": int(p["primary_resected"].sum()),
        "primary_resected.false.n": int((~p["primary_resected"]).sum()),
        "dx_to_liver_mets.group1_immediately.n": int((p[p["group"] == 1]["days_dx_to_liver_mets"] == 0).sum()),
        "dx_to_liver_mets.lt_6_months.n": int(((g2 > 0) & (g2 <= 182)).sum()),
        "dx_to_liver_mets.6m_to_1_5y.n": int(((g2 > 182) & (g2 <= 547)).sum()),
        "dx_to_liver_mets.1_5y_to_6y.n": int(((g2 > 547) & (g2 <= 2191)).sum()),
        "liver_mets_to_tace.lt_2_weeks.n": int((to_tace < 14).sum()),
        "liver_mets_to_tace.gt_3_months.n": int((to_tace > 91).sum()),
        "repeat_tace.group1.n": int((grp.loc[rep.index] == 1).sum()),
        "repeat_tace.group2.n": int((grp.loc[rep.index] == 2).sum()),
        "adverse_events.n": int((proc["adverse_event_grade"].fillna(0) > 0).sum()),
    }


class _Rows:
    """The table of the data card: one row per targeted number, with its published and achieved value."""

    def __init__(self, pub):
        self.pub = pub
        self.rows = []  # (section, key, printed, where, achieved text, met, reason)

    def add(self, section, key, value, dec, achieved, printed, where, reason=None):
        """Append a row; a miss is shown with two more decimals so that it never looks like the published value."""
        met = _met(achieved, value, dec)
        shown = f"{float(value):.{dec}f}"
        show_dec = 0 if isinstance(achieved, int) else (dec if met else dec + 2)
        self.rows.append((section, key, shown, where, _fmt(achieved, show_dec),
                          met, "" if met else (reason or REASONS.get(key.split(" ")[0], GENERIC))))

    def published(self, pid):
        """(value, decimals, printed text, where) of a published id."""
        r = self.pub.loc[pid]
        return float(r["value"]), int(r["decimals"]), r["printed"], pid.split(":")[0]

    def add_published(self, section, key, pid, achieved, reason=None):
        """Append a count row whose published value is the row ``pid`` of the published values."""
        v, d, printed, where = self.published(pid)
        self.add(section, key, v, 0, achieved, printed, where, reason)

    def add_target(self, section, key, targets, prov, achieved, reason=None):
        """Append a row for a search target (value and decimals from ``targets``, provenance from ``prov``)."""
        v, d = targets[key]
        self.add(section, key, v, d, achieved, prov[key][1], prov[key][0].split(":")[0], reason)


def _count_rows(card: _Rows, nums: dict, extra: dict, targets: dict, prov: dict) -> None:
    """Counts of Figure 1, the Methods and Table 1, and the ages."""
    for key in ("n.patients", "n.group1", "n.group2", *T.SUBGROUP_KEYS):
        card.add_published("Figure 1", key, f"figure1:{key}", nums.get(key))
    card.add_published("Methods", "n.tace", "methods:n.tace", nums.get("n.tace"))
    for g in ("group1", "group2"):
        card.add_published("Methods", f"patients with repeat TACE, {g}", f"methods:repeat_tace.{g}.n",
                           extra[f"repeat_tace.{g}.n"])
    for name in ("liver_distribution.bilobar_multiple.n", "liver_distribution.unilobar_multiple.n",
                 "liver_distribution.bilobar_single.n", "extrahepatic.true.n", "extrahepatic.false.n",
                 "primary_resected.true.n", "primary_resected.false.n"):
        card.add_published("Methods", name, f"methods:{name}", extra[name])
    for s in ("T1", "T2", "T3", "T4"):
        key = f"table1.t_stage.{s}.n"
        card.add_published("Table 1", key, f"table1:t_stage.{s}.n", nums.get(key))
    for s in ("pancreas", "small_intestine", "lung", "prostate"):
        key = f"table1.primary_site.{s}.n"
        card.add_published("Table 1", key, f"table1:primary_site.{s}.n", nums.get(key))
    for name in ("dx_to_liver_mets.group1_immediately.n", "dx_to_liver_mets.lt_6_months.n",
                 "dx_to_liver_mets.6m_to_1_5y.n", "dx_to_liver_mets.1_5y_to_6y.n",
                 "liver_mets_to_tace.lt_2_weeks.n", "liver_mets_to_tace.gt_3_months.n"):
        card.add_published("Table 1", name, f"table1:{name}", extra[name])
    for key in T.AGE_KEYS:
        card.add_target("Table 1", key, targets, prov, nums.get(key))


def _statistic_rows(card: _Rows, nums: dict, targets: dict, prov: dict) -> None:
    """Quartiles of Tables 2-4, the p-values (with the test R would choose) and the R²."""
    tests = (nums.get("_meta") or {}).get("tests", {})
    for key in T.QUARTILE_KEYS:
        card.add_target(f"Table {key[5]}", key, targets, prov, nums.get(key))
    for key in T.P_KEYS:
        v, d = targets[key]
        reason = REASONS.get(key) or (TABLE4_P if key.startswith("table4.") else None)
        method = tests.get(key, {})
        how = method.get("method") if isinstance(method, dict) else None
        card.add("p-values", key + (f" ({how})" if how else ""), v, d, nums.get(key), prov[key][1],
                 prov[key][0].split(":")[0], reason)
    for key in T.R2_KEYS:
        card.add_target("R²", key, targets, prov, nums.get(key))


def _recist_rows(card: _Rows, nums: dict, extra: dict) -> None:
    """RECIST categories at the first follow-up (reading in analysis/synth/targets.py) and adverse events."""
    totals = {c: sum(int(nums.get(f"recist.{g}.{c}.n") or 0) for g in ("group1", "group2"))
              for c in ("CR", "PR", "SD", "PD")}
    reason = ("group 2's printed PR 12 + SD 10 = 22 exceed its 19 patients; the cohort keeps the printed "
              "totals over both groups (CR 1, PR 17, SD 15, PD 1) and group 1's CR and PR and group 2's PR "
              "(chosen reading in analysis/synth/targets.py)")
    for pid in sorted(i for i in card.pub.index if i.startswith("results:recist.") and i.endswith(".n")):
        key = pid.split(":", 1)[1]
        achieved = nums.get(key) if key in nums else totals.get(key.split(".")[1])
        card.add_published("RECIST", key, pid, achieved, reason)
    card.add("Adverse events", "procedures with an adverse event (CIRSE grade > 0)", 0, 0, extra["adverse_events.n"],
             "No adverse events were observed after TACE", "results")


INTRO = (
    "This folder is a synthetic, de-identified cohort of 34 invented patients (52 TACE procedures) "
    "reconstructed from the numbers published in the article on TACE with irinotecan-loaded microspheres "
    "for liver metastases of neuroendocrine tumours (2022). It follows the project's dataset contract "
    "(data/schema/datapackage.json: patients.csv, procedures.csv, imaging.csv, progression.csv; "
    "no lesions.csv: the article's 105 target and "
    "68 non-target foci are liver foci described only qualitatively, and 105 liver targets in 34 patients "
    "cannot be RECIST 1.1 targets, which allow at most 2 per organ; RECIST therefore uses the exam-level "
    "sums of diameters) and exists so that the "
    "whole analysis runs out of the box and a reader can see what data consistent with the paper look like. "
    "It is not the study's data, carries no information about any real person, and must never be cited "
    "as evidence about the treatment.")
HOW_MADE = (
    "`python -m analysis synthesize --out DIR --seed N` (package `analysis/synth/`). The published numbers "
    "are read from `data/published/published.csv` (tables preferred over text and abstract). A seeded "
    "simulated-annealing search works on the grid the files store (days as integers, volumes in 0.01 cm3, "
    "ages in 0.1 year): first it pins the order statistics that R's type-7 quartiles use, group and subgroup "
    "at once (time to progression after TACE and after chemotherapy for Tables 3-4, with seeded restarts; "
    "baseline volume V0, follow-up volume V1 and change V1 - V0 for Tables 2 and 4, starting from a solution "
    "of the project's exact joint-quartile programme, the mixed-integer programme the audit uses, which "
    "fixes how baselines pair with changes; annealing then moves it onto the 0.01 grid and removes ties). "
    "Then, with every met quartile held fixed, annealing and a coordinate descent move the free values and "
    "the exam-to-TACE and TACE-to-exam days towards the Mann-Whitney p-values and the published R² of "
    "V1 - V0 on the Schwartz doubling time. Ages are searched "
    "the same way against mean, SD, min and max. Everything else (exam schedule, chemotherapy and "
    "progression days, repeat TACE, liver volume, RECIST diameter sums, the categorical characteristics) is "
    "drawn with the same seeded generator under the realism rules below, with the published counts dealt "
    "out exactly. The files are then analysed by the project's own pipeline "
    "(`analysis.data.load_dataset` + `analysis.study.numbers.compute_numbers`, default parameters) to fill the "
    "table below.")


def _text(rows: list, seed: int) -> str:
    """The Markdown of the data card around the rows: intro, method, readings, realism rules, table, misses."""
    n_met = sum(r[5] for r in rows)
    lines = [
        "# SYNTHETIC DATA: not patient data. Every patient in this folder is invented.",
        "", INTRO, "", "## How it was made", "", HOW_MADE, "",
        f"- Seed: `{seed}` (the default `seed` parameter). Regenerate with "
        f"`python -m analysis synthesize --out data/synthetic --seed {seed}`; the output is byte-identical.",
        f"- Published numbers targeted: {len(rows)}; met at the printed precision: {n_met}; "
        f"not met: {len(rows) - n_met} (listed with the reason).",
        "", "## Readings chosen where the article is ambiguous or contradicts itself", "",
    ]
    lines += [f"- {r}" for r in T.READINGS]
    lines += ["", "## Realism rules", ""]
    lines += [f"- {r}" for r in T.REALISM]
    lines += [
        "", "## Published vs achieved", "",
        "Achieved = computed by the project's pipeline from these files. Met = equal at the printed precision.",
        "",
        "| section | number | published | printed in | achieved | met | reason if not met |",
        "|---|---|---|---|---|---|---|",
    ]
    for section, key, printed, where, ach, met, reason in rows:
        printed_s = str(printed).replace("|", "\\|")
        lines.append(f"| {section} | `{key}` | {printed_s} | {where} | {ach} | {'yes' if met else 'no'} | {reason} |")
    lines += ["", "## Not met", ""]
    unmet = [r for r in rows if not r[5]]
    if unmet:
        lines += [f"- `{r[1]}` ({r[3]}): published {r[2]}, achieved {r[4]}. {r[6]}." for r in unmet]
    else:
        lines.append("Every targeted number is met.")
    return "\n".join(lines) + "\n"


def datacard(out: Path, seed: int, targets: dict, counts: dict, prov: dict) -> str:
    """The DATACARD.md text of the cohort written in ``out``: every targeted number, published and achieved.

    Parameters
    ----------
    out : Path
        Folder holding the written cohort (loaded with :func:`analysis.data.load_dataset`).
    seed : int
        The seed the cohort was generated with (printed with the regeneration command).
    targets, counts, prov : dict
        What :func:`analysis.synth.cohort.load_targets` returns (``counts`` is not used: the card counts
        from the written files).

    Returns
    -------
    str
        Markdown, ending with a newline.
    """
    from analysis import params
    from analysis.data import load_dataset
    from analysis.study.numbers import compute_numbers
    from analysis.paper.published import load_published

    ds = load_dataset(out)
    nums = compute_numbers(ds, params.defaults())
    extra = _counts(ds)
    card = _Rows(load_published().set_index("id"))
    _count_rows(card, nums, extra, targets, prov)
    _statistic_rows(card, nums, targets, prov)
    _recist_rows(card, nums, extra)
    return _text(card.rows, seed)
