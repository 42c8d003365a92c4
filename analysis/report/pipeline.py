"""The whole analysis in one command: dataset -> numbers, tables, figures, executed notebooks, HTML report.

``python -m analysis reproduce --data DIR --out OUT [-p NAME=VALUE ...]`` calls :func:`reproduce`:

1. The parameters are checked against :mod:`analysis.params` (unknown name, wrong type ->
   :class:`~analysis.errors.UsageError` naming it) and every notebook's ``parameters`` cell is read,
   before anything runs. A notebook receives only the names it declares, as literals (papermill).
2. The dataset is validated (:func:`analysis.data.load_dataset`: every problem listed, exit 1,
   nothing written, no notebook run; the notebook runners, which start their kernels meanwhile, are
   shut down).
3. Everything is computed once in-process (:func:`analysis.report.results.compute`): OUT/numbers.json
   (identical to ``python -m analysis numbers``), OUT/tables (CSV + Markdown), OUT/comparison.csv.
   The figures (PNG + SVG) and the publication audit are made meanwhile in two helper processes.
   All of it is cached, so the notebook kernels load it instead of recomputing it.
4. The notebooks run with papermill on the ``tace-net`` kernel, in notebook runners (``jobs`` of them,
   default: number of cores minus one) that start their kernel while the numbers are computed and
   keep it, with one connected client, for all their notebooks. Each notebook starts as soon as what
   it shows is ready (:func:`notebook_needs`), so notebook 00 runs while the tables are still being
   computed. One progress line per notebook with its time; each executed notebook is rendered to
   HTML (nbconvert).
5. OUT/index.html links everything and states the dataset, its SHA-256s, whether it is synthetic,
   the parameters and the package versions.

All of it is written to a temporary folder beside OUT and moved into place only when everything
succeeded. On failure the previous OUT is untouched, the error names the failing notebook and cell,
and the executed notebook is kept in ``OUT.failed/``.

A content-hash cache skips work that cannot change: a notebook whose data (file hashes), code
(``analysis/*.py``, schema, published values, the notebook itself) and declared parameters are
unchanged is copied from the previous OUT; when nothing at all changed, the run stops after hashing
(well under 3 s). ``force=True`` re-runs everything.
"""

from __future__ import annotations

import ast
import hashlib
import json
import logging
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from analysis.errors import UserError
from analysis.paths import NOTEBOOKS, ROOT

KERNEL = "tace-net"
MANIFEST = Path(".cache") / "manifest.json"
#: top-level entries of OUT written by :func:`reproduce` (anything else found in OUT is carried over)
OUT_ENTRIES = ("notebooks", "html", "tables", "figures", "numbers.json", "comparison.csv", "index.html",
               ".cache")


class NotebookFailed(UserError):
    """A notebook raised an error while running (names the notebook, the cell and where it is kept)."""


# --------------------------------------------------------------------------------------------------
# notebooks and their parameters
# --------------------------------------------------------------------------------------------------

def _fast_nbformat() -> None:
    """Skip an optional IRI-syntax checker of jsonschema whose grammar takes ~2 s to build at import.

    nbformat validates notebooks with jsonschema; the notebook schema uses no 'iri' format, so the
    checker (package ``rfc3987_syntax``) is never needed here. Marking it unimportable makes
    jsonschema leave that one format unchecked.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


def notebook_paths(folder: Path | None = None) -> list[Path]:
    """The project's notebooks in reading order (file names start with a two-digit number)."""
    folder = Path(folder or NOTEBOOKS)
    return sorted(p for p in folder.glob("*.ipynb") if p.name[:2].isdigit())


def _read_json(path: Path) -> dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def parameters_cell(nb: dict, name: str = "notebook") -> dict:
    """The first code cell of a notebook (as JSON), checked to be tagged ``parameters``."""
    code = [c for c in nb.get("cells", []) if c.get("cell_type") == "code"
            and "injected-parameters" not in c.get("metadata", {}).get("tags", [])]
    if not code:
        raise UserError(f"{name}: no code cell (expected a first code cell tagged 'parameters')")
    first = code[0]
    if "parameters" not in first.get("metadata", {}).get("tags", []):
        raise UserError(f"{name}: the first code cell is not tagged 'parameters'")
    return first


def declared_parameters(path: Path) -> dict[str, Any]:
    """Names and default values assigned in a notebook's ``parameters`` cell (literals only).

    Raises
    ------
    UserError
        No parameters cell first among code cells, a statement that is not ``NAME = literal``,
        or a name that is not in :data:`analysis.params.PARAMS`.
    """
    from analysis.params import PARAMS

    path = Path(path)
    cell = parameters_cell(_read_json(path), path.name)
    src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    out: dict[str, Any] = {}
    for node in ast.parse(src).body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
            raise UserError(f"{path.name}: parameters cell line {node.lineno}: expected NAME = literal")
        name = node.targets[0].id
        try:
            value = ast.literal_eval(node.value)
        except ValueError:
            raise UserError(f"{path.name}: parameters cell line {node.lineno}: {name} is not a literal") from None
        if name not in PARAMS:
            raise UserError(f"{path.name}: parameters cell declares '{name}', which is not an analysis parameter "
                            f"(known: {', '.join(sorted(PARAMS))})")
        out[name] = value
    return out


