"""Write offline copies of the intersphinx inventories the site links to.

The documentation links to scikit-learn, numpy, scipy, pandas, joblib,
matplotlib and Python. Sphinx fetches each project's ``objects.inv`` online
first; on a machine without that network it reads the copy written here
instead. Each copy lists the public objects of the *installed* package with
the address its project's site gives them, so the links of an offline build
point at the right pages; an online build uses the projects' own inventories.

Run it after upgrading the documented libraries::

    python docs/_inventories/make_inventories.py
"""

import builtins
import importlib
import inspect
import os
import pkgutil
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, project, version, entries):
    """Write ``entries`` of ``(name, domain:role, uri)`` as ``<name>.inv``."""
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {project}\n"
        f"# Version: {version}\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    lines = sorted(
        {
            f"{obj} {role} {-1 if role == 'std:label' else 1} {uri} "
            f"{TITLES.get(obj, '-')}\n"
            for obj, role, uri in entries
        }
    )
    with open(os.path.join(HERE, f"{name}.inv"), "wb") as file:
        file.write(header.encode())
        file.write(zlib.compress("".join(lines).encode()))
    print(f"{name}.inv: {len(lines)} objects of {project} {version}")


# the titles of the labels the documentation refers to with :ref:
TITLES = {"metadata_routing": "Metadata Routing"}


def role_of(obj):
    if inspect.isclass(obj):
        return "exception" if issubclass(obj, BaseException) else "class"
    if callable(obj):
        return "function"
    return "data"


def public_members(module):
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in dir(module) if not n.startswith("_")]
    for name in names:
        try:
            yield name, getattr(module, name)
        except (AttributeError, ImportError):
            continue


def members_of_class(qualname, cls):
    for attr, value in vars(cls).items():
        if attr.startswith("_"):
            continue
        if isinstance(value, property):
            yield f"{qualname}.{attr}", "py:attribute"
        elif callable(value) or isinstance(value, (classmethod, staticmethod)):
            yield f"{qualname}.{attr}", "py:method"


def sklearn_entries():
    import sklearn
    import sklearn.utils
    from sklearn.experimental import (  # noqa: F401
        enable_halving_search_cv,
        enable_iterative_imputer,
    )

    entries = [("sklearn", "py:module", "api/index.html#module-sklearn")]
    modnames = [
        f"{package.__name__}.{info.name}"
        for package in (sklearn, sklearn.utils)
        for info in pkgutil.iter_modules(package.__path__)
        if not info.name.startswith("_") and info.name not in {"tests", "externals"}
    ]
    for modname in modnames:
        try:
            module = importlib.import_module(modname)
        except ImportError:
            continue
        entries.append((modname, "py:module", f"api/{modname}.html#module-{modname}"))
        for name, obj in public_members(module):
            if inspect.ismodule(obj) or not getattr(obj, "__module__", "").startswith(
                "sklearn"
            ):
                continue
            full = f"{modname}.{name}"
            page = f"modules/generated/{full}.html"
            entries.append((full, f"py:{role_of(obj)}", f"{page}#{full}"))
            if inspect.isclass(obj):
                for attr in dir(obj):
                    if attr.startswith("_"):
                        continue
                    value = getattr(obj, attr, None)
                    kind = (
                        "py:attribute"
                        if isinstance(inspect.getattr_static(obj, attr, None), property)
                        else "py:method"
                    )
                    if kind == "py:method" and not callable(value):
                        continue
                    entries.append((f"{full}.{attr}", kind, f"{page}#{full}.{attr}"))
    # the glossary terms scikit-learn's own docstrings point at
    for term in GLOSSARY_TERMS:
        slug = term.lower().replace(" ", "-").replace("_", "-")
        entries.append((term, "std:term", f"glossary.html#term-{slug}"))
    entries.append(("glossary", "std:doc", "glossary.html"))
    entries.append(
        ("metadata_routing", "std:label", "metadata_routing.html#metadata-routing")
    )
    entries.append(("user_guide", "std:doc", "user_guide.html"))
    return sklearn.__version__, entries


