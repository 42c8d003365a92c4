"""Execute one notebook with papermill (fresh kernel, or the runner's reused one), clean and render it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from analysis.errors import UserError
from analysis.report.faults import executing_notebook, interrupted_cell, track_cells
from analysis.report.kernels import (KERNEL, KERNEL_START_TIMEOUT, reuse_engine, shutdown_kernel, worker_client,
                                     worker_kernel)
from analysis.report.notebooks import clean_notebook, fast_nbformat, render_html


class NotebookFailed(UserError):
    """A notebook raised an error while running (names the notebook, the cell and where it is kept)."""


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


_RESET_TAG = "tace-net-reset"


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
    fast_nbformat()
    import nbformat
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    t0 = time.perf_counter()
    status: dict[str, Any] = {"ok": True, "name": Path(src).name}
    track_cells()  # which cell runs, should the kernel die
    try:
        extra: dict[str, Any] = {}
        source: Any = src
        if reuse_kernel:
            km = worker_kernel(cwd, kernel)
            extra.update(km=km, kc=worker_client(km), engine_name=reuse_engine())
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
        if not Path(dst_ipynb).is_file() and executing_notebook() is not None:  # the kernel died mid-notebook
            nbformat.write(executing_notebook(), dst_ipynb)
    if Path(dst_ipynb).is_file():
        nb = nbformat.read(dst_ipynb, as_version=4)
        nb.cells = [c for c in nb.cells if _RESET_TAG not in c.get("metadata", {}).get("tags", [])]
        died_in = None if status["ok"] or status.get("cell") is not None else interrupted_cell(nb)  # kernel died
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
            if "cell_number" not in status and died_in is not None:
                first = next((ln for ln in died_in[1].source.splitlines() if ln.strip()), "")
                status.update(cell_number=died_in[0], exec_count=died_in[1].get("execution_count"), source=first[:80])
        nbformat.write(nb, dst_ipynb)
        if dst_html and status["ok"]:
            Path(dst_html).write_text(render_html(nb, Path(src).stem), encoding="utf-8")
    if not status["ok"] and reuse_kernel:
        shutdown_kernel()  # never reuse a kernel a notebook failed in
    status["seconds"] = time.perf_counter() - t0
    return status


def progress(i: int, n: int, name: str, text: str) -> None:
    """One progress line: ``[i/n] name  text``."""
    print(f"  [{i}/{n}] {name:<32s} {text}", flush=True)
