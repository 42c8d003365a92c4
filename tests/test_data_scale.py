"""Validation at registry size: the identifier guard checks each distinct value once and still flags
exactly the cells it flagged cell by cell (the expected rows below are worked out by hand from the rules
of analysis.data.identifiers, not taken from the code)."""

from __future__ import annotations

import pytest

from analysis.data.cells import validate_cells
from analysis.data.identifiers import scan_column
from analysis.data.read import Table
from analysis.data.schema import frictionless, resources

# (column, values, options) -> (rows flagged, first value masked, reason); None = the column is clean
GUARD_CASES = [
    # e-mail addresses anywhere in a free column: rows 1, 3 and 4 (row 4 repeats row 1's value)
    ("contact", ["-", "ivan@mail.ru", "", "a@b.org", "ivan@mail.ru", "S01"], {},
     ((1, 3, 4), "i***@****.**", "looks like an e-mail address")),
    # a key column: a yyyymmdd string (row 2) and a zero-padded record number (row 4); the reason is row 2's
    ("patient_id", ["S01", "S02", "20210304", "S01", "0012345"], {"id_like": True, "check_name": False},
     ((2, 4), "2*******", "looks like a calendar date written as yyyymmdd (or a record number), not a pseudonym")),
    # three different "Firstname Lastname" among four distinct values: a names column (rows 0, 1, 3, 4)
    ("referrer", ["Ivan Petrov", "Anna Smirnova", "", "Oleg Ivanov", "Ivan Petrov", "liver"], {},
     ((0, 1, 3, 4), "I*** ******", "looks like person names (Firstname Lastname)")),
    # one label repeated is not a names column
    ("scanner", ["Siemens Somatom", "Siemens Somatom", "Philips Ingenia"], {}, None),
    # yyyymmdd in 2 of the 3 non-empty cells of a free column
    ("ref", ["20210304", "20200101", "x", ""], {},
     ((0, 1), "2*******", "looks like calendar dates written as yyyymmdd; use integer day offsets from day 0")),
    # ... but not in 1 of 3
    ("ref", ["20210304", "y", "x", ""], {}, None),
    # a column whose name is a date: every non-blank cell (rows 1 and 3) refused
    ("dob", ["", "x", " ", "y"], {},
     ((1, 3), "x", "the column name suggests calendar dates or birth dates; store times as integer day offsets "
                   "from day 0 (detection of liver metastases) and drop the dates")),
    # a numeric contract column: only calendar dates count (row 1, yyyymmdd), not long numbers
    ("day", ["12", "20210304", "123456789", "12"], {"numeric": True, "check_name": False},
     ((1,), "2*******", "looks like a calendar date written as yyyymmdd, not a day offset")),
    # an enum column of the contract: no name heuristics
    ("sex", ["Ivan Petrov", "Anna Smirnova", "Oleg Ivanov"], {"categorical": True, "check_name": False}, None),
]


@pytest.mark.parametrize("column, values, options, expected", GUARD_CASES)
def test_identifier_guard_flags_the_same_cells_when_values_repeat(column, values, options, expected):
    found = scan_column(column, values, **options)
    if expected is None:
        assert found is None
    else:
        assert (found.rows, found.value, found.reason) == expected


def test_identifier_guard_flags_every_copy_of_a_repeated_value_in_a_large_column():
    # 100,000 cells, 3 distinct values; the e-mail sits in every 1000th row starting at row 7
    values = ["S01", "S02"] * 50_000
    for i in range(7, 100_000, 1000):
        values[i] = "x@y.org"
    found = scan_column("contact", values)
    assert found.rows == tuple(range(7, 100_000, 1000))
    assert found.count == 100
    assert found.value == "x@*.***"


# ---------------------------------------------------------------------------------------- size limit

