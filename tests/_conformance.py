"""Running scikit-learn's own test files against a skhpo search.

A test file of the installed scikit-learn is read at collection time and
executed as a module in which every use of one scikit-learn search name (say
``RandomizedSearchCV``) is rebound to a skhpo class (import lines, strings and
comments are left as they are; line numbers are kept, so tracebacks point into
scikit-learn's file). A test is kept when its definition, or a module-level
definition it refers to, names the skhpo class after the rebinding, or when one
of its parametrizations holds it; of a parametrization that holds one, only
the cases that do are kept. Nothing of scikit-learn is copied into this
repository, so the tiers follow the installed release.

Each tier module (``tests/test_sklearn_conformance*.py``) builds a
:class:`Tier` and calls :meth:`Tier.load` and :meth:`Tier.expose` at import.
"""

from __future__ import annotations

import ast
import linecache
import os
import re
import sys
import types
from pathlib import Path

import joblib
import pytest
import sklearn
from _pytest.mark.structures import ParameterSet
from threadpoolctl import threadpool_limits

SKLEARN_DIR = Path(sklearn.__file__).parent


def _compile(tree, source, filename):
    try:  # pytest's assertion messages, as if pytest had imported the file
        from _pytest.assertion.rewrite import rewrite_asserts

        rewrite_asserts(tree, source.encode(), filename)
    except Exception:  # pragma: no cover - private pytest API changed
        tree = ast.parse(source, filename)
    return compile(tree, filename, "exec")


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


#: The columns of when and where each fold ran, which every skhpo search adds
TIMING_COLUMN = re.compile(
    r"(split\d+_)?(start_time|end_time)|split\d+_(worker|status)"
)


def with_extra_columns(check, extra_columns):
    """scikit-learn's ``check_cv_results_keys``, told a search's documented
    extra columns: ``extra_columns`` and the timing columns."""

    def check_cv_results_keys(
        cv_results, param_keys, score_keys, n_cand, extra_keys=()
    ):
        timing = [key for key in cv_results if TIMING_COLUMN.fullmatch(key)]
        extra = tuple(dict.fromkeys((*extra_keys, *extra_columns, *timing)))
        return check(cv_results, param_keys, score_keys, n_cand, extra)

    return check_cv_results_keys


