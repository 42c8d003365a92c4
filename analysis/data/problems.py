"""What a broken dataset reports: :class:`Problem` (one line ``file:line: column: value: message``) and
:class:`DatasetInvalid` (the error listing every problem), plus the number formatting the messages share."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.errors import UserError

_MAX_VALUE_SHOWN = 40


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

    References
    ----------
    The README section "Your own data: the dataset contract"; ``data/schema/datapackage.json``.

    Examples
    --------
    >>> print(Problem("patients.csv", 3, "age", "abc", "must be a number (e.g. 12.5)"))
    patients.csv:3: age: abc: must be a number (e.g. 12.5)
    >>> print(Problem("imaging.csv", None, None, "", "the file is empty"))
    imaging.csv:-: -: (empty): the file is empty
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
