"""Tumour growth beside the published regression: the per-patient growth table, ΔV on SGR, display frames.

The study's regression (Table 4's R² of ΔV on the doubling time) is computed in :mod:`.tables`; this
module adds the sensitivity analysis on the specific growth rate and the reading forms the notebooks and
OUT/tables show: :func:`growth_table` (one row per patient), :func:`sgr_regression`,
:func:`regression_display` and :func:`recist_display` (from the tidy tables of
:func:`analysis.study.tables.all_tidy`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

GROWTH_COLUMNS = ["patient_id", "group", "tace_timing", "v0", "v1", "interval_days", "volume_change",
                  "doubling_time", "sgr", "doubling_time_reason"]


def _fmt(v, decimals: int) -> str:
    """A number with ``decimals`` decimals, or ``NA`` when missing or not a number."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return "NA"
    if f != f:
        return "NA"
    return f"{f:.{decimals}f}"


def regression_display(tidy: pd.DataFrame, decimals: int = 2) -> pd.DataFrame:
    """The ``regression.<g>.*`` rows of the tidy tables as one row per group (for reading).

    Parameters
    ----------
    tidy : pandas.DataFrame
        Tidy tables (:func:`analysis.study.tables.all_tidy`): columns ``key`` and ``value``, with the keys
        ``regression.group1.n``, ``.r2``, ``.slope``, ``.intercept``, ``.p`` and the same for group 2.
    decimals : int
        Decimals of the intercept (R², slope and p are shown with 4).

    Returns
    -------
    pandas.DataFrame
        One row per group: ``group``, ``n (finite DT)``, ``R²``, slope, intercept, ``p (slope t-test)``,
        numbers formatted as text (``NA`` when not computable).

    References
    ----------
    R: ``summary(lm(volume_change ~ doubling_time))`` per group (the article's Table 4 R²).

    Examples
    --------
    >>> import pandas as pd
    >>> vals = {"n": 5, "r2": 0.40444, "slope": -0.19, "intercept": -135.914, "p": 0.2488}
    >>> tidy = pd.DataFrame([{"key": f"regression.{g}.{k}", "value": v}
    ...                      for g in ("group1", "group2") for k, v in vals.items()])
    >>> regression_display(tidy).loc[0, ["R²", "intercept, cm³"]].tolist()
    ['0.4044', '-135.91']
    """
    v = dict(zip(tidy["key"], tidy["value"]))
    rows = []
    for g in ("group1", "group2"):
        p = f"regression.{g}"
        rows.append({"group": g, "n (finite DT)": int(v[f"{p}.n"]), "R²": _fmt(v[f"{p}.r2"], 4),
                     "slope, cm³ per day of DT": _fmt(v[f"{p}.slope"], 4),
                     "intercept, cm³": _fmt(v[f"{p}.intercept"], decimals), "p (slope t-test)": _fmt(v[f"{p}.p"], 4)})
    return pd.DataFrame(rows)


def recist_display(tidy: pd.DataFrame) -> pd.DataFrame:
    """RECIST 1.1 counts per group as a small table (rows CR, PR, SD, PD, NE).

    Parameters
    ----------
    tidy : pandas.DataFrame
        Tidy tables (:func:`analysis.study.tables.all_tidy`): the ``recist.*`` rows with ``level``
        (category), ``group`` and ``value`` (count).

    Returns
    -------
    pandas.DataFrame
        Index "RECIST 1.1 response" (the categories present, in the order CR, PR, SD, PD, NE, then
        non-CR/non-PD when any patient has it, then the n of patients assessed when ``recist.<g>.n`` is
        present), one integer column per group.

    References
    ----------
    Eisenhauer et al., RECIST 1.1, Eur J Cancer 2009; R: ``table(recist, group)``.

    Examples
    --------
    >>> import pandas as pd
    >>> tidy = pd.DataFrame({"key": ["recist.group1.PR.n", "recist.group1.SD.n", "recist.group2.SD.n",
    ...                              "recist.group2.PR.n"],
    ...                      "level": ["PR", "SD", "SD", "PR"], "group": ["group1", "group1", "group2", "group2"],
    ...                      "value": [1, 5, 5, 0]})
    >>> recist_display(tidy)["group1"].tolist()
    [1, 5]
    """
    sub = tidy[tidy["key"].str.startswith("recist.")]
    out = sub.pivot_table(index="level", columns="group", values="value", aggfunc="first", sort=False)
    order = [c for c in ("CR", "PR", "SD", "PD", "NE") if c in out.index]
    if "non-CR/non-PD" in out.index and out.loc["non-CR/non-PD"].sum() > 0:  # no measurable disease at baseline
        order.append("non-CR/non-PD")
    order += [""] if "" in out.index else []  # '': recist.<g>.n
    out = out.reindex(order).astype(int).rename(index={"": "n (patients with V0 and V1 exams)"})
    out.index.name = "RECIST 1.1 response"
    out.columns = [str(c) for c in out.columns]
    return pd.DataFrame(out)


