"""Injection: text from a dataset or a parameter is data, never markup, formula or code."""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from analysis.paths import ROOT, TESTS

MINI = TESTS / "fixtures" / "mini"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_index_html_escapes_the_dataset_name_folder_and_parameters(tmp_path):
    from analysis.report.html import index_html

    res = SimpleNamespace(numbers={"_meta": {"versions": {HOSTILE: HOSTILE}}}, is_synthetic=False,
                          dataset_name=HOSTILE, data_dir=f"data/{HOSTILE}",
                          dataset=SimpleNamespace(patients=[1], procedures=[1]),
                          sha256={HOSTILE: HOSTILE}, params={"data_dir": HOSTILE}, comparison=None)
    page = index_html(tmp_path, res, [f"00_{HOSTILE}.ipynb"], [HOSTILE])
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_a_hostile_title_and_column_name_are_escaped_in_rendered_notebook_outputs():
    # what the notebooks display from a dataset goes through pandas' HTML (escaped) or plain text
    import nbformat

    from analysis.report.notebooks import render_html

    nb = nbformat.v4.new_notebook()
    df = pd.DataFrame({HOSTILE: [HOSTILE]})
    nb.cells = [nbformat.v4.new_code_cell("x", outputs=[
        nbformat.v4.new_output("execute_result", {"text/html": df._repr_html_(), "text/plain": HOSTILE},
                               execution_count=1),
        nbformat.v4.new_output("stream", name="stdout", text=HOSTILE)])]
    page = render_html(nb, HOSTILE)
    assert "<script>alert" not in page and "<img src=x" not in page


def test_csv_tables_never_start_a_text_cell_with_a_formula_character():
    from analysis.report.publish import csv_safe

    hyperlink = '=HYPERLINK("http://x","y")'
    df = pd.DataFrame({"column": [hyperlink, "+cmd|' /C calc'!A0", "-cmd", "@SUM(A1)", "\tx", "ok"],
                       "value": [1.5, -2.0, 3.0, -0.25, 0.0, 1e-9],
                       "text_number": ["-0.5", "+3", "1e-05", "-inf", "12", "x"]})
    df["=bad_name"] = 0
    out = csv_safe(df)
    text = out.to_csv(index=False, lineterminator="\n")
    for line in text.splitlines():
        for cell in line.split(","):
            assert not cell.lstrip('"').startswith(("=", "@", "\t")), cell
    assert out["column"].tolist() == ["'" + hyperlink, "'+cmd|' /C calc'!A0", "'-cmd", "'@SUM(A1)", "'\tx", "ok"]
    assert out["value"].tolist() == df["value"].tolist()  # numbers stay numbers
    assert out["text_number"].tolist() == df["text_number"].tolist()
    assert list(out.columns)[-1] == "'=bad_name"


