"""`make bench` (second part): cost of validate / numbers / reproduce on a registry-sized cohort.

Generates (bench/make_cohort.py, under bench/out/, git-ignored) the bundled cohort re-keyed (34 patients),
a cohort of N patients (default 34,000) and a 1,000,000-row imaging.csv, runs each command once, cold,
under ``/usr/bin/time -v`` and prints wall time and peak memory (largest process, and the whole process
tree -- reproduce runs notebook kernels beside itself -- sampled every 0.2 s from /proc) beside the
34-patient value, so that growth shows as a ratio, then the targets of issue 12 item 6 on the large cohort:
validate <= 5 s, numbers <= 10 s, reproduce <= 60 s and <= 2 GB; the 1,000,000-row file handled within
those bounds scaled, or refused up front with one message naming the limit. Never a test (timings depend
on the machine and on what else runs on it; the CPU seconds are shown for that reason).

Usage: python bench/scale.py [--patients 34000] [--skip-reproduce]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PY = sys.executable
TARGETS = {"validate": (5.0, None), "numbers": (10.0, None), "reproduce": (60.0, 2.0)}  # seconds, GB


def _tree_rss(root: int) -> int:
    """Resident memory (bytes) of process ``root`` and all its descendants, read from /proc (0 off Linux)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for d in Path("/proc").glob("[0-9]*"):
        try:
            stat = (d / "stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()
            children.setdefault(int(fields[1]), []).append(int(d.name))
            rss[int(d.name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):  # the process ended meanwhile
            continue
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total


def _time_v(cmd: list[str]) -> dict:
    """Run ``cmd`` under /usr/bin/time -v: exit code, wall and CPU seconds, peak RSS (GB) of the largest
    process and of the whole tree (sampled), first stderr line."""
    proc = subprocess.Popen(["/usr/bin/time", "-v", *cmd], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    peak = [0]

    def sample():
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    sampler.join()
    r = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", err)
    h, m, s = (float(x) if x else 0.0 for x in wall.groups())
    user = float(re.search(r"User time \(seconds\): ([\d.]+)", err).group(1))
    system = float(re.search(r"System time \(seconds\): ([\d.]+)", err).group(1))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1)) / 1024 ** 2
    lines = [ln for ln in (r.stdout + err).splitlines() if ln.strip() and not ln.startswith(("\t", "validate: "))]
    first = next((ln for ln in lines if "rows per file" in ln), lines[0] if lines else "")
    return {"rc": r.returncode, "wall": h * 3600 + m * 60 + s, "cpu": user + system, "gb": rss,
            "tree_gb": peak[0] / 1024 ** 3, "first": first}


def _cohort(patients: int, exams: int | None = None) -> Path:
    name = f"cohort-{patients}" + (f"-exams-{exams}" if exams else "")
    out = OUT / name
    if not (out / "patients.csv").is_file():
        cmd = [PY, str(ROOT / "bench" / "make_cohort.py"), "--patients", str(patients), "--out", str(out)]
        subprocess.run(cmd + (["--exams", str(exams)] if exams else []), check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL)
    return out


def _run(command: str, data: Path) -> dict:
    """One cold run of a command on a dataset (reproduce: fresh OUT; empty results and validated-dataset caches)."""
    out = OUT / f"{command}-{data.name}"
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(ROOT / ".cache" / "results", ignore_errors=True)
    shutil.rmtree(ROOT / ".cache" / "dataset", ignore_errors=True)  # a cold load validates (analysis.data.cache)
    args = {"validate": [str(data)], "numbers": ["--data", str(data), "--out", str(out) + ".json"],
            "reproduce": ["--data", str(data), "--out", str(out)]}[command]
    return _time_v([PY, "-m", "analysis", command, *args])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--patients", type=int, default=34_000)
    ap.add_argument("--skip-reproduce", action="store_true")
    args = ap.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    small, large = _cohort(34), _cohort(args.patients)
    million = _cohort(30_000, exams=1_000_000)
    commands = ["validate", "numbers"] + ([] if args.skip_reproduce else ["reproduce"])
    print(f"bench/scale: 34 vs {args.patients} patients, {os.cpu_count()} cores, one cold run each", flush=True)
    print(f"\n{'command':<10s} {'34 patients':>22s} {f'{args.patients} patients':>24s} {'ratio':>7s}"
          "   (wall s, CPU s, peak GB)")
    rows = {}
    for c in commands:
        a, b = _run(c, small), _run(c, large)
        rows[c] = b
        ok = "" if a["rc"] == b["rc"] == 0 else f"   exit {a['rc']} / {b['rc']}: {b['first'][:100]}"
        print(f"{c:<10s} {a['wall']:7.1f} {a['cpu']:6.1f} {a['gb']:6.2f}  {b['wall']:8.1f} {b['cpu']:6.1f} "
              f"{b['gb']:6.2f}  {b['wall'] / a['wall']:6.1f}x{ok}", flush=True)
    m = _run("validate", million)
    print(f"\n1,000,000-row imaging.csv: validate exit {m['rc']} after {m['wall']:.1f} s ({m['gb']:.2f} GB): "
          f"{m['first']}")
    print("\ntargets (largest cohort)")
    for c, (secs, gb) in TARGETS.items():
        if c not in rows:
            continue
        r = rows[c]
        met = r["rc"] == 0 and r["wall"] <= secs and (gb is None or r["gb"] <= gb)
        mem = f" and <= {gb} GB (peak {r['gb']:.2f} GB; whole tree {r['tree_gb']:.2f} GB)" if gb else ""
        print(f"  {'met ' if met else 'MISS'}  {c} {r['wall']:.1f} s <= {secs:.0f} s{mem}  (CPU {r['cpu']:.1f} s)")
    refused = m["rc"] == 1 and "rows per file are supported" in m["first"] and m["wall"] <= 5
    print(f"  {'met ' if refused else 'MISS'}  1,000,000 rows refused up front with the limit named "
          f"({m['wall']:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
