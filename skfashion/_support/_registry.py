"""The estimator classes that :func:`skfashion.load` may create, by name.

Each skfashion estimator registers itself where it is defined; loading looks
names up here, so the file format needs to import none of the estimator
modules, and a name in a file that is not registered is refused.
"""

_CLASSES: dict = {}


def register(cls):
    """Class decorator: allow ``cls`` in files loaded by :func:`skfashion.load`."""
    _CLASSES[cls.__name__] = cls
    return cls


def lookup(name):
    """The registered class called ``name``, or None."""
    return _CLASSES.get(name) if isinstance(name, str) else None


def names():
    """Names of the registered classes, sorted."""
    return sorted(_CLASSES)
