"""Exact feasibility of published medians, quartiles and Mann-Whitney p-values.

Given only what a paper prints (group sizes, medians and quartiles rounded as printed, a
Mann-Whitney p-value), which values of the U statistic (R's ``W``) are possible at all? This
module answers exactly, with a mixed-integer programme solved by HiGHS (``scipy.optimize.milp``):

* the two samples are sorted value variables ``x_1 <= ... <= x_n1`` and ``y_1 <= ... <= y_n2``;
* a binary ``z[i, k] = 1`` means ``x_i > y_k``; ``U = sum(z)`` (R's W with x first);
* each printed quartile is R's type-7 quantile ``(1 - g) x_j + g x_(j+1)`` and must lie in the
  interval of true values that print as the published text (``43.9`` -> [43.85, 43.95]).

Two versions of the programme bracket the truth:

* the **outer** programme allows ties and uses closed rounding intervals; every dataset that could
  have produced the printed numbers is feasible in it, so its U range is *conservative* (it can only
  be wider than the truth);
* the **inner** programme demands strict separation (no ties) and keeps the quartiles strictly
  inside their intervals; each solution is turned into an explicit dataset and re-checked in exact
  arithmetic, so its U values are *certified* to be attainable.

When both agree the range is exact. p-values follow from U because every convention here gives a
p that decreases in ``|U - n1 n2 / 2|``; a printed p is checked by asking the solver whether one of
the U values that give it is attainable (never by assuming the U range has no holes).

Modules, by responsibility:

:mod:`.rounding`
    printed numbers and the interval of true values that print that way;
:mod:`.quantile`
    R's type-7 quantile in exact arithmetic, its position and the grid whole numbers allow;
:mod:`.mannwhitney`
    the exact null distribution of W (R's ``dwilcox``) and the U -> p lattice under four conventions
    (R exact, normal approximation with and without continuity correction, scipy's ``'auto'`` rule);
:mod:`.samples`
    :class:`Quartile`, :class:`Sample` and the bounds they imply (value box, per-position bounds);
:mod:`.urange`
    the U-range programme (:func:`u_range`, :func:`u_attainable`);
:mod:`.joint`
    the joint quartile programme over overlapping collections (:func:`joint_feasible`);
:mod:`.moments`, :mod:`.regression`
    GRIM, GRIMMER and SD bounds; the slope's p from R²;
:mod:`.ties`
    conservative bounds used for explanations and for tied data.

References
----------
R Core Team, ``?quantile`` (type 7) and ``?wilcox.test``; SciPy ``scipy.optimize.milp`` (HiGHS:
Huangfu & Hall 2018, Math. Prog. Comp. 10:119-142); Brown & Heathers 2017 (GRIM, Soc. Psychol. Personal.
Sci. 8:363-369); Anaya 2016 (GRIMMER, PeerJ Preprints 4:e2400); scipy 1.17
``scipy/stats/_mannwhitneyu.py`` (``_mwu_choose_method``: exact only when one sample has at most
8 values and there are no ties, otherwise the normal approximation with continuity correction).
"""

from analysis.paper.feasibility.joint import Collection, joint_feasible
from analysis.paper.feasibility.mannwhitney import CONVENTIONS, p_interval, p_values, u_values_for_p, w_null_counts
from analysis.paper.feasibility.moments import grim_sums, grimmer_feasible, sd_range_given_extremes
from analysis.paper.feasibility.quantile import grid_hits, integer_grid_step, quantile7, type7_position
from analysis.paper.feasibility.regression import regression_p_from_r2
from analysis.paper.feasibility.rounding import decimals_of, rounding_interval
from analysis.paper.feasibility.samples import (Quartile, Sample, check_dataset, position_bounds,
                                                sample_from_printed, value_box)
from analysis.paper.feasibility.ties import max_tie_cluster, min_p_with_ties, tie_p_example, union_quantile_bounds
from analysis.paper.feasibility.urange import URange, USolution, brute_force_u_set, u_attainable, u_range

__all__ = [
    "CONVENTIONS", "Collection", "Quartile", "Sample", "URange", "USolution", "brute_force_u_set",
    "check_dataset", "decimals_of", "grid_hits", "grim_sums", "grimmer_feasible", "integer_grid_step",
    "joint_feasible", "max_tie_cluster", "min_p_with_ties", "p_interval", "p_values", "position_bounds",
    "quantile7", "regression_p_from_r2", "rounding_interval", "sample_from_printed", "sd_range_given_extremes",
    "tie_p_example", "type7_position", "u_attainable", "u_range", "u_values_for_p", "union_quantile_bounds",
    "value_box", "w_null_counts",
]
