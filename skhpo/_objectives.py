"""Several objectives: what a search optimises when ``objective`` is a list.

``objective=["roc_auc", "-fit_time"]`` names each objective by a metric of
``scoring`` (its mean test score) or by ``"fit_time"`` / ``"score_time"``
(the mean over the folds, in seconds), maximised, or minimised with a
leading ``"-"``. A quantity of the fitted model (its size, its predict
latency) is a metric like any other: a scorer ``(estimator, X, y) ->
float`` in the ``scoring`` dict.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._pareto import pareto_front

__all__ = [
    "Objective",
    "best_under",
    "knee_point",
    "objective_matrix",
    "parse_objectives",
    "weighted",
]

#: Objectives read from the fits' times rather than from ``scoring``.
TIMES = ("fit_time", "score_time")


@dataclass(frozen=True)
class Objective:
    """One objective: a metric (or a time) and its direction."""

    name: str
    maximise: bool

    @property
    def column(self) -> str:
        """The ``cv_results_`` column of its mean."""
        return f"mean_{self.name}" if self.name in TIMES else f"mean_test_{self.name}"

    @property
    def label(self) -> str:
        return self.name if self.maximise else f"-{self.name}"

    def value(self, result) -> float:
        """Its value for a finished trial (``CandidateResult``), signed so
        that larger is better; NaN for a failure."""
        if self.name in TIMES:
            if result.failed:
                return np.nan
            value = float(np.mean([o[self.name] for o in result.out]))
        else:
            value = result.mean_test(self.name)
        return value if self.maximise else -value


def parse_objectives(objective, metrics, *, param="objective"):
    """The objectives of a list, checked against ``metrics`` (the names of
    ``scoring``'s metrics; None when a callable ``scoring`` has not told
    them yet). Raises a ValueError naming ``param``."""
    items = list(objective)
    if len(items) < 2:
        raise ValueError(
            f"{param}={objective!r}: a list names two objectives or more; for "
            "one, pass its name."
        )
    parsed = [
        parse_objective(item, metrics, param=param, given=objective) for item in items
    ]
    names = [o.name for o in parsed]
    if len(set(names)) < len(names):
        raise ValueError(f"{param}={objective!r} names an objective twice.")
    return parsed


def parse_objective(item, metrics, *, param="objective", given=None):
    """One objective: a metric of ``metrics`` or a time, ``-`` to minimise."""
    given = item if given is None else given
    if not isinstance(item, str) or item in ("", "-"):
        raise ValueError(
            f"{param}={given!r}: each objective is the name of a metric "
            f"of `scoring` or one of {list(TIMES)}, with a leading '-' to "
            f"minimise it; got {item!r}."
        )
    name = item.lstrip("-")
    if item.startswith("--"):
        raise ValueError(f"{param}: {item!r} has more than one leading '-'.")
    known = name in TIMES or metrics is None or name in metrics
    if not known:
        raise ValueError(
            f"{param}: {name!r} is not a metric of `scoring` "
            f"({sorted(metrics)!r}) nor one of {list(TIMES)}."
        )
    return Objective(name, maximise=not item.startswith("-"))


def objective_matrix(cv_results, objectives) -> np.ndarray:
    """``(n_rows, n_objectives)``: each row's objectives, larger better."""
    return np.column_stack(
        [
            np.asarray(cv_results[o.column], dtype=float) * (1 if o.maximise else -1)
            for o in objectives
        ]
    )


# ------------------------------------------------------- choosing on a front
class _Choice:
    """A ``refit`` callable: ``choice(cv_results) -> row`` (see the public
    functions below)."""

    def __init__(self, description, objectives, pick):
        self.description = description
        self.objectives = objectives
        self._pick = pick

    def __repr__(self):
        return self.description

    def __call__(self, cv_results):
        points = objective_matrix(cv_results, self.objectives)
        usable = np.isfinite(points).all(axis=1)
        if "n_resources" in cv_results:  # the largest resource only
            levels = np.asarray(cv_results["n_resources"], dtype=float)
            usable &= levels == levels[usable].max() if usable.any() else usable
        rows = np.flatnonzero(usable)
        if not len(rows):
            raise ValueError(f"{self.description}: no candidate has every objective")
        return int(rows[self._pick(points[rows], cv_results, rows)])


def _objectives_of(names, who):
    return parse_objectives(names, None, param=who)


