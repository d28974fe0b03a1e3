"""The warnings and errors skfashion raises, to catch or filter by class.

As :mod:`sklearn.exceptions` does for scikit-learn: each class is raised (or
warned) by one feature, and its page says when.
"""


__all__ = [
    "AlreadyScaledWarning",
    "ArchiveError",
    "ExportError",
    "ExportPrecisionWarning",
    "KerasInternalsWarning",
    "StaleFitError",
]


class AlreadyScaledWarning(UserWarning):
    """:class:`~skfashion.PixelScaler` got float pixels that look scaled to [0, 1] already.

    Warned by ``PixelScaler`` when the largest value of a float input is at
    most 1 (and not 0) although it expects 0-255 pixels: dividing by 255 again
    would leave nearly black images. Pass the 0-255 images, or drop
    ``PixelScaler`` for data scaled already.

    See Also
    --------
    skfashion.PixelScaler : The transformer that warns.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from skfashion import PixelScaler
    >>> from skfashion.exceptions import AlreadyScaledWarning
    >>> scaled = np.random.default_rng(0).random((4, 784))   # floats in [0, 1]
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", AlreadyScaledWarning)
    ...     try:
    ...         PixelScaler().fit_transform(scaled)
    ...     except AlreadyScaledWarning:
    ...         print("scaled already")
    scaled already
    """


class ArchiveError(ValueError):
    """A file :func:`skfashion.load` cannot open as an archive.

    Raised before anything in the file is read: a path that cannot be read,
    is not a regular file, or is not a zip archive. A file that opens but is
    malformed (members missing, unexpected or over their limits, a wrong format
    tag) is a ``ValueError`` naming what is wrong; ``ArchiveError`` is one too, so
    ``except ValueError`` catches every refused file.

    See Also
    --------
    skfashion.load : Reads the files that :func:`skfashion.save` writes.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from skfashion import load
    >>> from skfashion.exceptions import ArchiveError
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "notes.txt"
    >>> _ = path.write_text("not a model")
    >>> try:
    ...     load(path)
    ... except ArchiveError as exc:
    ...     print("refused:", "not a readable zip" in str(exc))
    refused: True
    """


class ExportError(TypeError):
    """A fitted pipeline or estimator that cannot become a served model.

    Raised by :func:`skfashion.export` before any file is written: a step that
    cannot become a Keras layer, a last step that is not a skfashion estimator,
    an estimator that overrides ``predict`` or ``predict_proba``, a
    ``feature_encoder``, a model with several inputs or outputs or with layers
    of your own code, targets other than single-label classes or regression,
    or float64 scalers under JAX without 64-bit mode. The message names the
    step and says what to do.

    See Also
    --------
    skfashion.export : Writes the served model.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skfashion import export
    >>> from skfashion.exceptions import ExportError
    >>> X, y = load_iris(return_X_y=True)
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "model.keras"
    >>> try:
    ...     export(LogisticRegression(max_iter=1000).fit(X, y), path)
    ... except ExportError as exc:
    ...     print("the last step must be a skfashion estimator" in str(exc), path.exists())
    True False
    """


class ExportPrecisionWarning(UserWarning):
    """A served ``.keras`` model that matches the pipeline only when called directly.

    Warned by :func:`skfashion.export` with ``format="keras"`` when a scaler of
    the pipeline computes in float64: Keras's ``model.predict`` casts float
    inputs to float32, so call the loaded model directly (``served(X)``), or
    export to ONNX or a TensorFlow SavedModel, which keep float64.

    See Also
    --------
    skfashion.export : Writes the served model.

    Examples
    --------
    >>> import pathlib, tempfile, warnings
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skfashion import SoftmaxClassifier, export
    >>> from skfashion.exceptions import ExportPrecisionWarning
    >>> X = np.random.default_rng(0).normal(size=(40, 4))   # float64: StandardScaler keeps it
    >>> y = (X[:, 0] > 0).astype(int)
    >>> pipe = make_pipeline(StandardScaler(), SoftmaxClassifier(epochs=1, random_state=0))
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "model.keras"
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     written = export(pipe.fit(X, y), path)
    >>> any(issubclass(w.category, ExportPrecisionWarning) for w in caught)
    True
    """


class KerasInternalsWarning(UserWarning):
    """A private part of Keras, TensorFlow or JAX that skfashion uses has changed.

    skfashion's speed rests on a few parts of Keras, TensorFlow and JAX that
    they do not document (all of them in one package, ``skfashion/_keras_internals/``).
    Where a release moves or changes one, skfashion takes a slower path that
    gives the same results (each fit traces its own program, variables keep
    their debug names, a fit trains through Keras's own ``model.fit``...) and
    warns once per part, naming it and what the fallback costs. Results do not
    change; please report the warning with your Keras and TensorFlow versions.

    See Also
    --------
    skfashion.KerasClassifier : Whose fits take the fallback paths.

    Examples
    --------
    >>> import warnings
    >>> from skfashion.exceptions import KerasInternalsWarning
    >>> warnings.simplefilter("error", KerasInternalsWarning)  # a CI that must notice
    >>> warnings.resetwarnings()
    """


class StaleFitError(RuntimeError):
    """A ``fit_epochs`` generator resumed after a later fit of the same estimator.

    Raised by ``next()`` on a generator of :meth:`~skfashion.SoftmaxClassifier.fit_epochs`
    once a later ``fit``, ``partial_fit``, ``initialize`` or ``fit_epochs`` of
    the same estimator has started: that fit owns the fitted state now, and the
    old training ended where it was suspended. Start a new ``fit_epochs``.

    See Also
    --------
    skfashion.SoftmaxClassifier.fit_epochs : The generator that raises it.

    Examples
    --------
    >>> import numpy as np
    >>> from skfashion import SoftmaxClassifier
    >>> from skfashion.exceptions import StaleFitError
    >>> X = np.random.default_rng(0).random((40, 4)).astype("float32")
    >>> y = (X[:, 0] > 0.5).astype(int)
    >>> clf = SoftmaxClassifier(epochs=3, random_state=0)
    >>> epochs = clf.fit_epochs(X, y)
    >>> next(epochs)
    1
    >>> _ = clf.fit(X, y)           # a later fit owns the estimator now
    >>> try:
    ...     next(epochs)
    ... except StaleFitError:
    ...     print("stale")
    stale
    """
