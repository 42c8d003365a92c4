"""The committed notebooks: narrative, parameterized, executed, and free of machine paths.

Their outputs are re-checked cell by cell by nbval (``make test``); these tests check the structure.
``tests/test_narrative.py`` runs each notebook alone and checks the numbers it shows.
"""

from __future__ import annotations

import json
import re

import pytest
from conftest import MACHINE_PATH_PREFIXES

from analysis.params import PARAMS
from analysis.report.pipeline import declared_parameters, notebook_paths

NUMBERED = [p for p in notebook_paths() if p.name[:2].isdigit()]  # explore.ipynb comes last
EXPLORE = NUMBERED[0].parent / "explore.ipynb"
NOTEBOOK_FILES = NUMBERED + [EXPLORE]
IDS = [p.stem for p in NOTEBOOK_FILES]
#: topic words the notebook file names keep (issue 11 item 8)
TOPICS = ("overview", "table1", "table2", "table3", "table4", "regression", "recist", "report", "explore")


def _nb(path):
    return json.loads(path.read_text(encoding="utf-8"))


def _code(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def _src(cell):
    return "".join(cell["source"])


def test_notebooks_are_numbered_in_reading_order_and_cover_every_table_and_figure():
    names = [p.stem for p in NUMBERED]
    assert names == sorted(names)
    numbers = [int(n[:2]) for n in names]
    assert numbers[0] == 0 and len(set(numbers)) == len(numbers)
    assert EXPLORE.is_file()
    for topic in TOPICS:
        assert any(topic in p.stem for p in NOTEBOOK_FILES), topic
    text = "\n".join(p.read_text(encoding="utf-8") for p in NOTEBOOK_FILES)
    for table in ("table1", "table2", "table3", "table4", "regression", "recist_counts"):
        assert f"tables.{table}(ds, params)" in text, table
        assert f'table_verdicts(\\"{table.split("_")[0]}\\"' in text, table
    from analysis.report.figures import FIGURES

    for fig in FIGURES:
        assert f"figures.{fig}(" in text, fig


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=IDS)
def test_parameters_cell_is_first_tagged_and_declares_registry_names_with_registry_defaults(path):
    nb = _nb(path)
    code = [c for c in _code(nb) if "injected-parameters" not in c["metadata"].get("tags", [])]
    assert "parameters" in code[0]["metadata"].get("tags", []), "first code cell must be tagged 'parameters'"
    assert sum("parameters" in c["metadata"].get("tags", []) for c in code) == 1
    declared = declared_parameters(path)
    assert declared, "declares at least data_dir"
    for name, value in declared.items():
        assert name in PARAMS, name
        assert value == PARAMS[name].default and type(value) is type(PARAMS[name].default), name


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=IDS)
def test_notebook_runs_on_the_project_kernel(path):
    assert _nb(path)["metadata"]["kernelspec"]["name"] == "tace-net"


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=IDS)
def test_cells_call_the_package_and_define_nothing(path):
    # one package call per step: no function or class definitions and no imports of the scientific
    # stack for computing (loops over package calls are fine; every computation is in analysis/)
    for cell in _code(_nb(path)):
        src = _src(cell)
        assert not re.search(r"^\s*(def|class|lambda)\s", src, re.M), src
        assert not re.search(r"import (scipy|statsmodels|numpy|pingouin|seaborn|matplotlib)", src), src


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=IDS)
def test_no_notebook_reads_the_results_cache(path):
    # each computes from its dataset with visible package calls (issue 11), never from analysis.report.results
    for cell in _code(_nb(path)):
        src = _src(cell)
        assert not re.search(r"\bresults\.(get|load|get_overview|get_figures)\b|report import .*\bresults\b|"
                             r"report\.results\b|\bget_overview\(", src), src


@pytest.mark.parametrize("path", NUMBERED, ids=[p.stem for p in NUMBERED])
def test_each_notebook_loads_the_dataset_and_ends_with_a_try_it_section(path):
    nb = _nb(path)
    assert any("load_dataset(" in _src(c) for c in _code(nb))
    headings = [_src(c) for c in nb["cells"] if c["cell_type"] == "markdown" and _src(c).startswith("## ")]
    assert headings[-1].startswith("## Try it"), headings[-1]


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=IDS)
def test_committed_outputs_are_complete_without_errors_or_machine_paths(path):
    nb = _nb(path)
    for cell in _code(nb):
        assert cell.get("execution_count") is not None, f"not executed: {_src(cell)[:60]}"
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", out.get("ename")
            assert out.get("name") != "stderr", "".join(out.get("text", ""))
    text = json.dumps(nb)
    for machine in MACHINE_PATH_PREFIXES:
        assert machine not in text, machine
    assert "papermill" not in nb["metadata"], "run metadata (times, paths) must be stripped"


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=IDS)
def test_each_notebook_states_its_dataset_and_whether_it_is_synthetic(path):
    outs = "".join("".join(o.get("text", "")) for c in _code(_nb(path)) for o in c.get("outputs", []))
    m = re.search(r"Dataset '([^']+)' \(([^)]+)\): (a SYNTHETIC|real de-identified|provenance not declared)", outs)
    assert m, "the notebook must print the dataset statement"


def test_notebooks_do_not_carry_volatile_tags_on_table_cells():
    for path in NOTEBOOK_FILES:
        for cell in _code(_nb(path)):
            if "tables." in _src(cell) or "verdicts" in _src(cell):
                assert "nbval-ignore-output" not in cell["metadata"].get("tags", []), (path.name, _src(cell))
