"""Load and validate a dataset folder against the contract of DESIGN §3.

The contract is written once, as a Frictionless Data Package with a Table Schema per file:
``data/schema/datapackage.json`` (:data:`analysis.paths.SCHEMA`). Everything here is driven by
that file: the columns, types, units, allowed values, ranges, primary and foreign keys, and the
generated data dictionary (:func:`data_dictionary_markdown`).

Validation happens in layers, and every problem of every layer is collected:

1. files: the four required CSV files exist (``lesions.csv`` is optional); each is UTF-8 text
   (a byte-order mark is fine), not empty, not binary (an ``.xlsx`` renamed), comma-separated
   (a semicolon / decimal-comma Excel export is recognised and explained); CRLF line ends and Excel's
   ``sep=,`` first line are fine; a row that cannot be read (wrong number of values, a stray quote) is
   reported once, and not again by the rules across files;
2. header: every required column is present (any order; extra columns are kept), no duplicates;
3. cells: types, required values, allowed values, ranges and unique keys, enforced by the
   ``frictionless`` library with the bundled Table Schema (booleans are spelled ``true`` /
   ``false`` exactly, as the schema's ``trueValues`` / ``falseValues`` say);
4. cross-table rules: foreign keys to ``patients.csv``, ``tace_number`` 1..k in day order, an
   exam before and after the first TACE, ``start_day <= end_day``, tumour volume <= liver volume,
   group 1 <=> ``days_dx_to_liver_mets == 0``, and a few more (see :func:`_cross_table_rules`);
5. identifier guard: no column may look like names, dates, record / phone numbers, e-mail or
   addresses (:mod:`analysis.data.identifiers`).

A dataset may ship its own ``datapackage.json``; it may add metadata (``name``, ``title``,
``description``, ``"synthetic": true``) but never weakens the contract: the bundled schema is
always the one enforced.

Each problem is reported as ``file:line: column: value: what is wrong`` where ``line`` is the
physical line of the CSV file (the header is line 1).
"""

from __future__ import annotations

import copy
import csv
import functools
import hashlib
import io
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis import paths
from analysis.data import identifiers
from analysis.errors import UsageError, UserError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

TABLES = ("patients", "procedures", "imaging", "progression", "lesions")
DATAPACKAGE = "datapackage.json"
_MAX_VALUE_SHOWN = 40


# ----------------------------------------------------------------------------- public types

@dataclass(frozen=True)
class Problem:
    """One way a dataset breaks the contract. ``str(p)`` = ``file:line: column: value: message``.

    ``line`` is the physical line number in the file (header = 1), or None for a problem with the
    whole file; ``column`` and ``value`` are None when they do not apply (printed as ``-``).
    """

    file: str
    line: int | None
    column: str | None
    value: str | None
    message: str

    def __str__(self) -> str:
        line = "-" if self.line is None else str(self.line)
        column = self.column if self.column else "-"
        if self.value is None:
            value = "-"
        elif self.value == "":
            value = "(empty)"
        else:
            value = self.value.replace("\r", "\\r").replace("\n", "\\n")
            if len(value) > _MAX_VALUE_SHOWN:
                value = value[: _MAX_VALUE_SHOWN - 3] + "..."
        return f"{self.file}:{line}: {column}: {value}: {self.message}"


class DatasetInvalid(UserError):
    """The dataset breaks the contract; ``.problems`` lists every problem found."""

    def __init__(self, path: Path, problems: list[Problem]):
        self.path = Path(path)
        self.problems = list(problems)
        n = len(self.problems)
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"{path}: the dataset is invalid ({n} problem{'s' * (n != 1)}); nothing was computed:\n"
                         f"{lines}")


@dataclass
class Dataset:
    """A validated dataset: one typed DataFrame per file (see the data dictionary for the columns).

    Integers are ``int64`` (``Int64`` where the column is optional), numbers ``float64``, booleans
    ``bool`` (``boolean`` where optional), codes ``str`` (object dtype), ``group`` is 1 or 2.
    Extra columns of the files are kept, as text, after the contract's columns.
    """

    name: str
    path: Path
    patients: pd.DataFrame
    procedures: pd.DataFrame
    imaging: pd.DataFrame
    progression: pd.DataFrame
    lesions: pd.DataFrame | None
    sha256: dict[str, str] = field(default_factory=dict)
    is_synthetic: bool = False


# ----------------------------------------------------------------------------- schema

@functools.lru_cache(maxsize=1)
def _schema_text() -> str:
    return paths.SCHEMA.read_text(encoding="utf-8")


def load_schema() -> dict:
    """The bundled contract (``data/schema/datapackage.json``) as a dict (a fresh copy)."""
    return json.loads(_schema_text())


def _resources() -> dict[str, dict]:
    return {r["name"]: r for r in load_schema()["resources"]}


def _is_required(f: dict) -> bool:
    return bool(f.get("constraints", {}).get("required"))


