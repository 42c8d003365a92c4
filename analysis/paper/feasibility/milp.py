"""Building blocks of the mixed-integer programmes solved with ``scipy.optimize.milp`` (HiGHS)."""

from __future__ import annotations


def sparse_matrix(rows: list[dict], ncols: int):
    """CSR matrix from a list of {column: coefficient} rows (duplicates summed)."""
    from scipy.sparse import coo_matrix

    r_idx, c_idx, vals = [], [], []
    for r, coefs in enumerate(rows):
        for c, v in coefs.items():
            r_idx.append(r)
            c_idx.append(c)
            vals.append(v)
    return coo_matrix((vals, (r_idx, c_idx)), shape=(len(rows), ncols)).tocsr()


class Rows:
    """Constraint rows ``lo <= sum(coef * var) <= hi`` collected in order, then handed to HiGHS."""

    def __init__(self) -> None:
        """No rows yet."""
        self.rows: list[dict] = []
        self.lo: list[float] = []
        self.hi: list[float] = []

    def add(self, coefs: dict, lo, hi) -> None:
        """Append one row ``lo <= sum(coefs[v] * v) <= hi``."""
        self.rows.append(coefs)
        self.lo.append(lo)
        self.hi.append(hi)

    def constraint(self, ncols: int):
        """The rows as one :class:`scipy.optimize.LinearConstraint` over ``ncols`` variables."""
        from scipy.optimize import LinearConstraint

        return LinearConstraint(sparse_matrix(self.rows, ncols).tocsr(), self.lo, self.hi)


#: Branch-and-bound nodes per solve. A count, never seconds: the verdict of a solve must not depend on how
#: fast or how loaded the machine is. Every programme the audit and the synthetic cohort build closes at
#: the root node or the first branch (measured: at most 1 node), so the limit is a guard against a
#: pathological input, not a tuning knob.
NODE_LIMIT = 100_000

#: HiGHS options that make a solve reproducible: one thread (no race between parallel workers), a fixed
#: random seed, no time limit.
DETERMINISTIC = {"threads": 1, "random_seed": 0}


def solve_milp(c, rows: Rows, bounds, integrality, *, node_limit: int | None = NODE_LIMIT,
               mip_rel_gap: float | None = None):
    """``scipy.optimize.milp`` with deterministic HiGHS options and a node limit instead of a time limit.

    Parameters
    ----------
    c : array_like
        Objective coefficients (one per variable).
    rows : Rows
        The constraint rows.
    bounds : scipy.optimize.Bounds
        Variable bounds.
    integrality : array_like
        1 for an integer variable, 0 for a continuous one.
    node_limit : int or None, optional
        Branch-and-bound nodes before HiGHS stops (status 1); None = no limit.
    mip_rel_gap : float or None, optional
        Relative optimality gap (0 = prove optimality); None = HiGHS's default.

    Returns
    -------
    scipy.optimize.OptimizeResult
        As returned by ``milp`` (status 0 optimal, 1 node limit, 2 infeasible).

    References
    ----------
    SciPy ``scipy.optimize.milp`` (options ``node_limit``, ``mip_rel_gap``; other options are passed to
    HiGHS verbatim); HiGHS options ``threads`` and ``random_seed`` (Huangfu & Hall 2018, Math. Prog.
    Comp. 10:119-142).

    Examples
    --------
    Maximise x + y with x + 2y <= 4, x, y whole numbers in [0, 3]: the optimum is x = 3, y = 0 (value 3).

    >>> import numpy as np
    >>> from scipy.optimize import Bounds
    >>> r = Rows(); r.add({0: 1.0, 1: 2.0}, -np.inf, 4.0)
    >>> res = solve_milp(np.array([-1.0, -1.0]), r, Bounds([0, 0], [3, 3]), np.array([1, 1]))
    >>> res.status, [int(round(v)) for v in res.x]
    (0, [3, 0])
    """
    import warnings

    from scipy.optimize import milp

    options = dict(DETERMINISTIC)
    if node_limit is not None:
        options["node_limit"] = int(node_limit)
    if mip_rel_gap is not None:
        options["mip_rel_gap"] = mip_rel_gap
    with warnings.catch_warnings():
        # scipy warns that options it does not know (threads, random_seed) go to HiGHS verbatim: intended
        warnings.filterwarnings("ignore", message="Unrecognized options detected", category=RuntimeWarning)
        return milp(c, constraints=rows.constraint(len(c)), bounds=bounds, integrality=integrality,
                    options=options)
