"""The raw score of each candidate against each hyperparameter (a slice plot)."""

from __future__ import annotations

import numpy as np

from ._base import (
    check_matplotlib_support,
    figure_axes,
    first_column,
    short_names,
)
from ._candidates import (
    candidates_frame,
    check_candidates,
    check_params,
    positions,
    read_candidates,
    set_value_axis,
)


class SliceDisplay:
    """The score of every evaluated candidate against each hyperparameter.

    One panel per hyperparameter, the raw mean test scores (no surrogate),
    points coloured by the order in which the candidates finished: where a
    search concentrated, and whether late candidates did better. Numbers on
    log axes for log-uniform ranges; lists and categories as labelled cells.
    Create it with :meth:`from_search`; the constructor only stores the
    data.

    Parameters
    ----------
    candidates : pandas.DataFrame
        What :func:`search_candidates` returns.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes
        One per hyperparameter.
    figure_ : matplotlib Figure
        The figure of the panels.
    scatters_ : list of matplotlib PathCollection
        The candidates of each panel, in the rows' order.
    best_ : list of matplotlib PathCollection
        The best candidate's marker on each panel.
    colorbar_ : matplotlib Colorbar
        The colour scale of the evaluation order.

    See Also
    --------
    search_candidates : The data.
    ParallelCoordinatesDisplay : Every hyperparameter of a candidate at once.
    MarginalDisplay : The surrogate's curve, the other hyperparameters averaged.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import RandomizedSearchCV
    >>> from sklearn.svm import SVC
    >>> from skhpo.plotting import SliceDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> search = RandomizedSearchCV(
    ...     SVC(), {"C": loguniform(1e-2, 1e2), "kernel": ["rbf", "linear"]},
    ...     n_iter=8, cv=3, random_state=0,
    ... ).fit(X, y)
    >>> display = SliceDisplay.from_search(search)
    >>> [ax.get_xlabel() for ax in display.axes_]
    ['C', 'kernel']
    >>> [ax.get_xscale() for ax in display.axes_]
    ['log', 'linear']
    """

    def __init__(self, candidates):
        self.candidates = candidates

    @classmethod
    def from_search(
        cls,
        search_or_cv_results,
        *,
        params=None,
        metric=None,
        n_resources="auto",
        n_cols=4,
        ax=None,
    ):
        """Plot the candidates of a fitted search or of its ``cv_results_``.

        Parameters
        ----------
        search_or_cv_results : fitted search, dict or pandas.DataFrame
            A fitted search of skhpo or scikit-learn, or its ``cv_results_``.
        params : list of str, default=None
            The hyperparameters, one panel each; by default every one that
            varies.
        metric : str, default=None
            Which ``mean_test_<metric>``; by default the search's ``refit``
            metric, or the only one.
        n_resources : "auto" or number, default="auto"
            For multi-fidelity results, the resource level whose rows are
            drawn (see :func:`search_candidates`).
        n_cols : int, default=4
            Panels per row of a new figure.
        ax : array-like of matplotlib Axes, default=None
            One per hyperparameter; a new figure by default.

        Returns
        -------
        display : SliceDisplay
            The display, drawn (see :meth:`plot`).
        """
        who = f"{cls.__name__}.from_search"
        check_matplotlib_support(who)
        finished = read_candidates(
            search_or_cv_results, metric=metric, n_resources=n_resources, who=who
        )
        names = check_params(params, finished, who)
        return cls(candidates_frame(finished, names)).plot(ax=ax, n_cols=n_cols)

    def plot(self, ax=None, n_cols=4):
        """Draw one panel per hyperparameter, sharing the score axis.

        Parameters
        ----------
        ax : array-like of matplotlib Axes, default=None
            One per hyperparameter; a new figure by default.
        n_cols : int, default=4
            Panels per row of a new figure.

        Returns
        -------
        display : SliceDisplay
            The display itself, its artists set as the attributes
            ending in ``_``.
        """
        who = f"{type(self).__name__}.plot"
        check_matplotlib_support(who)
        c = self.candidates
        check_candidates(c, who)
        from matplotlib.colors import Normalize

        axes_info = c.attrs["axes"]
        names = list(axes_info)
        labels = short_names(names)
        fig, axes = figure_axes(
            ax, len(names), n_cols=n_cols, panel_size=(3.4, 3.0), who=who
        )
        norm = Normalize(0, max(1, len(c) - 1))
        best = c.index.get_loc(c.attrs["best"])
        self.scatters_, self.best_ = [], []
        for panel, name in zip(axes, names):
            info = axes_info[name]
            x = positions(c[name].tolist(), info)
            self.scatters_.append(
                panel.scatter(
                    x,
                    c["score"],
                    c=c["order"],
                    cmap="viridis",
                    norm=norm,
                    s=18,
                    edgecolors="none",
                )
            )
            self.best_.append(
                panel.scatter(
                    x[best],
                    c["score"].iloc[best],
                    marker="*",
                    s=140,
                    facecolors="none",
                    edgecolors="C3",
                    linewidths=1.5,
                    label="best",
                )
            )
            set_value_axis(panel, "x", info, labels[name])
            panel.grid(alpha=0.3)
        # One score range for every panel, labelled on the first column.
        low = min(panel.get_ylim()[0] for panel in axes)
        high = max(panel.get_ylim()[1] for panel in axes)
        for panel in axes:
            panel.set_ylim(low, high)
            if first_column(panel):
                panel.set_ylabel(c.attrs.get("score_name", "score"))
        by = "end time" if c.attrs.get("order") == "end_time" else "results' order"
        self.colorbar_ = fig.colorbar(
            self.scatters_[0], ax=axes, label=f"evaluation order ({by})", shrink=0.9
        )
        level = c.attrs.get("n_resources")
        if level is not None:
            fig.suptitle(f"candidates at n_resources={level}", fontsize="medium")
        self.axes_, self.figure_ = np.asarray(axes), fig
        return self
