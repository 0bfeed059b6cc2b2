"""What every display shares.

- :func:`check_matplotlib_support`: matplotlib is imported only when drawing;
- :func:`read_results`: ``cv_results_``, the search, the metric and the
  score's name, from whatever a ``from_search`` is given;
- :func:`score_name`: the name of the score on an axis ("accuracy", not
  ``mean_test_score``);
- :func:`figure_axes`: the axes given by the caller, or a new figure with
  ``n`` panels; :func:`first_column`: whether a panel is in its grid's
  first column (where the shared vertical axis is labelled);
- :func:`short_names`: long Pipeline parameter names
  (``classifier__logisticregression__C``) shortened for labels, keeping them
  distinct;
- :func:`label_inches`: the width a column of tick labels takes, to size a
  figure so that the labels do not squeeze the plot;
- :func:`wrap_name`: a long name on several lines, broken between a
  Pipeline's components; :func:`legend`: below a new figure's panels;
- :func:`check_frame`: a display given another DataFrame than its data
  function's says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..importance._inputs import choose_metric, read_cv_results, score_name

__all__ = [
    "check_matplotlib_support",
    "figure_axes",
    "first_column",
    "label_inches",
    "read_results",
    "score_name",
    "short_names",
    "check_frame",
    "legend",
    "wrap_name",
]

#: Characters of a label beyond which Pipeline prefixes are dropped.
MAX_LABEL = 32
#: Width of one character of a default-sized (10 pt) label, in inches.
_CHAR_INCHES = 0.075


def check_matplotlib_support(caller: str) -> None:
    """Raise an ImportError that says how to install matplotlib.

    Parameters
    ----------
    caller : str
        The method that needs it, named in the message.
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"{caller} needs matplotlib: pip install 'skhpo[plot]'"
        ) from exc


def read_results(search_or_cv_results, metric=None, *, who: str):
    """What a ``from_search`` reads: the results, the search, the metric, its name.

    Parameters
    ----------
    search_or_cv_results : fitted search, dict or pandas.DataFrame
        A fitted search of skhpo or scikit-learn, or its ``cv_results_``.
    metric : str, default=None
        Which ``mean_test_<metric>``; by default the search's ``refit``
        metric, or the only one.
    who : str
        Named in the error messages.

    Returns
    -------
    cv_results : mapping
        With, for a DataFrame, its index under the private key
        ``skhpo.importance._inputs._LABELS`` (the row labels).
    search : fitted search or None
    metric : str
        The metric, without ``mean_test_``.
    name : str
        The score's name for labels (see :func:`score_name`).
    """
    results, search = read_cv_results(search_or_cv_results, who)
    metric = choose_metric(results, search, metric, who)
    return results, search, metric, score_name(metric, search)


