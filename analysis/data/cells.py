"""Cell checks of one file: cast every cell of the contract's columns with the ``frictionless`` cell
readers (types, required values, allowed values, ranges, patterns) once per distinct value of a column,
check the unique key with pandas, and word each failure for a person fixing a spreadsheet.

Spellings: booleans accept the schema's ``trueValues`` / ``falseValues`` (``true``, ``TRUE``, ``yes``,
``1``, ...); a field with ``"caseInsensitive": true`` accepts its categories in any case (``ct`` -> ``CT``).
Loaded values are the canonical spelling. An empty cell of a ``"measurement": true`` field is a missing
measurement: a warning, not an error.

References
----------
Frictionless Table Schema, field types and constraints: https://specs.frictionlessdata.io/table-schema/ .
"""

from __future__ import annotations

import copy
import functools
import re
from typing import Any

import numpy as np

from analysis.data.problems import WARNING, Problem, fmt_num
from analysis.data.read import Table
from analysis.data.schema import frictionless, is_required, resources
from analysis.data.textscan import Joined
from analysis.data.typed import complete_rows

_MISSING_WORDS = {"na", "n/a", "nan", "null", "none", "missing", "-", "--", "?", ".", "nd", "inf", "-inf", "+inf",
                  "infinity"}
_EMPTY_HINT = "; leave the cell empty for a missing value"
_INTEGRAL_DECIMAL = re.compile(r"[+-]?\d+\.0*")
MISSING_MEASUREMENT = "missing measurement (empty cell); the analyses that need it leave this row out"


def constraint_message(f: dict, name: str, value: str) -> str:
    """The message for a value of field ``f`` that breaks its constraint ``name``."""
    c = f.get("constraints", {})
    unit = f" {f['unit']}" if f.get("unit") else ""
    if name == "required":
        return "required value is missing"
    if name == "enum":
        allowed = ", ".join(fmt_num(a) for a in c["enum"])
        near = [a for a in c["enum"] if str(a).lower() == value.strip().lower()]
        hint = f" (values are case-sensitive: write {near[0]})" if near and not f.get("caseInsensitive") else ""
        if value.strip().lower() in _MISSING_WORDS:
            hint = _EMPTY_HINT if not is_required(f) else ""
        return f"must be one of: {allowed}{hint}"
    if name == "minimum":
        return f"must be >= {fmt_num(c['minimum'])}{unit}"
    if name == "maximum":
        return f"must be <= {fmt_num(c['maximum'])}{unit}"
    if name == "exclusiveMinimum":
        return f"must be > {fmt_num(c['exclusiveMinimum'])}{unit}"
    if name == "exclusiveMaximum":
        return f"must be < {fmt_num(c['exclusiveMaximum'])}{unit}"
    if name == "pattern":
        return f"must be {f['patternHint']}" if f.get("patternHint") else f"must match the pattern {c['pattern']}"
    return f"breaks the constraint {name} = {c.get(name)!r}"  # pragma: no cover - no other constraint in the schema


def type_message(f: dict, value: str) -> str:
    """The message for a value that is not of field ``f``'s type (with a hint for 'NA' and the like)."""
    msg = _type_message_core(f, value)
    return msg + _EMPTY_HINT if value.strip().lower() in _MISSING_WORDS else msg


def _type_message_core(f: dict, value: str) -> str:
    """The type message without the missing-value hint."""
    t = f["type"]
    if t == "integer":
        return "must be a whole number (e.g. 12 or -3)"
    if t == "number":
        if re.fullmatch(r"-?\d*,\d+", value):
            return "must be a number with a dot as the decimal separator (e.g. 12.5, not 12,5)"
        return "must be a number (e.g. 12.5)"
    if t == "boolean":
        return "not a boolean; write true/false or yes/no"
    return f"must be of type {t}"  # pragma: no cover


@functools.lru_cache(maxsize=None)
def _cell_readers(resource_name: str) -> dict[str, Any]:
    """frictionless cell readers (type cast + constraint checks) for each field of one file's schema.

    ``Field.create_cell_reader()`` is what a frictionless ``Resource`` applies to every cell; using it
    directly skips the per-open copying and re-validation of the schema metadata, which cost far
    more than the cells themselves on files of this size.
    """
    fl = frictionless()
    desc = copy.deepcopy(resources()[resource_name]["schema"])
    desc.pop("foreignKeys", None)  # checked across files by analysis.data.rules.foreign_keys
    schema = fl.Schema.metadata_import(desc)  # the bundled schema itself is checked by a test, not per run
    return {f.name: f.create_cell_reader() for f in schema.fields}


