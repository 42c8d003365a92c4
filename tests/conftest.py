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


def r_differences(got: dict, ref: dict) -> list[tuple]:
    """``(key, python, R)`` for each key of ``ref`` whose value in ``got`` is not R's: 1e-9 relative (1e-12
    absolute for values that are 0), and None exactly where R gives NA."""
    import math

    bad = []
    for key in sorted(ref):
        r, p = ref[key], got[key]
        if r is None or p is None:
            if r is not p:
                bad.append((key, p, r))
        elif not math.isclose(p, r, rel_tol=1e-9, abs_tol=1e-12):
            bad.append((key, p, r))
    return bad