def best_under(metric, **limits):
    """A ``refit`` rule: the best ``metric`` among the candidates within limits.

    Passed as a search's ``refit``, it chooses ``best_index_``: of the
    candidates whose ``metric`` is finite (at the largest resource, in a
    multi-fidelity search), those within every limit, and of them the one
    with the best ``metric``.

    Parameters
    ----------
    metric : str
        A metric of ``scoring`` (maximised; ``"-name"`` to minimise), or
        ``"fit_time"`` / ``"score_time"``.
    **limits : float
        ``max_<name>=value`` or ``min_<name>=value`` for a metric, or a time,
        on its mean over the folds (``max_fit_time=0.5``: at most half a
        second to fit).

    Returns
    -------
    refit : callable
        ``refit(cv_results) -> int``, for a search's ``refit``; it raises a
        ValueError when no candidate is within the limits.

    See Also
    --------
    knee_point : The best compromise on the Pareto front.
    weighted : The best weighted sum of the objectives.

    Examples
    --------
    >>> from skhpo import best_under
    >>> rule = best_under("roc_auc", max_fit_time=0.5)
    >>> results = {"mean_test_roc_auc": [0.9, 0.95, 0.97],
    ...            "mean_fit_time": [0.1, 0.4, 2.0]}
    >>> rule(results)
    1
    """
    goal = parse_objective(metric, None, param="best_under")
    bounds = []
    for key, value in limits.items():
        side, _, name = key.partition("_")
        if side not in ("max", "min") or not name:
            raise ValueError(
                f"best_under: {key!r} is not a limit: write max_<name> or "
                "min_<name>, as max_fit_time=0.5 or min_recall=0.8."
            )
        bounds.append((Objective(name, True), side, float(value)))

    def pick(points, cv_results, rows):
        ok = np.ones(len(rows), dtype=bool)
        for objective, side, value in bounds:
            values = np.asarray(cv_results[objective.column], dtype=float)[rows]
            ok &= values <= value if side == "max" else values >= value
        if not ok.any():
            raise ValueError(
                f"best_under: no candidate is within {limits}; loosen them."
            )
        return int(np.flatnonzero(ok)[np.argmax(points[ok, 0])])

    text = ", ".join(f"{k}={v!r}" for k, v in limits.items())
    return _Choice(f"best_under({metric!r}, {text})", [goal], pick)


def knee_point(*objectives):
    """A ``refit`` rule: the best compromise on the Pareto front of objectives.

    Passed as a search's ``refit``, it chooses ``best_index_``: the point of
    the Pareto front of ``objectives`` nearest to the ideal (every objective
    at its best on the front), each rescaled to [0, 1] over the front. Only
    the candidates whose every objective is finite (at the largest resource,
    in a multi-fidelity search) take part.

    Parameters
    ----------
    *objectives : str
        Two or more, as ``objective`` names them (``"roc_auc"``,
        ``"-fit_time"``).

    Returns
    -------
    refit : callable
        ``refit(cv_results) -> int``, for a search's ``refit``.

    See Also
    --------
    best_under : The best of one metric within limits on others.
    weighted : The best weighted sum of the objectives.

    Examples
    --------
    >>> from skhpo import knee_point
    >>> rule = knee_point("roc_auc", "-fit_time")
    >>> results = {"mean_test_roc_auc": [0.90, 0.96, 0.97],
    ...            "mean_fit_time": [0.1, 0.3, 5.0]}
    >>> rule(results)
    1
    """
    parsed = _objectives_of(list(objectives), "knee_point")

    def pick(points, cv_results, rows):
        front = pareto_front(points)
        z = points[front]
        low, high = z.min(axis=0), z.max(axis=0)
        z = (z - low) / np.where(high > low, high - low, 1.0)
        return int(front[np.argmin(np.linalg.norm(1.0 - z, axis=1))])

    names = ", ".join(repr(o) for o in objectives)
    return _Choice(f"knee_point({names})", parsed, pick)


def weighted(weights):
    """A ``refit`` rule: the best weighted sum of the rescaled objectives.

    Passed as a search's ``refit``, it chooses ``best_index_``: each
    objective is rescaled to [0, 1] over the candidates whose every
    objective is finite (at the largest resource, in a multi-fidelity
    search), larger better, and the largest weighted sum wins.

    Parameters
    ----------
    weights : dict of str to float
        Objective (as ``objective`` names it, two or more) to its weight;
        the weights are non-negative, not all 0.

    Returns
    -------
    refit : callable
        ``refit(cv_results) -> int``, for a search's ``refit``.

    See Also
    --------
    best_under : The best of one metric within limits on others.
    knee_point : The best compromise on the Pareto front.

    Examples
    --------
    >>> from skhpo import weighted
    >>> rule = weighted({"roc_auc": 0.8, "-fit_time": 0.2})
    >>> results = {"mean_test_roc_auc": [0.90, 0.96, 0.97],
    ...            "mean_fit_time": [0.1, 0.3, 5.0]}
    >>> rule(results)
    1
    """
    parsed = _objectives_of(list(weights), "weighted")
    w = np.array([float(v) for v in weights.values()])
    if (w < 0).any() or not w.sum() > 0:
        raise ValueError(
            f"weighted: weights must be non-negative, not all 0: {weights}"
        )

    def pick(points, cv_results, rows):
        low, high = points.min(axis=0), points.max(axis=0)
        z = (points - low) / np.where(high > low, high - low, 1.0)
        return int(np.argmax(z @ w))

    return _Choice(f"weighted({weights!r})", parsed, pick)
