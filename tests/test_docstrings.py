"""numpydoc validation of every public docstring, as scikit-learn's own
``sklearn/tests/test_docstrings.py`` does, with its list of ignored errors;
in addition every public class and function must have an Examples section
(the examples themselves run in ``pytest --doctest-modules skhpo``)."""

import inspect
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

import skhpo
import skhpo.importance
import skhpo.plotting
import skhpo.space
import skhpo.storage

numpydoc_validation = pytest.importorskip("numpydoc.validate")

PUBLIC_MODULES = [skhpo, skhpo.importance, skhpo.plotting, skhpo.space, skhpo.storage]


def _public_objects():
    """Every class and function in a public ``__all__``, once each."""
    seen = {}
    for module in PUBLIC_MODULES:
        for name in module.__all__:
            obj = getattr(module, name)
            if name.startswith("__") or not (
                inspect.isclass(obj) or inspect.isfunction(obj)
            ):
                continue  # __version__, constants such as INACTIVE_VALUE
            seen.setdefault(f"{obj.__module__}.{obj.__qualname__}", obj)
    return sorted(seen.items())


PUBLIC = _public_objects()


def _inherited_from_python(klass, name):
    """Whether ``klass.name`` comes from a built-in class (``object``,
    ``BaseException``): its docstring is Python's, not numpydoc."""
    for base in inspect.getmro(klass):
        if name in vars(base):
            return base.__module__ == "builtins"
    return False


def _methods():
    for path, klass in PUBLIC:
        if not inspect.isclass(klass):
            continue
        methods = [None]
        for name in dir(klass):
            if name.startswith("_") or _inherited_from_python(klass, name):
                continue
            obj = getattr(klass, name)
            if callable(obj) or isinstance(obj, property):
                methods.append(name)
        for method in sorted(methods, key=str):
            yield pytest.param(
                klass, method, id=path if method is None else f"{path}.{method}"
            )


def filter_errors(errors, method, Klass=None):
    """Ignore the errors scikit-learn ignores, but require an Examples section
    (EX01) of every public function as well as of every public class.

    ``method`` is None for a class or a function (``Klass`` None), else the
    name of the method or property of ``Klass`` validated.
    """
    for code, message in errors:
        # RT02: the first line of a Returns section may name the returned
        # object; GL01, GL02: where the summary and the closing quotes go
        if code in ["RT02", "GL01", "GL02"]:
            continue
        # PR02 (unknown parameters) and GL08 (no docstring, as the signature
        # of a property cannot be parsed) do not apply to properties
        if code in ("PR02", "GL08") and Klass is not None and method is not None:
            if isinstance(getattr(Klass, method), property):
                continue
        # ES01 (extended summary), SA01 (See Also) and EX01 (Examples): of
        # class docstrings only, as scikit-learn; EX01 of functions too
        if method is not None and code in ["EX01", "SA01", "ES01"]:
            continue
        if Klass is None and code in ["SA01", "ES01"]:
            continue
        yield code, message


def repr_errors(res, name):
    """The docstring and its errors, for the failure message."""
    return "\n\n" + "\n\n".join(
        [
            str(res["file"]),
            name,
            res["docstring"],
            "# Errors",
            "\n".join(f" - {code}: {message}" for code, message in res["errors"]),
        ]
    )


@pytest.mark.parametrize(
    "path",
    [path for path, obj in PUBLIC if inspect.isfunction(obj)],
)
def test_function_docstring(path):
    res = numpydoc_validation.validate(path)
    res["errors"] = list(filter_errors(res["errors"], method=None))
    if res["errors"]:
        raise ValueError(repr_errors(res, path))


@pytest.mark.parametrize("Klass, method", list(_methods()))
def test_docstring(Klass, method):
    path = f"{Klass.__module__}.{Klass.__qualname__}"
    if method is not None:
        path = f"{path}.{method}"
    res = numpydoc_validation.validate(path)
    res["errors"] = list(filter_errors(res["errors"], method, Klass=Klass))
    if res["errors"]:
        raise ValueError(repr_errors(res, path))


def test_public_objects_found():
    """The walk finds the public classes and functions, each once."""
    names = [path.rsplit(".", 1)[1] for path, _ in PUBLIC]
    assert len(names) == len(set(names))
    for name in ["BayesSearchCV", "Real", "ContourDisplay", "Journal", "diagnose"]:
        assert name in names
    assert not any(re.fullmatch(r"__\w+__|[A-Z_]+", name) for name in names)


# ------------------------------------------------------------ rendering
def _render_errors(obj):
    """What docutils reports (warnings and errors) about the reStructuredText
    that numpydoc makes of ``obj``'s docstring, Sphinx's roles read as plain
    text: a trailing underscore read as a link (``n_features_in_``), a bad
    indentation, an unclosed literal."""
    from docutils.core import publish_doctree
    from numpydoc.docscrape_sphinx import get_doc_object

    text = str(get_doc_object(obj, config={"show_class_members": False}))
    text = re.sub(r":[\w:]+:`", "`", text)  # :class:`X` -> `X`
    # Sphinx's directives that numpydoc writes, as docutils' own
    text = text.replace(".. only:: latex", "").replace(".. seealso::", ".. note::")
    stream = io.StringIO()
    publish_doctree(
        text,
        settings_overrides={
            "report_level": 2,
            "halt_level": 5,
            "warning_stream": stream,
        },
    )
    return stream.getvalue()


@pytest.mark.parametrize("path, obj", PUBLIC, ids=[path for path, _ in PUBLIC])
def test_docstring_renders(path, obj):
    pytest.importorskip("docutils")
    assert _render_errors(obj) == ""


def test_a_rendering_error_is_found():
    pytest.importorskip("docutils")

    def f():
        """Summary.

        Parameters
        ----------
        X : ndarray of shape (n_features_in_,)
            Data.
        """

    assert "n_features_in" in _render_errors(f)


# ------------------------------------------------- doctests' collection
def test_every_module_imports_without_the_extras():
    """``--doctest-modules`` imports every module of skhpo: none may need an
    optional extra (matplotlib, rich, distributed) or a test tool to be
    imported; the examples that draw are skipped without matplotlib
    (``conftest.py``)."""
    code = """
import importlib, pkgutil, sys
for name in ["matplotlib", "rich", "distributed", "dask", "pytest"]:
    sys.modules[name] = None  # import name raises ImportError
import skhpo
failed = []
for module in pkgutil.walk_packages(skhpo.__path__, "skhpo."):
    try:
        importlib.import_module(module.name)
    except ImportError as exc:
        failed.append(f"{module.name}: {exc}")
print("\\n".join(failed))
"""
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(skhpo.__file__).parents[1],  # this skhpo, not another install
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == ""
