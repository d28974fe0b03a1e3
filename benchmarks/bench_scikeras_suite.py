"""scikeras's test suite against scikeras 0.13 and against skfashion, side by side.

    python benchmarks/bench_scikeras_suite.py [--keep DIR]

``tests/scikeras_compat`` is scikeras's suite with the imports changed to
skfashion (see its README). For scikeras, a temporary copy gets the imports
changed back and runs in its own pytest process (importing scikeras patches
Keras process-wide). Prints the outcome counts of both runs, and every test
whose outcome differs, so "every test that passes against scikeras passes
against skfashion" can be read off.

Needs ``pip install scikeras`` and the Fashion-MNIST Debian package.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUITE = ROOT / "tests" / "scikeras_compat"
_BACK = [
    (r"^from \._shim import tensorflow_random_state",
     "from scikeras.utils.random_state import tensorflow_random_state"),
    (r"^from skfashion\.utils\.transformers import", "from scikeras.utils.transformers import"),
    (r"^from skfashion\.utils import", "from scikeras.utils import"),
    (r"^from skfashion import", "from scikeras.wrappers import"),
]


def _scikeras_copy(target):
    """The suite with scikeras's imports back (the shim and expectations stay)."""
    shutil.copytree(SUITE, target)
    for path in target.glob("*.py"):
        text = path.read_text()
        for pattern, replacement in _BACK:
            text = re.sub(pattern, replacement, text, flags=re.M)
        path.write_text(text)
    return target


def _run(suite, junit, rootdir):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "pytest", str(suite), "-q", "-p", "no:cacheprovider",
           f"--junitxml={junit}", f"--rootdir={rootdir}", "-o", "addopts="]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=rootdir)
    return proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else proc.stderr[-500:]


def _outcomes(junit):
    out = {}
    for case in ET.parse(junit).iter("testcase"):
        name = case.get("classname").split(".")[-1] + "::" + case.get("name")
        kinds = [child.tag for child in case]
        if "failure" in kinds or "error" in kinds:
            out[name] = "failed"
        elif "skipped" in kinds:
            message = next(c for c in case if c.tag == "skipped").get("type", "")
            out[name] = "xfailed" if "xfail" in message else "skipped"
        else:
            out[name] = "passed"
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", default=None, help="keep the junit files in this directory")
    args = parser.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="scikeras-suite-"))
    work.mkdir(parents=True, exist_ok=True)
    copy = _scikeras_copy(work / "run_scikeras" / "scikeras_compat")
    shutil.copy(ROOT / "setup.cfg", work / "run_scikeras" / "setup.cfg")
    print("running the suite against scikeras ...", file=sys.stderr, flush=True)
    summary_s = _run(copy, work / "scikeras.xml", work / "run_scikeras")
    print("running the suite against skfashion ...", file=sys.stderr, flush=True)
    summary_f = _run(SUITE, work / "skfashion.xml", ROOT)
    theirs, ours = _outcomes(work / "scikeras.xml"), _outcomes(work / "skfashion.xml")
    print("| system | outcome of tests/scikeras_compat |\n|---|---|")
    print(f"| scikeras 0.13.0 | {summary_s} |\n| skfashion | {summary_f} |\n")
    lost = sorted(t for t, o in theirs.items() if o == "passed" and ours.get(t) != "passed")
    gained = sorted(t for t, o in ours.items() if o == "passed" and theirs.get(t) != "passed")
    print(f"Pass against scikeras but not against skfashion: {len(lost)}")
    for t in lost:
        print(f"- {t}: {ours.get(t, 'not run')}")
    print(f"\nPass against skfashion but not against scikeras: {len(gained)}")
    for t in gained:
        print(f"- {t} (scikeras: {theirs.get(t, 'not run')})")


if __name__ == "__main__":
    main()
