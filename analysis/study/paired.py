"""Paired comparisons the paper did not test: TTP after TACE vs after chemotherapy, V1 vs V0.

The paper's headline claim ("time to progression increased 2.5-3 times after TACE") compares two
durations measured in the same patients; here it is tested as a paired comparison. Each patient
with both a ``chemo`` and a ``tace`` row of progression.csv gives one pair (TTP after TACE, TTP
after chemotherapy), durations as in Table 3 (censoring ignored, as the paper did; the censored
view is :mod:`analysis.study.survival`). Tumour volume: V1 vs V0 of
:func:`analysis.study.endpoints.per_patient`, patients with both volumes.

Per group g (``all``, ``group1``, ``group2``), numbers.json keys:

- ``paired.ttp.<g>.p|hl|hl_lower|hl_upper|n``: R ``wilcox.test(tace, chemo, paired = TRUE,
  conf.int = TRUE)`` (:func:`analysis.stats.shift.wilcoxon_paired_ci`): p-value, Hodges-Lehmann
  pseudomedian of the differences TACE − chemotherapy (days) and its interval as R reports it;
  ``n`` = pairs (zero differences included; R drops them from the test);
- ``paired.ttp.<g>.ratio_median|ratio_lower|ratio_upper``: median(TTP after TACE) / median(TTP
  after chemotherapy) over the pairs, with a percentile bootstrap interval (resampling pairs,
  ``params['n_boot']`` or 10,000 resamples, seed ``params['seed']``);
- ``paired.volume.<g>.p|hl|hl_lower|hl_upper|n``: the same test of V1 vs V0 (cm³, V1 − V0).

Examples
--------
>>> from analysis import params
>>> from analysis.data import load_dataset
>>> from analysis.paths import TESTS
>>> pairs = ttp_pairs(load_dataset(TESTS / "fixtures" / "mini"))
>>> list(pairs.columns)
['patient_id', 'group', 'ttp_chemo', 'ttp_tace', 'chemo_progressed', 'tace_progressed']
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from analysis.study.tables import _frame, _row

if TYPE_CHECKING:
    import pandas as pd

    from analysis.data import Dataset

#: groups of the paired keys: everyone, then each group
PAIRED_GROUPS = ("all", "group1", "group2")
N_BOOT = 10000
SHIFT_STATS = ("p", "hl", "hl_lower", "hl_upper")


def ttp_pairs(ds: Dataset) -> pd.DataFrame:
    """One row per patient with both a ``chemo`` and a ``tace`` row of progression.csv.

    Parameters
    ----------
    ds : Dataset
        A validated dataset (:func:`analysis.data.load_dataset`).

    Returns
    -------
    pandas.DataFrame
        ``patient_id, group, ttp_chemo, ttp_tace, chemo_progressed, tace_progressed`` in the order
        of patients.csv; TTP = ``end_day - start_day`` (:func:`analysis.study.endpoints.ttp_rows`).

    References
    ----------
    .. [1] The paper's Methods (Clinical Practice 2022;13(4), doi:10.17816/clinpract115017): time to
       progression after chemotherapy and after TACE.

    Examples
    --------
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> p = ttp_pairs(load_dataset(TESTS / "fixtures" / "mini"))
    >>> bool((p["ttp_tace"] >= 0).all())
    True
    """
    import pandas as pd

    from analysis.study.endpoints import ttp_rows

    tr = ttp_rows(ds).drop_duplicates(["patient_id", "setting"], keep="first")  # unique when validated
    out = ds.patients[["patient_id", "group"]].reset_index(drop=True)
    out["group"] = out["group"].astype("int64")
    for setting in ("chemo", "tace"):
        rows = tr[tr["setting"] == setting]
        rows = pd.DataFrame({"patient_id": rows["patient_id"].to_numpy(),
                             f"ttp_{setting}": rows["ttp"].to_numpy(dtype=float),
                             f"{setting}_progressed": rows["progressed"].astype(object).to_numpy()})
        out = out.merge(rows, on="patient_id", how="inner", sort=False)
    columns = ["patient_id", "group", "ttp_chemo", "ttp_tace", "chemo_progressed", "tace_progressed"]
    if len(out) == 0:
        return pd.DataFrame([], columns=columns)
    for c in ("chemo_progressed", "tace_progressed"):  # bool, or object when a flag is missing
        out[c] = pd.Series(_flags(out[c].to_numpy(dtype=object)), dtype=object).infer_objects()
    return out[columns].reset_index(drop=True)


def _flags(values):
    """Progression flags as Python ``bool``, None where missing (an object array)."""
    import numpy as np
    import pandas as pd

    missing = pd.isna(values)
    flags = np.zeros(values.size, dtype=bool)
    flags[~missing] = values[~missing].astype(bool)
    out = flags.astype(object)
    out[missing] = None
    return out


def _subset(frame, g: str):
    return frame if g == "all" else frame[frame["group"] == int(g[-1])]


def shift_rows(prefix: str, table: str, variable: str, x, y, paired: bool, correct: bool = True,
               group: str = "", timing: str = "") -> list[dict]:
    """Tidy rows ``prefix.p|hl|hl_lower|hl_upper`` of R ``wilcox.test(x, y, conf.int = TRUE)``.

    Parameters
    ----------
    prefix, table, variable : str
        Key prefix and labels of the rows.
    x, y : array_like
        The samples (paired: same length; the shift is x − y).
    paired : bool
        Signed-rank test of the pairs, or rank-sum test of two samples.
    correct : bool, default True
        Continuity correction (R's default).
    group, timing : str
        Labels of the rows.

    Returns
    -------
    list of dict
        Four rows (values NaN with a note when R cannot compute them).

    References
    ----------
    .. [1] R Core Team. ``wilcox.test(conf.int = TRUE)``, R 4.2.

    Examples
    --------
    >>> [r["value"] for r in shift_rows("x", "t", "v", [3, 4, 5], [1, 2], paired=False)]
    [0.2, 2.5, 1.0, 4.0]
    """
    from analysis.stats.shift import hodges_lehmann_two_sample, wilcoxon_paired_ci

    test = "Wilcoxon signed rank" if paired else "Wilcoxon rank sum (Mann-Whitney U)"
    vals = dict.fromkeys(SHIFT_STATS, math.nan)
    note, method = "", ""
    if len(x) == 0 or len(y) == 0:
        note = f"no values (n = {len(x)} and {len(y)})"
    else:
        try:
            r = (wilcoxon_paired_ci(x, y, correct=correct) if paired
                 else hodges_lehmann_two_sample(x, y, correct=correct))
            vals = dict(p=r.p, hl=r.estimate, hl_lower=r.lower, hl_upper=r.upper)
            note, method = r.note, r.method
        except ValueError as exc:  # R stops: every value tied
            note = str(exc)
            if not paired:
                from analysis.stats import mann_whitney

                vals["p"] = mann_whitney(x, y, correct=correct).p
    out = []
    for stat in SHIFT_STATS:
        v = vals[stat]
        out.append(_row(f"{prefix}.{stat}", table, variable, stat, v, group=group, timing=timing,
                        test=test if stat == "p" else "", method=method if stat == "p" else "",
                        note=(note or "not computable") if (isinstance(v, float) and math.isnan(v)) else ""))
    return out


def _bootstrap_ratios(samples: dict, n_boot: int, seed: int) -> dict:
    """:func:`analysis.stats.shift.bootstrap_ratio_of_medians` of each group's pairs, the groups side by side in
    threads (numpy draws and counts without holding the interpreter lock: at 34,000 patients the three
    bootstraps take half the time on 2 cores). Each has its own generator, so the results are those of
    computing them one after the other."""
    from concurrent.futures import ThreadPoolExecutor

    from analysis.stats.shift import bootstrap_ratio_of_medians  # computed once per process for the same pairs

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {g: pool.submit(bootstrap_ratio_of_medians, x, y, n_boot=n_boot, seed=seed)
                   for g, (x, y) in samples.items()}
    return {g: f.result() for g, f in futures.items()}


def paired_rows(ds: Dataset, params: dict, endpoints: pd.DataFrame | None = None) -> pd.DataFrame:
    """Tidy rows of every ``paired.*`` key (module docstring).

    Parameters
    ----------
    ds : Dataset
        A validated dataset.
    params : dict
        Analysis parameters: ``seed`` (bootstrap), ``mwu_correct`` (continuity correction).
    endpoints : pandas.DataFrame, optional
        :func:`analysis.study.endpoints.per_patient` of ``ds`` if already computed.

    Returns
    -------
    pandas.DataFrame
        Tidy rows (:data:`analysis.study.tables.TIDY_COLUMNS`).

    References
    ----------
    .. [1] R Core Team. ``wilcox.test(x, y, paired = TRUE, conf.int = TRUE)``, R 4.2.
    .. [2] Efron B, Tibshirani RJ. An Introduction to the Bootstrap. Chapman & Hall 1993, ch. 13.

    Examples
    --------
    >>> from analysis import params
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> t = paired_rows(load_dataset(TESTS / "fixtures" / "mini"), params.defaults()).set_index("key")
    >>> int(t.loc["paired.volume.all.n", "value"])
    12
    """
    import numpy as np

    from analysis.study.tables import _pp

    correct = bool(params.get("mwu_correct", True))
    seed = int(params.get("seed", 20221027))
    n_boot = int(params.get("n_boot", N_BOOT))
    pairs = ttp_pairs(ds)
    pp = _pp(ds, endpoints)
    vol = pp[np.isfinite(pp["v0"].astype(float)) & np.isfinite(pp["v1"].astype(float))]
    subsets = {g: _subset(pairs, g) for g in PAIRED_GROUPS}
    ratios = _bootstrap_ratios({g: (sub["ttp_tace"].to_numpy(float), sub["ttp_chemo"].to_numpy(float))
                                for g, sub in subsets.items() if len(sub)}, n_boot, seed)
    rows = []
    for g, sub in subsets.items():
        x, y = sub["ttp_tace"].to_numpy(float), sub["ttp_chemo"].to_numpy(float)
        label = "TTP after TACE vs after chemotherapy (paired), days"
        rows += shift_rows(f"paired.ttp.{g}", "paired", label, x, y, paired=True, correct=correct, group=g)
        rows.append(_row(f"paired.ttp.{g}.n", "paired", label, "n", int(len(sub)), group=g))
        ratio = ratios.get(g, dict(ratio=math.nan, lower=math.nan, upper=math.nan))
        note = "no pairs"
        if len(sub):
            note = "median TTP after chemotherapy is 0" if math.isnan(ratio["ratio"]) else ""
        for stat, k in (("ratio_median", "ratio"), ("ratio_lower", "lower"), ("ratio_upper", "upper")):
            v = ratio[k]
            rows.append(_row(f"paired.ttp.{g}.{stat}", "paired", label, stat, v, group=g,
                             test="" if stat == "ratio_median" else f"percentile bootstrap, {n_boot} resamples",
                             note=(note or "no finite bootstrap ratio") if math.isnan(v) else ""))
        vs = _subset(vol, g)
        label = "tumour volume V1 vs V0 (paired), cm3"
        rows += shift_rows(f"paired.volume.{g}", "paired", label, vs["v1"].to_numpy(float),
                           vs["v0"].to_numpy(float), paired=True, correct=correct, group=g)
        rows.append(_row(f"paired.volume.{g}.n", "paired", label, "n", int(len(vs)), group=g))
    return _frame(rows)

