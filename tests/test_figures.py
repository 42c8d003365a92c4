"""Figures (analysis.report.figures): return Figures, byte-identical files on rerun, counts from the data."""

from __future__ import annotations

import csv
import hashlib
from collections import Counter

import pytest

from analysis.paths import TESTS

MINI = TESTS / "fixtures" / "mini"


@pytest.fixture(scope="module")
def ds():
    from analysis.data import load_dataset

    return load_dataset(MINI)


@pytest.fixture(scope="module")
def pp(ds):
    from analysis.study.endpoints import per_patient

    return per_patient(ds)


def test_every_figure_function_returns_a_matplotlib_figure_with_labelled_axes(ds, pp):
    from matplotlib.figure import Figure

    from analysis.report import figures

    figs = {name: figures.draw(name, ds, pp) for name in figures.names(ds)}
    assert list(figs) == list(figures.FIGURES)
    for name, fig in figs.items():
        assert isinstance(fig, Figure), name
        if name == "study_design":
            continue
        for ax in fig.axes:
            # every data axis carries a label; y labels name a unit or a count
            assert ax.get_xlabel(), (name, "x label")
        ylabels = [ax.get_ylabel() for ax in fig.axes if ax.get_ylabel()]
        assert ylabels, name
        assert any(u in ylabels[0] for u in ("cm³", "days", "%", "n", "proportion")), (name, ylabels[0])


def test_figures_are_byte_identical_when_drawn_and_saved_twice(ds, pp, tmp_path):
    from analysis.report import figures

    digests = []
    for run in ("a", "b"):
        out = tmp_path / run
        for name in figures.names(ds):
            figures.save(figures.draw(name, ds, pp), out, name)
        digests.append({p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.iterdir())})
    assert len(digests[0]) == 2 * len(figures.FIGURES)
    assert digests[0] == digests[1]


def test_saved_files_carry_no_date_and_no_software_name(ds, pp, tmp_path):
    from analysis.report import figures

    png, svg = figures.save(figures.recist_bars(pp), tmp_path, "recist_bars")
    s = svg.read_text()
    assert "<dc:date>" not in s and "Matplotlib" not in s
    # PNG text chunks (tEXt) would hold 'Software' and a creation time
    assert b"Software" not in png.read_bytes() and b"Creation Time" not in png.read_bytes()


def test_study_design_counts_are_read_from_the_dataset_not_typed_in(ds):
    from analysis.report.figures import design_counts

    # independent count: the csv module over the fixture's raw files
    with open(MINI / "patients.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    with open(MINI / "procedures.csv", newline="") as f:
        n_tace = sum(1 for _ in csv.DictReader(f))
    by = Counter((r["group"], r["tace_timing"]) for r in rows)
    c = design_counts(ds)
    assert c["patients"] == len(rows) == 12
    assert c["tace"] == n_tace
    assert c["group1"] == by[("1", "immediate")] + by[("1", "after_chemo")]
    assert c["group2.after_chemo"] == by[("2", "after_chemo")]


def test_kaplan_meier_matches_the_product_limit_by_hand():
    from analysis.stats.survival import kaplan_meier

    # times 3 5 5+ 8 10+ 12 (+ = censored). By hand:
    # t=3: 6 at risk, 1 event -> 5/6 = 0.833333
    # t=5: 5 at risk, 1 event -> 0.833333 * 4/5 = 0.666667 (the censored 5 is still at risk at 5)
    # t=8: 3 at risk (8, 10+, 12), 1 event -> 0.666667 * 2/3 = 0.444444
    # t=12: 1 at risk, 1 event -> 0
    km = kaplan_meier([3, 5, 5, 8, 10, 12], [True, True, False, True, False, True])
    assert km["time"].tolist() == [0.0, 3.0, 5.0, 8.0, 12.0]
    assert km["at_risk"].tolist() == [6, 6, 5, 3, 1]
    assert km["survival"].round(6).tolist() == [1.0, 0.833333, 0.666667, 0.444444, 0.0]


def test_recist_bar_counts_equal_the_per_patient_responses(pp):
    from analysis.report.figures import recist_counts

    tab = recist_counts(pp)
    for g in (1, 2):
        expected = Counter(pp.loc[pp["group"] == g, "response"])
        for cat in ("CR", "PR", "SD", "PD"):
            assert tab.loc[cat, f"group{g}"] == expected.get(cat, 0)


@pytest.mark.parametrize("kind", ["strip", "box"])
def test_a_log_scaled_plot_of_groups_without_any_value_is_drawn_on_a_linear_axis(kind):
    """No patient has a V1 (a dataset without follow-up exams): matplotlib refuses a log axis without a
    positive value, so the notebook plot falls back to a linear axis instead of stopping the notebook."""
    import math

    from analysis.report import plots

    fig = getattr(plots, kind)({"Group 1": [], "Group 2": [math.nan]}, ylabel="V1, cm³", log=True)
    assert fig.axes[0].get_yscale() == "linear"
    assert plots.image(fig).data[:8] == b"\x89PNG\r\n\x1a\n"
    positive = getattr(plots, kind)({"Group 1": [1.0, 10.0], "Group 2": [3.0]}, log=True)
    assert positive.axes[0].get_yscale() == "log"


@pytest.mark.parametrize("name", ["volume_before_after", "ttp_chemo_vs_tace"])
def test_a_two_panel_figure_with_group_1_empty_names_group_2_in_its_legend_without_a_warning(pp, name):
    """Group 1 has no patient: its panel draws nothing, so the legend goes to group 2's panel; matplotlib's
    "No artists with labels found" warning would otherwise be printed into the notebook."""
    import warnings

    from analysis.report import figures

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = getattr(figures, name)(pp[pp["group"] == 2])
    assert [ax.get_legend() is not None for ax in fig.axes[:2]] == [False, True]


def test_the_legend_of_a_two_panel_figure_names_a_timing_drawn_only_in_the_second_panel(pp):
    """Group 1 keeps only its immediate-TACE patients and group 2 only its TACE-after-chemotherapy ones: the one
    legend (in group 1's panel) names both timings; before, it named only what group 1's panel drew."""
    from analysis.report import figures

    part = pp[((pp["group"] == 1) & (pp["tace_timing"] == "immediate"))
              | ((pp["group"] == 2) & (pp["tace_timing"] == "after_chemo"))]
    fig = figures.volume_before_after(part)
    assert fig.axes[1].get_legend() is None
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == [
        "TACE immediately", "TACE after chemotherapy"]


def test_a_timing_whose_first_patient_has_no_time_to_progression_is_still_named_in_the_legend(pp):
    """In mini, S01 is group 1's first immediate-TACE patient; without either time to progression it draws no
    line, and the timing used to lose its name with it (its label went to S01's missing line)."""
    import numpy as np

    from analysis.report import figures

    part = pp[pp["group"] == 1].copy()
    part.loc[part["patient_id"] == "S01", ["ttp_chemo", "ttp_tace"]] = np.nan
    fig = figures.ttp_chemo_vs_tace(part)
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == [
        "TACE immediately", "TACE after chemotherapy"]
