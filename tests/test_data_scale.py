"""Validation at registry size: the identifier guard checks each distinct value once and still flags
exactly the cells it flagged cell by cell (the expected rows below are worked out by hand from the rules
of analysis.data.identifiers, not taken from the code)."""

from __future__ import annotations

import pytest

from analysis.data.identifiers import scan_column

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
