"""Draw many cohorts that all reproduce the printed medians and quartiles (issue 14 item 6).

The paper prints, for every cell of Tables 2-4, a group size ``n`` and ``median [Q1; Q3]`` rounded to
a few decimals. Infinitely many samples of size ``n`` have these summaries; the published p-values
were computed on one of them. This module draws such samples cheaply and at random, so that
:mod:`analysis.synth.sensitivity` can ask how much a p-value depends on the unpublished values.

**Where the quartiles sit.** R's default ``quantile()`` (type 7 of Hyndman & Fan, 1996) puts the
quantile at probability ``p`` of the sorted sample ``x[1] <= ... <= x[n]`` at position
``h = (n - 1) p + 1``. With ``j = floor(h)`` and ``g = h - j`` it is ``x[j]`` when ``g = 0`` (the
order statistic is *pinned*) and ``(1 - g) x[j] + g x[j + 1]`` otherwise (two neighbours
*interpolate* to it). For n = 15, for instance, Q1 sits at h = 4.5 (halfway between x[4] and x[5]),
the median at h = 8 (pinned: x[8]) and Q3 at h = 11.5.

**One draw of one cell**, vectorised over all draws at once (numpy arrays of shape (draws, n)):

1. The true, unrounded value ``t`` of each printed quantile is drawn uniformly from the interval of
   values that print as the published text (``43.9`` -> [43.85, 43.95]), shrunk by
   :data:`MARGIN` of a unit of the last printed digit at each end so that floating-point rounding can
   never flip the printed digit. Successive ``t`` are kept in order (``t_k = max(t_k, t_{k-1})``).
2. A pinned quantile sets ``x[j] = t``. For an interpolated one the lower neighbour ``x[j]`` is
   drawn uniformly over every value that keeps the sample sorted: at least the largest order
   statistic already fixed to its left (or the lower limit ``L``), at most ``t``, and high enough
   that the solved upper neighbour ``x[j+1] = (t - (1 - g) x[j]) / g`` does not pass the next
   quantile's ``t`` (or the upper limit ``U`` for the last one).
3. The remaining order statistics are sorted uniforms between their fixed neighbours; the two open
   tails (below the first and above the last fixed value) are bounded by ``L`` and ``U``.

**The tail limits** ``L`` and ``U`` are the documented choice: Tables 2-4 print no minimum or maximum,
so the tails reach :data:`TAIL_IQR` (3) interquartile ranges beyond the printed quartiles (Tukey's
"far out" fences), ``L = Q1 - 3 IQR`` and ``U = Q3 + 3 IQR``, and never below a natural bound: 0
for volumes (cm³) and times (days); volume *changes* may be negative and have none. The draws are
continuous (no ties, so R's ``wilcox.test`` always uses its exact p for these group sizes); real
times in whole days could tie, which would switch R to the normal approximation. Table 4 cells
whose signs were restored use the recorded reading (``value``), not ``alt_value``.

The layout must not share an order statistic between two quartiles (true for every n >= 7; the
smallest group here has 7 patients); a cell that would is refused with a ValueError.

References
----------
Hyndman, R. J. and Fan, Y. (1996) Sample quantiles in statistical packages. *The American
Statistician* 50, 361-365. R Core Team, ``?quantile`` (type 7, R's default).

Examples
--------
>>> import numpy as np
>>> from analysis.stats import quantile
>>> cell = Cell("demo", 15, (("q1", 0.25, 35.6, 1), ("median", 0.5, 43.9, 1), ("q3", 0.75, 122.8, 1)), 0.0)
>>> x = draw_cell(cell, np.random.default_rng(1), 3)
>>> x.shape
(3, 15)
>>> [np.round(quantile(row, [0.25, 0.5, 0.75]), 1).tolist() for row in x]
[[35.6, 43.9, 122.8], [35.6, 43.9, 122.8], [35.6, 43.9, 122.8]]
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: Share of one unit of the last printed digit kept away from each end of a rounding interval.
MARGIN = 1e-3

#: How many interquartile ranges the open tails reach beyond the printed quartiles.
TAIL_IQR = 3.0

#: Probability of each printed statistic.
STAT_PROB = {"q1": 0.25, "median": 0.5, "q3": 0.75}

#: The Tables 2-4 cells: (numbers.json prefix, natural lower bound or None).
TABLES = ("table2", "table3", "table4")


@dataclass(frozen=True)
class Cell:
    """One printed ``median [Q1; Q3]`` cell.

    Attributes
    ----------
    name : str
        The numbers.json prefix, e.g. ``"table2.before.group1"`` (a reading may add ``@...``).
    n : int
        Sample size.
    stats : tuple of (stat, prob, value, decimals)
        The printed statistics, sorted by probability.
    lower : float or None
        Natural lower bound of the values (0 for volumes and days, None for volume changes).
    tail_iqr : float
        Tail limit in interquartile ranges beyond the quartiles.
    """

    name: str
    n: int
    stats: tuple[tuple[str, float, float, int], ...]
    lower: float | None = 0.0
    tail_iqr: float = TAIL_IQR

    def limits(self) -> tuple[float, float]:
        """``(L, U)``: the bounds of the open tails (see the module docstring)."""
        vals = {s: v for s, _, v, _ in self.stats}
        iqr = vals["q3"] - vals["q1"]
        lo = vals["q1"] - self.tail_iqr * iqr
        if self.lower is not None:
            lo = max(lo, self.lower)
        return lo, vals["q3"] + self.tail_iqr * iqr


def type7(n: int, prob: float) -> tuple[int, float]:
    """``(j, g)`` with j 0-based: the type-7 quantile is ``x[j] + g (x[j+1] - x[j])``.

    Computed with fractions of the integer ``4 (n - 1) p`` so that g is exactly 0, 1/4, 1/2 or 3/4.

    >>> type7(15, 0.25), type7(15, 0.5), type7(8, 0.75)
    ((3, 0.5), (7, 0.0), (5, 0.25))
    """
    quarters = round(4 * (n - 1) * prob)
    if not math.isclose(quarters, 4 * (n - 1) * prob):
        raise ValueError(f"probability {prob} is not a multiple of 1/4")
    return quarters // 4, (quarters % 4) / 4


def _check_layout(cell: Cell) -> list[tuple[int, float, float, float]]:
    """``(j, g, lo, hi)`` per statistic; refuses shared order statistics and disordered values."""
    out = []
    prev_hi_index, prev_value = -1, -math.inf
    for stat, prob, value, dec in cell.stats:
        j, g = type7(cell.n, prob)
        if j <= prev_hi_index:
            raise ValueError(f"{cell.name}: with n={cell.n} two quartiles share an order statistic")
        if value < prev_value:
            raise ValueError(f"{cell.name}: printed {stat} {value} is below the previous statistic")
        half = 0.5 * 10.0 ** (-dec) * (1 - 2 * MARGIN)
        out.append((j, g, value - half, value + half))
        prev_hi_index, prev_value = j + (g > 0), value
    lo_lim, hi_lim = cell.limits()
    if out[0][2] < lo_lim or out[-1][3] > hi_lim:
        raise ValueError(f"{cell.name}: printed quartiles outside the tail limits [{lo_lim}, {hi_lim}]")
    return out


def _fill(x: np.ndarray, rng: np.random.Generator, start: int, stop: int,
          lo: np.ndarray, hi: np.ndarray) -> None:
    """Sorted uniforms between ``lo`` and ``hi`` (per draw) into columns ``start:stop`` of ``x``."""
    m = stop - start
    if m <= 0:
        return
    u = np.sort(rng.random((x.shape[0], m)), axis=1)
    x[:, start:stop] = lo[:, None] + (hi - lo)[:, None] * u


def draw_cell(cell: Cell, rng: np.random.Generator, draws: int) -> np.ndarray:
    """``draws`` sorted samples of ``cell.n`` values reproducing the printed quartiles of ``cell``.

    Returns
    -------
    numpy.ndarray
        Shape ``(draws, n)``, each row sorted ascending (see the module docstring for the scheme).
    """
    layout = _check_layout(cell)
    lo_lim, hi_lim = cell.limits()
    x = np.empty((draws, cell.n))
    t = [lo + (hi - lo) * rng.random(draws) for _, _, lo, hi in layout]
    for k in range(1, len(t)):
        t[k] = np.maximum(t[k], t[k - 1])
    fixed: list[tuple[int, np.ndarray]] = []  # (0-based index, values), left to right
    floor = np.full(draws, lo_lim)
    for k, (j, g, _, _) in enumerate(layout):
        if g == 0:
            x[:, j] = t[k]
            fixed.append((j, t[k]))
            floor = t[k]
            continue
        ceiling = t[k + 1] if k + 1 < len(t) else np.full(draws, hi_lim)
        low = np.maximum(floor, t[k] - g / (1 - g) * (ceiling - t[k]))
        xj = low + (t[k] - low) * rng.random(draws)
        xj1 = np.minimum((t[k] - (1 - g) * xj) / g, ceiling)
        x[:, j], x[:, j + 1] = xj, xj1
        fixed += [(j, xj), (j + 1, xj1)]
        floor = xj1
    prev_i, prev_v = -1, np.full(draws, lo_lim)
    for i, v in fixed + [(cell.n, np.full(draws, hi_lim))]:
        _fill(x, rng, prev_i + 1, i, prev_v, v)
        prev_i, prev_v = i, v
    return x


def _lower_bound(prefix: str, unit: str) -> float | None:
    return None if "volume_change" in prefix else 0.0


def _n_for(prefix: str, df: pd.DataFrame) -> int:
    from analysis.paper.published import by_key

    parts = prefix.split(".")
    g = next(p for p in parts if p.startswith("group"))
    sub = [p for p in parts if p in ("immediate", "after_chemo")]
    key = f"n.{g}" + (f".{sub[0]}" if sub else "")
    rows = by_key(key, df)
    if rows.empty:
        raise ValueError(f"published.csv prints no {key}")
    return int(rows["value"].iloc[0])


def published_cells(df: pd.DataFrame | None = None, tail_iqr: float = TAIL_IQR) -> dict[str, Cell]:
    """Every ``median [Q1; Q3]`` cell of Tables 2-4 as printed in the tables (not the abstract).

    Parameters
    ----------
    df : pandas.DataFrame, optional
        From :func:`analysis.paper.published.load_published` (loaded when omitted).
    tail_iqr : float
        Tail limit, in IQRs beyond the quartiles.

    Returns
    -------
    dict
        numbers.json prefix (``"table3.tace.group2"``) -> :class:`Cell`, sorted by prefix; n from
        ``n.<g>`` (Tables 2-3) or ``n.<g>.<s>`` (Table 4).

    Examples
    --------
    >>> cells = published_cells()
    >>> c = cells["table3.tace.group2"]
    >>> c.n, [v for _, _, v, _ in c.stats]
    (19, [240.0, 304.0, 432.0])
    """
    from analysis.paper.published import load_published

    d = load_published() if df is None else df
    rows = d[d["where"].isin(TABLES) & (d["key"] != "") & (d["relation"] == "=")]
    found: dict[str, dict[str, tuple[float, int, str]]] = {}
    for r in rows.itertuples(index=False):
        prefix, _, stat = r.key.rpartition(".")
        if stat in STAT_PROB and r.key.startswith(r.where + "."):
            found.setdefault(prefix, {})[stat] = (float(r.value), int(r.decimals), r.unit)
    cells = {}
    for prefix in sorted(found):
        got = found[prefix]
        if set(got) != set(STAT_PROB):
            continue
        stats = tuple(sorted(((s, STAT_PROB[s], v, dec) for s, (v, dec, _) in got.items()), key=lambda z: z[1]))
        unit = got["median"][2]
        cells[prefix] = Cell(prefix, _n_for(prefix, d), stats, _lower_bound(prefix, unit), tail_iqr)
    return cells


def with_n(cell: Cell, n: int, reading: str) -> Cell:
    """The same printed cell under another reading of its sample size (name gets ``@reading``)."""
    return Cell(f"{cell.name}@{reading}", n, cell.stats, cell.lower, cell.tail_iqr)
