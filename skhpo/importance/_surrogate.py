"""The surrogate of the analyses: trees fitted to the finished scores.

Each hyperparameter is mapped to [0, 1] in the measure it was sampled in
(:class:`~skhpo.importance._inputs.Axis`), and one of two tree models is
fitted to the standardised mean test scores:

- extremely randomised trees (a forest of deep trees), whose leaf boxes give
  exact marginals (:mod:`._fanova`), with their spread over the trees;
- gradient-boosted trees of depth two (:mod:`._boosting`), additive plus
  pairwise, which follow a kink or a step of one hyperparameter closely
  where the forest smooths it with the other dimensions; their spread is
  that of the models of the cross-validation below.

By default the one of smaller error in a 3-fold cross-validation on the
candidates is used (from 50 candidates; below, the forest). The importance
report reads its shares and curves off the surrogate, and the contour
display its surface of a pair.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import qmc
from sklearn.ensemble import ExtraTreesRegressor
from sklearn.model_selection import KFold
from sklearn.utils import check_random_state

from ._boosting import Boosted, Component, decompose_components, fit_boosted
from ._fanova import (
    LeafBoxes,
    decompose,
    decompose_forest,
    leaf_boxes,
    marginal_at,
    pair_marginal_at,
)
from ._inputs import Finished

#: Quasi-random points (a power of 2) measuring the surrogate's total variance.
_N_QMC = 2**14
#: Cells of the grid on which a continuous hyperparameter's marginal is integrated.
_GRID = 128
#: The surrogates, by name (``importance_report(surrogate=...)``).
SURROGATES = ("auto", "extra-trees", "boosting")
#: From this many candidates "auto" chooses by cross-validation.
_MIN_SELECT = 50
_FOLDS = 3
#: Trees of the forest in the cross-validation (the final forest has n_trees).
_CV_TREES = 16
#: Boosting: at most this many rounds (the cross-validation picks how many),
#: shrinkage, and the fewest candidates in a leaf.
_ROUNDS = 300
_RATE = 0.1
_MIN_LEAF = 5


@dataclass(frozen=True)
class Shares:
    """Main-effect and pairwise shares of a surrogate, with their spread."""

    main: np.ndarray
    pairs: np.ndarray
    main_std: np.ndarray
    pairs_std: np.ndarray


def _cells(finished: Finished) -> list[np.ndarray]:
    """Edges on which each input's marginal is read: its cells, or a fine grid."""
    return [
        a.edges if a.edges is not None else np.linspace(0.0, 1.0, _GRID + 1)
        for a in finished.axes
    ]


def _qmc_points(finished: Finished, random_state, n: int = _N_QMC) -> np.ndarray:
    """Scrambled Sobol points in the unit cube, cells read at their centres."""
    axes = finished.axes
    seed = random_state if isinstance(random_state, (int, np.integer)) else 0
    U = qmc.Sobol(len(axes), seed=seed).random(n)
    for i, axis in enumerate(axes):
        if axis.edges is not None:
            centres = 0.5 * (axis.edges[1:] + axis.edges[:-1])
            cell = np.clip(
                np.searchsorted(axis.edges, U[:, i], side="right") - 1,
                0,
                len(centres) - 1,
            )
            U[:, i] = centres[cell]
    return U


