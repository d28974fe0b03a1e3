"""scikeras's quickstart runs with only the import changed (issue: scikeras
drop-in), as its own program, as a user would run it. Its notebooks, "Basic
usage" among them, are tests/test_scikeras_notebooks.py's."""

import os
import subprocess
import sys
from pathlib import Path

import keras
import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.skipif(keras.backend.backend() != "tensorflow",
                    reason="scikeras's examples import TensorFlow's logger")
@pytest.mark.parametrize("script", ["scikeras_quickstart.py"])
def test_scikeras_documentation_runs_unchanged_but_for_the_import(script, tmp_path):
    source = (EXAMPLES / script).read_text()
    assert "scikeras.wrappers" not in source.split('"""', 2)[-1]  # only skfashion is used
    proc = subprocess.run([sys.executable, str(EXAMPLES / script)], capture_output=True,
                          text=True, timeout=600, cwd=tmp_path,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert proc.returncode == 0, proc.stderr[-3000:]
