"""The command line as a user meets it: exit codes, messages without tracebacks, `make help`."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from analysis.paths import ROOT


def run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "analysis", *args], cwd=cwd, capture_output=True, text=True)


def test_no_command_is_a_usage_error():
    r = run()
    assert r.returncode == 2
    assert "usage:" in r.stderr


def test_unknown_parameter_exits_2_with_its_name_and_no_traceback():
    r = run("numbers", "--data", "tests/fixtures/mini", "--out", "unused.json", "-p", "colour=blue")
    assert r.returncode == 2
    assert "unknown parameter 'colour'" in r.stderr
    assert "Traceback" not in r.stderr
    assert not (ROOT / "unused.json").exists()


def test_params_lists_every_registered_parameter():
    from analysis.params import PARAMS

    r = run("params")
    assert r.returncode == 0
    for name in PARAMS:
        assert name in r.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="make not installed")
def test_make_help_is_the_default_target_and_lists_the_main_commands():
    r = subprocess.run(["make", "--no-print-directory"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    for target in ("setup", "reproduce", "test", "lab", "clean", "bench"):
        assert target in r.stdout
