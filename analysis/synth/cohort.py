"""The bundled synthetic cohort: patient-level data reconstructed from the article's published aggregates.

It is NOT patient data. ``synthesize(out_dir, seed)`` (``python -m analysis synthesize --out DIR``)
writes a complete DESIGN §3 dataset (patients, procedures, imaging, progression; datapackage.json with
``"synthetic": true``) and its DATACARD.md. ``data/synthetic/`` is exactly its output with the default
seed (:data:`DEFAULT_SEED` = the ``seed`` parameter of :mod:`analysis.params`).

How it is made
--------------
1. The targets are read from :func:`analysis.paper.published.load_published` (tables preferred over text and
   abstract; the readings chosen where the article is ambiguous are in :mod:`analysis.synth.targets`).
2. Three seeded searches (:mod:`analysis.synth.build`, :mod:`analysis.synth.search`) find
   per-patient values on the grid the CSV stores (days as integers, volumes in 0.01 cm³, ages in 0.1
   year): (a) TTP after TACE and after chemotherapy against Tables 3 and 4 (group and subgroup type-7
   quartiles at once) and then the Mann-Whitney p-values; (b) V0, V1 and the exam-to-TACE / TACE-to-exam
   days against Table 2 (group quartiles) and Table 4 (subgroup quartiles of V1 - V0), starting from a
   solution of the project's exact joint-quartile programme (:func:`analysis.paper.feasibility.joint_feasible`,
   the one the audit uses) and annealed onto the 0.01 grid without ties, then the p-values and the R² of
   V1 - V0 on the Schwartz doubling time (coordinate descent); (c) ages against mean, SD, min and max.
3. Everything else is drawn with the same seeded generator under realism rules (exam schedule every
   10-15 weeks, baseline exam before TACE, first follow-up about 8 weeks after, progression on an exam
   day, repeat TACE after progression, tumour below liver volume) and the categorical counts of
   Figure 1, Table 1 and the Methods text are dealt out exactly.
4. The written files are re-read by the project's own pipeline (:func:`analysis.data.load_dataset`,
   :func:`analysis.study.numbers.compute_numbers`) and DATACARD.md lists every targeted number: published,
   achieved, met at the printed precision or not, and why not.
"""

from __future__ import annotations

import json
import math
import random
import sys
import time
from pathlib import Path

from analysis.synth import targets as T
from analysis.errors import UserError

PATIENT_COLUMNS = ("patient_id", "group", "tace_timing", "age_at_tace", "sex", "primary_site", "t_stage",
                   "primary_resected", "liver_distribution", "extrahepatic_disease", "days_dx_to_liver_mets",
                   "days_liver_mets_to_tace")
PROCEDURE_COLUMNS = ("patient_id", "tace_number", "day", "drug", "dose_mg", "bead_min_um", "bead_max_um",
                     "adverse_event_grade")
IMAGING_COLUMNS = ("patient_id", "day", "modality", "tumor_volume_cm3", "liver_volume_cm3", "sum_diameters_mm",
                   "new_lesions", "nontarget_status")
PROGRESSION_COLUMNS = ("patient_id", "setting", "start_day", "end_day", "progressed")
FILES = ("patients.csv", "procedures.csv", "imaging.csv", "progression.csv", "datapackage.json", "DATACARD.md")

# search effort (iterations); fixed so that the output is deterministic for a seed
ITER_TTP = 60_000
ITER_VOL = 60_000
ITER_AGE = 15_000
RESTARTS_TTP = 4
RESTARTS_VOL = 16
ANNEAL = {"t0": 30.0, "w1": 30.0}
ITER_SPREAD = 25_000
ITER_R2 = 15_000
ROUNDS_R2 = 4
ROUNDS_R2_POLISH = 10
ROUNDS_P = 5
ITER_P = 30_000
AFTER_PULL_R2 = 1.0  # Table 2's after-TACE p pulls normally once the other p-values are held
HOLD_P = ("table2.before.p", "table4.group1.volume_change.p", "table4.group2.volume_change.p")
ITER_P_TTP = 20_000


