"""Survival analysis: Kaplan-Meier estimates of time to progression.

Time to progression is summarised in Tables 3-4 as plain durations, as the paper did (DESIGN §4); this
module adds what the censoring flag allows: the product-limit estimate, computed as R's ``survival::survfit``
does and checked against it (tests/r/km_fixtures.R).
"""

from __future__ import annotations


def kaplan_meier(durations, events):
    """Product-limit (Kaplan-Meier) estimate of the survival function.

    Parameters
    ----------
    durations : array-like of float
        Follow-up times (days).
    events : array-like of bool
        True = the event (progression) was seen at that time; False = censored then.

    Returns
    -------
    pandas.DataFrame
        Time 0 and then one row per distinct event time: ``time``, ``at_risk`` (number at risk just before
        ``time``), ``events`` (events at ``time``), ``survival`` (S(t) just after ``time``). The same numbers
        as R's ``summary(survfit(Surv(time, event) ~ 1))`` (time, n.risk, n.event, surv).

    Notes
    -----
    The estimate is :func:`survfit_km` (R's ``survfit`` product, one definition for the figures and the numbers),
    read at its event times; ties between an event and a censoring at the same time are handled as R does (the
    censored subject is still at risk at that time). lifelines' ``KaplanMeierFitter`` gives the same table (a
    cross-check in the tests).

    References
    ----------
    .. [1] Kaplan EL, Meier P. Nonparametric estimation from incomplete observations.
       J Am Stat Assoc 1958;53:457-81.
    .. [2] Therneau T. A Package for Survival Analysis in R. R package ``survival``.

    Examples
    --------
    >>> kaplan_meier([1, 2, 2, 3], [True, True, False, True])["survival"].round(4).tolist()
    [1.0, 0.75, 0.5, 0.0]
    """
    import numpy as np
    import pandas as pd

    t = np.asarray(durations, dtype=float)
    e = np.asarray(events, dtype=bool)
    if t.shape != e.shape:
        raise ValueError(f"kaplan_meier: {t.size} durations but {e.size} event flags")
    rows = [(0.0, int(t.size), 0, 1.0)]
    if t.size:
        curve = survfit_km(t, e)
        seen = curve[curve["n_event"] > 0]
        rows += [(float(u), int(n), int(d), float(s))
                 for u, n, d, s in zip(seen["time"], seen["n_risk"], seen["n_event"], seen["surv"])]
    return pd.DataFrame(rows, columns=["time", "at_risk", "events", "survival"])


# ----------------------------------------------------------------------------------------------
# R's survival::survfit defaults: Greenwood variance, conf.type "log", median with its CI; survdiff

#: R's ``quantile.survfit`` tolerance, ``sqrt(.Machine$double.eps)``.
_QUANTILE_TOL = 2.220446049250313e-16 ** 0.5


def _km_arrays(durations, events):
    import numpy as np

    t = np.asarray(durations, dtype=float).ravel()
    e = np.asarray(events).ravel()
    if t.shape != e.shape:
        raise ValueError(f"survfit_km: {t.size} durations but {e.size} event flags")
    if t.size == 0:
        raise ValueError("survfit_km: no observations")
    if np.isnan(t).any():
        raise ValueError("survfit_km: durations contain missing values (NaN)")
    if (t < 0).any():
        raise ValueError("survfit_km: negative durations")
    e = e.astype(bool)
    return t, e


