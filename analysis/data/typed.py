"""The typed columns of a table as a pandas frame, for the rules across rows and files
(:mod:`analysis.data.rules`, :mod:`analysis.data.lesion_rules`), which compute with pandas, not row by row."""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis.data.read import Table

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


def typed_frame(table: Table, columns: list[str]) -> pd.DataFrame:
    """The typed ``columns`` of ``table`` (object dtype, None = missing or refused) with each row's physical
    ``_line``, in file order: the rules compute on it with pandas, never row by row in Python."""
    import numpy as np
    import pandas as pd

    frame = pd.DataFrame({c: pd.Series(table.typed_columns[c], dtype=object) for c in columns})
    frame["_line"] = np.asarray(table.lines, dtype=np.int64)  # at C speed (pandas infers a list item by item)
    return frame


def complete_rows(table: Table, columns: list[str]) -> pd.DataFrame:
    """:func:`typed_frame` restricted to the rows where every one of ``columns`` is present."""
    import numpy as np

    frame = typed_frame(table, columns)
    return frame[~np.logical_or.reduce([table.missing(c) for c in columns])]
