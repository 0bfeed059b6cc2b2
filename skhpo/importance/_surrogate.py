"""The surrogate of the analyses: a tree ensemble fitted to the finished scores.

Each hyperparameter is mapped to [0, 1] in the measure it was sampled in
(:class:`~skhpo.importance._inputs.Axis`), and extremely randomised trees are
fitted to the standardised mean test scores. The trees' leaf boxes then give
exact marginals (:mod:`._fanova`): the importance report reads its shares and
curves off them, and the contour display its surface of a pair.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import qmc
from sklearn.ensemble import ExtraTreesRegressor

from ._fanova import LeafBoxes, decompose, leaf_boxes, marginal_at, pair_marginal_at
from ._inputs import Finished

#: Quasi-random points (a power of 2) measuring the surrogate's total variance.
_N_QMC = 2**14


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
        axes = self.finished.axes
        seed = random_state if isinstance(random_state, (int, np.integer)) else 0
        U = qmc.Sobol(len(axes), seed=seed).random(_N_QMC)
        for i, axis in enumerate(axes):
            if axis.edges is not None:
                centres = 0.5 * (axis.edges[1:] + axis.edges[:-1])
                cell = np.clip(
                    np.searchsorted(axis.edges, U[:, i], side="right") - 1,
                    0,
                    len(centres) - 1,
                )
                U[:, i] = centres[cell]
        return float(np.var(self.forest.predict(U)))


def fit_surrogate(finished: Finished, n_trees: int, random_state) -> Surrogate:
    """Fit the trees to the finished candidates' standardised scores.

    Parameters
    ----------
    finished : Finished
    n_trees : int
    random_state : int, RandomState instance or None

    Returns
    -------
    surrogate : Surrogate
    """
    # Shares do not depend on the scale of the scores: fit standardised ones.
    centre, spread = finished.scores.mean(), finished.scores.std()
    spread = spread if spread > 0 else 1.0
    forest = ExtraTreesRegressor(
        n_estimators=n_trees, random_state=random_state, n_jobs=1
    ).fit(finished.unit_matrix(), (finished.scores - centre) / spread)
    d = len(finished.axes)
    snap = {i: a.edges for i, a in enumerate(finished.axes) if a.edges is not None}
    trees = [leaf_boxes(t.tree_, d, snap) for t in forest.estimators_]
    return Surrogate(finished, forest, trees, float(centre), float(spread))