def _frictionless():
    """Import frictionless quickly.

    frictionless checks its own metadata with ``jsonschema``, whose import also loads the
    optional ``rfc3987_syntax`` package when present; that one compiles an Earley grammar at
    import (~3 s) only to check the "iri" string format, which nothing here uses. We import
    ``jsonschema`` once with that optional module hidden (jsonschema then simply skips the "iri"
    format checker), which keeps ``validate`` well under a second.
    """
    if "jsonschema" not in sys.modules and "rfc3987_syntax" not in sys.modules:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # makes its import fail
        try:
            import jsonschema  # noqa: F401
        except ImportError:  # pragma: no cover
            pass
        finally:
            del sys.modules["rfc3987_syntax"]
    import frictionless

    return frictionless


# ----------------------------------------------------------------------------- reading files

@dataclass
class _Table:
    """A CSV file read as text: header and data rows (aligned to the header), physical lines."""

    file: str
    header: list[str]
    rows: list[list[str]]
    lines: list[int]
    index: dict[str, int]  # column name -> position
    typed: list[dict[str, Any]] = field(default_factory=list)  # contract columns, cast (None = missing/bad)
    broken: list[list[str]] = field(default_factory=list)  # raw cells of rows that could not be read (reported)

    def column(self, name: str) -> list[str]:
        k = self.index.get(name)
        return ["" if k is None else r[k] for r in self.rows]