def default_seed() -> int:
    from analysis.params import PARAMS

    return int(PARAMS["seed"].default)


DEFAULT_SEED = 20221027  # equals analysis.params PARAMS["seed"].default (checked by the tests)


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------- targets

def _published_rows():
    """Rows of data/published/published.csv as dicts (via analysis.paper.published)."""
    from analysis.paper.published import load_published

    df = load_published()
    return df.to_dict("records")


def load_targets() -> tuple[dict, dict, dict]:
    """(targets, categorical counts, provenance) read from the published values.

    ``targets`` maps a DESIGN §7 key to (value, decimals); ``counts`` maps a published id (without the
    section prefix where unambiguous) to an integer; ``provenance`` maps a key to (id, printed text).
    """
    rows = _published_rows()
    by_key: dict[str, list] = {}
    by_id = {r["id"]: r for r in rows}
    for r in rows:
        if r["key"]:
            by_key.setdefault(r["key"], []).append(r)
    targets, prov = {}, {}
    for key in T.QUARTILE_KEYS + T.P_KEYS + T.R2_KEYS + T.AGE_KEYS:
        cands = by_key.get(key, [])
        pref = T.R2_PREFERENCE if key in T.R2_KEYS else T.WHERE_PREFERENCE
        cands = sorted(cands, key=lambda r: (pref.index(r["where"]) if r["where"] in pref else 99, r["id"]))
        if not cands:
            raise UserError(f"data/published/published.csv: no row with key {key}; the synthetic cohort needs it")
        r = cands[0]
        targets[key] = (float(r["value"]), int(r["decimals"]))
        prov[key] = (r["id"], r["printed"])

    def count(*ids):
        for i in ids:
            if i in by_id:
                return int(round(float(by_id[i]["value"])))
        raise KeyError(ids)

    counts = {
        "subgroups": tuple(count(f"figure1:{k}") for k in T.SUBGROUP_KEYS),
        "n.tace": count("methods:n.tace", "abstract:n.tace"),
        "repeat.group1": count("methods:repeat_tace.group1.n"),
        "repeat.group2": count("methods:repeat_tace.group2.n"),
        "t_stage": {s: count(f"table1:t_stage.{s}.n") for s in ("T1", "T2", "T3", "T4")},
        "primary_site": {s: count(f"table1:primary_site.{s}.n")
                         for s in ("pancreas", "small_intestine", "lung", "prostate")},
        "liver_distribution": {s: count(f"methods:liver_distribution.{s}.n")
                               for s in ("bilobar_multiple", "unilobar_multiple", "bilobar_single")},
        "extrahepatic": count("methods:extrahepatic.true.n"),
        "primary_resected": count("methods:primary_resected.true.n"),
        "dx_to_mets": {s: count(f"table1:dx_to_liver_mets.{s}.n") for s in ("lt_6_months", "6m_to_1_5y",
                                                                             "1_5y_to_6y")},
        "mets_to_tace_short": count("table1:liver_mets_to_tace.lt_2_weeks.n"),
        "mets_to_tace_long": count("table1:liver_mets_to_tace.gt_3_months.n"),
    }
    return targets, counts, prov


# ---------------------------------------------------------------------------------------------- search

def _multi_start(make, init, rng, iters, restarts, good_enough=0.0, **kw):
    """Up to ``restarts`` seeded annealing runs from fresh starts; stops at the first run whose missed
    weight is at most ``good_enough``, else keeps the run that missed least (ties: smallest distance)."""
    from analysis.synth.search import anneal, total_cost

    best, best_cost = None, None
    for k in range(restarts):
        P = make()
        st = anneal(P, init(), rng, iters, **kw)
        c = total_cost(P, st)
        if best is None or c < best_cost:
            best, best_cost = st, c
        if c[0] <= good_enough:
            break
    return best, best_cost


