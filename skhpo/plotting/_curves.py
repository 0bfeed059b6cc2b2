"""What a multi-fidelity search did: each candidate's score against its resource.

:func:`resource_curves` reads the rows of ``cv_results_`` as curves, a pure
function of the results; :class:`ResourceCurveDisplay` draws them. Hyperband
(synchronous or asynchronous) and scikit-learn's halving searches give one
curve per candidate across the rungs it reached, one panel per bracket (per
kind of bracket over several rounds); population-based training gives one
curve per stretch of training of a member's model, an exploit starting a new
one from the model it copied.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._results import continued_rows
from ..importance._inputs import _LABELS
from ..space._utils import safe_equal
from ._base import (
    check_frame,
    check_matplotlib_support,
    figure_axes,
    legend,
    read_results,
)

#: The columns that tell each kind of multi-fidelity results apart.
_KINDS = {
    "pbt": ("member", "step", "parent", "n_resources"),
    "hyperband": ("bracket", "candidate", "n_resources"),
    "halving": ("iter", "n_resources"),
}
#: The columns of what :func:`resource_curves` returns.
_COLUMNS = {
    "panel",
    "curve",
    "n_resources",
    "score",
    "previous",
    "exploit",
    "stopped",
    "best_path",
}


def resource_curves(search_or_cv_results, *, metric=None):
    """Each row of a multi-fidelity search's results, placed on its curve.

    Parameters
    ----------
    search_or_cv_results : fitted search, dict or pandas.DataFrame
        A fitted :class:`~skhpo.HyperbandSearchCV` (synchronous or
        asynchronous), :class:`~skhpo.PBTSearchCV` or scikit-learn halving
        search, or its ``cv_results_``.
    metric : str, default=None
        Which ``mean_test_<metric>``; by default the search's ``refit``
        metric, or the only one.

    Returns
    -------
    curves : pandas.DataFrame
        One row per row of the results, in order (indexed by position, or by
        the DataFrame's index when one is given), with:

        - ``panel``: the Hyperband bracket (0 for other searches);
        - ``curve``: the Hyperband candidate (the same number on every rung
          it reached; a halving search's candidates are recognised by their
          parameters), or, for population-based training, a number for each
          stretch of training of one model: a member's curve goes on while it
          trains its own model and a new one starts when it copies another
          member's (an *exploit*);
        - ``member`` and ``step``, for population-based training;
        - ``n_resources`` and ``score``;
        - ``previous``: the position of the row this one continues (the
          candidate's previous rung, the member's previous step, or for an
          exploit the copied member's row at the previous step), -1 if none;
        - ``exploit``: the row's model was copied from another member;
        - ``stopped``: the last row of a curve that ended below the largest
          resource (a candidate not promoted, a member's model replaced);
        - ``best_path``: the rows that led to the winner (``best_index_`` of a
          fitted search, else the best score at the largest resource, the
          rule of ``best_index_``).

        ``curves.attrs`` holds ``kind`` (``"hyperband"``, ``"halving"`` or
        ``"pbt"``), ``metric`` (the metric's name, for labels), ``resource``
        (a label of the resource axis) and ``best`` (the winner's position).

    See Also
    --------
    ResourceCurveDisplay : Draws them.

    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from skhpo import HyperbandSearchCV
    >>> from skhpo.plotting import resource_curves
    >>> X, y = load_iris(return_X_y=True)
    >>> search = HyperbandSearchCV(
    ...     SVC(), {"C": loguniform(1e-2, 1e2)}, max_resources=90,
    ...     min_resources=10, random_state=0,
    ... ).fit(X, y)
    >>> curves = resource_curves(search)
    >>> curves.loc[curves["curve"] == 1, ["panel", "n_resources", "previous"]]
         panel  n_resources  previous
    row
    1        0           10        -1
    10       0           30         1
    12       0           90        10
    >>> int(curves.index[curves["best_path"]][-1]) == search.best_index_
    True
    """
    return _resource_curves(search_or_cv_results, metric, "resource_curves")


def _resource_curves(search_or_cv_results, metric, who):
    results, search, metric, name = read_results(search_or_cv_results, metric, who=who)
    return curves_of(results, search, metric, name, who)


def curves_of(results, search, metric, name, who):
    """:func:`resource_curves` of results already read by ``read_results``."""
    kind = _kind_of(results, search, who)
    score = np.asarray(results[f"mean_test_{metric}"], dtype=float)
    levels = np.asarray(results["n_resources"], dtype=float)
    frame = {}
    if kind == "pbt":
        member = np.asarray(results["member"], dtype=int)
        step = np.asarray(results["step"], dtype=int)
        parent = np.asarray(results["parent"], dtype=int)
        previous = continued_rows(results)
        exploit = (parent >= 0) & (parent != member)
        curve = _branches(previous, exploit, np.lexsort((member, step)))
        frame.update(panel=np.zeros(len(score), dtype=int), curve=curve)
        frame.update(member=member, step=step)
    else:
        if kind == "hyperband":
            panel = np.asarray(results["bracket"], dtype=int)
            curve = np.asarray(results["candidate"], dtype=int)
        else:
            panel = np.zeros(len(score), dtype=int)
            curve = _same_candidates(results, search)
        previous = _rung_links(panel, curve, levels)
        exploit = np.zeros(len(score), dtype=bool)
        frame.update(panel=panel, curve=curve)
    frame.update(n_resources=results["n_resources"], score=score)
    frame.update(previous=previous, exploit=exploit)
    frame["stopped"] = _stopped(frame["curve"], levels)
    best = _best_row(search, score, levels)
    path = np.zeros(len(score), dtype=bool)
    row = best
    while row >= 0 and not path[row]:
        path[row] = True
        row = previous[row]
    frame["best_path"] = path
    curves = pd.DataFrame(
        frame, index=pd.Index(np.asarray(results[_LABELS]), name="row")
    )
    curves.attrs.update(
        kind=kind,
        metric=name,
        resource=_resource_label(search),
        best=best,
    )
    return curves


def _kind_of(results, search, who):
    for kind, columns in _KINDS.items():
        if all(c in results for c in columns):
            return kind
    source = "this cv_results_" if search is None else type(search).__name__
    raise ValueError(
        f"{who} needs the results of a multi-fidelity search, whose candidates "
        "are scored at several resources (HyperbandSearchCV, PBTSearchCV or "
        "scikit-learn's halving searches: an 'n_resources' column); "
        f"{source} has none"
    )


def _rung_links(panel, curve, levels):
    """Each row's previous rung of the same candidate (-1 for its first)."""
    previous = np.full(len(curve), -1)
    order = np.lexsort((levels, curve, panel))
    for a, b in zip(order[:-1], order[1:]):
        if panel[a] == panel[b] and curve[a] == curve[b]:
            previous[b] = a
    return previous


def _same_candidates(results, search):
    """Candidates of a halving search, recognised by their parameters.

    The resource parameter (the search's ``resource``, else a parameter equal
    to ``n_resources`` on every row) grows from rung to rung and is ignored.
    """
    params = list(results["params"])
    levels = list(results["n_resources"])
    resource = getattr(search, "resource", None)
    keys = {k for p in params for k in p}
    if resource not in keys:
        grows = [
            k
            for k in keys
            if all(safe_equal(p.get(k), n) for p, n in zip(params, levels))
        ]
        resource = grows[0] if grows else None
    seen, ids = [], np.empty(len(params), dtype=int)
    for row, p in enumerate(params):
        p = {k: v for k, v in p.items() if k != resource}
        for k, q in enumerate(seen):
            if p.keys() == q.keys() and all(safe_equal(p[n], q[n]) for n in p):
                ids[row] = k
                break
        else:
            ids[row] = len(seen)
            seen.append(p)
    return ids


def _branches(previous, exploit, order):
    """Number each stretch of one model's training: exploits start a new one."""
    curve = np.full(len(previous), -1)
    n = 0
    for i in order:  # by step: a row comes after the one it continues
        if previous[i] >= 0 and not exploit[i] and curve[previous[i]] >= 0:
            curve[i] = curve[previous[i]]
        else:
            curve[i], n = n, n + 1
    return curve


def _stopped(curve, levels):
    """The last row of each curve that ends below the largest resource."""
    stopped = np.zeros(len(curve), dtype=bool)
    top = np.max(levels)
    for c in np.unique(curve):
        rows = np.flatnonzero(curve == c)
        last = rows[np.argmax(levels[rows])]
        stopped[last] = levels[last] < top
    return stopped


def _best_row(search, score, levels):
    """``best_index_`` of a fitted search, else the best at the largest resource.

    Without the search, the rule of the searches' own ``best_index_`` (and of
    scikit-learn's halving searches): the best finite score among the rows at
    the largest resource, the first of equals.
    """
    best = getattr(search, "best_index_", None)
    if best is not None:
        return int(best)
    top = np.flatnonzero((levels == levels.max()) & np.isfinite(score))
    if not len(top):
        return -1
    return int(top[np.argmax(score[top])])


def _resource_label(search):
    """What ``n_resources`` counts, when the search says."""
    resource = getattr(search, "resource", None)
    unit = {"n_samples": "training samples", "partial_fit": "partial_fit epochs"}
    if not isinstance(resource, str):
        return "n_resources"
    return f"n_resources ({unit.get(resource, resource)})"


def member_colours(members):
    """A colour for each member, none of them the winner's red.

    tab10 without its red tells 9 members apart, tab20 without its reds 18;
    larger populations are spread over viridis.
    """
    import matplotlib as mpl

    members = np.unique(members)
    if len(members) <= 9:
        palette = [c for k, c in enumerate(mpl.colormaps["tab10"].colors) if k != 3]
    elif len(members) <= 18:
        palette = [
            c for k, c in enumerate(mpl.colormaps["tab20"].colors) if k not in (6, 7)
        ]
    else:
        palette = mpl.colormaps["viridis"](np.linspace(0, 1, len(members)))
    return {m: tuple(palette[k]) for k, m in enumerate(members)}


def draw_curves(ax, frame, x, y, colour_of, where=None):
    """Draw the curves of ``frame`` on ``ax``: lines, exploits and stops.

    Parameters
    ----------
    ax : matplotlib Axes
    frame : pandas.DataFrame
        Every row of :func:`resource_curves` (``previous`` holds positions).
    x, y : str
        The columns drawn.
    colour_of : callable
        The colour of a curve, from the position of its first row.
    where : ndarray of bool, default=None
        The rows drawn on ``ax``; all by default.

    Returns
    -------
    lines : dict of int to matplotlib Line2D
        One line per curve, through its rows in order of ``x``.
    exploits : matplotlib LineCollection or None
        For population-based training, dashed segments from each copied row
        to the row that copied it.
    stops : matplotlib PathCollection
        A cross at the end of every curve that stopped early.
    """
    from matplotlib.collections import LineCollection

    where = np.ones(len(frame), dtype=bool) if where is None else where
    xs, ys = frame[x].to_numpy(float), frame[y].to_numpy(float)
    curve = frame["curve"].to_numpy()
    lines = {}
    for c in np.unique(curve[where]):
        rows = np.flatnonzero(where & (curve == c))
        rows = rows[np.argsort(xs[rows], kind="stable")]
        (lines[c],) = ax.plot(
            xs[rows],
            ys[rows],
            color=colour_of(rows[0]),
            lw=1.2,
            marker="o",
            ms=3,
            alpha=0.85,
            zorder=2,
        )
    exploits = None
    if "member" in frame:
        previous = frame["previous"].to_numpy()
        copied = np.flatnonzero(where & frame["exploit"].to_numpy() & (previous >= 0))
        exploits = LineCollection(
            [[(xs[previous[i]], ys[previous[i]]), (xs[i], ys[i])] for i in copied],
            colors=[colour_of(i) for i in copied],
            linestyles="--",
            linewidths=1.0,
            zorder=2,
        )
        ax.add_collection(exploits, autolim=False)
    stopped = where & frame["stopped"].to_numpy()
    stops = ax.scatter(
        xs[stopped], ys[stopped], marker="x", s=22, color="0.25", lw=1.2, zorder=3
    )
    return lines, exploits, stops


def draw_best(ax, frame, x, y):
    """The winner's path, drawn over everything; its end marked with a star."""
    path = frame[frame["best_path"].to_numpy()].sort_values(x, kind="stable")
    (line,) = ax.plot(
        path[x],
        path[y],
        color="C3",
        lw=2.6,
        marker="*",
        markevery=[len(path) - 1] if len(path) else None,
        ms=13,
        zorder=4,
    )
    return line


class ResourceCurveDisplay:
    """Each candidate's score against the resource it was trained with.

    For :class:`~skhpo.HyperbandSearchCV` (synchronous or ASHA) and
    scikit-learn's halving searches, one panel per bracket: a line per
    candidate through the rungs it reached, grey with a cross where it was
    stopped, blue when it reached the largest resource, the winner
    (``best_index_``) in red. A search that ran several rounds of its
    brackets (``n_brackets`` beyond one round) gets one panel per kind of
    bracket, the brackets whose candidates start at the same resource
    together (titled "brackets 0, 5, ..., 95"). For
    :class:`~skhpo.PBTSearchCV`, one line per stretch of training of a
    member's model (one colour per member): an exploit is a dashed segment
    from the copied member's score to the copy's, the replaced model's line
    ends in a cross, and the winner's lineage is red. Create it with
    :meth:`from_search`; the constructor only stores the data.

    Parameters
    ----------
    curves : pandas.DataFrame
        What :func:`resource_curves` returns.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes
        One per panel (bracket, or kind of bracket), in the order of the
        panels.
    figure_ : matplotlib Figure
        The figure of the panels.
    lines_ : dict of int to matplotlib Line2D
        One line per curve, keyed by the ``curve`` number of
        :func:`resource_curves`: its points are the curve's rows.
    best_line_ : matplotlib Line2D or None
        The path of the winner; its last point is its score (None when the
        results name no best row).
    stops_ : list of matplotlib PathCollection
        The crosses of each panel.
    exploits_ : matplotlib LineCollection or None
        The exploits of population-based training (None for other searches).
    legend_ : matplotlib Legend
        What the line styles mean: below the panels of a new figure, else
        in the first panel.

    See Also
    --------
    resource_curves : The data drawn.
    ScheduleDisplay : A population's hyperparameters over the steps.
    HistoryDisplay : The scores in the order they were evaluated.

    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from skhpo import HyperbandSearchCV
    >>> from skhpo.plotting import ResourceCurveDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> search = HyperbandSearchCV(
    ...     SVC(), {"C": loguniform(1e-2, 1e2)}, max_resources=90,
    ...     min_resources=10, scoring="accuracy", random_state=0,
    ... ).fit(X, y)
    >>> disp = ResourceCurveDisplay.from_search(search)
    >>> [ax.get_title() for ax in disp.axes_]
    ['bracket 0: 9 candidates', 'bracket 1: 5 candidates', 'bracket 2: 3 candidates']
    >>> disp.axes_[0].get_ylabel()
    'accuracy'
    >>> bool(disp.best_line_.get_ydata()[-1] == search.best_score_)
    True
    """

    def __init__(self, curves):
        self.curves = curves

    @classmethod
    def from_search(cls, search_or_cv_results, *, metric=None, n_cols=None, ax=None):
        """Plot the curves of a fitted search or of its ``cv_results_``.

        Parameters
        ----------
        search_or_cv_results : fitted search, dict or pandas.DataFrame
            A multi-fidelity search (see :func:`resource_curves`).
        metric : str, default=None
            Which ``mean_test_<metric>``; by default the ``refit`` metric.
        n_cols : int, default=None
            Panels per row of a new figure; by default all in one row up to
            four, else two rows.
        ax : matplotlib Axes or array of Axes, default=None
            Where to draw, one per panel; a new figure by default.

        Returns
        -------
        display : ResourceCurveDisplay
            The display, drawn (see :meth:`plot`).
        """
        who = f"{cls.__name__}.from_search"
        check_matplotlib_support(who)
        curves = _resource_curves(search_or_cv_results, metric, who)
        return cls(curves).plot(ax=ax, n_cols=n_cols)

    def plot(self, ax=None, *, n_cols=None):
        """Draw one panel per bracket (a single one for other searches).

        Over several rounds of brackets, one panel per kind of bracket.

        Parameters
        ----------
        ax : matplotlib Axes or array of Axes, default=None
            At least one per panel; a new figure by default.
        n_cols : int, default=None
            Panels per row of a new figure.

        Returns
        -------
        display : ResourceCurveDisplay
            The display itself, its artists set as the attributes
            ending in ``_``.
        """
        who = f"{type(self).__name__}.plot"
        check_matplotlib_support(who)
        curves = self.curves
        check_frame(curves, _COLUMNS, "resource_curves", who)
        kind = curves.attrs.get("kind", "hyperband")
        population = kind == "pbt"
        levels = np.asarray(curves["n_resources"], dtype=float)
        panel_of, names = curves["panel"].to_numpy(), {}
        if kind == "hyperband":
            panel_of, names = _bracket_panels(panel_of, levels)
        ids = np.unique(panel_of)
        if n_cols is None:
            n_cols = len(ids) if len(ids) <= 4 else -(-len(ids) // 2)
        size = (3.3, 3.3) if len(ids) > 1 else (6.0, 3.8)
        fig, axes = figure_axes(ax, len(ids), n_cols=n_cols, panel_size=size, who=who)
        if ax is None:  # the rungs and the scores line up from panel to panel
            for other in axes[1:]:
                other.sharex(axes[0])
                other.sharey(axes[0])
        top = levels.max()
        colour_of = _colouring(curves, population, levels, top)
        self.lines_, self.stops_, self.exploits_ = {}, [], None
        self.best_line_ = None
        best = curves.attrs.get("best", -1)
        for panel_ax, panel in zip(axes, ids):
            lines, exploits, stops = draw_curves(
                panel_ax,
                curves,
                "n_resources",
                "score",
                colour_of,
                where=panel_of == panel,
            )
            self.lines_.update(lines)
            self.stops_.append(stops)
            if exploits is not None:
                self.exploits_ = exploits
            if best >= 0 and panel_of[best] == panel:
                self.best_line_ = draw_best(panel_ax, curves, "n_resources", "score")
            name = names.get(panel, f"bracket {panel}")
            panel_ax.set_title(_panel_title(curves, kind, name, len(lines)))
            panel_ax.set_xlabel(curves.attrs.get("resource", "n_resources"))
            _resource_axis(panel_ax, levels, population)
        axes[0].set_ylabel(curves.attrs.get("metric", "score"))
        self.legend_ = legend(fig, axes, _handles(population, top), ax is None)
        self.axes_, self.figure_ = np.asarray(axes), fig
        return self


def _colouring(curves, population, levels, top):
    """The colour of a curve from the position of its first row."""
    if population:
        member = curves["member"].to_numpy()
        colours = member_colours(member)
        return lambda row: colours[member[row]]
    curve = curves["curve"].to_numpy()
    reached = {c: levels[curve == c].max() == top for c in np.unique(curve)}
    return lambda row: "C0" if reached[curve[row]] else "0.6"


def _bracket_panels(bracket, levels):
    """The panel of each row and the panels' names: one panel per bracket,
    or, when a search ran several rounds of its brackets (``n_brackets``
    beyond one round), one per kind of bracket: those whose candidates start
    at the same resource, named by the first of them."""
    ids = np.unique(bracket)
    first = np.array([levels[bracket == b].min() for b in ids])
    if len(np.unique(first)) == len(ids):
        return bracket, {}
    panel_of, names = bracket.copy(), {}
    for start in np.unique(first):
        same = ids[first == start]
        panel_of[np.isin(bracket, same)] = same[0]
        if len(same) > 3:
            shown = f"{same[0]}, {same[1]}, ..., {same[-1]}"
        else:
            shown = ", ".join(map(str, same))
        names[same[0]] = f"bracket{'s' * (len(same) > 1)} {shown}"
    return panel_of, names


def _panel_title(curves, kind, name, n):
    if kind == "pbt":
        members = curves["member"].nunique()
        n_exploits = int(curves["exploit"].sum())
        return f"{members} members, {n_exploits} exploit{'s' * (n_exploits != 1)}"
    candidates = f"{n} candidate{'s' * (n != 1)}"
    return f"{name}: {candidates}" if kind == "hyperband" else candidates


def _resource_axis(ax, levels, population):
    """Ticks at the resource levels; a log axis for the geometric rungs."""
    from matplotlib.ticker import MaxNLocator, NullLocator

    distinct = np.unique(levels[np.isfinite(levels)])
    if population or len(distinct) < 2:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        return
    ax.set_xscale("log")
    ax.set_xticks(distinct, [f"{v:g}" for v in distinct])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.margins(x=0.08)


def _handles(population, top):
    """The legend: what the styles of the lines mean."""
    from matplotlib.lines import Line2D

    if population:
        return [
            Line2D([], [], color="0.4", ls="--", label="exploit: copies a model"),
            Line2D([], [], color="0.25", marker="x", ls="none", label="replaced"),
            Line2D([], [], color="C3", lw=2.6, label="winner's lineage"),
        ]
    return [
        Line2D([], [], color="C0", lw=1.2, label=f"reached n_resources={top:g}"),
        Line2D([], [], color="0.6", lw=1.2, marker="x", mec="0.25", label="stopped"),
        Line2D(
            [], [], color="C3", lw=2.6, marker="*", ms=10, label="winner (best_index_)"
        ),
    ]
