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
