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
from analysis.study.response_rules import (CRITERIA, EPS, EXAM_NONTARGET, NON_CR_NON_PD, RECIST11, VOLUMETRIC,
                                           Criteria, _missing, _pct)

if TYPE_CHECKING:
    import pandas as pd

    from analysis.data import Dataset

COLUMNS = ["patient_id", "group", "criteria", "response", "reason", "source", "sum0", "sum1"]


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


def _exam_column(ds: Dataset, column: str, rows, numeric: bool = False):
    """Values of an imaging.csv column at the exam positions ``rows`` (-1: no exam): a float array
    (NaN for missing) when ``numeric``, else an object array with None for a missing value."""
    import numpy as np
    import pandas as pd

    im = ds.imaging
    have = rows >= 0
    if numeric:
        out = np.full(rows.size, np.nan)
        if column in im.columns:
            out[have] = pd.to_numeric(im[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)[rows[have]]
        return out
    out = np.full(rows.size, None, dtype=object)
    if column in im.columns:
        col = im[column].astype(object)
        vals = col.where(col.notna(), None).to_numpy()
        out[have] = vals[rows[have]]
    return out


def _target_first(value, baseline, criteria: Criteria):
    """:func:`analysis.study.response_rules.target_response` at the first follow-up (nadir = baseline)
    for arrays with a finite ``value`` and a positive ``baseline``: PD, CR, PR or SD."""
    import numpy as np

    with np.errstate(divide="ignore", invalid="ignore"):
        inc = value - baseline
        progression = ~((inc < criteria.pd_min_increase - EPS) | (inc <= 0)) & (inc / baseline >= criteria.pd - EPS)
        partial = (value - baseline) / baseline <= criteria.pr + EPS
    return np.where(progression, "PD", np.where(value == 0, "CR", np.where(partial, "PR", "SD"))).astype(object)


def _overall(target, nontarget, new):
    """:func:`analysis.study.response_rules.overall_response` for arrays, targets other than ``none``."""
    import numpy as np

    pd_ = new | (target == "PD") | (nontarget == "PD")
    cr = np.where(np.isin(nontarget, ["CR", "none"]), "CR", "PR")
    return np.where(pd_, "PD", np.where(target == "CR", cr, target)).astype(object)


def _recist_from_sums(s0, s1, new, nontarget) -> tuple:
    """:func:`analysis.study.response_rules.first_followup_response` for arrays: (responses, reasons)."""
    import numpy as np

    resp = np.full(s0.size, "", dtype=object)
    why = np.full(s0.size, "", dtype=object)
    done = new.copy()
    resp[done], why[done] = "PD", "new lesions"
    step = ~done & (nontarget == "PD")
    resp[step], why[step] = "PD", "non-target progression"
    done |= step
    step = ~done & (np.isnan(s0) | ((s0 > 0) & np.isnan(s1)))
    resp[step], why[step] = "NE", "sum of target diameters missing"
    done |= step
    step = ~done & (s0 == 0)
    resp[step] = np.where(nontarget[step] == "CR", "CR", np.where(nontarget[step] == "NE", "NE", NON_CR_NON_PD))
    why[step] = "no measurable disease at baseline (sum 0): non-target response (RECIST 1.1 Table 2)"
    done |= step
    rest = np.nonzero(~done)[0]
    a, b = s0[rest], s1[rest]
    r = _overall(_target_first(b, a, RECIST11), nontarget[rest], np.zeros(rest.size, dtype=bool))
    resp[rest] = r
    change, inc = (b - a) / a, b - a
    why[rest[r == "CR"]] = "all target lesions gone, non-target absent/CR, no new lesions"
    for kind, text in (("PD", "sum {c} and +{i:.1f} mm vs nadir (>= +20% and >= 5 mm)"),
                       ("PR", "sum {c} vs baseline (<= -30%)")):
        sel = r == kind  # the reasons' text, formatted for these rows only
        why[rest[sel]] = [text.format(c=_pct(c), i=i) for c, i in zip(change[sel].tolist(), inc[sel].tolist())]
    return resp, why


def _volumetric_from_volumes(v0, v1, new, nontarget):
    """:func:`analysis.study.response_rules.first_followup_volumetric` for arrays."""
    import numpy as np

    defined = ~(np.isnan(v0) | np.isnan(v1) | (v0 == 0))
    target = np.full(v0.size, "NE", dtype=object)
    target[defined] = _target_first(v1[defined], v0[defined], VOLUMETRIC)
    return _overall(target, nontarget, new)


def _lesion_exams(ds: Dataset):
    """``(lesions, MultiIndex of the (patient_id, day) with lesion rows, of those with a new lesion
    present or too small)``; ``(None, [], [])`` without lesions.csv."""
    import pandas as pd

    les = getattr(ds, "lesions", None)
    if les is None or len(les) == 0:
        return None, [], []
    new = les[(les["role"] == "new") & les["status"].isin(("present", "too_small"))]
    return les, *(pd.MultiIndex.from_arrays([t["patient_id"].to_numpy(), t["day"].to_numpy(dtype="int64")])
                  for t in (les, new))


def first_followup(ds: Dataset, criteria: Criteria | str = RECIST11, pairs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Response at the first follow-up (V1 exam) of every patient under one criterion.

    Parameters
    ----------
    ds : Dataset
        A validated dataset.
    criteria : Criteria or {'recist', 'mrecist', 'volumetric', 'easl'}
    pairs : pandas.DataFrame, optional
        :func:`analysis.study.exams.exam_pairs` of ``ds``, if already computed.

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
    import numpy as np
    import pandas as pd

    if isinstance(criteria, str):
        criteria = CRITERIA[criteria]
    pairs = exams.exam_pairs(ds) if pairs is None else pairs
    n = len(pairs)
    out = pd.DataFrame({"patient_id": pairs["patient_id"], "group": ds.patients["group"].astype("int64").to_numpy(),
                        "criteria": criteria.name, "response": np.full(n, None, dtype=object),
                        "reason": pairs["reason"], "source": "", "sum0": math.nan, "sum1": math.nan})
    ok = (pairs["reason"] == "").to_numpy()
    r0, r1 = pairs["row0"].to_numpy(), pairs["row1"].to_numpy()
    day = ds.imaging["day"].to_numpy(dtype="int64")
    d0, d1 = np.where(r0 >= 0, day[np.maximum(r0, 0)], 0), np.where(r1 >= 0, day[np.maximum(r1, 0)], 0)
    les, les_keys, new_keys = _lesion_exams(ds)
    pids = pairs["patient_id"].to_numpy()
    on_v0 = pd.MultiIndex.from_arrays([pids, d0]).isin(les_keys) if len(les_keys) else np.zeros(n, dtype=bool)
    by_lesions = ok & on_v0 & (criteria is not VOLUMETRIC)
    if by_lesions.any():
        _lesion_responses(out, les, ds, pairs, np.nonzero(by_lesions)[0], criteria)
    sel = np.nonzero(ok & ~by_lesions)[0]
    new_rows = pd.MultiIndex.from_arrays([pids[sel], d1[sel]]).isin(new_keys) if len(new_keys) \
        else np.zeros(sel.size, dtype=bool)
    flag = _exam_column(ds, "new_lesions", r1[sel])
    new = new_rows | np.equal(flag, True).astype(bool)  # a recorded True (None: not recorded), or lesion rows
    nts = _exam_column(ds, "nontarget_status", r1[sel])
    nontarget = pd.Series(nts, dtype=object).map(EXAM_NONTARGET).fillna("none").to_numpy(dtype=object)
    out.loc[sel, "source"] = "imaging"
    if criteria is VOLUMETRIC:
        v0 = _exam_column(ds, "tumor_volume_cm3", r0[sel], numeric=True)
        v1 = _exam_column(ds, "tumor_volume_cm3", r1[sel], numeric=True)
        resp, why = _volumetric_from_volumes(v0, v1, new, nontarget), "imaging.csv tumour volumes"
        s0, s1 = v0, v1
    elif criteria is not RECIST11:
        resp, why = "NE", f"{criteria.name} needs lesions.csv (viable diameters)"
        s0 = s1 = math.nan
    else:
        s0 = _exam_column(ds, "sum_diameters_mm", r0[sel], numeric=True)
        s1 = _exam_column(ds, "sum_diameters_mm", r1[sel], numeric=True)
        resp, why = _recist_from_sums(s0, s1, new, nontarget)
    out.loc[sel, "response"], out.loc[sel, "reason"] = resp, why
    out.loc[sel, "sum0"], out.loc[sel, "sum1"] = s0, s1
    return out[COLUMNS]


def _lesion_responses(out, les, ds: Dataset, pairs, positions, criteria: Criteria) -> None:
    """Fill the rows ``positions`` of ``out`` from the lesion-level evaluation (patients with lesion
    rows on their V0 exam; one :func:`analysis.study.recist._evaluate_patient` call each)."""
    im = ds.imaging
    at = les.groupby([les["patient_id"], les["day"].astype("int64")], sort=False).indices
    for i in positions.tolist():
        pid = pairs["patient_id"].iat[i]
        e0, e1 = im.iloc[int(pairs["row0"].iat[i])].to_dict(), im.iloc[int(pairs["row1"].iat[i])].to_dict()
        rows0, rows1 = (les.iloc[at.get((pid, int(e["day"])), [])].to_dict("records") for e in (e0, e1))
        res = _from_lesions(pid, e0, e1, rows0, rows1, criteria)
        out.at[i, "response"], out.at[i, "reason"], out.at[i, "sum0"], out.at[i, "sum1"] = res
        out.at[i, "source"] = "lesions"


def recist_first_followup(ds: Dataset, pairs: pd.DataFrame | None = None) -> pd.DataFrame:
    """RECIST 1.1 at the first follow-up per patient (:func:`first_followup` with ``'recist'``).

    Examples
    --------
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> list(recist_first_followup(load_dataset(TESTS / "fixtures" / "mini")).columns) == COLUMNS
    True
    """
    return first_followup(ds, RECIST11, pairs)


def mrecist_first_followup(ds: Dataset, pairs: pd.DataFrame | None = None) -> pd.DataFrame:
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
    return first_followup(ds, "mrecist", pairs)


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


def volumetric_first_followup(ds: Dataset, pairs: pd.DataFrame | None = None) -> pd.DataFrame:
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
    return first_followup(ds, VOLUMETRIC, pairs)
