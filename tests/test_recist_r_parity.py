"""RECIST 1.1 per patient agrees with an independent R implementation written from the criteria.

``tests/r/recist_reference.R`` implements Eisenhauer et al. (Eur J Cancer 2009;45:228-47) in base R,
from the guideline's text (sections 3.1, 4.2-4.4, Tables 1-3), not from the Python package; its output
for the datasets of ``RECIST_DATASETS`` is committed as ``tests/r/fixtures/recist_reference.json``
(regenerate: ``Rscript tests/r/recist_reference.R`` from the repository root). The datasets cover each
rule: ``tests/fixtures/recist`` has one patient per rule (CR with a 7 mm node, a new lesion only in
lesions.csv, NE vs PD with a target not assessed, non-measurable baseline, PR -> SD -> PR, PD vs the
nadir, a non-measurable node named target, exam-level sums 0 -> 0, +20 % with < 5 mm, CR with a
non-target left). The recist.<g>.* counts of numbers.json are compared with R in
tests/test_numbers_r_parity.py (dataset_numbers.R uses the same R rules).
"""

from __future__ import annotations

import hashlib
import json

import pytest

from analysis.paths import ROOT, TESTS

REF = json.loads((TESTS / "r" / "fixtures" / "recist_reference.json").read_text(encoding="utf-8"))
DATASETS = {"recist": "tests/fixtures/recist", "mini": "tests/fixtures/mini",
            "edge": "tests/fixtures/numbers/edge", "large": "tests/fixtures/numbers/large"}


def _python(name):
    from analysis.data import load_dataset
    from analysis.study.recist import best_overall_response, evaluate_dataset
    from analysis.study.response import recist_first_followup

    ds = load_dataset(ROOT / DATASETS[name])
    first = dict(zip(*recist_first_followup(ds)[["patient_id", "response"]].T.values))
    tp = evaluate_dataset(ds)
    best = {} if tp is None else dict(zip(*best_overall_response(tp)[["patient_id", "best_response"]].T.values))
    return first, best


def test_the_reference_was_made_from_the_committed_files():
    for name, folder in DATASETS.items():
        now = {f.name: hashlib.md5(f.read_bytes()).hexdigest() for f in sorted((ROOT / folder).glob("*.csv"))}
        assert REF[name]["md5"] == now, f"regenerate tests/r/fixtures/recist_reference.json ({folder} changed)"
    assert REF["_meta"]["r_version"].startswith("R version 4.2")


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_first_followup_and_best_response_equal_r_for_every_patient(name):
    first, best = _python(name)
    bad = []
    for pid, ref in REF[name]["patients"].items():
        if (ref["first_followup"] or None) != (first.get(pid) or None):
            bad.append((pid, "first", first.get(pid), ref["first_followup"]))
        if ref["best"] is not None and ref["best"] != best.get(pid):
            bad.append((pid, "best", best.get(pid), ref["best"]))
    assert not bad, f"(patient, level, python, R): {bad}"


def test_the_rules_fixture_exercises_every_category():
    cats = {p["first_followup"] for p in REF["recist"]["patients"].values()}
    assert {"CR", "PR", "SD", "PD", "NE", "non-CR/non-PD"} <= cats


@pytest.mark.parametrize("name", sorted(DATASETS))
@pytest.mark.parametrize("criterion", ["mrecist", "volumetric"])
def test_mrecist_and_volumetric_equal_r_for_every_patient(name, criterion):
    from analysis.data import load_dataset
    from analysis.study.response import first_followup

    got = first_followup(load_dataset(ROOT / DATASETS[name]), criterion).set_index("patient_id")["response"]
    bad = [(pid, got.get(pid), ref[criterion]) for pid, ref in REF[name]["patients"].items()
           if (ref[criterion] or None) != (got.get(pid) or None)]
    assert not bad, f"(patient, python, R): {bad}"
