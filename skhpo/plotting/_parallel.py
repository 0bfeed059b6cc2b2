"""One line per candidate across the hyperparameters and the score."""

from __future__ import annotations

import numpy as np

from ._base import check_matplotlib_support, figure_axes, short_names
from ._candidates import (
    bounds_of,
    candidates_frame,
    check_candidates,
    check_params,
    positions,
    read_candidates,
    value_label,
)


def unit_positions(values, info: dict) -> np.ndarray:
    """Heights in [0, 1] of ``values`` on their axis of the plot.

    Numbers are scaled linearly on their range (in log space for a
    ``"log"`` axis); cells are evenly spaced from 0 to 1 (a single one at
    0.5).
    """
    x = positions(values, info)
    if info["values"] is not None:
        k = len(info["values"])
        return np.full(len(x), 0.5) if k == 1 else x / (k - 1)
    low, high = bounds_of(x, info)
    if info["scale"] == "log" and low > 0:
        x, low, high = np.log(x), np.log(low), np.log(high)
    return (x - low) / (high - low) if high > low else np.full(len(x), 0.5)


def _ticks(values, info: dict) -> tuple[np.ndarray, list[str]]:
    """Tick heights in [0, 1] and their labels in the values' units."""
    from matplotlib.ticker import LogLocator, MaxNLocator

    if info["values"] is not None:
        cells = info["values"]
        return unit_positions(cells, info), [value_label(v) for v in cells]
    x = positions(values, info)
    low, high = bounds_of(x, info)
    integer = bool(np.all(np.mod(x[np.isfinite(x)], 1) == 0))
    if info["scale"] == "log" and low > 0:
        ticks = LogLocator(base=10).tick_values(low, high)
        if np.sum((ticks >= low) & (ticks <= high)) < 2:
            ticks = np.geomspace(low, high, 4)
    else:
        ticks = MaxNLocator(nbins=5, integer=integer).tick_values(low, high)
    span = high - low
    ticks = ticks[(ticks >= low - 1e-9 * span) & (ticks <= high + 1e-9 * span)]
    return unit_positions(ticks, info), [_tick_label(t, info["scale"]) for t in ticks]


def _tick_label(value: float, scale: str) -> str:
    """``10^k`` for a power of ten on a log axis, else 3 significant digits."""
    exponent = np.log10(value) if scale == "log" and value > 0 else 0.5
    if np.isclose(exponent, round(exponent)):
        return f"$10^{{{round(exponent)}}}$"
    return value_label(float(value))


