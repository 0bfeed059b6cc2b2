"""The Pareto front of a search of several objectives."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._objectives import objective_matrix, parse_objectives
from .._pareto import pareto_ranks
from ..importance._inputs import read_cv_results
from ._base import check_frame, check_matplotlib_support, figure_axes, legend


def pareto_points(search_or_cv_results, *, objectives=None):
    """Each candidate's objectives, its Pareto rank and whether it is chosen.

    Parameters
    ----------
    search_or_cv_results : fitted search, dict or pandas.DataFrame
        A search fitted with several objectives (its ``objective``), or any
        ``cv_results_`` with ``objectives`` given.
    objectives : list of str, default=None
        As ``objective`` names them (``["roc_auc", "-fit_time"]``); by default
        the search's. The first two are drawn; the ranks use them all.

    Returns
    -------
    points : pandas.DataFrame
        One row per finished row of ``cv_results_`` (the largest resource of
        a multi-fidelity search): a column per objective in its own units,
        ``rank_pareto`` and ``best`` (the search's ``best_index_``);
        ``attrs["objectives"]`` holds the labels.

    Raises
    ------
    ValueError
        If ``objectives`` is None and the results are not those of a search
        fitted with several objectives, or ``cv_results_`` lacks the column
        of an objective.

    See Also
    --------
    ParetoFrontDisplay : Draws them.
    skhpo.knee_point : A ``refit`` rule that picks a point of the front.

    Examples
    --------
    >>> from skhpo.plotting import pareto_points
    >>> results = {
    ...     "params": [{"C": 0.1}, {"C": 1}, {"C": 10}, {"C": 100}],
    ...     "mean_test_score": [0.90, 0.95, 0.97, 0.93],
    ...     "mean_fit_time": [0.1, 0.3, 2.0, 0.5],
    ... }
    >>> pareto_points(results, objectives=["score", "-fit_time"])
               score  -fit_time  rank_pareto   best
    candidate
    0           0.90        0.1            1  False
    1           0.95        0.3            1  False
    2           0.97        2.0            1  False
    3           0.93        0.5            2  False

    The last candidate is dominated: the second is both better and faster.
    """
    who = "pareto_points"
    results, search = read_cv_results(search_or_cv_results, who)
    if objectives is None:
        parsed = getattr(search, "_objectives", None)
        if parsed is None:
            raise ValueError(
                f"{who}: pass objectives=[...] (two or more): "
                f"{'these results are' if search is None else 'the search was'} "
                "not fitted with several objectives."
            )
    else:
        parsed = parse_objectives(objectives, None, param="objectives")
    missing = [o.column for o in parsed if o.column not in results]
    if missing:
        raise ValueError(f"{who}: cv_results_ has no {missing}.")
    signed = objective_matrix(results, parsed)
    keep = np.isfinite(signed).all(axis=1)
    if "n_resources" in results:
        levels = np.asarray(results["n_resources"], dtype=float)
        keep &= levels == levels[keep].max() if keep.any() else keep
    rows = np.flatnonzero(keep)
    frame = pd.DataFrame(
        {o.label: np.asarray(results[o.column], dtype=float)[rows] for o in parsed},
        index=pd.Index(rows, name="candidate"),
    )
    frame["rank_pareto"] = pareto_ranks(signed[rows])
    best = getattr(search, "best_index_", None)
    frame["best"] = rows == best
    frame.attrs["objectives"] = [o.label for o in parsed]
    return frame


class ParetoFrontDisplay:
    """The candidates in the plane of two objectives, and their Pareto front.

    The dominated candidates in grey, the front (rank 1 of non-dominated
    sorting over every objective) joined as a staircase, and the candidate
    the search chose (``best_index_``) as a star. Each axis says whether
    lower or higher is better. Create it with :meth:`from_search`; the
    constructor only stores the data.

    Parameters
    ----------
    points : pandas.DataFrame
        What :func:`pareto_points` returns.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes drawn on.
    figure_ : matplotlib Figure
        The figure of ``ax_``.
    front_ : matplotlib PathCollection
        The points of the front.
    others_ : matplotlib PathCollection
        The dominated candidates.
    best_ : matplotlib PathCollection or None
        The search's choice (``best_index_``); None when no point is the
        search's choice (as for ``cv_results_`` without the search).

    See Also
    --------
    pareto_points : The data.
    skhpo.BayesSearchCV : Its ``objective`` may name several objectives.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from skhpo import BayesSearchCV
    >>> from skhpo.plotting import ParetoFrontDisplay
    >>> from skhpo.space import Real
    >>> X, y = load_iris(return_X_y=True)
    >>> search = BayesSearchCV(SVC(), {"C": Real(1e-2, 1e2, prior="log-uniform")},
    ...                        objective=["score", "-fit_time"], n_iter=8,
    ...                        cv=3, random_state=0).fit(X, y)
    >>> display = ParetoFrontDisplay.from_search(search)
    >>> len(display.front_.get_offsets()) == len(search.pareto_front_)
    True
    >>> display.ax_.get_xlabel(), display.ax_.get_ylabel()
    ('score, higher is better', 'fit_time (s), lower is better')
    """

    def __init__(self, points):
        self.points = points

    @classmethod
    def from_search(cls, search_or_cv_results, *, objectives=None, ax=None):
        """Draw the front of a fitted search (or of ``cv_results_``).

        Parameters
        ----------
        search_or_cv_results : fitted search, dict or pandas.DataFrame
            A search fitted with several objectives, or any ``cv_results_``
            with ``objectives`` given.
        objectives : list of str, default=None
            See :func:`pareto_points`.
        ax : matplotlib Axes, default=None
            Where to draw; a new figure by default.

        Returns
        -------
        display : ParetoFrontDisplay
            The display, drawn (see :meth:`plot`).
        """
        check_matplotlib_support(f"{cls.__name__}.from_search")
        points = pareto_points(search_or_cv_results, objectives=objectives)
        return cls(points).plot(ax=ax)

    def plot(self, ax=None):
        """Draw the dominated candidates, the front and the chosen candidate.

        The front is joined as a staircase: from each of its points, the
        region it dominates begins.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure by default.

        Returns
        -------
        display : ParetoFrontDisplay
            The display itself, its artists set as the attributes
            ending in ``_``.
        """
        who = f"{type(self).__name__}.plot"
        check_matplotlib_support(who)
        p = self.points
        check_frame(p, {"rank_pareto", "best"}, "pareto_points", who, ("objectives",))
        x_name, y_name = p.attrs["objectives"][:2]
        created = ax is None
        fig, (ax,) = figure_axes(ax, size=(6.4, 4.8), who=who)
        on = (p["rank_pareto"] == 1).to_numpy()
        self.others_ = ax.scatter(
            p.loc[~on, x_name],
            p.loc[~on, y_name],
            s=14,
            color="0.65",
            label="dominated",
        )
        front = p[on].sort_values(x_name)
        # the staircase: from each point, the region it dominates begins
        maximise_y = not y_name.startswith("-")
        ax.step(
            front[x_name],
            front[y_name],
            where="post" if maximise_y else "pre",
            color="C0",
            alpha=0.6,
        )
        self.front_ = ax.scatter(
            front[x_name],
            front[y_name],
            s=30,
            color="C0",
            zorder=3,
            label=f"Pareto front ({len(front)})",
        )
        self.best_ = None
        if p["best"].any():
            chosen = p[p["best"]]
            self.best_ = ax.scatter(
                chosen[x_name],
                chosen[y_name],
                s=180,
                marker="*",
                color="C3",
                zorder=4,
                label="chosen (best_index_)",
            )
        ax.set_xlabel(_axis_label(x_name))
        ax.set_ylabel(_axis_label(y_name))
        ax.set_title("Candidates in the plane of two objectives")
        handles = [h for h in (self.front_, self.others_, self.best_) if h is not None]
        legend(fig, [ax], handles, created)
        self.ax_, self.figure_ = ax, fig
        return self


def _axis_label(label):
    name = label.lstrip("-")
    unit = " (s)" if name in ("fit_time", "score_time") else ""
    better = "lower" if label.startswith("-") else "higher"
    return f"{name}{unit}, {better} is better"
