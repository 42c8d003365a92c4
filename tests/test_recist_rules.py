"""Each RECIST 1.1 / mRECIST / EASL rule on a small case whose category is worked out by hand.

Sources: Eisenhauer EA et al. New response evaluation criteria in solid tumours: revised RECIST
guideline (version 1.1). Eur J Cancer 2009;45:228-47 (cited as "RECIST 1.1 section ..."); Lencioni R,
Llovet JM. Modified RECIST (mRECIST) assessment for hepatocellular carcinoma. Semin Liver Dis
2010;30:52-60; Bruix J et al. J Hepatol 2001;35:421-30 (EASL). The expected values below come from
those texts, never from the code under test.
"""

from __future__ import annotations

import math
import shutil

import pandas as pd
import pytest

from analysis.paths import TESTS
from analysis.study import recist
from analysis.study.response_rules import first_followup_response, first_followup_volumetric

RULES = TESTS / "fixtures" / "recist"


def _les(rows):
    """rows: (lesion_id, day, role, organ, is_node, status, long, short[, viable])."""
    cols = ["lesion_id", "day", "role", "organ", "is_node", "status", "long_axis_mm", "short_axis_mm",
            "viable_axis_mm"]
    return pd.DataFrame([dict(zip(cols, (*r, *([None] * (9 - len(r))))), patient_id="P") for r in rows])


def _at(tp, day, col="overall"):
    return tp.loc[tp["day"] == day, col].iloc[0]


def test_liver_target_gone_and_node_at_7_mm_short_axis_is_complete_response():
    # RECIST 1.1 section 4.3.1: CR = all target lesions gone; "any pathological lymph nodes (whether
    # target or non-target) must have reduction in short axis to < 10 mm". Baseline 30 + 18 = 48 mm;
    # follow-up liver 0, node 7 mm: the sum is 7 mm (not 0) and still CR.
    tp = recist.evaluate(_les([("T1", 0, "target", "liver", False, "present", 30, 20),
                               ("N1", 0, "target", "node", True, "present", 25, 18),
                               ("T1", 60, "target", "liver", False, "absent", None, None),
                               ("N1", 60, "target", "node", True, "present", 12, 7)]))
    assert _at(tp, 60, "target_sum") == 7.0
    assert _at(tp, 60) == "CR"


def test_node_at_10_mm_short_axis_is_not_complete_response():
    # same as above, node 10 mm: not < 10 mm -> not CR; (10 - 48) / 48 = -79 % -> PR
    tp = recist.evaluate(_les([("T1", 0, "target", "liver", False, "present", 30, 20),
                               ("N1", 0, "target", "node", True, "present", 25, 18),
                               ("T1", 60, "target", "liver", False, "absent", None, None),
                               ("N1", 60, "target", "node", True, "present", 12, 10)]))
    assert _at(tp, 60) == "PR"


def test_a_new_lesion_recorded_only_in_lesions_csv_is_progression():
    # RECIST 1.1 section 4.3.5 and Table 1: any new lesion -> PD, whatever the targets do (40 -> 25 mm
    # is -37.5 %, a PR by the targets alone)
    tp = recist.evaluate(_les([("T1", 0, "target", "liver", False, "present", 40, 30),
                               ("T1", 60, "target", "liver", False, "present", 25, 18),
                               ("X1", 60, "new", "liver", False, "present", 12, 9)]))
    assert _at(tp, 60, "target_response") == "PR" and _at(tp, 60) == "PD"


def test_a_target_not_assessed_is_progression_when_the_measured_ones_already_show_it():
    # RECIST 1.1 section 4.4.2 (missing assessments): NE unless the missing lesion cannot change the
    # response, "most likely ... in the case of PD". Nadir 30 + 20 = 50 mm; measured T1 alone 62 mm:
    # +12 mm and +24 % vs 50 whatever T2 measures (>= 0) -> PD.
    tp = recist.evaluate(_les([("T1", 0, "target", "liver", False, "present", 30, 20),
                               ("T2", 0, "target", "lung", False, "present", 20, 15),
                               ("T1", 60, "target", "liver", False, "present", 62, 40),
                               ("T2", 60, "target", "lung", False, "not_assessed", None, None)]))
    assert _at(tp, 60) == "PD"


