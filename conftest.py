"""pytest's configuration for the whole repository: the docstring examples.

``python -m pytest`` runs the tests and, with ``--doctest-modules`` on the
``skhpo`` folder (``setup.cfg``), the Examples of every docstring. They draw
on matplotlib's Agg backend, so that no window opens, and each closes its
figures; without matplotlib (the ``plot`` extra), the examples that draw are
skipped. Every module of ``skhpo`` imports without the optional extras
(``tests/test_docstrings.py`` checks it), so none is left out of collection.
"""

import sys

import pytest

try:
    import matplotlib
except ImportError:
    matplotlib = None


def pytest_configure(config):
    if matplotlib is not None:
        matplotlib.use("Agg")


def _doctest(item):
    """The docstring's examples if ``item`` runs them, else None."""
    test = getattr(item, "dtest", None)
    return None if test is None else test.examples


def _draws(examples):
    """Whether docstring examples use matplotlib (a display draws)."""
    return any(
        "Display" in example.source or "matplotlib" in example.source
        for example in examples
    )


def pytest_collection_modifyitems(config, items):
    if matplotlib is not None:
        return
    skip = pytest.mark.skip(reason="the example draws: needs matplotlib (plot extra)")
    for item in items:
        examples = _doctest(item)
        if examples is not None and _draws(examples):
            item.add_marker(skip)


def pytest_runtest_teardown(item, nextitem):
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None and _doctest(item) is not None:
        pyplot.close("all")
