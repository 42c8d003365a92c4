"""The U-range programme: smallest and largest Mann-Whitney U over all datasets with the printed quartiles."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from analysis.paper.feasibility.quantile import type7_position
from analysis.paper.feasibility.milp import NODE_LIMIT, Rows, solve_milp
from analysis.paper.feasibility.samples import Sample, check_dataset, sample_from_printed, value_box, var_bounds  # noqa: F401  (doctest)


@dataclass
class USolution:
    """Result of one solve: U (or None if infeasible) and, for inner solves, a certified dataset."""

    status: str
    u: int | None = None
    x: list = field(default_factory=list)
    y: list = field(default_factory=list)


def _solve(sx: Sample, sy: Sample, *, inner: bool, sense: int = 0, fix_u: int | None = None,
           node_limit: int | None = NODE_LIMIT) -> USolution:
    """Minimise (sense=+1) / maximise (sense=-1) / find any (sense=0, with fix_u) U."""
    import numpy as np
    from scipy.optimize import Bounds

    n1, n2 = sx.n, sy.n
    lb, ub = value_box([sx, sy])
    bx, by = var_bounds(sx, lb, ub), var_bounds(sy, lb, ub)
    integer = inner and sx.integer and sy.integer
    rows = Rows()
    for s, off in ((sx, 0), (sy, n1)):
        _sample_rows(rows, s, off, shrink=inner and not integer)
    zsum = _pair_rows(rows, bx, by, _gap(sx, sy, inner, integer))
    if fix_u is not None:
        rows.add(zsum, fix_u, fix_u)
    nv = n1 + n2 + n1 * n2
    c = np.zeros(nv)
    for col in zsum:
        c[col] = sense
    lo_b = np.array([b[0] for b in bx] + [b[0] for b in by] + [0.0] * (n1 * n2))
    hi_b = np.array([b[1] for b in bx] + [b[1] for b in by] + [1.0] * (n1 * n2))
    integrality = np.array([1 if integer else 0] * (n1 + n2) + [1] * (n1 * n2))
    res = solve_milp(c, rows, Bounds(lo_b, hi_b), integrality, node_limit=node_limit, mip_rel_gap=0.0)
    return _read_solution(res, sx, sy, inner)


def _gap(sx: Sample, sy: Sample, inner: bool, integer: bool) -> float:
    """Strict gap between values of different groups (inner programme only; 1 for whole numbers)."""
    if integer:
        return 1.0
    if inner:
        widths = [float(q.hi - q.lo) for s in (sx, sy) for q in s.quartiles] or [1.0]
        return min(widths) / (8 * (sx.n + sy.n + 2))
    return 0.0


def _sample_rows(rows: Rows, s: Sample, off: int, shrink: bool) -> None:
    """Sortedness of one sample (variables ``off .. off + n - 1``) and its printed quantiles."""
    import numpy as np

    n = s.n
    for i in range(n - 1):
        rows.add({off + i: 1.0, off + i + 1: -1.0}, -np.inf, 0.0)
    for q in s.quartiles:
        j, g = type7_position(n, q.prob)
        qlo, qhi = float(q.lo), float(q.hi)
        if shrink:
            m = float(q.hi - q.lo) / 8
            qlo, qhi = qlo + m, qhi - m
        if g == 0:
            rows.add({off + j - 1: 1.0}, qlo, qhi)
        else:
            rows.add({off + j - 1: float(1 - g), off + j: float(g)}, qlo, qhi)


def _pair_rows(rows: Rows, bx: list, by: list, delta: float) -> dict[int, float]:
    """The binaries ``z[i, k] = [x_i > y_k]`` with big-M links; returns U = sum(z) as coefficients."""
    import numpy as np

    n1, n2 = len(bx), len(by)

    def iz(i: int, k: int) -> int:
        """Index of the binary z[i, k]."""
        return n1 + n2 + i * n2 + k

    for i in range(n1):
        for k in range(n2):
            # z = 1 -> x_i - y_k >= delta ; z = 0 -> y_k - x_i >= delta
            big1 = max(0.0, delta - (bx[i][0] - by[k][1])) + 1.0
            big0 = max(0.0, delta - (by[k][0] - bx[i][1])) + 1.0
            rows.add({i: 1.0, n1 + k: -1.0, iz(i, k): -big1}, delta - big1, np.inf)
            rows.add({n1 + k: 1.0, i: -1.0, iz(i, k): big0}, delta, np.inf)
            if i + 1 < n1:
                rows.add({iz(i, k): 1.0, iz(i + 1, k): -1.0}, -np.inf, 0.0)
            if k + 1 < n2:
                rows.add({iz(i, k + 1): 1.0, iz(i, k): -1.0}, -np.inf, 0.0)
    return {iz(i, k): 1.0 for i in range(n1) for k in range(n2)}


def _read_solution(res, sx: Sample, sy: Sample, inner: bool) -> USolution:
    """Turn a HiGHS result into a :class:`USolution` (inner solutions are certified in exact arithmetic)."""
    n1, n2 = sx.n, sy.n
    if res.status == 2:
        return USolution("infeasible")
    if res.x is None:
        return USolution("node limit" if res.status == 1 else f"solver status {res.status}")
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
        return USolution("node limit", u)
    return USolution("optimal", u, x, y)


def _certify(sx: Sample, sy: Sample, x, y):
    """Snap solver values to exact rationals and verify all constraints and strict separation."""
    def snap(v, integer):
        """A solver value as an exact integer or a rational with 6 decimals."""
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
        """Do the conservative and the certified ranges coincide?"""
        return self.outer is not None and self.outer == self.inner


def u_range(sx: Sample, sy: Sample, node_limit: int | None = NODE_LIMIT) -> URange:
    """Minimum and maximum of U over all datasets compatible with ``sx`` and ``sy``.

    Four mixed-integer programmes: the outer one (ties allowed, closed rounding intervals) bounds U
    conservatively, the inner one (no ties, quartiles strictly inside) finds explicit datasets that
    attain its ends; when the two ranges agree the range is exact.

    Parameters
    ----------
    sx, sy : Sample
        What is printed about each sample (:func:`sample_from_printed`); U counts pairs with x > y.
    node_limit : int or None, optional
        Branch-and-bound nodes per solve (never seconds: the range must not depend on the machine's
        speed); a solve that hits it widens the outer range to ``(0, n1 n2)``.

    Returns
    -------
    URange
        ``outer`` (no dataset lies outside; None if no dataset exists), ``inner`` (both ends attained
        by certified datasets, or None), ``exact`` when they agree, and the status.

    References
    ----------
    R Core Team, ``?wilcox.test`` (U is R's W with x first) and ``?quantile`` (type 7); SciPy
    ``scipy.optimize.milp`` (HiGHS; Huangfu & Hall 2018, Math. Prog. Comp. 10:119-142).

    Examples
    --------
    Quartiles 2, 3, 4 and 12, 13, 14 (n = 5, whole numbers >= 0): x_4 = 4 < y_2 = 12, so only x_5 can
    beat y_2, y_3, y_4 and every x can beat y_1; U runs from 0 to 5 + 4 = 9.

    >>> sx = sample_from_printed(5, {"0.25": "2", "0.5": "3", "0.75": "4"}, lower=0)
    >>> sy = sample_from_printed(5, {"0.25": "12", "0.5": "13", "0.75": "14"}, lower=0)
    >>> r = u_range(sx, sy)
    >>> r.outer, r.exact
    ((0, 9), True)
    """
    out_min = _solve(sx, sy, inner=False, sense=1, node_limit=node_limit)
    if out_min.status == "infeasible":
        return URange(None, None, sx.n, sy.n, "infeasible")
    out_max = _solve(sx, sy, inner=False, sense=-1, node_limit=node_limit)
    status = "optimal"
    if "node limit" in (out_min.status, out_max.status):
        # a node-limited solve gives no valid bound: fall back to the trivial range
        status = "node limit"
        outer = (0, sx.n * sy.n)
    else:
        outer = (out_min.u, out_max.u)
    in_min = _solve(sx, sy, inner=True, sense=1, node_limit=node_limit)
    in_max = _solve(sx, sy, inner=True, sense=-1, node_limit=node_limit)
    inner = (in_min.u, in_max.u) if in_min.status == in_max.status == "optimal" else None
    return URange(outer, inner, sx.n, sy.n, status)


def u_attainable(sx: Sample, sy: Sample, u: int, node_limit: int | None = NODE_LIMIT) -> USolution:
    """Find an explicit tie-free dataset with U = ``u`` (status 'optimal'), or say it is impossible.

    Status ``'infeasible'`` from the conservative (outer) programme proves no dataset exists;
    ``'uncertified'`` means the outer programme is feasible but no strict dataset was found.
    """
    sol = _solve(sx, sy, inner=True, fix_u=u, node_limit=node_limit)
    if sol.status == "optimal" and sol.u == u:
        return sol
    outer = _solve(sx, sy, inner=False, fix_u=u, node_limit=node_limit)
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
