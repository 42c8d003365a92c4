"""The broken-dataset corpus: each case is the valid fixture tests/fixtures/mini with ONE thing broken.

``build(case, root)`` writes one case as a dataset folder ``root/<case>``; :data:`CASES` lists every case
with what it breaks. ``tests/corpus/expected.json`` holds, for each case, the exact exit code and the exact
standard output and standard error lines of ``python -m analysis validate <case>`` (run in ``root``);
``tests/test_corpus.py`` checks them. The cases cover every structural rule of the contract (files,
encodings, separators, header, cells, unique and foreign keys, the rules across files), the identifier guard
(names, dates, numbers, addresses, free text naming a person), Excel quirks (workbooks renamed to .csv,
semicolons and decimal commas, row-number columns, ``sep=,``, BOM + CRLF, padding) and a very large file.

After a deliberate change of a message, rewrite the expected file and review its diff line by line::

    PYTHONPATH=. .venv/bin/python tests/corpus/make_corpus.py --write-expected

(Every expected line was read and checked by hand against the data dictionary when it was written.)
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
MINI = HERE.parent / "fixtures" / "mini"
EXPECTED = HERE / "expected.json"


# ---------------------------------------------------------------- small editing helpers

def _lines(d: Path, f: str) -> list[str]:
    return (d / f).read_text(encoding="utf-8").splitlines()


def _write(d: Path, f: str, lines: list[str], encoding: str = "utf-8", newline: str = "\n") -> None:
    (d / f).write_bytes((newline.join(lines) + newline).encode(encoding))


def set_cell(d: Path, f: str, line: int, column: str, value: str) -> None:
    """Set one cell (the fixture has no quoted commas)."""
    lines = _lines(d, f)
    k = lines[0].split(",").index(column)
    cells = lines[line - 1].split(",")
    cells[k] = value
    lines[line - 1] = ",".join(cells)
    _write(d, f, lines)


def add_column(d: Path, f: str, name: str, values: list[str]) -> None:
    """Append a column; values are recycled over the data rows (written as given: quote commas yourself)."""
    lines = _lines(d, f)
    _write(d, f, [lines[0] + "," + name] + [x + "," + values[i % len(values)] for i, x in enumerate(lines[1:])])


def drop_column(d: Path, f: str, column: str) -> None:
    lines = _lines(d, f)
    k = lines[0].split(",").index(column)
    _write(d, f, [",".join(c for j, c in enumerate(x.split(",")) if j != k) for x in lines])


def drop_lines(d: Path, f: str, *numbers: int) -> None:
    _write(d, f, [x for i, x in enumerate(_lines(d, f), 1) if i not in numbers])


def rename_column(d: Path, f: str, old: str, new: str) -> None:
    lines = _lines(d, f)
    lines[0] = ",".join(new if c == old else c for c in lines[0].split(","))
    _write(d, f, lines)


def _edit(fn: Callable[[Path], None]) -> Callable[[Path], None]:
    return fn


# ---------------------------------------------------------------- the cases

def _workbook(d: Path, date_cell: bool = False) -> None:
    """Turn the folder into the workbook ``<folder>.xlsx`` beside it: one sheet per table, numbers as numbers."""
    import csv
    import datetime

    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for f in sorted(d.glob("*.csv")):
        ws = wb.create_sheet(f.stem)
        with open(f, newline="", encoding="utf-8") as fh:
            for k, row in enumerate(csv.reader(fh)):
                ws.append([row[0]] + [_cell(c) if k else c for c in row[1:]])
    if date_cell:
        wb["imaging"]["B3"] = datetime.datetime(2021, 3, 4)  # a day typed as a calendar date
    wb.save(d.parent / f"{d.name}.xlsx")
    shutil.rmtree(d)


def _cell(text: str):
    """A CSV cell as Excel would hold it: numbers as numbers, the rest as text (empty = no value)."""
    if text == "":
        return None
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def _large(d: Path) -> None:
    """A very large imaging.csv (valid, 6.8 MB): 100,000 extra exams, long before or after each patient's TACE."""
    lines = _lines(d, "imaging.csv")
    extra = [f"S{p:02d},{day},MRI,10.5,1500.0,20,false,non_cr_non_pd" for p in (10, 11, 12)
             for day in range(-36500, -36500 + 33334)]
    extra = extra[:100_000]
    _write(d, "imaging.csv", lines + extra)


def _large_text(d: Path) -> None:
    """A procedures.csv whose extra free-text column holds 200 kB per cell (valid prose, no identifier)."""
    add_column(d, "procedures.csv", "note", ["uneventful procedure; " * 9000])