@functools.lru_cache(maxsize=None)
def canonical_spellings(resource_name: str) -> dict[str, dict[str, str]]:
    """Field -> (lower-case spelling -> canonical category) for the ``caseInsensitive`` fields of one file.

    Examples
    --------
    >>> canonical_spellings("imaging")["modality"]["ct"]
    'CT'
    """
    return {f["name"]: {str(v).lower(): v for v in f["constraints"]["enum"]}
            for f in resources()[resource_name]["schema"]["fields"]
            if f.get("caseInsensitive") and "enum" in f.get("constraints", {})}


_PLAIN = {"integer": re.compile(r"-?(?:0|[1-9]\d{0,17})"), "number": re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?")}
_BOUNDS = {"required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}


def _plain_value(raw: str, f: dict) -> Any:
    """The value of a plain decimal number (``-12``, ``3.25``) that satisfies the field's bounds, as the
    frictionless reader would give it; None for anything else (then the reader decides)."""
    c = f.get("constraints", {})
    plain = _PLAIN.get(f["type"])
    if plain is None or set(c) - _BOUNDS or not plain.fullmatch(raw):
        return None
    v = int(raw) if f["type"] == "integer" else float(raw)
    ok = (v >= c.get("minimum", v) and v <= c.get("maximum", v) and ("exclusiveMinimum" not in c or v > c[
        "exclusiveMinimum"]) and ("exclusiveMaximum" not in c or v < c["exclusiveMaximum"]))
    return v if ok else None


def _cast_distinct(uniques: list[str], reader: Any, f: dict, canon: dict[str, str] | None
                   ) -> tuple[list[Any], list[dict | None]]:
    """Cast each distinct raw value of one column once: its value (None = missing or refused) and the
    frictionless notes (None when accepted). Plain numbers within bounds skip the frictionless reader."""
    values: list[Any] = [None] * len(uniques)
    notes_of: list[dict | None] = [None] * len(uniques)
    fast, fast_values = _plain_values(uniques, f)
    for i, v in zip(np.flatnonzero(fast).tolist(), fast_values):
        values[i] = v
    for i in np.flatnonzero(~fast).tolist():
        raw = uniques[i]
        v = _plain_value(raw, f)
        if v is not None:
            values[i] = v
            continue
        cell = raw
        if f["type"] == "integer" and _INTEGRAL_DECIMAL.fullmatch(raw):
            cell = raw.split(".")[0]  # "12.0" (pandas writes optional integer columns so) is the integer 12
        elif canon is not None:
            cell = canon.get(raw.lower(), raw)  # "ct" -> "CT"
        value, notes = reader(cell)
        if type(value).__name__ == "Decimal" and not value.is_finite():
            notes = {"type": "not finite"}  # frictionless reads NaN / inf as numbers; the contract does not
        if notes:
            value = None
        elif type(value).__name__ == "Decimal":
            value = float(value)
        values[i] = value
        notes_of[i] = notes or None
    return values, notes_of


def _plain_values(uniques: list[str], f: dict) -> tuple[np.ndarray, list[Any]]:
    """Which distinct values are plain decimal numbers within the field's bounds (:func:`_plain_value`),
    found for the whole column at once, and their values (Python ints / floats, as ``int()`` / ``float()``
    give them); integers beyond 2**53 are left to :func:`_plain_value`, so every bound compares exactly.
    For a string field, the strings its reader accepts as they are (:func:`_plain_strings`)."""
    c = f.get("constraints", {})
    if f["type"] == "string":
        return _plain_strings(uniques, f)
    plain = _PLAIN.get(f["type"])
    if plain is None or set(c) - _BOUNDS or not uniques:
        return np.zeros(len(uniques), dtype=bool), []
    mask = Joined(uniques).fullmatch(plain)
    nums = np.asarray(uniques, dtype=object)[mask].astype(np.int64 if f["type"] == "integer" else np.float64)
    ok = np.ones(len(nums), dtype=bool)
    if f["type"] == "integer":
        ok &= np.abs(nums) < 2 ** 53
    for key, holds in [("minimum", np.greater_equal), ("maximum", np.less_equal),
                       ("exclusiveMinimum", np.greater), ("exclusiveMaximum", np.less)]:
        if key in c:
            ok &= holds(nums, c[key])
    mask[mask] = ok
    return mask, nums[ok].astype(object).tolist()


@functools.lru_cache(maxsize=None)
def _frictionless_pattern(pattern: str) -> re.Pattern:
    """A ``pattern`` constraint as the frictionless reader compiles it (and applies it with ``match``)."""
    return re.compile("^{0}$".format(pattern))


def _plain_strings(uniques: list[str], f: dict) -> tuple[np.ndarray, list[str]]:
    """For a string field checked only for ``required`` and ``pattern`` (no format, no allowed values), the
    distinct values the frictionless reader accepts as they are: the non-empty ones its pattern matches,
    matched exactly as frictionless matches them, over the whole column at C speed (``map``)."""
    c = f.get("constraints", {})
    if f.get("format", "default") != "default" or set(c) - {"required", "pattern"}:
        return np.zeros(len(uniques), dtype=bool), []
    ok = np.fromiter(map(bool, uniques), dtype=bool, count=len(uniques))  # "" is a missing value
    if "pattern" in c:
        ok &= np.fromiter(map(bool, map(_frictionless_pattern(c["pattern"]).match, uniques)), dtype=bool,
                          count=len(uniques))
    return ok, [uniques[i] for i in np.flatnonzero(ok).tolist()]


def _cast_column(table: Table, name: str, reader: Any, f: dict, canon: dict[str, str] | None,
                 problems: list[Problem]) -> np.ndarray:
    """One contract column cast (an object array, None = missing or refused); a problem per refused cell
    and a warning per empty measurement."""
    k = table.index.get(name)
    n = len(table.rows)
    if k is None:  # a missing column is reported once, on the header line; every value is missing
        value, notes = reader("")
        out = np.empty(n, dtype=object)
        out[:] = None if notes else value
        return out
    codes, uniques = table.factorized(k)
    values, notes_of = _cast_distinct(uniques, reader, f, canon)
    vals = np.empty(len(values), dtype=object)
    vals[:] = values
    refused = np.array([nt is not None for nt in notes_of], dtype=bool)
    if f.get("measurement") and "" in uniques:
        for i in np.flatnonzero(codes == uniques.index("")).tolist():
            problems.append(Problem(table.file, table.lines[i], name, "", MISSING_MEASUREMENT, severity=WARNING))
    if refused.any():
        for i in np.flatnonzero(refused[codes]).tolist():
            raw, notes = uniques[codes[i]], notes_of[codes[i]]
            kind = next(iter(notes))
            msg = type_message(f, raw) if kind == "type" else constraint_message(f, kind, raw)
            problems.append(Problem(table.file, table.lines[i], name, raw, msg))
    return vals[codes]


def _duplicate_keys(table: Table, pk: list[str]) -> list[Problem]:
    """Rows whose primary key is already on an earlier line (rows with a missing key part are skipped)."""
    if not len(table.rows):
        return []
    frame = complete_rows(table, pk)
    dup = frame.duplicated(pk, keep=False)
    if not dup.any():
        return []
    frame = frame[dup]
    first = frame.groupby(pk, sort=False)["_line"].transform("first")
    rule = f"each ({', '.join(pk)}) must appear only once"
    problems = []
    for key, line, seen in zip(frame[pk].itertuples(index=False, name=None), frame["_line"], first):
        if line == seen:
            continue
        shown = ", ".join(f"{c}={fmt_num(v)}" for c, v in zip(pk, key))
        problems.append(Problem(table.file, int(line), pk[-1], fmt_num(key[-1]),
                                f"duplicate key ({shown}) already on line {int(seen)}; {rule}",
                                group=f"duplicate key; {rule}"))
    return problems


def validate_cells(table: Table, resource: dict) -> list[Problem]:
    """Enforce the Table Schema of one file with frictionless; fill ``table.typed``.

    Types, required values, allowed values, ranges and patterns are checked by the library's cell
    readers once per distinct value of a column (a column of a million cells with a thousand distinct
    values costs a thousand reads; plain numbers within bounds none); the primary key (unique key) of the
    schema is checked with pandas.
    """
    readers = _cell_readers(resource["name"])
    canon = canonical_spellings(resource["name"])
    fdesc = {f["name"]: f for f in resource["schema"]["fields"]}
    pk = resource["schema"].get("primaryKey") or []
    problems: list[Problem] = []
    cols = {name: _cast_column(table, name, reader, fdesc[name], canon.get(name), problems)
            for name, reader in readers.items()}
    table.set_typed(cols)
    if pk:
        problems += _duplicate_keys(table, pk)
    return problems