def test_a_target_not_assessed_is_not_evaluable_when_the_measured_ones_do_not_decide():
    # as above with T1 = 32 mm: 32 < 50 * 1.2 = 60, so T2's value decides -> NE
    tp = recist.evaluate(_les([("T1", 0, "target", "liver", False, "present", 30, 20),
                               ("T2", 0, "target", "lung", False, "present", 20, 15),
                               ("T1", 60, "target", "liver", False, "present", 32, 22),
                               ("T2", 60, "target", "lung", False, "not_assessed", None, None)]))
    assert _at(tp, 60) == "NE"


def test_a_baseline_without_measurable_disease_is_non_cr_non_pd():
    # RECIST 1.1 section 3.1: non-nodal lesions < 10 mm are non-measurable; Table 2 (non-target
    # disease only): non-target lesions persisting, no new lesion -> non-CR/non-PD (not SD, not CR)
    tp = recist.evaluate(_les([("T1", 0, "target", "liver", False, "present", 8, 6),
                               ("T1", 60, "target", "liver", False, "present", 8, 6)]))
    assert _at(tp, 60, "target_response") == "none"
    assert _at(tp, 60) == "non-CR/non-PD"
    # the same from exam-level sums: baseline sum 0 = no measurable disease
    assert first_followup_response(0.0, 0.0, False, "non_cr_non_pd")[0] == "non-CR/non-PD"
    assert first_followup_response(0.0, 0.0, True, "non_cr_non_pd")[0] == "PD"


def test_an_11_mm_short_axis_node_named_target_is_followed_as_non_target():
    # RECIST 1.1 section 3.1: a node is measurable only from 15 mm short axis (10-15 mm: pathological,
    # non-measurable = non-target). Targets: liver 40 -> 26 mm = -35 % (PR); the node persists as a
    # non-target (non-CR/non-PD) -> Table 1: PR with non-target non-CR/non-PD -> PR.
    tp = recist.evaluate(_les([("T1", 0, "target", "liver", False, "present", 40, 30),
                               ("N1", 0, "target", "node", True, "present", 16, 11),
                               ("T1", 60, "target", "liver", False, "present", 26, 20),
                               ("N1", 60, "target", "node", True, "present", 16, 11)]))
    assert _at(tp, 0, "target_sum") == 40.0
    assert (_at(tp, 60, "target_response"), _at(tp, 60, "nontarget_response"), _at(tp, 60)) == (
        "PR", "non-CR/non-PD", "PR")


def test_progression_needs_20_percent_and_5_mm_against_the_nadir():
    # RECIST 1.1 section 4.3.1: PD = +20 % of the smallest sum on study (baseline included) AND +5 mm.
    # 50 -> 30 (PR, -40 %) -> 37: +7 mm and +23.3 % vs the nadir 30 -> PD (though -26 % vs baseline)
    tp = recist.evaluate(_les([("T1", 0, "target", "liver", False, "present", 50, 40),
                               ("T1", 60, "target", "liver", False, "present", 30, 20),
                               ("T1", 100, "target", "liver", False, "present", 37, 25)]))
    assert [_at(tp, 60), _at(tp, 100)] == ["PR", "PD"]
    # 20 -> 24 mm: +20 % but only +4 mm -> SD
    assert first_followup_response(20.0, 24.0, False, "absent")[0] == "SD"


def test_complete_response_of_targets_with_a_non_target_left_is_partial_response():
    # RECIST 1.1 Table 1: target CR + non-target non-CR/non-PD -> PR
    tp = recist.evaluate(_les([("T1", 0, "target", "liver", False, "present", 30, 20),
                               ("NT1", 0, "nontarget", "bone", False, "present", None, None),
                               ("T1", 60, "target", "liver", False, "absent", None, None),
                               ("NT1", 60, "nontarget", "bone", False, "present", None, None)]))
    assert _at(tp, 60) == "PR"


