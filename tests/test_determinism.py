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
