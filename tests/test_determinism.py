"""Determinism.

No result depends on wall-clock time (issue 13, item 4): the audit and the synthetic cohort come out byte for
byte the same on a machine whose every core is kept busy by a competing process.

The reference for the audit is a run on the idle machine; the reference for the synthetic cohort is the committed
cohort (``data/synthetic/``, which tests/test_synth.py regenerates on the idle machine). Solvers carry node
limits, never time limits (:data:`analysis.paper.feasibility.milp.NODE_LIMIT`), so a slow solve can change how long
a run takes but not what it writes.

No result depends on the row (or column) order of the input files, and executed notebooks and their HTML are
byte-identical across two runs (issue 15, item 3).
"""

from __future__ import annotations

import csv
import io
import os
import random
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from analysis import params, paths
from analysis.paths import DATA

ROOT = paths.ROOT


@contextmanager
def busy_cores():
    """One process spinning ``while True: pass`` per core for the duration of the block."""
    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 1)]
    try:
        yield procs
    finally:
        for p in procs:
            p.kill()
            p.wait()


def _run(args: list[str]) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-m", "analysis", *args], check=True, cwd=ROOT, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _files(d: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(d.iterdir()) if p.is_file()}


def test_no_solver_in_the_analysis_is_given_a_time_limit():
    src = "\n".join(p.read_text(encoding="utf-8") for sub in ("paper", "synth")
                    for p in (ROOT / "analysis" / sub).rglob("*.py"))
    assert "time_limit" not in src
    from analysis.paper.feasibility.milp import DETERMINISTIC, NODE_LIMIT

    assert DETERMINISTIC["threads"] == 1 and isinstance(NODE_LIMIT, int)


@pytest.mark.slow
def test_audit_is_byte_identical_on_a_busy_machine(tmp_path):
    _run(["audit", "--out", str(tmp_path / "idle")])
    with busy_cores():
        _run(["audit", "--out", str(tmp_path / "busy")])
    idle, busy = _files(tmp_path / "idle"), _files(tmp_path / "busy")
    assert set(idle) == {"audit.csv", "audit.md"}
    assert idle == busy


@pytest.mark.slow
def test_synthetic_cohort_is_byte_identical_on_a_busy_machine(tmp_path):
    with busy_cores():
        _run(["synthesize", "--out", str(tmp_path / "busy")])
    busy = _files(tmp_path / "busy")
    committed = _files(paths.SYNTHETIC)
    for name, data in busy.items():
        assert data == committed[name], name


# ---- row order of the input files; executed notebooks (issue 15)

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


def test_widget_ids_drawn_at_random_by_the_kernel_are_the_same_on_every_run():
    # explore.ipynb displays ipywidgets: the kernel draws each view's model_id at random (uuid4), and the
    # widget state they point to is dropped anyway; two runs must give the same ids, distinct per output
    import uuid

    import nbformat

    from analysis.report.notebooks import WIDGET_VIEW, clean_notebook

    def executed():
        nb = nbformat.v4.new_notebook()
        cell = nbformat.v4.new_code_cell("controls")
        cell["id"] = "explore-controls"
        cell.outputs = [nbformat.v4.new_output("display_data", data={
            WIDGET_VIEW: {"model_id": uuid.uuid4().hex, "version_major": 2, "version_minor": 0},
            "text/plain": "VBox()"}) for _ in range(2)]
        nb.cells = [cell]
        clean_notebook(nb)
        return [o["data"][WIDGET_VIEW]["model_id"] for o in cell.outputs]

    first, second = executed(), executed()
    assert first == second and first[0] != first[1]
    assert all(len(m) == 32 and int(m, 16) >= 0 for m in first)  # still shaped like a model id


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
