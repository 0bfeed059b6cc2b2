"""What population-based training did: each member's hyperparameters and score
over the steps, exploits marked and the winner's lineage highlighted."""

from __future__ import annotations

import numpy as np

from ..importance._inputs import _dimension_of, _distinct, _space_of
from ..space import Categorical, Distribution, Integer, Real
from ..space._utils import is_real_number, safe_equal, to_python
from ._base import (
    check_frame,
    check_matplotlib_support,
    figure_axes,
    legend,
    read_results,
    short_names,
    wrap_name,
)
from ._curves import _COLUMNS, curves_of, draw_best, draw_curves, member_colours

#: Positive values spanning this ratio or more are drawn on a log axis when
#: the space does not say how they were drawn.
_LOG_SPAN = 100.0
#: scipy.stats distributions drawn uniformly in log space.
_LOG_DISTRIBUTIONS = ("loguniform", "reciprocal")
#: Members named one by one in the legend, at most.
_MAX_NAMED = 10


def population_schedules(search_or_cv_results, *, params=None, metric=None):
    """The rows of population-based training, with the hyperparameters drawn.

    Parameters
    ----------
    search_or_cv_results : fitted PBTSearchCV, dict or pandas.DataFrame
        A fitted :class:`~skhpo.PBTSearchCV` or its ``cv_results_``.
    params : list of str, default=None
        The hyperparameters to follow. By default the search's ``mutable_``
        (those explore changed); from ``cv_results_`` alone, those whose
        value changed at an exploit, or, without exploits, those that vary.
    metric : str, default=None
        Which ``mean_test_<metric>``; by default the search's ``refit``
        metric, or the only one.

    Returns
    -------
    schedules : pandas.DataFrame
        The columns of :func:`resource_curves` (``member``, ``step``,
        ``score``, ``curve``, ``previous``, ``exploit``, ``stopped``,
        ``best_path``...) and ``param_<name>`` for every hyperparameter
        followed: the value in force during the step. ``schedules.attrs``
        adds to those of :func:`resource_curves` ``params`` (the names, in
        order), ``scales`` (``"log"``, ``"linear"`` or ``"categorical"``
        for each) and ``categories`` (for each categorical one, its values in
        the order of the space).

    See Also
    --------
    ScheduleDisplay : Draws them.

    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.linear_model import SGDClassifier
    >>> from skhpo import PBTSearchCV
    >>> from skhpo.plotting import population_schedules
    >>> X, y = load_digits(return_X_y=True)
    >>> search = PBTSearchCV(
    ...     SGDClassifier(learning_rate="constant", random_state=0),
    ...     {"eta0": loguniform(1e-4, 1e-1)},
    ...     population_size=4, n_steps=3, cv=3, random_state=0,
    ... ).fit(X[:300], y[:300])
    >>> schedules = population_schedules(search)
    >>> schedules.attrs["params"], schedules.attrs["scales"]
    (['eta0'], {'eta0': 'log'})
    >>> schedules.loc[schedules["best_path"], "member"].tolist()
    [1, 1, 1]
    >>> search.best_schedule_["member"].tolist()
    [1, 1, 1]
    """
    return _population_schedules(
        search_or_cv_results, params, metric, "population_schedules"
    )


def _population_schedules(search_or_cv_results, params, metric, who):
    results, search, metric, name = read_results(search_or_cv_results, metric, who=who)
    missing = [c for c in ("member", "step", "parent") if c not in results]
    if missing:
        source = "this cv_results_" if search is None else type(search).__name__
        raise ValueError(
            f"{who} needs the results of population-based training (PBTSearchCV: "
            f"columns 'member', 'step' and 'parent'); {source} has no {missing}"
        )
    frame = curves_of(results, search, metric, name, who)
    values = [dict(p) for p in results["params"]]
    names = _followed(values, frame, search, params, who)
    space = _space_of(search)
    scales, categories = {}, {}
    for n in names:
        column = [v.get(n) for v in values]
        dim = _dimension_of(space, n)
        scales[n] = _scale(column, dim)
        if scales[n] == "categorical":
            known = list(dim.categories) if isinstance(dim, Categorical) else []
            categories[n] = _distinct(known + column)
        frame[f"param_{n}"] = column
    frame.attrs.update(params=names, scales=scales, categories=categories)
    return frame


