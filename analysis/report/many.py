"""Drawing the marks of many patients at once (the figures of :mod:`analysis.report.figures`,
:mod:`analysis.report.figures_beyond` and :mod:`analysis.report.plots` above :data:`MANY_PATIENTS`
patients): one rasterized collection or path instead of one artist per patient, so that a figure of 34,000
patients costs about what one of 34 costs, and its SVG stays small (the marks are an embedded image, the
axes, text and reference lines stay vector). At or below :data:`MANY_PATIENTS` the figures are drawn mark
by mark, as they always were (byte-identical output for the bundled cohort).

Examples
--------
>>> raster(34), raster(34_000)
({}, {'rasterized': True})
"""

from __future__ import annotations

#: Above this many patients a figure draws its per-patient marks as one collection, rasterized inside the
#: SVG, and names no patient on its axis (tens of thousands of labels or vector paths would cost minutes
#: and tens of MB and show nothing readable).
MANY_PATIENTS = 60
#: Most lines :func:`pairs` draws for one colour: above it an evenly spaced sample of this many distinct pairs
#: (every patient's points are still drawn). Stroking 34,000 lines across a panel cost about 2 CPU-s per
#: rendering of one figure and showed one solid band; the sample shows the same band.
LINES_MAX = 2000
#: What a panel's title adds when :func:`pairs` drew a sample of its lines.
SAMPLE_NOTE = f"lines: an even sample of {LINES_MAX:,} per colour"  # every point is drawn


def raster(n: int) -> dict:
    """``{"rasterized": True}`` for a mark drawn for more than :data:`MANY_PATIENTS` patients, else ``{}``.

    Parameters
    ----------
    n : int
        The number of patients (or marks) drawn.

    Returns
    -------
    dict
        Keyword arguments for a matplotlib artist (empty: the artist is drawn exactly as before).

    References
    ----------
    Matplotlib, ``Artist.set_rasterized`` (vector backends embed the artist as an image).

    Examples
    --------
    >>> raster(60), raster(61)
    ({}, {'rasterized': True})
    """
    return {"rasterized": True} if n > MANY_PATIENTS else {}


def pairs(ax, a, b, colour: str, label: str) -> bool:
    """Draw each patient's pair (a, b) at x = 0 and x = 1: one line (NaN-separated) and one scatter, rasterized.

    All the segments of a colour are one line object whose pieces are separated by NaN: it is transformed
    in one vectorised call (also on a log axis, where a collection transforms segment by segment in
    Python) and drawn as one path. Overlapping segments do not darken each other (one path, one alpha),
    so patients with the same pair (durations in whole days repeat often) share one segment: drawing it
    again would only cost time. The points are drawn for every patient; above :data:`LINES_MAX` distinct
    pairs, the lines of an evenly spaced sample of :data:`LINES_MAX` of them (in patient order), and the
    function says so (the caller adds :data:`SAMPLE_NOTE` to the panel's title).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The panel.
    a, b : pandas.Series
        The two values per patient (NaN = not drawn; a patient with one value shows one point).
    colour : str
        The colour of every mark.
    label : str
        The legend label (given to the points).

    Returns
    -------
    bool
        True when only a sample of the lines was drawn.

    References
    ----------
    Matplotlib, ``Line2D`` (NaN breaks a line) and ``Artist.set_rasterized``.

    Examples
    --------
    >>> import pandas as pd
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> pairs(ax, pd.Series([1.0, 2.0, None]), pd.Series([2.0, None, 3.0]), "#000000", "x")
    False
    >>> len(ax.lines), ax.lines[0].get_xdata().tolist(), len(ax.collections[0].get_offsets())
    (1, [0.0, 1.0, nan], 4)
    >>> ax = Figure().subplots()
    >>> pairs(ax, pd.Series([5.0, 1.0, 5.0]), pd.Series([7.0, 2.0, 7.0]), "#000000", "x")
    False
    >>> ax.lines[0].get_ydata().tolist()[:5], len(ax.collections[0].get_offsets())  # (5, 7) twice: one segment
    ([5.0, 7.0, nan, 1.0, 2.0], 6)
    """
    import numpy as np

    a = a.astype(float).to_numpy()
    b = b.astype(float).to_numpy()
    both = np.isfinite(a) & np.isfinite(b)
    seg = np.column_stack([a[both], b[both]])
    first = np.sort(np.unique(seg, axis=0, return_index=True)[1])  # each distinct pair once, in patient order
    seg = seg[first]
    sampled = len(seg) > LINES_MAX
    if sampled:  # every k-th distinct pair, deterministic
        seg = seg[np.unique(np.linspace(0, len(seg) - 1, LINES_MAX).round().astype(int))]
    n = len(seg)
    xs = np.tile(np.array([0.0, 1.0, np.nan]), n)
    ys = np.column_stack([seg, np.full(n, np.nan)]).ravel()
    ax.plot(xs, ys, color=colour, linewidth=0.6, alpha=0.3, rasterized=True)
    x = np.concatenate([np.zeros(np.isfinite(a).sum()), np.ones(np.isfinite(b).sum())])
    y = np.concatenate([a[np.isfinite(a)], b[np.isfinite(b)]])
    ax.scatter(x, y, s=6, color=colour, alpha=0.5, label=label if len(y) else None, rasterized=True)
    ax.autoscale_view()
    return sampled