def _best(days, overall):
    tp = pd.DataFrame({"patient_id": "P", "day": [0, *days], "days_from_baseline": [0, *days],
                       "is_baseline": [True] + [False] * len(days), "overall": ["", *overall]})
    return recist.best_overall_response(tp).iloc[0]


def test_pr_then_sd_then_pr_is_not_a_confirmed_partial_response():
    # RECIST 1.1 section 4.4.3, Table 3: first PR, subsequent SD -> SD; the later PR (day 130) has no
    # confirmation of its own -> best response SD (day 50 >= 42 days: the SD interval is met)
    b = _best([50, 90, 130], ["PR", "SD", "PR"])
    assert (b.best_response, bool(b.confirmed)) == ("SD", False)


def test_pr_confirmed_28_days_later_is_a_confirmed_partial_response():
    # RECIST 1.1 section 4.6.1: confirmation "no less than 4 weeks" later; Table 3: PR, PR -> PR
    b = _best([50, 78], ["PR", "PR"])
    assert (b.best_response, bool(b.confirmed)) == ("PR", True)
    b = _best([50, 77], ["PR", "PR"])  # 27 days: not confirmed
    assert (b.best_response, bool(b.confirmed)) == ("SD", False)


def test_cr_followed_by_pr_confirms_only_a_partial_response():
    # Table 3: CR then PR -> PR at best (the CR is not confirmed by a CR)
    assert _best([50, 90], ["CR", "PR"]).best_response == "PR"


def test_volumetric_complete_response_with_a_new_lesion_is_progression():
    # RECIST 1.1 Table 1 (applied to volumes): a new lesion is PD whatever the target measure does
    assert first_followup_volumetric(100.0, 0.0, new_lesions=False, nontarget_status="absent") == "CR"
    assert first_followup_volumetric(100.0, 0.0, new_lesions=True, nontarget_status="absent") == "PD"


def test_mrecist_measures_the_viable_diameter_and_needs_a_10_mm_viable_target():
    # Lencioni & Llovet 2010: targets measured by the longest viable (enhancing) diameter, >= 1 cm.
    # T1 viable 40 -> 20 mm: -50 % -> PR; T2 viable 8 mm at baseline is not a measurable mRECIST
    # target (non-target), while RECIST 1.1 keeps it (long axis 30 mm) and sums 70 -> 48: -31 % -> PR.
    rows = [("T1", 0, "target", "liver", False, "present", 50, 40, 40),
            ("T2", 0, "target", "liver", False, "present", 30, 20, 8),
            ("T1", 60, "target", "liver", False, "present", 30, 25, 20),
            ("T2", 60, "target", "liver", False, "present", 18, 15, 6)]
    m = recist.evaluate(_les(rows), "mrecist")
    assert _at(m, 0, "target_sum") == 40.0 and _at(m, 60, "target_sum") == 20.0
    assert _at(m, 60) == "PR"  # target PR, non-target (T2) non-CR/non-PD


def test_mrecist_small_new_liver_lesion_is_not_progression_but_recist_counts_it():
    # mRECIST: a new intrahepatic lesion counts when >= 1 cm (typical pattern; lesions.csv records no
    # washout, so size decides); RECIST 1.1 section 4.3.5: any new lesion -> PD.
    rows = [("T1", 0, "target", "liver", False, "present", 40, 30, 40),
            ("T1", 60, "target", "liver", False, "present", 40, 30, 40),
            ("X1", 60, "new", "liver", False, "present", 8, 6, 8)]
    assert _at(recist.evaluate(_les(rows), "mrecist"), 60) == "SD"
    assert _at(recist.evaluate(_les(rows), "recist"), 60) == "PD"


def test_mrecist_porta_hepatis_node_needs_20_mm_short_axis():
    # Lencioni & Llovet 2010: porta-hepatis nodes are malignant (measurable) from 2 cm short axis;
    # an 18 mm one is a measurable RECIST 1.1 node (>= 15 mm) but not an mRECIST target.
    from analysis.study.response_rules import baseline_measurable

    node = {"status": "present", "is_node": True, "organ": "porta_hepatis", "short_axis_mm": 18.0}
    assert baseline_measurable(node, "diameter") and not baseline_measurable(node, "viable")


