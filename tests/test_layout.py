"""The layers keep apart: policies know nothing of estimators, workers or
searches; the engine nothing of the searches or of what PBT may change."""

import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "skhpo"


def _imports(path):
    """Absolute names of the modules a file imports (relative ones resolved)."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = module.rsplit(".", 1)[0] if path.name != "__init__.py" else module
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module
            names.add(name)
            names.update(f"{name}.{alias.name}" for alias in node.names)
    return names


def _files(folder):
    return sorted((PACKAGE / folder).rglob("*.py"))


def _offending(files, forbidden):
    found = {}
    for path in files:
        bad = sorted(
            name
            for name in _imports(path)
            if any(name == f or name.startswith(f + ".") for f in forbidden)
        )
        if bad:
            found[str(path.relative_to(PACKAGE))] = bad
    return found


# the policy layer and what it builds on: pure decisions and maths
PURE = ["schedulers", "acquisition", "surrogates", "space"]


@pytest.mark.parametrize("folder", PURE)
def test_the_policy_layer_imports_no_estimator_worker_or_search(folder):
    forbidden = ["sklearn", "joblib", "pandas", "skhpo.search", "skhpo._engine"]
    forbidden += ["skhpo._base", "skhpo._fidelity", "skhpo._mutable"]
    assert _offending(_files(folder), forbidden) == {}


def test_the_engine_imports_no_search_and_no_pbt_concern():
    forbidden = ["skhpo.search", "skhpo._mutable", "skhpo._fidelity", "skhpo._base"]
    forbidden += ["skhpo.schedulers"]
    assert _offending(_files("_engine"), forbidden) == {}


def test_no_policy_class_lives_in_a_search_module():
    """A search module is its public class: docstring, checks, _run_search."""
    expected = {
        "__init__.py": [],
        "bayes.py": ["BayesSearchCV"],
        "hyperband.py": ["HyperbandSearchCV"],
        "pbt.py": ["PBTSearchCV"],
    }
    found = {
        path.name: [
            node.name
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.ClassDef)
        ]
        for path in _files("search")
    }
    assert found == expected


# ----------------------------------------------- private names of other libraries
#: the one module of skhpo allowed to import each library's private names
COMPAT = {
    "sklearn": "utils/_sklearn_compat.py",
    "joblib": "utils/_joblib_compat.py",
}


def _private(part):
    return part.startswith("_") and not (part.startswith("__") and part.endswith("__"))


def _private_module(name, library):
    """Whether the dotted ``name`` is (in) a private part of ``library``."""
    root, *rest = name.split(".")
    if library == "joblib" and rest[:1] == ["externals"]:
        return root == library
    return root == library and any(_private(part) for part in rest)


def _dotted(node):
    """``a.b.c`` for an attribute chain on a plain name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    return ".".join([node.id, *reversed(parts)]) if isinstance(node, ast.Name) else None


def _private_uses(source, library):
    """``[(line, name)]``: the private names and modules of ``library`` that
    ``source`` imports (``import``, ``from ... import``, ``import_module`` of a
    literal) or reaches as ``library.x._y``. joblib's vendored packages
    (``joblib.externals``) count as private."""
    found = []
    for node in ast.walk(ast.parse(source)):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names = [node.module]  # a private module, or else its private names
            if not _private_module(node.module, library):
                names = [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Call) and node.args:
            function, first = _dotted(node.func), node.args[0]
            if function in ("import_module", "importlib.import_module", "__import__"):
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    names = [first.value]
        elif isinstance(node, ast.Attribute):
            names = [_dotted(node) or ""]
        found += [
            (node.lineno, name) for name in names if _private_module(name, library)
        ]
    return sorted(set(found))


@pytest.mark.parametrize("library", sorted(COMPAT))
def test_private_names_of_a_library_are_imported_in_its_compat_module_only(library):
    """scikit-learn's and joblib's internals are reached through
    ``skhpo/utils/_sklearn_compat.py`` and ``_joblib_compat.py``: when one
    moves, that file is the only one to change."""
    found = {
        str(path.relative_to(PACKAGE)): uses
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != PACKAGE / COMPAT[library]
        and (uses := _private_uses(path.read_text(), library))
    }
    assert found == {}


@pytest.mark.parametrize(
    "source, library, expected",
    [
        ("from sklearn.utils.validation import _num_samples", "sklearn", 1),
        ("from sklearn.model_selection._search import BaseSearchCV", "sklearn", 1),
        ("import sklearn.utils._param_validation", "sklearn", 1),
        ("def f():\n    from sklearn.naive_bayes import _BaseDiscreteNB", "sklearn", 1),
        ("import importlib\nimportlib.import_module('sklearn.base._x')", "sklearn", 1),
        ("import sklearn.utils\nsklearn.utils._safe_indexing", "sklearn", 1),
        ("from joblib.externals import cloudpickle", "joblib", 1),
        ("from joblib._parallel_backends import SequentialBackend", "joblib", 1),
        ("from sklearn.utils.metadata_routing import process_routing", "sklearn", 0),
        ("from sklearn import __version__", "sklearn", 0),
        ("from ._private import helper", "sklearn", 0),
        ("from joblib import Parallel, parallel_config", "joblib", 0),
        ("from sklearn.utils._param_validation import Interval", "joblib", 0),
    ],
)
def test_private_uses_are_found(source, library, expected):
    assert len(_private_uses(source, library)) == expected


@pytest.mark.parametrize(
    "module", ["skhpo.utils._sklearn_compat", "skhpo.utils._joblib_compat"]
)
def test_every_name_of_a_compat_module_resolves(module):
    compat = importlib.import_module(module)
    assert all(getattr(compat, name) is not None for name in compat.__all__)
