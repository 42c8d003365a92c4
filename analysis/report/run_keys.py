"""Content keys of a reproduce run: one per executed notebook, and the manifest a run leaves in OUT."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from analysis.report.kernels import KERNEL
from analysis.report.notebooks import read_json
from analysis.report.results import sha256_file

MANIFEST = Path(".cache") / "manifest.json"


def content_hash(obj: Any) -> str:
    """SHA-256 of an object's canonical JSON (keys sorted, unknown types as text)."""
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()


def notebook_key(nb_path: Path, data: dict, code: str, nb_params: dict) -> str:
    """Cache key of one executed notebook: data hashes, code hash, the notebook's bytes, its parameters."""
    return content_hash({"data": data, "code": code, "notebook": sha256_file(nb_path), "params": nb_params,
               "kernel": KERNEL, "python": sys.version.split()[0]})


def read_manifest(out: Path) -> dict:
    """The manifest of a previous run in ``out`` (empty when there is none or it is unreadable)."""
    try:
        return read_json(out / MANIFEST)
    except (OSError, ValueError):
        return {}

