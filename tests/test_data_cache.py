"""The validated-dataset cache (analysis.data.cache): a second load of unchanged files returns an equal
Dataset without validating again; any changed byte, schema or validation code misses; a corrupt or
unreadable entry is ignored (validated again, then overwritten), never an error."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from analysis.data import DatasetInvalid, cache, dataset, load_dataset
from analysis.paths import TESTS

MINI = TESTS / "fixtures" / "mini"


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """A private cache folder and a copy of the mini dataset; returns (dataset folder, validation counter)."""
    monkeypatch.setattr(cache, "CACHE_DIR", tmp_path / "cache")
    d = tmp_path / "mini"
    shutil.copytree(MINI, d)
    calls = []
    real = dataset.check

    def counting(path):
        calls.append(path)
        return real(path)

    monkeypatch.setattr(dataset, "check", counting)
    return d, calls


def assert_same_dataset(a, b):
    for table in ("patients", "procedures", "imaging", "progression", "lesions"):
        pd.testing.assert_frame_equal(getattr(a, table), getattr(b, table), check_exact=True)
    assert (a.name, a.path, a.sha256, a.is_synthetic, a.declared_real, a.absent) == (
        b.name, b.path, b.sha256, b.is_synthetic, b.declared_real, b.absent)
    assert a.warnings == b.warnings
    assert [str(w) for w in a.warnings] == [str(w) for w in b.warnings]


def test_a_second_load_of_unchanged_files_is_read_from_the_cache_and_equal(isolated):
    d, calls = isolated
    fresh = load_dataset(d)
    assert len(calls) == 1 and len(list(cache.CACHE_DIR.glob("*.pickle"))) == 1
    cached = load_dataset(d)
    assert len(calls) == 1  # not validated again
    assert_same_dataset(fresh, cached)
    assert [(w.file, w.column) for w in cached.warnings] == [("patients.csv", "sex"),
                                                             ("procedures.csv", "adverse_event_grade")]


def test_a_cached_load_gives_the_same_numbers_json(isolated):
    from analysis import params
    from analysis.study.numbers import compute_numbers, dumps

    d, calls = isolated
    first = dumps(compute_numbers(load_dataset(d), params.defaults()))
    second = dumps(compute_numbers(load_dataset(d), params.defaults()))
    assert len(calls) == 1
    assert first == second


def test_one_changed_byte_misses(isolated):
    d, calls = isolated
    load_dataset(d)
    text = (d / "imaging.csv").read_text(encoding="utf-8")
    (d / "imaging.csv").write_text(text + "\n", encoding="utf-8")  # one more byte (a trailing newline)
    load_dataset(d)
    assert len(calls) == 2


def test_a_new_datapackage_json_misses_and_its_name_is_used(isolated):
    d, calls = isolated
    assert load_dataset(d).name == "mini"
    (d / "datapackage.json").write_text('{"name": "renamed", "synthetic": true}', encoding="utf-8")
    assert load_dataset(d).name == "renamed"
    assert len(calls) == 2


def test_a_change_of_the_validation_code_or_schema_misses(isolated, monkeypatch):
    d, calls = isolated
    load_dataset(d)
    monkeypatch.setattr(cache, "code_key", lambda: "0" * 64)  # what any edit of analysis/data or the schema gives
    load_dataset(d)
    assert len(calls) == 2


def test_the_code_key_covers_the_validation_code_and_the_schema(monkeypatch):
    hashed = []
    real = cache._sha256_file
    monkeypatch.setattr(cache, "_sha256_file", lambda p: hashed.append(p.as_posix()) or real(p))
    cache.code_key.__wrapped__()
    assert any(p.endswith("analysis/data/cells.py") for p in hashed)
    assert any(p.endswith("analysis/data/rules.py") for p in hashed)
    assert any(p.endswith("data/schema/datapackage.json") for p in hashed)


@pytest.mark.parametrize("damage", [b"", b"not a cache entry", "truncate", "flip"])
def test_a_corrupt_entry_is_ignored_validated_again_and_overwritten(isolated, damage):
    d, calls = isolated
    fresh = load_dataset(d)
    (entry,) = cache.CACHE_DIR.glob("*.pickle")
    data = entry.read_bytes()
    if damage == "truncate":
        entry.write_bytes(data[: len(data) // 2])
    elif damage == "flip":
        entry.write_bytes(data[:-10] + bytes([data[-10] ^ 1]) + data[-9:])
    else:
        entry.write_bytes(damage)
    again = load_dataset(d)
    assert len(calls) == 2
    assert_same_dataset(fresh, again)
    assert cache.load_entry(entry.stem) is not None  # overwritten with a whole entry
    load_dataset(d)
    assert len(calls) == 2


def test_an_unreadable_entry_is_ignored(isolated):
    d, calls = isolated
    load_dataset(d)
    (entry,) = cache.CACHE_DIR.glob("*.pickle")
    entry.unlink()
    entry.mkdir()  # a folder where the entry should be: cannot be read nor replaced
    ds = load_dataset(d)
    assert len(calls) == 2 and len(ds.patients) == 12


def test_a_copy_in_another_folder_hits_and_is_named_after_its_folder(isolated, tmp_path):
    d, calls = isolated
    (d / "datapackage.json").unlink()  # no name of its own: the folder names it
    assert load_dataset(d).name == "mini"
    other = tmp_path / "elsewhere"
    shutil.copytree(d, other)
    ds = load_dataset(other)
    assert len(calls) == 1
    assert (ds.name, ds.path) == ("elsewhere", other)


def test_strict_refuses_a_cached_dataset_with_warnings(isolated):
    d, calls = isolated
    load_dataset(d)
    with pytest.raises(DatasetInvalid):
        load_dataset(d, strict=True)


def test_a_refused_dataset_is_never_cached(isolated):
    d, calls = isolated
    (d / "imaging.csv").unlink()
    for _ in range(2):
        with pytest.raises(DatasetInvalid):
            load_dataset(d)
    assert len(calls) == 2
    assert not list(cache.CACHE_DIR.glob("*.pickle"))
