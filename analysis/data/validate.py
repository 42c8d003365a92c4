"""Validate a dataset folder against the contract (the README section "Your own data: the dataset
contract").

The contract is written once, as a Frictionless Data Package with a Table Schema per file:
``data/schema/datapackage.json`` (:data:`analysis.paths.SCHEMA`). Everything is driven by that file: the
columns, types, units, allowed values, ranges, primary and foreign keys, and the generated data dictionary
(:func:`analysis.data.dictionary.data_dictionary_markdown`).

Validation happens in layers, and every problem of every layer is collected:

1. files (:mod:`analysis.data.read`): the four required CSV files exist (``lesions.csv`` is optional);
   each is UTF-8 text (a byte-order mark is fine), not empty, not binary (an ``.xlsx`` renamed),
   comma-separated (a semicolon / decimal-comma Excel export is recognised and explained); CRLF line ends
   and Excel's ``sep=,`` first line are fine; a row that cannot be read (wrong number of values, a stray
   quote) is reported once, and not again by the rules across files;
2. header (:mod:`analysis.data.read`): every required column is present (any order; extra columns are
   kept), no duplicates;
3. cells (:mod:`analysis.data.cells`): types, required values, allowed values, ranges and unique keys,
   enforced by the ``frictionless`` library with the bundled Table Schema (booleans are spelled ``true`` /
   ``false`` exactly, as the schema's ``trueValues`` / ``falseValues`` say);
4. cross-table rules (:mod:`analysis.data.rules`): foreign keys to ``patients.csv``, ``tace_number``
   1..k in day order, an exam before and after the first TACE, ``start_day <= end_day``, tumour volume <=
   liver volume, group 1 <=> ``days_dx_to_liver_mets == 0``, and a few more (see
   :data:`analysis.data.rules.RULES`);
5. identifier guard: no column may look like names, dates, record / phone numbers, e-mail or
   addresses (:mod:`analysis.data.identifiers`).

A dataset may ship its own ``datapackage.json``; it may add metadata (``name``, ``title``,
``description``, ``"synthetic": true``) but never weakens the contract: the bundled schema is
always the one enforced.

Each problem is reported as ``file:line: column: value: what is wrong`` where ``line`` is the
physical line of the CSV file (the header is line 1).
"""

from __future__ import annotations

import re
from pathlib import Path

from analysis.data import identifiers
from analysis.data.cells import validate_cells
from analysis.data.problems import Problem
from analysis.data.read import Table, read_table
from analysis.data.rules import cross_table_rules, cross_table_warnings, foreign_keys
from analysis.data.schema import TABLES, read_datapackage, resources
from analysis.errors import UsageError

_ORDER = {f"{t}.csv": i for i, t in enumerate(TABLES)}


def _identifier_problems(table: Table, resource: dict) -> tuple[list[Problem], set[tuple[int, str]]]:
    """Run the identifier guard on every column; return its problems and the (line, column) cells it refused."""
    fdesc = {f["name"]: f for f in resource["schema"]["fields"]}
    pk = set(resource["schema"].get("primaryKey") or [])
    problems, flagged = [], set()
    for name, k in table.index.items():
        f = fdesc.get(name)
        values = [r[k] for r in table.rows]
        numeric = f is not None and f["type"] in ("integer", "number")
        categorical = f is not None and (f["type"] == "boolean" or "enum" in f.get("constraints", {}))
        id_like = (name in pk and f is not None and f["type"] == "string") or name == "patient_id" or bool(
            re.search(r"(?:^|_)(?:id|no|num|number|code)$", name.lower()))
        finding = identifiers.scan_column(name, values, numeric=numeric, categorical=categorical,
                                          id_like=id_like, check_name=f is None)
        if finding is None:
            continue
        more = f" (and {finding.count - 1} more row{'s' * (finding.count != 2)})" if finding.count > 1 else ""
        line = table.lines[finding.index] if table.rows else 1
        problems.append(Problem(table.file, line, name, finding.value,
                                f"possible direct identifier, column refused: {finding.reason}{more}"))
        flagged.update((table.lines[i], name) for i in finding.rows)
    return problems, flagged


def _sort_key(p: Problem):
    """Problems in file order (patients.csv first), then by line, column and message."""
    return (_ORDER.get(p.file, -1), p.file, -1 if p.line is None else p.line, p.column or "", p.message)


