"""The evaluated candidates as displays read them: values, score, order, axes.

:func:`search_candidates` is the data of :class:`SliceDisplay` and
:class:`ParallelCoordinatesDisplay`; the helpers place a hyperparameter's
values on an axis in the measure it was searched in: numbers in their units
(on a log axis for a log-uniform range), lists of values and categories as
evenly spaced cells in the order the importance analysis uses (numbers
ascending, categories by mean score).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..importance._inputs import Finished, read_finished, score_name
from ..space._utils import fmt, safe_equal, to_python
from ._base import check_frame

#: Scales whose values are drawn as evenly spaced cells.
CELLS = ("discrete", "categorical")
#: Characters of a category's label beyond which it is cut.
_MAX_VALUE_LABEL = 18


def check_params(params, finished: Finished, who: str, n: int | None = None):
    """The names of ``params`` (all varying hyperparameters when None).

    Raises a TypeError or a ValueError naming ``params`` for anything but a
    list of distinct names of varying hyperparameters (of length ``n`` when
    given).
    """
    available = finished.names
    if params is None:
        return available if n is None else available[:n]
    if isinstance(params, str) or not isinstance(params, Sequence):
        raise TypeError(
            f"{who}: params must be a list or tuple of hyperparameter names, got "
            f"{params!r}"
        )
    names = list(params)
    if n is not None and len(names) != n:
        raise ValueError(
            f"{who}: params must name {n} hyperparameters, got {len(names)}: {names}"
        )
    if len(set(map(str, names))) != len(names):
        raise ValueError(f"{who}: params must be distinct, got {names}")
    unknown = [p for p in names if p not in available]
    if unknown:
        why = {p: finished.left_out[p] for p in unknown if p in finished.left_out}
        raise ValueError(
            f"{who}: params {unknown} are not hyperparameters that vary in the "
            f"results; they have {available}" + (f" (left out: {why})" if why else "")
        )
    if not names:
        raise ValueError(f"{who}: params must name at least one hyperparameter")
    return names


def read_candidates(
    search_or_cv_results, *, metric=None, n_resources="auto", who: str
) -> Finished:
    """The finished candidates, with a clear error when no hyperparameter varies."""
    finished = read_finished(
        search_or_cv_results,
        metric=metric,
        n_resources=n_resources,
        who=who,
        need_for=None,
    )
    if not finished.axes:
        raise ValueError(
            f"{who} needs a searched hyperparameter that varies across the "
            "finished candidates; none does"
            + (f" (left out: {finished.left_out})" if finished.left_out else "")
        )
    return finished


def axis_info(axis) -> dict:
    """How to draw one hyperparameter: ``scale``, ``values`` and ``bounds``.

    ``values`` are the ordered cells of a ``"discrete"`` or ``"categorical"``
    hyperparameter (None for numbers); ``bounds`` the searched range of a
    number (its observed range when the space does not say).
    """
    cells = axis.scale in CELLS
    return {
        "scale": axis.scale,
        "values": [to_python(v) for v in axis.curve_values] if cells else None,
        "bounds": None if axis.bounds is None else [float(b) for b in axis.bounds],
    }


def positions(values, info: dict) -> np.ndarray:
    """Where ``values`` go on their axis: numbers as they are, cells by index."""
    if info["values"] is None:
        return np.asarray([to_python(v) for v in values], dtype=float)
    cells = info["values"]
    out = np.empty(len(values))
    for i, v in enumerate(values):
        out[i] = next(
            (k for k, c in enumerate(cells) if safe_equal(to_python(v), c)), np.nan
        )
    return out


def bounds_of(values, info: dict) -> tuple[float, float]:
    """The range of a numeric axis: the searched one, widened to the values."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    low, high = (np.inf, -np.inf) if info["bounds"] is None else info["bounds"]
    if x.size:
        low, high = min(low, float(x.min())), max(high, float(x.max()))
    if not np.isfinite([low, high]).all():
        low, high = 0.0, 1.0
    return low, high


def value_label(value) -> str:
    """A value as a short label: 3 significant digits, long texts cut."""
    value = to_python(value)
    if isinstance(value, float):
        return f"{value:.3g}"
    text = fmt(value) if not isinstance(value, str) else value
    if len(text) > _MAX_VALUE_LABEL:
        text = text[: _MAX_VALUE_LABEL - 1] + "…"
    return text


def set_value_axis(ax, which: str, info: dict, label: str) -> None:
    """Scale, ticks and label of the axis ``which`` (``"x"`` or ``"y"``).

    Cells get one labelled tick each (slanted on a crowded horizontal
    axis), a log-uniform range a log scale.
    """
    axis = ax.xaxis if which == "x" else ax.yaxis
    if info["values"] is not None:
        cells = info["values"]
        slanted = which == "x" and len(cells) > 3
        axis.set_ticks(
            np.arange(len(cells)),
            [value_label(v) for v in cells],
            rotation=30 if slanted else 0,
            ha="right" if slanted or which == "y" else "center",
        )
        (ax.set_xlim if which == "x" else ax.set_ylim)(-0.5, len(cells) - 0.5)
    elif info["scale"] == "log":
        (ax.set_xscale if which == "x" else ax.set_yscale)("log")
    axis.set_label_text(label)


