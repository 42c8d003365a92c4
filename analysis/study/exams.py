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

References
----------
.. [1] The paper's Methods (Clinical Practice 2022;13(4), doi:10.17816/clinpract115017): tumour
   volume before and after the first TACE.

Examples
--------
>>> from types import SimpleNamespace
>>> import pandas as pd
>>> ds = SimpleNamespace(
...     procedures=pd.DataFrame({"patient_id": ["A", "A"], "day": [50, 20]}),
...     imaging=pd.DataFrame({"patient_id": ["A"] * 3, "day": [10, 20, 60]}))
>>> pair = baseline_followup(ds)["A"]
>>> pair.first_tace_day, pair.n_tace, pair.e0["day"], pair.e1["day"], pair.reason
(20, 2, 10, 60, '')
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from analysis.data import Dataset

# reasons (stable texts: tests, tables and numbers._meta["undefined"] use them)
NO_TACE = "no TACE procedure"
NO_V0 = "no exam before the first TACE"
NO_V1 = "no exam after the first TACE"


class ExamPair(NamedTuple):
    """The first TACE of a patient and the exams around it (``None`` where there is none)."""

    first_tace_day: int | None
    n_tace: int
    e0: dict | None  # the V0 (baseline) exam row of imaging.csv, as a dict
    e1: dict | None  # the V1 (first follow-up) exam row
    reason: str  # '' when both exams exist, else NO_TACE / NO_V0 / NO_V1


def tace_days(ds: Dataset) -> tuple[dict, dict]:
    """``({patient_id: first TACE day}, {patient_id: number of TACE})`` from procedures.csv."""
    first_day: dict = {}
    n_tace: dict = {}
    for pr in ds.procedures[["patient_id", "day"]].to_dict("records"):
        pid, day = pr["patient_id"], int(pr["day"])
        first_day[pid] = min(first_day.get(pid, day), day)
        n_tace[pid] = n_tace.get(pid, 0) + 1
    return first_day, n_tace


def exams_by_patient(ds: Dataset) -> dict:
    """``{patient_id: [exam dicts]}`` from imaging.csv, sorted by day, file order within a day."""
    exams: dict = {}
    for i, e in enumerate(ds.imaging.to_dict("records")):
        e["_row"] = i
        exams.setdefault(e["patient_id"], []).append(e)
    for pid in exams:
        exams[pid].sort(key=lambda e: (int(e["day"]), e["_row"]))
    return exams


def baseline_followup(ds: Dataset) -> dict:
    """The V0 and V1 exams of every patient with an exam or a TACE: ``{patient_id: ExamPair}``.

    Parameters
    ----------
    ds : Dataset
        A dataset with ``procedures`` (patient_id, day) and ``imaging`` (patient_id, day, ...).

    Returns
    -------
    dict
        ``{patient_id: ExamPair}`` for every patient of procedures.csv or imaging.csv; use
        :func:`pair_of` for a patient that may be in neither.

    References
    ----------
    The paper's Methods (volumes before and after the first TACE); see the module docstring.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> import pandas as pd
    >>> ds = SimpleNamespace(procedures=pd.DataFrame({"patient_id": ["A"], "day": [30]}),
    ...                      imaging=pd.DataFrame({"patient_id": ["A", "A"], "day": [10, 20]}))
    >>> p = baseline_followup(ds)["A"]
    >>> p.e0["day"], p.e1, p.reason
    (20, None, 'no exam after the first TACE')
    """
    first_day, n_tace = tace_days(ds)
    exams = exams_by_patient(ds)
    return {pid: _pair(first_day.get(pid), n_tace.get(pid, 0), exams.get(pid, []))
            for pid in {**dict.fromkeys(first_day), **dict.fromkeys(exams)}}


def pair_of(pairs: dict, patient_id) -> ExamPair:
    """The :class:`ExamPair` of a patient; one without exams and TACE gets ``NO_TACE``."""
    return pairs.get(patient_id) or ExamPair(None, 0, None, None, NO_TACE)


def _pair(ftd: int | None, n_tace: int, exams: list) -> ExamPair:
    """Select V0 and V1 around the first TACE day among a patient's sorted exams."""
    if ftd is None:
        return ExamPair(None, n_tace, None, None, NO_TACE)
    before = [e for e in exams if int(e["day"]) < ftd]
    after = [e for e in exams if int(e["day"]) > ftd]
    e0 = before[-1] if before else None
    e1 = after[0] if after else None
    return ExamPair(ftd, n_tace, e0, e1, NO_V0 if e0 is None else (NO_V1 if e1 is None else ""))


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
    pairs = baseline_followup(ds)
    out = {}
    for pid in ds.patients["patient_id"]:
        e0 = pair_of(pairs, pid).e0
        if e0 is not None:
            out[pid] = int(e0["day"])
    return out
