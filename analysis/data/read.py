"""Read one CSV file of a dataset as text: decode the bytes (UTF-8, or say what the file is and how to fix
it), refuse semicolon / tab separators, read the rows with their physical line numbers and check the header.

Nothing is typed here: cells stay text (:mod:`analysis.data.cells` casts them). Every problem is a
:class:`~analysis.data.problems.Problem` whose line is the physical line of the file (header = line 1).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.data.problems import WARNING, Problem
from analysis.data.schema import is_required


@dataclass
class Table:
    """A CSV file read as text: header and data rows (aligned to the header), physical lines."""

    file: str
    header: list[str]
    rows: list[list[str]]
    lines: list[int]
    index: dict[str, int]  # column name -> position
    broken: list[list[str]] = field(default_factory=list)  # raw cells of rows that could not be read (reported)
    #: contract columns, cast (object arrays; None = missing or refused), set by analysis.data.cells
    typed_columns: dict[str, Any] = field(default_factory=dict)
    _raw_columns: list[Sequence[str]] | None = field(default=None, repr=False)
    _typed_rows: list[dict[str, Any]] | None = field(default=None, repr=False)
    _factors: dict[int, tuple[Any, list[str]]] = field(default_factory=dict, repr=False)
    _missing: dict[str, Any] = field(default_factory=dict, repr=False)

    def raw_column(self, k: int) -> Sequence[str]:
        """The raw cells of the column at position ``k`` (a tuple: the rows transposed once, at C speed; or the
        object array pandas read the column into)."""
        if self._raw_columns is None:
            self._raw_columns = list(zip(*self.rows)) if self.rows else [() for _ in self.header]
        return self._raw_columns[k]

    def factorized(self, k: int) -> tuple[Any, list[str]]:
        """The column at position ``k`` as codes (a numpy array, one per row) into its distinct raw values (in
        order of first appearance), computed once (the cell checks and the identifier guard share it)."""
        if k not in self._factors:
            import numpy as np
            import pandas as pd

            # raw cells are str, never a missing value: no NA handling to ask for (it costs a pass of isna)
            codes, uniques = pd.factorize(np.asarray(self.raw_column(k), dtype=object), use_na_sentinel=True)
            self._factors[k] = codes, list(uniques)
        return self._factors[k]

    def column(self, name: str) -> list[str]:
        """The raw cells of one column ("" for every row when the column is absent)."""
        k = self.index.get(name)
        return [""] * len(self.rows) if k is None else list(self.raw_column(k))

    def set_typed(self, columns: dict[str, Any]) -> None:
        """Store the cast contract columns (see :attr:`typed_columns`)."""
        self.typed_columns = columns
        self._typed_rows = None
        self._missing = {}

    def missing(self, name: str) -> Any:
        """Which rows of the cast column ``name`` are missing or refused (a boolean array), computed once (the
        rules across rows and files ask for the same columns many times)."""
        if name not in self._missing:
            import pandas as pd

            self._missing[name] = pd.isna(self.typed_columns[name])
        return self._missing[name]

    @property
    def typed(self) -> list[dict[str, Any]]:
        """The cast contract cells row by row (column -> value; None = missing or refused), built on first use."""
        if self._typed_rows is None:
            names = list(self.typed_columns)
            cols = [self.typed_columns[n].tolist() for n in names]
            self._typed_rows = [dict(zip(names, row)) for row in zip(*cols)] if names else [{} for _ in self.rows]
        return self._typed_rows


#: The most data rows a file may have. A larger file is refused before it is parsed (its lines are counted
#: in its bytes), with one message naming this limit: validation, the analysis and the figures are measured
#: to stay within their time and memory targets up to about 34,000 patients (460,000 exams).
MAX_ROWS = 500_000


def too_many_rows(fname: str, data: bytes) -> Problem | None:
    """A file with more than :data:`MAX_ROWS` lines after the header, refused before it is parsed.

    Examples
    --------
    >>> too_many_rows("imaging.csv", b"day" + b"\\n1" * 3) is None
    True
    """
    newline = b"\n" if b"\n" in data else b"\r"
    lines = data.count(newline) + (not data.endswith(newline))
    if lines - 1 <= MAX_ROWS:
        return None
    return Problem(fname, None, None, None,
                   f"the file has {lines - 1:,} lines after the header; at most {MAX_ROWS:,} rows per file are "
                   "supported (tested up to 34,000 patients); nothing in it was read")


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
    """The physical line (1-based) of a byte offset."""
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


def decode(fname: str, data: bytes) -> tuple[str | None, list[Problem]]:
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


def sniff_separator(fname: str, text: str) -> Problem | None:
    """Refuse semicolon- or tab-separated files with an explanation (the contract is comma-separated)."""
    # the first line (up to the first line break of any kind), without splitting the whole text
    first = text.lstrip("\r\n").partition("\n")[0].splitlines()[0] if text.strip() else ""
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


def _missing_file(directory: Path, fname: str) -> Problem:
    """A required file is absent; name a near miss (``Patients.CSV``) when there is one."""
    present = sorted(p.name for p in directory.iterdir() if p.is_file()) if directory.is_dir() else []
    hint = ""
    stem = Path(fname).stem.lower()
    near = [p for p in present if Path(p).stem.lower() == stem]
    if near:
        hint = f" (found {', '.join(near)}: the name must be exactly {fname}, lower case, a .csv file)"
    return missing_file_problem(fname, f"required file is missing{hint}")


def missing_file_problem(fname: str, message: str) -> Problem:
    """A required file (or workbook sheet) is absent: an error on the whole file."""
    return Problem(fname, None, None, None, message)


def absent_optional(fname: str, resource: dict) -> list[Problem]:
    """An optional file that is absent: nothing, or the warning its schema entry declares (``absentWarning``)."""
    if resource.get("absentWarning"):
        return [Problem(fname, None, None, None, resource["absentWarning"], severity=WARNING)]
    return []


@dataclass
class _Parsed:
    """The rows of a CSV text as the csv module reads them, before the header is checked."""

    header: list[str] | None = None
    header_line: int = 0
    rows: list[list[str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    broken: list[list[str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    columns: list[Sequence[str]] | None = None  # the rows transposed, when the reader had them by column


def _blank(rec: list[str]) -> bool:
    """A blank line, or a row of empty cells (spreadsheet padding)."""
    return not rec or not any(c.strip() for c in rec)


def _parse(fname: str, text: str) -> _Parsed:
    """Read the header and data rows with their physical lines; report rows that cannot be read.

    A stray double quote swallows the following lines into one value: it is reported once and
    reading resumes on the next physical line.
    """
    out = _Parsed()
    physical = list(io.StringIO(text, newline=""))  # the physical lines, as csv.reader counts them
    resume: int | None = 0  # index of the physical line the reader (re)starts at
    while resume is not None:
        offset, resume = resume, None
        reader = csv.reader(iter(physical[offset:]), strict=False)
        start = offset + 1
        for rec in reader:
            line = start
            start = offset + reader.line_num + 1
            if out.header is None:
                if _blank(rec):
                    continue  # blank lines before the header
                if rec == ["sep=", ""] and physical[line - 1].rstrip("\r\n") == "sep=,":
                    continue  # Excel's separator directive line ("sep=,"): not data
                out.header_line = line
                out.header = [c.strip() for c in rec]
                continue
            if _blank(rec):
                continue
            width = len(out.header)
            if len(rec) > width and not any(c.strip() for c in rec[width:]):
                rec = rec[:width]  # trailing empty cells
            if len(rec) != width and start - 1 > line and '"' in physical[line - 1]:
                # a stray double quote swallowed the following lines: report it, re-read from the next line
                out.problems.append(Problem(fname, line, None, None,
                                            f'a double quote (") on this line opens a quoted value that runs on to '
                                            f"line {start - 1}, so those lines were read as one value; remove the "
                                            "stray quote or close it"))
                out.broken.append(next(csv.reader([physical[line - 1]], quoting=csv.QUOTE_NONE), []))
                resume = line
                break
            if len(rec) != width:
                out.problems.append(Problem(fname, line, None, None,
                                            f"has {len(rec)} values but the header has {width} columns "
                                            "(a missing or stray comma? quote values that contain commas)"))
                out.broken.append(rec)
                continue
            out.rows.append([c.strip() for c in rec])
            out.lines.append(line)
    assert out.header is not None  # the text is not blank
    return out


#: the characters other than line ends that ``str.strip`` removes from ASCII text
_ASCII_SPACES = " \t\x0b\x0c\x1c\x1d\x1e\x1f"


class _Rows(Sequence):
    """The data rows of a file read by column (:func:`_parse_regular`), as a read-only list of rows (each
    a list of cells), made row by row only when asked for: the validation reads the columns."""

    def __init__(self, columns: list[Sequence[str]], n: int):
        self._columns, self._n = columns, n

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self._n))]
        return [c[i] for c in self._columns]

    def __iter__(self):
        return map(list, zip(*self._columns))


def _has_empty_row(text: str, frame, stripped: bool) -> bool:
    """A data row whose cells are all empty (spreadsheet padding). Without cells to strip it is a line of
    commas only (every line has as many commas as the header), found in the text; otherwise the stripped
    cells are compared."""
    if stripped:
        return bool((frame == "").all(axis=1).any())
    empty = "\n" + "," * (frame.shape[1] - 1)
    text = text if text.endswith("\n") else text + "\n"
    return empty + "\n" in text or empty + "\r\n" in text


def _parse_regular(text: str) -> _Parsed | None:
    """The common case read with pandas' C parser: no double quote, no blank line, no ``sep=`` line, every
    row as wide as the header. Returns None for any other file, which :func:`_parse` then reads line by
    line (same rows, same line numbers: header on line 1, row i on line i + 2)."""
    import pandas as pd

    if '"' in text or text.startswith(("sep=", "\r", "\n")) or "\n\n" in text or (
            "\r" in text and ("\n\r\n" in text or text.count("\r") != text.count("\r\n"))):
        return None
    try:
        # from UTF-8 bytes, which the C parser reads directly (a StringIO is copied and encoded again)
        frame = pd.read_csv(io.BytesIO(text.encode("utf-8")), header=None, dtype=str, na_filter=False, engine="c",
                            skip_blank_lines=False, low_memory=False)
    except (pd.errors.ParserError, ValueError):  # a row wider than the header
        return None
    if len(frame) < 1 or text.count(",") != len(frame) * (frame.shape[1] - 1):  # a row narrower than the header
        return None
    header = [str(c).strip() for c in frame.iloc[0]]
    frame = frame.iloc[1:]
    stripped = not text.isascii() or any(c in text for c in _ASCII_SPACES)
    if stripped:
        frame = frame.apply(lambda col: col.str.strip())
    if not any(header) or _has_empty_row(text, frame, stripped):  # a blank header or a row of empty cells
        return None
    columns = [frame[c].to_numpy() for c in frame.columns]  # object arrays of str
    rows = _Rows(columns, len(frame))
    out = _Parsed(header=header, header_line=1, rows=rows, lines=list(range(2, len(rows) + 2)))
    out.columns = columns
    return out


def _unnamed_column(fname: str, k: int, header_line: int, rows: list[list[str]]) -> Problem | None:
    """A column without a name that has values (often the row numbers of R or pandas)."""
    values = [r[k] for r in rows]
    if not any(values):
        return None
    hint = ""
    if values in ([str(i) for i in range(1, len(rows) + 1)], [str(i) for i in range(len(rows))]):
        hint = ("; these look like row numbers written by R write.csv() or pandas to_csv(): "
                "export with row.names = FALSE / index=False, or delete the column")
    return Problem(fname, header_line, f"column {k + 1}", None,
                   "this column has values but no name in the header" + hint)


def header_index(fname: str, header: list[str], header_line: int, rows: list[list[str]],
                 resource: dict) -> tuple[dict[str, int], list[Problem]]:
    """Column name -> position; problems: unnamed columns with values, duplicates, required columns missing
    (and warnings for measurement columns missing). Shared by CSV files and workbook sheets."""
    problems: list[Problem] = []
    index: dict[str, int] = {}
    for k, name in enumerate(header):
        if name == "":
            unnamed = _unnamed_column(fname, k, header_line, rows)
            if unnamed:
                problems.append(unnamed)
            continue
        if name in index:
            problems.append(Problem(fname, header_line, name, None,
                                    f"column appears more than once (columns {index[name] + 1} and {k + 1})"))
            continue
        index[name] = k
    return index, problems + missing_columns(fname, header_line, index, resource)


def missing_columns(fname: str, header_line: int, index: dict[str, int], resource: dict) -> list[Problem]:
    """A required column missing (an error) or a measurement column missing (a warning: every value missing)."""
    problems = []
    lower = {n.lower(): n for n in index}
    for f in resource["schema"]["fields"]:
        if f["name"] in index or not (is_required(f) or f.get("measurement")):
            continue
        hint = ""
        other = lower.get(f["name"].lower())
        if other:
            hint = f" (found '{other}': column names are lower case, exactly as in the data dictionary)"
        if is_required(f):
            problems.append(Problem(fname, header_line, f["name"], None, f"required column is missing{hint}"))
        else:
            problems.append(Problem(fname, header_line, f["name"], None,
                                    f"measurement column is missing{hint}; every value of it is missing, so the "
                                    "analyses that need it are not available", severity=WARNING))
    return problems


def read_table(directory: Path, fname: str, resource: dict) -> tuple[Table | None, bytes | None, list[Problem]]:
    """Read one file of the dataset: the table (None when unreadable or absent), its bytes, its problems."""
    path = directory / fname
    if not path.is_file():
        if not resource.get("requiredFile", True):
            return None, None, absent_optional(fname, resource)
        return None, None, [_missing_file(directory, fname)]
    data = path.read_bytes()
    refused = too_many_rows(fname, data)
    if refused:
        return None, data, [refused]
    text, problems = decode(fname, data)
    if text is None:
        if not resource.get("requiredFile", True) and problems[0].message.startswith("the file is empty"):
            problems = [Problem(fname, None, None, None,
                                f"the file is empty; delete {fname} if there are no data for it (it is optional)")]
        return None, data, problems
    sep = sniff_separator(fname, text)
    if sep:
        return None, data, [sep]
    parsed = _parse_regular(text) or _parse(fname, text)
    index, header_problems = header_index(fname, parsed.header, parsed.header_line, parsed.rows, resource)
    problems = parsed.problems + header_problems
    if not parsed.rows and all(p.is_warning for p in problems):
        kind = resource["name"].rstrip("s")
        problems.append(Problem(fname, None, None, None, "the file has a header but no data rows"
                                + ("" if resource.get("requiredFile", True)
                                   else f" (delete {fname} if there are no {kind} data)")))
    table = Table(fname, parsed.header, parsed.rows, parsed.lines, index, broken=parsed.broken)
    table._raw_columns = parsed.columns
    return table, data, problems
