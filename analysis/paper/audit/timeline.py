"""Check kind ``timeline``: the study's dates, intervals and schedules against each other and against Figure 1.

Every number comes from the published values (:class:`~analysis.paper.audit.core.Pub`); the statements
they belong to are described in the explanations in the audit's own words.
"""

from __future__ import annotations

import datetime as dt

from analysis.paper.audit.core import GROUPS, READING, TENSION, Finding, Pub, collect

_DAYS_PER_YEAR = 365.25
_DAYS_PER_MONTH = _DAYS_PER_YEAR / 12


def check_timeline(pub: Pub) -> list[Finding]:
    """Follow-up vs study period, Table 1's timing vs Figure 1 and vs the baseline rule, the imaging
    schedule, and systemic therapy before TACE vs the immediate-TACE arm.

    Parameters
    ----------
    pub : Pub
        The published values.

    Returns
    -------
    list of Finding
        One finding per check whose numbers are printed (a check whose numbers are absent is skipped).

    References
    ----------
    The article's Methods (study period, eligibility, diagnostic schedule), Table 1 and Figure 1, as
    recorded in ``data/published/published.csv``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"id": ["methods:diagnostics.first_followup_weeks", "methods:imaging_interval.min",
    ...                           "methods:imaging_interval.max"], "value": [8, 10, 15], "decimals": 0})
    >>> [(f.where, f.verdict) for f in check_timeline(Pub(df))]
    [('methods first follow-up vs imaging interval', 'tension')]
    """
    return collect(pub, (_followup_vs_study_period, _timing_vs_figure1, _short_timing_vs_baseline_rule,
                         _first_followup_vs_interval, _systemic_therapy_before_tace))