def check_params(params: dict | None) -> dict[str, Any]:
    """All parameters, checked: an unknown name or a wrong type is a UsageError naming it."""
    from analysis.params import resolve

    return resolve(params or {})


def notebook_parameters(declared: dict[str, Any], params: dict[str, Any], data_dir: Path) -> dict[str, Any]:
    """The values passed to one notebook: only the names it declares; data_dir as a display path."""
    from analysis.report.results import display_path

    out = {}
    for name in declared:
        out[name] = display_path(data_dir) if name == "data_dir" else params[name]
    return out


#: what a notebook waits for, by the :mod:`analysis.report.results` function it calls
_NEEDS_BY_CALL = {"get_overview": {"overview"}, "get": {"results"}, "get_figures": {"results", "figures"},
                  "get_audit": {"audit"}}
ALL_NEEDS = frozenset({"overview", "results", "figures", "audit"})


def notebook_needs(path: Path) -> frozenset[str]:
    """What :func:`reproduce` computes before it starts a notebook, read from the notebook's code.

    A call ``results.get_overview(...)`` needs the data overview, ``results.get(...)`` the results
    bundle, ``results.get_figures(...)`` the figures, ``results.get_audit()`` the publication audit.
    Code that cannot be parsed, or that imports names from :mod:`analysis.report.results` directly, waits
    for everything. Only the order depends on this: a notebook started too early finds nothing in
    the cache and computes what it needs itself (slower, same result).
    """
    needs: set[str] = set()
    for cell in _read_json(Path(path)).get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        try:
            tree = ast.parse(src)
        except SyntaxError:
            return ALL_NEEDS
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "analysis.report.results":
                return ALL_NEEDS
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id == "results" and node.attr in _NEEDS_BY_CALL):
                needs |= _NEEDS_BY_CALL[node.attr]
    return frozenset(needs)


# --------------------------------------------------------------------------------------------------
# hashing / cache keys
# --------------------------------------------------------------------------------------------------

