"""Keep TensorFlow's native start-up log lines off the command line's stderr.

TensorFlow 2.21 writes ``WARNING: All log messages before absl::InitializeLog()``
and ``I0000``/``E0000 ... cuInit`` lines from C++ while it loads and first
touches a device, ignoring ``TF_CPP_MIN_LOG_LEVEL``. The command line hides
them by pointing file descriptor 2 at a temporary file while the backend
loads, then writes back every line of that file that is not one of them, so
nothing else is lost. Only the ``skfashion`` command does this (with ``-v`` it
does not); the library never touches the process's file descriptors.
"""

import os
import re
import sys
import tempfile
from contextlib import contextmanager

#: absl's native log line prefix: severity and date, time, thread, file:line]. Before
#: ``absl::InitializeLog()`` the date is 0000 and the time ``00:00:<epoch seconds>``
#: (``I0000 00:00:1795825624.399533   22791 port.cc:153] oneDNN ...``); after it,
#: ``MMDD hh:mm:ss.micros``.
_NATIVE = re.compile(r"^[IWEF]\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ [\w.\-]+:\d+\]")
_NOISE = (
    "WARNING: All log messages before absl::InitializeLog() is called",
    "To enable the following instructions:",
)


def is_native_noise(line):
    """True for TensorFlow's native log lines that the command hides."""
    return bool(_NATIVE.match(line)) or line.startswith(_NOISE)


@contextmanager
def native_stderr_filtered():
    """Filter TensorFlow's native log lines from stderr inside the block."""
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, ValueError, OSError):  # stderr is not a file (captured)
        yield
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    with tempfile.TemporaryFile(mode="w+b") as tmp:
        os.dup2(tmp.fileno(), fd)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, fd)
            os.close(saved)
            tmp.seek(0)
            kept = [line for line in tmp.read().decode("utf-8", "replace").splitlines(True)
                    if not is_native_noise(line)]
            if kept:
                sys.stderr.write("".join(kept))
                sys.stderr.flush()


def load_backend_quietly():
    """Import Keras and touch the backend's device with native logs filtered.

    TensorFlow, when installed, is imported in the window whatever the backend:
    Keras imports it when it saves a model even on JAX or PyTorch
    (``serialization_lib`` checks for ``tf.TensorShape``).
    """
    from ._backend import import_keras, installed_backends

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with native_stderr_filtered():
        keras = import_keras()

        if "tensorflow" in installed_backends():
            import tensorflow  # noqa: F401
        keras.ops.convert_to_numpy(keras.ops.ones((1,)))
