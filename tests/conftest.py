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


@pytest.fixture(scope="session")
def article_audit(tmp_path_factory):
    """``python -m analysis audit`` on the article, run once: (audit.csv as a frame, audit.md text)."""
    import pandas as pd

    from analysis.cli import main

    out = tmp_path_factory.mktemp("audit")
    assert main(["audit", "--out", str(out)]) == 0
    return pd.read_csv(out / "audit.csv", keep_default_na=False), (out / "audit.md").read_text(encoding="utf-8")
