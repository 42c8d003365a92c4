"""Effect sizes beside every two-group p-value of Tables 2-4, and the paper's tests adjusted for multiplicity.

For every Mann-Whitney comparison of Tables 2-4 (:data:`TESTS`; x = group 1 in Tables 2-3, x =
immediate TACE in Table 4, the same samples as the p-value):

- ``<test>.hl|hl_lower|hl_upper``: the Hodges-Lehmann shift x − y and its 95 % interval, R
  ``wilcox.test(x, y, conf.int = TRUE)`` (:func:`analysis.stats.shift.hodges_lehmann_two_sample`);
- ``<test>.rbc``: the rank-biserial correlation ``2 W / (n1 n2) − 1`` (positive when x tends to be
  larger; :func:`analysis.stats.shift.rank_biserial`).

The family of the paper's eight Mann-Whitney tests adjusted together:
``multiplicity.<test>.holm|bonferroni`` (R ``p.adjust``; tests whose p is undefined are left out of
the family, as ``p.adjust`` does with NA). :func:`multiplicity_table` says which conclusions survive
at ``params['alpha']``.

Examples
--------
>>> TESTS[0]
'table2.before'
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from analysis.study.tables import GROUPS, TIMINGS, _frame, _row, _values, gkey

if TYPE_CHECKING:
    import pandas as pd

    from analysis.data import Dataset

#: the paper's two-group tests (numbers.json prefixes of their ``.p`` keys), in table order
TESTS = ("table2.before", "table2.after", "table3.chemo", "table3.tace",
         "table4.group1.volume_change", "table4.group1.ttp", "table4.group2.volume_change", "table4.group2.ttp")


def samples(ds: Dataset, endpoints: pd.DataFrame | None = None) -> dict[str, tuple]:
    """``{test: (x, y, label)}``: the two samples behind each p-value of :data:`TESTS`.

    Parameters
    ----------
    ds : Dataset
        A validated dataset.
    endpoints : pandas.DataFrame, optional
        :func:`analysis.study.endpoints.per_patient` of ``ds`` if already computed.

    Returns
    -------
    dict
        Arrays without NaN, built exactly as :mod:`analysis.study.tables` builds them.

    References
    ----------
    .. [1] The paper's Tables 2-4 (Clinical Practice 2022;13(4), doi:10.17816/clinpract115017).

    Examples
    --------
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS as T
    >>> s = samples(load_dataset(T / "fixtures" / "mini"))
    >>> sorted(s) == sorted(TESTS)
    True
    """
    from analysis.study.endpoints import ttp_rows
    from analysis.study.tables import _pp, table4_sources

    pp = _pp(ds, endpoints)
    tr = ttp_rows(ds)
    out = {}

    def by_group(frame, col):
        return [_values(frame.loc[frame["group"] == g, col]) for g in GROUPS]

    for part, col in (("before", "v0"), ("after", "v1")):
        out[f"table2.{part}"] = (*by_group(pp, col), "group 1 − group 2")
    for part in ("chemo", "tace"):
        out[f"table3.{part}"] = (*by_group(tr[tr["setting"] == part], "ttp"), "group 1 − group 2")
    for part, (src, col) in table4_sources(ds, pp).items():
        for g in GROUPS:
            xs = [_values(src.loc[(src["group"] == g) & (src["tace_timing"] == s), col]) for s in TIMINGS]
            out[f"table4.{gkey(g)}.{part}"] = (*xs, "immediate − after chemotherapy")
    return {k: out[k] for k in TESTS}


def effect_rows(ds: Dataset, params: dict, endpoints: pd.DataFrame | None = None) -> pd.DataFrame:
    """Tidy rows ``<test>.hl|hl_lower|hl_upper|rbc`` for every test of :data:`TESTS`.

    Parameters
    ----------
    ds : Dataset
        A validated dataset.
    params : dict
        Analysis parameters: ``mwu_correct``.
    endpoints : pandas.DataFrame, optional
        :func:`analysis.study.endpoints.per_patient` of ``ds`` if already computed.

    Returns
    -------
    pandas.DataFrame
        Tidy rows (:data:`analysis.study.tables.TIDY_COLUMNS`).

    References
    ----------
    .. [1] Hodges JL, Lehmann EL. Ann Math Statist 1963;34:598-611; R ``wilcox.test(conf.int = TRUE)``.
    .. [2] Kerby DS. The simple difference formula. Compr Psychol 2014;3:11.IT.3.1 (rank-biserial).

    Examples
    --------
    >>> from analysis import params
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS as T
    >>> t = effect_rows(load_dataset(T / "fixtures" / "mini"), params.defaults()).set_index("key")
    >>> -1 <= float(t.loc["table2.before.rbc", "value"]) <= 1
    True
    """
    from analysis.stats.shift import rank_biserial
    from analysis.study.paired import shift_rows

    correct = bool(params.get("mwu_correct", True))
    rows = []
    for test, (x, y, label) in samples(ds, endpoints).items():
        table = test.split(".")[0]
        group = test.split(".")[1] if table == "table4" else ""
        shift = shift_rows(test, table, f"effect size: shift {label}", x, y, paired=False, correct=correct,
                           group=group)
        rows += [r for r in shift if r["statistic"] != "p"]  # the p-value is the table's own key
        rbc = rank_biserial(x, y) if len(x) and len(y) else math.nan
        rows.append(_row(f"{test}.rbc", table, f"rank-biserial correlation, {label}", "rbc", rbc, group=group,
                         note="" if len(x) and len(y) else "no values in one sample"))
    return _frame(rows)


def multiplicity_rows(ds: Dataset, params: dict, endpoints=None, tidy: pd.DataFrame | None = None) -> pd.DataFrame:
    """Tidy rows ``multiplicity.<test>.holm|bonferroni`` and ``multiplicity.n`` (size of the family).

    Parameters
    ----------
    ds : Dataset
        A validated dataset.
    params : dict
        Analysis parameters (those of the tables' p-values).
    endpoints : pandas.DataFrame, optional
        :func:`analysis.study.endpoints.per_patient` of ``ds`` if already computed.
    tidy : pandas.DataFrame, optional
        :func:`analysis.study.tables.all_tidy` if already computed (the unadjusted p-values).

    Returns
    -------
    pandas.DataFrame
        Tidy rows; an undefined p stays undefined and is not counted in the family (R ``p.adjust``).

    References
    ----------
    .. [1] Holm S. A simple sequentially rejective multiple test procedure. Scand J Stat 1979;6:65-70.
    .. [2] R Core Team. ``p.adjust(p, "holm")``, ``p.adjust(p, "bonferroni")``, R 4.2.

    Examples
    --------
    >>> from analysis import params
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS as T
    >>> t = multiplicity_rows(load_dataset(T / "fixtures" / "mini"), params.defaults()).set_index("key")
    >>> int(t.loc["multiplicity.n", "value"]) <= 8
    True
    """
    from analysis.stats.multiplicity import holm_bonferroni

    pv = _raw_p(ds, params, endpoints, tidy)
    adj = holm_bonferroni([pv[t] for t in TESTS])
    rows = [_row("multiplicity.n", "multiplicity", "tests in the family (defined p-values)", "n",
                 int(sum(not math.isnan(pv[t]) for t in TESTS)))]
    for i, t in enumerate(TESTS):
        for method in ("holm", "bonferroni"):
            v = adj[method][i]
            rows.append(_row(f"multiplicity.{t}.{method}", "multiplicity", f"{t}.p adjusted ({method})", method, v,
                             test=f"{method.capitalize()} adjustment of the {len(TESTS)} Mann-Whitney tests",
                             note="" if not math.isnan(v) else "the unadjusted p is undefined"))
    return _frame(rows)


def _raw_p(ds, params, endpoints, tidy) -> dict[str, float]:
    """``{test: unadjusted p}`` from the tables' tidy rows."""
    from analysis.study import tables

    if tidy is None:
        pp = tables._pp(ds, endpoints)
        tidy = _concat([tables.table2(ds, params, pp), tables.table3(ds, params, pp), tables.table4(ds, params, pp)])
    v = dict(zip(tidy["key"], tidy["value"]))
    return {t: float(v[f"{t}.p"]) for t in TESTS}


def _concat(frames):
    import pandas as pd

    return pd.concat(frames, ignore_index=True)


def effects_table(ds: Dataset, params: dict, endpoints=None, tidy: pd.DataFrame | None = None) -> pd.DataFrame:
    """effects.csv: one row per test of :data:`TESTS` with p, HL shift and CI, rank-biserial, adjusted p.

    Parameters
    ----------
    ds : Dataset
        A validated dataset.
    params : dict
        Analysis parameters (``alpha`` judges the conclusions).
    endpoints : pandas.DataFrame, optional
        :func:`analysis.study.endpoints.per_patient` of ``ds`` if already computed.
    tidy : pandas.DataFrame, optional
        Tidy rows holding the keys of Tables 2-4, :func:`effect_rows` and :func:`multiplicity_rows` of ``ds``
        and ``params`` (:func:`analysis.study.tables.all_tidy` with
        :func:`analysis.study.beyond.beyond_tidy`), if already computed.

    Returns
    -------
    pandas.DataFrame
        Columns ``test, comparison, n1, n2, p, hl, hl_lower, hl_upper, rbc, holm, bonferroni,
        significant, significant_holm, significant_bonferroni`` (unrounded).

    References
    ----------
    .. [1] R ``wilcox.test(conf.int = TRUE)``, ``p.adjust``, R 4.2.

    Examples
    --------
    >>> from analysis import params
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS as T
    >>> effects_table(load_dataset(T / "fixtures" / "mini"), params.defaults())["test"].tolist()[:2]
    ['table2.before', 'table2.after']
    """
    import pandas as pd

    from analysis.study import tables

    pp = tables._pp(ds, endpoints)
    if tidy is None:
        two_group = _concat([tables.table2(ds, params, pp), tables.table3(ds, params, pp),
                             tables.table4(ds, params, pp)])
        tidy = _concat([two_group, effect_rows(ds, params, pp), multiplicity_rows(ds, params, pp, tidy=two_group)])
    v = dict(zip(tidy["key"], tidy["value"]))
    alpha = float(params.get("alpha", 0.05))
    rows = []
    for t, (x, y, label) in samples(ds, pp).items():
        r = {"test": t, "comparison": label, "n1": len(x), "n2": len(y), "p": v[f"{t}.p"]}
        for s in ("hl", "hl_lower", "hl_upper", "rbc"):
            r[s] = v[f"{t}.{s}"]
        r["holm"], r["bonferroni"] = v[f"multiplicity.{t}.holm"], v[f"multiplicity.{t}.bonferroni"]
        for col, p in (("significant", r["p"]), ("significant_holm", r["holm"]),
                       ("significant_bonferroni", r["bonferroni"])):
            r[col] = None if math.isnan(p) else bool(p < alpha)
        rows.append(r)
    return pd.DataFrame(rows)


def multiplicity_table(ds: Dataset, params: dict, endpoints=None, effects: pd.DataFrame | None = None) -> pd.DataFrame:
    """multiplicity.csv: each test's p, Holm and Bonferroni p and whether its conclusion survives at alpha.

    Parameters
    ----------
    ds : Dataset
        A validated dataset.
    params : dict
        Analysis parameters (``alpha``).
    endpoints : pandas.DataFrame, optional
        :func:`analysis.study.endpoints.per_patient` of ``ds`` if already computed.
    effects : pandas.DataFrame, optional
        :func:`effects_table` of ``ds`` and ``params`` if already computed.

    Returns
    -------
    pandas.DataFrame
        Columns ``test, p, holm, bonferroni, conclusion, survives_holm, survives_bonferroni``:
        ``conclusion`` is "difference" (p < alpha) or "no difference"; it survives an adjustment
        when the adjusted p is on the same side of alpha.

    References
    ----------
    .. [1] Holm S. Scand J Stat 1979;6:65-70.

    Examples
    --------
    >>> from analysis import params
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS as T
    >>> multiplicity_table(load_dataset(T / "fixtures" / "mini"), params.defaults()).shape[0]
    8
    """
    e = effects_table(ds, params, endpoints) if effects is None else effects
    out = e[["test", "p", "holm", "bonferroni"]].copy()
    out["conclusion"] = [None if s is None else ("difference" if s else "no difference") for s in e["significant"]]
    for m in ("holm", "bonferroni"):
        out[f"survives_{m}"] = [None if (a is None or b is None) else a == b
                                for a, b in zip(e["significant"], e[f"significant_{m}"])]
    return out
