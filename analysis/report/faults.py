"""Faults of the environment and of the process, turned into one clear line and a clean state.

- :func:`out_lock`: one ``reproduce`` at a time per output folder. A lock file ``.<OUT>.lock`` in OUT's
  parent is held with ``fcntl.flock`` for the whole run; a second run into the same OUT says that it waits,
  then waits (or, with ``wait=False``, refuses). The kernel releases the lock when a run dies, even by
  SIGKILL; the file is removed by the run that holds it.
- :func:`remove_stale`: the temporary folders a killed run left beside OUT (``.<OUT>.tmp-PID``,
  ``.<OUT>.old-PID``) are removed by the next run, which says so; a previous OUT caught in the middle of the
  final swap is put back first.
- :func:`check_out_parent`: a missing or read-only folder for OUT is refused before anything runs.
- :func:`os_error_message`: a full disk, a read-only or vanished folder, ... as one line naming the path
  and what to do (the command line prints it instead of a traceback).
- :func:`die_with_parent`: helper and notebook-runner processes end when the ``reproduce`` process
  ends, however it ends (Linux ``prctl(PR_SET_PDEATHSIG)``, and a watchdog thread elsewhere); Jupyter
  kernels already end with their runner (ipykernel's parent poller).
- :func:`terminate_as_interrupt`: SIGTERM and SIGHUP stop a run like Ctrl-C does (clean-up, exit 143/129).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import signal
import sys
import threading
import time
from pathlib import Path

from analysis.errors import UserError


class Terminated(KeyboardInterrupt):
    """The run was stopped by a signal (SIGTERM, SIGHUP): cleaned up like Ctrl-C, exit 128 + signal."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def terminate_as_interrupt() -> None:
    """Turn SIGTERM and SIGHUP into :class:`Terminated` in the main thread (so ``finally`` blocks run).

    Examples
    --------
    >>> import signal
    >>> previous = signal.getsignal(signal.SIGTERM)
    >>> terminate_as_interrupt()
    >>> signal.getsignal(signal.SIGTERM).__name__
    '_raise'
    >>> _ = signal.signal(signal.SIGTERM, previous)
    """
    def _raise(signum, _frame):
        raise Terminated(signum)

    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, _raise)


# --------------------------------------------------------------------------------- children die with us

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int | None = None, sig: int = signal.SIGKILL) -> None:
    """Make this (child) process end when its parent ends, whatever kills the parent.

    On Linux the kernel sends ``sig`` when the parent dies (``prctl(PR_SET_PDEATHSIG)``); elsewhere, and
    as a second guard, a daemon thread checks every half second that the parent is still there and
    exits the process when it is not. Call it first thing in a child (a pool initializer).

    Parameters
    ----------
    parent_pid : int, optional
        The parent's process id as the parent saw it before starting the child (default: the current
        parent). When the parent is already gone, the process exits at once.
    sig : int, default SIGKILL
        The signal the kernel sends on the parent's death.

    References
    ----------
    prctl(2), PR_SET_PDEATHSIG (Linux man-pages).

    Examples
    --------
    >>> die_with_parent(os.getppid(), sig=0)  # in the test process: a no-op (signal 0 = keep as is)
    """
    parent = parent_pid if parent_pid is not None else os.getppid()
    if sig and sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no prctl: the watchdog below still works
            pass
    if os.getppid() != parent:  # the parent died before the prctl took effect
        os._exit(1)

    def _watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    if sig:
        threading.Thread(target=_watch, name="die-with-parent", daemon=True).start()


def descendants(pid: int) -> list[int]:
    """The process ids of every descendant of ``pid`` (children, grandchildren, ...), read from /proc.

    Returns
    -------
    list of int
        Deepest first (so that killing them in this order never orphans one); empty where there is no /proc.

    Examples
    --------
    >>> import subprocess, sys
    >>> child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    >>> child.pid in descendants(os.getpid())
    True
    >>> child.kill(); _ = child.wait()
    """
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    out: list[int] = []

    def walk(p: int) -> None:
        for c in children.get(p, []):
            walk(c)
            out.append(c)

    walk(pid)
    return out


