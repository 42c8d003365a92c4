"""Where a dataset comes from, never guessed in the reader's favour: synthetic, real, or not declared.

The one definition of the rule (used by :class:`analysis.data.Dataset`, the dataset sentence of
:mod:`analysis.study.overview`, the notebooks, ``numbers.json``, the figures and ``index.html``). A dataset is

- **synthetic** when any of its data files has the SHA-256 of a file of the bundled synthetic cohort
  (``data/synthetic/*.csv``), whatever its folder name or metadata say, or when its ``datapackage.json``
  declares ``"synthetic": true``;
- **real** only when its ``datapackage.json`` declares ``"real": true`` (and nothing above applies);
- **provenance not declared** otherwise: it is then never shown as real patient data.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

from analysis.paths import ROOT, SYNTHETIC

SYNTHETIC_KIND = "synthetic"
REAL_KIND = "real"
UNDECLARED_KIND = "provenance not declared"


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes (hex), read in 1 MiB blocks.

    Parameters
    ----------
    path : Path
        The file.

    Returns
    -------
    str
        The hex digest.

    Examples
    --------
    >>> len(sha256_file(SYNTHETIC / "patients.csv"))
    64
    """
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@functools.lru_cache(maxsize=1)
def bundled_synthetic_hashes() -> frozenset[str]:
    """SHA-256 of every data file of the bundled synthetic cohort (``data/synthetic/*.csv``).

    Examples
    --------
    >>> len(bundled_synthetic_hashes()) >= 4
    True
    """
    return frozenset(sha256_file(p) for p in sorted(Path(SYNTHETIC).glob("*.csv")))


def provenance(sha256: dict[str, str], meta: dict | None) -> str:
    """``"synthetic"``, ``"real"`` or ``"provenance not declared"`` for a dataset's file hashes and metadata.

    Parameters
    ----------
    sha256 : dict
        File name -> SHA-256 of the dataset's data files.
    meta : dict or None
        The dataset's ``datapackage.json`` (None when it has none).

    Returns
    -------
    str
        One of :data:`SYNTHETIC_KIND`, :data:`REAL_KIND`, :data:`UNDECLARED_KIND`.

    References
    ----------
    The dataset contract (data/schema/datapackage.json: ``synthetic``; ``real`` declares patient data).

    Examples
    --------
    >>> provenance({"patients.csv": "ab12"}, {"real": True})
    'real'
    >>> provenance({"patients.csv": "ab12"}, {"title": "my data"})
    'provenance not declared'
    >>> provenance({"patients.csv": "ab12"}, {"synthetic": True, "real": True})
    'synthetic'
    """
    meta = meta or {}
    if set(sha256.values()) & bundled_synthetic_hashes() or meta.get("synthetic") is True:
        return SYNTHETIC_KIND
    return REAL_KIND if meta.get("real") is True else UNDECLARED_KIND


def dataset_provenance(data_dir, sha256: dict[str, str] | None = None) -> str:
    """:func:`provenance` of a dataset folder (its ``*.csv`` hashes and ``datapackage.json``).

    Parameters
    ----------
    data_dir : str or Path
        The dataset folder (a relative path is taken from the project root).
    sha256 : dict, optional
        The hashes of its data files, when already known.

    Returns
    -------
    str
        One of :data:`SYNTHETIC_KIND`, :data:`REAL_KIND`, :data:`UNDECLARED_KIND`.

    Examples
    --------
    >>> dataset_provenance("data/synthetic")
    'synthetic'
    """
    d = Path(data_dir)
    d = d if d.is_absolute() else ROOT / d
    if sha256 is None:
        sha256 = {p.name: sha256_file(p) for p in sorted(d.glob("*.csv"))} if d.is_dir() else {}
    try:
        meta = json.loads((d / "datapackage.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        meta = None
    return provenance(sha256, meta if isinstance(meta, dict) else None)


def describe(kind: str) -> str:
    """The words shown to the reader for a provenance kind.

    Parameters
    ----------
    kind : str
        A provenance kind (:func:`provenance`).

    Returns
    -------
    str
        The phrase used in the dataset sentence and in index.html.

    Examples
    --------
    >>> describe("provenance not declared").startswith("provenance not declared")
    True
    >>> describe("real")
    'real de-identified patient data (declared so in its datapackage.json)'
    """
    return {SYNTHETIC_KIND: "a SYNTHETIC cohort (invented or reconstructed from published aggregates; "
                            "NOT patient data)",
            REAL_KIND: "real de-identified patient data (declared so in its datapackage.json)",
            }.get(kind, "provenance not declared (its datapackage.json declares it neither real nor synthetic; "
                        "not to be taken as patient data)")
