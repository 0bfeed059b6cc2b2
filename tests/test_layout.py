"""The layers keep apart: policies know nothing of estimators, workers or
searches; the engine nothing of the searches or of what PBT may change."""

import ast
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
