"""Faults of the environment and of the process (issue 15, items 1-2): one clear line, nothing lost, nothing left.

Fast tests exercise analysis.report.faults directly; the slow ones start real ``python -m analysis reproduce``
processes on the mini fixture and really send SIGKILL / SIGTERM / SIGINT, fill a real tmpfs (when this machine
lets the test mount one), or run two commands into the same OUT at once.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from analysis.errors import UserError
from analysis.paths import ROOT, TESTS
from analysis.report import faults

MINI = TESTS / "fixtures" / "mini"


# ------------------------------------------------------------------ fast: the building blocks

def test_a_second_run_into_the_same_out_refuses_or_waits_with_a_message(tmp_path):
    out = tmp_path / "reports"
    said = []
    with faults.out_lock(out):
        with pytest.raises(UserError, match=rf"another reproduce run \(process {os.getpid()}\) is writing"):
            with faults.out_lock(out, wait=False):
                pass
        done = threading.Event()

        def second():
            with faults.out_lock(out, say=lambda *a, **k: said.append(a[0])):
                done.set()

        t = threading.Thread(target=second)
        t.start()
        time.sleep(0.5)
        assert not done.is_set()  # it waits ...
        assert said and "waiting for it to finish" in said[0]
    t.join(10)
    assert done.is_set()  # ... and runs when the first one is done
    assert not faults.lock_path(out).exists()  # the lock file is removed by the run that holds it


def test_stale_temporary_folders_are_removed_and_announced(tmp_path):
    out = tmp_path / "reports"
    out.mkdir()
    (tmp_path / ".reports.tmp-4711").mkdir()
    (tmp_path / ".reports.old-4712").mkdir()
    (tmp_path / ".other.tmp-1").mkdir()  # another output folder's: not ours to remove
    said = []
    removed = faults.remove_stale(out, say=lambda *a, **k: said.append(a[0]))
    assert removed == [".reports.old-4712", ".reports.tmp-4711"]
    assert said == ["reproduce: removed 2 temporary folders left by an interrupted run: .reports.old-4712, "
                    ".reports.tmp-4711"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.tmp-1", "reports"]


def test_an_out_caught_in_the_middle_of_the_swap_is_put_back(tmp_path):
    out = tmp_path / "reports"
    backup = tmp_path / ".reports.old-4711"
    backup.mkdir()
    (backup / "numbers.json").write_text("{}")
    faults.remove_stale(out, say=lambda *a, **k: None)
    assert (out / "numbers.json").read_text() == "{}" and not backup.exists()


def test_a_missing_or_unwritable_out_parent_is_refused_naming_it(tmp_path):
    with pytest.raises(UserError, match=rf"^{tmp_path}/nope: the folder for the output does not exist; create it"):
        faults.check_out_parent(tmp_path / "nope" / "reports")
    (tmp_path / "file").write_text("x")
    with pytest.raises(UserError, match="is not a folder"):
        faults.check_out_parent(tmp_path / "file" / "reports")
    faults.check_out_parent(tmp_path / "reports")  # fine


@pytest.mark.parametrize("code, words", [(errno.ENOSPC, "no space left on the device; free some space"),
                                         (errno.EROFS, "read-only file system; choose an --out on a writable disk"),
                                         (errno.EACCES, "permission denied"),
                                         (errno.ENOENT, "disappeared during the run")])
def test_an_os_error_is_one_line_naming_the_path_and_what_to_do(code, words):
    line = faults.os_error_message(OSError(code, os.strerror(code), "/x/.reports.tmp-1/tables/t.csv"), Path("/x/r"))
    assert line.startswith("/x/.reports.tmp-1/tables/t.csv: ") and words in line
    assert line.endswith("(/x/r was left unchanged)") and "\n" not in line


def test_cli_prints_an_os_error_as_one_line_and_exits_1(tmp_path, monkeypatch, capsys):
    from analysis import cli
    from analysis.study import numbers

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "n.json"))

    monkeypatch.setattr(numbers, "write_numbers", full)
    code = cli.main(["numbers", "--data", str(MINI), "--out", str(tmp_path / "n.json")])
    err = capsys.readouterr().err
    assert code == 1
    assert err == f"error: {tmp_path / 'n.json'}: no space left on the device; free some space (or choose an --out " \
                  "on another disk) and run again\n"


def test_a_child_dies_with_its_parent_even_when_the_parent_is_killed(tmp_path):
    # parent: starts a child that calls die_with_parent, prints the child's pid, then sleeps until killed
    code = f"""
