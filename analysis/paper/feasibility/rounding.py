"""Printed numbers: decimals and the closed interval of true values that round to the printed text."""

from __future__ import annotations

from fractions import Fraction


def decimals_of(printed: str) -> int:
    """Number of digits after the decimal point (comma accepted) in a printed number."""
    s = printed.strip().replace(",", ".")
    return len(s.split(".", 1)[1]) if "." in s else 0


def rounding_interval(printed: str, sign: int = 1) -> tuple[Fraction, Fraction]:
    """Closed interval of true values that print as ``printed`` when rounded to its decimals.

    The interval is closed (conservative: it also contains the two half-way values, which round one
    way or the other depending on the rounding rule).

    Parameters
    ----------
    printed : str
        The number as printed; a decimal comma and the Unicode minus sign are accepted.
    sign : {1, -1}, optional
        ``-1`` restores a minus sign lost in the article's text layer.

    Returns
    -------
    (Fraction, Fraction)
        ``value - h`` and ``value + h`` with ``h`` half a unit of the last printed digit, exact.

    References
    ----------
    Brown & Heathers 2017, "The GRIM test", Soc. Psychol. Personal. Sci. 8:363-369 (rounding-aware
    consistency of printed summaries).

    Examples
    --------
    >>> rounding_interval("43.9")                 # 43.85 .. 43.95
    (Fraction(877, 20), Fraction(879, 20))
    >>> rounding_interval("22,6", sign=-1)        # a restored minus: -22.65 .. -22.55
    (Fraction(-453, 20), Fraction(-451, 20))
    """
    s = printed.strip().replace(",", ".").replace("\u2212", "-")
    v = Fraction(s) * sign
    half = Fraction(1, 2 * 10 ** decimals_of(s))
    return v - half, v + half
