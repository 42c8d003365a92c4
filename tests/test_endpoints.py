"""Per-patient endpoints (definitions: README, "Endpoint definitions").

Doubling time, growth rate, liver involvement, V0/V1 selection, TTP.

Expected values are hand calculations shown in the comments (or the fixture files read by eye),
never the output of the code under test.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import pandas as pd
import pytest

from analysis.study import endpoints
from analysis.paths import TESTS

LN2 = 0.6931471805599453  # ln 2


# ---------------------------------------------------------------- doubling time (Schwartz)


def test_doubling_time_of_two_doublings_in_60_days_is_30_days():
    # V 10 -> 40 is two doublings; DT = 60 * ln2 / ln 4 = 60 * ln2 / (2 ln2) = 30
    dt, reason = endpoints.doubling_time(10.0, 40.0, 60)
    assert dt == pytest.approx(30.0, rel=1e-12)
    assert reason == ""


def test_doubling_time_is_negative_when_the_tumour_shrinks():
    # V 40 -> 10 over 60 days: ln(10/40) = -2 ln2 -> DT = 60 ln2 / (-2 ln2) = -30
    dt, _ = endpoints.doubling_time(40.0, 10.0, 60)
    assert dt == pytest.approx(-30.0, rel=1e-12)


def test_doubling_time_is_undefined_with_a_reason_when_v1_equals_v0():
    # ln(V1/V0) = ln 1 = 0: division by zero -> undefined, never infinite
    dt, reason = endpoints.doubling_time(75.3, 75.3, 84)
    assert math.isnan(dt)
    assert reason == endpoints.NO_CHANGE


@pytest.mark.parametrize("v0, v1, why", [(0.0, 5.0, endpoints.V0_ZERO), (5.0, 0.0, endpoints.V1_ZERO),
                                         (0.0, 0.0, endpoints.V0_ZERO)])
def test_doubling_time_is_undefined_when_a_volume_is_zero(v0, v1, why):
    # ln(V1/V0) is -inf, +inf or NaN when a volume is 0
    dt, reason = endpoints.doubling_time(v0, v1, 30)
    assert math.isnan(dt) and reason == why


@pytest.mark.parametrize("interval", [0, -7])
def test_doubling_time_is_undefined_when_the_interval_is_not_positive(interval):
    dt, reason = endpoints.doubling_time(10.0, 20.0, interval)
    assert math.isnan(dt) and reason == endpoints.NONPOSITIVE_INTERVAL


def test_specific_growth_rate_is_zero_when_the_volume_does_not_change():
    # SGR = ln(V1/V0)/dt = ln(1)/84 = 0 (defined, unlike DT)
    assert endpoints.specific_growth_rate(75.3, 75.3, 84) == (0.0, "")


def test_specific_growth_rate_of_one_doubling_in_30_days():
    # ln(20/10)/30 = ln2/30 = 0.023104906018664842
    sgr, reason = endpoints.specific_growth_rate(10.0, 20.0, 30)
    assert sgr == pytest.approx(LN2 / 30, rel=1e-12) and reason == ""


@pytest.mark.parametrize("v0, v1, dt, why", [(0.0, 3.0, 30, endpoints.V0_ZERO), (3.0, 0.0, 30, endpoints.V1_ZERO),
                                             (3.0, 6.0, 0, endpoints.NONPOSITIVE_INTERVAL)])
def test_specific_growth_rate_is_undefined_with_a_zero_volume_or_no_interval(v0, v1, dt, why):
    sgr, reason = endpoints.specific_growth_rate(v0, v1, dt)
    assert math.isnan(sgr) and reason == why


def test_liver_involvement_is_tumour_over_liver_volume_in_percent():
    # 212.4 / 1820.5 * 100 = 11.66712441636913 %
    assert endpoints.liver_involvement(212.4, 1820.5) == pytest.approx(11.66712441636913, rel=1e-12)
    assert math.isnan(endpoints.liver_involvement(float("nan"), 1820.5))


# ---------------------------------------------------------------- per_patient on in-memory data


def _ds(patients, procedures, imaging, progression, lesions=None):
    cols_p = ["patient_id", "group", "tace_timing", "age_at_tace", "sex", "primary_site", "t_stage",
              "primary_resected", "liver_distribution", "extrahepatic_disease", "days_dx_to_liver_mets",
              "days_liver_mets_to_tace"]
    pat = pd.DataFrame([dict(zip(cols_p, [p[0], p[1], p[2], 60, "F", "pancreas", "T2", False,
                                          "solitary", False, 0, 10])) for p in patients])
    proc = pd.DataFrame(procedures, columns=["patient_id", "tace_number", "day"])
    img = pd.DataFrame(imaging, columns=["patient_id", "day", "tumor_volume_cm3", "liver_volume_cm3",
                                         "sum_diameters_mm", "new_lesions", "nontarget_status"])
    prog = pd.DataFrame(progression, columns=["patient_id", "setting", "start_day", "end_day", "progressed"])
    les = None if lesions is None else pd.DataFrame(lesions, columns=[
        "patient_id", "lesion_id", "day", "role", "organ", "is_node", "status", "long_axis_mm", "short_axis_mm"])
    return SimpleNamespace(name="inline", patients=pat, procedures=proc, imaging=img, progression=prog,
                           lesions=les, sha256={}, is_synthetic=True)


def test_v0_is_the_last_exam_before_and_v1_the_first_exam_after_the_first_tace_day():
    # TACE on days 50 and 20 -> first TACE day 20. Exams: -40 (80), 10 (100), 20 (999, same day:
    # neither), 60 (70), 120 (50). V0 = 100 (day 10), V1 = 70 (day 60); dV = -30, dt = 50.
    ds = _ds([("A", 1, "immediate")], [("A", 2, 50), ("A", 1, 20)],
             [("A", -40, 80.0, 1000.0, 30, False, "absent"), ("A", 10, 100.0, 2000.0, 40, False, "absent"),
              ("A", 20, 999.0, 2000.0, 40, False, "absent"), ("A", 60, 70.0, 1750.0, 28, False, "absent"),
              ("A", 120, 50.0, 2000.0, 20, False, "absent")],
             [("A", "tace", 20, 300, True)])
    r = endpoints.per_patient(ds).iloc[0]
    assert (r.first_tace_day, r.v0_day, r.v0, r.v1_day, r.v1) == (20, 10, 100.0, 60, 70.0)
    assert r.volume_change == -30.0 and r.interval_days == 50
    # F0 = 100/2000*100 = 5 %, F1 = 70/1750*100 = 4 %
    assert r.f0 == pytest.approx(5.0) and r.f1 == pytest.approx(4.0)
    # DT = 50 ln2 / ln(0.7) = 34.657359 / -0.356675 = -97.1687...
    assert r.doubling_time == pytest.approx(50 * LN2 / math.log(0.7), rel=1e-12)
    # sums 40 -> 28: exactly -30 % -> PR
    assert r.response == "PR"
    assert r.ttp_tace == 280 and bool(r.ttp_tace_progressed) is True


def test_a_patient_without_an_exam_after_tace_keeps_v0_and_gets_a_reason_not_a_silent_drop():
    ds = _ds([("A", 2, "after_chemo")], [("A", 1, 100)], [("A", 90, 12.0, 1500.0, 30, False, "absent")],
             [("A", "chemo", 0, 90, True), ("A", "tace", 100, 150, False)])
    pp = endpoints.per_patient(ds)
    assert len(pp) == 1
    r = pp.iloc[0]
    assert r.v0 == 12.0 and math.isnan(r.v1) and math.isnan(r.doubling_time)
    assert r.doubling_time_reason == endpoints.NO_V1
    # TTP chemo = 90 - 0; TTP tace = 150 - 100 = 50, censored
    assert r.ttp_chemo == 90 and r.ttp_tace == 50 and bool(r.ttp_tace_progressed) is False


def test_response_uses_lesion_sums_when_the_exam_sum_is_empty():
    # baseline: liver 22 + node short axis 16 = 38; follow-up: liver too small (5) + node 8 = 13
    # (13 - 38) / 38 = -65.8 % -> PR (the exam-level sums are empty); not CR: the liver target is
    # still there (too small to measure), RECIST 1.1 section 4.3.1
    les = [("A", "T1", 10, "target", "liver", False, "present", 22, 15),
           ("A", "N1", 10, "target", "lymph_node", True, "present", 20, 16),
           ("A", "T1", 60, "target", "liver", False, "too_small", None, None),
           ("A", "N1", 60, "target", "lymph_node", True, "present", 14, 8)]
    ds = _ds([("A", 1, "immediate")], [("A", 1, 20)],
             [("A", 10, 20.0, 1500.0, None, False, "absent"), ("A", 60, 9.0, 1500.0, None, False, "absent")],
             [("A", "tace", 20, 100, True)], les)
    r = endpoints.per_patient(ds).iloc[0]
    assert (r.sum0_mm, r.sum1_mm, r.sums_source) == (38.0, 13.0, "lesions")
    assert r.response == "PR"


def test_per_patient_on_the_mini_fixture_matches_hand_calculations():
    from analysis.data import load_dataset

    pp = endpoints.per_patient(load_dataset(TESTS / "fixtures" / "mini")).set_index("patient_id")
    assert len(pp) == 12
    # S01: first TACE day 34; V0 = exam day 12 (212.4), V1 = exam day 90 (168.9)
    s01 = pp.loc["S01"]
    assert (s01.v0, s01.v1, s01.interval_days) == (212.4, 168.9, 78)
    assert s01.volume_change == pytest.approx(-43.5, abs=1e-12)
    # DT = 78 * 0.693147 / ln(168.9/212.4) = 54.065 / -0.229164 = -235.924...
    assert s01.doubling_time == pytest.approx(-235.92436, rel=1e-6)
    # S05: 75.3 -> 75.3: undefined DT, SGR 0
    s05 = pp.loc["S05"]
    assert math.isnan(s05.doubling_time) and s05.doubling_time_reason == endpoints.NO_CHANGE and s05.sgr == 0
    # S06: tace row 341 -> 565 censored: TTP 224, progressed False
    assert pp.loc["S06"].ttp_tace == 224 and bool(pp.loc["S06"].ttp_tace_progressed) is False
    # S04: sums 86 -> 55: -36.0 % -> PR; S11: new lesion at day 275 -> PD
    assert pp.loc["S04"].response == "PR" and pp.loc["S11"].response == "PD"
    # S02 has no chemo row
    assert math.isnan(pp.loc["S02"].ttp_chemo)
