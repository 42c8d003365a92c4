"""Real exports lack parts: ``reproduce`` must still run every notebook to its end and say what it could not
compute, on a dataset without progression.csv, with one group only, or without any follow-up exam.

Each dataset is the hand-made ``mini`` fixture with one part taken away (the ``noprogression`` fixture of the R
parity tests for the first). What is expected comes from the shape of the data, not from the code: with no
progression rows there is no pair of TTPs for the paired test of notebook 09; with one group there is no
second sample for the two-sample shift of notebook 10; with no follow-up exam there is no response for the
kappa of notebook 11. Each of those notebooks must show that call as "not computed" with its reason, no
notebook may end in an error, and no library warning may be printed into a notebook.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import shutil
from pathlib import Path

import nbformat
import pytest

from analysis.paths import TESTS
from analysis.report import pipeline

MINI = TESTS / "fixtures" / "mini"


def _rows(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames), list(reader)


def _write(path: Path, header: list[str], rows: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def _derive(dst: Path, keep_row, drop: tuple[str, ...] = ()) -> Path:
    """``mini`` with the rows ``keep_row(table, row)`` accepts, without the tables in ``drop``."""
    dst.mkdir()
    pkg = json.loads((MINI / "datapackage.json").read_text())
    pkg["name"] = f"mini-{dst.name}"
    pkg["resources"] = [r for r in pkg["resources"] if r["name"] not in drop]
    (dst / "datapackage.json").write_text(json.dumps(pkg, indent=1))
    for src in sorted(MINI.glob("*.csv")):
        if src.stem not in drop:
            header, rows = _rows(src)
            _write(dst / src.name, header, [r for r in rows if keep_row(src.stem, r)])
    return dst


def _group1_only(dst: Path) -> Path:
    _, patients = _rows(MINI / "patients.csv")
    ids = {r["patient_id"] for r in patients if r["group"] == "1"}
    return _derive(dst, lambda table, row: row["patient_id"] in ids)


def _no_follow_up(dst: Path) -> Path:
    """Exams (and lesion measurements) up to the day of the first TACE only; no progression.csv."""
    _, procedures = _rows(MINI / "procedures.csv")
    first = {}
    for r in procedures:
        first[r["patient_id"]] = min(float(r["day"]), first.get(r["patient_id"], float("inf")))

    def keep(table, row):
        return table not in ("imaging", "lesions") or float(row["day"]) <= first[row["patient_id"]]

    return _derive(dst, keep, drop=("progression",))


def _no_progression(dst: Path) -> Path:
    shutil.copytree(TESTS / "fixtures" / "numbers" / "noprogression", dst)
    assert not (dst / "progression.csv").exists()
    return dst


SHAPES = {
    "without progression.csv": (_no_progression, "09_paired_ttp"),
    "with group 1 only": (_group1_only, "10_effect_sizes"),
    "without any follow-up exam": (_no_follow_up, "11_agreement"),
}


def _outputs(path: Path) -> list[tuple[str, dict]]:
    """(source of the cell, output) for every output of the executed notebook at ``path``."""
    nb = nbformat.read(path, as_version=4)
    return [(cell.source, o) for cell in nb.cells for o in cell.get("outputs", [])]


@pytest.mark.slow
@pytest.mark.parametrize("shape", list(SHAPES))
def test_every_notebook_runs_to_its_end_and_says_what_it_could_not_compute_on_a_dataset(shape, tmp_path):
    make, notebook = SHAPES[shape]
    data = make(tmp_path / "data")
    with contextlib.redirect_stdout(io.StringIO()):
        out = pipeline.reproduce(data, tmp_path / "out", force=True)
    for path in sorted((out / "notebooks").glob("*.ipynb")):
        errors = [o.get("evalue") for _, o in _outputs(path) if o["output_type"] == "error"]
        assert not errors, (path.name, errors)
        warnings = [o["text"] for _, o in _outputs(path) if o["output_type"] == "stream" and o["name"] == "stderr"]
        assert not warnings, (path.name, warnings)  # no library warning (e.g. an empty legend) reaches the reader
    refused = [o for source, o in _outputs(out / "notebooks" / f"{notebook}.ipynb")
               if "attempt(" in source and "method='not computed'" in o.get("data", {}).get("text/plain", "")]
    assert refused, f"{notebook} shows no refused call on a dataset {shape}"
    assert all("note=''" not in o["data"]["text/plain"] for o in refused)  # each refusal says why
    assert len(list((out / "figures").glob("*.png"))) == len(list((out / "figures").glob("*.svg"))) > 0
