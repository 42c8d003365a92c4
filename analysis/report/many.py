"""Drawing the marks of many patients at once (the figures of :mod:`analysis.report.figures` above
:data:`analysis.report.figures.MANY_PATIENTS` patients): one rasterized collection instead of one artist
per patient, so that a figure of 34,000 patients costs about what one of 34 costs, and its SVG stays small."""

from __future__ import annotations


def pairs(ax, a, b, colour: str, label: str) -> None:
    """Draw each patient's pair (a, b) at x = 0 and x = 1: one line collection and one scatter, rasterized.

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
    None

    References
    ----------
    Matplotlib, ``LineCollection`` and ``Artist.set_rasterized``.

    Examples
    --------
    >>> import pandas as pd
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> pairs(ax, pd.Series([1.0, 2.0, None]), pd.Series([2.0, None, 3.0]), "#000000", "x")
    >>> len(ax.collections), len(ax.collections[0].get_segments()), len(ax.collections[1].get_offsets())
    (2, 1, 4)
    """
    import numpy as np
    from matplotlib.collections import LineCollection

    a = a.astype(float).to_numpy()
    b = b.astype(float).to_numpy()
    both = np.isfinite(a) & np.isfinite(b)
    segs = np.stack([np.column_stack([np.zeros(both.sum()), a[both]]),
                     np.column_stack([np.ones(both.sum()), b[both]])], axis=1)
    ax.add_collection(LineCollection(segs, colors=colour, linewidths=0.6, alpha=0.3, rasterized=True))
    x = np.concatenate([np.zeros(np.isfinite(a).sum()), np.ones(np.isfinite(b).sum())])
    y = np.concatenate([a[np.isfinite(a)], b[np.isfinite(b)]])
    ax.scatter(x, y, s=6, color=colour, alpha=0.5, label=label if len(y) else None, rasterized=True)
    ax.autoscale_view()


def bars(ax, xs, heights, groups, colours: dict) -> None:
    """Draw many bars (width 0.8 at ``xs``) as one rasterized collection per group; set the y limits.

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
    Matplotlib, ``PolyCollection``.

    Examples
    --------
    >>> import numpy as np
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> bars(ax, np.arange(3), np.array([50.0, -10.0, -40.0]), np.array([1, 2, 1]), {1: "b", 2: "r"})
    >>> [len(c.get_paths()) for c in ax.collections], [float(y) for y in ax.get_ylim()]
    ([2, 1], [-44.5, 54.5])
    """
    import numpy as np
    from matplotlib.collections import PolyCollection

    for g in (1, 2):
        sel = groups == g
        x, h = xs[sel], heights[sel]
        verts = np.stack([np.column_stack([x - 0.4, np.zeros_like(h)]), np.column_stack([x - 0.4, h]),
                          np.column_stack([x + 0.4, h]), np.column_stack([x + 0.4, np.zeros_like(h)])], axis=1)
        ax.add_collection(PolyCollection(verts, facecolors=colours[g], edgecolors="none", rasterized=True))
    if len(heights):
        lo, hi = min(0.0, float(np.min(heights))), max(0.0, float(np.max(heights)))
        pad = 0.05 * (hi - lo or 1.0)
        ax.set_ylim(lo - pad, hi + pad)
