"""Figures and notebook plots at registry size: the cost of a figure does not grow with the number of patients.

A cohort of N patients is the mini fixture (12 patients) copied N / 12 times under new pseudonyms, in
memory (no validation, no endpoint computation: the per-patient frame is copied the same way, which is
what :func:`analysis.study.endpoints.per_patient` gives since every patient's endpoints depend on that
patient's rows only). Above ``analysis.report.many.MANY_PATIENTS`` patients every per-patient mark is
drawn as one collection or path per colour (and the swimmer plot draws a fixed-size sample), so:

- the number of matplotlib artists drawn into a figure's axes is the same at 600 and at 5,004 patients
  (only the counts in the titles change) -- a per-patient artist would add 4,404 of them;
- the SVG stays small: the rasterized marks are one embedded image of at most the figure's pixels
  (10 x 4.8 in at 150 dpi = 1.08 Mpx, a few hundred kB as base64 PNG), the text, axes and reference
  lines stay vector (tens of kB), so 2 MB bounds every figure whatever N is, where per-patient vector
  marks would take about 500 bytes each (5,004 bars or 60,000 exam marks: 2.5-30 MB).

The small-cohort figures stay byte-identical (they are drawn mark by mark): tests/test_figures.py and
the byte-identity check of the outputs.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from analysis.paths import TESTS

MINI = TESTS / "fixtures" / "mini"
SVG_BOUND = 2_000_000  # bytes, see the module docstring


def _copies(frame, n: int):
    """``frame`` repeated ``n`` times, ``patient_id`` prefixed by the copy number (order kept: canonical)."""
    import pandas as pd

    if frame is None:
        return None
    parts = []
    for c in range(n):
        part = frame.copy()
        if "patient_id" in part:
            part["patient_id"] = f"C{c:04d}-" + part["patient_id"].astype(str)
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    out.attrs = dict(frame.attrs)
    return out


@pytest.fixture(scope="module")
def mini():
    from analysis.data import load_dataset
    from analysis.study.endpoints import per_patient

    ds = load_dataset(MINI)
    return ds, per_patient(ds)


def _cohort(mini, n_copies: int):
    ds, pp = mini
    tables = {f.name: _copies(getattr(ds, f.name), n_copies) for f in dataclasses.fields(ds)
              if f.name in ("patients", "procedures", "imaging", "progression", "lesions")}
    return dataclasses.replace(ds, **tables), _copies(pp, n_copies)


@pytest.fixture(scope="module")
def cohorts(mini):
    return {n: _cohort(mini, n // 12) for n in (600, 5004)}


def _artists(fig) -> int:
    """Artists drawn into the axes (marks, texts, legends) and onto the figure; the axis ticks, whose number
    follows the data range (a count axis up to 5,004 has more ticks than one up to 600), are not counted."""
    return sum(len(ax.get_children()) for ax in fig.axes) + len(fig.texts)


def _draw_all(ds, pp) -> dict:
    from analysis.report import figures, figures_beyond

    return {**{name: figures.draw(name, ds, pp) for name in figures.names(ds)}, **figures_beyond.make_beyond(ds, pp)}


@pytest.fixture(scope="module")
def drawn(cohorts):
    return {n: _draw_all(*c) for n, c in cohorts.items()}


def test_every_figure_has_as_many_artists_at_5004_patients_as_at_600(drawn):
    small = {name: _artists(f) for name, f in drawn[600].items()}
    large = {name: _artists(f) for name, f in drawn[5004].items()}
    assert len(large) == 11
    assert large == small  # not one more artist for 4,404 more patients


def test_every_figure_of_5004_patients_has_a_small_svg(drawn):
    from analysis.report.figures import to_bytes

    sizes = {name: len(to_bytes(f, "svg")) for name, f in drawn[5004].items()}
    assert max(sizes.values()) < SVG_BOUND, sizes


def test_the_swimmer_plot_of_many_patients_says_it_shows_a_sample(drawn):
    from analysis.report.figures_beyond import SWIMMER_MAX

    ax = drawn[5004]["swimmer"].axes[0]
    assert ax.get_title() == f"Swimmer plot: {SWIMMER_MAX} of 5,004 patients (evenly spaced sample)"
    # one line per sampled patient (the follow-up spans are the first line collection)
    assert len(ax.collections[0].get_segments()) == SWIMMER_MAX


def test_the_swimmer_plot_of_few_patients_shows_every_patient(mini):
    from analysis.report.figures_beyond import swimmer

    ax = swimmer(mini[0]).axes[0]
    assert ax.get_title() == "Swimmer plot: treatment and follow-up per patient"
    assert len(ax.collections[0].get_segments()) == 12


def test_the_waterfalls_of_many_patients_draw_every_patient_as_a_bar(cohorts, drawn):
    from analysis.study.agreement import best_response

    ds, pp = cohorts[5004]
    for fig, n in ((drawn[5004]["waterfall"], int((pp["v0"] > 0).sum())),
                   (drawn[5004]["waterfall_best"], len(best_response(ds, pp)))):
        ax = fig.axes[0]
        # one compound path per group, 5 vertices (a closed rectangle) per patient
        assert sum(len(p.get_path().vertices) for p in ax.patches if p.get_rasterized()) == 5 * n
    lo, hi = drawn[5004]["waterfall_best"].axes[0].get_ylim()
    assert lo < -30 and hi > 20  # both RECIST lines (-30 %, +20 %) in view, as with one bar per patient


def test_notebook_plots_of_many_patients_have_a_bounded_number_of_artists(cohorts):
    from analysis.report import narrative, plots

    counts = {}
    for n, (_, pp) in cohorts.items():
        lab = narrative.labelled(pp)
        figs = [plots.paired(lab, "sum0_mm", "sum1_mm", by="group"),
                plots.strip(narrative.by_group(pp, "v0")), plots.box(narrative.by_group(pp, "v0")),
                plots.ecdf(narrative.by_group(pp, "v0"))]
        counts[n] = [_artists(f) for f in figs]
    assert counts[5004] == counts[600]


def test_above_lines_max_distinct_pairs_an_evenly_spaced_sample_of_lines_is_drawn_and_every_point():
    # 5,000 distinct pairs (i, i + 0.5): LINES_MAX = 2,000 lines are kept, the pairs at
    # round(linspace(0, 4999, 2000)) -- the first (0) and the last (4999) among them -- and all 10,000 points.
    import pandas as pd
    from matplotlib.figure import Figure

    from analysis.report import many

    ax = Figure().subplots()
    a = pd.Series(np.arange(5000.0))
    sampled = many.pairs(ax, a, a + 0.5, "#000000", "x")
    ys = ax.lines[0].get_ydata()
    starts = ys[0::3]
    assert sampled is True
    assert len(starts) == many.LINES_MAX == 2000
    assert starts[0] == 0.0 and starts[-1] == 4999.0
    assert len(ax.collections[0].get_offsets()) == 10_000
    small = Figure().subplots()
    assert many.pairs(small, a[:2000], a[:2000] + 0.5, "#000000", "x") is False
    assert len(small.lines[0].get_ydata()[0::3]) == 2000


def test_a_panel_that_shows_a_sample_of_lines_says_so_in_its_title():
    import pandas as pd

    from analysis.report import figures, many

    n = 6000  # group 1, immediate TACE: 6,000 distinct (V0, V1) pairs, more than LINES_MAX
    pp = pd.DataFrame({"group": [1] * n + [2] * 3, "tace_timing": ["immediate"] * (n + 3),
                       "v0": np.arange(1.0, n + 4), "v1": np.arange(1.0, n + 4) + 0.25})
    fig = figures.volume_before_after(pp)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0] == f"Group 1 (n={n})\n" + many.SAMPLE_NOTE
    assert titles[1] == "Group 2 (n=3)"
