"""Stage 2, statistics: R-compatible statistics on plain arrays, with no knowledge of the study.

What lives here: quantiles of every R type and medians with quartiles, the Mann-Whitney,
Wilcoxon signed-rank and Kruskal-Wallis tests with R's exact/normal rules, Shapiro-Wilk,
ordinary least squares (:mod:`.core`), and Kaplan-Meier estimates (:mod:`.survival`). Every
function is checked against R 4.2 in ``tests/``.

May import: :mod:`analysis.errors` and its own modules; nothing from ``data``, ``study``,
``paper``, ``synth`` or ``report``.
"""

from analysis.stats.core import *  # noqa: F403 -- the package is the public face of its modules
from analysis.stats.core import __all__ as _core_all

__all__ = list(_core_all)