def check(path: Path) -> tuple[list[Problem], dict[str, Table], dict[str, bytes], dict]:
    """Every problem of a dataset folder (sorted), its tables as read, the bytes of each file, its metadata.

    Raises :class:`~analysis.errors.UsageError` when ``path`` is not a directory.
    """
    path = Path(path)
    if not path.exists():
        raise UsageError(f"{path}: no such directory (expected a dataset folder with patients.csv etc.)")
    if not path.is_dir():
        raise UsageError(f"{path}: not a directory (give the dataset folder, not a file)")
    res_by_name = resources()
    meta, problems = read_datapackage(path)
    tables: dict[str, Table] = {}
    raw: dict[str, bytes] = {}
    guarded: set[tuple[str, int, str]] = set()
    for name in TABLES:
        res = res_by_name[name]
        table, data, probs = read_table(path, res["path"], res)
        problems += probs
        if data is not None:
            raw[res["path"]] = data
        if table is None:
            continue
        problems += validate_cells(table, res)
        idp, flagged = _identifier_problems(table, res)
        problems += idp
        guarded.update((table.file, line, col) for line, col in flagged)
        tables[name] = table
    problems += foreign_keys(tables, res_by_name)
    problems += cross_table_rules(tables, lesions_file=(path / res_by_name["lesions"]["path"]).is_file())
    # a cell refused by the identifier guard gets that one message, not also "must be a whole number" etc.
    id_msgs = {id(p) for p in problems if p.message.startswith("possible direct identifier")}
    problems = [p for p in problems if id(p) in id_msgs or (p.file, p.line, p.column) not in guarded]
    problems = sorted(dict.fromkeys(problems), key=_sort_key)
    return problems, tables, raw, meta


def validate_dir(path: Path | str) -> list[Problem]:
    """Check a dataset folder against the contract; return every problem (empty list = valid).

    Parameters
    ----------
    path : Path or str
        The dataset folder (``patients.csv``, ``procedures.csv``, ``imaging.csv``, ``progression.csv``,
        optionally ``lesions.csv`` and ``datapackage.json``).

    Returns
    -------
    list of Problem
        Every problem found, in file order (patients.csv first) then by line; ``str(p)`` is
        ``file:line: column: value: message``. Empty when the dataset is valid.

    Raises
    ------
    analysis.errors.UsageError
        When ``path`` does not exist or is not a directory.

    References
    ----------
    The README section "Your own data: the dataset contract"; ``data/schema/datapackage.json`` (a
    Frictionless Data Package, https://specs.frictionlessdata.io/table-schema/).

    Examples
    --------
    >>> from analysis.paths import TESTS
    >>> validate_dir(TESTS / "fixtures" / "mini")
    []
    >>> import pathlib, shutil, tempfile
    >>> bad = pathlib.Path(tempfile.mkdtemp()) / "ds"
    >>> _ = shutil.copytree(TESTS / "fixtures" / "mini", bad)
    >>> (bad / "progression.csv").unlink()
    >>> [str(p) for p in validate_dir(bad)]
    ['progression.csv:-: -: -: required file is missing']
    >>> shutil.rmtree(bad.parent)
    """
    return check(Path(path))[0]


def warnings_dir(path: Path | str) -> list[Problem]:
    """The warnings of a dataset folder: accepted, but reported (RECIST 1.1 baseline rules).

    A baseline target lesion that is not measurable (evaluated as non-target) and a baseline exam
    more than 28 days before the first TACE (:mod:`analysis.data.lesion_rules`).

    Parameters
    ----------
    path : Path or str
        The dataset folder.

    Returns
    -------
    list of Problem
        In file order then by line; empty when there is nothing to report.

    References
    ----------
    Eisenhauer EA et al. Eur J Cancer 2009;45:228-47, sections 3.1-3.3 (RECIST 1.1).

    Examples
    --------
    >>> from analysis.paths import TESTS
    >>> [str(w) for w in warnings_dir(TESTS / "fixtures" / "mini")][:1]
    []
    """
    path = Path(path)
    _, tables, _, _ = check(path)
    found = cross_table_warnings(tables, lesions_file=(path / "lesions.csv").is_file())
    return sorted(dict.fromkeys(found), key=_sort_key)
