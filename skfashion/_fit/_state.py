"""The fitted state of a Keras estimator: what prediction reads, and how a fit
commits it or rolls it back.

A fit stages its attributes on the estimator as it goes (scikeras's order: a
model builder reads them) and publishes what ``predict`` reads (``_PUBLISHED``)
only when it commits; a fit that fails is undone. :class:`FitState` is the one
owner of those attributes: every write to them goes through it.
"""

import contextlib
import contextvars
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Optional, Tuple

import numpy as np
from sklearn.preprocessing import FunctionTransformer


class _Fitted:
    """What prediction needs, replaced as one object when a fit commits.

    ``shared`` is True once the model may be changed by others: it was handed
    out through ``model_``, passed in by the user, or reached by user callbacks.
    Then predictions read the model's current weights at every call instead of
    a snapshot (same numbers, always current).
    """

    def __init__(self, model, feature_encoder, target_encoder, *, shared):
        self.model = model
        self.feature_encoder = feature_encoder
        self.target_encoder = target_encoder
        self.shared = shared
        self._predictor = None
        #: The model's compiled training steps, remembered between its training
        #: calls (a warm start, partial_fit) until it is compiled again, as
        #: Keras's model.fit keeps its train_function (``_training._runner``).
        self.programs: dict = {}

    def hand_out(self):
        """The model leaves skfashion's hands: predictions read its weights each time."""
        if not self.shared:
            self.shared = True
            predictor = self._predictor
            if predictor is not None:
                predictor.live = True

    def weights_changed(self):
        """The model was trained: the fast predictor takes a new snapshot on next use."""
        self._predictor = None

    def model_input(self, X):
        """``X`` after the feature encoder, shaped for the model's single input."""
        if self.feature_encoder is not None:
            X = self.feature_encoder.transform(X)
        return as_model_input(X, self.model)


def as_model_input(X, model):
    """Reshape flat rows to a single-input model's input shape (e.g. images for a CNN)."""
    if not isinstance(X, np.ndarray) or len(getattr(model, "inputs", None) or ()) != 1:
        return X
    shape = tuple(model.inputs[0].shape[1:])
    if None in shape or shape == X.shape[1:]:
        return X
    if math.prod(shape) != math.prod(X.shape[1:]):
        hint = ""
        if X.ndim >= 3:  # images: meta["n_features_in_"] is X.shape[1], one image row
            hint = (
                f" A builder that sizes its input with meta[\"n_features_in_\"] gets "
                f"X.shape[1] = {X.shape[1]} for images (scikeras's meta describes rows of "
                "features): flatten them first, with PixelScaler before the estimator "
                "(make_pipeline(PixelScaler(), KerasClassifier(...))) or "
                "X.reshape(len(X), -1), or size the model's input with meta[\"X_shape_\"][1:]."
            )
        raise ValueError(
            f"The model expects inputs of shape {shape} ({math.prod(shape)} values per "
            f"sample) but X has samples of shape {X.shape[1:]}.{hint}"
        )
    return X.reshape((len(X), *shape))


def new_history(previous):
    """A ``history_`` continuing ``previous``: a ``defaultdict(list)``, as scikeras's."""
    return defaultdict(list, {k: list(v) for k, v in previous.items()})


def _is_identity(encoder):
    return (
        type(encoder) is FunctionTransformer
        and encoder.func is None
        and encoder.inverse_func is None
        and not encoder.validate
    )


def _snapshot_variables(model):
    optimizer = getattr(model, "optimizer", None)
    variables = list(model.variables) + list(getattr(optimizer, "variables", []) or [])
    return [(v, np.array(v.numpy())) for v in variables]


def _restore_variables(snapshot):
    for variable, value in snapshot:
        variable.assign(value)


@dataclass
class _Staging:
    """What a fit hands to :meth:`_BaseKeras._initialize` besides scikeras's
    ``(X, y)``, and the new model it gets back (``fitted``)."""

    rng: np.random.RandomState
    require_y: bool
    train: bool
    checks: Any = None  # the fit's ``_plan.DataChecks``
    fitted: Optional["_Fitted"] = None


#: What ``predict`` reads: replaced only when a fit commits, so a prediction
#: in another thread during a refit uses the previous model whole.
_PUBLISHED = ("_fitted", "_input_scale", "_rescale_warned")


#: Private attributes that belong to the fitted state (public ones end in "_"):
#: skfashion's, and scikeras's own that its subclasses read (``BaseWrapper``).
_PRIVATE_FITTED = _PUBLISHED + ("_fitted_keys", "_seed", "_random_state", "_fit_callbacks",
                                "_predict_callbacks")


def _is_fitted_name(name):
    return name in _PRIVATE_FITTED or (
        name.endswith("_") and not name.startswith("_") and not name.endswith("__"))