def _met_all(problem, state, prefix: str) -> bool:
    """Every target item whose key starts with ``prefix`` is met in ``state``."""
    return all(it.met(a) for t in problem.targets for it, a in zip(t.items, t.fn(state)) if it.key.startswith(prefix))


def _search(targets: dict, counts: dict, rng: random.Random) -> dict:
    from analysis.synth import build as B
    from analysis.synth.search import anneal, polish, report, total_cost

    sizes = counts["subgroups"]
    sub, grp = B.blocks(sizes)
    n = sum(sizes)
    t0 = time.perf_counter()
    immediate = [i for (g, sg), r in sub.items() if sg == "immediate" for i in r]
    short = set(rng.sample(immediate, counts["mets_to_tace_short"]))

    _say("synthesize: [1/3] time to progression (Tables 3-4)")
    # at least one quartile must be missed: Table 3's group-1 Q3 after TACE contradicts Table 4's
    # group-1 immediate Q1 and median (proof in analysis/synth_card.py, TTP_G1_CONFLICT)
    ttp, _ = _multi_start(lambda: B.ttp_problem(targets, sizes, with_p=False),
                          lambda: B.ttp_init(targets, sizes, rng), rng, ITER_TTP, RESTARTS_TTP,
                          good_enough=1.0, **ANNEAL)
    P = B.ttp_problem(targets, sizes)
    ttp = anneal(P, ttp, rng, ITER_P_TTP, t0=0.5, w0=100.0, w1=100.0)
    ttp = polish(P, ttp, B.ttp_cells(sizes), B.ttp_candidates(sizes), rounds=ROUNDS_P)
    _say(f"synthesize:   done in {time.perf_counter() - t0:.1f} s")

    _say("synthesize: [2/3] volumes, volume change and doubling time (Tables 2 and 4, R²)")
    vol = B.volume_init(targets, sizes, short, rng)
    for g in ("group1", "group2"):  # (a) group and subgroup quartiles of V0, V1 and V1 - V0
        make = lambda: B.volume_problem(targets, sizes, short, False, False, only=g)  # noqa: E731
        start = B.volume_milp_start(targets, sizes, g, vol)
        if start is not None:  # exact programme gives the pairing; annealing spreads ties and snaps to grid
            part = anneal(make(), start, rng, ITER_SPREAD, t0=3.0, w0=100.0, w1=100.0)
        else:
            _say(f"synthesize:   {g}: the exact programme found no start; annealing from scratch")
            part, _ = _multi_start(make, lambda: B.volume_init(targets, sizes, short, rng), rng, ITER_VOL,
                                   RESTARTS_VOL, **ANNEAL)
        for i in grp[g]:
            for k in ("v0", "v1", "pre", "fu"):
                vol[k][i] = part[k][i]
        _say(f"synthesize:   {g}: {'exact programme + ' if start is not None else ''}annealing "
             f"({time.perf_counter() - t0:.1f} s)")
    # (b) Mann-Whitney p-values, every quartile held (weight 100)
    P = B.volume_problem(targets, sizes, short, with_r2=False, after_pull=B.P_PULL_OFF_LATTICE)
    vol = anneal(P, vol, rng, ITER_P, t0=0.5, w0=100.0, w1=100.0)
    vol = polish(P, vol, B.volume_cells(sizes), B.volume_candidates, rounds=ROUNDS_P)
    _say(f"synthesize:   p-values: {[(k, round(a, 4)) for k, v, a, m in report(P, vol) if k.endswith('.p')]}")
    # (c) R² of V1 - V0 on the doubling time: annealing, then fine coordinate descent
    # first with the exam days alone (they move neither a quartile nor a p-value), then with every cell
    # the p-values placed by (b) are held (Table 2 before, Table 4 volume changes): the R² may not undo them
    hold = {k: a for k, v, a, m in report(P, vol) if k in HOLD_P}
    P = B.volume_problem(targets, sizes, short, hold=hold, after_pull=AFTER_PULL_R2)
    day_cells = [c for c in B.volume_cells(sizes) if c[0] in ("pre", "fu")]
    for k in range(ROUNDS_R2):
        if k:  # coordinate descent alone was stuck: shake with a short cool annealing first
            vol = anneal(P, vol, rng, ITER_R2, t0=0.02, w0=100.0, w1=100.0)
        vol = polish(P, vol, day_cells, B.volume_candidates, rounds=ROUNDS_R2_POLISH)
        if not _met_all(P, vol, "regression."):
            vol = polish(P, vol, B.volume_cells(sizes), B.volume_candidates, rounds=ROUNDS_R2_POLISH)
        if _met_all(P, vol, "regression."):
            break
    _say(f"synthesize:   done in {time.perf_counter() - t0:.1f} s")

    _say("synthesize: [3/3] ages (Table 1)")
    P = B.age_problem(targets, n)
    age = anneal(P, B.age_init(targets, n, rng), rng, ITER_AGE)["age"]
    _say(f"synthesize:   done in {time.perf_counter() - t0:.1f} s")
    return {"sizes": sizes, "short": short, "tt": ttp["tt"], "tc": ttp["tc"], "v0": vol["v0"], "v1": vol["v1"],
            "pre": vol["pre"], "fu": vol["fu"], "age": age}