def survfit_km(durations, events, conf_level: float = 0.95):
    """Kaplan-Meier curve with R's default 95 % band, as ``survival::survfit(Surv(time, event) ~ 1)``.

    One row per distinct observed time (events and censorings, as R's ``fit$time``): ``n_risk`` =
    number with time >= t, ``n_event``, ``n_censor``, ``surv`` = product of (n - d) / n,
    ``std_err`` = Greenwood standard error of -log S, ``sqrt(sum d / (n (n - d)))`` (R's
    ``fit$std.err``), and the band of ``conf.type = "log"``: ``S exp(-/+ z se)``, upper capped at 1,
    NaN where S = 0 (R: NA). z = ``qnorm(1 - (1 - conf_level)/2)``.

    Parameters
    ----------
    durations : array-like of float
        Follow-up times (non-negative, no NaN).
    events : array-like of bool
        True = event seen at that time, False = censored.
    conf_level : float, default 0.95
        R's ``conf.int``.

    Returns
    -------
    pandas.DataFrame
        Columns ``time, n_risk, n_event, n_censor, surv, std_err, lower, upper``.

    References
    ----------
    .. [1] Therneau, T. ``survival`` package: ``survfit.formula`` (``stype = 1``, ``ctype = 1``,
       ``conf.type = "log"``, ``error = "greenwood"``), R 4.2 / survival 3.5.

    Examples
    --------
    Times 1, 2, 3, 4 with the 3 censored: S = 3/4 after t = 1, 1/2 after t = 2, stays at 1/2 at the
    censoring, then 0.

    >>> survfit_km([1, 2, 3, 4], [1, 1, 0, 1])["surv"].tolist()
    [0.75, 0.5, 0.5, 0.0]
    """
    import numpy as np
    import pandas as pd
    from analysis.stats.rmath import qnorm

    t, e = _km_arrays(durations, events)
    times = np.unique(t)
    n_risk = np.array([(t >= u).sum() for u in times], dtype=float)
    n_event = np.array([(e & (t == u)).sum() for u in times], dtype=float)
    n_censor = np.array([(~e & (t == u)).sum() for u in times], dtype=float)
    surv = np.empty(times.size)
    varh = np.empty(times.size)
    s, v = 1.0, 0.0
    for i in range(times.size):
        if n_event[i] > 0:
            s *= (n_risk[i] - n_event[i]) / n_risk[i]
            v += n_event[i] / (n_risk[i] * (n_risk[i] - n_event[i])) if n_risk[i] > n_event[i] else np.inf
        surv[i], varh[i] = s, v
    se = np.sqrt(varh)
    z = qnorm(1 - (1 - conf_level) / 2)  # survfit.km: qnorm(1 - (1 - conf.int) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        xx = np.where(surv == 0, np.nan, surv)
        lower = np.exp(np.log(xx) - z * se)
        upper = np.minimum(np.exp(np.log(xx) + z * se), 1.0)
    return pd.DataFrame({"time": times, "n_risk": n_risk.astype(int), "n_event": n_event.astype(int),
                         "n_censor": n_censor.astype(int), "surv": surv, "std_err": se,
                         "lower": lower, "upper": upper})


def _findq(x, y, p: float, tol: float):
    """Port of survival's internal ``findq`` (quantile.survfit.R): x = times, y = 1 - S (with NaN)."""
    import numpy as np

    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if np.all(np.isnan(y)) or np.nanmax(y) < p:
        return None
    xmax = x[-1]
    keep, seen, seen_nan = [], set(), False
    for i, v in enumerate(y):  # duplicated(y): first occurrence kept, NA duplicates NA
        if np.isnan(v):
            if seen_nan:
                continue
            seen_nan = True
        elif v in seen:
            continue
        else:
            seen.add(v)
        keep.append(i)
    x, y = x[keep], y[keep]
    n = y.size

    def approx_constant_right(curve):  # approx(curve, 1:n, p, method="constant", f=1, rule=1)$y
        ok = ~np.isnan(curve)
        cx, cy = curve[ok], np.arange(n)[ok]
        order = np.argsort(cx, kind="stable")
        cx, cy = cx[order], cy[order]
        if cx.size == 0 or p < cx[0] or p > cx[-1]:
            return None
        j = int(np.searchsorted(cx, p, side="left"))  # first knot >= p (the knot itself when equal)
        return int(cy[j])

    i1 = approx_constant_right(y + tol)
    i2 = approx_constant_right(y - tol)
    quant = (x[i1] + x[i2]) / 2 if i1 is not None and i2 is not None else None
    if not np.isnan(y[n - 1]) and abs(p - y[n - 1]) < tol:
        quant = (x[i1] + xmax) / 2 if i1 is not None else None
    if quant is None or np.isnan(quant):
        return None
    return float(quant)


