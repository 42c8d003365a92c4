"""Dataset folders and files as the report names them: resolved against the project root, displayed
without machine paths, hashed (SHA-256).

Examples
--------
>>> from analysis.report.files import display_path, resolve_data_dir
>>> resolve_data_dir("data/synthetic").name
'synthetic'
>>> display_path(resolve_data_dir("data/synthetic"))
'data/synthetic'
"""

from __future__ import annotations

import os
from pathlib import Path

from analysis.data.provenance import sha256_file  # noqa: F401 -- one definition, re-exported
from analysis.paths import DATA, ROOT


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
    """SHA-256 of every regular file directly inside the dataset folder, by file name (of the workbook file
    when the dataset is an Excel workbook)."""
    d = resolve_data_dir(data_dir)
    if d.is_file():
        return {d.name: sha256_file(d)}
    if not d.is_dir():
        return {}
    return {p.name: sha256_file(p) for p in sorted(d.iterdir()) if p.is_file() and not p.name.startswith(".")}
