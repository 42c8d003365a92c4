"""Assembly of the synthetic cohort: the four tables built from the searched values and one seeded generator.

:func:`build` takes the per-patient values the searches of :mod:`analysis.synth.cohort` found (TTP,
volumes, exam days, ages) and draws everything else under the realism rules of
:mod:`analysis.synth.targets`: pseudonyms, categorical characteristics dealt out with the published
counts, exam schedules, progression, repeat TACE, liver volumes and RECIST diameter sums. The order in
which the generator is used is part of the output: the same seed gives the same bytes.
"""

from __future__ import annotations

import math
import random

from analysis.synth import targets as T

PATIENT_COLUMNS = ("patient_id", "group", "tace_timing", "age_at_tace", "sex", "primary_site", "t_stage",
                   "primary_resected", "liver_distribution", "extrahepatic_disease", "days_dx_to_liver_mets",
                   "days_liver_mets_to_tace")
PROCEDURE_COLUMNS = ("patient_id", "tace_number", "day", "drug", "dose_mg", "bead_min_um", "bead_max_um",
                     "adverse_event_grade")
IMAGING_COLUMNS = ("patient_id", "day", "modality", "tumor_volume_cm3", "liver_volume_cm3", "sum_diameters_mm",
                   "new_lesions", "nontarget_status")
PROGRESSION_COLUMNS = ("patient_id", "setting", "start_day", "end_day", "progressed")

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


def _composition(sol: dict, counts: dict, grp: dict, n: int, rng: random.Random) -> dict:
    """Pseudonyms, categorical characteristics (exact counts) and the shuffled ages, in the generator's order."""
    # pseudonyms: SYN-01.. in a seeded random order (so the order of rows says nothing about the group)
    order = list(range(1, n + 1))
    rng.shuffle(order)
    c = {"pid": {i: f"SYN-{order[i]:02d}" for i in range(n)},
         "t_stage": _deal(rng, n, counts["t_stage"], rest="TX"),
         "site": _deal(rng, n, counts["primary_site"], rest="unknown"),
         "dist": _deal(rng, n, counts["liver_distribution"], rest="solitary"),
         "resected": _deal(rng, n, {"true": counts["primary_resected"]}, rest="false")}
    ages = list(sol["age"])
    rng.shuffle(ages)
    c["ages"] = ages
    c["recist"] = _recist_categories(sol, grp)
    # extrahepatic disease: never for the complete responder (non-target disease would block CR)
    others = [i for i in range(n) if c["recist"][i] != "CR"]
    c["extra"] = set(rng.sample(others, counts["extrahepatic"]))
    c["dx"] = _dx_days(counts, grp, rng)
    c["extra_tace"] = _repeat_tace(sol, counts, grp, n, rng)
    return c


def _recist_categories(sol: dict, grp: dict) -> dict[int, str]:
    """RECIST category at the first follow-up: most shrinkage (V1/V0) -> CR, then PR, SD; PD = most growth."""
    recist = {}
    for g, r in grp.items():
        want = T.RECIST_CHOICE[g]
        idx = sorted(r, key=lambda i: (sol["v1"][i] / sol["v0"][i], i))
        cats = ["CR"] * want["CR"] + ["PR"] * want["PR"] + ["SD"] * want["SD"]
        cats += ["SD"] * (len(idx) - len(cats) - want["PD"]) + ["PD"] * want["PD"]
        for i, c in zip(idx, cats):
            recist[i] = c
    return recist


def _dx_days(counts: dict, grp: dict, rng: random.Random) -> dict[int, int]:
    """Days from diagnosis of the primary to liver metastases: 0 in group 1, by Table 1 category in group 2."""
    g2 = list(grp["group2"])
    cats = _deal(rng, len(g2), counts["dx_to_mets"])
    spans = {"lt_6_months": (30, 180), "6m_to_1_5y": (190, 540), "1_5y_to_6y": (560, 2150)}
    dx = {i: 0 for i in grp["group1"]}
    for i, c in zip(g2, cats):
        dx[i] = rng.randint(*spans[c])
    return dx


def _repeat_tace(sol: dict, counts: dict, grp: dict, n: int, rng: random.Random) -> dict[int, int]:
    """Repeat TACE: which patients and how many extra procedures (2-4 procedures each)."""
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
    return extra_tace


