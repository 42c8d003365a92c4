"""The joint quartile programme: one set of values, several overlapping collections with printed quartiles."""

from __future__ import annotations

from dataclasses import dataclass

from analysis.paper.feasibility.quantile import type7_position
from analysis.paper.feasibility.milp import NODE_LIMIT, Rows, solve_milp
from analysis.paper.feasibility.samples import Quartile, Sample, var_bounds


@dataclass(frozen=True)
class Collection:
    """A named set of value indices with printed type-7 quantiles (e.g. a group or a subgroup)."""

    name: str
    members: tuple[int, ...]
    quartiles: tuple[Quartile, ...]


def joint_feasible(n_values: int, blocks: list[tuple[int, ...]], collections: list[Collection], *,
                   lower=None, upper=None, integer: bool = False, links: list[tuple[int, int, int]] = (),
                   nonneg: tuple[int, ...] = (), node_limit: int | None = NODE_LIMIT):
    """Is there one dataset satisfying every collection's printed quantiles at once?

    ``blocks`` are sets of interchangeable indices (sorted within each block to remove symmetry).
    Order statistics of a collection are modelled exactly by counting: ``u = x_(r)`` iff at least
    ``r`` members are ``<= u`` and at least ``m - r + 1`` members are ``>= u`` (ties allowed).
    Rounding intervals are closed, so 'infeasible' is a proof; ``links`` ``(a, b, c)`` add
    ``v_c = v_b - v_a`` (volume change from two volumes). ``node_limit`` bounds the branch-and-bound
    nodes (never seconds: see :func:`analysis.paper.feasibility.milp.solve_milp`); a solve that reaches it
    returns ``'node limit'``. Returns ``(status, values or None)``.
    """
    import numpy as np
    from scipy.optimize import Bounds

    vb = _value_bounds(n_values, blocks, collections, lower, upper, nonneg)
    prog = _Programme([(vb[t][0], vb[t][1], 1 if integer else 0) for t in range(n_values)])
    block_of = {}
    for blk in blocks:
        for a, b in zip(blk, blk[1:]):
            prog.rows.add({a: 1.0, b: -1.0}, -np.inf, 0.0)
        for pos, t in enumerate(blk):
            block_of[t] = (tuple(blk), pos)
    for a, b, c in links:
        prog.rows.add({c: 1.0, b: -1.0, a: 1.0}, 0.0, 0.0)
    for col in collections:
        _collection_rows(prog, col, vb, block_of)
    cols = prog.cols
    res = solve_milp(np.zeros(len(cols)), prog.rows, Bounds([c[0] for c in cols], [c[1] for c in cols]),
                     np.array([c[2] for c in cols]), node_limit=node_limit)
    if res.status == 2:
        return "infeasible", None
    if res.x is None:
        return ("node limit" if res.status == 1 else f"solver status {res.status}"), None
    return "feasible", list(res.x[:n_values])


class _Programme:
    """Constraint rows plus the variables' (lower, upper, integrality), grown as variables are added."""

    def __init__(self, cols: list[tuple[float, float, int]]) -> None:
        """Start with the value variables ``cols``."""
        self.rows = Rows()
        self.cols = cols

    def new_var(self, lo: float, hi: float, integ: int) -> int:
        """Add one variable; return its index."""
        self.cols.append((lo, hi, integ))
        return len(self.cols) - 1


def _value_bounds(n_values: int, blocks, collections, lower, upper, nonneg) -> list[list[float]]:
    """Per-value bounds: the box, non-negativity, and the positions a sorted block's quantiles pin."""
    all_q = [q for c in collections for q in c.quartiles]
    los = [float(q.lo) for q in all_q]
    his = [float(q.hi) for q in all_q]
    span = max(his) - min(los) + 1
    lb = float(lower) if lower is not None else min(los) - 8 * span
    ub = float(upper) if upper is not None else max(his) + 8 * span
    if upper is None and lower is not None:
        ub = max(his) * 8 + 8
    vb = [[lb, ub] for _ in range(n_values)]
    for t in nonneg:
        vb[t][0] = max(vb[t][0], 0.0)
    for col in collections:
        for blk in blocks:
            if tuple(blk) == tuple(col.members):
                pos = var_bounds(Sample(len(blk), col.quartiles), lb, ub)
                for t, (plo, phi) in zip(blk, pos):
                    vb[t][0] = max(vb[t][0], plo)
                    vb[t][1] = min(vb[t][1], phi)
    return vb


def _collection_rows(prog: _Programme, col: Collection, vb: list[list[float]], block_of: dict) -> None:
    """One collection: a variable per needed order statistic, their order, and each printed quantile."""
    import numpy as np

    m = len(col.members)
    needed = set()
    for q in col.quartiles:
        j, g = type7_position(m, q.prob)
        needed.add(j)
        if g:
            needed.add(j + 1)
    mlo = min(vb[t][0] for t in col.members)
    mhi = max(vb[t][1] for t in col.members)
    stat_var: dict[int, int] = {}
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
        stat_var[r] = _order_statistic(prog, col, r, ulo, uhi, vb, block_of)
    rs = sorted(needed)
    for r1, r2 in zip(rs, rs[1:]):
        prog.rows.add({stat_var[r1]: 1.0, stat_var[r2]: -1.0}, -np.inf, 0.0)
    for q in col.quartiles:
        j, g = type7_position(m, q.prob)
        coefs = {stat_var[j]: float(1 - g)}
        if g:
            coefs[stat_var[j + 1]] = float(g)
        prog.rows.add(coefs, float(q.lo), float(q.hi))


def _order_statistic(prog: _Programme, col: Collection, r: int, ulo: float, uhi: float,
                     vb: list[list[float]], block_of: dict) -> int:
    """A variable ``u`` equal to the r-th smallest member (counting, ties allowed); return its index."""
    import numpy as np

    m = len(col.members)
    u = prog.new_var(ulo, uhi, 0)
    dsum, esum = {}, {}
    dvar, evar = {}, {}
    for t in col.members:
        d = prog.new_var(0, 1, 1)
        e = prog.new_var(0, 1, 1)
        dvar[t], evar[t] = d, e
        big_d = max(0.0, vb[t][1] - ulo)
        big_e = max(0.0, uhi - vb[t][0])
        # d = 1 -> v_t <= u ; e = 1 -> v_t >= u
        prog.rows.add({t: 1.0, u: -1.0, d: big_d}, -np.inf, big_d)
        prog.rows.add({u: 1.0, t: -1.0, e: big_e}, -np.inf, big_e)
        dsum[d] = 1.0
        esum[e] = 1.0
    # symmetry breaking inside sorted blocks: smaller values are <= u first
    for t in col.members:
        blk, pos = block_of.get(t, ((), -1))
        if pos > 0 and blk[pos - 1] in dvar:
            prog.rows.add({dvar[blk[pos - 1]]: 1.0, dvar[t]: -1.0}, 0.0, np.inf)
            prog.rows.add({evar[t]: 1.0, evar[blk[pos - 1]]: -1.0}, 0.0, np.inf)
    prog.rows.add(dsum, r, np.inf)
    prog.rows.add(esum, m - r + 1, np.inf)
    return u
