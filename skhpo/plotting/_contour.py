"""The surrogate's score over a pair of hyperparameters, the others averaged."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.utils import Bunch, check_random_state

from ..importance._inputs import check_int, read_finished, score_name
from ..importance._surrogate import check_surrogate, fit_surrogate
from ..space._utils import to_python
from ._base import check_matplotlib_support, figure_axes, short_names
from ._candidates import (
    CELLS,
    axis_info,
    check_params,
    positions,
    set_value_axis,
    values_column,
)


def _grid(axis) -> tuple[np.ndarray, list]:
    """Where the surface is evaluated: unit and native values, ends included."""
    unit, values = np.asarray(axis.curve_unit, dtype=float), list(axis.curve_values)
    if axis.edges is None and axis.bounds is not None:
        # A continuous range: reach its ends, so the surface fills the plot.
        unit = np.concatenate([[0.0], unit, [1.0]])
        values = [axis.bounds[0], *values, axis.bounds[1]]
    return unit, [to_python(v) for v in values]


def _surrogate_contour(
    search_or_cv_results,
    params,
    metric,
    n_resources,
    surrogate,
    n_trees,
    random_state,
    who,
):
    check_surrogate(surrogate, who)
    check_int(n_trees, "n_trees", 1, who)
    try:
        check_random_state(random_state)
    except ValueError:
        raise ValueError(
            f"{who}: random_state must be an int, a numpy RandomState or None, "
            f"got {random_state!r}"
        ) from None
    finished = read_finished(
        search_or_cv_results, metric=metric, n_resources=n_resources, who=who
    )
    if len(finished.axes) < 2:
        raise ValueError(
            f"{who} needs two hyperparameters that vary across the finished "
            f"candidates; the results have {finished.names}"
            + (f" (left out: {finished.left_out})" if finished.left_out else "")
        )
    names = check_params(params, finished, who, n=None if params is None else 2)
    model = fit_surrogate(finished, n_trees, random_state, surrogate, who)
    shares = model.main_effects(random_state)
    if params is None:  # the two most important, the most important first
        top = np.argsort(-shares, kind="stable")[:2]
        names = [finished.names[k] for k in top]
    i, j = (finished.names.index(n) for n in names)
    (ui, xs), (uj, ys) = _grid(finished.axes[i]), _grid(finished.axes[j])
    mean, std = model.pair_marginal(i, j, ui, uj)
    index = pd.Index(finished.labels[finished.rows], name="candidate")
    points = pd.DataFrame(
        {
            n: values_column(finished, finished.axes[k], index)
            for n, k in zip(names, (i, j))
        },
        index=index,
    )
    points["score"] = finished.scores
    return Bunch(
        params=names,
        x=xs,
        y=ys,
        mean=mean.T,
        std=std.T,
        axes={n: axis_info(finished.axes[k]) for n, k in zip(names, (i, j))},
        points=points,
        best=to_python(index[finished.best]),
        importance=dict(zip(finished.names, shares.tolist())),
        score_name=score_name(finished.metric, finished.search),
        metric=f"mean_test_{finished.metric}",
        n_resources=finished.n_resources,
    )


def surrogate_contour(
    search_or_cv_results,
    params=None,
    *,
    metric=None,
    n_resources="auto",
    surrogate="auto",
    n_trees=64,
    random_state=0,
):
    """The surrogate's mean score over a grid of two hyperparameters.

    The surrogate is the one of :func:`~skhpo.importance.importance_report`
    (trees fitted to the finished candidates' mean test scores, each
    hyperparameter in the measure it was sampled in);
    the surface is its exact marginal over the pair: every other
    hyperparameter averaged over its measure, as functional ANOVA does.

    Parameters
    ----------
    search_or_cv_results : fitted search, dict or pandas.DataFrame
        A fitted search of skhpo or scikit-learn, or its ``cv_results_``.
    params : (str, str), default=None
        The pair, horizontal axis first; by default the two with the largest
        main effects, the larger first.
    metric : str, default=None
        Which ``mean_test_<metric>``; by default the search's ``refit``
        metric, or the only one.
    n_resources : "auto" or number, default="auto"
        For multi-fidelity results, the resource level whose rows are used,
        as in :func:`~skhpo.importance.importance_report`.
    surrogate : {"auto", "extra-trees", "boosting"}, default="auto"
        The model fitted to the scores, as in
        :func:`~skhpo.importance.importance_report`.
    n_trees : int, default=64
        Trees of the extra-trees surrogate.
    random_state : int, RandomState instance or None, default=0
        Seeds the surrogate.

    Returns
    -------
    contour : sklearn.utils.Bunch
        - ``params``: the pair ``[x, y]``;
        - ``x``, ``y``: the grid's values of each, in their units (for a
          continuous range, 64 points in its measure and both ends; for
          values that are cells, each value in its order on the axis);
        - ``mean``, ``std``: ndarrays of shape ``(len(y), len(x))``, the
          surrogate's mean score and its spread (across the trees, or the
          models of the cross-validation for the boosted surrogate);
        - ``axes``: how each is drawn, as in :func:`search_candidates`;
        - ``points``: a DataFrame of the finished candidates used (indexed
          by their label in ``cv_results_``): both values and ``score``;
        - ``best``: the best candidate's label;
        - ``importance``: the main-effect share of every hyperparameter
          (for the forest, averaged over its trees), what chooses the
          default pair;
        - ``score_name``, ``metric``, ``n_resources``.

    Raises
    ------
    ValueError
        If fewer than two hyperparameters vary, ``params`` does not name two
        of them, or there are too few finished candidates (as for
        :func:`~skhpo.importance.importance_report`).

    Warns
    -----
    UserWarning
        When the surrogate was chosen by cross-validation and no model tried
        predicted the held-out candidates' scores better than their mean (as
        for :func:`~skhpo.importance.importance_report`).

    See Also
    --------
    ContourDisplay : Draws the surface.

    Examples
    --------
    >>> import numpy as np
    >>> from skhpo.plotting import surrogate_contour
    >>> rng = np.random.default_rng(0)
    >>> params = [{"a": a, "b": b, "c": c} for a, b, c in rng.random((40, 3))]
    >>> scores = [-((p["a"] - 0.7) ** 2) - 0.5 * (p["b"] - 0.2) ** 2 for p in params]
    >>> contour = surrogate_contour({"params": params, "mean_test_score": scores})
    >>> contour.params
    ['a', 'b']
    >>> j, i = np.unravel_index(np.argmax(contour.mean), contour.mean.shape)
    >>> bool(abs(contour.x[i] - 0.7) < 0.2 and abs(contour.y[j] - 0.2) < 0.2)
    True
    """
    return _surrogate_contour(
        search_or_cv_results,
        params,
        metric,
        n_resources,
        surrogate,
        n_trees,
        random_state,
        "surrogate_contour",
    )


def _cell_edges(x: np.ndarray, log: bool) -> np.ndarray:
    """Edges of cells centred on the sorted ``x`` (in log space for a log axis)."""
    t = np.log(x) if log else np.asarray(x, dtype=float)
    if len(t) == 1:
        edges = np.array([t[0] - 0.5, t[0] + 0.5])
    else:
        mids = 0.5 * (t[1:] + t[:-1])
        edges = np.concatenate(
            [[t[0] - (mids[0] - t[0])], mids, [t[-1] + (t[-1] - mids[-1])]]
        )
    return np.exp(edges) if log else edges


def _draw_surface(ax, x, y, mean, info_x, info_y, norm, cmap):
    """Filled contours over numbers; cells when an axis holds a list of values."""
    from matplotlib.ticker import MaxNLocator

    if info_x["scale"] in CELLS or info_y["scale"] in CELLS or np.ptp(mean) == 0:
        xe = _cell_edges(x, info_x["scale"] == "log")
        ye = _cell_edges(y, info_y["scale"] == "log")
        return ax.pcolormesh(xe, ye, mean, cmap=cmap, norm=norm)
    levels = MaxNLocator(nbins=14).tick_values(mean.min(), mean.max())
    return ax.contourf(x, y, mean, levels=levels, cmap=cmap, norm=norm)


class ContourDisplay:
    """The surrogate's score over two hyperparameters, the candidates on top.

    Filled contours of the surrogate's mean score over the pair, every other
    hyperparameter averaged over the measure it was sampled in (the
    functional ANOVA marginal of :func:`~skhpo.importance.importance_report`),
    with the evaluated candidates overlaid, coloured on the same scale, the
    best as a star. A log-uniform range gets a log axis; when a hyperparameter
    is a list of values or categories, the surface is drawn as cells, one per
    value. Create it with :meth:`from_search`; the constructor only stores
    the data.

    Parameters
    ----------
    contour : sklearn.utils.Bunch
        What :func:`surrogate_contour` returns.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes drawn on.
    figure_ : matplotlib Figure
        The figure of ``ax_``.
    surface_ : matplotlib QuadContourSet or QuadMesh
        Filled contours, or cells when an axis holds a list of values.
    points_ : matplotlib PathCollection
        The candidates, in the order of ``contour.points``.
    best_ : matplotlib PathCollection
        The best candidate's star.
    colorbar_ : matplotlib Colorbar
        The colour scale, shared by the surface and the candidates.

    See Also
    --------
    surrogate_contour : The data.
    MarginalDisplay : One hyperparameter at a time.
    ImportanceDisplay : Which hyperparameters and pairs matter.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import RandomizedSearchCV
    >>> from sklearn.svm import SVC
    >>> from skhpo.plotting import ContourDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> search = RandomizedSearchCV(
    ...     SVC(), {"C": loguniform(1e-2, 1e3), "gamma": loguniform(1e-4, 1e1)},
    ...     n_iter=15, cv=3, random_state=0,
    ... ).fit(X, y)
    >>> display = ContourDisplay.from_search(search, params=("C", "gamma"))
    >>> display.ax_.get_xscale(), display.ax_.get_yscale()
    ('log', 'log')
    >>> len(display.points_.get_offsets())  # the 15 candidates
    15
    """

    def __init__(self, contour):
        self.contour = contour

    @classmethod
    def from_search(
        cls,
        search_or_cv_results,
        params=None,
        *,
        metric=None,
        n_resources="auto",
        surrogate="auto",
        n_trees=64,
        random_state=0,
        ax=None,
    ):
        """Plot the surrogate's surface of a pair for a search or its results.

        Parameters
        ----------
        search_or_cv_results : fitted search, dict or pandas.DataFrame
            A fitted search of skhpo or scikit-learn, or its ``cv_results_``.
        params : (str, str), default=None
            The pair, horizontal axis first; by default the two most
            important.
        metric : str, default=None
            Which ``mean_test_<metric>``; by default the search's ``refit``
            metric, or the only one.
        n_resources : "auto" or number, default="auto"
            For multi-fidelity results, the resource level whose rows are
            used, as in :func:`~skhpo.importance.importance_report`.
        surrogate : {"auto", "extra-trees", "boosting"}, default="auto"
            The model fitted to the scores, as in
            :func:`~skhpo.importance.importance_report`.
        n_trees : int, default=64
            Trees of the extra-trees surrogate.
        random_state : int, RandomState instance or None, default=0
            Seeds the surrogate.
        ax : matplotlib Axes, default=None
            Where to draw; a new figure by default.

        Returns
        -------
        display : ContourDisplay
            The display, drawn (see :meth:`plot`).
        """
        who = f"{cls.__name__}.from_search"
        check_matplotlib_support(who)
        contour = _surrogate_contour(
            search_or_cv_results,
            params,
            metric,
            n_resources,
            surrogate,
            n_trees,
            random_state,
            who,
        )
        return cls(contour).plot(ax=ax)

    def plot(self, ax=None):
        """Draw the surface, the candidates and the best.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure by default.

        Returns
        -------
        display : ContourDisplay
            The display itself, its artists set as the attributes
            ending in ``_``.
        """
        who = f"{type(self).__name__}.plot"
        check_matplotlib_support(who)
        c = self.contour
        if not isinstance(c, dict) or not {"params", "x", "y", "mean"} <= set(c):
            raise TypeError(
                f"{who} takes the Bunch returned by surrogate_contour, got "
                f"{type(c).__name__}"
            )
        from matplotlib.cm import ScalarMappable
        from matplotlib.colors import Normalize
        from matplotlib.lines import Line2D

        (a, b), info = c.params, c.axes
        fig, (ax,) = figure_axes(ax, size=(6.4, 5.0), who=who)
        x, y = positions(c.x, info[a]), positions(c.y, info[b])
        px = positions(c.points[a].tolist(), info[a])
        py = positions(c.points[b].tolist(), info[b])
        scores = c.points["score"].to_numpy(dtype=float)
        mean = np.asarray(c.mean, dtype=float)
        low = min(float(mean.min()), float(scores.min()))
        high = max(float(mean.max()), float(scores.max()))
        norm = Normalize(low, high if high > low else low + 1.0)
        cmap = "viridis"
        self.surface_ = _draw_surface(ax, x, y, mean, info[a], info[b], norm, cmap)
        self.points_ = ax.scatter(
            px,
            py,
            c=scores,
            cmap=cmap,
            norm=norm,
            s=24,
            edgecolors="white",
            linewidths=0.7,
        )
        best = c.points.index.get_loc(c.best)
        self.best_ = ax.scatter(
            px[best],
            py[best],
            marker="*",
            s=220,
            color="C3",
            edgecolors="white",
            linewidths=0.8,
        )
        labels = short_names([a, b])
        set_value_axis(ax, "x", info[a], labels[a])
        set_value_axis(ax, "y", info[b], labels[b])
        self.colorbar_ = fig.colorbar(
            ScalarMappable(norm=norm, cmap=cmap),
            ax=ax,
            label=c.score_name,
        )
        title = ["surrogate's mean"]
        if len(c.get("importance", ())) > 2:
            title.append("others averaged")
        if c.n_resources is not None:
            title.append(f"n_resources={c.n_resources}")
        ax.set_title(", ".join(title), fontsize="medium")
        handles = [
            Line2D(
                [], [], ls="", marker="o", mfc="0.5", mec="white", label="candidate"
            ),
            Line2D(
                [], [], ls="", marker="*", ms=12, mfc="C3", mec="white", label="best"
            ),
        ]
        ax.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(0, -0.1),
            ncols=2,
            frameon=False,
            fontsize="small",
        )
        self.ax_, self.figure_ = ax, fig
        return self
