"""The bundled synthetic cohort (issue 5): regeneration, validity, published numbers, realism.

Expected values come from the article, through data/published/published.csv (read by
:func:`analysis.paper.published.load_published`, whose tests spot-check it against the article text), never
from the synthesizer. The achieved values are computed by the project's pipeline
(:func:`analysis.data.load_dataset` + :func:`analysis.study.numbers.compute_numbers`).
"""

from __future__ import annotations

import json
import re

import pytest

from analysis import params, paths

SYN = paths.SYNTHETIC
FILES = ("patients.csv", "procedures.csv", "imaging.csv", "progression.csv", "datapackage.json", "DATACARD.md")

# Published numbers the committed cohort does not meet, each with the documented reason (DATACARD.md).
IMPOSSIBLE = {
    "table3:tace.group1.q3": "Table 3's group-1 Q3 after TACE (344) cannot hold with Table 4's group-1 immediate "
                             "Q1 344 and median 364 (proof in DATACARD.md); the table-4 values are kept",
}
RECIST_READING = {
    "results:recist.group1.SD.n": "group 2's printed PR 12 + SD 10 exceed 19 patients; the chosen reading keeps "
                                  "the printed totals, so group 1 SD is 9",
    "results:recist.group2.SD.n": "same reading: group 2 SD is 6",
}


@pytest.fixture(scope="module")
def ds():
    from analysis.data import load_dataset

    return load_dataset(SYN)


@pytest.fixture(scope="module")
def nums(ds):
    from analysis.study.numbers import compute_numbers

    return compute_numbers(ds, params.defaults())


@pytest.fixture(scope="module")
def pub():
    from analysis.paper.published import load_published

    return load_published().set_index("id")


def _met(achieved, value, decimals):
    return achieved is not None and abs(float(achieved) - float(value)) < 0.5 * 10 ** (-int(decimals)) * (1 + 1e-9)


def _table_ids():
    from analysis.paper.published import load_published

    df = load_published()
    ids = [i for i in df["id"] if re.match(r"^table[234]:.*\.(median|q1|q3)$", i)]
    return sorted(ids)


# ------------------------------------------------------------------------------------------ regeneration

def test_synthesize_with_default_seed_regenerates_the_committed_cohort_byte_for_byte(tmp_path):
    from analysis.synth.cohort import synthesize

    synthesize(tmp_path / "syn")
    for name in FILES:
        assert (tmp_path / "syn" / name).read_bytes() == (SYN / name).read_bytes(), name


def test_default_seed_is_the_seed_parameter_default():
    from analysis.synth.cohort import DEFAULT_SEED, default_seed

    assert default_seed() == params.PARAMS["seed"].default == DEFAULT_SEED


def test_committed_cohort_is_valid_against_the_contract():
    from analysis.data import validate_dir

    assert [str(p) for p in validate_dir(SYN)] == []


def test_datapackage_and_datacard_say_the_data_are_synthetic(ds):
    meta = json.loads((SYN / "datapackage.json").read_text(encoding="utf-8"))
    assert meta["synthetic"] is True
    assert ds.is_synthetic is True
    first = (SYN / "DATACARD.md").read_text(encoding="utf-8").splitlines()[0]
    assert "SYNTHETIC" in first and "not patient data" in first


def test_datacard_shows_published_and_achieved_for_every_p_value(nums, pub):
    card = (SYN / "DATACARD.md").read_text(encoding="utf-8").splitlines()
    for pid in ("table2:before.p", "table2:after.p", "table3:chemo.p", "table3:tace.p",
                "table4:group1.volume_change.p", "table4:group1.ttp.p",
                "table4:group2.volume_change.p", "table4:group2.ttp.p"):
        row = pub.loc[pid]
        d = int(row["decimals"])
        line = next(ln for ln in card if ln.startswith(f"| p-values | `{row['key']}"))
        cells = [c.strip() for c in line.split("|")]
        assert cells[3] == f"{row['value']:.{d}f}"            # published
        met = cells[6] == "yes"
        assert cells[6] in ("yes", "no")
        assert cells[5] == f"{nums[row['key']]:.{d if met else d + 2}f}"  # achieved, by the pipeline


