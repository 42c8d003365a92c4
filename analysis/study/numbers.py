"""Every number of the analysis in one flat dict -> numbers.json (the keys: :data:`REQUIRED_KEY_PATTERNS`).

:func:`compute_numbers` flattens the tidy tables of :mod:`analysis.study.tables` (so each number has one
definition) into ``{key: value}`` with the keys of :data:`REQUIRED_KEY_PATTERNS` (and more in the same
style), unrounded floats and integer counts,
plus ``_meta``:

- ``dataset``, ``is_synthetic``, ``sha256`` (file name -> digest of the input bytes);
- ``parameters`` (the analysis parameters, without the input/output folders);
- ``versions`` (python, numpy, pandas, scipy, statsmodels: the libraries that compute the numbers);
- ``tests``: for every p-value key, the test, the p-value method and R's method text;
- ``undefined``: for every key whose value is null, why it cannot be computed;
- ``not_available``: ``{analysis: why}`` for the analyses whose inputs are all missing (no
  progression.csv: Table 3, Table 4's TTP, Kaplan-Meier); their keys are null (``n`` too);
- ``conventions``: the R conventions followed.

:func:`write_numbers` writes JSON with sorted keys, 2-space indent and no NaN (null instead),
atomically (temporary file + rename), byte-identical on rerun.

Examples
--------
>>> print(dumps({"table2.before.p": 0.5, "n.patients": 12, "regression.group1.r2": None}), end="")
{
  "n.patients": 12,
  "regression.group1.r2": null,
  "table2.before.p": 0.5
}

Typical use (``python -m analysis numbers --data DIR --out FILE.json`` does exactly this)::

    from analysis import params
    from analysis.data import load_dataset
    nums = compute_numbers(load_dataset("tests/fixtures/mini"), params.defaults())
    write_numbers(nums, "reports/numbers.json")
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from analysis.data import Dataset

#: the keys numbers.json must hold (g = group1/group2, s = immediate/after_chemo); more keys are added
REQUIRED_KEY_PATTERNS = (
    "n.patients", "n.tace", "n.<g>", "n.<g>.<s>",
    "table1.age.mean", "table1.age.sd", "table1.age.min", "table1.age.max",
    "table1.t_stage.<T>.n", "table1.primary_site.<site>.n",
    "table2.before.<g>.median|q1|q3", "table2.before.p", "table2.after.<g>.median|q1|q3", "table2.after.p",
    "table3.chemo.<g>.median|q1|q3", "table3.chemo.p", "table3.tace.<g>.median|q1|q3", "table3.tace.p",
    "table4.<g>.<s>.volume_change.median|q1|q3", "table4.<g>.<s>.ttp.median|q1|q3",
    "table4.<g>.volume_change.p", "table4.<g>.ttp.p",
    "regression.<g>.r2|slope|intercept|p|n", "recist.<g>.CR|PR|SD|PD.n",
    # beyond the paper (issue 14; a = all, group1, group2; k = chemo, tace)
    "paired.ttp.<a>.p|hl|hl_lower|hl_upper|n|ratio_median|ratio_lower|ratio_upper",
    "paired.volume.<a>.p|hl|hl_lower|hl_upper|n",
    "km.<k>.<a>.median|median_lower|median_upper|n", "km.<k>.<a>.events.n", "km.<k>.logrank.p",
    "<table2-4 test>.hl|hl_lower|hl_upper|rbc", "multiplicity.<table2-4 test>.holm|bonferroni", "multiplicity.n",
    "agreement.recist_volumetric.kappa|lower|upper|n",
)

CONVENTIONS = {
    "quantiles": "R quantile(x, c(0.25, 0.75), type = quantile_type) (default type 7); median = R median()",
    "mann_whitney": "R wilcox.test(x, y) defaults: exact p when both groups have < 50 values and no ties, "
                    "else normal approximation with tie correction and continuity correction (mwu_correct); "
                    "x = group 1 (tables 2-3) or immediate TACE (table 4); W as R reports it",
    "regression": "R lm(volume_change ~ doubling_time) per group, patients with a finite doubling time; "
                  "p = t-test of the slope; needs a non-constant doubling time and >= 2 patients "
                  "(>= 3 for p)",
    "sd": "R sd(): denominator n - 1",
    "ttp": "end_day - start_day of every progression row of the setting, censoring ignored (as the paper)",
    "recist": "RECIST 1.1 at the first follow-up (V1 exam) from the sums of target diameters; "
              "baseline = nadir = V0 exam; thresholds compared unrounded",
    "percent": "100 * n / number of patients",
    "missing": "complete cases per analysis: each summary uses the patients (rows) that have its inputs and "
               "carries that n; who is left out of which analysis, and why: tables/exclusions.csv",
    "paired": "R wilcox.test(x, y, paired = TRUE, conf.int = TRUE): x = TTP after TACE, y = TTP after "
              "chemotherapy (patients with both rows), or x = V1, y = V0; hl = R's (pseudo)median estimate; "
              "ratio of medians with a percentile bootstrap of the pairs (numpy PCG64, seed = params seed)",
    "km": "R print(survfit(Surv(ttp, progressed) ~ 1)): median and 0.95LCL/UCL with conf.type log; "
          "null = not reached; log-rank = survdiff(Surv(ttp, progressed) ~ group)",
    "effects": "hl = R wilcox.test(x, y, conf.int = TRUE)$estimate (x - y, the samples of the table's p); "
               "rbc = 2 W / (n1 n2) - 1",
    "multiplicity": "R p.adjust(p, 'holm' | 'bonferroni') over the 8 Mann-Whitney p of Tables 2-4 (NA left out)",
    "agreement": "unweighted Cohen's kappa of RECIST 1.1 and volumetric response at the first follow-up "
                 "(patients not NE by both), Wald interval with the Fleiss-Cohen-Everitt (1969) SE",
}

#: the analyses whose inputs are all in progression.csv (``_meta.not_available`` names them when it is absent)
NOT_AVAILABLE_WITHOUT_PROGRESSION = ("table3", "table4.ttp", "kaplan_meier")

VERSION_PACKAGES = ("numpy", "pandas", "scipy", "statsmodels")  # pingouin and lifelines: test cross-checks only


def _versions() -> dict[str, str]:
    import importlib.metadata as md
    import platform

    out = {"python": platform.python_version()}
    for name in VERSION_PACKAGES:
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _clean(value, key: str):
    """int for counts, float for the rest, None for NaN/inf (JSON null)."""
    import numpy as np

    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    v = float(value)
    if not math.isfinite(v):
        return None
    if key.endswith(".n") or key.startswith("n."):
        return int(v)
    return v


def compute_numbers(ds: Dataset, params: dict, endpoints: pd.DataFrame | None = None,
                    tidy: pd.DataFrame | None = None, beyond: pd.DataFrame | None = None) -> dict:
    """All numbers of numbers.json (:data:`REQUIRED_KEY_PATTERNS` and more, in the same style) from a dataset.

    Parameters
    ----------
    ds : Dataset
        A validated dataset (:func:`analysis.data.load_dataset`).
    params : dict
        Resolved analysis parameters (:func:`analysis.params.resolve`).
    endpoints : pandas.DataFrame, optional
        :func:`analysis.study.endpoints.per_patient` of ``ds``, when already computed.
    tidy : pandas.DataFrame, optional
        :func:`analysis.study.tables.all_tidy` of ``ds`` and ``params``, when already computed.
    beyond : pandas.DataFrame, optional
        :func:`analysis.study.beyond.beyond_tidy` of ``ds``, ``params`` and ``tidy``, when already computed.

    Returns
    -------
    dict
        Flat ``{key: int | float | None}`` plus ``"_meta"``. A null value has its reason in
        ``_meta["undefined"][key]``; each p-value's test and method are in ``_meta["tests"][key]``.

    References
    ----------
    .. [1] The paper's Methods, Tables 1-4 and Results (Clinical Practice 2022;13(4),
       doi:10.17816/clinpract115017); R 4.2.2 conventions in :data:`CONVENTIONS`, checked against
       ``tests/r/dataset_numbers.R``.

    Examples
    --------
    >>> from analysis import params
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> nums = compute_numbers(load_dataset(TESTS / "fixtures" / "mini"), params.defaults())
    >>> nums["n.patients"], nums["n.tace"], nums["recist.group1.PR.n"] >= 1
    (12, ..., True)
    """
    import pandas as pd

    from analysis.study import tables
    from analysis.study.beyond import beyond_tidy
    from analysis.study.endpoints import per_patient

    pp = per_patient(ds) if endpoints is None else endpoints
    tidy = tables.all_tidy(ds, params, endpoints=pp) if tidy is None else tidy
    if beyond is None:
        beyond = beyond_tidy(ds, params, endpoints=pp, tidy=tidy)
    tidy = pd.concat([tidy, beyond], ignore_index=True)
    numbers: dict = {}
    tests: dict = {}
    undefined: dict = {}
    for r in tidy.to_dict("records"):
        key = r["key"]
        if key in numbers:
            raise AssertionError(f"duplicate numbers key {key}")
        v = _clean(r["value"], key)
        numbers[key] = v
        if v is None:
            undefined[key] = r["note"] or "not computable"
        if r["statistic"] in ("p", "W") and r["test"]:
            tests[key] = {"test": r["test"], "method": r["method"]}
    # doubling times that could not be computed, by reason (reported, never dropped silently)
    for g in tables.GROUPS:
        sub = pp[pp["group"] == g]
        reasons = sub.loc[sub["doubling_time_reason"] != "", ["patient_id", "doubling_time_reason"]]
        if len(reasons):
            undefined[f"doubling_time.{tables.gkey(g)}"] = {
                pid: why for pid, why in zip(reasons["patient_id"], reasons["doubling_time_reason"])}
    shown = {k: v for k, v in params.items() if k not in ("data_dir", "out_dir")}
    from analysis.study.endpoints import NO_PROGRESSION_FILE, has_progression

    not_available = {} if has_progression(ds) else dict.fromkeys(NOT_AVAILABLE_WITHOUT_PROGRESSION,
                                                                  NO_PROGRESSION_FILE)
    numbers["_meta"] = {
        "dataset": ds.name,
        "is_synthetic": bool(ds.is_synthetic),
        "sha256": dict(sorted(ds.sha256.items())),
        "parameters": dict(sorted(shown.items())),
        "versions": _versions(),
        "conventions": CONVENTIONS,
        "tests": tests,
        "undefined": undefined,
        "not_available": not_available,
    }
    return numbers


def dumps(numbers: dict) -> str:
    """The JSON text written by :func:`write_numbers` (sorted keys, indent 2, no NaN, final newline)."""
    return json.dumps(numbers, indent=2, sort_keys=True, allow_nan=False, ensure_ascii=False) + "\n"


def write_numbers(numbers: dict, path) -> Path:
    """Write ``numbers`` as deterministic JSON, atomically (temporary file in the same folder + rename)."""
    path = Path(path)
    text = dumps(numbers)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path