# ---------------------------------------------------------------------------------------------- assembly

def _deal(rng: random.Random, n: int, counts: dict[str, int], rest: str | None = None) -> list[str]:
    """A seeded random assignment of categories to n patients with exactly the given counts."""
    labels = [k for k, c in counts.items() for _ in range(c)]
    if len(labels) < n:
        if rest is None:
            raise ValueError(f"counts sum to {len(labels)}, need {n}")
        labels += [rest] * (n - len(labels))
    labels = labels[:n]
    rng.shuffle(labels)
    return labels


def _exam_days(start: int, end: int, rng: random.Random, lo: int = 70, hi: int = 105, last_min: int = 21) -> list:
    """Exam days strictly after ``start`` up to and including ``end``: every lo..hi days, the last one on
    ``end`` (the gap before it at least ``last_min`` days when possible)."""
    days, cur = [], start
    while end - cur > hi:
        g = rng.randint(lo, min(hi, end - cur - last_min))
        cur += g
        days.append(cur)
    days.append(end)
    return days


def _recist_sums(rng, s0: int, category: str) -> int:
    """A sum of target diameters at the first follow-up giving the requested RECIST 1.1 category."""
    if category == "CR":
        return 0
    for _ in range(100):
        if category == "PR":
            s1 = int(math.floor(s0 * rng.uniform(0.42, 0.68)))
            if (s1 - s0) / s0 <= -0.30 and s1 > 0:
                return s1
        else:  # SD or PD-by-new-lesion: target sum neither -30 % nor +20 %
            s1 = int(round(s0 * rng.uniform(0.80, 1.10)))
            if -0.30 < (s1 - s0) / s0 < 0.20:
                return s1
    raise AssertionError("no diameter sum found")