import os, sys, time
sys.path.insert(0, {str(ROOT)!r})
from analysis.report.faults import die_with_parent
parent = os.getpid()
pid = os.fork()
if pid == 0:
    die_with_parent(parent)
    time.sleep(60)
    os._exit(0)
print(pid, flush=True)
time.sleep(60)
"""
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    child = int(proc.stdout.readline())
    proc.kill()
    proc.wait()
    assert _gone([child], 5), "the child outlived its killed parent"


# ------------------------------------------------------------------ slow: real runs, real signals

def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _gone(pids, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if not any(_alive(p) for p in pids):
            return True
        time.sleep(0.2)
    return not any(_alive(p) for p in pids)


def _start(out: Path, *extra: str, data: Path = MINI) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "analysis", "reproduce", "--data", str(data), "--out", str(out),
                             "--force", *extra], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _wait_for_kernel(proc: subprocess.Popen, out: Path, seconds: float = 240) -> list[int]:
    """Wait until the run has a Jupyter kernel among its descendants and its temporary folder beside ``out``;
    return every descendant then."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        assert proc.poll() is None, proc.communicate()
        kids = faults.descendants(proc.pid)
        if any("ipykernel" in _cmdline(k) for k in kids) and list(out.parent.glob(f".{out.name}.tmp-*")):
            time.sleep(0.5)  # let the run get on with the numbers and the helpers
            return faults.descendants(proc.pid)
        time.sleep(0.2)
    raise AssertionError("no kernel started")


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@pytest.fixture
def previous_out(tmp_path):
    """An OUT written by an earlier run (here: a marker file and a manifest), which a failed run must not touch."""
    out = tmp_path / "out"
    (out / ".cache").mkdir(parents=True)
    (out / ".cache" / "manifest.json").write_text('{"run_key": "previous", "notebooks": {}, "files": []}\n')
    (out / "numbers.json").write_text('{"previous": true}\n')
    return out


