"""The routing guide (docs/guide/routing.md, issue 33 item 2) runs as written:
its examples are doctests whose printed values are the oracle (the layer
sizes, optimizer and learning rate the builder and Keras received, the number
of epochs trained under each precedence rule, the warning's text)."""

import doctest
import re
from pathlib import Path

import keras
import pytest

PAGE = Path(__file__).resolve().parents[1] / "docs" / "guide" / "routing.md"


@pytest.mark.skipif(keras.backend.backend() != "tensorflow",
                    reason="the guide's examples run once, on the default backend")
def test_routing_guide_runs_as_written():
    parser = doctest.DocTestParser()
    # A fence line ends an example's expected output, as a blank line does.
    text = re.sub(r"^```.*$", "", PAGE.read_text(encoding="utf-8"), flags=re.M)
    test = parser.get_doctest(text, {}, PAGE.name, str(PAGE), 0)
    assert len(test.examples) >= 25, len(test.examples)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report = []
    runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
