"""The reproduce pipeline (analysis.report.pipeline): checks before running, atomic output, cache, equality
of numbers.json with the `numbers` command."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from analysis.report import pipeline
from analysis.report import results as _results
from analysis.errors import UsageError, UserError
from analysis.paths import ROOT, TESTS
from conftest import MACHINE_PATH_PREFIXES

MINI = TESTS / "fixtures" / "mini"

_REAL_CODE_HASH = _results.code_hash
MINI_REL = MINI.relative_to(ROOT)


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _notebook(path: Path, params_src: str, body: list[str], tag: bool = True) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "tace-net", "display_name": "tace-net", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# test notebook"),
                nbformat.v4.new_code_cell(params_src, metadata={"tags": ["parameters"] if tag else []})]
    nb.cells += [nbformat.v4.new_code_cell(src) for src in body]
    nbformat.write(nb, path)
    return path


def _kernel_pids() -> set[int]:
    """Running IPython kernels of this project's notebook runners (their process ids): kernels started in this
    checkout's notebooks/ folder (other checkouts on the machine may run kernels of their own meanwhile)."""
    import psutil

    from analysis.paths import NOTEBOOKS

    pids = set()
    for proc in psutil.process_iter(["pid", "cmdline", "cwd"]):
        if "ipykernel_launcher" in (proc.info["cmdline"] or []) and proc.info["cwd"] == str(NOTEBOOKS):
            pids.add(proc.info["pid"])
    return pids


def _no_notebook_may_run(monkeypatch):
    def boom(*a, **k):
        raise AssertionError("a notebook was started")

    monkeypatch.setattr(pipeline, "run_notebook", boom)
    monkeypatch.setattr(pipeline, "notebook_pool", boom)


# ------------------------------------------------------------------ checks before anything runs


def test_unknown_parameter_is_a_usage_error_naming_it_before_any_notebook_runs(tmp_path, monkeypatch):
    _no_notebook_may_run(monkeypatch)
    with pytest.raises(UsageError, match="'nope'"):
        pipeline.reproduce(MINI, tmp_path / "out", {"nope": 1})
    assert not (tmp_path / "out").exists()


def test_parameter_of_the_wrong_type_is_a_usage_error_naming_it(tmp_path, monkeypatch):
    _no_notebook_may_run(monkeypatch)
    with pytest.raises(UsageError, match="quantile_type"):
        pipeline.reproduce(MINI, tmp_path / "out", {"quantile_type": "seven"})
    assert not (tmp_path / "out").exists()


def test_cli_rejects_an_unknown_p_parameter_with_exit_2_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "analysis", "reproduce", "--data", str(MINI), "--out", str(out),
                        "-p", "colour=blue"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2
    assert "colour" in r.stderr and "Traceback" not in r.stderr
    assert not out.exists()


def test_invalid_dataset_is_refused_with_every_problem_and_nothing_written(tmp_path, monkeypatch):
    _no_notebook_may_run(monkeypatch)
    kernels_before = _kernel_pids()
    bad = tmp_path / "bad"
    shutil.copytree(MINI, bad)
    text = (bad / "patients.csv").read_text().splitlines()
    # two independent mistakes: a group that does not exist, an unknown TACE timing
    text[1] = text[1].replace("S01,1,immediate", "S01,3,immediate")
    text[2] = text[2].replace(",immediate,", ",later,")
    (bad / "patients.csv").write_text("\n".join(text) + "\n")
    out = tmp_path / "out"
    with pytest.raises(UserError) as exc:
        pipeline.reproduce(bad, out, {})
    msg = str(exc.value)
    assert "group" in msg and "later" in msg
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad"]  # no OUT, no temporary folder
    assert _kernel_pids() <= kernels_before  # no kernel was started


def test_a_notebook_is_passed_only_the_parameters_it_declares():
    params = pipeline.check_params({"quantile_type": 6, "alpha": 0.01})
    passed = pipeline.notebook_parameters({"data_dir": "data/synthetic", "alpha": 0.05}, params, MINI)
    assert passed == {"data_dir": MINI_REL.as_posix(), "alpha": 0.01}