def _minmin(y, x, tol: float):
    """Port of the median rule of ``print.survfit`` (internal ``minmin`` of ``survmean``)."""
    import numpy as np

    y = np.asarray(y, dtype=float)
    x = np.asarray(x, dtype=float)
    keep = ~np.isnan(y) & (y < 0.5 + tol)
    if not keep.any():
        return None
    x, y = x[keep], y[keep]
    if abs(y[0] - 0.5) < tol and (y < y[0]).any():
        return float((x[0] + x[np.flatnonzero(y < y[0])[0]]) / 2)
    return float(x[0])


def km_median(durations, events, conf_level: float = 0.95, rule: str = "print") -> dict:
    """Median survival time with its CI, as R's ``survival::survfit(Surv(time, event) ~ 1)`` reports it.

    ``rule="print"`` (default) is what ``print(fit)`` and ``summary(fit)$table`` show (``median``,
    ``0.95LCL``, ``0.95UCL``; internal ``minmin`` of ``survmean``): the first time at which S(t) < 0.5
    (within ``sqrt(.Machine$double.eps)``, i.e. S(t) <= 0.5); if S there equals 0.5 and the curve drops
    further later, the midpoint between that time and the time of the next drop. The lower (upper)
    limit is the same rule applied to the lower (upper) band of :func:`survfit_km` (conf.type "log").

    ``rule="quantile"`` is ``quantile(fit, 0.5)`` (``quantile.survfit``), which differs in one case only:
    when the curve ends flat exactly at 0.5, it takes the midpoint between the time S reached 0.5 and
    the last follow-up time, where ``print`` gives the time S reached 0.5 (survival 3.5-3 prints 3 where
    ``quantile`` says 4.5 for times 1..6 with events at 1, 2, 3; both are checked against R in the tests).

    A value not reached (the curve never falls to 0.5) is ``None`` (R: NA).

    Parameters
    ----------
    durations, events : array-like
    conf_level : float, default 0.95
    rule : {'print', 'quantile'}, default 'print'

    Returns
    -------
    dict
        ``median``, ``lower``, ``upper`` (float or None), ``n``, ``events``.

    References
    ----------
    .. [1] Therneau, T. ``survival`` package 3.5: ``print.survfit`` / ``summary(fit)$table`` (columns
       ``median``, ``0.95LCL``, ``0.95UCL``) and ``quantile.survfit``.

    Examples
    --------
    Times 1..4, all events: S = 0.75, 0.5, 0.25, 0; S is exactly 0.5 from t = 2 to t = 3, so the
    median is the midpoint 2.5.

    >>> km_median([1, 2, 3, 4], [1, 1, 1, 1])["median"]
    2.5
    """
    import numpy as np

    if rule not in ("print", "quantile"):
        raise ValueError(f"km_median: rule must be 'print' or 'quantile', got {rule!r}")
    t, e = _km_arrays(durations, events)
    curve = survfit_km(t, e, conf_level)
    times = curve["time"].to_numpy()
    x = np.concatenate([[0.0], times])

    def q(s):
        if rule == "print":
            return _minmin(s, times, _QUANTILE_TOL)
        return _findq(x, np.concatenate([[0.0], 1 - s]), 0.5, _QUANTILE_TOL)

    return {"median": q(curve["surv"].to_numpy()), "lower": q(curve["lower"].to_numpy()),
            "upper": q(curve["upper"].to_numpy()), "n": int(t.size), "events": int(e.sum())}


