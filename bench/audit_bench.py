"""Time the consistency audit of the publication (target: <= 10 s for `python -m analysis audit`).

Usage: .venv/bin/python bench/audit_bench.py [REPEATS]
Runs the CLI in a fresh interpreter (imports included) and reports wall and CPU seconds.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    walls = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "analysis", "audit", "--out", tmp], cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL)
            wall = time.perf_counter() - t0
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            walls.append(wall)
            print(f"audit: wall {wall:.2f} s, cpu {cpu:.2f} s")
    best = min(walls)
    print(f"audit: best wall {best:.2f} s over {repeats} runs (target <= 10 s): {'OK' if best <= 10 else 'SLOW'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
