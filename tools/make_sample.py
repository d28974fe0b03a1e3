"""Write the embedded sample ``skfashion/datasets/data/fashion_mnist_sample.npz``.

A stratified subset of the official files: 300 images per class from the training
set and 100 per class from the test set, drawn with a fixed seed, so running this
script again gives the same file. It then records the file's SHA-256 in
``skfashion/datasets/_sample.py``.

    python tools/make_sample.py [--data-home DIR]
"""

import argparse
import hashlib
import io
import re
from pathlib import Path

import numpy as np

from skfashion.datasets import load_fashion_mnist
from skfashion.datasets._sample import SAMPLE_PATH, SAMPLE_PER_CLASS

SEED = 20171025


def stratified_indices(y, per_class, rng):
    picks = [rng.choice(np.flatnonzero(y == c), per_class, replace=False) for c in range(10)]
    return np.sort(np.concatenate(picks))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=None)
    args = parser.parse_args(argv)
    (x_train, y_train), (x_test, y_test) = load_fashion_mnist(
        data_home=args.data_home, download_if_missing=False
    )
    rng = np.random.default_rng(SEED)
    tr = stratified_indices(y_train, SAMPLE_PER_CLASS["train"], rng)
    te = stratified_indices(y_test, SAMPLE_PER_CLASS["test"], rng)
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer, x_train=x_train[tr], y_train=y_train[tr], x_test=x_test[te], y_test=y_test[te]
    )
    SAMPLE_PATH.write_bytes(buffer.getvalue())
    digest = hashlib.sha256(buffer.getvalue()).hexdigest()
    module = Path(__file__).resolve().parents[1] / "skfashion" / "datasets" / "_sample.py"
    text = re.sub(r'SAMPLE_SHA256 = "[^"]*"', f'SAMPLE_SHA256 = "{digest}"', module.read_text())
    module.write_text(text)
    print(f"wrote {SAMPLE_PATH} ({len(buffer.getvalue())} bytes, sha256 {digest})")


if __name__ == "__main__":
    main()
