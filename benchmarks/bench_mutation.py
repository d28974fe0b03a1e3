"""Mutation testing of the fit path: which of its small changes do the tests notice?

A mutant is the package with one small change in one function (a comparison
flipped, ``and`` for ``or``, a number off by one, ``True`` for ``False``, a
value or a returned value replaced by ``None``, ``break`` for ``continue``...).
A test suite that cannot fail on a mutant does not check what that code does:
the ``validation_data`` bug (training on the validation set) lived beside tests
that only checked that ``val_*`` keys existed. The mutation score is the share
of mutants that some test kills.

How it runs (the method of mutmut 3, written for this package's constraints):

1. A subprocess runs the selected tests once under a tracer and records, per
   test, which functions of the mutated files it executes.
2. This process imports the package and the Keras backend but runs nothing
   with them: TensorFlow and JAX deadlock in a child forked after they ran.
3. Each mutant runs in a forked child: the mutated function's code object
   replaces the live one (``__code__``; the rest of the package is untouched),
   then only the tests that execute that function run, stopping at the first
   failure. Exit 0: the mutant survived. A failure or a time-out: killed.

Not mutated: strings (messages, names), the arguments of ``raise`` and
``warnings.warn`` (the wording of an error, not its condition), code outside
functions (constants, dataclass fields), lines marked ``# pragma: no mutate``.

Usage::

    python benchmarks/bench_mutation.py                       # TensorFlow, the fit path
    KERAS_BACKEND=jax python benchmarks/bench_mutation.py --files skfashion/_training/_jax.py
    python benchmarks/bench_mutation.py --sample 100 --seed 0 # a random sample of mutants
    python benchmarks/bench_mutation.py --list                # the mutants, nothing run

It prints a table per file (mutants, killed, survived, not covered, score) and
every survivor (file:line, the original and the mutated code); ``--report``
writes all of it as JSON.
"""

import argparse
import ast
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIT_PATH = [
    "skfashion/_base.py",
    "skfashion/_fitting.py",
    "skfashion/_fitted.py",
    "skfashion/_fit_data.py",
    "skfashion/_options.py",
    "skfashion/_data.py",
    "skfashion/_encoders.py",
    "skfashion/_training/_loop.py",
    "skfashion/_training/_tensorflow.py",
    "skfashion/_training/_jax.py",
    "skfashion/_training/_eager.py",
]
#: The runner files a backend does not execute are left out of its run.
RUNNER_OF = {
    "skfashion/_training/_tensorflow.py": "tensorflow",
    "skfashion/_training/_jax.py": "jax",
    "skfashion/_training/_eager.py": "torch",
}
#: Fast tests of the fit path, strongest first (a killed mutant stops at its first failure).
TESTS = [
    "tests/test_keras_equivalence.py",
    "tests/test_training_edges.py",
    "tests/test_silent_results.py",
    "tests/test_fit_paths.py",
    "tests/test_keras_training.py",
    "tests/test_softmax.py",
    "tests/test_keras_classifier.py",
    "tests/test_reliability.py",
    "tests/test_fast_paths.py",
    "tests/test_persistence.py",
    "tests/test_epoch_search.py",
    "tests/test_determinism.py",
]


# ----------------------------------------------------------------- mutants
@dataclass
class Mutant:
    file: str
    line: int
    function: str  # qualified name of the outermost function holding the change
    first_line: int  # its first line (decorators included): the key of its code object
    last_line: int
    kind: str
    original: str
    mutated: str
    index: int  # the site's number in the file (the transformer's counter)


_COMPARE_SWAPS = {
    ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Lt: ast.LtE, ast.LtE: ast.Lt,
    ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
    ast.In: ast.NotIn, ast.NotIn: ast.In,
}
_BINOP_SWAPS = {
    ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div, ast.Pow: ast.Mult, ast.BitAnd: ast.BitOr, ast.BitOr: ast.BitAnd,
}