def sgr_regression(per_patient: pd.DataFrame) -> pd.DataFrame:
    """ΔV regressed on the specific growth rate SGR per group (patients with a finite SGR).

    A sensitivity analysis beside the published regression on the doubling time: SGR = ln(V1/V0)/Δt
    is finite when the volume does not change (where DT = ln 2 / SGR is infinite) and keeps its sign
    continuous, so it is the better-behaved growth measure to regress on.

    Parameters
    ----------
    per_patient : pandas.DataFrame
        Per-patient endpoints (:func:`analysis.study.endpoints.per_patient`): ``group`` (1 or 2),
        ``sgr`` and ``volume_change``.

    Returns
    -------
    pandas.DataFrame
        ``group``, ``n``, ``r2``, ``slope``, ``intercept``, ``p`` (:func:`analysis.stats.ols`); NaN where
        a group has too few finite values.

    References
    ----------
    R: ``summary(lm(volume_change ~ sgr))`` per group. Mehrara et al., specific growth rate versus
    doubling time, Cancer Res 2007.

    Examples
    --------
    >>> import pandas as pd
    >>> pp = pd.DataFrame({"group": [1, 1, 1, 2], "sgr": [0.001, 0.002, 0.003, 0.001],
    ...                    "volume_change": [1.0, 2.0, 3.0, 5.0]})
    >>> fit = sgr_regression(pp)
    >>> round(float(fit.loc[0, "slope"])), round(float(fit.loc[0, "r2"]), 6), int(fit.loc[1, "n"])
    (1000, 1.0, 1)
    """
    from analysis.stats import ols  # the statistics stack is loaded only when a regression is asked for

    rows = []
    for g in (1, 2):
        sub = per_patient[per_patient["group"] == g]
        x = np.asarray(sub["sgr"], dtype=float)
        y = np.asarray(sub["volume_change"], dtype=float)
        ok = np.isfinite(x) & np.isfinite(y)
        try:
            r = ols(x[ok], y[ok])
            rows.append({"group": f"group{g}", "n": int(ok.sum()), "r2": r.r2, "slope": r.slope,
                         "intercept": r.intercept, "p": r.p})
        except ValueError:
            rows.append({"group": f"group{g}", "n": int(ok.sum()), "r2": math.nan, "slope": math.nan,
                         "intercept": math.nan, "p": math.nan})
    return pd.DataFrame(rows, columns=["group", "n", "r2", "slope", "intercept", "p"])


def growth_table(per_patient: pd.DataFrame, decimals: int = 2) -> pd.DataFrame:
    """Per patient: V0, V1, Δt, ΔV, doubling time and SGR side by side, with why DT is undefined.

    Parameters
    ----------
    per_patient : pandas.DataFrame
        Per-patient endpoints (:func:`analysis.study.endpoints.per_patient`), with the columns of
        :data:`GROWTH_COLUMNS`.
    decimals : int
        Decimals of the volumes and the doubling time (SGR keeps 5).

    Returns
    -------
    pandas.DataFrame
        The columns renamed for reading (``V0, cm³``, ..., ``DT undefined because``), rounded.

    References
    ----------
    Schwartz, doubling time DT = Δt ln 2 / ln(V1/V0), Cancer 1961; SGR = ln(V1/V0)/Δt.

    Examples
    --------
    >>> import pandas as pd
    >>> pp = pd.DataFrame([{"patient_id": "S01", "group": 1, "tace_timing": "immediate", "v0": 212.4,
    ...                     "v1": 168.9, "interval_days": 78, "volume_change": -43.5,
    ...                     "doubling_time": -235.9162, "sgr": -0.0029381, "doubling_time_reason": ""}])
    >>> [float(x) for x in growth_table(pp).loc[0, ["DT, days", "SGR, per day"]]]
    [-235.92, -0.00294]
    """
    out = per_patient[GROWTH_COLUMNS].copy()
    out = out.rename(columns={"v0": "V0, cm³", "v1": "V1, cm³", "interval_days": "Δt, days",
                              "volume_change": "ΔV, cm³", "doubling_time": "DT, days", "sgr": "SGR, per day",
                              "doubling_time_reason": "DT undefined because"})
    for c in ("V0, cm³", "V1, cm³", "ΔV, cm³", "DT, days"):
        out[c] = out[c].astype(float).round(decimals)
    out["SGR, per day"] = out["SGR, per day"].astype(float).round(5)
    return out.reset_index(drop=True)
