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


def install_hint(extra, packages):
    """How to install an optional part: its packages from PyPI, or skfashion's extra
    from a source checkout (skfashion itself is not on PyPI).

    Examples
    --------
    >>> install_hint("onnx", "onnx tf2onnx")
    "pip install onnx tf2onnx (or, in skfashion's source folder, pip install '.[onnx]')"
    """
    return f"pip install {packages} (or, in skfashion's source folder, pip install '.[{extra}]')"


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
        how = install_hint(extra, package) if extra else f"pip install {package}"
        raise ImportError(f"{purpose} needs {package}: {how}.") from exc
