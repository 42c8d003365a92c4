"""Tests the paper's Methods name but never report: Shapiro-Wilk normality and Kruskal-Wallis.

The Methods say the distributions were checked for normality (Shapiro-Wilk) before choosing
non-parametric tests, and that Kruskal-Wallis was used for three or more groups; the paper prints
neither. These tidy frames supply them (they are not part of ``numbers.json``):

- :func:`normality`: Shapiro-Wilk W and p of every Table 2-4 variable in every group (Table 4:
  every group × TACE timing subgroup), as R's ``shapiro.test``.
- :func:`kruskal_subgroups`: Kruskal-Wallis across the four subgroups (group × TACE timing) for the
  Table 4 variables (volume change, TTP after TACE), as R's ``kruskal.test``.

The samples are exactly those summarised in Tables 2-4 (:mod:`analysis.study.tables`): the
per-patient endpoints for volumes, all progression.csv rows of the setting for TTP.

References
----------
.. [1] The paper's Methods (Clinical Practice 2022;13(4), doi:10.17816/clinpract115017).
.. [2] R Core Team. ``?shapiro.test``, ``?kruskal.test``, R 4.2.2, package stats.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from analysis.study.endpoints import ttp_rows
from analysis.study.tables import GROUPS, TIMINGS, _by_group, _pp, _values, gkey, table4_sources

if TYPE_CHECKING:
    import pandas as pd

    from analysis.data import Dataset

NORMALITY_COLUMNS = ["table", "variable", "group", "timing", "n", "W", "p", "method", "note"]
KRUSKAL_COLUMNS = ["table", "variable", "groups", "ns", "n", "H", "df", "p", "method", "note"]

_TABLE2 = (("v0", "tumour volume before TACE 1 (V0), cm3"), ("v1", "tumour volume after TACE 1 (V1), cm3"))
_TABLE3 = (("chemo", "time to progression after chemotherapy, days"),
           ("tace", "time to progression after TACE, days"))
_TABLE4 = (("volume_change", "volume change V1 - V0, cm3"), ("ttp", "time to progression after TACE, days"))


def _samples(ds: Dataset, pp: pd.DataFrame) -> list[tuple]:
    """``(table, variable, group, timing, values)`` of every Table 2-4 sample, in table order."""
    out = []
    for col, label in _TABLE2:
        out += [("table2", label, gkey(g), "", x) for g, x in _by_group(pp, col).items()]
    tr = ttp_rows(ds)
    for setting, label in _TABLE3:
        out += [("table3", label, gkey(g), "", x) for g, x in _by_group(tr[tr["setting"] == setting], "ttp").items()]
    sources = table4_sources(ds, pp)
    for part, label in _TABLE4:
        src, col = sources[part]
        out += [("table4", label, gkey(g), s, _values(src.loc[(src["group"] == g) & (src["tace_timing"] == s), col]))
                for g in GROUPS for s in TIMINGS]
    return out


def normality(ds: Dataset, params: dict | None = None, endpoints: pd.DataFrame | None = None) -> pd.DataFrame:
    """Shapiro-Wilk normality test of every Table 2-4 variable per group (Table 4: per group × timing).

    The paper's Methods name the Shapiro-Wilk test but print no result; this frame reports it.

    Parameters
    ----------
    ds : Dataset
        A validated dataset (:func:`analysis.data.load_dataset`).
    params : dict, optional
        Analysis parameters (unused: the test has no options; kept for the tables' signature).
    endpoints : pandas.DataFrame, optional
        :func:`analysis.study.endpoints.per_patient` of ``ds`` if already computed.

    Returns
    -------
    pandas.DataFrame
        One row per sample: table, variable, group (``group1``/``group2``), timing (Table 4 only),
        n, W, p, method (``exact`` for n = 3, else ``Royston (1995) approximation``), note (why W
        and p are NaN: fewer than 3 values or all identical).

    References
    ----------
    .. [1] The paper's Methods (Clinical Practice 2022;13(4), doi:10.17816/clinpract115017).
    .. [2] R Core Team. ``?shapiro.test``, R 4.2.2 (Royston's algorithm AS R94), via
       :func:`analysis.stats.shapiro`.

    Examples
    --------
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> nt = normality(load_dataset(TESTS / "fixtures" / "mini"))
    >>> r = nt.iloc[0]  # Table 2, V0 of group 1
    >>> r.table, r.group, int(r.n), round(float(r.W), 6), r.method
    ('table2', 'group1', 6, 0.942054, 'Royston (1995) approximation')
    """
    import pandas as pd

    from analysis import stats

    rows = []
    for table, variable, group, timing, x in _samples(ds, _pp(ds, endpoints)):
        row = dict(table=table, variable=variable, group=group, timing=timing, n=int(x.size), W=math.nan,
                   p=math.nan, method="", note="")
        try:
            r = stats.shapiro(x)
            row.update(W=r.statistic, p=r.p, method=r.method)
        except ValueError as exc:
            row["note"] = str(exc)
        rows.append(row)
    return pd.DataFrame(rows, columns=NORMALITY_COLUMNS)


def kruskal_subgroups(ds: Dataset, params: dict | None = None,
                      endpoints: pd.DataFrame | None = None) -> pd.DataFrame:
    """Kruskal-Wallis across the four subgroups (group × TACE timing) of the Table 4 variables.

    The paper names Kruskal-Wallis for three or more groups but prints none.

    Parameters
    ----------
    ds : Dataset
        A validated dataset (:func:`analysis.data.load_dataset`).
    params : dict, optional
        Analysis parameters (unused: R's ``kruskal.test`` has no options).
    endpoints : pandas.DataFrame, optional
        :func:`analysis.study.endpoints.per_patient` of ``ds`` if already computed.

    Returns
    -------
    pandas.DataFrame
        One row per Table 4 variable (volume change, TTP after TACE): table, variable, groups (the
        subgroups tested, e.g. ``group1.immediate``, joined by ``;``), ns (their sizes, ``;``-joined),
        n, H (R's tie-corrected "Kruskal-Wallis chi-squared"), df, p (chi-squared approximation),
        method, note. Empty subgroups are left out (and named in ``note``); with fewer than two
        non-empty subgroups, or every value tied, H and p are NaN.

    References
    ----------
    .. [1] Kruskal WH, Wallis WA. Use of ranks in one-criterion variance analysis. JASA
       1952;47:583-621.
    .. [2] R Core Team. ``?kruskal.test``, R 4.2.2, via :func:`analysis.stats.kruskal`.
    .. [3] The paper's Methods (Clinical Practice 2022;13(4), doi:10.17816/clinpract115017).

    Examples
    --------
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> kw = kruskal_subgroups(load_dataset(TESTS / "fixtures" / "mini"))
    >>> list(kw["variable"]), list(kw["df"])
    (['volume change V1 - V0, cm3', 'time to progression after TACE, days'], [3, 3])
    """
    import pandas as pd

    from analysis import stats

    sources = table4_sources(ds, _pp(ds, endpoints))
    rows = []
    for part, label in _TABLE4:
        src, col = sources[part]
        subs = {f"{gkey(g)}.{s}": _values(src.loc[(src["group"] == g) & (src["tace_timing"] == s), col])
                for g in GROUPS for s in TIMINGS}
        empty = [k for k, v in subs.items() if v.size == 0]
        subs = {k: v for k, v in subs.items() if v.size}
        row = dict(table="table4", variable=label, groups=";".join(subs),
                   ns=";".join(str(v.size) for v in subs.values()),
                   n=int(sum(v.size for v in subs.values())), H=math.nan, df=max(len(subs) - 1, 0), p=math.nan,
                   method="", note=f"empty subgroups left out: {', '.join(empty)}" if empty else "")
        if len(subs) < 2:
            row["note"] = f"Kruskal-Wallis needs at least 2 non-empty subgroups (got {len(subs)})"
        else:
            r = stats.kruskal(*subs.values())
            row.update(H=r.statistic, p=r.p, method=r.method, note="; ".join(x for x in (row["note"], r.note) if x))
        rows.append(row)
    return pd.DataFrame(rows, columns=KRUSKAL_COLUMNS)
