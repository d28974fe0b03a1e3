"""What the command line checks and formats for every command: argument types
(an output file, a dtype, a bounded integer), class names and test labels read
from files, the help formatter, and the facts of this machine it reports."""

import argparse
import os
from pathlib import Path

import numpy as np


class CommandError(Exception):
    """A failure to report as 'skfashion: error: ...' with exit code 1."""


def _load_average():
    """The machine's load average (1, 5 and 15 minutes) as text, or None where unknown."""
    try:
        return ", ".join(f"{v:.2f}" for v in os.getloadavg()) + " (1, 5, 15 min)"
    except (AttributeError, OSError):  # not on every platform
        return None


def _has_matplotlib():
    import importlib.util

    return importlib.util.find_spec("matplotlib") is not None


def _file_output(path, *, suffix=None):
    """Check, before any work, that ``path`` can be written as a file; return it.

    A path without a suffix gets ``suffix`` (matplotlib would add it silently).
    """
    path = Path(path)
    if path.is_dir():
        raise CommandError(f"--output {path} is a directory; give a file name, e.g. "
                           f"{path / ('out' + (suffix or ''))}.")
    if suffix is not None and not path.suffix:
        path = path.with_suffix(suffix)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise CommandError(f"--output {path}: the directory {parent} does not exist.")
    if not os.access(parent, os.W_OK):
        raise CommandError(f"--output {path}: the directory {parent} is not writable.")
    return path


def _numeric_dtype(text):
    """An argparse type: the name of an integer or float NumPy dtype."""
    try:
        dtype = np.dtype(text)
    except TypeError:
        dtype = None
    if dtype is None or dtype.kind not in "uif":
        raise argparse.ArgumentTypeError(
            f"expected an integer or float dtype (uint8, float32, float64...), got {text!r}")
    return dtype.name


def _int_at_least(low, *, also=()):
    """An argparse type: an integer >= ``low`` (or one of ``also``)."""
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < low and value not in also:
            extra = f" or {', '.join(map(str, also))}" if also else ""
            raise argparse.ArgumentTypeError(f"expected an integer >= {low}{extra}, got {value}")
        return value

    parse.__name__ = "integer"
    return parse


# ------------------------------------------------------------------- parser
class _Formatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Help that shows each option's default, once: not where the help says it
    already ("default: from OUTPUT's name"), nor for an option without one (None)
    or a flag that is off unless given."""

    def _get_help_string(self, action):
        text = action.help or ""
        if "default" in text or action.default is None or action.default is False:
            return text
        return super()._get_help_string(action)


def _existing_dir(text):
    """``--data-home``: a directory that exists (a mistyped one is an error, not
    a silent fall back to another copy of the data)."""
    path = Path(text).expanduser()
    if not path.is_dir():
        what = "is not a directory" if path.exists() else "does not exist"
        raise argparse.ArgumentTypeError(
            f"{text} {what}; give the directory that holds the four .gz files "
            "(see 'skfashion data')")
    return str(path)
