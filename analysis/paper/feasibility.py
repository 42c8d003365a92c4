"""Exact feasibility of published medians, quartiles and Mann-Whitney p-values.

Given only what a paper prints (group sizes, medians and quartiles rounded as printed, a
Mann-Whitney p-value), which values of the U statistic (R's ``W``) are possible at all? This
module answers exactly, with a mixed-integer programme solved by HiGHS (``scipy.optimize.milp``):

* the two samples are sorted value variables ``x_1 <= ... <= x_n1`` and ``y_1 <= ... <= y_n2``;
* a binary ``z[i, k] = 1`` means ``x_i > y_k``; ``U = sum(z)`` (R's W with x first);
* each printed quartile is R's type-7 quantile ``(1 - g) x_j + g x_(j+1)`` and must lie in the
  interval of true values that print as the published text (``43.9`` -> [43.85, 43.95]).

Two versions of the programme bracket the truth:

* the **outer** programme allows ties and uses closed rounding intervals; every dataset that could
  have produced the printed numbers is feasible in it, so its U range is *conservative* (it can only
  be wider than the truth);
* the **inner** programme demands strict separation (no ties) and keeps the quartiles strictly
  inside their intervals; each solution is turned into an explicit dataset and re-checked in exact
  arithmetic, so its U values are *certified* to be attainable.

When both agree the range is exact. p-values follow from U because every convention here gives a
p that decreases in ``|U - n1 n2 / 2|``; a printed p is checked by asking the solver whether one of
the U values that give it is attainable (never by assuming the U range has no holes).

Also here: type-7 quantile positions, the integer-data grid of a quantile, the exact null
distribution of W (R's ``dwilcox``), and the four p-value conventions (R exact, normal
approximation with and without continuity correction, scipy's ``'auto'`` rule).

References
----------
R Core Team, ``?quantile`` (type 7) and ``?wilcox.test``; scipy 1.17
``scipy/stats/_mannwhitneyu.py`` (``_mwu_choose_method``: exact only when one sample has at most
8 values and there are no ties, otherwise the normal approximation with continuity correction).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache

# --------------------------------------------------------------------------------------------
# printed numbers
# --------------------------------------------------------------------------------------------


def decimals_of(printed: str) -> int:
    """Number of digits after the decimal point (comma accepted) in a printed number."""
    s = printed.strip().replace(",", ".")
    return len(s.split(".", 1)[1]) if "." in s else 0


def rounding_interval(printed: str, sign: int = 1) -> tuple[Fraction, Fraction]:
    """Closed interval of true values that print as ``printed`` when rounded to its decimals.

    ``sign=-1`` restores a lost minus sign. The interval is closed (conservative: it also contains
    the two half-way values, which round one way or the other depending on the rounding rule).

    Examples
    --------
    >>> rounding_interval("43.9")
    (Fraction(877, 20), Fraction(879, 20))
    """
    s = printed.strip().replace(",", ".").replace("\u2212", "-")
    v = Fraction(s) * sign
    half = Fraction(1, 2 * 10 ** decimals_of(s))
    return v - half, v + half


# --------------------------------------------------------------------------------------------
# type-7 quantiles
# --------------------------------------------------------------------------------------------


def type7_position(n: int, prob: Fraction | float | str) -> tuple[int, Fraction]:
    """Return ``(j, g)``: R's type-7 quantile at ``prob`` is ``x[j] + g (x[j+1] - x[j])``.

    ``j`` is 1-based (x[1] is the smallest value) and ``g`` in [0, 1) is exact: with
    ``h = (n - 1) prob``, ``j = floor(h) + 1`` and ``g = h - floor(h)``.

    Examples
    --------
    >>> type7_position(15, "0.25")      # h = 3.5: halfway between x[4] and x[5]
    (4, Fraction(1, 2))
    >>> type7_position(8, "0.75")       # h = 5.25
    (6, Fraction(1, 4))
    """
    p = Fraction(prob) if not isinstance(prob, float) else Fraction(str(prob))
    h = (n - 1) * p
    fl = math.floor(h)
    return fl + 1, h - fl


def quantile7(values, prob) -> Fraction | float:
    """Type-7 quantile of ``values`` (exact when the values are Fractions or ints)."""
    xs = sorted(values)
    j, g = type7_position(len(xs), prob)
    lo = xs[j - 1]
    if g == 0:
        return lo
    return lo + (xs[j] - lo) * (g if isinstance(lo, (int, Fraction)) else float(g))


def integer_grid_step(n: int, prob) -> Fraction:
    """Spacing of the values a type-7 quantile of ``n`` integers can take (1, 1/2 or 1/4 ...).

    ``x[j] + g (x[j+1] - x[j])`` with integers ``x`` takes exactly the multiples of
    ``1 / denominator(g)``.

    Examples
    --------
    >>> integer_grid_step(19, "0.25"), integer_grid_step(10, "0.25"), integer_grid_step(9, "0.5")
    (Fraction(1, 2), Fraction(1, 4), Fraction(1, 1))
    """
    _, g = type7_position(n, prob)
    return Fraction(1, g.denominator)


def grid_hits(lo: Fraction, hi: Fraction, step: Fraction) -> list[Fraction]:
    """Multiples of ``step`` inside the closed interval [lo, hi]."""
    k0 = math.ceil(lo / step)
    k1 = math.floor(hi / step)
    return [k * step for k in range(k0, k1 + 1)]


# --------------------------------------------------------------------------------------------
# Mann-Whitney p-values as functions of U (R's W)
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=None)
def w_null_counts(n1: int, n2: int) -> tuple[int, ...]:
    """Number of interleavings giving W = 0 .. n1*n2 (R's ``dwilcox`` times ``choose(n1+n2, n1)``).

    Recurrence: the largest of the n1 + n2 values is either an x (it beats all n2 y's) or a y.
    """
    # table[a][b] = counts for sizes (a, b), built row by row with Python ints (exact)
    prev_row = [[1] for _ in range(n2 + 1)]  # a = 0: only W = 0
    for a in range(1, n1 + 1):
        row = [[1]]  # b = 0: only W = 0
        for b in range(1, n2 + 1):
            size = a * b + 1
            c = [0] * size
            for w, v in enumerate(prev_row[b]):      # largest is x: W increases by b
                c[w + b] += v
            for w, v in enumerate(row[b - 1]):       # largest is y
                c[w] += v
            row.append(c)
        prev_row = row
    return tuple(prev_row[n2])


CONVENTIONS = ("R exact", "normal with continuity correction", "normal without correction", "scipy auto")


@lru_cache(maxsize=None)
def _p_values_cached(n1: int, n2: int, convention: str) -> tuple[float, ...]:
    return tuple(float(v) for v in _p_values(n1, n2, convention))


def p_values(n1: int, n2: int, convention: str):
    """Two-sided p for every U = 0 .. n1*n2 (numpy array), without ties.

    Conventions: ``'R exact'`` (R ``wilcox.test`` default for n < 50 without ties:
    ``2 * min(P(W <= U), P(W >= U))``, capped at 1); ``'normal with continuity correction'``
    (R ``exact=FALSE, correct=TRUE``; scipy ``method='asymptotic'``); ``'normal without correction'``;
    ``'scipy auto'`` (scipy 1.17: exact when ``min(n1, n2) <= 8`` and no ties, else normal with
    continuity correction).
    """
    import numpy as np

    if convention not in CONVENTIONS:
        raise ValueError(f"unknown convention {convention!r}; expected one of {CONVENTIONS}")
    return np.array(_p_values_cached(n1, n2, convention))


def _p_values(n1: int, n2: int, convention: str):
    """Two-sided p for every U = 0 .. n1*n2 (numpy array), without ties.

    Conventions: ``'R exact'`` (R ``wilcox.test`` default for n < 50 without ties:
    ``2 * min(P(W <= U), P(W >= U))``, capped at 1); ``'normal with continuity correction'``
    (R ``exact=FALSE, correct=TRUE``; scipy ``method='asymptotic'``); ``'normal without correction'``;
    ``'scipy auto'`` (scipy 1.17: exact when ``min(n1, n2) <= 8`` and no ties, else normal with
    continuity correction).
    """
    import numpy as np
    from scipy.special import ndtr

    u = np.arange(n1 * n2 + 1, dtype=float)
    mu = n1 * n2 / 2
    if convention == "R exact" or (convention == "scipy auto" and min(n1, n2) <= 8):
        counts = w_null_counts(n1, n2)
        total = sum(counts)
        cum = []
        acc = 0
        for c in counts:
            acc += c
            cum.append(acc)
        lower = np.array([Fraction(c, total) for c in cum], dtype=object)
        upper = np.array([Fraction(total - (cum[i - 1] if i else 0), total) for i in range(len(counts))],
                         dtype=object)
        p = np.array([float(min(1, 2 * min(lo, up))) for lo, up in zip(lower, upper)])
        return p
    sigma = math.sqrt(n1 * n2 * (n1 + n2 + 1) / 12)
    d = u - mu
    if convention in ("normal with continuity correction", "scipy auto"):
        d = d - 0.5 * np.sign(d)
    elif convention != "normal without correction":
        raise ValueError(f"unknown convention {convention!r}; expected one of {CONVENTIONS}")
    z = np.abs(d) / sigma
    return np.minimum(1.0, 2 * ndtr(-z))


def p_interval(printed: str, allow_truncation: bool = True) -> tuple[float, float]:
    """Closed interval of true p that print as ``printed`` (rounded, or truncated if allowed)."""
    lo, hi = rounding_interval(printed)
    if allow_truncation:
        hi = Fraction(printed.strip().replace(",", ".")) + 2 * (hi - Fraction(printed.strip().replace(",", ".")))
    return float(lo), float(hi)


def u_values_for_p(n1: int, n2: int, convention: str, lo: float, hi: float) -> list[int]:
    """All U in 0 .. n1*n2 whose two-sided p under ``convention`` lies in [lo, hi]."""
    p = p_values(n1, n2, convention)
    tol = 1e-12
    return [int(u) for u in range(len(p)) if lo - tol <= p[u] <= hi + tol]


# --------------------------------------------------------------------------------------------
# the mixed-integer programme
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quartile:
    """A printed type-7 quantile: probability and the closed interval of its true value."""

    prob: Fraction
    lo: Fraction
    hi: Fraction
    label: str = ""


@dataclass(frozen=True)
class Sample:
    """What is known about one sample: its size, printed quantiles and the value domain.

    ``lower``/``upper`` bound every value (``lower=0`` for volumes and durations). ``integer``
    means the data are whole numbers (days).
    """

    n: int
    quartiles: tuple[Quartile, ...] = ()
    lower: Fraction | None = None
    upper: Fraction | None = None
    integer: bool = False
    name: str = ""


def sample_from_printed(n: int, printed: dict, *, lower=None, upper=None, integer=False, name="",
                        signs: dict | None = None) -> Sample:
    """Build a :class:`Sample` from printed quantiles, e.g. ``{"0.25": "35.6", "0.5": "43.9"}``."""
    qs = []
    for prob, text in printed.items():
        if text is None:
            continue
        sg = (signs or {}).get(prob, 1)
        lo, hi = rounding_interval(text, sg)
        qs.append(Quartile(Fraction(prob), lo, hi, f"Q{prob}={'-' if sg < 0 else ''}{text}"))
    return Sample(n, tuple(sorted(qs, key=lambda q: q.prob)),
                  None if lower is None else Fraction(lower), None if upper is None else Fraction(upper),
                  integer, name)


def value_box(samples: list[Sample]) -> tuple[float, float]:
    """The box of values the programme searches.

    With a lower bound of 0 (volumes, durations) the box loses no dataset: an interpolated pair
    ``(1 - g) x_j + g x_(j+1) <= hi`` with ``x_j >= 0`` keeps ``x_(j+1) <= hi / g``, and values that
    only need to respect the order can be moved inside the box. Without a lower bound (volume
    changes) the box is wide (several times the printed span divided by the smallest weight); the
    audit states it as an assumption.
    """
    return _box(samples)


def _box(samples: list[Sample]) -> tuple[float, float]:
    """A value box that loses no dataset when every sample is bounded below (see value_box)."""
    los = [q.lo for s in samples for q in s.quartiles]
    his = [q.hi for s in samples for q in s.quartiles]
    gmin = Fraction(1)
    for s in samples:
        for q in s.quartiles:
            _, g = type7_position(s.n, q.prob)
            if g:
                gmin = min(gmin, g, 1 - g)
    span = (max(his) - min(los)) if los else Fraction(1)
    pad = (span + 1) / gmin * (1 + len(los))
    lows = [s.lower for s in samples if s.lower is not None]
    ups = [s.upper for s in samples if s.upper is not None]
    lb = min(lows) if len(lows) == len(samples) else (min(los) if los else 0) - pad
    ub = max(ups) if len(ups) == len(samples) else (max(his) if his else 0) + pad
    return float(lb), float(ub)


def _var_bounds(s: Sample, lb: float, ub: float) -> list[tuple[float, float]]:
    """Per-position bounds implied by sortedness and the quantile intervals (tightens big-M)."""
    lo = [float(s.lower) if s.lower is not None else lb] * s.n
    hi = [float(s.upper) if s.upper is not None else ub] * s.n
    for q in s.quartiles:
        j, g = type7_position(s.n, q.prob)
        # x_j <= Q <= hi  and x_{j+1} >= Q >= lo (x_j when g == 0)
        for i in range(j):
            hi[i] = min(hi[i], float(q.hi))
        top = j if g == 0 else j + 1
        for i in range(top - 1, s.n):
            lo[i] = max(lo[i], float(q.lo))
    return list(zip(lo, hi))


@dataclass
class USolution:
    """Result of one solve: U (or None if infeasible) and, for inner solves, a certified dataset."""

    status: str
    u: int | None = None
    x: list = field(default_factory=list)
    y: list = field(default_factory=list)


def _solve(sx: Sample, sy: Sample, *, inner: bool, sense: int = 0, fix_u: int | None = None,
           time_limit: float = 20.0) -> USolution:
    """Minimise (sense=+1) / maximise (sense=-1) / find any (sense=0, with fix_u) U."""
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp

    n1, n2 = sx.n, sy.n
    lb, ub = _box([sx, sy])
    bx, by = _var_bounds(sx, lb, ub), _var_bounds(sy, lb, ub)
    integer = inner and sx.integer and sy.integer
    # strict gap between values of different groups (inner only)
    if integer:
        delta = 1.0
    elif inner:
        widths = [float(q.hi - q.lo) for s in (sx, sy) for q in s.quartiles] or [1.0]
        delta = min(widths) / (8 * (n1 + n2 + 2))
    else:
        delta = 0.0
    nv = n1 + n2 + n1 * n2
    ix = lambda i: i  # noqa: E731
    iy = lambda k: n1 + k  # noqa: E731
    iz = lambda i, k: n1 + n2 + i * n2 + k  # noqa: E731
    rows, rlo, rhi = [], [], []

    def add(coefs: dict, lo, hi):
        rows.append(coefs)
        rlo.append(lo)
        rhi.append(hi)

    for s, off, n in ((sx, 0, n1), (sy, n1, n2)):
        for i in range(n - 1):
            add({off + i: 1.0, off + i + 1: -1.0}, -np.inf, 0.0)
        for q in s.quartiles:
            j, g = type7_position(n, q.prob)
            qlo, qhi = float(q.lo), float(q.hi)
            if inner and not integer:
                m = float(q.hi - q.lo) / 8
                qlo, qhi = qlo + m, qhi - m
            if g == 0:
                add({off + j - 1: 1.0}, qlo, qhi)
            else:
                add({off + j - 1: float(1 - g), off + j: float(g)}, qlo, qhi)
    for i in range(n1):
        for k in range(n2):
            # z = 1 -> x_i - y_k >= delta ; z = 0 -> y_k - x_i >= delta
            big1 = max(0.0, delta - (bx[i][0] - by[k][1])) + 1.0
            big0 = max(0.0, delta - (by[k][0] - bx[i][1])) + 1.0
            add({ix(i): 1.0, iy(k): -1.0, iz(i, k): -big1}, delta - big1, np.inf)
            add({iy(k): 1.0, ix(i): -1.0, iz(i, k): big0}, delta, np.inf)
            if i + 1 < n1:
                add({iz(i, k): 1.0, iz(i + 1, k): -1.0}, -np.inf, 0.0)
            if k + 1 < n2:
                add({iz(i, k + 1): 1.0, iz(i, k): -1.0}, -np.inf, 0.0)
    zsum = {iz(i, k): 1.0 for i in range(n1) for k in range(n2)}
    if fix_u is not None:
        add(zsum, fix_u, fix_u)
    a = _sparse(rows, nv)
    c = np.zeros(nv)
    for col in zsum:
        c[col] = sense
    lo_b = np.array([b[0] for b in bx] + [b[0] for b in by] + [0.0] * (n1 * n2))
    hi_b = np.array([b[1] for b in bx] + [b[1] for b in by] + [1.0] * (n1 * n2))
    integrality = np.array([1 if integer else 0] * (n1 + n2) + [1] * (n1 * n2))
    res = milp(c, constraints=LinearConstraint(a.tocsr(), rlo, rhi), bounds=Bounds(lo_b, hi_b),
               integrality=integrality, options={"time_limit": time_limit, "mip_rel_gap": 0.0})
    if res.status == 2:
        return USolution("infeasible")
    if res.x is None:
        return USolution("time limit" if res.status == 1 else f"solver status {res.status}")
    zval = res.x[n1 + n2:]
    u = int(round(zval.sum()))
    x = list(res.x[:n1])
    y = list(res.x[n1:n1 + n2])
    if inner:
        xs, ys = _certify(sx, sy, x, y)
        if xs is None:
            return USolution("uncertified", u)
        u = sum(1 for a_ in xs for b_ in ys if a_ > b_)
        return USolution("optimal", u, xs, ys)
    if res.status == 1:
        return USolution("time limit", u)
    return USolution("optimal", u, x, y)


def _sparse(rows: list[dict], ncols: int):
    """CSR matrix from a list of {column: coefficient} rows (duplicates summed)."""
    from scipy.sparse import coo_matrix

    r_idx, c_idx, vals = [], [], []
    for r, coefs in enumerate(rows):
        for c, v in coefs.items():
            r_idx.append(r)
            c_idx.append(c)
            vals.append(v)
    return coo_matrix((vals, (r_idx, c_idx)), shape=(len(rows), ncols)).tocsr()


def check_dataset(s: Sample, values) -> bool:
    """Exact check: do ``values`` (sorted or not) satisfy every constraint of ``s``?"""
    vals = sorted(values)
    if len(vals) != s.n:
        return False
    if s.lower is not None and vals[0] < s.lower:
        return False
    if s.upper is not None and vals[-1] > s.upper:
        return False
    if s.integer and any(Fraction(v).denominator != 1 for v in vals):
        return False
    for q in s.quartiles:
        qv = quantile7([Fraction(v) for v in vals], q.prob)
        if not (q.lo <= qv <= q.hi):
            return False
    return True


def _certify(sx: Sample, sy: Sample, x, y):
    """Snap solver values to exact rationals and verify all constraints and strict separation."""
    def snap(v, integer):
        return Fraction(round(v)) if integer else Fraction(round(v * 10 ** 6), 10 ** 6)

    integer = sx.integer and sy.integer
    xs = sorted(snap(v, integer) for v in x)
    ys = sorted(snap(v, integer) for v in y)
    if set(xs) & set(ys):
        return None, None
    if not (check_dataset(sx, xs) and check_dataset(sy, ys)):
        return None, None
    return xs, ys


@dataclass
class URange:
    """Attainable U (R's W, x first) for two samples: conservative and certified ranges."""

    outer: tuple[int, int] | None      # conservative: no dataset lies outside
    inner: tuple[int, int] | None      # certified: both ends attained by explicit datasets
    n1: int
    n2: int
    status: str = "optimal"

    @property
    def exact(self) -> bool:
        return self.outer is not None and self.outer == self.inner


def u_range(sx: Sample, sy: Sample, time_limit: float = 20.0) -> URange:
    """Minimum and maximum of U over all datasets compatible with ``sx`` and ``sy``."""
    out_min = _solve(sx, sy, inner=False, sense=1, time_limit=time_limit)
    if out_min.status == "infeasible":
        return URange(None, None, sx.n, sy.n, "infeasible")
    out_max = _solve(sx, sy, inner=False, sense=-1, time_limit=time_limit)
    status = "optimal"
    if "time limit" in (out_min.status, out_max.status):
        # a time-limited solve gives no valid bound: fall back to the trivial range
        status = "time limit"
        outer = (0, sx.n * sy.n)
    else:
        outer = (out_min.u, out_max.u)
    in_min = _solve(sx, sy, inner=True, sense=1, time_limit=time_limit)
    in_max = _solve(sx, sy, inner=True, sense=-1, time_limit=time_limit)
    inner = (in_min.u, in_max.u) if in_min.status == in_max.status == "optimal" else None
    return URange(outer, inner, sx.n, sy.n, status)


def u_attainable(sx: Sample, sy: Sample, u: int, time_limit: float = 20.0) -> USolution:
    """Find an explicit tie-free dataset with U = ``u`` (status 'optimal'), or say it is impossible.

    Status ``'infeasible'`` from the conservative (outer) programme proves no dataset exists;
    ``'uncertified'`` means the outer programme is feasible but no strict dataset was found.
    """
    sol = _solve(sx, sy, inner=True, fix_u=u, time_limit=time_limit)
    if sol.status == "optimal" and sol.u == u:
        return sol
    outer = _solve(sx, sy, inner=False, fix_u=u, time_limit=time_limit)
    if outer.status == "infeasible":
        return USolution("infeasible")
    return USolution("uncertified", u)


def brute_force_u_set(sx: Sample, sy: Sample, grid) -> set[int]:
    """All U over datasets whose values come from ``grid`` (a finite sorted list), no ties across
    groups. For tests: enumerates every multiset of the grid of the right sizes."""
    from itertools import combinations_with_replacement

    okx = [c for c in combinations_with_replacement(grid, sx.n) if check_dataset(sx, c)]
    oky = [c for c in combinations_with_replacement(grid, sy.n) if check_dataset(sy, c)]
    out = set()
    for cx in okx:
        sx_set = set(cx)
        for cy in oky:
            if sx_set & set(cy):
                continue
            out.add(sum(1 for a in cx for b in cy if a > b))
    return out


# --------------------------------------------------------------------------------------------
# joint order statistics: one set of values, several overlapping collections
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Collection:
    """A named set of value indices with printed type-7 quantiles (e.g. a group or a subgroup)."""

    name: str
    members: tuple[int, ...]
    quartiles: tuple[Quartile, ...]


def joint_feasible(n_values: int, blocks: list[tuple[int, ...]], collections: list[Collection], *,
                   lower=None, upper=None, integer: bool = False, links: list[tuple[int, int, int]] = (),
                   nonneg: tuple[int, ...] = (), time_limit: float = 20.0):
    """Is there one dataset satisfying every collection's printed quantiles at once?

    ``blocks`` are sets of interchangeable indices (sorted within each block to remove symmetry).
    Order statistics of a collection are modelled exactly by counting: ``u = x_(r)`` iff at least
    ``r`` members are ``<= u`` and at least ``m - r + 1`` members are ``>= u`` (ties allowed).
    Rounding intervals are closed, so 'infeasible' is a proof; ``links`` ``(a, b, c)`` add
    ``v_c = v_b - v_a`` (volume change from two volumes). Returns ``(status, values or None)``.
    """
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp

    all_q = [q for c in collections for q in c.quartiles]
    los = [float(q.lo) for q in all_q]
    his = [float(q.hi) for q in all_q]
    span = max(his) - min(los) + 1
    lb = float(lower) if lower is not None else min(los) - 8 * span
    ub = float(upper) if upper is not None else max(his) + 8 * span
    if upper is None and lower is not None:
        ub = max(his) * 8 + 8
    # per-value bounds: a collection that is exactly one sorted block pins its positions
    vb = [[lb, ub] for _ in range(n_values)]
    for t in nonneg:
        vb[t][0] = max(vb[t][0], 0.0)
    for col in collections:
        for blk in blocks:
            if tuple(blk) == tuple(col.members):
                pos = _var_bounds(Sample(len(blk), col.quartiles), lb, ub)
                for t, (plo, phi) in zip(blk, pos):
                    vb[t][0] = max(vb[t][0], plo)
                    vb[t][1] = min(vb[t][1], phi)
    nvar = n_values
    cols: list[tuple[float, float, int]] = [(vb[t][0], vb[t][1], 1 if integer else 0) for t in range(n_values)]
    rows, rlo, rhi = [], [], []

    def add(coefs, lo, hi):
        rows.append(coefs)
        rlo.append(lo)
        rhi.append(hi)

    def new_var(lo, hi, integ):
        nonlocal nvar
        cols.append((lo, hi, integ))
        nvar += 1
        return nvar - 1

    block_of = {}
    for blk in blocks:
        for a, b in zip(blk, blk[1:]):
            add({a: 1.0, b: -1.0}, -np.inf, 0.0)
        for pos, t in enumerate(blk):
            block_of[t] = (tuple(blk), pos)
    for a, b, c in links:
        add({c: 1.0, b: -1.0, a: 1.0}, 0.0, 0.0)
    stat_var: dict[tuple[str, int], int] = {}
    for col in collections:
        m = len(col.members)
        needed = set()
        for q in col.quartiles:
            j, g = type7_position(m, q.prob)
            needed.add(j)
            if g:
                needed.add(j + 1)
        mlo = min(vb[t][0] for t in col.members)
        mhi = max(vb[t][1] for t in col.members)
        for r in sorted(needed):
            ulo, uhi = mlo, mhi
            for q in col.quartiles:
                j, g = type7_position(m, q.prob)
                if j == r and g == 0:
                    ulo, uhi = max(ulo, float(q.lo)), min(uhi, float(q.hi))
                elif j == r:
                    uhi = min(uhi, float(q.hi))
                elif j + 1 == r:
                    ulo = max(ulo, float(q.lo))
            u = new_var(ulo, uhi, 0)
            stat_var[(col.name, r)] = u
            dsum, esum = {}, {}
            dvar, evar = {}, {}
            for t in col.members:
                d = new_var(0, 1, 1)
                e = new_var(0, 1, 1)
                dvar[t], evar[t] = d, e
                big_d = max(0.0, vb[t][1] - ulo)
                big_e = max(0.0, uhi - vb[t][0])
                # d = 1 -> v_t <= u ; e = 1 -> v_t >= u
                add({t: 1.0, u: -1.0, d: big_d}, -np.inf, big_d)
                add({u: 1.0, t: -1.0, e: big_e}, -np.inf, big_e)
                dsum[d] = 1.0
                esum[e] = 1.0
            # symmetry breaking inside sorted blocks: smaller values are <= u first
            for t in col.members:
                blk, pos = block_of.get(t, ((), -1))
                if pos > 0 and blk[pos - 1] in dvar:
                    add({dvar[blk[pos - 1]]: 1.0, dvar[t]: -1.0}, 0.0, np.inf)
                    add({evar[t]: 1.0, evar[blk[pos - 1]]: -1.0}, 0.0, np.inf)
            add(dsum, r, np.inf)
            add(esum, m - r + 1, np.inf)
        rs = sorted(needed)
        for r1, r2 in zip(rs, rs[1:]):
            add({stat_var[(col.name, r1)]: 1.0, stat_var[(col.name, r2)]: -1.0}, -np.inf, 0.0)
        for q in col.quartiles:
            j, g = type7_position(m, q.prob)
            coefs = {stat_var[(col.name, j)]: float(1 - g)}
            if g:
                coefs[stat_var[(col.name, j + 1)]] = float(g)
            add(coefs, float(q.lo), float(q.hi))
    a = _sparse(rows, nvar)
    res = milp(np.zeros(nvar), constraints=LinearConstraint(a.tocsr(), rlo, rhi),
               bounds=Bounds([c[0] for c in cols], [c[1] for c in cols]),
               integrality=np.array([c[2] for c in cols]), options={"time_limit": time_limit})
    if res.status == 2:
        return "infeasible", None
    if res.x is None:
        return ("time limit" if res.status == 1 else f"solver status {res.status}"), None
    return "feasible", list(res.x[:n_values])


# --------------------------------------------------------------------------------------------
# means and SDs of bounded data (GRIM and range bounds)
# --------------------------------------------------------------------------------------------


def grim_sums(mean_printed: str, n: int) -> list[int]:
    """Integer totals whose mean over ``n`` prints as ``mean_printed`` (empty = GRIM failure)."""
    lo, hi = rounding_interval(mean_printed)
    return list(range(math.ceil(lo * n), math.floor(hi * n) + 1))


def sd_range_given_extremes(n: int, mean: float, vmin: float, vmax: float,
                            integer_total: int | None = None) -> tuple[float, float]:
    """Smallest and largest sample SD (n - 1 denominator) of ``n`` values in [vmin, vmax] with at
    least one value at each extreme and the given mean.

    Real values: the minimum puts every other value at the common mean of the rest; the maximum
    piles values on the two extremes with at most one value in between (the variance is convex).
    With ``integer_total`` the values are whole numbers summing to it (floor/ceil splits).
    """
    if integer_total is not None:
        total = integer_total
        rest_n, rest_total = n - 2, total - vmin - vmax
        # minimum: the rest as equal as possible
        q, r = divmod(int(rest_total), rest_n)
        vals_min = [vmin, vmax] + [q + 1] * r + [q] * (rest_n - r)
        # maximum: greedy on the extremes
        vals_max = [vmin, vmax]
        remaining = rest_total - vmin * rest_n
        k = int(remaining // (vmax - vmin))
        vals_max += [vmax] * k
        left = rest_n - k
        if left:
            vals_max += [vmin + (remaining - k * (vmax - vmin))] + [vmin] * (left - 1)
        return _sd(vals_min), _sd(vals_max)
    rest_n = n - 2
    rest_mean = (n * mean - vmin - vmax) / rest_n
    vals_min = [vmin, vmax] + [rest_mean] * rest_n
    remaining = n * mean - vmin - vmax - vmin * rest_n
    k = int(remaining // (vmax - vmin))
    vals_max = [vmin, vmax] + [vmax] * k
    left = rest_n - k
    if left:
        vals_max += [vmin + (remaining - k * (vmax - vmin))] + [vmin] * (left - 1)
    return _sd(vals_min), _sd(vals_max)


def _sd(vals) -> float:
    n = len(vals)
    m = sum(vals) / n
    return math.sqrt(sum((v - m) ** 2 for v in vals) / (n - 1))


def grimmer_feasible(total: int, n: int, sd_printed: str) -> bool:
    """Can ``n`` integers summing to ``total`` have an SD that prints as ``sd_printed``?

    The sum of squares is an integer with the parity of ``total`` and equals
    ``(n - 1) sd^2 + total^2 / n``.
    """
    lo, hi = rounding_interval(sd_printed)
    q_lo = (n - 1) * lo * lo + Fraction(total * total, n)
    q_hi = (n - 1) * hi * hi + Fraction(total * total, n)
    for q in range(math.ceil(q_lo), math.floor(q_hi) + 1):
        if q % 2 == total % 2:
            return True
    return False


# --------------------------------------------------------------------------------------------
# simple linear regression
# --------------------------------------------------------------------------------------------


def regression_p_from_r2(r2: float, n: int) -> float:
    """p of the slope in a simple linear regression with ``n`` points: F(1, n - 2) = R²(n-2)/(1-R²)."""
    from scipy.special import fdtrc

    df = n - 2
    if df < 1:
        return float("nan")
    return float(fdtrc(1, df, r2 * df / (1 - r2)))


# --------------------------------------------------------------------------------------------
# conservative helpers for explanations and ties
# --------------------------------------------------------------------------------------------


def position_bounds(s: Sample) -> list[tuple[float, float]]:
    """Simple bounds on each order statistic of ``s`` (sortedness plus each printed quantile)."""
    lb = float(s.lower) if s.lower is not None else -math.inf
    ub = float(s.upper) if s.upper is not None else math.inf
    return _var_bounds(s, lb, ub)


def union_quantile_bounds(subsamples: list[Sample], prob) -> tuple[float, float]:
    """Conservative bounds on a type-7 quantile of the union of ``subsamples``.

    The k-th largest value of a union is at least the k-th largest of any part, and the k-th
    smallest is at most the k-th smallest of any part; each part's order statistics are bounded by
    :func:`position_bounds`. Used to explain an infeasibility in words (the solver proves it).
    """
    n = sum(s.n for s in subsamples)
    j, g = type7_position(n, prob)

    def stat_bounds(r: int) -> tuple[float, float]:
        lo, hi = -math.inf, math.inf
        for s in subsamples:
            pb = position_bounds(s)
            r_lo = r - (n - s.n)          # x_(r) >= s_(r - (n - m))
            if r_lo >= 1:
                lo = max(lo, pb[r_lo - 1][0])
            if r <= s.n:                  # x_(r) <= s_(r)
                hi = min(hi, pb[r - 1][1])
        return lo, hi

    lo_j, hi_j = stat_bounds(j)
    if g == 0:
        return lo_j, hi_j
    lo_k, hi_k = stat_bounds(j + 1)
    gf = float(g)
    return (1 - gf) * lo_j + gf * lo_k, (1 - gf) * hi_j + gf * hi_k


def max_tie_cluster(s: Sample) -> int:
    """Upper bound on how many values of ``s`` can be equal (positions whose bounds share a point)."""
    pb = position_bounds(s)
    best = 1
    for i in range(s.n):
        for k in range(i, s.n):
            if max(b[0] for b in pb[i:k + 1]) <= min(b[1] for b in pb[i:k + 1]):
                best = max(best, k - i + 1)
    return best


def min_p_with_ties(n1: int, n2: int, max_dev: float, max_cluster: int) -> float:
    """Smallest two-sided normal-approximation p (tie-corrected, no continuity correction) for
    ``|U - n1 n2 / 2| <= max_dev`` when no tie group exceeds ``max_cluster`` values.

    The tie correction lowers the variance by ``sum(t^3 - t) / (N (N - 1))``; its largest value
    with groups of at most ``max_cluster`` among N values puts as many full groups as possible.
    Conservative: a smaller p is impossible however the ties fall.
    """
    from scipy.special import ndtr

    n = n1 + n2
    t = max(1, min(max_cluster, n))
    full, rest = divmod(n, t)
    tie = full * (t ** 3 - t) + (rest ** 3 - rest)
    var = n1 * n2 / 12 * ((n + 1) - tie / (n * (n - 1)))
    if var <= 0 or max_dev <= 0:
        return 0.0 if max_dev > 0 else 1.0
    return float(min(1.0, 2 * ndtr(-max_dev / math.sqrt(var))))


def tie_p_example(n1: int, n2: int, umin: float, umax: float, max_cluster: int, lo: float, hi: float,
                  max_groups: int = 3):
    """Search tie patterns that would let the tie-corrected normal approximation (R's rule when there
    are ties) give a p in [lo, hi] with U (now in steps of 1/2) in [umin, umax].

    Returns ``(U, tie group sizes, correction)`` for the pattern with the fewest tied values, or
    None. A hit shows only that ties *could* explain a p the tie-free lattice misses; it is not a
    certified dataset (the quartile constraints are not re-checked with ties).
    """
    from itertools import combinations_with_replacement

    from scipy.special import ndtr

    n = n1 + n2
    mu = n1 * n2 / 2
    patterns = [()]
    for k in range(1, max_groups + 1):
        patterns += [c for c in combinations_with_replacement(range(2, max(2, max_cluster) + 1), k) if sum(c) <= n]
    patterns.sort(key=lambda c: (sum(c), c))
    us = [umin + k / 2 for k in range(int(round(2 * (umax - umin))) + 1)]
    for pat in patterns:
        tie = sum(t ** 3 - t for t in pat)
        var = n1 * n2 / 12 * ((n + 1) - tie / (n * (n - 1)))
        if var <= 0:
            continue
        sd = math.sqrt(var)
        for corr in (0.5, 0.0):
            for u in sorted(us, key=lambda v: (abs(v - mu), v)):
                d = abs(u - mu)
                d = max(0.0, d - corr) if d > 0 else 0.0
                p = min(1.0, float(2 * ndtr(-d / sd)))
                if lo <= p <= hi:
                    return u, pat, corr
    return None