CASES: dict[str, tuple[str, Callable[[Path], None]]] = {
    # files
    "missing_required_file": ("procedures.csv absent", lambda d: (d / "procedures.csv").unlink()),
    "misnamed_file": ("Patients.CSV instead of patients.csv",
                      lambda d: (d / "patients.csv").rename(d / "Patients.CSV")),
    "empty_file": ("procedures.csv has zero bytes", lambda d: (d / "procedures.csv").write_bytes(b"")),
    "header_only": ("imaging.csv has a header but no rows", lambda d: drop_lines(d, "imaging.csv", *range(2, 41))),
    "empty_optional_file": ("lesions.csv (optional) is empty", lambda d: (d / "lesions.csv").write_bytes(b"")),
    # encodings and Excel quirks
    "xlsx_renamed": ("an Excel workbook renamed to .csv",
                     lambda d: (d / "patients.csv").write_bytes(b"PK\x03\x04" + b"\x00" * 60)),
    "xls_renamed": ("an old .xls workbook renamed to .csv",
                    lambda d: (d / "patients.csv").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 60)),
    "pdf_renamed": ("a PDF named .csv", lambda d: (d / "imaging.csv").write_bytes(b"%PDF-1.7\n%\xe2\xe3\n")),
    "utf16": ("Excel 'Unicode text' (UTF-16) export",
              lambda d: _write(d, "patients.csv", _lines(d, "patients.csv"), encoding="utf-16")),
    "cp1251": ("Windows Cyrillic bytes in an extra column",
               lambda d: (add_column(d, "procedures.csv", "комментарий", ["без осложнений"]),
                          _write(d, "procedures.csv", _lines(d, "procedures.csv"), encoding="cp1251"))),
    "cp1252": ("Windows Western European bytes (é)",
               lambda d: (add_column(d, "procedures.csv", "remark", ["bien toléré"]),
                          _write(d, "procedures.csv", _lines(d, "procedures.csv"), encoding="cp1252"))),
    "nul_bytes": ("NUL bytes inside a text file",
                  lambda d: (d / "progression.csv").write_bytes((d / "progression.csv").read_bytes()[:60] + b"\x00\x00"
                                                                + (d / "progression.csv").read_bytes()[60:])),
    "semicolon": ("semicolon-separated export",
                  lambda d: _write(d, "progression.csv", [x.replace(",", ";") for x in _lines(d, "progression.csv")])),
    "semicolon_decimal_comma": ("semicolons and decimal commas (European Excel)",
                                lambda d: _write(d, "imaging.csv", [x.replace(",", ";").replace(".", ",")
                                                                    for x in _lines(d, "imaging.csv")])),
    "tab_separated": ("tab-separated export",
                      lambda d: _write(d, "progression.csv", [x.replace(",", "\t")
                                                              for x in _lines(d, "progression.csv")])),
    "bom_crlf_sep_line": ("BOM, CRLF and Excel's sep=, line (valid)",
                          lambda d: (d / "patients.csv").write_bytes(
                              b"\xef\xbb\xbfsep=,\r\n" + "\r\n".join(_lines(d, "patients.csv")).encode() + b"\r\n")),
    "padding_blank_rows": ("trailing empty cells and blank rows (valid)",
                           lambda d: _write(d, "progression.csv", [x + ",," for x in _lines(d, "progression.csv")]
                                            + ["", ",,,,,,", ""])),
    "row_numbers_column": ("an unnamed first column of row numbers (R write.csv / pandas)",
                           lambda d: _write(d, "progression.csv", ["," + _lines(d, "progression.csv")[0]] + [
                               f"{i},{x}" for i, x in enumerate(_lines(d, "progression.csv")[1:], 1)])),
    # rows and header
    "wrong_number_of_values": ("a row with one value too many",
                               lambda d: set_cell(d, "imaging.csv", 5, "modality", "CT,extra")),
    "stray_quote": ("a stray double quote swallowing lines",
                    lambda d: set_cell(d, "progression.csv", 4, "setting", '"tace')),
    "duplicate_column": ("the same column twice", lambda d: add_column(d, "progression.csv", "end_day", ["1"])),
    "missing_column": ("a required column absent", lambda d: drop_column(d, "patients.csv", "tace_timing")),
    "column_name_case": ("Patient_ID instead of patient_id",
                         lambda d: rename_column(d, "progression.csv", "patient_id", "Patient_ID")),
    # cells
    "not_integer": ("a day with decimals", lambda d: set_cell(d, "imaging.csv", 3, "day", "90.5")),
    "not_a_number": ("text in a number column", lambda d: set_cell(d, "imaging.csv", 4, "tumor_volume_cm3", "n/a")),
    "decimal_comma_cell": ("one decimal comma in a number", lambda d: set_cell(d, "imaging.csv", 2, "liver_volume_cm3",
                                                                               '"1820,5"')),
    "boolean_spelling": ("a boolean written yes", lambda d: set_cell(d, "patients.csv", 3, "primary_resected", "yes")),
    "category_not_allowed": ("a category outside the allowed values",
                             lambda d: set_cell(d, "patients.csv", 4, "primary_site", "liver")),
    "out_of_range": ("age 130", lambda d: set_cell(d, "patients.csv", 2, "age_at_tace", "130")),
    "negative_volume": ("a negative tumour volume", lambda d: set_cell(d, "imaging.csv", 6, "tumor_volume_cm3", "-3")),
    "required_value_empty": ("an empty required cell", lambda d: set_cell(d, "patients.csv", 5, "t_stage", "")),
    "bad_pseudonym": ("a patient_id with a space", lambda d: set_cell(d, "progression.csv", 2, "patient_id", "S 01")),
    "duplicate_key": ("the same exam twice", lambda d: _write(d, "imaging.csv", _lines(d, "imaging.csv")
                                                               + [_lines(d, "imaging.csv")[1]])),
    "duplicate_setting": ("two tace rows for one patient",
                          lambda d: _write(d, "progression.csv", _lines(d, "progression.csv")
                                           + ["S01,tace,34,300,false"])),
    # rules across rows and files
    "unknown_patient": ("procedures of a patient not in patients.csv",
                        lambda d: set_cell(d, "procedures.csv", 4, "patient_id", "S99")),
    "tace_number_gap": ("tace_number 1, 3", lambda d: set_cell(d, "procedures.csv", 3, "tace_number", "3")),
    "tace_order": ("TACE 2 before TACE 1", lambda d: set_cell(d, "procedures.csv", 3, "day", "20")),
    "no_exam_before_tace": ("no exam before the first TACE", lambda d: set_cell(d, "imaging.csv", 2, "day", "40")),
    "end_before_start": ("end_day before start_day", lambda d: set_cell(d, "progression.csv", 3, "end_day", "10")),
    "tumour_above_liver": ("tumour volume above the liver volume",
                           lambda d: set_cell(d, "imaging.csv", 3, "tumor_volume_cm3", "1900")),
    "group_vs_days": ("group 1 with metastases found later",
                      lambda d: set_cell(d, "patients.csv", 2, "days_dx_to_liver_mets", "200")),
    "patient_without_tace": ("a patient with no TACE", lambda d: _write(d, "procedures.csv", [
        x for x in _lines(d, "procedures.csv") if not x.startswith("S02,")])),
    "bead_sizes": ("bead_min_um above bead_max_um", lambda d: set_cell(d, "procedures.csv", 2, "bead_min_um", "500")),
    "lesion_exam_missing": ("a lesion measured on a day with no exam",
                            lambda d: set_cell(d, "lesions.csv", 2, "day", "13")),
    "no_sum_without_lesions": ("no lesions.csv and an exam without sum_diameters_mm",
                               lambda d: ((d / "lesions.csv").unlink(),
                                          set_cell(d, "imaging.csv", 2, "sum_diameters_mm", ""))),
    # identifier guard
    "name_column": ("a column of patient names", lambda d: add_column(d, "patients.csv", "patient_name", [
        "Ivan Petrov", "Anna Smirnova", "Oleg Kuznetsov"])),
    "birth_dates": ("birth dates in an extra column",
                    lambda d: add_column(d, "patients.csv", "born", ["1961-04-12", "1958-11-02"])),
    "email_values": ("e-mail addresses in a free column",
                     lambda d: add_column(d, "patients.csv", "contact", ["ivan.petrov@mail.ru", ""])),
    "phone_values": ("phone numbers in a free column",
                     lambda d: add_column(d, "procedures.csv", "callback", ["+7 916 123-45-67"])),
    "street_address": ("a street address", lambda d: add_column(d, "patients.csv", "home", ["12 Baker Street"])),
    "record_number_id": ("a record number as patient_id",
                         lambda d: set_cell(d, "patients.csv", 2, "patient_id", "004512345")),
    "yyyymmdd_day": ("a calendar date in a day column", lambda d: set_cell(d, "imaging.csv", 2, "day", "20210304")),
    "doctor_in_free_text": ("free text naming the doctor",
                            lambda d: add_column(d, "procedures.csv", "note",
                                                 ["uneventful"] * 2 + ["seen by Dr. Ivanov"] + ["uneventful"] * 20)),
    "patronymic_in_free_text": ("free text with a Russian patronymic",
                                lambda d: add_column(d, "imaging.csv", "comment", ["без особенностей"] * 4
                                                     + ["осмотр: Сергей Петрович"] + ["без особенностей"] * 40)),
    # warnings (the dataset is accepted; --strict refuses it)
    "no_progression_file": ("progression.csv absent: a warning", lambda d: (d / "progression.csv").unlink()),
    "missing_measurement": ("an empty tumour volume: a warning",
                            lambda d: set_cell(d, "imaging.csv", 4, "tumor_volume_cm3", "")),
    "measurement_column_missing": ("the optional dose_mg column absent: a warning",
                                   lambda d: drop_column(d, "procedures.csv", "dose_mg")),
    "no_progression_row": ("a patient without a progression row: a warning", lambda d: _write(d, "progression.csv", [
        x for x in _lines(d, "progression.csv") if not x.startswith("S03,")])),
    "no_exam_after_tace": ("a patient without an exam after the first TACE: a warning",
                           lambda d: (_write(d, "imaging.csv", [x for x in _lines(d, "imaging.csv")
                                                                if not x.startswith("S12,") or x == _lines(
                                                                    d, "imaging.csv")[[y.startswith("S12,") for y in
                                                                                       _lines(d, "imaging.csv")].index(
                                                                        True)]]),
                                      _write(d, "lesions.csv", [x for x in _lines(d, "lesions.csv")
                                                                if not x.startswith("S12,")]))),
    "strict_refuses_warnings": ("an empty tumour volume under --strict",
                                lambda d: set_cell(d, "imaging.csv", 4, "tumor_volume_cm3", "")),
    "category_any_case": ("'ct' for CT and 'TRUE' for true: accepted spellings",
                          lambda d: (set_cell(d, "imaging.csv", 2, "modality", "ct"),
                                     set_cell(d, "patients.csv", 3, "primary_resected", "TRUE"))),
    # Excel workbooks given instead of a folder
    "workbook_valid": ("the dataset as one .xlsx workbook (valid)", _workbook),
    "workbook_date_cell": ("a workbook with a calendar date typed in a day cell",
                           lambda d: _workbook(d, date_cell=True)),
    # datapackage.json
    "datapackage_not_json": ("datapackage.json is not JSON",
                             lambda d: (d / "datapackage.json").write_text("{name: mini", encoding="utf-8")),
    "datapackage_synthetic_text": ("\"synthetic\": \"yes\" instead of true",
                                   lambda d: (d / "datapackage.json").write_text(json.dumps(
                                       {**json.loads((d / "datapackage.json").read_text()), "synthetic": "yes"}),
                                       encoding="utf-8")),
    # size
    "very_large_file": ("a 100,040-row imaging.csv (valid)", _large),
    "very_long_cells": ("200 kB of prose per cell in an extra column (valid)", _large_text),
}


