"""Tumour response criteria: RECIST 1.1, mRECIST and volumetric, per time point and best overall.

The rules shared by every level live in :mod:`analysis.study.response_rules` (re-exported here),
the baseline rules (measurability, target limits, window) in :mod:`analysis.data.lesion_rules`; the
baseline exam of a dataset comes from :mod:`analysis.study.exams`.

- :func:`evaluate` / :func:`best_overall_response` — the per-time-point evaluation from lesions.csv
  (one row per lesion per exam) and the best overall response with confirmation.
- :func:`first_followup_response` — the same rules on imaging.csv's exam-level sums, for patients
  without lesion rows. The study's endpoint (response at the first follow-up) chooses between the
  two per patient in :mod:`analysis.study.response`, the one implementation every path uses.

Rules (RECIST 1.1, Eisenhauer et al. 2009)
------------------------------------------
- Target set (section 3.1, 3.3): the target rows of the baseline exam that are measurable —
  non-nodal long axis >= 10 mm, nodal short axis >= 15 mm, ``present``; a baseline "target" that
  is not measurable is followed as a non-target lesion (the validator warns).
- Target measure (4.2): non-nodal lesions by the long axis, lymph nodes by the short axis; a lesion
  ``too_small`` to measure counts :data:`TOO_SMALL_MM` (5 mm); ``absent`` counts 0; a target
  ``not_assessed`` or unmeasured makes the sum unknown. The sum of an exam is that of its target
  rows (a target without a row adds nothing; an exam without any target row is NE).
- Baseline = the first exam evaluated (or the day given per patient); nadir = the smallest sum
  among the baseline and the previous follow-ups (the current one excluded).
- CR (4.3.1): every non-nodal target absent and every nodal target with short axis < 10 mm.
- PR: change vs baseline <= -30 %. PD: change vs nadir >= +20 % AND increase >= 5 mm; when the
  nadir is 0 any increase of >= 5 mm is PD; a non-nodal target lesion reappearing after a CR is
  PD (lymph nodes, whose short axis stays in the sum, progress by the sum rule).
- NE (4.4.2) only when the measured targets do not already show PD: with a target unknown, the sum
  of the measured ones is compared with the nadir first (the missing ones can only add).
- Thresholds are compared on the unrounded change; to stop binary floating point from moving a
  decimal-exact value across a threshold (e.g. 10.1 mm -> 7.07 mm is exactly -30 %), comparisons
  allow :data:`EPS` = 1e-9 (a fraction, i.e. 1e-7 percentage points; 1e-9 mm for the 5 mm rule):
  exactly -30.0 % is PR, exactly +20.0 % with exactly 5 mm is PD.
- Non-target (4.3.3-4.3.4): CR if all absent (nodes < 10 mm), PD if imaging.csv says ``pd`` for the
  exam or a non-target reappears after a non-target CR, NE if any is not assessed, else
  non-CR/non-PD. A patient without non-target rows at baseline takes imaging.csv's
  ``nontarget_status`` of the exam.
- New lesion (4.3.5): a ``new`` row that is present / too small (or ``new_lesions`` true in imaging.csv).
- Overall response per time point: RECIST 1.1 Tables 1 and 2 (no measurable disease at baseline:
  the non-target response, CR / non-CR/non-PD / PD / NE).
- Best overall response (4.4.3, Table 3; 4.6.1): CR/PR need confirmation by a CR (for PR: PR or
  CR) at least ``confirm_days`` (:data:`CONFIRM_DAYS` = 28) later with only as-good or NE
  assessments between (PR -> SD -> PR is not confirmed), before any PD; otherwise SD if a non-PD
  time point is at least ``min_sd_days`` (default 42 = 6 weeks) after baseline; otherwise PD if PD
  was recorded; else NE.

mRECIST (Lencioni & Llovet 2010) uses the viable (arterially enhancing) diameter
``viable_axis_mm`` for non-nodal targets (measurable from 10 mm viable), has no 5 mm rule, takes a
porta-hepatis node as measurable from 20 mm short axis, and counts a new intrahepatic lesion from
10 mm (lesions.csv cannot say whether its pattern is typical: no washout column). EASL (Bruix et al.
2001) sums viable areas (:func:`easl_area`; PR <= -50 %, PD >= +25 %). The volumetric criteria use
the lesion volumes ``volume_cm3`` (PR <= -65 % vs baseline, PD >= +73 % vs nadir).

Refused (:class:`analysis.errors.UserError`, naming patient and exam day; the validator reports the
same as a structural error): more than 5 target lesions at an exam, or more than 2 in one organ.

References
----------
.. [1] Eisenhauer EA et al. New response evaluation criteria in solid tumours: revised RECIST
   guideline (version 1.1). Eur J Cancer 2009;45:228-47.
.. [2] Lencioni R, Llovet JM. Modified RECIST (mRECIST) assessment for hepatocellular carcinoma.
   Semin Liver Dis 2010;30:52-60.
.. [3] The paper's Methods (Clinical Practice 2022;13(4), doi:10.17816/clinpract115017): RECIST 1.1
   at the first follow-up.
.. [4] Bruix J et al. Clinical management of hepatocellular carcinoma. Conclusions of the
   Barcelona-2000 EASL conference. J Hepatol 2001;35:421-30.

Examples
--------
>>> first_followup_response(100.0, 70.0, False, "absent")
('PR', 'sum -30.0% vs baseline (<= -30%)')
>>> first_followup_response(100.0, 120.0, False, "absent")[0]
'PD'
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from analysis.study import exams
from analysis.study.response_rules import (  # noqa: F401 -- the rules are part of this module's API
    BASELINE_WINDOW_DAYS, CONFIRM_DAYS, CRITERIA, EASL, EPS, EXAM_NONTARGET, MAX_TARGETS, MAX_TARGETS_PER_ORGAN,
    MEASURABLE_MM, MRECIST, NODE_MEASURABLE_MM, NODE_NORMAL_MM, NON_CR_NON_PD, PORTA_NODE_MEASURABLE_MM, RECIST11,
    RESPONSES, TOO_SMALL_CM3, TOO_SMALL_MM, VOLUMETRIC, Criteria, _missing, _records, _truthy, baseline_measurable,
    check_target_limits, easl_area, first_followup_response, first_followup_volumetric, is_partial_response,
    is_progression, lesion_measure, overall_response, target_response, target_sums)

if TYPE_CHECKING:
    import pandas as pd

    from analysis.data import Dataset


def _targets_cr(rows, criteria: Criteria) -> bool:
    """Every non-nodal target gone and every nodal target < 10 mm short axis (volumes: all 0)."""
    for r in rows:
        if _truthy(r.get("is_node")) and criteria.measure != "volume":
            v = lesion_measure(r, RECIST11)  # the node's short axis, whatever the criterion sums
            if math.isnan(v) or not v < NODE_NORMAL_MM:
                return False
        elif lesion_measure(r, criteria) != 0:
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


TIMEPOINT_COLUMNS = ["patient_id", "day", "days_from_baseline", "is_baseline", "target_sum", "baseline_sum",
                     "nadir", "change_vs_baseline", "change_vs_nadir", "increase_vs_nadir", "target_response",
                     "nontarget_response", "new_lesions", "overall"]
BEST_COLUMNS = ["patient_id", "best_response", "day", "confirmed", "reason"]


class _History:
    """What one patient's evaluation carries from exam to exam (baseline, sums so far, earlier CRs).

    The target set is fixed at baseline: the target rows of the baseline exam that are measurable
    (:func:`baseline_measurable`); a baseline target that is not measurable is evaluated as a
    non-target lesion from then on (RECIST 1.1 section 3.1).
    """

    def __init__(self, base_rows: list[dict], criteria: Criteria):
        named = {r["lesion_id"] for r in base_rows if r["role"] == "target"}
        self.targets = {r["lesion_id"] for r in base_rows
                        if r["role"] == "target" and baseline_measurable(r, criteria.measure)}
        self.demoted = named - self.targets
        self.has_targets = bool(self.targets)
        self.has_nontargets = any(r["role"] == "nontarget" for r in base_rows) or bool(self.demoted)
        self.sums: list[float] = []
        self.baseline_sum = math.nan
        self.target_cr = self.nontarget_cr = False

    def split(self, rows: list[dict]) -> tuple[list[dict], list[dict], set]:
        """(target rows, non-target rows, missing) of one exam: the exam's target rows are summed, except
        those of a baseline target that was not measurable (followed as non-target). ``missing`` is
        empty: a target without a row at an exam adds nothing (write ``not_assessed`` for a target
        that was not evaluated); an exam with no target row at all is NE."""
        targets = [r for r in rows if r["role"] == "target" and r["lesion_id"] not in self.demoted]
        nontargets = [r for r in rows if r["role"] == "nontarget"
                      or (r["role"] == "target" and r["lesion_id"] in self.demoted)]
        return targets, nontargets, set()

    def nadir(self) -> float:
        """Smallest known sum among the baseline and the earlier follow-ups (NaN if none)."""
        known = [x for x in self.sums if not math.isnan(x)]
        return min(known) if known else math.nan


def _sum_of(targets: list[dict], missing: set, criteria: Criteria) -> tuple[float, float]:
    """(sum, partial sum) of the target measures of an exam: the sum is NaN when one is unknown
    (not assessed, unmeasured or without a row), the partial sum adds the known ones."""
    vals = [lesion_measure(r, criteria) for r in targets]
    known = float(sum(v for v in vals if not math.isnan(v)))
    if not targets and not missing:
        return math.nan, math.nan
    return (math.nan if (missing or any(math.isnan(v) for v in vals)) else known), known


def _target_response(rec: dict, targets: list[dict], partial: float, h: _History, criteria: Criteria) -> str:
    """Target response of a follow-up exam; fills the changes of ``rec`` and updates ``h``."""
    s, nadir, baseline_sum = rec["target_sum"], rec["nadir"], h.baseline_sum
    if not h.has_targets:
        return "none"
    if not math.isnan(s) and not math.isnan(nadir):
        rec["increase_vs_nadir"] = s - nadir
        if nadir > 0:
            rec["change_vs_nadir"] = (s - nadir) / nadir
        if baseline_sum > 0:
            rec["change_vs_baseline"] = (s - baseline_sum) / baseline_sum
    reappeared = h.target_cr and any(lesion_measure(r, criteria) > 0 for r in targets
                                     if not (_truthy(r.get("is_node")) and criteria.measure != "volume"))
    tr = target_response(s, baseline_sum, nadir, _targets_cr(targets, criteria), criteria,
                         partial=partial, reappeared=reappeared)
    h.target_cr = h.target_cr or tr == "CR"
    if not math.isnan(s):
        h.sums.append(s)
    return tr


def _nontarget_response(nontargets: list[dict], exam_status, h: _History) -> str:
    """Non-target response of a follow-up exam (``exam_status``: imaging.csv's status); updates ``h``."""
    if not h.has_nontargets:  # none in lesions.csv at baseline: imaging.csv's exam-level status
        return EXAM_NONTARGET.get(exam_status, "none")
    state = _nontarget_state(nontargets) if nontargets else "NE"
    ntr = "PD" if exam_status == "pd" or (h.nontarget_cr and state == NON_CR_NON_PD) else state
    h.nontarget_cr = h.nontarget_cr or ntr == "CR"
    return ntr


def _counts_as_new(r: dict, criteria: Criteria) -> bool:
    """A ``new`` row that counts as a new lesion. RECIST 1.1: any present / too-small one. mRECIST
    and EASL: an intrahepatic one only from 10 mm long axis (lesions.csv records no arterial
    enhancement / washout, so 'typical' cannot be told from 'atypical': size is the only test the
    schema allows), a porta-hepatis node only from 20 mm short axis."""
    if r["role"] != "new" or r["status"] not in ("present", "too_small"):
        return False
    if criteria.measure not in ("viable", "viable_area"):
        return True
    organ = "" if _missing(r.get("organ")) else str(r.get("organ")).lower()
    if _truthy(r.get("is_node")) and "porta" in organ:
        sa = r.get("short_axis_mm")
        return not _missing(sa) and float(sa) >= PORTA_NODE_MEASURABLE_MM
    if organ == "liver":
        la = r.get("long_axis_mm")
        return r["status"] == "present" and not _missing(la) and float(la) >= MEASURABLE_MM
    return True


def _new_lesions(rows: list[dict], flag, criteria: Criteria) -> bool:
    """New lesions at an exam: counted ``new`` rows, or imaging.csv's flag (mRECIST / EASL: the flag
    only when lesions.csv has no ``new`` row for the exam, whose size then decides)."""
    if any(_counts_as_new(r, criteria) for r in rows):
        return True
    has_rows = any(r["role"] == "new" for r in rows)
    if criteria.measure in ("viable", "viable_area") and has_rows:
        return False
    return flag is True


def _evaluate_patient(pid, by_day: dict, days: list[int], criteria: Criteria, exam_nontarget_status: dict,
                      exam_new_lesions: dict) -> list[dict]:
    """Time-point rows of one patient; ``days[0]`` is the baseline exam."""
    base_day = days[0]
    h = _History(by_day[base_day], criteria)
    records = []
    for d in days:
        rows = by_day[d]
        targets, nontargets, missing = h.split(rows)
        s, partial = _sum_of(targets, missing, criteria)
        new = _new_lesions(rows, exam_new_lesions.get((pid, d)), criteria)
        rec = dict(patient_id=pid, day=d, days_from_baseline=d - base_day, is_baseline=d == base_day,
                   target_sum=s, baseline_sum=math.nan, nadir=math.nan, change_vs_baseline=math.nan,
                   change_vs_nadir=math.nan, increase_vs_nadir=math.nan, target_response="",
                   nontarget_response="", new_lesions=new, overall="")
        if d == base_day:
            h.baseline_sum = rec["baseline_sum"] = s
            if h.has_targets and not math.isnan(s):
                h.sums.append(s)
        else:
            rec.update(baseline_sum=h.baseline_sum, nadir=h.nadir())
            tr = _target_response(rec, targets, partial, h, criteria)
            ntr = _nontarget_response(nontargets, exam_nontarget_status.get((pid, d)), h)
            rec.update(target_response=tr, nontarget_response=ntr, overall=overall_response(tr, ntr, new))
        records.append(rec)
    return records


def evaluate(lesions: pd.DataFrame, criteria: Criteria | str = RECIST11, baseline_days: dict | None = None,
             exam_nontarget_status: dict | None = None, exam_new_lesions: dict | None = None) -> pd.DataFrame:
    """Per-time-point response from lesion measurements.

    Parameters
    ----------
    lesions : pandas.DataFrame
        lesions.csv rows (patient_id, lesion_id, day, role, organ, is_node, status, measures).
    criteria : Criteria or {'recist', 'mrecist', 'volumetric', 'easl'}
    baseline_days : dict, optional
        ``{patient_id: day}`` of the baseline exam (default: each patient's first exam in
        ``lesions``). Exams before the baseline are ignored; a patient without lesion rows on
        the baseline day is left out.
    exam_nontarget_status, exam_new_lesions : dict, optional
        ``{(patient_id, day): value}`` from imaging.csv; a ``'pd'`` status or a true flag there
        means non-target progression / new lesions at that exam.

    Returns
    -------
    pandas.DataFrame
        One row per patient and exam from baseline on (:data:`TIMEPOINT_COLUMNS`): patient_id,
        day, days_from_baseline, is_baseline, target_sum, baseline_sum, nadir,
        change_vs_baseline, change_vs_nadir, increase_vs_nadir, target_response,
        nontarget_response, new_lesions, overall.

    Raises
    ------
    UserError
        More than 5 targets at an exam or more than 2 per organ.

    References
    ----------
    .. [1] Eisenhauer EA et al. New response evaluation criteria in solid tumours: revised RECIST
       guideline (version 1.1). Eur J Cancer 2009;45:228-47 (sections 4.3-4.4, Tables 1-2).
    .. [2] Lencioni R, Llovet JM. Modified RECIST (mRECIST) assessment for hepatocellular
       carcinoma. Semin Liver Dis 2010;30:52-60 (``criteria='mrecist'``).

    Examples
    --------
    One liver target of 40 mm at baseline, 26 mm at day 60: -35 % -> PR.

    >>> import pandas as pd
    >>> les = pd.DataFrame({"patient_id": ["P", "P"], "lesion_id": ["T1", "T1"], "day": [0, 60],
    ...                     "role": ["target"] * 2, "organ": ["liver"] * 2, "is_node": [False] * 2,
    ...                     "status": ["present"] * 2, "long_axis_mm": [40.0, 26.0]})
    >>> tp = evaluate(les)
    >>> tp[["day", "target_sum", "target_response", "overall"]].values.tolist()
    [[0, 40.0, '', ''], [60, 26.0, 'PR', 'PR']]
    >>> round(float(tp["change_vs_baseline"].iloc[1]), 2)
    -0.35
    """
    import pandas as pd

    if isinstance(criteria, str):
        criteria = CRITERIA[criteria]
    all_rows = _records(lesions)
    check_target_limits(all_rows)
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
        records += _evaluate_patient(pid, by_day, days, criteria, exam_nontarget_status or {},
                                     exam_new_lesions or {})
    return pd.DataFrame(records, columns=TIMEPOINT_COLUMNS)


def _confirmed_best(pre: list[tuple], confirm_days: int) -> tuple | None:
    """The first CR confirmed by a CR, else the first PR/CR confirmed by a PR/CR, ``confirm_days`` later.

    The assessments in between may only be as good (CR for a CR; PR or CR for a PR) or NE: a PR,
    then SD, then PR is not a confirmed PR (RECIST 1.1 Table 3: PR then SD gives SD).
    """
    for want, ok in (("CR", ("CR",)), ("PR", ("PR", "CR"))):
        for i, (d, _, r) in enumerate(pre):
            if r not in ok:
                continue
            for d2, _, r2 in pre[i + 1:]:
                if r2 == "NE":
                    continue
                if r2 not in ok:
                    break
                if d2 - d >= confirm_days:
                    return (want, d, True, f"{want} confirmed >= {confirm_days} days later")
    return None


def _unconfirmed_best(pre: list[tuple]) -> tuple | None:
    """The first CR, else the first PR, without confirmation."""
    for want in ("CR", "PR"):
        hit = next((d for d, _, r in pre if r == want), None)
        if hit is not None:
            return (want, hit, False, "best time-point response (no confirmation required)")
    return None


def _stable_or_worse(pre: list[tuple], pd_day, min_sd_days: int) -> tuple:
    """SD (or non-CR/non-PD) if met ``min_sd_days`` after baseline, else PD if recorded, else NE."""
    sd = next(((d, r) for d, db, r in pre
               if r in ("CR", "PR", "SD", NON_CR_NON_PD) and db >= min_sd_days), None)
    if sd is not None:
        label = NON_CR_NON_PD if sd[1] == NON_CR_NON_PD else "SD"
        return (label, sd[0], False, f"non-PD >= {min_sd_days} days after baseline")
    if pd_day is not None:
        return ("PD", pd_day, False, "progression before SD could be established")
    return ("NE", math.nan, False, "no assessment meeting the SD interval")


def best_overall_response(timepoints: pd.DataFrame, confirm: bool = True, confirm_days: int = CONFIRM_DAYS,
                          min_sd_days: int = 42) -> pd.DataFrame:
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
    ``confirm_days`` later, a PR by a PR or CR at least ``confirm_days`` later; the assessments in
    between may be as good or NE, not worse (PR -> SD -> PR is not a confirmed PR, RECIST 1.1
    Table 3). An unconfirmed CR/PR counts as SD when the SD interval is met.

    References
    ----------
    .. [1] Eisenhauer EA et al. Eur J Cancer 2009;45:228-47, section 4.4 (best overall response,
       confirmation, minimum SD interval).

    Examples
    --------
    PR at day 56, confirmed by a PR 28 days later:

    >>> import pandas as pd
    >>> tp = pd.DataFrame({"patient_id": ["P"] * 3, "day": [0, 56, 84], "days_from_baseline": [0, 56, 84],
    ...                    "is_baseline": [True, False, False], "overall": ["", "PR", "PR"]})
    >>> b = best_overall_response(tp).iloc[0]
    >>> b.best_response, int(b.day), bool(b.confirmed), b.reason
    ('PR', 56, True, 'PR confirmed >= 28 days later')
    """
    import pandas as pd

    out = []
    for pid, g in timepoints[~timepoints["is_baseline"]].groupby("patient_id", sort=False):
        g = g.sort_values("day")
        tp = list(zip(g["day"].astype(int), g["days_from_baseline"].astype(int), g["overall"]))
        pd_day = next((d for d, _, r in tp if r == "PD"), None)
        pre = [(d, db, r) for d, db, r in tp if pd_day is None or d < pd_day]
        best = _confirmed_best(pre, confirm_days) if confirm else _unconfirmed_best(pre)
        if best is None:
            best = _stable_or_worse(pre, pd_day, min_sd_days)
        out.append(dict(zip(BEST_COLUMNS, (pid, *best))))
    return pd.DataFrame(out, columns=BEST_COLUMNS)


def evaluate_dataset(ds: Dataset, criteria: Criteria | str = RECIST11) -> pd.DataFrame | None:
    """Per-time-point responses of a whole dataset from its lesions.csv (None when it has none).

    The baseline of each patient is its V0 exam (the last exam before the first TACE,
    :func:`analysis.study.exams.baseline_days`); imaging.csv supplies the exam-level non-target
    ``pd`` status and the new-lesion flag. Patients without lesion rows on their V0 exam day are
    left out.

    Parameters
    ----------
    ds : Dataset
        A validated dataset (:func:`analysis.data.load_dataset`).
    criteria : Criteria or {'recist', 'mrecist', 'volumetric', 'easl'}

    Returns
    -------
    pandas.DataFrame or None
        :func:`evaluate` output; pass it to :func:`best_overall_response` for the best response.

    References
    ----------
    .. [1] Eisenhauer EA et al. Eur J Cancer 2009;45:228-47 (RECIST 1.1).

    Examples
    --------
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> tp = evaluate_dataset(load_dataset(TESTS / "fixtures" / "mini"))
    >>> best = best_overall_response(tp, confirm=False).set_index("patient_id")["best_response"]
    >>> best["S04"], best["S11"], best["S01"]  # sums 86 -> 55 mm (-36 %); a new lesion; stable
    ('PR', 'PD', 'SD')
    """
    lesions = getattr(ds, "lesions", None)
    if lesions is None or len(lesions) == 0:
        return None
    check_target_limits(lesions)  # refused before anything else, as per_patient does
    base = exams.baseline_days(ds)
    im = ds.imaging
    keys = list(zip(im["patient_id"].tolist(), im["day"].astype("int64").tolist()))
    status, flag = im["nontarget_status"], im["new_lesions"]
    nts = dict(zip(keys, status.astype(str).where(status.notna(), None).tolist()))
    new = dict(zip(keys, flag.astype(object).where(flag.notna(), None).tolist()))
    return evaluate(lesions, criteria, baseline_days=base, exam_nontarget_status=nts, exam_new_lesions=new)
