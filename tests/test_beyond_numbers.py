"""The numbers.json keys beyond the paper (issue 14) agree with an independent R 4.2 computation.

Reference values: ``tests/r/fixtures/beyond_numbers_<name>.json``, written by
``tests/r/beyond_numbers.R`` (R ``wilcox.test(conf.int = TRUE)``, ``survival::survfit`` /
``survdiff``, ``p.adjust``, kappa written out) from the dataset files, for tests/fixtures/mini,
tests/fixtures/numbers/large and edge, and data/synthetic. tests/test_numbers_r_parity.py merges these
fixtures into the dataset references and requires 1e-9 relative agreement (1e-12 absolute where R's value
is 0) and null where R gives NA. Here: the fixtures hold exactly the new keys, the keys cover every
group and setting, and the bootstrap limits of the ratio of medians, which cannot come from R (numpy's
PCG64 stream), are checked against a resampling written out in the test.
"""

from __future__ import annotations

import hashlib
import json
import numpy as np
import pytest

from analysis.paths import ROOT, TESTS

FIXTURES = TESTS / "r" / "fixtures"
DATASETS = {"mini": "tests/fixtures/mini", "large": "tests/fixtures/numbers/large",
            "edge": "tests/fixtures/numbers/edge", "missing": "tests/fixtures/numbers/missing",
            "noprogression": "tests/fixtures/numbers/noprogression", "synthetic": "data/synthetic"}
PREFIXES = ("paired.", "km.", "multiplicity.", "agreement.")
SUFFIXES = (".hl", ".hl_lower", ".hl_upper", ".rbc")


def _beyond(keys):
    return {k for k in keys if k.startswith(PREFIXES) or k.endswith(SUFFIXES)}


_CACHE: dict = {}


def _numbers(name):
    if name not in _CACHE:
        from test_numbers_r_parity import _dataset  # the datasets with missing values, read as that test does

        from analysis import params
        from analysis.study.numbers import compute_numbers

        _CACHE[name] = compute_numbers(_dataset(name), params.defaults())
    return _CACHE[name]


def _ref(name):
    ref = json.loads((FIXTURES / f"beyond_numbers_{name}.json").read_text(encoding="utf-8"))
    folder = ROOT / DATASETS[name]
    now = {f.name: hashlib.md5(f.read_bytes()).hexdigest() for f in sorted(folder.glob("*.csv"))}
    assert ref["_meta"]["md5"] == now, f"regenerate with `Rscript tests/r/beyond_numbers.R` ({name} changed)"
    assert ref["_meta"]["r_version"].startswith("R version 4.2")
    return {k: v for k, v in ref.items() if k != "_meta"}


@pytest.mark.parametrize("name", list(DATASETS))
def test_the_r_reference_holds_exactly_the_new_keys(name):
    """Values: tests/test_numbers_r_parity.py compares every key of this fixture with numbers.json (1e-9)."""
    ref = _ref(name)
    got = _numbers(name)
    new = _beyond(got) - {k for k in got if k.endswith((".ratio_lower", ".ratio_upper"))}
    assert new == set(ref), (sorted(new - set(ref)), sorted(set(ref) - new))


def test_the_new_keys_cover_every_group_setting_and_test():
    got = _numbers("mini")
    for g in ("all", "group1", "group2"):
        for s in ("p", "hl", "hl_lower", "hl_upper", "n", "ratio_median", "ratio_lower", "ratio_upper"):
            assert f"paired.ttp.{g}.{s}" in got
        for s in ("p", "hl", "hl_lower", "hl_upper", "n"):
            assert f"paired.volume.{g}.{s}" in got
        for k in ("chemo", "tace"):
            for s in ("median", "median_lower", "median_upper"):
                assert f"km.{k}.{g}.{s}" in got
    assert {"km.chemo.logrank.p", "km.tace.logrank.p", "table4.group2.ttp.rbc",
            "multiplicity.table2.before.holm", "agreement.recist_volumetric.kappa"} <= set(got)
    assert "test" in got["_meta"]["tests"]["paired.ttp.all.p"]


def test_the_datasets_exercise_exact_and_normal_paired_tests_and_unreached_medians():
    large = _numbers("large")
    assert large["paired.volume.all.n"] >= 50  # normal approximation with uniroot limits
    mini = _numbers("mini")
    assert mini["km.tace.all.median_upper"] is None  # not reached: null, as R's NA
    assert mini["paired.ttp.all.n"] < 50


def test_bootstrap_limits_are_percentiles_of_resampled_pairs_with_the_params_seed():
    """Resampling written out: numpy PCG64 with seed 20221027, 10,000 resamples of the pairs."""
    from analysis.data import load_dataset
    from analysis.study.paired import ttp_pairs

    got = _numbers("mini")
    pairs = ttp_pairs(load_dataset(ROOT / DATASETS["mini"]))
    x, y = pairs["ttp_tace"].to_numpy(float), pairs["ttp_chemo"].to_numpy(float)
    idx = np.random.default_rng(20221027).integers(0, x.size, size=(10000, x.size))
    r = np.median(x[idx], axis=1) / np.median(y[idx], axis=1)
    assert got["paired.ttp.all.ratio_lower"] == pytest.approx(float(np.quantile(r, 0.025)), rel=1e-12)
    assert got["paired.ttp.all.ratio_upper"] == pytest.approx(float(np.quantile(r, 0.975)), rel=1e-12)
    assert got["paired.ttp.all.ratio_median"] == pytest.approx(float(np.median(x) / np.median(y)), rel=1e-12)
