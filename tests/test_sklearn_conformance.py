"""scikit-learn's own search tests, run against BayesSearchCV.

Three test files of the installed scikit-learn are read at collection time and
executed as modules in which every use of the name ``RandomizedSearchCV`` is
rebound to :class:`skhpo.BayesSearchCV` (import lines, strings and comments are
left as they are; line numbers are kept, so tracebacks point into scikit-learn's
file):

- ``sklearn/model_selection/tests/test_search.py``;
- ``sklearn/tests/test_metaestimators_metadata_routing.py``: its
  ``RandomizedSearchCV`` entry of ``METAESTIMATORS`` becomes a BayesSearchCV
  entry;
- ``sklearn/tests/test_metaestimators.py``: ``DELEGATING_METAESTIMATORS`` is
  narrowed to its (rebound) ``RandomizedSearchCV`` entry, and the
  ``RandomizedSearchCV`` instance of ``DATA_VALIDATION_META_ESTIMATORS`` becomes a
  BayesSearchCV with the same parameters.

A test is kept when its definition, or a module-level definition it refers to,
names BayesSearchCV after the rebinding, or when one of its parametrizations
holds a BayesSearchCV; of a parametrization that holds one, only the cases that
do are kept. Nothing of scikit-learn is copied into this repository, so the tier
follows the installed release.

The tests not run are in :data:`DESELECTED`, the ones that run and must fail in
:data:`XFAIL`, the scikit-learn helpers adapted to BayesSearchCV's documented
extensions in :data:`ADAPTED`: each with its reason.
"""

import ast
import functools
import linecache
import os
import sys
import types
from pathlib import Path

import joblib
import pytest
import sklearn
from _pytest.mark.structures import ParameterSet
from sklearn.model_selection import RandomizedSearchCV
from threadpoolctl import threadpool_limits

from skhpo import BayesSearchCV

REBOUND = "RandomizedSearchCV"
BAYES = BayesSearchCV.__name__
SKLEARN_DIR = Path(sklearn.__file__).parent
SEARCH_TESTS = "model_selection/tests/test_search.py"
ROUTING_TESTS = "tests/test_metaestimators_metadata_routing.py"
DELEGATION_TESTS = "tests/test_metaestimators.py"
EXTRA_COLUMNS = ("batch", "propose_time", "proposed_by")

# Tests that name BayesSearchCV but check what it does differently by design:
# they run, and must fail. {test name: reason}
XFAIL = {
    "test_search_with_2d_array": (
        "expects the three candidates ParameterSampler(random_state=0) draws "
        "from the four-point grid, in its order; BayesSearchCV proposes its own"
    ),
}

# Tests that name BayesSearchCV but are not run. {test name: reason}
KNOWN_DIFFERENCES = {}

# scikit-learn test helpers adapted to BayesSearchCV. {helper name: reason}
ADAPTED = {
    "check_cv_results_keys": (
        "asserts the exact set of cv_results_ keys: BayesSearchCV's documented "
        "extra columns (batch, propose_time, proposed_by) are passed as the "
        "helper's extra_keys, as scikit-learn's halving tests pass theirs"
    ),
}

# Every test of the three files that is not run, filled at collection:
# KNOWN_DIFFERENCES and the tests that never involve RandomizedSearchCV.
DESELECTED = {}


# ------------------------------------------------------------------- loading
def _rebind(source):
    """``source`` with each use of the name ``RandomizedSearchCV`` renamed.

    Only ``ast.Name`` nodes are renamed, in place, so line numbers are kept.
    """
    spans = sorted(
        (
            (node.lineno, node.col_offset, node.end_col_offset)
            for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Name) and node.id == REBOUND
        ),
        reverse=True,
    )
    lines = source.splitlines(keepends=True)
    for lineno, start, end in spans:
        line = lines[lineno - 1]
        lines[lineno - 1] = line[:start] + BAYES + line[end:]
    return "".join(lines)


def _compile(tree, source, filename):
    try:  # pytest's assertion messages, as if pytest had imported the file
        from _pytest.assertion.rewrite import rewrite_asserts

        rewrite_asserts(tree, source.encode(), filename)
    except Exception:  # pragma: no cover - private pytest API changed
        tree = ast.parse(source, filename)
    return compile(tree, filename, "exec")


def _load(relative):
    """Execute the rebound ``sklearn/<relative>``; return the module and its AST."""
    source = _rebind((SKLEARN_DIR / relative).read_text(encoding="utf-8"))
    filename = f"<{BAYES}-rebound sklearn/{relative}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    # a top-level name: pickle imports a class's module by name
    name = "skhpo_conformance_" + Path(relative).stem
    module = types.ModuleType(name)
    module.__file__ = filename
    module.BayesSearchCV = BayesSearchCV  # stands for `from skhpo import ...`
    sys.modules[name] = module
    # two trees: the assertion rewriting changes the one it compiles
    exec(_compile(ast.parse(source, filename), source, filename), vars(module))
    return module, ast.parse(source, filename)


# ----------------------------------------------------------------- selection
def _top_level_refs(tree):
    """{top-level name: the names its definition refers to}."""
    refs = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            targets = [node.name]
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            nodes = node.targets if isinstance(node, ast.Assign) else [node.target]
            targets = [
                n.id for t in nodes for n in ast.walk(t) if isinstance(n, ast.Name)
            ]
        else:
            continue
        names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        for target in targets:
            refs.setdefault(target, set()).update(names)
    return refs