class Tier:
    """scikit-learn test files with the name ``rebound`` rebound to ``target``.

    Parameters
    ----------
    target : type
        The skhpo class (or a test adapter of it) the rebound name becomes.
    rebound : type
        The scikit-learn search class whose name is rebound. An instance of it
        found in a parametrization becomes ``target`` with its parameters
        (``target`` takes its signature).
    module_prefix : str
        Prefix of the executed modules' names (top-level, so pickle finds the
        classes they define).
    xfail : dict
        ``{test name: reason}``: tests that run and must fail.
    known_differences : dict
        ``{test name: reason}``: tests not run although they involve the class.
    """

    def __init__(
        self,
        target,
        rebound,
        module_prefix,
        *,
        xfail=None,
        known_differences=None,
    ):
        self.target = target
        self.name = target.__name__
        self.rebound = rebound.__name__
        self._rebound_class = rebound
        self.module_prefix = module_prefix
        self.xfail = dict(xfail or {})
        self.known_differences = dict(known_differences or {})
        self.deselected = {}  # every test not run, with its reason
        self.modules = {}

    def convert(self, value):
        """An instance of the rebound class as ``target``; anything else as is."""
        if type(value) is self._rebound_class:
            return self.target(**value.get_params(deep=False))
        return value

    # ------------------------------------------------------------- loading
    def _rebind(self, source):
        spans = sorted(
            (
                (node.lineno, node.col_offset, node.end_col_offset)
                for node in ast.walk(ast.parse(source))
                if isinstance(node, ast.Name) and node.id == self.rebound
            ),
            reverse=True,
        )
        lines = source.splitlines(keepends=True)
        for lineno, start, end in spans:
            line = lines[lineno - 1]
            lines[lineno - 1] = line[:start] + self.name + line[end:]
        return "".join(lines)

    def load(self, relative):
        """Execute the rebound ``sklearn/<relative>``; return the module and AST."""
        source = self._rebind((SKLEARN_DIR / relative).read_text(encoding="utf-8"))
        filename = f"<{self.name}-rebound sklearn/{relative}>"
        linecache.cache[filename] = (
            len(source),
            None,
            source.splitlines(True),
            filename,
        )
        name = f"{self.module_prefix}_{Path(relative).stem}"
        module = types.ModuleType(name)
        module.__file__ = filename
        setattr(module, self.name, self.target)  # stands for `from skhpo import`
        sys.modules[name] = module
        # two trees: the assertion rewriting changes the one it compiles
        exec(_compile(ast.parse(source, filename), source, filename), vars(module))
        self.modules[relative] = module
        return module, ast.parse(source, filename)

    # ----------------------------------------------------------- selection
    def _holds(self, value, depth=0):
        if isinstance(value, type):
            return issubclass(value, self.target)
        if isinstance(value, self.target):
            return True
        if depth > 3:
            return False
        if isinstance(value, ParameterSet):
            value = value.values
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, (list, tuple)):
            return any(self._holds(v, depth + 1) for v in value)
        return False

    def _narrow_parametrize(self, func):
        """Keep the target's cases of the parametrizations that hold one."""
        marks, holds = [], False
        for mark in getattr(func, "pytestmark", []):
            if mark.name == "parametrize":
                argnames, argvalues = mark.args[:2]
                values = [self.convert(v) for v in argvalues]  # may be a generator
                keep = [self._holds(v) for v in values]
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

    def _why_not(self, names):
        searches = sorted(
            n for n in names if n.endswith("SearchCV") or n.startswith("Parameter")
        )
        uses = f"uses {', '.join(searches)}" if searches else "uses no search class"
        return f"not about {self.name}: never involves {self.rebound} ({uses})"

    def expose(self, module, tree, namespace):
        """Put ``module``'s tests that involve the target into ``namespace``."""
        refs = _top_level_refs(tree)
        for name, func in vars(module).items():
            if not (name.startswith("test") and isinstance(func, types.FunctionType)):
                continue
            if func.__module__ != module.__name__:
                continue  # imported, not defined here
            closure = _closure(name, refs)
            involved = self._narrow_parametrize(func) or self.name in closure
            if not involved:
                self.deselected[name] = self._why_not(closure)
            elif name in self.known_differences:
                self.deselected[name] = self.known_differences[name]
            elif name in namespace:
                raise RuntimeError(f"two scikit-learn test files define {name}")
            else:
                if name in self.xfail:
                    xfail = pytest.mark.xfail(
                        reason=self.xfail[name], raises=AssertionError, strict=True
                    )
                    func = xfail(func)
                namespace[name] = func

    def check_lists(self, namespace):
        """Every listed name exists and is handled as listed."""
        defined = {
            name
            for module in self.modules.values()
            for name in vars(module)
            if name.startswith("test")
        }
        assert set(self.xfail) <= defined
        assert set(self.known_differences) <= defined
        assert not set(self.xfail) & set(self.known_differences)
        assert set(self.xfail).isdisjoint(self.deselected)
        assert set(self.xfail) <= set(namespace)

    def load_search_tier(self, namespace, extra_columns, rebound="RandomizedSearchCV"):
        """Load and expose the three files of the foundation's tier.

        ``test_search.py`` (its ``check_cv_results_keys`` told the target's
        documented extra columns), the routing tests, and the delegation tests
        narrowed to the (rebound) ``rebound`` entry.
        """

        def adapt_search(module):
            module.check_cv_results_keys = with_extra_columns(
                module.check_cv_results_keys, extra_columns
            )

        def adapt_delegation(module):
            module.DELEGATING_METAESTIMATORS = [
                module.DelegatorData(
                    self.name, data.construct, skip_methods=data.skip_methods
                )
                for data in module.DELEGATING_METAESTIMATORS
                if data.name == rebound
            ]

        for relative, adapt in [
            (SEARCH_TESTS, adapt_search),
            (ROUTING_TESTS, None),
            (DELEGATION_TESTS, adapt_delegation),
        ]:
            module, tree = self.load(relative)
            if adapt is not None:
                adapt(module)
            self.expose(module, tree, namespace)


SEARCH_TESTS = "model_selection/tests/test_search.py"
ROUTING_TESTS = "tests/test_metaestimators_metadata_routing.py"
DELEGATION_TESTS = "tests/test_metaestimators.py"


@pytest.fixture(autouse=True)
def threads_per_worker():
    """One core's share of BLAS/OpenMP threads per xdist worker, as scikit-learn's
    conftest sets for these tests (oversubscribed OpenMP makes the gradient
    boosting of ``test_n_features_in`` tens of times slower). Import it into a
    tier module to use it."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", 1))
    limit = max(joblib.cpu_count(only_physical_cores=True) // workers, 1)
    with threadpool_limits(limit):
        yield
