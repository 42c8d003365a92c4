"""QA of `python -m analysis validate` on exports the repository has not seen (formats, rules, identifiers).

Each dataset is built in tmp_path from a copy of tests/fixtures/mini/ (or data/synthetic/); the
expected file / line / column of every message is counted by hand on the fixture text (the header
is line 1), never taken from the code under test.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.data import validate_dir
from analysis.paths import ROOT, SYNTHETIC, TESTS

MINI = TESTS / "fixtures" / "mini"


def errors(problems):
    """The errors only: the mini fixture's two missing-measurement warnings (an empty sex, an empty
    adverse_event_grade) are in every copy of it."""
    return [p for p in problems if not p.is_warning]
FILES = ["patients.csv", "procedures.csv", "imaging.csv", "progression.csv", "lesions.csv"]




def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def read_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def write_rows(path: Path, rows, *, nl="\n", bom=False, quote=csv.QUOTE_MINIMAL, final_newline=True) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator=nl, quoting=quote).writerows(rows)
    text = out.getvalue() if final_newline else out.getvalue()[: -len(nl)]
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))


def set_cell(path: Path, line: int, column: str, value: str) -> None:
    rows = read_rows(path)
    rows[line - 1][rows[0].index(column)] = value
    write_rows(path, rows)


def replace_line(path: Path, line: int, old: str, new: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path.write_text("".join(lines), encoding="utf-8")


def strs(problems) -> list[str]:
    return [str(p) for p in problems]


# ----------------------------------------------------------------------------- benign exports, all at once

def test_statisticians_export_with_every_benign_variant_at_once_is_accepted(ds):
    # no datapackage.json, no lesions.csv (so sum_diameters_mm is required and present), harmless extra files
    (ds / "datapackage.json").unlink()
    (ds / "lesions.csv").unlink()
    (ds / "README.md").write_text("# export\nCreated by the study statistician.\n")
    (ds / "notes.txt").write_text("columns follow the data dictionary\n")
    rename = {"S01": "P001", "S02": "pt-7"}
    for k, f in enumerate(FILES[:4]):
        rows = read_rows(ds / f)
        pid = rows[0].index("patient_id")
        for r in rows[1:]:
            r[pid] = rename.get(r[pid], r[pid])
        rows[0].append("comment")
        for i, r in enumerate(rows[1:]):
            r.append("reviewed, ok" if i % 2 else "")
        order = list(range(len(rows[0])))[::-1] if k % 2 else [1, 0] + list(range(2, len(rows[0])))
        rows = [[r[i] for i in order] for r in rows]
        write_rows(ds / f, rows, nl="\r\n", bom=True, quote=csv.QUOTE_ALL, final_newline=False)
    # empty optional cells: sex (patients line 2), adverse_event_grade (procedures line 2)
    rows = read_rows(ds / "patients.csv")
    rows[1][rows[0].index("sex")] = ""
    write_rows(ds / "patients.csv", rows, nl="\r\n", bom=True)
    rows = read_rows(ds / "procedures.csv")
    rows[1][rows[0].index("adverse_event_grade")] = ""
    write_rows(ds / "procedures.csv", rows, nl="\r\n", bom=True)
    assert strs(errors(validate_dir(ds))) == []
    r = cli("validate", str(ds))
    assert r.returncode == 0, r.stderr


def test_empty_sum_of_diameters_is_accepted_when_lesions_csv_exists(ds):
    set_cell(ds / "imaging.csv", 2, "sum_diameters_mm", "")
    assert strs(errors(validate_dir(ds))) == []


def test_cohort_of_204_patients_with_negative_day_offsets_is_accepted(tmp_path):
    d = tmp_path / "big"
    shutil.copytree(SYNTHETIC, d)
    (d / "datapackage.json").unlink()
    for f in FILES[:4]:
        rows = read_rows(d / f)
        pid = rows[0].index("patient_id")
        out = [rows[0]] + [[f"C{c}-{v}" if i == pid else v for i, v in enumerate(r)]
                           for c in range(6) for r in rows[1:]]
        write_rows(d / f, out)
    # every patient's first exam moved to day -30: before day 0, before the first TACE (day >= 0)
    rows = read_rows(d / "imaging.csv")
    seen = set()
    for r in rows[1:]:
        if r[0] not in seen:
            seen.add(r[0])
            r[rows[0].index("day")] = "-30"
    write_rows(d / "imaging.csv", rows)
    assert len(read_rows(d / "patients.csv")) - 1 == 6 * 34
    assert strs(errors(validate_dir(d))) == []


def test_excel_separator_directive_line_is_accepted_and_lines_still_counted(ds):
    text = (ds / "patients.csv").read_text()
    (ds / "patients.csv").write_text("sep=,\n" + text)
    assert strs(errors(validate_dir(ds))) == []
    # the header is now physical line 2, so S01 (first data row) is line 3
    replace_line(ds / "patients.csv", 3, "S01,1,", "S01,3,")
    assert strs(errors(validate_dir(ds))) == ["patients.csv:3: group: 3: must be one of: 1, 2"]


# ----------------------------------------------------------------------------- one mistake, one message

def test_stray_double_quote_is_reported_once_and_the_following_rows_are_still_read(ds):
    # line 4 of patients.csv is S03; a lone quote before it swallows lines 4-13 (end of file)
    replace_line(ds / "patients.csv", 4, "S03,", '"S03,')
    set_cell(ds / "imaging.csv", 5, "modality", "PET")  # an unrelated problem must still be listed
    assert strs(errors(validate_dir(ds))) == [
        'patients.csv:4: -: -: a double quote (") on this line opens a quoted value that runs on to line 13, '
        "so those lines were read as one value; remove the stray quote or close it",
        "imaging.csv:5: modality: PET: must be one of: CT, MRI",
    ]


def test_row_with_a_missing_value_does_not_cascade_into_foreign_key_errors(ds):
    replace_line(ds / "patients.csv", 4, "S03,1,immediate,", "S03,1,immediate")  # 11 values instead of 12
    assert strs(errors(validate_dir(ds))) == [
        "patients.csv:4: -: -: has 11 values but the header has 12 columns "
        "(a missing or stray comma? quote values that contain commas)"]


def test_unreadable_procedure_row_does_not_also_report_a_patient_without_tace(ds):
    # procedures line 4 is S02's only TACE
    replace_line(ds / "procedures.csv", 4, "S02,1,", "S02,,1,")
    assert strs(errors(validate_dir(ds))) == [
        "procedures.csv:4: -: -: has 9 values but the header has 8 columns "
        "(a missing or stray comma? quote values that contain commas)"]


def test_unreadable_imaging_row_does_not_also_report_lesions_without_exam(ds):
    # imaging line 7 is S02 day 77, which lesions.csv line 15 refers to
    replace_line(ds / "imaging.csv", 7, "S02,77,", "S02,,77,")
    assert strs(errors(validate_dir(ds))) == [
        "imaging.csv:7: -: -: has 9 values but the header has 8 columns "
        "(a missing or stray comma? quote values that contain commas)"]


def test_misspelt_patient_id_header_is_one_problem_not_one_per_reference(ds):
    text = (ds / "patients.csv").read_text().replace("patient_id", "patientid", 1)
    (ds / "patients.csv").write_text(text)
    assert strs(errors(validate_dir(ds))) == ["patients.csv:1: patient_id: -: required column is missing"]


@pytest.mark.parametrize("file,column", [("imaging.csv", "day"), ("procedures.csv", "patient_id"),
                                         ("procedures.csv", "day")])
def test_missing_key_column_is_one_problem_not_one_per_patient(ds, file, column):
    rows = read_rows(ds / file)
    k = rows[0].index(column)
    write_rows(ds / file, [r[:k] + r[k + 1:] for r in rows])
    assert strs(errors(validate_dir(ds))) == [f"{file}:1: {column}: -: required column is missing"]


def test_calendar_date_in_first_tace_day_does_not_also_break_tace_numbering(ds):
    set_cell(ds / "procedures.csv", 2, "day", "12.03.2019")  # S01's TACE 1
    problems = errors(validate_dir(ds))
    assert [(p.file, p.line, p.column) for p in problems] == [("procedures.csv", 2, "day")]
    assert "calendar date" in problems[0].message


def test_row_numbers_column_from_r_or_pandas_is_refused_with_a_hint(ds):
    rows = read_rows(ds / "patients.csv")
    write_rows(ds / "patients.csv", [[""] + rows[0]] + [[str(i)] + r for i, r in enumerate(rows[1:], 1)])
    assert strs(errors(validate_dir(ds))) == [
        "patients.csv:1: column 1: -: this column has values but no name in the header; these look like row "
        "numbers written by R write.csv() or pandas to_csv(): export with row.names = FALSE / index=False, "
        "or delete the column"]


# ----------------------------------------------------------------------------- many problems in many files

def broken_everywhere(ds: Path) -> list[str]:
    rows = read_rows(ds / "patients.csv")
    rows.append(list(rows[1]))                                               # S01 again, line 14
    write_rows(ds / "patients.csv", rows)
    set_cell(ds / "patients.csv", 3, "age_at_tace", "sixty")                # S02
    set_cell(ds / "patients.csv", 2, "days_dx_to_liver_mets", "30")         # S01 (line 2 only) is group 1
    set_cell(ds / "procedures.csv", 3, "tace_number", "3")                  # S01: 1, 3
    rows = read_rows(ds / "imaging.csv")
    k = rows[0].index("modality")
    write_rows(ds / "imaging.csv", [r[:k] + r[k + 1:] for r in rows])      # required column dropped
    set_cell(ds / "progression.csv", 2, "start_day", "400")                 # S01: end_day 258
    rows = read_rows(ds / "progression.csv")
    rows[0].append("contact")
    for i, r in enumerate(rows[1:]):
        r.append("someone@example.org" if i == 2 else "")                   # line 4
    write_rows(ds / "progression.csv", rows)
    set_cell(ds / "lesions.csv", 9, "role", "foo")
    return [
        "patients.csv:2: days_dx_to_liver_mets: 30: must be 0 for group 1 "
        "(liver metastases present when the primary was found)",
        "patients.csv:3: age_at_tace: sixty: must be a number (e.g. 12.5)",
        "patients.csv:14: patient_id: S01: duplicate key (patient_id=S01) already on line 2; "
        "each (patient_id) must appear only once",
        "procedures.csv:3: tace_number: 3: tace_number of patient S01 must run 1, 2, 3, ... without gaps "
        "(found 1, 3; expected 2 here)",
        "imaging.csv:1: modality: -: required column is missing",
        "progression.csv:2: end_day: 258: before start_day (400)",
        "progression.csv:4: contact: s******@*******.***: possible direct identifier, column refused: "
        "looks like an e-mail address",
        "lesions.csv:9: role: foo: must be one of: target, nontarget, new",
    ]


def test_every_problem_in_every_file_is_listed_by_validate_with_exit_1(ds):
    expected = broken_everywhere(ds)
    r = cli("validate", str(ds))
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    # the mini fixture's two warnings come in file and line order among the errors
    warned = "missing measurement (empty cell); the analyses that need it leave this row out"
    expected[2:2] = [f"warning: patients.csv:7: sex: (empty): {warned}"]
    expected[5:5] = [f"warning: procedures.csv:13: adverse_event_grade: (empty): {warned}"]
    assert r.stderr.splitlines() == expected + [f"{ds}: INVALID (8 errors, 2 warnings)"]


def test_numbers_and_reproduce_refuse_the_same_dataset_with_the_same_messages_and_write_nothing(ds, tmp_path, capsys):
    expected = broken_everywhere(ds)
    out = tmp_path / "out"
    assert main(["numbers", "--data", str(ds), "--out", str(out / "numbers.json")]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"error: {ds}: the dataset is invalid (8 problems); nothing was computed:"
    assert err[1:] == expected
    assert main(["reproduce", "--data", str(ds), "--out", str(out)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[-9:] == [f"error: {ds}: the dataset is invalid (8 problems); nothing was computed:"] + expected
    assert not out.exists()


def test_patient_without_any_exam_is_reported_on_the_line_of_the_first_tace(ds):
    for f in ("imaging.csv", "lesions.csv"):
        rows = read_rows(ds / f)
        write_rows(ds / f, [r for r in rows if r[0] != "S02"])
    # S02's first (only) TACE is procedures.csv line 4, day 21: a warning (S02 is left out of V0 / V1 analyses)
    problems = validate_dir(ds)
    assert errors(problems) == []
    assert [str(p) for p in problems if p.column == "patient_id"] == [
        "warning: procedures.csv:4: patient_id: S02: patient S02 has no exam in imaging.csv; the analyses of V0 and "
        "V1 (an exam before and one after this first TACE, day 21) leave this patient out"]


def test_empty_optional_lesions_file_says_it_can_be_deleted(ds):
    (ds / "lesions.csv").write_bytes(b"")
    assert strs(errors(validate_dir(ds))) == [
        "lesions.csv:-: -: -: the file is empty; delete lesions.csv if there are no data for it (it is optional)"]