def _snapshot(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_sigkill_ends_every_process_of_the_run_publishes_nothing_and_the_next_run_cleans_up(tmp_path,
                                                                                              previous_out):
    before = _snapshot(previous_out)
    proc = _start(previous_out)
    kids = _wait_for_kernel(proc, previous_out)
    proc.kill()
    proc.wait()
    assert _gone(kids, 10), [(k, _cmdline(k)) for k in kids if _alive(k)]
    assert _snapshot(previous_out) == before  # nothing published
    stale = [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.tmp-")]
    assert stale  # the killed run could not clean up: the next run does, and says so
    removed = faults.remove_stale(previous_out, say=lambda *a, **k: None)
    assert removed == stale


@pytest.mark.slow
@pytest.mark.parametrize("sig, code, word", [(signal.SIGTERM, 143, "stopped by SIGTERM"),
                                             (signal.SIGINT, 130, "interrupted")])
def test_sigterm_and_sigint_stop_the_run_cleanly(tmp_path, previous_out, sig, code, word):
    before = _snapshot(previous_out)
    proc = _start(previous_out)
    kids = _wait_for_kernel(proc, previous_out)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=180)  # a loaded machine stops kernels slowly
    assert proc.returncode == code, (proc.returncode, err)
    assert err.strip().splitlines()[-1] == word and "Traceback" not in err
    assert _gone(kids, 10)
    assert _snapshot(previous_out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temporary folder, no lock file


@pytest.mark.slow
def test_two_runs_into_the_same_out_do_not_race(tmp_path):
    out = tmp_path / "out"
    first = _start(out)
    end = time.monotonic() + 120
    while not faults.lock_path(out).exists() and time.monotonic() < end:
        time.sleep(0.1)
    second = _start(out)
    try:
        o1, e1 = first.communicate(timeout=900)  # generous: two whole runs, one after the other, on a busy machine
        o2, e2 = second.communicate(timeout=900)
    finally:
        for proc in (first, second):
            if proc.poll() is None:
                proc.kill()
    assert first.returncode == 0 and second.returncode == 0, (e1, e2)
    assert f"another run (process {first.pid}) is writing {out}; waiting for it to finish" in o2
    assert (out / "numbers.json").is_file() and (out / "index.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@contextlib.contextmanager
def tmpfs(path: Path, size: str):
    """A small tmpfs mounted on ``path`` for the block (the test is skipped where mounting is not allowed)."""
    path.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True) \
        if shutil.which("mount") else None
    if r is None or r.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


@pytest.mark.slow
def test_a_full_disk_is_one_line_and_leaves_the_previous_out_and_no_temporary_folder(tmp_path):
    with tmpfs(tmp_path / "disk", "600k") as disk:
        out = disk / "out"
        out.mkdir()
        (out / "numbers.json").write_text('{"previous": true}\n')
        (out / ".cache").mkdir()
        (out / ".cache" / "manifest.json").write_text('{"run_key": "previous", "notebooks": {}, "files": []}\n')
        before = _snapshot(out)
        proc = _start(out)
        _, err = proc.communicate(timeout=900)
        assert proc.returncode == 1, err
        lines = [x for x in err.strip().splitlines() if "Warning" not in x and not x.startswith(" ")]  # numpy's
        assert len(lines) == 1 and "no space left on the device; free some space" in lines[0], err
        assert lines[0].startswith("error: ") and lines[0].endswith(f"({out} was left unchanged)")
        assert "Traceback" not in err
        assert _snapshot(out) == before
        assert sorted(p.name for p in disk.iterdir()) == ["out"]


@pytest.mark.slow
def test_a_read_only_out_parent_is_refused_before_anything_runs(tmp_path):
    with tmpfs(tmp_path / "ro", "1m") as disk:
        (disk / "out").mkdir()
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        proc = _start(disk / "out")
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 1
        assert err == f"error: {disk}: cannot write here (read-only file system or no permission); the output is " \
                      f"written beside out and moved into place, so its parent must be writable: choose another " \
                      f"--out\n"


@pytest.mark.slow
def test_a_dataset_folder_that_disappears_mid_run_publishes_nothing(tmp_path, previous_out):
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    before = _snapshot(previous_out)
    proc = _start(previous_out, data=data)
    _wait_for_kernel(proc, previous_out)
    shutil.rmtree(data)
    _, err = proc.communicate(timeout=900)
    assert proc.returncode == 1, err
    lines = [x for x in err.strip().splitlines() if "Warning" not in x and not x.startswith(" ")]  # numpy's
    assert len(lines) == 1 and lines[0].startswith(f"error: {data}: the dataset folder disappeared"), err
    assert "Traceback" not in err
    assert _snapshot(previous_out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.slow
def test_a_kernel_that_dies_mid_notebook_fails_naming_the_notebook_and_the_cell(tmp_path):
    import nbformat

    from analysis.report.runner import run_notebook

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("alpha = 0.05", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("x = 1"),
                nbformat.v4.new_markdown_cell("the kernel dies in the next cell"),
                nbformat.v4.new_code_cell("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"),
                nbformat.v4.new_code_cell("y = 2")]
    nb.metadata["kernelspec"] = {"name": "tace-net", "display_name": "Python 3.11 (tace-net)", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    src = tmp_path / "dies.ipynb"
    nbformat.write(nb, src)
    st = run_notebook(str(src), str(tmp_path / "out.ipynb"), None, {"alpha": 0.01}, str(tmp_path))
    assert not st["ok"] and st["ename"] == "DeadKernelError", st
    assert (st["cell_number"], st["source"]) == (3, "import os, signal")  # the 3rd code cell of dies.ipynb
