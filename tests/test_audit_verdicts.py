"""The audit's five verdicts (issue 13): each category with an expected value worked out here by hand or by an
independent computation, the article's rounding convention, the checks a careful reviewer makes, and the
one-screen summary that opens audit.md.

Expected values: hand arithmetic written in the comments (denominators, calendar days, RECIST 1.1's limits,
Eisenhauer et al. 2009 section 3.2), and the Clopper-Pearson bound from ``scipy.stats.beta.ppf`` (the beta
quantile, not the closed form the audit uses). Never the code under test.
"""

from __future__ import annotations

import pytest

from analysis.paper import audit
from analysis.paper.audit.percent import rounding_step
from analysis.paper.audit.reporting import zero_events_upper_bound
from test_audit import frame, verdicts

READING = "inconsistent under a stated reading"


@pytest.fixture(scope="module")
def article(article_audit):
    """The article's audit (tests/conftest.py runs it once per session)."""
    return article_audit


def _row(df, check, where_part):
    sub = df[(df["check"] == check) & df["where"].str.contains(where_part, regex=False)]
    assert len(sub) == 1, (check, where_part, list(sub["where"]))
    return sub.iloc[0]


# ------------------------------------------------------------------------------------------ verdict set

def test_the_five_verdicts_most_severe_first():
    assert audit.VERDICTS == ("inconsistent", READING, "tension", "consistent", "not checkable")


# ------------------------------------------------------------------------------------------ rounding convention

def _pct_rows(pairs):
    rows = [("figure1:n.patients", 34, "count", 0, "n.patients")]
    for i, (k, p) in enumerate(pairs):
        rows += [(f"table1:c.x{i}.n", k, "count", 0), (f"table1:c.x{i}.pct", p, "percent", 0)]
    return frame(*rows)


def test_convention_is_detected_from_the_articles_own_percentages(article):
    # the article prints 24 percentages beside a count; all but 1 (3 %) are multiples of 5
    pub = audit.core.Pub(_pct_rows([(25, 75), (7, 20), (2, 5), (3, 10), (11, 30), (12, 35)]))
    assert rounding_step(pub)[0] == 5
    pub = audit.core.Pub(_pct_rows([(25, 74), (7, 21), (2, 6), (3, 9), (11, 32), (12, 35)]))
    assert rounding_step(pub)[0] == 1
    _, md = article
    assert "23 of the 24 percentages" in md


@pytest.mark.parametrize("k,p", [(25, 75), (7, 20), (2, 5), (3, 10), (11, 30)])
def test_percentages_that_fit_the_5_percent_convention_are_consistent(k, p):
    # by hand over 34: 25 -> 73.5 in [72.5, 77.5]; 7 -> 20.6 in [17.5, 22.5]; 2 -> 5.9 in [2.5, 7.5];
    # 3 -> 8.8 in [7.5, 12.5]; 11 -> 32.4 in [27.5, 32.5]. None fits at 1 % precision (73.5 is not 75).
    rows = [(25, 75), (7, 20), (2, 5), (3, 10), (11, 30), (12, 35)]
    df = audit.run_audit(_pct_rows(rows))
    i = rows.index((k, p))
    assert verdicts(df, "percent", f"c.x{i}") == ["consistent"]


def test_a_percentage_no_denominator_fits_even_at_5_percent_is_inconsistent():
    # 16 of 34 = 47.1 %, of 19 = 84.2 %: neither is within 2.5 points of 70
    df = audit.run_audit(_pct_rows([(25, 75), (7, 20), (2, 5), (3, 10), (11, 30), (16, 70)]))
    assert verdicts(df, "percent", "c.x5") == ["inconsistent"]


def test_article_percentages_under_the_convention(article):
    df, _ = article
    for where in ("bilobar_multiple", "unilobar_multiple", "bilobar_single", "primary_site.prostate",
                  "t_stage.T4", "primary_site.small_intestine"):
        assert _row(df, "percent", where).verdict == "consistent", where
    # 10 of group 2's 19 = 52.6 %; only 10/34 = 29.4 % gives 30 %: a tension (wrong denominator)
    assert _row(df, "percent", "recist.group2.SD").verdict == "tension"
    # 5/34 = 14.7 -> 15, never 10; 18/34 = 52.9, 18/19 = 94.7, never 30: proven
    assert _row(df, "percent", "t_stage.T1").verdict == "inconsistent"
    assert _row(df, "percent", "primary_resected.true").verdict == "inconsistent"


# ------------------------------------------------------------------------------------------ reading-dependent

def test_article_reading_dependent_findings(article):
    df, _ = article
    assert _row(df, "moments", "GRIM").verdict == READING                  # whole-year ages only
    assert _row(df, "joint_quartiles", "table3 vs table4 TTP group1").verdict == READING
    assert "whole years" in _row(df, "moments", "GRIM").explanation


def test_followup_minimum_against_the_study_period(article):
    # recruited 1-28 Feb 2022, tracked to 31 Oct 2022: Feb 1 -> Oct 31 = 28+31+30+31+30+31+31+30+31 - 1 = 272 days,
    # Feb 28 -> Oct 31 = 245 days; 1.5 years = 548 days
    df, _ = article
    r = _row(df, "timeline", "minimum follow-up")
    assert r.verdict == READING
    assert "245-272 days" in r.recomputed and "548 days" in r.recomputed


def test_table1_timing_against_figure1_arms(article):
    # immediate 7 + 9 = 16 vs < 2 weeks 12; after chemotherapy 8 + 10 = 18 vs > 3 months 22
    df, _ = article
    r = _row(df, "timeline", "table1 timing vs figure1")
    assert r.verdict == READING
    assert "12 vs 16" in r.recomputed and "22 vs 18" in r.recomputed


