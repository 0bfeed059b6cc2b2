"""Sphinx configuration of skhpo's documentation site.

Build it with ``pip install ".[docs]"`` and
``sphinx-build -W --keep-going -n -b html docs docs/_build/html``.
"""

import os
import sys
import warnings

import skhpo

project = "skhpo"
author = "the skhpo developers"
copyright = "2026, the skhpo developers"
release = skhpo.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
    "sphinx_design",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py"]
nitpicky = True
# a page's contents name methods without their class: "fit()", not
# "BayesSearchCV.fit()"
toc_object_entries_show_parents = "hide"
default_role = "literal"

# the API reference: one page per public object (docs/api.rst)
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
autodoc_typehints = "none"  # the numpydoc sections carry the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True

# links to the documentation of the libraries skhpo builds on; each
# inventory is fetched online, with a copy in _inventories for offline builds
# (docs/_inventories/README.md says how the copies are made)
_here = os.path.dirname(os.path.abspath(__file__))


def _inventory(name, url):
    return (url, (None, os.path.join(_here, "_inventories", f"{name}.inv")))


intersphinx_mapping = {
    "python": _inventory("python", "https://docs.python.org/3/"),
    "sklearn": _inventory("sklearn", "https://scikit-learn.org/stable/"),
    "numpy": _inventory("numpy", "https://numpy.org/doc/stable/"),
    "scipy": _inventory("scipy", "https://docs.scipy.org/doc/scipy/"),
    "pandas": _inventory("pandas", "https://pandas.pydata.org/docs/"),
    "joblib": _inventory("joblib", "https://joblib.readthedocs.io/en/stable/"),
    "matplotlib": _inventory("matplotlib", "https://matplotlib.org/stable/"),
}
intersphinx_timeout = 5

# the gallery: every script in examples/ runs at each build
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/(plot_|quickstart|resume_)",
    "within_subsection_order": "_sg_order.QuickstartFirst",
    "doc_module": ("skhpo",),
    "backreferences_dir": "generated/backreferences",
    "reference_url": {"skhpo": None},
    "download_all_examples": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
    "show_memory": False,
}

html_theme = "pydata_sphinx_theme"
html_title = f"skhpo {release}"
html_static_path = ["_static"]
html_css_files = ["skhpo.css"]
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {"index": [], "changelog": [], "install": []}
html_show_sourcelink = False

myst_heading_anchors = 3

# matplotlib draws off-screen while the gallery runs
os.environ.setdefault("MPLBACKEND", "Agg")
sys.path.insert(0, _here)
warnings.filterwarnings(
    "ignore", message="Matplotlib is currently using agg", category=UserWarning
)
