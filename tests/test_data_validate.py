"""Dataset contract (README, "Your own data: the dataset contract"; data/schema/datapackage.json).

One test per validation rule.

Each test copies the hand-made valid fixture tests/fixtures/mini/ into tmp_path, breaks ONE thing
and asserts the exact file, physical line (header = line 1) and column reported. The expected
line numbers are read off the fixture files by hand (e.g. patients.csv line 3 is patient S02).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.data import DatasetInvalid, Problem, load_dataset, validate_dir
from analysis.errors import UsageError, UserError
from analysis.paths import TESTS
from tests.corpus.make_corpus import _lines, _write, drop_column, drop_lines, set_cell  # one copy of the helpers

MINI = TESTS / "fixtures" / "mini"


# ----------------------------------------------------------------------------- helpers



def get_cell(d: Path, file: str, line: int, column: str) -> str:
    lines = _lines(d, file)
    return lines[line - 1].split(",")[lines[0].split(",").index(column)]


def errors(problems: list[Problem]) -> list[Problem]:
    """The errors among the problems (the mini fixture itself has two warnings: an empty sex and an empty
    adverse_event_grade, which every test here would otherwise see)."""
    return [p for p in problems if not p.is_warning]


def only(problems: list[Problem]) -> Problem:
    problems = errors(problems)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def find(problems: list[Problem], file: str, line: int | None, column: str | None) -> Problem:
    hits = [p for p in errors(problems) if (p.file, p.line, p.column) == (file, line, column)]
    assert hits, f"no problem at {file}:{line}: {column}; got:\n" + "\n".join(map(str, problems))
    return hits[0]


# ----------------------------------------------------------------------------- the valid fixture

def test_mini_fixture_is_valid_with_two_missing_measurement_warnings():
    # patients.csv line 7 (S06) has no sex, procedures.csv line 13 no adverse_event_grade (read off the files)
    assert [str(p) for p in validate_dir(MINI)] == [
        "warning: patients.csv:7: sex: (empty): missing measurement (empty cell); the analyses that need it "
        "leave this row out",
        "warning: procedures.csv:13: adverse_event_grade: (empty): missing measurement (empty cell); the analyses "
        "that need it leave this row out",
    ]


def test_problem_prints_file_line_column_value_message():
    assert str(Problem("imaging.csv", 7, "day", "12.5", "must be a whole number")) == \
        "imaging.csv:7: day: 12.5: must be a whole number"
    assert str(Problem("patients.csv", None, None, None, "required file is missing")) == \
        "patients.csv:-: -: -: required file is missing"
    assert str(Problem("patients.csv", 4, "age_at_tace", "", "required value is missing")) == \
        "patients.csv:4: age_at_tace: (empty): required value is missing"


# ----------------------------------------------------------------------------- files and headers

@pytest.mark.parametrize("file", ["patients.csv", "procedures.csv", "imaging.csv"])
def test_missing_required_file_is_reported(ds, file):
    (ds / file).unlink()
    p = only(validate_dir(ds))
    assert (p.file, p.line, p.column) == (file, None, None)
    assert "required file is missing" in p.message


def test_missing_file_with_other_case_or_extension_gets_a_hint(ds):
    (ds / "patients.csv").rename(ds / "Patients.CSV")
    p = only(validate_dir(ds))
    assert p.file == "patients.csv" and "Patients.CSV" in p.message


def test_lesions_file_is_optional(ds):
    (ds / "lesions.csv").unlink()
    assert errors(validate_dir(ds)) == []


def test_missing_required_column_is_reported_on_the_header_line(ds):
    drop_column(ds, "imaging.csv", "modality")
    p = only(validate_dir(ds))
    assert (p.file, p.line, p.column) == ("imaging.csv", 1, "modality")
    assert "required column is missing" in p.message


def test_wrong_case_column_name_gets_a_hint(ds):
    lines = _lines(ds, "patients.csv")
    lines[0] = lines[0].replace("tace_timing", "TACE_timing")
    _write(ds, "patients.csv", lines)
    problems = validate_dir(ds)
    p = find(problems, "patients.csv", 1, "tace_timing")
    assert "TACE_timing" in p.message and "lower case" in p.message


def test_measurement_column_may_be_left_out_with_one_warning_each(ds):
    drop_column(ds, "patients.csv", "sex")
    drop_column(ds, "procedures.csv", "adverse_event_grade")
    why = "measurement column is missing; every value of it is missing, so the analyses that need it are not available"
    assert [str(p) for p in validate_dir(ds)] == [f"warning: patients.csv:1: sex: -: {why}",
                                                  f"warning: procedures.csv:1: adverse_event_grade: -: {why}"]
    loaded = load_dataset(ds)
    assert loaded.patients["sex"].isna().all()
    assert str(loaded.procedures["adverse_event_grade"].dtype) == "Int64"


def test_duplicate_column_is_reported(ds):
    lines = _lines(ds, "progression.csv")
    _write(ds, "progression.csv", [x + "," + x.split(",")[1] for x in lines])
    p = only(validate_dir(ds))
    assert (p.file, p.line, p.column) == ("progression.csv", 1, "setting")
    assert "more than once" in p.message


def test_header_only_file_is_refused(ds):
    _write(ds, "progression.csv", _lines(ds, "progression.csv")[:1])
    p = only(validate_dir(ds))
    assert p.file == "progression.csv" and "no data rows" in p.message


def test_row_with_too_many_values_is_reported_with_its_line(ds):
    lines = _lines(ds, "procedures.csv")
    lines[4] += ",extra"  # line 5
    _write(ds, "procedures.csv", lines)
    p = find(validate_dir(ds), "procedures.csv", 5, None)  # the row is then left out (more problems follow)
    assert "9 values but the header has 8" in p.message


# ----------------------------------------------------------------------------- cells (frictionless + schema)

def test_integer_column_refuses_decimals(ds):
    set_cell(ds, "imaging.csv", 7, "day", "77.5")
    p = errors(validate_dir(ds))[0]
    assert (p.file, p.line, p.column, p.value) == ("imaging.csv", 7, "day", "77.5")
    assert "whole number" in p.message


def test_integer_column_accepts_integral_decimals_as_written_by_pandas(ds):
    set_cell(ds, "procedures.csv", 3, "adverse_event_grade", "1.0")
    set_cell(ds, "imaging.csv", 7, "day", "77.0")
    assert errors(validate_dir(ds)) == []
    loaded = load_dataset(ds)
    assert loaded.procedures.loc[1, "adverse_event_grade"] == 1 and loaded.imaging.loc[5, "day"] == 77


def test_number_with_decimal_comma_is_explained(ds):
    set_cell(ds, "imaging.csv", 7, "tumor_volume_cm3", '"41,2"')
    p = only(validate_dir(ds))
    assert (p.file, p.line, p.column, p.value) == ("imaging.csv", 7, "tumor_volume_cm3", "41,2")
    assert "dot as the decimal separator" in p.message


@pytest.mark.parametrize("spelling,value", [("true", True), ("TRUE", True), ("True", True), ("yes", True),
                                            ("Yes", True), ("1", True), ("false", False), ("FALSE", False),
                                            ("False", False), ("no", False), ("No", False), ("0", False)])
def test_booleans_accept_the_spellings_of_a_hospital_export(ds, spelling, value):
    # the list: true/false, TRUE/FALSE, True/False, yes/no, Yes/No, 1/0
    set_cell(ds, "patients.csv", 3, "primary_resected", spelling)
    set_cell(ds, "imaging.csv", 4, "new_lesions", spelling)
    assert errors(validate_dir(ds)) == []
    loaded = load_dataset(ds)
    assert loaded.patients.loc[1, "primary_resected"] is value or loaded.patients.loc[1, "primary_resected"] == value
    assert bool(loaded.imaging.loc[2, "new_lesions"]) is value


@pytest.mark.parametrize("spelling", ["t", "Y", "N", "YES", "2", "ja"])
def test_other_boolean_spellings_are_refused(ds, spelling):
    set_cell(ds, "patients.csv", 3, "primary_resected", spelling)
    assert str(only(validate_dir(ds))) == \
        f"patients.csv:3: primary_resected: {spelling}: not a boolean; write true/false or yes/no"


@pytest.mark.parametrize("file,line,column,bad,allowed", [
    ("patients.csv", 2, "tace_timing", "later", "immediate, after_chemo"),
    ("patients.csv", 2, "group", "3", "1, 2"),
    ("patients.csv", 2, "sex", "X", "F, M"),
    ("patients.csv", 2, "primary_site", "liver", "pancreas"),
    ("patients.csv", 2, "t_stage", "T5", "T1, T2, T3, T4, TX"),
    ("patients.csv", 2, "liver_distribution", "diffuse", "solitary"),
    ("imaging.csv", 2, "modality", "PET", "CT, MRI"),
    ("imaging.csv", 2, "nontarget_status", "stable", "non_cr_non_pd"),
    ("progression.csv", 2, "setting", "surgery", "chemo, tace"),
    ("lesions.csv", 2, "role", "main", "target, nontarget, new"),
    ("lesions.csv", 2, "status", "gone", "too_small"),
    ("lesions.csv", 2, "appearance", "solid", "slit_necrosis"),
])
def test_categorical_columns_accept_only_allowed_values(ds, file, line, column, bad, allowed):
    set_cell(ds, file, line, column, bad)
    p = only(validate_dir(ds))
    assert (p.file, p.line, p.column, p.value) == (file, line, column, bad)
    assert "must be one of" in p.message and allowed in p.message


@pytest.mark.parametrize("file,line,column,written,canonical", [
    ("patients.csv", 4, "tace_timing", "Immediate", "immediate"),
    ("patients.csv", 4, "sex", "f", "F"),
    ("patients.csv", 4, "sex", "m", "M"),
    ("patients.csv", 4, "t_stage", "tx", "TX"),
    ("patients.csv", 4, "primary_site", "PANCREAS", "pancreas"),
    ("imaging.csv", 4, "modality", "ct", "CT"),
    ("imaging.csv", 4, "modality", "mri", "MRI"),
    ("imaging.csv", 4, "nontarget_status", "PD", "pd"),
    ("progression.csv", 3, "setting", "TACE", "tace"),
    ("lesions.csv", 3, "role", "Target", "target"),
])
def test_categories_are_case_insensitive_and_loaded_in_their_canonical_spelling(ds, file, line, column, written,
                                                                                canonical):
    set_cell(ds, file, line, column, written)
    assert errors(validate_dir(ds)) == []
    frame = getattr(load_dataset(ds), file.removesuffix(".csv"))
    assert frame.loc[line - 2, column] == canonical


@pytest.mark.parametrize("file,line,column", [
    ("patients.csv", 5, "group"),
    ("patients.csv", 5, "tace_timing"),
    ("procedures.csv", 6, "day"),
    ("imaging.csv", 9, "modality"),
    ("progression.csv", 4, "progressed"),
    ("progression.csv", 4, "setting"),
    ("lesions.csv", 10, "status"),
])
def test_required_value_missing_is_reported(ds, file, line, column):
    set_cell(ds, file, line, column, "")
    p = only(validate_dir(ds))
    assert (p.file, p.line, p.column, p.value) == (file, line, column, "")
    assert p.message == "required value is missing"


@pytest.mark.parametrize("file,line,column,value,expected", [
    ("patients.csv", 6, "age_at_tace", "95", "must be <= 90 years"),
    ("patients.csv", 6, "age_at_tace", "-1", "must be >= 0 years"),
    ("imaging.csv", 9, "tumor_volume_cm3", "-3.5", "must be >= 0"),
    ("imaging.csv", 9, "liver_volume_cm3", "0", "must be > 0"),
    ("procedures.csv", 3, "adverse_event_grade", "7", "must be <= 6"),
    ("procedures.csv", 3, "tace_number", "0", "must be >= 1"),
    ("procedures.csv", 2, "day", "40000", "must be <= 36500 days"),
    ("lesions.csv", 3, "long_axis_mm", "-2", "must be >= 0"),
])
def test_ranges_from_the_schema_are_enforced(ds, file, line, column, value, expected):
    set_cell(ds, file, line, column, value)
    problems = validate_dir(ds)
    p = find(problems, file, line, column)
    assert expected in p.message


def test_patient_id_must_be_a_pseudonym_shape(ds):
    for f, line in [("patients.csv", 2)]:
        set_cell(ds, f, line, "patient_id", "S 01!")
    problems = validate_dir(ds)
    p = find(problems, "patients.csv", 2, "patient_id")
    assert "pseudonym" in p.message


def test_duplicate_patient_is_reported_with_first_line(ds):
    set_cell(ds, "patients.csv", 3, "patient_id", "S01")
    problems = validate_dir(ds)
    p = find(problems, "patients.csv", 3, "patient_id")
    assert "duplicate key (patient_id=S01) already on line 2" in p.message


def test_two_rows_for_one_patient_and_setting_are_refused(ds):
    lines = _lines(ds, "progression.csv")
    lines.append("S04,chemo,40,250,true")  # line 22; S04 chemo is on line 5
    _write(ds, "progression.csv", lines)
    p = only(validate_dir(ds))
    assert (p.file, p.line, p.column, p.value) == ("progression.csv", 22, "setting", "chemo")
    assert "already on line 5" in p.message


def test_duplicate_exam_day_is_refused(ds):
    lines = _lines(ds, "imaging.csv")
    lines.append("S12,603,CT,91.4,1362.8,63,false,absent")  # line 41; S12 day 603 is line 40
    _write(ds, "imaging.csv", lines)
    p = only(validate_dir(ds))
    assert (p.file, p.line, p.column) == ("imaging.csv", 41, "day")
    assert "already on line 40" in p.message


def test_duplicate_tace_number_is_refused(ds):
    set_cell(ds, "procedures.csv", 3, "tace_number", "1")  # S01 has TACE 1 on line 2
    problems = validate_dir(ds)
    p = find(problems, "procedures.csv", 3, "tace_number")
    assert "already on line 2" in p.message


# ----------------------------------------------------------------------------- cross-table rules

@pytest.mark.parametrize("file,line", [("procedures.csv", 4), ("imaging.csv", 6), ("progression.csv", 3),
                                       ("lesions.csv", 14)])
def test_foreign_key_patient_must_exist(ds, file, line):
    old = get_cell(ds, file, line, "patient_id")
    assert old == "S02"
    set_cell(ds, file, line, "patient_id", "S99")
    problems = validate_dir(ds)
    p = find(problems, file, line, "patient_id")
    assert p.value == "S99" and "not in patients.csv" in p.message


def test_tace_numbers_must_be_consecutive(ds):
    set_cell(ds, "procedures.csv", 8, "tace_number", "3")  # S04: 1, 3
    p = only(validate_dir(ds))
    assert (p.file, p.line, p.column, p.value) == ("procedures.csv", 8, "tace_number", "3")
    assert "without gaps" in p.message


def test_tace_numbers_must_follow_day_order(ds):
    set_cell(ds, "procedures.csv", 3, "day", "30")  # S01 TACE 2 on day 30, before TACE 1 on day 34
    problems = validate_dir(ds)
    p = find(problems, "procedures.csv", 3, "day")
    assert "not after TACE 1 (day 34, line 2)" in p.message


def test_patient_without_tace_is_refused(ds):
    drop_lines(ds, "procedures.csv", 4)  # S02's only TACE
    p = only(validate_dir(ds))
    assert (p.file, p.line, p.column, p.value) == ("patients.csv", 3, "patient_id", "S02")
    assert "no TACE" in p.message


def test_group_1_needs_zero_days_from_diagnosis_to_liver_metastases(ds):
    set_cell(ds, "patients.csv", 5, "days_dx_to_liver_mets", "30")  # S04 is group 1
    p = only(validate_dir(ds))
    assert (p.file, p.line, p.column, p.value) == ("patients.csv", 5, "days_dx_to_liver_mets", "30")
    assert "group 1" in p.message


def test_group_2_needs_positive_days_from_diagnosis_to_liver_metastases(ds):
    set_cell(ds, "patients.csv", 10, "days_dx_to_liver_mets", "0")  # S09 is group 2
    p = only(validate_dir(ds))
    assert (p.file, p.line, p.column) == ("patients.csv", 10, "days_dx_to_liver_mets")
    assert "group 2" in p.message


def warnings_on(problems: list[Problem], column: str) -> list[str]:
    return [str(p) for p in problems if p.is_warning and p.column == column]


def test_patient_without_exam_before_first_tace_is_a_warning(ds):
    (ds / "lesions.csv").unlink()  # (its S04 rows would point at the removed exam)
    drop_lines(ds, "imaging.csv", 13)  # S04 baseline (day 241, first TACE day 268); day 324 moves up to line 13
    problems = validate_dir(ds)
    assert errors(problems) == []
    assert warnings_on(problems, "day") == [
        "warning: imaging.csv:13: day: 324: patient S04 has no exam before the first TACE (day 268); the analyses "
        "of the baseline volume V0 leave this patient out"]


def test_patient_without_exam_after_first_tace_is_a_warning(ds):
    (ds / "lesions.csv").unlink()
    drop_lines(ds, "imaging.csv", 17, 18)  # S05 keeps only day 168 (first TACE day 196)
    problems = validate_dir(ds)
    assert errors(problems) == []
    assert warnings_on(problems, "day") == [
        "warning: imaging.csv:16: day: 168: patient S05 has no exam after the first TACE (day 196); the analyses "
        "of the follow-up volume V1 leave this patient out"]


def test_exam_on_the_tace_day_counts_neither_before_nor_after(ds):
    (ds / "lesions.csv").unlink()
    set_cell(ds, "imaging.csv", 16, "day", "196")
    drop_lines(ds, "imaging.csv", 17, 18)
    problems = [p for p in validate_dir(ds) if p.column == "day"]
    assert {p.message.split(";")[0] for p in problems} == {
        "patient S05 has no exam before the first TACE (day 196)",
        "patient S05 has no exam after the first TACE (day 196)"}


def test_tumour_volume_cannot_exceed_liver_volume(ds):
    set_cell(ds, "imaging.csv", 7, "tumor_volume_cm3", "1600.0")  # liver 1522.8
    p = only(validate_dir(ds))
    assert (p.file, p.line, p.column, p.value) == ("imaging.csv", 7, "tumor_volume_cm3", "1600")
    assert "larger than liver_volume_cm3 (1522.8)" in p.message


def test_progression_end_cannot_precede_start(ds):
    set_cell(ds, "progression.csv", 2, "end_day", "20")  # start 34
    p = only(validate_dir(ds))
    assert (p.file, p.line, p.column, p.value) == ("progression.csv", 2, "end_day", "20")
    assert "before start_day (34)" in p.message


def test_bead_range_must_be_ordered(ds):
    set_cell(ds, "procedures.csv", 2, "bead_min_um", "500")
    p = only(validate_dir(ds))
    assert (p.file, p.line, p.column) == ("procedures.csv", 2, "bead_max_um")


def test_empty_sum_of_diameters_without_lesions_file_is_a_warning(ds):
    (ds / "lesions.csv").unlink()
    set_cell(ds, "imaging.csv", 3, "sum_diameters_mm", "")
    problems = validate_dir(ds)
    assert errors(problems) == []
    assert warnings_on(problems, "sum_diameters_mm") == [
        "warning: imaging.csv:3: sum_diameters_mm: (empty): missing measurement (empty cell) and there is no "
        "lesions.csv: the RECIST 1.1 analyses leave this exam out"]


def test_sum_of_diameters_may_be_empty_with_lesions_file(ds):
    set_cell(ds, "imaging.csv", 3, "sum_diameters_mm", "")
    problems = validate_dir(ds)
    assert errors(problems) == [] and warnings_on(problems, "sum_diameters_mm") == []


def test_lesion_day_must_be_an_exam_of_the_patient(ds):
    set_cell(ds, "lesions.csv", 2, "day", "13")  # S01 exams: 12, 90, 174, 258
    problems = validate_dir(ds)
    p = find(problems, "lesions.csv", 2, "day")
    assert "no exam on day 13" in p.message


def test_present_target_lesion_without_long_axis_is_a_warning(ds):
    set_cell(ds, "lesions.csv", 2, "long_axis_mm", "")
    problems = validate_dir(ds)
    assert errors(problems) == []
    assert warnings_on(problems, "long_axis_mm") == [
        "warning: lesions.csv:2: long_axis_mm: (empty): missing measurement: a present target lesion needs its "
        "long axis (RECIST 1.1); the RECIST analyses leave this exam out"]


def test_nodal_target_without_short_axis_is_a_warning(ds):
    set_cell(ds, "lesions.csv", 55, "short_axis_mm", "")  # S09 N1 (is_node = true)
    problems = validate_dir(ds)
    assert errors(problems) == []
    assert warnings_on(problems, "short_axis_mm") == [
        "warning: lesions.csv:55: short_axis_mm: (empty): missing measurement: a present nodal target lesion needs "
        "its short axis (RECIST 1.1); the RECIST analyses leave this exam out"]


def test_short_axis_cannot_exceed_long_axis(ds):
    set_cell(ds, "lesions.csv", 2, "short_axis_mm", "60")  # long axis 48
    p = only(validate_dir(ds))
    assert (p.file, p.line, p.column, p.value) == ("lesions.csv", 2, "short_axis_mm", "60")


# ----------------------------------------------------------------------------- the whole picture

def test_every_problem_is_reported_not_just_the_first(ds):
    set_cell(ds, "patients.csv", 2, "group", "3")
    set_cell(ds, "patients.csv", 3, "primary_resected", "Y")
    set_cell(ds, "procedures.csv", 5, "day", "x")
    set_cell(ds, "imaging.csv", 7, "tumor_volume_cm3", "1600")
    set_cell(ds, "progression.csv", 2, "end_day", "20")
    set_cell(ds, "lesions.csv", 4, "role", "main")
    (ds / "procedures.csv").write_text((ds / "procedures.csv").read_text() + "S77,1,10,irinotecan,100,200,400,0\n")
    got = {(p.file, p.line, p.column) for p in validate_dir(ds)}
    assert got >= {
        ("patients.csv", 2, "group"), ("patients.csv", 3, "primary_resected"), ("procedures.csv", 5, "day"),
        ("procedures.csv", 19, "patient_id"), ("imaging.csv", 7, "tumor_volume_cm3"),
        ("progression.csv", 2, "end_day"), ("lesions.csv", 4, "role")}


def test_problems_are_sorted_by_file_then_line(ds):
    set_cell(ds, "progression.csv", 2, "end_day", "20")
    set_cell(ds, "patients.csv", 9, "age_at_tace", "x")
    set_cell(ds, "patients.csv", 2, "sex", "x")
    assert [(p.file, p.line) for p in errors(validate_dir(ds))] == [
        ("patients.csv", 2), ("patients.csv", 9), ("progression.csv", 2)]


def test_load_dataset_refuses_an_invalid_dataset_listing_every_problem(ds):
    set_cell(ds, "patients.csv", 2, "group", "3")
    set_cell(ds, "imaging.csv", 7, "tumor_volume_cm3", "1600")
    with pytest.raises(DatasetInvalid) as exc:
        load_dataset(ds)
    assert isinstance(exc.value, UserError)
    assert len(exc.value.problems) == 2
    text = str(exc.value)
    assert "patients.csv:2: group: 3:" in text and "imaging.csv:7: tumor_volume_cm3: 1600:" in text


def test_not_a_directory_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError):
        validate_dir(tmp_path / "nope")
    (tmp_path / "f.csv").write_text("a\n")
    with pytest.raises(UsageError):
        validate_dir(tmp_path / "f.csv")


# ----------------------------------------------------------------------------- the dataset's own datapackage.json

def test_dataset_datapackage_cannot_weaken_the_contract(ds):
    meta = json.loads((ds / "datapackage.json").read_text())
    meta["resources"][0]["schema"] = {"fields": [{"name": "group", "type": "integer",
                                                  "constraints": {"enum": [1, 2, 3]}}]}
    (ds / "datapackage.json").write_text(json.dumps(meta))
    set_cell(ds, "patients.csv", 2, "group", "3")
    p = only(validate_dir(ds))
    assert (p.file, p.line, p.column) == ("patients.csv", 2, "group")


def test_dataset_without_datapackage_uses_the_bundled_schema(ds):
    (ds / "datapackage.json").unlink()
    assert errors(validate_dir(ds)) == []
    loaded = load_dataset(ds)
    assert loaded.name == "ds" and loaded.is_synthetic is False


def test_broken_datapackage_json_is_reported(ds):
    (ds / "datapackage.json").write_text('{\n  "name": "x",\n  "synthetic": tru\n}\n')
    p = only(validate_dir(ds))
    assert (p.file, p.line) == ("datapackage.json", 3)
    assert "not valid JSON" in p.message


def test_synthetic_flag_must_be_a_json_boolean(ds):
    meta = json.loads((ds / "datapackage.json").read_text())
    meta["synthetic"] = "yes"
    (ds / "datapackage.json").write_text(json.dumps(meta))
    p = only(validate_dir(ds))
    assert (p.file, p.column) == ("datapackage.json", "synthetic")


# ----------------------------------------------------------------------------- speed

def test_a_34_patient_dataset_made_of_renamed_copies_is_valid(tmp_path):
    """34 patients (the study's size): the mini cohort three times over, renamed, minus 2 patients.
    (Its speed is a bench figure, bench/scale.py, never a timed assertion.)"""
    d = tmp_path / "big"
    d.mkdir()
    keep = [f"S{i:02d}" for i in range(1, 13)]
    for f in ("patients.csv", "procedures.csv", "imaging.csv", "progression.csv", "lesions.csv"):
        lines = _lines(MINI, f)
        out = [lines[0]]
        for copy_no in range(3):
            for x in lines[1:]:
                pid, rest = x.split(",", 1)
                new = int(pid[1:]) + 12 * copy_no
                if new <= 34 and pid in keep:
                    out.append(f"P{new:02d},{rest}")
        _write(d, f, out)
    problems = validate_dir(d)
    assert errors(problems) == []
    assert load_dataset(d).patients.shape[0] == 34
