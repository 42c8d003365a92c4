"""Agreement between two raters: Cohen's unweighted kappa with its asymptotic confidence interval."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from analysis.stats.rmath import qnorm

__all__ = ["cohens_kappa"]


def cohens_kappa(a: Sequence[Any], b: Sequence[Any], labels: Sequence[Any] | None = None,
                 conf_level: float = 0.95) -> dict[str, Any]:
    """Cohen's unweighted kappa of two ratings of the same subjects, with the asymptotic CI.

    From the k x k table of proportions p_ij (rows = ``a``, columns = ``b``, over ``labels``),
    p_o = sum p_ii, p_e = sum p_i. p_.i, kappa = (p_o - p_e) / (1 - p_e). The standard error is the
    large-sample (non-null) one of Fleiss, Cohen and Everitt (1969)::

        var = [ sum_i p_ii (1 - (p_i. + p_.i)(1 - kappa))^2
                + (1 - kappa)^2 sum_{i != j} p_ij (p_.i + p_j.)^2
                - (kappa - p_e (1 - kappa))^2 ] / (n (1 - p_e)^2)

    and the interval is kappa -/+ z_(1 - alpha/2) SE (Wald). Computed by
    ``statsmodels.stats.inter_rater.cohens_kappa`` (``std_kappa``), which implements this formula;
    checked against the same formula written out in R (tests/r/beyond_fixtures.R) and, for kappa
    and its ASE, ``vcd::Kappa``.

    Parameters
    ----------
    a, b : sequence
        The two ratings, one per subject (same length, no missing values).
    labels : sequence, optional
        All categories, in table order (categories nobody used still count as rows/columns);
        default: the sorted union of the observed values.
    conf_level : float, default 0.95

    Returns
    -------
    dict
        ``kappa``, ``se``, ``lower``, ``upper``, ``se0`` (standard error under kappa = 0),
        ``p_observed``, ``p_expected``, ``n``, ``labels``, ``table`` (list of rows).

    References
    ----------
    .. [1] Cohen, J. (1960) A coefficient of agreement for nominal scales. Educ. Psychol. Meas. 20,
       37-46.
    .. [2] Fleiss, J. L., Cohen, J. and Everitt, B. S. (1969) Large sample standard errors of kappa
       and weighted kappa. Psychol. Bull. 72, 323-327.
    .. [3] R: ``vcd::Kappa`` (unweighted kappa and ASE); base R has no kappa function.

    Examples
    --------
    Four subjects, the raters agree on 3: table [[2, 1], [0, 1]], p_o = 3/4, margins a = (3/4, 1/4),
    b = (1/2, 1/2), p_e = 1/2, kappa = (3/4 - 1/2) / (1/2) = 0.5.

    >>> cohens_kappa(["x", "x", "x", "y"], ["x", "x", "y", "y"])["kappa"]
    0.5
    """
    from statsmodels.stats.inter_rater import cohens_kappa as sm_kappa

    a = list(a)
    b = list(b)
    if len(a) != len(b):
        raise ValueError(f"cohens_kappa: {len(a)} ratings in a but {len(b)} in b")
    if not a:
        raise ValueError("cohens_kappa: no ratings")
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in a + b):
        raise ValueError("cohens_kappa: missing ratings; remove the subjects first")
    labels = sorted(set(a) | set(b)) if labels is None else list(labels)
    index = {v: i for i, v in enumerate(labels)}
    unknown = [v for v in a + b if v not in index]
    if unknown:
        raise ValueError(f"cohens_kappa: ratings not among labels: {sorted(set(map(str, unknown)))}")
    k = len(labels)
    table = np.zeros((k, k))
    for u, v in zip(a, b):
        table[index[u], index[v]] += 1
    n = len(a)
    probs = table / n
    p_o = float(np.trace(probs))
    p_e = float(probs.sum(axis=1) @ probs.sum(axis=0))
    if p_e == 1:
        nan = float("nan")
        return {"kappa": nan, "se": nan, "lower": nan, "upper": nan, "se0": nan, "p_observed": p_o,
                "p_expected": p_e, "n": n, "labels": labels, "table": table.astype(int).tolist()}
    with np.errstate(divide="ignore", invalid="ignore"):  # statsmodels' z = kappa / se0, unused here, is
        res = sm_kappa(table)  # 0/0 when se0 = 0 (one rater uses one category): no warning for a z not reported
    kappa = float(res["kappa"])
    se = float(res["std_kappa"])
    z = qnorm(1 - (1 - conf_level) / 2)  # R's qnorm, to the bit (tests/r/kappa.R: qnorm(0.975))
    return {"kappa": kappa, "se": se, "lower": kappa - z * se, "upper": kappa + z * se,
            "se0": float(res["std_kappa0"]), "p_observed": p_o, "p_expected": p_e, "n": n,
            "labels": labels, "table": table.astype(int).tolist()}
