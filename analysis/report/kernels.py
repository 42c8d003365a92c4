"""The notebook workers: one process per notebook slot; each notebook gets a fresh ``tace-net`` kernel.

:func:`notebook_pool` forks ``jobs`` worker processes. Each worker imports papermill and nbconvert
once (:func:`_warm`) and then executes notebooks with papermill's standard engine, which starts a new
kernel for every notebook and shuts it down afterwards. Kernel start-up messages go to
``.cache/kernels.log`` (named in the error when a kernel does not start).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from analysis.errors import UserError
from analysis.paths import ROOT
from analysis.report.faults import die_with_parent
from analysis.report.notebooks import fast_nbformat, render_html

KERNEL = "tace-net"


KERNEL_LOG = ROOT / ".cache" / "kernels.log"


#: Seconds a kernel may take to start: generous, because a busy 2-core machine (or a first start that
#: compiles the bytecode of a fresh environment) can take well over papermill's default of 60 s.
KERNEL_START_TIMEOUT = 300


def _warm(parent: int | None = None) -> None:
    """Pool initializer: standard error to ``.cache/kernels.log``; papermill and nbconvert loaded once.

    The worker ends when ``parent`` (the ``reproduce`` process) ends, however it ends
    (:func:`analysis.report.faults.die_with_parent`); its kernel follows it (ipykernel's parent poller).
    """
    die_with_parent(parent)
    KERNEL_LOG.parent.mkdir(parents=True, exist_ok=True)
    if KERNEL_LOG.is_file() and KERNEL_LOG.stat().st_size > 1_000_000:
        KERNEL_LOG.write_text("")
    fd = os.open(KERNEL_LOG, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 2)
    os.close(fd)
    fast_nbformat()
    import papermill  # noqa: F401 -- loaded once per worker, not once per notebook

    render_html(None)  # nbconvert imported, templates loaded


def check_kernel(name: str = KERNEL) -> None:
    """Refuse to start when the project's Jupyter kernel is not installed (``make setup`` installs it)."""
    from jupyter_core.paths import jupyter_path

    if not any((Path(d) / name.lower() / "kernel.json").is_file() for d in jupyter_path("kernels")):
        raise UserError(f"the Jupyter kernel '{name}' is not installed in this environment; run `make setup` "
                        f"(it installs the kernel into .venv), or `python -m ipykernel install --sys-prefix "
                        f"--name {name}`")


def default_jobs() -> int:
    """Notebooks executed at once by default: one per core."""
    return max(1, os.cpu_count() or 1)


def notebook_pool(jobs: int):
    """``jobs`` worker processes (forked now), each ready to execute notebooks with papermill."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("fork"), initializer=_warm,
                               initargs=(os.getpid(),))


def stop_pool(pool) -> None:
    """Stop a pool's worker processes and their kernels at once (SIGKILL), then shut the pool down.

    Used when a run is interrupted: waiting for a running notebook to finish could take minutes. (A
    kernel would also end by itself within a second of its worker: ipykernel's parent poller.)
    """
    import signal

    from analysis.report.faults import descendants

    workers = list(getattr(pool, "_processes", None) or {})  # ProcessPoolExecutor: pid -> process
    for pid in [d for w in workers for d in descendants(w)] + workers:  # kernels first
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(Exception):
        pool.shutdown(wait=True, cancel_futures=True)
