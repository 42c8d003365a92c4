"""Tables 1-4 (tidy and display forms): categories, keys, test naming, parameters."""

from __future__ import annotations

import pytest

from analysis import params
from analysis.study import tables
from analysis.paths import TESTS

MINI = TESTS / "fixtures" / "mini"


@pytest.fixture(scope="module")
def ds():
    from analysis.data import load_dataset

    return load_dataset(MINI)


@pytest.mark.parametrize("days, expected", [(13, "lt_2w"), (14, "2w_to_3m"), (91, "2w_to_3m"), (92, "gt_3m")])
def test_time_to_tace_categories_at_their_boundaries(days, expected):
    # 2 weeks = 14 days; 3 months = 3 * 365.25 / 12 = 91.3125 days -> 91 is within, 92 beyond
    assert tables.mets_to_tace_category(days) == expected


@pytest.mark.parametrize("group, days, expected", [(1, 0, "group1"), (2, 182, "le_6m"), (2, 183, "6m_to_18m"),
                                                   (2, 547, "6m_to_18m"), (2, 548, "18m_to_6y"),
                                                   (2, 2191, "18m_to_6y"), (2, 2192, "gt_6y")])
def test_time_to_liver_metastases_categories_at_their_boundaries(group, days, expected):
    # 6 months = 182.625 days, 1.5 years = 547.875 days, 6 years = 2191.5 days
    assert tables.dx_to_mets_category(group, days) == expected


def test_table1_counts_on_mini(ds):
    t = tables.table1(ds, params.defaults())
    v = dict(zip(t["key"], t["value"]))
    # patients.csv by eye: t_stage T1 x2 (S07, S12), T2 x4, T3 x4, T4 x1, TX x1
    assert [v[f"table1.t_stage.{s}.n"] for s in ("T1", "T2", "T3", "T4", "TX")] == [2, 4, 4, 1, 1]
    # days_dx_to_liver_mets of group 2: 412, 1096, 287, 734, 158, 1463 -> le_6m: 158;
    # 6m-18m: 412, 287; 18m-6y: 1096, 734, 1463
    assert (v["table1.dx_to_liver_mets.le_6m.n"], v["table1.dx_to_liver_mets.6m_to_18m.n"],
            v["table1.dx_to_liver_mets.18m_to_6y.n"], v["table1.dx_to_liver_mets.group1.n"]) == (1, 2, 3, 6)
    # sex: S06 empty -> missing; percent of 12 patients
    assert v["table1.sex.missing.n"] == 1
    assert v["table1.sex.missing.percent"] == pytest.approx(100 / 12)
    # SD of ages (n - 1): sum of squared deviations from 58.75 = 1420.25 -> sqrt(1420.25 / 11)
    assert v["table1.age.sd"] == pytest.approx((1420.25 / 11) ** 0.5, rel=1e-12)


def test_tidy_tables_have_one_row_per_statistic_with_unique_keys(ds):
    t = tables.all_tidy(ds, params.defaults())
    assert list(t.columns) == tables.TIDY_COLUMNS
    assert t["key"].is_unique


def test_every_p_value_row_names_its_test_and_method(ds):
    t = tables.all_tidy(ds, params.defaults())
    p = t[t["statistic"] == "p"]
    assert len(p) == 10  # tables 2-3: 4, table 4: 4, regression: 2
    assert (p["test"] != "").all() and (p["method"] != "").all()


def test_mwu_method_parameter_is_used_and_reported(ds):
    t = tables.table4(ds, params.resolve({"mwu_method": "asymptotic"}))
    row = t[t["key"] == "table4.group1.volume_change.p"].iloc[0]
    assert row["method"] == "normal approximation with continuity correction"
    t = tables.table4(ds, params.resolve({"mwu_method": "asymptotic", "mwu_correct": False}))
    assert t[t["key"] == "table4.group1.volume_change.p"].iloc[0]["method"] == "normal approximation"


def test_table2_display_shows_me_lq_uq_and_the_test(ds):
    d = tables.table2_display(ds, params.defaults())
    # group 1 V0: 48.6 75.3 212.4 310.2 387.1 623.7 -> median (212.4 + 310.2)/2 = 261.3;
    # q1 = 75.3 + 0.25 * (212.4 - 75.3) = 109.575 -> "109.57" (binary 109.57499.. as R's sprintf);
    # q3 = 310.2 + 0.75 * (387.1 - 310.2) = 367.875 -> "367.88"
    assert d.loc[0, "Group 1, Me [LQ; UQ]"] == "261.30 [109.57; 367.88]"
    assert d.loc[0, "test (p-value method)"].startswith("Mann-Whitney U (")
    assert list(d.columns) == ["index", "Group 1, Me [LQ; UQ]", "Group 2, Me [LQ; UQ]", "n (group 1 / group 2)", "p",
                               "test (p-value method)"]


def test_decimals_parameter_controls_the_display(ds):
    d = tables.table3_display(ds, params.resolve({"decimals": 0}))
    # group 1 chemo TTP 141 203 258: "203 [172; 230]" (230.5 rounds half to even as R's sprintf)
    assert d.loc[0, "Group 1, Me [LQ; UQ]"] == "203 [172; 230]"


def test_table4_and_recist_displays_have_every_cell(ds):
    d4 = tables.table4_display(ds, params.defaults())
    # 4 subgroup cells, 2 "n (immediate / after chemo)" columns, 2 p and 2 test columns per row
    assert d4.shape == (2, 11) and not d4.isna().any().any()
    dr = tables.recist_display(ds, params.defaults())
    # group 1: 1 PR of 6 patients -> "1 (17%)"
    assert dr.set_index("response").loc["PR", "Group 1, n (%)"] == "1 (17%)"


def test_table1_display_formats_age_and_counts(ds):
    d = tables.table1_display(ds, params.defaults())
    assert d.loc[0, "value"] == "58.75 ± 11.36 (39-76)"
    assert "2 (16.7%)" in set(d["value"])
