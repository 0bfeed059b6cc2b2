"""The exact functional ANOVA of trees, against the ANOVA of a table."""

import numpy as np
import pytest
from sklearn.tree import DecisionTreeRegressor

from skhpo.importance._fanova import (
    decompose,
    decompose_forest,
    leaf_boxes,
    marginal_at,
)


def table_anova(table):
    """Main-effect and interaction shares of a 2-d table of equal-weight cells."""
    mean = table.mean()
    row = table.mean(axis=1) - mean
    col = table.mean(axis=0) - mean
    total = ((table - mean) ** 2).mean()
    inter = table - mean - row[:, None] - col[None, :]
    return (row**2).mean() / total, (col**2).mean() / total, (inter**2).mean() / total


@pytest.fixture
def grid_tree():
    """A tree fitted exactly to a 4 x 3 table on its cell centres (plus a third,
    inert input)."""
    rng = np.random.default_rng(0)
    table = rng.normal(size=(4, 3)) + np.array([0.0, 2.0, -1.0, 3.0])[:, None]
    i, j = np.meshgrid(np.arange(4), np.arange(3), indexing="ij")
    X = np.column_stack(
        [(i.ravel() + 0.5) / 4, (j.ravel() + 0.5) / 3, np.full(12, 0.5)]
    )
    tree = DecisionTreeRegressor(random_state=0).fit(X, table.ravel())
    snap = {0: np.linspace(0, 1, 5), 1: np.linspace(0, 1, 4)}
    return table, leaf_boxes(tree.tree_, 3, snap)


def test_tree_decomposition_is_the_tables_anova(grid_tree):
    table, boxes = grid_tree
    assert boxes.volume.sum() == pytest.approx(1.0)
    assert boxes.mean == pytest.approx(table.mean())
    assert boxes.variance == pytest.approx(((table - table.mean()) ** 2).mean())
    main0, main1, inter = table_anova(table)
    parts = decompose(boxes)  # pairs (0, 1), (0, 2), (1, 2)
    np.testing.assert_allclose(parts.main, [main0, main1, 0.0], atol=1e-12)
    np.testing.assert_allclose(parts.pairs, [inter, 0.0, 0.0], atol=1e-12)
    assert parts.main.sum() + parts.pairs.sum() == pytest.approx(1.0)


def test_marginal_is_the_tables_row_means(grid_tree):
    table, boxes = grid_tree
    u = (np.arange(4) + 0.5) / 4
    np.testing.assert_allclose(marginal_at(boxes, 0, u), table.mean(axis=1))


def test_forest_of_one_tree_agrees(grid_tree):
    table, boxes = grid_tree
    cells = [np.linspace(0, 1, 5), np.linspace(0, 1, 4), np.linspace(0, 1, 9)]
    whole = decompose_forest([boxes], cells, [(0, 1)], boxes.variance)
    main0, main1, inter = table_anova(table)
    np.testing.assert_allclose(whole.main, [main0, main1, 0.0], atol=1e-12)
    np.testing.assert_allclose(whole.pairs, [inter], atol=1e-12)
    np.testing.assert_allclose(whole.tree_main[0], whole.main, atol=1e-12)


def test_average_of_two_trees_is_decomposed_as_one_function():
    """Two trees, each a step in a different input: their mean is additive."""
    X = np.array([[0.25, 0.5], [0.75, 0.5]])
    a = DecisionTreeRegressor().fit(X, [0.0, 1.0])
    b = DecisionTreeRegressor().fit(X[:, ::-1], [0.0, 2.0])
    trees = [leaf_boxes(a.tree_, 2), leaf_boxes(b.tree_, 2)]
    # Mean function: 0.5 * step(x0) + 1.0 * step(x1); variances 1/16 and 1/4.
    whole = decompose_forest(
        trees, [np.linspace(0, 1, 5)] * 2, [(0, 1)], 1 / 16 + 1 / 4
    )
    np.testing.assert_allclose(whole.main, [0.2, 0.8])
    np.testing.assert_allclose(whole.pairs, [0.0], atol=1e-12)
    # Each tree alone explains all of its own variance by its one input.
    np.testing.assert_allclose(whole.tree_main, [[1.0, 0.0], [0.0, 1.0]])


def test_constant_tree_has_no_shares():
    tree = DecisionTreeRegressor().fit(np.array([[0.2, 0.3], [0.7, 0.9]]), [1.0, 1.0])
    parts = decompose(leaf_boxes(tree.tree_, 2))
    assert parts.variance == 0.0 and not parts.main.any() and not parts.pairs.any()
