"""Fashion-MNIST: the official data (found locally or downloaded, checksum-verified)
and a small real sample that ships with the package."""

from ._fashion_mnist import (
    CLASS_NAMES,
    data_locations,
    feature_names,
    fetch_fashion_mnist,
    find_data_dir,
    load_fashion_mnist,
)
from ._idx import parse_idx
from ._sample import load_sample

__all__ = [
    "CLASS_NAMES",
    "data_locations",
    "feature_names",
    "fetch_fashion_mnist",
    "find_data_dir",
    "load_fashion_mnist",
    "load_sample",
    "parse_idx",
]