def test_parameters_cell_must_be_first_tagged_and_use_registry_names(tmp_path):
    ok = _notebook(tmp_path / "ok.ipynb", 'data_dir = "data/synthetic"\nalpha = 0.05', ["print(alpha)"])
    assert pipeline.declared_parameters(ok) == {"data_dir": "data/synthetic", "alpha": 0.05}
    untagged = _notebook(tmp_path / "untagged.ipynb", "alpha = 0.05", [], tag=False)
    with pytest.raises(UserError, match="not tagged 'parameters'"):
        pipeline.declared_parameters(untagged)
    unknown = _notebook(tmp_path / "unknown.ipynb", "colour = 'blue'", [])
    with pytest.raises(UserError, match="'colour'"):
        pipeline.declared_parameters(unknown)
    code = _notebook(tmp_path / "code.ipynb", "import os\nalpha = 0.05", [])
    with pytest.raises(UserError, match="NAME = literal"):
        pipeline.declared_parameters(code)


def test_output_folder_that_is_the_project_or_the_filesystem_root_is_refused():
    for bad in (ROOT, Path("/"), ROOT.parent):
        with pytest.raises(UserError, match="refusing"):
            pipeline.safe_out(bad)


def test_output_folder_that_would_replace_code_data_or_someone_elses_folders_is_refused(tmp_path):
    for own in ("analysis", "notebooks", "data"):
        with pytest.raises(UserError, match=own):
            pipeline.safe_out(ROOT / own)
    with pytest.raises(UserError, match="contains the dataset"):
        pipeline.safe_out(MINI, MINI)
    foreign = tmp_path / "mine"
    (foreign / "figures").mkdir(parents=True)
    with pytest.raises(UserError, match="not written by"):
        pipeline.safe_out(foreign)
    pipeline.safe_out(tmp_path / "new")  # a folder that does not exist yet is fine


# ------------------------------------------------------------------ end to end (slow)


def _run(*args, **kwargs) -> str:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        pipeline.reproduce(*args, **kwargs)
    return buf.getvalue()


@pytest.fixture(autouse=True)
def _stable_code_hash(monkeypatch):
    """Freeze the code hash for the duration of a test: the cache must react to data, notebooks and
    parameters here, not to an unrelated edit of the package made while the suite runs."""
    from analysis.report import results

    frozen = results.code_hash()
    monkeypatch.setattr(results, "code_hash", lambda: frozen)


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    from analysis.report import results

    base = tmp_path_factory.mktemp("reproduce")
    out = base / "out"
    out.mkdir()
    (out / "README.md").write_text("kept\n")  # a foreign file in OUT is carried over
    frozen = results.code_hash()
    real, results.code_hash = results.code_hash, lambda: frozen
    try:
        log = _run(MINI, out, pipeline.check_params({}))
    finally:
        results.code_hash = real
    return out, log, frozen


@pytest.mark.slow
def test_reproduce_writes_every_output_of_design_section_7(first_run):
    out, log, _ = first_run
    names = [p.stem for p in pipeline.notebook_paths()]
    for stem in names:
        assert (out / "notebooks" / f"{stem}.ipynb").is_file()
        assert (out / "html" / f"{stem}.html").is_file()
        assert stem in log  # one progress line per notebook
    for t in ("table1", "table2", "table3", "table4", "regression", "recist"):
        assert (out / "tables" / f"{t}.csv").is_file() and (out / "tables" / f"{t}.md").is_file()
    from analysis.report.figures import FIGURES

    for f in FIGURES:
        assert (out / "figures" / f"{f}.png").is_file() and (out / "figures" / f"{f}.svg").is_file()
    for f in ("numbers.json", "comparison.csv", "index.html"):
        assert (out / f).is_file()
    assert (out / "README.md").read_text() == "kept\n"
    assert not list(out.parent.glob(".out.tmp-*"))


