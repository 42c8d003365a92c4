"""Per-patient endpoints: one definition of every derived measure, used everywhere.

:func:`per_patient` turns a validated :class:`analysis.data.Dataset` into one row per patient:
group and TACE timing, the volumes before (V0) and after (V1) the first TACE and their exam days,
the volume change, the interval between the two exams, relative liver involvement, the Schwartz
doubling time and the specific growth rate (undefined values kept as NaN with a reason column,
never dropped), the times to progression after chemotherapy and after TACE with their progression
flags, and the RECIST 1.1 response at the first follow-up.

Definitions (literal, so that an independent implementation computes the same numbers)
--------------------------------------------------------------------------------------
- first TACE day = smallest ``procedures.day`` of the patient.
- V0 = ``tumor_volume_cm3`` of the LAST exam with ``day <`` first TACE day; V1 = of the FIRST exam
  with ``day >`` first TACE day (strict: an exam on the day of the first TACE is neither). Exams
  are ordered by day; when two exams share a day the file order decides (stable sort). The
  selection lives in :mod:`analysis.study.exams`, shared with :mod:`analysis.study.recist`.
- volume change ΔV = V1 − V0 (cm³); interval Δt = day(V1) − day(V0) (days).
- F = V / liver volume × 100 (%) at the same exam: F0 at the V0 exam, F1 at the V1 exam.
- Schwartz doubling time DT = Δt · ln 2 / ln(V1 / V0) (days; negative when the tumour shrinks);
  undefined when V1 = V0, when V0 or V1 is 0, or when Δt <= 0.
- specific growth rate SGR = ln(V1 / V0) / Δt (per day); undefined when V0 or V1 is 0 or Δt <= 0
  (it is 0 when V1 = V0).
- TTP after chemotherapy / after TACE = ``end_day − start_day`` of the patient's ``chemo`` /
  ``tace`` row of progression.csv (:func:`ttp_rows`), whatever ``progressed`` says (Tables 3-4
  summarise the durations of all rows as the paper did); ``progressed`` is carried as the event
  flag for survival analyses.
- response at the first follow-up: RECIST 1.1 at the V1 exam with the V0 exam as baseline (and
  nadir), :func:`analysis.study.response.recist_first_followup`: from lesions.csv when the patient
  has lesion rows on the V0 exam (nodes by short axis, CR = non-nodal targets gone and nodes
  < 10 mm, new lesions => PD), else from imaging.csv's ``sum_diameters_mm``; the same function
  serves every path.
- volumetric response at the first follow-up (extra): V1 vs V0, PR <= -65 %, PD >= +73 %, with new
  lesions and non-target status (:func:`analysis.study.response.volumetric_first_followup`).

References
----------
.. [1] Schwartz M. A biomathematical approach to clinical tumor growth. Cancer 1961;14:1272-94.
.. [2] The paper's Methods (Clinical Practice 2022;13(4), doi:10.17816/clinpract115017).
.. [3] Eisenhauer EA et al. New response evaluation criteria in solid tumours: revised RECIST
   guideline (version 1.1). Eur J Cancer 2009;45:228-47.

Examples
--------
>>> doubling_time(10.0, 20.0, 30)
(30.0, '')
>>> doubling_time(10.0, 10.0, 30)[1]
'V1 = V0 (no volume change)'
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from analysis.study import exams, recist, response
from analysis.study.exams import NO_TACE, NO_V0, NO_V1  # noqa: F401 -- reasons, re-exported

if TYPE_CHECKING:
    import pandas as pd

    from analysis.data import Dataset

# reasons (stable texts: tests, tables and numbers._meta["undefined"] use them)
V_MISSING = "tumour volume missing at the V0 or V1 exam"
NONPOSITIVE_INTERVAL = "interval between the exams <= 0 days"
V0_ZERO = "V0 = 0"
V1_ZERO = "V1 = 0"
NO_CHANGE = "V1 = V0 (no volume change)"
#: why every time-to-progression analysis is not available (Tables 3-4 TTP, Kaplan-Meier)
NO_PROGRESSION_FILE = "not available: the dataset has no progression data (progression.csv absent or empty)"
TTP_COLUMNS = ["patient_id", "group", "tace_timing", "setting", "start_day", "end_day", "ttp", "progressed"]

COLUMNS = [
    "patient_id", "group", "tace_timing", "n_tace", "first_tace_day",
    "v0_day", "v0", "liver_v0", "v1_day", "v1", "liver_v1",
    "volume_change", "interval_days", "f0", "f1",
    "doubling_time", "doubling_time_reason", "sgr", "sgr_reason",
    "ttp_chemo", "ttp_chemo_progressed", "ttp_tace", "ttp_tace_progressed",
    "sum0_mm", "sum1_mm", "sums_source", "new_lesions1", "nontarget_status1",
    "response", "response_reason", "volumetric_response", "mrecist_response",
]


def _missing(x) -> bool:
    if x is None:
        return True
    try:
        return bool(x != x)  # NaN, pd.NA raises TypeError
    except TypeError:
        return True


def _volumes_reason(v0, v1, interval) -> str:
    if _missing(v0) or _missing(v1) or _missing(interval):
        return V_MISSING
    if interval <= 0:
        return NONPOSITIVE_INTERVAL
    if v0 == 0:
        return V0_ZERO
    if v1 == 0:
        return V1_ZERO
    return ""


def doubling_time(v0: float, v1: float, interval_days: float) -> tuple[float, str]:
    """Schwartz tumour volume doubling time, ``Δt · ln 2 / ln(V1 / V0)``, with a reason when undefined.

    Parameters
    ----------
    v0, v1 : float
        Tumour volumes (cm³) at the earlier and the later exam.
    interval_days : float
        Days between the two exams (Δt).

    Returns
    -------
    (value, reason) : tuple[float, str]
        ``value`` in days (negative when the volume decreased); NaN when undefined, and then
        ``reason`` says why (``''`` when defined): Δt <= 0, V0 = 0, V1 = 0, or V1 = V0.

    References
    ----------
    .. [1] Schwartz M. A biomathematical approach to clinical tumor growth. Cancer
       1961;14:1272-94 (the formula used by the paper's Methods).

    Examples
    --------
    >>> doubling_time(10.0, 40.0, 60)  # two doublings in 60 days
    (30.0, '')
    >>> doubling_time(0.0, 5.0, 60)
    (nan, 'V0 = 0')
    """
    reason = _volumes_reason(v0, v1, interval_days)
    if not reason and v1 == v0:
        reason = NO_CHANGE
    if reason:
        return math.nan, reason
    return float(interval_days) * math.log(2.0) / math.log(float(v1) / float(v0)), ""


def specific_growth_rate(v0: float, v1: float, interval_days: float) -> tuple[float, str]:
    """Specific growth rate ``ln(V1 / V0) / Δt`` (per day), with a reason when undefined.

    Defined (= 0) when V1 = V0; undefined (NaN) when Δt <= 0 or either volume is 0. It equals
    ``ln 2 / DT`` where the doubling time DT is defined.

    Parameters
    ----------
    v0, v1 : float
        Tumour volumes (cm³) at the earlier and the later exam.
    interval_days : float
        Days between the two exams (Δt).

    Returns
    -------
    (value, reason) : tuple[float, str]
        ``value`` per day; NaN when undefined, and then ``reason`` says why (``''`` when defined).

    References
    ----------
    .. [1] Schwartz M. Cancer 1961;14:1272-94 (exponential growth, of which SGR is the rate).
    .. [2] Mehrara E et al. Specific growth rate versus doubling time for quantitative
       characterization of tumor growth rate. Cancer Res 2007;67:3970-5.

    Examples
    --------
    >>> specific_growth_rate(10.0, 20.0, 30)[0] * 30 == math.log(2)  # one doubling in 30 days
    True
    >>> specific_growth_rate(10.0, 10.0, 30)
    (0.0, '')
    >>> specific_growth_rate(10.0, 0.0, 30)
    (nan, 'V1 = 0')
    """
    reason = _volumes_reason(v0, v1, interval_days)
    if reason:
        return math.nan, reason
    return math.log(float(v1) / float(v0)) / float(interval_days), ""


def liver_involvement(tumor_volume: float, liver_volume: float) -> float:
    """Relative liver involvement F = V / V_liver × 100 (%), NaN when either is missing.

    Parameters
    ----------
    tumor_volume, liver_volume : float
        Tumour and liver volume (cm³) at the same exam.

    Returns
    -------
    float
        Percent; NaN when a volume is missing or the liver volume is 0.

    References
    ----------
    .. [1] The paper's Methods (Clinical Practice 2022;13(4), doi:10.17816/clinpract115017):
       relative liver involvement by the tumour.

    Examples
    --------
    >>> liver_involvement(50.0, 2000.0)
    2.5
    """
    if _missing(tumor_volume) or _missing(liver_volume) or liver_volume == 0:
        return math.nan
    return float(tumor_volume) / float(liver_volume) * 100.0


def has_progression(ds: Dataset) -> bool:
    """Whether the dataset has progression data: a progression table that is present and has rows.

    Without progression.csv, ``load_dataset`` gives an empty table with its columns and
    ``"progression"`` in ``ds.absent``; a hand-built dataset may give ``None``.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset.

    Returns
    -------
    bool
        False when the progression file is absent (``ds.progression`` None or ``"progression"`` in
        ``ds.absent``) or has no rows: then every time-to-progression analysis is reported as not
        available (:data:`NO_PROGRESSION_FILE`), its numbers null, n included; otherwise True.

    References
    ----------
    .. [1] The README, "Your own data: the dataset contract" (progression.csv).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> import pandas as pd
    >>> has_progression(SimpleNamespace(progression=None)), has_progression(SimpleNamespace())
    (False, False)
    >>> has_progression(SimpleNamespace(progression=pd.DataFrame({"patient_id": []})))
    False
    >>> has_progression(SimpleNamespace(progression=pd.DataFrame({"patient_id": ["A"]}), absent=("progression",)))
    False
    """
    pr = getattr(ds, "progression", None)
    return pr is not None and len(pr) > 0 and "progression" not in getattr(ds, "absent", ())


def ttp_rows(ds: Dataset) -> pd.DataFrame:
    """Time to progression of every progression.csv row: ``ttp = end_day - start_day`` (days).

    Parameters
    ----------
    ds : Dataset
        A validated dataset (:func:`analysis.data.load_dataset`).

    Returns
    -------
    pandas.DataFrame
        patient_id, group, tace_timing, setting, start_day, end_day, ttp (float), progressed
        (the event flag; ``False`` = censored at ``end_day``). Rows in file order; no rows when the
        dataset has no progression data (:func:`has_progression`). Tables 3-4
        summarise ``ttp`` over all rows of a setting whatever ``progressed`` says (as the paper).

    References
    ----------
    .. [1] The paper's Methods (Clinical Practice 2022;13(4), doi:10.17816/clinpract115017): time
       to progression after chemotherapy and after TACE.

    Examples
    --------
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> tr = ttp_rows(load_dataset(TESTS / "fixtures" / "mini"))
    >>> r = tr.iloc[0]  # S01, TACE row: 258 - 34
    >>> r.patient_id, r.setting, float(r.ttp), bool(r.progressed)
    ('S01', 'tace', 224.0, True)
    """
    import pandas as pd

    if not has_progression(ds):
        return pd.DataFrame({c: pd.Series([], dtype="float64" if c == "ttp" else "object") for c in TTP_COLUMNS})
    pr = ds.progression
    info = ds.patients.set_index("patient_id")
    out = pd.DataFrame({
        "patient_id": pr["patient_id"].to_numpy(),
        "group": pr["patient_id"].map(info["group"]).astype("int64").to_numpy(),
        "tace_timing": pr["patient_id"].map(info["tace_timing"]).to_numpy(),
        "setting": pr["setting"].to_numpy(),
        "start_day": pr["start_day"].to_numpy(),
        "end_day": pr["end_day"].to_numpy(),
        "ttp": (pr["end_day"].astype(float) - pr["start_day"].astype(float)).to_numpy(),
        "progressed": pr["progressed"].astype("boolean").to_numpy(),
    })
    return out


def _growth(v0, v1, interval):
    """Doubling time and SGR with their reasons for arrays (:func:`doubling_time`,
    :func:`specific_growth_rate`; the logarithm is the C library's, per value, as ``math.log``)."""
    import numpy as np

    missing = np.isnan(v0) | np.isnan(v1) | np.isnan(interval)
    with np.errstate(invalid="ignore"):
        reason = np.select([missing, interval <= 0, v0 == 0, v1 == 0],
                           [V_MISSING, NONPOSITIVE_INTERVAL, V0_ZERO, V1_ZERO], "").astype(object)
    defined = reason == ""
    log = np.frompyfunc(math.log, 1, 1)
    ratio_log = np.full(v0.size, np.nan)
    if defined.any():
        ratio_log[defined] = log(v1[defined] / v0[defined]).astype(float)
    sgr = np.where(defined, ratio_log / np.where(defined, interval, 1.0), np.nan)
    dt_reason = np.where(defined & (v1 == v0), NO_CHANGE, reason).astype(object)
    dt_defined = dt_reason == ""
    dt = np.full(v0.size, np.nan)
    dt[dt_defined] = interval[dt_defined] * math.log(2.0) / ratio_log[dt_defined]
    return dt, dt_reason, sgr, reason


def _ttp_columns(out, ds: Dataset) -> None:
    """``ttp_<setting>`` and ``ttp_<setting>_progressed`` from the patient's progression rows
    (the first row of each (patient, setting); the key is unique in a validated dataset)."""
    import numpy as np

    tr = ttp_rows(ds).drop_duplicates(["patient_id", "setting"], keep="first")
    for setting in ("chemo", "tace"):
        rows = tr[tr["setting"] == setting].set_index("patient_id")
        out[f"ttp_{setting}"] = out["patient_id"].map(rows["ttp"].astype(float)).astype(float)
        flag = out["patient_id"].map(rows["progressed"].astype(object))
        out[f"ttp_{setting}_progressed"] = np.where(flag.isna(), None, flag).astype(object)


def per_patient(ds: Dataset) -> pd.DataFrame:
    """One row per patient with every endpoint (see the module docstring for the definitions).

    Parameters
    ----------
    ds : Dataset
        A validated dataset (:func:`analysis.data.load_dataset`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`, rows in the order of patients.csv. Undefined values are NaN with
        the reason in ``doubling_time_reason`` / ``sgr_reason`` / ``response_reason``.

    Raises
    ------
    analysis.errors.UserError
        lesions.csv has more than 5 target lesions at an exam or more than 2 in one organ.

    References
    ----------
    .. [1] The paper's Methods (Clinical Practice 2022;13(4), doi:10.17816/clinpract115017):
       volumes before/after the first TACE, doubling time, time to progression, RECIST 1.1.
    .. [2] Schwartz M. Cancer 1961;14:1272-94 (doubling time).
    .. [3] Eisenhauer EA et al. Eur J Cancer 2009;45:228-47 (RECIST 1.1).

    Examples
    --------
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> pp = per_patient(load_dataset(TESTS / "fixtures" / "mini")).set_index("patient_id")
    >>> s01 = pp.loc["S01"]  # V0 = 212.4 cm3 (day 12), V1 = 168.9 cm3 (day 90)
    >>> float(s01.volume_change), float(s01.interval_days), round(float(s01.doubling_time), 2), s01.response
    (-43.5, 78.0, -235.92, 'SD')

    Computed once per dataset object and content in a process: a later call on the same, unchanged
    dataset (the tables' contents hashed) returns a copy of the same frame.
    """
    import weakref

    try:
        ref = weakref.ref(ds)
    except TypeError:  # an object that cannot be referred to weakly (a stand-in): computed each time
        return _per_patient(ds)
    fingerprint = _fingerprint(ds)
    hit = _PER_PATIENT.get(id(ds))
    if hit is not None and hit[0]() is ds and hit[1] == fingerprint:
        return hit[2].copy()
    out = _per_patient(ds)
    _PER_PATIENT.clear()  # one dataset at a time: a notebook or a command works on one
    _PER_PATIENT[id(ds)] = (ref, fingerprint, out.copy())
    return out


#: id(dataset) -> (weak reference to it, :func:`_fingerprint`, its per-patient frame)
_PER_PATIENT: dict = {}
_TABLES = ("patients", "procedures", "imaging", "progression", "lesions")


def _fingerprint(ds: Dataset) -> str:
    """A hash of the contents of the dataset's tables (values, index, column names and types)."""
    import hashlib

    import pandas as pd

    h = hashlib.sha256(repr(tuple(getattr(ds, "absent", ()))).encode())
    for name in _TABLES:
        t = getattr(ds, name, None)
        h.update(name.encode() + b"\0")
        if t is not None:
            h.update(repr([(str(c), str(d)) for c, d in t.dtypes.items()]).encode())
            h.update(pd.util.hash_pandas_object(t, index=True).to_numpy().tobytes())
    return h.hexdigest()


def _per_patient(ds: Dataset) -> pd.DataFrame:
    """:func:`per_patient`, computed."""
    import numpy as np
    import pandas as pd

    lesions = getattr(ds, "lesions", None)
    if lesions is not None and len(lesions):
        recist.check_target_limits(lesions)  # RECIST 1.1: <= 5 targets, <= 2 per organ (UserError)
    pairs = exams.exam_pairs(ds)  # V0 and V1 exams, chosen once for every criterion
    resp = response.recist_first_followup(ds, pairs)
    vol = response.volumetric_first_followup(ds, pairs)
    mrec = response.mrecist_first_followup(ds, pairs)
    out = pd.DataFrame({"patient_id": pairs["patient_id"], "group": ds.patients["group"].to_numpy(dtype="int64"),
                        "tace_timing": ds.patients["tace_timing"].to_numpy(), "n_tace": pairs["n_tace"],
                        "first_tace_day": pairs["first_tace_day"]})
    _ttp_columns(out, ds)
    col = response._exam_column
    for k in ("0", "1"):
        rows = pairs[f"row{k}"].to_numpy()
        out[f"v{k}_day"] = col(ds, "day", rows, numeric=True)
        out[f"v{k}"] = col(ds, "tumor_volume_cm3", rows, numeric=True)
        out[f"liver_v{k}"] = col(ds, "liver_volume_cm3", rows, numeric=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[f"f{k}"] = np.where(out[f"liver_v{k}"] == 0, np.nan, out[f"v{k}"] / out[f"liver_v{k}"] * 100.0)
    ok = (pairs["reason"] == "").to_numpy()
    out["volume_change"] = np.where(ok, out["v1"] - out["v0"], np.nan)
    out["interval_days"] = np.where(ok, out["v1_day"] - out["v0_day"], np.nan)
    dt, dt_reason, sgr, sgr_reason = _growth(*(out[c].to_numpy() for c in ("v0", "v1", "interval_days")))
    out["doubling_time"], out["sgr"] = np.where(ok, dt, np.nan), np.where(ok, sgr, np.nan)
    out["doubling_time_reason"] = np.where(ok, dt_reason, pairs["reason"]).astype(object)
    out["sgr_reason"] = np.where(ok, sgr_reason, pairs["reason"]).astype(object)
    nothing = np.full(len(out), None, dtype=object)
    rows1 = np.where(ok, pairs["row1"].to_numpy(), -1)
    new1 = col(ds, "new_lesions", rows1)
    out["new_lesions1"] = np.where(pd.isna(new1), None, new1).astype(object)
    nts = col(ds, "nontarget_status", rows1)
    out["nontarget_status1"] = np.where(pd.isna(nts), None, nts.astype(str)).astype(object)
    out["sum0_mm"], out["sum1_mm"] = np.where(ok, resp["sum0"], np.nan), np.where(ok, resp["sum1"], np.nan)
    out["sums_source"] = np.where(ok, resp["source"], "").astype(object)
    out["response"] = np.where(ok, resp["response"], nothing).astype(object)
    out["response_reason"] = np.where(ok, resp["reason"], pairs["reason"]).astype(object)
    out["volumetric_response"] = np.where(ok, vol["response"], nothing).astype(object)
    out["mrecist_response"] = np.where(ok, mrec["response"], nothing).astype(object)
    out = out[COLUMNS]
    for c in ("ttp_chemo_progressed", "ttp_tace_progressed", "new_lesions1"):
        out[c] = out[c].astype("boolean")
    return out
