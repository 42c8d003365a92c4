"""Fixtures shared by several test modules."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis.paths import TESTS

MINI = TESTS / "fixtures" / "mini"


@pytest.fixture
def ds(tmp_path: Path) -> Path:
    """A fresh copy of the valid hand-made mini dataset (tests/fixtures/mini/), free to break."""
    d = tmp_path / "ds"
    shutil.copytree(MINI, d)
    return d


#: Prefixes of absolute paths on a developer's or CI machine; generated outputs must show none of them.
MACHINE_PATH_PREFIXES = tuple(f"/{top}/" for top in ("work", "tmp", "root", "home"))
