"""What a broken dataset reports: :class:`Problem` (one line ``file:line: column: value: message``, an error
or a warning), :func:`group_problems` (the same problem in many rows of one column as one line) and
:class:`DatasetInvalid` (the error listing every problem), plus the number formatting the messages share.

Two kinds of problems (the README section "Your own data: the dataset contract"):

- an **error** (structural: unreadable file, wrong type, unknown category, duplicate or orphan key,
  impossible value, identifier) refuses the dataset;
- a **warning** (a missing measurement: an empty measurement cell, a patient without an exam after the
  first TACE or without a progression row, no ``progression.csv``) is printed, prefixed ``warning:``, and
  the dataset is accepted; each analysis then uses the patients that have what it needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.errors import UserError

_MAX_VALUE_SHOWN = 40
_MAX_GROUP_VALUES = 3  # distinct values shown in a grouped message
_MAX_RANGES = 5  # line ranges shown in a grouped message
ERROR = "error"
WARNING = "warning"


def fmt_num(x: Any) -> str:
    """A value as the messages show it: a whole float without its ``.0`` (``12.0`` -> ``12``)."""
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


@dataclass(frozen=True)
class Problem:
    """One way a dataset breaks the contract; ``str(p)`` is ``file:line: column: value: message``.

    Parameters
    ----------
    file : str
        The file name inside the dataset folder (``patients.csv``, ``datapackage.json``).
    line : int or None
        The physical line of the file (the header is line 1), or None for a problem with the whole file.
    column : str or None
        The column, or None when it does not apply (printed as ``-``).
    value : str or None
        The offending cell as written, or None (printed as ``-``); an empty cell prints as ``(empty)``,
        line breaks as ``\\n`` and values over 40 characters are cut with ``...``.
    message : str
        What is wrong and, where it helps, how to fix it.
    severity : {"error", "warning"}
        ``"error"`` refuses the dataset; ``"warning"`` (a missing measurement) is printed with the prefix
        ``warning:`` and the dataset is accepted (``validate --strict`` refuses it too).
    group : str or None
        The message without its row-specific details (a patient, a day), used by :func:`group_problems`
        to put the same problem of many rows on one line; None = ``message``.
    lines : tuple of int
        For a grouped problem: every line it covers (``line`` is the first); empty otherwise.
    values : tuple of str
        For a grouped problem: the distinct values, in order of first appearance.

    References
    ----------
    The README section "Your own data: the dataset contract"; ``data/schema/datapackage.json``.

    Examples
    --------
    >>> print(Problem("patients.csv", 3, "age", "abc", "must be a number (e.g. 12.5)"))
    patients.csv:3: age: abc: must be a number (e.g. 12.5)
    >>> print(Problem("imaging.csv", None, None, "", "the file is empty"))
    imaging.csv:-: -: (empty): the file is empty
    >>> print(Problem("patients.csv", 4, "sex", "", "missing measurement", severity="warning"))
    warning: patients.csv:4: sex: (empty): missing measurement
    """

    file: str
    line: int | None
    column: str | None
    value: str | None
    message: str
    severity: str = ERROR
    group: str | None = None
    lines: tuple[int, ...] = ()
    values: tuple[str, ...] = ()

    @property
    def is_warning(self) -> bool:
        """Whether this is a warning (a missing measurement) rather than an error."""
        return self.severity == WARNING

    def __str__(self) -> str:
        prefix = "warning: " if self.is_warning else ""
        column = self.column if self.column else "-"
        if len(self.lines) > 1:
            shown = [_show(v, quote=True) for v in self.values[:_MAX_GROUP_VALUES]]
            more = ", ..." if len(self.values) > _MAX_GROUP_VALUES else ""
            value = (", ".join(shown) + more) if shown else "-"
            where = f"{line_ranges(self.lines)} ({len(self.lines)} rows)"
            return f"{prefix}{self.file}:{where}: {column}: {value}: {self.message}"
        line = "-" if self.line is None else str(self.line)
        value = "-" if self.value is None else _show(self.value)
        return f"{prefix}{self.file}:{line}: {column}: {value}: {self.message}"


def _show(value: str, quote: bool = False) -> str:
    """A cell as the messages show it: ``(empty)``, line breaks as ``\\n``, cut at 40 characters."""
    if value == "":
        return "(empty)"
    value = value.replace("\r", "\\r").replace("\n", "\\n")
    if len(value) > _MAX_VALUE_SHOWN:
        value = value[: _MAX_VALUE_SHOWN - 3] + "..."
    return f"'{value}'" if quote else value


def line_ranges(lines: tuple[int, ...] | list[int]) -> str:
    """Sorted line numbers as ranges: ``2-53``, ``2-5, 9, 12-14``; after 5 ranges, ``...``.

    Examples
    --------
    >>> line_ranges([2, 3, 4, 9, 12, 13])
    '2-4, 9, 12-13'
    """
    ranges: list[str] = []
    nums = sorted(set(lines))
    start = prev = nums[0]
    for n in nums[1:] + [None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        ranges.append(str(start) if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(ranges[:_MAX_RANGES]) + (", ..." if len(ranges) > _MAX_RANGES else "")


def group_problems(problems: list[Problem]) -> list[Problem]:
    """The same problem in several rows of one column as ONE problem (count, line ranges, first values).

    Problems are the same when they have the same severity, file, column and message (their ``group``
    message when they carry one, i.e. the message without its row-specific details). A group of one stays
    as it was; a larger group takes the place of its first member and prints
    ``file:2-53 (52 rows): column: 'Y', 'N': message``.

    Parameters
    ----------
    problems : list of Problem
        Problems in the order they are to be printed.

    Returns
    -------
    list of Problem
        The same problems, grouped, in the order of each group's first member.

    References
    ----------
    The README section "Your own data: the dataset contract" (grouped messages).

    Examples
    --------
    >>> ps = [Problem("imaging.csv", n, "new_lesions", v, "not a boolean") for n, v in [(2, "Y"), (3, "N"), (4, "Y")]]
    >>> [str(p) for p in group_problems(ps)]
    ["imaging.csv:2-4 (3 rows): new_lesions: 'Y', 'N': not a boolean"]
    """
    groups: dict[tuple, list[Problem]] = {}
    for p in problems:
        if p.line is None or p.lines:
            key: tuple = (id(p),)
        else:
            key = (p.severity, p.file, p.column, p.group or p.message, p.value is None)
        groups.setdefault(key, []).append(p)
    out = []
    for members in groups.values():
        if len(members) == 1:
            out.append(members[0])
            continue
        first = members[0]
        values = tuple(dict.fromkeys(m.value for m in members if m.value is not None))
        out.append(Problem(first.file, first.line, first.column, first.value, first.group or first.message,
                           severity=first.severity, group=first.group,
                           lines=tuple(m.line for m in members), values=values))
    return out


class DatasetInvalid(UserError):
    """The dataset breaks the contract; ``.problems`` lists every problem found.

    Parameters
    ----------
    path : Path
        The dataset folder.
    problems : list of Problem
        Every problem found; the message lists them one per line.

    Examples
    --------
    >>> err = DatasetInvalid(Path("mydata"), [Problem("patients.csv", 2, "sex", "X", "must be one of: F, M")])
    >>> print(err)
    mydata: the dataset is invalid (1 problem); nothing was computed:
    patients.csv:2: sex: X: must be one of: F, M
    """

    def __init__(self, path: Path, problems: list[Problem]):
        self.path = Path(path)
        self.problems = list(problems)
        n = len(self.problems)
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"{path}: the dataset is invalid ({n} problem{'s' * (n != 1)}); nothing was computed:\n"
                         f"{lines}")