@pytest.mark.slow
def test_executed_notebooks_have_no_error_and_no_machine_path(first_run):
    out, _, _ = first_run
    for nb_path in sorted((out / "notebooks").glob("*.ipynb")):
        text = nb_path.read_text()
        nb = json.loads(text)
        for cell in nb["cells"]:
            for o in cell.get("outputs", []):
                assert o["output_type"] != "error", (nb_path.name, o.get("evalue"))
        for machine in (*MACHINE_PATH_PREFIXES, str(out)):
            assert machine not in text, (nb_path.name, machine)
        assert "Dataset 'mini'" in text and "SYNTHETIC" in text


@pytest.mark.slow
def test_numbers_json_equals_the_numbers_command_on_the_same_data(first_run, tmp_path):
    out, _, _ = first_run
    target = tmp_path / "numbers.json"
    r = subprocess.run([sys.executable, "-m", "analysis", "numbers", "--data", str(MINI), "--out", str(target)],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert (out / "numbers.json").read_bytes() == target.read_bytes()


@pytest.mark.slow
def test_index_names_the_dataset_its_hashes_synthetic_status_and_parameters(first_run):
    out, _, _ = first_run
    html = (out / "index.html").read_text()
    for f in sorted(MINI.glob("*.csv")):
        assert hashlib.sha256(f.read_bytes()).hexdigest() in html, f.name
    assert "mini" in html and "Synthetic data" in html
    assert "quantile_type" in html and "mwu_method" in html
    for href in ("numbers.json", "comparison.csv", "html/01_table1.html", "notebooks/01_table1.ipynb",
                 "tables/table2.csv", "figures/study_design.svg"):
        assert f'href="{href}"' in html, href


@pytest.mark.slow
def test_second_reproduce_with_nothing_changed_skips_everything(first_run, monkeypatch):
    from analysis.report import results

    out, _, frozen = first_run
    monkeypatch.setattr(results, "code_hash", lambda: frozen)
    before = _tree(out)
    _no_notebook_may_run(monkeypatch)
    log = _run(MINI, out, pipeline.check_params({}))
    assert "nothing changed" in log
    assert _tree(out) == before


@pytest.mark.slow
def test_failing_notebook_leaves_previous_out_untouched_and_is_kept_for_inspection(first_run, tmp_path,
                                                                                    monkeypatch):
    from analysis.report import results

    out, _, frozen = first_run
    monkeypatch.setattr(results, "code_hash", lambda: frozen)
    before = _tree(out)
    bad = _notebook(tmp_path / "50_breaks.ipynb", 'data_dir = "data/synthetic"',
                    ["x = 1", "raise RuntimeError('deliberate failure for the test')"])
    monkeypatch.setattr(pipeline, "notebook_paths", lambda folder=None: [bad])
    with pytest.raises(pipeline.NotebookFailed) as exc:
        _run(MINI, out, pipeline.check_params({}))
    msg = str(exc.value)
    # code cells of the notebook: 1 parameters, 2 x = 1, 3 raise; executed: the injected parameters
    # cell comes second, so the raising cell ran as In [4]
    assert "50_breaks.ipynb" in msg and "code cell 3 (In [4]: raise RuntimeError" in msg
    assert "RuntimeError: deliberate failure" in msg
    assert _tree(out) == before
    kept = out.parent / f"{out.name}.failed" / "50_breaks.ipynb"
    assert kept.is_file()
    errors = [o for c in json.loads(kept.read_text())["cells"] for o in c.get("outputs", [])
              if o["output_type"] == "error"]
    assert errors and errors[0]["ename"] == "RuntimeError"
    assert not list(out.parent.glob(f".{out.name}.tmp-*"))


@pytest.mark.slow
def test_only_the_changed_notebook_runs_again(tmp_path, monkeypatch):
    a = _notebook(tmp_path / "10_a.ipynb", 'data_dir = "data/synthetic"', ["print(data_dir)"])
    b = _notebook(tmp_path / "11_b.ipynb", 'data_dir = "data/synthetic"', ["print(data_dir)"])
    monkeypatch.setattr(pipeline, "notebook_paths", lambda folder=None: [a, b])
    out = tmp_path / "out"
    log1 = _run(MINI, out, pipeline.check_params({}))
    assert log1.count("unchanged (cached)") == 0
    executed = json.loads((out / "notebooks" / "10_a.ipynb").read_text())
    assert MINI_REL.as_posix() in "".join(executed["cells"][-1]["outputs"][0]["text"])
    nb = nbformat.read(b, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("print('changed')"))
    nbformat.write(nb, b)
    log2 = _run(MINI, out, pipeline.check_params({}))
    lines = {line.split()[1]: line for line in log2.splitlines() if line.strip().startswith("[")}
    assert "unchanged (cached)" in lines["10_a"]
    assert "unchanged (cached)" not in lines["11_b"]
    # a changed parameter recomputes the numbers; notebooks that do not declare it stay cached
    log3 = _run(MINI, out, pipeline.check_params({"decimals": 3}))
    assert "nothing changed" not in log3
    assert log3.count("unchanged (cached)") == 2


def test_code_hash_changes_when_a_module_changes(tmp_path, monkeypatch):
    from analysis.report import results

    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "a.py").write_text("x = 1\n")
    monkeypatch.setattr(results, "CODE_DIR", pkg)
    monkeypatch.setattr(results, "ROOT", tmp_path)
    monkeypatch.setattr(results, "DATA", tmp_path / "data")
    monkeypatch.setattr(results, "PUBLISHED", tmp_path / "published")
    h1 = _REAL_CODE_HASH()
    (pkg / "a.py").write_text("x = 2\n")
    assert _REAL_CODE_HASH() != h1


