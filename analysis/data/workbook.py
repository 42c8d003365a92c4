"""An Excel workbook as a dataset: one sheet per file of the contract, named like the file without ``.csv``
(``patients``, ``procedures``, ``imaging``, ``progression``, ``lesions``).

Each sheet is read as text rows with their Excel row numbers (openpyxl, the reader pandas uses for
``.xlsx``; read directly so that a blank row does not shift the row numbers), then goes through the same
header, cell, rule and identifier checks as a CSV file. Problems name the sheet and the Excel row:
``study.xlsx[imaging]:7: day: ...``. A cell Excel stores as a date or time is refused as an identifier (a
calendar date), wherever it is. A sheet missing is the file missing; extra sheets are ignored with a warning.

References
----------
Office Open XML workbooks (ECMA-376) as read by openpyxl, https://openpyxl.readthedocs.io/ .
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

from analysis.data.identifiers import mask
from analysis.data.problems import WARNING, Problem
from analysis.data.read import Table, header_index, missing_file_problem
from analysis.data.schema import TABLES

SUFFIXES = (".xlsx", ".xlsm")
DATE_CELL = ("possible direct identifier, cell refused: an Excel date cell (a calendar date); write the day "
             "offset from day 0 as a whole number instead")


def is_workbook(path: Path) -> bool:
    """Whether ``path`` names an Excel workbook file (by its suffix).

    Examples
    --------
    >>> is_workbook(Path("study.xlsx")), is_workbook(Path("data/synthetic"))
    (True, False)
    """
    return Path(path).suffix.lower() in SUFFIXES


def label(path: Path, sheet: str) -> str:
    """How problems name a sheet: ``study.xlsx[imaging]``."""
    return f"{Path(path).name}[{sheet}]"


def cell_text(value: Any) -> str | None:
    """A cell value as the text a CSV file would hold; None for a date / time cell (refused).

    Examples
    --------
    >>> [cell_text(v) for v in (None, 12, 12.0, 1820.5, True, " S01 ")]
    ['', '12', '12', '1820.5', 'true', ' S01 ']
    """
    if value is None:
        return ""
    if isinstance(value, (dt.datetime, dt.date, dt.time, dt.timedelta)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


Sheet = tuple[list[tuple[int, list[str]]], list[tuple[int, int, str]]]


def _sheet_records(ws) -> Sheet:
    """The rows of one sheet as (Excel row number, cell texts), and its date cells (row, column index, ISO
    text; the text is kept in the row too)."""
    records, dates = [], []
    for number, row in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1):
        cells = []
        for k, value in enumerate(row):
            text = cell_text(value)
            if text is None:
                text = value.isoformat() if hasattr(value, "isoformat") else str(value)
                dates.append((number, k, text))
            cells.append(text)
        records.append((number, cells))
    return records, dates


def open_workbook(path: Path) -> tuple[dict[str, Sheet], list[Problem]]:
    """Every sheet of a workbook as rows of text (sheet name -> records), and the workbook's problems.

    An unreadable file is one problem; extra sheets (not a table of the contract) are a warning each.
    """
    import openpyxl

    path = Path(path)
    if not zipfile.is_zipfile(path):
        head = path.read_bytes()[:8]
        what = ("an old Excel workbook (.xls); open it in Excel or LibreOffice and save it as .xlsx"
                if head.startswith(b"\xd0\xcf\x11\xe0") else "not an Excel .xlsx workbook (not a ZIP file)")
        return {}, [Problem(path.name, None, None, None, f"cannot be read: {what}")]
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any reader failure is one user-facing problem
        return {}, [Problem(path.name, None, None, None, f"cannot be read as an Excel workbook: {exc}")]
    sheets: dict[str, Sheet] = {}
    problems: list[Problem] = []
    try:
        for ws in wb.worksheets:
            if ws.title not in TABLES:
                problems.append(Problem(label(path, ws.title), None, None, None,
                                        f"extra sheet ignored (the sheets read are {', '.join(TABLES)})",
                                        severity=WARNING))
                continue
            sheets[ws.title] = _sheet_records(ws)
    finally:
        wb.close()
    return sheets, problems


def _blank(cells: list[str]) -> bool:
    """A row of empty cells."""
    return not any(c.strip() for c in cells)


def sheet_table(path: Path, sheet: str, content: Sheet | None, resource: dict) -> tuple[Table | None, list[Problem]]:
    """One sheet as a :class:`~analysis.data.read.Table` (rows aligned to the header) and its problems."""
    name = label(path, sheet)
    if content is None:
        if not resource.get("requiredFile", True):
            from analysis.data.read import absent_optional

            return None, absent_optional(name, resource)
        return None, [missing_file_problem(name, "required sheet is missing (sheet names are the file names "
                                                 "without .csv: " + ", ".join(TABLES) + ")")]
    records = [(n, cells) for n, cells in content[0] if not _blank(cells)]
    if not records:
        return None, [Problem(name, None, None, None, "the sheet is empty; it needs a header row and data rows")]
    (header_line, header), body = records[0], records[1:]
    header = [c.strip() for c in header]
    # the date itself is masked, as every value the identifier guard refuses (error logs must not spread it)
    problems = [Problem(name, n, header[k] if k < len(header) and header[k] else f"column {k + 1}", mask(text),
                        DATE_CELL, group=DATE_CELL) for n, k, text in content[1]]
    while header and header[-1] == "":
        header.pop()
    width = len(header)
    rows, lines = [], []
    for n, cells in body:
        cells = (cells + [""] * width)[:width] if not any(c.strip() for c in cells[width:]) else cells
        if len(cells) != width:
            problems.append(Problem(name, n, None, None, f"has values beyond the last named column ({width} "
                                                         "columns in the header row)"))
            continue
        rows.append([c.strip() for c in cells])
        lines.append(n)
    index, header_problems = header_index(name, header, header_line, rows, resource)
    problems += header_problems
    if not rows and all(p.is_warning for p in problems):
        problems.append(Problem(name, None, None, None, "the sheet has a header row but no data rows"))
    return Table(name, header, rows, lines, index), problems
