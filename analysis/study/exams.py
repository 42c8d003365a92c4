"""Exam selection: the first TACE day and the baseline (V0) and first follow-up (V1) exams of a patient.

One definition, used by :func:`analysis.study.endpoints.per_patient` (volumes, growth, response at
the first follow-up) and by :func:`analysis.study.recist.evaluate_dataset` (the baseline of the
lesion-level evaluation). It knows nothing of responses or endpoints, so both may import it.

Definitions
-----------
- first TACE day = smallest ``procedures.day`` of the patient; ``n_tace`` = number of procedures.
- Exams (imaging.csv rows) are ordered by day; when two share a day the file order decides.
- V0 exam = the LAST exam with ``day <`` first TACE day; V1 exam = the FIRST exam with
  ``day >`` first TACE day (strict: an exam on the day of the first TACE is neither).

The selection is one stable sort of imaging.csv by day and a first / last row per patient (no loop
over patients): its cost grows linearly (n log n) with the number of exams.

References
----------
.. [1] The paper's Methods (Clinical Practice 2022;13(4), doi:10.17816/clinpract115017): tumour
   volume before and after the first TACE.

Examples
--------
>>> from types import SimpleNamespace
>>> import pandas as pd
>>> ds = SimpleNamespace(
...     patients=pd.DataFrame({"patient_id": ["A"]}),
...     procedures=pd.DataFrame({"patient_id": ["A", "A"], "day": [50, 20]}),
...     imaging=pd.DataFrame({"patient_id": ["A"] * 3, "day": [10, 20, 60]}))
>>> p = exam_pairs(ds).iloc[0]
>>> float(p.first_tace_day), int(p.n_tace), int(p.row0), int(p.row1), p.reason
(20.0, 2, 0, 2, '')
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from analysis.data import Dataset

# reasons (stable texts: tests, tables and numbers._meta["undefined"] use them)
NO_TACE = "no TACE procedure"
NO_V0 = "no exam before the first TACE"
NO_V1 = "no exam after the first TACE"


def exam_pairs(ds: Dataset) -> pd.DataFrame:
    """The first TACE and the V0 / V1 exams of every patient of patients.csv, in its order.

    Parameters
    ----------
    ds : Dataset
        A dataset with ``patients`` (patient_id), ``procedures`` (patient_id, day) and ``imaging``
        (patient_id, day, ...).

    Returns
    -------
    pandas.DataFrame
        One row per patient (the order and index positions of patients.csv): ``patient_id``,
        ``first_tace_day`` (float, NaN without a TACE), ``n_tace`` (int), ``row0`` / ``row1`` (the
        positions in ``ds.imaging`` of the V0 / V1 exam, -1 when there is none) and ``reason``
        (``''`` when both exams exist, else :data:`NO_TACE` / :data:`NO_V0` / :data:`NO_V1`).

    References
    ----------
    The paper's Methods (volumes before and after the first TACE); see the module docstring.

    Examples
    --------
    A has exams on days 10, 20 (twice: the file order decides) and 60 around its first TACE on
    day 30: V0 = the second day-20 exam (row 2), V1 = day 60 (row 3). B has no exam after its TACE;
    C has no TACE.

    >>> from types import SimpleNamespace
    >>> import pandas as pd
    >>> ds = SimpleNamespace(patients=pd.DataFrame({"patient_id": ["A", "B", "C"]}),
    ...                      procedures=pd.DataFrame({"patient_id": ["A", "B"], "day": [30, 30]}),
    ...                      imaging=pd.DataFrame({"patient_id": ["A", "A", "A", "A", "B", "C"],
    ...                                            "day": [10, 20, 20, 60, 20, 5]}))
    >>> t = exam_pairs(ds)
    >>> t["row0"].tolist(), t["row1"].tolist(), t["reason"].tolist()
    ([2, 4, -1], [3, -1, -1], ['', 'no exam after the first TACE', 'no TACE procedure'])
    """
    import numpy as np
    import pandas as pd

    pids = ds.patients["patient_id"].reset_index(drop=True)
    proc_days = pd.Series(ds.procedures["day"].to_numpy(dtype="int64"),
                          index=ds.procedures["patient_id"].to_numpy())
    by_patient = proc_days.groupby(level=0, sort=False)
    first_day, n_tace = by_patient.min(), by_patient.size()
    exam_pid = ds.imaging["patient_id"].to_numpy()
    exam_day = ds.imaging["day"].to_numpy(dtype="int64")
    exam_first = pd.Series(exam_pid).map(first_day).to_numpy(dtype=float)  # NaN: no TACE
    order = np.argsort(exam_day, kind="stable")  # by day, file order within a day
    before = order[exam_day[order] < exam_first[order]]
    after = order[exam_day[order] > exam_first[order]]
    last_before = pd.Series(before, index=exam_pid[before])
    first_after = pd.Series(after, index=exam_pid[after])
    last_before = last_before[~last_before.index.duplicated(keep="last")]
    first_after = first_after[~first_after.index.duplicated(keep="first")]
    out = pd.DataFrame({"patient_id": pids, "first_tace_day": pids.map(first_day).astype(float),
                        "n_tace": pids.map(n_tace).fillna(0).astype("int64"),
                        "row0": pids.map(last_before).fillna(-1).astype("int64"),
                        "row1": pids.map(first_after).fillna(-1).astype("int64")})
    reason = np.where(out["first_tace_day"].isna(), NO_TACE,
                      np.where(out["row0"] < 0, NO_V0, np.where(out["row1"] < 0, NO_V1, "")))
    out["reason"] = pd.Series(reason, dtype=object)
    return out


def baseline_days(ds: Dataset) -> dict:
    """``{patient_id: day of the V0 exam}`` for the patients of patients.csv that have one.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> import pandas as pd
    >>> ds = SimpleNamespace(patients=pd.DataFrame({"patient_id": ["A", "B"]}),
    ...                      procedures=pd.DataFrame({"patient_id": ["A"], "day": [30]}),
    ...                      imaging=pd.DataFrame({"patient_id": ["A", "A", "B"], "day": [10, 20, 5]}))
    >>> baseline_days(ds)
    {'A': 20}
    """
    pairs = exam_pairs(ds)
    have = pairs[pairs["row0"] >= 0]
    days = ds.imaging["day"].to_numpy()[have["row0"].to_numpy()]
    return dict(zip(have["patient_id"], days.astype("int64").tolist()))
