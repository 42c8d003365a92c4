"""The response at the first follow-up, per patient and per criterion: the study's response endpoint.

One implementation for every path: :func:`analysis.study.endpoints.per_patient` (hence numbers.json,
the tables, the figures and the notebooks) takes its ``response`` column from
:func:`recist_first_followup`, and the lesion-level rules are those of
:func:`analysis.study.recist.evaluate`.

Per patient, the baseline is the V0 exam (last exam before the first TACE) and the first
follow-up the V1 exam (first exam after it), :mod:`analysis.study.exams`:

- **from lesions.csv** when the patient has lesion rows on the V0 exam day: the lesion-level
  evaluation of :mod:`analysis.study.recist` on the V0 and V1 exams (target sums with nodes by
  short axis, non-measurable baseline targets evaluated as non-targets, CR = non-nodal targets gone
  and nodes < 10 mm, new-lesion rows and imaging.csv's ``new_lesions`` flag => PD, a not-assessed
  target NE unless the measured ones already show PD); source ``lesions``;
- **else from imaging.csv**'s ``sum_diameters_mm`` (:func:`analysis.study.recist.first_followup_response`);
  source ``imaging``.

Each criterion has its function, returning the same per-patient frame (:data:`COLUMNS`):
:func:`recist_first_followup` (RECIST 1.1, the endpoint of numbers.json's ``recist.<g>.*``),
:func:`mrecist_first_followup` (viable diameters; needs lesions.csv), :func:`easl_first_followup`
(viable bidimensional area; needs lesions.csv) and :func:`volumetric_first_followup` (the exam's
total tumour volume, V1 vs V0: PR <= -65 %, PD >= +73 %, with new lesions and non-target status).

References
----------
RECIST 1.1 (Eisenhauer et al. 2009), mRECIST (Lencioni & Llovet 2010) and EASL (Bruix et al. 2001):
the full citations are in :mod:`analysis.study.recist` and :func:`analysis.study.response_rules.easl_area`.

Examples
--------
>>> from analysis.data import load_dataset
>>> from analysis.paths import TESTS
>>> r = recist_first_followup(load_dataset(TESTS / "fixtures" / "mini")).set_index("patient_id")
>>> r.loc["S04", "response"], r.loc["S04", "source"]
('PR', 'lesions')
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from analysis.study import exams
from analysis.study.recist import _evaluate_patient
from analysis.study.response_rules import (CRITERIA, RECIST11, VOLUMETRIC, Criteria, _missing,
                                           first_followup_response, first_followup_volumetric)

if TYPE_CHECKING:
    import pandas as pd

    from analysis.data import Dataset

COLUMNS = ["patient_id", "group", "criteria", "response", "reason", "source", "sum0", "sum1"]


def _lesions_by_exam(ds: Dataset) -> dict:
    """``{(patient_id, day): [lesion rows]}`` (empty without lesions.csv)."""
    les = getattr(ds, "lesions", None)
    out: dict = {}
    if les is None or len(les) == 0:
        return out
    for r in les.to_dict("records"):
        out.setdefault((r["patient_id"], int(r["day"])), []).append(r)
    return out


def _bool_or_none(x):
    return None if _missing(x) else bool(x)


def _from_lesions(pid, e0: dict, e1: dict, rows0: list, rows1: list, criteria: Criteria) -> tuple:
    """(response, reason, sum0, sum1) from the lesion-level evaluation of the V0 and V1 exams."""
    d0, d1 = int(e0["day"]), int(e1["day"])
    nts = e1.get("nontarget_status")
    recs = _evaluate_patient(pid, {d0: rows0, d1: rows1}, [d0, d1], criteria,
                             {(pid, d1): None if _missing(nts) else str(nts)},
                             {(pid, d1): _bool_or_none(e1.get("new_lesions"))})
    b, f = recs
    parts = [f"target {f['target_response']}", f"non-target {f['nontarget_response']}",
             "new lesions" if f["new_lesions"] else "no new lesions"]
    if not math.isnan(f["change_vs_baseline"]):
        parts.append(f"sum {b['target_sum']:g} -> {f['target_sum']:g} ({f['change_vs_baseline'] * 100:+.1f}%)")
    return f["overall"], "lesions.csv: " + ", ".join(parts), b["target_sum"], f["target_sum"]


def _from_exams(e0: dict, e1: dict, criteria: Criteria, new_rows: bool) -> tuple:
    """(response, reason, sum0, sum1) from imaging.csv (sums, or volumes for the volumetric criteria)."""
    new = _bool_or_none(e1.get("new_lesions"))
    new = True if new_rows else new
    nts = e1.get("nontarget_status")
    nts = None if _missing(nts) else str(nts)
    if criteria is VOLUMETRIC:
        v0, v1 = float(e0["tumor_volume_cm3"]), float(e1["tumor_volume_cm3"])
        return first_followup_volumetric(v0, v1, new, nts), "imaging.csv tumour volumes", v0, v1
    if criteria is not RECIST11:
        return "NE", f"{criteria.name} needs lesions.csv (viable diameters)", math.nan, math.nan
    s0, s1 = (math.nan if _missing(e.get("sum_diameters_mm")) else float(e["sum_diameters_mm"]) for e in (e0, e1))
    resp, why = first_followup_response(s0, s1, new, nts)
    return resp, why, s0, s1


def first_followup(ds: Dataset, criteria: Criteria | str = RECIST11) -> pd.DataFrame:
    """Response at the first follow-up (V1 exam) of every patient under one criterion.

    Parameters
    ----------
    ds : Dataset
        A validated dataset.
    criteria : Criteria or {'recist', 'mrecist', 'volumetric', 'easl'}

    Returns
    -------
    pandas.DataFrame
        :data:`COLUMNS`, one row per patient in the order of patients.csv: ``response`` in CR, PR,
        SD, PD, NE, non-CR/non-PD (None when the patient lacks the V0 or V1 exam, the reason then
        says so), ``source`` ``lesions`` / ``imaging`` / ``''``, ``sum0`` / ``sum1`` the baseline
        and follow-up sums (volumes for the volumetric criteria).

    References
    ----------
    Eisenhauer EA et al. Eur J Cancer 2009;45:228-47 (RECIST 1.1), see the module docstring.

    Examples
    --------
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> r = first_followup(load_dataset(TESTS / "fixtures" / "mini"), "recist").set_index("patient_id")
    >>> r.loc["S11", "response"]  # a new lesion in lesions.csv
    'PD'
    """
    import pandas as pd

    if isinstance(criteria, str):
        criteria = CRITERIA[criteria]
    by_exam = _lesions_by_exam(ds)
    pairs = exams.baseline_followup(ds)
    rows = []
    for p in ds.patients[["patient_id", "group"]].to_dict("records"):
        pid = p["patient_id"]
        pair = exams.pair_of(pairs, pid)
        row = dict(patient_id=pid, group=int(p["group"]), criteria=criteria.name, response=None,
                   reason=pair.reason, source="", sum0=math.nan, sum1=math.nan)
        if not pair.reason:
            rows0 = by_exam.get((pid, int(pair.e0["day"])))
            rows1 = by_exam.get((pid, int(pair.e1["day"])), [])
            if rows0 and criteria is not VOLUMETRIC:
                out, row["source"] = _from_lesions(pid, pair.e0, pair.e1, rows0, rows1, criteria), "lesions"
            else:
                new_rows = any(r["role"] == "new" and r["status"] in ("present", "too_small") for r in rows1)
                out, row["source"] = _from_exams(pair.e0, pair.e1, criteria, new_rows), "imaging"
            row["response"], row["reason"], row["sum0"], row["sum1"] = out
        rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)


def recist_first_followup(ds: Dataset) -> pd.DataFrame:
    """RECIST 1.1 at the first follow-up per patient (:func:`first_followup` with ``'recist'``).

    Examples
    --------
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> list(recist_first_followup(load_dataset(TESTS / "fixtures" / "mini")).columns) == COLUMNS
    True
    """
    return first_followup(ds, RECIST11)


def mrecist_first_followup(ds: Dataset) -> pd.DataFrame:
    """mRECIST at the first follow-up per patient: sums of viable (enhancing) diameters.

    Needs lesions.csv (``viable_axis_mm``): a patient without lesion rows on the V0 exam is NE.

    Examples
    --------
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> m = mrecist_first_followup(load_dataset(TESTS / "fixtures" / "mini")).set_index("patient_id")
    >>> m.loc["S11", "response"], m.loc["S11", "criteria"]
    ('PD', 'mRECIST')
    """
    return first_followup(ds, "mrecist")


def easl_first_followup(ds: Dataset) -> pd.DataFrame:
    """EASL at the first follow-up per patient: bidimensional viable area, PR -50 %, PD +25 %.

    The schema's single viable diameter limits it (:func:`analysis.study.response_rules.easl_area`).

    Examples
    --------
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> e = easl_first_followup(load_dataset(TESTS / "fixtures" / "recist"))
    >>> sorted(set(e["source"]))  # R10 has no lesion rows: NE from imaging.csv
    ['imaging', 'lesions']
    """
    return first_followup(ds, "easl")


def volumetric_first_followup(ds: Dataset) -> pd.DataFrame:
    """Volumetric response at the first follow-up per patient (imaging.csv's total tumour volume).

    V1 vs V0: PR <= -65 %, PD >= +73 %, CR when V1 = 0; new lesions (lesions.csv rows or
    imaging.csv's flag) and non-target PD give PD.

    Examples
    --------
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> v = volumetric_first_followup(load_dataset(TESTS / "fixtures" / "mini")).set_index("patient_id")
    >>> v.loc["S01", "source"], float(v.loc["S01", "sum0"]), float(v.loc["S01", "sum1"])  # -20 %: SD
    ('imaging', 212.4, 168.9)
    """
    return first_followup(ds, VOLUMETRIC)
