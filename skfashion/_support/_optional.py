"""One place that imports optional dependencies, with the pip command when missing.

As scikit-learn's ``utils/_optional_dependencies.py`` does: every feature that
needs an optional package asks here, so the error always says what to install.
"""

import importlib

#: Optional package -> the skfashion extra that installs it.
EXTRAS = {
    "matplotlib": "plotting",
    "pandas": "pandas",
    "dask": "dask",
    "distributed": "dask",
}


def import_optional(module, purpose):
    """Import ``module`` (e.g. ``"matplotlib.pyplot"``) or explain how to get it.

    Parameters
    ----------
    module : str
        Module to import.
    purpose : str
        What needs it, for the message (``"skfashion.plotting"``).

    Returns
    -------
    module : module

    Raises
    ------
    ImportError
        With the ``pip install`` command of the extra that brings it.

    Examples
    --------
    >>> import_optional("json", "a doctest").dumps([1])
    '[1]'
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        package = module.split(".")[0]
        extra = EXTRAS.get(package)
        how = (f"pip install 'skfashion[{extra}]' (or pip install {package})" if extra
               else f"pip install {package}")
        raise ImportError(f"{purpose} needs {package}: {how}.") from exc