_STARTED: dict = {}


def track_cells() -> None:
    """Remember, in this process, the notebook papermill is executing (for :func:`executing_notebook`).

    papermill keeps the executed notebook in memory and writes it only when the run ends normally or a
    cell raises; when the kernel dies it is lost, and with it which cell was running. A wrapper around
    papermill's ``cell_start`` keeps a reference to it. Call it before each ``execute_notebook``.
    """
    from papermill.engines import NotebookExecutionManager

    _STARTED.clear()
    if getattr(NotebookExecutionManager.cell_start, "_tracked", False):
        return
    original = NotebookExecutionManager.cell_start

    def cell_start(self, cell, cell_index=None, **kwargs):
        _STARTED["nb"] = self.nb
        return original(self, cell, cell_index, **kwargs)

    cell_start._tracked = True
    NotebookExecutionManager.cell_start = cell_start


def executing_notebook():
    """The notebook papermill was executing in this process when it stopped (None if no cell started)."""
    return _STARTED.get("nb")


def interrupted_cell(nb) -> tuple[int, dict] | None:
    """The code cell a notebook was executing when its kernel died: ``(number among code cells, cell)``.

    papermill stamps ``metadata.papermill.start_time`` on each cell it starts; the last stamped code cell
    (papermill's injected-parameters cell not counted) is the one the kernel died in. Call it on the
    executed notebook before its papermill metadata are cleaned away.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells = [nbformat.v4.new_code_cell(f"x = {i}") for i in range(3)]
    >>> for c, t in zip(nb.cells, ["2026-01-01", "2026-01-01", None]):
    ...     c.metadata["papermill"] = {"start_time": t}
    >>> number, cell = interrupted_cell(nb)
    >>> number, cell.source
    (2, 'x = 1')
    """
    code = [c for c in nb.cells if c.get("cell_type") == "code"
            and "injected-parameters" not in c.get("metadata", {}).get("tags", [])]
    started = [i for i, c in enumerate(code, 1) if (c.get("metadata", {}).get("papermill") or {}).get("start_time")]
    return (started[-1], code[started[-1] - 1]) if started else None


# --------------------------------------------------------------------------------- the output folder

def lock_path(out: Path) -> Path:
    """The lock file of an output folder: ``.<name>.lock`` in its parent.

    Examples
    --------
    >>> lock_path(Path("reports/synthetic")).as_posix()
    'reports/.synthetic.lock'
    """
    out = Path(out)
    return out.parent / f".{out.name}.lock"


@contextlib.contextmanager
def out_lock(out: Path, wait: bool = True, say=print):
    """Hold the lock of ``out`` for the block (one run at a time per output folder).

    Parameters
    ----------
    out : Path
        The output folder (its parent must exist).
    wait : bool, default True
        When another run holds the lock: wait for it (after saying so) or raise :class:`UserError`.
    say : callable
        Where the waiting message goes.

    Raises
    ------
    UserError
        ``wait=False`` and another run holds the lock.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "reports"
    >>> with out_lock(out):
    ...     lock_path(out).is_file()
    True
    >>> lock_path(out).exists()
    False
    """
    import fcntl

    path = lock_path(out)
    told = False
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            if not wait:
                os.close(fd)
                raise UserError(f"{out}: another reproduce run (process {holder}) is writing this output folder; "
                                f"wait for it to finish or choose another --out") from None
            if not told:
                say(f"reproduce: another run (process {holder}) is writing {out}; waiting for it to finish "
                    f"(Ctrl-C to give up)", flush=True)
                told = True
            fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # the previous holder removed the file: lock the new one
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield path
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(fd)


_STALE = re.compile(r"\.(?P<name>.+)\.(?P<kind>tmp|old)-(?P<pid>\d+)")