def test_easl_uses_the_viable_area_and_minus_50_percent():
    # EASL (Bruix 2001): bidimensional viable area, PR >= 50 % decrease. Viable 40 x (40 * 30/50) =
    # 960 mm² -> 28 x (28 * 30/50) = 470.4 mm²: -51 % -> PR (RECIST 1.1 by long axis 50 -> 50: SD).
    rows = [("T1", 0, "target", "liver", False, "present", 50, 30, 40),
            ("T1", 60, "target", "liver", False, "present", 50, 30, 28)]
    e = recist.evaluate(_les(rows), "easl")
    assert math.isclose(_at(e, 0, "target_sum"), 960.0) and math.isclose(_at(e, 60, "target_sum"), 470.4)
    assert _at(e, 60) == "PR"
    assert _at(recist.evaluate(_les(rows), "recist"), 60) == "SD"


def test_the_validator_warns_about_non_measurable_targets_and_the_baseline_window(tmp_path):
    # RECIST 1.1 section 3.1 (>= 10 mm, nodes >= 15 mm) and 3.2 (baseline <= 4 weeks before treatment)
    from analysis.data import validate_dir

    ds = tmp_path / "ds"
    shutil.copytree(RULES, ds)
    img = (ds / "imaging.csv").read_text().replace("R01,10,", "R01,-20,")
    (ds / "imaging.csv").write_text(img)
    les = (ds / "lesions.csv").read_text().replace("R01,T1,10,", "R01,T1,-20,").replace("R01,N1,10,", "R01,N1,-20,")
    (ds / "lesions.csv").write_text(les)
    problems = validate_dir(ds)
    assert problems and all(p.is_warning for p in problems)  # accepted: warnings only
    msgs = [str(w) for w in problems]
    assert any(m.startswith("warning: imaging.csv:2: day: -20: baseline exam 40 days before the first TACE")
               for m in msgs)
    assert any("long_axis_mm: 8: not measurable at baseline" in m for m in msgs)
    assert any("short_axis_mm: 11: not measurable at baseline" in m for m in msgs)


def test_more_than_two_targets_in_one_organ_is_a_structural_error(tmp_path):
    # RECIST 1.1 section 3.3: at most 5 targets, 2 per organ -> the dataset is refused
    from analysis.data import validate_dir

    ds = tmp_path / "ds"
    shutil.copytree(RULES, ds)
    with open(ds / "lesions.csv", "a") as fh:
        fh.write("R07,T2,10,target,liver,false,present,20,15\nR07,T3,10,target,liver,false,present,20,15\n")
    probs = [str(p) for p in validate_dir(ds)]
    assert any("3 target lesions in this organ; RECIST 1.1 allows at most 2 per organ" in p for p in probs)


@pytest.mark.parametrize("pid, expected", [("R01", "CR"), ("R02", "PD"), ("R03", "PD"), ("R04", "NE"),
                                           ("R05", "non-CR/non-PD"), ("R06", "PR"), ("R08", "PR"), ("R09", "PR"),
                                           ("R10", "non-CR/non-PD"), ("R11", "SD"), ("R12", "PR")])
def test_every_path_gives_the_same_response_on_the_rules_fixture(pid, expected):
    # one implementation: per_patient (numbers.json, tables, figures, notebooks) = first_followup
    from analysis import params
    from analysis.data import load_dataset
    from analysis.study.endpoints import per_patient
    from analysis.study.numbers import compute_numbers
    from analysis.study.response import recist_first_followup

    ds = load_dataset(RULES)
    pp = per_patient(ds).set_index("patient_id")
    ff = recist_first_followup(ds).set_index("patient_id")
    assert pp.loc[pid, "response"] == ff.loc[pid, "response"] == expected
    nums = compute_numbers(ds, params.defaults())
    for g in (1, 2):
        sub = pp[pp["group"] == g]["response"]
        assert nums[f"recist.group{g}.CR.n"] == int((sub == "CR").sum())
        assert nums[f"recist.group{g}.non_cr_non_pd.n"] == int((sub == "non-CR/non-PD").sum())
