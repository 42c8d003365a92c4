"""Response rules shared by every level: the criteria, target measures and the first follow-up response.

The building blocks of :mod:`analysis.study.recist` (which documents the rules in full and
re-exports these names): the :class:`Criteria` of RECIST 1.1, mRECIST and the volumetric criteria,
the progression / partial-response thresholds, the measure a lesion contributes to the sum, the
target-lesion limits, the overall response per time point, and the study's endpoint, the RECIST
1.1 response at the first follow-up from exam-level sums
(used by :func:`analysis.study.endpoints.per_patient`).

References
----------
RECIST 1.1 (Eisenhauer et al., Eur J Cancer 2009;45:228-47) and mRECIST (Lencioni & Llovet, Semin
Liver Dis 2010;30:52-60); the rules in words are in :mod:`analysis.study.recist`.

Examples
--------
>>> RECIST11.pr, RECIST11.pd, RECIST11.pd_min_increase  # -30 % vs baseline; +20 % and +5 mm vs nadir
(-0.3, 0.2, 5.0)
>>> overall_response("PR", "non-CR/non-PD", False)
'PR'
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from analysis.data.lesion_rules import (  # noqa: F401 -- one definition of the baseline rules, re-exported
    BASELINE_WINDOW_DAYS, MAX_TARGETS, MAX_TARGETS_PER_ORGAN, MEASURABLE_MM, NODE_MEASURABLE_MM,
    PORTA_NODE_MEASURABLE_MM, baseline_measurable)
from analysis.errors import UserError

EPS = 1e-9
TOO_SMALL_MM = 5.0
#: volume counted for a ``too_small`` lesion in the volumetric criteria: a 5 mm sphere, cm³
TOO_SMALL_CM3 = math.pi / 6.0 * 0.5 ** 3
NODE_NORMAL_MM = 10.0
#: a confirmed CR / PR needs a second assessment at least this many days later (RECIST 1.1 section 4.4)
CONFIRM_DAYS = 28
RESPONSES = ("CR", "PR", "SD", "PD", "NE")
NON_CR_NON_PD = "non-CR/non-PD"


@dataclass(frozen=True)
class Criteria:
    """A response criterion: which lesion measure is summed and its thresholds (fractions)."""

    name: str
    measure: str  # 'diameter' | 'viable' | 'volume' | 'viable_area'
    pr: float  # change vs baseline at or below which the response is PR
    pd: float  # change vs nadir at or above which the response is PD
    pd_min_increase: float  # absolute increase vs nadir also needed for PD (mm; 0 = none)


RECIST11 = Criteria("RECIST 1.1", "diameter", -0.30, 0.20, 5.0)
MRECIST = Criteria("mRECIST", "viable", -0.30, 0.20, 0.0)
VOLUMETRIC = Criteria("volumetric", "volume", -0.65, 0.73, 0.0)
#: EASL (Bruix et al. 2001): bidimensional viable (enhancing) area, WHO thresholds -50 % / +25 %
EASL = Criteria("EASL", "viable_area", -0.50, 0.25, 0.0)
CRITERIA = {"recist": RECIST11, "mrecist": MRECIST, "volumetric": VOLUMETRIC, "easl": EASL}


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

    Parameters
    ----------
    value, nadir : float
        The sum (mm, or cm³ for the volumetric criteria) now and at the nadir.
    criteria : Criteria
        :data:`RECIST11` (default), :data:`MRECIST` or :data:`VOLUMETRIC`.

    Returns
    -------
    bool

    References
    ----------
    .. [1] Eisenhauer EA et al. New response evaluation criteria in solid tumours: revised RECIST
       guideline (version 1.1). Eur J Cancer 2009;45:228-47, section 4.3.1 (PD: +20 % and +5 mm).
    .. [2] Lencioni R, Llovet JM. Modified RECIST (mRECIST) assessment for hepatocellular
       carcinoma. Semin Liver Dis 2010;30:52-60.

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

    Parameters
    ----------
    value, baseline : float
        The sum now and at baseline (False when the baseline is 0).
    criteria : Criteria
        :data:`RECIST11` (default), :data:`MRECIST` or :data:`VOLUMETRIC`.

    Returns
    -------
    bool

    References
    ----------
    .. [1] Eisenhauer EA et al. New response evaluation criteria in solid tumours: revised RECIST
       guideline (version 1.1). Eur J Cancer 2009;45:228-47, section 4.3.1 (PR: -30 %).
    .. [2] Lencioni R, Llovet JM. Modified RECIST (mRECIST) assessment for hepatocellular
       carcinoma. Semin Liver Dis 2010;30:52-60.

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


def target_response(value: float, baseline: float, nadir: float, all_gone: bool, criteria: Criteria = RECIST11,
                    partial: float = math.nan, reappeared: bool = False) -> str:
    """Target-lesion response at a follow-up: PD, CR, PR, SD or NE (one rule for every path).

    Parameters
    ----------
    value : float
        Sum of the target measures now; NaN when a target was not assessed.
    baseline, nadir : float
        The baseline sum and the smallest sum so far (baseline included).
    all_gone : bool
        Every non-nodal target gone and every nodal target < 10 mm short axis (RECIST 1.1 CR).
    criteria : Criteria
        :data:`RECIST11` (default), :data:`MRECIST`, :data:`VOLUMETRIC` or :data:`EASL`.
    partial : float
        When ``value`` is NaN: the sum of the targets that were assessed. If it alone already meets
        the PD rule against the nadir the response is PD (the missing ones can only add), else NE.
    reappeared : bool
        A non-nodal target reappeared after a target CR (PD).

    Returns
    -------
    str

    References
    ----------
    .. [1] Eisenhauer EA et al. Eur J Cancer 2009;45:228-47, section 4.3.1 (CR, PR, PD, SD) and
       4.3.4 / Table 1 footnote ("NE" only when the measured lesions do not already show PD).

    Examples
    --------
    >>> target_response(0.0, 40.0, 40.0, all_gone=True)
    'CR'
    >>> target_response(7.0, 47.0, 47.0, all_gone=True)  # liver target gone, node 7 mm: CR
    'CR'
    >>> target_response(float("nan"), 30.0, 30.0, False, partial=40.0)  # +33 %, +10 mm measured
    'PD'
    """
    if math.isnan(baseline) or math.isnan(nadir):
        return "NE"
    if math.isnan(value):
        return "PD" if not math.isnan(partial) and is_progression(partial, nadir, criteria) else "NE"
    if reappeared or is_progression(value, nadir, criteria):
        return "PD"
    if all_gone:
        return "CR"
    if is_partial_response(value, baseline, criteria):
        return "PR"
    return "SD"


#: imaging.csv ``nontarget_status`` -> the non-target response of RECIST 1.1 Tables 1-2
#: (``absent`` = no non-target lesion recorded)
EXAM_NONTARGET = {"absent": "none", "non_cr_non_pd": NON_CR_NON_PD, "cr": "CR", "pd": "PD", "ne": "NE"}


def first_followup_response(sum0: float, sum1: float, new_lesions: bool | None,
                            nontarget_status: str | None) -> tuple[str, str]:
    """RECIST 1.1 response at the first follow-up from exam-level sums (no lesions.csv for the patient).

    At the first follow-up the nadir is the baseline. The target response is
    :func:`target_response` and the overall one :func:`overall_response` (Tables 1-2), as for the
    lesion-level evaluation; exam-level sums cannot tell nodes apart, so target CR means sum 0.

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
        ``response`` in CR / PR / SD / PD / NE / non-CR/non-PD; ``reason`` in words.

    Notes
    -----
    PD = new lesions, or non-target PD, or sum1 - sum0 >= 5 mm and >= +20 %; CR = sum1 = 0, no new
    lesions and non-target ``absent`` or ``cr``; PR = sum1 vs sum0 <= -30 %; NE when a sum is
    missing; SD otherwise. A baseline sum of 0 (no measurable disease) gives non-CR/non-PD (the
    liver metastases are there but not measurable: RECIST 1.1 Table 2), CR only when the non-target
    status is ``cr``.

    References
    ----------
    .. [1] Eisenhauer EA et al. New response evaluation criteria in solid tumours: revised RECIST
       guideline (version 1.1). Eur J Cancer 2009;45:228-47, sections 4.3-4.4, Tables 1-2.
    .. [2] The paper's Methods (Clinical Practice 2022;13(4), doi:10.17816/clinpract115017).

    Examples
    --------
    >>> first_followup_response(25.0, 30.0, False, "absent")  # +20 % and +5 mm exactly
    ('PD', 'sum +20.0% and +5.0 mm vs nadir (>= +20% and >= 5 mm)')
    >>> first_followup_response(40.0, 0.0, False, "cr")[0]
    'CR'
    >>> first_followup_response(0.0, 0.0, False, "non_cr_non_pd")[0]
    'non-CR/non-PD'
    """
    nontarget = EXAM_NONTARGET.get(nontarget_status, "none")
    if new_lesions is True:
        return "PD", "new lesions"
    if nontarget == "PD":
        return "PD", "non-target progression"
    if _missing(sum0) or (sum0 > 0 and _missing(sum1)):
        return "NE", "sum of target diameters missing"
    if sum0 == 0:
        resp = overall_response("none", "CR" if nontarget == "CR" else
                                ("NE" if nontarget == "NE" else NON_CR_NON_PD), False)
        return resp, "no measurable disease at baseline (sum 0): non-target response (RECIST 1.1 Table 2)"
    resp = overall_response(target_response(sum1, sum0, sum0, all_gone=sum1 == 0), nontarget, False)
    if resp == "PD":
        return "PD", (f"sum {_pct((sum1 - sum0) / sum0)} and "
                      f"+{sum1 - sum0:.1f} mm vs nadir (>= +20% and >= 5 mm)")
    if resp == "CR":
        return "CR", "all target lesions gone, non-target absent/CR, no new lesions"
    if resp == "PR":
        return "PR", f"sum {_pct((sum1 - sum0) / sum0)} vs baseline (<= -30%)"
    return resp, ""


def first_followup_volumetric(v0: float, v1: float, new_lesions: bool | None = None,
                              nontarget_status: str | None = None) -> str:
    """Volumetric response at the first follow-up (baseline = nadir): CR / PR / SD / PD / NE.

    Target part: CR when V1 = 0; PD when V1 vs V0 >= +73 %; PR when <= -65 %; NE when a volume is
    missing. Combined with new lesions and the non-target status as RECIST 1.1 Tables 1-2 do: new
    lesions or non-target PD give PD, a CR with non-target disease left is PR.

    Parameters
    ----------
    v0, v1 : float
        Tumour volumes (cm³) at the V0 and V1 exams.
    new_lesions : bool or None
        New lesions at the V1 exam (None = not recorded, taken as no).
    nontarget_status : str or None
        imaging.csv's non-target status at the V1 exam (None = not recorded).

    Returns
    -------
    str
        CR, PR, SD, PD or NE.

    References
    ----------
    .. [1] The -65 % / +73 % volume thresholds are the RECIST 1.1 diameter thresholds (-30 %,
       +20 %) carried to a sphere's volume: 0.7³ - 1 = -65.7 %, 1.2³ - 1 = +72.8 % (Eisenhauer
       EA et al. Eur J Cancer 2009;45:228-47, Tables 1-2 for the combination).

    Examples
    --------
    >>> first_followup_volumetric(100.0, 35.0), first_followup_volumetric(100.0, 173.0)
    ('PR', 'PD')
    >>> first_followup_volumetric(100.0, 0.0, new_lesions=True)  # tumour gone but a new lesion
    'PD'
    """
    nontarget = EXAM_NONTARGET.get(nontarget_status, "none")
    if _missing(v0) or _missing(v1) or v0 == 0:
        target = "NE"
    else:
        target = target_response(v1, v0, v0, all_gone=v1 == 0, criteria=VOLUMETRIC)
    return overall_response(target, nontarget, new_lesions is True)


# ---------------------------------------------------------------- lesion-level evaluation


def _truthy(x) -> bool:
    return (not _missing(x)) and bool(x)


def lesion_measure(row, criteria: Criteria = RECIST11) -> float:
    """The value a target lesion contributes to the sum (NaN when not assessed / not measured).

    ``absent`` -> 0; ``too_small`` -> 5 mm (volume: a 5 mm sphere); ``not_assessed`` -> NaN;
    ``present`` -> short axis for nodes, else the long axis (RECIST), the viable axis (mRECIST,
    nodes still by short axis) or ``volume_cm3`` (volumetric).

    Parameters
    ----------
    row : dict
        One lesions.csv row (status, is_node, long_axis_mm, short_axis_mm, viable_axis_mm, volume_cm3).
    criteria : Criteria
        :data:`RECIST11` (default), :data:`MRECIST` or :data:`VOLUMETRIC`.

    Returns
    -------
    float

    References
    ----------
    .. [1] Eisenhauer EA et al. New response evaluation criteria in solid tumours: revised RECIST
       guideline (version 1.1). Eur J Cancer 2009;45:228-47, section 3.1 (measurable lesions, lymph nodes
       by short axis, 5 mm default).
    .. [2] Lencioni R, Llovet JM. Modified RECIST (mRECIST) assessment for hepatocellular
       carcinoma. Semin Liver Dis 2010;30:52-60.

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
        return {"volume": TOO_SMALL_CM3, "viable_area": TOO_SMALL_MM ** 2}.get(criteria.measure, TOO_SMALL_MM)
    if criteria.measure == "viable_area":
        return easl_area(row)
    if criteria.measure == "volume":
        col = "volume_cm3"
    elif _truthy(row.get("is_node")):
        col = "short_axis_mm"
    else:
        col = "long_axis_mm" if criteria.measure == "diameter" else "viable_axis_mm"
    v = row.get(col)
    return math.nan if _missing(v) else float(v)


