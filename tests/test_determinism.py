"""Determinism: numbers, tables and figures do not depend on the row (or column) order of the input files."""

from __future__ import annotations

import csv
import io
import random
import shutil

import pytest

from analysis import params
from analysis.paths import DATA

SYNTHETIC = DATA / "synthetic"


def shuffle_csv(path, rng: random.Random) -> None:
    """Rewrite a CSV file with its data rows and its columns in a random order (same cells)."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    order = list(range(len(header)))
    rng.shuffle(order)
    rng.shuffle(body)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([header[k] for k in order])
    w.writerows([[r[k] for k in order] for r in body])
    path.write_text(buf.getvalue(), encoding="utf-8")


@pytest.fixture(scope="module")
def shuffled(tmp_path_factory):
    """A copy of the bundled cohort (same folder name) with every file's rows and columns shuffled."""
    d = tmp_path_factory.mktemp("shuffled") / SYNTHETIC.name
    shutil.copytree(SYNTHETIC, d)
    rng = random.Random(15)
    for f in sorted(d.glob("*.csv")):
        shuffle_csv(f, rng)
    assert (d / "patients.csv").read_bytes() != (SYNTHETIC / "patients.csv").read_bytes()
    return d


def _numbers_text(data_dir) -> str:
    from analysis.data import load_dataset
    from analysis.study.numbers import compute_numbers, dumps

    numbers = compute_numbers(load_dataset(data_dir), params.defaults())
    numbers["_meta"].pop("sha256")  # the digests of the input bytes differ by construction
    return dumps(numbers)


def test_numbers_json_is_byte_identical_for_shuffled_rows_and_columns(shuffled):
    # without the canonical order of analysis.data.load_dataset, 7 numbers (e.g. the mean age) differed
    # in their 16th significant digit: floating-point sums depend on the order of the terms
    assert _numbers_text(shuffled) == _numbers_text(SYNTHETIC)


def test_loaded_tables_are_in_the_canonical_order_whatever_the_file_order(shuffled):
    from analysis.data import load_dataset

    a, b = load_dataset(SYNTHETIC), load_dataset(shuffled)
    for name in ("patients", "procedures", "imaging", "progression"):
        fa, fb = getattr(a, name), getattr(b, name)
        assert fa.equals(fb), name
    # the order is the unique key, read here from the data dictionary: patient, then TACE number / day / setting
    assert b.procedures[["patient_id", "tace_number"]].apply(tuple, axis=1).is_monotonic_increasing
    assert b.imaging[["patient_id", "day"]].apply(tuple, axis=1).is_monotonic_increasing
    assert b.progression[["patient_id", "setting"]].apply(tuple, axis=1).is_monotonic_increasing


def test_tables_and_per_patient_endpoints_are_identical_for_shuffled_rows(shuffled, tmp_path):
    from analysis.report import bundle
    from analysis.report.publish import write_tables

    outs = []
    for k, d in enumerate((SYNTHETIC, shuffled)):
        res = bundle.compute(d, params.defaults(), f"determinism-{k}")
        write_tables(res, tmp_path / str(k))
        outs.append({p.name: p.read_bytes() for p in sorted((tmp_path / str(k)).iterdir())})
    assert outs[0] == outs[1]


def test_injected_parameters_cell_gets_a_fixed_id_and_ids_stay_unique():
    import nbformat

    from analysis.report.notebooks import INJECTED_ID, clean_notebook

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("a = 1", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("a = 2", metadata={"tags": ["injected-parameters"]}),
                nbformat.v4.new_markdown_cell("x"), nbformat.v4.new_code_cell("b = a")]
    nb.cells[0]["id"], nb.cells[2]["id"], nb.cells[3]["id"] = "keep-me", "dup", "dup"
    clean_notebook(nb)
    assert [c["id"] for c in nb.cells] == ["keep-me", INJECTED_ID, "dup", "cell-3"]


@pytest.mark.slow
def test_an_executed_notebook_and_its_html_are_byte_identical_across_two_runs(tmp_path):
    # papermill gives its injected-parameters cell a random id on every run, which nbconvert writes into the HTML
    from analysis.paths import NOTEBOOKS
    from analysis.report.notebooks import notebook_paths
    from analysis.report.runner import run_notebook

    src = notebook_paths()[0]
    got = []
    for k in (1, 2):
        st = run_notebook(str(src), str(tmp_path / f"{k}.ipynb"), str(tmp_path / f"{k}.html"),
                          {"data_dir": "tests/fixtures/mini"}, str(NOTEBOOKS))
        assert st["ok"], st
        got.append(((tmp_path / f"{k}.ipynb").read_bytes(), (tmp_path / f"{k}.html").read_bytes()))
    assert got[0] == got[1]
    assert b'id="cell-id=injected-parameters"' in got[0][1]
