"""`make bench`: wall-clock timings of the main commands against the speed targets (issue 6 item 6).

Times (median of a few runs, time.perf_counter around a subprocess):
  - a full reproduce into a fresh output folder,
  - a second reproduce with nothing changed (cached),
  - `python -m analysis numbers`, `python -m analysis audit`, `python -m analysis synthesize` (when present),
and prints the ratios against the targets: reproduce <= 30 s and <= 3 x numbers; cached <= 3 s.
Never used as a test (timings depend on the machine); outputs go to bench/out/ (git-ignored).

Usage: python bench/run.py [--data DIR] [--runs N]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PY = sys.executable


def timed(cmd: list[str], env: dict | None = None) -> float:
    t = time.perf_counter()
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env)
    dt = time.perf_counter() - t
    if r.returncode != 0:
        sys.stderr.write(r.stdout + r.stderr)
        raise SystemExit(f"bench: command failed ({r.returncode}): {' '.join(cmd)}")
    return dt


def median_of(n: int, fn) -> tuple[float, list[float]]:
    xs = [fn() for _ in range(n)]
    return statistics.median(xs), xs


def has_module(name: str) -> bool:
    return importlib.util.find_spec(f"analysis.{name}") is not None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = "data/synthetic" if (ROOT / "data" / "synthetic" / "patients.csv").is_file() else "tests/fixtures/mini"
    ap.add_argument("--data", default=default)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    rep = OUT / "reports"
    cli = [PY, "-m", "analysis"]
    results: dict[str, tuple[float, list[float]]] = {}
    print(f"bench: dataset {args.data}, {args.runs} runs each, {os.cpu_count()} cores", flush=True)

    def full():
        shutil.rmtree(rep, ignore_errors=True)
        shutil.rmtree(ROOT / ".cache" / "results", ignore_errors=True)  # no bundle left from an earlier run
        return timed(cli + ["reproduce", "--data", args.data, "--out", str(rep)])

    results["numbers"] = median_of(args.runs, lambda: timed(cli + ["numbers", "--data", args.data, "--out",
                                                                 str(OUT / "numbers.json")]))
    results["reproduce (fresh OUT)"] = median_of(args.runs, full)
    results["reproduce (cached)"] = median_of(args.runs, lambda: timed(cli + ["reproduce", "--data", args.data,
                                                                          "--out", str(rep)]))
    if has_module("audit"):
        results["audit"] = median_of(args.runs, lambda: timed(cli + ["audit", "--out", str(OUT / "audit")]))
    if has_module("synth"):
        results["synthesize"] = median_of(args.runs, lambda: timed(cli + ["synthesize", "--out",
                                                                        str(OUT / "synthetic")]))

    print(f"\n{'command':<24s} {'median':>8s}   runs")
    for name, (med, xs) in results.items():
        print(f"{name:<24s} {med:7.2f}s   " + " ".join(f"{x:.2f}" for x in xs))
    full_t = results["reproduce (fresh OUT)"][0]
    cached_t = results["reproduce (cached)"][0]
    num_t = results["numbers"][0]
    ratio = full_t / num_t
    print("\ntargets")
    checks = [
        (f"reproduce {full_t:.1f} s <= 30 s", full_t <= 30),
        (f"reproduce / numbers = {ratio:.1f} <= 3", ratio <= 3),
        (f"cached reproduce {cached_t:.2f} s <= 3 s", cached_t <= 3),
    ]
    for text, ok in checks:
        print(f"  {'met ' if ok else 'MISS'}  {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