def test_a_file_over_the_row_limit_is_refused_before_parsing_with_one_message(tmp_path, monkeypatch):
    import shutil

    from analysis.data import read, validate_dir
    from analysis.paths import TESTS

    d = tmp_path / "ds"
    shutil.copytree(TESTS / "fixtures" / "mini", d)
    (d / "lesions.csv").unlink()  # (optional; imaging.csv then carries the RECIST sums)
    n = len((d / "imaging.csv").read_text(encoding="utf-8").splitlines()) - 1  # data rows of the fixture
    monkeypatch.setattr(read, "MAX_ROWS", n - 1)
    assert [str(p) for p in validate_dir(d) if not p.is_warning] == [
        f"imaging.csv:-: -: -: the file has {n:,} lines after the header; at most {n - 1:,} rows per file are "
        "supported (tested up to 34,000 patients); nothing in it was read"]
    monkeypatch.setattr(read, "MAX_ROWS", n)
    assert [p for p in validate_dir(d) if not p.is_warning] == []


@pytest.mark.parametrize("data, lines_after_header", [
    (b"h\n1\n2\n", 2), (b"h\n1\n2", 2), (b"h\r\n1\r\n2\r\n3\r\n", 3), (b"h\r1\r2\r", 2), (b"h\n", 0)])
def test_the_row_limit_counts_the_lines_after_the_header(monkeypatch, data, lines_after_header):
    from analysis.data import read

    monkeypatch.setattr(read, "MAX_ROWS", lines_after_header)
    assert read.too_many_rows("x.csv", data) is None
    monkeypatch.setattr(read, "MAX_ROWS", lines_after_header - 1)
    assert read.too_many_rows("x.csv", data) is not None


def test_the_default_row_limit_is_500000_rows():
    from analysis.data import read

    assert read.MAX_ROWS == 500_000


def test_a_large_dataset_reports_progress_on_stderr(monkeypatch, capsys):
    from analysis.data import validate, validate_dir
    from analysis.paths import TESTS

    monkeypatch.setattr(validate, "PROGRESS_BYTES", 0)
    n = len(validate_dir(TESTS / "fixtures" / "mini"))
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert captured.out == ""
    assert all(line.startswith("validate: ") for line in lines)
    assert "imaging.csv: " in captured.err and " rows read; checking cells and identifiers" in captured.err
    assert lines[-1].endswith(f"done: {n} problem{'s' * (n != 1)}")


def test_a_small_dataset_validates_silently(capsys):
    from analysis.data import validate_dir
    from analysis.paths import TESTS

    validate_dir(TESTS / "fixtures" / "mini")
    assert capsys.readouterr().err == ""


# pseudonyms against the contract's pattern ^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$ (1-32 characters, the first a
# letter or digit), worked by hand: (cell, accepted)
PSEUDONYMS = [("S01", True), ("B00000-SYN-01", True), ("a.b_c-d", True), ("x" * 32, True), ("7", True),
              ("x" * 33, False), ("-S01", False), ("_S01", False), ("S 01", False), ("S01!", False),
              ("\u042e01", False), ("", False)]


def test_pseudonyms_get_the_verdicts_of_the_frictionless_reader_when_checked_for_the_whole_column():
    cells = [c for c, _ in PSEUDONYMS] * 2  # each distinct value twice
    table = Table("patients.csv", ["patient_id"], [[c] for c in cells], list(range(2, len(cells) + 2)),
                  {"patient_id": 0})
    problems = [p for p in validate_cells(table, resources()["patients"])
                if p.column == "patient_id" and not p.message.startswith("duplicate key")]
    refused = [c for c, ok in PSEUDONYMS * 2 if not ok]
    assert [p.value for p in problems] == refused
    assert table.typed_columns["patient_id"].tolist() == [c if ok else None for c, ok in PSEUDONYMS * 2]
    field = next(f for f in resources()["patients"]["schema"]["fields"] if f["name"] == "patient_id")
    reader = frictionless().Field.from_descriptor({k: field[k] for k in ("name", "type", "constraints")})
    assert [reader.read_cell(c)[1] is None for c, _ in PSEUDONYMS] == [ok for _, ok in PSEUDONYMS]
