"""Figures of the analyses beyond the paper (issue 14), in the theme of :mod:`analysis.report.figures`.

- :func:`km_bands` — Kaplan-Meier curves of TTP after chemotherapy and after TACE per group, with
  R's 95 % band (``conf.type = "log"``, :func:`analysis.stats.survival.survfit_km`), censoring ticks
  and a numbers-at-risk table under each panel;
- :func:`waterfall_best` — best percent change of the sum of target diameters after TACE 1, one bar
  per patient, with the RECIST 1.1 −30 % (response) and +20 % (progression) lines;
- :func:`swimmer` — one line per patient: detection (day 0), chemotherapy, each TACE, each exam,
  progression or censoring;
- :func:`dt_singularity` — why the doubling time misbehaves near zero change: DT = Δt ln 2 / ln(V1/V0)
  goes to ±∞ as V1/V0 → 1, while SGR = ln(V1/V0)/Δt passes smoothly through 0.

Examples
--------
>>> BEYOND_FIGURES[0]
'km_bands'
"""

from __future__ import annotations

import math

from analysis.report import many
from analysis.report.figures import FIGURES, GROUP_COLOURS, _figure, _group_label, _per_patient, _theme, to_bytes

BEYOND_FIGURES = ("km_bands", "waterfall_best", "swimmer", "dt_singularity")
#: every figure written by ``reproduce`` (OUT/figures), in reading order
ALL_FIGURES = FIGURES + BEYOND_FIGURES
#: most patients whose identifiers are written on an axis (beyond: no per-patient labels)
MAX_LABELS = many.MANY_PATIENTS
#: most patients drawn in the swimmer plot: above it, an evenly spaced sample of this many patients (said in
#: the title); 34,000 lines in 12 inches would be a grey block, and 460,000 exam marks cost minutes
SWIMMER_MAX = 200
EVENT_STYLE = {"tace": ("v", "#000000", "TACE"), "exam": ("|", "#777777", "CT/MRI exam"),
               "progression": ("X", "#C00000", "progression"), "censored": (">", "#009E73", "censored")}


