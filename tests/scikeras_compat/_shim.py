"""Stand-ins for what scikeras's tests take from outside: documented changes.

1. ``tensorflow_random_state`` is ``scikeras.utils.random_state``'s helper;
   skfashion has it under the same name (``skfashion.utils.random_state``,
   added for scikeras's Benchmarks notebook), and the tests take it from there.
2. ``keras.datasets.mnist.load_data()`` and ``fetch_california_housing()``
   download at test time; CI has no network. Fashion-MNIST (the same 28x28
   uint8 layout as MNIST, from the Debian package CI installs) and scikit-learn's
   bundled diabetes data take their places.
"""

import pytest
from sklearn.datasets import load_diabetes


def tensorflow_random_state(seed):
    from skfashion.utils.random_state import tensorflow_random_state

    return tensorflow_random_state(seed)


def load_mnist_like():
    from skfashion.datasets import load_fashion_mnist

    try:
        return load_fashion_mnist(download_if_missing=False)
    except OSError:
        pytest.skip("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)")


def fetch_california_housing():
    return load_diabetes()
