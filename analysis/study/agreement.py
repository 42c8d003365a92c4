"""Agreement between response criteria, the best response per patient and each patient's timeline.

- :func:`responses`: per patient, the response at the first follow-up (the V1 exam) by RECIST 1.1
  (``response`` of :func:`analysis.study.endpoints.per_patient`), by volume
  (``volumetric_response``) and, when the dataset has lesions.csv, by mRECIST
  (:func:`analysis.study.recist.evaluate_dataset` with ``'mrecist'``, at the V1 exam);
- :func:`agreement_rows`: Cohen's kappa with its 95 % interval for each pair of criteria, over the
  patients evaluable (not NE) by both: ``agreement.<a>_<b>.kappa|lower|upper|n``
  (:func:`analysis.stats.agreement.cohens_kappa`). numbers.json holds ``recist_volumetric`` (both
  criteria exist for every dataset); the pairs with mRECIST are in :func:`agreement_table`;
- :func:`best_response`: the best (most negative) percent change of the sum of target diameters
  after the first TACE vs the V0 exam, for the waterfall plot;
- :func:`timeline`: one row per event of each patient (detection, chemotherapy, each TACE, exams,
  progression or censoring) for the swimmer plot.

Examples
--------
>>> PAIRS[0]
('recist', 'volumetric')
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from analysis.study.tables import _frame, _row

if TYPE_CHECKING:
    import pandas as pd

    from analysis.data import Dataset

CRITERIA_NAMES = ("recist", "mrecist", "volumetric")
PAIRS = (("recist", "volumetric"), ("recist", "mrecist"), ("mrecist", "volumetric"))
#: pairs whose kappa goes into numbers.json (the criteria every dataset allows)
NUMBER_PAIRS = (("recist", "volumetric"),)
LABELS = ("CR", "PR", "SD", "PD")


def responses(ds: Dataset, endpoints: pd.DataFrame | None = None) -> pd.DataFrame:
    """Response at the first follow-up by each criterion, one row per patient.

    Parameters
    ----------
    ds : Dataset
        A validated dataset.
    endpoints : pandas.DataFrame, optional
        :func:`analysis.study.endpoints.per_patient` of ``ds`` if already computed.

    Returns
    -------
    pandas.DataFrame
        ``patient_id, group, recist, volumetric, mrecist`` (mrecist None without lesions.csv or
        without lesion rows on the patient's V0 / V1 exams).

    References
    ----------
    .. [1] Eisenhauer EA et al. Eur J Cancer 2009;45:228-47 (RECIST 1.1).
    .. [2] Lencioni R, Llovet JM. Semin Liver Dis 2010;30:52-60 (mRECIST).

    Examples
    --------
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> responses(load_dataset(TESTS / "fixtures" / "mini")).columns.tolist()
    ['patient_id', 'group', 'recist', 'volumetric', 'mrecist']
    """
    from analysis.study import recist
    from analysis.study.tables import _pp

    pp = _pp(ds, endpoints)
    out = pp[["patient_id", "group"]].copy()
    out["recist"] = pp["response"].to_numpy()
    out["volumetric"] = pp["volumetric_response"].to_numpy()
    m = {}
    tp = recist.evaluate_dataset(ds, "mrecist")
    if tp is not None and len(tp):  # the time point on each patient's V1 exam day
        v1 = tp["patient_id"].map(dict(zip(pp["patient_id"], pp["v1_day"]))).astype(float)
        at_v1 = tp[v1.notna() & (tp["day"].astype(float) == v1)]
        m = dict(zip(at_v1["patient_id"], at_v1["overall"].where(at_v1["overall"].astype(bool), None)))
    out["mrecist"] = out["patient_id"].map(m).astype(object)
    out["mrecist"] = out["mrecist"].where(out["mrecist"].notna(), None)
    return out.reset_index(drop=True)


def _kappa(resp, a: str, b: str) -> dict:
    from analysis.stats.agreement import cohens_kappa

    ok = resp[a].isin(LABELS) & resp[b].isin(LABELS)
    n = int(ok.sum())
    res = {"kappa": math.nan, "lower": math.nan, "upper": math.nan, "n": n, "note": ""}
    if n == 0:
        res["note"] = f"no patient evaluable by both {a} and {b}"
        return res
    k = cohens_kappa(list(resp.loc[ok, a]), list(resp.loc[ok, b]), labels=LABELS)
    res.update(kappa=k["kappa"], lower=k["lower"], upper=k["upper"])
    if not math.isfinite(k["kappa"]):
        res["note"] = "kappa undefined: chance agreement is 1 (one category only)"
    return res


def agreement_rows(ds: Dataset, params: dict | None = None, endpoints=None) -> pd.DataFrame:
    """Tidy rows ``agreement.<a>_<b>.kappa|lower|upper|n`` for :data:`NUMBER_PAIRS`.

    Parameters
    ----------
    ds : Dataset
        A validated dataset.
    params : dict, optional
        Unused (the signature of every table).
    endpoints : pandas.DataFrame, optional
        :func:`analysis.study.endpoints.per_patient` of ``ds`` if already computed.

    Returns
    -------
    pandas.DataFrame
        Tidy rows (:data:`analysis.study.tables.TIDY_COLUMNS`).

    References
    ----------
    .. [1] Cohen J. Educ Psychol Meas 1960;20:37-46; Fleiss JL, Cohen J, Everitt BS. Psychol Bull
       1969;72:323-7 (standard error).

    Examples
    --------
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> t = agreement_rows(load_dataset(TESTS / "fixtures" / "mini")).set_index("key")
    >>> int(t.loc["agreement.recist_volumetric.n", "value"])
    12
    """
    resp = responses(ds, endpoints)
    rows = []
    for a, b in NUMBER_PAIRS:
        k = _kappa(resp, a, b)
        label = f"agreement of {a} and {b} at the first follow-up (Cohen's kappa)"
        for stat in ("kappa", "lower", "upper"):
            v = k[stat]
            rows.append(_row(f"agreement.{a}_{b}.{stat}", "agreement", label, stat, v,
                             test="Cohen's kappa, Wald interval (Fleiss-Cohen-Everitt SE)" if stat == "kappa" else "",
                             note=(k["note"] or "not computable") if not math.isfinite(v) else ""))
        rows.append(_row(f"agreement.{a}_{b}.n", "agreement", label, "n", k["n"]))
    return _frame(rows)


def agreement_table(ds: Dataset, endpoints=None) -> pd.DataFrame:
    """Every pair of :data:`PAIRS`: kappa, interval and n (mRECIST pairs only with lesions.csv).

    Parameters
    ----------
    ds : Dataset
        A validated dataset.
    endpoints : pandas.DataFrame, optional
        :func:`analysis.study.endpoints.per_patient` of ``ds`` if already computed.

    Returns
    -------
    pandas.DataFrame
        ``pair, n, kappa, lower, upper, note``.

    References
    ----------
    .. [1] Cohen J. Educ Psychol Meas 1960;20:37-46.

    Examples
    --------
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> agreement_table(load_dataset(TESTS / "fixtures" / "mini"))["pair"].tolist()[0]
    'recist_volumetric'
    """
    import pandas as pd

    resp = responses(ds, endpoints)
    rows = []
    for a, b in PAIRS:
        k = _kappa(resp, a, b)
        rows.append({"pair": f"{a}_{b}", "n": k["n"], "kappa": k["kappa"], "lower": k["lower"],
                     "upper": k["upper"], "note": k["note"]})
    return pd.DataFrame(rows)


def best_response(ds: Dataset, endpoints=None) -> pd.DataFrame:
    """Best percent change of the sum of target diameters after the first TACE, per patient.

    Baseline = the V0 exam; every exam after the first TACE day with a known sum counts (imaging.csv's
    ``sum_diameters_mm``, else the lesions.csv sum). Patients without a baseline sum > 0 or
    without a later sum are left out.

    Parameters
    ----------
    ds : Dataset
        A validated dataset.
    endpoints : pandas.DataFrame, optional
        :func:`analysis.study.endpoints.per_patient` of ``ds`` if already computed.

    Returns
    -------
    pandas.DataFrame
        ``patient_id, group, tace_timing, best_pct, best_day, response`` (RECIST 1.1 at the first
        follow-up), sorted from the largest increase to the largest decrease.

    References
    ----------
    .. [1] Eisenhauer EA et al. Eur J Cancer 2009;45:228-47 (−30 % / +20 % thresholds).

    Examples
    --------
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> b = best_response(load_dataset(TESTS / "fixtures" / "mini"))
    >>> bool(b["best_pct"].is_monotonic_decreasing)
    True
    """
    import pandas as pd

    from analysis.study import recist
    from analysis.study.tables import _pp

    pp = _pp(ds, endpoints)
    cols = ["patient_id", "group", "tace_timing", "best_pct", "best_day", "response"]
    base = pp.loc[pp["sum0_mm"].astype(float) > 0, ["patient_id", "group", "tace_timing", "first_tace_day",
                                                     "sum0_mm", "response"]]
    img = ds.imaging[["patient_id", "day", "sum_diameters_mm"]].merge(base, on="patient_id", how="inner", sort=False)
    img = img[img["day"].astype(float) > img["first_tace_day"].astype(float)].copy()
    s = img["sum_diameters_mm"].astype(float)
    les = getattr(ds, "lesions", None)
    if s.isna().any() and les is not None and len(les):
        lsums = recist.target_sums(les)  # exams without an exam-level sum: the lesions.csv sum
        keys = zip(img["patient_id"], img["day"].astype(int))
        s = s.where(s.notna(), pd.Series([lsums.get(k, float("nan")) for k in keys], index=img.index, dtype=float))
    img["best_pct"] = (s / img["sum0_mm"].astype(float) - 1.0) * 100.0
    img = img.dropna(subset=["best_pct"])
    if not len(img):
        return pd.DataFrame(columns=cols)
    best = img.loc[img.groupby("patient_id", sort=False)["best_pct"].idxmin()]  # first exam with the lowest
    out = best.assign(group=best["group"].astype(int), best_day=best["day"].astype(int))[cols]
    return out.sort_values(["best_pct", "patient_id"], ascending=[False, True], kind="mergesort").reset_index(
        drop=True)


def timeline(ds: Dataset) -> pd.DataFrame:
    """Every patient's events for the swimmer plot, in days from detection of liver metastases.

    Parameters
    ----------
    ds : Dataset
        A validated dataset.

    Returns
    -------
    pandas.DataFrame
        ``patient_id, group, event, day, end_day``: ``event`` is ``detection`` (day 0), ``chemo``
        (the chemotherapy row of progression.csv, ``day`` = start, ``end_day`` = its end), ``tace``
        (each procedure), ``exam`` (each CT/MRI), ``progression`` or ``censored`` (the end of the
        patient's TACE row of progression.csv, else of the chemotherapy row).

    References
    ----------
    .. [1] README, "Your own data": every time is a day offset from detection of liver metastases.

    Examples
    --------
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> t = timeline(load_dataset(TESTS / "fixtures" / "mini"))
    >>> sorted(set(t["event"]))[:3]
    ['censored', 'chemo', 'detection']
    """
    import pandas as pd

    pat = ds.patients
    grp = dict(zip(pat["patient_id"], pat["group"].astype(int)))
    cols = ["patient_id", "group", "event", "day", "end_day"]
    parts = [pd.DataFrame({"patient_id": pat["patient_id"], "event": "detection", "day": 0})]
    chemo_end: dict = {}
    prog = ds.progression
    if prog is not None and len(prog):
        c = prog[prog["setting"] == "chemo"]
        parts.append(pd.DataFrame({"patient_id": c["patient_id"], "event": "chemo", "day": c["start_day"]}))
        chemo_end = dict(zip(c["patient_id"], c["end_day"]))
        # the end of follow-up: the TACE row of progression.csv, else the chemotherapy row
        last = pd.concat([prog[prog["setting"] == "tace"], c]).drop_duplicates("patient_id", keep="first")
        ev = ["progression" if (not pd.isna(v) and bool(v)) else "censored" for v in last["progressed"]]
        parts.append(pd.DataFrame({"patient_id": last["patient_id"].to_numpy(), "event": ev,
                                   "day": last["end_day"].to_numpy()}))
    pr, im = ds.procedures, ds.imaging
    parts.append(pd.DataFrame({"patient_id": pr["patient_id"], "event": "tace", "day": pr["day"]}))
    parts.append(pd.DataFrame({"patient_id": im["patient_id"], "event": "exam", "day": im["day"]}))
    out = pd.concat([p.astype({"day": "float64"}) for p in parts], ignore_index=True)
    chemo = out["event"] == "chemo"
    out["end_day"] = out["patient_id"].map(chemo_end).where(chemo).astype(float)
    out = out.dropna(subset=["day"])
    out["group"] = out["patient_id"].map(grp).astype(int)
    out["day"] = out["day"].astype(int)
    out["_o"] = out["patient_id"].map({p: i for i, p in enumerate(grp)})
    return out.sort_values(["_o", "day", "event"], kind="mergesort")[cols].reset_index(drop=True)
