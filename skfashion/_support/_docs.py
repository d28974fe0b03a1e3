"""Docstring sections and parameter entries that several places share, declared once.

A docstring names a section on a line of its own, ``{fit_raises}``, where the
section goes, or a constructor parameter, ``{param:epochs}`` (a group of them,
``{params:wrapper}``), where its entry goes; :func:`shared_doc` puts the text
there at import, indented as the placeholder is. A parameter's entry is its
type and description from :data:`PARAMETERS` with the default read from the
signature of the class (or function) it documents, so the documented default is
the code's. Lines after a section's placeholder continue the section (another
exception of the same Raises list, say). ``__doc__``, ``help()``, numpydoc and
the API reference all see the whole text.
"""

import inspect
import textwrap
from typing import Any, Callable, Dict, Tuple, TypeVar

_F = TypeVar("_F", bound=Callable[..., Any])

#: Raises of the estimators' training methods (fit, fit_epochs, partial_fit).
_FIT_RAISES = """\
Raises
------
ValueError
    Invalid parameters (scikit-learn's ``InvalidParameterError`` is one), or
    invalid data: NaN or infinite values, ``X`` and ``y`` of different
    lengths, a ``y`` missing, labels the loss cannot take.
TypeError
    A model builder that returns no ``keras.Model``, or ``fit`` options Keras's
    ``Model.fit`` does not take."""

SECTIONS = {
    # the data parameters of fit and fit_epochs (inside their Parameters)
    "fit_data": """\
X : array-like, sparse matrix or DataFrame of shape (n_samples, ...)
    Training inputs.
y : array-like of shape (n_samples,) or (n_samples, n_outputs)
    Targets.
sample_weight : array-like of shape (n_samples,), default=None
    Per-sample weights; samples of weight 0 are left out.""",
    # the parameters of predict and predict_proba
    "predict_data": """\
X : array-like, sparse matrix or DataFrame of shape (n_samples, ...)
    Inputs.
**kwargs : dict
    Options of Keras's ``Model.predict`` (then ``model.predict`` runs).""",
    # the parameters of score
    "score_data": """\
X : array-like of shape (n_samples, ...)
    Test inputs.
y : array-like of shape (n_samples,) or (n_samples, n_outputs)
    True labels (classifiers) or targets (regressors).
sample_weight : array-like of shape (n_samples,), default=None
    Sample weights.""",
    "fit_raises": _FIT_RAISES,
    "partial_fit_raises": _FIT_RAISES[:-1] + ", ``epochs`` or ``initial_epoch`` among them.",
    # predict, predict_proba, score of a fitted estimator
    "predict_raises": """\
Raises
------
sklearn.exceptions.NotFittedError
    Before ``fit`` (or ``initialize``).
ValueError
    ``X`` unlike the training inputs: another number of features, another
    shape, NaN or infinite values.""",
    # EpochSearchCV's delegating methods
    "search_predict_raises": """\
Raises
------
sklearn.exceptions.NotFittedError
    Before ``fit``, or with ``refit=False``.""",
    # PixelScaler's fit and transform
    "pixel_raises": """\
Raises
------
ValueError
    Values below 0 or above 255, NaN or infinities, boolean, complex or
    string data, or a shape that is not images of ``image_shape`` (or, after
    ``fit``, not the fitted number of pixels).

Warns
-----
skfashion.exceptions.AlreadyScaledWarning
    Float input no larger than 1: it looks scaled to [0, 1] already.""",
}


