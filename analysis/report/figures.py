"""Figures of the analysis: one theme, a colour-blind-safe palette, units on every axis.

Every function takes the validated dataset (or the per-patient frame of
:func:`analysis.study.endpoints.per_patient`) and returns a :class:`matplotlib.figure.Figure` built without
``pyplot`` (no global figure registry, no backend needed). They share one preamble, the decorator
:func:`_figure_function` (per-patient frame, theme, figure with fixed margins): each function only
draws. :func:`save` writes PNG and SVG files that are byte-identical on rerun: no dates, no software
name, a fixed SVG hash salt.

Figures
-------
- :func:`study_design` — Figure 1 of the paper (study design), every count taken from the data.
- :func:`volume_before_after` — total tumour volume before and after the first TACE, one line per patient.
- :func:`ttp_chemo_vs_tace` — time to progression after chemotherapy and after TACE, per patient.
- :func:`regression` — volume change against doubling time, fitted OLS line and R² per group
  (the fit is :func:`analysis.stats.ols`, the same one behind ``numbers.json``).
- :func:`waterfall` — relative volume change per patient, sorted.
- :func:`recist_bars` — RECIST 1.1 response at the first follow-up, counts per group.
- :func:`km_ttp_tace` — Kaplan-Meier curves of time to progression after TACE by group
  (product-limit estimate :func:`analysis.stats.survival.kaplan_meier`, R's ``survfit``).

Examples
--------
>>> from analysis.report.figures import FIGURES
>>> FIGURES[0]
'study_design'
"""

from __future__ import annotations

import functools
import io
import math
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.report.figure_parts import (  # noqa: F401 -- SYNTHETIC_STAMP, recist_counts re-exported
    NOTEBOOK_CONTEXT, RESPONSE_ORDER, SYNTHETIC_STAMP, TIMING_LABELS, WHITEGRID, is_synthetic, legend, log_axis,
    numbers_at_risk, recist_counts, sgr_panel, stamp_synthetic)
from analysis.report import many

if TYPE_CHECKING:
    from analysis.data import Dataset

#: Figure names in reading order (file stems in OUT/figures).
FIGURES = ("study_design", "volume_before_after", "ttp_chemo_vs_tace", "regression", "waterfall",
           "recist_bars", "km_ttp_tace")

#: the figures drawn from progression.csv (skipped, with a note, when a dataset has none)
NEED_PROGRESSION = ("ttp_chemo_vs_tace", "km_ttp_tace")

#: Okabe-Ito colours (colour-blind safe), the same in every figure.
GROUP_COLOURS = {1: "#0072B2", 2: "#D55E00"}
TIMING_COLOURS = {"immediate": "#009E73", "after_chemo": "#CC79A7"}

_RC = {
    "svg.hashsalt": "tace-net",  # fixed ids inside the SVG
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "figure.dpi": 150,
    "savefig.dpi": 150,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    # titles just above the axes, where matplotlib's automatic placement puts them when nothing is drawn above
    # an axes (true of every figure here); the automatic placement measures each axis at every draw (~10 %)
    "axes.titley": 1.0,
}
#: Above this many patients the per-patient marks are drawn as one rasterized collection (:mod:`.many`).
MANY_PATIENTS = many.MANY_PATIENTS

_PNG_META = {"Software": None}
_SVG_META = {"Date": None, "Creator": None, "Format": None, "Type": None}


def _theme():
    """Context manager applying the project's one theme (seaborn's whitegrid style and notebook context, 0.9
    font scale: :data:`~analysis.report.figure_parts.WHITEGRID`,
    :data:`~analysis.report.figure_parts.NOTEBOOK_CONTEXT`) and the fixed rcParams :data:`_RC`."""
    import matplotlib as mpl

    return mpl.rc_context({**WHITEGRID, **NOTEBOOK_CONTEXT, **_RC})


_MARGINS = {"left": 0.11, "right": 0.97, "top": 0.9, "bottom": 0.14, "wspace": 0.06}


