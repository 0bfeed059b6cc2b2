"""The surrogate of the analyses: trees fitted to the finished scores.

Each hyperparameter is mapped to [0, 1] in the measure it was sampled in
(:class:`~skhpo.importance._inputs.Axis`), and one of two tree models is
fitted to the standardised mean test scores:

- extremely randomised trees (a forest of deep trees), whose leaf boxes give
  exact marginals (:mod:`._fanova`), with their spread over the trees;
- gradient-boosted trees of depth two (:mod:`._boosting`), a sum of terms
  of at most three inputs each, which follow a kink or a step of one
  hyperparameter closely where the forest smooths it with the other
  dimensions; their spread is that of the models of the cross-validation
  below.

By default (``"auto"``), from 50 candidates, a 3-fold cross-validation on
the candidates picks the boosting's number of rounds and the model of
smaller error; below 50, or when no number of rounds predicts the held-out
scores better than their mean, the forest. The importance report reads its
shares and curves off the surrogate, and the contour display its surface of
a pair.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy.stats import qmc
from sklearn.ensemble import ExtraTreesRegressor
from sklearn.model_selection import KFold
from sklearn.utils import check_random_state

from ..utils._warnings import user_stacklevel
from ._boosting import Boosted, Component, decompose_components, fit_boosted
from ._fanova import (
    LeafBoxes,
    _at,
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
#: "boosting" needs training folds that a split of two leaves can cut.
_MIN_BOOSTING = 15
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


def _read_on(finished: Finished) -> list[np.ndarray]:
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
            U[:, i] = centres[_at(axis.edges, U[:, i])]
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
    choice : Choice
        Why this model, and the cross-validation's errors when there was one.
    """

    finished: Finished
    forest: ExtraTreesRegressor
    trees: list[LeafBoxes]
    centre: float
    spread: float
    choice: Choice

    kind = "extra-trees"

    def describe(self) -> str:
        return (
            f"an extra-trees surrogate ({len(self.trees)} trees; spread over "
            f"the trees; {self.choice.reason})"
        )

    def decompose(self, pairs: list[tuple[int, int]], random_state) -> Shares:
        """Shares of the forest's mean function, spread over its trees."""
        whole = decompose_forest(
            self.trees, _read_on(self.finished), pairs, self.variance(random_state)
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

    def main_effects(self, random_state=0) -> np.ndarray:
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
        Fitted to ``(scores - centre) / spread`` on every candidate, with the
        number of rounds of smallest cross-validated error.
    parts : list of Component
        Its trees summed per set of inputs they split on.
    folds : list of (float, list of Component)
        Offset and components of the model of each fold of the
        cross-validation (fitted without a third of the candidates, as many
        rounds): their spread is the spread reported.
    centre, spread : float
    choice : Choice
    """

    finished: Finished
    model: Boosted
    parts: list[Component]
    folds: list[tuple[float, list[Component]]]
    centre: float
    spread: float
    choice: Choice

    kind = "boosting"

    def describe(self) -> str:
        return (
            f"a surrogate of {len(self.model)} gradient-boosted trees of depth "
            f"two (as many rounds as a {_FOLDS}-fold cross-validation found "
            f"best; spread over its {len(self.folds)} models; "
            f"{self.choice.reason})"
        )

    def main_effects(self, random_state=0) -> np.ndarray:
        """Main-effect share of each axis."""
        variance = _variance(self.finished, self.parts, random_state)
        main, _ = decompose_components(
            self.parts, _read_on(self.finished), [], variance
        )
        return main

    def decompose(self, pairs: list[tuple[int, int]], random_state) -> Shares:
        """Shares of the boosted sum, spread over the folds' models."""
        cells = _read_on(self.finished)
        variance = _variance(self.finished, self.parts, random_state)
        main, pair = decompose_components(self.parts, cells, pairs, variance)
        # The folds give only the spread: fewer points measure their variance.
        folds = [
            decompose_components(
                parts,
                cells,
                pairs,
                _variance(self.finished, parts, random_state, _N_QMC // 4),
            )
            for _, parts in self.folds
        ]
        return Shares(
            main,
            pair,
            np.std([f[0] for f in folds], axis=0),
            np.std([f[1] for f in folds], axis=0),
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
        return self._curves(
            {i: np.asarray(ui, dtype=float), j: np.asarray(uj, dtype=float)}
        )


def _variance(finished, parts, random_state, n: int = _N_QMC) -> float:
    """Variance over the unit cube of the sum of ``parts``, on Sobol points."""
    U = _qmc_points(finished, random_state, n)
    return float(np.var(sum((p.predict(U) for p in parts), np.zeros(n))))


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
    finished: Finished, n_trees: int, random_state, kind: str, who: str
) -> Surrogate | BoostedSurrogate:
    """Fit the surrogate to the finished candidates' standardised scores.

    Parameters
    ----------
    finished : Finished
    n_trees : int
        Trees of the extra-trees surrogate.
    random_state : int, RandomState instance or None
    kind : {"auto", "extra-trees", "boosting"}
        ``"auto"``: from 50 candidates, the boosted trees when their
        cross-validated error is smaller than the forest's and than that of
        the scores' mean; otherwise the forest.
    who : str
        The caller, named in errors.

    Returns
    -------
    surrogate : Surrogate or BoostedSurrogate
    """
    n = len(finished.scores)
    if kind == "boosting" and n < _MIN_BOOSTING:
        raise ValueError(
            f"{who}: surrogate='boosting' needs at least {_MIN_BOOSTING} finished "
            f"candidates (its {_FOLDS}-fold cross-validation trains on "
            f"{2 * _MIN_LEAF} or more), got {n}"
        )
    # Shares do not depend on the scale of the scores: fit standardised ones.
    centre, spread = finished.scores.mean(), finished.scores.std()
    spread = spread if spread > 0 else 1.0
    X = finished.unit_matrix()
    y = (finished.scores - centre) / spread
    snap = {i: a.edges for i, a in enumerate(finished.axes) if a.edges is not None}
    if kind == "extra-trees":
        choice = Choice("as asked")
    elif kind == "auto" and n < _MIN_SELECT:
        choice = Choice(f"fewer than {_MIN_SELECT} candidates to cross-validate")
    else:
        cv = _cross_validate(X, y, random_state, forest=kind == "auto")
        _warn_if_unexplained(cv.r2, who)
        boosted = kind == "boosting" or (cv.rounds > 0 and cv.boosting < cv.forest)
        if kind == "boosting":
            choice = Choice("as asked", cv.r2)
        elif boosted:
            choice = Choice(
                f"chosen over extra-trees by its error in a {_FOLDS}-fold "
                "cross-validation",
                cv.r2,
            )
        else:
            beaten = "the forest" if cv.rounds else "the scores' mean"
            choice = Choice(
                f"the boosted trees predicted the held-out scores no better "
                f"than {beaten} in a {_FOLDS}-fold cross-validation",
                cv.r2,
            )
        if boosted:
            model, _ = fit_boosted(
                X, y, n_rounds=cv.rounds, learning_rate=_RATE, min_leaf=_MIN_LEAF
            )
            folds = [
                (f.offset, f.subset(np.arange(min(cv.rounds, len(f)))).components(snap))
                for f in cv.folds
            ]
            return BoostedSurrogate(
                finished,
                model,
                model.components(snap),
                folds,
                float(centre),
                float(spread),
                choice,
            )
    forest = ExtraTreesRegressor(
        n_estimators=n_trees, random_state=random_state, n_jobs=1
    ).fit(X, y)
    trees = [leaf_boxes(t.tree_, len(finished.axes), snap) for t in forest.estimators_]
    return Surrogate(finished, forest, trees, float(centre), float(spread), choice)


def _warn_if_unexplained(r2: dict, who: str) -> None:
    """Warn when no model of the cross-validation predicted the held-out
    candidates' scores better than their mean (R^2 <= 0 for each)."""
    if max(r2.values()) > 0:
        return
    said = ", ".join(f"{kind} {value:.2f}" for kind, value in r2.items())
    warnings.warn(
        f"{who}: no surrogate predicted the scores of held-out candidates better "
        f"than their mean in a {_FOLDS}-fold cross-validation (R^2: {said}): the "
        "scores vary with something the hyperparameters do not explain (noise "
        "between folds or fits, say), and what the surrogate says of them "
        "(importances, marginals, contours) is not reliable.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


@dataclass(frozen=True)
class Choice:
    """Why a surrogate was used, and the cross-validation behind it.

    Attributes
    ----------
    reason : str
        In words, for the report's ``method``.
    r2 : dict or None
        Cross-validated R^2 of the standardised scores by model
        (``"boosting"``, ``"extra-trees"`` when it was cross-validated), or
        None when there was no cross-validation.
    """

    reason: str
    r2: dict | None = None

    def summary(self, kind: str) -> dict:
        """Plain Python values for the report's ``attrs["surrogate"]``."""
        return {"kind": kind, "reason": self.reason, "cv_r2": self.r2}


@dataclass(frozen=True)
class _Validation:
    """The cross-validation of :func:`_cross_validate`."""

    rounds: int  # boosting rounds of smallest mean squared error (0: the mean)
    boosting: float  # that error
    forest: float  # the forest's (inf when not cross-validated)
    folds: list  # each fold's Boosted model, up to _ROUNDS rounds

    @property
    def r2(self) -> dict:
        # The scores are standardised: R^2 is 1 minus the mean squared error.
        r2 = {"boosting": 1.0 - self.boosting}
        if np.isfinite(self.forest):
            r2["extra-trees"] = 1.0 - self.forest
        return r2


def _cross_validate(X, y, random_state, forest: bool) -> _Validation:
    """3-fold errors of boosting after every round and of a small forest.

    The number of rounds is the one of smallest mean squared error over the
    held-out candidates, or 0 (the scores' mean) unless it beats the mean by
    more than twice the standard error of the difference: a minimum over
    300 rounds of a noisy curve is otherwise bound to beat it by chance.
    """
    rng = check_random_state(random_state)
    seed = int(rng.randint(np.iinfo(np.int32).max))
    squared = np.empty((len(y), _ROUNDS + 1))
    folds, forest_errors = [], np.empty(len(y))
    for train, test in KFold(_FOLDS, shuffle=True, random_state=seed).split(X):
        model, staged = fit_boosted(
            X[train],
            y[train],
            n_rounds=_ROUNDS,
            learning_rate=_RATE,
            min_leaf=_MIN_LEAF,
            X_val=X[test],
        )
        error = (staged - y[test]) ** 2
        # A model that stopped early keeps its last error for later rounds.
        squared[test] = np.pad(
            error, ((0, _ROUNDS + 1 - len(error)), (0, 0)), mode="edge"
        ).T
        folds.append(model)
        if forest:
            trees = ExtraTreesRegressor(
                n_estimators=_CV_TREES, random_state=seed, n_jobs=1
            ).fit(X[train], y[train])
            forest_errors[test] = (trees.predict(X[test]) - y[test]) ** 2
    mean = squared.mean(axis=0)
    rounds = int(np.argmin(mean))
    gain = squared[:, 0] - squared[:, rounds]
    if gain.mean() <= 2 * gain.std(ddof=1) / np.sqrt(len(y)):
        rounds = 0
    return _Validation(
        rounds,
        float(mean[rounds]),
        float(forest_errors.mean()) if forest else np.inf,
        folds,
    )
