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
    """The candidates in the plane of two objectives, the Pareto front
    joined, and the candidate the search chose.

    Parameters
    ----------
    points : pandas.DataFrame
        What :func:`pareto_points` returns.

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    front_ : matplotlib PathCollection
        The points of the front.
    others_ : matplotlib PathCollection
        The dominated candidates.
    best_ : matplotlib PathCollection or None
        The search's choice (``best_index_``).

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
    """

    def __init__(self, points):
        self.points = points

    @classmethod
    def from_search(cls, search_or_cv_results, *, objectives=None, ax=None):
        """Draw the front of a fitted search (or of ``cv_results_``).

        Parameters
        ----------
        search_or_cv_results : fitted search, dict or pandas.DataFrame
        objectives : list of str, default=None
            See :func:`pareto_points`.
        ax : matplotlib Axes, default=None

        Returns
        -------
        display : ParetoFrontDisplay
        """
        check_matplotlib_support(f"{cls.__name__}.from_search")
        points = pareto_points(search_or_cv_results, objectives=objectives)
        return cls(points).plot(ax=ax)

    def plot(self, ax=None):
        """Draw the dominated candidates, the front (joined as a staircase)
        and the chosen candidate.

        Parameters
        ----------
        ax : matplotlib Axes, default=None

        Returns
        -------
        display : ParetoFrontDisplay
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
