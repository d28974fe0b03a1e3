"""``tensorflow_random_state``: scikeras's global-seed block, for its users' code.

scikeras's documentation (the Benchmarks notebook) compares a plain Keras fit
with a wrapped one inside ``with tensorflow_random_state(seed=0):``. The same
line runs here: the block seeds Python's, NumPy's, Keras's and the backend's
global generators and puts every one back on exit, on any Keras backend.
skfashion's own fits do not need it: an integer ``random_state`` seeds a fit
without touching any global generator.
"""

from .._fit._seeding import keras_seed

__all__ = ["tensorflow_random_state"]


def tensorflow_random_state(seed):
    """Seed every global random generator for a ``with`` block, then restore them.

    Parameters
    ----------
    seed : int
        The seed for Python's ``random``, NumPy's global generator,
        ``keras.utils.set_random_seed`` and the backend (TensorFlow, JAX or
        torch).

    Returns
    -------
    context : context manager
        Inside it, model building and Keras's own ``fit`` draw from the seeded
        generators; other skfashion fits in other threads wait for it to end.

    See Also
    --------
    keras.utils.set_random_seed : the process-wide equivalent, not restored.
    skfashion.SoftmaxClassifier : ``random_state`` seeds a fit without global generators.

    Examples
    --------
    >>> import numpy as np
    >>> from skfashion.utils.random_state import tensorflow_random_state
    >>> with tensorflow_random_state(seed=0):
    ...     a = np.random.rand()
    >>> with tensorflow_random_state(seed=0):
    ...     b = np.random.rand()
    >>> a == b
    True
    """
    return keras_seed(seed)