_BINARY_SIGNATURES = [
    (b"PK\x03\x04", "a ZIP archive, most likely an Excel workbook (.xlsx) renamed to .csv"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel workbook (.xls) renamed to .csv"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"SQLite format 3", "an SQLite database"),
]
_SAVE_AS_CSV = ("open it in Excel or LibreOffice and save it as 'CSV UTF-8 (comma delimited)', "
                "one file per table")


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _guess_single_byte_encoding(data: bytes) -> str:
    """Name the single-byte encoding a non-UTF-8 file most likely uses."""
    high = [i for i, b in enumerate(data) if b >= 0x80]
    if not high:  # pragma: no cover - only called when UTF-8 decoding failed
        return "an unknown encoding"
    # Cyrillic text has runs of high bytes (whole words); Western European text has isolated ones (é, ü).
    in_runs = sum(1 for i in high if (i + 1 < len(data) and data[i + 1] >= 0x80) or (i > 0 and data[i - 1] >= 0x80))
    cyr_letters = sum(1 for i in high if 0xC0 <= data[i] <= 0xFF or data[i] in (0xA8, 0xB8))
    if in_runs >= 0.6 * len(high) and cyr_letters >= 0.6 * len(high):
        return "cp1251 (Windows Cyrillic)"
    return "cp1252 / latin-1 (Windows Western European)"


def _decode(fname: str, data: bytes) -> tuple[str | None, list[Problem]]:
    """Bytes -> text, or a problem saying what the file looks like and how to fix it."""
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        return None, [Problem(fname, None, None, None,
                              "the file is empty; it needs a header row and at least one data row "
                              "(see data/DATA_DICTIONARY.md)")]
    for sig, what in _BINARY_SIGNATURES:
        if data.startswith(sig):
            return None, [Problem(fname, None, None, None,
                                  f"this is not a CSV text file but {what}; {_SAVE_AS_CSV}")]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(data) >= 4 and data[1:4:2] == b"\x00\x00"
                                                        and data[0:3:2] != b"\x00\x00"):
        return None, [Problem(fname, None, None, None,
                              "the file is UTF-16 text (Excel 'Unicode text' export), not UTF-8; "
                              "save it as 'CSV UTF-8 (comma delimited)' or convert it, e.g. "
                              f"`iconv -f UTF-16 -t UTF-8 {fname} > {fname}.utf8`")]
    if b"\x00" in data[:65536]:
        return None, [Problem(fname, _line_of(data, data.index(b"\x00")), None, None,
                              f"this is a binary file (it contains NUL bytes), not CSV text; {_SAVE_AS_CSV}")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        enc = _guess_single_byte_encoding(data)
        code = enc.split()[0].split("/")[0].strip()
        bad = data[exc.start]
        return None, [Problem(fname, _line_of(data, exc.start), None, f"byte 0x{bad:02X}",
                              f"the file is not UTF-8; it looks like {enc}. Convert it to UTF-8, e.g. "
                              f"`iconv -f {code} -t UTF-8 {fname} > {fname}.utf8` (then rename), or in Excel "
                              "save as 'CSV UTF-8 (comma delimited)'")]
    return text, []


def _sniff_separator(fname: str, text: str) -> Problem | None:
    """Refuse semicolon- or tab-separated files with an explanation (the contract is comma-separated)."""
    first = text.lstrip("\r\n").splitlines()[0] if text.strip() else ""
    commas, semis, tabs = first.count(","), first.count(";"), first.count("\t")
    if semis > commas and semis >= 1:
        decimal_comma = re.search(r"(?:^|;)\s*-?\d+,\d+\s*(?:;|$)", text, re.M) is not None
        if decimal_comma:
            msg = ("looks like a semicolon-separated file with decimal commas (European Excel export); "
                   "save as CSV with commas and a dot decimal separator")
        else:
            msg = ("looks like a semicolon-separated file (European Excel export); "
                   "save as CSV with commas as the separator")
        return Problem(fname, 1, None, None, msg)
    if tabs > commas and tabs >= 1:
        return Problem(fname, 1, None, None,
                       "looks like a tab-separated file; save as CSV with commas as the separator")
    return None


def _read_table(directory: Path, fname: str, resource: dict) -> tuple[_Table | None, bytes | None, list[Problem]]:
    path = directory / fname
    if not path.is_file():
        if not resource.get("requiredFile", True):
            return None, None, []
        present = sorted(p.name for p in directory.iterdir() if p.is_file()) if directory.is_dir() else []
        hint = ""
        stem = Path(fname).stem.lower()
        near = [p for p in present if Path(p).stem.lower() == stem]
        if near:
            hint = f" (found {', '.join(near)}: the name must be exactly {fname}, lower case, a .csv file)"
        return None, None, [Problem(fname, None, None, None, f"required file is missing{hint}")]
    data = path.read_bytes()
    text, problems = _decode(fname, data)
    if text is None:
        if not resource.get("requiredFile", True) and problems[0].message.startswith("the file is empty"):
            problems = [Problem(fname, None, None, None,
                                f"the file is empty; delete {fname} if there are no data for it (it is optional)")]
        return None, data, problems
    sep = _sniff_separator(fname, text)
    if sep:
        return None, data, [sep]

    problems = []
    physical = list(io.StringIO(text, newline=""))  # the physical lines, as csv.reader counts them
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    broken: list[list[str]] = []
    resume: int | None = 0  # index of the physical line the reader (re)starts at
    while resume is not None:
        offset, resume = resume, None
        reader = csv.reader(iter(physical[offset:]), strict=False)
        start = offset + 1
        for rec in reader:
            line = start
            start = offset + reader.line_num + 1
            if header is None:
                if not rec or not any(c.strip() for c in rec):
                    continue  # blank lines before the header
                if rec == ["sep=", ""] and physical[line - 1].rstrip("\r\n") == "sep=,":
                    continue  # Excel's separator directive line ("sep=,"): not data
                header_line = line
                header = [c.strip() for c in rec]
                continue
            if not rec or not any(c.strip() for c in rec):
                continue  # a blank line, or a row of empty cells (spreadsheet padding)
            if len(rec) > len(header) and not any(c.strip() for c in rec[len(header):]):
                rec = rec[: len(header)]  # trailing empty cells
            if len(rec) != len(header) and start - 1 > line and '"' in physical[line - 1]:
                # a stray double quote swallowed the following lines: report it, re-read from the next line
                problems.append(Problem(fname, line, None, None,
                                        f'a double quote (") on this line opens a quoted value that runs on to '
                                        f"line {start - 1}, so those lines were read as one value; remove the "
                                        "stray quote or close it"))
                broken.append(next(csv.reader([physical[line - 1]], quoting=csv.QUOTE_NONE), []))
                resume = line
                break
            if len(rec) != len(header):
                problems.append(Problem(fname, line, None, None,
                                        f"has {len(rec)} values but the header has {len(header)} columns "
                                        "(a missing or stray comma? quote values that contain commas)"))
                broken.append(rec)
                continue
            rows.append([c.strip() for c in rec])
            lines.append(line)
    assert header is not None  # the text is not blank

    # header
    fields = resource["schema"]["fields"]
    index: dict[str, int] = {}
    for k, name in enumerate(header):
        if name == "":
            if any(r[k] for r in rows):
                hint = ""
                if [r[k] for r in rows] in ([str(i) for i in range(1, len(rows) + 1)],
                                            [str(i) for i in range(len(rows))]):
                    hint = ("; these look like row numbers written by R write.csv() or pandas to_csv(): "
                            "export with row.names = FALSE / index=False, or delete the column")
                problems.append(Problem(fname, header_line, f"column {k + 1}", None,
                                        "this column has values but no name in the header" + hint))
            continue
        if name in index:
            problems.append(Problem(fname, header_line, name, None,
                                    f"column appears more than once (columns {index[name] + 1} and {k + 1})"))
            continue
        index[name] = k
    lower = {n.lower(): n for n in index}
    for f in fields:
        if f["name"] in index or not _is_required(f):
            continue
        hint = ""
        other = lower.get(f["name"].lower())
        if other:
            hint = f" (found '{other}': column names are lower case, exactly as in the data dictionary)"
        problems.append(Problem(fname, header_line, f["name"], None, f"required column is missing{hint}"))
    if not rows and not problems:
        problems.append(Problem(fname, None, None, None, "the file has a header but no data rows"
                                + (" (delete lesions.csv if there are no lesion data)" if fname == "lesions.csv"
                                   else "")))
    return _Table(fname, header, rows, lines, index, broken=broken), data, problems


# ----------------------------------------------------------------------------- cell validation (frictionless)

def _fmt_num(x: Any) -> str:
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def _constraint_message(f: dict, name: str, value: str) -> str:
    c = f.get("constraints", {})
    unit = f" {f['unit']}" if f.get("unit") else ""
    if name == "required":
        return "required value is missing"
    if name == "enum":
        allowed = ", ".join(_fmt_num(a) for a in c["enum"])
        near = [a for a in c["enum"] if str(a).lower() == value.strip().lower()]
        hint = f" (values are case-sensitive: write {near[0]})" if near else ""
        if value.strip().lower() in _MISSING_WORDS:
            hint = _EMPTY_HINT if not _is_required(f) else ""
        return f"must be one of: {allowed}{hint}"
    if name == "minimum":
        return f"must be >= {_fmt_num(c['minimum'])}{unit}"
    if name == "maximum":
        return f"must be <= {_fmt_num(c['maximum'])}{unit}"
    if name == "exclusiveMinimum":
        return f"must be > {_fmt_num(c['exclusiveMinimum'])}{unit}"
    if name == "exclusiveMaximum":
        return f"must be < {_fmt_num(c['exclusiveMaximum'])}{unit}"
    if name == "pattern":
        return f"must be {f['patternHint']}" if f.get("patternHint") else f"must match the pattern {c['pattern']}"
    return f"breaks the constraint {name} = {c.get(name)!r}"  # pragma: no cover - no other constraint in the schema


_MISSING_WORDS = {"na", "n/a", "nan", "null", "none", "missing", "-", "--", "?", ".", "nd", "inf", "-inf", "+inf",
                  "infinity"}
_EMPTY_HINT = "; leave the cell empty for a missing value"


def _type_message(f: dict, value: str) -> str:
    msg = _type_message_core(f, value)
    return msg + _EMPTY_HINT if value.strip().lower() in _MISSING_WORDS else msg


def _type_message_core(f: dict, value: str) -> str:
    t = f["type"]
    if t == "integer":
        return "must be a whole number (e.g. 12 or -3)"
    if t == "number":
        if re.fullmatch(r"-?\d*,\d+", value):
            return "must be a number with a dot as the decimal separator (e.g. 12.5, not 12,5)"
        return "must be a number (e.g. 12.5)"
    if t == "boolean":
        return "must be true or false, written exactly so in lower case (yes/no, 1/0, TRUE/FALSE are not accepted)"
    return f"must be of type {t}"  # pragma: no cover


_INTEGRAL_DECIMAL = re.compile(r"[+-]?\d+\.0*")


@functools.lru_cache(maxsize=None)
def _cell_readers(resource_name: str) -> dict[str, Any]:
    """frictionless cell readers (type cast + constraint checks) for each field of one file's schema.

    ``Field.create_cell_reader()`` is what a frictionless ``Resource`` applies to every cell; using it
    directly skips the per-open copying and re-validation of the schema metadata, which cost far
    more than the cells themselves on files of this size.
    """
    fl = _frictionless()
    desc = copy.deepcopy(_resources()[resource_name]["schema"])
    desc.pop("foreignKeys", None)  # checked across files by _foreign_keys
    schema = fl.Schema.metadata_import(desc)  # the bundled schema itself is checked by a test, not per run
    return {f.name: f.create_cell_reader() for f in schema.fields}


def _validate_cells(table: _Table, resource: dict) -> list[Problem]:
    """Enforce the Table Schema of one file with frictionless; fill ``table.typed``.

    Types, required values, allowed values, ranges and patterns are checked cell by cell by the
    library's readers; the primary key (unique key) of the schema is checked row by row here.
    """
    readers = _cell_readers(resource["name"])
    fdesc = {f["name"]: f for f in resource["schema"]["fields"]}
    pk = resource["schema"].get("primaryKey") or []
    problems: list[Problem] = []
    typed: list[dict[str, Any]] = []
    seen: dict[tuple, int] = {}
    for row, line in zip(table.rows, table.lines):
        values: dict[str, Any] = {}
        for name, reader in readers.items():
            k = table.index.get(name)
            raw = "" if k is None else row[k]
            cell = raw
            if fdesc[name]["type"] == "integer" and _INTEGRAL_DECIMAL.fullmatch(raw):
                cell = raw.split(".")[0]  # "12.0" (pandas writes optional integer columns so) is the integer 12
            value, notes = reader(cell)
            if type(value).__name__ == "Decimal" and not value.is_finite():
                notes = {"type": "not finite"}  # frictionless reads NaN / inf as numbers; the contract does not
            if notes:
                value = None
                if k is not None:  # a missing column is reported once, on the header line
                    kind = next(iter(notes))
                    msg = _type_message(fdesc[name], raw) if kind == "type" else _constraint_message(
                        fdesc[name], kind, raw)
                    problems.append(Problem(table.file, line, name, raw, msg))
            elif type(value).__name__ == "Decimal":
                value = float(value)
            values[name] = value
        if pk:
            key = tuple(values.get(c) for c in pk)
            if all(v is not None for v in key):
                if key in seen:
                    shown = ", ".join(f"{c}={_fmt_num(v)}" for c, v in zip(pk, key))
                    problems.append(Problem(
                        table.file, line, pk[-1], _fmt_num(key[-1]),
                        f"duplicate key ({shown}) already on line {seen[key]}; "
                        f"each ({', '.join(pk)}) must appear only once"))
                else:
                    seen[key] = line
        typed.append(values)
    table.typed = typed
    return problems


# ----------------------------------------------------------------------------- cross-table rules

def _broken_keys(table: _Table, columns: list[str]) -> set[tuple[str, ...]]:
    """Best-effort keys (raw text) of the rows of ``table`` that could not be read (already reported)."""
    pos = [table.index.get(c) for c in columns]
    return {tuple(rec[k].strip().strip('"').strip() for k in pos) for rec in table.broken
            if all(k is not None and k < len(rec) for k in pos)}


def _unsure_patients(table: _Table | None, columns: tuple[str, ...] = ("patient_id", "day")) -> set[str] | None:
    """Patients whose rows in ``table`` are not all readable (a problem already reported), or None when
    ``table`` lacks one of ``columns`` (a missing column is reported once): rules that need every row of a
    patient are not checked for them, so that one mistake is not reported again as a missing exam."""
    if table is None or any(c not in table.index for c in columns):
        return None
    unsure = {k[0] for k in _broken_keys(table, ["patient_id"])}
    unsure |= {r["patient_id"] for r in table.typed
               if r.get("patient_id") is not None and any(r.get(c) is None for c in columns)}
    return unsure


def _foreign_keys(tables: dict[str, _Table], resources: dict[str, dict]) -> list[Problem]:
    problems = []
    for name, res in resources.items():
        t = tables.get(name)
        for fk in res["schema"].get("foreignKeys", []):
            ref = fk["reference"]
            target = tables.get(ref["resource"])
            if t is None or target is None:
                continue
            if any(c not in target.index for c in ref["fields"]):
                continue  # the missing column is reported once; not every row as a broken reference
            keys = {tuple(r.get(c) for c in ref["fields"]) for r in target.typed}
            # keys of rows of the target that could not be read (already reported) are not reported again
            keys |= _broken_keys(target, ref["fields"])
            for r, line in zip(t.typed, t.lines):
                key = tuple(r.get(c) for c in fk["fields"])
                if any(v is None for v in key) or key in keys:
                    continue
                col = fk["fields"][0]
                problems.append(Problem(t.file, line, col, ", ".join(map(str, key)),
                                        f"not in {target.file} (every {', '.join(fk['fields'])} must be a "
                                        f"{', '.join(ref['fields'])} of {target.file})"))
    return problems


def _cross_table_rules(tables: dict[str, _Table], lesions_file: bool = False) -> list[Problem]:
    """Rules that involve several rows or files (DESIGN §3, issue 2 item 6).

    ``lesions_file``: a lesions.csv exists (even if it could not be read).
    """
    P = []  # noqa: N806
    pat = tables.get("patients")
    proc = tables.get("procedures")
    img = tables.get("imaging")
    prog = tables.get("progression")
    les = tables.get("lesions")

    # patients: group 1 <=> liver metastases at diagnosis (0 days)
    if pat is not None:
        for r, line in zip(pat.typed, pat.lines):
            g, d = r.get("group"), r.get("days_dx_to_liver_mets")
            if g == 1 and d is not None and d != 0:
                P.append(Problem(pat.file, line, "days_dx_to_liver_mets", str(d),
                                 "must be 0 for group 1 (liver metastases present when the primary was found)"))
            elif g == 2 and d == 0:
                P.append(Problem(pat.file, line, "days_dx_to_liver_mets", str(d),
                                 "must be > 0 for group 2 (liver metastases appeared later); or is the group wrong?"))

    # procedures: bead sizes; tace_number 1..k in day order
    first_tace: dict[str, tuple[int, int]] = {}  # patient -> (day, line)
    proc_unsure = _unsure_patients(proc, ("patient_id", "tace_number", "day"))
    if proc is not None:
        by_patient: dict[str, list[tuple[int, int, int]]] = {}
        for r, line in zip(proc.typed, proc.lines):
            lo, hi = r.get("bead_min_um"), r.get("bead_max_um")
            if lo is not None and hi is not None and lo > hi:
                P.append(Problem(proc.file, line, "bead_max_um", str(hi), f"smaller than bead_min_um ({lo})"))
            pid, n, day = r.get("patient_id"), r.get("tace_number"), r.get("day")
            if pid is None or n is None or day is None:
                continue
            by_patient.setdefault(pid, []).append((n, day, line))
            if pid not in first_tace or day < first_tace[pid][0]:
                first_tace[pid] = (day, line)
        for pid, items in by_patient.items():
            if pid in (proc_unsure or ()):
                continue  # a row of this patient could not be read (reported): its TACE numbers are incomplete
            items.sort()
            numbers = sorted({n for n, _, _ in items})
            if numbers != list(range(1, len(numbers) + 1)):
                expected = 1
                for n, _, line in items:
                    if n != expected:
                        P.append(Problem(proc.file, line, "tace_number", str(n),
                                         f"tace_number of patient {pid} must run 1, 2, 3, ... without gaps "
                                         f"(found {', '.join(map(str, numbers))}; expected {expected} here)"))
                        break
                    expected += 1
            seen: set[int] = set()
            prev = None
            for n, day, line in items:
                if n in seen:
                    continue  # duplicate numbers are reported as duplicate keys
                seen.add(n)
                if prev is not None and day <= prev[1]:
                    P.append(Problem(proc.file, line, "day", str(day),
                                     f"TACE {n} of patient {pid} is not after TACE {prev[0]} (day {prev[1]}, line "
                                     f"{prev[2]}); tace_number must follow the order of the days"))
                prev = (n, day, line)

    if pat is not None and proc_unsure is not None:
        for r, line in zip(pat.typed, pat.lines):
            pid = r.get("patient_id")
            if pid is None or pid in proc_unsure:
                continue
            if pid not in first_tace and not any(x.get("patient_id") == pid for x in proc.typed):
                P.append(Problem(pat.file, line, "patient_id", pid, "this patient has no TACE in procedures.csv"))

    # imaging: volumes; an exam before and after the first TACE; RECIST sums
    if img is not None:
        exams: dict[str, list[tuple[int, int]]] = {}
        for r, line in zip(img.typed, img.lines):
            tv, lv = r.get("tumor_volume_cm3"), r.get("liver_volume_cm3")
            if tv is not None and lv is not None and tv > lv:
                P.append(Problem(img.file, line, "tumor_volume_cm3", _fmt_num(tv),
                                 f"larger than liver_volume_cm3 ({_fmt_num(lv)}) of the same exam"))
            if r.get("patient_id") is not None and r.get("day") is not None:
                exams.setdefault(r["patient_id"], []).append((r["day"], line))
        img_unsure = _unsure_patients(img)
        if proc_unsure is not None and img_unsure is not None:
            patient_ids = ([r.get("patient_id") for r in pat.typed if r.get("patient_id") is not None]
                           if pat is not None else list(first_tace))
            for pid in patient_ids:
                if pid not in first_tace or pid in proc_unsure or pid in img_unsure:
                    continue
                fday, fline = first_tace[pid]
                ex = sorted(exams.get(pid, []))
                if not ex:
                    P.append(Problem(proc.file, fline, "patient_id", pid,
                                     f"patient {pid} has no exam in {img.file}; it needs one before and one after "
                                     f"this first TACE (day {fday})"))
                    continue
                if not any(d < fday for d, _ in ex):
                    P.append(Problem(img.file, ex[0][1], "day", str(ex[0][0]),
                                     f"patient {pid} has no exam before the first TACE (day {fday}); "
                                     "the baseline volume V0 needs one"))
                if not any(d > fday for d, _ in ex):
                    P.append(Problem(img.file, ex[-1][1], "day", str(ex[-1][0]),
                                     f"patient {pid} has no exam after the first TACE (day {fday}); "
                                     "the follow-up volume V1 needs one"))
        if les is None and not lesions_file:
            if "sum_diameters_mm" not in img.index:
                P.append(Problem(img.file, 1, "sum_diameters_mm", None,
                                 "column is required when there is no lesions.csv (RECIST 1.1 sums)"))
            else:
                for r, raw, line in zip(img.typed, img.column("sum_diameters_mm"), img.lines):
                    if raw == "":
                        P.append(Problem(img.file, line, "sum_diameters_mm", "",
                                         "required when there is no lesions.csv (RECIST 1.1 sum of diameters)"))

    # progression
    if prog is not None:
        for r, line in zip(prog.typed, prog.lines):
            s, e = r.get("start_day"), r.get("end_day")
            if s is not None and e is not None and e < s:
                P.append(Problem(prog.file, line, "end_day", str(e), f"before start_day ({s})"))

    # lesions
    if les is not None:
        exam_days = None
        les_unsure = _unsure_patients(img)
        if les_unsure is not None:
            exam_days = {(r.get("patient_id"), r.get("day")) for r in img.typed}
        long_raw, short_raw = les.column("long_axis_mm"), les.column("short_axis_mm")
        for r, line, lr, sr in zip(les.typed, les.lines, long_raw, short_raw):
            pid, day = r.get("patient_id"), r.get("day")
            if (exam_days is not None and pid is not None and day is not None and (pid, day) not in exam_days
                    and pid not in (les_unsure or ())):
                P.append(Problem(les.file, line, "day", str(day),
                                 f"patient {pid} has no exam on day {day} in imaging.csv"))
            la, sa, va = r.get("long_axis_mm"), r.get("short_axis_mm"), r.get("viable_axis_mm")
            if r.get("role") == "target" and r.get("status") == "present":
                if lr == "":
                    P.append(Problem(les.file, line, "long_axis_mm", "",
                                     "a present target lesion needs its long axis (RECIST 1.1)"))
                if r.get("is_node") and sr == "":
                    P.append(Problem(les.file, line, "short_axis_mm", "",
                                     "a present nodal target lesion needs its short axis (RECIST 1.1)"))
            if la is not None and sa is not None and sa > la:
                P.append(Problem(les.file, line, "short_axis_mm", _fmt_num(sa),
                                 f"longer than long_axis_mm ({_fmt_num(la)})"))
            if la is not None and va is not None and va > la:
                P.append(Problem(les.file, line, "viable_axis_mm", _fmt_num(va),
                                 f"longer than long_axis_mm ({_fmt_num(la)}); the viable part is within the lesion"))
    return P


# ----------------------------------------------------------------------------- identifier guard

def _identifier_problems(table: _Table, resource: dict) -> tuple[list[Problem], set[tuple[int, str]]]:
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


# ----------------------------------------------------------------------------- datapackage.json of a dataset

def _read_datapackage(directory: Path) -> tuple[dict, list[Problem]]:
    path = directory / DATAPACKAGE
    if not path.is_file():
        return {}, []
    raw = path.read_bytes()
    try:
        meta = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return {}, [Problem(DATAPACKAGE, None, None, None, "not UTF-8 text; save it as UTF-8 JSON")]
    except json.JSONDecodeError as exc:
        return {}, [Problem(DATAPACKAGE, exc.lineno, None, None, f"not valid JSON: {exc.msg} (column {exc.colno})")]
    if not isinstance(meta, dict):
        return {}, [Problem(DATAPACKAGE, 1, None, None, "must be a JSON object (a Frictionless Data Package)")]
    problems = []
    if "synthetic" in meta and not isinstance(meta["synthetic"], bool):
        problems.append(Problem(DATAPACKAGE, None, "synthetic", json.dumps(meta["synthetic"]),
                                "must be the JSON boolean true or false"))
    if "name" in meta and not (isinstance(meta["name"], str) and meta["name"].strip()):
        problems.append(Problem(DATAPACKAGE, None, "name", json.dumps(meta["name"]), "must be a non-empty string"))
    return meta, problems


# ----------------------------------------------------------------------------- driver

_ORDER = {f"{t}.csv": i for i, t in enumerate(TABLES)}


def _sort_key(p: Problem):
    return (_ORDER.get(p.file, -1), p.file, -1 if p.line is None else p.line, p.column or "", p.message)


def _check(path: Path) -> tuple[list[Problem], dict[str, _Table], dict[str, bytes], dict]:
    path = Path(path)
    if not path.exists():
        raise UsageError(f"{path}: no such directory (expected a dataset folder with patients.csv etc.)")
    if not path.is_dir():
        raise UsageError(f"{path}: not a directory (give the dataset folder, not a file)")
    resources = _resources()
    meta, problems = _read_datapackage(path)
    tables: dict[str, _Table] = {}
    raw: dict[str, bytes] = {}
    guarded: set[tuple[str, int, str]] = set()
    for name in TABLES:
        res = resources[name]
        table, data, probs = _read_table(path, res["path"], res)
        problems += probs
        if data is not None:
            raw[res["path"]] = data
        if table is None:
            continue
        problems += _validate_cells(table, res)
        idp, flagged = _identifier_problems(table, res)
        problems += idp
        guarded.update((table.file, line, col) for line, col in flagged)
        tables[name] = table
    problems += _foreign_keys(tables, resources)
    problems += _cross_table_rules(tables, lesions_file=(path / resources["lesions"]["path"]).is_file())
    # a cell refused by the identifier guard gets that one message, not also "must be a whole number" etc.
    id_msgs = {id(p) for p in problems if p.message.startswith("possible direct identifier")}
    problems = [p for p in problems if id(p) in id_msgs or (p.file, p.line, p.column) not in guarded]
    problems = sorted(dict.fromkeys(problems), key=_sort_key)
    return problems, tables, raw, meta


def validate_dir(path: Path | str) -> list[Problem]:
    """Check a dataset folder against the contract; return every problem (empty list = valid).

    Raises :class:`~analysis.errors.UsageError` when ``path`` is not a directory.
    """
    return _check(Path(path))[0]


def _frame(table: _Table | None, resource: dict) -> pd.DataFrame | None:
    import pandas as pd

    if table is None:
        return None
    cols: dict[str, Any] = {}
    n = len(table.typed)
    for f in resource["schema"]["fields"]:
        name, t, req = f["name"], f["type"], _is_required(f)
        vals = [r.get(name) for r in table.typed] if name in table.index else [None] * n
        if t == "integer":
            cols[name] = pd.Series(vals, dtype="int64" if req else "Int64")
        elif t == "number":
            cols[name] = pd.Series([float("nan") if v is None else float(v) for v in vals], dtype="float64")
        elif t == "boolean":
            cols[name] = pd.Series(vals, dtype="bool" if req else "boolean")
        else:
            cols[name] = pd.Series(vals, dtype="object")
    schema_names = {f["name"] for f in resource["schema"]["fields"]}
    for name, k in table.index.items():
        if name not in schema_names:
            cols[name] = pd.Series([r[k] if r[k] != "" else None for r in table.rows], dtype="object")
    return pd.DataFrame(cols, index=pd.RangeIndex(n))


def load_dataset(path: Path | str) -> Dataset:
    """Validate and load a dataset folder; raise :class:`DatasetInvalid` listing EVERY problem."""
    path = Path(path)
    problems, tables, raw, meta = _check(path)
    if problems:
        raise DatasetInvalid(path, problems)
    resources = _resources()
    frames = {name: _frame(tables.get(name), resources[name]) for name in TABLES}
    name = meta.get("name") if isinstance(meta.get("name"), str) and meta["name"].strip() else None
    return Dataset(
        name=name or path.resolve().name,
        path=path,
        patients=frames["patients"],
        procedures=frames["procedures"],
        imaging=frames["imaging"],
        progression=frames["progression"],
        lesions=frames["lesions"],
        sha256={f: hashlib.sha256(b).hexdigest() for f, b in sorted(raw.items())},
        is_synthetic=meta.get("synthetic") is True,
    )


# ----------------------------------------------------------------------------- data dictionary

def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _allowed(f: dict) -> str:
    c = f.get("constraints", {})
    parts = []
    if "enum" in c:
        parts.append(", ".join(f"`{_fmt_num(v)}`" for v in c["enum"]))
    if f["type"] == "boolean":
        parts.append("`true`, `false`")
    lo = c.get("minimum")
    hi = c.get("maximum")
    if "exclusiveMinimum" in c:
        parts.append(f"> {_fmt_num(c['exclusiveMinimum'])}")
    if lo is not None and hi is not None:
        parts.append(f"{_fmt_num(lo)} to {_fmt_num(hi)}")
    elif lo is not None:
        parts.append(f">= {_fmt_num(lo)}")
    elif hi is not None:
        parts.append(f"<= {_fmt_num(hi)}")
    if "pattern" in c:
        parts.append(f.get("patternHint") or f"pattern `{c['pattern']}`")
    return "; ".join(parts)


def data_dictionary_markdown() -> str:
    """The data dictionary (Markdown), generated from the bundled schema. No trailing newline."""
    pkg = load_schema()
    out = [
        "<!-- Generated from data/schema/datapackage.json; do not edit by hand.",
        "     Regenerate: python -m analysis datadict > data/DATA_DICTIONARY.md -->",
        "",
        "# Data dictionary",
        "",
        _md(pkg.get("description", "")),
        "",
        "General rules:",
        "",
        "- Files are UTF-8 CSV with a header row and commas as separators (a byte-order mark and CRLF line "
        "ends are fine). Columns may come in any order; extra columns are kept. An empty cell is a missing value.",
        "- Numbers use a dot as the decimal separator; integers may be written `12` or `12.0`. Booleans are "
        "written `true` or `false` (lower case).",
        "- Times are integer day offsets from the patient's day 0 = the day liver metastases were first detected "
        "(negative = before). Calendar dates, names, record / phone / insurance numbers, e-mail and "
        "addresses are refused anywhere in a dataset.",
        "- A dataset may include a `datapackage.json` with metadata (`name`, `title`, `description`, "
        "`\"synthetic\": true`); the contract below is always the one enforced.",
        "- Check a folder with `python -m analysis validate DIR` (exit 0 = valid, 1 = every problem listed).",
    ]
    for res in pkg["resources"]:
        schema = res["schema"]
        need = "required" if res.get("requiredFile", True) else "optional"
        out += ["", f"## {res['path']} ({need})", "", _md(res.get("description", "")), ""]
        keys = []
        if schema.get("primaryKey"):
            keys.append("Unique key: " + ", ".join(f"`{k}`" for k in schema["primaryKey"]) + ".")
        for fk in schema.get("foreignKeys", []):
            ref = fk["reference"]
            keys.append(f"{', '.join(f'`{k}`' for k in fk['fields'])} must exist in "
                        f"`{ref['resource']}.csv` ({', '.join(f'`{k}`' for k in ref['fields'])}).")
        if keys:
            out += [" ".join(keys), ""]
        if res.get("rules"):
            out += ["Rules across rows and files:", ""] + [f"- {_md(r)}" for r in res["rules"]] + [""]
        out += ["| column | type | unit | required | allowed values | description |",
                "|---|---|---|---|---|---|"]
        for f in schema["fields"]:
            out.append("| " + " | ".join([
                f"`{f['name']}`", f["type"], _md(f.get("unit", "")), "yes" if _is_required(f) else "no",
                _md(_allowed(f)), _md(f.get("description", "")),
            ]) + " |")
    return "\n".join(out)
