"""The validated-dataset cache: what :func:`analysis.data.load_dataset` builds from a dataset (its typed
tables, warnings and metadata), kept on disk so that loading the same files again does not validate them
again (every notebook of ``reproduce`` loads the dataset in its own fresh kernel).

Correct by construction: an entry is found only under its key, the SHA-256 of

- the bytes of every file validation reads (``patients.csv`` ... ``lesions.csv`` and the dataset's own
  ``datapackage.json``; for a workbook, the workbook and its file name, which the messages show),
- every source file of ``analysis/data/`` and of the foundation it imports (``analysis/errors.py``,
  ``analysis/paths.py``) and every file of the bundled schema ``data/schema/``,
- the versions of Python, pandas, numpy and frictionless,

so any changed byte, schema or validation code misses (the dataset is validated again and the entry
written). Only accepted datasets are stored; a refused one is validated, and refused, every time.

Entries live in ``.cache/dataset/`` of the project (:data:`CACHE_DIR`), one file per key: a header, the
SHA-256 of the payload, then the payload (a pickle written by this module). An entry that is truncated,
corrupt, from another version or unreadable is ignored, never an error: the dataset is validated again
and the entry overwritten. The oldest entries beyond :data:`KEEP` are removed. ``make clean`` removes
the whole ``.cache/`` folder (or delete ``.cache/dataset/``).

Examples
--------
>>> from analysis.paths import TESTS
>>> key = dataset_key(TESTS / "fixtures" / "mini")
>>> len(key), key == dataset_key(TESTS / "fixtures" / "mini")
(64, True)
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

from analysis.paths import DATA, ROOT

CACHE_DIR = ROOT / ".cache" / "dataset"
KEEP = 8  # entries kept (the least recently used removed first)
_MAGIC = b"tace-net validated dataset 1\n"
#: the files of a dataset folder that validation reads (besides these it only lists the folder on an error)
_DATASET_FILES = ("patients.csv", "procedures.csv", "imaging.csv", "progression.csv", "lesions.csv",
                  "datapackage.json")


def _sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes (hex), read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:  # pragma: no cover - every one is pinned
        return "-"


@functools.lru_cache(maxsize=1)
def code_key() -> str:
    """SHA-256 over the validation code (``analysis/data/``, ``analysis/errors.py``, ``analysis/paths.py``),
    the bundled schema (``data/schema/``) and the versions of Python and the libraries that read the data.

    Examples
    --------
    >>> len(code_key())
    64
    """
    package = ROOT / "analysis"
    files = sorted((package / "data").rglob("*.py")) + [package / "errors.py", package / "paths.py"]
    files += sorted(p for p in (DATA / "schema").rglob("*") if p.is_file())
    h = hashlib.sha256()
    for p in files:
        h.update(p.relative_to(ROOT).as_posix().encode() + b"\0" + _sha256_file(p).encode() + b"\n")
    versions = [sys.version.split()[0]] + [_version(d) for d in ("pandas", "numpy", "frictionless")]
    h.update(" ".join(versions).encode())
    return h.hexdigest()


def dataset_key(path: Path | str) -> str:
    """The cache key of a dataset folder or workbook: SHA-256 over its files' bytes and :func:`code_key`.

    Parameters
    ----------
    path : Path or str
        The dataset folder or ``.xlsx`` workbook.

    Returns
    -------
    str
        64 hex digits; equal for equal files (wherever the folder is), different when any byte of a file
        validation reads, the validation code or the schema differs.

    References
    ----------
    FIPS 180-4 (SHA-256).

    Examples
    --------
    >>> from analysis.paths import TESTS
    >>> dataset_key(TESTS / "fixtures" / "mini") != dataset_key(TESTS / "fixtures" / "numbers" / "edge")
    True
    """
    path = Path(path)
    h = hashlib.sha256(code_key().encode() + b"\n")
    if path.is_file():  # a workbook: its name is part of every message ("study.xlsx[imaging]:3: ...")
        h.update(b"workbook\0" + path.name.encode() + b"\0" + _sha256_file(path).encode() + b"\n")
        return h.hexdigest()
    for name in _DATASET_FILES:
        f = path / name
        h.update(name.encode() + b"\0" + (_sha256_file(f).encode() if f.is_file() else b"absent") + b"\n")
    return h.hexdigest()


def _entry(key: str) -> Path:
    return CACHE_DIR / f"{key}.pickle"


def load_entry(key: str) -> dict[str, Any] | None:
    """The cached entry of ``key``, or None when there is none or it cannot be read whole (never raises)."""
    try:
        data = _entry(key).read_bytes()
        if not data.startswith(_MAGIC):
            return None
        digest, payload = data[len(_MAGIC):len(_MAGIC) + 64], data[len(_MAGIC) + 65:]
        if hashlib.sha256(payload).hexdigest().encode() != digest:
            return None  # truncated or corrupt: never unpickled
        entry = pickle.loads(payload)
        if not isinstance(entry, dict) or entry.get("key") != key:
            return None
        os.utime(_entry(key))  # recently used: pruned last
        return entry
    except Exception:  # unreadable, incompatible: validate again
        return None


def store_entry(key: str, entry: dict[str, Any]) -> None:
    """Write an entry atomically (temporary file, then rename) and prune the oldest; a cache that cannot be
    written (read-only project, full disk) is silently skipped."""
    tmp = None
    try:
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        payload = pickle.dumps(dict(entry, key=key), protocol=pickle.HIGHEST_PROTOCOL)
        fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=CACHE_DIR)
        with os.fdopen(fd, "wb") as f:
            f.write(_MAGIC + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
        os.replace(tmp, _entry(key))
        tmp = None
        entries = sorted(CACHE_DIR.glob("*.pickle"), key=lambda p: p.stat().st_mtime)
        for old in entries[:-KEEP]:
            old.unlink(missing_ok=True)
    except Exception:  # the cache is an optimisation: never a reason to fail a load
        pass
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