def _figure(width: float, height: float, ncols: int = 1, sharey: bool = False, **margins):
    """A figure with fixed margins (no layout engine: a layout computed at draw time could differ
    between the first and a later rendering, and costs a full extra draw)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    axes = fig.subplots(1, ncols, sharey=sharey, squeeze=False)[0]
    fig.subplots_adjust(**{**_MARGINS, **margins})
    return fig, axes


def _figure_function(width: float, height: float, ncols: int = 1, sharey: bool = False, per_patient: bool = True,
                     **margins):
    """The preamble every figure function shares, as a decorator.

    The decorated function ``draw(data, axes)`` only draws: the wrapper turns its argument into the
    per-patient frame (unless ``per_patient`` is False: then ``draw`` gets the dataset), applies the
    theme, makes the figure (``width`` x ``height`` inches, ``ncols`` panels, fixed ``margins``), calls
    ``draw`` inside the theme and returns the figure. Fixed margins: every rendering, PNG or SVG, in any
    order, is identical.
    """
    def decorate(draw):
        @functools.wraps(draw)
        def make(data, synthetic: bool | None = None):
            if synthetic is None:
                synthetic = is_synthetic(data)
            data = _per_patient(data) if per_patient else data
            with _theme():
                fig, axes = _figure(width, height, ncols, sharey, **margins)
                draw(data, axes)
                if synthetic:
                    stamp_synthetic(fig)
            return fig

        return make

    return decorate


def _per_patient(data):
    """Accept a Dataset or an already computed per-patient frame."""
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return data
    from analysis.study.endpoints import per_patient

    return per_patient(data)


def _group_label(g: int, n: int | None = None) -> str:
    """Legend and panel label of a group, with its size when given."""
    return f"Group {g}" + (f" (n={n})" if n is not None else "")


# --------------------------------------------------------------------------------------------------
# Figure 1: study design, counts from the data
# --------------------------------------------------------------------------------------------------

def design_counts(ds: Dataset) -> dict[str, int]:
    """Counts shown in the study-design diagram, from patients.csv and procedures.csv.

    Returns
    -------
    dict
        ``patients``, ``tace`` (number of procedures), ``group1``, ``group2`` and
        ``group<g>.<timing>`` for timing ``immediate`` / ``after_chemo``.
    """
    pts = ds.patients
    out = {"patients": int(len(pts)), "tace": int(len(ds.procedures))}
    for g in (1, 2):
        sub = pts[pts["group"] == g]
        out[f"group{g}"] = int(len(sub))
        for t in ("immediate", "after_chemo"):
            out[f"group{g}.{t}"] = int((sub["tace_timing"] == t).sum())
    return out


@_figure_function(8.0, 4.6, per_patient=False, left=0.01, right=0.99, top=0.93, bottom=0.01)
def study_design(ds: Dataset, axes) -> None:
    """Study-design diagram (the paper's Figure 1) with every count computed from ``ds``.

    Parameters
    ----------
    ds : analysis.data.Dataset

    Returns
    -------
    matplotlib.figure.Figure

    References
    ----------
    The article's Figure 1 (study design); counts from :func:`design_counts`.

    Examples
    --------
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> fig = study_design(load_dataset(TESTS / "fixtures" / "mini"))
    >>> len(fig.axes), fig.axes[0].get_title()
    (1, 'Study design (counts from the dataset)')
    """
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    c = design_counts(ds)
    (ax,) = axes
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.axis("off")

    def box(x, y, w, h, text, colour):
        ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.8",
                                    facecolor=colour, edgecolor="#333333", linewidth=1.0, alpha=0.9))
        ax.text(x, y, text, ha="center", va="center", fontsize=9, wrap=True)

    def arrow(x0, y0, x1, y1):
        ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=12,
                                     color="#333333", linewidth=1.0))

    box(50, 88, 44, 10, f"Patients with liver metastases of NET\nn={c['patients']} "
                        f"({c['tace']} TACE procedures)", "#EEEEEE")
    box(25, 55, 40, 16, "Group 1: liver metastases present\nwhen the primary was found\n"
                        f"n={c['group1']}", "#CFE3F2")
    box(75, 55, 40, 16, "Group 2: liver metastases appeared\nafter the primary was found\n"
                        f"n={c['group2']}", "#F6D5C2")
    arrow(44, 82, 28, 64)
    arrow(56, 82, 72, 64)
    for gx, g in ((25, 1), (75, 2)):
        for dx, t in ((-11, "immediate"), (11, "after_chemo")):
            label = "TACE immediately" if t == "immediate" else "TACE at progression\non chemotherapy"
            box(gx + dx, 16, 19, 13, f"{label}\nn={c[f'group{g}.{t}']}", "#FFFFFF")
            arrow(gx + dx * 0.5, 46, gx + dx, 24)
    ax.set_title("Study design (counts from the dataset)")


# --------------------------------------------------------------------------------------------------
# per-patient figures
# --------------------------------------------------------------------------------------------------

@_figure_function(8.0, 4.2, ncols=2, sharey=True)
def volume_before_after(pp, axes) -> None:
    """Total tumour volume before (V0) and after (V1) the first TACE: one line per patient, a panel per group.

    Parameters
    ----------
    data : Dataset or pandas.DataFrame (per-patient frame)

    Returns
    -------
    matplotlib.figure.Figure

    References
    ----------
    Volumes as in the article's Table 2 (V0, V1); R: ``matplot`` of V0 and V1 per patient.

    Examples
    --------
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> fig = volume_before_after(load_dataset(TESTS / "fixtures" / "mini"))
    >>> [ax.get_title() for ax in fig.axes]
    ['Group 1 (n=6)', 'Group 2 (n=6)']
    """
    for ax, g in zip(axes, (1, 2)):
        sub = pp[(pp["group"] == g)].dropna(subset=["v0", "v1"])
        sampled = False
        for t in ("immediate", "after_chemo"):
            rows = sub[sub["tace_timing"] == t]
            if len(pp) > MANY_PATIENTS:
                sampled |= many.pairs(ax, rows["v0"], rows["v1"], TIMING_COLOURS[t], TIMING_LABELS[t])
                continue
            for i, (_, r) in enumerate(rows.iterrows()):
                ax.plot([0, 1], [r["v0"], r["v1"]], marker="o", markersize=4, linewidth=1.2,
                        color=TIMING_COLOURS[t], alpha=0.85,
                        label=TIMING_LABELS[t] if i == 0 else None)
        ax.set_xticks([0, 1], ["before TACE 1 (V0)", "after TACE 1 (V1)"])
        ax.set_xlim(-0.3, 1.3)
        log_axis(ax, [sub[["v0", "v1"]].to_numpy(dtype=float).ravel()])
        ax.set_title(_group_label(g, len(sub)) + ("\n" + many.SAMPLE_NOTE if sampled else ""))
        ax.set_xlabel("exam")
    axes[0].set_ylabel("total tumour volume, cm³ (log scale)")
    legend(axes, loc="best", fontsize=8, frameon=True)


@_figure_function(8.0, 4.2, ncols=2, sharey=True)
def ttp_chemo_vs_tace(pp, axes) -> None:
    """Time to progression after chemotherapy and after TACE per patient (days), a panel per group.

    Patients with both durations are joined by a line; a patient treated with TACE immediately has
    no chemotherapy row and shows one point.

    Parameters
    ----------
    data : Dataset or pandas.DataFrame (per-patient frame)

    Returns
    -------
    matplotlib.figure.Figure

    References
    ----------
    Time to progression as in the article's Tables 3 and 4.

    Examples
    --------
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> fig = ttp_chemo_vs_tace(load_dataset(TESTS / "fixtures" / "mini"))
    >>> [ax.get_title() for ax in fig.axes]
    ['Group 1 (n=6)', 'Group 2 (n=6)']
    """
    for ax, g in zip(axes, (1, 2)):
        sub = pp[pp["group"] == g]
        seen = set()
        sampled = False
        for t in ("immediate", "after_chemo") if len(pp) > MANY_PATIENTS else ():
            rows = sub[sub["tace_timing"] == t]
            sampled |= many.pairs(ax, rows["ttp_chemo"], rows["ttp_tace"], TIMING_COLOURS[t], TIMING_LABELS[t])
        for _, r in sub.iterrows() if len(pp) <= MANY_PATIENTS else ():
            t = r["tace_timing"]
            colour = TIMING_COLOURS.get(t, "#777777")
            xs, ys = [], []
            for x, col in ((0, "ttp_chemo"), (1, "ttp_tace")):
                v = r[col]
                if v is not None and not (isinstance(v, float) and math.isnan(v)):
                    xs.append(x)
                    ys.append(float(v))
            if xs:  # the timing is named by its first patient drawn
                ax.plot(xs, ys, marker="o", markersize=4, linewidth=1.2, color=colour, alpha=0.85,
                        label=TIMING_LABELS.get(t) if t not in seen else None)
                seen.add(t)
        ax.set_xticks([0, 1], ["after chemotherapy", "after TACE"])
        ax.set_xlim(-0.3, 1.3)
        ax.set_title(_group_label(g, len(sub)) + ("\n" + many.SAMPLE_NOTE if sampled else ""))
        ax.set_xlabel("treatment setting")
    axes[0].set_ylabel("time to progression, days")
    legend(axes, loc="best", fontsize=8, frameon=True)


@_figure_function(10.0, 4.4, ncols=2, sharey=True, left=0.08, wspace=0.08)
def regression(pp, axes) -> None:
    """Volume change (cm³) against Schwartz doubling time (days, left) and specific growth rate (right).

    Left: patients with a finite doubling time, OLS fit (``regression.<g>.*`` of numbers.json) on a
    symmetric-log x axis (linear within ±10 days) so that very long doubling times do not squeeze the
    others. Right: the same change against the specific growth rate (%/day), finite for every patient.

    Parameters
    ----------
    data : Dataset or pandas.DataFrame (per-patient frame)

    Returns
    -------
    matplotlib.figure.Figure

    References
    ----------
    R: ``lm(volume_change ~ doubling_time)`` per group (the article's Table 4 R²); Schwartz, Cancer 1961.

    Examples
    --------
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> fig = regression(load_dataset(TESTS / "fixtures" / "mini"))
    >>> len(fig.axes), fig.axes[0].get_title(), fig.axes[0].get_xscale()
    (2, 'Volume change vs doubling time (finite DT only)', 'symlog')
    """
    import numpy as np

    from analysis.stats import ols

    ax, ax_sgr = axes
    for g in (1, 2):
        sub = pp[(pp["group"] == g)]
        sub = sub[np.isfinite(sub["doubling_time"].astype(float)) & np.isfinite(sub["volume_change"].astype(float))]
        x = sub["doubling_time"].astype(float).to_numpy()
        y = sub["volume_change"].astype(float).to_numpy()
        label = _group_label(g, len(sub))
        if len(sub) >= 3:
            fit = ols(x, y)
            xs = np.linspace(x.min(), x.max(), 200)
            ax.plot(xs, fit.intercept + fit.slope * xs, color=GROUP_COLOURS[g], linewidth=1.5)
            label += f": R² = {fit.r2:.4f}"
        ax.scatter(x, y, s=22, color=GROUP_COLOURS[g], alpha=0.85, label=label, edgecolor="white",
                   linewidth=0.5, **many.raster(len(pp)))
    ax.set_xscale("symlog", linthresh=10)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:g}")  # plain numbers, no mathtext
    ax.tick_params(axis="x", labelrotation=35, labelsize=8)
    ax.axhline(0, color="#555555", linewidth=0.8)
    ax.set_xlabel("tumour doubling time (Schwartz), days (symmetric log scale)")
    ax.set_ylabel("volume change V1 − V0, cm³")
    ax.set_title("Volume change vs doubling time (finite DT only)")
    legend([ax], loc="best", fontsize=8, frameon=True)
    sgr_panel(pp, ax_sgr, GROUP_COLOURS, _group_label)


@_figure_function(8.0, 4.0, bottom=0.2, left=0.1)
def waterfall(pp, axes) -> None:
    """Waterfall plot: relative change of total tumour volume (V1 / V0 − 1, %) per patient, sorted.

    Dashed lines at −30 % / +20 % (RECIST 1.1 thresholds); a dot on every bar keeps changes near 0 visible.

    Parameters
    ----------
    data : Dataset or pandas.DataFrame (per-patient frame)

    Returns
    -------
    matplotlib.figure.Figure

    References
    ----------
    Waterfall plots of tumour response: Gillespie, Lancet Oncol 2007 (commentary on their use).

    Examples
    --------
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> fig = waterfall(load_dataset(TESTS / "fixtures" / "mini"))
    >>> len(fig.axes), fig.axes[0].get_title()
    (1, 'Waterfall plot of total tumour volume change')
    """
    import numpy as np
    from matplotlib.patches import Patch

    sub = pp.dropna(subset=["v0", "v1"])
    sub = sub[sub["v0"].astype(float) > 0].copy()
    sub["pct"] = (sub["v1"].astype(float) / sub["v0"].astype(float) - 1.0) * 100.0
    sub = sub.sort_values(["pct", "patient_id"], ascending=[False, True], kind="mergesort")
    (ax,) = axes
    xs = np.arange(len(sub))
    if len(sub) > MANY_PATIENTS:  # one collection per group, no patient named on the axis
        many.bars(ax, xs, sub["pct"].to_numpy(dtype=float), sub["group"].astype(int).to_numpy(),
                  GROUP_COLOURS)
        ax.set_xlim(-0.5, len(sub) - 0.5)
        ax.set_xticks([])
        ax.set_xlabel(f"{len(sub)} patients (sorted by change)")
    else:
        colours = [GROUP_COLOURS[int(g)] for g in sub["group"]]
        ax.bar(xs, sub["pct"], color=colours, width=0.8)
        # a bar near zero is invisible: a dot at each bar's end keeps every patient visible
        ax.scatter(xs, sub["pct"], s=10, color=colours, zorder=3)
        ax.set_xticks(xs, sub["patient_id"], rotation=90, fontsize=7)
        ax.set_xlabel("patient (sorted by change)")
    ax.axhline(0, color="#555555", linewidth=0.8)
    for y, text in ((-30.0, "−30 % (RECIST PR threshold)"), (20.0, "+20 % (RECIST PD threshold)")):
        ax.axhline(y, color="#333333", linewidth=0.8, linestyle="--")
        ax.text(len(sub) - 0.5 if len(sub) else 0.5, y, text, ha="right", va="bottom", fontsize=7, color="#333333",
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0}, zorder=4)
    ax.set_ylabel("tumour volume change after TACE 1, %")
    ax.set_title("Waterfall plot of total tumour volume change")
    ax.legend(handles=[Patch(color=GROUP_COLOURS[g], label=_group_label(g)) for g in (1, 2)],
              loc="best", fontsize=8, frameon=True)


@_figure_function(6.4, 4.0, left=0.12)
def recist_bars(pp, axes) -> None:
    """RECIST 1.1 response at the first follow-up after TACE 1: patients per category and group.

    Parameters
    ----------
    data : Dataset or pandas.DataFrame (per-patient frame)

    Returns
    -------
    matplotlib.figure.Figure

    References
    ----------
    Eisenhauer et al., RECIST 1.1, Eur J Cancer 2009.

    Examples
    --------
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> fig = recist_bars(load_dataset(TESTS / "fixtures" / "mini"))
    >>> len(fig.axes), fig.axes[0].get_title()
    (1, 'Response after TACE 1')
    """
    import numpy as np

    tab = recist_counts(pp)
    (ax,) = axes
    xs = np.arange(len(tab))
    w = 0.38
    for k, g in enumerate((1, 2)):
        vals = tab[f"group{g}"].to_numpy()
        bars = ax.bar(xs + (k - 0.5) * w, vals, width=w, color=GROUP_COLOURS[g], label=_group_label(g))
        ax.bar_label(bars, fontsize=8)
    ax.set_xticks(xs, list(tab.index))
    ax.set_xlabel("RECIST 1.1 response at the first follow-up")
    ax.set_ylabel("patients, n")
    ax.set_title("Response after TACE 1")
    legend([ax], loc="best", fontsize=8, frameon=True)


@_figure_function(6.4, 5.0, left=0.2, bottom=0.3)
def km_ttp_tace(pp, axes) -> None:
    """Kaplan-Meier curves of time to progression after TACE by group (``progressed`` = event).

    Censored patients: a tick on the curve; below the plot, the numbers at risk at each time tick.
    Parameters
    ----------
    data : Dataset or pandas.DataFrame (per-patient frame)

    Returns
    -------
    matplotlib.figure.Figure

    References
    ----------
    R: ``survival::survfit(Surv(ttp_tace, progressed) ~ group)``; Kaplan and Meier, JASA 1958.

    Examples
    --------
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> fig = km_ttp_tace(load_dataset(TESTS / "fixtures" / "mini"))
    >>> len(fig.axes), fig.axes[0].get_title()
    (1, 'Time to progression after TACE (Kaplan-Meier)')
    """
    import numpy as np

    from analysis.stats.survival import kaplan_meier

    (ax,) = axes
    times = {}
    for g in (1, 2):
        sub = pp[(pp["group"] == g)].dropna(subset=["ttp_tace"])
        if not len(sub):
            continue
        t = sub["ttp_tace"].astype(float).to_numpy()
        times[g] = t
        events = sub["ttp_tace_progressed"].fillna(False).astype(bool).to_numpy()
        km = kaplan_meier(t, events)  # analysis.stats.survival (R's survfit), checked against R
        xs = np.append(km["time"].to_numpy(), t.max())
        ys = np.append(km["survival"].to_numpy(), km["survival"].iloc[-1])
        ax.step(xs, ys, where="post", color=GROUP_COLOURS[g], label=_group_label(g, len(sub)))
        censored = np.sort(t[~events])
        at = km["survival"].to_numpy()[np.searchsorted(km["time"].to_numpy(), censored, side="right") - 1]
        if len(pp) > MANY_PATIENTS:  # one mark per distinct censoring time, in one line object
            keep = np.unique(censored, return_index=True)[1]
            ax.plot(censored[keep], at[keep], "|", markersize=9, color=GROUP_COLOURS[g], rasterized=True)
            continue
        for c, y in zip(censored, at):
            ax.plot([c], [y], "|", markersize=9, color=GROUP_COLOURS[g])
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("time since TACE 1, days")
    ax.set_ylabel("progression-free proportion")
    ax.set_title("Time to progression after TACE (Kaplan-Meier)")
    legend([ax], loc="best", fontsize=8, frameon=True)
    numbers_at_risk(ax, times, GROUP_COLOURS)


# --------------------------------------------------------------------------------------------------
# all figures, saving
# --------------------------------------------------------------------------------------------------

def skipped(ds) -> dict[str, str]:
    """``{figure: why}`` for the figures whose inputs are all missing (no progression.csv: the TTP figures)."""
    from analysis.study.endpoints import NO_PROGRESSION_FILE, has_progression

    return {} if has_progression(ds) else dict.fromkeys(NEED_PROGRESSION, NO_PROGRESSION_FILE)


def names(ds) -> list[str]:
    """The figures of :data:`FIGURES` drawn for ``ds`` (by :func:`draw`), in order: all but the :func:`skipped`."""
    skip = skipped(ds)
    return [name for name in FIGURES if name not in skip]


def draw(name: str, ds, per_patient_frame=None):
    """One figure of :data:`FIGURES` by name, from a dataset (and its per-patient frame if computed).

    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> draw("waterfall", load_dataset(TESTS / "fixtures" / "mini")).axes[0].get_ylabel()
    'tumour volume change after TACE 1, %'
    """
    makers = {"study_design": study_design, "volume_before_after": volume_before_after,
              "ttp_chemo_vs_tace": ttp_chemo_vs_tace, "regression": regression, "waterfall": waterfall,
              "recist_bars": recist_bars, "km_ttp_tace": km_ttp_tace}
    if name not in makers:
        raise ValueError(f"unknown figure {name!r}; one of {', '.join(FIGURES)}")
    pp = per_patient_frame if per_patient_frame is not None else _per_patient(ds)
    return makers[name](ds if name == "study_design" else pp, synthetic=is_synthetic(ds))  # design: TACE counts


def to_bytes(fig, fmt: str) -> bytes:
    """Render a figure to deterministic PNG or SVG bytes (no date, no software name, fixed hash salt)."""
    import matplotlib as mpl

    buf = io.BytesIO()
    with mpl.rc_context(_RC):
        fig.savefig(buf, format=fmt, metadata=_PNG_META if fmt == "png" else _SVG_META)
    return buf.getvalue()


def save(fig, out_dir: Path, stem: str) -> list[Path]:
    """Write ``stem.png`` and ``stem.svg`` into ``out_dir``; returns the two paths."""
    paths = [Path(out_dir) / f"{stem}.{fmt}" for fmt in ("png", "svg")]
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    for p in paths:
        p.write_bytes(to_bytes(fig, p.suffix[1:]))
    return paths
