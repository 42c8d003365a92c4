"""Tumour response criteria: RECIST 1.1, mRECIST and volumetric (DESIGN §4, issue 4 item 3).

Two levels:

- :func:`first_followup_response` — the study's endpoint: RECIST 1.1 at the first follow-up from
  the exam-level sums of target diameters (baseline = nadir at the first follow-up), the new-lesion
  flag and the non-target status of imaging.csv. Used by :func:`analysis.study.endpoints.per_patient`.
- :func:`evaluate` / :func:`best_overall_response` — the full per-time-point evaluation from
  lesions.csv (one row per lesion per exam) and the best overall response with confirmation.

Rules (RECIST 1.1, Eisenhauer et al. 2009)
------------------------------------------
- Target measure: non-nodal lesions by the long axis, lymph nodes by the short axis; a lesion
  ``too_small`` to measure counts :data:`TOO_SMALL_MM` (5 mm); ``absent`` counts 0; a target
  ``not_assessed`` (or present without a measurement) makes the sum unknown -> target response NE.
- Baseline = the first exam evaluated (or the day given per patient); nadir = the smallest sum
  among the baseline and the previous follow-ups (the current one excluded).
- CR: every non-nodal target absent and every nodal target with short axis < 10 mm.
- PR: change vs baseline <= -30 %. PD: change vs nadir >= +20 % AND increase >= 5 mm; when the
  nadir is 0 any increase of >= 5 mm is PD; a non-nodal target lesion reappearing after a CR is
  PD (lymph nodes, whose short axis stays in the sum, progress by the sum rule).
- Thresholds are compared on the unrounded change; to stop binary floating point from moving a
  decimal-exact value across a threshold (e.g. 10.1 mm -> 7.07 mm is exactly -30 %), comparisons
  allow :data:`EPS` = 1e-9 (a fraction, i.e. 1e-7 percentage points; 1e-9 mm for the 5 mm rule):
  exactly -30.0 % is PR, exactly +20.0 % with exactly 5 mm is PD.
- Non-target: CR if all absent (nodes < 10 mm), PD if imaging.csv says ``pd`` for the exam or a
  non-target reappears after a non-target CR, NE if any is not assessed, else non-CR/non-PD.
- New lesion: a ``new`` row that is present / too small (or ``new_lesions`` true in imaging.csv).
- Overall response per time point: RECIST 1.1 Tables 1 and 2.
- Best overall response: CR/PR need confirmation by a CR (for PR: PR or CR) at least
  ``confirm_days`` (28) later, before any PD; otherwise SD if a non-PD time point is at least
  ``min_sd_days`` (default 42 = 6 weeks) after baseline; otherwise PD if PD was recorded; else NE.

mRECIST (Lencioni & Llovet 2010) uses the viable (arterially enhancing) diameter
``viable_axis_mm`` for non-nodal targets and has no 5 mm rule. The volumetric criteria use the
lesion volumes ``volume_cm3`` (PR <= -65 % vs baseline, PD >= +73 % vs nadir).

Refused (:class:`analysis.errors.UserError`, naming patient and exam day): more than 5 target
lesions at an exam, or more than 2 in one organ.

Examples
--------
>>> first_followup_response(100.0, 70.0, False, "absent")
('PR', 'sum -30.0% vs baseline (<= -30%)')
>>> first_followup_response(100.0, 120.0, False, "absent")[0]
'PD'
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from analysis.errors import UserError

EPS = 1e-9
TOO_SMALL_MM = 5.0
#: volume counted for a ``too_small`` lesion in the volumetric criteria: a 5 mm sphere, cm³
TOO_SMALL_CM3 = math.pi / 6.0 * 0.5 ** 3
NODE_NORMAL_MM = 10.0
MAX_TARGETS = 5
MAX_TARGETS_PER_ORGAN = 2
RESPONSES = ("CR", "PR", "SD", "PD", "NE")
NON_CR_NON_PD = "non-CR/non-PD"


@dataclass(frozen=True)
class Criteria:
    """A response criterion: which lesion measure is summed and its thresholds (fractions)."""

    name: str
    measure: str  # 'diameter' | 'viable' | 'volume'
    pr: float  # change vs baseline at or below which the response is PR
    pd: float  # change vs nadir at or above which the response is PD
    pd_min_increase: float  # absolute increase vs nadir also needed for PD (mm; 0 = none)


RECIST11 = Criteria("RECIST 1.1", "diameter", -0.30, 0.20, 5.0)
MRECIST = Criteria("mRECIST", "viable", -0.30, 0.20, 0.0)
VOLUMETRIC = Criteria("volumetric", "volume", -0.65, 0.73, 0.0)
CRITERIA = {"recist": RECIST11, "mrecist": MRECIST, "volumetric": VOLUMETRIC}


def _missing(x) -> bool:
    if x is None:
        return True
    try:
        return bool(x != x)
    except TypeError:
        return True


def _pct(x: float) -> str:
    return f"{x * 100:+.1f}%"


def is_progression(value: float, nadir: float, criteria: Criteria = RECIST11) -> bool:
    """PD by the target measure: change vs nadir >= threshold and increase >= the minimum (unrounded).

    When the nadir is 0 (all targets gone), any increase meeting the absolute minimum (and > 0) is PD.

    Examples
    --------
    >>> is_progression(60.0, 50.0)  # +20 % and +10 mm
    True
    >>> is_progression(24.0, 20.0)  # +20 % but only +4 mm
    False
    """
    inc = value - nadir
    if inc < criteria.pd_min_increase - EPS or inc <= 0:
        return False
    if nadir == 0:
        return True
    return inc / nadir >= criteria.pd - EPS


def is_partial_response(value: float, baseline: float, criteria: Criteria = RECIST11) -> bool:
    """PR by the target measure: change vs baseline <= threshold (unrounded; exactly -30 % is PR).

    Examples
    --------
    >>> is_partial_response(70.0, 100.0)
    True
    >>> is_partial_response(70.1, 100.0)
    False
    """
    if baseline <= 0:
        return False
    return (value - baseline) / baseline <= criteria.pr + EPS


def first_followup_response(sum0: float, sum1: float, new_lesions: bool | None,
                            nontarget_status: str | None) -> tuple[str, str]:
    """RECIST 1.1 response at the first follow-up from exam-level sums (DESIGN §4).

    At the first follow-up the nadir is the baseline.

    Parameters
    ----------
    sum0, sum1 : float
        Sum of target diameters (mm) at baseline (V0 exam) and at the first follow-up (V1 exam).
    new_lesions : bool or None
        New lesions at the follow-up (None = not recorded, taken as no).
    nontarget_status : str or None
        ``absent`` ``non_cr_non_pd`` ``cr`` ``pd`` ``ne`` at the follow-up (None = not recorded).

    Returns
    -------
    (response, reason) : tuple[str, str]
        ``response`` in CR / PR / SD / PD / NE; ``reason`` in words.

    Notes
    -----
    PD = new lesions, or non-target PD, or sum1 - sum0 >= 5 mm and >= +20 % (any increase of
    >= 5 mm when sum0 = 0); CR = sum1 = 0, no new lesions and non-target ``absent`` or ``cr``;
    PR = sum1 vs sum0 <= -30 %; NE when a sum is missing; SD otherwise.

    Examples
    --------
    >>> first_followup_response(25.0, 30.0, False, "absent")  # +20 % and +5 mm exactly
    ('PD', 'sum +20.0% and +5.0 mm vs nadir (>= +20% and >= 5 mm)')
    >>> first_followup_response(40.0, 0.0, False, "cr")[0]
    'CR'
    """
    if new_lesions is True:
        return "PD", "new lesions"
    if nontarget_status == "pd":
        return "PD", "non-target progression"
    if _missing(sum0) or _missing(sum1):
        return "NE", "sum of target diameters missing"
    if is_progression(sum1, sum0, RECIST11):
        return "PD", (f"sum {_pct((sum1 - sum0) / sum0) if sum0 > 0 else '+inf%'} and "
                      f"+{sum1 - sum0:.1f} mm vs nadir (>= +20% and >= 5 mm)")
    if sum1 == 0 and nontarget_status in ("absent", "cr"):
        return "CR", "all target lesions gone, non-target absent/CR, no new lesions"
    if is_partial_response(sum1, sum0, RECIST11):
        return "PR", f"sum {_pct((sum1 - sum0) / sum0)} vs baseline (<= -30%)"
    return "SD", ""


def first_followup_volumetric(v0: float, v1: float) -> str:
    """Volumetric response at the first follow-up (baseline = nadir): CR / PR / SD / PD / NE.

    CR when V1 = 0; PD when V1 vs V0 >= +73 %; PR when <= -65 %; NE when a volume is missing.

    Examples
    --------
    >>> first_followup_volumetric(100.0, 35.0), first_followup_volumetric(100.0, 173.0)
    ('PR', 'PD')
    """
    if _missing(v0) or _missing(v1):
        return "NE"
    if v1 == 0:
        return "CR"
    if is_progression(v1, v0, VOLUMETRIC):
        return "PD"
    if is_partial_response(v1, v0, VOLUMETRIC):
        return "PR"
    return "SD"


# ---------------------------------------------------------------- lesion-level evaluation


def _truthy(x) -> bool:
    return (not _missing(x)) and bool(x)


def lesion_measure(row, criteria: Criteria = RECIST11) -> float:
    """The value a target lesion contributes to the sum (NaN when not assessed / not measured).

    ``absent`` -> 0; ``too_small`` -> 5 mm (volume: a 5 mm sphere); ``not_assessed`` -> NaN;
    ``present`` -> short axis for nodes, else the long axis (RECIST), the viable axis (mRECIST,
    nodes still by short axis) or ``volume_cm3`` (volumetric).

    Examples
    --------
    >>> lesion_measure({"status": "present", "is_node": True, "long_axis_mm": 20, "short_axis_mm": 12})
    12.0
    >>> lesion_measure({"status": "too_small", "is_node": False})
    5.0
    """
    status = row["status"]
    if status == "absent":
        return 0.0
    if status == "not_assessed":
        return math.nan
    if status == "too_small":
        return TOO_SMALL_CM3 if criteria.measure == "volume" else TOO_SMALL_MM
    if criteria.measure == "volume":
        col = "volume_cm3"
    elif _truthy(row.get("is_node")):
        col = "short_axis_mm"
    else:
        col = "long_axis_mm" if criteria.measure == "diameter" else "viable_axis_mm"
    v = row.get(col)
    return math.nan if _missing(v) else float(v)


def _records(lesions) -> list[dict]:
    """lesions as plain dicts (one pandas call; the per-exam work is done in Python)."""
    if isinstance(lesions, list):
        return lesions
    return lesions.to_dict("records")


def _by_exam(records: list[dict], role: str | None = None) -> dict:
    """``{(patient_id, day): [rows]}`` in file order, optionally for one role only."""
    out: dict = {}
    for r in records:
        if role is None or r["role"] == role:
            out.setdefault((r["patient_id"], int(r["day"])), []).append(r)
    return out


def check_target_limits(lesions) -> None:
    """Refuse more than 5 target lesions at an exam, or more than 2 in one organ (RECIST 1.1).

    Raises
    ------
    UserError
        Naming the patient, the exam day and the count.
    """
    for (pid, day), rows in sorted(_by_exam(_records(lesions), "target").items(), key=lambda kv: (str(kv[0][0]), kv[0][1])):
        ids = {r["lesion_id"] for r in rows}
        if len(ids) > MAX_TARGETS:
            raise UserError(f"lesions.csv: patient {pid}, exam day {day}: {len(ids)} target lesions; "
                            f"RECIST 1.1 allows at most {MAX_TARGETS}")
        per_organ: dict = {}
        for r in rows:
            organ = "unspecified" if _missing(r.get("organ")) else str(r.get("organ"))
            per_organ.setdefault(organ, set()).add(r["lesion_id"])
        for organ in sorted(per_organ):
            k = len(per_organ[organ])
            if k > MAX_TARGETS_PER_ORGAN:
                raise UserError(f"lesions.csv: patient {pid}, exam day {day}: {k} target lesions in "
                                f"organ '{organ}'; RECIST 1.1 allows at most {MAX_TARGETS_PER_ORGAN} per organ")


def target_sums(lesions, criteria: Criteria = RECIST11) -> dict:
    """Sum of the target measures per exam: ``{(patient_id, day): sum}`` (NaN when one is unknown).

    Refuses too many targets (:func:`check_target_limits`).
    """
    records = _records(lesions)
    check_target_limits(records)
    out = {}
    for key, rows in _by_exam(records, "target").items():
        vals = [lesion_measure(r, criteria) for r in rows]
        out[key] = math.nan if any(math.isnan(v) for v in vals) else float(sum(vals))
    return out


def _targets_cr(rows, criteria: Criteria) -> bool:
    for r in rows:
        v = lesion_measure(r, criteria)
        if math.isnan(v):
            return False
        if _truthy(r.get("is_node")) and criteria.measure != "volume":
            if not v < NODE_NORMAL_MM:
                return False
        elif v != 0:
            return False
    return True


def _nontarget_state(rows) -> str:
    """'CR' | 'NE' | 'non-CR/non-PD' for the non-target lesions of one exam (PD decided by the caller)."""
    if any(r["status"] == "not_assessed" for r in rows):
        return "NE"
    for r in rows:
        if r["status"] == "absent":
            continue
        if _truthy(r.get("is_node")):
            sa = r.get("short_axis_mm")
            if r["status"] == "too_small" or (not _missing(sa) and float(sa) < NODE_NORMAL_MM):
                continue
        return NON_CR_NON_PD
    return "CR"


def overall_response(target: str, nontarget: str, new_lesions: bool) -> str:
    """RECIST 1.1 overall response at a time point (Tables 1 and 2 of the guideline).

    ``target`` / ``nontarget`` are CR, PR, SD, PD, NE, non-CR/non-PD or ``none`` (no such lesions
    at baseline).

    Examples
    --------
    >>> overall_response("CR", "non-CR/non-PD", False)
    'PR'
    >>> overall_response("SD", "none", True)
    'PD'
    """
    if new_lesions or target == "PD" or nontarget == "PD":
        return "PD"
    if target == "none":
        return {"CR": "CR", NON_CR_NON_PD: NON_CR_NON_PD}.get(nontarget, "NE")
    if target == "CR":
        return "CR" if nontarget in ("CR", "none") else "PR"
    return target  # PR, SD, NE (non-target non-PD or NE)


def evaluate(lesions, criteria: Criteria | str = RECIST11, baseline_days: dict | None = None,
             exam_nontarget_status: dict | None = None, exam_new_lesions: dict | None = None):
    """Per-time-point response from lesion measurements.

    Parameters
    ----------
    lesions : pandas.DataFrame
        lesions.csv rows (patient_id, lesion_id, day, role, organ, is_node, status, measures).
    criteria : Criteria or {'recist', 'mrecist', 'volumetric'}
    baseline_days : dict, optional
        ``{patient_id: day}`` of the baseline exam (default: each patient's first exam in
        ``lesions``). Exams before the baseline are ignored.
    exam_nontarget_status, exam_new_lesions : dict, optional
        ``{(patient_id, day): value}`` from imaging.csv; a ``'pd'`` status or a true flag there
        means non-target progression / new lesions at that exam.

    Returns
    -------
    pandas.DataFrame
        One row per patient and exam from baseline on: patient_id, day, days_from_baseline,
        is_baseline, target_sum, baseline_sum, nadir, change_vs_baseline, change_vs_nadir,
        increase_vs_nadir, target_response, nontarget_response, new_lesions, overall.

    Raises
    ------
    UserError
        More than 5 targets at an exam or more than 2 per organ.
    """
    import pandas as pd

    if isinstance(criteria, str):
        criteria = CRITERIA[criteria]
    all_rows = _records(lesions)
    check_target_limits(all_rows)
    exam_nontarget_status = exam_nontarget_status or {}
    exam_new_lesions = exam_new_lesions or {}
    per_patient: dict = {}
    for r in all_rows:
        per_patient.setdefault(r["patient_id"], {}).setdefault(int(r["day"]), []).append(r)
    records = []
    for pid, by_day in per_patient.items():
        days = sorted(by_day)
        base_day = int(baseline_days[pid]) if baseline_days and pid in baseline_days else days[0]
        days = [d for d in days if d >= base_day]
        if not days or days[0] != base_day:
            continue
        base_rows = by_day[base_day]
        has_targets = any(r["role"] == "target" for r in base_rows)
        has_nontargets = any(r["role"] == "nontarget" for r in base_rows)
        sums: list[float] = []
        prev_target_cr = prev_nontarget_cr = False
        baseline_sum = math.nan
        for d in days:
            rows = by_day[d]
            targets = [r for r in rows if r["role"] == "target"]
            nontargets = [r for r in rows if r["role"] == "nontarget"]
            vals = [lesion_measure(r, criteria) for r in targets]
            s = math.nan if (not targets or any(math.isnan(v) for v in vals)) else float(sum(vals))
            new = any(r["role"] == "new" and r["status"] in ("present", "too_small") for r in rows)
            new = new or bool(exam_new_lesions.get((pid, d)) is True)
            rec = dict(patient_id=pid, day=d, days_from_baseline=d - base_day, is_baseline=d == base_day,
                       target_sum=s, baseline_sum=math.nan, nadir=math.nan, change_vs_baseline=math.nan,
                       change_vs_nadir=math.nan, increase_vs_nadir=math.nan, target_response="",
                       nontarget_response="", new_lesions=new, overall="")
            if d == base_day:
                baseline_sum = s
                rec["baseline_sum"] = s
                if has_targets and not math.isnan(s):
                    sums.append(s)
                records.append(rec)
                continue
            known = [x for x in sums if not math.isnan(x)]
            nadir = min(known) if known else math.nan
            rec.update(baseline_sum=baseline_sum, nadir=nadir)
            # target response
            if not has_targets:
                tr = "none"
            elif math.isnan(s) or math.isnan(nadir):
                tr = "NE"
            else:
                rec["increase_vs_nadir"] = s - nadir
                if nadir > 0:
                    rec["change_vs_nadir"] = (s - nadir) / nadir
                if baseline_sum > 0:
                    rec["change_vs_baseline"] = (s - baseline_sum) / baseline_sum
                cr_now = _targets_cr(targets, criteria)
                reappeared = any(lesion_measure(r, criteria) > 0 for r in targets
                                 if not (_truthy(r.get("is_node")) and criteria.measure != "volume"))
                if prev_target_cr and reappeared:
                    tr = "PD"  # a non-nodal target lesion reappearing after CR
                elif is_progression(s, nadir, criteria):
                    tr = "PD"
                elif cr_now:
                    tr = "CR"
                elif is_partial_response(s, baseline_sum, criteria):
                    tr = "PR"
                else:
                    tr = "SD"
                prev_target_cr = prev_target_cr or tr == "CR"
                sums.append(s)
            # non-target response
            if not has_nontargets:
                ntr = "none"
            else:
                state = _nontarget_state(nontargets) if nontargets else "NE"
                if exam_nontarget_status.get((pid, d)) == "pd" or (prev_nontarget_cr and state == NON_CR_NON_PD):
                    ntr = "PD"
                else:
                    ntr = state
                prev_nontarget_cr = prev_nontarget_cr or ntr == "CR"
            rec.update(target_response=tr, nontarget_response=ntr, overall=overall_response(tr, ntr, new))
            records.append(rec)
    cols = ["patient_id", "day", "days_from_baseline", "is_baseline", "target_sum", "baseline_sum", "nadir",
            "change_vs_baseline", "change_vs_nadir", "increase_vs_nadir", "target_response",
            "nontarget_response", "new_lesions", "overall"]
    return pd.DataFrame(records, columns=cols)


def best_overall_response(timepoints, confirm: bool = True, confirm_days: int = 28, min_sd_days: int = 42):
    """Best overall response per patient from :func:`evaluate` output (RECIST 1.1 section 4.4).

    Parameters
    ----------
    timepoints : pandas.DataFrame
        Output of :func:`evaluate` (baseline rows are skipped).
    confirm : bool
        Require confirmation of CR/PR (default True, as for non-randomised trials).
    confirm_days : int
        Minimum days between a CR/PR and its confirming assessment (default 28 = 4 weeks).
    min_sd_days : int
        Minimum days from baseline for a non-PD time point to count as SD (default 42 = 6 weeks).

    Returns
    -------
    pandas.DataFrame
        patient_id, best_response (CR PR SD non-CR/non-PD PD NE), day (of the time point that
        decided it; NaN for NE), confirmed (bool), reason.

    Notes
    -----
    Assessments after the first PD are ignored. A CR is confirmed by a CR at least
    ``confirm_days`` later, a PR by a PR or CR at least ``confirm_days`` later (any assessments in
    between may be NE/SD). An unconfirmed CR/PR counts as SD when the SD interval is met.
    """
    import pandas as pd

    out = []
    for pid, g in timepoints[~timepoints["is_baseline"]].groupby("patient_id", sort=False):
        g = g.sort_values("day")
        tp = list(zip(g["day"].astype(int), g["days_from_baseline"].astype(int), g["overall"]))
        pd_day = next((d for d, _, r in tp if r == "PD"), None)
        pre = [(d, db, r) for d, db, r in tp if pd_day is None or d < pd_day]
        best = None
        if confirm:
            for want, ok in (("CR", ("CR",)), ("PR", ("PR", "CR"))):
                for i, (d, _, r) in enumerate(pre):
                    if r in ((want,) if want == "CR" else ("PR", "CR")) and any(
                            r2 in ok and d2 - d >= confirm_days for d2, _, r2 in pre[i + 1:]):
                        best = (want, d, True, f"{want} confirmed >= {confirm_days} days later")
                        break
                if best:
                    break
        else:
            for want in ("CR", "PR"):
                hit = next((d for d, _, r in pre if r == want), None)
                if hit is not None:
                    best = (want, hit, False, "best time-point response (no confirmation required)")
                    break
        if best is None:
            sd = next(((d, r) for d, db, r in pre
                       if r in ("CR", "PR", "SD", NON_CR_NON_PD) and db >= min_sd_days), None)
            if sd is not None:
                label = NON_CR_NON_PD if sd[1] == NON_CR_NON_PD else "SD"
                best = (label, sd[0], False, f"non-PD >= {min_sd_days} days after baseline")
            elif pd_day is not None:
                best = ("PD", pd_day, False, "progression before SD could be established")
            else:
                best = ("NE", math.nan, False, "no assessment meeting the SD interval")
        out.append(dict(patient_id=pid, best_response=best[0], day=best[1], confirmed=best[2], reason=best[3]))
    return pd.DataFrame(out, columns=["patient_id", "best_response", "day", "confirmed", "reason"])


def evaluate_dataset(ds, criteria: Criteria | str = RECIST11):
    """Per-time-point responses of a whole dataset from its lesions.csv (None when it has none).

    The baseline of each patient is the V0 exam of :func:`analysis.study.endpoints.per_patient` (the last
    exam before the first TACE); imaging.csv supplies the exam-level non-target ``pd`` status and
    the new-lesion flag. Patients without lesion rows on their V0 exam day are left out.

    Returns
    -------
    pandas.DataFrame or None
        :func:`evaluate` output; pass it to :func:`best_overall_response` for the best response.
    """
    from analysis.study.endpoints import per_patient

    lesions = getattr(ds, "lesions", None)
    if lesions is None or len(lesions) == 0:
        return None
    pp = per_patient(ds)
    base = {pid: int(d) for pid, d in zip(pp["patient_id"], pp["v0_day"]) if d == d}
    nts, new = {}, {}
    for e in ds.imaging[["patient_id", "day", "new_lesions", "nontarget_status"]].to_dict("records"):
        key = (e["patient_id"], int(e["day"]))
        nts[key] = None if _missing(e["nontarget_status"]) else str(e["nontarget_status"])
        new[key] = None if _missing(e["new_lesions"]) else bool(e["new_lesions"])
    return evaluate(lesions, criteria, baseline_days=base, exam_nontarget_status=nts, exam_new_lesions=new)
