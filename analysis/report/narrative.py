"""Small helpers the narrative notebooks call between the statistics: pick values, show results.

Nothing here computes a statistic; the notebooks call :mod:`analysis.stats` and
:mod:`analysis.study.tables` for that, visibly. This module selects per-patient values by group
(:func:`by_group`, :func:`by_timing`), states the dataset (:func:`statement`), describes a test result
in one row (:func:`describe`), and displays tables with the numbers they show attached as output
metadata (:func:`show`), so that a test can read them back from an executed notebook
(``metadata["tace-net"]["numbers"]``: key -> unrounded value, JSON null for NaN).

Examples
--------
>>> import pandas as pd
>>> pp = pd.DataFrame({"group": [1, 1, 2], "tace_timing": ["immediate", "after_chemo", "immediate"],
...                    "v0": [3.0, 5.0, 4.0]})
>>> {k: v.tolist() for k, v in by_group(pp, "v0").items()}
{'Group 1': [3.0, 5.0], 'Group 2': [4.0]}
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from analysis.report.figure_parts import TIMING_LABELS

#: metadata key under which displayed numbers are attached to a notebook output
META = "tace-net"
GROUP_LABELS = {1: "Group 1", 2: "Group 2"}


def _values(series):
    import numpy as np

    a = np.asarray(series, dtype=float)
    return a[~np.isnan(a)]


def by_group(pp, column: str) -> dict:
    """Group label -> the non-missing values of ``column`` (group 1 first)."""
    return {GROUP_LABELS[g]: _values(pp.loc[pp["group"] == g, column]) for g in (1, 2)}


def by_timing(pp, column: str, group: int | None = None) -> dict:
    """TACE timing label -> values of ``column`` (within ``group`` when given; immediate first)."""
    sub = pp if group is None else pp[pp["group"] == group]
    return {TIMING_LABELS[t]: _values(sub.loc[sub["tace_timing"] == t, column]) for t in TIMING_LABELS}


def by_both(pp, column: str) -> dict:
    """'Group g, timing' -> values of ``column``, the four subgroups of Table 4."""
    out = {}
    for g in (1, 2):
        for t, label in TIMING_LABELS.items():
            sub = pp[(pp["group"] == g) & (pp["tace_timing"] == t)]
            out[f"{GROUP_LABELS[g]}, {label}"] = _values(sub[column])
    return out


def labelled(frame):
    """A copy of a per-patient frame with readable group and TACE-timing labels (for plot legends)."""
    return frame.assign(group=frame["group"].map(GROUP_LABELS), tace_timing=frame["tace_timing"].map(TIMING_LABELS))


def ttp(ds, setting: str):
    """The progression rows of one setting (``chemo`` or ``tace``) with their duration ``ttp`` in days:
    the rows Tables 3 and 4 summarise (:func:`analysis.study.endpoints.ttp_rows`)."""
    from analysis.study.endpoints import ttp_rows

    rows = ttp_rows(ds)
    return rows[rows["setting"] == setting].reset_index(drop=True)


def pairs(pp, x: str, y: str, group: int):
    """(x, y) arrays of one group's patients with both values finite (the regression's patients)."""
    import numpy as np

    sub = pp[pp["group"] == group]
    a, b = np.asarray(sub[x], dtype=float), np.asarray(sub[y], dtype=float)
    ok = np.isfinite(a) & np.isfinite(b)
    return a[ok], b[ok]


def dataset_dir(data_dir) -> Path:
    """The dataset folder: a relative path is taken from the project root (as ``python -m analysis`` does),
    so a notebook finds ``data/synthetic`` whether its kernel starts in the root or in ``notebooks/``."""
    from analysis.paths import ROOT

    p = Path(data_dir)
    return p if p.is_absolute() else ROOT / p


def statement(ds, data_dir: str) -> str:
    """The sentence every notebook prints first: which dataset, and its provenance (never guessed as real).

    Synthetic when its files are the bundled cohort's or it says so; real only when its datapackage.json
    declares ``"real": true``; otherwise "provenance not declared" (:mod:`analysis.data.provenance`;
    the sentence is :func:`analysis.study.overview.dataset_statement`).
    """
    from analysis.study.overview import dataset_statement

    return dataset_statement(ds, data_dir)


def _fmt(v, decimals: int = 4) -> str:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return "NA"
    if math.isnan(f):
        return "NA"
    return f"{f:.{decimals}g}" if abs(f) < 1e-3 and f != 0 else f"{f:.{decimals}f}"


def attempt(fn, *args, **kwargs):
    """``fn(*args, **kwargs)``; when it refuses the data (``ValueError``: too few values, all tied, ...)
    a :class:`analysis.stats.results.TestResult` with NaN statistic and p whose ``note`` says why, so a
    notebook still runs on a dataset where one subgroup is empty."""
    from analysis.stats.results import TestResult

    try:
        return fn(*args, **kwargs)
    except ValueError as exc:
        sizes = [len(a) for a in args[:2] if hasattr(a, "__len__")] + [None, None]
        return TestResult(test=getattr(fn, "__name__", "test"), statistic=math.nan, p=math.nan,
                          method="not computed", n1=sizes[0], n2=sizes[1], note=str(exc))


def describe(result, labels: tuple[str, str] = ("x", "y")):
    """One row naming a test result: the two samples and their n, the statistic, p and how p was obtained."""
    import pandas as pd

    return pd.DataFrame([{
        "comparison": f"{labels[0]} (n={result.n1}) vs {labels[1]} (n={result.n2})",
        "test": result.test,
        result.statistic_name or "statistic": result.statistic,
        "p": result.p,
        "p-value method": result.method,
        "note": result.note,
    }])


def _clean(v):
    if v is None or isinstance(v, bool):
        return v
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) or math.isinf(f) else f


def numbers_of(frame) -> dict:
    """``{key: value}`` of a tidy frame (``key``/``value``) or a verdict frame (``key``/``reproduced``)."""
    col = "value" if "value" in frame.columns else "reproduced"
    return {str(k): _clean(v) for k, v in zip(frame["key"], frame[col]) if k}


def show(table, numbers: Any = None, columns: list[str] | None = None) -> None:
    """Display ``table`` (optionally only ``columns``) with ``numbers`` attached as output metadata.

    Parameters
    ----------
    table : pandas.DataFrame
        What the reader sees.
    numbers : pandas.DataFrame or list of them, optional
        Tidy or verdict frame(s) whose keyed values the table shows (default: ``table`` itself when it
        has a ``key`` column). They are attached unrounded as ``metadata["tace-net"]["numbers"]``.
    """
    from IPython.display import display

    frames = numbers if isinstance(numbers, (list, tuple)) else [table if numbers is None else numbers]
    nums: dict = {}
    for f in frames:
        if f is not None and "key" in f.columns:
            nums.update(numbers_of(f))
    shown = table if columns is None else table[columns]
    display(shown, metadata={META: {"numbers": nums}} if nums else None)


def show_verdicts(verdicts) -> None:
    """Display a :func:`analysis.paper.verdicts.table_verdicts` frame: printed, published, reproduced,
    verdict, the audit's verdict and finding (the keyed reproduced values attached as metadata)."""
    import pandas as pd

    with pd.option_context("display.max_colwidth", None, "display.max_rows", 400):
        show(verdicts, verdicts, ["key", "quantity", "printed", "published", "reproduced", "verdict",
                                  "conclusion_holds", "audit", "finding"])
