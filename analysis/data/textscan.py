"""Regular expressions over a whole column at once: which of many values a pattern finds (``search``) or
matches entirely (``fullmatch``), at C speed.

The distinct values of a column are joined into one text, separated by NUL characters, and each pattern
runs once over that text (``re.finditer``); the start of each match, looked up among the values' offsets
(``numpy.searchsorted``), names the value it falls in. A value is thus checked with no Python call per
value. This is exact, not an approximation, for the patterns it is used with (those of the identifier
guard): none of them can match a NUL character, so no match spans two values, and every lookaround they
use (``\\b``, ``(?<!\\d)``, ``(?!\\w)``, ...) sees a NUL exactly as it sees the start or end of a string.
A list of values that itself holds a NUL character is checked value by value (:class:`Joined` falls back).

References
----------
Python ``re`` module: https://docs.python.org/3/library/re.html (``finditer``, lookbehind assertions).
"""

from __future__ import annotations

import functools
import re

import numpy as np

SEP = "\x00"


@functools.lru_cache(maxsize=None)
def _anchored(pattern: re.Pattern) -> re.Pattern:
    """``pattern`` matching only a whole value of the joined text: preceded and followed by NUL or the
    text's ends (the joined text's equivalent of ``fullmatch``)."""
    return re.compile(rf"(?<![^\x00])(?:{pattern.pattern})(?![^\x00])", pattern.flags)


class Joined:
    """Many strings, scanned together by one regular expression each.

    Parameters
    ----------
    values : list of str
        The strings (e.g. the distinct values of a column).

    Examples
    --------
    >>> j = Joined(["S01", "a@b.org", "", "x 2021-03-04"])
    >>> j.search(re.compile(r"\\d{4}-\\d\\d")).tolist()
    [False, False, False, True]
    >>> j.fullmatch(re.compile(r"S\\d+")).tolist(), j.fullmatch(re.compile(r"\\d+")).tolist()
    ([True, False, False, False], [False, False, False, False])
    """

    def __init__(self, values: list[str]):
        self.values = values
        self.n = len(values)
        self.text = SEP.join(values)
        self.joined = self.text.count(SEP) == max(self.n - 1, 0)  # no NUL inside a value
        lengths = np.fromiter(map(len, values), dtype=np.int64, count=self.n)
        self.starts = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]]).astype(np.int64)

    def _mask(self, pattern: re.Pattern) -> np.ndarray:
        """Values in which ``pattern`` (already made whole-value where needed) finds a match."""
        out = np.zeros(self.n, dtype=bool)
        positions = np.fromiter((m.start() for m in pattern.finditer(self.text)), dtype=np.int64)
        if len(positions):
            out[np.searchsorted(self.starts, positions, side="right") - 1] = True
        return out

    def search(self, pattern: re.Pattern) -> np.ndarray:
        """Boolean array: ``pattern.search(value)`` finds a match, for each value."""
        if not self.joined:
            return np.array([pattern.search(v) is not None for v in self.values], dtype=bool)
        return self._mask(pattern)

    def fullmatch(self, pattern: re.Pattern) -> np.ndarray:
        """Boolean array: ``pattern.fullmatch(value)`` matches, for each value."""
        if not self.joined:
            return np.array([pattern.fullmatch(v) is not None for v in self.values], dtype=bool)
        return self._mask(_anchored(pattern))
