"""No result depends on wall-clock time (issue 13, item 4): the audit and the synthetic cohort come out byte for
byte the same on a machine whose every core is kept busy by a competing process.

The reference for the audit is a run on the idle machine; the reference for the synthetic cohort is the committed
cohort (``data/synthetic/``, which tests/test_synth.py regenerates on the idle machine). Solvers carry node
limits, never time limits (:data:`analysis.paper.feasibility.milp.NODE_LIMIT`), so a slow solve can change how long
a run takes but not what it writes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from analysis import paths

ROOT = paths.ROOT


@contextmanager
def busy_cores():
    """One process spinning ``while True: pass`` per core for the duration of the block."""
    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 1)]
    try:
        yield procs
    finally:
        for p in procs:
            p.kill()
            p.wait()


def _run(args: list[str]) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-m", "analysis", *args], check=True, cwd=ROOT, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _files(d: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(d.iterdir()) if p.is_file()}


def test_no_solver_in_the_analysis_is_given_a_time_limit():
    src = "\n".join(p.read_text(encoding="utf-8") for sub in ("paper", "synth")
                    for p in (ROOT / "analysis" / sub).rglob("*.py"))
    assert "time_limit" not in src
    from analysis.paper.feasibility.milp import DETERMINISTIC, NODE_LIMIT

    assert DETERMINISTIC["threads"] == 1 and isinstance(NODE_LIMIT, int)


@pytest.mark.slow
def test_audit_is_byte_identical_on_a_busy_machine(tmp_path):
    _run(["audit", "--out", str(tmp_path / "idle")])
    with busy_cores():
        _run(["audit", "--out", str(tmp_path / "busy")])
    idle, busy = _files(tmp_path / "idle"), _files(tmp_path / "busy")
    assert set(idle) == {"audit.csv", "audit.md"}
    assert idle == busy


@pytest.mark.slow
def test_synthetic_cohort_is_byte_identical_on_a_busy_machine(tmp_path):
    with busy_cores():
        _run(["synthesize", "--out", str(tmp_path / "busy")])
    busy = _files(tmp_path / "busy")
    committed = _files(paths.SYNTHETIC)
    for name, data in busy.items():
        assert data == committed[name], name