# ------------------------------------------------------------------------------------------ published numbers

@pytest.mark.parametrize("pid", _table_ids())
def test_tables_2_to_4_median_and_quartiles_match_the_article(pid, pub, nums, request):
    if pid in IMPOSSIBLE:
        request.applymarker(pytest.mark.xfail(strict=True, reason=IMPOSSIBLE[pid]))
    row = pub.loc[pid]
    key = row["key"]
    assert _met(nums[key], row["value"], row["decimals"]), (key, nums[key], row["value"])


@pytest.mark.parametrize("pid", ["figure1:n.patients", "figure1:n.group1", "figure1:n.group2",
                                 "figure1:n.group1.immediate", "figure1:n.group1.after_chemo",
                                 "figure1:n.group2.immediate", "figure1:n.group2.after_chemo", "methods:n.tace",
                                 "table1:t_stage.T1.n", "table1:t_stage.T2.n", "table1:t_stage.T3.n",
                                 "table1:t_stage.T4.n", "table1:primary_site.pancreas.n",
                                 "table1:primary_site.small_intestine.n", "table1:primary_site.lung.n",
                                 "table1:primary_site.prostate.n", "table1:age.mean", "table1:age.sd",
                                 "table1:age.min", "table1:age.max"])
def test_figure1_and_table1_numbers_match_the_article(pid, pub, nums):
    row = pub.loc[pid]
    assert _met(nums[row["key"]], row["value"], row["decimals"]), (pid, nums[row["key"]], row["value"])


def test_methods_and_table1_characteristics_have_the_printed_counts(ds, pub):
    p = ds.patients
    n = lambda pid: int(pub.loc[pid, "value"])  # noqa: E731 -- a one-line lookup
    for cat in ("bilobar_multiple", "unilobar_multiple", "bilobar_single"):
        assert (p["liver_distribution"] == cat).sum() == n(f"methods:liver_distribution.{cat}.n")
    assert p["extrahepatic_disease"].sum() == n("methods:extrahepatic.true.n")
    assert (~p["extrahepatic_disease"]).sum() == n("methods:extrahepatic.false.n")
    assert p["primary_resected"].sum() == n("methods:primary_resected.true.n")
    g2 = p.loc[p["group"] == 2, "days_dx_to_liver_mets"]
    # Table 1 categories: first 6 months, 6 months to 1.5 years, 1.5 to 6 years (days: 182, 547, 2191)
    assert ((g2 > 0) & (g2 <= 182)).sum() == n("table1:dx_to_liver_mets.lt_6_months.n")
    assert ((g2 > 182) & (g2 <= 547)).sum() == n("table1:dx_to_liver_mets.6m_to_1_5y.n")
    assert ((g2 > 547) & (g2 <= 2191)).sum() == n("table1:dx_to_liver_mets.1_5y_to_6y.n")
    assert (p["days_liver_mets_to_tace"] < 14).sum() == n("table1:liver_mets_to_tace.lt_2_weeks.n")
    assert (p["days_liver_mets_to_tace"] > 91).sum() == n("table1:liver_mets_to_tace.gt_3_months.n")


def test_repeat_procedures_match_the_methods(ds, pub):
    per = ds.procedures.groupby("patient_id").size()
    group = ds.patients.set_index("patient_id")["group"]
    repeaters = per[per > 1].index
    assert len(ds.procedures) == int(pub.loc["methods:n.tace", "value"])
    assert (group.loc[repeaters] == 1).sum() == int(pub.loc["methods:repeat_tace.group1.n", "value"])
    assert (group.loc[repeaters] == 2).sum() == int(pub.loc["methods:repeat_tace.group2.n", "value"])
    assert per.max() <= 4


@pytest.mark.parametrize("g", ["group1", "group2"])
def test_r2_of_volume_change_on_doubling_time_matches_the_abstract(g, pub, nums):
    # the abstract (English and Russian) gives 0.1085 to group 1; the Results text swaps the two
    row = pub.loc[f"abstract:regression.{g}.r2"]
    assert _met(nums[f"regression.{g}.r2"], row["value"], row["decimals"])