def _risk_times(tmax: float) -> list[float]:
    step = 10 ** math.floor(math.log10(tmax / 4)) if tmax > 0 else 1
    for m in (1, 2, 2.5, 5, 10):
        if tmax / (m * step) <= 6:
            step *= m
            break
    return [k * step for k in range(int(tmax // step) + 1)]


def km_bands(ds):
    """Kaplan-Meier TTP after chemotherapy and after TACE per group, 95 % log band, numbers at risk.

    Parameters
    ----------
    ds : Dataset
        A validated dataset.

    Returns
    -------
    matplotlib.figure.Figure

    References
    ----------
    .. [1] Therneau T. ``survival`` 3.5: ``survfit`` (``conf.type = "log"``), ``summary(times =)``.

    Examples
    --------
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> len(km_bands(load_dataset(TESTS / "fixtures" / "mini")).axes)
    2
    """
    import numpy as np

    from analysis.stats.survival import numbers_at_risk, survfit_km
    from analysis.study.survival import SETTINGS, km_data

    titles = {"chemo": "after chemotherapy", "tace": "after TACE 1"}
    with _theme():
        fig, axes = _figure(10.0, 4.8, ncols=2, sharey=True, bottom=0.36, left=0.08, wspace=0.08)
        for ax, s in zip(axes, SETTINGS):
            data = km_data(ds, s)
            tmax = float(data["ttp"].max()) if len(data) else 1.0
            times = _risk_times(tmax)
            for k, g in enumerate((1, 2)):
                sub = data[data["group"] == g]
                if not len(sub):
                    continue
                t, e = sub["ttp"].to_numpy(float), sub["progressed"].to_numpy(bool)
                c = survfit_km(t, e)  # R survfit, conf.type "log"
                xs = np.concatenate([[0.0], c["time"].to_numpy()])
                ys = np.concatenate([[1.0], c["surv"].to_numpy()])
                lo = np.concatenate([[1.0], c["lower"].fillna(0.0).to_numpy()])
                hi = np.concatenate([[1.0], c["upper"].fillna(0.0).to_numpy()])
                col = GROUP_COLOURS[g]
                ax.step(xs, ys, where="post", color=col, label=_group_label(g, len(sub)))
                ax.fill_between(xs, lo, hi, step="post", color=col, alpha=0.15, linewidth=0)
                cens = c[c["n_censor"] > 0]
                ax.plot(cens["time"], cens["surv"], "|", color=col, markersize=9)
                risk = numbers_at_risk(t, times)
                for x, n in zip(times, risk):
                    ax.annotate(str(n), (x, 0), xycoords=("data", "axes fraction"), xytext=(0, -42 - 12 * k),
                                textcoords="offset points", ha="center", fontsize=7, color=col)
            ax.annotate("at risk", (0, 0), xycoords="axes fraction", xytext=(-4, -30), textcoords="offset points",
                        ha="right", fontsize=7)
            ax.set_xticks(times)
            ax.set_ylim(-0.02, 1.02)
            ax.set_xlabel(f"days since the start ({titles[s]})")
            ax.set_title(f"Time to progression {titles[s]}")
            if len(data):
                ax.legend(loc="upper right", fontsize=8, frameon=True)
            else:
                ax.annotate("no progression data", (0.5, 0.5), xycoords="axes fraction", ha="center")
        axes[0].set_ylabel("progression-free proportion")
    return fig


def waterfall_best(ds, endpoints=None):
    """Best percent change of the sum of target diameters after TACE 1 per patient (RECIST lines).

    Parameters
    ----------
    ds : Dataset
        A validated dataset.
    endpoints : pandas.DataFrame, optional
        :func:`analysis.study.endpoints.per_patient` of ``ds`` if already computed.

    Returns
    -------
    matplotlib.figure.Figure

    References
    ----------
    .. [1] Eisenhauer EA et al. Eur J Cancer 2009;45:228-47 (−30 % PR, +20 % PD).

    Examples
    --------
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> waterfall_best(load_dataset(TESTS / "fixtures" / "mini")).axes[0].get_ylabel()[:4]
    'best'
    """
    import numpy as np
    from matplotlib.patches import Patch

    from analysis.study.agreement import best_response

    b = best_response(ds, endpoints)
    with _theme():
        fig, (ax,) = _figure(8.0, 4.2, bottom=0.2, left=0.1)
        xs = np.arange(len(b))
        if len(b) > MAX_LABELS:  # one rasterized path per group (:func:`analysis.report.many.bars`)
            many.bars(ax, xs, b["best_pct"].to_numpy(dtype=float), b["group"].astype(int).to_numpy(), GROUP_COLOURS)
            ax.autoscale(enable=True, axis="y")  # bars and the RECIST lines below in view, as with ax.bar
        else:
            ax.bar(xs, b["best_pct"], color=[GROUP_COLOURS[int(g)] for g in b["group"]], width=0.8)
        ax.axhline(0, color="#555555", linewidth=0.8)
        ax.axhline(20, color="#C00000", linestyle="--", linewidth=1)
        ax.axhline(-30, color="#009E73", linestyle="--", linewidth=1)
        ax.annotate("+20 % (progression)", (1, 20), xycoords=("axes fraction", "data"), ha="right", va="bottom",
                    fontsize=7, color="#C00000")
        ax.annotate("−30 % (partial response)", (1, -30), xycoords=("axes fraction", "data"), ha="right",
                    va="top", fontsize=7, color="#009E73")
        if len(b) <= MAX_LABELS:
            ax.set_xticks(xs, b["patient_id"], rotation=90, fontsize=7)
        else:
            ax.set_xticks([])
        ax.set_xlabel(f"patient (n = {len(b)}, sorted by best change)")
        ax.set_ylabel("best change of the sum of diameters, %")
        ax.set_title("Waterfall plot of the best response after TACE 1")
        ax.legend(handles=[Patch(color=GROUP_COLOURS[g], label=_group_label(g)) for g in (1, 2)],
                  loc="lower left", fontsize=8, frameon=True)
    return fig


def swimmer(ds):
    """One line per patient from detection to the last follow-up, with chemotherapy, TACE, exams, outcome.

    Above :data:`SWIMMER_MAX` patients an evenly spaced sample of :data:`SWIMMER_MAX` of them (in the
    dataset's patient order, always the same) is drawn, and the title says so with both counts.

    Parameters
    ----------
    ds : Dataset
        A validated dataset.

    Returns
    -------
    matplotlib.figure.Figure

    References
    ----------
    .. [1] README, "Your own data": days from detection of liver metastases (day 0).

    Examples
    --------
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> swimmer(load_dataset(TESTS / "fixtures" / "mini")).axes[0].get_xlabel()[:4]
    'days'
    """
    from matplotlib.lines import Line2D

    from analysis.study.agreement import timeline

    t = timeline(ds)
    ids = list(dict.fromkeys(t["patient_id"]))
    title = "Swimmer plot: treatment and follow-up per patient"
    if len(ids) > SWIMMER_MAX:  # a labelled sample: every k-th patient, deterministic
        import numpy as np

        shown = [ids[i] for i in np.unique(np.linspace(0, len(ids) - 1, SWIMMER_MAX).round().astype(int))]
        title = f"Swimmer plot: {len(shown)} of {len(ids):,} patients (evenly spaced sample)"
        ids = shown
        t = t[t["patient_id"].isin(set(shown))]
    ypos = {p: i for i, p in enumerate(reversed(ids))}
    height = min(2.0 + 0.22 * len(ids), 12.0)
    with _theme():
        fig, (ax,) = _figure(9.0, height, left=0.1, bottom=0.9 / height + 0.04, top=1 - 0.5 / height)
        y = t["patient_id"].map(ypos)
        span = t.assign(y=y).groupby("patient_id", sort=False).agg(y=("y", "first"), group=("group", "first"),
                                                                    start=("day", "min"), end=("day", "max"))
        ax.hlines(span["y"], span["start"], span["end"], colors=[GROUP_COLOURS[int(g)] for g in span["group"]],
                  linewidth=1.2)
        chemo = t[t["event"] == "chemo"]
        ax.hlines(chemo["patient_id"].map(ypos), chemo["day"], chemo["end_day"].astype(float), colors="#CC79A7",
                  linewidth=5, alpha=0.7)
        for ev, (marker, col, _) in EVENT_STYLE.items():
            sub = t[t["event"] == ev]
            ax.scatter(sub["day"], sub["patient_id"].map(ypos), marker=marker, color=col,
                       s=18 if ev != "exam" else 30, zorder=3, linewidths=1)
        ax.axvline(0, color="#555555", linewidth=0.8)
        if len(ids) <= MAX_LABELS:
            ax.set_yticks(list(ypos.values()), list(ypos.keys()), fontsize=7)
        else:
            ax.set_yticks([])
        ax.set_xlabel("days since detection of liver metastases (day 0)")
        ax.set_ylabel("patient")
        ax.set_title(title)
        handles = [Line2D([], [], color="#CC79A7", linewidth=5, alpha=0.7, label="chemotherapy")]
        handles += [Line2D([], [], linestyle="", marker=m, color=c, label=lab) for m, c, lab in EVENT_STYLE.values()]
        handles += [Line2D([], [], color=GROUP_COLOURS[g], label=_group_label(g)) for g in (1, 2)]
        ax.legend(handles=handles, loc="lower right", fontsize=7, frameon=True)
    return fig


def dt_singularity(data, interval_days: float = 90.0):
    """Doubling time and specific growth rate against V1/V0: the pole of DT at no change.

    Parameters
    ----------
    data : Dataset or pandas.DataFrame
        A dataset or its per-patient frame (the patients are drawn on the curves at their own Δt).
    interval_days : float, default 90
        Δt of the drawn curves.

    Returns
    -------
    matplotlib.figure.Figure

    References
    ----------
    .. [1] Schwartz M. Cancer 1961;14:1272-94 (DT = Δt ln 2 / ln(V1/V0)).

    Examples
    --------
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> len(dt_singularity(load_dataset(TESTS / "fixtures" / "mini")).axes)
    2
    """
    import numpy as np

    pp = _per_patient(data)
    r = np.concatenate([np.linspace(0.3, 0.995, 200), np.linspace(1.005, 3.0, 200)])
    with _theme():
        fig, (a1, a2) = _figure(10.0, 4.0, ncols=2, left=0.08, wspace=0.28)
        for side in (r < 1, r > 1):
            a1.plot(r[side], interval_days * math.log(2) / np.log(r[side]), color="#555555")
        a2.plot(r, np.log(r) / interval_days, color="#555555", label=f"Δt = {interval_days:g} days")
        for g in (1, 2):
            sub = pp[pp["group"] == g]
            ratio = sub["v1"].astype(float) / sub["v0"].astype(float)
            a1.scatter(ratio, sub["doubling_time"].astype(float), s=18, color=GROUP_COLOURS[g], label=_group_label(g),
                       **many.raster(len(pp)))
            a2.scatter(ratio, sub["sgr"].astype(float), s=18, color=GROUP_COLOURS[g], label=_group_label(g),
                       **many.raster(len(pp)))
        a1.axvline(1, color="#C00000", linestyle="--", linewidth=1)
        a1.set_ylim(-3000, 3000)
        a1.set_xlabel("V1 / V0")
        a1.set_ylabel("doubling time DT, days")
        a1.set_title("DT = Δt ln 2 / ln(V1/V0): ±∞ at V1 = V0")
        a2.axhline(0, color="#555555", linewidth=0.8)
        a2.set_xlabel("V1 / V0")
        a2.set_ylabel("specific growth rate SGR, per day")
        a2.set_title("SGR = ln(V1/V0) / Δt: 0 at V1 = V0")
        a1.legend(loc="upper right", fontsize=8, frameon=True)
        a2.legend(loc="lower right", fontsize=8, frameon=True)
    return fig


def make_beyond(ds, per_patient_frame=None) -> dict:
    """Every figure of :data:`BEYOND_FIGURES`, keyed by name.

    Parameters
    ----------
    ds : Dataset
        A validated dataset.
    per_patient_frame : pandas.DataFrame, optional
        Its per-patient frame if already computed.

    Returns
    -------
    dict

    Examples
    --------
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> list(make_beyond(load_dataset(TESTS / "fixtures" / "mini"))) == list(BEYOND_FIGURES)
    True
    """
    pp = per_patient_frame if per_patient_frame is not None else _per_patient(ds)
    return {name: draw(name, ds, pp) for name in BEYOND_FIGURES}


def show(fig):
    """The figure as an IPython PNG image (deterministic bytes, :func:`analysis.report.figures.to_bytes`).

    Parameters
    ----------
    fig : matplotlib.figure.Figure

    Returns
    -------
    IPython.display.Image

    Examples
    --------
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> show(swimmer(load_dataset(TESTS / "fixtures" / "mini"))).format
    'png'
    """
    from IPython.display import Image

    return Image(data=to_bytes(fig, "png"), format="png")


def draw(name: str, ds, per_patient_frame=None):
    """One figure of :data:`BEYOND_FIGURES` by name (as the notebooks ask for it).

    Parameters
    ----------
    name : str
        A name of :data:`BEYOND_FIGURES`.
    ds : Dataset
        A validated dataset.
    per_patient_frame : pandas.DataFrame, optional
        Its per-patient frame if already computed.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> len(draw("km_bands", load_dataset(TESTS / "fixtures" / "mini")).axes)
    2
    """
    pp = per_patient_frame if per_patient_frame is not None else _per_patient(ds)
    makers = {"km_bands": lambda: km_bands(ds), "waterfall_best": lambda: waterfall_best(ds, pp),
              "swimmer": lambda: swimmer(ds), "dt_singularity": lambda: dt_singularity(pp)}
    if name not in makers:
        raise ValueError(f"unknown figure {name!r}; one of {', '.join(BEYOND_FIGURES)}")
    return makers[name]()
