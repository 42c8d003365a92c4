"""Parts of figures drawn into a given axes: the SGR panel of the regression figure, the numbers at risk
under a Kaplan-Meier plot, one legend for all panels where there is something to name, a log axis with plain
tick labels, and the names of the TACE timings (used by :mod:`analysis.report.figures`, :mod:`~analysis.report.plots`
and :mod:`~analysis.report.narrative`)."""

from __future__ import annotations

from analysis.report.many import raster

RESPONSE_ORDER = ("CR", "PR", "SD", "PD")

#: how the two TACE timings are named in figures, legends and notebook tables
TIMING_LABELS = {"immediate": "TACE immediately", "after_chemo": "TACE after chemotherapy"}

#: the words on every figure drawn from a synthetic dataset
SYNTHETIC_STAMP = "SYNTHETIC DATA (not patient data)"


#: seaborn 0.13's ``axes_style("whitegrid")`` (without ``image.cmap``: its "rocket" colour map exists only once
#: seaborn is imported, and no figure draws with the default colour map) ...
WHITEGRID = {
    "figure.facecolor": "white", "axes.labelcolor": ".15", "xtick.direction": "out", "ytick.direction": "out",
    "xtick.color": ".15", "ytick.color": ".15", "axes.axisbelow": True, "grid.linestyle": "-", "text.color": ".15",
    "font.family": ["sans-serif"], "font.sans-serif": ["Arial", "DejaVu Sans", "Liberation Sans",
                                                      "Bitstream Vera Sans", "sans-serif"],
    "lines.solid_capstyle": "round", "patch.edgecolor": "w", "patch.force_edgecolor": True, "xtick.top": False,
    "ytick.right": False, "axes.grid": True, "axes.facecolor": "white", "axes.edgecolor": ".8", "grid.color": ".8",
    "axes.spines.left": True, "axes.spines.bottom": True, "axes.spines.right": True, "axes.spines.top": True,
    "xtick.bottom": False, "ytick.left": False,
}
#: ... and its ``plotting_context("notebook", font_scale=0.9)``: the theme of every figure, written out here so
#: that drawing a figure does not import seaborn (1-1.5 s in a fresh kernel, for two dicts);
#: tests/test_report_html.py checks these values against the installed seaborn.
NOTEBOOK_CONTEXT = {
    "axes.linewidth": 1.25, "grid.linewidth": 1, "lines.linewidth": 1.5, "lines.markersize": 6,
    "patch.linewidth": 1, "xtick.major.width": 1.25, "ytick.major.width": 1.25, "xtick.minor.width": 1,
    "ytick.minor.width": 1, "xtick.major.size": 6, "ytick.major.size": 6, "xtick.minor.size": 4,
    "ytick.minor.size": 4, "font.size": 10.8, "axes.labelsize": 10.8, "axes.titlesize": 10.8,
    "xtick.labelsize": 9.9, "ytick.labelsize": 9.9, "legend.fontsize": 9.9, "legend.title_fontsize": 10.8,
}


def is_synthetic(data) -> bool:
    """True for a Dataset that is synthetic (:mod:`analysis.data.provenance`: its files are the bundled
    cohort's, or it says so); a per-patient frame carries ``attrs["synthetic"]`` when known."""
    if hasattr(data, "sha256") and hasattr(data, "is_synthetic"):
        from analysis.data.provenance import SYNTHETIC_KIND, provenance

        return provenance(data.sha256, {"synthetic": bool(data.is_synthetic)}) == SYNTHETIC_KIND
    return bool(getattr(data, "attrs", {}).get("synthetic", False))


def stamp_synthetic(fig) -> None:
    """Write :data:`SYNTHETIC_STAMP` on the figure itself (top right corner, in red)."""
    fig.text(0.995, 0.995, SYNTHETIC_STAMP, ha="right", va="top", fontsize=8, color="#b00020",
             fontweight="bold")