# the terms of scikit-learn's glossary that its docstrings inherited by
# skhpo's searches refer to (with :term:`...`)
GLOSSARY_TERMS = [
    "classes_",
    "classifier",
    "cross-validation estimator",
    "CV splitter",
    "decision_function",
    "estimator",
    "fit",
    "Glossary",
    "inverse_transform",
    "joblib.parallel_backend",
    "meta-estimator",
    "metadata routing",
    "n_features_in_",
    "feature_names_in_",
    "n_jobs",
    "predict",
    "predict_log_proba",
    "predict_proba",
    "random_state",
    "regressor",
    "sample_weight",
    "score",
    "score_samples",
    "scorer",
    "scoring",
    "transform",
    "transformer",
]


def numpy_entries():
    import numpy as np

    entries = [("numpy", "py:module", "reference/index.html#module-numpy")]
    for name, obj in public_members(np):
        if inspect.ismodule(obj):
            continue
        full = f"numpy.{name}"
        role = role_of(obj)
        entries.append((full, f"py:{role}", f"reference/generated/{full}.html#{full}"))
    entries += [
        ("numpy.ndarray", "py:class", "reference/generated/numpy.ndarray.html"),
        (
            "numpy.random.Generator",
            "py:class",
            "reference/random/generator.html#numpy.random.Generator",
        ),
        (
            "numpy.random.RandomState",
            "py:class",
            "reference/random/legacy.html#numpy.random.RandomState",
        ),
        (
            "numpy.random.default_rng",
            "py:function",
            "reference/random/generator.html#numpy.random.default_rng",
        ),
        (
            "numpy.ma.MaskedArray",
            "py:class",
            "reference/maskedarray.baseclass.html#numpy.ma.MaskedArray",
        ),
        ("array_like", "std:term", "glossary.html#term-array_like"),
    ]
    return np.__version__, entries


def scipy_entries():
    import scipy
    import scipy.stats

    entries = [("scipy.stats", "py:module", "reference/stats.html#module-scipy.stats")]
    for name, obj in public_members(scipy.stats):
        if inspect.ismodule(obj):
            continue
        full = f"scipy.stats.{name}"
        role = (
            "data"
            if not (inspect.isclass(obj) or inspect.isfunction(obj))
            else (role_of(obj))
        )
        entries.append((full, f"py:{role}", f"reference/generated/{full}.html#{full}"))
    for name in ("rv_continuous", "rv_discrete"):
        full = f"scipy.stats.{name}"
        entries.append((full, "py:class", f"reference/generated/{full}.html#{full}"))
    return scipy.__version__, entries


def pandas_entries():
    import pandas as pd

    entries = [("pandas", "py:module", "reference/index.html#module-pandas")]
    for name, obj in public_members(pd):
        if inspect.ismodule(obj) or name.startswith("_"):
            continue
        full = f"pandas.{name}"
        entries.append(
            (full, f"py:{role_of(obj)}", f"reference/api/{full}.html#{full}")
        )
        if name in {"DataFrame", "Series"}:
            for member, role in members_of_class(full, obj):
                entries.append((member, role, f"reference/api/{member}.html#{member}"))
    return pd.__version__, entries


def joblib_entries():
    import joblib

    entries = [("joblib", "py:module", "index.html#module-joblib")]
    for name, obj in public_members(joblib):
        if inspect.ismodule(obj):
            continue
        full = f"joblib.{name}"
        entries.append((full, f"py:{role_of(obj)}", f"generated/{full}.html#{full}"))
    return joblib.__version__, entries


