"""Run each compared system in a fresh process, alternate them, report medians.

Importing scikeras replaces Keras's pickling process-wide, and a peak resident
memory means something only per process, so every measurement runs in its own
``python bench_x.py --worker SYSTEM TASK`` process that prints one JSON line.

A baseline: ``--baseline DIR`` (scripts that offer it) also runs each system
with the skfashion of another checkout (``git worktree add DIR <commit>``) on
the path, alternated with this one's in the same run: the system name gets
``BASELINE_SUFFIX`` and its worker process ``PYTHONPATH=DIR``.
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


#: Appended to a system's name to run it with the baseline checkout's skfashion.
BASELINE_SUFFIX = "~baseline"


def with_baseline(systems, baseline):
    """``systems``, each followed by its baseline twin when a baseline is given."""
    if not baseline:
        return list(systems)
    return [name for s in systems for name in (s, s + BASELINE_SUFFIX)]


def label_of(labels, system, baseline=None):
    """A system's label, marked "(baseline)" for a baseline twin."""
    if system.endswith(BASELINE_SUFFIX):
        name = system[: -len(BASELINE_SUFFIX)]
        where = os.path.basename(os.path.normpath(baseline)) if baseline else "baseline"
        return f"{labels.get(name, name)} ({where})"
    return labels.get(system, system)


def run_worker(script, system, task, timeout=1800, seed=0, args=(), baseline=None):
    """Run ``script [args] --worker system task`` in a fresh process; return its JSON.

    ``seed`` reaches the worker as ``BENCH_SEED`` (see :func:`bench_seed`); a
    system named ``name@backend`` runs with ``KERAS_BACKEND=backend``; one
    ending in :data:`BASELINE_SUFFIX`, with ``baseline`` first on ``PYTHONPATH``.
    """
    env = dict(os.environ, PYTHONUNBUFFERED="1", BENCH_SEED=str(seed))
    if system.endswith(BASELINE_SUFFIX):
        if not baseline:
            raise ValueError(f"{system}: no --baseline checkout given")
        system = system[: -len(BASELINE_SUFFIX)]
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (os.path.abspath(baseline), os.environ.get("PYTHONPATH")) if p)
    env["KERAS_BACKEND"] = backend_of(system)
    proc = subprocess.run(
        [sys.executable, script, *args, "--worker", system, task],
        capture_output=True, text=True, timeout=timeout, env=env,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{system}/{task} failed:\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1])


def alternate(script, systems, task, repeats, *, progress=True, baseline=None):
    """Run every system ``repeats`` times, interleaved (A B C A B C ...)."""
    runs = {s: [] for s in systems}
    for r in range(repeats):
        for system in systems:
            result = run_worker(script, system, task, seed=r, baseline=baseline)
            runs[system].append(result)
            if progress:
                print(f"  [{task} {r + 1}/{repeats}] {system}: "
                      + ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                                  for k, v in result.items()), file=sys.stderr, flush=True)
    return runs


def bench_seed():
    """The seed of this repeat: every system of repeat r uses seed r."""
    return int(os.environ.get("BENCH_SEED", 0))


def print_cost_table(runs, systems, labels, baseline=None):
    """The Markdown table of fixed cost, per-epoch cost and search time per system
    (workers that return ``fixed_ms``, ``per_epoch_ms``, ``search_s``, ``compute_s``)."""
    print("| system | fixed cost per fit (ms) | per epoch (ms) | search (s) "
          "| search / its compute |")
    print("|---|---:|---:|---:|---:|")
    for s in systems:
        search = median(runs[s], "search_s")
        print(f"| {label_of(labels, s, baseline)} | {median(runs[s], 'fixed_ms'):.0f} | "
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
