"""Stage 2, statistics: R-compatible statistics on plain arrays, with no knowledge of the study.

The paper this project reproduces was computed in R 4.2. Python's libraries compute the same
statistics, but their *defaults* differ from R's exactly where this study lives (small groups,
ties, quartile definitions); these modules choose the options so that every number equals
R 4.2.2's, and every test result says which test and which p-value method produced it:

- :mod:`.descriptive`: quantiles of every R type (``quantile``), median and quartiles
  (``summary``), the ``"Me [LQ; UQ]"`` display form (``format_me_iqr``);
- :mod:`.ranktests`: Mann-Whitney U, Wilcoxon signed-rank (R ``wilcox.test`` with its exact /
  normal rules) and Kruskal-Wallis (R ``kruskal.test``);
- :mod:`.normality`: Shapiro-Wilk (R ``shapiro.test``, Royston's AS R94);
- :mod:`.regression`: ordinary least squares ``y ~ x`` (R ``lm``, via statsmodels);
- :mod:`.survival`: Kaplan-Meier estimates (R ``survival::survfit``);
- :mod:`.shift`: Hodges-Lehmann shifts with R's confidence intervals (paired and two-sample
  ``wilcox.test(conf.int = TRUE)``), the rank-biserial correlation, a seeded bootstrap of a ratio
  of medians; :mod:`.rmath`: ports of R's signed-rank/rank-sum distributions, ``qnorm`` and ``uniroot``;
- :mod:`.survival` also: Kaplan-Meier with R's default "log" band and medians (``survfit_km``,
  ``km_median``), numbers at risk, the log-rank test (R ``survdiff``);
- :mod:`.multiplicity`: Holm and Bonferroni (R ``p.adjust``); :mod:`.agreement`: Cohen's kappa;
  :mod:`.location`: Welch's t-test (R ``t.test``) and a seeded permutation test;
- :mod:`.results`: the result types (``TestResult``, ``OLSResult``) and
  ``ExactPValueUnavailable``; :mod:`.inputs`: the shared input checks (NaN raises unless
  ``dropna=True``).

Every function is checked against R 4.2.2 in ``tests/`` (``tests/test_stats_r_parity.py``, with
reference values from ``tests/r/stats_fixtures.R``). Importing the package stays cheap: scipy and
statsmodels are imported inside the functions that need them.

May import: :mod:`analysis.errors` and its own modules; nothing from ``data``, ``study``,
``paper``, ``synth`` or ``report``.
"""

from analysis.stats.agreement import cohens_kappa
from analysis.stats.descriptive import format_me_iqr, quantile, summary
from analysis.stats.location import permutation_test, welch_t
from analysis.stats.multiplicity import bonferroni, holm_bonferroni
from analysis.stats.normality import shapiro
from analysis.stats.ranktests import kruskal, mann_whitney, wilcoxon_signed_rank
from analysis.stats.regression import ols
from analysis.stats.results import ExactPValueUnavailable, OLSResult, TestResult
from analysis.stats.shift import (ShiftResult, bootstrap_ratio_of_medians, hodges_lehmann_two_sample, rank_biserial,
                                  wilcoxon_paired_ci)
from analysis.stats.survival import km_median, logrank_test, numbers_at_risk, survfit_km

__all__ = [
    "bonferroni",
    "bootstrap_ratio_of_medians",
    "cohens_kappa",
    "hodges_lehmann_two_sample",
    "holm_bonferroni",
    "km_median",
    "logrank_test",
    "numbers_at_risk",
    "permutation_test",
    "rank_biserial",
    "survfit_km",
    "welch_t",
    "wilcoxon_paired_ci",
    "ExactPValueUnavailable",
    "ShiftResult",
    "OLSResult",
    "TestResult",
    "format_me_iqr",
    "kruskal",
    "mann_whitney",
    "ols",
    "quantile",
    "shapiro",
    "summary",
    "wilcoxon_signed_rank",
]
