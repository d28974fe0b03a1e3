"""KerasRegressor: a Keras model, or a function that builds one, as a regressor."""

from typing import Optional

from numpy.typing import ArrayLike
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score

from .._support._docs import shared_doc
from .._estimators._early_stopping import EARLY_STOPPING_CONSTRAINTS
from .._fit._encoders import RegressorTargetEncoder
from .._fit._routing import routed
from ._base_wrapper import BaseWrapper
from .._support._registry import register


@register
@shared_doc
class KerasRegressor(RegressorMixin, BaseWrapper):
    """A Keras model, or a function that builds one, as a scikit-learn regressor.

    A drop-in for scikeras's ``KerasRegressor``: targets of one or several
    columns (numbers; strings of numbers are converted), predictions in Keras's
    float type shaped like the targets, ``score`` is R². Parameters are those
    of :class:`~skfashion.BaseWrapper` plus scikit-learn style early stopping.

    Parameters
    ----------
    {params:wrapper}
    {params:early_stopping}
    {param:kwargs}

    Attributes
    ----------
    model_ : keras.Model
        The trained model.
    history_ : dict of lists
        Loss and metrics per epoch.
    n_outputs_ : int
        Columns of the targets.
    n_features_in_ : int
        Number of features seen in fit.

    See Also
    --------
    KerasClassifier : the same wrapper for classification.

    Examples
    --------
    >>> import keras
    >>> import numpy as np
    >>> from skfashion import KerasRegressor
    >>> X = np.linspace(-1, 1, 200).reshape(-1, 1)
    >>> y = 3 * X[:, 0] + 1
    >>> def build(meta):
    ...     return keras.Sequential([keras.Input((meta["n_features_in_"],)),
    ...                              keras.layers.Dense(meta["n_outputs_"])])
    >>> reg = KerasRegressor(build, loss="mse", optimizer="adam",
    ...                      optimizer__learning_rate=0.1, epochs=40, random_state=0)
    >>> reg.fit(X, y).score(X, y) > 0.95
    True
    """

    _y_numeric = True
    _requires_y = True
    _parameter_constraints = {
        **BaseWrapper._parameter_constraints,
        **EARLY_STOPPING_CONSTRAINTS,
    }

    def __init__(
        self,
        model=None,
        *,
        build_fn=None,
        warm_start=False,
        random_state=None,
        optimizer="rmsprop",
        loss=None,
        metrics=None,
        batch_size=None,
        validation_batch_size=None,
        verbose=0,
        callbacks=None,
        validation_split=0.0,
        shuffle=True,
        run_eagerly=False,
        epochs=1,
        steps_per_execution="auto",
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=5,
        tol=0.0,
        **kwargs,
    ):
        super().__init__(
            model=model, build_fn=build_fn, warm_start=warm_start, random_state=random_state,
            optimizer=optimizer, loss=loss, metrics=metrics, batch_size=batch_size,
            validation_batch_size=validation_batch_size, verbose=verbose,
            callbacks=callbacks, validation_split=validation_split, shuffle=shuffle,
            run_eagerly=run_eagerly, epochs=epochs, steps_per_execution=steps_per_execution,
            **kwargs,
        )
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol

    @property
    def target_encoder(self):
        """A new :class:`~skfashion.utils.transformers.RegressorTargetEncoder`."""
        return RegressorTargetEncoder()

    @shared_doc
    def score(self, X: ArrayLike, y: ArrayLike,
              sample_weight: Optional[ArrayLike] = None) -> float:
        """R² of ``predict(X)`` against ``y`` (``score__*`` parameters apply).

        Parameters
        ----------
        {score_data}

        Returns
        -------
        score : float

        {predict_raises}
        """
        return BaseWrapper.score(self, X, y, sample_weight=sample_weight)

    @staticmethod
    def scorer(y_true, y_pred, **kwargs):
        """R² (``sklearn.metrics.r2_score``); override to change it.

        Parameters
        ----------
        y_true : array-like
            True targets.
        y_pred : array-like
            Predictions.
        **kwargs : dict
            Passed to ``r2_score``.

        Returns
        -------
        score : float
        """
        return r2_score(y_true, y_pred, **kwargs)

    def _score_options(self):
        return routed(self.get_params(), "score")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # One epoch by default: the checks' "score > 0.5 with default settings" is not
        # what a neural network promises (scikeras declares the same).
        tags.regressor_tags.poor_score = True
        return tags
