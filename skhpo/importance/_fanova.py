"""Functional ANOVA of a tree ensemble, exactly, from the trees' leaf boxes.

Every input lives in the unit cube [0, 1]^d, in which the measure the space
was sampled in is uniform. A fitted regression tree is then a piecewise
constant function on boxes (its leaves), and its functional ANOVA
decomposition (Hutter, Hoos & Leyton-Brown, ICML 2014) is exact and cheap:

- the mean and the total variance are sums over leaves weighted by volume;
- the marginal of one input, the tree averaged over all the others, is
  constant between consecutive split values of that input, so it is a
  difference array over those split values;
- the marginal of a pair is a two-dimensional difference array likewise.

A main effect's share is the variance of its marginal over the total
variance; a pair's interaction share is the variance of the pair's marginal
minus both main effects, over the total. Shares are per tree; the report
gives the shares of the surrogate, the average of the trees (see
:func:`decompose_forest`), with their spread over the trees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

import numpy as np


@dataclass(frozen=True)
class LeafBoxes:
    """The leaves of one tree: box bounds, values and volumes.

    Attributes
    ----------
    low, high : ndarray of shape (n_leaves, n_features)
        Box bounds in the unit cube.
    value : ndarray of shape (n_leaves,)
        Prediction of each leaf.
    volume : ndarray of shape (n_leaves,)
        Volume of each box; they sum to 1.
    """

    low: np.ndarray
    high: np.ndarray
    value: np.ndarray
    volume: np.ndarray
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def mean(self) -> float:
        if "mean" not in self._cache:
            self._cache["mean"] = float(self.volume @ self.value)
        return self._cache["mean"]

    @property
    def variance(self) -> float:
        if "variance" not in self._cache:
            self._cache["variance"] = float(self.volume @ (self.value - self.mean) ** 2)
        return self._cache["variance"]


def leaf_boxes(
    tree, n_features: int, snap: dict[int, np.ndarray] | None = None
) -> LeafBoxes:
    """The leaf boxes of a fitted scikit-learn tree on the unit cube.

    Parameters
    ----------
    tree : sklearn.tree._tree.Tree
        ``estimator.tree_`` of a fitted single-output regression tree.
    n_features : int
        Number of inputs.
    snap : dict of int to ndarray, optional
        For inputs whose values are cells (categories), the sorted cell
        edges; a split threshold is moved to the nearest edge, so that a
        split never cuts a cell in two.

    Returns
    -------
    boxes : LeafBoxes
    """
    left, right = tree.children_left, tree.children_right
    feature, threshold = tree.feature, tree.threshold.astype(float).copy()
    if snap:
        for f, edges in snap.items():
            at = feature == f
            if at.any():
                threshold[at] = nearest_edge(edges, threshold[at])
    n_nodes = tree.node_count
    low = np.zeros((n_nodes, n_features))
    high = np.ones((n_nodes, n_features))
    frontier = np.array([0])
    while frontier.size:
        inner = frontier[left[frontier] != -1]
        if not inner.size:
            break
        f, t = feature[inner], threshold[inner]
        lo, hi = low[inner], high[inner]
        t = np.clip(t, lo[np.arange(len(inner)), f], hi[np.arange(len(inner)), f])
        a, b = left[inner], right[inner]
        low[a], high[a] = lo, hi
        high[a, f] = t
        low[b], high[b] = lo, hi
        low[b, f] = t
        frontier = np.concatenate([a, b])
    leaves = np.flatnonzero(left == -1)
    low, high = low[leaves], high[leaves]
    volume = np.prod(high - low, axis=1)
    return LeafBoxes(low, high, tree.value[leaves, 0, 0].astype(float), volume)


def nearest_edge(edges: np.ndarray, t: np.ndarray) -> np.ndarray:
    """The edge of ``edges`` (sorted) nearest to each threshold ``t``."""
    i = np.clip(np.searchsorted(edges, t), 1, len(edges) - 1)
    below, above = edges[i - 1], edges[i]
    return np.where(t - below < above - t, below, above)


def _cells(boxes: LeafBoxes, i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Edges of the cells of input ``i`` and each leaf's first/last cell index."""
    key = ("cells", i)
    if key not in boxes._cache:
        low, high = boxes.low[:, i], boxes.high[:, i]
        edges = np.unique(np.concatenate([[0.0, 1.0], low, high]))
        boxes._cache[key] = (
            edges,
            np.searchsorted(edges, low),
            np.searchsorted(edges, high),
        )
    return boxes._cache[key]


def marginal(boxes: LeafBoxes, i: int) -> tuple[np.ndarray, np.ndarray]:
    """The tree averaged over every input but ``i``, as a step function.

    Returns
    -------
    edges : ndarray of shape (n_cells + 1,)
        Cell edges in [0, 1].
    values : ndarray of shape (n_cells,)
        The marginal on each cell.
    """
    key = ("marginal", i)
    if key not in boxes._cache:
        edges, a, b = _cells(boxes, i)
        width = boxes.high[:, i] - boxes.low[:, i]
        keep = width > 0
        weight = np.zeros_like(width)
        weight[keep] = boxes.value[keep] * boxes.volume[keep] / width[keep]
        m = len(edges)
        diff = np.bincount(a, weight, m) - np.bincount(b, weight, m)
        boxes._cache[key] = (edges, np.cumsum(diff)[:-1])
    return boxes._cache[key]


