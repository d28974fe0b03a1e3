"""The benchmark's live progress line on a terminal, narrow and wide (issue 21).

A terminal is a stream whose ``isatty()`` is true; each test drives the display
as ``run_benchmark`` does and reads what a reader would see: the last frame
of the live line, and the lines that stay.
"""

import io
import re

import pytest

from skfashion.benchmark._progress import BenchmarkProgress

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Terminal(io.StringIO):
    def isatty(self):
        return True


def _display(width):
    """A progress display on a terminal of ``width`` columns (resized to it as its
    live line starts, with the first model)."""
    out = Terminal()
    progress = BenchmarkProgress(3, stream=out)
    start_live = progress._rich

    def sized():
        live = start_live()
        live.console.width = width
        return live

    progress._rich = sized
    return progress, out


def _frame(progress, out):
    """What the live line shows now."""
    progress._live.refresh()
    return ANSI.sub("", re.split(r"\r", out.getvalue())[-1]).strip("\n")


@pytest.mark.parametrize("width", [60, 120])
def test_the_live_line_fits_and_keeps_the_phase(width):
    progress, out = _display(width)
    progress.start("SoftmaxClassifier MLP (512,), dropout 0.3", 2)
    for epoch in range(1, 6):
        progress.phase(f"fit 2/2, epoch {epoch}/5: loss 0.4321, accuracy 0.8765", epoch / 5)
        frame = _frame(progress, out)
        assert len(frame) <= width, frame
        assert frame.startswith(f"[1/3] fit 2/2, epoch {epoch}/5"), frame
        assert f"{100 * epoch // 5}%" in frame, frame
    progress.close()


def test_a_phase_of_unknown_length_is_indeterminate_not_zero():
    progress, out = _display(100)
    progress.start("LogisticRegression", 1)
    progress.phase("fit 1/1")
    task = progress._live.tasks[0]
    assert task.total is None  # rich draws a pulsing bar
    assert "0%" not in _frame(progress, out)
    progress.phase("predict", 0.5)
    assert progress._live.tasks[0].total == 1.0
    assert "50%" in _frame(progress, out)
    progress.close()


@pytest.mark.parametrize("width", [40, 60, 200])
def test_result_lines_break_between_figures_never_inside_one(width):
    progress, out = _display(width)
    progress.start("KNeighborsClassifier (5, distance, p=1)", 2)
    summary = ("KNeighborsClassifier (5, distance, p=1): accuracy 0.8541, fit 12.3 s, "
               "means of 2 runs")
    progress.done(summary)
    progress.close()
    shown = [ANSI.sub("", line.split("\r")[-1]) for line in out.getvalue().split("\n")]
    first = next(i for i, line in enumerate(shown) if line.startswith("[1/3] KNeighbors"))
    last = next(i for i, line in enumerate(shown) if "in all" in line)
    lines = shown[first:last + 1]
    assert all(len(line) <= width for line in lines), lines
    text = " ".join(line.strip() for line in lines)
    assert text.startswith("[1/3] " + summary + "; ")
    assert re.search(r"; \d+\.\d s in all$", text), text
    for figure in ("accuracy 0.8541,", "fit 12.3 s,", "means of 2 runs;"):
        assert any(figure in line for line in lines), (figure, lines)