#: Parameters shared by several signatures (the estimators' constructors, the
#: displays' drawing methods): name -> (type, description).
#: The entry's default comes from the documented signature.
PARAMETERS: Dict[str, Tuple[str, str]] = {
    "model": ("keras.Model, callable or None", """\
The network. A callable (a *builder*) is called at each new fit with the
arguments it declares among: its ``model__*`` parameters and the
unprefixed extra parameters of this estimator, ``meta`` (fitted facts
such as ``n_features_in_``, ``n_classes_``, ``X_shape_``),
``compile_kwargs`` (the compile settings below) and ``params`` (every
parameter). It returns a model, compiled or not. A model instance is
used as it is (fitting trains it). None: the subclass's
``_keras_build_fn`` method is the builder."""),
    "build_fn": ("callable", "Old name of ``model`` (deprecated, as in scikeras)."),
    "warm_start": ("bool",
                   "Keep the model between calls to ``fit`` (``history_`` still restarts)."),
    "random_state": ("int, RandomState instance or None", """\
An int makes fits bit-identical (initial weights, dropout, shuffling,
validation split) in any process or thread and under any machine load,
without changing any global random state; :doc:`/guide/randomness`
says when this holds. None draws from the global generators, so fits
differ."""),
    "optimizer": ("str, keras.optimizers.Optimizer or its class", """\
Used when the model comes back uncompiled; ``optimizer__*`` parameters
reach its constructor. An instance is copied for each fit."""),
    "loss": ("str, keras.losses.Loss, its class, function, list or dict", """\
Used when the model comes back uncompiled; ``loss__*`` parameters reach
its constructor (a name gets its Loss class)."""),
    "metrics": ("list, dict, str, class or instance", """\
Keras metrics (``metrics__*`` routed); recorded in ``history_`` by
their full names."""),
    "batch_size": ("int or None",
                   "Samples per step in fit and predict (None: 32; -1: all samples)."),
    "validation_batch_size": ("int or None",
                              "Samples per step on validation data (None: ``batch_size``)."),
    "verbose": ("int", "0 silent, 1 progress bar, 2 one line per epoch."),
    "callbacks": ("callback, list or dict of callbacks or callback classes", """\
Receive the training (and prediction) events; instances are used as
given, classes are built with the ``callbacks__*`` parameters."""),
    "validation_split": ("float", """\
Fraction of the training data, taken from its end as in Keras, held out
for validation (``val_*`` entries in ``history_``)."""),
    "shuffle": ("bool", "Shuffle the training data before each epoch."),
    "run_eagerly": ("bool", "Compile the model to run eagerly (debugging; slow)."),
    "epochs": ("int", "Passes over the training data per ``fit``."),
    "steps_per_execution": ('int or "auto"', """\
Training steps per backend call, Keras's meaning: callbacks see batch
events once per call. "auto" runs whole epochs per call unless a
callback wants batch events or ``verbose=1`` draws a progress bar; then
about 50 calls per epoch."""),
    "class_weight": ('dict, "balanced" or None', """\
Weights per class label, multiplied into ``sample_weight``; a key that
is not a class raises."""),
    "early_stopping": ("bool", """\
scikit-learn style: hold out ``validation_fraction`` of the data
(stratified for classes) unless a validation set is given
(``validation_data``, ``validation_split``), stop after
``n_iter_no_change`` epochs without a ``tol`` improvement of the
validation loss, and restore the best weights."""),
    "validation_fraction": ("float",
                            "Share of the training data held out when ``early_stopping`` is on."),
    "n_iter_no_change": ("int", "Patience of early stopping, in epochs."),
    "tol": ("float", "Minimum decrease of the validation loss that counts as improvement."),
    # the plotting displays' drawing methods
    "ax": ("matplotlib Axes, Figure or array of Axes", """\
Where to draw: one Axes (its box is divided among the panels), a
Figure, or one Axes per panel; None creates a figure."""),
    "ncols": ("int", "Columns of a new figure."),
    "kwargs": ("", """\
Routed parameters (``model__*``, ``fit__*``, ``predict__*``,
``compile__*``, ``optimizer__*``, ``loss__*``, ``metrics__*``,
``callbacks__*``, ``score__*``) and extra builder parameters, listed by
``get_params`` and settable by ``set_params``."""),
}


#: Parameters documented together: ``{params:wrapper}`` puts each entry in place.
PARAMETER_GROUPS: Dict[str, Tuple[str, ...]] = {
    # BaseWrapper's constructor, which KerasClassifier and KerasRegressor repeat
    "wrapper": ("model", "build_fn", "warm_start", "random_state", "optimizer", "loss",
                "metrics", "batch_size", "validation_batch_size", "verbose", "callbacks",
                "validation_split", "shuffle", "run_eagerly", "epochs", "steps_per_execution"),
    # scikit-learn style early stopping (EARLY_STOPPING_CONSTRAINTS)
    "early_stopping": ("early_stopping", "validation_fraction", "n_iter_no_change", "tol"),
}


def _default(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


def parameter_entry(name: str, documented: Any) -> str:
    """The numpydoc entry of parameter ``name`` of ``documented`` (a class or function)."""
    kind, text = PARAMETERS[name]
    init = vars(documented)["__init__"] if isinstance(documented, type) else documented
    parameter = inspect.signature(init).parameters[name]
    if parameter.kind is parameter.VAR_KEYWORD:
        head = f"**{name}"
    elif parameter.default is parameter.empty:
        head = f"{name} : {kind}"
    else:
        head = f"{name} : {kind}, default={_default(parameter.default)}"
    return head + "\n" + textwrap.indent(text, "    ")


def shared_doc(func: _F) -> _F:
    """Put the :data:`SECTIONS` and :data:`PARAMETERS` named in ``func``'s docstring in place.

    Examples
    --------
    >>> @shared_doc
    ... def f():
    ...     '''Do it.
    ...
    ...     {search_predict_raises}
    ...     '''
    >>> print(f.__doc__.strip().splitlines()[2])
        Raises
    """
    lines = []
    for line in (func.__doc__ or "").splitlines():
        name = line.strip()[1:-1] if line.strip()[:1] + line.strip()[-1:] == "{}" else None
        indent = line[:len(line) - len(line.lstrip())]
        if name in SECTIONS:
            lines.append(textwrap.indent(SECTIONS[name], indent))
        elif name is not None and name.startswith("param:"):
            lines.append(textwrap.indent(parameter_entry(name[6:], func), indent))
        elif name is not None and name.startswith("params:"):
            lines.extend(textwrap.indent(parameter_entry(entry, func), indent)
                         for entry in PARAMETER_GROUPS[name[7:]])
        else:
            lines.append(line)
    func.__doc__ = "\n".join(lines)
    return func
