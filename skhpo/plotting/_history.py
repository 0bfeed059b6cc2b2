"""The optimisation history of a search: each candidate's score, and the best so far."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..importance._inputs import _LABELS, choose_metric, read_cv_results
from ._base import check_matplotlib_support


def search_history(search_or_cv_results, *, metric=None):
    """Each candidate's score in the order of the results, and the best so far.

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
        One row per row of ``cv_results_``, in order (indexed by position, or
        by the DataFrame's index when one is given): ``score`` (NaN for a
        failed fit), ``best_so_far`` (the running maximum over finished
        rows) and, for multi-fidelity results, ``n_resources``; the running
        best then only counts rows at the highest resource level, since
        scores at lower levels are not comparable.
    """
    who = "search_history"
    results, search = read_cv_results(search_or_cv_results, who)
    labels = np.asarray(results[_LABELS])
    metric = choose_metric(results, search, metric, who)
    score = np.asarray(results[f"mean_test_{metric}"], dtype=float)
    counted = np.isfinite(score)
    frame = {"score": score}
    if "n_resources" in results:
        levels = np.asarray(results["n_resources"], dtype=float)
        frame["n_resources"] = levels
        counted &= levels == levels.max()
    best = np.fmax.accumulate(np.where(counted, score, np.nan))
    frame["best_so_far"] = best
    history = pd.DataFrame(frame, index=pd.Index(labels, name="candidate"))
    history.attrs["metric"] = f"mean_test_{metric}"
    return history


class HistoryDisplay:
    """The optimisation history: scores in evaluation order, best so far.

    Parameters
    ----------
    history : pandas.DataFrame
        What :func:`search_history` returns.

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    line_ : matplotlib Line2D
        The running best.
    """

    def __init__(self, history):
        self.history = history

    @classmethod
    def from_search(cls, search_or_cv_results, *, metric=None, ax=None):
        """Plot the history of a fitted search or of its ``cv_results_``.

        Parameters
        ----------
        search_or_cv_results : fitted search, dict or pandas.DataFrame
        metric : str, default=None
        ax : matplotlib Axes, default=None

        Returns
        -------
        display : HistoryDisplay
        """
        check_matplotlib_support(f"{cls.__name__}.from_search")
        return cls(search_history(search_or_cv_results, metric=metric)).plot(ax=ax)

    def plot(self, ax=None):
        """Draw the scores as points (coloured by resource if any) and the best.

        Parameters
        ----------
        ax : matplotlib Axes, default=None

        Returns
        -------
        display : HistoryDisplay
        """
        check_matplotlib_support(f"{type(self).__name__}.plot")
        import matplotlib.pyplot as plt

        h = self.history
        if not {"score", "best_so_far"} <= set(getattr(h, "columns", ())):
            raise TypeError(
                f"{type(self).__name__} takes the DataFrame returned by "
                f"search_history, got {type(h).__name__}"
            )
        if ax is None:
            fig, ax = plt.subplots(figsize=(6.4, 4), layout="constrained")
        fig = ax.figure
        x = np.arange(len(h))
        if "n_resources" in h:
            points = ax.scatter(x, h["score"], c=h["n_resources"], s=12, cmap="viridis")
            fig.colorbar(points, ax=ax, label="n_resources")
        else:
            ax.scatter(x, h["score"], s=12, label="candidate")
        (self.line_,) = ax.step(
            x, h["best_so_far"], where="post", color="C3", label="best so far"
        )
        ax.set_xlabel("candidate (in the order of cv_results_)")
        ax.set_ylabel(h.attrs.get("metric", "mean_test_score"))
        ax.legend(loc="best")
        self.ax_, self.figure_ = ax, fig
        return self
