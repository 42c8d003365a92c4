"""Where the project's own files live: the repository layout (README, section "Package map")."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SCHEMA = DATA / "schema" / "datapackage.json"
PUBLISHED = DATA / "published"
SYNTHETIC = DATA / "synthetic"
NOTEBOOKS = ROOT / "notebooks"
TESTS = ROOT / "tests"
