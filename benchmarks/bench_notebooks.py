"""scikeras's documentation notebooks on scikeras 0.13 and on skfashion, side by side.

    python benchmarks/bench_notebooks.py [--full] [--repeats N] [--out FILE] [NAME ...]

Each script of ``examples/scikeras_notebooks`` (scikeras's notebooks with only
the import changed) runs in its own process, once as written (skfashion) and
once with scikeras's import put back (scikeras never shares a process with
skfashion: importing it patches Keras's pickling). The numbers each prints
(scores, accuracies, peak memory of ``%memit``) are collected per run; the
table gives, per printed figure, the median over the repeats of each system.
Repeat r of both systems seeds Python's, NumPy's and Keras's global generators
with ``--seed + r`` before the notebook runs (the notebooks draw unseeded data
and fit unseeded models; ``--seed -1`` runs them unseeded).
``--out`` writes them as JSON (``tests/data/scikeras_notebooks.json`` is such
a file: the oracle of ``tests/test_scikeras_notebooks.py``).

By default the notebooks run with ``SKFASHION_EXAMPLES_QUICK=1`` (a few
thousand images, 2,000 sparse samples), as the tests run them. Needs the
Fashion-MNIST Debian package and scikeras (``pip install --no-deps
scikeras==0.13.0``, or ``--scikeras-path DIR`` for a ``pip install --target``).
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "examples" / "scikeras_notebooks"
NAMES = ["Basic_Usage", "DataTransformers", "MLPClassifier_MLPRegressor", "AutoEncoders",
         "Meta_Estimators", "Benchmarks", "sparse"]
_BACK = [(r"^from skfashion import", "from scikeras.wrappers import"),
         (r"^from skfashion\.utils", "from scikeras.utils")]
#: Printed lines that carry a figure: "label: number" or "label number".
_FIGURE = re.compile(r"^(?P<label>[A-Za-z][^:\n]*?):? (?P<value>-?\d+\.\d+(?:e-?\d+)?)")
_MEMIT = re.compile(r"^(?P<label>memit .*): peak memory: [\d.]+ MiB, increment: "
                    r"(?P<value>-?[\d.]+) MiB, (?P<seconds>[\d.]+) s$")


def figures(stdout):
    """``{label: value}`` of the figures a notebook printed (in order)."""
    out = {}
    for line in stdout.splitlines():
        line = line.strip()
        match = _MEMIT.match(line)
        if match:
            out[match["label"] + " increment MiB"] = float(match["value"])
            out[match["label"] + " seconds"] = float(match["seconds"])
            continue
        if re.fullmatch(r"-?\d+\.\d+(?:e-?\d+)?", line):  # print(clf.score(X, y))
            label = "printed number"
            while label in out:
                label += "'"
            out[label] = float(line)
            continue
        match = _FIGURE.match(line)
        if match and "time" not in match["label"].lower():
            label = match["label"].strip()
            while label in out:
                label += "'"
            out[label] = float(match["value"])
    return out


#: Runs a notebook script as ``__main__`` after seeding Python's, NumPy's and
#: Keras's global generators: the notebooks draw unseeded data (``make_moons()``)
#: and fit unseeded models, so without it their figures are chance.
HARNESS = """import random, sys, numpy, keras, runpy
seed = int(sys.argv[2])
if seed >= 0:
    random.seed(seed); numpy.random.seed(seed); keras.utils.set_random_seed(seed)
sys.argv = sys.argv[1:2]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def run(name, system, *, quick, scikeras_path=None, seed=0):
    """Run one notebook under ``system``; return its figures, seconds and status.

    ``seed`` seeds the global generators first (-1: unseeded, as in a notebook).
    """
    source = (NOTEBOOKS / f"{name}.py").read_text()
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONUNBUFFERED="1",
               SKFASHION_EXAMPLES_QUICK="1" if quick else "0", MPLBACKEND="Agg")
    if system == "scikeras":
        for pattern, replacement in _BACK:
            source = re.sub(pattern, replacement, source, flags=re.M)
        if scikeras_path:
            env["PYTHONPATH"] = os.pathsep.join(
                p for p in (scikeras_path, env.get("PYTHONPATH")) if p)
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / f"{name}.py"
        script.write_text(source)
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", HARNESS, str(script), str(seed)],
                              capture_output=True, text=True, env=env, cwd=tmp,
                              timeout=3600)
        seconds = time.perf_counter() - start
    error = None
    if proc.returncode != 0:
        error = (proc.stderr.strip().splitlines() or ["?"])[-1][:200]
        frames = re.findall(r'File ".*?", line (\d+), in <module>', proc.stderr)
        if frames:  # where the notebook stopped
            error += f" (script line {frames[-1]})"
    return {"figures": figures(proc.stdout), "seconds": seconds, "error": error}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=NAMES)
    parser.add_argument("--full", action="store_true", help="the notebooks' own data sizes")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--scikeras-path", default=None)
    parser.add_argument("--out", default=None, help="write the results as JSON")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the global generators in each run (-1: unseeded)")
    args = parser.parse_args()
    results = {}
    for name in args.names:
        runs = {"scikeras": [], "skfashion": []}
        for r in range(args.repeats):
            for system in runs:  # alternated: A B A B ...
                result = run(name, system, quick=not args.full,
                             scikeras_path=args.scikeras_path,
                             seed=args.seed if args.seed < 0 else args.seed + r)
                runs[system].append(result)
                print(f"  [{name} {r + 1}/{args.repeats}] {system}: {result['seconds']:.0f} s "
                      f"{result['error'] or 'ran to the end'}", file=sys.stderr, flush=True)
        results[name] = runs
    print("| notebook | figure | scikeras 0.13 | skfashion |")
    print("|---|---|---|---|")
    for name, runs in results.items():
        labels = list(dict.fromkeys(k for rs in runs.values() for r in rs for k in r["figures"]))
        for system in runs:
            failed = [r["error"] for r in runs[system] if r["error"]]
            if failed:
                labels.append(f"FAILED ({system}): {failed[0]}")
        for label in labels:
            cells = []
            for system in ("scikeras", "skfashion"):
                values = [r["figures"][label] for r in runs[system] if label in r["figures"]]
                cells.append(f"{statistics.median(values):.4g}" if values else "")
            print(f"| {name} | {label} | {cells[0]} | {cells[1]} |")
        times = [statistics.median(r["seconds"] for r in runs[s]) for s in runs]
        print(f"| {name} | wall seconds (median) | {times[0]:.0f} | {times[1]:.0f} |")
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
