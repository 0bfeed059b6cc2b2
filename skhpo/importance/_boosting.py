"""Gradient boosting of depth-two trees, fitted in the unit cube for the analyses.

A boosted sum of shallow trees is a sum of terms of few inputs (each tree
depends on at most three, mostly on one or two), so it follows a kinked or
step-shaped effect of one hyperparameter as closely as its candidates allow,
where a forest of deep trees averages it with its neighbours in every other
dimension. Each round fits one tree of depth two to the residuals by least
squares, as scikit-learn's ``GradientBoostingRegressor(max_depth=2)`` does:
at each node, the split of largest variance reduction over every input,
among positions between distinct values that leave at least ``min_leaf``
candidates on each side; the tree's leaf means, shrunk by the learning rate,
are added to the fit. Boosting stops early when a whole tree no longer
reduces the squared error.

The trees are then summed into *components*, one per set of inputs that some
tree splits on: each component is a piecewise-constant function on the grid
of its trees' thresholds, whose marginals are weighted averages of its
values, so that the functional ANOVA of the sum (marginals are linear in the
function) is exact up to the grid it is read on, as for the forest in
:mod:`._fanova`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..space._utils import clip
from ._fanova import nearest_edge, shares_of_marginals


@dataclass(frozen=True)
class Boosted:
    """A fitted sum of depth-two trees: ``offset + sum of the trees``.

    Tree ``k`` sends ``x`` left at the root when ``x[root[k]] <= cut[k]``,
    then left again when ``x[child[k, s]] <= child_cut[k, s]`` on side ``s``
    (0 left, 1 right); its leaves, in the order left-left, left-right,
    right-left, right-right, hold ``value[k]``. A side that was not split has
    ``child[k, s] = -1`` and equal values on both of its leaves.
    """

    offset: float
    root: np.ndarray
    cut: np.ndarray
    child: np.ndarray
    child_cut: np.ndarray
    value: np.ndarray

    def __len__(self) -> int:
        return len(self.root)

    def tree_values(self, X: np.ndarray) -> np.ndarray:
        """Each tree's value at each row of ``X``, shape (n_rows, n_trees)."""
        X = np.asarray(X, dtype=float)
        right = (X[:, self.root] > self.cut).astype(int)  # (n, K)
        k = np.arange(len(self))
        feature, cut = self.child[k, right], self.child_cut[k, right]
        above = np.take_along_axis(X, np.maximum(feature, 0), axis=1) > cut
        leaf = 2 * right + (above & (feature >= 0))
        return self.value[k, leaf]

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.offset + self.tree_values(X).sum(axis=1)

    def subset(self, trees: np.ndarray) -> Boosted:
        """The sum of the trees at positions ``trees``, with the same offset."""
        return Boosted(
            self.offset,
            self.root[trees],
            self.cut[trees],
            self.child[trees],
            self.child_cut[trees],
            self.value[trees],
        )

    def components(self, snap: dict[int, np.ndarray] | None = None) -> list[Component]:
        """The trees summed per set of split inputs.

        The components' sum is the fit minus ``offset``. Thresholds of inputs
        whose values are cells move to the nearest cell edge, as in
        :func:`._fanova.leaf_boxes` (the candidates fall on the same sides).
        """
        cut, child_cut = self.cut.copy(), self.child_cut.copy()
        for f, edges in (snap or {}).items():
            at = self.root == f
            cut[at] = nearest_edge(edges, cut[at])
            at = self.child == f
            child_cut[at] = nearest_edge(edges, child_cut[at])
        groups: dict[tuple[int, ...], list[int]] = {}
        for k in range(len(self)):
            used = {int(self.root[k]), *(int(c) for c in self.child[k] if c >= 0)}
            groups.setdefault(tuple(sorted(used)), []).append(k)
        parts = []
        for features, trees in groups.items():
            grids = []
            for f in features:
                cuts = [cut[k] for k in trees if self.root[k] == f]
                cuts += [
                    c
                    for k in trees
                    for g, c in zip(self.child[k], child_cut[k])
                    if g == f
                ]
                grids.append(np.unique(np.concatenate([[0.0, 1.0], cuts])))
            axis = {f: a for a, f in enumerate(features)}
            values = np.zeros(tuple(len(g) - 1 for g in grids))
            for k in trees:
                # Each leaf is a block of grid cells: add its value there.
                for side in (0, 1):
                    block = [slice(None)] * len(features)
                    a = axis[int(self.root[k])]
                    edge = np.searchsorted(grids[a], cut[k])
                    block[a] = slice(0, edge) if side == 0 else slice(edge, None)
                    g = int(self.child[k, side])
                    if g < 0:
                        values[tuple(block)] += self.value[k, 2 * side]
                        continue
                    b = axis[g]
                    edge = np.searchsorted(grids[b], child_cut[k, side])
                    outer = block[b]
                    for leaf, inner in enumerate((slice(0, edge), slice(edge, None))):
                        block[b] = _intersect(outer, inner, len(grids[b]) - 1)
                        values[tuple(block)] += self.value[k, 2 * side + leaf]
            parts.append(Component(features, grids, values))
        return parts


