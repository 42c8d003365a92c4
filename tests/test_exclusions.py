"""The exclusions table: each patient left out of each analysis, with the reason (complete cases).

Expected rows come from the edits that tests/fixtures/numbers/make_missing.py makes to the complete
``large`` dataset (its module docstring), not from the code under test.
"""

from __future__ import annotations

import pytest

from analysis import params
from analysis.paths import TESTS
from analysis.study import tables
from analysis.study.endpoints import NO_PROGRESSION_FILE, per_patient
from analysis.study.exclusions import ANALYSES, COLUMNS, exclusions
from tests.test_numbers_r_parity import direct_dataset

NUMBERS = TESTS / "fixtures" / "numbers"


def _load(folder):
    from analysis.data import DatasetInvalid, load_dataset

    try:
        return load_dataset(folder)
    except DatasetInvalid:  # a validator predating issue 12 refuses missing measurements
        return direct_dataset(folder)


@pytest.fixture(scope="module")
def missing():
    return _load(NUMBERS / "missing")


@pytest.fixture(scope="module")
def noprog():
    return _load(NUMBERS / "noprogression")


def _rows(ex, analysis):
    sub = ex[ex["analysis"] == analysis]
    return dict(zip(sub["patient_id"], sub["reason"]))


def test_a_complete_dataset_gives_a_header_only_table():
    from analysis.data import load_dataset

    ex = exclusions(load_dataset(NUMBERS / "large"))
    # large has undefined doubling times by design (V1 = V0, V0 = 0): those are the only rows
    assert list(ex.columns) == COLUMNS
    assert set(ex["analysis"]) <= {"regression"}
    mini = exclusions(load_dataset(TESTS / "fixtures" / "mini"))
    assert list(mini.columns) == COLUMNS and set(mini["analysis"]) <= {"regression", "table3.chemo"}


def test_blank_volumes_and_missing_follow_up_are_listed_per_analysis_with_the_reason(missing):
    ex = exclusions(missing)
    v0 = {e["patient_id"]: int(e["day"]) for e in missing.imaging.to_dict("records")
          if e["patient_id"] in ("L020", "L080") and e["tumor_volume_cm3"] != e["tumor_volume_cm3"]}
    assert _rows(ex, "table2.before") == {pid: f"tumor_volume_cm3 empty at day {d}" for pid, d in v0.items()}
    after = _rows(ex, "table2.after")
    assert after["L022"] == after["L082"] == "no exam after the first TACE"
    assert after["L021"].startswith("tumor_volume_cm3 empty at day ")
    assert set(after) == {"L021", "L022", "L081", "L082"}
    assert set(_rows(ex, "table4.volume_change")) == {"L020", "L021", "L022", "L080", "L081", "L082"}
    assert _rows(ex, "table1.age") == {"L024": "age_at_tace empty", "L084": "age_at_tace empty"}
    assert _rows(ex, "recist") == {"L022": "no exam after the first TACE", "L082": "no exam after the first TACE"}
    assert _rows(ex, "table3.tace") == _rows(ex, "table4.ttp") == {
        "L023": "no progression row for setting tace", "L083": "no progression row for setting tace"}
    # TACE-after-chemo patients without a chemo row; immediate-TACE patients had no chemotherapy to time
    # (L023 and L083 were treated with TACE immediately: their missing rows cost them only the TACE TTP)
    assert _rows(ex, "table3.chemo") == {"L086": "no progression row for setting chemo"}
    assert {"L020", "L021", "L022", "L080", "L081", "L082"} <= set(_rows(ex, "regression"))
    assert list(ex["analysis"].unique()) == [a for a in ANALYSES if a in set(ex["analysis"])]


def test_every_n_plus_the_excluded_patients_is_the_group_size(missing):
    """No one is dropped silently: n used + n left out = patients of the group, for each per-patient analysis."""
    pp = per_patient(missing)
    ex = exclusions(missing, endpoints=pp)
    tidy = tables.all_tidy(missing, params.defaults(), endpoints=pp).set_index("key")["value"]
    size = pp.groupby("group").size()
    keys = {"table2.before": "table2.before.{g}.n", "table2.after": "table2.after.{g}.n",
            "regression": "regression.{g}.n", "recist": "recist.{g}.n", "table1.age": None}
    for analysis, key in keys.items():
        for g in (1, 2):
            left = int(((ex["analysis"] == analysis) & (ex["group"] == g)).sum())
            used = (int(tidy["table1.age.n"]) if key is None else int(tidy[key.format(g=f"group{g}")]))
            if key is None:
                assert used + int((ex["analysis"] == analysis).sum()) == len(pp)
            else:
                assert used + left == size[g], (analysis, g)


def test_without_progression_csv_every_patient_is_listed_as_not_available(noprog):
    ex = exclusions(noprog)
    for analysis in ("table3.chemo", "table3.tace", "table4.ttp"):
        reasons = _rows(ex, analysis)
        assert len(reasons) == len(noprog.patients) and set(reasons.values()) == {NO_PROGRESSION_FILE}


def test_tables_show_not_available_instead_of_failing(noprog):
    p = params.defaults()
    d3 = tables.table3_display(noprog, p)
    assert set(d3["p"]) == {"not available"} and set(d3["n (group 1 / group 2)"]) == {"NA / NA"}
    d4 = tables.table4_display(noprog, p).set_index("index")
    ttp = d4.loc[d4.index.str.startswith("time to progression")].iloc[0]
    assert ttp["p, group 1"] == "not available" and ttp["test, group 1 (p-value method)"] == NO_PROGRESSION_FILE
    assert d4.iloc[0]["p, group 1"] != "not available"  # the volume change is still computed


def test_reproduce_writes_the_exclusions_table_header_only_when_nobody_is_left_out(tmp_path):
    import pandas as pd

    from analysis.data import load_dataset
    from analysis.report import results
    from analysis.report.publish import write_tables

    ds = load_dataset(TESTS / "fixtures" / "mini")
    res = results.compute(TESTS / "fixtures" / "mini", params.defaults(), ds=ds)
    write_tables(res, tmp_path)
    got = pd.read_csv(tmp_path / "exclusions.csv")
    assert list(got.columns) == COLUMNS
    want = exclusions(ds)
    assert len(want) and got[["patient_id", "analysis", "reason"]].values.tolist() == \
        want[["patient_id", "analysis", "reason"]].values.tolist()
    assert (tmp_path / "exclusions.md").read_text(encoding="utf-8").startswith("| patient_id")
    res.tables["exclusions"] = exclusions(ds).iloc[0:0]
    write_tables(res, tmp_path)
    assert (tmp_path / "exclusions.csv").read_text(encoding="utf-8") == ",".join(COLUMNS) + "\n"


def test_figures_without_progression_are_skipped_with_a_note(noprog):
    from analysis.report import figures, results

    assert figures.skipped(noprog) == {"ttp_chemo_vs_tace": NO_PROGRESSION_FILE, "km_ttp_tace": NO_PROGRESSION_FILE}
    note = results.show_figure({}, "km_ttp_tace")
    assert NO_PROGRESSION_FILE in note.data