def _is_warn_call(node):
    func = getattr(node, "func", None)
    return isinstance(node, ast.Call) and (
        (isinstance(func, ast.Attribute) and func.attr == "warn")
        or (isinstance(func, ast.Name) and func.id == "warn")
    )


def _sites(node):
    """``(kind, apply)`` for each mutation of ``node`` itself (not its children)."""
    if isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            if type(op) in _COMPARE_SWAPS:
                def apply(n, i=i):
                    n.ops[i] = _COMPARE_SWAPS[type(n.ops[i])]()
                yield "compare", apply
    elif isinstance(node, ast.BinOp) and type(node.op) in _BINOP_SWAPS:
        if not (isinstance(node.op, ast.Mod) or isinstance(node.left, ast.Constant)
                and isinstance(node.left.value, str)):
            def apply(n):
                n.op = _BINOP_SWAPS[type(n.op)]()
            yield "arithmetic", apply
    elif isinstance(node, ast.AugAssign) and type(node.op) in (ast.Add, ast.Sub):
        def apply(n):
            n.op = ast.Sub() if isinstance(n.op, ast.Add) else ast.Add()
        yield "arithmetic", apply
    elif isinstance(node, ast.BoolOp):
        def apply(n):
            n.op = ast.Or() if isinstance(n.op, ast.And) else ast.And()
        yield "boolean", apply
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub)):
        yield "unary removed", None  # handled by the parent (the node is replaced)
    elif isinstance(node, ast.Constant):
        if isinstance(node.value, bool):
            def apply(n):
                n.value = not n.value
            yield "constant", apply
        elif isinstance(node.value, (int, float)):
            def apply(n):
                n.value = n.value + 1
            yield "constant", apply
    elif isinstance(node, ast.Return) and node.value is not None and not (
            isinstance(node.value, ast.Constant) and node.value.value is None):
        def apply(n):
            n.value = ast.Constant(None)
        yield "return None", apply
    elif isinstance(node, ast.Assign) and not (
            isinstance(node.value, ast.Constant) and node.value.value is None):
        def apply(n):
            n.value = ast.Constant(None)
        yield "value None", apply
    elif isinstance(node, (ast.Break, ast.Continue)):
        yield "loop control", None


class _Enumerate:
    """Walks a module and lists the mutation sites inside functions."""

    def __init__(self, tree, source_lines):
        self.tree = tree
        self.lines = source_lines
        self.sites = []  # (node, kind, apply, outer def)

    def run(self):
        for node in self.tree.body:
            self._top(node, prefix="")
        return self.sites

    def _top(self, node, prefix):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for child in node.body:
                self._walk(child, node, f"{prefix}{node.name}")
        elif isinstance(node, ast.ClassDef):
            for child in node.body:
                self._top(child, prefix=f"{prefix}{node.name}.")

    def _walk(self, node, outer, qualname):
        if isinstance(node, ast.Raise) or _is_warn_call(node):
            return
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(
                node.value.value, str):
            return  # a docstring
        line = getattr(node, "lineno", None)
        if line is not None and "pragma: no mutate" in self.lines[line - 1]:
            return
        if isinstance(node, ast.Call) and _is_warn_call(node):
            return
        for kind, apply in _sites(node):
            self.sites.append((node, kind, apply, outer, qualname))
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.JoinedStr):
                continue  # f-strings are text
            self._walk(child, outer, qualname)


def _first_line(node):
    return min([node.lineno] + [d.lineno for d in node.decorator_list])


def list_mutants(files):
    mutants = []
    for file in files:
        source = (ROOT / file).read_text()
        tree = ast.parse(source)
        for index, (node, kind, _, outer, qualname) in enumerate(
                _Enumerate(tree, source.splitlines()).run()):
            original = ast.unparse(node).splitlines()[0][:90]
            mutated_tree = _mutated_tree(source, index)
            mutated_node = _node_at(mutated_tree, node)
            mutated = ast.unparse(mutated_node).splitlines()[0][:90] if mutated_node else "-"
            mutants.append(Mutant(file, node.lineno, qualname, _first_line(outer),
                                  outer.end_lineno, kind, original, mutated, index))
    return mutants