@pytest.mark.slow
def test_a_notebook_run_alone_with_papermill_shows_what_reproduce_shows(first_run, tmp_path):
    out, _, _ = first_run
    for name in ("02_table2.ipynb", "08_report.ipynb"):
        alone = tmp_path / name
        r = subprocess.run([sys.executable, "-m", "papermill", str(pipeline.NOTEBOOKS / name), str(alone),
                            "-k", pipeline.KERNEL, "-p", "data_dir", MINI_REL.as_posix(), "--cwd",
                            str(pipeline.NOTEBOOKS)], capture_output=True, text=True, cwd=ROOT)
        assert r.returncode == 0, r.stderr[-2000:]
        # the outputs of every cell (reproduce injects every declared parameter, defaults included)
        strip = lambda nb: [(c.get("execution_count"), c.get("outputs")) for c in nb["cells"]]  # noqa: E731
        assert strip(json.loads(alone.read_text())) == strip(json.loads((out / "notebooks" / name).read_text()))


@pytest.mark.slow
def test_each_notebook_runs_in_its_own_kernel(tmp_path):
    first = _notebook(tmp_path / "first.ipynb", "alpha = 0.05", ["import os\nleak = 41\nprint(os.getpid())"])
    second = _notebook(tmp_path / "second.ipynb", "alpha = 0.05", ["import os\nprint(os.getpid())", "leak + 1"])
    statuses = [pipeline.run_notebook(str(nb), str(tmp_path / f"out-{nb.name}"), None, {}, str(tmp_path))
                for nb in (first, second)]
    assert statuses[0]["ok"] and not statuses[1]["ok"] and statuses[1]["ename"] == "NameError"
    outs = [json.loads((tmp_path / f"out-{nb.name}").read_text()) for nb in (first, second)]
    pids = [next(o["text"] for c in nb["cells"] for o in c.get("outputs", []) if o.get("name") == "stdout")
            for nb in outs]
    assert pids[0] != pids[1]


