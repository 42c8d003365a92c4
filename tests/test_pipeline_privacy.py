"""Data overview helpers (analysis.data.privacy): age bands, k-anonymity, missingness."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.paths import TESTS
from analysis.data.privacy import age_band, equivalence_classes, k_anonymity, missingness


@pytest.mark.parametrize("age, band", [(29, "20-29"), (30, "30-39"), (59.9, "50-59"), (89, "80-89"),
                                       (90, "90+"), (None, "missing")])
def test_age_band_uses_ten_year_bands_and_caps_at_90(age, band):
    assert age_band(age) == band


def test_k_anonymity_is_the_size_of_the_smallest_quasi_identifier_class():
    # by hand: (50-59, F, lung) x3, (70-79, M, lung) x1, (70-79, missing sex, pancreas) x2
    p = pd.DataFrame({"age_at_tace": [51, 55, 58, 71, 72, 75],
                      "sex": ["F", "F", "F", "M", None, None],
                      "primary_site": ["lung", "lung", "lung", "lung", "pancreas", "pancreas"]})
    k = k_anonymity(p, threshold=3)
    assert {n: v for n, v in k.items() if n != "warning"} == {
        "k": 1, "classes": 3, "patients": 6, "threshold": 3, "classes_below": 2, "patients_below": 3, "unique": 1}
    ec = equivalence_classes(p)
    assert ec["n"].tolist() == [1, 2, 3]
    assert ec.iloc[1][["age_band", "sex", "primary_site"]].tolist() == ["70-79", "missing", "pancreas"]


def test_k_anonymity_warns_below_k_3_by_default_and_not_at_3():
    # the threshold: warn below k = 3. Two classes of 3 -> k = 3, no warning; move one patient -> a class of 2
    three = pd.DataFrame({"age_at_tace": [51, 55, 58, 71, 72, 75], "sex": ["F"] * 3 + ["M"] * 3,
                          "primary_site": ["lung"] * 6})
    assert k_anonymity(three)["threshold"] == 3
    assert k_anonymity(three)["k"] == 3 and k_anonymity(three)["warning"] is None
    two = three.assign(age_at_tace=[51, 55, 68, 71, 72, 75])  # (50-59, F) x2, (60-69, F) x1, (70-79, M) x3
    w = k_anonymity(two)
    assert (w["k"], w["patients_below"]) == (1, 3)
    assert w["warning"] == ("k = 1 is below 3: 3 of 6 patients share their age band, sex and primary site with fewer "
                            "than 2 others; do not share these rows as they are")


def test_missingness_counts_empty_cells_of_the_fixture():
    from analysis.data import load_dataset

    ds = load_dataset(TESTS / "fixtures" / "mini")
    m = missingness(ds).set_index(["file", "column"])
    # independent count with the csv module: empty strings in the raw file
    import csv

    with open(TESTS / "fixtures" / "mini" / "patients.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert m.loc[("patients.csv", "sex"), "missing"] == sum(r["sex"] == "" for r in rows)
    assert m.loc[("patients.csv", "patient_id"), "missing"] == 0
    assert m.loc[("patients.csv", "sex"), "rows"] == len(rows)