@dataclass
class Surrogate:
    """Extra-trees fitted to the finished candidates, in the unit cube.

    Attributes
    ----------
    finished : Finished
        The candidates and their axes.
    forest : sklearn.ensemble.ExtraTreesRegressor
        Fitted to ``(scores - centre) / spread``.
    trees : list of LeafBoxes
        Each tree's leaves, cell-valued inputs snapped to their cells.
    centre, spread : float
        Mean and standard deviation (1 when the scores do not vary) of the
        scores, to map predictions back to the score's units.
    """

    finished: Finished
    forest: ExtraTreesRegressor
    trees: list[LeafBoxes]
    centre: float
    spread: float

    def describe(self) -> str:
        return (
            f"an extra-trees surrogate ({len(self.trees)} trees; spread over the trees)"
        )

    def decompose(self, pairs: list[tuple[int, int]], random_state) -> Shares:
        """Shares of the forest's mean function, spread over its trees."""
        whole = decompose_forest(
            self.trees, _cells(self.finished), pairs, self.variance(random_state)
        )
        varying = whole.tree_variance > 0
        if not varying.any():
            varying[:] = True
        return Shares(
            whole.main,
            whole.pairs,
            whole.tree_main[varying].std(axis=0),
            whole.tree_pairs[varying].std(axis=0),
        )

    def main_effects(self) -> np.ndarray:
        """Main-effect share of each axis, averaged over the trees (quick)."""
        return np.array([decompose(t, []).main for t in self.trees]).mean(axis=0)

    def marginal(self, i: int, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and spread over the trees of the marginal of axis ``i`` at ``u``.

        In the score's units; every other axis is averaged over its measure.
        """
        curves = np.array([marginal_at(t, i, u) for t in self.trees])
        curves = self.centre + self.spread * curves
        return curves.mean(axis=0), curves.std(axis=0)

    def pair_marginal(
        self, i: int, j: int, ui: np.ndarray, uj: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Mean and spread over the trees of the marginal of axes ``(i, j)``.

        Returns
        -------
        mean, std : ndarray of shape (len(ui), len(uj))
            In the score's units; every other axis is averaged over its
            measure.
        """
        surfaces = np.array([pair_marginal_at(t, i, j, ui, uj) for t in self.trees])
        surfaces = self.centre + self.spread * surfaces
        return surfaces.mean(axis=0), surfaces.std(axis=0)

    def variance(self, random_state) -> float:
        """Total variance of the (standardised) surrogate over the unit cube.

        Measured on scrambled Sobol points; a value that is a cell (a
        category, a grid value) is read at its cell's centre, as the trees
        see it.
        """
        return float(
            np.var(self.forest.predict(_qmc_points(self.finished, random_state)))
        )


@dataclass
class BoostedSurrogate:
    """Gradient-boosted trees of depth two fitted to the finished candidates.

    Attributes
    ----------
    finished : Finished
    model : Boosted
        Fitted to ``(scores - centre) / spread`` on every candidate.
    parts : list of Component
        Its trees summed per set of inputs they split on.
    folds : list of (float, list of Component)
        Offset and components of the model of each fold of the
        cross-validation (fitted without a third of the candidates, as many
        rounds): their spread is the spread reported.
    centre, spread : float
    """

    finished: Finished
    model: Boosted
    parts: list[Component]
    folds: list[tuple[float, list[Component]]]
    centre: float
    spread: float

    def describe(self) -> str:
        return (
            f"a surrogate of {len(self.model)} gradient-boosted trees of depth "
            f"two (spread over the {len(self.folds)} models of a "
            f"{len(self.folds)}-fold cross-validation, chosen over extra-trees "
            "by its error there)"
        )

    def _predict(self, parts: list[Component], U: np.ndarray) -> np.ndarray:
        return sum((p.predict(U) for p in parts), np.zeros(len(U)))

    def variance(self, random_state, parts=None, n: int = _N_QMC) -> float:
        """Total variance of the (standardised) surrogate over the unit cube.

        Of ``parts`` (a fold's model) if given, on ``n`` points.
        """
        U = _qmc_points(self.finished, random_state, n)
        return float(np.var(self._predict(self.parts if parts is None else parts, U)))

    def main_effects(self) -> np.ndarray:
        main, _ = decompose_components(
            self.parts, _cells(self.finished), [], self.variance(0)
        )
        return main

    def decompose(self, pairs: list[tuple[int, int]], random_state) -> Shares:
        """Shares of the boosted sum, spread over the folds' models."""
        cells = _cells(self.finished)
        main, pair = decompose_components(
            self.parts, cells, pairs, self.variance(random_state)
        )
        # The folds give only the spread: fewer points measure their variance.
        folds = [
            decompose_components(
                p, cells, pairs, self.variance(random_state, p, _N_QMC // 4)
            )
            for _, p in self.folds
        ]
        return Shares(
            main,
            pair,
            np.std([f[0] for f in folds], axis=0),
            np.std([f[1] for f in folds], axis=0).reshape(len(pairs)),
        )

    def _curves(self, at: dict[int, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        shape = tuple(len(u) for u in at.values())

        def curve(offset, parts):
            total = np.full(shape, offset)
            for part in parts:
                total = total + _oriented(part, at)
            return self.centre + self.spread * total

        folds = [curve(offset, parts) for offset, parts in self.folds]
        return curve(self.model.offset, self.parts), np.std(folds, axis=0)

    def marginal(self, i: int, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and spread over the folds' models of the marginal of ``i``."""
        return self._curves({i: np.asarray(u, dtype=float)})

    def pair_marginal(
        self, i: int, j: int, ui: np.ndarray, uj: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Mean and spread of the marginal of ``(i, j)``, shape (len(ui), len(uj))."""
        if i > j:
            mean, std = self.pair_marginal(j, i, uj, ui)
            return mean.T, std.T
        return self._curves(
            {i: np.asarray(ui, dtype=float), j: np.asarray(uj, dtype=float)}
        )


def _oriented(part: Component, at: dict[int, np.ndarray]):
    """The part's marginal on ``at``, with an axis of length 1 for each input of
    ``at`` it does not depend on."""
    values = part.marginal_at(at)
    return np.reshape(
        values, tuple(len(u) if f in part.features else 1 for f, u in at.items())
    )


def check_surrogate(surrogate, who: str) -> None:
    """Raise a ValueError naming ``surrogate`` unless it is a known name."""
    if not isinstance(surrogate, str) or surrogate not in SURROGATES:
        raise ValueError(
            f"{who}: surrogate must be one of {list(SURROGATES)}, got {surrogate!r}"
        )


def fit_surrogate(
    finished: Finished, n_trees: int, random_state, kind: str = "auto"
) -> Surrogate | BoostedSurrogate:
    """Fit the surrogate to the finished candidates' standardised scores.

    Parameters
    ----------
    finished : Finished
    n_trees : int
        Trees of the extra-trees surrogate.
    random_state : int, RandomState instance or None
    kind : {"auto", "extra-trees", "boosting"}
        ``"auto"``: from 50 candidates, whichever of the two has the smaller
        mean squared error in a 3-fold cross-validation; below, extra-trees.

    Returns
    -------
    surrogate : Surrogate or BoostedSurrogate
    """
    # Shares do not depend on the scale of the scores: fit standardised ones.
    centre, spread = finished.scores.mean(), finished.scores.std()
    spread = spread if spread > 0 else 1.0
    X = finished.unit_matrix()
    y = (finished.scores - centre) / spread
    d = len(finished.axes)
    snap = {i: a.edges for i, a in enumerate(finished.axes) if a.edges is not None}
    if kind != "extra-trees" and (kind == "boosting" or len(y) >= _MIN_SELECT):
        rounds, folds, forest_error = _cross_validate(
            X, y, random_state, forest=kind == "auto"
        )
        if kind == "boosting" or rounds[1] < forest_error:
            model, _ = fit_boosted(
                X, y, n_rounds=rounds[0], learning_rate=_RATE, min_leaf=_MIN_LEAF
            )
            return BoostedSurrogate(
                finished,
                model,
                model.components(d, snap),
                [(f.offset, f.head(rounds[0]).components(d, snap)) for f in folds],
                float(centre),
                float(spread),
            )
    forest = ExtraTreesRegressor(
        n_estimators=n_trees, random_state=random_state, n_jobs=1
    ).fit(X, y)
    trees = [leaf_boxes(t.tree_, d, snap) for t in forest.estimators_]
    return Surrogate(finished, forest, trees, float(centre), float(spread))


def _cross_validate(X, y, random_state, forest: bool):
    """3-fold errors of boosting at every round and of a small forest.

    Returns
    -------
    (rounds, error) : (int, float)
        The number of rounds of smallest mean squared error over the folds
        (at least 1), and that error.
    folds : list of Boosted
        Each fold's model, fitted with ``_ROUNDS`` rounds at most.
    forest_error : float
        The forest's mean squared error (infinite when ``forest`` is False).
    """
    rng = check_random_state(random_state)
    seed = int(rng.randint(np.iinfo(np.int32).max))
    folds, errors, forest_errors = [], [], []
    for train, test in KFold(_FOLDS, shuffle=True, random_state=seed).split(X):
        model, staged = fit_boosted(
            X[train],
            y[train],
            n_rounds=_ROUNDS,
            learning_rate=_RATE,
            min_leaf=_MIN_LEAF,
            X_val=X[test],
        )
        error = np.mean((staged - y[test]) ** 2, axis=1)
        # A model that stopped early keeps its last error for later rounds.
        errors.append(np.pad(error, (0, _ROUNDS + 1 - len(error)), mode="edge"))
        folds.append(model)
        if forest:
            trees = ExtraTreesRegressor(
                n_estimators=_CV_TREES, random_state=seed, n_jobs=1
            ).fit(X[train], y[train])
            forest_errors.append(np.mean((trees.predict(X[test]) - y[test]) ** 2))
    mean = np.mean(errors, axis=0)
    rounds = 1 + int(np.argmin(mean[1:]))
    return (
        (rounds, float(mean[rounds])),
        folds,
        (float(np.mean(forest_errors)) if forest else np.inf),
    )
