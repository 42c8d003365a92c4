"""numbers.json of whole datasets agrees with an independent R 4.2 computation.

The reference values in ``tests/r/fixtures/numbers_<name>.json`` are written by
``tests/r/dataset_numbers.R`` — base R (``quantile(type = 7)``, ``median``, ``sd``, ``wilcox.test``
defaults, ``lm``) implementing the README's "Statistics conventions" and the definitions in the
analysis/study module docstrings, not from the Python code.
Regenerate with ``make r-fixtures`` (or ``Rscript tests/r/dataset_numbers.R`` from the repository
root). Generated with R 4.2.2 Patched (2022-11-10 r83330), see each fixture's ``_meta.r_version``.

Every key R computes must be produced by ``compute_numbers`` with the same value (1e-9 relative;
1e-12 absolute for values that are 0) or the same null, and vice versa.
"""

from __future__ import annotations

import hashlib
import json
import math

import pytest

from analysis.paths import ROOT, TESTS

FIXTURES = TESTS / "r" / "fixtures"
# must match NUMBERS_DATASETS in tests/r/dataset_numbers.R
DATASETS = {"mini": "tests/fixtures/mini", "large": "tests/fixtures/numbers/large",
            "edge": "tests/fixtures/numbers/edge", "synthetic": "data/synthetic"}
AVAILABLE = [n for n in DATASETS if (FIXTURES / f"numbers_{n}.json").exists()]


def _numbers(name):
    from analysis import params
    from analysis.data import load_dataset
    from analysis.study.numbers import compute_numbers

    return compute_numbers(load_dataset(ROOT / DATASETS[name]), params.defaults())


def test_the_r_reference_covers_at_least_three_datasets():
    assert {"mini", "large", "edge"} <= set(AVAILABLE)


@pytest.mark.parametrize("name", AVAILABLE)
def test_every_number_equals_r_on_the_whole_dataset(name):
    ref = json.loads((FIXTURES / f"numbers_{name}.json").read_text(encoding="utf-8"))
    if not (ROOT / DATASETS[name] / "patients.csv").exists():
        pytest.skip(f"{DATASETS[name]} not present")
    assert ref["_meta"]["r_version"].startswith("R version 4.2")
    folder = ROOT / DATASETS[name]
    now = {f.name: hashlib.md5(f.read_bytes()).hexdigest() for f in sorted(folder.glob("*.csv"))}
    assert ref["_meta"]["md5"] == now, (
        f"tests/r/fixtures/numbers_{name}.json was computed from other files than {DATASETS[name]} holds "
        "now: regenerate it with `make r-fixtures` (or `Rscript tests/r/dataset_numbers.R`)")
    ref.pop("_meta")
    beyond = FIXTURES / f"beyond_numbers_{name}.json"  # tests/r/beyond_numbers.R: the keys of issue 14
    if beyond.exists():
        extra = json.loads(beyond.read_text(encoding="utf-8"))
        extra.pop("_meta")
        ref.update(extra)
    got = _numbers(name)
    got.pop("_meta")
    for key in [k for k in got if k.endswith((".ratio_lower", ".ratio_upper"))]:
        got.pop(key)  # numpy's bootstrap stream has no R equivalent (tests/test_beyond_numbers.py)
    assert set(got) == set(ref), (sorted(set(got) - set(ref)), sorted(set(ref) - set(got)))
    bad = []
    for key in sorted(ref):
        r, p = ref[key], got[key]
        if r is None or p is None:
            if r is not p:
                bad.append((key, p, r))
        elif not math.isclose(p, r, rel_tol=1e-9, abs_tol=1e-12):
            bad.append((key, p, r))
    assert not bad, f"{len(bad)} numbers differ from R (key, python, R): {bad[:20]}"


def test_the_large_dataset_exercises_both_p_value_regimes_and_nulls():
    """The fixtures must test what they claim: exact and normal p, undefined DT, null statistics."""
    large = _numbers("large")
    methods = {v["method"] for k, v in large["_meta"]["tests"].items() if k.startswith("table")}
    assert {"exact", "normal approximation with continuity correction"} <= methods
    assert large["n.group1"] >= 50 and large["n.group2"] >= 50
    assert large["_meta"]["undefined"]["doubling_time.group1"]
    edge = _numbers("edge")
    assert edge["regression.group1.n"] == 2 and edge["regression.group1.p"] is None  # 2 points: no p in R
    assert edge["table4.group2.ttp.p"] is None  # every value tied: R gives NaN
