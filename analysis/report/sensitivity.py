"""The sensitivity analysis as a command and a figure: ``python -m analysis sensitivity`` (issue 14 item 6).

The numbers come from :func:`analysis.synth.sensitivity.run_sensitivity`; this module draws the
figure (one panel per published p-value: histogram of p over the draws on a log scale, the printed
p as a solid line, alpha as a dashed line, the share of draws below alpha in the corner) and writes
every output into ``OUT``:

- ``sensitivity.csv`` — one row per published p (quantiles of p over the draws, shares, range);
- ``sensitivity_draws.csv.gz`` — the p-value of every draw and comparison;
- ``sensitivity.json`` — the same summary numbers with the run's parameters (``_meta``);
- ``figures/sensitivity.png`` and ``.svg`` — byte-identical on rerun
  (:func:`analysis.report.figures.save`).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

#: Okabe-Ito colours, as in :mod:`analysis.report.figures`.
BAR_COLOUR = "#0072B2"
PUBLISHED_COLOUR = "#000000"
ALPHA_COLOUR = "#D55E00"
P_FLOOR = 1e-5
TICKS = (1e-5, 1e-4, 1e-3, 0.01, 0.1, 1.0)

_RC = {"font.family": "DejaVu Sans", "font.size": 8, "axes.titlesize": 8, "axes.labelsize": 8,
       "xtick.labelsize": 7, "ytick.labelsize": 7, "svg.hashsalt": "tace-net", "svg.fonttype": "path"}


def _panel(ax, comp, p: np.ndarray, alpha: float) -> None:
    bins = np.logspace(math.log10(P_FLOOR), 0, 51)
    ax.hist(np.clip(p, P_FLOOR, 1), bins=bins, color=BAR_COLOUR, alpha=0.85, histtype="stepfilled")  # one patch
    ax.set_xscale("log")
    ax.set_xlim(P_FLOOR, 1.05)
    ax.set_xticks(TICKS, [f"{t:g}" for t in TICKS])  # plain labels: no mathtext, no extra fonts
    ax.minorticks_off()
    ax.axvline(max(comp.published, P_FLOOR), color=PUBLISHED_COLOUR, lw=1.5, label=f"published p = {comp.printed}")
    ax.axvline(alpha, color=ALPHA_COLOUR, lw=1.2, ls="--", label=f"alpha = {alpha:g}")
    below = float(np.mean(p < alpha))
    ax.text(0.02, 0.95, f"p < alpha in {100 * below:.1f} % of draws", transform=ax.transAxes, va="top", fontsize=7)
    reading = " (after-chemo subgroups)" if comp.reading else ""
    ax.set_title(f"{comp.key}{reading}\nn = {comp.x.n} vs {comp.y.n}; published p = {comp.printed}")
    ax.set_xlabel("Mann-Whitney p over the draws (log scale)")
    ax.set_ylabel("draws")


def sensitivity_figure(res):
    """The figure of a :class:`analysis.synth.sensitivity.SensitivityResult` (a matplotlib Figure)."""
    import matplotlib as mpl
    from matplotlib.figure import Figure

    k = len(res.comparisons)
    ncols = 3
    nrows = max(1, math.ceil(k / ncols))
    with mpl.rc_context(_RC):
        height = 2.55 * nrows + 1.1
        fig = Figure(figsize=(11, height))
        axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
        fig.subplots_adjust(left=0.06, right=0.98, top=1 - 1.05 / height, bottom=0.5 / height,
                            hspace=0.9, wspace=0.25)
        for ax, comp, j in zip(axes, res.comparisons, range(k)):
            _panel(ax, comp, res.pvalues[:, j], res.meta["alpha"])
        for ax in axes[k:]:
            ax.set_visible(False)
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, ["published p (solid)", labels[1] + " (dashed)"], loc="upper center", ncol=2,
                   fontsize=8, frameon=False, bbox_to_anchor=(0.5, 1 - 0.35 / height))
        fig.suptitle(f"p-values allowed by the printed medians and quartiles ({res.meta['draws']} draws, "
                     f"seed {res.meta['seed']})", y=1 - 0.08 / height, fontsize=10)
    return fig


def write_sensitivity(res, out_dir: str | Path) -> list[Path]:
    """Write the tables (:func:`analysis.synth.sensitivity.write_tables`) and the figure into ``out_dir``."""
    import matplotlib as mpl

    from analysis.report.figures import save
    from analysis.synth.sensitivity import write_tables

    paths = write_tables(res, out_dir)
    with mpl.rc_context(_RC):
        paths += save(sensitivity_figure(res), Path(out_dir) / "figures", "sensitivity")
    return paths


def run_command(draws: int, out: str | Path, scheduler: str | None = None, seed: int = 20221027,
                alpha: float = 0.05, jobs: int | None = None) -> int:
    """``python -m analysis sensitivity``: run, write ``out``, print one line per output; exit status 0."""
    from analysis.synth.sensitivity import run_sensitivity

    res = run_sensitivity(draws=draws, seed=seed, alpha=alpha, scheduler=scheduler, jobs=jobs,
                          progress=True)
    for p in write_sensitivity(res, out):
        print(f"wrote {p}")
    s = res.summary
    for r in s.itertuples(index=False):
        print(f"{r.id:32s} published p = {r.printed:8s} draws: median {r.p_median:.3g} "
              f"[{r.p_q025:.3g}, {r.p_q975:.3g}], p < {alpha:g} in {100 * r.share_below_alpha:.1f} %", file=sys.stderr)
    return 0


def _verdict(share_same: float) -> str:
    if share_same >= 0.95:
        return "robust: almost every compatible cohort reaches the same conclusion"
    if share_same <= 0.05:
        return "contradicted: almost no compatible cohort reaches the published conclusion"
    return "fragile: the conclusion depends on the unpublished values"


def plain_reading(row) -> str:
    """One sentence or three, in plain language, for one row of the summary (a mapping or namedtuple)."""
    r = row if isinstance(row, dict) else row._asdict()
    concl = "significant" if r["published_significant"] else "not significant"
    who = f" ({r['reading']})" if r["reading"] else ""
    text = (f"**{r['key']}**{who}, n = {r['n1']} vs {r['n2']}: the paper prints p = {r['printed']} ({concl} at "
            f"alpha = {r['alpha']:g}). Cohorts with the printed medians and quartiles give p from {r['p_min']:.2g} "
            f"to {r['p_max']:.2g} (middle 95 %: {r['p_q025']:.2g} to {r['p_q975']:.2g}, median {r['p_median']:.2g}). ")
    if not r["published_inside_range"]:
        text += (f"None of the {r['draws']} draws comes near the printed p: under the sampler's assumptions it "
                 "does not fit the printed summaries (see the audit for the exact bounds). ")
    text += (f"p < alpha in {100 * r['share_below_alpha']:.1f} % of the draws, so the published conclusion holds in "
             f"{100 * r['share_same_conclusion']:.1f} %: {_verdict(r['share_same_conclusion'])}.")
    return text


def readings_markdown(res) -> str:
    """A Markdown bullet list: :func:`plain_reading` of every published p-value of ``res``."""
    return "\n".join(f"- {plain_reading(r)}" for r in res.summary.to_dict("records"))


def show(res):
    """The figure as an IPython PNG image (the same deterministic bytes as ``figures/sensitivity.png``)."""
    import matplotlib as mpl
    from IPython.display import Image

    from analysis.report.figures import to_bytes

    with mpl.rc_context(_RC):
        return Image(to_bytes(sensitivity_figure(res), "png"))