def _date(pub: Pub, prefix: str, last_day: bool = False) -> dt.date | None:
    """A printed calendar date ``prefix.year/.month[/.day]``; without a day, the month's first (or last) day."""
    y, m = pub.val(prefix + ".year"), pub.val(prefix + ".month")
    if y is None or m is None:
        return None
    d = pub.val(prefix + ".day")
    if d is not None:
        return dt.date(int(y), int(m), int(d))
    if not last_day:
        return dt.date(int(y), int(m), 1)
    nxt = dt.date(int(y) + int(m) // 12, int(m) % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def _followup_vs_study_period(pub: Pub) -> Finding | None:
    """Minimum follow-up vs the time between the end of recruitment and the date follow-up was tracked to."""
    first = _date(pub, "methods:study_period.recruitment_end")
    last = _date(pub, "methods:study_period.recruitment_end", last_day=True)
    tracked = _date(pub, "methods:study_period.tracked_to")
    fmin = pub.val("methods:followup.min")
    if None in (first, last, tracked, fmin):
        return None
    most, least = (tracked - first).days, (tracked - last).days
    need = fmin * _DAYS_PER_YEAR
    latest = tracked - dt.timedelta(days=round(need))
    gap = (last - latest).days
    printed = (f"minimum follow-up {pub.text('methods:followup.min')} years; recruitment until "
               f"{last:%Y-%m}; follow-up tracked to {tracked:%Y-%m-%d}")
    return Finding("timeline", "methods minimum follow-up vs study period", printed,
                   f"{least}-{most} days ({least / _DAYS_PER_MONTH:.1f}-{most / _DAYS_PER_MONTH:.1f} months) for a "
                   f"patient recruited in {last:%Y-%m}; 1.5 years = {need:.0f} days", READING,
                   f"Reading: a patient was recruited in the last month of the recruitment period and follow-up "
                   f"runs from recruitment (first TACE). Such a patient was followed for at most {most} days "
                   f"({most / _DAYS_PER_MONTH:.1f} months) by {tracked:%Y-%m-%d}, far below the stated minimum of "
                   f"{pub.text('methods:followup.min')} years ({need:.0f} days). Both hold only if nobody was "
                   f"recruited after about {latest:%Y-%m} ({gap / _DAYS_PER_MONTH:.0f} months before recruitment "
                   f"ended) or if follow-up is counted from an earlier day (e.g. detection of the metastases).")


def _timing_vs_figure1(pub: Pub) -> Finding | None:
    """Table 1's time from liver metastases to TACE (< 2 weeks, > 3 months) vs Figure 1's two arms."""
    short = pub.val("table1:liver_mets_to_tace.lt_2_weeks.n")
    long_ = pub.val("table1:liver_mets_to_tace.gt_3_months.n")
    imm = [pub.n(g, "immediate") for g in GROUPS]
    aft = [pub.n(g, "after_chemo") for g in GROUPS]
    if None in (short, long_, *imm, *aft):
        return None
    n_imm, n_aft = sum(imm), sum(aft)
    if (int(short), int(long_)) == (n_imm, n_aft):
        return Finding("timeline", "table1 timing vs figure1 arms", f"<2 weeks {int(short)}, >3 months "
                       f"{int(long_)}; immediate {n_imm}, after chemotherapy {n_aft}", "equal", "consistent",
                       "Table 1's timing categories have the sizes of Figure 1's two arms.")
    return Finding("timeline", "table1 timing vs figure1 arms",
                   f"<2 weeks n={int(short)}, >3 months n={int(long_)}; immediate {imm[0]} + {imm[1]} = {n_imm}, "
                   f"after chemotherapy {aft[0]} + {aft[1]} = {n_aft}",
                   f"{int(short)} vs {n_imm}; {int(long_)} vs {n_aft}", READING,
                   f"Reading: TACE 'immediately upon detection' of the liver metastases falls in Table 1's "
                   f"'< 2 weeks' and TACE at progression on chemotherapy in '> 3 months'. Then the categories "
                   f"should hold {n_imm} and {n_aft} patients, not {int(short)} and {int(long_)}. As the two "
                   f"categories cover all {int(short + long_)} patients, at least {n_imm - int(short)} "
                   f"'immediate' patients waited more than 3 months for TACE, which only an unusual meaning of "
                   f"'immediately' allows.")


def _short_timing_vs_baseline_rule(pub: Pub) -> Finding | None:
    """Table 1's '< 2 weeks' from detection to TACE vs baseline imaging at least 14 days before TACE."""
    n = pub.val("table1:liver_mets_to_tace.lt_2_weeks.n")
    wk = pub.val("table1:liver_mets_to_tace.lt_2_weeks.bound")
    rid = next((r for r in ("methods:eligibility.min_days_before_tace", "methods:diagnostics.min_days_before_tace")
                if pub.has(r)), None)
    if None in (n, wk, rid) or int(n) == 0:
        return None
    days = pub.val(rid)
    if days < 7 * wk:
        return None
    return Finding("timeline", "table1 <2 weeks vs methods baseline imaging",
                   f"<{pub.text('table1:liver_mets_to_tace.lt_2_weeks.bound')} weeks n={int(n)}; imaging at "
                   f"least {pub.text(rid)} days before TACE",
                   f"detection to TACE >= {int(days)} days = {days / 7:g} weeks", READING,
                   f"Reading: the imaging that detected the liver metastases (an inclusion criterion) is the "
                   f"diagnostic protocol completed at least {int(days)} days before TACE. Then every patient "
                   f"waited at least {int(days)} days ({days / 7:g} weeks) from detection to TACE, and none can be "
                   f"in the '< {wk:g} weeks' category, which holds {int(n)}. Possible only if the metastases were "
                   f"found on an earlier exam than the baseline one.")


def _first_followup_vs_interval(pub: Pub) -> Finding | None:
    """First follow-up at 8 weeks vs imaging every 10-15 weeks."""
    first = pub.val("methods:diagnostics.first_followup_weeks")
    src = next((w for w in ("methods", "abstract") if pub.has(f"{w}:imaging_interval.min")), None)
    if first is None or src is None or not pub.has(f"{src}:imaging_interval.max"):
        return None
    lo, hi = pub.val(f"{src}:imaging_interval.min"), pub.val(f"{src}:imaging_interval.max")
    if lo <= first <= hi:
        return None
    later = pub.val("methods:diagnostics.later_followup_months")
    later_txt = ""
    if later is not None:
        wk = later * _DAYS_PER_MONTH / 7
        later_txt = (f" The later check-ups every {later:g} months ({wk:.1f} weeks) "
                     f"{'fit' if lo <= wk <= hi else 'do not fit'} the interval.")
    return Finding("timeline", "methods first follow-up vs imaging interval",
                   f"first follow-up {first:g} weeks after TACE; imaging every {lo:g}-{hi:g} weeks",
                   f"{first:g} outside [{lo:g}, {hi:g}]", TENSION,
                   f"The first follow-up {first:g} weeks after TACE lies outside the stated imaging interval of "
                   f"{lo:g}-{hi:g} weeks. Both hold only if that interval applies to imaging during systemic "
                   f"treatment and not to the first check after TACE, which the text does not say.{later_txt}")


def _systemic_therapy_before_tace(pub: Pub) -> Finding | None:
    """'All patients received systemic therapy before TACE' (abstract) vs the immediate-TACE arm of group 1."""
    g1 = pub.n("group1", "immediate")
    imm = [pub.n(g, "immediate") for g in GROUPS]
    if g1 is None or None in imm:
        return None
    return Finding("timeline", "abstract systemic therapy before TACE vs figure1 immediate arm",
                   f"all patients: systemic therapy before and after TACE; TACE immediately: "
                   f"{imm[0]} + {imm[1]}", f"{g1} group-1 patients with no time for prior therapy", READING,
                   f"Reading: 'TACE immediately upon detection of liver metastases' leaves no time for systemic "
                   f"therapy of the metastatic disease before TACE. Group 1 had liver metastases when the primary "
                   f"tumour was found, so its {g1} immediate-TACE patients cannot all have had systemic therapy "
                   f"before TACE, as the abstract says of all patients (group 2's {imm[1]} may have had it for the "
                   f"primary tumour). The Methods say only 'after embolisation'.")