def _score_ticks(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from matplotlib.ticker import MaxNLocator

    low, high = float(np.min(scores)), float(np.max(scores))
    if high == low:
        return np.array([0.5]), np.array([low])
    ticks = MaxNLocator(nbins=5).tick_values(low, high)
    ticks = ticks[(ticks >= low) & (ticks <= high)]
    return (ticks - low) / (high - low), ticks


class ParallelCoordinatesDisplay:
    """One line per candidate across its hyperparameters, and its score.

    Every hyperparameter is a vertical axis scaled to its range (log space
    for a log-uniform range; lists and categories as evenly spaced,
    labelled values), the score the last one; lines are coloured by score
    and the best candidate is drawn on top. Bundles of good lines show the
    values and combinations that work. Create it with :meth:`from_search`;
    the constructor only stores the data.

    Parameters
    ----------
    candidates : pandas.DataFrame
        What :func:`search_candidates` returns.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes drawn on.
    figure_ : matplotlib Figure
        The figure of ``ax_``.
    lines_ : matplotlib LineCollection
        One line per candidate, by increasing score (the best drawn last);
        the vertices' heights are in [0, 1] (see ``heights_``).
    best_line_ : matplotlib Line2D
        The best candidate's line, in red over the others.
    heights_ : pandas.DataFrame
        The height in [0, 1] of every candidate (in the rows' order) on
        every axis, the hyperparameters' then ``"score"``, as drawn.
    colorbar_ : matplotlib Colorbar
        The colour scale of the scores.

    See Also
    --------
    search_candidates : The data.
    SliceDisplay : The score against each hyperparameter.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import RandomizedSearchCV
    >>> from sklearn.svm import SVC
    >>> from skhpo.plotting import ParallelCoordinatesDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> search = RandomizedSearchCV(
    ...     SVC(), {"C": loguniform(1e-2, 1e2), "kernel": ["rbf", "linear"]},
    ...     n_iter=8, cv=3, random_state=0,
    ... ).fit(X, y)
    >>> display = ParallelCoordinatesDisplay.from_search(search)
    >>> len(display.lines_.get_segments())  # one line per candidate
    8
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
        ax=None,
    ):
        """Plot the candidates of a fitted search or of its ``cv_results_``.

        Parameters
        ----------
        search_or_cv_results : fitted search, dict or pandas.DataFrame
            A fitted search of skhpo or scikit-learn, or its ``cv_results_``.
        params : list of str, default=None
            The hyperparameters, one axis each in this order; by default
            every one that varies.
        metric : str, default=None
            Which ``mean_test_<metric>``; by default the search's ``refit``
            metric, or the only one.
        n_resources : "auto" or number, default="auto"
            For multi-fidelity results, the resource level whose rows are
            drawn (see :func:`search_candidates`).
        ax : matplotlib Axes, default=None
            Where to draw; a new figure by default.

        Returns
        -------
        display : ParallelCoordinatesDisplay
            The display, drawn (see :meth:`plot`).
        """
        who = f"{cls.__name__}.from_search"
        check_matplotlib_support(who)
        finished = read_candidates(
            search_or_cv_results, metric=metric, n_resources=n_resources, who=who
        )
        names = check_params(params, finished, who)
        return cls(candidates_frame(finished, names)).plot(ax=ax)

    def plot(self, ax=None):
        """Draw the axes, one line per candidate, and the best on top.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure by default.

        Returns
        -------
        display : ParallelCoordinatesDisplay
            The display itself, its artists set as the attributes
            ending in ``_``.
        """
        who = f"{type(self).__name__}.plot"
        check_matplotlib_support(who)
        c = self.candidates
        check_candidates(c, who)
        import pandas as pd
        from matplotlib.collections import LineCollection

        axes_info = c.attrs["axes"]
        names = list(axes_info)
        score_label = c.attrs.get("score_name", "score")
        labels = [*short_names(names).values(), score_label]
        scores = c["score"].to_numpy(dtype=float)
        low, high = float(scores.min()), float(scores.max())
        heights = [unit_positions(c[n].tolist(), axes_info[n]) for n in names]
        heights.append(
            (scores - low) / (high - low) if high > low else np.full(len(c), 0.5)
        )
        self.heights_ = pd.DataFrame(
            np.column_stack(heights), index=c.index, columns=[*names, "score"]
        )
        n_axes = len(names) + 1
        fig, (ax,) = figure_axes(ax, size=(max(6.4, 1.4 * n_axes + 1.6), 4.5), who=who)
        x = np.arange(n_axes)
        segments = [np.column_stack([x, row]) for row in self.heights_.to_numpy()]
        order = np.argsort(scores, kind="stable")  # the best drawn last
        self.lines_ = LineCollection(
            [segments[i] for i in order],
            array=scores[order],
            cmap="viridis",
            linewidths=1.2,
            alpha=0.75,
        )
        ax.add_collection(self.lines_)
        best = c.index.get_loc(c.attrs["best"])
        (self.best_line_,) = ax.plot(
            x, segments[best][:, 1], color="C3", linewidth=2.5, label="best"
        )
        for k, name in enumerate(names):
            ax.axvline(k, color="0.3", linewidth=0.8)
            pos, text = _ticks(c[name].tolist(), axes_info[name])
            self._draw_ticks(ax, k, pos, text)
        ax.axvline(n_axes - 1, color="0.3", linewidth=0.8)
        pos, values = _score_ticks(scores)
        self._draw_ticks(ax, n_axes - 1, pos, [f"{v:.3g}" for v in values])
        ax.set_xlim(-0.3, n_axes - 1 + 0.1)
        ax.set_ylim(-0.04, 1.04)
        ax.set_yticks([])
        # Names wider than the space between two axes are slanted.
        slanted = max(len(t) for t in labels) > 16
        ax.set_xticks(
            x,
            labels,
            rotation=25 if slanted else 0,
            ha="right" if slanted else "center",
            rotation_mode="anchor" if slanted else "default",
        )
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
        self.colorbar_ = fig.colorbar(self.lines_, ax=ax, label=score_label, pad=0.02)
        title = f"one line per candidate, the best in red ({len(c)} candidates"
        level = c.attrs.get("n_resources")
        title += ")" if level is None else f" at n_resources={level})"
        ax.set_title(title, fontsize="medium")
        self.ax_, self.figure_ = ax, fig
        return self

    @staticmethod
    def _draw_ticks(ax, k, heights, labels):
        """Tick marks and their labels on the vertical axis at ``x = k``."""
        for h, text in zip(heights, labels):
            ax.plot([k - 0.025, k], [h, h], color="0.3", linewidth=0.8)
            ax.text(
                k - 0.04,
                h,
                text,
                ha="right",
                va="center",
                fontsize="small",
                bbox={
                    "facecolor": "white",
                    "edgecolor": "none",
                    "alpha": 0.6,
                    "pad": 0.5,
                },
            )
