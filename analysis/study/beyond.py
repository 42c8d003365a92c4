"""The analyses beyond the paper (issue 14), as tidy rows for numbers.json.

:func:`beyond_tidy` concatenates :mod:`.paired` (``paired.*``), :mod:`.survival` (``km.*``),
:mod:`.effects` (``<table test>.hl|hl_lower|hl_upper|rbc``, ``multiplicity.*``) and
:mod:`.agreement` (``agreement.*``); :func:`analysis.study.numbers.compute_numbers` adds them to the
tables' rows.

Examples
--------
>>> from analysis import params
>>> from analysis.data import load_dataset
>>> from analysis.paths import TESTS
>>> keys = set(beyond_tidy(load_dataset(TESTS / "fixtures" / "mini"), params.defaults())["key"])
>>> {"paired.ttp.all.p", "km.tace.logrank.p", "table2.before.hl", "multiplicity.table3.tace.holm"} <= keys
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from analysis.data import Dataset


def beyond_tidy(ds: Dataset, params: dict, endpoints: pd.DataFrame | None = None,
                tidy: pd.DataFrame | None = None) -> pd.DataFrame:
    """Tidy rows of every key beyond the paper (module docstring).

    Parameters
    ----------
    ds : Dataset
        A validated dataset.
    params : dict
        Resolved analysis parameters.
    endpoints : pandas.DataFrame, optional
        :func:`analysis.study.endpoints.per_patient` of ``ds`` if already computed.
    tidy : pandas.DataFrame, optional
        :func:`analysis.study.tables.all_tidy` if already computed (its p-values are adjusted).
        Without progression.csv every TTP key is null with the note
        :data:`analysis.study.endpoints.NO_PROGRESSION_FILE`.

    Returns
    -------
    pandas.DataFrame
        Tidy rows (:data:`analysis.study.tables.TIDY_COLUMNS`).

    References
    ----------
    .. [1] R 4.2: ``wilcox.test(conf.int = TRUE)``, ``survival::survfit``, ``survdiff``, ``p.adjust``.
    """
    import pandas as pd

    from analysis.study import agreement, effects, paired, survival
    from analysis.study.endpoints import NO_PROGRESSION_FILE, has_progression
    from analysis.study.tables import _pp

    pp = _pp(ds, endpoints)
    parts = [paired.paired_rows(ds, params, pp), survival.km_rows(ds, params, pp),
             effects.effect_rows(ds, params, pp), effects.multiplicity_rows(ds, params, pp, tidy=tidy),
             agreement.agreement_rows(ds, params, pp)]
    out = pd.concat(parts, ignore_index=True)
    if not has_progression(ds):  # every TTP analysis: not available, said as the tables say it
        ttp = out["key"].str.startswith(("km.", "paired.ttp.", "table3.", "multiplicity.table3.")) | \
            out["key"].str.contains(r"^(?:multiplicity\.)?table4\.group\d\.ttp\.", regex=True)
        out.loc[ttp & out["value"].isna(), "note"] = NO_PROGRESSION_FILE
    return out