#: The new fit being staged in this thread or task, as ``(estimator id, staging)``:
#: what ``_initialize`` needs besides scikeras's ``(X, y)``. Kept off the
#: estimator, so no half-made state can be pickled, cloned or seen by another thread.
_STAGING: "contextvars.ContextVar[Optional[Tuple[int, _Staging]]]" = contextvars.ContextVar(
    "skfashion_staging", default=None)


class FitState:
    """The fitted attributes of one estimator, and the only code that writes them.

    Fitted attributes live on the estimator, as scikit-learn and scikeras put
    them (``classes_``, ``history_``, ``model_``...; a builder or a subclass
    reads them there). Every change to them goes through this class: a new
    fit's attributes (:meth:`set`, during ``_initialize``), the commit that
    publishes a fit (:meth:`commit`), the snapshot and restore around a fit
    that may fail (:meth:`snapshot`, :meth:`restore`), and loading a pickled
    estimator (:meth:`load`). Its two writes are the package's only writes
    to an estimator's ``__dict__``.
    """

    __slots__ = ("_attrs", "_id", "_owner")

    def __init__(self, estimator):
        self._attrs = vars(estimator)
        self._id = id(estimator)
        self._owner = type(estimator).__name__

    # ------------------------------------------------------------ reading
    def get(self, name, default=None):
        return self._attrs.get(name, default)

    def __contains__(self, name):
        return name in self._attrs

    @property
    def names(self):
        """The fitted attributes the last fit or load declared."""
        return self._attrs.get("_fitted_keys", ())

    @property
    def published(self):
        """What ``predict`` reads (a :class:`_Fitted`), or None before a fit."""
        return self._attrs.get("_fitted")

    @property
    def current(self):
        """The model of the fit being staged (inside ``_initialize``), else the published one."""
        staging = self.staging()
        if staging is not None and staging.fitted is not None:
            return staging.fitted
        return self.published

    def require(self):
        """The published :class:`_Fitted`; ``NotFittedError`` before a fit."""
        fitted = self.published
        if fitted is None:
            from sklearn.exceptions import NotFittedError

            raise NotFittedError(
                f"This {self._owner} instance is not fitted yet. Call 'fit' with "
                "appropriate arguments before using this estimator."
            )
        return fitted

    def declared(self):
        """``{name: value}`` of the declared fitted attributes present now."""
        return {k: self._attrs[k] for k in self.names if k in self._attrs}

    # ------------------------------------------------------------ staging
    @contextlib.contextmanager
    def staging_new_fit(self, staging):
        """Run ``_initialize`` for a new fit: ``staging`` is what it reads."""
        token = _STAGING.set((self._id, staging))
        try:
            yield staging
        finally:
            _STAGING.reset(token)

    def staging(self):
        """The :class:`_Staging` of a new fit of this estimator running here, or None."""
        current = _STAGING.get()
        return current[1] if current is not None and current[0] == self._id else None

    # ------------------------------------------------------------ writing
    def _write(self, values=(), remove=()):
        self._attrs.update(values)
        for key in remove:
            self._attrs.pop(key, None)

    def set(self, **values):
        """Set fitted attributes (a fit's, as it stages them; a warning's flag)."""
        self._write(values)

    def declare(self, **values):
        """Set fitted attributes and count them among this fit's (``names``)."""
        self._write(dict(values, _fitted_keys=tuple(self.names) + tuple(
            k for k in values if k not in self.names)))

    def remove(self, *names):
        self._write(remove=names)

    def start_new_fit(self):
        """Drop the previous fit's attributes, except what ``predict`` reads
        (replaced at the commit, so a predict in another thread keeps working)."""
        self._write(remove=[k for k in self.names if k not in _PUBLISHED])

    def commit(self, staged):
        """Replace the fitted state by ``staged`` in one step."""
        stale = [k for k in self.names if k not in staged]
        staged = dict(staged, _fitted_keys=tuple(k for k in staged if k != "_fitted_keys"))
        self._write(staged, stale)

    def snapshot(self):
        """Every fitted attribute now (:meth:`restore` puts them back).

        Every attribute that names fitted state (a trailing underscore, or one
        of skfashion's private ones) is kept, including those a subclass sets.
        """
        return {k: v for k, v in self._attrs.items() if _is_fitted_name(k)}

    def restore(self, snapshot):
        """Put back :meth:`snapshot`'s attributes; remove fitted ones added since."""
        self._write(snapshot, [k for k in self._attrs if _is_fitted_name(k)
                               and k not in snapshot])

    def load(self, state):
        """Take a whole unpickled instance state (``__setstate__``)."""
        self._write(state)
