"""Plots of per-patient values for the notebooks: strip, box, ECDF and paired lines.

The tables summarise per-patient values by medians and quartiles; these plots show the values
themselves, one dot (or line) per patient, so a reader sees what a median hides. Every function takes
plain data (a mapping label -> values, or a per-patient frame) and returns a
:class:`matplotlib.figure.Figure` made without ``pyplot``; :func:`image` turns one into a PNG image
for a notebook (byte-stable output). When ``synthetic`` is true the figure says on its face that the
data are a synthetic cohort.

Examples
--------
>>> fig = strip({"Group 1": [1.0, 2.0, 4.0], "Group 2": [2.0, 3.0]}, ylabel="days")
>>> len(fig.axes)
1
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from analysis.report.figure_parts import legend, log_axis

#: Okabe-Ito colours (colour-blind safe), in the order labels are drawn
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
KINDS = ("strip", "box", "ecdf")
SYNTHETIC_NOTE = "synthetic cohort: not patient data"


def _figure(width: float = 6.4, height: float = 4.0):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    ax = fig.add_subplot(1, 1, 1)
    ax.grid(True, color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.subplots_adjust(left=0.13 * 6.4 / width, right=0.97, top=0.88, bottom=0.2)
    return fig, ax


def _mark(fig, title: str, synthetic: bool):
    if title:
        fig.axes[0].set_title(title, fontsize=11)
    if synthetic:
        fig.text(0.99, 0.995, SYNTHETIC_NOTE, ha="right", va="top", fontsize=8, color="#aa0000")
    return fig


def _clean(values) -> np.ndarray:
    a = np.asarray(values, dtype=float)
    return a[np.isfinite(a)]


def _jitter(n: int, width: float = 0.12) -> np.ndarray:
    """Deterministic horizontal offsets (no random numbers: the same picture every run)."""
    if n <= 1:
        return np.zeros(n)
    return np.linspace(-width, width, n)[np.argsort(np.arange(n) * 7 % n)]


def _labels(groups: Mapping[str, Sequence[float]]) -> list[str]:
    return [f"{k}".replace(", ", "\n").replace(": ", "\n") + f"\n(n={_clean(v).size})" for k, v in groups.items()]


def _width(groups) -> float:
    return max(6.4, 2.1 * len(groups))


def strip(groups: Mapping[str, Sequence[float]], ylabel: str = "", title: str = "", box: bool = True,
          log: bool = False, synthetic: bool = False):
    """One dot per patient per group (with the box of median and quartiles behind them when ``box``).

    Parameters
    ----------
    groups : mapping of str to array_like
        Label -> values; NaN and infinite values are left out (the n under each label counts the rest).
    ylabel, title : str
    box : bool
        Draw the box (median, quartiles, whiskers to 1.5 IQR) behind the dots.
    log : bool
        Log scale, when there is a value and every value is positive (else a linear axis).
    synthetic : bool
        Mark the figure as made from a synthetic cohort.
    """
    fig, ax = _figure(_width(groups))
    data = [_clean(v) for v in groups.values()]
    if box and any(d.size for d in data):
        ax.boxplot([d if d.size else [math.nan] for d in data], positions=range(len(data)), widths=0.5,
                   showfliers=False, medianprops={"color": "black"}, boxprops={"color": "#777777"},
                   whiskerprops={"color": "#777777"}, capprops={"color": "#777777"})
    for i, d in enumerate(data):
        ax.scatter(i + _jitter(d.size), d, s=28, color=PALETTE[i % len(PALETTE)], alpha=0.85, zorder=3,
                   edgecolor="white", linewidth=0.5)
    ax.set_xticks(range(len(data)), _labels(groups), fontsize=9)
    ax.set_xlim(-0.6, len(data) - 0.4)
    if log:
        log_axis(ax, data)
    ax.set_ylabel(ylabel)
    return _mark(fig, title, synthetic)


def box(groups: Mapping[str, Sequence[float]], ylabel: str = "", title: str = "", log: bool = False,
        synthetic: bool = False):
    """Box plot per group (median, quartiles, whiskers to 1.5 IQR, outliers as dots)."""
    fig, ax = _figure(_width(groups))
    data = [_clean(v) for v in groups.values()]
    bp = ax.boxplot([d if d.size else [math.nan] for d in data], positions=range(len(data)), widths=0.5,
                    patch_artist=True, medianprops={"color": "black"})
    for i, patch in enumerate(bp["boxes"]):
        patch.set_facecolor(PALETTE[i % len(PALETTE)])
        patch.set_alpha(0.5)
    ax.set_xticks(range(len(data)), _labels(groups), fontsize=9)
    if log:
        log_axis(ax, data)
    ax.set_ylabel(ylabel)
    return _mark(fig, title, synthetic)


def ecdf(groups: Mapping[str, Sequence[float]], xlabel: str = "", title: str = "", synthetic: bool = False):
    """Empirical cumulative distribution per group: the share of patients with a value <= x."""
    fig, ax = _figure()
    for i, (label, v) in enumerate(groups.items()):
        d = np.sort(_clean(v))
        if d.size:
            ax.step(np.concatenate([[d[0]], d]), np.concatenate([[0.0], np.arange(1, d.size + 1) / d.size]),
                    where="post", color=PALETTE[i % len(PALETTE)], linewidth=1.8, label=f"{label} (n={d.size})")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("share of patients with a value ≤ x")
    legend([ax], loc="lower right", fontsize=8)
    return _mark(fig, title, synthetic)


def paired(frame, before: str, after: str, by: str, names: tuple[str, str] = ("before", "after"),
           ylabel: str = "", title: str = "", log: bool = False, synthetic: bool = False):
    """One line per patient from ``frame[before]`` to ``frame[after]``, coloured by ``frame[by]``.

    Patients lacking either value are left out; the legend gives each colour's n. Above
    :data:`analysis.report.many.MANY_PATIENTS` patients the lines of a colour are one collection
    (:func:`analysis.report.many.pairs`), drawn at once instead of one by one.
    """
    from analysis.report import many

    fig, ax = _figure()
    sub = frame.dropna(subset=[before, after])
    levels = list(dict.fromkeys(sub[by]))
    sampled = False
    for i, level in enumerate(levels):
        rows = sub[sub[by] == level]
        colour = PALETTE[i % len(PALETTE)]
        if len(sub) > many.MANY_PATIENTS:
            sampled |= many.pairs(ax, rows[before], rows[after], colour, f"{level} (n={len(rows)})")
            continue
        for k, (b, a) in enumerate(zip(rows[before].astype(float), rows[after].astype(float))):
            ax.plot([0, 1], [b, a], marker="o", markersize=4, linewidth=1.1, color=colour, alpha=0.8,
                    label=f"{level} (n={len(rows)})" if k == 0 else None)
    ax.set_xticks([0, 1], list(names))
    ax.set_xlim(-0.3, 1.3)
    vals = sub[[before, after]].to_numpy(dtype=float).ravel()
    if log:
        log_axis(ax, [vals])
    ax.set_ylabel(ylabel)
    if levels:
        ax.legend(loc="best", fontsize=8)
    if sampled:
        title = "\n".join(filter(None, [title, many.SAMPLE_NOTE]))
    return _mark(fig, title, synthetic)


def image(fig):
    """The figure as an IPython PNG image (deterministic bytes: no date, no software name)."""
    import io

    from IPython.display import Image

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, metadata={"Software": None})
    return Image(data=buf.getvalue(), format="png")
