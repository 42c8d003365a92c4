"""`python -m analysis validate DIR` (README, "Commands"): exit 0 valid, 1 invalid, 2 usage error.

Run as a real subprocess so the exit status and the streams are what a user sees.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from analysis.paths import ROOT, SYNTHETIC, TESTS

MINI = TESTS / "fixtures" / "mini"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_valid_dataset_exits_0():
    r = run("validate", str(SYNTHETIC))
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"{SYNTHETIC}: valid\n" and r.stderr == ""


def test_dataset_with_missing_measurements_exits_0_and_prints_the_warnings():
    # the mini fixture: S06 (patients.csv line 7) has no sex, procedures.csv line 13 no adverse_event_grade
    warned = "missing measurement (empty cell); the analyses that need it leave this row out"
    r = run("validate", str(MINI))
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"{MINI}: valid (2 warnings)\n"
    assert r.stderr.splitlines() == [f"warning: patients.csv:7: sex: (empty): {warned}",
                                     f"warning: procedures.csv:13: adverse_event_grade: (empty): {warned}"]


def test_strict_makes_warnings_errors():
    r = run("validate", "--strict", str(MINI))
    assert r.returncode == 1
    assert r.stderr.splitlines()[-1] == f"{MINI}: INVALID (0 errors, 2 warnings refused by --strict)"
    r = run("validate", "--strict", "--data", str(SYNTHETIC))
    assert r.returncode == 0, r.stderr


def test_invalid_dataset_exits_1_and_lists_every_problem_without_traceback(ds):
    text = (ds / "patients.csv").read_text()
    text = text.replace("S01,1,immediate,58", "S01,3,immediate,58").replace("S02,1,immediate,64,M",
                                                                           "S02,1,later,64,M")
    (ds / "patients.csv").write_text(text)
    (ds / "progression.csv").unlink()
    r = run("validate", str(ds))
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    lines = r.stderr.splitlines()
    assert "patients.csv:2: group: 3: must be one of: 1, 2" in lines
    assert any(x.startswith("patients.csv:3: tace_timing: later: must be one of") for x in lines)
    assert "warning: progression.csv:-: -: -: no progression data: the time-to-progression analyses are not " \
           "available; every other analysis runs" in lines
    assert lines[-1].endswith("INVALID (2 errors, 3 warnings)")


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04\x14\x00junk", "a;b\n1,5;2\n".encode(),
                                     "patient_id,x\nS01,ы\n".encode("cp1251")])
def test_unreadable_files_exit_1_without_traceback(ds, content):
    (ds / "patients.csv").write_bytes(content)
    r = run("validate", str(ds))
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    assert r.stderr.startswith("patients.csv:")


def test_missing_argument_is_a_usage_error():
    r = run("validate")
    assert r.returncode == 2
    assert "Traceback" not in r.stderr


def test_nonexistent_folder_is_a_usage_error(tmp_path):
    r = run("validate", str(tmp_path / "no-such-dir"))
    assert r.returncode == 2
    assert "no such directory" in r.stderr and "Traceback" not in r.stderr


def test_datadict_command_prints_the_dictionary():
    r = run("datadict")
    assert r.returncode == 0
    assert r.stdout.startswith("<!-- Generated from data/schema/datapackage.json")
