"""Progress reporting for long steps, on a terminal or in a CI log."""

import sys
import time


class Progress:
    """A progress bar on a terminal, one line per update elsewhere.

    On a terminal the bar is redrawn in place; when the stream is not a
    terminal (a CI log, a file) each ``update`` prints a plain line, so logs
    stay readable. ``level`` 0 prints nothing, 1 prints steps, 2 also prints
    inner steps (``detail``).

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> p = Progress(2, stream=out)
    >>> p.start("loading")
    >>> seconds = p.done("loaded")
    >>> "[1/2] loaded" in out.getvalue()
    True
    """

    def __init__(self, total, *, stream=None, level=1, width=24):
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.level = level
        self.width = width
        self.count = 0
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._t0 = None
        self._label = ""

    def _write(self, text, *, final):
        if self._tty:
            self.stream.write("\r\033[K" + text + ("\n" if final else ""))
        elif final:
            self.stream.write(text + "\n")
        self.stream.flush()

    def _bar(self, fraction):
        filled = int(round(fraction * self.width))
        return "[" + "#" * filled + "." * (self.width - filled) + "]"

    def start(self, label):
        """Announce a step; on a terminal the bar shows it as running."""
        self._label = label
        self._t0 = time.perf_counter()
        if self.level >= 1:
            head = f"[{self.count + 1}/{self.total}]"
            if self._tty:
                self._write(f"{self._bar(self.count / self.total)} {head} {label} ...", final=False)
            else:
                self._write(f"{head} {label} ...", final=True)

    def detail(self, text, fraction=None):
        """Report progress inside the current step (e.g. an epoch)."""
        if self.level >= 2 or (self.level >= 1 and self._tty):
            head = f"[{self.count + 1}/{self.total}]"
            overall = (self.count + (fraction or 0)) / self.total
            line = f"{self._bar(overall)} {head} {self._label}: {text}"
            self._write(line if self._tty else f"    {head} {text}", final=not self._tty)

    def done(self, summary=None):
        """Close the current step with its elapsed time."""
        self.count += 1
        elapsed = time.perf_counter() - (self._t0 or time.perf_counter())
        if self.level >= 1:
            text = f"[{self.count}/{self.total}] {summary or self._label} ({elapsed:.1f} s)"
            self._write(f"{self._bar(self.count / self.total)} {text}" if self._tty else text,
                        final=True)
        return elapsed
