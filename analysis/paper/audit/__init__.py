"""Consistency audit of the publication: can all its printed numbers be true at once?

``run_audit()`` (:mod:`.runner`) reads the paper's numbers through
:func:`analysis.paper.published.load_published` (no published number is written in this package) and
runs twelve kinds of check, one module each:

percent (:mod:`.percent`)
    each printed percentage against its count, over the plausible denominators (whole cohort,
    group, subgroup, category total), rounding-aware (GRIM-style: ``k / n`` must round to it);
sum (:mod:`.sums`)
    counts that must add up (subgroups, categories, response categories within a group);
agreement (:mod:`.agreement`)
    every number printed twice (abstract vs table vs text) and textual claims about table numbers;
order (:mod:`.order`)
    ``LQ <= Me <= UQ``, ``min <= mean <= max``, ranges, and signs the text states;
granularity (:mod:`.granularity`)
    quartiles of whole-day data must lie on the grid R's type-7 quantile allows for that n;
p_feasibility (:mod:`.pvalues`)
    the exact range of the Mann-Whitney U (and so of p) over all datasets with the printed n,
    medians and quartiles (:mod:`analysis.paper.feasibility`, mixed-integer programme);
joint_quartiles (:mod:`.joint`)
    one set of patients satisfying the group summaries and the subgroup summaries at once;
moments (:mod:`.moments`)
    age mean, SD, minimum and maximum together (GRIM and SD bounds);
regression (:mod:`.regression`)
    R² against n and the stated conclusion;
timeline (:mod:`.timeline`)
    minimum follow-up vs the study period, Table 1's timing vs Figure 1 and vs the 14-day baseline rule,
    the imaging schedule, systemic therapy before TACE vs the immediate-TACE arm;
criteria (:mod:`.criteria`)
    target lesions against RECIST 1.1's limits (2 per organ, 5 in all);
reporting (:mod:`.reporting`)
    labels, one p for two endpoints, the untested headline, zero adverse events (exact bound), funding.

Verdicts (:data:`VERDICTS`, most severe first): ``inconsistent`` (no dataset can give the printed
numbers: proven; every bound used is exact or conservative, and the explanation says which),
``inconsistent under a stated reading`` (impossible under the reading the explanation states),
``tension`` (possible only under an unusual reading, named), ``consistent``, ``not checkable`` (the
explanation says what is missing). Percentages are read under the article's own rounding convention,
detected from its printed values (:func:`.percent.rounding_step`). No verdict depends on the clock: the
programmes have node limits, never time limits.

``write_audit(out_dir)`` writes ``audit.csv`` and ``audit.md`` (a short reviewer's report).
:mod:`.core` holds what every check shares (:class:`Finding`, the look-up into the published values,
number formats) and :mod:`.cells` the printed ``median [LQ; UQ]`` cells as feasibility samples.

References
----------
The published values: ``data/published/published.csv`` (columns in ``data/published/README.md``).
GRIM: Brown & Heathers 2017, Soc. Psychol. Personal. Sci. 8:363-369. GRIMMER: Anaya 2016, PeerJ Preprints
4:e2400. Mann-Whitney p: R ``wilcox.test``; type-7 quartiles: R ``quantile``; programmes:
``scipy.optimize.milp`` (HiGHS).
"""

from analysis.paper.audit.agreement import check_agreement
from analysis.paper.audit.core import CHECKS, COLUMNS, VERDICTS, Finding
from analysis.paper.audit.criteria import check_criteria
from analysis.paper.audit.granularity import check_granularity
from analysis.paper.audit.joint import check_joint
from analysis.paper.audit.moments import check_moments
from analysis.paper.audit.order import check_order
from analysis.paper.audit.percent import check_percent
from analysis.paper.audit.pvalues import check_p
from analysis.paper.audit.regression import check_regression
from analysis.paper.audit.reporting import check_reporting
from analysis.paper.audit.runner import audit_markdown, run_audit, summary_lines, write_audit
from analysis.paper.audit.sums import check_sum
from analysis.paper.audit.timeline import check_timeline

__all__ = [
    "CHECKS", "COLUMNS", "VERDICTS", "Finding", "audit_markdown", "check_agreement", "check_criteria",
    "check_granularity", "check_joint", "check_moments", "check_order", "check_p", "check_percent",
    "check_regression", "check_reporting", "check_sum", "check_timeline", "run_audit", "summary_lines",
    "write_audit",
]
