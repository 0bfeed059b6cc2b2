"""Displays of an importance report: bars of the shares, marginal curves."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..importance import importance_report
from ..importance._inputs import check_int
from ._base import check_matplotlib_support


def _axes(ax, n: int = 1, n_cols: int | None = None, size=None):
    """``(figure, axes)``: the given axes, or a new figure with ``n`` of them."""
    import matplotlib.pyplot as plt

    if ax is not None:
        axes = np.atleast_1d(ax).ravel()
        if len(axes) < n:
            raise ValueError(f"ax must hold at least {n} axes, got {len(axes)}")
        return axes[0].figure, axes
    n_cols = min(n, n_cols or 3)
    n_rows = -(-n // n_cols)
    fig, axes = plt.subplots(
        n_rows,
        n_cols,
        figsize=size or (4 * n_cols, 3.2 * n_rows),
        squeeze=False,
        layout="constrained",
    )
    for extra in axes.ravel()[n:]:
        extra.set_visible(False)
    return fig, axes.ravel()


def _check_report(report, who: str) -> None:
    if not hasattr(report, "attrs") or "marginals" not in getattr(report, "attrs", {}):
        raise TypeError(
            f"{who} takes the DataFrame returned by importance_report, got "
            f"{type(report).__name__}"
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
        Spread of each share across the trees of the surrogate.
    interactions : pandas.DataFrame, default=None
        Pairs (index ``"a:b"``) with ``importance`` and ``importance_std``.
    method : str, default=None
        The method, shown in the title's tooltip-free form (first clause).

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    bars_ : matplotlib BarContainer

    Examples
    --------
    >>> from skhpo.plotting import ImportanceDisplay  # doctest: +SKIP
    >>> ImportanceDisplay.from_search(search)  # doctest: +SKIP
    """

    def __init__(self, importance, importance_std, *, interactions=None, method=None):
        self.importance = importance
        self.importance_std = importance_std
        self.interactions = interactions
        self.method = method

    @classmethod
    def from_report(cls, report, *, n_pairs=3, ax=None):
        """Plot the report of :func:`~skhpo.importance.importance_report`.

        Parameters
        ----------
        report : pandas.DataFrame
        n_pairs : int, default=3
            How many of the strongest interactions to draw beside the main
            effects.
        ax : matplotlib Axes, default=None
            Where to draw; a new figure by default.

        Returns
        -------
        display : ImportanceDisplay
        """
        check_matplotlib_support(f"{cls.__name__}.from_report")
        _check_report(report, f"{cls.__name__}.from_report")
        check_int(n_pairs, "n_pairs", 0)
        pairs = pd.DataFrame.from_dict(report.attrs["interactions"], orient="index")
        pairs = pairs.head(n_pairs) if len(pairs) else None
        return cls(
            report["importance"],
            report["importance_std"],
            interactions=pairs,
            method=report.attrs.get("method"),
        ).plot(ax=ax)

    @classmethod
    def from_search(cls, search_or_cv_results, *, n_pairs=3, ax=None, **kwargs):
        """Compute the importance report of a search and plot it.

        Parameters
        ----------
        search_or_cv_results : fitted search, dict or pandas.DataFrame
        n_pairs : int, default=3
        ax : matplotlib Axes, default=None
        **kwargs
            Passed to :func:`~skhpo.importance.importance_report`.

        Returns
        -------
        display : ImportanceDisplay
        """
        check_matplotlib_support(f"{cls.__name__}.from_search")
        report = importance_report(search_or_cv_results, **kwargs)
        return cls.from_report(report, n_pairs=n_pairs, ax=ax)

    def plot(self, ax=None):
        """Draw the bars, largest first, with the spread as error bars.

        Parameters
        ----------
        ax : matplotlib Axes, default=None

        Returns
        -------
        display : ImportanceDisplay
        """
        check_matplotlib_support(f"{type(self).__name__}.plot")
        n_bars = len(self.importance) + (
            0 if self.interactions is None else len(self.interactions)
        )
        fig, (ax, *_) = _axes(ax, size=(6.4, 1.4 + 0.35 * n_bars))
        labels = list(self.importance.index)
        values = list(self.importance.to_numpy())
        errors = list(self.importance_std.to_numpy())
        colours = ["C0"] * len(labels)
        if self.interactions is not None and len(self.interactions):
            labels += list(self.interactions.index)
            values += list(self.interactions["importance"])
            errors += list(self.interactions["importance_std"])
            colours += ["C1"] * len(self.interactions)
        y = np.arange(len(labels))[::-1]
        values, errors = np.asarray(values), np.asarray(errors)
        # A share lies in [0, 1]: the spread is drawn inside it.
        xerr = [np.minimum(errors, values), np.minimum(errors, 1.0 - values)]
        self.bars_ = ax.barh(y, values, xerr=xerr, color=colours, capsize=3)
        ax.set_yticks(y, labels)
        ax.set_xlabel("share of the score's variance")
        ax.set_xlim(0, min(1.0, max(1e-9, float(np.max(values + xerr[1])))) * 1.05)
        ax.set_title("Hyperparameter importance (functional ANOVA)")
        if "C1" in colours:
            from matplotlib.patches import Patch

            ax.legend(
                handles=[Patch(color="C0"), Patch(color="C1")],
                labels=["main effect", "interaction"],
                loc="lower right",
            )
        self.ax_, self.figure_ = ax, fig
        return self


