"""The study's per-patient selections, vectorised for registry-sized cohorts: behaviour on small
tables whose expected values are worked out by hand in each test (not taken from the code)."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd

from analysis.study.endpoints import NO_V0, NO_V1, per_patient
from analysis.study.exams import NO_TACE, baseline_days, exam_pairs
from analysis.study.paired import ttp_pairs
from analysis.study.response import first_followup


def three_patients(**extra) -> SimpleNamespace:
    """A: TACE on days 30 and 12 (first = 12); exams on days 5, 10, 10 (file order: the second day-10
    row is V0), 12 (the TACE day: neither), 40 (V1), 90. B: TACE on day 20, exams only before it (no
    V1). C: no TACE, one exam. D: TACE on day 50, first exam after it (no V0)."""
    imaging = pd.DataFrame({
        "patient_id": ["A", "B", "A", "A", "A", "C", "A", "A", "D"],
        "day": [90, 3, 10, 5, 10, 7, 12, 40, 60],
        "tumor_volume_cm3": [99.0, 5.0, 1.0, 2.0, 10.0, 3.0, 50.0, 20.0, 4.0],
        "liver_volume_cm3": [1000.0] * 9,
        "sum_diameters_mm": [1.0, 10.0, 1.0, 1.0, 50.0, 10.0, 1.0, 30.0, 10.0],
        "new_lesions": [False] * 9,
        "nontarget_status": ["absent"] * 9,
    })
    return SimpleNamespace(
        patients=pd.DataFrame({"patient_id": ["A", "B", "C", "D"], "group": [1, 2, 1, 2],
                               "tace_timing": ["immediate"] * 4}),
        procedures=pd.DataFrame({"patient_id": ["A", "B", "A", "D"], "day": [30, 20, 12, 50]}),
        imaging=imaging, **extra)


def test_exam_pairs_pick_the_last_exam_before_and_the_first_after_the_first_tace():
    t = exam_pairs(three_patients()).set_index("patient_id")
    # A: rows 2 and 4 are both day 10: the later one in the file (row 4) is V0; row 7 (day 40) is V1
    assert (t.loc["A", "first_tace_day"], t.loc["A", "n_tace"], t.loc["A", "row0"], t.loc["A", "row1"]) == \
        (12.0, 2, 4, 7)
    assert (t.loc["B", "row0"], t.loc["B", "row1"], t.loc["B", "reason"]) == (1, -1, NO_V1)
    assert (t.loc["C", "n_tace"], t.loc["C", "row0"], t.loc["C", "reason"]) == (0, -1, NO_TACE)
    assert math.isnan(t.loc["C", "first_tace_day"])
    assert (t.loc["D", "row0"], t.loc["D", "row1"], t.loc["D", "reason"]) == (-1, 8, NO_V0)
    assert t.loc["A", "reason"] == ""
    assert baseline_days(three_patients()) == {"A": 10, "B": 3}


def test_first_followup_from_the_selected_exams():
    ds = three_patients()
    r = first_followup(ds, "recist").set_index("patient_id")
    # A: sums 50 -> 30 mm, (30 - 50) / 50 = -40 % <= -30 %: PR
    assert (r.loc["A", "response"], r.loc["A", "sum0"], r.loc["A", "sum1"], r.loc["A", "source"]) == \
        ("PR", 50.0, 30.0, "imaging")
    assert r.loc["A", "reason"] == "sum -40.0% vs baseline (<= -30%)"
    assert r.loc["B", "response"] is None and r.loc["B", "reason"] == NO_V1
    assert r.loc["C", "reason"] == NO_TACE and r.loc["D", "reason"] == NO_V0
    v = first_followup(ds, "volumetric").set_index("patient_id")
    # A: volumes 10 -> 20 cm3: +100 % >= +73 %: PD
    assert (v.loc["A", "response"], v.loc["A", "sum0"], v.loc["A", "sum1"]) == ("PD", 10.0, 20.0)
    m = first_followup(ds, "mrecist").set_index("patient_id")
    assert m.loc["A", "response"] == "NE" and m.loc["A", "reason"] == "mRECIST needs lesions.csv (viable diameters)"


def test_first_followup_rules_in_order_new_lesions_nontarget_missing_and_no_measurable_disease():
    # five patients, each TACE on day 10, V0 on day 0 and V1 on day 20, hand-chosen to hit each rule:
    # P1 new lesions on V1 -> PD; P2 non-target pd -> PD; P3 V1 sum missing -> NE;
    # P4 V0 sum 0 and non-target cr -> CR; P5 sums 25 -> 30: +20 % and +5 mm -> PD
    pid = ["P1", "P2", "P3", "P4", "P5"]
    ds = SimpleNamespace(
        patients=pd.DataFrame({"patient_id": pid, "group": [1] * 5}),
        procedures=pd.DataFrame({"patient_id": pid, "day": [10] * 5}),
        imaging=pd.DataFrame({"patient_id": pid * 2, "day": [0] * 5 + [20] * 5,
                              "sum_diameters_mm": [40, 40, 40, 0, 25, 40, 40, np.nan, 0, 30],
                              "new_lesions": [False] * 5 + [True, False, False, False, False],
                              "nontarget_status": ["absent"] * 5 + [None, "pd", "absent", "cr", "absent"]}))
    r = first_followup(ds, "recist").set_index("patient_id")
    assert r["response"].tolist() == ["PD", "PD", "NE", "CR", "PD"]
    assert r["reason"].tolist()[:3] == ["new lesions", "non-target progression", "sum of target diameters missing"]
    assert r.loc["P5", "reason"] == "sum +20.0% and +5.0 mm vs nadir (>= +20% and >= 5 mm)"


def test_per_patient_growth_from_the_selected_exams():
    pp = per_patient(three_patients()).set_index("patient_id")
    # A: V0 = 10 cm3 on day 10, V1 = 20 cm3 on day 40: dV = 10, dt = 30 days, DT = 30 ln2 / ln 2 = 30,
    # SGR = ln 2 / 30, F0 = 10 / 1000 * 100 = 1 %
    a = pp.loc["A"]
    assert (a.v0, a.v1, a.volume_change, a.interval_days, a.f0) == (10.0, 20.0, 10.0, 30.0, 1.0)
    assert math.isclose(a.doubling_time, 30.0, rel_tol=1e-15) and math.isclose(a.sgr, math.log(2) / 30, rel_tol=1e-15)
    assert a.response == "PR" and a.volumetric_response == "PD" and a.n_tace == 2
    # B: V0 only (5 cm3 on day 3); nothing is derived, the reason says why
    b = pp.loc["B"]
    assert b.v0 == 5.0 and math.isnan(b.v1) and math.isnan(b.volume_change)
    assert b.doubling_time_reason == b.sgr_reason == b.response_reason == NO_V1 and b.response is None
    assert pp.loc["C", "n_tace"] == 0 and math.isnan(pp.loc["C", "first_tace_day"])


def test_ttp_pairs_keep_patients_with_both_settings_in_patient_order():
    # B has both rows (TTP after chemo 100 - 0, after TACE 400 - 150, censored); A has only a TACE row;
    # C has both (60 - 10 and 300 - 100, both progressed); patients.csv order: C, A, B
    ds = SimpleNamespace(
        patients=pd.DataFrame({"patient_id": ["C", "A", "B"], "group": [2, 1, 1], "tace_timing": ["immediate"] * 3}),
        progression=pd.DataFrame({"patient_id": ["A", "B", "B", "C", "C"],
                                  "setting": ["tace", "tace", "chemo", "chemo", "tace"],
                                  "start_day": [5, 150, 0, 10, 100], "end_day": [50, 400, 100, 60, 300],
                                  "progressed": [True, False, True, True, True]}))
    p = ttp_pairs(ds)
    assert p["patient_id"].tolist() == ["C", "B"]
    assert p["ttp_chemo"].tolist() == [50.0, 100.0] and p["ttp_tace"].tolist() == [200.0, 250.0]
    assert p["tace_progressed"].tolist() == [True, False] and p["group"].tolist() == [2, 1]


def test_table1_categories_at_their_boundaries():
    from analysis.study.categories import table1_categories

    # a month is 365.25 / 12 = 30.4375 days: 6 months = 182.625, 1.5 years = 547.875, 6 years = 2191.5,
    # 3 months = 91.3125
    p = pd.DataFrame({"group": [1, 2, 2, 2, 2, 2], "days_dx_to_liver_mets": [900, 182, 183, 547, 548, 2192],
                      "days_liver_mets_to_tace": [13, 14, 91, 92, 0, 400],
                      "extrahepatic_disease": pd.array([True, False, None, True, True, True], dtype="boolean"),
                      "primary_resected": [True, False, True, False, True, False],
                      "sex": ["F", "M", "", None, "F", "M"]})
    c = {k: list(v) for k, v in table1_categories(p).items()}
    assert c["dx_to_liver_mets"] == ["group1", "le_6m", "6m_to_18m", "6m_to_18m", "18m_to_6y", "gt_6y"]
    assert c["liver_mets_to_tace"] == ["lt_2w", "2w_to_3m", "2w_to_3m", "gt_3m", "lt_2w", "gt_3m"]
    assert c["extrahepatic_disease"][:3] == ["true", "false", "missing"]
    assert c["sex"] == ["F", "M", "missing", "missing", "F", "M"]


def test_per_patient_is_computed_again_when_the_dataset_changes_and_reused_when_not():
    # the same dataset object, unchanged: the same frame (a copy: changing it changes nothing later);
    # one volume changed in place: V1 of S01 follows it
    from analysis.data import load_dataset
    from analysis.paths import TESTS

    ds = load_dataset(TESTS / "fixtures" / "mini")
    first = per_patient(ds)
    first.loc[0, "v1"] = -1.0
    again = per_patient(ds)
    assert again.loc[0, "v1"] != -1.0
    pd.testing.assert_frame_equal(again, per_patient(load_dataset(TESTS / "fixtures" / "mini")))
    row = ds.imaging.index[(ds.imaging["patient_id"] == "S01") & (ds.imaging["day"] == 90)][0]
    ds.imaging.loc[row, "tumor_volume_cm3"] = 100.0  # S01's V1 exam (day 90; V0 = 212.4 cm3 on day 12)
    changed = per_patient(ds).set_index("patient_id").loc["S01"]
    assert (float(changed["v1"]), float(changed["volume_change"])) == (100.0, 100.0 - 212.4)