def _intersect(a: slice, b: slice, n: int) -> slice:
    """The intersection of two slices of ``range(n)`` with step 1."""
    start = max(a.indices(n)[0], b.indices(n)[0])
    return slice(start, max(start, min(a.indices(n)[1], b.indices(n)[1])))


@dataclass(frozen=True)
class Component:
    """A piecewise-constant function of a few inputs, on a grid of their cells.

    Attributes
    ----------
    features : tuple of int
        The inputs it depends on.
    grids : list of ndarray
        Cell edges of each of them, from 0 to 1.
    values : ndarray
        The value on each cell, one axis per input.
    """

    features: tuple[int, ...]
    grids: list[np.ndarray]
    values: np.ndarray
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def predict(self, U: np.ndarray) -> np.ndarray:
        cell = tuple(_cell_of(g, U[:, f]) for f, g in zip(self.features, self.grids))
        return self.values[cell]

    def marginal_at(self, at: dict[int, np.ndarray]) -> np.ndarray | float:
        """Averaged over every input but those of ``at``, on their values.

        ``at`` maps one or more inputs to unit values; the result has one
        axis per input of ``at`` that the component depends on, in the order
        of ``at`` (a float when it depends on none of them).
        """
        keep = tuple(sorted(f for f in at if f in self.features))
        values = _averaged(self, keep)
        if not keep:
            return float(values)
        cells = [_cell_of(self.grids[self.features.index(f)], at[f]) for f in keep]
        values = values[np.ix_(*cells)]
        wanted = [f for f in at if f in self.features]
        return np.transpose(values, [keep.index(f) for f in wanted])


def _best_split(xs: np.ndarray, rs: np.ndarray, valid: np.ndarray):
    """Best least-squares split of sorted columns: (feature, threshold).

    ``xs`` and ``rs`` are the node's inputs and residuals, each column sorted
    by that input; ``valid[p, j]`` says whether a split between positions
    ``p`` and ``p + 1`` of column ``j`` is allowed (see :func:`_allowed`).
    As scikit-learn's trees, the best allowed split is taken even when it
    does not reduce the error (its children may: an interaction without
    main effects).
    """
    m = len(xs)
    left = np.cumsum(rs, axis=0)[:-1]
    total = left[-1] + rs[-1]
    count = np.arange(1, m, dtype=float)[:, None]
    gain = np.where(valid, left**2 / count + (total - left) ** 2 / (m - count), -np.inf)
    p, j = np.unravel_index(np.argmax(gain), gain.shape)
    return int(j), 0.5 * (xs[p, j] + xs[p + 1, j])


def _allowed(xs: np.ndarray, min_leaf: int) -> np.ndarray | None:
    """Where sorted columns ``xs`` may be split: between distinct values,
    leaving ``min_leaf`` rows on each side; None when nowhere."""
    m = len(xs)
    if m < 2 * min_leaf:
        return None
    valid = xs[1:] > xs[:-1]
    valid[: min_leaf - 1] = False
    valid[m - min_leaf :] = False
    return valid if valid.any() else None


def _node_order(order: np.ndarray, inside: np.ndarray) -> np.ndarray:
    """Rows of a node (``inside``, boolean), sorted per column as in ``order``."""
    keep = inside[order]
    return order.T[keep.T].reshape(order.shape[1], -1).T