def test_an_extra_column_named_like_a_formula_reaches_the_missingness_csv_quoted(tmp_path):
    from analysis import params
    from analysis.report import bundle
    from analysis.report.publish import write_tables

    d = tmp_path / "mini"
    shutil.copytree(MINI, d)
    lines = (d / "patients.csv").read_text(encoding="utf-8").splitlines()
    name = "=1+2"
    lines = [lines[0] + "," + name] + [x + ",3" for x in lines[1:]]
    (d / "patients.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = bundle.compute(d, params.defaults(), "injection-test")
    write_tables(res, tmp_path / "tables")
    text = (tmp_path / "tables" / "missingness.csv").read_text(encoding="utf-8")
    assert "patients.csv,'=1+2," in text
    assert "\n=" not in text and ",=" not in text


# ---- nothing read from a dataset or a parameter is ever evaluated

#: the only places the package turns text into objects, and why each is safe
ALLOWED = {
    ("analysis/report/notebooks.py", "literal_eval"): "the project's own notebooks' parameters cells, literals only",
    ("analysis/report/results.py", "load"): "pickle.load of the results cache the project itself wrote in .cache/",
    ("analysis/data/cache.py", "loads"): "pickle.loads of the validated-dataset cache the project itself wrote in "
                                         ".cache/, only after the entry's SHA-256 checks out",
    ("analysis/report/bundle.py", "loads"): "pickle.loads, in a worker of reproduce, of the dataset its parent "
                                            "pickled in the same run (the pool pickles every task's arguments "
                                            "anyway); never bytes read from a file",
}


def _calls(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            owner = f.value.id if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) else ""
            if name in ("eval", "exec", "literal_eval", "__import__") or (name == "compile" and owner != "re") or (
                    owner in ("pickle", "marshal", "yaml", "shelve", "dill") and name in ("load", "loads")):
                yield name


def test_the_package_never_evaluates_text_except_where_allowed():
    found = {(p.relative_to(ROOT).as_posix(), name) for p in sorted((ROOT / "analysis").rglob("*.py"))
             for name in _calls(p)}
    assert found <= set(ALLOWED), found - set(ALLOWED)


@pytest.mark.parametrize("value", ["__import__('os').system('touch PWNED')", "1; import os", "0.05 or exit()"])
def test_a_parameter_value_that_is_code_is_refused_not_run(value, tmp_path, monkeypatch):
    from analysis.errors import UsageError
    from analysis.params import parse_assignments

    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError, match="is not a valid float"):
        parse_assignments([f"alpha={value}"])
    assert not (tmp_path / "PWNED").exists()


def test_a_notebook_parameter_that_is_a_string_with_quotes_is_injected_as_a_literal():
    # papermill writes string parameters as Python string literals: quotes cannot end the literal
    from papermill.translators import PythonTranslator

    for value in ['x"; import os; os.system("touch PWNED"); "', 'a\\"; import os #', "a\nimport os"]:
        tree = ast.parse(f"data_dir = {PythonTranslator.translate(value)}")
        assert isinstance(tree.body[0].value, ast.Constant) and tree.body[0].value.value == value
        assert len(tree.body) == 1


def test_a_hostile_datapackage_title_and_description_are_only_data(tmp_path):
    from analysis.data import load_dataset, validate_dir

    d = tmp_path / "mini"
    shutil.copytree(MINI, d)
    meta = json.loads((d / "datapackage.json").read_text()) if (d / "datapackage.json").is_file() else {}
    meta.update(title=HOSTILE, description="__import__('os').system('touch PWNED')")
    (d / "datapackage.json").write_text(json.dumps(meta), encoding="utf-8")
    assert [p for p in validate_dir(d) if not p.is_warning] == []
    load_dataset(d)
    assert not (d / "PWNED").exists() and not Path("PWNED").exists()


@pytest.mark.slow
def test_reproduce_with_a_hostile_title_and_an_extra_column_escapes_the_one_and_never_shows_the_other(tmp_path):
    # one real run on the mini fixture: the dataset's name/title/description hold markup, an extra free-text
    # column holds a marker value; no output file may contain the raw markup or the marker
    from analysis.report.pipeline import reproduce

    d = tmp_path / "mini"
    shutil.copytree(MINI, d)
    meta = json.loads((d / "datapackage.json").read_text()) if (d / "datapackage.json").is_file() else {}
    meta.update(name=HOSTILE, title=HOSTILE, description=HOSTILE)
    (d / "datapackage.json").write_text(json.dumps(meta), encoding="utf-8")
    marker = "uneventful qzxmarker"
    for f in ("patients.csv", "procedures.csv", "imaging.csv", "progression.csv"):
        lines = (d / f).read_text(encoding="utf-8").splitlines()
        (d / f).write_text("\n".join([lines[0] + ",free_note"] + [x + "," + marker for x in lines[1:]]) + "\n",
                           encoding="utf-8")
    out = tmp_path / "out"
    reproduce(d, out, force=True)
    for p in sorted(out.rglob("*")):
        if p.is_file() and p.suffix in (".html", ".ipynb", ".csv", ".md", ".json", ".svg"):
            text = p.read_text(encoding="utf-8")
            assert "qzxmarker" not in text, p
            if p.suffix == ".html":
                assert "<script>alert" not in text and "<img src=x" not in text, p
