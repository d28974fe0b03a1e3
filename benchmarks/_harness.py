"""Run each compared system in a fresh process, alternate them, report medians.

Importing scikeras replaces Keras's pickling process-wide, and a peak resident
memory means something only per process, so every measurement runs in its own
``python bench_x.py --worker SYSTEM TASK`` process that prints one JSON line.
"""

import json
import os
import statistics
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def backend_of(system):
    """The Keras backend a system name asks for: ``name@jax`` runs on JAX."""
    return system.split("@", 1)[1] if "@" in system else "tensorflow"


def run_worker(script, system, task, timeout=1800, seed=0, args=()):
    """Run ``script [args] --worker system task`` in a fresh process; return its JSON.

    ``seed`` reaches the worker as ``BENCH_SEED`` (see :func:`bench_seed`); a
    system named ``name@backend`` runs with ``KERAS_BACKEND=backend``.
    """
    env = dict(os.environ, PYTHONUNBUFFERED="1", BENCH_SEED=str(seed),
               KERAS_BACKEND=backend_of(system))
    proc = subprocess.run(
        [sys.executable, script, *args, "--worker", system, task],
        capture_output=True, text=True, timeout=timeout, env=env,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{system}/{task} failed:\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1])


def alternate(script, systems, task, repeats, *, progress=True):
    """Run every system ``repeats`` times, interleaved (A B C A B C ...)."""
    runs = {s: [] for s in systems}
    for r in range(repeats):
        for system in systems:
            result = run_worker(script, system, task, seed=r)
            runs[system].append(result)
            if progress:
                print(f"  [{task} {r + 1}/{repeats}] {system}: "
                      + ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                                  for k, v in result.items()), file=sys.stderr, flush=True)
    return runs


def bench_seed():
    """The seed of this repeat: every system of repeat r uses seed r."""
    return int(os.environ.get("BENCH_SEED", 0))


def print_cost_table(runs, systems, labels):
    """The Markdown table of fixed cost, per-epoch cost and search time per system
    (workers that return ``fixed_ms``, ``per_epoch_ms``, ``search_s``, ``compute_s``)."""
    print("| system | fixed cost per fit (ms) | per epoch (ms) | search (s) "
          "| search / its compute |")
    print("|---|---:|---:|---:|---:|")
    for s in systems:
        search = median(runs[s], "search_s")
        print(f"| {labels.get(s, s)} | {median(runs[s], 'fixed_ms'):.0f} | "
              f"{median(runs[s], 'per_epoch_ms'):.1f} | {search:.1f} | "
              f"{search / median(runs[s], 'compute_s'):.1f}x |")


def median(runs, key):
    return statistics.median(r[key] for r in runs)


def machine():
    from skfashion.benchmark import machine_summary

    return machine_summary()


def emit(result):
    print(json.dumps(result), flush=True)


def rss_mb():
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
