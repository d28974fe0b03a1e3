"""The contract between the epoch loop and a backend runner.

:func:`~skfashion._training._loop.fit_epochs` drives one :class:`Runner` per
fit: it moves the data once (``to_device``), turns each epoch's permutation
into the runner's index type (``order``), and asks for chunks of steps
(``train`` for steps ``begin`` to ``end - 1`` of an epoch in that order,
``test`` over validation data in its own order), syncing the model's variables
before callbacks read them (``sync``) and at the end (``close``). Each chunk
returns the metric logs *after* its last step, as Keras's own
``train_step``/``test_step`` compute them: a chunk is a run of Keras's steps,
never a different computation. The runners: ``TensorFlowRunner`` (traced
loops), ``JaxRunner`` (jitted loops over the stateless step), ``EagerRunner``
(PyTorch, and any model compiled with ``run_eagerly``), and ``SparseFeed``,
which wraps one of them for sparse inputs.
"""

import abc
from typing import Any

import numpy as np


class Runner(abc.ABC):
    """Runs chunks of a Keras model's own train and test steps.

    ``programs`` is where the model's compiled steps are remembered between
    training calls (its fitted state's: ``_fitted._Fitted.programs``), so a
    warm start or ``partial_fit`` runs the steps it compiled before, as Keras's
    ``model.fit`` reuses ``model.train_function`` until the model is compiled
    again (:meth:`remembered`).
    """

    #: The fit's place in a cohort of fits trained together (``_cohort.Member``),
    #: handed down by the search through ``LoopInputs.together``; None alone.
    together: Any = None

    def __init__(self, model, batch_size, programs=None):
        self.model = model
        self.batch_size = batch_size
        self.programs = {} if programs is None else programs

    def remembered(self, signature, build):
        """The compiled steps of ``signature`` this model made since it was last
        compiled (and since its ``train_step``/``test_step`` were last replaced on
        the instance), else ``build()``, remembered with the model's compile."""
        from .._keras_internals import compile_token

        token = compile_token(self.model)
        # a step replaced on the instance since (model.train_step = ...) is another program
        replaced = tuple(vars(self.model).get(name) for name in ("train_step", "test_step"))
        entry = self.programs.get(signature)
        if (entry is not None and token is not None and entry[0] is token
                and all(a is b for a, b in zip(entry[1], replaced))):
            return entry[2]
        value = build()
        if token is not None:
            self.programs[signature] = (token, replaced, value)
        return value

    @staticmethod
    @abc.abstractmethod
    def to_device(data):
        """``data`` (a structure of host arrays) where the steps read it."""

    @staticmethod
    @abc.abstractmethod
    def order(order):
        """An epoch's sample order (NumPy ints) in the form ``train`` takes."""

    @abc.abstractmethod
    def train(self, data, order, begin, end):
        """Run train steps ``begin`` to ``end - 1`` of an epoch; return the logs."""

    @abc.abstractmethod
    def test(self, data, batch_size, begin, end):
        """Run test steps ``begin`` to ``end - 1`` over ``data`` in order; return the logs."""

    def sync(self):
        """Write values the runner carries into the model's variables (none by default)."""

    def close(self):
        """Sync, and release what the runner compiled."""
        self.sync()


def to_floats(logs, convert=np.asarray):
    """Metric logs as Python floats (scalars) or NumPy arrays."""
    out = {}
    for key, value in (logs or {}).items():
        value = np.asarray(convert(value))
        out[key] = float(value) if value.ndim == 0 else value
    return out