def evaluation_order(finished: Finished) -> tuple[np.ndarray, str]:
    """Rank (0 first) of each used row by end time, else by position."""
    results = finished.cv_results
    if "end_time" in results:
        end = np.asarray(results["end_time"], dtype=float)[finished.rows]
        if np.isfinite(end).any():
            order = np.argsort(np.where(np.isfinite(end), end, np.inf), kind="stable")
            ranks = np.empty(len(order), dtype=int)
            ranks[order] = np.arange(len(order))
            return ranks, "end_time"
    return np.arange(len(finished.rows)), "results"


def values_column(finished: Finished, axis, index) -> pd.Series:
    """The values of one hyperparameter, numbers as numbers, cells as they are.

    Values that are cells keep the object dtype, so that None stays None.
    """
    values = pd.Series(
        [to_python(p[axis.name]) for p in finished.params], index=index, dtype=object
    )
    return values if axis.scale in CELLS else values.infer_objects()


def candidates_frame(finished: Finished, names: list[str]) -> pd.DataFrame:
    """The frame :func:`search_candidates` returns, for ``names``."""
    order, order_by = evaluation_order(finished)
    index = pd.Index(finished.labels[finished.rows], name="candidate")
    by_name = {a.name: a for a in finished.axes}
    frame = pd.DataFrame(
        {n: values_column(finished, by_name[n], index) for n in names}, index=index
    )
    frame["score"] = finished.scores
    frame["order"] = order
    frame.attrs.update(
        axes={n: axis_info(by_name[n]) for n in names},
        metric=f"mean_test_{finished.metric}",
        score_name=score_name(finished.metric, finished.search),
        n_resources=finished.n_resources,
        left_out=dict(finished.left_out),
        order=order_by,
        best=to_python(index[finished.best]),
    )
    return frame


def search_candidates(
    search_or_cv_results, *, params=None, metric=None, n_resources="auto"
):
    """The finished candidates of a search: their values, score and order.

    Parameters
    ----------
    search_or_cv_results : fitted search, dict or pandas.DataFrame
        A fitted search of skhpo or scikit-learn (its space then tells how
        each hyperparameter was sampled: a log axis for a log-uniform
        range), or its ``cv_results_``.
    params : list of str, default=None
        The hyperparameters, in this order; by default every one that varies
        across the finished candidates, in the order of the results.
    metric : str, default=None
        Which ``mean_test_<metric>``; by default the search's ``refit``
        metric, or the only one.
    n_resources : "auto" or number, default="auto"
        For multi-fidelity results, the resource level whose rows are read
        (scores at different levels are not comparable); ``"auto"`` takes
        the highest level with enough finished candidates, as
        :func:`~skhpo.importance.importance_report` does.

    Returns
    -------
    candidates : pandas.DataFrame
        One row per finished candidate (failed fits, with a non-finite
        score, are left out), indexed by its label in ``cv_results_``:
        a column per hyperparameter (its values), ``score`` and ``order``,
        the rank in which the candidate finished (0 first): by skhpo's
        ``end_time`` when the results have it, else the position in the
        results. ``candidates.attrs`` holds:

        - ``"axes"``: per hyperparameter, a dict with ``scale`` (as in the
          importance report: ``"log"``, ``"linear"``, ``"quantile"``,
          ``"discrete"`` or ``"categorical"``), ``values`` (for the last
          two, the values in their order on an axis: numbers ascending,
          categories by mean score; else None) and ``bounds`` (the searched
          range of a number, else its observed range, or None);
        - ``"score_name"``, ``"metric"``, ``"n_resources"`` (the level read,
          or None), ``"left_out"`` (hyperparameters not shown, and why),
          ``"order"`` (``"end_time"`` or ``"results"``) and ``"best"`` (the
          best candidate's label).

    See Also
    --------
    SliceDisplay, ParallelCoordinatesDisplay : Draw the candidates.

    Examples
    --------
    >>> from skhpo.plotting import search_candidates
    >>> results = {
    ...     "params": [{"C": 0.1, "kernel": "rbf"}, {"C": 10.0, "kernel": "linear"}],
    ...     "mean_test_score": [0.8, 0.9],
    ... }
    >>> candidates = search_candidates(results)
    >>> candidates  # doctest: +NORMALIZE_WHITESPACE
                  C  kernel  score  order
    candidate
    0           0.1     rbf    0.8      0
    1          10.0  linear    0.9      1
    >>> candidates.attrs["axes"]["kernel"]["values"]
    ['rbf', 'linear']
    """
    who = "search_candidates"
    finished = read_candidates(
        search_or_cv_results, metric=metric, n_resources=n_resources, who=who
    )
    return candidates_frame(finished, check_params(params, finished, who))


def check_candidates(candidates, who: str) -> None:
    """Raise a TypeError unless ``candidates`` came from :func:`search_candidates`."""
    check_frame(candidates, {"score", "order"}, "search_candidates", who, ("axes",))
