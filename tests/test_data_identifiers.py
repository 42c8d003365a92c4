"""Identifier guard (analysis.data.identifiers): direct identifiers make a dataset invalid, with the column named.

Every kind is planted in a copy of the valid mini fixture, either as an extra column or in a
contract column, and must be refused; plausible clinical extra columns must not be.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.data import validate_dir
from analysis.data.identifiers import column_name_problem, mask, value_problem
from analysis.paths import TESTS

MINI = TESTS / "fixtures" / "mini"


def errors(problems):
    """The errors only: the mini fixture's two missing-measurement warnings (an empty sex, an empty
    adverse_event_grade) are in every copy of it."""
    return [p for p in problems if not p.is_warning]




def add_column(d: Path, file: str, name: str, values: list[str]) -> None:
    """Append a column; values are recycled over the data rows. Values must not contain commas."""
    lines = (d / file).read_text(encoding="utf-8").splitlines()
    out = [lines[0] + "," + name]
    for i, x in enumerate(lines[1:]):
        out.append(x + "," + values[i % len(values)])
    (d / file).write_text("\n".join(out) + "\n", encoding="utf-8")


def set_cell(d: Path, file: str, line: int, column: str, value: str) -> None:
    lines = (d / file).read_text(encoding="utf-8").splitlines()
    k = lines[0].split(",").index(column)
    cells = lines[line - 1].split(",")
    cells[k] = value
    lines[line - 1] = ",".join(cells)
    (d / file).write_text("\n".join(lines) + "\n", encoding="utf-8")


def guard_problems(d: Path):
    return [p for p in validate_dir(d) if p.message.startswith("possible direct identifier")]


def test_no_false_positive_on_the_mini_dataset():
    assert errors(validate_dir(MINI)) == []


# ----------------------------------------------------------------------------- column names

@pytest.mark.parametrize("column", [
    "name", "Name", "patient_name", "first_name", "lastName", "surname", "full name", "FIO", "fio",
    "ФИО", "Фамилия", "date_of_birth", "DOB", "birth_date", "birthdate", "exam_date", "date", "Дата",
    "MRN", "medical_record_number", "hospital_number", "snils", "passport", "insurance_policy", "phone",
    "telephone", "mobile", "email", "e-mail", "address", "street", "zip_code", "ip_address",
])
def test_identifier_column_names_are_refused(ds, column):
    add_column(ds, "patients.csv", column, ["x1", "x2"])  # harmless values: the name alone is enough
    p = guard_problems(ds)
    assert len(p) == 1, validate_dir(ds)
    assert (p[0].file, p[0].line, p[0].column) == ("patients.csv", 2, column)
    assert "and 11 more rows" in p[0].message


@pytest.mark.parametrize("column", [
    "organ_name", "drug_name", "lesion_id", "note", "comment", "dt_days", "days_to_update", "update_flag",
    "weight_kg", "cga_ng_ml", "ki67_percent", "grade", "candidate", "record_type", "site_code",
])
def test_ordinary_column_names_are_not_identifiers(column):
    assert column_name_problem(column) is None


# ----------------------------------------------------------------------------- values

@pytest.mark.parametrize("value,kind", [
    ("Ivan Petrov", "person names"),
    ("Мария Иванова", "person names"),
    ("Petrov I.I.", "name with initials"),
    ("2021-03-04", "calendar date"),
    ("04.03.2021", "calendar date"),
    ("03/04/2021", "calendar date"),
    ("4-3-2021", "calendar date"),
    ("04.03.21", "calendar date"),
    ("4 March 2021", "calendar date"),
    ("March 4 2021", "calendar date"),
    ("Mar 2021", "calendar date"),
    ("4 марта 2021", "calendar date"),
    ("2021-03-04T10:15:00", "calendar date"),
    ("20210304", "yyyymmdd"),
    ("MRN004512", "medical record"),
    ("record #48213", "medical record"),
    ("0045127", "digit string"),
    ("123-456-789 01", "SNILS"),
    ("4509 123456", "passport"),
    ("123-45-6789", "social security"),
    ("+7 916 123-45-67", "phone"),
    ("8 (495) 123-45-67", "phone"),
    ("(495) 123-4567", "phone"),
    ("ivan.petrov@mail.ru", "e-mail"),
    ("12 Baker Street", "street address"),
    ("ул. Ленина, д. 5", "street address"),
    ("192.168.0.17", "IP address"),
    ("fe80::1ff:fe23:4567:890a", "IP address"),
    ("03/2021", "calendar date"),
    ("case #48213", "medical record"),
])
def test_identifier_values_in_an_extra_column_are_refused(ds, value, kind):
    value = value.replace(",", "")  # the helper writes unquoted CSV
    values = [value]
    if kind == "person names":  # a names column holds different names (a repeated label is not one)
        values = [value, "Anna Smirnova", "Oleg Kuznetsov", "Maria Lopez"] if value.isascii() else [
            value, "Анна Смирнова", "Олег Кузнецов"]
    add_column(ds, "patients.csv", "extra_info", values)
    p = guard_problems(ds)
    assert len(p) == 1, validate_dir(ds)
    assert (p[0].file, p[0].line, p[0].column) == ("patients.csv", 2, "extra_info")
    assert kind in p[0].message, p[0].message
    assert value not in str(p[0]) or len(value) < 3  # the value itself is masked in the report


@pytest.mark.parametrize("value", ["ivan@mail.ru", "+7 916 123-45-67", "2021-03-04", "00451234", "Ivan Petrov"])
def test_patient_id_that_is_an_identifier_is_refused(ds, value):
    set_cell(ds, "patients.csv", 2, "patient_id", value)
    p = [x for x in guard_problems(ds) if x.file == "patients.csv"]
    assert p and (p[0].line, p[0].column) == (2, "patient_id")


def test_calendar_date_in_a_day_column_is_refused_as_identifier(ds):
    set_cell(ds, "imaging.csv", 2, "day", "20210304")
    p = guard_problems(ds)
    assert [(x.file, x.line, x.column) for x in p] == [("imaging.csv", 2, "day")]
    assert "yyyymmdd" in p[0].message
    assert all(not (x.file == "imaging.csv" and x.line == 2 and x.column == "day" and x not in p)
               for x in validate_dir(ds))  # one message for the cell, not also "must be <= 36500"


def test_iso_date_in_a_day_column_is_refused_as_identifier(ds):
    set_cell(ds, "progression.csv", 3, "end_day", "2021-03-04")
    p = guard_problems(ds)
    assert [(x.file, x.line, x.column) for x in p] == [("progression.csv", 3, "end_day")]


def test_identifier_in_lesions_free_text_column_is_refused(ds):
    set_cell(ds, "lesions.csv", 5, "organ", "ivan@mail.ru")
    p = guard_problems(ds)
    assert [(x.file, x.line, x.column) for x in p] == [("lesions.csv", 5, "organ")]


def test_plausible_clinical_extra_columns_are_accepted(ds):
    add_column(ds, "patients.csv", "weight_kg", ["72.5", "81", "64.3"])
    add_column(ds, "patients.csv", "cga_ng_ml", ["1234.5", "98", "15000"])
    add_column(ds, "patients.csv", "ki67_percent", ["2", "12.5", "30"])
    add_column(ds, "patients.csv", "comment", ["Partial response", "Lymph Node", "", "see note 3",
                                               "grade 2 pain after TACE", "ok"])
    add_column(ds, "imaging.csv", "scanner", ["Siemens Somatom", "GE 1.5T", "", "Philips Ingenia", "Canon Aquilion"])
    add_column(ds, "imaging.csv", "reader", ["Radiologist A", "Radiologist B"])
    add_column(ds, "procedures.csv", "bead_product", ["DC Bead 100-300", "HepaSphere 50-100"])
    add_column(ds, "procedures.csv", "days_to_discharge", ["3", "5", "12"])
    add_column(ds, "lesions.csv", "segment", ["S7", "S4a", "S8"])
    assert errors(validate_dir(ds)) == []


def test_mask_keeps_shape_and_hides_content():
    assert mask("ivan@mail.ru") == "i***@****.**"
    assert mask("04.03.2021") == "0*.**.****"


@pytest.mark.parametrize("value", ["12.5", "-14", "1820.5", "0", "100-300", "S01", "T2", "liver", "L1",
                                   "non_cr_non_pd", "1.5T", "3 cycles", "10:15", "see case 102", "2019-2021",
                                   "grade 2", "Lymph Node", "CT"])
def test_ordinary_values_are_not_identifiers(value):
    assert value_problem(value, numeric=False, id_like=False) is None


# ---- free text: persons named with a title / honorific or a patronymic (issue 15)

@pytest.mark.parametrize("value, where", [
    ("seen by Dr. Ivanov", 9), ("Dr Smith: uneventful", 1), ("discussed with Mrs. Brown", 16),
    ("Mr Jones declined", 1), ("Ms Lee agreed", 1), ("reviewed by Prof. Petrov", 13),
    ("осмотрен д-р Сидоров", 10), ("доктор Иванов: без осложнений", 1), ("проф. Петров", 1),
    ("врач Смирнова", 1), ("со слов г-н Кузнецов", 9), ("г-жа Орлова", 1),
    ("Ivan Ivanovich", 6), ("per Anna Petrovna", 10), ("Sergei Nikolaevich called", 8),
    ("Иван Петрович", 6), ("Мария Ивановна", 7), ("Никита Ильич", 1), ("Ilya Ilyich", 1),
])
def test_a_free_text_note_naming_a_person_is_refused_with_file_line_and_character(ds, value, where):
    add_column(ds, "procedures.csv", "note", ["uneventful", "uneventful", value] + ["uneventful"] * 100)
    p = guard_problems(ds)
    assert len(p) == 1, validate_dir(ds)
    # line 4 = header + the 3rd data row; the character is counted by hand in the value above
    assert (p[0].file, p[0].line, p[0].column) == ("procedures.csv", 4, "note")
    assert p[0].message.endswith(f"at character {where}")
    assert ("title or honorific" in p[0].message) or ("patronymic" in p[0].message)
    assert value not in str(p[0])  # masked


def test_seen_by_dr_ivanov_is_reported_in_the_exact_words(ds):
    add_column(ds, "procedures.csv", "note", ["uneventful", "uneventful", "seen by Dr. Ivanov"] + ["uneventful"] * 100)
    assert [str(p) for p in validate_dir(ds) if not p.is_warning] == [
        "procedures.csv:4: note: s*** ** **. ******: possible direct identifier, column refused: names a person "
        "with a title or honorific (Dr., Mr, Mrs, Ms, Prof., д-р, врач, г-н, ...) at character 9"]


@pytest.mark.parametrize("value", ["Dr. visit cancelled", "MR imaging at day 30", "MS lesions", "врач отметил боль",
                                   "Munich protocol", "Zurich criteria", "Greenwich", "кирпич", "post-TACE syndrome",
                                   "doctor's note: pain grade 2", "prof. consultation", "Mrs (missing)"])
def test_prose_without_a_person_is_not_refused(value):
    assert value_problem(value, numeric=False, id_like=False) is None