class _Exams:
    """One patient's exams as (day, volume in hundredths of cm3, sum mm, new lesions, non-target status)."""

    def __init__(self, cap: int, fu: int, nontarget: str):
        self.cap, self.fu, self.nontarget = cap, fu, nontarget
        self.tace1 = None  # day of the first TACE; set before the first exam is added
        self.rows = []

    def add(self, day, vol, s, new=False, nt=None):
        """Add an exam; after the first follow-up the volume is capped (tumour below the liver volume)."""
        nt = self.nontarget if nt is None else nt
        self.rows.append((day, max(1, min(int(vol), self.cap if day > self.tace1 + self.fu else int(vol))), s, new,
                          nt))


def _before_tace(i: int, sol: dict, timing: str, ex: _Exams, s0: int, rng: random.Random, pid: str,
                 progression: list) -> int:
    """Exams before the first TACE (and the progression on chemotherapy); returns the day of the first TACE."""
    pre, v0 = sol["pre"][i], sol["v0"][i]
    if i in sol["short"]:
        ex.tace1 = pre                       # "<2 weeks": the detection exam is the baseline
        ex.add(0, v0, s0)
    elif timing == "immediate":           # TACE without chemotherapy, after a work-up > 3 months
        ex.tace1 = tace1 = rng.randint(100, 160)
        first = int(v0 * rng.uniform(0.80, 0.95))
        ex.add(0, first, int(round(s0 * (first / v0) ** (1 / 3))))
        for d in _exam_days(0, tace1 - pre, rng)[:-1]:
            frac = d / (tace1 - pre)
            vv = int(first + frac * (v0 - first))
            ex.add(d, vv, int(round(s0 * (vv / v0) ** (1 / 3))))
        ex.add(tace1 - pre, v0, s0)
    else:                                 # chemotherapy until progression, then TACE
        tc = sol["tc"][i]
        start = rng.randint(7, 35)
        start = max(start, 100 - tc - pre)
        end = start + tc                   # progression on chemotherapy = the baseline exam
        ex.tace1 = end + pre
        first = int(v0 * rng.uniform(0.55, 0.80))
        ex.add(0, first, int(round(s0 * (first / v0) ** (1 / 3))))
        for d in _exam_days(0, end, rng, last_min=14)[:-1]:
            frac = d / end
            vv = int(first + frac * (0.9 * v0 - first))
            ex.add(d, vv, int(round(s0 * (vv / v0) ** (1 / 3))))
        ex.add(end, v0, s0)
        progression.append({"patient_id": pid, "setting": "chemo", "start_day": start, "end_day": end,
                            "progressed": True})
    return ex.tace1


def _after_tace(i: int, sol: dict, cat: str, ex: _Exams, s0: int, rng: random.Random) -> int:
    """First follow-up (V1) and the exams up to progression after the first TACE; returns the progression day."""
    tace1 = ex.tace1
    s1 = _recist_sums(rng, s0, cat)
    nt1 = "absent" if cat == "CR" else ex.nontarget
    ex.add(tace1 + sol["fu"][i], sol["v1"][i], s1, new=(cat == "PD"), nt=nt1)
    prog_day = tace1 + sol["tt"][i]
    later = _exam_days(tace1 + sol["fu"][i], prog_day, rng)
    nadir = sol["v1"][i]
    for d in later:
        if d == prog_day:
            vv = int(nadir * rng.uniform(1.25, 1.6)) + 50
            sv = max(10, int(round(max(s1, 10) * (vv / max(nadir, 1)) ** (1 / 3))))
            ex.add(d, vv, sv, new=rng.random() < 0.5)
        else:
            vv = int(nadir * rng.uniform(0.92, 1.08))
            sv = 0 if cat == "CR" else int(round(s1 * (vv / nadir) ** (1 / 3)))
            ex.add(d, vv, sv, nt=nt1)
    return prog_day


def _repeats_and_follow_up(ex: _Exams, n_extra: int, prog_day: int, rng: random.Random) -> list[int]:
    """Repeat TACE after progression, then follow-up to the end of observation; returns the TACE days."""
    tace1 = ex.tace1
    taces = [tace1]
    last_vol, last_sum, day = ex.rows[-1][1], max(ex.rows[-1][2], 10), prog_day
    for _ in range(n_extra):
        t = day + rng.randint(14, 35)
        taces.append(t)
        d1 = t + rng.randint(50, 63)
        last_vol = int(last_vol * rng.uniform(0.55, 0.85))
        last_sum = int(round(last_sum * rng.uniform(0.75, 0.95)))
        ex.add(d1, last_vol, last_sum)
        grow_at = d1 + rng.randint(140, 260)
        for d in _exam_days(d1, grow_at, rng):
            if d == grow_at:
                last_vol = int(last_vol * rng.uniform(1.25, 1.5))
                last_sum = int(round(last_sum * (1.25 ** (1 / 3))))
            else:
                last_vol = int(last_vol * rng.uniform(0.95, 1.05))
            ex.add(d, last_vol, last_sum)
        day = grow_at
    end = max(day + rng.randint(60, 200), tace1 + rng.randint(548, 1200))
    end = min(end, max(day + 60, tace1 + 1825))
    for d in _exam_days(ex.rows[-1][0], end, rng):
        last_vol = int(last_vol * rng.uniform(0.97, 1.12))
        ex.add(d, last_vol, int(round(last_sum * rng.uniform(0.97, 1.05))))
    return taces