#: extra command-line arguments of a case
ARGS = {"strict_refuses_warnings": ["--strict"]}


def target(case: str) -> str:
    """What ``validate`` is given for a case: its folder, or its workbook."""
    return f"{case}.xlsx" if case.startswith("workbook_") else case


def build(case: str, root: Path) -> Path:
    """Write one case of :data:`CASES` as ``root/<case>`` (a folder, or a workbook) and return its path."""
    d = Path(root) / case
    if d.exists():
        shutil.rmtree(d)
    shutil.copytree(MINI, d)
    CASES[case][1](d)
    return Path(root) / target(case)


def run_validate(case: str, root: Path) -> dict:
    """Exit code and standard output / error lines of ``python -m analysis validate <case>`` run in ``root``."""
    from analysis.cli import main

    out, err = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    os.chdir(root)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(["validate", target(case), *ARGS.get(case, [])])
            except SystemExit as exc:  # argparse usage errors
                code = exc.code
    finally:
        os.chdir(cwd)
    return {"exit": code, "stdout": out.getvalue().splitlines(), "stderr": err.getvalue().splitlines()}


def main(argv: list[str]) -> int:
    """``--write-expected``: rebuild every case in a temporary folder and rewrite expected.json."""
    import tempfile

    if argv != ["--write-expected"]:
        print(__doc__)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        expected = {}
        for case in CASES:
            build(case, Path(tmp))
            expected[case] = run_validate(case, Path(tmp))
    EXPECTED.write_text(json.dumps(expected, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {EXPECTED.name}: {len(expected)} cases")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
