"""What the statistics return: :class:`TestResult`, :class:`OLSResult`, and the refusal
:class:`ExactPValueUnavailable`.

Every test result says which test and which p-value method produced it, and carries R's own
names (``htest$method``, the statistic's name) so that a number can be traced to the R call it
reproduces.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from analysis.errors import UserError

__all__ = ["ExactPValueUnavailable", "OLSResult", "TestResult"]


class ExactPValueUnavailable(UserError, ValueError):
    """``method='exact'`` was requested but the data contain ties (or zero differences).

    R's ``wilcox.test(exact = TRUE)`` then warns and silently switches to the normal
    approximation; this project refuses instead of reporting an approximate p under an
    "exact" label. It is both a :class:`~analysis.errors.UserError` (the CLI prints it without
    a traceback, since the method is a user parameter) and a ``ValueError``.

    References
    ----------
    .. [1] R Core Team. ``?wilcox.test`` (argument ``exact``), R 4.2.2, package stats.

    Examples
    --------
    >>> issubclass(ExactPValueUnavailable, ValueError)
    True
    """


@dataclass(frozen=True)
class TestResult:
    """Result of a hypothesis test, saying which test and which p-value method produced it.

    Attributes
    ----------
    test : str
        Name of the test, e.g. ``'Mann-Whitney U'``.
    statistic : float
        The statistic exactly as R reports it (W, V, Kruskal-Wallis chi-squared, Shapiro W).
    p : float
        The p-value (NaN when R returns NaN, e.g. when every value is tied).
    method : str
        How the p-value was obtained: ``'exact'``, ``'normal approximation'``,
        ``'normal approximation with continuity correction'``, ``'chi-squared approximation'``,
        ``'Royston (1995) approximation'`` or ``'t-test'``.
    n1, n2 : int or None
        Sizes of the first and second sample (n2 is None for one-sample tests).
    statistic_name : str
        R's name for the statistic (``'W'``, ``'V'``, ``'Kruskal-Wallis chi-squared'``).
    df : float or None
        Degrees of freedom when the test has them.
    alternative : str
        ``'two-sided'``, ``'less'`` or ``'greater'``.
    r_method : str
        R's own ``htest$method`` text (e.g. ``'Wilcoxon rank sum exact test'``).
    ns : tuple of int
        Size of every group (all tests).
    note : str
        Anything unusual (zeros dropped, every value tied, ...); empty otherwise.

    References
    ----------
    .. [1] R Core Team. ``?htest`` objects as returned by ``wilcox.test``, ``kruskal.test``
       and ``shapiro.test``, R 4.2.2, package stats.

    Examples
    --------
    >>> r = TestResult(test="Mann-Whitney U", statistic=0.0, p=0.2, method="exact", ns=(2, 3))
    >>> r.to_dict()["ns"], r.p
    ([2, 3], 0.2)
    """

    __test__ = False  # not a pytest test class

    test: str
    statistic: float
    p: float
    method: str
    n1: int | None = None
    n2: int | None = None
    statistic_name: str = ""
    df: float | None = None
    alternative: str = "two-sided"
    r_method: str = ""
    ns: tuple[int, ...] = field(default_factory=tuple)
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (JSON-serialisable: ``ns`` becomes a list)."""
        d = asdict(self)
        d["ns"] = list(self.ns)
        return d


@dataclass(frozen=True)
class OLSResult:
    """Ordinary least squares fit ``y = intercept + slope * x`` (R ``lm(y ~ x)``).

    Attributes
    ----------
    r2 : float
        Coefficient of determination (R's ``summary(fit)$r.squared``).
    slope, intercept : float
        Estimated coefficients.
    p : float
        Two-sided t-test p-value of the slope (R's ``Pr(>|t|)`` for x).
    n : int
        Number of (x, y) pairs used.
    slope_se : float
        Standard error of the slope.
    method : str
        Always ``'t-test'`` (which test produced ``p``).
    test : str
        Name of the analysis, ``'OLS linear regression (slope t-test)'``.

    References
    ----------
    .. [1] R Core Team. ``?lm``, ``?summary.lm``, R 4.2.2, package stats.

    Examples
    --------
    >>> r = OLSResult(r2=0.25, slope=0.5, intercept=1.0, p=0.67, n=3)
    >>> r.to_dict()["method"], r.slope
    ('t-test', 0.5)
    """

    r2: float
    slope: float
    intercept: float
    p: float
    n: int
    slope_se: float = math.nan
    method: str = "t-test"
    test: str = "OLS linear regression (slope t-test)"

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of every field."""
        return asdict(self)
