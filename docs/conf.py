"""Sphinx configuration of skfashion's documentation site.

Build it with one command (README, "Documentation")::

    python -m sphinx -n -W --keep-going -b html docs docs/_build/html

The example gallery (``examples/plot_*.py``) runs at build time on the embedded
sample, so the build needs no data download and stays fast; intersphinx links
to scikit-learn, NumPy, Python and Keras when their inventories can be reached
and are left as plain text when the machine is offline.
"""

import os
import sys
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))
sys.path.insert(0, str(HERE.parent))

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
# The gallery draws with matplotlib off screen.
os.environ.setdefault("MPLBACKEND", "Agg")
warnings.filterwarnings("ignore", message=".*oneDNN custom operations.*")

import skfashion  # noqa: E402

project = "skfashion"
author = "skfashion developers"
copyright = "2026, skfashion developers"
release = skfashion.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
    "skfashion_cli",
    "offline_intersphinx",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/**/*.ipynb"]
templates_path = ["_templates"]
html_static_path = ["_static"]
html_css_files = ["custom.css"]

# --- API reference ---------------------------------------------------------
autosummary_generate = True
# The class template (_templates/autosummary/class.rst) documents inherited
# methods too: fit, predict, fit_epochs, save... live in base classes.
autodoc_default_options = {"members": True}
autodoc_typehints = "none"  # the signatures are in the numpydoc sections
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_attributes_as_param_list = True

# --- links to other projects (skipped offline: see _ext/offline_intersphinx.py)
intersphinx_mapping = {
    "python": ("https://docs.python.org/3", None),
    "numpy": ("https://numpy.org/doc/stable/", None),
    "sklearn": ("https://scikit-learn.org/stable/", None),
    "matplotlib": ("https://matplotlib.org/stable/", None),
}
intersphinx_timeout = 5

# Nitpicky builds (-n, the README's command and tests/test_docs.py): a reference
# to one of skfashion's names that does not resolve fails the build. Names of
# other projects resolve through intersphinx when their sites can be reached
# and stay plain text offline (CI builds offline), so they are not errors.
nitpick_ignore_regex = [
    (r"py:.*", r"(sklearn|keras|joblib|numpy|distributed|dask|matplotlib|tensorflow|jax|"
               r"torch|pandas|scipy|onnx|onnxruntime)(\..*)?"),
]
# --- example gallery -------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": ["../examples"],
    "gallery_dirs": ["auto_examples"],
    # plot_*.py run at build time (on the embedded sample); scikeras's notebooks
    # are shown as source: tests/test_scikeras_notebooks.py runs them.
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py|scikeras_quickstart\.py|_convert\.py",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "reference_url": {"skfashion": None},
    "backreferences_dir": "gen_modules/backreferences",
    "doc_module": ("skfashion",),
    "show_memory": False,
    "plot_gallery": "True",
    "abort_on_example_error": True,
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "first_notebook_cell": None,
    # The computation-times pages load jQuery DataTables from a CDN: not offline.
    "write_computation_times": False,
}

# --- HTML --------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skfashion {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 6,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    # No external assets: the site must work offline.
    "icon_links": [],
}
html_sidebars = {"changelog": []}
html_favicon = "_static/favicon.svg"
# The theme's first visit otherwise logs "invalid theme mode" as a console error.
html_context = {"default_mode": "auto"}
html_show_sourcelink = False
html_copy_source = False
html_last_updated_fmt = None

myst_heading_anchors = 2
suppress_warnings = ["myst.header"]


def _skip_metadata_request_setters(app, what, name, obj, skip, options):
    """scikit-learn generates ``set_{method}_request`` and ``get_metadata_routing``
    on every estimator; they are scikit-learn's metadata-routing machinery
    (documented there), not skfashion's API."""
    if (name.startswith("set_") and name.endswith("_request")) or \
            name == "get_metadata_routing":
        return True
    return None


def _unlink_foreign_labels(app, what, name, obj, options, lines):
    """Methods inherited from scikit-learn (``get_params``, ``set_output``...)
    keep scikit-learn's docstrings, whose ``:ref:`` and ``:term:`` links name
    labels and glossary terms of scikit-learn's own site: they become plain
    text (a term as code), which they would be offline anyway (intersphinx
    resolves only object names here)."""
    import re

    home = getattr(obj, "__module__", None) or ""
    if home.startswith("skfashion"):
        return
    for i, line in enumerate(lines):
        line = re.sub(r":ref:`([^`<]*?)\s*<[^>`]+>`", r"\1", line)
        line = re.sub(r":ref:`([^`]+)`", r"\1", line)
        line = re.sub(r":term:`([^`<]*?)\s*<[^>`]+>`", r"``\1``", line)
        lines[i] = re.sub(r":term:`([^`]+)`", r"``\1``", line)


def setup(app):
    app.connect("autodoc-skip-member", _skip_metadata_request_setters)
    app.connect("autodoc-process-docstring", _unlink_foreign_labels)
