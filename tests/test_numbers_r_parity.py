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

import dataclasses
import hashlib
import json

import pytest

from analysis.paths import ROOT, TESTS
from conftest import r_differences

FIXTURES = TESTS / "r" / "fixtures"
# must match NUMBERS_DATASETS in tests/r/dataset_numbers.R
DATASETS = {"mini": "tests/fixtures/mini", "large": "tests/fixtures/numbers/large",
            "edge": "tests/fixtures/numbers/edge", "missing": "tests/fixtures/numbers/missing",
            "noprogression": "tests/fixtures/numbers/noprogression", "synthetic": "data/synthetic"}
AVAILABLE = [n for n in DATASETS if (FIXTURES / f"numbers_{n}.json").exists()]


def direct_dataset(folder):
    """A Dataset read straight from the CSV files, typed by the schema, WITHOUT validation.

    For datasets with missing measurements while the validator may still refuse them (issue 12 is
    done in two halves): empty cells are NaN / NA, an absent progression.csv or lesions.csv is None.
    """
    import pandas as pd

    from analysis.data import Dataset
    from analysis.data.schema import resources

    frames = {}
    for name, res in resources().items():
        f = folder / f"{name}.csv"
        if not f.exists():
            frames[name] = None
            continue
        raw = pd.read_csv(f, dtype=str, keep_default_na=False)
        df = pd.DataFrame(index=pd.RangeIndex(len(raw)))
        for fld in res["schema"]["fields"]:
            col = raw[fld["name"]] if fld["name"] in raw else pd.Series([""] * len(raw), dtype=object)
            blank = col == ""
            if fld["type"] == "integer":
                df[fld["name"]] = pd.to_numeric(col.where(~blank, None)).astype("Int64")
            elif fld["type"] == "number":
                df[fld["name"]] = pd.to_numeric(col.where(~blank, None)).astype("float64")
            elif fld["type"] == "boolean":
                df[fld["name"]] = col.map({"true": True, "false": False, "": None}).astype("boolean")
            else:
                df[fld["name"]] = col.where(~blank, None).astype(object)
        frames[name] = df
    frames["patients"]["group"] = frames["patients"]["group"].astype("int64")
    return Dataset(name=folder.name, path=folder, sha256={}, **frames)


def _dataset(name):
    """load_dataset, or (missing measurements refused by a validator that predates issue 12) a direct read."""
    from analysis.data import DatasetInvalid, load_dataset

    try:
        return load_dataset(ROOT / DATASETS[name])
    except DatasetInvalid:
        if name not in ("missing", "noprogression"):
            raise
        return direct_dataset(ROOT / DATASETS[name])


def _numbers(name):
    from analysis import params
    from analysis.study.numbers import compute_numbers

    return compute_numbers(_dataset(name), params.defaults())


def test_the_r_reference_covers_at_least_three_datasets():
    assert {"mini", "large", "edge", "missing", "noprogression"} <= set(AVAILABLE)


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
    bad = r_differences(got, ref)
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


def test_complete_cases_drop_each_patient_only_from_the_analyses_that_need_the_missing_value():
    """``missing`` = ``large`` with, per group, a blank V0 volume, a blank V1 volume, a patient without
    follow-up, one without progression rows, a blank age and a blank V1 sum without lesions; group 2 also
    loses one chemo row (tests/fixtures/numbers/make_missing.py). The n are counted by hand from ``large``."""
    large, miss = _numbers("large"), _numbers("missing")
    for g in ("group1", "group2"):
        assert miss[f"table2.before.{g}.n"] == large[f"table2.before.{g}.n"] - 1  # blank V0
        assert miss[f"table2.after.{g}.n"] == large[f"table2.after.{g}.n"] - 2  # blank V1 + no follow-up
        assert miss[f"recist.{g}.n"] == large[f"recist.{g}.n"] - 1  # no follow-up (blank sum: NE, kept)
        assert miss[f"recist.{g}.NE.n"] == large[f"recist.{g}.NE.n"] + 1
        assert miss[f"table3.tace.{g}.n"] == large[f"table3.tace.{g}.n"] - 1  # no progression rows
    assert miss["table1.age.n"] == large["table1.age.n"] - 2
    assert miss["n.patients"] == large["n.patients"] == 110  # nobody dropped from the cohort
    assert miss["table3.chemo.group2.n"] == large["table3.chemo.group2.n"] - 1  # L086 (L083 had no chemo row)
    assert miss["_meta"]["not_available"] == {}


def test_without_progression_csv_ttp_is_not_available_and_the_rest_is_computed():
    miss, nop = _numbers("missing"), _numbers("noprogression")
    effect = (".hl", ".hl_lower", ".hl_upper", ".rbc")  # issue 14's effect sizes beside each p
    ttp = [k for k in nop if (k.startswith("table3.") or (k.startswith("table4.") and ".ttp." in k + "."))
           and not k.endswith(effect)]
    assert len(ttp) == 2 * 14 + 2 * (2 * 6 + 2)  # Table 3: 2 settings x 14; Table 4 TTP: 2 groups x 14
    assert all(nop[k] is None for k in ttp)
    assert all(nop["_meta"]["undefined"][k].startswith("not available") for k in ttp)
    assert set(nop["_meta"]["not_available"]) == {"table3", "table4.ttp", "kaplan_meier"}
    # issue 14: Kaplan-Meier, paired TTP and the TTP effect sizes are not available; the adjusted family
    # has three tests fewer, so every adjusted p may change
    beyond = [k for k in nop if k.startswith(("km.", "paired.ttp.", "multiplicity."))
              or ((k.startswith("table3.") or ".ttp." in k) and k.endswith(effect))]
    assert all(nop[k] is None for k in beyond if not k.endswith(".n") and not k.startswith("multiplicity."))
    ttp += beyond
    same = [k for k in miss if k != "_meta" and k not in ttp]
    assert [k for k in same if miss[k] != nop[k]] == []  # Tables 1-2, Table 4 dV, regression, RECIST unchanged


def test_an_absent_progression_file_and_an_empty_progression_table_give_the_same_numbers():
    """The loader may give an absent progression.csv as None or as an empty table with its columns."""
    import pandas as pd

    from analysis import params
    from analysis.study.numbers import compute_numbers

    ds = _dataset("noprogression")
    cols = ["patient_id", "setting", "start_day", "end_day", "progressed"]
    ds_none = dataclasses.replace(ds, progression=None)
    ds_empty = dataclasses.replace(ds, progression=pd.DataFrame({c: pd.Series([], dtype=object) for c in cols}))
    a, b = compute_numbers(ds_none, params.defaults()), compute_numbers(ds_empty, params.defaults())
    a.pop("_meta")["versions"], b.pop("_meta")["versions"]
    assert a == b and a["table3.tace.group1.n"] is None
