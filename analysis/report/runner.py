"""Execute one notebook with papermill (its own fresh kernel), clean and render it."""

from __future__ import annotations

import contextlib
import json
import math
import os
import time
from pathlib import Path
from typing import Any

from analysis.errors import UserError
from analysis.paths import ROOT
from analysis.report.faults import executing_notebook, interrupted_cell, track_cells
from analysis.report.kernels import KERNEL, KERNEL_START_TIMEOUT
from analysis.report.notebooks import clean_notebook, fast_nbformat, render_html


class NotebookFailed(UserError):
    """A notebook raised an error while running (names the notebook, the cell and where it is kept)."""


def run_notebook(src: str, dst_ipynb: str, dst_html: str | None, parameters: dict, cwd: str,
                 kernel: str = KERNEL) -> dict:
    """Execute one notebook with papermill, clean it, render it. Returns a status dict (raises only OSError).

    papermill's standard engine: a fresh kernel for this notebook, shut down afterwards, exactly as
    ``papermill SRC DST -k tace-net -p NAME VALUE`` run by hand, except that the Jupyter client waits for the
    kernel's messages in slices (:mod:`analysis.report.kernel_client`: a lost wake-up can no longer hang the
    run). On a failing cell the executed notebook (with the error output) is still written to ``dst_ipynb``.
    A kernel that dies before any cell ran is replaced once by another fresh kernel (``first_kernel_died`` in
    the status says why); a second failure is reported like any other.
    """
    fast_nbformat()
    import nbformat

    t0 = time.perf_counter()
    status: dict[str, Any] = {"ok": True, "name": Path(src).name}
    if _papermill(src, dst_ipynb, parameters, cwd, kernel, status):
        # the kernel died before any cell ran (seen: a port it was given, taken by another process before
        # it could bind it): one more fresh kernel; a second failure is reported as it is
        first = f"{status['ename']}: {status['evalue']}"
        status = {"ok": True, "name": Path(src).name, "first_kernel_died": first}
        _papermill(src, dst_ipynb, parameters, cwd, kernel, status)
    if Path(dst_ipynb).is_file():
        nb = nbformat.read(dst_ipynb, as_version=4)
        died_in = None if status["ok"] or status.get("cell") is not None else interrupted_cell(nb)  # kernel died
        clean_notebook(nb)
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
    status["seconds"] = time.perf_counter() - t0
    return status


def _papermill(src: str, dst_ipynb: str, parameters: dict, cwd: str, kernel: str, status: dict) -> bool:
    """One ``papermill.execute_notebook`` in a fresh kernel; a failure goes into ``status``.

    Returns True when it failed before any cell started (nothing of the notebook ran): a kernel that died
    while starting, which a retry can mend (or anything else that fails so early, which fails again).
    """
    import nbformat
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    track_cells()  # which cell runs, should the kernel die
    try:
        pm.execute_notebook(src, dst_ipynb, parameters=parameters or None, kernel_name=kernel, cwd=cwd,
                            progress_bar=False, log_output=False, request_save_on_cell_execute=False,
                            start_timeout=KERNEL_START_TIMEOUT,
                            # the standard engine with a client that cannot miss the kernel's reply
                            kernel_manager_class="analysis.report.kernel_client.PatientKernelManager",
                            shutdown_kernel="immediate")
    except PapermillExecutionError as exc:
        status.update(ok=False, cell=exc.cell_index, exec_count=exc.exec_count, ename=exc.ename,
                      evalue=str(exc.evalue))
    except OSError:  # writing the executed notebook failed (a full disk ...): the run's fault, not the notebook's;
        raise  # the command line says it in one line
    except Exception as exc:  # kernel died, missing kernel, unreadable notebook ...
        status.update(ok=False, cell=None, exec_count=None, ename=type(exc).__name__, evalue=str(exc))
        if executing_notebook() is None:
            return True
        if not Path(dst_ipynb).is_file():  # the kernel died mid-notebook
            nbformat.write(executing_notebook(), dst_ipynb)
    return False


#: how long each notebook took the last time it ran (seconds by file name): the order of the next run
SECONDS_FILE = ROOT / ".cache" / "notebook-seconds.json"


def longest_first(paths: list[Path]) -> list[Path]:
    """The notebooks in the order to start them: the slowest of the last run first (a notebook not timed yet
    counts as slowest), so that the last one to finish is a short one and no core waits at the end.

    The order changes only when notebooks run, never what they compute or write.

    Parameters
    ----------
    paths : list of Path
        The notebooks to run, in reading order (ties keep it).

    Returns
    -------
    list of Path
        The same notebooks, slowest first.

    Examples
    --------
    >>> [p.name for p in longest_first([Path("never-run-a.ipynb"), Path("never-run-b.ipynb")])]
    ['never-run-a.ipynb', 'never-run-b.ipynb']
    """
    seconds = _read_seconds()
    return sorted(paths, key=lambda p: -seconds.get(p.name, math.inf))


def record_seconds(seconds: dict[str, float]) -> None:
    """Remember how long each notebook took (:data:`SECONDS_FILE`; best effort, a read-only checkout is fine)."""
    known = {**_read_seconds(), **{k: round(float(v), 2) for k, v in seconds.items()}}
    with contextlib.suppress(OSError):
        SECONDS_FILE.parent.mkdir(parents=True, exist_ok=True)
        tmp = SECONDS_FILE.with_suffix(f".tmp-{os.getpid()}")
        tmp.write_text(json.dumps(known, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, SECONDS_FILE)


def _read_seconds() -> dict[str, float]:
    try:
        data = json.loads(SECONDS_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: float(v) for k, v in data.items() if isinstance(v, (int, float))} if isinstance(data, dict) else {}


def progress(i: int, n: int, name: str, text: str) -> None:
    """One progress line: ``[i/n] name  text``."""
    print(f"  [{i}/{n}] {name:<32s} {text}", flush=True)
