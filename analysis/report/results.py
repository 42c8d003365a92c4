"""Everything the notebooks show, computed once per (data, code, parameters) and cached on disk.

The notebooks stay thin: each calls :func:`get` (or :func:`get_figures`) and displays parts of the
returned :class:`Results`. The bundle is computed by the functions of the package (endpoints,
tables, numbers, compare, audit, figures), never in a cell. It is stored under
``.cache/results/`` of the project, keyed by a content hash of

- the dataset's files (SHA-256 of their bytes) and the bundled schema,
- the package's code (``analysis/*.py``) and the paper's published values (``data/published/``),
- the analysis parameters (every registry parameter except ``out_dir`` and ``data_dir``),

so a notebook never shows a stale result, and ``python -m analysis reproduce`` (which computes the
bundle in-process before starting the notebooks) lets every notebook kernel load it instead of
recomputing it: a kernel then only pays for pandas.

Relative dataset paths are resolved against the project root (notebook kernels start in
``notebooks/``, the command line anywhere).

Examples
--------
>>> from analysis.report.results import resolve_data_dir
>>> resolve_data_dir("data/synthetic").name
'synthetic'
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.paths import DATA, PUBLISHED, ROOT

CACHE_DIR = ROOT / ".cache" / "results"
KEEP = 24  # cache entries kept (oldest removed first)
CODE_DIR = Path(__file__).resolve().parent
#: parameters that do not change any computed result
_NOT_A_RESULT_PARAM = ("data_dir", "out_dir")


# --------------------------------------------------------------------------------------------------
# content hashes
# --------------------------------------------------------------------------------------------------

def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def resolve_data_dir(data_dir: str | os.PathLike | None) -> Path:
    """Absolute dataset folder: relative paths are taken from the project root."""
    p = Path(data_dir if data_dir is not None else DATA / "synthetic")
    return p if p.is_absolute() else (ROOT / p)


def display_path(path: str | os.PathLike) -> str:
    """A path as shown in outputs: relative to the project root when inside it (never a machine path)."""
    p = Path(path)
    try:
        return Path(os.path.relpath(p.resolve(), ROOT)).as_posix() if p.resolve().is_relative_to(ROOT) \
            else p.as_posix()
    except (OSError, ValueError):
        return p.as_posix()


def data_hashes(data_dir: str | os.PathLike) -> dict[str, str]:
    """SHA-256 of every regular file directly inside the dataset folder, by file name."""
    d = resolve_data_dir(data_dir)
    if not d.is_dir():
        return {}
    return {p.name: sha256_file(p) for p in sorted(d.iterdir()) if p.is_file() and not p.name.startswith(".")}


def _tree_hash(paths) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(Path(p).relative_to(ROOT).as_posix().encode() + b"\0")
        h.update(sha256_file(p).encode() + b"\n")
    return h.hexdigest()


def code_hash() -> str:
    """Hash of the package code, the bundled schema and the published values (what can change results)."""
    files = sorted(CODE_DIR.glob("*.py"))
    for extra in (DATA / "schema", PUBLISHED):
        if extra.is_dir():
            files += sorted(p for p in extra.rglob("*") if p.is_file())
    return _tree_hash(files)


def result_params(params: dict | None) -> dict:
    """The checked parameters that can change a result (defaults filled in), sorted by name."""
    from analysis.params import resolve

    full = resolve({k: v for k, v in (params or {}).items() if k not in _NOT_A_RESULT_PARAM})
    return {k: full[k] for k in sorted(full) if k not in _NOT_A_RESULT_PARAM}


def results_key(data_dir, params: dict | None, code: str | None = None) -> str:
    """Content key of a results bundle: data bytes, code and result parameters."""
    d = resolve_data_dir(data_dir)
    payload = {
        "data": data_hashes(d),
        "dataset_name": d.name,
        "code": code or code_hash(),
        "params": result_params(params),
        "python": sys.version.split()[0],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


# --------------------------------------------------------------------------------------------------
# the bundle
# --------------------------------------------------------------------------------------------------

@dataclass
class Results:
    """What the notebooks show. Every field comes from a function of the package."""

    key: str
    data_dir: str  # as displayed (relative to the project root when inside it)
    dataset_name: str
    is_synthetic: bool
    sha256: dict
    params: dict
    dataset: Any  # analysis.data.Dataset
    per_patient: Any  # DataFrame, analysis.study.endpoints.per_patient
    tidy: Any  # DataFrame, analysis.study.tables.all_tidy
    tables: dict = field(default_factory=dict)  # name -> display DataFrame
    numbers: dict = field(default_factory=dict)  # analysis.study.numbers.compute_numbers
    overview: dict = field(default_factory=dict)  # files, missingness, k-anonymity
    comparison: Any = None  # DataFrame, analysis.paper.compare.compare (None when unavailable)
    audit: Any = None  # not filled: the audit reads no data, see get_audit()
    notes: dict = field(default_factory=dict)  # why a part is missing

    def dataset_statement(self) -> str:
        """One sentence naming the dataset and saying whether it is synthetic."""
        return statement(self.dataset_name, self.data_dir, self.is_synthetic, len(self.dataset.patients),
                         len(self.dataset.procedures))

    def hashes(self) -> "pd.DataFrame":  # noqa: F821
        import pandas as pd

        return pd.DataFrame(sorted(self.sha256.items()), columns=["file", "sha256"])

    def parameters(self) -> "pd.DataFrame":  # noqa: F821
        import pandas as pd

        return pd.DataFrame(sorted(self.params.items()), columns=["parameter", "value"]).astype(str)


def statement(name: str, data_dir: str, is_synthetic: bool, n_patients: int, n_tace: int) -> str:
    """The sentence every notebook prints about its dataset (synthetic or not)."""
    kind = ("a SYNTHETIC cohort (invented or reconstructed from published aggregates; NOT patient data)"
            if is_synthetic else "real de-identified patient data")
    return f"Dataset '{name}' ({data_dir}): {kind}; {n_patients} patients, {n_tace} TACE procedures."


def compute_overview(data_dir, ds=None) -> dict:
    """Data overview for notebook 00: validation problems, files, missingness, k-anonymity.

    An invalid dataset is not an error here: the problems are returned (``ok`` False) so that
    they can be shown; everything else is then empty.
    """
    from analysis.data import privacy
    from analysis.data import load_dataset, validate_dir

    d = resolve_data_dir(data_dir)
    if ds is None:
        problems = [str(p) for p in validate_dir(d)]
        if problems:
            return {"ok": False, "problems": problems, "statement": f"Dataset {display_path(d)}: INVALID",
                    "validation": "\n".join([f"INVALID: {len(problems)} problem(s)", *problems])}
        ds = load_dataset(d)
    return {
        "ok": True,
        "problems": [],
        "validation": "valid: 0 problems (types, allowed values, keys, cross-file rules, no direct identifiers)",
        "statement": statement(ds.name, display_path(d), bool(ds.is_synthetic), len(ds.patients),
                               len(ds.procedures)),
        "files": privacy.file_summary(ds),
        "missingness": privacy.missingness(ds),
        "k_anonymity": privacy.k_anonymity(ds.patients),
        "equivalence_classes": privacy.equivalence_classes(ds.patients),
        "sha256": dict(sorted(ds.sha256.items())),
    }


def get_overview(data_dir=None) -> dict:
    """:func:`compute_overview`, cached by data and code (no analysis parameter changes it)."""
    key = results_key(data_dir, None)
    ov = load(key, "overview")
    if ov is None:
        ov = compute_overview(data_dir)
        store(ov, key, "overview")
    return ov


def regression_display(tidy, decimals: int = 2) -> "pd.DataFrame":  # noqa: F821
    """The ``regression.<g>.*`` rows of the tidy tables as one row per group (for reading)."""
    import pandas as pd

    v = dict(zip(tidy["key"], tidy["value"]))
    rows = []
    for g in ("group1", "group2"):
        p = f"regression.{g}"
        rows.append({"group": g, "n (finite DT)": int(v[f"{p}.n"]), "R²": _fmt(v[f"{p}.r2"], 4),
                     "slope, cm³ per day of DT": _fmt(v[f"{p}.slope"], 4),
                     "intercept, cm³": _fmt(v[f"{p}.intercept"], decimals), "p (slope t-test)": _fmt(v[f"{p}.p"], 4)})
    return pd.DataFrame(rows)


def recist_display(tidy) -> "pd.DataFrame":  # noqa: F821
    """RECIST 1.1 counts per group as a small table (rows CR, PR, SD, PD, NE)."""
    import pandas as pd

    sub = tidy[tidy["key"].str.startswith("recist.")]
    out = sub.pivot_table(index="level", columns="group", values="value", aggfunc="first", sort=False)
    order = [c for c in ("CR", "PR", "SD", "PD", "NE") if c in out.index]
    out = out.reindex(order).astype(int)
    out.index.name = "RECIST 1.1 response"
    out.columns = [str(c) for c in out.columns]
    return pd.DataFrame(out)


def sgr_regression(per_patient) -> "pd.DataFrame":  # noqa: F821
    """ΔV regressed on the specific growth rate SGR per group (patients with a finite SGR).

    A sensitivity analysis beside the published regression on the doubling time: SGR = ln(V1/V0)/Δt
    is finite when the volume does not change (where DT = ln 2 / SGR is infinite) and keeps its sign
    continuous, so it is the better-behaved growth measure to regress on.

    Returns
    -------
    pandas.DataFrame
        ``group``, ``n``, ``r2``, ``slope``, ``intercept``, ``p`` (:func:`analysis.stats.ols`).
    """
    import math

    import numpy as np
    import pandas as pd

    from analysis.stats import ols

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


def growth_table(per_patient, decimals: int = 2) -> "pd.DataFrame":  # noqa: F821
    """Per patient: V0, V1, Δt, ΔV, doubling time and SGR side by side, with why DT is undefined."""
    cols = ["patient_id", "group", "tace_timing", "v0", "v1", "interval_days", "volume_change",
            "doubling_time", "sgr", "doubling_time_reason"]
    out = per_patient[cols].copy()
    out = out.rename(columns={"v0": "V0, cm³", "v1": "V1, cm³", "interval_days": "Δt, days",
                              "volume_change": "ΔV, cm³", "doubling_time": "DT, days", "sgr": "SGR, per day",
                              "doubling_time_reason": "DT undefined because"})
    for c in ("V0, cm³", "V1, cm³", "ΔV, cm³", "DT, days"):
        out[c] = out[c].astype(float).round(decimals)
    out["SGR, per day"] = out["SGR, per day"].astype(float).round(5)
    return out.reset_index(drop=True)


def _fmt(v, decimals):
    try:
        f = float(v)
    except (TypeError, ValueError):
        return "NA"
    if f != f:
        return "NA"
    return f"{f:.{decimals}f}"


def compute(data_dir, params: dict | None = None, ds=None, key: str | None = None,
            per_patient_frame=None, overview: dict | None = None) -> Results:
    """Compute the bundle in-process (validates the dataset first: DatasetInvalid lists every problem).

    ``ds``, ``per_patient_frame`` and ``overview`` may be passed when already computed for this dataset.
    """
    from analysis.study import agreement, effects, tables
    from analysis.study.endpoints import per_patient
    from analysis.study.numbers import compute_numbers
    from analysis.params import resolve

    d = resolve_data_dir(data_dir)
    full = resolve({k: v for k, v in (params or {}).items() if k != "data_dir"})
    full["data_dir"] = display_path(d)
    if ds is None:
        from analysis.data import load_dataset

        ds = load_dataset(d)
    pp = per_patient(ds) if per_patient_frame is None else per_patient_frame
    tidy = tables.all_tidy(ds, full, endpoints=pp)
    displays = {
        "table1": tables.table1_display(ds, full, endpoints=pp),
        "table2": tables.table2_display(ds, full, endpoints=pp),
        "table3": tables.table3_display(ds, full, endpoints=pp),
        "table4": tables.table4_display(ds, full, endpoints=pp),
        "regression": regression_display(tidy, int(full["decimals"])),
        "regression_sgr": sgr_regression(pp),
        "recist": recist_display(tidy),
        "growth": growth_table(pp, int(full["decimals"])),
        # beyond the paper (issue 14)
        "effects": effects.effects_table(ds, full, endpoints=pp),
        "multiplicity": effects.multiplicity_table(ds, full, endpoints=pp),
        "agreement": agreement.agreement_table(ds, endpoints=pp),
    }
    numbers = compute_numbers(ds, full)
    notes: dict = {}
    comparison = None
    try:
        from analysis.paper.compare import compare
        from analysis.paper.published import load_published

        comparison = compare(numbers, load_published(), full)
    except ImportError as exc:  # module not available in this checkout
        notes["comparison"] = f"analysis.paper.compare unavailable: {exc}"
    if overview is None:
        overview = compute_overview(d, ds=ds)
    return Results(
        key=key or results_key(d, full), data_dir=display_path(d), dataset_name=ds.name,
        is_synthetic=bool(ds.is_synthetic), sha256=dict(sorted(ds.sha256.items())),
        params={k: full[k] for k in sorted(full) if k != "out_dir"}, dataset=ds, per_patient=pp, tidy=tidy,
        tables=displays, numbers=numbers, overview=overview, comparison=comparison, notes=notes)


# --------------------------------------------------------------------------------------------------
# disk cache
# --------------------------------------------------------------------------------------------------

def _cache_path(key: str, kind: str) -> Path:
    return CACHE_DIR / f"{key}.{kind}.pickle"


def store(obj, key: str, kind: str = "results") -> Path:
    """Write a cache entry atomically (temporary file + rename), pruning the oldest entries."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    path = _cache_path(key, kind)
    fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=CACHE_DIR)
    with os.fdopen(fd, "wb") as f:
        pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)
    entries = sorted(CACHE_DIR.glob("*.pickle"), key=lambda p: p.stat().st_mtime)
    for old in entries[:-KEEP]:
        old.unlink(missing_ok=True)
    return path


