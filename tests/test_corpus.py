"""The broken-dataset corpus through `validate`: exact exit code and exact stdout / stderr lines for each case.

The cases are made by tests/corpus/make_corpus.py from the valid fixture (one thing broken each); the
expected output is tests/corpus/expected.json (see make_corpus.py on how it is reviewed and rewritten).
"""

from __future__ import annotations

import json

import pytest

from tests.corpus.make_corpus import CASES, EXPECTED, build, run_validate, target

EXPECTED_OUTPUT = json.loads(EXPECTED.read_text(encoding="utf-8"))
LARGE = ("very_large_file", "very_long_cells")


def test_the_corpus_has_at_least_40_cases_and_an_expectation_for_each():
    assert len(CASES) >= 40
    assert set(EXPECTED_OUTPUT) == set(CASES)
    assert sum(e["exit"] == 1 for e in EXPECTED_OUTPUT.values()) >= 40
    assert sum(any(x.startswith("warning: ") for x in e["stderr"]) for e in EXPECTED_OUTPUT.values()) >= 5


@pytest.mark.parametrize("case", [c for c in CASES if c not in LARGE])
def test_validate_gives_the_exact_expected_output(case, tmp_path):
    build(case, tmp_path)
    got = run_validate(case, tmp_path)
    assert got == EXPECTED_OUTPUT[case]


@pytest.mark.slow
@pytest.mark.parametrize("case", LARGE)
def test_a_very_large_file_gets_its_exact_messages(case, tmp_path):
    # (how long it takes is a bench figure, bench/scale.py, never a timed assertion)
    build(case, tmp_path)
    assert run_validate(case, tmp_path) == EXPECTED_OUTPUT[case]


def test_every_line_names_a_file_and_no_line_is_a_traceback():
    for case, e in EXPECTED_OUTPUT.items():
        for line in e["stderr"]:
            assert "Traceback" not in line and 'File "' not in line, (case, line)
        if e["exit"] == 1:
            assert e["stderr"][-1].startswith(f"{target(case)}: INVALID (")
            for line in e["stderr"][:-1]:
                where = line.removeprefix("warning: ").split(":")[0]
                assert where.endswith((".csv", ".json", ".CSV", "]")), (case, line)
