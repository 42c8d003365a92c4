"""The study-level pieces beyond the paper: tables, agreement, timelines and figures on tests/fixtures/mini.

Expected values are hand calculations from the fixture files (shown in each test) or R's documented
behaviour; the numbers themselves are checked against R in tests/test_beyond_numbers.py.
"""

from __future__ import annotations

import math

import pytest

from analysis.paths import TESTS


@pytest.fixture(scope="module")
def ds():
    from analysis.data import load_dataset

    return load_dataset(TESTS / "fixtures" / "mini")


@pytest.fixture(scope="module")
def params():
    from analysis import params as registry

    return registry.defaults()


def test_pairs_are_the_patients_with_both_a_chemo_and_a_tace_row(ds):
    from analysis.study.paired import ttp_pairs

    pairs = ttp_pairs(ds)
    prog = ds.progression
    both = set(prog.loc[prog["setting"] == "chemo", "patient_id"]) & set(prog.loc[prog["setting"] == "tace",
                                                                                  "patient_id"])
    assert set(pairs["patient_id"]) == both
    row = prog[(prog["patient_id"] == pairs["patient_id"].iloc[0]) & (prog["setting"] == "tace")].iloc[0]
    assert pairs["ttp_tace"].iloc[0] == row["end_day"] - row["start_day"]


def test_effects_table_has_every_paper_test_and_holm_is_never_above_bonferroni(ds, params):
    from analysis.study.effects import TESTS as PAPER_TESTS
    from analysis.study.effects import effects_table, multiplicity_table

    e = effects_table(ds, params)
    assert e["test"].tolist() == list(PAPER_TESTS)
    ok = e.dropna(subset=["holm"])
    assert (ok["holm"] <= ok["bonferroni"] + 1e-15).all()
    assert (ok["holm"] >= ok["p"] - 1e-15).all()
    assert ((e["rbc"] >= -1) & (e["rbc"] <= 1)).all()
    m = multiplicity_table(ds, params)
    assert set(m.columns) >= {"conclusion", "survives_holm", "survives_bonferroni"}


def test_a_conclusion_survives_when_the_adjusted_p_stays_on_the_same_side_of_alpha(ds, params):
    from analysis.study.effects import multiplicity_table

    m = multiplicity_table(ds, {**params, "alpha": 1.0})  # alpha 1: every p < 1 is "a difference"
    for r in m.to_dict("records"):
        if r["p"] < 1 and r["holm"] == 1.0:
            assert r["survives_holm"] is False


def test_kappa_is_one_when_two_criteria_agree_on_every_patient():
    import pandas as pd

    from analysis.study.agreement import _kappa

    resp = pd.DataFrame({"a": ["PR", "SD", "PD", "SD"], "b": ["PR", "SD", "PD", "SD"]})
    k = _kappa(resp, "a", "b")
    assert k["kappa"] == 1.0 and k["n"] == 4


def test_kappa_leaves_out_patients_not_evaluable_by_either_criterion():
    import pandas as pd

    from analysis.study.agreement import _kappa

    # p_o = 2/3; margins a = (PR 1/3, SD 2/3), b = (PR 2/3, SD 1/3): p_e = 2/9 + 2/9 = 4/9
    resp = pd.DataFrame({"a": ["PR", "SD", "SD", "NE"], "b": ["PR", "SD", "PR", "SD"]})
    k = _kappa(resp, "a", "b")
    assert k["n"] == 3
    assert k["kappa"] == pytest.approx((2 / 3 - 4 / 9) / (1 - 4 / 9), rel=1e-12)


def test_best_response_is_the_lowest_post_tace_sum_vs_the_v0_exam(ds):
    from analysis.study.agreement import best_response
    from analysis.study.endpoints import per_patient

    b = best_response(ds).set_index("patient_id")
    pp = per_patient(ds).set_index("patient_id")
    for pid, r in b.iterrows():
        # never worse than the first follow-up, whose sum is sum1_mm
        first = (pp.loc[pid, "sum1_mm"] / pp.loc[pid, "sum0_mm"] - 1) * 100
        if not math.isnan(first):
            assert r["best_pct"] <= first + 1e-9


def test_timeline_starts_at_detection_and_has_every_tace_and_exam(ds):
    from analysis.study.agreement import timeline

    t = timeline(ds)
    assert (t.loc[t["event"] == "detection", "day"] == 0).all()
    assert (t["event"] == "tace").sum() == len(ds.procedures)
    assert (t["event"] == "exam").sum() == len(ds.imaging)
    ends = t[t["event"].isin(["progression", "censored"])]
    assert ends["patient_id"].is_unique


def test_km_rows_give_null_for_a_median_not_reached(ds):
    from analysis.study.survival import km_rows

    t = km_rows(ds).set_index("key")
    # mini: every upper band stays above 0.5 (too few events) -> R's NA
    assert math.isnan(t.loc["km.tace.all.median_upper", "value"])
    assert t.loc["km.tace.all.median_upper", "note"].startswith("not reached")


def test_beyond_figures_build_on_mini_with_labelled_axes(ds):
    from matplotlib.figure import Figure

    from analysis.report.figures_beyond import BEYOND_FIGURES, draw

    for name in BEYOND_FIGURES:
        fig = draw(name, ds)
        assert isinstance(fig, Figure), name
        assert all(ax.get_xlabel() for ax in fig.axes), name


def test_waterfall_best_draws_the_recist_reference_lines(ds):
    from analysis.report.figures_beyond import waterfall_best

    ax = waterfall_best(ds).axes[0]
    levels = {round(line.get_ydata()[0], 6) for line in ax.get_lines()}
    assert {-30.0, 20.0, 0.0} <= levels


def test_unknown_figure_name_is_refused(ds):
    from analysis.report.figures_beyond import draw

    with pytest.raises(ValueError, match="unknown figure"):
        draw("nope", ds)


def test_reproduce_draws_the_paper_figures_then_the_beyond_figures(ds):
    from analysis.report.figures_beyond import ALL_FIGURES
    from analysis.report.bundle import compute_figures

    figs = compute_figures(ds=ds)
    assert list(figs) == list(ALL_FIGURES)
    assert all(figs[n]["png"].startswith(b"\x89PNG") for n in ("km_bands", "swimmer"))


@pytest.mark.parametrize("name", ["missing", "noprogression"])
def test_beyond_figures_build_with_missing_values_and_without_progression_csv(name):
    from test_numbers_r_parity import direct_dataset  # the datasets with missing values, read as that test does

    from analysis.report.figures_beyond import BEYOND_FIGURES, make_beyond
    from analysis.study.agreement import timeline

    ds = direct_dataset(TESTS / "fixtures" / "numbers" / name)
    assert list(make_beyond(ds)) == list(BEYOND_FIGURES)
    t = timeline(ds)
    assert (t["event"] == "progression").sum() + (t["event"] == "censored").sum() <= len(ds.patients)