def _node_at(tree, like):
    for node in ast.walk(tree):
        if (getattr(node, "lineno", None) == like.lineno
                and getattr(node, "col_offset", None) == like.col_offset):
            return node
    return None


def _mutated_tree(source, index):
    """The module's tree with mutation site ``index`` applied."""
    tree = ast.parse(source)
    node, kind, apply, outer, _ = _Enumerate(tree, source.splitlines()).run()[index]
    if apply is not None:
        apply(node)
        return tree
    # Replacements of the node itself: find its parent.
    for parent in ast.walk(tree):
        for field, value in ast.iter_fields(parent):
            if value is node:
                replacement = node.operand if isinstance(node, ast.UnaryOp) else (
                    ast.Continue() if isinstance(node, ast.Break) else ast.Break())
                ast.copy_location(replacement, node)
                setattr(parent, field, replacement)
                return tree
            if isinstance(value, list) and any(v is node for v in value):
                i = next(j for j, v in enumerate(value) if v is node)
                replacement = node.operand if isinstance(node, ast.UnaryOp) else (
                    ast.Continue() if isinstance(node, ast.Break) else ast.Break())
                ast.copy_location(replacement, node)
                value[i] = replacement
                return tree
    raise RuntimeError(f"no parent for site {index}")


# ------------------------------------------------------------- patching
def _code_objects(code):
    yield code
    for const in code.co_consts:
        if hasattr(const, "co_code"):
            yield from _code_objects(const)


def _live_functions(module):
    """Every function object defined in ``module`` (methods, properties, wrapped)."""
    seen, out = set(), []

    def add(fn):
        for _ in range(5):
            if fn is None:
                return
            if isinstance(fn, (staticmethod, classmethod)):
                fn = fn.__func__
                continue
            if isinstance(fn, property):
                for part in (fn.fget, fn.fset, fn.fdel):
                    add(part)
                return
            if hasattr(fn, "__code__") and getattr(fn, "__module__", None) == module.__name__:
                if id(fn) not in seen:
                    seen.add(id(fn))
                    out.append(fn)
            inner = getattr(fn, "__wrapped__", None) or getattr(fn, "fn", None)
            if inner is None or inner is fn:
                return
            fn = inner

    def walk_class(cls):
        for value in vars(cls).values():
            if isinstance(value, type) and value.__module__ == module.__name__:
                walk_class(value)
            else:
                add(value)

    for value in vars(module).values():
        if isinstance(value, type) and value.__module__ == module.__name__:
            walk_class(value)
        else:
            add(value)
    return out


def _module_name(file):
    return file[:-3].replace("/", ".")


def apply_mutant(mutant):
    """Swap the live function's code for the mutated one (in this process)."""
    import importlib

    module = importlib.import_module(_module_name(mutant.file))
    source = (ROOT / mutant.file).read_text()
    tree = _mutated_tree(source, mutant.index)
    code = compile(tree, str(ROOT / mutant.file), "exec")
    key = (mutant.function, mutant.first_line)
    new = [c for c in _code_objects(code) if (c.co_qualname, c.co_firstlineno) == key]
    live = [f for f in _live_functions(module)
            if (f.__code__.co_qualname, f.__code__.co_firstlineno) == key]
    if len(new) != 1 or len(live) != 1:
        raise LookupError(f"{mutant.file}:{mutant.line} {mutant.function}: "
                          f"{len(new)} mutated and {len(live)} live code objects")
    live[0].__code__ = new[0]


