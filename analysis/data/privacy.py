"""Data overview and re-identification risk of a dataset (notebook 00): missingness and k-anonymity.

k-anonymity (Sweeney 2002): a table is k-anonymous on a set of quasi-identifiers when every
combination of their values that occurs is shared by at least k records. Here the quasi-identifiers
are the age band (10-year bands of ``age_at_tace``; 90 = "90 or older", as ages above 89 are stored
as 90), ``sex`` and ``primary_site`` of patients.csv. A small k means some patients are unique, or
nearly so, on facts an outsider may know.

References
----------
.. [1] Sweeney L. k-anonymity: a model for protecting privacy. Int J Uncertain Fuzziness
   Knowl-Based Syst 2002;10(5):557-70.

Examples
--------
>>> age_band(58)
'50-59'
>>> age_band(90)
'90+'
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from analysis.data.dataset import Dataset
from analysis.data.schema import TABLES

if TYPE_CHECKING:  # pragma: no cover - pandas is imported by the functions that build frames
    import pandas as pd

QUASI_IDENTIFIERS = ("age_band", "sex", "primary_site")
#: equivalence classes smaller than this are flagged: below k = 3 a combination of age band, sex and primary
#: site points to one or two patients
K_THRESHOLD = 3


def age_band(age, width: int = 10) -> str:
    """10-year age band as text ('50-59'); 90 and above is '90+'; missing is 'missing'.

    Parameters
    ----------
    age : float, int, str or None
        An age in years (``age_at_tace``); anything that is not a number, or NaN, is missing.
    width : int, default 10
        The width of a band in years.

    Returns
    -------
    str
        ``"lo-hi"`` (both ends included), ``"90+"`` from 90 on, or ``"missing"``.

    References
    ----------
    Sweeney 2002 (see the module docstring); ages above 89 are stored as 90, hence the top band ``90+``.

    Examples
    --------
    >>> age_band(58), age_band(60.0), age_band(93), age_band(None), age_band(58, width=5)
    ('50-59', '60-69', '90+', 'missing', '55-59')
    """
    try:
        a = float(age)
    except (TypeError, ValueError):
        return "missing"
    if math.isnan(a):
        return "missing"
    if a >= 90:
        return "90+"
    lo = int(a // width) * width
    return f"{lo}-{lo + width - 1}"


def equivalence_classes(patients: pd.DataFrame) -> pd.DataFrame:
    """Size of every combination of age band × sex × primary site that occurs (missing = 'missing').

    Parameters
    ----------
    patients : pandas.DataFrame
        ``Dataset.patients`` (columns ``age_at_tace``, ``sex``, ``primary_site``).

    Returns
    -------
    pandas.DataFrame
        Columns ``age_band``, ``sex``, ``primary_site``, ``n``; sorted by ``n`` then the three keys.

    References
    ----------
    Sweeney 2002 (see the module docstring): the equivalence classes of the quasi-identifiers.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"age_at_tace": [51, 55, 71], "sex": ["F", "F", "M"], "primary_site": ["lung"] * 3})
    >>> equivalence_classes(p).values.tolist()
    [['70-79', 'M', 'lung', 1], ['50-59', 'F', 'lung', 2]]
    """
    import pandas as pd

    df = pd.DataFrame({
        "age_band": [age_band(a) for a in patients["age_at_tace"]],
        "sex": patients["sex"].astype("string").fillna("missing").replace("", "missing").astype(str),
        "primary_site": patients["primary_site"].astype("string").fillna("missing").astype(str),
    })
    out = df.groupby(list(QUASI_IDENTIFIERS), sort=True).size().rename("n").reset_index()
    return out.sort_values(["n", *QUASI_IDENTIFIERS], kind="mergesort").reset_index(drop=True)


def k_anonymity(patients: pd.DataFrame, threshold: int = K_THRESHOLD) -> dict:
    """k (the smallest equivalence class) and how many patients sit in classes below ``threshold``.

    Parameters
    ----------
    patients : pandas.DataFrame
        ``Dataset.patients`` (columns ``age_at_tace``, ``sex``, ``primary_site``).
    threshold : int, default 3
        Classes smaller than this are counted as at risk (:data:`K_THRESHOLD`).

    Returns
    -------
    dict
        ``k``, ``classes`` (number of distinct combinations), ``patients``, ``threshold``,
        ``classes_below`` and ``patients_below`` (in classes smaller than ``threshold``),
        ``unique`` (patients alone in their class), and ``warning``: one sentence when ``k`` is below
        ``threshold`` (these patient rows must not be shared as they are), else None.

    References
    ----------
    Sweeney L. k-anonymity: a model for protecting privacy. Int J Uncertain Fuzziness Knowl-Based
    Syst 2002;10(5):557-70.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"age_at_tace": [51, 55, 58, 71], "sex": ["F", "F", "F", "M"],
    ...                   "primary_site": ["lung", "lung", "lung", "lung"]})
    >>> k_anonymity(p)["k"], k_anonymity(p)["patients_below"]
    (1, 1)
    >>> k_anonymity(p)["warning"].split(":")[0]
    'k = 1 is below 3'
    """
    ec = equivalence_classes(patients)
    below = ec[ec["n"] < threshold]
    return {
        "k": int(ec["n"].min()) if len(ec) else 0,
        "classes": int(len(ec)),
        "patients": int(ec["n"].sum()),
        "threshold": int(threshold),
        "classes_below": int(len(below)),
        "patients_below": int(below["n"].sum()),
        "unique": int((ec["n"] == 1).sum()),
        "warning": _k_warning(ec, below, threshold),
    }


def _k_warning(ec: pd.DataFrame, below: pd.DataFrame, threshold: int) -> str | None:
    """The sentence :func:`k_anonymity` gives when the smallest class is below ``threshold``."""
    if not len(below):
        return None
    return (f"k = {int(ec['n'].min())} is below {threshold}: {int(below['n'].sum())} of {int(ec['n'].sum())} patients "
            f"share their age band, sex and primary site with fewer than {threshold - 1} others; do not share these "
            f"rows as they are")


def missingness(ds: Dataset) -> pd.DataFrame:
    """Missing (empty) values per file and column of a dataset.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset (:func:`analysis.data.load_dataset`).

    Returns
    -------
    pandas.DataFrame
        ``file``, ``column``, ``rows``, ``missing``, ``percent`` — every column of every file, in
        file order (patients, procedures, imaging, progression, lesions) then column order.

    References
    ----------
    Like R's ``colSums(is.na(df))`` per file, with an empty text cell counted as missing.

    Examples
    --------
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> m = missingness(load_dataset(TESTS / "fixtures" / "mini"))
    >>> m[m["file"] == "patients.csv"][["column", "rows", "missing"]].head(2).values.tolist()
    [['patient_id', 12, 0], ['group', 12, 0]]
    """
    import pandas as pd

    rows = []
    for name in TABLES:
        df = getattr(ds, name, None)
        if df is None:
            continue
        n = len(df)
        for col in df.columns:
            miss = int(df[col].isna().sum())
            if df[col].dtype == object:
                miss += int((df[col].astype(str) == "").sum())
            rows.append({"file": f"{name}.csv", "column": col, "rows": n, "missing": miss,
                         "percent": (100.0 * miss / n) if n else 0.0})
    return pd.DataFrame(rows, columns=["file", "column", "rows", "missing", "percent"])


def file_summary(ds: Dataset) -> pd.DataFrame:
    """Rows, columns and SHA-256 (first 12 hex digits) per file of the dataset.

    Parameters
    ----------
    ds : Dataset
        The dataset whose files are summarised; its ``sha256`` holds the checksums of the bytes read.

    Returns
    -------
    pandas.DataFrame
        One row per file present: ``file``, ``rows``, ``columns``, ``sha256`` (first 12 hex digits).

    References
    ----------
    SHA-256: FIPS 180-4 (Python's :mod:`hashlib`), as R's ``digest::digest(file = ..., algo = "sha256")``.

    Examples
    --------
    >>> from analysis.data import load_dataset
    >>> from analysis.paths import TESTS
    >>> file_summary(load_dataset(TESTS / "fixtures" / "mini"))[["file", "rows"]].values.tolist()[:2]
    [['patients.csv', 12], ['procedures.csv', 17]]
    """
    import pandas as pd

    rows = []
    for name in TABLES:
        df = getattr(ds, name, None)
        if df is None:
            continue
        fname = f"{name}.csv"
        digest = (getattr(ds, "sha256", {}) or {}).get(fname, "")
        rows.append({"file": fname, "rows": int(len(df)), "columns": int(df.shape[1]),
                     "sha256": digest[:12]})
    return pd.DataFrame(rows, columns=["file", "rows", "columns", "sha256"])
