"""The identifier guard scans a whole column at once (analysis.data.textscan: one regular-expression pass
over the column's distinct values joined by NUL) and flags exactly the cells that checking each value on
its own flags. The expected rows and reasons are worked out by hand from the rules of
analysis.data.identifiers (quoted beside each case), not taken from the code."""

from __future__ import annotations

import re

import pytest

from analysis.data import identifiers
from analysis.data.identifiers import scan_column
from analysis.data.textscan import Joined

# one hand-made table: column -> (cells, options, expected (rows, masked first value, reason) or None)
TABLE = {
    # neighbouring values never combine into one finding: "4" "March" "2021" would be a date and
    # "Dr." "Ivanov" a titled name if the values ran together; each alone is harmless
    "note": (["4", "March", "2021", "Dr.", "Ivanov", "x"], {}, None),
    # a title before a capitalised word (English "Dr." at character 9; Russian "врач" + a surname)
    "comment": (["seen by Dr. Ivanov", "ok", "ok", "врач Петров сказал"], {},
                ((0, 3), "s*** ** **. ******",
                 "names a person with a title or honorific (Dr., Mr, Mrs, Ms, Prof., д-р, врач, г-н, ...) "
                 "at character 9")),
    # a numeric column: only dates count; 3.2021 is month.year, 2021-03-04 a written date, 20210304 yyyymmdd
    "tumor_volume_cm3": (["12.5", "3.2021", "0.5", "2021-03-04", "20210304", "7"],
                         {"numeric": True, "check_name": False},
                         ((1, 3, 4), "3.****", "looks like a calendar date; use an integer day offset from day 0")),
    # phone numbers: three digit groups with 10 digits, or a leading +; "tel 912" and "123" are not
    "contact": (["912 345 6789", "tel 912", "+7 (912) 345-67-89", "123"], {},
                ((0, 2), "9** *** ****", "looks like a phone number")),
    # a value holding a NUL character is checked on its own (the whole-column scan steps aside)
    "extra": (["a\x00b", "x@y.org", "a\x00b"], {}, ((1,), "x@*.***", "looks like an e-mail address")),
    # a key column: "Firstname Lastname" (two or three capitalised words) is a name, not a pseudonym
    "patient_id": (["P001", "P002", "Ivan Petrov", "P001", "Anna Maria Lee"], {"id_like": True, "check_name": False},
                   ((2, 4), "I*** ******", "looks like a person's name, not a pseudonym")),
}


@pytest.mark.parametrize("column", sorted(TABLE))
def test_the_whole_column_scan_flags_exactly_the_hand_worked_cells(column):
    values, options, expected = TABLE[column]
    found = scan_column(column, values, **options)
    if expected is None:
        assert found is None
    else:
        assert (found.rows, found.value, found.reason) == expected


def test_values_already_found_harmless_in_another_file_are_not_flagged_and_a_new_offender_still_is():
    known: set[str] = set()
    assert scan_column("patient_id", ["P001", "P002"], id_like=True, check_name=False, known=known) is None
    assert known == {"P001", "P002"}
    found = scan_column("patient_id", ["P002", "P001", "0012345"], id_like=True, check_name=False, known=known)
    assert (found.rows, found.reason) == (
        (2,), "looks like a record, insurance or phone number (a long digit string), not a pseudonym")


def test_joined_search_and_fullmatch_agree_with_one_value_at_a_time():
    values = ["S01", "", "x 2021-03-04", "2021-03-04", "12", "a\nb", "ab"]
    j = Joined(values)
    for pattern in [re.compile(r"(?<!\d)\d{4}-\d\d"), re.compile(r"[a-z]+"), re.compile(r"\d+")]:
        assert j.search(pattern).tolist() == [pattern.search(v) is not None for v in values]
        assert j.fullmatch(pattern).tolist() == [pattern.fullmatch(v) is not None for v in values]


# what every match of a pattern skipped for a column lacking it must hold (analysis.data.identifiers._NEEDS)
KINDS = {"@": lambda c: c == "@", ".": lambda c: c == ".", "space": str.isspace, "non-ASCII": lambda c: not c.isascii()}


def _always(items, ok) -> bool:
    """Every match of the parsed pattern ``items`` consumes a character for which ``ok`` holds: one of its
    items does so unconditionally (not optional, or in every alternative)."""
    return any(_consumes(op, av, ok) for op, av in items)


def _in_set(o, a, ok) -> bool:
    """Every character admitted by one item of a character set satisfies ``ok``."""
    c = re._constants
    if o is c.LITERAL:
        return ok(chr(a))
    if o is c.RANGE:
        return all(ok(chr(x)) for x in range(a[0], a[1] + 1))
    return o is c.CATEGORY and a is c.CATEGORY_SPACE and ok(" ") and ok("\u2003")  # \s: only whitespace


def _consumes(op, av, ok) -> bool:
    c = re._constants
    if op is c.LITERAL:
        return ok(chr(av))
    if op is c.IN:
        return all(_in_set(o, a, ok) for o, a in av)
    if op is c.SUBPATTERN:
        return _always(av[-1], ok)
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        return av[0] >= 1 and _always(av[2], ok)
    if op is c.BRANCH:
        return all(_always(alternative, ok) for alternative in av[1])
    return False


def test_a_pattern_is_skipped_only_for_a_column_lacking_what_every_match_of_it_holds():
    for pattern, need in identifiers._NEEDS.items():
        assert _always(re._parser.parse(pattern.pattern, pattern.flags), KINDS[need]), (pattern.pattern, need)
    # and the check itself: a pattern that can match "x" holds no such character
    assert not _always(re._parser.parse(r"x|a@b"), KINDS["@"]) and _always(re._parser.parse(r"x@|a@b"), KINDS["@"])


@pytest.mark.parametrize("value", ["ivan@mail.ru", "10.0.0.7", "4 March 2021", "March 4, 2021", "March 2021",
                                   "4 марта 2021", "12 Baker Street", "ул. Ленина 5", "д. 5", "Ivan Petrovich"])
def test_a_value_found_by_a_pattern_with_a_need_is_still_found_beside_values_without_it(value):
    assert scan_column("note", ["S01", value, "S02"]).rows == (1,)
