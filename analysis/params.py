"""The analysis parameters: one registry used by the CLI, the notebooks and the tests.

Every notebook's ``parameters`` cell declares a subset of these names with the defaults below.
``-p NAME=VALUE`` on the command line is parsed here into a typed literal (never evaluated as code);
an unknown name or a value of the wrong type is a :class:`~analysis.errors.UsageError` naming it,
raised before any notebook runs.

Examples
--------
>>> from analysis.params import parse_assignments
>>> parse_assignments(["quantile_type=6", "alpha=0.01"])
{'quantile_type': 6, 'alpha': 0.01}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from analysis.errors import UsageError


@dataclass(frozen=True)
class Param:
    name: str
    type: type
    default: Any
    help: str
    choices: tuple | None = None
    check: Callable[[Any], bool] | None = None
    check_text: str = ""


PARAMS: dict[str, Param] = {
    p.name: p
    for p in [
        Param("data_dir", str, "data/synthetic", "dataset folder (README: \"Your own data: the dataset contract\")"),
        Param("out_dir", str, "reports", "output folder (README: \"Two commands\", the outputs table)"),
        Param("quantile_type", int, 7, "R quantile() type for quartiles (7 = R default, 6 = SPSS/Minitab)",
              check=lambda v: 1 <= v <= 9, check_text="an integer from 1 to 9"),
        Param("mwu_method", str, "r", "Mann-Whitney p-value: 'r' = R wilcox.test rule (exact if both n < 50 "
              "and no ties), 'exact', or 'asymptotic'", choices=("r", "exact", "asymptotic")),
        Param("mwu_correct", bool, True, "continuity correction for the normal approximation (R default TRUE)"),
        Param("alpha", float, 0.05, "significance level for the published conclusions",
              check=lambda v: 0 < v < 1, check_text="a number strictly between 0 and 1"),
        Param("decimals", int, 2, "decimals shown in displayed tables (numbers.json is never rounded)",
              check=lambda v: 0 <= v <= 10, check_text="an integer from 0 to 10"),
        Param("draws", int, 2000, "cohorts drawn by the sensitivity notebook (python -m analysis sensitivity "
              "takes --draws)"),
        Param("seed", int, 20221027, "random seed (synthetic cohort; any resampling)",
              check=lambda v: v >= 0, check_text="a non-negative integer"),
    ]
}

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


def defaults() -> dict[str, Any]:
    """All parameters with their default values."""
    return {name: p.default for name, p in PARAMS.items()}


def coerce(name: str, value: Any) -> Any:
    """Check (and, for strings from the command line, convert) one parameter value.

    Raises
    ------
    UsageError
        Unknown name, wrong type, or a value outside the allowed set/range.
    """
    if name not in PARAMS:
        known = ", ".join(sorted(PARAMS))
        raise UsageError(f"unknown parameter '{name}' (known parameters: {known})")
    p = PARAMS[name]
    v = value
    if isinstance(value, str) and p.type is not str:
        text = value.strip()
        try:
            if p.type is bool:
                if text.lower() in _TRUE:
                    v = True
                elif text.lower() in _FALSE:
                    v = False
                else:
                    raise ValueError
            elif p.type is int:
                v = int(text)
            elif p.type is float:
                v = float(text)
        except ValueError:
            raise UsageError(f"parameter '{name}': '{value}' is not a valid {p.type.__name__}") from None
    if p.type is float and isinstance(v, int) and not isinstance(v, bool):
        v = float(v)
    if not isinstance(v, p.type) or (p.type is int and isinstance(v, bool)):
        raise UsageError(f"parameter '{name}': expected {p.type.__name__}, got {type(v).__name__} {v!r}")
    if p.choices is not None and v not in p.choices:
        raise UsageError(f"parameter '{name}': '{v}' is not one of {', '.join(map(str, p.choices))}")
    if p.check is not None and not p.check(v):
        raise UsageError(f"parameter '{name}': {v!r} is out of range (expected {p.check_text})")
    return v


def parse_assignments(items: list[str] | None) -> dict[str, Any]:
    """Parse ``NAME=VALUE`` strings into a dict of typed values (no code is evaluated)."""
    out: dict[str, Any] = {}
    for item in items or []:
        if "=" not in item:
            raise UsageError(f"parameter '{item}': expected NAME=VALUE")
        name, value = item.split("=", 1)
        out[name.strip()] = coerce(name.strip(), value)
    return out


def resolve(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Defaults updated with checked overrides."""
    params = defaults()
    for name, value in (overrides or {}).items():
        params[name] = coerce(name, value)
    return params
