"""Printed numbers: decimals and the closed interval of true values that round to the printed text."""

from __future__ import annotations

from fractions import Fraction


def decimals_of(printed: str) -> int:
    """Number of digits after the decimal point (comma accepted) in a printed number."""
    s = printed.strip().replace(",", ".")
    return len(s.split(".", 1)[1]) if "." in s else 0


def rounding_interval(printed: str, sign: int = 1) -> tuple[Fraction, Fraction]:
    """Closed interval of true values that print as ``printed`` when rounded to its decimals.

    ``sign=-1`` restores a lost minus sign. The interval is closed (conservative: it also contains
    the two half-way values, which round one way or the other depending on the rounding rule).

    Examples
    --------
    >>> rounding_interval("43.9")
    (Fraction(877, 20), Fraction(879, 20))
    """
    s = printed.strip().replace(",", ".").replace("\u2212", "-")
    v = Fraction(s) * sign
    half = Fraction(1, 2 * 10 ** decimals_of(s))
    return v - half, v + half
