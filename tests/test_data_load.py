"""load_dataset (analysis.data.dataset): typed tables, checksums, name, provenance flag;
the schema file itself; the generated data dictionary; and the promises the mini fixture makes
to the other test suites (checked by hand-countable facts, not by the code under test)."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from collections import defaultdict

import pandas as pd
import pytest

from analysis.data import TABLES, data_dictionary_markdown, load_dataset, load_schema
from analysis.paths import DATA, SCHEMA, TESTS

MINI = TESTS / "fixtures" / "mini"


@pytest.fixture(scope="module")
def mini():
    return load_dataset(MINI)


def rows(file: str) -> list[dict[str, str]]:
    with open(MINI / file, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# ----------------------------------------------------------------------------- load_dataset

def test_loaded_dtypes_follow_the_conventions(mini):
    p = mini.patients
    assert p["group"].dtype == "int64" and set(p["group"]) == {1, 2}
    assert p["age_at_tace"].dtype == "float64"
    assert p["primary_resected"].dtype == bool
    assert p["days_dx_to_liver_mets"].dtype == "int64"
    assert p["tace_timing"].map(type).eq(str).all()
    assert p["sex"].dtype == object and p["sex"].isna().sum() == 1  # S06: sex not recorded
    assert mini.procedures["tace_number"].dtype == "int64"
    assert str(mini.procedures["adverse_event_grade"].dtype) == "Int64"  # optional -> nullable
    assert mini.procedures["adverse_event_grade"].isna().sum() == 1  # S08 TACE 2: not recorded
    assert mini.imaging["new_lesions"].dtype == bool
    assert mini.imaging["tumor_volume_cm3"].dtype == "float64"
    assert mini.progression["progressed"].dtype == bool
    assert str(mini.lesions["is_node"].dtype) == "boolean"  # optional -> nullable


def test_loaded_values_match_the_files(mini):
    assert mini.patients.shape == (12, 12)
    assert mini.procedures.shape[0] == 17 and mini.imaging.shape[0] == 39
    assert mini.progression.shape[0] == 20 and mini.lesions.shape[0] == 78
    first = mini.imaging.iloc[0]
    assert (first["patient_id"], first["day"], first["tumor_volume_cm3"]) == ("S01", 12, 212.4)
    assert mini.progression["progressed"].sum() == 19  # one censored row (S06, tace)


def test_checksums_are_sha256_of_the_raw_files(mini):
    assert set(mini.sha256) == {f"{t}.csv" for t in TABLES}
    for f, digest in mini.sha256.items():
        assert digest == hashlib.sha256((MINI / f).read_bytes()).hexdigest()


def test_name_and_synthetic_flag_come_from_the_datapackage(mini, tmp_path):
    assert mini.name == "mini" and mini.is_synthetic is True
    d = tmp_path / "my_real_data"
    shutil.copytree(MINI, d)
    (d / "datapackage.json").unlink()
    loaded = load_dataset(d)
    assert loaded.name == "my_real_data" and loaded.is_synthetic is False


def test_dataset_without_lesions_has_lesions_none(tmp_path):
    d = tmp_path / "d"
    shutil.copytree(MINI, d)
    (d / "lesions.csv").unlink()
    loaded = load_dataset(d)
    assert loaded.lesions is None and "lesions.csv" not in loaded.sha256


# ----------------------------------------------------------------------------- the schema file

def test_bundled_schema_is_a_valid_frictionless_data_package():
    from frictionless import Package

    pkg = Package.from_descriptor(str(SCHEMA))  # raises when the descriptor is invalid
    assert [r.name for r in pkg.resources] == list(TABLES)


def test_every_field_has_a_description_and_patient_keys_reference_patients():
    for res in load_schema()["resources"]:
        for f in res["schema"]["fields"]:
            assert f.get("description"), (res["name"], f["name"])
        if res["name"] != "patients":
            assert res["schema"]["foreignKeys"][0]["reference"] == {"resource": "patients",
                                                                    "fields": ["patient_id"]}


def test_booleans_accept_the_spellings_of_a_hospital_export():
    # issue 12: true/false, TRUE/FALSE, True/False, yes/no, Yes/No, 1/0 -- and nothing ambiguous ("t", "Y")
    for res in load_schema()["resources"]:
        for f in res["schema"]["fields"]:
            if f["type"] == "boolean":
                assert f["trueValues"] == ["true", "TRUE", "True", "yes", "Yes", "1"], f["name"]
                assert f["falseValues"] == ["false", "FALSE", "False", "no", "No", "0"], f["name"]


def test_case_insensitive_categories_never_collide_and_every_category_is_case_insensitive():
    for res in load_schema()["resources"]:
        for f in res["schema"]["fields"]:
            enum = f.get("constraints", {}).get("enum")
            if f["type"] == "string" and enum:
                assert f.get("caseInsensitive") is True, f["name"]
                assert len({v.lower() for v in enum}) == len(enum), f["name"]


def test_keys_and_design_columns_are_required_and_measurements_may_be_empty():
    fields = {(r["name"], f["name"]): f for r in load_schema()["resources"] for f in r["schema"]["fields"]}
    required = [("patients", "patient_id"), ("patients", "group"), ("patients", "tace_timing"),
                ("procedures", "tace_number"), ("procedures", "day"), ("imaging", "day"),
                ("progression", "setting"), ("progression", "start_day"), ("progression", "end_day"),
                ("progression", "progressed")]
    measurements = [("patients", "age_at_tace"), ("imaging", "tumor_volume_cm3"), ("imaging", "liver_volume_cm3"),
                    ("procedures", "dose_mg"), ("procedures", "adverse_event_grade"), ("patients", "sex")]
    for key in required:
        assert fields[key]["constraints"]["required"] is True, key
    for key in measurements:
        assert fields[key].get("measurement") is True and not fields[key].get("constraints", {}).get("required"), key


# ----------------------------------------------------------------------------- data dictionary

def test_data_dictionary_file_is_the_generated_one():
    committed = (DATA / "DATA_DICTIONARY.md").read_text(encoding="utf-8")
    assert committed == data_dictionary_markdown() + "\n", (
        "data/DATA_DICTIONARY.md is stale: run `python -m analysis datadict > data/DATA_DICTIONARY.md`")


def test_data_dictionary_lists_every_column_with_its_unit_and_allowed_values():
    md = data_dictionary_markdown()
    for res in load_schema()["resources"]:
        assert f"## {res['path']}" in md
        for f in res["schema"]["fields"]:
            assert f"| `{f['name']}` | {f['type']} |" in md
    assert "| `tumor_volume_cm3` | number | cm³ | no: measurement (empty = warning) |" in md
    assert "| `group` | integer |  | yes |" in md
    assert "true: `true`, `TRUE`, `True`, `yes`, `Yes`, `1`; false: `false`, `FALSE`, `False`, `no`, `No`, `0`" in md
    assert "`CT`, `MRI` (any case)" in md
    assert "`immediate`, `after_chemo`" in md


# ----------------------------------------------------------------------------- promises of the mini fixture

def test_mini_has_three_patients_in_each_group_and_timing():
    counts = defaultdict(int)
    for r in rows("patients.csv"):
        counts[(r["group"], r["tace_timing"])] += 1
    assert dict(counts) == {("1", "immediate"): 3, ("1", "after_chemo"): 3,
                            ("2", "immediate"): 3, ("2", "after_chemo"): 3}


def test_mini_imaging_sums_equal_the_lesion_axes():
    """RECIST sum = long axes of non-nodal targets + short axes of nodal targets (by hand for S09
    day 16: 57 + 18 = 75; checked for every exam here)."""
    expected = defaultdict(float)
    for r in rows("lesions.csv"):
        if r["role"] == "target":
            expected[(r["patient_id"], r["day"])] += float(r["short_axis_mm"] if r["is_node"] == "true"
                                                           else r["long_axis_mm"])
    for r in rows("imaging.csv"):
        assert float(r["sum_diameters_mm"]) == expected[(r["patient_id"], r["day"])], r
        new = any(x["role"] == "new" and (x["patient_id"], x["day"]) == (r["patient_id"], r["day"])
                  for x in rows("lesions.csv"))
        assert (r["new_lesions"] == "true") == new


def test_mini_contains_the_edge_cases_other_suites_rely_on(mini):
    img, proc = mini.imaging, mini.procedures
    first = proc.groupby("patient_id")["day"].min()
    v0 = {p: g[g["day"] < first[p]].iloc[-1]["tumor_volume_cm3"] for p, g in img.groupby("patient_id")}
    v1 = {p: g[g["day"] > first[p]].iloc[0]["tumor_volume_cm3"] for p, g in img.groupby("patient_id")}
    assert [p for p in v0 if v0[p] == v1[p]] == ["S05"]  # undefined doubling time
    assert pd.Series(v0).duplicated().any()  # ties in V0 across patients (S02, S10: 48.6)
    ttp = mini.progression.query("setting == 'tace'").eval("end_day - start_day")
    assert ttp.duplicated().any()  # ties in TTP after TACE
    assert (~mini.progression["progressed"]).sum() == 1
    chemo = set(mini.progression.query("setting == 'chemo'")["patient_id"])
    after = set(mini.patients.query("tace_timing == 'after_chemo'")["patient_id"])
    assert after < chemo  # every after_chemo patient, and some immediate ones, have a chemo row
    groups = mini.patients.set_index("patient_id")
    assert (groups.query("group == 1")["days_dx_to_liver_mets"] == 0).all()
    assert (groups.query("group == 2")["days_dx_to_liver_mets"] > 0).all()
    assert groups["age_at_tace"].between(35, 80).all()


def test_mini_datapackage_says_it_is_a_hand_made_fixture():
    meta = json.loads((MINI / "datapackage.json").read_text())
    assert meta["synthetic"] is True and "hand-made" in meta["description"]
