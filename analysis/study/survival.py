"""Time to progression with its censoring: Kaplan-Meier medians and the log-rank test.

Tables 3-4 summarise TTP as plain durations (censoring ignored, as the paper did). Here
``progressed`` is the event flag (``False`` = censored at ``end_day``) of every progression.csv row
of the setting (``chemo`` = after chemotherapy, ``tace`` = after the first TACE):

- ``km.<chemo|tace>.<g>.median|median_lower|median_upper`` (g = all, group1, group2): the median
  TTP and its 95 % interval as R's ``print(survfit(Surv(ttp, progressed) ~ 1))`` reports them
  (``conf.type = "log"``, :func:`analysis.stats.survival.km_median`); null = not reached;
- ``km.<chemo|tace>.<g>.n`` and ``.events.n``: rows and progressions;
- ``km.<chemo|tace>.logrank.p``: group 1 vs group 2, R ``survdiff(Surv(ttp, progressed) ~ group)``
  (:func:`analysis.stats.survival.logrank_test`).

Examples
--------
>>> SETTINGS
('chemo', 'tace')
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from analysis.study.tables import _frame, _row

if TYPE_CHECKING:
    import pandas as pd

    from analysis.data import Dataset

SETTINGS = ("chemo", "tace")
KM_GROUPS = ("all", "group1", "group2")
LABELS = {"chemo": "time to progression after chemotherapy, days (Kaplan-Meier)",
          "tace": "time to progression after TACE, days (Kaplan-Meier)"}


def km_data(ds: Dataset, setting: str) -> pd.DataFrame:
    """The progression rows of one setting: ``patient_id, group, ttp, progressed`` (file order).

    Parameters
    ----------
    ds : Dataset
        A validated dataset.
    setting : {'chemo', 'tace'}

    Returns
    -------
    pandas.DataFrame

    References
    ----------
    .. [1] README, "Endpoint definitions": TTP = ``end_day - start_day``; ``progressed`` is the event.

    Examples
    --------
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> km_data(load_dataset(TESTS / "fixtures" / "mini"), "tace").columns.tolist()
    ['patient_id', 'group', 'ttp', 'progressed']
    """
    from analysis.study.endpoints import ttp_rows

    if setting not in SETTINGS:
        raise ValueError(f"setting must be one of {SETTINGS}, got {setting!r}")
    tr = ttp_rows(ds)
    sub = tr[tr["setting"] == setting]
    out = sub[["patient_id", "group", "ttp"]].copy()
    out["progressed"] = sub["progressed"].fillna(False).astype(bool).to_numpy()
    return out.reset_index(drop=True)


def _subset(frame, g: str):
    return frame if g == "all" else frame[frame["group"] == int(g[-1])]


def km_rows(ds: Dataset, params: dict | None = None, endpoints=None) -> pd.DataFrame:
    """Tidy rows of every ``km.*`` key (module docstring).

    Parameters
    ----------
    ds : Dataset
        A validated dataset.
    params : dict, optional
        Unused (the signature of every table).
    endpoints : pandas.DataFrame, optional
        Unused.

    Returns
    -------
    pandas.DataFrame
        Tidy rows (:data:`analysis.study.tables.TIDY_COLUMNS`).

    References
    ----------
    .. [1] Therneau T. ``survival`` 3.5: ``survfit``, ``print.survfit``, ``survdiff``.

    Examples
    --------
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> t = km_rows(load_dataset(TESTS / "fixtures" / "mini")).set_index("key")
    >>> int(t.loc["km.tace.all.n", "value"])
    12
    """
    from analysis.stats.survival import km_median, logrank_test

    rows = []
    for s in SETTINGS:
        data = km_data(ds, s)
        label = LABELS[s]
        for g in KM_GROUPS:
            sub = _subset(data, g)
            med = dict(median=None, lower=None, upper=None)
            if len(sub):
                med = km_median(sub["ttp"].to_numpy(float), sub["progressed"].to_numpy(bool))
            for stat, k in (("median", "median"), ("median_lower", "lower"), ("median_upper", "upper")):
                v = med[k]
                note = "no rows" if not len(sub) else "not reached (the curve or its band stays above 0.5)"
                rows.append(_row(f"km.{s}.{g}.{stat}", "km", label, stat, math.nan if v is None else v, group=g,
                                 test="Kaplan-Meier (R survfit, conf.type log)", note=note if v is None else ""))
            rows.append(_row(f"km.{s}.{g}.n", "km", label, "n", int(len(sub)), group=g))
            rows.append(_row(f"km.{s}.{g}.events.n", "km", label, "n", int(sub["progressed"].sum()), group=g))
        p, note = math.nan, ""
        groups = data["group"].to_numpy()
        if len(set(groups.tolist())) < 2:
            note = "log-rank test needs rows in both groups"
        elif not data["progressed"].any():
            note = "no progression in either group"
        else:
            p = logrank_test(data["ttp"].to_numpy(float), data["progressed"].to_numpy(bool), groups)["p"]
            if math.isnan(p):
                note = "not computable (no variance)"
        rows.append(_row(f"km.{s}.logrank.p", "km", label, "p", p, test="log-rank (R survdiff)",
                         method="chi-squared", note=note))
    return _frame(rows)