def remove_stale(out: Path, say=print) -> list[str]:
    """Remove the temporary folders a killed run left beside ``out``; call it holding :func:`out_lock`.

    A ``.<OUT>.old-PID`` folder is the previous OUT renamed away just before the finished folder was
    moved in: when OUT itself is missing (the run died between the two renames), it is put back as OUT.

    Returns
    -------
    list of str
        The names removed (each also announced with ``say``).

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> (root / ".reports.tmp-999999").mkdir()
    >>> remove_stale(root / "reports", say=lambda *a, **k: None)
    ['.reports.tmp-999999']
    >>> sorted(p.name for p in root.iterdir())
    []
    """
    out = Path(out)
    if not out.parent.is_dir():
        return []
    removed = []
    for entry in sorted(out.parent.iterdir()):
        m = _STALE.fullmatch(entry.name)
        if not m or m["name"] != out.name or not entry.is_dir():
            continue
        if m["kind"] == "old" and not out.exists():
            os.rename(entry, out)
            say(f"reproduce: {out} was restored from {entry.name} (an interrupted run had moved it aside)",
                flush=True)
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry.name)
    if removed:
        say(f"reproduce: removed {len(removed)} temporary folder{'s' * (len(removed) > 1)} left by an interrupted "
            f"run: {', '.join(removed)}", flush=True)
    return removed


def check_out_parent(out: Path) -> None:
    """Refuse an output folder whose parent is missing, not a folder, or not writable (before anything runs).

    Examples
    --------
    >>> try:
    ...     check_out_parent(Path("/nonexistent-folder/reports"))
    ... except UserError as exc:
    ...     print(str(exc)[:60])
    /nonexistent-folder: the folder for the output does not exis
    """
    parent = Path(out).parent
    if not parent.exists():
        raise UserError(f"{parent}: the folder for the output does not exist; create it (mkdir -p {parent}) "
                        f"or choose another --out")
    if not parent.is_dir():
        raise UserError(f"{parent}: is not a folder; choose another --out")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UserError(f"{parent}: cannot write here (read-only file system or no permission); the output is "
                        f"written beside {Path(out).name} and moved into place, so its parent must be writable: "
                        f"choose another --out")


_WHAT_TO_DO = {
    errno.ENOSPC: ("no space left on the device", "free some space (or choose an --out on another disk) and run "
                                                  "again"),
    errno.EDQUOT: ("disk quota exceeded", "free some space (or choose an --out on another disk) and run again"),
    errno.EROFS: ("read-only file system", "choose an --out on a writable disk"),
    errno.EACCES: ("permission denied", "choose an --out you may write to, or fix the permissions"),
    errno.EPERM: ("operation not permitted", "choose an --out you may write to, or fix the permissions"),
    errno.ENOENT: ("no such file or folder (it disappeared during the run)",
                   "check that the dataset and output folders stay in place while the run lasts, then run again"),
    errno.EIO: ("input/output error", "check the disk, then run again"),
    errno.EMFILE: ("too many open files", "raise the limit (ulimit -n) or use fewer --jobs"),
    errno.ENOMEM: ("out of memory", "close other programs or use fewer --jobs"),
}


def os_error_message(exc: OSError, out: Path | None = None) -> str:
    """One line for an operating-system error: the path, what happened, what to do, and that OUT is safe.

    Parameters
    ----------
    exc : OSError
        The error (its ``filename`` and ``errno`` are used).
    out : Path, optional
        The output folder of the run (the message then says it was left unchanged).

    Examples
    --------
    >>> import errno
    >>> line = os_error_message(OSError(errno.ENOSPC, "No space left on device", "/mnt/x/.reports.tmp-1/a.png"),
    ...                         Path("/mnt/x/reports"))
    >>> line.split("; ")[0], line.endswith("(/mnt/x/reports was left unchanged)")
    ('/mnt/x/.reports.tmp-1/a.png: no space left on the device', True)
    """
    what, todo = _WHAT_TO_DO.get(exc.errno, (exc.strerror or str(exc), "check the path and run again"))
    where = exc.filename if exc.filename is not None else (out if out is not None else "")
    tail = f" ({out} was left unchanged)" if out is not None else ""
    return f"{where}: {what}; {todo}{tail}" if where != "" else f"{what}; {todo}{tail}"
