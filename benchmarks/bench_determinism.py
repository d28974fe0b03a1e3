"""Determinism under load: the seeded-equality tests, many times, beside a CPU hog.

    python benchmarks/bench_determinism.py [--runs 20]

Runs ``tests/test_determinism.py`` (across processes, one or two joblib jobs,
threads of one process, other threads drawing from the global generators) and
the Dask equality tests of ``tests/test_dask.py`` ``--runs`` times while one
busy-looping process per core competes for the CPUs, and counts the outcomes.
A single failure is a defect to explain, not bad luck.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import machine  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TESTS = ["tests/test_determinism.py",
         "tests/test_dask.py::test_grid_search_on_dask_equals_local",
         "tests/test_dask.py::test_epoch_search_on_dask"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
            for _ in range(os.cpu_count() or 1)]
    results = []
    try:
        for run in range(1, args.runs + 1):
            t0 = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-m", "pytest", *TESTS, "-q", "-p", "no:cacheprovider",
                 "-o", "addopts="], cwd=ROOT, capture_output=True, text=True,
                env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
            last = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else "no output"
            results.append((proc.returncode, last, time.perf_counter() - t0))
            print(f"  [run {run}/{args.runs}] {last}", file=sys.stderr, flush=True)
            if proc.returncode:
                print(proc.stdout[-4000:], file=sys.stderr)
    finally:
        for hog in hogs:
            hog.kill()
    passed = sum(code == 0 for code, _, _ in results)
    print(f"Machine: {machine()}; {len(hogs)} busy-looping processes beside the tests.\n")
    print("| tests | runs | all passed | failed runs | median run (s) |")
    print("|---|---:|---:|---:|---:|")
    median = sorted(t for _, _, t in results)[len(results) // 2]
    print(f"| {', '.join(TESTS)} | {len(results)} | {passed} | {len(results) - passed} | "
          f"{median:.0f} |")


if __name__ == "__main__":
    main()