def _build(sol: dict, counts: dict, rng: random.Random) -> dict[str, list[dict]]:
    from analysis.synth import build as B

    sizes = sol["sizes"]
    sub, grp = B.blocks(sizes)
    n = sum(sizes)
    group_of = {i: (1 if g == "group1" else 2) for g, r in grp.items() for i in r}
    timing_of = {i: sg for (g, sg), r in sub.items() for i in r}

    # pseudonyms: SYN-01.. in a seeded random order (so the order of rows says nothing about the group)
    order = list(range(1, n + 1))
    rng.shuffle(order)
    pid = {i: f"SYN-{order[i]:02d}" for i in range(n)}

    # categorical composition (exact counts)
    t_stage = _deal(rng, n, counts["t_stage"], rest="TX")
    site = _deal(rng, n, counts["primary_site"], rest="unknown")
    dist = _deal(rng, n, counts["liver_distribution"], rest="solitary")
    resected = _deal(rng, n, {"true": counts["primary_resected"]}, rest="false")
    ages = list(sol["age"])
    rng.shuffle(ages)

    # RECIST category at the first follow-up: most shrinkage (V1/V0) -> CR, then PR, SD; PD = most growth
    recist = {}
    for g, r in grp.items():
        want = T.RECIST_CHOICE[g]
        idx = sorted(r, key=lambda i: (sol["v1"][i] / sol["v0"][i], i))
        cats = ["CR"] * want["CR"] + ["PR"] * want["PR"] + ["SD"] * want["SD"]
        cats += ["SD"] * (len(idx) - len(cats) - want["PD"]) + ["PD"] * want["PD"]
        for i, c in zip(idx, cats):
            recist[i] = c
    # extrahepatic disease: never for the complete responder (non-target disease would block CR)
    others = [i for i in range(n) if recist[i] != "CR"]
    extra = set(rng.sample(others, counts["extrahepatic"]))

    # group 2: days from diagnosis of the primary to liver metastases, by Table 1 category
    g2 = list(grp["group2"])
    cats = _deal(rng, len(g2), counts["dx_to_mets"])
    spans = {"lt_6_months": (30, 180), "6m_to_1_5y": (190, 540), "1_5y_to_6y": (560, 2150)}
    dx = {i: 0 for i in grp["group1"]}
    for i, c in zip(g2, cats):
        dx[i] = rng.randint(*spans[c])

    # repeat TACE: which patients, how many extra procedures (2-4 procedures each)
    n_repeat = counts["n.tace"] - n
    repeaters = []
    for g, key in (("group1", "repeat.group1"), ("group2", "repeat.group2")):
        cand = sorted(grp[g], key=lambda i: (sol["tt"][i], i))[: max(counts[key], len(grp[g]) * 2 // 3)]
        repeaters += rng.sample(cand, counts[key])
    extra_tace = {i: 1 for i in repeaters}
    left = n_repeat - len(repeaters)
    while left > 0:
        i = rng.choice(repeaters)
        if extra_tace[i] < 3:
            extra_tace[i] += 1
            left -= 1

    patients, procedures, imaging, progression = [], [], [], []
    for i in range(n):
        P = pid[i]
        timing = timing_of[i]
        pre, fu, tt = sol["pre"][i], sol["fu"][i], sol["tt"][i]
        v0, v1 = sol["v0"][i], sol["v1"][i]  # hundredths of cm3
        liver = rng.randint(max(11000, 3 * max(v0, v1) // 10), 23000)  # tenths of cm3, >= 3 x tumour
        cap = min(liver * 4, int(1.5 * max(v0, v1)))  # later exams: hundredths of cm3, < 40 % of the liver
        modality = "MRI" if rng.random() < 0.4 else "CT"
        s0 = max(15, min(220, int(round(10 * (6 * v0 / 100 / math.pi) ** (1 / 3) * rng.uniform(1.2, 1.9)))))
        nontarget = "non_cr_non_pd" if i in extra else "absent"
        exams = []  # (day, volume hundredths, sum mm, new lesions, nontarget)

        def exam(day, vol, s, new=False, nt=nontarget):
            exams.append((day, max(1, min(int(vol), cap if day > tace1 + fu else int(vol))), s, new, nt))

        # before the first TACE
        if i in sol["short"]:
            tace1 = pre                      # "<2 weeks": the detection exam is the baseline
            exam(0, v0, s0)
        elif timing == "immediate":           # TACE without chemotherapy, after a work-up > 3 months
            tace1 = rng.randint(100, 160)
            first = int(v0 * rng.uniform(0.80, 0.95))
            exam(0, first, int(round(s0 * (first / v0) ** (1 / 3))))
            for d in _exam_days(0, tace1 - pre, rng)[:-1]:
                frac = d / (tace1 - pre)
                vv = int(first + frac * (v0 - first))
                exam(d, vv, int(round(s0 * (vv / v0) ** (1 / 3))))
            exam(tace1 - pre, v0, s0)
        else:                                 # chemotherapy until progression, then TACE
            tc = sol["tc"][i]
            start = rng.randint(7, 35)
            start = max(start, 100 - tc - pre)
            end = start + tc                   # progression on chemotherapy = the baseline exam
            tace1 = end + pre
            first = int(v0 * rng.uniform(0.55, 0.80))
            exam(0, first, int(round(s0 * (first / v0) ** (1 / 3))))
            for d in _exam_days(0, end, rng, last_min=14)[:-1]:
                frac = d / end
                vv = int(first + frac * (0.9 * v0 - first))
                exam(d, vv, int(round(s0 * (vv / v0) ** (1 / 3))))
            exam(end, v0, s0)
            progression.append({"patient_id": P, "setting": "chemo", "start_day": start, "end_day": end,
                                 "progressed": True})

        # first TACE, first follow-up (V1) and the exams up to progression after TACE
        cat = recist[i]
        s1 = _recist_sums(rng, s0, cat)
        nt1 = "absent" if cat == "CR" else nontarget
        exam(tace1 + fu, v1, s1, new=(cat == "PD"), nt=nt1)
        prog_day = tace1 + tt
        later = _exam_days(tace1 + fu, prog_day, rng)
        nadir = v1
        for d in later:
            if d == prog_day:
                vv = int(nadir * rng.uniform(1.25, 1.6)) + 50
                sv = max(10, int(round(max(s1, 10) * (vv / max(nadir, 1)) ** (1 / 3))))
                exam(d, vv, sv, new=rng.random() < 0.5)
            else:
                vv = int(nadir * rng.uniform(0.92, 1.08))
                sv = 0 if cat == "CR" else int(round(s1 * (vv / nadir) ** (1 / 3)))
                exam(d, vv, sv, nt=nt1)
        progression.append({"patient_id": P, "setting": "tace", "start_day": tace1, "end_day": prog_day,
                            "progressed": True})

        # repeat TACE after progression, then follow-up to the end of observation
        taces = [tace1]
        last_vol, last_sum, day = exams[-1][1], max(exams[-1][2], 10), prog_day
        for _ in range(extra_tace.get(i, 0)):
            t = day + rng.randint(14, 35)
            taces.append(t)
            d1 = t + rng.randint(50, 63)
            last_vol = int(last_vol * rng.uniform(0.55, 0.85))
            last_sum = int(round(last_sum * rng.uniform(0.75, 0.95)))
            exam(d1, last_vol, last_sum)
            grow_at = d1 + rng.randint(140, 260)
            for d in _exam_days(d1, grow_at, rng):
                if d == grow_at:
                    last_vol = int(last_vol * rng.uniform(1.25, 1.5))
                    last_sum = int(round(last_sum * (1.25 ** (1 / 3))))
                else:
                    last_vol = int(last_vol * rng.uniform(0.95, 1.05))
                exam(d, last_vol, last_sum)
            day = grow_at
        end = max(day + rng.randint(60, 200), tace1 + rng.randint(548, 1200))
        end = min(end, max(day + 60, tace1 + 1825))
        for d in _exam_days(exams[-1][0], end, rng):
            last_vol = int(last_vol * rng.uniform(0.97, 1.12))
            exam(d, last_vol, int(round(last_sum * rng.uniform(0.97, 1.05))))

        for k, t in enumerate(taces, start=1):
            procedures.append({"patient_id": P, "tace_number": k, "day": t, "drug": "irinotecan",
                               "dose_mg": 100, "bead_min_um": 200, "bead_max_um": 400, "adverse_event_grade": 0})
        for day, vol, s, new, nt in sorted(exams):
            lv = liver + rng.randint(-300, 300)
            imaging.append({"patient_id": P, "day": day, "modality": modality if rng.random() < 0.9 else
                            ("CT" if modality == "MRI" else "MRI"),
                            "tumor_volume_cm3": f"{vol / 100:.2f}", "liver_volume_cm3": f"{lv / 10:.1f}",
                            "sum_diameters_mm": s, "new_lesions": new, "nontarget_status": nt})
        sex = "M" if site[i] == "prostate" else rng.choice(("F", "M"))
        patients.append({
            "patient_id": P, "group": group_of[i], "tace_timing": timing, "age_at_tace": f"{ages[i] / 10:.1f}",
            "sex": sex, "primary_site": site[i], "t_stage": t_stage[i], "primary_resected": resected[i] == "true",
            "liver_distribution": dist[i], "extrahepatic_disease": i in extra, "days_dx_to_liver_mets": dx[i],
            "days_liver_mets_to_tace": tace1,
        })
    return {
        "patients.csv": (PATIENT_COLUMNS, sorted(patients, key=lambda r: r["patient_id"])),
        "procedures.csv": (PROCEDURE_COLUMNS, sorted(procedures, key=lambda r: (r["patient_id"], r["tace_number"]))),
        "imaging.csv": (IMAGING_COLUMNS, sorted(imaging, key=lambda r: (r["patient_id"], r["day"]))),
        "progression.csv": (PROGRESSION_COLUMNS, sorted(progression, key=lambda r: (r["patient_id"], r["setting"]))),
    }


def _cell(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _write_csv(path: Path, columns, rows) -> None:
    lines = [",".join(columns)] + [",".join(_cell(r[c]) for c in columns) for r in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))


def _datapackage(seed: int) -> str:
    from analysis.paths import SCHEMA

    pkg = json.loads(SCHEMA.read_text(encoding="utf-8"))
    pkg["name"] = "synthetic"
    pkg["title"] = "SYNTHETIC cohort reconstructed from the published aggregates (not patient data)"
    pkg["description"] = (
        "SYNTHETIC data, not patient data: 34 invented patients whose aggregates reproduce the numbers "
        "published for TACE with irinotecan microspheres in NET liver metastases (see DATACARD.md). "
        f"Generated by `python -m analysis synthesize --seed {seed}`.")
    pkg["synthetic"] = True
    pkg["seed"] = seed
    return json.dumps(pkg, indent=2, sort_keys=False, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------------------------------------- entry point

def synthesize(out_dir: Path | str, seed: int | None = None) -> Path:
    """Write the synthetic cohort (CSV files, datapackage.json, DATACARD.md) into ``out_dir``.

    Parameters
    ----------
    out_dir : Path or str
        Folder to write (created if missing; the files listed in :data:`FILES` are overwritten).
    seed : int, optional
        Random seed; default :data:`DEFAULT_SEED` (the ``seed`` parameter's default). The same seed
        gives byte-identical files.

    Returns
    -------
    Path
        ``out_dir``.
    """
    from analysis.synth.card import datacard

    seed = default_seed() if seed is None else int(seed)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    targets, counts, prov = load_targets()
    rng = random.Random(seed)
    sol = _search(targets, counts, rng)
    tables = _build(sol, counts, random.Random(seed + 1))
    for name, (cols, rows) in tables.items():
        _write_csv(out / name, cols, rows)
    (out / "datapackage.json").write_bytes(_datapackage(seed).encode("utf-8"))
    (out / "DATACARD.md").write_bytes(datacard(out, seed, targets, counts, prov).encode("utf-8"))
    _say(f"synthesize: wrote {out} in {time.perf_counter() - t0:.1f} s (seed {seed})")
    return out
