"""What nested cross-validation found: each outer fold's inner best score
against its outer test score, and how optimistic the inner scores were."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._base import check_matplotlib_support, figure_axes, legend


class NestedCVDisplay:
    """Inner best score against outer test score, one point per outer fold.

    A point below the diagonal is a fold whose search promised more (its
    ``best_score_``, measured on the folds that chose the winner) than its
    model scored on the outer test fold, which the search never saw. The
    horizontal line is the nested score (the mean outer score); with a
    refitted :class:`~skhpo.NestedCV`, a square marks the search on all the
    data, at its ``best_score_`` across and the nested score up: its height
    under the diagonal is ``optimism_``. The title states ``optimism_`` and
    the mean gap between the inner and outer scores of the folds. Create it
    with :meth:`from_nested_cv` or :meth:`from_cv_results`; the constructor
    only stores the data.

    Parameters
    ----------
    best_scores : array-like of shape (n_folds,)
        Each outer fold's inner ``best_score_`` (NaN for a failed fold).
    test_scores : array-like of shape (n_folds,)
        Each outer fold's test score.
    inner_name : str, default="score"
        The name of the inner metric (the searches'), for the horizontal
        axis label.
    outer_name : str, default="score"
        The name of the outer metric, for the vertical axis label.
    search_best_score : float, default=None
        ``best_score_`` of the search fitted on all the data.
    optimism : float, default=None
        ``NestedCV.optimism_``.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes drawn on.
    figure_ : matplotlib Figure
        The figure of ``ax_``.
    points_ : matplotlib PathCollection
        The folds, at ``(best_score, test_score)``; folds with a NaN score
        are left out.
    diagonal_ : matplotlib Line2D
        Where the outer score equals the inner one.
    nested_line_ : matplotlib Line2D
        The nested score, the mean of the outer scores.
    search_point_ : matplotlib Line2D or None
        The search on all the data, ``(search_best_score, nested score)``.
    text_ : matplotlib Text
        The title, stating the optimism and the mean gap.
    legend_ : matplotlib Legend
        What the markers and lines mean: below the axes of a new figure,
        else in the axes.

    See Also
    --------
    skhpo.NestedCV : Computes what is drawn.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn.svm import SVC
    >>> from skhpo import NestedCV
    >>> from skhpo.plotting import NestedCVDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> search = GridSearchCV(SVC(), {"C": [0.1, 1, 10]}, cv=3, scoring="accuracy")
    >>> nested = NestedCV(search, cv=3).fit(X, y)
    >>> disp = NestedCVDisplay.from_nested_cv(nested)
    >>> disp.points_.get_offsets().shape
    (3, 2)
    >>> f"optimism_ {nested.optimism_:+.3f}" in disp.text_.get_text()
    True
    >>> disp.ax_.get_ylabel()
    'outer test accuracy'
    """

    def __init__(
        self,
        best_scores,
        test_scores,
        *,
        inner_name="score",
        outer_name="score",
        search_best_score=None,
        optimism=None,
    ):
        self.best_scores = best_scores
        self.test_scores = test_scores
        self.inner_name = inner_name
        self.outer_name = outer_name
        self.search_best_score = search_best_score
        self.optimism = optimism

    @classmethod
    def from_nested_cv(cls, nested, *, metric=None, ax=None):
        """Plot a fitted :class:`~skhpo.NestedCV`.

        Parameters
        ----------
        nested : NestedCV
            A fitted :class:`~skhpo.NestedCV`; with ``refit``, the search on
            all the data is drawn too.
        metric : str, default=None
            Which outer ``test_<metric>`` when several were scored; by default
            the first, the one ``mean_score_`` and ``optimism_`` use.
        ax : matplotlib Axes, default=None
            Where to draw; a new figure by default.

        Returns
        -------
        display : NestedCVDisplay
            The display, drawn (see :meth:`plot`).
        """
        who = f"{cls.__name__}.from_nested_cv"
        check_matplotlib_support(who)
        if not hasattr(nested, "fit") or not hasattr(nested, "cv"):
            raise TypeError(
                f"{who} takes a fitted NestedCV, got {type(nested).__name__}; "
                "for its cv_results_ use from_cv_results"
            )
        check_is_fitted(nested, "cv_results_")
        results = nested.cv_results_
        metrics = _outer_metrics(results, who)
        metric = _choose(metrics, metric, who)
        search = nested.estimator
        inner = _scoring_name(
            getattr(search, "scoring", None), getattr(search, "refit", None)
        )
        outer = inner if nested.scoring is None else _scoring_name(nested.scoring)
        fitted = getattr(nested, "search_", None)
        first = metric == metrics[0]  # optimism_ compares the first metric
        return cls(
            results["best_score"],
            results[f"test_{metric}"],
            inner_name=inner,
            outer_name=outer if metric == "score" else metric,
            search_best_score=getattr(fitted, "best_score_", None) if first else None,
            optimism=getattr(nested, "optimism_", None) if first else None,
        ).plot(ax=ax)

    @classmethod
    def from_cv_results(cls, cv_results, *, metric=None, ax=None):
        """Plot the ``cv_results_`` of a NestedCV (a dict or a DataFrame).

        Without the fitted NestedCV, the search on all the data is unknown:
        the title states the mean gap between the inner and outer scores.

        Parameters
        ----------
        cv_results : dict or pandas.DataFrame
            With ``best_score`` and ``test_score`` (or ``test_<metric>``).
        metric : str, default=None
            Which ``test_<metric>``; by default the first.
        ax : matplotlib Axes, default=None
            Where to draw; a new figure by default.

        Returns
        -------
        display : NestedCVDisplay
            The display, drawn (see :meth:`plot`).
        """
        who = f"{cls.__name__}.from_cv_results"
        check_matplotlib_support(who)
        if hasattr(cv_results, "columns"):
            cv_results = {c: cv_results[c].to_numpy() for c in cv_results.columns}
        if not isinstance(cv_results, Mapping):
            raise TypeError(
                f"{who} takes the cv_results_ of a NestedCV (a dict or a "
                f"DataFrame), got {type(cv_results).__name__}"
            )
        metric = _choose(_outer_metrics(cv_results, who), metric, who)
        return cls(
            cv_results["best_score"],
            cv_results[f"test_{metric}"],
            outer_name=metric,
        ).plot(ax=ax)

    def plot(self, ax=None):
        """Draw the folds, the diagonal, the nested score and the optimism.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure by default.

        Returns
        -------
        display : NestedCVDisplay
            The display itself, its artists set as the attributes
            ending in ``_``.
        """
        who = f"{type(self).__name__}.plot"
        check_matplotlib_support(who)
        from matplotlib.lines import Line2D

        inner = np.asarray(self.best_scores, dtype=float).ravel()
        outer = np.asarray(self.test_scores, dtype=float).ravel()
        if inner.shape != outer.shape:
            raise ValueError(
                f"{who}: best_scores and test_scores must have one score per "
                f"outer fold; got {inner.size} and {outer.size}"
            )
        created = ax is None
        fig, (ax, *_) = figure_axes(ax, 1, panel_size=(4.8, 5.2), who=who)
        finite = np.isfinite(inner) & np.isfinite(outer)
        self.points_ = ax.scatter(
            inner[finite], outer[finite], s=36, color="C0", zorder=3
        )
        _number_folds(ax, inner, outer, np.flatnonzero(finite))
        scored = outer[np.isfinite(outer)]
        nested = float(np.mean(scored)) if len(scored) else np.nan
        gap = float(np.mean(inner[finite] - outer[finite])) if finite.any() else np.nan
        best = self.search_best_score
        best = np.nan if best is None else float(best)
        low, high = _limits(np.r_[inner[finite], outer[finite], nested, best])
        (self.diagonal_,) = ax.plot(
            [low, high], [low, high], ls="--", color="0.5", lw=1, zorder=1
        )
        self.nested_line_ = ax.axhline(nested, color="C2", lw=1.2, ls=":", zorder=1)
        handles = [
            Line2D(
                [], [], color="C0", marker="o", ls="none", label="outer fold (number)"
            ),
            Line2D([], [], color="0.5", ls="--", label="outer = inner"),
            Line2D([], [], color="C2", ls=":", label="nested score"),
        ]
        self.search_point_ = None
        if np.isfinite(best) and np.isfinite(nested):
            # its height under the diagonal is the optimism
            ax.plot([best, best], [nested, best], color="C3", lw=1, zorder=2)
            (self.search_point_,) = ax.plot(
                [best], [nested], marker="s", color="C3", ls="none", zorder=3
            )
            label = (
                "search on all data at\n(best_score_, nested score);\nbar: optimism_"
            )
            handles.append(
                Line2D([], [], color="C3", marker="s", ls="-", lw=1, label=label)
            )
        ax.set_xlim(low, high)
        ax.set_ylim(low, high)
        ax.set_aspect("equal", adjustable="box")
        ax.set_xlabel(f"inner best_score_ ({self.inner_name})")
        ax.set_ylabel(f"outer test {self.outer_name}")
        n_failed = int(np.sum(~finite))
        self.text_ = ax.set_title(
            _summary(self.optimism, gap, nested, scored, n_failed), fontsize="medium"
        )
        self.legend_ = legend(fig, [ax], handles, created, ncols=2)
        self.ax_, self.figure_ = ax, fig
        return self


def _number_folds(ax, inner, outer, folds):
    """Each fold's number beside its point; folds at one point share a label."""
    at = {}
    for k in folds:
        at.setdefault((inner[k], outer[k]), []).append(str(k))
    for point, numbers in at.items():
        ax.annotate(
            ", ".join(numbers),
            point,
            xytext=(4, 3),
            textcoords="offset points",
            fontsize="small",
            color="C0",
        )


def _outer_metrics(results, who):
    """The outer metrics of a NestedCV's ``cv_results_``."""
    metrics = [k[len("test_") :] for k in results if str(k).startswith("test_")]
    if "best_score" not in results or not metrics:
        missing = "'best_score'" if "best_score" not in results else "'test_score'"
        raise ValueError(
            f"{who} needs the cv_results_ of a NestedCV, with 'best_score' and "
            f"'test_score' (or 'test_<metric>'); these have no {missing} (keys: "
            f"{sorted(map(str, results))[:8]})"
        )
    return metrics


def _choose(metrics, metric, who):
    if metric is None:
        return metrics[0]
    name = metric[len("test_") :] if metric.startswith("test_") else metric
    if name not in metrics:
        raise ValueError(
            f"{who}: metric={metric!r} is not an outer metric; the results have "
            f"{metrics}"
        )
    return name


def _scoring_name(scoring, refit=None):
    """The name of what ``scoring`` scores (with ``refit``, of several)."""
    if isinstance(scoring, str):
        return scoring
    if isinstance(refit, str):
        return refit
    return "score"


def _limits(values):
    """A square range holding every value, with a margin."""
    values = values[np.isfinite(values)]
    if not len(values):
        return 0.0, 1.0
    low, high = float(values.min()), float(values.max())
    pad = 0.08 * (high - low) or 0.01 * max(abs(high), 1.0)
    return low - pad, high + pad


def _summary(optimism, gap, nested, scored, n_failed):
    """The title: the nested score, the optimism and the mean gap."""
    spread = float(np.std(scored)) if len(scored) else np.nan
    first = f"{len(scored)} outer folds: nested score {nested:.3f} ± {spread:.3f}"
    if n_failed:
        first += f" ({n_failed} failed)"
    second = [] if optimism is None else [f"optimism_ {optimism:+.3f}"]
    second.append(f"mean gap inner − outer {gap:+.3f}")
    return f"{first}\n{', '.join(second)}"
