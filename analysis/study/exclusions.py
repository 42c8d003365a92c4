"""Who is left out of which analysis, and why: the exclusions table (complete cases per analysis).

Each analysis uses the patients that have what it needs, so a missing measurement costs a patient
only the analyses that need it. :func:`exclusions` lists every (patient, analysis) pair left out,
with the reason; ``reproduce`` writes it to ``OUT/tables/exclusions.csv`` (+ ``.md``) and notebook 00
shows it. Nobody left out: the table has its header only.

Analyses (the ``analysis`` column; the names are the numbers.json key prefixes whose ``.n`` they
reduce) and what each needs:

- ``table1.age``: ``age_at_tace`` (Table 1's categories count every patient, a missing sex as
  ``missing``);
- ``table2.before`` / ``table2.after``: a V0 / V1 exam (:mod:`analysis.study.exams`) with a
  ``tumor_volume_cm3``;
- ``table3.chemo``: a ``chemo`` row of progression.csv, for the patients treated with TACE after
  chemotherapy (``tace_timing = after_chemo``; patients treated with TACE immediately had no
  chemotherapy to time, they are not left out);
- ``table3.tace`` and ``table4.ttp``: a ``tace`` row of progression.csv;
- ``table4.volume_change``: V0 and V1 (both exams, both volumes);
- ``regression``: a finite doubling time (the reason is the one of
  :func:`analysis.study.endpoints.doubling_time`);
- ``recist``: a V0 and a V1 exam (a response; NE when a sum of diameters is missing, counted).

Without progression.csv every patient is listed for ``table3.*`` and ``table4.ttp`` with
:data:`analysis.study.endpoints.NO_PROGRESSION_FILE` (those analyses are not available).

References
----------
.. [1] The paper's Methods (Clinical Practice 2022;13(4), doi:10.17816/clinpract115017).
.. [2] The README, "Endpoint definitions".

Examples
--------
>>> from analysis.data import load_dataset
>>> from analysis.paths import TESTS
>>> len(exclusions(load_dataset(TESTS / "fixtures" / "mini")).query("analysis == 'table2.before'"))
0
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis.study.endpoints import NO_PROGRESSION_FILE, has_progression
from analysis.study.exams import NO_TACE, NO_V0, NO_V1

if TYPE_CHECKING:
    import pandas as pd

    from analysis.data import Dataset

COLUMNS = ["patient_id", "group", "tace_timing", "analysis", "reason"]
ANALYSES = ("table1.age", "table2.before", "table2.after", "table3.chemo", "table3.tace",
            "table4.volume_change", "table4.ttp", "regression", "recist")
AGE_EMPTY = "age_at_tace empty"


def no_progression_row(setting: str) -> str:
    """The reason of a patient without a progression.csv row of ``setting``.

    Examples
    --------
    >>> no_progression_row("tace")
    'no progression row for setting tace'
    """
    return f"no progression row for setting {setting}"


def _volume_reason(pp, k: str, missing_exam: str):
    """Per patient: why V<k> is missing ('' when present): no TACE, no exam, or an empty volume."""
    import numpy as np

    day = pp[f"v{k}_day"].astype(float)
    empty = "tumor_volume_cm3 empty at day " + np.where(day.isna(), "", day.fillna(0).astype("int64").astype(str))
    out = np.where(pp["first_tace_day"].isna(), NO_TACE,
                   np.where(day.isna(), missing_exam, np.where(pp[f"v{k}"].isna(), empty, "")))
    return out.astype(object)


def _reasons(ds: Dataset, pp) -> dict:
    """``{analysis: per-patient reasons}`` aligned with ``pp`` ('' = the patient is used)."""
    import numpy as np

    r0 = _volume_reason(pp, "0", NO_V0)
    r1 = _volume_reason(pp, "1", NO_V1)
    both = np.where(r0 == "", r1, np.where((r1 == "") | (r1 == r0), r0, r0 + "; " + r1)).astype(object)
    age = ds.patients["age_at_tace"].astype(float).isna().to_numpy()
    n = len(pp)
    if has_progression(ds):
        chemo = np.where(pp["ttp_chemo"].isna() & (pp["tace_timing"] == "after_chemo"),
                         no_progression_row("chemo"), "")
        tace = np.where(pp["ttp_tace"].isna(), no_progression_row("tace"), "")
    else:
        chemo = tace = np.full(n, NO_PROGRESSION_FILE, dtype=object)
    dt = np.where(np.isfinite(pp["doubling_time"].astype(float)), "",
                  np.where(pp["doubling_time_reason"] == "", "doubling time not finite", pp["doubling_time_reason"]))
    resp = np.where(pp["response"].isna(), pp["response_reason"], "")
    return {"table1.age": np.where(age, AGE_EMPTY, ""), "table2.before": r0, "table2.after": r1,
            "table3.chemo": chemo, "table3.tace": tace, "table4.volume_change": both, "table4.ttp": tace,
            "regression": dt, "recist": resp}


def exclusions(ds: Dataset, endpoints: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per (patient, analysis) left out, with the reason (complete cases per analysis).

    Parameters
    ----------
    ds : Dataset
        A loaded dataset (:func:`analysis.data.load_dataset`); ``ds.progression`` may be ``None``
        (no progression.csv).
    endpoints : pandas.DataFrame, optional
        :func:`analysis.study.endpoints.per_patient` of ``ds`` if already computed.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS` (patient_id, group, tace_timing, analysis, reason); rows by analysis
        in the order of :data:`ANALYSES`, then patients.csv order. Header only when nobody is left out.

    References
    ----------
    .. [1] The paper's Methods (Clinical Practice 2022;13(4), doi:10.17816/clinpract115017): the
       analyses; see the module docstring for what each needs.

    Examples
    --------
    >>> import pandas as pd
    >>> from types import SimpleNamespace
    >>> ds = SimpleNamespace(
    ...     patients=pd.DataFrame({"patient_id": ["A", "B"], "group": [1, 2], "tace_timing": ["immediate"] * 2,
    ...                            "age_at_tace": [60.0, None]}),
    ...     procedures=pd.DataFrame({"patient_id": ["A", "B"], "day": [10, 10]}),
    ...     imaging=pd.DataFrame({"patient_id": ["A", "A", "B"], "day": [5, 40, 5],
    ...                           "tumor_volume_cm3": [10.0, None, 8.0], "liver_volume_cm3": [900.0] * 3,
    ...                           "sum_diameters_mm": [30.0] * 3, "new_lesions": [False] * 3,
    ...                           "nontarget_status": ["absent"] * 3}),
    ...     progression=None, lesions=None)
    >>> ex = exclusions(ds)
    >>> ex.loc[ex["analysis"].isin(["table1.age", "table2.after"]), ["patient_id", "analysis", "reason"]].values
    array([['B', 'table1.age', 'age_at_tace empty'],
           ['A', 'table2.after', 'tumor_volume_cm3 empty at day 40'],
           ['B', 'table2.after', 'no exam after the first TACE']], dtype=object)
    >>> ex.loc[ex["analysis"] == "table3.tace", "reason"].unique().tolist()
    ['not available: the dataset has no progression data (progression.csv absent or empty)']
    """
    import pandas as pd

    from analysis.study.endpoints import per_patient

    pp = (endpoints if endpoints is not None else per_patient(ds)).reset_index(drop=True)
    reasons = _reasons(ds, pp)
    parts = []
    for analysis in ANALYSES:
        why = pd.Series(reasons[analysis], index=pp.index, dtype=object)
        left = why != ""
        part = pp.loc[left, ["patient_id", "group", "tace_timing"]].copy()
        part["analysis"] = analysis
        part["reason"] = why[left]
        parts.append(part)
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)
    out = out[COLUMNS].reset_index(drop=True)
    out["group"] = out["group"].astype("int64")
    return out
