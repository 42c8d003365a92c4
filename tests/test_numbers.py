"""numbers.json: every required key, types, nulls with reasons, determinism."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from analysis import params
from analysis.paths import ROOT, TESTS

MINI = TESTS / "fixtures" / "mini"
EDGE = TESTS / "fixtures" / "numbers" / "edge"
G = ("group1", "group2")
S = ("immediate", "after_chemo")


def design_keys() -> list[str]:
    """Every key numbers.json must hold, spelled out here by hand (not taken from the code)."""
    keys = ["n.patients", "n.tace"]
    for g in G:
        keys.append(f"n.{g}")
        keys += [f"n.{g}.{s}" for s in S]
    keys += [f"table1.age.{x}" for x in ("mean", "sd", "min", "max")]
    keys += [f"table1.t_stage.{t}.n" for t in ("T1", "T2", "T3", "T4")]
    keys += [f"table1.primary_site.{site}.n" for site in ("pancreas", "small_intestine", "lung", "prostate")]
    for part in ("before", "after"):
        keys += [f"table2.{part}.{g}.{q}" for g in G for q in ("median", "q1", "q3")]
        keys.append(f"table2.{part}.p")
    for part in ("chemo", "tace"):
        keys += [f"table3.{part}.{g}.{q}" for g in G for q in ("median", "q1", "q3")]
        keys.append(f"table3.{part}.p")
    for g in G:
        for s in S:
            keys += [f"table4.{g}.{s}.{v}.{q}" for v in ("volume_change", "ttp") for q in ("median", "q1", "q3")]
        keys += [f"table4.{g}.volume_change.p", f"table4.{g}.ttp.p"]
        keys += [f"regression.{g}.{x}" for x in ("r2", "slope", "intercept", "p", "n")]
        keys += [f"recist.{g}.{c}.n" for c in ("CR", "PR", "SD", "PD")]
    return keys


@pytest.fixture(scope="module")
def mini_numbers():
    from analysis.data import load_dataset
    from analysis.study.numbers import compute_numbers

    return compute_numbers(load_dataset(MINI), params.defaults())


def test_every_design_key_is_present(mini_numbers):
    missing = [k for k in design_keys() if k not in mini_numbers]
    assert not missing


def test_counts_are_ints_and_statistics_floats(mini_numbers):
    for k, v in mini_numbers.items():
        if k == "_meta" or v is None:
            continue
        if k.startswith("n.") or k.endswith(".n"):
            assert type(v) is int, k
        else:
            assert type(v) is float, k


def test_mini_counts_match_the_fixture_files(mini_numbers):
    # patients.csv: 12 rows, S01-S06 group 1 (3 immediate, 3 after_chemo), S07-S12 group 2 (3 + 3);
    # procedures.csv: 17 rows
    assert mini_numbers["n.patients"] == 12 and mini_numbers["n.tace"] == 17
    assert [mini_numbers[f"n.{g}.{s}"] for g in G for s in S] == [3, 3, 3, 3]
    # ages 58 64 47 71 39 66 53 76 61 44 69 57: sum 705 -> mean 58.75; min 39, max 76
    assert mini_numbers["table1.age.mean"] == pytest.approx(58.75, rel=1e-12)
    assert (mini_numbers["table1.age.min"], mini_numbers["table1.age.max"]) == (39.0, 76.0)
    # S04 sums 86 -> 55 (PR), S11 new lesion (PD)
    assert mini_numbers["recist.group1.PR.n"] == 1 and mini_numbers["recist.group2.PD.n"] == 1


def test_mini_table3_chemo_group1_quartiles_by_hand(mini_numbers):
    # group 1 chemo rows: S04 241-38 = 203, S05 168-27 = 141, S06 319-61 = 258 -> sorted 141 203 258
    # R type 7: q1 at h = (3-1)*0.25 = 0.5 -> 141 + 0.5*62 = 172; median 203; q3 = 203 + 0.5*55 = 230.5
    assert [mini_numbers[f"table3.chemo.group1.{q}"] for q in ("q1", "median", "q3")] == [172.0, 203.0, 230.5]


def test_p_values_name_their_test_and_method(mini_numbers):
    tests = mini_numbers["_meta"]["tests"]
    for k in design_keys():
        if k.endswith(".p"):
            assert k in tests and tests[k]["test"] and tests[k]["method"], k
    # 3 vs 3 volume changes without ties: exact (R wilcox.test rule)
    assert tests["table4.group1.volume_change.p"]["method"] == "exact"


def test_meta_records_dataset_hashes_parameters_and_versions(mini_numbers):
    meta = mini_numbers["_meta"]
    assert meta["dataset"] == "mini" and meta["is_synthetic"] is True
    assert set(meta["sha256"]) >= {"patients.csv", "procedures.csv", "imaging.csv", "progression.csv"}
    assert all(len(h) == 64 for h in meta["sha256"].values())
    assert meta["parameters"]["quantile_type"] == 7 and meta["parameters"]["mwu_method"] == "r"
    # the libraries that compute numbers (pingouin and lifelines are test cross-checks only)
    assert set(meta["versions"]) == {"python", "numpy", "pandas", "scipy", "statsmodels"}


def test_uncomputable_statistics_are_null_with_a_reason():
    from analysis.data import load_dataset
    from analysis.study.numbers import compute_numbers

    nums = compute_numbers(load_dataset(EDGE), params.defaults())
    # edge: group 1 has no after_chemo patient, two finite doubling times, group 2 TTPs all 300
    for key in ("table4.group1.after_chemo.ttp.median", "table4.group1.ttp.p", "regression.group1.p",
                "table4.group2.ttp.p"):
        assert nums[key] is None, key
        assert nums["_meta"]["undefined"][key], key
    # two points (E03: DT = 90 ln2 / ln(20/40) = -90, dV = -20; E04: DT = 90 ln2 / ln(24/30), dV = -6):
    # R's lm gives the line through them, R² = 1
    assert nums["regression.group1.n"] == 2 and nums["regression.group1.r2"] == pytest.approx(1.0)
    dt4 = 90 * 0.6931471805599453 / math.log(24 / 30)
    assert nums["regression.group1.slope"] == pytest.approx((-6 - -20) / (dt4 - -90), rel=1e-9)
    assert nums["_meta"]["undefined"]["doubling_time.group1"] == {
        "E01": "V0 = 0", "E02": "V1 = V0 (no volume change)"}
    assert nums["doubling_time.group1.undefined.n"] == 2


def test_quantile_type_parameter_changes_the_quartiles():
    from analysis.data import load_dataset
    from analysis.study.numbers import compute_numbers

    nums = compute_numbers(load_dataset(MINI), params.resolve({"quantile_type": 6}))
    # type 6: p(n+1) = 0.25*4 = 1 -> q1 = 141 (first value); 0.75*4 = 3 -> q3 = 258
    assert nums["table3.chemo.group1.q1"] == 141.0 and nums["table3.chemo.group1.q3"] == 258.0
    assert nums["_meta"]["parameters"]["quantile_type"] == 6


def test_write_numbers_is_sorted_nan_free_and_byte_identical_on_rerun(tmp_path, mini_numbers):
    from analysis.study.numbers import write_numbers

    a, b = tmp_path / "a.json", tmp_path / "sub" / "b.json"
    write_numbers(mini_numbers, a)
    write_numbers(mini_numbers, b)
    text = a.read_text(encoding="utf-8")
    assert a.read_bytes() == b.read_bytes()
    assert "NaN" not in text and "Infinity" not in text
    keys = list(json.loads(text))
    assert keys == sorted(keys)
    assert not list(tmp_path.glob(".*.tmp"))  # no temporary file left behind


def test_write_numbers_refuses_nan_instead_of_writing_invalid_json(tmp_path):
    from analysis.study.numbers import write_numbers

    with pytest.raises(ValueError):
        write_numbers({"x": float("nan")}, tmp_path / "x.json")
    assert not (tmp_path / "x.json").exists()


@pytest.mark.slow
def test_cli_numbers_writes_the_same_bytes_twice(tmp_path):
    outs = []
    for i in range(2):
        out = tmp_path / f"n{i}.json"
        r = subprocess.run([sys.executable, "-m", "analysis", "numbers", "--data", str(MINI), "--out", str(out)],
                           cwd=ROOT, capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


def test_numbers_cli_refuses_too_many_target_lesions_naming_patient_and_day(tmp_path):
    import shutil

    data = tmp_path / "six_targets"
    shutil.copytree(MINI, data)
    with open(data / "lesions.csv", "a", encoding="utf-8") as fh:
        for i in range(3, 7):  # S01 has L1, L2 at day 12: add 4 more targets in other organs -> 6
            fh.write(f"S01,X{i},12,target,organ{i},false,present,20,15,15,3.0,homogeneous\n")
    out = tmp_path / "n.json"
    r = subprocess.run([sys.executable, "-m", "analysis", "numbers", "--data", str(data), "--out", str(out)],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 1, r.stderr
    assert "patient S01, exam day 12: 6 target lesions" in r.stderr
    assert "Traceback" not in r.stderr and not out.exists()