def pair_marginal(
    boxes: LeafBoxes, i: int, j: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The tree averaged over every input but ``i`` and ``j``, as a step function.

    Returns
    -------
    edges_i, edges_j : ndarray
        Cell edges of both inputs.
    values : ndarray of shape (len(edges_i) - 1, len(edges_j) - 1)
        The marginal on each cell.
    """
    ei, ai, bi = _cells(boxes, i)
    ej, aj, bj = _cells(boxes, j)
    area = (boxes.high[:, i] - boxes.low[:, i]) * (boxes.high[:, j] - boxes.low[:, j])
    keep = area > 0
    w = boxes.value[keep] * boxes.volume[keep] / area[keep]
    ai, bi, aj, bj = ai[keep], bi[keep], aj[keep], bj[keep]
    m, n = len(ei), len(ej)
    flat = np.concatenate([ai * n + aj, bi * n + aj, ai * n + bj, bi * n + bj])
    diff = np.bincount(flat, np.concatenate([w, -w, -w, w]), m * n).reshape(m, n)
    return ei, ej, np.cumsum(np.cumsum(diff, axis=0), axis=1)[:-1, :-1]


def _flat(variance: float, mean: float) -> bool:
    """Whether a function of this mean and variance is constant (up to rounding)."""
    return variance <= 1e-12 * max(1.0, mean * mean)


def _main_variances(boxes: LeafBoxes) -> np.ndarray:
    """Variance of the tree's marginal over each input (unnormalised)."""
    mean = boxes.mean
    d = boxes.low.shape[1]
    return np.array(
        [
            np.diff(e) @ (v - mean) ** 2
            for e, v in (marginal(boxes, i) for i in range(d))
        ]
    )


def _pair_variance(boxes: LeafBoxes, i: int, j: int, mean: float) -> float:
    """Variance of the tree's marginal over the pair (i, j)."""
    ei, ej, values = pair_marginal(boxes, i, j)
    cell = np.outer(np.diff(ei), np.diff(ej))
    return float(np.sum(cell * (values - mean) ** 2))


@dataclass(frozen=True)
class TreeDecomposition:
    """Variance shares of one tree.

    Attributes
    ----------
    main : ndarray of shape (n_features,)
        Main-effect shares.
    pairs : ndarray of shape (n_pairs,)
        Interaction shares of the pairs asked for, in their order.
    variance : float
        The tree's total variance (0 for a constant tree, whose shares are 0).
    """

    main: np.ndarray
    pairs: np.ndarray
    variance: float


def decompose(
    boxes: LeafBoxes, pairs: list[tuple[int, int]] | None = None
) -> TreeDecomposition:
    """Main-effect and pairwise-interaction variance shares of one tree.

    Parameters
    ----------
    boxes : LeafBoxes
    pairs : list of (int, int), optional
        Pairs of inputs whose interaction share to compute; by default all.

    Returns
    -------
    decomposition : TreeDecomposition
    """
    d = boxes.low.shape[1]
    if pairs is None:
        pairs = list(combinations(range(d), 2))
    mean, total = boxes.mean, boxes.variance
    if _flat(total, mean):
        return TreeDecomposition(np.zeros(d), np.zeros(len(pairs)), 0.0)
    main_var = _main_variances(boxes)
    pair_var = np.array(
        [
            _pair_variance(boxes, i, j, mean) - main_var[i] - main_var[j]
            for i, j in pairs
        ]
    )
    # Rounding can leave an interaction a hair below zero.
    return TreeDecomposition(
        main_var / total, np.clip(pair_var, 0.0, None) / total, total
    )


def _at(edges: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Index of the cell of each of ``u`` between ``edges``."""
    return np.clip(np.searchsorted(edges, u, side="right") - 1, 0, len(edges) - 2)


def marginal_at(boxes: LeafBoxes, i: int, u: np.ndarray) -> np.ndarray:
    """The tree's marginal over input ``i`` at unit values ``u``."""
    edges, values = marginal(boxes, i)
    return values[_at(edges, u)]


def pair_marginal_at(
    boxes: LeafBoxes, i: int, j: int, ui: np.ndarray, uj: np.ndarray
) -> np.ndarray:
    """The tree's marginal over inputs ``(i, j)`` on the grid ``ui`` x ``uj``.

    Returns
    -------
    values : ndarray of shape (len(ui), len(uj))
    """
    ei, ej, values = pair_marginal(boxes, i, j)
    return values[np.ix_(_at(ei, np.asarray(ui)), _at(ej, np.asarray(uj)))]


@dataclass(frozen=True)
class ForestDecomposition:
    """Variance shares of the mean of the trees, the surrogate itself.

    Attributes
    ----------
    main : ndarray of shape (n_features,)
    pairs : ndarray of shape (n_pairs,)
    variance : float
        Total variance of the surrogate over the unit cube.
    tree_main : ndarray of shape (n_trees, n_features)
        The same shares computed tree by tree (0 for a constant tree).
    tree_pairs : ndarray of shape (n_trees, n_pairs)
    tree_variance : ndarray of shape (n_trees,)
    """

    main: np.ndarray
    pairs: np.ndarray
    variance: float
    tree_main: np.ndarray
    tree_pairs: np.ndarray
    tree_variance: np.ndarray


def decompose_forest(
    trees: list[LeafBoxes],
    cells: list[np.ndarray],
    pairs: list[tuple[int, int]],
    variance: float,
) -> ForestDecomposition:
    """Main-effect and pairwise shares of the average of ``trees``, and per tree.

    Marginals are linear in the function, so the surrogate's marginal is the
    average of the trees' marginals; they are evaluated at the midpoints of
    ``cells`` (for each input, edges on which the trees' marginals are
    constant or nearly so: a category's cells, or a fine regular grid). The
    total variance of the average is not a sum over leaves; it is given.
    Each tree's own shares (exact, from its leaves) come out of the same
    marginals.

    Parameters
    ----------
    trees : list of LeafBoxes
    cells : list of ndarray
        For each input, sorted edges from 0 to 1.
    pairs : list of (int, int)
    variance : float
        Total variance of the average of the trees over the unit cube.

    Returns
    -------
    decomposition : ForestDecomposition
    """
    d, n_trees, n_pairs = len(cells), len(trees), len(pairs)
    mids = [0.5 * (e[1:] + e[:-1]) for e in cells]
    curves = [np.zeros(len(m)) for m in mids]
    surfaces = [np.zeros((len(mids[i]), len(mids[j]))) for i, j in pairs]
    tree_main = np.zeros((n_trees, d))
    tree_pairs = np.zeros((n_trees, n_pairs))
    tree_variance = np.array([t.variance for t in trees])
    for k, t in enumerate(trees):
        mean = t.mean
        own = _main_variances(t)
        for i in range(d):
            edges, values = marginal(t, i)  # cached by _main_variances
            curves[i] += values[_at(edges, mids[i])]
        for p, (i, j) in enumerate(pairs):
            ei, ej, values = pair_marginal(t, i, j)
            cell = np.outer(np.diff(ei), np.diff(ej))
            tree_pairs[k, p] = np.sum(cell * (values - mean) ** 2) - own[i] - own[j]
            surfaces[p] += values[np.ix_(_at(ei, mids[i]), _at(ej, mids[j]))]
        tree_main[k] = own
    varying = ~np.array([_flat(t.variance, t.mean) for t in trees], dtype=bool)
    tree_main[varying] /= tree_variance[varying, None]
    tree_pairs[varying] /= tree_variance[varying, None]
    tree_main[~varying] = tree_pairs[~varying] = 0.0
    tree_pairs = np.clip(tree_pairs, 0.0, None)

    mean = float(np.mean([t.mean for t in trees]))
    main, pair = shares_of_marginals(
        [c / n_trees for c in curves],
        [sf / n_trees for sf in surfaces],
        cells,
        pairs,
        mean,
        variance,
    )
    if _flat(variance, mean):
        variance = 0.0
    return ForestDecomposition(
        main, pair, variance, tree_main, tree_pairs, tree_variance
    )


def shares_of_marginals(
    curves: list[np.ndarray],
    surfaces: list[np.ndarray],
    cells: list[np.ndarray],
    pairs: list[tuple[int, int]],
    mean: float,
    variance: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Main-effect and pairwise shares of a function from its marginals.

    Parameters
    ----------
    curves : list of ndarray
        Each input's marginal at the midpoints of its ``cells``.
    surfaces : list of ndarray
        Each pair's marginal on the midpoints of both inputs' cells.
    cells : list of ndarray
        For each input, sorted edges from 0 to 1.
    pairs : list of (int, int)
    mean, variance : float
        The function's mean and total variance over the unit cube.

    Returns
    -------
    main : ndarray of shape (n_features,)
    pairs : ndarray of shape (n_pairs,)
        Both 0 for a constant function.
    """
    d = len(cells)
    if _flat(variance, mean):
        return np.zeros(d), np.zeros(len(pairs))
    widths = [np.diff(e) for e in cells]
    main_var = np.array([widths[i] @ (curves[i] - mean) ** 2 for i in range(d)])
    pair_var = np.array(
        [
            np.sum(np.outer(widths[i], widths[j]) * (surfaces[p] - mean) ** 2)
            - main_var[i]
            - main_var[j]
            for p, (i, j) in enumerate(pairs)
        ]
    )
    main = main_var / variance
    pair = np.clip(pair_var, 0.0, None) / variance
    # A grid and a sampled total variance can leave the sum a hair above 1.
    total = main.sum() + pair.sum()
    if total > 1.0:
        main, pair = main / total, pair / total
    return main, pair