def load(key: str, kind: str = "results"):
    path = _cache_path(key, kind)
    if not path.is_file():
        return None
    try:
        with open(path, "rb") as f:
            return pickle.load(f)
    except Exception:  # a truncated or incompatible entry is recomputed
        return None


def get(data_dir=None, params: dict | None = None) -> Results:
    """The results bundle for a dataset and parameters: from the cache, or computed and cached.

    Parameters
    ----------
    data_dir : str or path, optional
        Dataset folder (relative paths are taken from the project root). Default data/synthetic.
    params : dict, optional
        Analysis parameters (checked by :func:`analysis.params.resolve`; defaults fill the rest).
    """
    key = results_key(data_dir, params)
    res = load(key)
    if res is None:
        res = compute(data_dir, params, key=key)
        store(res, key)
    return res


def get_audit(code: str | None = None):
    """:func:`analysis.paper.audit.run_audit`, cached by the code hash (it reads the published values, no data).

    Returns the reason as text when the audit module is unavailable.
    """
    key = code or code_hash()
    audit = load(key, "audit")
    if audit is None:
        try:
            from analysis.paper.audit import run_audit
        except ImportError as exc:
            return f"analysis.paper.audit unavailable: {exc}"
        audit = run_audit()
        store(audit, key, "audit")
    return audit