def _h(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()


def notebook_key(nb_path: Path, data: dict, code: str, nb_params: dict) -> str:
    """Cache key of one executed notebook: data hashes, code hash, the notebook's bytes, its parameters."""
    from analysis.report.results import sha256_file

    return _h({"data": data, "code": code, "notebook": sha256_file(nb_path), "params": nb_params,
               "kernel": KERNEL, "python": sys.version.split()[0]})


def _read_manifest(out: Path) -> dict:
    try:
        return _read_json(out / MANIFEST)
    except (OSError, ValueError):
        return {}


# --------------------------------------------------------------------------------------------------
# worker side: execute one notebook, render it
# --------------------------------------------------------------------------------------------------

_EXPORTER = None


KERNEL_LOG = ROOT / ".cache" / "kernels.log"


def _warm(cwd: str | None = None, kernel: str = KERNEL, reuse_kernel: bool = False) -> None:
    """Pool initializer of a notebook runner: start its kernel, then load papermill and nbconvert.

    The kernel boots in its own process while this worker imports papermill and nbconvert and loads
    the HTML templates, all while the parent process is still loading the statistics stack and
    computing the numbers; the first notebook then starts without waiting for any of it.

    The worker's standard error (inherited by the kernels it starts) goes to ``.cache/kernels.log``:
    kernels print start-up notices there that are not the user's concern; notebook errors are
    reported from the executed notebook itself.
    """
    KERNEL_LOG.parent.mkdir(parents=True, exist_ok=True)
    if KERNEL_LOG.is_file() and KERNEL_LOG.stat().st_size > 1_000_000:
        KERNEL_LOG.write_text("")
    fd = os.open(KERNEL_LOG, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 2)
    os.close(fd)
    _fast_nbformat()
    try:
        km = _worker_kernel(cwd, kernel) if reuse_kernel and cwd else None  # boots in its own process meanwhile
        _reuse_engine()  # papermill imported
        render_html(None)  # nbconvert imported, templates loaded
        if km is not None:
            # connected once the kernel is ready; the modules every notebook imports are loaded now (into
            # sys.modules only: the notebooks' namespace stays empty), as a reused kernel has them anyway
            kc = _worker_client(km)
            from jupyter_core.utils import run_sync

            run_sync(kc.execute_interactive)(_PRELOAD_SOURCE, silent=True, store_history=False,
                                             timeout=KERNEL_START_TIMEOUT)
    except Exception:  # noqa: BLE001 - a warm-up only: the first notebook starts over and reports the error
        _shutdown_kernel()


def clean_notebook(nb) -> None:
    """Drop run-specific metadata (timestamps, durations, machine paths) so outputs are byte-stable."""
    nb.metadata.pop("papermill", None)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.get("cell_type") == "code":
            for out in cell.get("outputs", []):
                out.get("metadata", {}).pop("execution", None)


def render_html(nb, title: str = "Notebook") -> str:
    """HTML of an executed notebook (nbconvert, the 'lab' template)."""
    global _EXPORTER
    _fast_nbformat()
    if _EXPORTER is None:
        from nbconvert import HTMLExporter

        _EXPORTER = HTMLExporter()
    if nb is None:  # warm-up: load the templates
        import nbformat

        nb = nbformat.v4.new_notebook()
    body, _ = _EXPORTER.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return body


_KERNEL = None  # (kernel manager, cwd, kernel name, kernel client) of this worker when kernels are reused

#: run in a reused kernel before each notebook: a clean namespace and default display options. What
#: survives the reset (modules, caches) is then frozen (``gc.freeze``), so the garbage collection of the
#: next reset only scans what one notebook created: ~10 ms instead of ~120 ms with pandas loaded.
_RESET_SOURCE = """get_ipython().run_line_magic("reset", "-f")
import gc as _gc, sys as _sys, warnings as _warnings
if "pandas" in _sys.modules:
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore")
        _sys.modules["pandas"].reset_option("all")
_gc.freeze()
del _gc, _sys, _warnings
"""


#: run silently in a worker's kernel while it waits for its first notebook
_PRELOAD_SOURCE = "import gc, pandas, analysis.report.results; gc.freeze(); del gc, pandas, analysis"


def _shutdown_kernel() -> None:
    global _KERNEL
    if _KERNEL is not None:
        from jupyter_core.utils import run_sync

        km, kc = _KERNEL[0], _KERNEL[3]
        _KERNEL = None
        try:
            if kc is not None:
                kc.stop_channels()
            run_sync(km.shutdown_kernel)(now=True)
        except Exception:  # the kernel is gone already
            pass


def _worker_kernel(cwd: str, kernel: str):
    """This worker's long-lived kernel (started on first use, shut down when the worker exits)."""
    global _KERNEL
    if _KERNEL is not None and (_KERNEL[1], _KERNEL[2]) == (cwd, kernel):
        from jupyter_core.utils import run_sync

        if run_sync(_KERNEL[0].is_alive)():
            return _KERNEL[0]
        _shutdown_kernel()
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync
    from multiprocessing import util

    km = AsyncKernelManager(kernel_name=kernel)
    run_sync(km.start_kernel)(cwd=cwd)
    if _KERNEL is None:
        util.Finalize(None, _shutdown_kernel, exitpriority=10)
    _KERNEL = (km, cwd, kernel, None)
    return km


def _worker_client(km):
    """This worker's kernel client, connected once and kept: a new client per notebook would wait for
    the kernel to be ready again, and jupyter_client's readiness check always ends with a 0.2 s wait."""
    global _KERNEL
    from jupyter_core.utils import run_sync

    if _KERNEL is None or _KERNEL[0] is not km:
        raise RuntimeError("no kernel started by this worker")
    if _KERNEL[3] is None:
        kc = km.client()
        kc.start_channels()
        run_sync(kc.wait_for_ready)(timeout=KERNEL_START_TIMEOUT)
        _KERNEL = (*_KERNEL[:3], kc)
    return _KERNEL[3]


#: papermill engine running a notebook through this worker's long-lived kernel client (see
#: :func:`_reuse_engine`)
REUSE_ENGINE = "tace-net-reuse"


def _reuse_engine() -> str:
    """Register (once) and name a papermill engine that executes on a given kernel client.

    It is papermill's own nbclient engine, except that the client is passed in (``kc=``) rather than
    created and connected for every notebook. The parameters, the cell execution and the error
    handling are papermill's.
    """
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.utils import merge_kwargs, remove_args

    if REUSE_ENGINE in papermill_engines._engines:
        return REUSE_ENGINE

    class ReusedClientEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
            kc = kwargs.pop("kc")
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            client = PapermillNotebookClient(nb_man, **merge_kwargs(
                kwargs, timeout=execution_timeout, startup_timeout=start_timeout, kernel_name=kernel_name,
                log=logging.getLogger("papermill"), log_output=log_output, stdout_file=stdout_file,
                stderr_file=stderr_file))
            client.kc = kc  # nbclient connects a client only when it has none
            return client.execute()

    papermill_engines.register(REUSE_ENGINE, ReusedClientEngine)
    return REUSE_ENGINE


_RESET_TAG = "tace-net-reset"
#: Seconds a kernel may take to start: generous, because a busy 2-core machine (or a first start that
#: compiles the bytecode of a fresh environment) can take well over papermill's default of 60 s.
KERNEL_START_TIMEOUT = 300


def renumber(nb) -> None:
    """Execution counts 1, 2, ... in cell order, as a fresh kernel gives (a reused kernel counts on)."""
    n = 0
    for cell in nb.cells:
        if cell.get("cell_type") != "code" or cell.get("execution_count") is None:
            continue
        n += 1
        cell["execution_count"] = n
        for out in cell.get("outputs", []):
            if "execution_count" in out:
                out["execution_count"] = n


def run_notebook(src: str, dst_ipynb: str, dst_html: str | None, parameters: dict, cwd: str,
                 kernel: str = KERNEL, reuse_kernel: bool = False) -> dict:
    """Execute one notebook with papermill, clean it, render it. Returns a status dict (never raises).

    With ``reuse_kernel`` the worker keeps one kernel for all the notebooks it runs: before each
    notebook the namespace is reset (``%reset -f``) and pandas' display options restored, so each
    notebook still starts from nothing it did not define itself, while the kernel start and the
    imports of the scientific stack are paid once per worker instead of once per notebook. The
    committed notebooks (``make notebooks``) and nbval always use a fresh kernel per notebook.

    On a failing cell the executed notebook (with the error output) is still written to ``dst_ipynb``.
    """
    _fast_nbformat()
    import nbformat
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    t0 = time.perf_counter()
    status: dict[str, Any] = {"ok": True, "name": Path(src).name}
    try:
        extra: dict[str, Any] = {}
        source: Any = src
        if reuse_kernel:
            km = _worker_kernel(cwd, kernel)
            extra.update(km=km, kc=_worker_client(km), engine_name=_reuse_engine())
            # the reset runs as a first cell of the same execution, removed again afterwards
            source = nbformat.read(src, as_version=4)
            source.cells.insert(0, nbformat.v4.new_code_cell(_RESET_SOURCE, metadata={"tags": [_RESET_TAG]}))
        pm.execute_notebook(source, dst_ipynb, parameters=parameters or None, kernel_name=kernel, cwd=cwd,
                            progress_bar=False, log_output=False, request_save_on_cell_execute=False,
                            start_timeout=KERNEL_START_TIMEOUT, **extra)
    except PapermillExecutionError as exc:
        status.update(ok=False, cell=exc.cell_index, exec_count=exc.exec_count, ename=exc.ename,
                      evalue=str(exc.evalue))
    except Exception as exc:  # kernel died, missing kernel, unreadable notebook ...
        status.update(ok=False, cell=None, exec_count=None, ename=type(exc).__name__, evalue=str(exc))
    if Path(dst_ipynb).is_file():
        nb = nbformat.read(dst_ipynb, as_version=4)
        nb.cells = [c for c in nb.cells if _RESET_TAG not in c.get("metadata", {}).get("tags", [])]
        clean_notebook(nb)
        if reuse_kernel:
            renumber(nb)
        if not status["ok"]:
            # the failing cell, numbered among the code cells of the source notebook (the injected
            # parameters cell and papermill's error banners are not in it)
            code = [c for c in nb.cells if c.get("cell_type") == "code"
                    and "injected-parameters" not in c.get("metadata", {}).get("tags", [])]
            for i, cell in enumerate(code, 1):
                if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
                    first = next((ln for ln in cell.source.splitlines() if ln.strip()), "")
                    status.update(cell_number=i, exec_count=cell.get("execution_count"), source=first[:80])
                    break
        nbformat.write(nb, dst_ipynb)
        if dst_html and status["ok"]:
            Path(dst_html).write_text(render_html(nb, Path(src).stem), encoding="utf-8")
    if not status["ok"] and reuse_kernel:
        _shutdown_kernel()  # never reuse a kernel a notebook failed in
    status["seconds"] = time.perf_counter() - t0
    return status


# --------------------------------------------------------------------------------------------------
# parent side
# --------------------------------------------------------------------------------------------------

def _noop() -> None:
    return None


def _audit(code: str, force: bool = False):
    """Pool task: the publication's consistency audit, cached by the code hash (recomputed if ``force``)."""
    from analysis.report import results as R

    if not force:
        return R.get_audit(code)
    try:
        from analysis.paper.audit import run_audit
    except ImportError as exc:
        return f"analysis.paper.audit unavailable: {exc}"
    audit = run_audit()
    R.store(audit, code, "audit")
    return audit


def _render_figures(ds, pp, key: str) -> dict:
    """Pool task: every figure as PNG and SVG bytes, stored in the results cache under ``key``."""
    from analysis.report import results as R

    figs = R.compute_figures(ds=ds, per_patient_frame=pp)
    R.store(figs, key, "figures")
    return figs


def check_kernel(name: str = KERNEL) -> None:
    """Refuse to start when the project's Jupyter kernel is not installed (``make setup`` installs it)."""
    from jupyter_core.paths import jupyter_path

    if not any((Path(d) / name.lower() / "kernel.json").is_file() for d in jupyter_path("kernels")):
        raise UserError(f"the Jupyter kernel '{name}' is not installed in this environment; run `make setup` "
                        f"(it installs the kernel into .venv), or `python -m ipykernel install --sys-prefix "
                        f"--name {name}`")


def _pool(jobs: int, cwd: str | None = None, kernel: str = KERNEL, reuse_kernel: bool = False):
    """Worker processes (forked), each warmed up: papermill and nbconvert imported and, when kernels are
    reused, its kernel started with pandas and the package imported, while the parent computes."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("fork"), initializer=_warm,
                               initargs=(cwd, kernel, reuse_kernel))
    for _ in range(jobs):  # start every worker now (they are otherwise started on demand)
        pool.submit(_noop)
    return pool


def default_jobs() -> int:
    """Notebook runners of :func:`reproduce` by default: one per core but one.

    The remaining core goes to this process (numbers, tables) and to the figure and audit helpers,
    which run while the first notebooks execute. Each runner costs a kernel start and the import of
    papermill and nbconvert (about 3 s of CPU), so on 2 cores one runner with a reused kernel is
    faster than two (``make bench``).
    """
    return max(1, (os.cpu_count() or 1) - 1)


def _helpers(n: int):
    """``n`` helper processes (forked now, sharing the modules loaded so far) for the figures and the audit."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=n, mp_context=mp.get_context("fork"))


def _safe_out(out: Path, data_dir: Path | None = None) -> None:
    """Refuse output folders whose replacement would destroy something that is not a report."""
    r = out.resolve()
    if r == Path(r.anchor) or r == Path.home().resolve() or r == ROOT or ROOT.is_relative_to(r):
        raise UserError(f"{out}: refusing to use this folder as the output folder (choose e.g. reports/)")
    for own in ("analysis", "notebooks", "data", "tests", "bench", ".venv", ".git"):
        if (ROOT / own).resolve().is_relative_to(r) or r == (ROOT / own).resolve():
            raise UserError(f"{out}: is (or contains) the project's {own}/ folder; choose e.g. reports/")
    if data_dir is not None:
        d = Path(data_dir).resolve()
        if d == r or d.is_relative_to(r):
            raise UserError(f"{out}: contains the dataset {data_dir}; choose another output folder")
    if (r / ".git").exists():
        raise UserError(f"{out}: contains a .git folder; refusing to replace it")
    if r.exists() and not r.is_dir():
        raise UserError(f"{out}: exists and is not a folder")
    if r.is_dir() and not (r / MANIFEST).is_file():
        ours = [n for n in ("notebooks", "html", "tables", "figures") if (r / n).is_dir()]
        if ours:
            raise UserError(f"{out}: has {', '.join(n + '/' for n in ours)} but was not written by "
                            f"`reproduce` (no {MANIFEST.as_posix()}); refusing to replace them")


def _write_tables(res, tdir: Path) -> None:
    """OUT/tables: tidy CSV + display Markdown for each table, plus per-patient endpoints and data quality."""
    import pandas as pd

    tdir.mkdir(parents=True, exist_ok=True)
    tidy = res.tidy

    def write(name: str, csv_df: pd.DataFrame, md_df: pd.DataFrame | None = None) -> None:
        csv_df.to_csv(tdir / f"{name}.csv", index=False, lineterminator="\n", float_format="%.10g")
        md = (md_df if md_df is not None else csv_df).to_markdown(index=False)
        (tdir / f"{name}.md").write_text(md + "\n", encoding="utf-8")

    for name in ("table1", "table2", "table3", "table4", "regression", "recist"):
        part = tidy[tidy["table"] == name] if name in set(tidy["table"]) else tidy.iloc[0:0]
        write(name, part.reset_index(drop=True), res.tables[name])
    write("counts", tidy[tidy["table"] == "n"].reset_index(drop=True))
    write("regression_sgr", res.tables["regression_sgr"])
    for name in ("effects", "multiplicity", "agreement"):  # beyond the paper (issue 14)
        write(name, res.tables[name])
    write("per_patient", res.per_patient)
    write("growth", res.tables["growth"])
    write("missingness", res.overview["missingness"])
    write("k_anonymity_classes", res.overview["equivalence_classes"])


def _copy_previous(prev: Path, tmp: Path, rel: str) -> bool:
    src = prev / rel
    if not src.is_file():
        return False
    (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, tmp / rel)
    return True


def _swap(tmp: Path, out: Path) -> None:
    """Replace OUT by the finished temporary folder (OUT's foreign entries were carried over)."""
    backup = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        os.rename(out, backup)
    try:
        os.rename(tmp, out)
    except OSError:
        if backup.exists():
            os.rename(backup, out)
        raise
    if backup.exists():
        shutil.rmtree(backup, ignore_errors=True)


def _progress(i: int, n: int, name: str, text: str) -> None:
    print(f"  [{i}/{n}] {name:<32s} {text}", flush=True)


def reproduce(data_dir, out_dir, params: dict | None = None, force: bool = False, jobs: int | None = None,
              reuse_kernel: bool = True) -> Path:
    """Run the whole analysis on ``data_dir`` and write the report to ``out_dir`` (see the module docstring).

    Parameters
    ----------
    data_dir, out_dir : path
        Dataset folder (DESIGN §3) and output folder (DESIGN §7).
    params : dict, optional
        Analysis parameters (checked; defaults fill the rest).
    force : bool
        Ignore the cache: recompute and re-run every notebook.
    jobs : int, optional
        Notebooks executed at once (default: number of cores).
    reuse_kernel : bool
        Keep one kernel per worker across notebooks (namespace reset in between; see
        :func:`run_notebook`). False starts a fresh kernel per notebook.

    Returns
    -------
    pathlib.Path
        ``out_dir``.

    Raises
    ------
    UsageError
        Unknown parameter or wrong type (before anything runs).
    analysis.data.DatasetInvalid
        The dataset breaks the contract (every problem listed; nothing written).
    NotebookFailed
        A notebook raised: names it and the cell; the previous OUT is untouched.
    """
    from analysis.report import results as R

    t_start = time.perf_counter()
    params = check_params(params)
    data_dir, out = Path(data_dir), Path(out_dir)
    if not data_dir.is_dir():
        raise UserError(f"{data_dir}: no such dataset folder")
    _safe_out(out, data_dir)
    nbs = notebook_paths()
    if not nbs:
        raise UserError(f"{R.display_path(NOTEBOOKS)}: no notebooks found")
    declared = {p.name: declared_parameters(p) for p in nbs}  # before any notebook runs
    passed = {p.name: notebook_parameters(declared[p.name], params, data_dir) for p in nbs}

    data = R.data_hashes(data_dir)
    code = R.code_hash()
    nb_keys = {p.name: notebook_key(p, data, code, passed[p.name]) for p in nbs}
    rkey = R.results_key(data_dir, params, code=code)
    run_key = _h({"results": rkey, "notebooks": nb_keys, "dataset": data_dir.resolve().name})
    manifest = _read_manifest(out)
    print(f"reproduce: {R.display_path(data_dir)} -> {R.display_path(out)} ({len(nbs)} notebooks)", flush=True)
    if (not force and manifest.get("run_key") == run_key
            and all((out / f).is_file() for f in manifest.get("files", []))):
        for i, p in enumerate(nbs, 1):
            _progress(i, len(nbs), p.stem, "unchanged (cached)")
        print(f"reproduce: nothing changed; {R.display_path(out)} is up to date "
              f"({time.perf_counter() - t_start:.1f} s)", flush=True)
        return out

    # notebooks unchanged since the previous run are copied from it, the others run
    prev_keys = manifest.get("notebooks", {}) if not force else {}
    todo = [p for p in nbs if not (prev_keys.get(p.name) == nb_keys[p.name]
                                   and (out / "notebooks" / p.name).is_file()
                                   and (out / "html" / f"{p.stem}.html").is_file())]
    jobs = max(1, int(jobs or default_jobs()))
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    failed_dir = out.parent / f"{out.name}.failed"
    # 1. the notebook runners start (each boots its kernel and loads papermill and nbconvert) while this
    #    process validates the dataset, loads the statistics stack and computes the numbers. Invalid
    #    data raises with every problem before anything is written or any notebook runs; the runners
    #    and their kernels are then shut down.
    from analysis.data import load_dataset

    if todo:
        check_kernel(KERNEL)
    pool = helpers = None
    try:
        if todo:
            pool = _pool(min(jobs, len(todo)), str(NOTEBOOKS), KERNEL, reuse_kernel)
        ds = load_dataset(data_dir)

        if tmp.exists():
            shutil.rmtree(tmp)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp.mkdir()
        for sub in ("notebooks", "html", "tables", "figures", ".cache"):
            (tmp / sub).mkdir()
        done = {}
        for p in nbs:
            if p not in todo:
                _copy_previous(out, tmp, f"notebooks/{p.name}")
                _copy_previous(out, tmp, f"html/{p.stem}.html")
                done[p.name] = {"ok": True, "cached": True, "name": p.name}

        # 2. the data overview first (all notebook 00 shows), then the figures and the audit in helper
        #    processes while the numbers are computed here; each is cached, and each notebook starts
        #    as soon as what it needs (notebook_needs) is ready
        from concurrent.futures import FIRST_COMPLETED, wait

        from analysis.study.endpoints import per_patient

        t = time.perf_counter()
        res = R.load(rkey) if not force else None
        overview = res.overview if res is not None else R.compute_overview(data_dir, ds=ds)
        R.store(overview, R.results_key(data_dir, None, code=code), "overview")
        ready = {"overview"}
        needs = {p.name: notebook_needs(p) for p in todo}
        futures: dict = {}  # notebook future -> notebook path
        cwd = str(NOTEBOOKS)

        def release() -> None:
            """Start, in reading order, the notebooks whose needs are now all ready."""
            started = set(futures.values())
            for p in todo:
                if p not in started and needs[p.name] <= ready:
                    futures[pool.submit(run_notebook, str(p), str(tmp / "notebooks" / p.name),
                                        str(tmp / "html" / f"{p.stem}.html"), passed[p.name], cwd, KERNEL,
                                        reuse_kernel)] = p

        k = 0
        for name in done:
            k += 1
            _progress(k, len(nbs), Path(name).stem, "unchanged (cached)")
        release()
        if todo:
            # Figures and audit run in helper processes forked once the statistics stack is loaded
            # (the regression line and the audit need it), so that neither imports it again.
            import scipy.stats  # noqa: F401
            import statsmodels.api  # noqa: F401
        pp = per_patient(ds)
        figs = R.load(rkey, "figures") if not force else None
        # the audit reads no data (only the published values): cached by the code hash
        audit = R.load(code, "audit") if not force else None
        pending = {}  # helper future -> what it makes
        if pool is not None and (figs is None or audit is None):
            helpers = _helpers((figs is None) + (audit is None))
        if figs is None:
            if helpers is not None:
                pending[helpers.submit(_render_figures, ds, pp, rkey)] = "figures"
            else:
                figs = _render_figures(ds, pp, rkey)
        if audit is None:
            if helpers is not None:
                pending[helpers.submit(_audit, code, force)] = "audit"
            else:
                audit = _audit(code, force)
        if res is None:
            res = R.compute(data_dir, params, ds=ds, key=rkey, per_patient_frame=pp, overview=overview)
            R.store(res, rkey)
        ready.add("results")
        ready.update(what for what, value in (("figures", figs), ("audit", audit)) if value is not None)
        release()
        from analysis.study.numbers import write_numbers

        write_numbers(res.numbers, tmp / "numbers.json")
        _write_tables(res, tmp / "tables")
        if res.comparison is not None:
            from analysis.paper.compare import to_csv as write_comparison_csv  # same bytes as `analysis compare`

            write_comparison_csv(res.comparison, tmp / "comparison.csv")
        print(f"  numbers, tables, comparison  {time.perf_counter() - t:5.1f} s", flush=True)

        # 3. one progress line per notebook as it finishes; notebooks waiting for the figures or the
        #    audit start when these arrive; the first failure cancels the notebooks not yet started
        failure = None
        reported: set = set()
        while failure is None and (pending or any(f not in reported for f in futures)):
            finished, _ = wait([*pending, *(f for f in futures if f not in reported)], return_when=FIRST_COMPLETED)
            for fut in sorted(finished, key=lambda f: f in futures):  # helpers first
                if fut in pending:
                    what = pending.pop(fut)
                    if what == "figures":
                        figs = fut.result()
                        print(f"  figures ({len(figs)} x PNG + SVG)   {time.perf_counter() - t:5.1f} s", flush=True)
                    else:
                        audit = fut.result()
                    ready.add(what)
                    release()
                    continue
                reported.add(fut)
                p, st = futures[fut], fut.result()
                done[p.name] = st
                k += 1
                _progress(k, len(nbs), p.stem, f"{st['seconds']:5.1f} s" + ("" if st["ok"] else "  FAILED"))
                if not st["ok"] and failure is None:
                    failure = (p, st)
                    for f in futures:
                        f.cancel()
        if failure is not None:
            p, st = failure
            if failed_dir.exists():
                shutil.rmtree(failed_dir)
            failed_dir.mkdir(parents=True)
            kept = failed_dir / p.name
            if (tmp / "notebooks" / p.name).is_file():
                shutil.move(str(tmp / "notebooks" / p.name), kept)
                kept_text = f"the executed notebook is kept in {R.display_path(kept)}"
            else:
                failed_dir.rmdir()
                kept_text = "no cell ran, so there is no executed notebook to keep"
            if st.get("cell_number") is not None:
                where = f"in code cell {st['cell_number']} (In [{st['exec_count']}]: {st['source']})"
            elif st.get("cell") is not None:
                where = f"in cell {st['cell'] + 1}"
            else:
                where = "before any cell ran"
            advice = (f"\nthe messages of the kernel '{KERNEL}' are in {R.display_path(KERNEL_LOG)}"
                      if where == "before any cell ran" else "")
            raise NotebookFailed(
                f"notebook {p.name} failed {where}: {st['ename']}: {st['evalue']}\n"
                f"{kept_text}; {R.display_path(out)} was left unchanged{advice}")

        # 4. figures, audit tables, index.html, manifest, carried-over entries, atomic swap
        for name, blobs in figs.items():
            for fmt, blob in blobs.items():
                (tmp / "figures" / f"{name}.{fmt}").write_bytes(blob)
        if not isinstance(audit, str):
            audit.to_csv(tmp / "tables" / "audit.csv", index=False, lineterminator="\n")
            (tmp / "tables" / "audit.md").write_text(audit.to_markdown(index=False) + "\n", encoding="utf-8")
        from analysis.report.html import write_index

        write_index(tmp, res, [p.name for p in nbs], sorted(figs))
        if out.is_dir():
            for entry in out.iterdir():
                if entry.name not in OUT_ENTRIES and not (tmp / entry.name).exists():
                    if entry.is_dir():
                        shutil.copytree(entry, tmp / entry.name, symlinks=True)
                    else:
                        shutil.copy2(entry, tmp / entry.name)
        files = sorted(q.relative_to(tmp).as_posix() for q in tmp.rglob("*")
                       if q.is_file() and q.relative_to(tmp).parts[0] in OUT_ENTRIES and q.parts[-2:] != MANIFEST.parts)
        (tmp / MANIFEST).write_text(json.dumps({"run_key": run_key, "notebooks": nb_keys, "files": files},
                                               indent=1, sort_keys=True) + "\n", encoding="utf-8")
        _swap(tmp, out)
        if failed_dir.exists():
            shutil.rmtree(failed_dir, ignore_errors=True)
    except BaseException:
        for executor in (helpers, pool):
            if executor is not None:
                executor.shutdown(wait=True, cancel_futures=True)
        pool = helpers = None
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        for executor in (helpers, pool):
            if executor is not None:
                executor.shutdown(wait=True)
    print(f"reproduce: wrote {R.display_path(out)} ({'synthetic' if res.is_synthetic else 'real'} dataset "
          f"'{res.dataset_name}') in {time.perf_counter() - t_start:.1f} s", flush=True)
    return out


# --------------------------------------------------------------------------------------------------
# committed notebooks
# --------------------------------------------------------------------------------------------------

def default_data_dir() -> Path:
    """The dataset the committed notebooks are computed on: data/synthetic, or the test fixture until it exists."""
    from analysis.paths import SYNTHETIC, TESTS

    if (SYNTHETIC / "patients.csv").is_file():
        return SYNTHETIC
    return TESTS / "fixtures" / "mini"


def refresh_notebooks(data_dir=None, jobs: int | None = None) -> list[Path]:
    """Re-execute the committed notebooks in place (``make notebooks``), on the bundled dataset.

    With the registry default dataset (data/synthetic) no parameter is injected; any other
    dataset is injected as ``data_dir`` (papermill's 'injected-parameters' cell).
    """
    _fast_nbformat()
    import nbformat

    from analysis.report import results as R
    from analysis.params import defaults

    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    inject = R.display_path(data_dir) != defaults()["data_dir"]
    nbs = notebook_paths()
    for p in nbs:
        declared_parameters(p)
    check_kernel(KERNEL)
    params = {k: v for k, v in defaults().items()}
    # compute the bundle and the figures once, so the kernels only load them
    res = R.get(data_dir, params)
    R.store(res.overview, R.results_key(data_dir, None), "overview")
    R.get_figures(data_dir, params)
    print(f"notebooks: executing {len(nbs)} notebooks in place on '{res.dataset_name}'", flush=True)
    tmpdir = ROOT / ".cache" / "refresh"
    tmpdir.mkdir(parents=True, exist_ok=True)
    futures = {}
    jobs = max(1, int(jobs or os.cpu_count() or 1))
    with _pool(jobs, str(NOTEBOOKS), KERNEL, reuse_kernel=False) as pool:
        for p in nbs:
            nb = nbformat.read(p, as_version=4)
            nb.cells = [c for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])]
            src = tmpdir / f"src-{p.name}"
            nbformat.write(nb, src)
            decl = declared_parameters(p)
            parameters = {"data_dir": R.display_path(data_dir)} if inject and "data_dir" in decl else {}
            futures[pool.submit(run_notebook, str(src), str(tmpdir / p.name), None, parameters, str(NOTEBOOKS))] = p
        from concurrent.futures import as_completed

        failed = []
        for k, fut in enumerate(as_completed(futures), 1):
            p, st = futures[fut], fut.result()
            _progress(k, len(nbs), p.stem, f"{st['seconds']:5.1f} s" + ("" if st["ok"] else "  FAILED"))
            if st["ok"]:
                shutil.copyfile(tmpdir / p.name, p)
            else:
                failed.append(f"{p.name}: cell {st.get('cell')}: {st['ename']}: {st['evalue']}")
    if failed:
        raise NotebookFailed("notebooks failed (left unchanged):\n" + "\n".join(failed))
    return nbs