def _followed(values, frame, search, params, who):
    """The hyperparameters to draw: given, ``mutable_``, or read off the rows."""
    known = list(dict.fromkeys(n for v in values for n in v))
    if params is not None:
        if isinstance(params, str) or not all(isinstance(n, str) for n in params):
            raise TypeError(f"{who}: params must be a list of str, got {params!r}")
        unknown = [n for n in params if n not in known]
        if unknown:
            raise ValueError(
                f"{who}: params {unknown} are not hyperparameters of the results; "
                f"they have {known}"
            )
        return list(params)
    mutable = getattr(search, "mutable_", None)
    if mutable is not None:
        return [n for n in mutable if n in known]
    previous = frame["previous"].to_numpy()
    copies = np.flatnonzero(frame["exploit"].to_numpy() & (previous >= 0))
    changed = [
        n
        for n in known
        if any(
            not safe_equal(values[i].get(n), values[previous[i]].get(n)) for i in copies
        )
    ]
    if changed:
        return changed
    return [n for n in known if len(_distinct([v.get(n) for v in values])) > 1]


def _scale(column, dim):
    """``"log"``, ``"linear"`` or ``"categorical"``: how to draw a column."""
    plain = [to_python(v) for v in column]
    if not all(is_real_number(v) for v in plain):
        return "categorical"
    if isinstance(dim, (Real, Integer)):
        return "log" if dim.prior == "log-uniform" else "linear"
    family = getattr(getattr(getattr(dim, "dist", None), "dist", None), "name", None)
    if isinstance(dim, Distribution) and family is not None:  # a scipy.stats law
        return "log" if family in _LOG_DISTRIBUTIONS else "linear"
    x = np.asarray(plain, dtype=float)
    finite = x[np.isfinite(x)]
    if len(finite) and finite.min() > 0 and finite.max() >= _LOG_SPAN * finite.min():
        return "log"
    return "linear"


