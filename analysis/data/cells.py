"""Cell checks of one file: cast every cell of the contract's columns with the ``frictionless`` cell
readers (types, required values, allowed values, ranges, patterns), check the unique key row by row, and
word each failure for a person fixing a spreadsheet.

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

from analysis.data.problems import WARNING, Problem, fmt_num
from analysis.data.read import Table
from analysis.data.schema import frictionless, is_required, resources

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


def _cast_row(table: Table, row: list[str], line: int, readers: dict[str, Any], fdesc: dict[str, dict],
              problems: list[Problem], canon: dict[str, dict[str, str]]) -> dict[str, Any]:
    """Cast one row's contract cells (None = missing or refused); append a problem per refused cell and a
    warning per empty measurement."""
    values: dict[str, Any] = {}
    for name, reader in readers.items():
        k = table.index.get(name)
        raw = "" if k is None else row[k]
        cell = raw
        if fdesc[name]["type"] == "integer" and _INTEGRAL_DECIMAL.fullmatch(raw):
            cell = raw.split(".")[0]  # "12.0" (pandas writes optional integer columns so) is the integer 12
        elif name in canon:
            cell = canon[name].get(raw.lower(), raw)  # "ct" -> "CT"
        if raw == "" and k is not None and fdesc[name].get("measurement"):
            problems.append(Problem(table.file, line, name, raw, MISSING_MEASUREMENT, severity=WARNING))
        value, notes = reader(cell)
        if type(value).__name__ == "Decimal" and not value.is_finite():
            notes = {"type": "not finite"}  # frictionless reads NaN / inf as numbers; the contract does not
        if notes:
            value = None
            if k is not None:  # a missing column is reported once, on the header line
                kind = next(iter(notes))
                msg = type_message(fdesc[name], raw) if kind == "type" else constraint_message(
                    fdesc[name], kind, raw)
                problems.append(Problem(table.file, line, name, raw, msg))
        elif type(value).__name__ == "Decimal":
            value = float(value)
        values[name] = value
    return values


def _duplicate_key(table: Table, line: int, pk: list[str], values: dict[str, Any],
                   seen: dict[tuple, int]) -> Problem | None:
    """A row whose primary key is already on an earlier line (rows with a missing key part are skipped)."""
    key = tuple(values.get(c) for c in pk)
    if not all(v is not None for v in key):
        return None
    if key in seen:
        shown = ", ".join(f"{c}={fmt_num(v)}" for c, v in zip(pk, key))
        rule = f"each ({', '.join(pk)}) must appear only once"
        return Problem(table.file, line, pk[-1], fmt_num(key[-1]),
                       f"duplicate key ({shown}) already on line {seen[key]}; {rule}",
                       group=f"duplicate key; {rule}")
    seen[key] = line
    return None


def validate_cells(table: Table, resource: dict) -> list[Problem]:
    """Enforce the Table Schema of one file with frictionless; fill ``table.typed``.

    Types, required values, allowed values, ranges and patterns are checked cell by cell by the
    library's readers; the primary key (unique key) of the schema is checked row by row here.
    """
    readers = _cell_readers(resource["name"])
    canon = canonical_spellings(resource["name"])
    fdesc = {f["name"]: f for f in resource["schema"]["fields"]}
    pk = resource["schema"].get("primaryKey") or []
    problems: list[Problem] = []
    typed: list[dict[str, Any]] = []
    seen: dict[tuple, int] = {}
    for row, line in zip(table.rows, table.lines):
        values = _cast_row(table, row, line, readers, fdesc, problems, canon)
        if pk:
            dup = _duplicate_key(table, line, pk, values, seen)
            if dup:
                problems.append(dup)
        typed.append(values)
    table.typed = typed
    return problems
