"""Displays of an importance report: bars of the shares, marginal curves."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..importance import importance_report
from ..importance._inputs import check_int
from ._base import (
    check_frame,
    check_matplotlib_support,
    figure_axes,
    first_column,
    label_inches,
    short_names,
)
from ._candidates import value_label


def _check_report(report, who: str) -> None:
    check_frame(report, set(), "importance_report", who, ("marginals",))


def _curve(marginal: dict) -> pd.DataFrame:
    """A marginal curve of a report as a frame; None stays None among values."""
    return pd.DataFrame(
        {
            "value": pd.Series(marginal["value"], dtype=object),
            "mean": np.asarray(marginal["mean"], dtype=float),
            "std": np.asarray(marginal["std"], dtype=float),
        }
    )


class ImportanceDisplay:
    """Bars of the importance shares, main effects and strongest interactions.

    Create it with :meth:`from_search` or :meth:`from_report`; the
    constructor only stores the data.

    Parameters
    ----------
    importance : pandas.Series
        Main-effect share per hyperparameter.
    importance_std : pandas.Series
        Spread of each share (``importance_std`` of the report).
    interactions : pandas.DataFrame, default=None
        Pairs (index ``"a:b"``) with ``importance`` and ``importance_std``.
    method : str, default=None
        The method, in words (the report's ``attrs["method"]``).
    score_name : str, default="score"
        The score whose variance is shared out, for the axis label.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes drawn on.
    figure_ : matplotlib Figure
        The figure of ``ax_``.
    bars_ : matplotlib BarContainer
        The main effects, largest at the top, then the interactions.

    See Also
    --------
    skhpo.importance.importance_report : The data.
    MarginalDisplay : The surrogate's curve of each hyperparameter.
    ContourDisplay : The surrogate's surface of a pair.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import RandomizedSearchCV
    >>> from sklearn.svm import SVC
    >>> from skhpo.plotting import ImportanceDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> search = RandomizedSearchCV(
    ...     SVC(), {"C": loguniform(1e-2, 1e3), "gamma": loguniform(1e-4, 1e1)},
    ...     n_iter=15, cv=3, scoring="accuracy", random_state=0,
    ... ).fit(X, y)
    >>> display = ImportanceDisplay.from_search(search, n_pairs=1)
    >>> len(display.bars_)  # two main effects and one interaction
    3
    >>> display.ax_.get_xlabel()
    'share of the variance of accuracy'
    """

    def __init__(
        self,
        importance,
        importance_std,
        *,
        interactions=None,
        method=None,
        score_name="score",
    ):
        self.importance = importance
        self.importance_std = importance_std
        self.interactions = interactions
        self.method = method
        self.score_name = score_name

    @classmethod
    def from_report(cls, report, *, n_pairs=3, ax=None):
        """Plot the report of :func:`~skhpo.importance.importance_report`.

        Parameters
        ----------
        report : pandas.DataFrame
            What :func:`~skhpo.importance.importance_report` returns.
        n_pairs : int, default=3
            How many of the strongest interactions to draw beside the main
            effects.
        ax : matplotlib Axes, default=None
            Where to draw; a new figure by default.

        Returns
        -------
        display : ImportanceDisplay
            The display, drawn (see :meth:`plot`).
        """
        who = f"{cls.__name__}.from_report"
        check_matplotlib_support(who)
        _check_report(report, who)
        check_int(n_pairs, "n_pairs", 0, who)
        pairs = pd.DataFrame.from_dict(report.attrs["interactions"], orient="index")
        pairs = pairs.head(n_pairs) if len(pairs) and n_pairs else None
        return cls(
            report["importance"],
            report["importance_std"],
            interactions=pairs,
            method=report.attrs.get("method"),
            score_name=report.attrs.get("score_name", "score"),
        ).plot(ax=ax)

    @classmethod
    def from_search(cls, search_or_cv_results, *, n_pairs=3, ax=None, **kwargs):
        """Compute the importance report of a search and plot it.

        Parameters
        ----------
        search_or_cv_results : fitted search, dict or pandas.DataFrame
            A fitted search of skhpo or scikit-learn, or its ``cv_results_``.
        n_pairs : int, default=3
            How many of the strongest interactions to draw.
        ax : matplotlib Axes, default=None
            Where to draw; a new figure by default.
        **kwargs
            Passed to :func:`~skhpo.importance.importance_report`.

        Returns
        -------
        display : ImportanceDisplay
            The display, drawn (see :meth:`plot`).
        """
        check_matplotlib_support(f"{cls.__name__}.from_search")
        check_int(n_pairs, "n_pairs", 0, f"{cls.__name__}.from_search")
        report = importance_report(search_or_cv_results, **kwargs)
        return cls.from_report(report, n_pairs=n_pairs, ax=ax)

    def plot(self, ax=None):
        """Draw the bars, largest first, with the spread as error bars.

        Long Pipeline names lose their leading steps (``…svc__C``) while
        they stay distinct, and a new figure is made wide enough for its
        labels.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure by default.

        Returns
        -------
        display : ImportanceDisplay
            The display itself, its artists set as the attributes
            ending in ``_``.
        """
        who = f"{type(self).__name__}.plot"
        check_matplotlib_support(who)
        names = [str(n) for n in self.importance.index]
        pairs = self.interactions if self.interactions is not None else None
        short = short_names(names)
        labels = [short[n] for n in names]
        values = list(self.importance.to_numpy(dtype=float))
        errors = list(self.importance_std.to_numpy(dtype=float))
        colours = ["C0"] * len(labels)
        if pairs is not None and len(pairs):
            for key, row in pairs.iterrows():
                first, second = (
                    (row["first"], row["second"])
                    if "first" in row
                    else str(key).split(":", 1)
                )
                labels.append(
                    f"{short.get(first, first)} × {short.get(second, second)}"
                )
            values += list(pairs["importance"])
            errors += list(pairs["importance_std"])
            colours += ["C1"] * len(pairs)
        size = (
            max(6.4, 4.6 + label_inches(labels)),
            1.5 + 0.32 * max(len(labels), 2),
        )
        fig, (ax,) = figure_axes(ax, size=size, who=who)
        y = np.arange(len(labels))[::-1]
        values, errors = np.asarray(values), np.asarray(errors)
        # A share lies in [0, 1]: the spread is drawn inside it.
        xerr = [np.minimum(errors, values), np.minimum(errors, 1.0 - values)]
        self.bars_ = ax.barh(y, values, xerr=xerr, color=colours, capsize=3)
        ax.set_yticks(y, labels)
        ax.set_ylim(-0.6, len(labels) - 0.4)
        ax.set_xlabel(f"share of the variance of {self.score_name}")
        ax.set_xlim(0, min(1.0, max(1e-9, float(np.max(values + xerr[1])))) * 1.05)
        ax.set_title("Importance: functional ANOVA", loc="left", fontsize="medium")
        if "C1" in colours:
            from matplotlib.patches import Patch

            ax.legend(
                handles=[Patch(color="C0"), Patch(color="C1")],
                labels=["main effect", "interaction"],
                loc="lower right",
                fontsize="small",
            )
        self.ax_, self.figure_ = ax, fig
        return self


class MarginalDisplay:
    """Marginal curves: the score against each hyperparameter, others averaged.

    Create it with :meth:`from_search` or :meth:`from_report`; the
    constructor only stores the data.

    Parameters
    ----------
    marginals : dict of str to pandas.DataFrame
        For each hyperparameter, ``value``, ``mean`` and ``std`` columns.
    scales : dict of str to str
        The measure of each (``"log"`` draws a log axis; ``"categorical"``
        and ``"discrete"`` draw points with error bars).
    score_name : str, default="score"
        Label of the vertical axes.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes
        One per hyperparameter.
    figure_ : matplotlib Figure
        The figure of the panels.
    lines_ : list of matplotlib Line2D or ErrorbarContainer
        The curve (or the points of a list of values) of each panel.

    See Also
    --------
    skhpo.importance.importance_report : The data.
    SliceDisplay : The raw scores against each hyperparameter.
    ContourDisplay : The surrogate's surface of a pair.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import RandomizedSearchCV
    >>> from sklearn.svm import SVC
    >>> from skhpo.plotting import MarginalDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> search = RandomizedSearchCV(
    ...     SVC(), {"C": loguniform(1e-2, 1e3)}, n_iter=10, cv=3, random_state=0,
    ... ).fit(X, y)
    >>> display = MarginalDisplay.from_search(search)  # one hyperparameter
    >>> [(ax.get_xlabel(), ax.get_xscale()) for ax in display.axes_]
    [('C', 'log')]
    """

    def __init__(self, marginals, scales, *, score_name="score"):
        self.marginals = marginals
        self.scales = scales
        self.score_name = score_name

    @classmethod
    def from_report(cls, report, *, params=None, max_params=6, n_cols=3, ax=None):
        """Plot the marginal curves of an importance report.

        Parameters
        ----------
        report : pandas.DataFrame
            What :func:`~skhpo.importance.importance_report` returns.
        params : list of str, default=None
            Which hyperparameters; by default the ``max_params`` most
            important.
        max_params : int, default=6
            How many panels by default.
        n_cols : int, default=3
            Panels per row of a new figure.
        ax : array-like of matplotlib Axes, default=None
            One per hyperparameter; a new figure by default.

        Returns
        -------
        display : MarginalDisplay
            The display, drawn (see :meth:`plot`).
        """
        who = f"{cls.__name__}.from_report"
        check_matplotlib_support(who)
        _check_report(report, who)
        check_int(max_params, "max_params", 1, who)
        check_int(n_cols, "n_cols", 1, who)
        if params is not None and (
            isinstance(params, str) or not hasattr(params, "__iter__")
        ):
            raise TypeError(
                f"{who}: params must be a list of hyperparameter names, got {params!r}"
            )
        names = list(report.index[:max_params]) if params is None else list(params)
        unknown = [n for n in names if n not in report.attrs["marginals"]]
        if unknown:
            raise ValueError(
                f"{who}: params: {unknown} are not in the report; it has "
                f"{list(report.attrs['marginals'])}"
            )
        return cls(
            {n: _curve(report.attrs["marginals"][n]) for n in names},
            {n: report.loc[n, "scale"] for n in names},
            score_name=report.attrs.get("score_name", "score"),
        ).plot(ax=ax, n_cols=n_cols)

    @classmethod
    def from_search(
        cls,
        search_or_cv_results,
        *,
        params=None,
        max_params=6,
        n_cols=3,
        ax=None,
        **kwargs,
    ):
        """Compute the importance report of a search and plot its marginals.

        Parameters
        ----------
        search_or_cv_results : fitted search, dict or pandas.DataFrame
            A fitted search of skhpo or scikit-learn, or its ``cv_results_``.
        params : list of str, default=None
            Which hyperparameters; by default the ``max_params`` most
            important.
        max_params : int, default=6
            How many panels by default.
        n_cols : int, default=3
            Panels per row of a new figure.
        ax : array-like of matplotlib Axes, default=None
            One per hyperparameter; a new figure by default.
        **kwargs
            Passed to :func:`~skhpo.importance.importance_report`.

        Returns
        -------
        display : MarginalDisplay
            The display, drawn (see :meth:`plot`).
        """
        check_matplotlib_support(f"{cls.__name__}.from_search")
        report = importance_report(search_or_cv_results, **kwargs)
        return cls.from_report(
            report, params=params, max_params=max_params, n_cols=n_cols, ax=ax
        )

    def plot(self, ax=None, n_cols=3):
        """Draw one panel per hyperparameter, the surrogate's spread shaded.

        Every panel gets the same vertical range, so that the curves of
        hyperparameters that matter little look flat beside those that matter.

        Parameters
        ----------
        ax : array-like of matplotlib Axes, default=None
            One per hyperparameter; a new figure by default.
        n_cols : int, default=3
            Panels per row of a new figure.

        Returns
        -------
        display : MarginalDisplay
            The display itself, its artists set as the attributes
            ending in ``_``.
        """
        who = f"{type(self).__name__}.plot"
        check_matplotlib_support(who)
        names = list(self.marginals)
        if not names:
            raise ValueError(f"{who}: marginals is empty; nothing to draw")
        labels = short_names(names)
        fig, axes = figure_axes(
            ax, len(names), n_cols=n_cols, panel_size=(3.6, 3.0), who=who
        )
        self.lines_ = []
        for panel, name in zip(axes, names):
            curve = self.marginals[name]
            mean, std = curve["mean"].to_numpy(), curve["std"].to_numpy()
            scale = self.scales.get(name, "linear")
            if scale in ("categorical", "discrete"):
                x = np.arange(len(curve))
                self.lines_.append(
                    panel.errorbar(x, mean, yerr=std, fmt="o", capsize=3)
                )
                many = len(curve) > 3
                panel.set_xticks(
                    x,
                    [value_label(v) for v in curve["value"]],
                    rotation=30 if many else 0,
                    ha="right" if many else "center",
                )
                panel.set_xlim(-0.5, len(curve) - 0.5)
            else:
                x = curve["value"].astype(float).to_numpy()
                self.lines_.append(panel.plot(x, mean)[0])
                panel.fill_between(x, mean - std, mean + std, alpha=0.3)
                if scale == "log":
                    panel.set_xscale("log")
            panel.set_xlabel(labels[name])
            if first_column(panel) or ax is not None:
                panel.set_ylabel(self.score_name)
        # One vertical range for every panel: a flat curve must look flat.
        low = min(panel.get_ylim()[0] for panel in axes)
        high = max(panel.get_ylim()[1] for panel in axes)
        for panel in axes:
            panel.set_ylim(low, high)
        self.axes_, self.figure_ = np.asarray(axes), fig
        return self