class ScheduleDisplay:
    """A population's hyperparameters and scores, member by member, step by step.

    One panel per hyperparameter followed (a log axis for those drawn in log
    space, the categories of a categorical one as ticks) and one for the
    score after each step. Each member has its colour; a line follows one
    stretch of training of its model. An exploit is a dashed segment from the
    copied member at the previous step to the copy, whose hyperparameters
    explore has perturbed; the replaced model's line ends in a cross. The
    winner's lineage (``best_schedule_``: whose model trained each step, and
    with what) is red. Create it with :meth:`from_search`; the constructor
    only stores the data.

    Parameters
    ----------
    schedules : pandas.DataFrame
        What :func:`population_schedules` returns.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes
        One per hyperparameter, in the order of ``schedules.attrs["params"]``,
        then the score's.
    figure_ : matplotlib Figure
        The figure of the panels.
    lines_ : dict of str to dict of int to matplotlib Line2D
        For each hyperparameter (and ``"score"``), one line per stretch of a
        model's training, keyed by the ``curve`` number of the rows.
    best_lines_ : dict of str to matplotlib Line2D
        The winner's lineage in each panel.
    exploits_ : dict of str to matplotlib LineCollection
        The exploits in each panel.
    legend_ : matplotlib Legend
        The members' colours (for small populations) and what the line
        styles mean: below the panels of a new figure, else in the first.

    See Also
    --------
    population_schedules : The data drawn.
    ResourceCurveDisplay : The scores alone, against the resource.

    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.linear_model import SGDClassifier
    >>> from skhpo import PBTSearchCV
    >>> from skhpo.plotting import ScheduleDisplay
    >>> X, y = load_digits(return_X_y=True)
    >>> search = PBTSearchCV(
    ...     SGDClassifier(learning_rate="constant", random_state=0),
    ...     {"eta0": loguniform(1e-4, 1e-1), "alpha": loguniform(1e-6, 1e-2)},
    ...     population_size=4, n_steps=4, cv=3, scoring="accuracy",
    ...     random_state=0,
    ... ).fit(X[:300], y[:300])
    >>> disp = ScheduleDisplay.from_search(search)
    >>> [ax.get_ylabel() for ax in disp.axes_]
    ['alpha', 'eta0', 'accuracy']
    >>> disp.axes_[1].get_yscale()
    'log'
    >>> list(disp.best_lines_["eta0"].get_ydata()) == list(
    ...     search.best_schedule_["eta0"])
    True
    """

    def __init__(self, schedules):
        self.schedules = schedules

    @classmethod
    def from_search(cls, search_or_cv_results, *, params=None, metric=None, ax=None):
        """Plot the schedules of a fitted PBTSearchCV or of its ``cv_results_``.

        Parameters
        ----------
        search_or_cv_results : fitted PBTSearchCV, dict or pandas.DataFrame
            A fitted :class:`~skhpo.PBTSearchCV`, or its ``cv_results_``.
        params : list of str, default=None
            The hyperparameters to draw; by default the search's ``mutable_``.
        metric : str, default=None
            Which ``mean_test_<metric>``; by default the ``refit`` metric.
        ax : array of matplotlib Axes, default=None
            One per hyperparameter, then one for the score; a new figure by
            default.

        Returns
        -------
        display : ScheduleDisplay
            The display, drawn (see :meth:`plot`).
        """
        who = f"{cls.__name__}.from_search"
        check_matplotlib_support(who)
        schedules = _population_schedules(search_or_cv_results, params, metric, who)
        return cls(schedules).plot(ax=ax)

    def plot(self, ax=None):
        """Draw a panel per hyperparameter and one for the score.

        Parameters
        ----------
        ax : array of matplotlib Axes, default=None
            At least ``len(params) + 1`` of them; a new figure by default.

        Returns
        -------
        display : ScheduleDisplay
            The display itself, its artists set as the attributes
            ending in ``_``.
        """
        who = f"{type(self).__name__}.plot"
        check_matplotlib_support(who)
        from matplotlib.ticker import MaxNLocator

        frame = self.schedules
        check_frame(frame, _COLUMNS | {"member", "step"}, "population_schedules", who)
        names = list(frame.attrs.get("params", []))
        scales = frame.attrs.get("scales", {})
        fig, axes = figure_axes(
            ax, len(names) + 1, n_cols=1, panel_size=(7.0, 2.1), who=who
        )
        if ax is None:  # one step axis for every panel
            for other in axes[:-1]:
                other.sharex(axes[-1])
                other.tick_params(labelbottom=False)
        member = frame["member"].to_numpy()
        colours = member_colours(member)

        def colour_of(row):
            return colours[member[row]]

        labels = short_names(names, max_chars=16)
        self.lines_, self.best_lines_, self.exploits_ = {}, {}, {}
        panels = [(n, f"param_{n}") for n in names] + [("score", "score")]
        for panel_ax, (name, column) in zip(axes, panels):
            drawn = frame
            if scales.get(name) == "categorical":  # categories at 0, 1, ...
                categories = frame.attrs.get("categories", {}).get(name)
                categories = categories or _distinct(list(frame[column]))
                drawn = frame.assign(**{column: _positions(frame[column], categories)})
                panel_ax.set_yticks(range(len(categories)), map(str, categories))
            lines, exploits, _ = draw_curves(panel_ax, drawn, "step", column, colour_of)
            self.lines_[name] = lines
            self.exploits_[name] = exploits
            self.best_lines_[name] = draw_best(panel_ax, drawn, "step", column)
            if scales.get(name) == "log":
                panel_ax.set_yscale("log")
            if name == "score":
                metric = frame.attrs.get("metric", "score")
                panel_ax.set_title(f"{metric} after each step", fontsize="medium")
                panel_ax.set_ylabel(metric)
            else:
                panel_ax.set_title(wrap_name(name), fontsize="medium")
                panel_ax.set_ylabel(labels[name])
        axes[-1].xaxis.set_major_locator(MaxNLocator(integer=True))
        axes[-1].set_xlabel("step")
        self.legend_ = legend(fig, axes, _handles(colours), ax is None, ncols=4)
        self.axes_, self.figure_ = np.asarray(axes), fig
        return self


def _positions(values, categories):
    """The position of each value among ``categories``."""
    return [
        next(k for k, c in enumerate(categories) if safe_equal(v, c)) for v in values
    ]


def _handles(colours):
    """The legend: the members (for small populations) and the styles."""
    from matplotlib.lines import Line2D

    handles = []
    if len(colours) <= _MAX_NAMED:
        handles = [
            Line2D([], [], color=c, marker="o", ms=3, label=f"member {m}")
            for m, c in colours.items()
        ]
    return handles + [
        Line2D([], [], color="0.4", ls="--", label="exploit: copies a model"),
        Line2D([], [], color="0.25", marker="x", ls="none", label="replaced"),
        Line2D([], [], color="C3", lw=2.6, label="winner's lineage"),
    ]