def fit_boosted(
    X: np.ndarray,
    y: np.ndarray,
    *,
    n_rounds: int,
    learning_rate: float,
    min_leaf: int,
    X_val: np.ndarray | None = None,
) -> tuple[Boosted, np.ndarray | None]:
    """Boost depth-two trees on ``(X, y)`` for squared error.

    Returns
    -------
    model : Boosted
        May hold fewer than ``n_rounds`` trees when no split reduces the
        error any more.
    staged : ndarray of shape (n_trees + 1, len(X_val)) or None
        Predictions on ``X_val`` after 0, 1, ... trees.
    """
    if min_leaf < 1:
        raise ValueError(f"min_leaf must be at least 1, got {min_leaf}")
    X = np.asarray(X, dtype=float)
    n, d = X.shape
    columns = np.arange(d)
    order = np.argsort(X, axis=0, kind="stable")
    offset = float(np.mean(y))
    residual = np.asarray(y, dtype=float) - offset
    roots, cuts, children, child_cuts, values = [], [], [], [], []
    xs = X[order, columns]
    root = _allowed(xs, min_leaf)
    for _ in range(n_rounds):
        if root is None:
            break
        f, t = _best_split(xs, residual[order], root)
        goes_right = X[:, f] > t
        kids, kid_cuts = [-1, -1], [np.inf, np.inf]
        leaf_of = 2 * goes_right
        for side, inside in enumerate((~goes_right, goes_right)):
            rows = _node_order(order, inside)
            node = X[rows, columns]
            valid = _allowed(node, min_leaf)
            sub = None if valid is None else _best_split(node, residual[rows], valid)
            if sub is not None:
                kids[side], kid_cuts[side] = sub
                leaf_of = leaf_of + (inside & (X[:, sub[0]] > sub[1]))
        count = np.bincount(leaf_of, minlength=4)
        vals = np.bincount(leaf_of, residual, 4) / np.maximum(count, 1)
        # The tree's reduction of the squared error (the residuals' mean is
        # the offset's, 0): nothing left to fit when it is nil.
        if count @ vals**2 - n * residual.mean() ** 2 <= 1e-12 * max(
            1.0, float(residual @ residual)
        ):
            break
        # An unsplit side's second leaf is empty: it repeats the first.
        vals[1::2] = np.where(count[1::2] > 0, vals[1::2], vals[::2])
        vals *= learning_rate
        residual -= vals[leaf_of]
        roots.append(f)
        cuts.append(t)
        children.append(kids)
        child_cuts.append(kid_cuts)
        values.append(vals)
    model = Boosted(
        offset,
        np.array(roots, dtype=int),
        np.array(cuts, dtype=float),
        np.array(children, dtype=int).reshape(-1, 2),
        np.array(child_cuts, dtype=float).reshape(-1, 2),
        np.array(values, dtype=float).reshape(-1, 4),
    )
    if X_val is None:
        return model, None
    trees = model.tree_values(X_val)
    staged = offset + np.concatenate(
        [np.zeros((1, len(X_val))), np.cumsum(trees, axis=1).T]
    )
    return model, staged


def _averaged(component: Component, keep: tuple[int, ...]) -> np.ndarray:
    """The component averaged over its inputs other than ``keep`` (in order)."""
    if keep not in component._cache:
        values = component.values
        for axis in reversed(range(len(component.features))):
            if component.features[axis] not in keep:
                width = np.diff(component.grids[axis])
                values = np.moveaxis(values, axis, -1) @ width
        component._cache[keep] = values
    return component._cache[keep]


def decompose_components(
    parts: list[Component],
    cells: list[np.ndarray],
    pairs: list[tuple[int, int]],
    variance: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Main-effect and pairwise shares of the sum of ``parts``.

    As :func:`._fanova.decompose_forest`, the marginals are evaluated at the
    midpoints of ``cells`` (a category's cells, or a fine regular grid), and
    ``variance`` is the sum's total variance over the unit cube.

    Returns
    -------
    main : ndarray of shape (n_features,)
    pairs : ndarray of shape (n_pairs,)
    """
    mids = [0.5 * (e[1:] + e[:-1]) for e in cells]
    curves = [np.zeros(len(m)) for m in mids]
    surfaces = [np.zeros((len(mids[i]), len(mids[j]))) for i, j in pairs]
    mean = 0.0
    for part in parts:
        where = {f: _cell_of(g, mids[f]) for f, g in zip(part.features, part.grids)}
        means = float(_averaged(part, ()))
        mean += means
        own = {}
        for i in range(len(cells)):
            own[i] = _averaged(part, (i,))[where[i]] if i in where else means
            curves[i] = curves[i] + own[i]
        for p, (i, j) in enumerate(pairs):
            if i in where and j in where:
                surface = _averaged(part, (i, j))[np.ix_(where[i], where[j])]
            elif i in where:
                surface = own[i][:, None]
            elif j in where:
                surface = own[j][None, :]
            else:
                surface = means
            surfaces[p] = surfaces[p] + surface
    return shares_of_marginals(curves, surfaces, cells, pairs, mean, variance)


def _cell_of(grid: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Index of the cell of each of ``u`` between the edges ``grid``.

    Cells hold their upper edge, as a tree sends ``x <= cut`` to the left.
    """
    return clip(np.searchsorted(grid, u, side="left") - 1, 0, len(grid) - 2)
