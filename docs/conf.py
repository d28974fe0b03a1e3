"""Sphinx configuration of skfashion's documentation site.

Build it with one command (README, "Documentation")::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

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

# --- API reference ---------------------------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
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
    """scikit-learn generates ``set_{method}_request`` on every estimator; they
    are scikit-learn's (documented there), not skfashion's API."""
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_metadata_request_setters)
