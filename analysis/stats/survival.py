"""Survival analysis: Kaplan-Meier estimates of time to progression.

Time to progression is summarised in Tables 3-4 as plain durations, as the paper did (DESIGN §4); this
module adds what the censoring flag allows: the product-limit estimate, computed by lifelines and checked
against R's ``survival::survfit`` (tests/r/km_fixtures.R).
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
    The estimate is lifelines' ``KaplanMeierFitter``; ties between an event and a censoring at the same time
    are handled as R does (the censored subject is still at risk at that time).

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
    from lifelines import KaplanMeierFitter

    t = np.asarray(durations, dtype=float)
    e = np.asarray(events, dtype=bool)
    if t.shape != e.shape:
        raise ValueError(f"kaplan_meier: {t.size} durations but {e.size} event flags")
    rows = [(0.0, int(t.size), 0, 1.0)]
    if t.size:
        kmf = KaplanMeierFitter().fit(t, event_observed=e)
        table = kmf.event_table
        surv = kmf.survival_function_.iloc[:, 0]
        for time in table.index[table["observed"] > 0]:
            rows.append((float(time), int(table.at[time, "at_risk"]), int(table.at[time, "observed"]),
                         float(surv.loc[time])))
    return pd.DataFrame(rows, columns=["time", "at_risk", "events", "survival"])