def test_short_timing_against_the_14_day_baseline_rule(article):
    df, _ = article
    r = _row(df, "timeline", "<2 weeks vs methods baseline")
    assert r.verdict == READING and ">= 14 days = 2 weeks" in r.recomputed


def test_systemic_therapy_before_tace_against_the_immediate_arm(article):
    df, _ = article
    r = _row(df, "timeline", "systemic therapy")
    assert r.verdict == READING and "7 group-1 patients" in r.recomputed


def test_target_lesions_against_recist_two_per_organ(article):
    # RECIST 1.1: <= 2 targets per organ -> 2 * 34 = 68 liver targets; 2 * 52 = 104 even per procedure; 105 > both.
    # All organs: 20 liver-only * 2 + 14 extrahepatic * 5 = 110 >= 105 (possible only near the maximum)
    df, _ = article
    r = _row(df, "criteria", "target lesions")
    assert r.verdict == READING
    assert "at most 68" in r.recomputed and "104" in r.recomputed
    assert "110" in r.explanation
    assert not (df["where"] == "results target lesions").any()   # the old 5-per-patient bound is gone


@pytest.mark.parametrize("targets,want", [(68, "consistent"), (69, READING)])
def test_target_lesion_bound_at_the_edge(targets, want):
    df = audit.run_audit(frame(("figure1:n.patients", 34, "count", 0, "n.patients"),
                               ("results:lesions.target.n", targets, "count", 0)))
    assert verdicts(df, "criteria") == [want]


# ------------------------------------------------------------------------------------------ tensions

def test_zero_adverse_events_bound_against_scipy_beta_quantile():
    from scipy.stats import beta

    # Clopper-Pearson upper limit at x = 0: Beta(0.975; 1, n) (two-sided 95 %)
    assert zero_events_upper_bound(52) == pytest.approx(beta.ppf(0.975, 1, 52), rel=1e-12)
    assert round(100 * beta.ppf(0.975, 1, 52), 1) == 6.8
    # one-sided 95 %: Beta(0.95; 1, n) = 5.6 %, not the bound the audit reports
    assert round(100 * beta.ppf(0.95, 1, 52), 1) == 5.6


def test_article_tensions(article):
    df, _ = article
    ae = _row(df, "reporting", "adverse events")
    assert ae.verdict == "tension" and "0-6.8 %" in ae.recomputed and "two-sided" in ae.recomputed
    assert _row(df, "reporting", "funding").verdict == "tension"
    assert _row(df, "reporting", "TTP label").verdict == "tension"
    assert _row(df, "reporting", "one p per group").verdict == "tension"
    assert _row(df, "timeline", "first follow-up").verdict == "tension"      # 8 weeks outside 10-15
    assert _row(df, "agreement", "results fold increase vs table3 group2").verdict == "tension"  # 304/145 = 2.10
    assert _row(df, "agreement", "results fold increase vs table3 group1").verdict == "consistent"  # 300/101 = 2.97
    # abstract 0.57 vs Table 3 0.58: a p in [0.575, 0.58) truncates to one and rounds to the other
    assert _row(df, "agreement", "table3.tace.p").verdict == "tension"
    # 134 vs 137 and 342 vs 432 differ by more than any rounding: proven
    assert _row(df, "agreement", "table3.tace.group1.q1").verdict == "inconsistent"
    assert _row(df, "agreement", "table3.tace.group2.q3").verdict == "inconsistent"


def test_first_follow_up_inside_the_interval_is_not_flagged():
    df = audit.run_audit(frame(("methods:diagnostics.first_followup_weeks", 12, "weeks", 0),
                               ("methods:imaging_interval.min", 10, "weeks", 0),
                               ("methods:imaging_interval.max", 15, "weeks", 0)))
    assert verdicts(df, "timeline") == []


# ------------------------------------------------------------------------------------------ not checkable

def test_untested_headline_is_not_checkable_and_says_what_is_missing(article):
    df, _ = article
    r = _row(df, "reporting", "headline")
    assert r.verdict == "not checkable" and "paired comparison" in r.explanation


# ------------------------------------------------------------------------------------------ proven

def test_article_proven_impossibilities(article):
    df, _ = article
    assert _row(df, "sum", "RECIST group2").verdict == "inconsistent"                      # 12 + 10 = 22 > 19
    assert _row(df, "p_feasibility", "table2.after.p").verdict == "inconsistent"
    # nothing proven rests on a reading or on the clock
    proven = df[df["verdict"] == "inconsistent"]
    assert not proven["explanation"].str.startswith("Reading").any()
    assert not df["explanation"].str.contains("time limit").any()


# ------------------------------------------------------------------------------------------ summary

def test_audit_md_opens_with_a_one_screen_summary_most_severe_first(article):
    df, md = article
    head = md.split("## Verdicts")[0]
    lines = head.splitlines()
    assert lines[4] == "## Summary"
    i_proven = head.index("### Proven impossible")
    i_reading = head.index("### Impossible under the natural reading")
    i_tension = head.index("### Possible only under an unusual reading")
    assert i_proven < i_reading < i_tension
    flagged = df[df["verdict"].isin(audit.VERDICTS[:3])]
    items = [ln for ln in lines if ln[:1].isdigit()]
    assert len(items) == len(flagged)                       # one line per flagged finding, nothing else
    assert all("\n" not in ln for ln in items)
    for v in audit.VERDICTS:
        assert f"{int((df['verdict'] == v).sum())} {v}" in lines[2]