def test_a_missing_kernel_is_refused_with_advice_before_anything_runs(tmp_path, monkeypatch):
    _no_notebook_may_run(monkeypatch)
    monkeypatch.setattr(pipeline, "KERNEL", "no-such-kernel-here")
    with pytest.raises(UserError, match=r"kernel 'no-such-kernel-here' is not installed.*make setup"):
        pipeline.reproduce(MINI, tmp_path / "out", {})
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_a_kernel_that_dies_at_start_fails_the_run_with_a_message(tmp_path, monkeypatch):
    spec = tmp_path / "jupyter" / "kernels" / "dies-at-start"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-c", "import sys; sys.exit(3)", "{connection_file}"],
        "display_name": "dies at start", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setattr(pipeline, "KERNEL", "dies-at-start")
    out = tmp_path / "out"
    with pytest.raises(pipeline.NotebookFailed, match="failed before any cell ran") as exc:
        _run(MINI, out, {}, force=True)
    assert "no executed notebook to keep" in str(exc.value) and "kernels.log" in str(exc.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["jupyter"]  # no OUT, no temporary or failed folder


def test_a_kernel_that_dies_at_its_first_start_only_is_replaced_by_a_fresh_one(tmp_path, monkeypatch):
    # the failure seen in a full test run: a kernel exits at start (zmq "Address already in use": a port it was
    # given was taken by another process before it could bind it); here the kernel exits with status 3 the
    # first time and is a normal ipykernel the second time
    from analysis.report.runner import run_notebook

    marker = tmp_path / "first-start-happened"
    launcher = (f"import os, sys; m = {str(marker)!r}\n"
                "if not os.path.exists(m): open(m, 'w').close(); sys.exit(3)\n"
                "os.execv(sys.executable, [sys.executable, '-m', 'ipykernel_launcher', '-f', sys.argv[1]])")
    spec = tmp_path / "jupyter" / "kernels" / "dies-once"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({"argv": [sys.executable, "-c", launcher, "{connection_file}"],
                                                  "display_name": "dies once", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    src = _notebook(tmp_path / "nb.ipynb", "alpha = 0.05", ["print(alpha * 2)"])
    st = run_notebook(str(src), str(tmp_path / "out.ipynb"), None, {"alpha": 0.01}, str(tmp_path), kernel="dies-once")
    assert st["ok"] and marker.exists(), st
    assert st["first_kernel_died"].startswith("RuntimeError: Kernel died before replying to kernel_info"), st
    out = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert out.cells[-1].outputs[0]["text"] == "0.02\n"  # the injected alpha = 0.01, doubled


@pytest.mark.slow
def test_the_values_each_executed_notebook_shows_equal_numbers_json(first_run):
    from analysis.report import narrative

    out, _, _ = first_run
    numbers = json.loads((out / "numbers.json").read_text())
    checked = 0
    for nb_path in sorted((out / "notebooks").glob("*.ipynb")):
        for cell in json.loads(nb_path.read_text())["cells"]:
            for o in cell.get("outputs", []):
                for key, value in o.get("metadata", {}).get(narrative.META, {}).get("numbers", {}).items():
                    assert key in numbers, (nb_path.name, key)
                    if numbers[key] is None:
                        assert value is None, (nb_path.name, key)
                    else:
                        assert value == pytest.approx(numbers[key], rel=1e-12, abs=1e-12), (nb_path.name, key)
                    checked += 1
    assert checked > 50  # the table notebooks show their numbers


@pytest.mark.slow
def test_index_leads_with_the_claims_and_links_the_audit_findings(first_run):
    out, _, _ = first_run
    page = (out / "index.html").read_text()
    assert page.index("The paper's claims") < page.index("<h2>Counts") < page.index("<h2>Dataset")
    for verdict in ("holds", "differs", "impossible according to the audit", "not reproducible from the data"):
        assert verdict in page
    anchors = set(re.findall(r'href="audit.html#(audit-\d+)"', page))
    audit = (out / "audit.html").read_text()
    assert anchors and all(f'id="{a}"' in audit for a in anchors)
    assert "table2.md" not in page  # tables are shown as HTML, not linked as Markdown