def easl_area(row) -> float:
    """EASL bidimensional viable area of a present lesion (mm²); NaN when a needed axis is missing.

    The schema has one viable diameter (``viable_axis_mm``) and no perpendicular viable diameter, so
    the perpendicular is taken in the lesion's own proportion: viable x viable x short / long
    (viable² when the short or long axis is missing). Nodes: long x short axis (WHO).

    Parameters
    ----------
    row : dict
        One lesions.csv row.

    Returns
    -------
    float

    References
    ----------
    .. [1] Bruix J et al. Clinical management of hepatocellular carcinoma. Conclusions of the
       Barcelona-2000 EASL conference. J Hepatol 2001;35:421-30 (viable tumour, bidimensional).

    Examples
    --------
    >>> easl_area({"status": "present", "is_node": False, "long_axis_mm": 40.0, "short_axis_mm": 20.0,
    ...            "viable_axis_mm": 30.0})
    450.0
    """
    if _truthy(row.get("is_node")):
        la, sa = row.get("long_axis_mm"), row.get("short_axis_mm")
        return math.nan if _missing(la) or _missing(sa) else float(la) * float(sa)
    va, la, sa = row.get("viable_axis_mm"), row.get("long_axis_mm"), row.get("short_axis_mm")
    if _missing(va):
        return math.nan
    ratio = 1.0 if _missing(la) or _missing(sa) or float(la) == 0 else float(sa) / float(la)
    return float(va) * float(va) * ratio


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

    Parameters
    ----------
    lesions : pandas.DataFrame or list of dict
        lesions.csv rows.

    Raises
    ------
    UserError
        Naming the patient, the exam day and the count.

    References
    ----------
    .. [1] Eisenhauer EA et al. New response evaluation criteria in solid tumours: revised RECIST
       guideline (version 1.1). Eur J Cancer 2009;45:228-47, section 3.2 (at most 5 targets, 2 per organ).

    Examples
    --------
    >>> rows = [dict(patient_id="P", day=0, role="target", lesion_id=f"T{i}", organ="liver") for i in range(3)]
    >>> check_target_limits(rows)
    Traceback (most recent call last):
    ...
    analysis.errors.UserError: lesions.csv: patient P, exam day 0: 3 target lesions in organ 'liver'; ...
    """
    exams = _by_exam(_records(lesions), "target")
    for (pid, day), rows in sorted(exams.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])):
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

    Parameters
    ----------
    lesions : pandas.DataFrame or list of dict
        lesions.csv rows.
    criteria : Criteria
        :data:`RECIST11` (default), :data:`MRECIST` or :data:`VOLUMETRIC`.

    Returns
    -------
    dict
        ``{(patient_id, day): sum}``.

    References
    ----------
    .. [1] Eisenhauer EA et al. New response evaluation criteria in solid tumours: revised RECIST
       guideline (version 1.1). Eur J Cancer 2009;45:228-47, section 4.2 (sum of diameters).

    Examples
    --------
    >>> rows = [dict(patient_id="P", day=0, role="target", lesion_id="T1", organ="liver", status="present",
    ...              is_node=False, long_axis_mm=30.0),
    ...         dict(patient_id="P", day=0, role="target", lesion_id="N1", organ="node", status="present",
    ...              is_node=True, long_axis_mm=20.0, short_axis_mm=12.0)]
    >>> target_sums(rows)  # 30 mm long axis + 12 mm short axis of the node
    {('P', 0): 42.0}
    """
    records = _records(lesions)
    check_target_limits(records)
    out = {}
    for key, rows in _by_exam(records, "target").items():
        vals = [lesion_measure(r, criteria) for r in rows]
        out[key] = math.nan if any(math.isnan(v) for v in vals) else float(sum(vals))
    return out


def overall_response(target: str, nontarget: str, new_lesions: bool) -> str:
    """RECIST 1.1 overall response at a time point (Tables 1 and 2 of the guideline).

    ``target`` / ``nontarget`` are CR, PR, SD, PD, NE, non-CR/non-PD or ``none`` (no such lesions
    at baseline).

    Parameters
    ----------
    target, nontarget : str
        Target and non-target response at the time point.
    new_lesions : bool
        New lesions at the time point.

    Returns
    -------
    str
        CR, PR, SD, PD, NE or non-CR/non-PD.

    References
    ----------
    .. [1] Eisenhauer EA et al. New response evaluation criteria in solid tumours: revised RECIST
       guideline (version 1.1). Eur J Cancer 2009;45:228-47, Tables 1 and 2.

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