# ------------------------------------------------------------- coverage
_TRACER = '''
import json, sys, threading
import pytest

FILES = {files!r}
OUT = {out!r}
covered = {{}}
current = [None]

def tracer(frame, event, arg):
    if event == "call" and current[0] is not None:
        name = frame.f_code.co_filename
        if name in FILES:
            covered.setdefault(current[0], set()).add(
                (FILES[name], frame.f_code.co_firstlineno))
    return None

class Plugin:
    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item, nextitem):
        current[0] = item.nodeid
        sys.settrace(tracer); threading.settrace(tracer)
        yield
        sys.settrace(None); threading.settrace(None)
        current[0] = None

code = pytest.main({args!r}, plugins=[Plugin()])
json.dump({{k: sorted(v) for k, v in covered.items()}}, open(OUT, "w"))
sys.exit(code)
'''


def collect_coverage(files, tests):
    """``{test id: [(file, first line of an executed code object), ...]}``."""
    out = tempfile.mktemp(suffix=".json")
    script = _TRACER.format(
        files={str(ROOT / f): f for f in files}, out=out,
        args=["-q", "-p", "no:cacheprovider", "-p", "no:randomly", *tests])
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                            text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"The tests fail without any mutation (exit {result.returncode}):\n"
                 f"{result.stdout[-3000:]}")
    with open(out) as fh:
        covered = json.load(fh)
    os.unlink(out)
    return {test: {tuple(x) for x in hits} for test, hits in covered.items()}, seconds


def tests_for(mutant, coverage, order):
    """The tests that execute the mutated function (any code object inside it)."""
    hits = [t for t, calls in coverage.items() if any(
        f == mutant.file and mutant.first_line <= line <= mutant.last_line
        for f, line in calls)]
    return sorted(hits, key=order)


# --------------------------------------------------------------- running
def _child(mutant, tests):
    import pytest

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    try:
        apply_mutant(mutant)
    except LookupError:
        os._exit(97)
    code = pytest.main(["-x", "-q", "-p", "no:cacheprovider", "-W", "ignore", *tests])
    os._exit(int(code))


