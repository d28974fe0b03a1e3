"""skfashion: Keras models that behave like scikit-learn estimators.

Importing the package is cheap: Keras and its backend load on the first fit,
prediction or load of a model, and nothing global is changed.
"""

import os
from pathlib import Path
from typing import Any, List, Optional, Union

from . import _moved
from ._estimators._pixel_scaler import PixelScaler
from ._estimators._softmax import SoftmaxClassifier
from ._persistence._skf import load
from ._version import __version__
from ._wrappers._base_wrapper import BaseWrapper
from ._wrappers._keras_classifier import KerasClassifier
from ._wrappers._keras_regressor import KerasRegressor
from .model_selection._epoch_search import EpochSearchCV

_moved.install()  # files written before issue 41's move name the old modules


def save(estimator: Any, path: Union[str, "os.PathLike[str]"]) -> List[str]:
    """Save a fitted skfashion estimator, or a Pipeline of them, without pickle.

    ``estimator.save(path)`` does the same for one estimator; this function
    also takes a :class:`~sklearn.pipeline.Pipeline` whose steps are skfashion
    estimators (and ``StandardScaler``, ``MinMaxScaler``, ``MaxAbsScaler``).
    Load the file with :func:`load`.

    Parameters
    ----------
    estimator : estimator or Pipeline
        Fitted.
    path : str or path-like
        Destination file; written atomically.

    Returns
    -------
    skipped : list of str
        Parameters that are not plain data and were not stored.

    See Also
    --------
    load : Read the file back, safely.
    export : Write a model that serves without skfashion.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skfashion import PixelScaler, SoftmaxClassifier, load, save
    >>> from skfashion.datasets import load_sample
    >>> (X, y), _ = load_sample()
    >>> pipe = make_pipeline(PixelScaler(), StandardScaler(),
    ...                      SoftmaxClassifier(epochs=1, random_state=0)).fit(X[:500], y[:500])
    >>> path = Path(tempfile.mkdtemp()) / "pipe.skf"
    >>> save(pipe, path)
    []
    >>> [name for name, _ in load(path).steps]
    ['pixelscaler', 'standardscaler', 'softmaxclassifier']
    """
    from ._persistence._skf import save as _save

    return _save(estimator, path)


def export(estimator: Any, path: Union[str, "os.PathLike[str]"], *,
           format: Optional[str] = None, input_dtype: Optional[str] = None) -> "Path":
    """Export a fitted pipeline as one model file that serves without skfashion.

    The pipeline's transformers (``PixelScaler``, ``StandardScaler``,
    ``MinMaxScaler``, ``MaxAbsScaler``) become Keras layers in front of the
    estimator's model, so the exported model takes the raw input the pipeline
    takes (uint8 images of shape (n, 28, 28) after a ``PixelScaler``) and
    returns what ``predict_proba`` returns (``predict`` for a regressor). Its
    predictions equal the pipeline's: the labels exactly, the probabilities to
    float32 rounding (tested within 1e-5 on the 10,000 test images).

    Parameters
    ----------
    estimator : Pipeline or estimator
        Fitted: a skfashion estimator (``SoftmaxClassifier``, ``KerasClassifier``
        or ``KerasRegressor``) whose model is built from Keras's own layers,
        alone or at the end of a Pipeline of the transformers above.
    path : str or path-like
        Where to write: a ``.keras`` file, an ``.onnx`` file, or a directory
        for a SavedModel.
    format : {"keras", "tf_saved_model", "onnx"} or None, default=None
        None infers it from ``path``: ``.keras``, ``.onnx``, or no suffix for
        ``"tf_saved_model"``.

        - ``"keras"``: a file ``keras.saving.load_model`` opens (any backend;
          no skfashion needed). Its output is the probabilities; the class
          labels are in the file's member ``skfashion.json``::

              model = keras.saving.load_model("model.keras")
              labels = np.array(json.load(zipfile.ZipFile("model.keras").open(
                  "skfashion.json"))["classes"])[model.predict(X).argmax(axis=1)]

        - ``"tf_saved_model"`` (TensorFlow backend): a SavedModel for
          TensorFlow Serving; its ``serving_default`` signature returns
          ``probabilities`` and ``labels`` (``predictions`` for a regressor).
        - ``"onnx"`` (needs ``onnx`` and ``tf2onnx``: ``pip install onnx
          tf2onnx``, or ``pip install '.[onnx]'`` in skfashion's source
          folder): one file with scikit-learn's ONNX outputs, ``label``
          (int64, double or string) and ``probabilities`` (float,
          (N, n_classes)); ``variable`` (float, (N, n_outputs)) for a regressor.
          The input is named ``X``.
    input_dtype : str or None, default=None
        The dtype of the exported model's input. None: ``uint8`` after a
        ``PixelScaler`` (the images as the loaders return them), else
        ``float32``.

    Returns
    -------
    path : pathlib.Path
        Where the model was written (atomically: an earlier file is replaced
        only once the new one is complete).

    Raises
    ------
    TypeError
        (``skfashion._export._api.ExportError``) naming a step that cannot be
        exported, before anything is written: another transformer, a
        ``feature_encoder``, a custom layer or model class Keras alone cannot
        load, a multilabel or multi-output target.

    See Also
    --------
    save : skfashion's own format, for Python (keeps the whole estimator).

    Examples
    --------
    >>> import tempfile, os
    >>> import keras, numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from skfashion import PixelScaler, SoftmaxClassifier, export
    >>> from skfashion.datasets import load_sample
    >>> (X, y), (X_test, y_test) = load_sample()
    >>> pipe = make_pipeline(PixelScaler(), SoftmaxClassifier(epochs=1, random_state=0))
    >>> pipe = pipe.fit(X, y)
    >>> path = export(pipe, os.path.join(tempfile.mkdtemp(), "pipe.keras"))
    >>> served = keras.saving.load_model(path)
    >>> proba = served.predict(X_test, verbose=0)  # raw uint8 images in
    >>> bool((proba.argmax(axis=1) == pipe.predict(X_test)).all())
    True
    """
    from ._export._api import export as _export

    return _export(estimator, path, format=format, input_dtype=input_dtype)


__all__ = [
    "BaseWrapper",
    "EpochSearchCV",
    "KerasClassifier",
    "KerasRegressor",
    "PixelScaler",
    "SoftmaxClassifier",
    "__version__",
    "export",
    "load",
    "save",
]