def _closure(name, refs):
    """The names ``name``'s definition reaches through top-level definitions."""
    seen, todo = set(), [name]
    while todo:
        current = todo.pop()
        for found in refs.get(current, ()):
            if found not in seen:
                seen.add(found)
                todo.append(found)
    return seen


def _rebind_value(value):
    """A RandomizedSearchCV instance as a BayesSearchCV with its parameters."""
    if type(value) is RandomizedSearchCV:
        return BayesSearchCV(**value.get_params(deep=False))
    return value


def _holds_bayes(value, depth=0):
    if isinstance(value, type):
        return issubclass(value, BayesSearchCV)
    if isinstance(value, BayesSearchCV):
        return True
    if depth > 3:
        return False
    if isinstance(value, ParameterSet):
        value = value.values
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return any(_holds_bayes(v, depth + 1) for v in value)
    return False


def _narrow_parametrize(func):
    """Keep the BayesSearchCV cases of the parametrizations that hold one.

    Returns whether any parametrization holds a BayesSearchCV.
    """
    marks, holds = [], False
    for mark in getattr(func, "pytestmark", []):
        if mark.name == "parametrize":
            argnames, argvalues = mark.args[:2]
            values = [_rebind_value(v) for v in argvalues]  # may be a generator
            keep = [_holds_bayes(v) for v in values]
            if any(keep):
                holds = True
            else:
                keep = [True] * len(values)
            kwargs = dict(mark.kwargs)
            if isinstance(kwargs.get("ids"), (list, tuple)):
                kwargs["ids"] = [i for i, k in zip(kwargs["ids"], keep) if k]
            values = [v for v, k in zip(values, keep) if k]
            mark = pytest.mark.parametrize(argnames, values, **kwargs).mark
        marks.append(mark)
    if marks:
        func.pytestmark = marks
    return holds


def _why_not(names):
    """Reason a test not involving RandomizedSearchCV is not run."""
    searches = sorted(
        n for n in names if n.endswith("SearchCV") or n.startswith("Parameter")
    )
    uses = f"uses {', '.join(searches)}" if searches else "uses no search class"
    return f"not about BayesSearchCV: never involves RandomizedSearchCV ({uses})"


def _expose(module, tree, namespace):
    """Put ``module``'s tests that involve BayesSearchCV into ``namespace``."""
    refs = _top_level_refs(tree)
    for name, func in vars(module).items():
        if not (name.startswith("test") and isinstance(func, types.FunctionType)):
            continue
        if func.__module__ != module.__name__:
            continue  # imported, not defined here
        closure = _closure(name, refs)
        involved = _narrow_parametrize(func) or BAYES in closure
        if not involved:
            DESELECTED[name] = _why_not(closure)
        elif name in KNOWN_DIFFERENCES:
            DESELECTED[name] = KNOWN_DIFFERENCES[name]
        elif name in namespace:
            raise RuntimeError(f"two scikit-learn test files define {name}")
        else:
            if name in XFAIL:
                xfail = pytest.mark.xfail(
                    reason=XFAIL[name], raises=AssertionError, strict=True
                )
                func = xfail(func)
            namespace[name] = func


def _adapt_search_tests(module):
    module.check_cv_results_keys = functools.partial(
        module.check_cv_results_keys, extra_keys=EXTRA_COLUMNS
    )


def _adapt_delegation_tests(module):
    module.DELEGATING_METAESTIMATORS = [
        module.DelegatorData(BAYES, data.construct, skip_methods=data.skip_methods)
        for data in module.DELEGATING_METAESTIMATORS
        if data.name == REBOUND
    ]


_MODULES = {}
for _relative, _adapt in [
    (SEARCH_TESTS, _adapt_search_tests),
    (ROUTING_TESTS, None),
    (DELEGATION_TESTS, _adapt_delegation_tests),
]:
    _module, _tree = _load(_relative)
    if _adapt is not None:
        _adapt(_module)
    _expose(_module, _tree, globals())
    _MODULES[_relative] = _module


# ------------------------------------------------------------- environment
@pytest.fixture(autouse=True)
def _threads_per_worker():
    """One core's share of BLAS/OpenMP threads per xdist worker, as scikit-learn's
    conftest sets for these tests (oversubscribed OpenMP makes the gradient
    boosting of ``test_n_features_in`` tens of times slower)."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", 1))
    limit = max(joblib.cpu_count(only_physical_cores=True) // workers, 1)
    with threadpool_limits(limit):
        yield


# ----------------------------------------------------------- the lists' care
def test_conformance_lists_are_current():
    """Every listed name exists, and every rebinding took place."""
    defined = {
        name
        for module in _MODULES.values()
        for name in vars(module)
        if name.startswith("test")
    }
    assert set(XFAIL) <= defined
    assert set(KNOWN_DIFFERENCES) <= defined
    assert not set(XFAIL) & set(KNOWN_DIFFERENCES)
    assert set(XFAIL).isdisjoint(DESELECTED)
    assert set(XFAIL) <= set(globals())
    for name in ADAPTED:
        assert any(hasattr(module, name) for module in _MODULES.values())
    delegation = _MODULES[DELEGATION_TESTS]
    assert [d.name for d in delegation.DELEGATING_METAESTIMATORS] == [BAYES]
    routing = _MODULES[ROUTING_TESTS]
    assert BayesSearchCV in [row["metaestimator"] for row in routing.METAESTIMATORS]
    assert RandomizedSearchCV not in [
        row["metaestimator"] for row in routing.METAESTIMATORS
    ]
