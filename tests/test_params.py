"""Parameter registry: typed parsing of -p NAME=VALUE, refusal of unknown names and wrong types."""

from __future__ import annotations

import pytest

from analysis.errors import UsageError
from analysis.params import PARAMS, coerce, defaults, parse_assignments, resolve


def test_defaults_follow_r_conventions():
    d = defaults()
    assert d["quantile_type"] == 7  # R quantile() default type
    assert d["mwu_method"] == "r" and d["mwu_correct"] is True  # wilcox.test defaults
    assert d["alpha"] == 0.05  # the paper's significance level


def test_assignments_are_parsed_into_typed_literals():
    got = parse_assignments(["quantile_type=6", "alpha=0.01", "mwu_correct=false", "data_dir=data/mine"])
    assert got == {"quantile_type": 6, "alpha": 0.01, "mwu_correct": False, "data_dir": "data/mine"}
    assert isinstance(got["quantile_type"], int) and isinstance(got["alpha"], float)


def test_values_are_never_evaluated_as_code():
    # a string parameter keeps the text verbatim; an int parameter refuses an expression
    assert parse_assignments(["data_dir=__import__('os')"]) == {"data_dir": "__import__('os')"}
    with pytest.raises(UsageError, match="quantile_type"):
        parse_assignments(["quantile_type=3+4"])


@pytest.mark.parametrize("item, fragment", [
    ("nosuch=1", "unknown parameter 'nosuch'"),
    ("quantile_type=seven", "'seven' is not a valid int"),
    ("quantile_type=10", "out of range"),
    ("alpha=1.5", "out of range"),
    ("mwu_method=bootstrap", "not one of"),
    ("mwu_correct=maybe", "not a valid bool"),
    ("alpha", "expected NAME=VALUE"),
])
def test_bad_assignment_is_a_usage_error_naming_the_parameter(item, fragment):
    with pytest.raises(UsageError) as err:
        parse_assignments([item])
    assert fragment in str(err.value)
    assert err.value.exit_code == 2


def test_resolve_rejects_python_values_of_the_wrong_type():
    with pytest.raises(UsageError, match="decimals"):
        resolve({"decimals": 2.5})
    with pytest.raises(UsageError, match="quantile_type"):
        coerce("quantile_type", True)  # a bool is not an int here


def test_every_parameter_default_passes_its_own_check():
    for name, p in PARAMS.items():
        assert coerce(name, p.default) == p.default
