"""Validate a dataset folder or Excel workbook against the contract (the README section "Your own data: the
dataset contract").

The contract is written once, as a Frictionless Data Package with a Table Schema per file:
``data/schema/datapackage.json`` (:data:`analysis.paths.SCHEMA`). Everything is driven by that file: the
columns, types, units, allowed values, ranges, primary and foreign keys, and the generated data dictionary
(:func:`analysis.data.dictionary.data_dictionary_markdown`).

Validation happens in layers, and every problem of every layer is collected:

1. files (:mod:`analysis.data.read`; :mod:`analysis.data.workbook` for the sheets of an ``.xlsx``): the three
   required CSV files exist (``progression.csv`` is optional with a warning, ``lesions.csv`` optional);
   each is UTF-8 text (a byte-order mark is fine), not empty, not binary (an ``.xlsx`` renamed),
   comma-separated (a semicolon / decimal-comma Excel export is recognised and explained); CRLF line ends
   and Excel's ``sep=,`` first line are fine; a row that cannot be read (wrong number of values, a stray
   quote) is reported once, and not again by the rules across files;
2. header (:mod:`analysis.data.read`): every required column is present (any order; extra columns are
   kept), no duplicates;
3. cells (:mod:`analysis.data.cells`): types, required values, allowed values, ranges and unique keys,
   enforced by the ``frictionless`` library with the bundled Table Schema (booleans in the spellings of the
   schema's ``trueValues`` / ``falseValues``, categories in any case where it says ``caseInsensitive``); the
   values its cell readers accept as they are are decided for a whole column by the readers' own rules,
   so frictionless is imported only when a value needs it; an empty measurement cell is a warning;
4. cross-table rules (:mod:`analysis.data.rules`): foreign keys to ``patients.csv``, ``tace_number``
   1..k in day order, ``start_day <= end_day``, tumour volume <= liver volume, group 1 <=>
   ``days_dx_to_liver_mets == 0``, and a few more (see :data:`analysis.data.rules.RULES`); and the
   missing-measurement warnings across files (no exam before / after the first TACE, no progression row);
5. identifier guard: no column may look like names, dates, record / phone numbers, e-mail or
   addresses (:mod:`analysis.data.identifiers`).

A dataset may ship its own ``datapackage.json``; it may add metadata (``name``, ``title``,
``description``, ``"synthetic": true``) but never weakens the contract: the bundled schema is
always the one enforced.

Each problem is reported as ``file:line: column: value: what is wrong`` where ``line`` is the
physical line of the CSV file (the header is line 1) or the Excel row (``study.xlsx[imaging]:7``); a warning
is prefixed ``warning:``; the same problem in many rows of one column is one line
(:func:`analysis.data.problems.group_problems`).
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

from analysis.data import identifiers, workbook
from analysis.data.cells import validate_cells
from analysis.data.problems import Problem, group_problems
from analysis.data.read import Table, read_table
from analysis.data.rules import cross_table_rules, foreign_keys
from analysis.data.schema import TABLES, read_datapackage, resources
from analysis.errors import UsageError

_ORDER = {f"{t}.csv": i for i, t in enumerate(TABLES)} | {f"[{t}]": i for i, t in enumerate(TABLES)}


def _identifier_problems(table: Table, resource: dict, known: dict[tuple[bool, bool], set[str]] | None = None,
                         refused: frozenset[tuple[int, str]] = frozenset()
                         ) -> tuple[list[Problem], set[tuple[int, str]]]:
    """Run the identifier guard on every column; return its problems and the (line, column) cells it refused.

    ``known``: (numeric, id_like) -> values already found harmless in the dataset (shared by its files).
    ``refused``: (line, column) cells already refused as identifiers while reading (an Excel date cell): a
    column finding made only of those cells is not said a second time."""
    known = {} if known is None else known
    fdesc = {f["name"]: f for f in resource["schema"]["fields"]}
    pk = set(resource["schema"].get("primaryKey") or [])
    problems, flagged = [], set()
    for name, k in table.index.items():
        f = fdesc.get(name)
        values = table.raw_column(k)
        numeric = f is not None and f["type"] in ("integer", "number")
        categorical = f is not None and (f["type"] == "boolean" or "enum" in f.get("constraints", {}))
        id_like = (name in pk and f is not None and f["type"] == "string") or name == "patient_id" or bool(
            re.search(r"(?:^|_)(?:id|no|num|number|code)$", name.lower()))
        finding = identifiers.scan_column(name, values, numeric=numeric, categorical=categorical,
                                          id_like=id_like, check_name=f is None, factors=table.factorized(k),
                                          known=None if numeric else known.setdefault((numeric, id_like), set()))
        if finding is None or all((table.lines[i], name) in refused for i in finding.rows):
            continue
        more = f" (and {finding.count - 1} more row{'s' * (finding.count != 2)})" if finding.count > 1 else ""
        line = table.lines[finding.index] if table.rows else 1
        problems.append(Problem(table.file, line, name, finding.value,
                                f"possible direct identifier, column refused: {finding.reason}{more}"))
        flagged.update((table.lines[i], name) for i in finding.rows)
    return problems, flagged


#: A dataset whose files add up to at least this many bytes reports its progress on stderr.
PROGRESS_BYTES = 5_000_000


def _progress(path: Path):
    """A function printing one progress line on stderr for a large dataset (silent for a small one)."""
    files = [path] if path.is_file() else [f for f in path.glob("*.csv") if f.is_file()]
    size = sum(f.stat().st_size for f in files)
    if size < PROGRESS_BYTES:
        return lambda message: None
    start = time.perf_counter()

    def say(message: str) -> None:
        print(f"validate: {time.perf_counter() - start:5.1f} s: {message}", file=sys.stderr, flush=True)

    say(f"{path}: {size / 1e6:.0f} MB to read")
    return say


def _sort_key(p: Problem):
    """Problems in file order (patients.csv first; a workbook's sheets likewise), then by line, column and
    message."""
    sheet = p.file[p.file.rfind("["):] if p.file.endswith("]") else p.file
    return (_ORDER.get(sheet, -1), p.file, -1 if p.line is None else p.line, p.column or "", p.message)


def _read_tables(path: Path) -> tuple[dict[str, Table | None], list[Problem], dict[str, bytes], dict, bool]:
    """The tables of a dataset folder or workbook as text (None = absent or unreadable), the problems of
    reading them, the bytes read (file name -> bytes), the metadata, and whether a lesions table exists."""
    res_by_name = resources()
    tables: dict[str, Table | None] = {}
    if workbook.is_workbook(path):
        sheets, problems = workbook.open_workbook(path)
        for name in TABLES if sheets or not problems else ():
            tables[name], probs = workbook.sheet_table(path, name, sheets.get(name), res_by_name[name])
            problems += probs
        return tables, problems, {path.name: path.read_bytes()}, {}, "lesions" in sheets
    meta, problems = read_datapackage(path)
    raw: dict[str, bytes] = {}
    for name in TABLES:
        res = res_by_name[name]
        tables[name], data, probs = read_table(path, res["path"], res)
        problems += probs
        if data is not None:
            raw[res["path"]] = data
    return tables, problems, raw, meta, (path / res_by_name["lesions"]["path"]).is_file()


def _check_path(path: Path) -> None:
    """A usage error unless ``path`` is a dataset folder or an Excel workbook file."""
    if not path.exists():
        raise UsageError(f"{path}: no such directory or workbook (expected a dataset folder with patients.csv "
                         "etc., or an Excel .xlsx workbook with one sheet per file)")
    if not path.is_dir() and not workbook.is_workbook(path):
        raise UsageError(f"{path}: not a directory or an .xlsx workbook (give the dataset folder or the workbook, "
                         "not one of its files)")


def check(path: Path) -> tuple[list[Problem], dict[str, Table], dict[str, bytes], dict]:
    """Every problem of a dataset folder or workbook (sorted, not grouped; errors and warnings), its tables
    as read, the bytes of each file, its metadata.

    Raises :class:`~analysis.errors.UsageError` when ``path`` is neither a directory nor an .xlsx file.
    """
    path = Path(path)
    _check_path(path)
    res_by_name = resources()
    say = _progress(path)
    read, problems, raw, meta, lesions_file = _read_tables(path)
    tables: dict[str, Table] = {}
    guarded: set[tuple[str, int, str]] = {(p.file, p.line, p.column) for p in problems
                                          if p.message.startswith("possible direct identifier")}
    known: dict[tuple[bool, bool], set[str]] = {}
    for name, table in read.items():
        if table is None:
            continue
        res = res_by_name[name]
        say(f"{table.file}: {len(table.rows):,} rows read; checking cells and identifiers")
        problems += validate_cells(table, res)
        refused = frozenset((line, col) for file, line, col in guarded if file == table.file)
        idp, flagged = _identifier_problems(table, res, known, refused)
        problems += idp
        guarded.update((table.file, line, col) for line, col in flagged)
        tables[name] = table
    say("checking the rules across files")
    problems += foreign_keys(tables, res_by_name)
    problems += cross_table_rules(tables, lesions_file=lesions_file)
    # a cell refused by the identifier guard gets that one message, not also "must be a whole number" etc.
    id_msgs = {id(p) for p in problems if p.message.startswith("possible direct identifier")}
    problems = [p for p in problems if id(p) in id_msgs or (p.file, p.line, p.column) not in guarded]
    problems = sorted(dict.fromkeys(problems), key=_sort_key)
    say(f"done: {len(problems):,} problem{'s' * (len(problems) != 1)}")
    return problems, tables, raw, meta


def validate_dir(path: Path | str) -> list[Problem]:
    """Check a dataset folder or workbook against the contract; return every problem, grouped.

    Parameters
    ----------
    path : Path or str
        The dataset folder (``patients.csv``, ``procedures.csv``, ``imaging.csv``, optionally
        ``progression.csv``, ``lesions.csv`` and ``datapackage.json``), or an Excel workbook (``.xlsx``)
        with one sheet per file.

    Returns
    -------
    list of Problem
        Every error and warning (``p.is_warning``), in file order (patients.csv first) then by line;
        ``str(p)`` is ``file:line: column: value: message`` (``warning:`` first for a warning); the same
        problem in several rows of one column is one grouped problem (:func:`~analysis.data.problems.group_problems`).
        No errors = the dataset is accepted; empty = valid without warnings.

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
    >>> for p in validate_dir(TESTS / "fixtures" / "mini"):  # two empty measurements: warnings
    ...     print(p.severity, p.file, p.line, p.column)
    warning patients.csv 7 sex
    warning procedures.csv 13 adverse_event_grade
    >>> import pathlib, shutil, tempfile
    >>> bad = pathlib.Path(tempfile.mkdtemp()) / "ds"
    >>> _ = shutil.copytree(TESTS / "fixtures" / "mini", bad)
    >>> (bad / "imaging.csv").unlink()
    >>> [str(p) for p in validate_dir(bad) if not p.is_warning]
    ['imaging.csv:-: -: -: required file is missing']
    >>> shutil.rmtree(bad.parent)
    """
    return group_problems(check(Path(path))[0])