def run_mutants(mutants, coverage, order, jobs, timeout):
    pending = list(mutants)
    running = {}
    results = {}
    while pending or running:
        while pending and len(running) < jobs:
            mutant = pending.pop(0)
            tests = tests_for(mutant, coverage, order)
            if not tests:
                results[mutant.file, mutant.index] = "not covered"
                continue
            pid = os.fork()
            if pid == 0:
                _child(mutant, tests)
            running[pid] = (mutant, time.perf_counter())
        pid, status = os.waitpid(-1, os.WNOHANG) if running else (0, 0)
        if pid == 0:
            for pid, (mutant, started) in list(running.items()):
                if time.perf_counter() - started > timeout:
                    os.kill(pid, 9)
                    os.waitpid(pid, 0)
                    del running[pid]
                    results[mutant.file, mutant.index] = "killed (time-out)"
            time.sleep(0.2)
            continue
        mutant, started = running.pop(pid)
        code = os.waitstatus_to_exitcode(status)
        outcome = {0: "survived", 1: "killed", 97: "not applied"}.get(
            code, "killed" if code < 0 else f"error {code}")
        results[mutant.file, mutant.index] = outcome
        done = len(results)
        print(f"  [{done}/{len(mutants)}] {mutant.file}:{mutant.line} {mutant.kind}: "
              f"{outcome} ({time.perf_counter() - started:.0f} s)", flush=True)
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--files", nargs="+", help="files to mutate (default: the fit path, "
                        "without the runners of other backends)")
    parser.add_argument("--tests", nargs="+", default=TESTS, help="test files or ids")
    parser.add_argument("--sample", type=int, default=None,
                        help="run a random sample of this many mutants")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sample")
    parser.add_argument("--jobs", type=int, default=2, help="mutants run at once")
    parser.add_argument("--timeout", type=float, default=600,
                        help="seconds before a mutant's tests count as killed (hung)")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument("--rerun", type=Path, metavar="REPORT",
                        help="run only the mutants that survived in this earlier --report "
                             "(matched by file, function and change, so edits elsewhere in "
                             "the files do not matter): have new tests killed them?")
    parser.add_argument("--report", type=Path, help="write the results as JSON")
    args = parser.parse_args(argv)

    import keras

    backend = keras.backend.backend()
    files = args.files or [f for f in FIT_PATH if RUNNER_OF.get(f, backend) == backend]
    mutants = list_mutants(files)
    if args.list:
        for m in mutants:
            print(f"{m.file}:{m.line} [{m.kind}] {m.original!r} -> {m.mutated!r}")
        print(f"{len(mutants)} mutants")
        return
    if args.rerun is not None:
        earlier = json.loads(args.rerun.read_text())["mutants"]
        wanted = {(m["file"], m["function"], m["kind"], m["original"], m["mutated"])
                  for m in earlier if m["outcome"] in ("survived", "not covered")}
        mutants = [m for m in mutants
                   if (m.file, m.function, m.kind, m.original, m.mutated) in wanted]
        print(f"Rerunning {len(mutants)} of the {len(wanted)} earlier survivors (the others "
              "no longer exist as such in the source)")
    if args.sample is not None and args.sample < len(mutants):
        mutants = sorted(random.Random(args.seed).sample(mutants, args.sample),
                         key=lambda m: (m.file, m.index))
    print(f"Backend {backend}; {len(mutants)} mutants of {len(files)} files; tests: "
          f"{' '.join(args.tests)}", flush=True)
    coverage, seconds = collect_coverage(files, args.tests)
    print(f"Coverage of {len(coverage)} tests collected in {seconds:.0f} s", flush=True)
    position = {t: i for i, t in enumerate(coverage)}

    # Import what the children need, without running any backend code here.
    import skfashion  # noqa: F401
    import pytest  # noqa: F401
    for file in files:
        __import__(_module_name(file))
    started = time.perf_counter()
    results = run_mutants(mutants, coverage, position.get, args.jobs, args.timeout)
    minutes = (time.perf_counter() - started) / 60

    rows, survivors = [], []
    for file in files:
        mine = [m for m in mutants if m.file == file]
        outcomes = [results[m.file, m.index] for m in mine]
        killed = sum(o.startswith("killed") for o in outcomes)
        counted = sum(o.startswith(("killed", "survived", "not covered")) for o in outcomes)
        rows.append((file, len(mine), killed, outcomes.count("survived"),
                     outcomes.count("not covered"), counted - killed - outcomes.count(
                         "survived") - outcomes.count("not covered"),
                     killed / counted if counted else float("nan")))
        survivors += [m for m in mine
                      if results[m.file, m.index] in ("survived", "not covered")]
    total = [sum(r[i] for r in rows) for i in range(1, 6)]
    counted_all = total[1] + total[2] + total[3]
    print(f"\nMutation score, backend {backend} ({minutes:.1f} min):\n")
    print("| file | mutants | killed | survived | not covered | score |")
    print("|---|---:|---:|---:|---:|---:|")
    for file, n, killed, survived, uncovered, _, score in rows:
        print(f"| `{file}` | {n} | {killed} | {survived} | {uncovered} | {score:.1%} |")
    print(f"| all | {total[0]} | {total[1]} | {total[2]} | {total[3]} | "
          f"{total[1] / counted_all:.1%} |")
    errors = [(m, results[m.file, m.index]) for m in mutants
              if not results[m.file, m.index].startswith(("killed", "survived", "not cov"))]
    if errors:
        print(f"\n{len(errors)} mutants could not be judged:")
        for m, outcome in errors:
            print(f"  {m.file}:{m.line} {m.function}: {outcome}")
    print("\nSurvivors:")
    for m in survivors:
        print(f"  {m.file}:{m.line} ({m.function}) [{results[m.file, m.index]}] "
              f"{m.original!r} -> {m.mutated!r}")
    if args.report:
        args.report.write_text(json.dumps(
            {"backend": backend, "minutes": minutes,
             "mutants": [dict(asdict(m), outcome=results[m.file, m.index]) for m in mutants]},
            indent=1))


if __name__ == "__main__":
    main()