def _patient(i: int, sol: dict, c: dict, group: int, timing: str, rng: random.Random, out: dict) -> None:
    """Append patient ``i``'s rows (patient, procedures, exams, progression) to the lists in ``out``."""
    P = c["pid"][i]
    v0, v1 = sol["v0"][i], sol["v1"][i]  # hundredths of cm3
    liver = rng.randint(max(11000, 3 * max(v0, v1) // 10), 23000)  # tenths of cm3, >= 3 x tumour
    cap = min(liver * 4, int(1.5 * max(v0, v1)))  # later exams: hundredths of cm3, < 40 % of the liver
    modality = "MRI" if rng.random() < 0.4 else "CT"
    s0 = max(15, min(220, int(round(10 * (6 * v0 / 100 / math.pi) ** (1 / 3) * rng.uniform(1.2, 1.9)))))
    ex = _Exams(cap, sol["fu"][i], "non_cr_non_pd" if i in c["extra"] else "absent")
    tace1 = _before_tace(i, sol, timing, ex, s0, rng, P, out["progression"])
    prog_day = _after_tace(i, sol, c["recist"][i], ex, s0, rng)
    out["progression"].append({"patient_id": P, "setting": "tace", "start_day": tace1, "end_day": prog_day,
                               "progressed": True})
    taces = _repeats_and_follow_up(ex, c["extra_tace"].get(i, 0), prog_day, rng)
    for k, t in enumerate(taces, start=1):
        out["procedures"].append({"patient_id": P, "tace_number": k, "day": t, "drug": "irinotecan",
                                  "dose_mg": 100, "bead_min_um": 200, "bead_max_um": 400, "adverse_event_grade": 0})
    for day, vol, s, new, nt in sorted(ex.rows):
        lv = liver + rng.randint(-300, 300)
        out["imaging"].append({"patient_id": P, "day": day, "modality": modality if rng.random() < 0.9 else
                               ("CT" if modality == "MRI" else "MRI"),
                               "tumor_volume_cm3": f"{vol / 100:.2f}", "liver_volume_cm3": f"{lv / 10:.1f}",
                               "sum_diameters_mm": s, "new_lesions": new, "nontarget_status": nt})
    site = c["site"][i]
    sex = "M" if site == "prostate" else rng.choice(("F", "M"))
    out["patients"].append({
        "patient_id": P, "group": group, "tace_timing": timing, "age_at_tace": f"{c['ages'][i] / 10:.1f}",
        "sex": sex, "primary_site": site, "t_stage": c["t_stage"][i],
        "primary_resected": c["resected"][i] == "true", "liver_distribution": c["dist"][i],
        "extrahepatic_disease": i in c["extra"], "days_dx_to_liver_mets": c["dx"][i],
        "days_liver_mets_to_tace": tace1,
    })


def build(sol: dict, counts: dict, rng: random.Random) -> dict[str, tuple]:
    """The four tables of the cohort from the searched values ``sol``, the rest drawn from ``rng``."""
    from analysis.synth import build as B

    sizes = sol["sizes"]
    sub, grp = B.blocks(sizes)
    n = sum(sizes)
    group_of = {i: (1 if g == "group1" else 2) for g, r in grp.items() for i in r}
    timing_of = {i: sg for (g, sg), r in sub.items() for i in r}
    c = _composition(sol, counts, grp, n, rng)
    out = {"patients": [], "procedures": [], "imaging": [], "progression": []}
    for i in range(n):
        _patient(i, sol, c, group_of[i], timing_of[i], rng, out)
    return {
        "patients.csv": (PATIENT_COLUMNS, sorted(out["patients"], key=lambda r: r["patient_id"])),
        "procedures.csv": (PROCEDURE_COLUMNS, sorted(out["procedures"],
                                                     key=lambda r: (r["patient_id"], r["tace_number"]))),
        "imaging.csv": (IMAGING_COLUMNS, sorted(out["imaging"], key=lambda r: (r["patient_id"], r["day"]))),
        "progression.csv": (PROGRESSION_COLUMNS, sorted(out["progression"],
                                                        key=lambda r: (r["patient_id"], r["setting"]))),
    }
