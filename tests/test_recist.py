"""RECIST 1.1 / mRECIST / volumetric response: edge cases with hand calculations.

Reference: Eisenhauer EA et al. New response evaluation criteria in solid tumours: revised RECIST
guideline (version 1.1). Eur J Cancer 2009;45:228-47 (thresholds, nodes, nadir, Tables 1-3).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.study import recist
from analysis.errors import UserError

COLS = ["patient_id", "lesion_id", "day", "role", "organ", "is_node", "status", "long_axis_mm", "short_axis_mm",
        "viable_axis_mm", "volume_cm3"]


def lesions(rows):
    """rows: (pid, lesion, day, role, status, long, short=None, node=False, organ='liver', viable=None, vol=None)."""
    out = []
    for r in rows:
        pid, lid, day, role, status, long = r[:6]
        short = r[6] if len(r) > 6 else None
        node = r[7] if len(r) > 7 else False
        organ = r[8] if len(r) > 8 else ("lymph_node" if node else "liver")
        viable = r[9] if len(r) > 9 else None
        vol = r[10] if len(r) > 10 else None
        out.append(dict(zip(COLS, [pid, lid, day, role, organ, node, status, long, short, viable, vol])))
    return pd.DataFrame(out, columns=COLS)


def overall(tp, day):
    return tp.loc[tp["day"] == day, "overall"].iloc[0]


def target(tp, day):
    return tp.loc[tp["day"] == day, "target_response"].iloc[0]


# ---------------------------------------------------------------- first follow-up (exam-level sums)


def test_exactly_minus_30_percent_is_partial_response():
    # 100 -> 70: (70 - 100) / 100 = -30.0 % exactly -> PR (<= -30 %)
    assert recist.first_followup_response(100.0, 70.0, False, "absent")[0] == "PR"


def test_exactly_minus_30_percent_from_decimal_sums_is_partial_response():
    # 10.1 -> 7.07 is -30 % in decimal arithmetic; in binary floating point the quotient is
    # -0.29999999999999993, which must not turn a PR into SD
    assert (7.07 - 10.1) / 10.1 > -0.3  # the floating point trap this guards against
    assert recist.first_followup_response(10.1, 7.07, False, "absent")[0] == "PR"


def test_exactly_plus_20_percent_from_decimal_sums_is_progression():
    # 45.6 -> 54.72 is +20 % (+9.12 mm) in decimal; binary floating point gives 0.19999999999999993
    assert (54.72 - 45.6) / 45.6 < 0.2
    assert recist.first_followup_response(45.6, 54.72, False, "absent")[0] == "PD"


def test_minus_29_9_percent_is_stable_disease():
    # 100 -> 70.1: -29.9 % -> not PR; increase negative -> not PD -> SD
    assert recist.first_followup_response(100.0, 70.1, False, "absent")[0] == "SD"


def test_exactly_plus_20_percent_and_5_mm_is_progression():
    # 25 -> 30: +5 mm and +20.0 % exactly -> PD
    assert recist.first_followup_response(25.0, 30.0, False, "absent")[0] == "PD"


def test_plus_20_percent_with_less_than_5_mm_is_not_progression():
    # 20 -> 24: +20 % but only +4 mm -> SD
    assert recist.first_followup_response(20.0, 24.0, False, "absent")[0] == "SD"


def test_plus_5_mm_with_less_than_20_percent_is_not_progression():
    # 50 -> 59: +9 mm but +18 % -> SD
    assert recist.first_followup_response(50.0, 59.0, False, "absent")[0] == "SD"


def test_new_lesions_or_nontarget_progression_are_progression_whatever_the_sums():
    assert recist.first_followup_response(100.0, 50.0, True, "absent")[0] == "PD"
    assert recist.first_followup_response(100.0, 50.0, False, "pd")[0] == "PD"


def test_complete_response_needs_sum_zero_no_new_lesions_and_nontarget_absent_or_cr():
    assert recist.first_followup_response(40.0, 0.0, False, "absent")[0] == "CR"
    assert recist.first_followup_response(40.0, 0.0, False, "cr")[0] == "CR"
    # non-target persisting: -100 % -> PR, not CR (RECIST Table 1: target CR + non-CR/non-PD = PR)
    assert recist.first_followup_response(40.0, 0.0, False, "non_cr_non_pd")[0] == "PR"


def test_missing_sum_is_not_evaluable():
    assert recist.first_followup_response(float("nan"), 30.0, False, "absent")[0] == "NE"


def test_volumetric_thresholds_are_minus_65_and_plus_73_percent():
    # 100 -> 35: -65 % exactly -> PR; 100 -> 173: +73 % exactly -> PD; 100 -> 36: SD; 100 -> 172: SD
    assert recist.first_followup_volumetric(100.0, 35.0) == "PR"
    assert recist.first_followup_volumetric(100.0, 173.0) == "PD"
    assert recist.first_followup_volumetric(100.0, 36.0) == "SD"
    assert recist.first_followup_volumetric(100.0, 172.0) == "SD"
    assert recist.first_followup_volumetric(100.0, 0.0) == "CR"


# ---------------------------------------------------------------- lesion level


def test_nodes_are_measured_by_short_axis_too_small_counts_5_mm_and_absent_0():
    # baseline: liver 30 (long) + node short 15 = 45; follow-up: liver too small (5) + node absent (0) = 5
    df = lesions([("P", "T1", 0, "target", "present", 30),
                  ("P", "N1", 0, "target", "present", 22, 15, True),
                  ("P", "T1", 60, "target", "too_small", None),
                  ("P", "N1", 60, "target", "absent", None, None, True)])
    assert recist.target_sums(df) == {("P", 0): 45.0, ("P", 60): 5.0}
    tp = recist.evaluate(df)
    # (5 - 45) / 45 = -88.9 % -> PR (a too-small lesion is not CR)
    assert target(tp, 60) == "PR"


def test_complete_response_allows_nodes_below_10_mm_short_axis():
    # liver target gone, node short axis 9 mm (< 10): CR even though the sum is 9, not 0
    df = lesions([("P", "T1", 0, "target", "present", 30),
                  ("P", "N1", 0, "target", "present", 22, 15, True),
                  ("P", "T1", 60, "target", "absent", None),
                  ("P", "N1", 60, "target", "present", 12, 9, True)])
    tp = recist.evaluate(df)
    assert target(tp, 60) == "CR" and overall(tp, 60) == "CR"
    # node at 10 mm exactly is not normal: -> PR (sum 10 vs 45: -77.8 %)
    df.loc[(df["lesion_id"] == "N1") & (df["day"] == 60), "short_axis_mm"] = 10
    assert target(recist.evaluate(df), 60) == "PR"


def test_nadir_zero_after_complete_response_then_reappearance_is_progression():
    # day 0: 40; day 60: absent (0) -> CR, nadir becomes 0; day 120: absent -> CR again (0 vs nadir 0
    # is no increase); day 180: lesion back at 4 mm: increase 4 mm < 5 mm vs nadir 0, but a lesion
    # reappearing after CR is PD
    df = lesions([("P", "T1", 0, "target", "present", 40),
                  ("P", "T1", 60, "target", "absent", None),
                  ("P", "T1", 120, "target", "absent", None),
                  ("P", "T1", 180, "target", "present", 4)])
    tp = recist.evaluate(df)
    assert tp.loc[tp["day"] == 120, "nadir"].iloc[0] == 0
    assert [target(tp, d) for d in (60, 120, 180)] == ["CR", "CR", "PD"]


def test_progression_is_measured_from_the_nadir_not_the_baseline():
    # 100 -> 50 (PR, nadir 50) -> 60: +10 mm and +20 % vs nadir 50 -> PD although -40 % vs baseline
    df = lesions([("P", "T1", 0, "target", "present", 100),
                  ("P", "T1", 60, "target", "present", 50),
                  ("P", "T1", 120, "target", "present", 60)])
    tp = recist.evaluate(df)
    assert target(tp, 60) == "PR" and target(tp, 120) == "PD"
    assert tp.loc[tp["day"] == 120, "change_vs_nadir"].iloc[0] == pytest.approx(0.2)


def test_exact_thresholds_at_lesion_level():
    # P: 50 -> 35 = -30.0 % -> PR.  Q: 25 -> 30 = +20.0 % and +5 mm -> PD.  R: 20 -> 24 (+4 mm) -> SD
    df = lesions([("P", "T1", 0, "target", "present", 50), ("P", "T1", 60, "target", "present", 35),
                  ("Q", "T1", 0, "target", "present", 25), ("Q", "T1", 60, "target", "present", 30),
                  ("R", "T1", 0, "target", "present", 20), ("R", "T1", 60, "target", "present", 24)])
    tp = recist.evaluate(df).set_index("patient_id")
    fu = tp[~tp["is_baseline"]]
    assert fu.loc["P", "target_response"] == "PR"
    assert fu.loc["Q", "target_response"] == "PD"
    assert fu.loc["R", "target_response"] == "SD"


def test_a_target_not_assessed_makes_the_time_point_not_evaluable():
    df = lesions([("P", "T1", 0, "target", "present", 30), ("P", "T2", 0, "target", "present", 20),
                  ("P", "T1", 60, "target", "present", 28), ("P", "T2", 60, "target", "not_assessed", None)])
    tp = recist.evaluate(df)
    assert math.isnan(tp.loc[tp["day"] == 60, "target_sum"].iloc[0])
    assert target(tp, 60) == "NE" and overall(tp, 60) == "NE"


def test_new_lesion_makes_overall_progression_even_with_target_response():
    df = lesions([("P", "T1", 0, "target", "present", 50), ("P", "T1", 60, "target", "present", 20),
                  ("P", "X1", 60, "new", "present", 8)])
    tp = recist.evaluate(df)
    assert target(tp, 60) == "PR" and overall(tp, 60) == "PD"


def test_nontarget_persisting_turns_target_cr_into_overall_pr():
    df = lesions([("P", "T1", 0, "target", "present", 50), ("P", "B1", 0, "nontarget", "present", None),
                  ("P", "T1", 60, "target", "absent", None), ("P", "B1", 60, "nontarget", "present", None)])
    tp = recist.evaluate(df)
    assert target(tp, 60) == "CR" and overall(tp, 60) == "PR"


def test_nontarget_pd_from_imaging_makes_overall_progression():
    df = lesions([("P", "T1", 0, "target", "present", 50), ("P", "B1", 0, "nontarget", "present", None),
                  ("P", "T1", 60, "target", "present", 45), ("P", "B1", 60, "nontarget", "present", None)])
    tp = recist.evaluate(df, exam_nontarget_status={("P", 60): "pd"})
    assert tp.loc[tp["day"] == 60, "nontarget_response"].iloc[0] == "PD" and overall(tp, 60) == "PD"


def test_more_than_five_targets_is_refused_naming_patient_and_day():
    df = lesions([("P", f"T{i}", 12, "target", "present", 10, None, False, f"organ{i}") for i in range(6)])
    with pytest.raises(UserError, match=r"patient P, exam day 12: 6 target lesions"):
        recist.evaluate(df)


def test_more_than_two_targets_in_one_organ_is_refused():
    df = lesions([("P", f"T{i}", 5, "target", "present", 10) for i in range(3)])
    with pytest.raises(UserError, match=r"patient P, exam day 5: 3 target lesions in organ 'liver'"):
        recist.target_sums(df)


def test_mrecist_uses_the_viable_diameter_and_has_no_5_mm_rule():
    # long axis unchanged 40 -> 40 (RECIST SD) but viable part 30 -> 9: (9 - 30)/30 = -70 % -> mRECIST PR
    df = lesions([("P", "T1", 0, "target", "present", 40, 30, False, "liver", 30),
                  ("P", "T1", 60, "target", "present", 40, 30, False, "liver", 9)])
    assert target(recist.evaluate(df, "recist"), 60) == "SD"
    assert target(recist.evaluate(df, "mrecist"), 60) == "PR"
    # viable 10 -> 12: +20 %, only +2 mm: PD in mRECIST (no absolute minimum)
    df2 = lesions([("P", "T1", 0, "target", "present", 40, 30, False, "liver", 10),
                   ("P", "T1", 60, "target", "present", 40, 30, False, "liver", 12)])
    assert target(recist.evaluate(df2, "mrecist"), 60) == "PD"


def test_volumetric_criteria_on_lesion_volumes():
    # 10 + 10 = 20 cm3 -> 4 + 3 = 7 cm3: (7 - 20)/20 = -65 % exactly -> PR
    df = lesions([("P", "T1", 0, "target", "present", 30, None, False, "liver", None, 10.0),
                  ("P", "T2", 0, "target", "present", 30, None, False, "liver", None, 10.0),
                  ("P", "T1", 60, "target", "present", 20, None, False, "liver", None, 4.0),
                  ("P", "T2", 60, "target", "present", 20, None, False, "liver", None, 3.0)])
    assert target(recist.evaluate(df, "volumetric"), 60) == "PR"


# ---------------------------------------------------------------- best overall response


def _tp(seq, base=0):
    """Build evaluate()-like rows from (day, overall) pairs."""
    rows = [dict(patient_id="P", day=base, days_from_baseline=0, is_baseline=True, overall="")]
    rows += [dict(patient_id="P", day=d, days_from_baseline=d - base, is_baseline=False, overall=r) for d, r in seq]
    return pd.DataFrame(rows)


def test_partial_response_confirmed_28_days_later_is_best_response_pr():
    # PR at day 56, PR at day 84 (28 days later) -> confirmed PR
    b = recist.best_overall_response(_tp([(56, "PR"), (84, "PR")])).iloc[0]
    assert b.best_response == "PR" and bool(b.confirmed)


def test_unconfirmed_partial_response_counts_as_stable_disease_after_6_weeks():
    # PR at day 56, PR again 27 days later: not confirmed; day 56 >= 42 days -> SD
    b = recist.best_overall_response(_tp([(56, "PR"), (83, "PR")])).iloc[0]
    assert b.best_response == "SD" and not bool(b.confirmed)


def test_complete_response_needs_confirmation_by_another_complete_response():
    assert recist.best_overall_response(_tp([(56, "CR"), (90, "CR")])).iloc[0].best_response == "CR"
    # CR then PR 34 days later: PR confirmed (CR counts as PR-or-better)
    assert recist.best_overall_response(_tp([(56, "CR"), (90, "PR")])).iloc[0].best_response == "PR"


def test_stable_disease_before_the_minimum_interval_then_progression_is_pd():
    # SD at day 30 (< 42 days) then PD at day 70 -> PD
    assert recist.best_overall_response(_tp([(30, "SD"), (70, "PD")])).iloc[0].best_response == "PD"
    # with the SD minimum lowered to 4 weeks the same sequence is SD
    assert recist.best_overall_response(_tp([(30, "SD"), (70, "PD")]), min_sd_days=28).iloc[0].best_response == "SD"


def test_assessments_after_progression_are_ignored():
    # PD at day 50, then "PR" at 80 and 120 (after PD) -> PD
    assert recist.best_overall_response(_tp([(50, "PD"), (80, "PR"), (120, "PR")])).iloc[0].best_response == "PD"


def test_only_not_evaluable_assessments_give_ne():
    assert recist.best_overall_response(_tp([(50, "NE")])).iloc[0].best_response == "NE"


def test_evaluate_dataset_on_mini_finds_the_partial_response_and_the_new_lesion():
    from analysis.data import load_dataset
    from analysis.paths import TESTS

    tp = recist.evaluate_dataset(load_dataset(TESTS / "fixtures" / "mini"))
    first = tp[tp["days_from_baseline"] > 0].groupby("patient_id").first()
    # S04 lesions at day 241: 54 + 32 = 86; day 324: 35 + 20 = 55 -> -36 % -> PR
    assert first.loc["S04", "target_sum"] == 55 and first.loc["S04", "overall"] == "PR"
    # S11 day 275: NEW1 present -> PD
    assert first.loc["S11", "overall"] == "PD"
    # S05: 41 -> 41 -> SD; its best overall response: SD (day 252 is 84 days after baseline 168)
    bor = recist.best_overall_response(tp).set_index("patient_id")
    assert bor.loc["S05", "best_response"] == "SD"
    assert bor.loc["S11", "best_response"] == "PD"


def test_nontarget_reappearing_after_nontarget_cr_is_progression():
    # day 60: target PR (50 -> 30, -40 %), non-target gone (CR); day 120: non-target back -> PD
    df = lesions([("P", "T1", 0, "target", "present", 50), ("P", "B1", 0, "nontarget", "present", None),
                  ("P", "T1", 60, "target", "present", 30), ("P", "B1", 60, "nontarget", "absent", None),
                  ("P", "T1", 120, "target", "present", 30), ("P", "B1", 120, "nontarget", "present", None)])
    tp = recist.evaluate(df)
    assert tp.loc[tp["day"] == 60, "nontarget_response"].iloc[0] == "CR"
    assert tp.loc[tp["day"] == 120, "nontarget_response"].iloc[0] == "PD" and overall(tp, 120) == "PD"


def test_a_lymph_node_growing_back_progresses_only_by_the_sum_rule():
    # node 15 -> 8 (CR: < 10 mm) -> 11: +3 mm vs nadir 8 (< 5 mm) -> not PD; sum 11 vs 15 = -26.7 % -> SD
    df = lesions([("P", "N1", 0, "target", "present", 20, 15, True),
                  ("P", "N1", 60, "target", "present", 12, 8, True),
                  ("P", "N1", 120, "target", "present", 14, 11, True)])
    tp = recist.evaluate(df)
    assert [target(tp, d) for d in (60, 120)] == ["CR", "SD"]