def audit_summary(audit):
    """Audit checks by verdict (a table with totals); text passes through unchanged."""
    import pandas as pd

    if isinstance(audit, str):
        return audit
    return pd.crosstab(audit["check"], audit["verdict"], margins=True, margins_name="total")


def audit_findings(audit, verdict: str = "inconsistent"):
    """The audit rows with one verdict (default: the published numbers that cannot all be true)."""
    if isinstance(audit, str):
        return audit
    return audit[audit["verdict"] == verdict].reset_index(drop=True)


def compute_figures(res: Results | None = None, ds=None, per_patient_frame=None) -> dict[str, dict[str, bytes]]:
    """PNG and SVG bytes of every figure (:mod:`analysis.report.figures`, then
    :mod:`analysis.report.figures_beyond`) for a results bundle (or a dataset)."""
    from analysis.report import figures, figures_beyond

    if res is not None:
        ds, per_patient_frame = res.dataset, res.per_patient
    figs = {**figures.make_all(ds, per_patient_frame), **figures_beyond.make_beyond(ds, per_patient_frame)}
    return {name: {"png": figures.to_bytes(f, "png"), "svg": figures.to_bytes(f, "svg")} for name, f in figs.items()}


def get_figures(data_dir=None, params: dict | None = None) -> dict[str, dict[str, bytes]]:
    """Figure bytes for a dataset and parameters (cached like :func:`get`)."""
    key = results_key(data_dir, params)
    figs = load(key, "figures")
    if figs is None:
        figs = compute_figures(get(data_dir, params))
        store(figs, key, "figures")
    return figs


def show_figure(figs: dict, name: str):
    """An IPython image of one figure (PNG bytes, so the notebook output is byte-stable)."""
    from IPython.display import Image

    return Image(data=figs[name]["png"], format="png")
