"""The optimisation history of a search: each candidate's score, and the best so far."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..importance._inputs import _LABELS
from ._base import check_frame, check_matplotlib_support, figure_axes, read_results


def search_history(search_or_cv_results, *, metric=None):
    """Each candidate's score in the order it finished, and the best so far.

    Parameters
    ----------
    search_or_cv_results : fitted search, dict or pandas.DataFrame
        A fitted search of skhpo or scikit-learn, or its ``cv_results_``.
    metric : str, default=None
        Which ``mean_test_<metric>``; by default the search's ``refit``
        metric, or the only one.

    Returns
    -------
    history : pandas.DataFrame
        One row per row of ``cv_results_``, indexed by the row's label (its
        position, or the index of the DataFrame given). When the results
        have skhpo's ``end_time`` column (seconds since the search started,
        when the candidate's last fold finished), the rows are sorted by it,
        which is the order in which a search learnt of its results: the rows
        of a Hyperband or a population-based search are in bracket or member
        order, not in time; without it (scikit-learn's results) they are in
        the order of the results. Columns: ``score`` (NaN for a failed fit),
        ``best_so_far`` (the running maximum over the finished rows),
        ``end_time`` when known and, for multi-fidelity results,
        ``n_resources``; the running best then only counts rows at the
        highest resource level, since scores at lower levels are not
        comparable. ``history.attrs`` holds ``"metric"`` (the column read),
        ``"score_name"`` (its name for labels) and ``"order"``
        (``"end_time"`` or ``"results"``).

    See Also
    --------
    HistoryDisplay : Draws the history.

    Examples
    --------
    >>> from skhpo.plotting import search_history
    >>> results = {
    ...     "params": [{"C": 1}, {"C": 2}, {"C": 3}],
    ...     "mean_test_score": [0.5, 0.9, 0.7],
    ...     "end_time": [3.0, 2.0, 1.0],
    ... }
    >>> search_history(results)  # doctest: +NORMALIZE_WHITESPACE
               score  end_time  best_so_far
    candidate
    2            0.7       1.0          0.7
    1            0.9       2.0          0.9
    0            0.5       3.0          0.9
    """
    results, _, metric, name = read_results(
        search_or_cv_results, metric, who="search_history"
    )
    labels = np.asarray(results[_LABELS])
    score = np.asarray(results[f"mean_test_{metric}"], dtype=float)
    frame = {"score": score}
    order = "results"
    if "end_time" in results:
        end = np.asarray(results["end_time"], dtype=float)
        if np.isfinite(end).any():
            frame["end_time"] = end
            order = "end_time"
    if "n_resources" in results:
        frame["n_resources"] = np.asarray(results["n_resources"], dtype=float)
    history = pd.DataFrame(frame, index=pd.Index(labels, name="candidate"))
    if order == "end_time":
        # Candidates that never finished (no end time) come last.
        history = history.sort_values("end_time", kind="stable", na_position="last")
    counted = np.isfinite(history["score"].to_numpy())
    if "n_resources" in history:
        levels = history["n_resources"].to_numpy()
        counted &= levels == np.nanmax(levels)
    history["best_so_far"] = np.fmax.accumulate(
        np.where(counted, history["score"].to_numpy(), np.nan)
    )
    history.attrs.update(metric=f"mean_test_{metric}", score_name=name, order=order)
    return history


class HistoryDisplay:
    """The optimisation history: scores as they came in, and the best so far.

    Create it with :meth:`from_search`; the constructor only stores the
    data.

    Parameters
    ----------
    history : pandas.DataFrame
        What :func:`search_history` returns.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes drawn on.
    figure_ : matplotlib Figure
        The figure of ``ax_``.
    points_ : matplotlib PathCollection
        The candidates' scores (coloured by resource in a multi-fidelity
        search).
    line_ : matplotlib Line2D
        The running best.

    See Also
    --------
    search_history : The data.
    TimelineDisplay : When and where each fit ran.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from skhpo import BayesSearchCV, Real
    >>> from skhpo.plotting import HistoryDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> search = BayesSearchCV(
    ...     SVC(), {"C": Real(1e-2, 1e2, prior="log-uniform")}, n_iter=6, cv=3,
    ...     scoring="accuracy", random_state=0,
    ... ).fit(X, y)
    >>> display = HistoryDisplay.from_search(search)
    >>> display.ax_.get_ylabel()
    'accuracy'
    >>> display.ax_.get_xlabel()
    "seconds since the search started (candidate's end)"
    >>> len(display.points_.get_offsets())
    6
    """

    def __init__(self, history):
        self.history = history

    @classmethod
    def from_search(cls, search_or_cv_results, *, metric=None, ax=None):
        """Plot the history of a fitted search or of its ``cv_results_``.

        Parameters
        ----------
        search_or_cv_results : fitted search, dict or pandas.DataFrame
            A fitted search of skhpo or scikit-learn, or its ``cv_results_``.
        metric : str, default=None
            Which ``mean_test_<metric>``; by default the search's ``refit``
            metric, or the only one.
        ax : matplotlib Axes, default=None
            Where to draw; a new figure by default.

        Returns
        -------
        display : HistoryDisplay
            The display, drawn (see :meth:`plot`).
        """
        check_matplotlib_support(f"{cls.__name__}.from_search")
        return cls(search_history(search_or_cv_results, metric=metric)).plot(ax=ax)

    def plot(self, ax=None):
        """Draw the scores as points (coloured by resource if any) and the best.

        Against the seconds since the search started when the history has
        end times, else against the candidate's position in the results.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure by default.

        Returns
        -------
        display : HistoryDisplay
            The display itself, its artists set as the attributes
            ending in ``_``.
        """
        who = f"{type(self).__name__}.plot"
        check_matplotlib_support(who)
        h = self.history
        check_frame(h, {"score", "best_so_far"}, "search_history", who)
        fig, (ax,) = figure_axes(ax, size=(6.4, 4), who=who)
        if "end_time" in h:
            x = h["end_time"].to_numpy()
            xlabel = "seconds since the search started (candidate's end)"
        else:
            x = np.arange(len(h))
            xlabel = "position in cv_results_ (no end times)"
        if "n_resources" in h:
            self.points_ = ax.scatter(
                x,
                h["score"],
                c=h["n_resources"],
                s=16,
                cmap="viridis",
                edgecolors="0.3",
                linewidths=0.3,
            )
            fig.colorbar(self.points_, ax=ax, label="n_resources")
        else:
            self.points_ = ax.scatter(x, h["score"], s=14, label="candidate")
        (self.line_,) = ax.step(
            x, h["best_so_far"], where="post", color="C3", label="best so far"
        )
        ax.set_xlabel(xlabel)
        ax.set_ylabel(h.attrs.get("score_name", "score"))
        if "n_resources" in h:
            ax.set_title("best so far: at the highest n_resources only", loc="left")
        ax.legend(loc="lower right")
        self.ax_, self.figure_ = ax, fig
        return self
