"""The results bundle behind the notebooks (analysis.report.results): content keys and the SGR sensitivity fit."""

from __future__ import annotations

import math
import shutil

import pandas as pd
import pytest

from analysis.report import bundle, results
from analysis.study import growth, overview
from analysis.paths import ROOT, TESTS

MINI = TESTS / "fixtures" / "mini"


def test_results_key_changes_with_data_bytes_and_result_parameters_only(tmp_path):
    data = tmp_path / "mini"
    shutil.copytree(MINI, data)
    k0 = results.results_key(data, {})
    assert results.results_key(data, {"out_dir": "elsewhere", "data_dir": "x"}) == k0  # not result parameters
    assert results.results_key(data, {"quantile_type": 6}) != k0
    with open(data / "imaging.csv", "a") as f:
        f.write("\n")
    assert results.results_key(data, {}) != k0


def test_relative_dataset_paths_are_taken_from_the_project_root():
    assert results.resolve_data_dir("tests/fixtures/mini") == ROOT / "tests" / "fixtures" / "mini"
    assert results.display_path(ROOT / "tests" / "fixtures" / "mini") == "tests/fixtures/mini"


def test_sgr_regression_recovers_an_exact_line():
    # volume change = 10 + 2000 * SGR exactly in group 1 (by construction): R² = 1, slope 2000, intercept 10
    sgr = [-0.01, -0.005, 0.0, 0.004]
    pp = pd.DataFrame({"group": [1, 1, 1, 1, 2, 2], "sgr": sgr + [0.1, float("nan")],
                       "volume_change": [10 + 2000 * s for s in sgr] + [1.0, 2.0]})
    fit = growth.sgr_regression(pp).set_index("group")
    assert fit.loc["group1", "n"] == 4
    assert fit.loc["group1", "r2"] == pytest.approx(1.0)
    assert fit.loc["group1", "slope"] == pytest.approx(2000.0)
    assert fit.loc["group1", "intercept"] == pytest.approx(10.0)
    # group 2 has one usable patient: no fit, reported as NaN rather than dropped
    assert fit.loc["group2", "n"] == 1 and math.isnan(fit.loc["group2", "r2"])


def test_statement_says_real_only_when_declared_and_never_guesses_it():
    assert "SYNTHETIC" in overview.statement("s", "data/s", "synthetic", 3, 4)
    assert "SYNTHETIC" in overview.statement("s", "data/s", True, 3, 4)
    assert "real de-identified" in overview.statement("r", "data/r", "real", 3, 4)
    for undeclared in ("provenance not declared", False):  # "not synthetic" is not "real"
        text = overview.statement("u", "data/u", undeclared, 3, 4)
        assert "provenance not declared" in text and "real de-identified" not in text


def test_overview_of_an_invalid_dataset_lists_its_problems_instead_of_failing(tmp_path):
    bad = tmp_path / "bad"
    shutil.copytree(MINI, bad)
    (bad / "imaging.csv").unlink()  # a required file (an absent progression.csv is only a warning)
    ov = bundle.compute_overview(bad)
    assert ov["ok"] is False and any("imaging.csv" in p for p in ov["problems"])
