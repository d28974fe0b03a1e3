"""
Saving, loading safely, and exporting for serving
=================================================

A fitted pipeline leaves a Python session in one of two files:

- :func:`skfashion.save` writes a zip of JSON and Keras models that
  :func:`skfashion.load` reads without running any code from the file, so it is
  safe to load files you did not write (``pickle`` is not);
- :func:`skfashion.export` writes the whole pipeline, scaling included, as one
  Keras model that serves without skfashion or scikit-learn.

Both give back exactly the pipeline's predictions; this example checks it.
"""

# %%
import json
import tempfile
import zipfile
from pathlib import Path

import numpy as np
from sklearn.pipeline import Pipeline

import skfashion
from skfashion import PixelScaler, SoftmaxClassifier
from skfashion.datasets import CLASS_NAMES, load_sample

(X, y), (X_test, y_test) = load_sample()
labels = np.array(CLASS_NAMES)[y]          # string labels travel too
pipe = Pipeline([("scale", PixelScaler()), ("clf", SoftmaxClassifier(random_state=0))])
pipe.fit(X, labels)
folder = Path(tempfile.mkdtemp())

# %%
# skfashion's own format: safe to load
# ------------------------------------
skfashion.save(pipe, folder / "pipe.skf")
loaded = skfashion.load(folder / "pipe.skf")
print(type(loaded).__name__, [name for name, _ in loaded.steps])
print("same predictions:", np.array_equal(loaded.predict(X_test), pipe.predict(X_test)))
print("same probabilities:", np.array_equal(loaded.predict_proba(X_test),
                                            pipe.predict_proba(X_test)))

# %%
# A malformed or hostile file is refused with a ``ValueError`` naming it,
# before anything in it is used:
(folder / "bad.skf").write_bytes(b"PK\x03\x04 not really a zip")
try:
    skfashion.load(folder / "bad.skf")
except ValueError as error:
    # the message names the file: print it relative to the folder, not this
    # machine's temporary path
    print("refused:", str(error).replace(str(folder), "<folder>")[:100])

# %%
# One Keras file for serving
# --------------------------
# The scaler becomes Keras layers in front of the model: the served model takes
# the raw uint8 images and returns the probabilities. The class labels are in
# the file's ``skfashion.json`` member. Loading needs Keras alone.
import keras

skfashion.export(pipe, folder / "pipe.keras")
served = keras.saving.load_model(folder / "pipe.keras")
classes = np.array(json.load(zipfile.ZipFile(folder / "pipe.keras").open("skfashion.json"))
                   ["classes"])
served_labels = classes[served.predict(X_test, verbose=0).argmax(axis=1)]
print("served input:", served.input_shape, served.inputs[0].dtype)
print("same labels as the pipeline:", np.array_equal(served_labels, pipe.predict(X_test)))
print("largest probability difference:",
      np.abs(served.predict(X_test, verbose=0) - pipe.predict_proba(X_test)).max())