def matplotlib_entries():
    import matplotlib
    import matplotlib.axes
    import matplotlib.figure

    entries = [
        ("matplotlib", "py:module", "api/matplotlib_configuration_api.html"),
        (
            "matplotlib.axes.Axes",
            "py:class",
            "api/_as_gen/matplotlib.axes.Axes.html#matplotlib.axes.Axes",
        ),
        (
            "matplotlib.figure.Figure",
            "py:class",
            "api/_as_gen/matplotlib.figure.Figure.html#matplotlib.figure.Figure",
        ),
        (
            "matplotlib.lines.Line2D",
            "py:class",
            "api/_as_gen/matplotlib.lines.Line2D.html#matplotlib.lines.Line2D",
        ),
        (
            "matplotlib.collections.PathCollection",
            "py:class",
            "api/collections_api.html#matplotlib.collections.PathCollection",
        ),
        (
            "matplotlib.container.BarContainer",
            "py:class",
            "api/container_api.html#matplotlib.container.BarContainer",
        ),
        (
            "matplotlib.contour.QuadContourSet",
            "py:class",
            "api/contour_api.html#matplotlib.contour.QuadContourSet",
        ),
        (
            "matplotlib.colorbar.Colorbar",
            "py:class",
            "api/colorbar_api.html#matplotlib.colorbar.Colorbar",
        ),
        (
            "matplotlib.legend.Legend",
            "py:class",
            "api/legend_api.html#matplotlib.legend.Legend",
        ),
        ("matplotlib.text.Text", "py:class", "api/text_api.html#matplotlib.text.Text"),
        (
            "matplotlib.pyplot",
            "py:module",
            "api/pyplot_summary.html#module-matplotlib.pyplot",
        ),
    ]
    return matplotlib.__version__, entries


def python_entries():
    import sys

    entries = []
    for name in dir(builtins):
        obj = getattr(builtins, name)
        if name.startswith("_"):
            continue
        if inspect.isclass(obj) and issubclass(obj, BaseException):
            entries.append((name, "py:exception", f"library/exceptions.html#{name}"))
        elif name in {
            "dict",
            "list",
            "tuple",
            "str",
            "set",
            "frozenset",
            "bytes",
            "range",
            "memoryview",
            "type",
        }:
            entries.append((name, "py:class", f"library/stdtypes.html#{name}"))
        elif inspect.isclass(obj):
            entries.append((name, "py:class", f"library/functions.html#{name}"))
        elif callable(obj):
            entries.append((name, "py:function", f"library/functions.html#{name}"))
    for name in ("None", "True", "False", "Ellipsis", "NotImplemented"):
        entries.append((name, "py:data", f"library/constants.html#{name}"))
    for module in (
        "sqlite3",
        "logging",
        "pickle",
        "pathlib",
        "os",
        "signal",
        "warnings",
        "concurrent.futures",
        "collections.abc",
        "typing",
    ):
        entries.append((module, "py:module", f"library/{module}.html#module-{module}"))
    entries += [
        ("logging.Logger", "py:class", "library/logging.html#logging.Logger"),
        ("logging.getLogger", "py:function", "library/logging.html#logging.getLogger"),
        ("os.PathLike", "py:class", "library/os.html#os.PathLike"),
        ("pathlib.Path", "py:class", "library/pathlib.html#pathlib.Path"),
        (
            "collections.abc.Callable",
            "py:class",
            "library/collections.abc.html#collections.abc.Callable",
        ),
        (
            "collections.abc.Iterable",
            "py:class",
            "library/collections.abc.html#collections.abc.Iterable",
        ),
        (
            "collections.abc.Mapping",
            "py:class",
            "library/collections.abc.html#collections.abc.Mapping",
        ),
        (
            "collections.abc.Sequence",
            "py:class",
            "library/collections.abc.html#collections.abc.Sequence",
        ),
        ("sqlite3.Connection", "py:class", "library/sqlite3.html#sqlite3.Connection"),
        ("typing.Any", "py:data", "library/typing.html#typing.Any"),
    ]
    return f"{sys.version_info[0]}.{sys.version_info[1]}", entries


def main():
    for name, project, entries in [
        ("python", "Python", python_entries),
        ("sklearn", "scikit-learn", sklearn_entries),
        ("numpy", "NumPy", numpy_entries),
        ("scipy", "SciPy", scipy_entries),
        ("pandas", "pandas", pandas_entries),
        ("joblib", "joblib", joblib_entries),
        ("matplotlib", "Matplotlib", matplotlib_entries),
    ]:
        version, found = entries()
        write(name, project, version, found)


if __name__ == "__main__":
    main()
