"""Table 1's categories: the allowed levels of each characteristic and the interval categories.

Interval categories (Table 1; a month is 365.25 / 12 days, a year 365.25 days)
------------------------------------------------------------------------------
``days_dx_to_liver_mets``: group 1 patients form their own category ``group1`` (liver
metastases found with the primary, 0 days); group 2 patients: ``le_6m`` (<= 182.625 days),
``6m_to_18m`` (<= 547.875), ``18m_to_6y`` (<= 2191.5), ``gt_6y`` (longer; not in the paper).
``days_liver_mets_to_tace``: ``lt_2w`` (< 14 days), ``2w_to_3m`` (14 days to 91.3125 days
inclusive: the paper has no such category, so it is reported separately rather than merged),
``gt_3m`` (> 91.3125 days).

References
----------
.. [1] The paper's Table 1 (Clinical Practice 2022;13(4), doi:10.17816/clinpract115017).
"""

from __future__ import annotations

import math

T_STAGES = ("T1", "T2", "T3", "T4", "TX")
PRIMARY_SITES = ("pancreas", "small_intestine", "lung", "prostate", "other", "unknown")
LIVER_DISTRIBUTIONS = ("bilobar_multiple", "unilobar_multiple", "bilobar_single", "solitary")
SEXES = ("F", "M", "missing")

MONTH_DAYS = 365.25 / 12
YEAR_DAYS = 365.25
DX_TO_METS = (("le_6m", 6 * MONTH_DAYS), ("6m_to_18m", 1.5 * YEAR_DAYS), ("18m_to_6y", 6 * YEAR_DAYS),
              ("gt_6y", math.inf))
DX_TO_METS_LABELS = {"group1": "group 1: with the primary (0 days)", "le_6m": "group 2: <= 6 months",
                     "6m_to_18m": "group 2: 6 months to 1.5 years", "18m_to_6y": "group 2: 1.5 to 6 years",
                     "gt_6y": "group 2: > 6 years"}
METS_TO_TACE_LABELS = {"lt_2w": "< 2 weeks", "2w_to_3m": "2 weeks to 3 months", "gt_3m": "> 3 months"}


def dx_to_mets_category(group: int, days: float) -> str:
    """Table 1 category of the time from diagnosis of the primary to liver metastases.

    Examples
    --------
    >>> dx_to_mets_category(1, 0), dx_to_mets_category(2, 182), dx_to_mets_category(2, 183)
    ('group1', 'le_6m', '6m_to_18m')
    """
    if int(group) == 1:
        return "group1"
    for name, upper in DX_TO_METS:
        if days <= upper:
            return name
    return "gt_6y"


def mets_to_tace_category(days: float) -> str:
    """Table 1 category of the time from liver metastases to TACE.

    Examples
    --------
    >>> mets_to_tace_category(13), mets_to_tace_category(14), mets_to_tace_category(91), mets_to_tace_category(92)
    ('lt_2w', '2w_to_3m', '2w_to_3m', 'gt_3m')
    """
    if days < 14:
        return "lt_2w"
    if days <= 3 * MONTH_DAYS:
        return "2w_to_3m"
    return "gt_3m"


def table1_categories(patients) -> dict:
    """Table 1's category of every patient, per characteristic, as arrays (no loop over patients).

    Parameters
    ----------
    patients : pandas.DataFrame
        patients.csv as loaded.

    Returns
    -------
    dict
        ``{variable: object array}`` for ``extrahepatic_disease`` and ``primary_resected``
        (``'true'`` / ``'false'`` / ``'missing'``), ``sex`` (the value, ``'missing'`` when empty),
        ``dx_to_liver_mets`` (:func:`dx_to_mets_category`) and ``liver_mets_to_tace``
        (:func:`mets_to_tace_category`; a missing number of days falls in the last category, as there).

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"extrahepatic_disease": [True, None], "primary_resected": [False, True],
    ...                   "sex": ["F", None], "group": [1, 2], "days_dx_to_liver_mets": [0, 183],
    ...                   "days_liver_mets_to_tace": [13, 92]})
    >>> {k: list(v) for k, v in table1_categories(p).items()}["dx_to_liver_mets"]
    ['group1', '6m_to_18m']
    """
    import numpy as np

    def flags(col):
        missing = col.isna().to_numpy()
        truth = np.zeros(len(col), dtype=bool)
        truth[~missing] = col[~missing].astype(bool).to_numpy()
        return np.where(missing, "missing", np.where(truth, "true", "false")).astype(object)

    sex = patients["sex"]
    empty = (sex.isna() | (sex.astype(str) == "")).to_numpy()
    dx = patients["days_dx_to_liver_mets"].to_numpy(dtype=float)
    to_tace = patients["days_liver_mets_to_tace"].to_numpy(dtype=float)
    group1 = patients["group"].to_numpy(dtype="int64") == 1
    with np.errstate(invalid="ignore"):
        dx_cat = np.select([group1] + [dx <= upper for _, upper in DX_TO_METS[:-1]],
                           ["group1"] + [name for name, _ in DX_TO_METS[:-1]], "gt_6y")
        tace_cat = np.select([to_tace < 14, to_tace <= 3 * MONTH_DAYS], ["lt_2w", "2w_to_3m"], "gt_3m")
    return {"extrahepatic_disease": flags(patients["extrahepatic_disease"]),
            "primary_resected": flags(patients["primary_resected"]),
            "sex": np.where(empty, "missing", sex.astype(str).to_numpy()).astype(object),
            "dx_to_liver_mets": dx_cat.astype(object), "liver_mets_to_tace": tace_cat.astype(object)}
