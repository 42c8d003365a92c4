"""Search engine behind the synthetic cohort (:mod:`analysis.synth.cohort`).

The cohort is reconstructed from medians, quartiles, p-values and R² printed in the article. This module
holds the optimiser only: integer-grid variables (days, or volumes in hundredths of a cm³), a set of
*targets* (a published number, its printed precision and a function of the variables), and a seeded
simulated-annealing search that first pins the order statistics which R's type-7 quartiles use and then
nudges the free values towards the published p-values and R².

The statistics used *inside* the search are fast pure-Python surrogates (a type-7 quantile on a sorted
list, the Mann-Whitney W with R's exact/normal rule, the R² of a simple regression). They are never the
numbers the project reports: the finished cohort is re-analysed by the project's own pipeline
(:func:`analysis.study.numbers.compute_numbers`) and the data card shows those results.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Sequence

# ----------------------------------------------------------------------------------------------------
# fast surrogates (search only)


P_DISTANCE = 10.0  # guiding distance of a p-value per unit of |log(p achieved / p published)|


def q7(sorted_x: Sequence[float], p: float) -> float:
    """Type-7 quantile (R's default) of an already sorted sequence."""
    n = len(sorted_x)
    h = (n - 1) * p
    lo = int(math.floor(h))
    frac = h - lo
    if lo + 1 >= n or frac == 0:
        return float(sorted_x[lo])
    return sorted_x[lo] + frac * (sorted_x[lo + 1] - sorted_x[lo])


@lru_cache(maxsize=None)
def _wilcox_cdf(m: int, n: int) -> tuple[float, ...]:
    """P(W <= w) for w = 0..m*n under H0 (no ties), by the usual counting recursion."""
    # number of ways: f[k][w] built incrementally over sample sizes
    # dynamic programme over (i, j): c(i, j, w) = c(i-1, j, w-j) + c(i, j-1, w)
    prev = [[1] + [0] * (m * n) for _ in range(n + 1)]  # i = 0: only w = 0
    for i in range(1, m + 1):
        cur = [[0] * (m * n + 1) for _ in range(n + 1)]
        cur[0][0] = 1
        for j in range(1, n + 1):
            a = prev[j]
            b = cur[j - 1]
            row = cur[j]
            for w in range(i * j + 1):
                row[w] = (a[w - j] if w >= j else 0) + b[w]
        prev = cur
    c = prev[n]
    total = math.comb(m + n, m)
    out, acc = [], 0
    for w in range(m * n + 1):
        acc += c[w]
        out.append(acc / total)
    return tuple(out)


def mwu_p(x: Sequence[float], y: Sequence[float]) -> float:
    """Two-sided Mann-Whitney p by R's wilcox.test rule (exact if n < 50 and no ties, else normal+cc)."""
    m, n = len(x), len(y)
    N = m + n
    ys = sorted(y)
    w = 0.0
    for v in x:
        lo = bisect_left(ys, v)
        hi = bisect_right(ys, v, lo)
        w += lo + 0.5 * (hi - lo)
    allv = list(x) + ys
    if len(set(allv)) == N and m < 50 and n < 50:
        cdf = _wilcox_cdf(m, n)
        wi = int(w)
        p = 1 - cdf[wi - 1] if w > m * n / 2 else cdf[wi]
        return min(2 * p, 1.0)
    ties = 0.0
    if len(set(allv)) != N:
        counts: dict = {}
        for v in allv:
            counts[v] = counts.get(v, 0) + 1
        ties = float(sum(t ** 3 - t for t in counts.values() if t > 1))
    z = w - m * n / 2
    sigma = math.sqrt(m * n / 12 * ((N + 1) - ties / (N * (N - 1))))
    if sigma == 0:
        return 1.0
    corr = 0.5 if z > 0 else (-0.5 if z < 0 else 0.0)
    return min(1.0, math.erfc(abs((z - corr) / sigma) / math.sqrt(2)))


def r2(x: Sequence[float], y: Sequence[float]) -> float:
    """R² of the least-squares line y ~ x (nan with fewer than 3 points or constant x)."""
    n = len(x)
    if n < 3:
        return float("nan")
    mx = sum(x) / n
    my = sum(y) / n
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    if sxx == 0 or syy == 0:
        return float("nan")
    return sxy * sxy / (sxx * syy)


# ----------------------------------------------------------------------------------------------------
# targets and the annealer


@dataclass
class Item:
    """One published number: ``value`` printed with ``decimals``; *met* when the achieved value rounds to it.

    ``kind`` 'p' measures the guiding distance on the log scale (p-values), anything else in printed
    units. ``weight`` scales the cost of a miss (quartiles and R² 1, p-values small).
    """

    key: str
    value: float
    decimals: int
    weight: float = 1.0
    kind: str = "x"
    pull: float = 1.0  # scale of the guiding distance (R² pulls harder than the p-values)

    def __post_init__(self):
        self.tol = 0.5 * 10 ** (-self.decimals) * (0.999 if self.kind != "p" else 1.0)
        self.scale = 10 ** self.decimals
        self.logv = math.log(self.value) if self.kind == "p" else 0.0

    def met(self, achieved: float) -> bool:
        return achieved == achieved and abs(achieved - self.value) < self.tol


@dataclass
class Target:
    """A block of items computed together by ``fn(state) -> list of achieved values`` (one sort for
    three quartiles); ``deps`` names the (variable, index) cells it reads. ``cost`` returns
    (missed weight, smooth distance to the exact values)."""

    items: list
    fn: Callable[[dict], list]
    deps: set

    def cost(self, state) -> tuple[float, float]:
        m = d = 0.0
        for it, a in zip(self.items, self.fn(state)):
            if a != a:
                m += it.weight
                d += 10.0
                continue
            e = abs(a - it.value)
            if e >= it.tol:
                m += it.weight
            if it.kind == "p":
                d += it.pull * P_DISTANCE * abs(math.log(a if a > 1e-12 else 1e-12) - it.logv)
            else:
                d += it.pull * math.log1p(e * it.scale)
        return m, d


@dataclass
class Var:
    name: str
    lo: int
    hi: int
    steps: tuple = (1, 2, 5, 10, 50)
    pins: tuple = ()  # grid values worth jumping to (published values on this grid)


@dataclass
class Problem:
    variables: dict  # name -> list[Var | None] per index
    targets: list
    linked: list = field(default_factory=list)  # groups of cells shifted together by one move
    pairs: list = field(default_factory=list)   # groups of cells between which a transfer (+k, -k) is tried
    moves: list = field(default_factory=list)   # extra move generators: f(state, rand) -> [(name, i, new)]

    def deps_index(self):
        idx: dict = {}
        for t in self.targets:
            for d in t.deps:
                idx.setdefault(d, []).append(t)
        return idx


def _apply(state: dict, changes, dep: dict, cur: dict):
    """Apply ``changes`` [(variable, index, new value)] to ``state`` in place and re-cost the terms they touch.

    Returns ``(old, new, dm, dd)``: the previous values (to undo), the new cost of each affected term
    (keyed by ``id(term)``), and the change of missed weight and of distance against ``cur``.
    """
    old = [(name, i, state[name][i]) for name, i, _ in changes]
    affected = {}
    for name, i, nv in changes:
        state[name][i] = nv
        for t in dep.get((name, i), ()):
            affected[id(t)] = t
    dm = dd = 0.0
    new = {}
    for tid, t in affected.items():
        c = t.cost(state)
        new[tid] = c
        dm += c[0] - cur[tid][0]
        dd += c[1] - cur[tid][1]
    return old, new, dm, dd


def _custom_move(problem: Problem, state: dict, rand) -> list:
    """One of the problem's own moves; no change if it leaves a variable's bounds."""
    changes = problem.moves[int(rand() * len(problem.moves))](state, rand)
    for name, i, nv in changes:
        v = problem.variables[name][i]
        if nv < v.lo or nv > v.hi:
            return []
    return changes


def _linked_move(problem: Problem, state: dict, rand) -> list:
    """The same step for every cell of a linked group; no change if one leaves its bounds."""
    grp = problem.linked[int(rand() * len(problem.linked))]
    v0 = problem.variables[grp[0][0]][grp[0][1]]
    st = v0.steps
    step = st[int(rand() * len(st))] * (1 if rand() < 0.5 else -1)
    changes = []
    for (name, i) in grp:
        v = problem.variables[name][i]
        nv = state[name][i] + step
        if nv < v.lo or nv > v.hi:
            return []
        changes.append((name, i, nv))
    return changes


def _pair_move(problem: Problem, state: dict, rand) -> list:
    """A step moved from one cell of a pair group to another (their sum is kept)."""
    grp = problem.pairs[int(rand() * len(problem.pairs))]
    ka = int(rand() * len(grp))
    kb = int(rand() * (len(grp) - 1))
    kb += kb >= ka
    (na, ia), (nb, ib) = grp[ka], grp[kb]
    va, vb = problem.variables[na][ia], problem.variables[nb][ib]
    st = va.steps
    step = st[int(rand() * len(st))] * (1 if rand() < 0.5 else -1)
    a, b = state[na][ia] + step, state[nb][ib] - step
    if va.lo <= a <= va.hi and vb.lo <= b <= vb.hi:
        return [(na, ia, a), (nb, ib, b)]
    return []


def _cell_move(problem: Problem, state: dict, rand, cells: list) -> list:
    """One cell moved by one of its steps, or (one time in ten) set to one of its pinned values."""
    name, i = cells[int(rand() * len(cells))]
    v = problem.variables[name][i]
    if v.pins and rand() < 0.1:
        nv = v.pins[int(rand() * len(v.pins))]
    else:
        st = v.steps
        nv = state[name][i] + st[int(rand() * len(st))] * (1 if rand() < 0.5 else -1)
    if v.lo <= nv <= v.hi and nv != state[name][i]:
        return [(name, i, nv)]
    return []


def _propose(problem: Problem, state: dict, rand, cells: list) -> list:
    """A random move: the problem's own (25 %), a linked group (15 %), a pair (15 %), else one cell."""
    r = rand()
    if problem.moves and r < 0.25:
        return _custom_move(problem, state, rand)
    if problem.linked and r < 0.4:
        return _linked_move(problem, state, rand)
    if problem.pairs and r < 0.55:
        return _pair_move(problem, state, rand)
    return _cell_move(problem, state, rand, cells)


def anneal(problem: Problem, state: dict, rng: random.Random, iters: int, *, t0: float = 3.0,
           t1: float = 0.01, w0: float = 1.0, w1: float = 100.0,
           progress: Callable[[str], None] | None = None) -> dict:
    """Seeded simulated annealing over integer cells; returns the best state seen.

    The cost is ``w * sum(miss) + sum(distance)``; the miss weight ``w`` ramps from ``w0`` to ``w1`` while
    the temperature falls from ``t0`` to ``t1``, so early moves follow the smooth distances and late moves
    keep every met target met.
    """
    dep = problem.deps_index()
    cur = {id(t): t.cost(state) for t in problem.targets}
    miss = sum(c[0] for c in cur.values())
    dist = sum(c[1] for c in cur.values())
    cells = [(name, i) for name, vs in problem.variables.items() for i in range(len(vs)) if vs[i] is not None]
    best_key = (miss, dist)
    best = {k: list(v) for k, v in state.items()}
    lt = math.log(t1 / t0)
    lw = math.log(w1 / w0)
    rand = rng.random
    for it in range(iters):
        frac = it / max(1, iters - 1)
        temp = t0 * math.exp(lt * frac)
        w = w0 * math.exp(lw * frac)
        changes = _propose(problem, state, rand, cells)
        if not changes:
            continue
        old, new, dm, dd = _apply(state, changes, dep, cur)
        delta = w * dm + dd
        if delta <= 0 or rand() < math.exp(-delta / temp):
            cur.update(new)
            miss += dm
            dist += dd
            key = (round(miss, 9), dist)
            if key < best_key:
                best_key = key
                best = {k: list(v) for k, v in state.items()}
        else:
            for name, i, ov in old:
                state[name][i] = ov
        if progress and it and it % 100000 == 0:
            progress(f"  {it}/{iters}: missed weight {best_key[0]:.1f}")
    return best


def report(problem: Problem, state: dict) -> list[tuple[str, float, float, bool]]:
    """(key, published, achieved-by-surrogate, met) for every target."""
    out = []
    for t in problem.targets:
        for it, a in zip(t.items, t.fn(state)):
            out.append((it.key, it.value, a, it.met(a)))
    return out


def total_cost(problem: Problem, state: dict) -> tuple[float, float]:
    """(missed weight, distance) of a state over every target of the problem."""
    m = d = 0.0
    for t in problem.targets:
        a, b = t.cost(state)
        m += a
        d += b
    return (round(m, 9), d)


def polish(problem: Problem, state: dict, cells: list, candidates: Callable[[str, int, dict], list],
           rounds: int = 30) -> dict:
    """Deterministic coordinate descent: for each cell (in order) try every candidate change and keep the
    one that lowers the cost ``(missed weight, distance)`` most; repeat until a round changes nothing.

    ``candidates(name, i, state)`` returns lists of changes ``[(name, i, new), ...]`` (a change may move
    several cells, e.g. V0 and V1 together). Fine control that annealing lacks: hits R² to 4 decimals.
    """
    dep = problem.deps_index()
    cur = {id(t): t.cost(state) for t in problem.targets}
    for _ in range(rounds):
        improved = False
        for name, i in cells:
            best_delta, best_change, best_new = (0.0, 0.0), None, None
            for change in candidates(name, i, state):
                ok = True
                for nm, j, nv in change:
                    v = problem.variables[nm][j]
                    if v is None or nv < v.lo or nv > v.hi:
                        ok = False
                        break
                if not ok:
                    continue
                old, new, dm, dd = _apply(state, change, dep, cur)
                for nm, j, ov in old:
                    state[nm][j] = ov
                if (round(dm, 9), dd) < best_delta and (dm < -1e-9 or (abs(dm) < 1e-9 and dd < -1e-12)):
                    best_delta, best_change, best_new = (round(dm, 9), dd), change, new
            if best_change is not None:
                for nm, j, nv in best_change:
                    state[nm][j] = nv
                cur.update(best_new)
                improved = True
        if not improved:
            break
    return state
