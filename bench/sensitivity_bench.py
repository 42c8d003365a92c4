"""Time `python -m analysis sensitivity --draws N` (issue 14 item 6; target: 10,000 draws in <= 60 s on 2 cores).

Usage: .venv/bin/python bench/sensitivity_bench.py [--draws N] [--runs R] [--scheduler ADDRESS]
Runs the CLI in a fresh interpreter (imports, the figure and every output file included), prints wall and
CPU seconds and draws per second of each run and of the best one. Never a test (timings depend on the machine).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 60.0


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--scheduler", default=None)
    args = ap.parse_args(argv)
    extra = ["--scheduler", args.scheduler] if args.scheduler else []
    walls = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            c0, t0 = _cpu(), time.perf_counter()
            subprocess.run([sys.executable, "-m", "analysis", "sensitivity", "--draws", str(args.draws),
                            "--out", tmp, *extra], cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            wall, cpu = time.perf_counter() - t0, _cpu() - c0
        walls.append(wall)
        print(f"sensitivity --draws {args.draws}: wall {wall:.2f} s, cpu {cpu:.2f} s, "
              f"{args.draws / wall:,.0f} draws/s", flush=True)
    best = min(walls)
    print(f"sensitivity: best wall {best:.2f} s = {args.draws / best:,.0f} draws/s over {args.runs} runs "
          f"(target {args.draws} draws <= {TARGET_S:.0f} s): {'met' if best <= TARGET_S else 'MISS'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
