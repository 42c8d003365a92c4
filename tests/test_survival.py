"""Kaplan-Meier estimates (analysis.stats.survival) equal R's survival::survfit (tests/r/km_fixtures.R)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from analysis.paths import TESTS
from analysis.stats.survival import kaplan_meier

FIXTURE = json.loads((TESTS / "r" / "fixtures" / "km.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", FIXTURE["cases"], ids=[c["name"] for c in FIXTURE["cases"]])
def test_kaplan_meier_equals_r_survfit(case):
    km = kaplan_meier(case["time"], case["event"]).iloc[1:]  # row 0 is time 0, S = 1
    assert km["time"].tolist() == case["r_time"]
    assert km["at_risk"].tolist() == case["r_n_risk"]
    assert km["events"].tolist() == case["r_n_event"]
    np.testing.assert_allclose(km["survival"].to_numpy(), case["r_surv"], rtol=1e-9, atol=1e-15)


def test_kaplan_meier_by_hand_with_a_censoring_tied_to_an_event():
    # times 2(event) 2(censored) 2(event) 4(event): at t=2 all 4 at risk, 2 events -> S = 2/4 = 0.5;
    # the censored one leaves after t=2, so at t=4 one at risk, one event -> S = 0.5 * 0 = 0.
    km = kaplan_meier([2, 2, 2, 4], [True, False, True, True])
    assert km["at_risk"].tolist() == [4, 4, 1]
    assert km["survival"].tolist() == [1.0, 0.5, 0.0]


def test_kaplan_meier_refuses_mismatched_lengths():
    with pytest.raises(ValueError, match="3 durations but 2 event flags"):
        kaplan_meier([1, 2, 3], [True, False])


def test_the_synthetic_cohort_curves_in_the_fixture_are_those_of_the_bundled_cohort():
    # guards against the R script silently skipping the bundled cohort, and against a stale fixture after
    # the cohort is regenerated (then run `make r-fixtures`). Durations read with the csv module, not the package.
    import csv

    from analysis.paths import SYNTHETIC

    cases = {c["name"]: c for c in FIXTURE["cases"]}
    with open(SYNTHETIC / "patients.csv", encoding="utf-8") as f:
        group = {r["patient_id"]: r["group"] for r in csv.DictReader(f)}
    with open(SYNTHETIC / "progression.csv", encoding="utf-8") as f:
        rows = sorted((r for r in csv.DictReader(f) if r["setting"] == "tace"), key=lambda r: r["patient_id"])
    for g in ("1", "2"):
        mine = [(int(r["end_day"]) - int(r["start_day"]), r["progressed"] == "true")
                for r in rows if group[r["patient_id"]] == g]
        case = cases[f"synthetic_tace_group{g}"]
        assert mine == list(zip(case["time"], case["event"])), "tests/r/fixtures/km.json is stale: make r-fixtures"


@pytest.mark.parametrize("case", FIXTURE["cases"], ids=[c["name"] for c in FIXTURE["cases"]])
def test_kaplan_meier_equals_lifelines_kaplan_meier_fitter(case):
    # the second, independent implementation (lifelines is a test-only cross-check, beside R's fixture)
    from lifelines import KaplanMeierFitter

    t, e = np.asarray(case["time"], float), np.asarray(case["event"], bool)
    km = kaplan_meier(t, e).iloc[1:]
    fit = KaplanMeierFitter().fit(t, event_observed=e)
    table = fit.event_table[fit.event_table["observed"] > 0]
    assert km["time"].tolist() == table.index.tolist()
    assert km["at_risk"].tolist() == table["at_risk"].tolist()
    np.testing.assert_allclose(km["survival"].to_numpy(), fit.survival_function_.iloc[:, 0].loc[table.index],
                               rtol=1e-12)