def sgr_panel(pp, ax, colours: dict, group_label) -> None:
    """Volume change against the specific growth rate (%/day), OLS line and R² per group."""
    import numpy as np

    from analysis.stats import ols

    for g in (1, 2):
        sub = pp[pp["group"] == g]
        x = sub["sgr"].astype(float).to_numpy() * 100.0
        y = sub["volume_change"].astype(float).to_numpy()
        ok = np.isfinite(x) & np.isfinite(y)
        x, y = x[ok], y[ok]
        label = group_label(g, len(x))
        if len(x) >= 3 and np.ptp(x) > 0:
            fit = ols(x, y)
            xs = np.linspace(x.min(), x.max(), 2)
            ax.plot(xs, fit.intercept + fit.slope * xs, color=colours[g], linewidth=1.5)
            label += f": R² = {fit.r2:.4f}"
        ax.scatter(x, y, s=22, color=colours[g], alpha=0.85, label=label, edgecolor="white", linewidth=0.5,
                   **raster(len(pp)))
    ax.axhline(0, color="#555555", linewidth=0.8)
    ax.axvline(0, color="#999999", linewidth=0.6)
    ax.set_xlabel("specific growth rate, % per day")
    ax.set_title("Volume change vs SGR (every patient)")
    legend([ax], loc="best", fontsize=8, frameon=True)


def log_axis(ax, data) -> None:
    """Log y axis with plain-number tick labels at 1, 2 and 5 per decade (no mathtext: the same fonts
    everywhere), when a log axis can show ``data`` (arrays of the values drawn): at least one value, and every
    value positive. Otherwise the axis stays linear (matplotlib refuses a log axis without a positive value)."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    if not (any(d.size for d in data) and all((d > 0).all() for d in data)):
        return
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())


def legend(axes, **kwargs) -> None:
    """One legend naming each label of all ``axes`` once (in order of first appearance), in the first panel
    with a labelled mark; none when no panel has one (an empty group draws nothing, and matplotlib would warn
    "No artists with labels found" into the notebook)."""
    named, first = {}, None
    for ax in axes:
        handles, labels = ax.get_legend_handles_labels()
        if handles and first is None:
            first = ax
        for handle, label in zip(handles, labels):
            named.setdefault(label, handle)
    if first is not None:
        first.legend(list(named.values()), list(named), **kwargs)


def numbers_at_risk(ax, times: dict, colours: dict) -> None:
    """A numbers-at-risk table under a Kaplan-Meier plot: per group, patients with time >= each x tick."""
    import numpy as np

    if not times:
        return
    hi = max(float(np.max(t)) for t in times.values())
    ax.set_xlim(0, hi * 1.02 if hi > 0 else 1)
    ticks = [x for x in ax.get_xticks() if 0 <= x <= hi * 1.02]
    ax.set_xticks(ticks)
    ax.text(-0.08, -0.2, "at risk", transform=ax.transAxes, ha="right", va="center", fontsize=8,
            fontweight="bold")
    for row, (g, t) in enumerate(sorted(times.items())):
        y = -0.28 - 0.08 * row
        ax.text(-0.08, y, f"group {g}", transform=ax.transAxes, ha="right", va="center", fontsize=8,
                color=colours[g])
        for x in ticks:
            ax.text(x, y, str(int(np.sum(t >= x))), transform=ax.get_xaxis_transform(), ha="center",
                    va="center", fontsize=8, color=colours[g])


def recist_counts(data):
    """Number of patients per RECIST 1.1 category (CR/PR/SD/PD, then any other label) per group."""
    import pandas as pd

    from analysis.study.endpoints import per_patient

    pp = data if isinstance(data, pd.DataFrame) else per_patient(data)
    resp = pp["response"].fillna("NE").astype(str)
    cats = list(RESPONSE_ORDER) + sorted(set(resp) - set(RESPONSE_ORDER))
    tab = pd.crosstab(pd.Categorical(resp, categories=cats), pp["group"]).reindex(
        index=cats, columns=[1, 2], fill_value=0)
    tab.index.name = "response"
    tab.columns = [f"group{g}" for g in (1, 2)]
    return tab