@pytest.mark.parametrize("pid", ["results:recist.group1.CR.n", "results:recist.group1.PR.n",
                                 "results:recist.group2.PR.n", "results:recist.group1.SD.n",
                                 "results:recist.group2.SD.n"])
def test_recist_counts_at_first_follow_up_match_the_article_as_far_as_possible(pid, pub, nums, request):
    if pid in RECIST_READING:
        request.applymarker(pytest.mark.xfail(strict=True, reason=RECIST_READING[pid]))
    row = pub.loc[pid]
    assert nums[row["key"]] == int(row["value"])


def test_recist_totals_add_up_to_the_printed_counts_and_one_progression(nums):
    # printed: CR 1, PR 5 + 12, SD 5 + 10, "progression in one patient" = 34 patients in all
    tot = {c: nums[f"recist.group1.{c}.n"] + nums[f"recist.group2.{c}.n"] for c in ("CR", "PR", "SD", "PD")}
    assert tot == {"CR": 1, "PR": 17, "SD": 15, "PD": 1}


def test_no_adverse_events(ds):
    assert (ds.procedures["adverse_event_grade"] == 0).all()


# ------------------------------------------------------------------------------------------ realism

def test_pseudonyms_cannot_be_mistaken_for_real_identifiers(ds):
    ids = sorted(ds.patients["patient_id"])
    assert ids == [f"SYN-{k:02d}" for k in range(1, 35)]


def test_ages_are_within_the_published_range(ds):
    a = ds.patients["age_at_tace"]
    assert a.min() >= 29 and a.max() <= 82


def test_volumes_positive_and_tumour_below_a_plausible_liver(ds):
    im = ds.imaging
    assert (im["tumor_volume_cm3"] > 0).all()
    assert im["liver_volume_cm3"].between(1000, 2500).all()
    assert (im["tumor_volume_cm3"] < 0.5 * im["liver_volume_cm3"]).all()


def test_exams_every_10_to_15_weeks_at_most_and_progression_exams_not_too_soon(ds):
    for pid, ex in ds.imaging.groupby("patient_id"):
        days = sorted(ex["day"])
        gaps = [b - a for a, b in zip(days, days[1:])]
        assert max(gaps) <= 105, (pid, gaps)
        assert min(gaps) >= 14, (pid, gaps)


def test_baseline_exam_and_first_follow_up_timing(ds):
    first = ds.procedures.groupby("patient_id")["day"].min()
    to_tace = ds.patients.set_index("patient_id")["days_liver_mets_to_tace"]
    for pid, ex in ds.imaging.groupby("patient_id"):
        t = first[pid]
        before = ex.loc[ex["day"] < t, "day"].max()
        after = ex.loc[ex["day"] > t, "day"].min()
        if to_tace[pid] < 14:  # Table 1's '< 2 weeks' patients: the detection exam (day 0) is the baseline
            assert before == 0
        else:
            assert t - before >= 14, pid
        assert 42 <= after - t <= 70, pid  # first follow-up about 8 weeks after TACE


def test_progression_on_exam_days_and_repeat_tace_after_progression(ds):
    exams = set(zip(ds.imaging["patient_id"], ds.imaging["day"]))
    prog = ds.progression
    for r in prog.itertuples():
        assert (r.patient_id, r.end_day) in exams
        assert r.end_day > r.start_day
    tace_end = prog[prog["setting"] == "tace"].set_index("patient_id")["end_day"]
    first = ds.procedures.groupby("patient_id")["day"].min()
    assert (prog[prog["setting"] == "tace"].set_index("patient_id")["start_day"] == first).all()
    for r in ds.procedures[ds.procedures["tace_number"] > 1].itertuples():
        assert r.day > tace_end[r.patient_id]
    chemo = prog[prog["setting"] == "chemo"].set_index("patient_id")
    for pid, r in chemo.iterrows():
        assert 0 < r["start_day"] and r["end_day"] < first[pid]


def test_no_calendar_dates_anywhere():
    date = re.compile(r"\b(19|20)\d\d-\d\d-\d\d\b|\b\d\d?[./]\d\d?[./](19|20)?\d\d\b")
    for name in FILES[:4]:
        assert not date.search((SYN / name).read_text(encoding="utf-8")), name
