"""The results cache: everything the notebooks show, computed once per (data, code, parameters), kept on disk.

The notebooks stay thin: each calls :func:`get` (or :func:`get_overview`, :func:`get_figures`,
:func:`get_audit`) and displays parts of the returned :class:`~analysis.report.bundle.Results`. What is
cached is computed elsewhere (:mod:`analysis.report.bundle`, from the study's functions); this module
only hashes, stores and loads. Entries live under ``.cache/results/`` of the project, keyed by a
content hash of

- the dataset's files (SHA-256 of their bytes) and the bundled schema,
- the package's code (every module of ``analysis/``) and the paper's published values (``data/published/``),
- the analysis parameters (every registry parameter except ``out_dir`` and ``data_dir``),

so a notebook never shows a stale result, and ``python -m analysis reproduce`` (which computes the
bundle in-process before starting the notebooks) lets every notebook kernel load it instead of
recomputing it: a kernel then only pays for pandas.

Relative dataset paths are resolved against the project root (notebook kernels start in
``notebooks/``, the command line anywhere). The names notebooks used before the cache was split from
the computations (``results.statement``, ``results.audit_summary``, ``results.show_figure``, ...)
still work: they are loaded from their modules on first use (:data:`_MOVED`).

Examples
--------
>>> from analysis.report.results import resolve_data_dir, results_key
>>> resolve_data_dir("data/synthetic").name
'synthetic'
>>> len(results_key("tests/fixtures/mini", {"alpha": 0.05}, code="0" * 64))
64
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.paths import DATA, PUBLISHED, ROOT
from analysis.report.files import data_hashes, display_path, resolve_data_dir, sha256_file

if TYPE_CHECKING:
    from analysis.report.bundle import Results

CACHE_DIR = ROOT / ".cache" / "results"
KEEP = 24  # cache entries kept (oldest removed first)
CODE_DIR = Path(__file__).resolve().parent.parent  # the analysis package
#: parameters that do not change any computed result
_NOT_A_RESULT_PARAM = ("data_dir", "out_dir")

#: names kept importable from here, defined where they are computed (loaded on first use: the cache
#: itself needs neither pandas nor the statistics stack)
_MOVED = {
    "Results": "analysis.report.bundle", "compute_overview": "analysis.report.bundle",
    "compute_figures": "analysis.report.bundle",
    "statement": "analysis.study.overview",
    "sgr_regression": "analysis.study.growth", "growth_table": "analysis.study.growth",
    "regression_display": "analysis.study.growth", "recist_display": "analysis.study.growth",
    "audit_summary": "analysis.report.display", "audit_findings": "analysis.report.display",
    "show_figure": "analysis.report.display",
}
__all__ = ["CACHE_DIR", "code_hash", "compute", "data_hashes", "display_path", "get", "get_audit", "get_figures",
           "get_overview", "load", "resolve_data_dir", "result_params", "results_key", "sha256_file", "store",
           *_MOVED]


def __getattr__(name: str):
    """The names of :data:`_MOVED`, imported from their module when first asked for."""
    if name in _MOVED:
        return getattr(importlib.import_module(_MOVED[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --------------------------------------------------------------------------------------------------
# content hashes
# --------------------------------------------------------------------------------------------------

def _tree_hash(paths) -> str:
    """One hash over files: each one's path (relative to the project root) and content hash."""
    h = hashlib.sha256()
    for p in paths:
        h.update(Path(p).relative_to(ROOT).as_posix().encode() + b"\0")
        h.update(sha256_file(p).encode() + b"\n")
    return h.hexdigest()


def code_hash() -> str:
    """Hash of the package code, the bundled schema and the published values (what can change results)."""
    files = sorted(CODE_DIR.rglob("*.py"))
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
# disk cache
# --------------------------------------------------------------------------------------------------

def _cache_path(key: str, kind: str) -> Path:
    """The file of one cache entry."""
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
    """A cache entry, or None when there is none (a truncated or incompatible entry counts as none)."""
    path = _cache_path(key, kind)
    if not path.is_file():
        return None
    try:
        with open(path, "rb") as f:
            return pickle.load(f)
    except Exception:  # a truncated or incompatible entry is recomputed
        return None


# --------------------------------------------------------------------------------------------------
# cached parts: computed on a miss, stored, loaded
# --------------------------------------------------------------------------------------------------

def compute(data_dir, params: dict | None = None, ds=None, key: str | None = None, per_patient_frame=None,
            overview: dict | None = None):
    """:func:`analysis.report.bundle.compute`, keyed by :func:`results_key` unless ``key`` is given."""
    from analysis.report import bundle

    return bundle.compute(data_dir, params, key or results_key(data_dir, params), ds=ds,
                          per_patient_frame=per_patient_frame, overview=overview)


def get_overview(data_dir=None) -> dict:
    """The data overview of notebook 00, cached by data and code (no analysis parameter changes it).

    Parameters
    ----------
    data_dir : str or path, optional
        Dataset folder (relative paths are taken from the project root). Default data/synthetic.

    Returns
    -------
    dict
        :func:`analysis.study.overview.compute_overview`: ``ok``, ``problems``, ``validation``,
        ``statement`` and, for a valid dataset, files, missingness, k-anonymity and SHA-256s.

    References
    ----------
    Sweeney, k-anonymity, 2002 (:func:`analysis.data.privacy.k_anonymity`).

    Examples
    --------
    >>> ov = get_overview("tests/fixtures/mini")
    >>> ov["ok"], ov["statement"].split(":")[0]
    (True, "Dataset 'mini' (tests/fixtures/mini)")
    """
    key = results_key(data_dir, None)
    ov = load(key, "overview")
    if ov is None:
        from analysis.report.bundle import compute_overview

        ov = compute_overview(data_dir)
        store(ov, key, "overview")
    return ov


def get(data_dir=None, params: dict | None = None) -> Results:
    """The results bundle for a dataset and parameters: from the cache, or computed and cached.

    Parameters
    ----------
    data_dir : str or path, optional
        Dataset folder (relative paths are taken from the project root). Default data/synthetic.
    params : dict, optional
        Analysis parameters (checked by :func:`analysis.params.resolve`; defaults fill the rest).

    Returns
    -------
    analysis.report.bundle.Results
        Dataset, per-patient endpoints, tidy and display tables, numbers, comparison, overview.

    Raises
    ------
    analysis.data.DatasetInvalid
        The dataset breaks the contract (every problem listed).

    References
    ----------
    The same numbers as ``python -m analysis numbers`` (:func:`analysis.study.numbers.compute_numbers`).

    Examples
    --------
    The first call on a dataset computes the bundle (a few seconds), later ones load it:

    >>> res = get("tests/fixtures/mini")
    >>> res.dataset_name, res.numbers["n.patients"], res.is_synthetic
    ('mini', 12, True)
    """
    key = results_key(data_dir, params)
    res = load(key)
    if res is None:
        res = compute(data_dir, params, key=key)
        store(res, key)
    elif res.dataset is None:  # the cache does not store the dataset (Results.__getstate__)
        from analysis.data import load_dataset

        res.dataset = load_dataset(resolve_data_dir(data_dir))
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


def get_figures(data_dir=None, params: dict | None = None) -> dict[str, dict[str, bytes]]:
    """Figure bytes for a dataset and parameters (cached like :func:`get`)."""
    key = results_key(data_dir, params)
    figs = load(key, "figures")
    if figs is None:
        from analysis.report.bundle import compute_figures

        figs = compute_figures(get(data_dir, params))
        store(figs, key, "figures")
    return figs
