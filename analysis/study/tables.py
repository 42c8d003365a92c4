"""Tables 1-4 of the paper, the regression of ΔV on doubling time and the RECIST counts (tidy and display).

Every table comes in two forms:

- a **tidy** DataFrame, one row per statistic, with its numbers.json key (``key``; the list:
  ``REQUIRED_KEY_PATTERNS`` in :mod:`analysis.study.numbers`), the unrounded
  ``value``, and for p-values the test and p-value method that produced them (``test``,
  ``method``); ``note`` says why a value is undefined (NaN). :mod:`analysis.study.numbers` flattens these
  rows into numbers.json, so a number has exactly one definition.
- a **display** DataFrame (``*_display``): "Me [LQ; UQ]" strings, n (%) counts, the p-value and a
  column naming the test and method behind each p.

Conventions (README, "Statistics conventions")
----------------------------------------------
- Quartiles: :func:`analysis.stats.summary` with ``params['quantile_type']`` (R type 7 default);
  the median is R's ``median()``.
- Two groups: :func:`analysis.stats.mann_whitney` with ``params['mwu_method']`` and
  ``params['mwu_correct']`` (default: R's ``wilcox.test`` rule). Group 1 is ``x`` (Tables 2-3),
  "immediate" is ``x`` (Table 4); W is R's statistic for that order.
- Regression: :func:`analysis.stats.ols`, y = ΔV (cm³), x = Schwartz doubling time (days), the
  patients of the group with a finite doubling time. As R's ``lm``: with exactly 2 points the
  line through them (R² = 1, p undefined); with fewer, or a constant doubling time, undefined.
- Table 1: mean and SD (n − 1) of age; counts and percentages (of all patients) of every allowed
  category (zeros included); interval categories of the paper (below).

Table 1's level lists and interval categories: :mod:`analysis.study.categories`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from analysis.study.categories import (  # noqa: F401 -- Table 1 levels, re-exported
    DX_TO_METS, DX_TO_METS_LABELS, LIVER_DISTRIBUTIONS, METS_TO_TACE_LABELS, MONTH_DAYS, PRIMARY_SITES, SEXES,
    T_STAGES, YEAR_DAYS, dx_to_mets_category, mets_to_tace_category, table1_categories)

if TYPE_CHECKING:
    import pandas as pd

    from analysis.data import Dataset

GROUPS = (1, 2)
TIMINGS = ("immediate", "after_chemo")
RECIST_CATEGORIES = ("CR", "PR", "SD", "PD", "NE", "non-CR/non-PD")
#: the numbers.json spelling of a response category (non-CR/non-PD as the schema's ``non_cr_non_pd``)
RECIST_KEYS = {c: c for c in RECIST_CATEGORIES} | {"non-CR/non-PD": "non_cr_non_pd"}

TIDY_COLUMNS = ["key", "table", "variable", "level", "group", "timing", "statistic", "value", "test",
                "method", "note"]

SUMMARY_STATS = ("n", "median", "q1", "q3", "min", "max")


def gkey(group: int) -> str:
    """``1`` -> ``'group1'`` (the spelling of the numbers.json keys)."""
    return f"group{int(group)}"


# ---------------------------------------------------------------- helpers


def _row(key, table, variable, statistic, value, level="", group="", timing="", test="", method="", note=""):
    if value is None:
        value = math.nan
    return dict(key=key, table=table, variable=variable, level=level, group=group, timing=timing,
                statistic=statistic, value=value, test=test, method=method, note=note)


def _frame(rows):
    import pandas as pd

    return pd.DataFrame(rows, columns=TIDY_COLUMNS)


def _values(series):
    import numpy as np

    a = np.asarray(series, dtype=float)
    return a[~np.isnan(a)]


def _summary_rows(prefix, table, variable, values, params, group="", timing="", empty_note="no values",
                  unavailable=""):
    """Rows ``prefix.n|median|q1|q3|min|max``; all NaN (n too) with ``unavailable`` as note when given."""
    from analysis import stats

    s = stats.summary(values, type=int(params["quantile_type"]))
    rows = []
    for stat in SUMMARY_STATS:
        v = math.nan if unavailable else s[stat]
        note = unavailable or (empty_note if s["n"] == 0 and stat != "n" else "")
        rows.append(_row(f"{prefix}.{stat}", table, variable, stat, v, group=group, timing=timing, note=note))
    return rows


def _mwu_rows(prefix, table, variable, x, y, params, group="", timing="", what="groups", unavailable=""):
    """Rows ``prefix.p`` and ``prefix.W`` of a Mann-Whitney test (NaN with a note when impossible)."""
    from analysis import stats

    if unavailable or len(x) == 0 or len(y) == 0:
        note = unavailable or f"Mann-Whitney U needs values in both {what} (n = {len(x)} and {len(y)})"
        return [_row(f"{prefix}.p", table, variable, "p", math.nan, group=group, timing=timing,
                     test="Mann-Whitney U", note=note),
                _row(f"{prefix}.W", table, variable, "W", math.nan, group=group, timing=timing,
                     test="Mann-Whitney U", note=note)]
    r = stats.mann_whitney(x, y, method=params["mwu_method"], correct=bool(params["mwu_correct"]))
    note = r.note
    if math.isnan(r.p) and not note:
        note = "p undefined"
    return [_row(f"{prefix}.p", table, variable, "p", r.p, group=group, timing=timing, test=r.test,
                 method=r.method, note=note),
            _row(f"{prefix}.W", table, variable, "W", r.statistic, group=group, timing=timing, test=r.test,
                 method=r.method)]


def _pp(ds: Dataset, endpoints):
    """The per-patient endpoints: ``endpoints`` if given, else computed from ``ds``."""
    if endpoints is not None:
        return endpoints
    from analysis.study.endpoints import per_patient

    return per_patient(ds)


# ---------------------------------------------------------------- counts


def counts(ds: Dataset, params=None, endpoints=None):
    """Tidy rows ``n.patients``, ``n.tace``, ``n.<g>``, ``n.<g>.<s>``, ``n.<g>.repeat_tace``.

    ``n.<g>.repeat_tace`` counts the patients of the group with more than one TACE procedure.
    """
    p = ds.patients
    rows = [_row("n.patients", "n", "patients", "n", int(len(p))),
            _row("n.tace", "n", "tace", "n", int(len(ds.procedures)))]
    per_patient = ds.procedures.groupby("patient_id").size()
    repeaters = set(per_patient[per_patient > 1].index)
    for g in GROUPS:
        pg = p[p["group"] == g]
        rows.append(_row(f"n.{gkey(g)}", "n", "patients", "n", int(len(pg)), group=gkey(g)))
        rows.append(_row(f"n.{gkey(g)}.repeat_tace", "n", "patients with repeat TACE", "n",
                         int(pg["patient_id"].isin(repeaters).sum()), group=gkey(g)))
        for s in TIMINGS:
            rows.append(_row(f"n.{gkey(g)}.{s}", "n", "patients", "n", int((pg["tace_timing"] == s).sum()),
                             group=gkey(g), timing=s))
    return _frame(rows)


# ---------------------------------------------------------------- Table 1


def table1(ds: Dataset, params: dict | None = None, endpoints: pd.DataFrame | None = None) -> pd.DataFrame:
    """Table 1 (patient characteristics), tidy: age mean/SD/min/max and category counts and %.

    Counts are over all patients (as the paper's Table 1); percentages are of all patients.

    Parameters
    ----------
    ds : Dataset
        A validated dataset (:func:`analysis.data.load_dataset`).
    params : dict, optional
        Analysis parameters (unused here; the signature of every table).
    endpoints : pandas.DataFrame, optional
        Unused (the signature of every table).

    Returns
    -------
    pandas.DataFrame
        Tidy rows (:data:`TIDY_COLUMNS`): ``table1.age.n|mean|sd|min|max`` and
        ``table1.<variable>.<level>.n|percent`` for every allowed level (zeros included).

    References
    ----------
    .. [1] The paper's Methods and Tables (Clinical Practice 2022;13(4), doi:10.17816/clinpract115017), Table 1.
    .. [2] R Core Team. ``?mean``, ``?sd`` (denominator n - 1), R 4.2.2.

    Examples
    --------
    >>> from analysis import params
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> ds = load_dataset(TESTS / "fixtures" / "mini")
    >>> v = table1(ds).set_index("key")["value"]
    >>> float(v["table1.age.mean"]), int(v["table1.t_stage.T2.n"])  # ages sum to 705 over 12 patients
    (58.75, 4)
    """
    import numpy as np
    import pandas as pd

    p = ds.patients
    N = int(len(p))
    rows = []
    age = _values(p["age_at_tace"])
    n_age = int(age.size)
    rows.append(_row("table1.age.n", "table1", "age_at_tace", "n", n_age))
    rows.append(_row("table1.age.mean", "table1", "age_at_tace", "mean", float(np.mean(age)) if n_age else math.nan,
                     note="" if n_age else "no values"))
    rows.append(_row("table1.age.sd", "table1", "age_at_tace", "sd",
                     float(np.std(age, ddof=1)) if n_age > 1 else math.nan,
                     note="" if n_age > 1 else "SD needs at least 2 values"))
    rows.append(_row("table1.age.min", "table1", "age_at_tace", "min", float(age.min()) if n_age else math.nan,
                     note="" if n_age else "no values"))
    rows.append(_row("table1.age.max", "table1", "age_at_tace", "max", float(age.max()) if n_age else math.nan,
                     note="" if n_age else "no values"))

    def cat_rows(variable, levels, values):
        counts = pd.Series(values, dtype=object).value_counts()
        for lev in levels:
            k = int(counts.get(lev, 0))
            rows.append(_row(f"table1.{variable}.{lev}.n", "table1", variable, "n", k, level=lev))
            rows.append(_row(f"table1.{variable}.{lev}.percent", "table1", variable, "percent",
                             100.0 * k / N if N else math.nan, level=lev, note="" if N else "no patients"))

    cats = table1_categories(p)
    cat_rows("t_stage", T_STAGES, p["t_stage"].astype(str))
    cat_rows("primary_site", PRIMARY_SITES, p["primary_site"].astype(str))
    cat_rows("liver_distribution", LIVER_DISTRIBUTIONS, p["liver_distribution"].astype(str))
    cat_rows("extrahepatic_disease", ("true", "false"), cats["extrahepatic_disease"])
    cat_rows("primary_resected", ("true", "false"), cats["primary_resected"])
    cat_rows("sex", SEXES, cats["sex"])
    cat_rows("dx_to_liver_mets", tuple(DX_TO_METS_LABELS), cats["dx_to_liver_mets"])
    cat_rows("liver_mets_to_tace", tuple(METS_TO_TACE_LABELS), cats["liver_mets_to_tace"])
    return _frame(rows)


# ---------------------------------------------------------------- Tables 2-4


def _by_group(pp, column):
    """``{group: values of column}`` without NaN."""
    return {g: _values(pp.loc[pp["group"] == g, column]) for g in GROUPS}


def table2(ds: Dataset, params: dict, endpoints: pd.DataFrame | None = None) -> pd.DataFrame:
    """Table 2: tumour volume before (V0) and after (V1) TACE 1 per group; Mann-Whitney group 1 vs 2.

    Parameters
    ----------
    ds : Dataset
        A validated dataset (:func:`analysis.data.load_dataset`).
    params : dict
        Analysis parameters: ``quantile_type``, ``mwu_method``, ``mwu_correct``.
    endpoints : pandas.DataFrame, optional
        :func:`analysis.study.endpoints.per_patient` of ``ds`` if already computed.

    Returns
    -------
    pandas.DataFrame
        Tidy rows ``table2.<before|after>.<group>.n|median|q1|q3|min|max`` and
        ``table2.<before|after>.p|W`` (with test and p-value method).

    References
    ----------
    .. [1] The paper's Methods and Tables (Clinical Practice 2022;13(4), doi:10.17816/clinpract115017), Table 2.
    .. [2] R Core Team. ``?quantile`` (type 7), ``?wilcox.test``, R 4.2.2.

    Examples
    --------
    >>> from analysis import params
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> ds = load_dataset(TESTS / "fixtures" / "mini")
    >>> v = table2(ds, params.defaults()).set_index("key")["value"]
    >>> int(v["table2.before.group1.n"]), float(v["table2.before.group1.median"])
    (6, 261.3)
    """
    pp = _pp(ds, endpoints)
    rows = []
    for part, col, label in (("before", "v0", "tumour volume before TACE 1 (V0), cm3"),
                             ("after", "v1", "tumour volume after TACE 1 (V1), cm3")):
        vals = _by_group(pp, col)
        for g in GROUPS:
            rows += _summary_rows(f"table2.{part}.{gkey(g)}", "table2", label, vals[g], params, group=gkey(g))
        rows += _mwu_rows(f"table2.{part}", "table2", label, vals[1], vals[2], params)
    return _frame(rows)


def table3(ds: Dataset, params: dict, endpoints: pd.DataFrame | None = None) -> pd.DataFrame:
    """Table 3: time to progression after chemotherapy and after TACE per group.

    Summarised over all progression.csv rows of the setting (:func:`analysis.study.endpoints.ttp_rows`),
    censoring ignored, as the paper did.

    Parameters
    ----------
    ds : Dataset
        A validated dataset (:func:`analysis.data.load_dataset`).
    params : dict
        Analysis parameters: ``quantile_type``, ``mwu_method``, ``mwu_correct``.
    endpoints : pandas.DataFrame, optional
        Unused (TTP comes from progression.csv); the signature of every table.

    Returns
    -------
    pandas.DataFrame
        Tidy rows ``table3.<chemo|tace>.<group>.n|median|q1|q3|min|max`` and
        ``table3.<chemo|tace>.p|W``.

    References
    ----------
    .. [1] The paper's Methods and Tables (Clinical Practice 2022;13(4), doi:10.17816/clinpract115017), Table 3.
    .. [2] R Core Team. ``?quantile`` (type 7), ``?wilcox.test``, R 4.2.2.

    Examples
    --------
    >>> from analysis import params
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> ds = load_dataset(TESTS / "fixtures" / "mini")
    >>> v = table3(ds, params.defaults()).set_index("key")["value"]
    >>> int(v["table3.chemo.group1.n"]), float(v["table3.chemo.group1.median"])
    (3, 203.0)
    """
    from analysis.study.endpoints import NO_PROGRESSION_FILE, has_progression, ttp_rows

    tr = ttp_rows(ds)
    na = "" if has_progression(ds) else NO_PROGRESSION_FILE
    rows = []
    for part, label in (("chemo", "time to progression after chemotherapy, days"),
                        ("tace", "time to progression after TACE, days")):
        vals = _by_group(tr[tr["setting"] == part], "ttp")
        for g in GROUPS:
            rows += _summary_rows(f"table3.{part}.{gkey(g)}", "table3", label, vals[g], params, group=gkey(g),
                                  unavailable=na)
        rows += _mwu_rows(f"table3.{part}", "table3", label, vals[1], vals[2], params, unavailable=na)
    return _frame(rows)


def table4_sources(ds: Dataset, pp: pd.DataFrame) -> dict:
    """``{part: (frame, column)}`` of the Table 4 variables: ΔV per patient, TTP per TACE row of progression.csv."""
    from analysis.study.endpoints import ttp_rows

    tr = ttp_rows(ds)
    return {"volume_change": (pp, "volume_change"), "ttp": (tr[tr["setting"] == "tace"], "ttp")}


def table4(ds: Dataset, params: dict, endpoints: pd.DataFrame | None = None) -> pd.DataFrame:
    """Table 4: ΔV and TTP after TACE per group × timing; Mann-Whitney immediate vs after_chemo per group.

    Parameters
    ----------
    ds : Dataset
        A validated dataset (:func:`analysis.data.load_dataset`).
    params : dict
        Analysis parameters: ``quantile_type``, ``mwu_method``, ``mwu_correct``.
    endpoints : pandas.DataFrame, optional
        :func:`analysis.study.endpoints.per_patient` of ``ds`` if already computed.

    Returns
    -------
    pandas.DataFrame
        Tidy rows ``table4.<group>.<timing>.<volume_change|ttp>.n|median|q1|q3|min|max`` and
        ``table4.<group>.<volume_change|ttp>.p|W`` (immediate is ``x``).

    References
    ----------
    .. [1] The paper's Methods and Tables (Clinical Practice 2022;13(4), doi:10.17816/clinpract115017), Table 4.
    .. [2] R Core Team. ``?quantile`` (type 7), ``?wilcox.test``, R 4.2.2.

    Examples
    --------
    >>> from analysis import params
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> ds = load_dataset(TESTS / "fixtures" / "mini")
    >>> v = table4(ds, params.defaults()).set_index("key")["value"]
    >>> round(float(v["table4.group1.immediate.volume_change.median"]), 6)  # S01-S03: -43.5, -7.4, -30.3
    -30.3
    """
    from analysis.study.endpoints import NO_PROGRESSION_FILE, has_progression

    sources = table4_sources(ds, _pp(ds, endpoints))
    rows = []
    for part, label in (("volume_change", "volume change V1 - V0, cm3"),
                        ("ttp", "time to progression after TACE, days")):
        src, col = sources[part]
        na = NO_PROGRESSION_FILE if part == "ttp" and not has_progression(ds) else ""
        for g in GROUPS:
            vals = {}
            for s in TIMINGS:
                vals[s] = _values(src.loc[(src["group"] == g) & (src["tace_timing"] == s), col])
                rows += _summary_rows(f"table4.{gkey(g)}.{s}.{part}", "table4", label, vals[s], params,
                                      group=gkey(g), timing=s, unavailable=na)
            rows += _mwu_rows(f"table4.{gkey(g)}.{part}", "table4", label, vals["immediate"], vals["after_chemo"],
                              params, group=gkey(g), what="timings", unavailable=na)
    return _frame(rows)


def regression(ds: Dataset, params=None, endpoints=None):
    """ΔV regressed on the doubling time per group (finite DT only): r2, slope, intercept, p, n.

    Also ``doubling_time.<g>.undefined.n``: the group's patients whose doubling time is undefined
    (V1 = V0, a zero volume, no interval, a missing exam) and who are therefore not in the fit.
    """
    import numpy as np

    from analysis import stats

    pp = _pp(ds, endpoints)
    rows = []
    label = "volume change (cm3) ~ doubling time (days)"
    for g in GROUPS:
        sub = pp[(pp["group"] == g)]
        x = np.asarray(sub["doubling_time"], dtype=float)
        y = np.asarray(sub["volume_change"], dtype=float)
        ok = np.isfinite(x) & np.isfinite(y)
        x, y = x[ok], y[ok]
        n = int(x.size)
        prefix = f"regression.{gkey(g)}"
        test = "OLS linear regression (slope t-test)"
        if n == 2 and x[0] != x[1]:
            # R's lm() on two points: the line through them, R² = 1, no residual degrees of freedom
            # (summary() gives p = NaN); stats.ols needs >= 3 points for its p-value
            slope = (y[1] - y[0]) / (x[1] - x[0])
            vals = dict(r2=1.0, slope=float(slope), intercept=float(y[0] - slope * x[0]), p=math.nan)
            note, method = "2 points: exact fit, no residual degrees of freedom for a p-value", "t-test"
        else:
            try:
                r = stats.ols(x, y)
                vals, note, method = dict(r2=r.r2, slope=r.slope, intercept=r.intercept, p=r.p), "", r.method
            except ValueError as exc:
                vals = dict(r2=math.nan, slope=math.nan, intercept=math.nan, p=math.nan)
                note, method = (f"fewer than 2 patients with a finite doubling time (n = {n})" if n < 2
                                else f"not estimable: {exc}"), "t-test"
        for stat in ("r2", "slope", "intercept", "p"):
            rows.append(_row(f"{prefix}.{stat}", "regression", label, stat, vals[stat], group=gkey(g),
                             test=test if stat == "p" else "", method=method if stat == "p" else "",
                             note=note if math.isnan(vals[stat]) else ""))
        rows.append(_row(f"{prefix}.n", "regression", label, "n", n, group=gkey(g)))
        # patients left out because their doubling time is undefined (reasons: per_patient / _meta)
        n_undef = int(np.isnan(np.asarray(sub["doubling_time"], dtype=float)).sum())
        rows.append(_row(f"doubling_time.{gkey(g)}.undefined.n", "regression", "doubling time undefined", "n",
                         n_undef, group=gkey(g)))
    return _frame(rows)


def recist_counts(ds: Dataset, params=None, endpoints=None):
    """Response at the first follow-up per group: ``recist.<g>.<c>.n`` (c = CR, PR, SD, PD, NE, non_cr_non_pd),
    ``recist.<g>.n`` = patients with a V0 and a V1 exam (the others: :func:`analysis.study.exclusions.exclusions`);
    the options in the same style: ``volumetric.<g>.*`` and ``mrecist.<g>.*``."""
    pp = _pp(ds, endpoints)
    rows = []
    for prefix, col, label in (("recist", "response", "response at first follow-up (RECIST 1.1)"),
                               ("volumetric", "volumetric_response", "volumetric response at first follow-up"),
                               ("mrecist", "mrecist_response", "response at first follow-up (mRECIST)")):
        for g in GROUPS:
            resp = pp.loc[pp["group"] == g, col]
            rows.append(_row(f"{prefix}.{gkey(g)}.n", "recist", label, "n", int(resp.isin(RECIST_CATEGORIES).sum()),
                             group=gkey(g)))
            rows += [_row(f"{prefix}.{gkey(g)}.{RECIST_KEYS[c]}.n", "recist", label, "n", int((resp == c).sum()),
                          level=c, group=gkey(g)) for c in RECIST_CATEGORIES]
    return _frame(rows)


def all_tidy(ds: Dataset, params, endpoints=None):
    """Every tidy table in one frame (counts, Tables 1-4, regression, RECIST counts)."""
    import pandas as pd

    pp = _pp(ds, endpoints)
    parts = [f(ds, params, endpoints=pp) for f in (counts, table1, table2, table3, table4, regression, recist_counts)]
    return pd.concat(parts, ignore_index=True)


# ---------------------------------------------------------------- display forms


def _fmt_p(p, decimals=3):
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "NA"
    if p < 0.001:
        return "< 0.001"
    return f"{p:.{max(decimals, 3)}f}"


def _me(tidy, prefix, decimals):
    from analysis import stats

    v = {r["statistic"]: r["value"] for r in tidy[tidy["key"].str.startswith(prefix + ".")].to_dict("records")}
    return stats.format_me_iqr({"median": v["median"], "q1": v["q1"], "q3": v["q3"]}, decimals=int(decimals))


def _test_text(row):
    return f"{row['test']} ({row['method']})" if row["method"] else row["test"]


def _two_group_display(tidy, table, parts, decimals):
    import pandas as pd

    out = []
    for part, label in parts:
        prow = tidy[tidy["key"] == f"{table}.{part}.p"].iloc[0]
        na = _not_available(prow)
        n = [_n_text(tidy, f"{table}.{part}.{gkey(g)}.n") for g in GROUPS]
        out.append({"index": label,
                    "Group 1, Me [LQ; UQ]": na or _me(tidy, f"{table}.{part}.group1", decimals),
                    "Group 2, Me [LQ; UQ]": na or _me(tidy, f"{table}.{part}.group2", decimals),
                    "n (group 1 / group 2)": " / ".join(n),
                    "p": na or _fmt_p(prow["value"]),
                    "test (p-value method)": prow["note"] if na else _test_text(prow)})
    return pd.DataFrame(out)


def _not_available(row) -> str:
    """``'not available'`` when a tidy row's note says its inputs are all missing, else ``''``."""
    return "not available" if str(row["note"]).startswith("not available") else ""


def _n_text(tidy, key) -> str:
    """The count of a ``.n`` key as text (``'NA'`` when not available)."""
    v = float(tidy.loc[tidy["key"] == key, "value"].iloc[0])
    return "NA" if math.isnan(v) else str(int(v))


def _rows_of(tidy, table: str):
    """One table's rows of ``tidy`` (the ``*_display`` functions' argument: :func:`all_tidy`, if computed)."""
    return tidy[tidy["table"] == table].reset_index(drop=True)


def table1_display(ds: Dataset, params, endpoints=None, tidy=None):
    """Table 1 for reading: age as mean ± SD (min-max), categories as n (%), over all patients."""
    import pandas as pd

    t = table1(ds, params) if tidy is None else _rows_of(tidy, "table1")
    d = int(params.get("decimals", 2)) if params else 2
    v = dict(zip(t["key"], t["value"]))
    out = [{"characteristic": "age at TACE, years", "level": f"mean ± SD (min-max), n = {int(v['table1.age.n'])}",
            "value": f"{v['table1.age.mean']:.{d}f} ± {v['table1.age.sd']:.{d}f} "
                     f"({v['table1.age.min']:g}-{v['table1.age.max']:g})"}]
    labels = {"dx_to_liver_mets": DX_TO_METS_LABELS, "liver_mets_to_tace": METS_TO_TACE_LABELS}
    for r in t[t["statistic"] == "n"].to_dict("records"):
        if r["variable"] == "age_at_tace":
            continue
        pct = v[r["key"][: -len(".n")] + ".percent"]
        out.append({"characteristic": r["variable"].replace("_", " "),
                    "level": labels.get(r["variable"], {}).get(r["level"], r["level"]),
                    "value": f"{int(r['value'])} ({pct:.{min(d, 1)}f}%)"})
    return pd.DataFrame(out)


def table2_display(ds: Dataset, params, endpoints=None, tidy=None):
    """Table 2 for reading: V0 and V1 per group as "Me [LQ; UQ]", p and the test behind it."""
    t = table2(ds, params, endpoints) if tidy is None else _rows_of(tidy, "table2")
    return _two_group_display(t, "table2",
                              [("before", "tumour volume before TACE 1, cm3"),
                               ("after", "tumour volume after TACE 1, cm3")], params["decimals"])


def table3_display(ds: Dataset, params, endpoints=None, tidy=None):
    """Table 3 for reading: TTP after chemotherapy and after TACE per group, p and test."""
    t = table3(ds, params, endpoints) if tidy is None else _rows_of(tidy, "table3")
    return _two_group_display(t, "table3",
                              [("chemo", "time to progression after chemotherapy, days"),
                               ("tace", "time to progression after TACE, days")], params["decimals"])


def table4_display(ds: Dataset, params, endpoints=None, tidy=None):
    """Table 4 for reading: ΔV and TTP per group × timing, p (immediate vs after chemo) and test per group."""
    import pandas as pd

    t = table4(ds, params, endpoints) if tidy is None else _rows_of(tidy, "table4")
    d = params["decimals"]
    out = []
    for part, label in (("volume_change", "volume change V1 - V0, cm3, Me [LQ; UQ]"),
                        ("ttp", "time to progression after TACE, days, Me [LQ; UQ]")):
        row = {"index": label}
        na = _not_available(t[t["key"] == f"table4.group1.{part}.p"].iloc[0])
        for g in GROUPS:
            for s in TIMINGS:
                row[f"Group {g}, TACE {s.replace('_', ' ')}"] = na or _me(t, f"table4.{gkey(g)}.{s}.{part}", d)
        for g in GROUPS:
            row[f"n, group {g} (immediate / after chemo)"] = " / ".join(
                _n_text(t, f"table4.{gkey(g)}.{s}.{part}.n") for s in TIMINGS)
        for g in GROUPS:
            prow = t[t["key"] == f"table4.{gkey(g)}.{part}.p"].iloc[0]
            row[f"p, group {g}"] = na or _fmt_p(prow["value"])
            row[f"test, group {g} (p-value method)"] = prow["note"] if na else _test_text(prow)
        out.append(row)
    return pd.DataFrame(out)


def recist_display(ds: Dataset, params=None, endpoints=None):
    """RECIST 1.1 response at the first follow-up for reading: n (%) per group (% of the group's patients)."""
    import pandas as pd

    t = recist_counts(ds, params, endpoints)
    v = dict(zip(t["key"], t["value"]))
    totals = {g: sum(int(v[f"recist.{gkey(g)}.{RECIST_KEYS[c]}.n"]) for c in RECIST_CATEGORIES)
              for g in GROUPS}
    out = []
    for c in RECIST_CATEGORIES:
        row = {"response": c}
        for g in GROUPS:
            k = int(v[f"recist.{gkey(g)}.{RECIST_KEYS[c]}.n"])
            row[f"Group {g}, n (%)"] = f"{k} ({100.0 * k / totals[g]:.0f}%)" if totals[g] else "0"
        out.append(row)
    out.append({"response": "n (patients with V0 and V1 exams)",
                **{f"Group {g}, n (%)": str(int(v[f"recist.{gkey(g)}.n"])) for g in GROUPS}})
    return pd.DataFrame(out)