def figure_axes(
    ax=None,
    n: int = 1,
    *,
    n_cols: int = 3,
    panel_size: tuple[float, float] = (4.0, 3.2),
    size: tuple[float, float] | None = None,
    who: str = "plot",
):
    """The axes to draw ``n`` panels on: the caller's, or a new figure's.

    Parameters
    ----------
    ax : matplotlib Axes, array-like of Axes or None, default=None
        The caller's axes (at least ``n`` of them), or None for a new
        figure with constrained layout.
    n : int, default=1
        Panels needed.
    n_cols : int, default=3
        Panels per row of a new figure.
    panel_size : (float, float), default=(4.0, 3.2)
        Inches per panel of a new figure.
    size : (float, float), default=None
        Inches of a new figure, instead of ``panel_size`` times the grid.
    who : str, default="plot"
        Named in the error messages.

    Returns
    -------
    figure : matplotlib Figure
    axes : ndarray of matplotlib Axes
        Exactly ``n`` of them; the spare panels of a new grid are hidden.
    """
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes

    if ax is not None:
        axes = np.atleast_1d(np.asarray(ax, dtype=object)).ravel()
        if not all(isinstance(a, Axes) for a in axes):
            raise TypeError(
                f"{who}: ax must be a matplotlib Axes or an array of them, got "
                f"{type(ax).__name__}"
            )
        if len(axes) < n:
            raise ValueError(f"{who}: ax must hold at least {n} axes, got {len(axes)}")
        return axes[0].figure, axes[:n]
    n_cols = max(1, min(n, n_cols))
    n_rows = -(-n // n_cols)
    fig, axes = plt.subplots(
        n_rows,
        n_cols,
        figsize=size or (panel_size[0] * n_cols, panel_size[1] * n_rows),
        squeeze=False,
        layout="constrained",
    )
    for extra in axes.ravel()[n:]:
        extra.set_visible(False)
    return fig, axes.ravel()[:n]


def first_column(ax) -> bool:
    """Whether ``ax`` is in the first column of its grid (or in none)."""
    spec = getattr(ax, "get_subplotspec", lambda: None)()
    return spec is None or spec.colspan.start == 0


def short_names(names, max_chars: int = MAX_LABEL) -> dict[str, str]:
    """Labels for parameter names, Pipeline prefixes dropped when too long.

    A name longer than ``max_chars`` loses its leading ``step__`` parts, one
    at a time, while what is left is longer than ``max_chars`` and is not
    the ending of another name; a shortened name starts with ``"…"``. The
    last part is never cut.

    Parameters
    ----------
    names : iterable of str
    max_chars : int, default=32

    Returns
    -------
    labels : dict of str to str
        The label of each name; labels of distinct names are distinct.

    Examples
    --------
    >>> from skhpo.plotting._base import short_names
    >>> labels = short_names(["classifier__logisticregression__C", "scaler__with_mean"])
    >>> labels["classifier__logisticregression__C"]
    '…logisticregression__C'
    >>> labels["scaler__with_mean"]
    'scaler__with_mean'
    >>> short_names(["a__svc__C", "b__svc__C"], max_chars=3)
    {'a__svc__C': 'a__svc__C', 'b__svc__C': 'b__svc__C'}
    """
    names = [str(n) for n in names]
    labels = {}
    for name in names:
        parts = name.split("__")
        label = kept = name
        for k in range(1, len(parts)):
            if len(kept) <= max_chars:
                break
            rest = "__".join(parts[k:])
            if any(o != name and (o == rest or o.endswith("__" + rest)) for o in names):
                break  # shorter would be ambiguous
            label, kept = "…" + rest, rest
        labels[name] = label
    return labels


def label_inches(labels, fontsize: float = 10.0) -> float:
    """Approximate width in inches of the longest of ``labels``."""
    longest = max((len(str(t)) for t in labels), default=0)
    return longest * _CHAR_INCHES * fontsize / 10.0


#: Characters of a hyperparameter's name per line of a panel's title.
NAME_WIDTH = 48


def wrap_name(name: str, width: int = NAME_WIDTH) -> str:
    """``name`` on lines of at most ``width`` characters, broken after ``__``.

    A Pipeline's parameter name (``classifier__logisticregression__C``) is
    broken only between its components, so that every line reads as a path;
    a single component longer than ``width`` keeps its line.
    """
    parts = str(name).split("__")
    lines, line = [], parts[0]
    for part in parts[1:]:
        if len(line) + 2 + len(part) <= width:
            line = f"{line}__{part}"
        else:
            lines.append(f"{line}__")
            line = part
    lines.append(line)
    return "\n".join(lines)


def legend(fig, axes, handles, created: bool, ncols: int | None = None) -> Any:
    """A legend below the panels of a new figure, else in the first panel.

    Below a new figure the entries stand side by side (``ncols`` of them, by
    default all of them in a figure 6 inches wide or more, else one).
    """
    if created:
        if ncols is None:
            ncols = len(handles) if fig.get_figwidth() >= 6 else 1
        return fig.legend(
            handles=handles,
            loc="outside lower center",
            ncols=ncols,
            frameon=False,
        )
    return axes[0].legend(handles=handles, loc="best", fontsize="small")


def check_frame(
    frame: Any, columns: set, maker: str, who: str, attrs: tuple = ()
) -> None:
    """Raise a TypeError unless ``frame`` is the DataFrame ``maker`` returns:
    one with ``columns`` and, in its ``attrs``, the keys ``attrs``."""
    have = set(getattr(frame, "columns", ()))
    meta = getattr(frame, "attrs", None)
    if (
        not isinstance(meta, Mapping)
        or not set(columns) <= have
        or not set(attrs) <= set(meta)
    ):
        missing = sorted(set(columns) - have)
        raise TypeError(
            f"{who} takes the DataFrame returned by {maker}, got "
            f"{type(frame).__name__}"
            + (f" without {missing}" if have and missing else "")
        )
