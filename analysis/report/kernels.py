"""The notebook runners: worker processes, each with a Jupyter kernel started early and (optionally) kept.

A runner (:func:`runner_pool`) boots its kernel and imports papermill and nbconvert while the parent
process validates the dataset and computes the numbers (:func:`_warm`). With kernel reuse the kernel
and one connected client are kept for every notebook the runner executes (:func:`worker_kernel`,
:func:`worker_client`, the papermill engine of :func:`reuse_engine`). :func:`helper_pool` forks the
processes that render the figures and run the audit.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

from analysis.errors import UserError
from analysis.report.faults import die_with_parent
from analysis.paths import ROOT
from analysis.report.notebooks import fast_nbformat, render_html

KERNEL = "tace-net"


KERNEL_LOG = ROOT / ".cache" / "kernels.log"


#: Seconds a kernel may take to start: generous, because a busy 2-core machine (or a first start that
#: compiles the bytecode of a fresh environment) can take well over papermill's default of 60 s.
KERNEL_START_TIMEOUT = 300


_KERNEL = None  # (kernel manager, cwd, kernel name, kernel client) of this worker when kernels are reused


#: run silently in a worker's kernel while it waits for its first notebook
_PRELOAD_SOURCE = "import gc, pandas, analysis.report.results; gc.freeze(); del gc, pandas, analysis"


def _warm(cwd: str | None = None, kernel: str = KERNEL, reuse_kernel: bool = False, parent: int | None = None) -> None:
    """Pool initializer of a notebook runner: start its kernel, then load papermill and nbconvert.

    The kernel boots in its own process while this worker imports papermill and nbconvert and loads
    the HTML templates, all while the parent process is still loading the statistics stack and
    computing the numbers; the first notebook then starts without waiting for any of it.

    The worker's standard error (inherited by the kernels it starts) goes to ``.cache/kernels.log``:
    kernels print start-up notices there that are not the user's concern; notebook errors are
    reported from the executed notebook itself. The worker ends when ``parent`` (the ``reproduce``
    process) ends, however it ends (:func:`analysis.report.faults.die_with_parent`); its kernel follows it.
    """
    die_with_parent(parent)
    KERNEL_LOG.parent.mkdir(parents=True, exist_ok=True)
    if KERNEL_LOG.is_file() and KERNEL_LOG.stat().st_size > 1_000_000:
        KERNEL_LOG.write_text("")
    fd = os.open(KERNEL_LOG, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 2)
    os.close(fd)
    fast_nbformat()
    try:
        km = worker_kernel(cwd, kernel) if reuse_kernel and cwd else None  # boots in its own process meanwhile
        reuse_engine()  # papermill imported
        render_html(None)  # nbconvert imported, templates loaded
        if km is not None:
            # connected once the kernel is ready; the modules every notebook imports are loaded now (into
            # sys.modules only: the notebooks' namespace stays empty), as a reused kernel has them anyway
            kc = worker_client(km)
            from jupyter_core.utils import run_sync

            run_sync(kc.execute_interactive)(_PRELOAD_SOURCE, silent=True, store_history=False,
                                             timeout=KERNEL_START_TIMEOUT)
    except Exception:  # noqa: BLE001 - a warm-up only: the first notebook starts over and reports the error
        shutdown_kernel()


def shutdown_kernel() -> None:
    """Shut down this worker's long-lived kernel, if any (it may be gone already)."""
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


def worker_kernel(cwd: str, kernel: str):
    """This worker's long-lived kernel (started on first use, shut down when the worker exits)."""
    global _KERNEL
    if _KERNEL is not None and (_KERNEL[1], _KERNEL[2]) == (cwd, kernel):
        from jupyter_core.utils import run_sync

        if run_sync(_KERNEL[0].is_alive)():
            return _KERNEL[0]
        shutdown_kernel()
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync
    from multiprocessing import util

    km = AsyncKernelManager(kernel_name=kernel)
    run_sync(km.start_kernel)(cwd=cwd)
    if _KERNEL is None:
        util.Finalize(None, shutdown_kernel, exitpriority=10)
    _KERNEL = (km, cwd, kernel, None)
    return km


def worker_client(km):
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
#: :func:`reuse_engine`)
REUSE_ENGINE = "tace-net-reuse"


def reuse_engine() -> str:
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


def check_kernel(name: str = KERNEL) -> None:
    """Refuse to start when the project's Jupyter kernel is not installed (``make setup`` installs it)."""
    from jupyter_core.paths import jupyter_path

    if not any((Path(d) / name.lower() / "kernel.json").is_file() for d in jupyter_path("kernels")):
        raise UserError(f"the Jupyter kernel '{name}' is not installed in this environment; run `make setup` "
                        f"(it installs the kernel into .venv), or `python -m ipykernel install --sys-prefix "
                        f"--name {name}`")


def _noop() -> None:
    """Nothing: submitted once per worker so that the pool starts every worker now."""
    return None


def runner_pool(jobs: int, cwd: str | None = None, kernel: str = KERNEL, reuse_kernel: bool = False):
    """Worker processes (forked), each warmed up: papermill and nbconvert imported and, when kernels are
    reused, its kernel started with pandas and the package imported, while the parent computes."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("fork"), initializer=_warm,
                               initargs=(cwd, kernel, reuse_kernel, os.getpid()))
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


def helper_pool(n: int):
    """``n`` helper processes (forked now, sharing the modules loaded so far) for the figures and the audit."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=n, mp_context=mp.get_context("fork"), initializer=die_with_parent,
                               initargs=(os.getpid(),))