def bars(ax, xs, heights, groups, colours: dict) -> None:
    """Draw many bars (width 0.8 at ``xs``) as one rasterized path per group; set the x and y limits.

    Every bar is still its own rectangle (no binning), but the rectangles of a group are the sub-paths of
    one compound path: one artist to draw instead of one per bar (a collection of 34,000 polygons costs
    seconds to rasterize, one path of 34,000 rectangles a fraction of that).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The panel.
    xs, heights, groups : numpy.ndarray
        Position, height and group (1 or 2) of each bar.
    colours : dict
        Group -> colour.

    Returns
    -------
    None

    References
    ----------
    Matplotlib, ``Path`` (compound paths) and ``PathPatch``.

    Examples
    --------
    >>> import numpy as np
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> bars(ax, np.arange(3), np.array([50.0, -10.0, -40.0]), np.array([1, 2, 1]), {1: "b", 2: "r"})
    >>> [len(p.get_path().vertices) // 5 for p in ax.patches], [float(y) for y in ax.get_ylim()]
    ([2, 1], [-44.5, 54.5])
    """
    import numpy as np
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path

    xs, heights, groups = np.asarray(xs, dtype=float), np.asarray(heights, dtype=float), np.asarray(groups)
    for g in (1, 2):
        sel = groups == g
        x, h = xs[sel], heights[sel]
        if not len(x):
            continue
        z = np.zeros_like(h)
        # each bar: move to its base, round its rectangle, close (5 vertices)
        verts = np.stack([np.column_stack([x - 0.4, z]), np.column_stack([x - 0.4, h]),
                          np.column_stack([x + 0.4, h]), np.column_stack([x + 0.4, z]),
                          np.column_stack([x - 0.4, z])], axis=1).reshape(-1, 2)
        codes = np.tile(np.array([Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY],
                                 dtype=Path.code_type), len(x))
        # add_artist, not add_patch: the limits are set below, not walked segment by segment
        ax.add_artist(PathPatch(Path(verts, codes), facecolor=colours[g], edgecolor="none", linewidth=0,
                                rasterized=True))
    if len(heights):
        ax.set_xlim(float(np.min(xs)) - 0.5, float(np.max(xs)) + 0.5)
        lo, hi = min(0.0, float(np.min(heights))), max(0.0, float(np.max(heights)))
        ax.update_datalim([(float(np.min(xs)) - 0.4, lo), (float(np.max(xs)) + 0.4, hi)])  # for a later autoscale
        pad = 0.05 * (hi - lo or 1.0)
        ax.set_ylim(lo - pad, hi + pad)
