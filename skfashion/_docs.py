"""Docstring sections that several methods share, declared once.

A method's docstring names a section on a line of its own, ``{fit_raises}``,
where the section goes; :func:`shared_doc` puts the section's text there at
import, indented as the placeholder is. Lines after the placeholder continue
the section (another exception of the same Raises list, say). ``__doc__``,
``help()``, numpydoc and the API reference all see the whole text.
"""

import textwrap
from typing import Any, Callable, TypeVar

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


def shared_doc(func: _F) -> _F:
    """Put the :data:`SECTIONS` named in ``func``'s docstring in place.

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
        name = line.strip()
        if name.startswith("{") and name.endswith("}") and name[1:-1] in SECTIONS:
            indent = line[:len(line) - len(line.lstrip())]
            lines.append(textwrap.indent(SECTIONS[name[1:-1]], indent))
        else:
            lines.append(line)
    func.__doc__ = "\n".join(lines)
    return func
