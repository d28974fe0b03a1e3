"""Progress of the benchmark: one live line on a terminal, plain lines elsewhere.

On a terminal, `rich <https://rich.readthedocs.io>`_ (which Keras installs) draws
one line that fits the terminal's width: the model (``[i/N]``), its phase (fit
run and epoch, predict), a bar for the phase, the elapsed time and an estimate
of what remains; finished models stay above it as plain lines. Elsewhere (a CI
log, a file) each model gets a start and an end line, and with ``level=2``
each phase too.
"""

import re
import sys
import time


class BenchmarkProgress:
    """Progress of ``total`` models.

    Parameters
    ----------
    total : int
        Number of models.
    level : {0, 1, 2}, default=1
        0 prints nothing, 1 models, 2 also each phase (epochs) on plain output.
    stream : file-like or None, default=None
        Where to write; None: ``sys.stderr``.

    See Also
    --------
    run_benchmark : Calls it as the run goes.

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> progress = BenchmarkProgress(2, stream=out)
    >>> progress.start("LogisticRegression", 1)
    >>> progress.done("LogisticRegression: accuracy 0.8400")
    >>> progress.close()
    >>> print(out.getvalue().splitlines()[-1].split(";")[0])
    [1/2] LogisticRegression: accuracy 0.8400
    """

    def __init__(self, total, *, level=1, stream=None):
        self.total = total
        self.level = level
        self.stream = stream if stream is not None else sys.stderr
        self.count = 0
        self._label = ""
        self._phase = None
        self._width = None
        self._t0 = None
        self._live = None
        self._task = None
        # The live line starts with the first model: lines logged before it (the
        # data source, notes) are plain lines, not an empty bar around them.
        self._terminal = bool(level) and bool(getattr(self.stream, "isatty", lambda: False)())

    def _rich(self):
        from rich.console import Console
        from rich.progress import Progress

        console = Console(file=self.stream)
        self._width = console.width
        progress = Progress(*self._columns(self._width), console=console, transient=True,
                            expand=True)
        progress.start()
        self._task = progress.add_task("", total=1.0)
        return progress

    @staticmethod
    def _columns(width):
        """The live line's columns for a terminal ``width`` wide (chosen at every update).

        The description takes what the other columns leave and loses its end
        ("…"); on a narrow terminal the bar is shorter and the estimate of the
        time left goes, so the phase and the figures stay readable.
        """
        from rich.progress import (
            BarColumn,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.table import Column

        narrow = width < 80
        columns: list = [TextColumn("{task.description}", style="bold", table_column=Column(
            ratio=1, no_wrap=True, overflow="ellipsis", min_width=10))]
        columns += [BarColumn(bar_width=10 if narrow else 20), TaskProgressColumn(),
                    TimeElapsedColumn()]
        if not narrow:
            columns += [TextColumn("eta"), TimeRemainingColumn()]
        return columns

    def _wrap(self, text):
        """``text`` in lines that fit the terminal, broken only after a comma or semicolon.

        A terminal's own wrapping cuts numbers in two ("fit 0.8" / "s"); these
        lines break between the parts of a result, the later ones indented.
        """
        width = self._live.console.width if self._live is not None else 0
        if not width or len(text) <= width:
            return [text]
        lines, line = [], ""
        for part in re.split(r"(?<=[,;]) ", text):
            candidate = f"{line} {part}" if line else part
            if line and len(candidate) > width:
                lines.append(line)
                candidate = "    " + part
            line = candidate
        return lines + [line]

    def _head(self):
        return f"[{self.count + 1}/{self.total}]"

    def _line(self, text):
        if self._live is not None:
            for line in self._wrap(text):
                self._live.console.print(line, markup=False, highlight=False, soft_wrap=True)
        elif self.level:
            self.stream.write(text + "\n")
            self.stream.flush()

    def log(self, text):
        """A line that stays (data source, notes).

        Parameters
        ----------
        text : str
            The line.
        """
        self._line(text)

    def start(self, label, runs):
        """A model begins.

        Parameters
        ----------
        label : str
            The model's name.
        runs : int
            How many fits of it follow.
        """
        self._label, self._phase, self._t0 = label, None, time.perf_counter()
        if self._terminal and self._live is None:
            self._live = self._rich()
        if self._live is not None:
            self._live.reset(self._task, total=1.0, completed=0,
                             description=f"{self._head()} {label}")
        elif self.level:
            self._line(f"{self._head()} {label} ({runs} run{'s' if runs > 1 else ''}) ...")

    def phase(self, text, fraction=None):
        """Progress inside the current model.

        Parameters
        ----------
        text : str
            The phase, such as "fit 1/2, epoch 3/10" or "predict".
        fraction : float, default=None
            How much of the phase is done.
        """
        kind = text.split(",")[0].split(":")[0]
        if self._live is not None:
            live = self._live
            if live.console.width != self._width:  # the terminal was resized
                self._width = live.console.width
                live.columns = tuple(self._columns(self._width))
            description = f"{self._head()} {text} · {self._label}"
            if kind != self._phase:
                # A new phase starts its own bar; one whose progress is unknown (a
                # scikit-learn model's fit) gets a pulsing bar, not a 0% that never moves.
                live.remove_task(self._task)
                self._task = live.add_task(description, total=None if fraction is None else 1.0)
            live.update(self._task, description=description, completed=fraction or 0.0)
        elif self.level >= 2:
            self._line(f"    {self._head()} {text}")
        self._phase = kind

    def done(self, summary):
        """The current model is finished.

        Parameters
        ----------
        summary : str
            What it reached (a line that stays).
        """
        elapsed = time.perf_counter() - (self._t0 or time.perf_counter())
        self._line(f"{self._head()} {summary}; {elapsed:.1f} s in all")
        self.count += 1

    def close(self):
        """Remove the live line."""
        if self._live is not None:
            self._live.stop()
            self._live = None