class MarginalDisplay:
    """Marginal curves: the score against each hyperparameter, others averaged.

    Create it with :meth:`from_search` or :meth:`from_report`.

    Parameters
    ----------
    marginals : dict of str to pandas.DataFrame
        For each hyperparameter, ``value``, ``mean`` and ``std`` columns.
    scales : dict of str to str
        The measure of each (``"log"`` draws a log axis; ``"categorical"``
        and ``"discrete"`` draw points with error bars).
    metric : str, default="mean_test_score"
        Label of the vertical axes.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes
    figure_ : matplotlib Figure
    """

    def __init__(self, marginals, scales, *, metric="mean_test_score"):
        self.marginals = marginals
        self.scales = scales
        self.metric = metric

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
        n_cols : int, default=3
            Panels per row of a new figure.
        ax : array of matplotlib Axes, default=None

        Returns
        -------
        display : MarginalDisplay
        """
        check_matplotlib_support(f"{cls.__name__}.from_report")
        _check_report(report, f"{cls.__name__}.from_report")
        check_int(max_params, "max_params", 1)
        names = list(report.index[:max_params]) if params is None else list(params)
        unknown = [n for n in names if n not in report.attrs["marginals"]]
        if unknown:
            raise ValueError(
                f"params: {unknown} are not in the report; it has "
                f"{list(report.attrs['marginals'])}"
            )
        return cls(
            {n: pd.DataFrame(report.attrs["marginals"][n]) for n in names},
            {n: report.loc[n, "scale"] for n in names},
            metric=report.attrs.get("metric", "mean_test_score"),
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
        params, max_params, n_cols, ax
            As in :meth:`from_report`.
        **kwargs
            Passed to :func:`~skhpo.importance.importance_report`.

        Returns
        -------
        display : MarginalDisplay
        """
        check_matplotlib_support(f"{cls.__name__}.from_search")
        report = importance_report(search_or_cv_results, **kwargs)
        return cls.from_report(
            report, params=params, max_params=max_params, n_cols=n_cols, ax=ax
        )

    def plot(self, ax=None, n_cols=3):
        """Draw one panel per hyperparameter, the spread across trees shaded.

        Every panel gets the same vertical range, so that the curves of
        hyperparameters that matter little look flat beside those that matter.

        Parameters
        ----------
        ax : array of matplotlib Axes, default=None
        n_cols : int, default=3

        Returns
        -------
        display : MarginalDisplay
        """
        check_matplotlib_support(f"{type(self).__name__}.plot")
        fig, axes = _axes(ax, len(self.marginals), n_cols)
        for ax, (name, curve) in zip(axes, self.marginals.items()):
            mean, std = curve["mean"].to_numpy(), curve["std"].to_numpy()
            scale = self.scales.get(name, "linear")
            if scale in ("categorical", "discrete"):
                x = np.arange(len(curve))
                ax.errorbar(x, mean, yerr=std, fmt="o", capsize=3)
                ax.set_xticks(x, [str(v) for v in curve["value"]], rotation=30)
            else:
                x = curve["value"].astype(float).to_numpy()
                ax.plot(x, mean)
                ax.fill_between(x, mean - std, mean + std, alpha=0.3)
                if scale == "log":
                    ax.set_xscale("log")
            ax.set_xlabel(name)
            ax.set_ylabel(self.metric)
        # One vertical range for every panel: a flat curve must look flat.
        low = min(ax.get_ylim()[0] for ax in axes[: len(self.marginals)])
        high = max(ax.get_ylim()[1] for ax in axes[: len(self.marginals)])
        for ax in axes[: len(self.marginals)]:
            ax.set_ylim(low, high)
        self.axes_, self.figure_ = np.asarray(axes[: len(self.marginals)]), fig
        return self