def numbers_at_risk(durations, times) -> list[int]:
    """Numbers at risk at the given times: subjects whose follow-up time is >= t.

    The same as R's ``summary(survfit(Surv(time, event) ~ 1), times = times, extend = TRUE)$n.risk``.

    Parameters
    ----------
    durations : array-like of float
    times : array-like of float

    Returns
    -------
    list of int

    References
    ----------
    .. [1] Therneau, T. ``survival`` package: ``summary.survfit(times =, extend = TRUE)``.

    Examples
    --------
    >>> numbers_at_risk([1, 2, 3, 4], [0, 2, 2.5, 5])
    [4, 3, 2, 0]
    """
    import numpy as np

    t = np.asarray(durations, dtype=float).ravel()
    return [int((t >= u).sum()) for u in np.asarray(times, dtype=float).ravel()]


def logrank_test(durations, events, groups) -> dict:
    """Log-rank test between groups, as R's ``survival::survdiff(Surv(time, event) ~ group)`` (rho = 0).

    At each distinct event time with n at risk (n_k in group k) and d events, the expected count of
    group k is d n_k / n and the hypergeometric covariance is
    ``d (n - d) / (n (n - 1)) (n_k [k = j] - n_k n_j / n)``. With O - E and V summed over times,
    ``chisq = (O - E)' V^-1 (O - E)`` after dropping the first group (groups with E = 0 dropped
    first), ``df`` = number of groups with E > 0 minus 1, ``p = pchisq(chisq, df, lower = FALSE)``.
    Groups are ordered as R's factor levels (sorted).

    Parameters
    ----------
    durations, events : array-like
    groups : array-like
        Group labels (two or more distinct values).

    Returns
    -------
    dict
        ``chisq``, ``df``, ``p``, ``groups`` (labels in R's order), ``n``, ``observed``, ``expected``
        (lists per group).

    References
    ----------
    .. [1] Therneau, T. ``survival`` package: ``survdiff`` (C routine ``survdiff2``), survival 3.5.
    .. [2] Mantel, N. (1966) Evaluation of survival data and two new rank order statistics arising in
       its consideration. Cancer Chemother. Rep. 50, 163-170.

    Examples
    --------
    One event in each of two groups of one subject each, at times 1 (group a) and 2 (group b): at
    t = 1 both are at risk, E_a = 1/2, V = 1/4; at t = 2 only b is at risk (no variance).
    O_a - E_a = 1/2, chisq = (1/2)^2 / (1/4) = 1.

    >>> logrank_test([1, 2], [1, 1], ["a", "b"])["chisq"]
    1.0
    """
    import numpy as np
    from scipy.special import chdtrc  # what scipy.stats.chi2.sf evaluates

    t, e = _km_arrays(durations, events)
    g = np.asarray(groups).ravel()
    if g.size != t.size:
        raise ValueError(f"logrank_test: {t.size} durations but {g.size} group labels")
    labels = sorted(set(g.tolist()))
    if len(labels) < 2:
        raise ValueError("logrank_test: needs at least two groups")
    k = len(labels)
    gi = np.array([labels.index(v) for v in g.tolist()])
    obs = np.zeros(k)
    exp_ = np.zeros(k)
    var = np.zeros((k, k))
    for u in np.unique(t[e]):
        at = t >= u
        n = float(at.sum())
        risk = np.array([(at & (gi == j)).sum() for j in range(k)], dtype=float)
        dj = np.array([(e & (t == u) & (gi == j)).sum() for j in range(k)], dtype=float)
        d = dj.sum()
        obs += dj
        exp_ += d * risk / n
        if n > 1:
            tmp = d * risk * (n - d) / (n * (n - 1))
            var += np.diag(tmp) - np.outer(tmp, risk) / n
    keep = exp_ > 0
    df = int(keep.sum()) - 1
    if keep.sum() < 2:
        chisq = 0.0
    else:
        diff = (obs - exp_)[keep][1:]
        vv = var[np.ix_(keep, keep)][1:, 1:]
        chisq = float(np.sum(np.linalg.solve(vv, diff) * diff))
    p = float(chdtrc(df, chisq)) if df > 0 else float("nan")
    return {"chisq": chisq, "df": df, "p": p, "groups": labels,
            "n": [int((gi == j).sum()) for j in range(k)],
            "observed": obs.tolist(), "expected": exp_.tolist()}
