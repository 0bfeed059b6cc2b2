"""What the analyses read: the finished candidates of a search and their measure.

Everything here is a function of ``cv_results_`` (scikit-learn's searches and
skhpo's alike), helped by the searched space when a fitted search is given:
the space says in which measure each hyperparameter was sampled (log space
for a log-uniform ``C``), so that the analyses integrate over the same
measure. Without a space, the measure is read off the values (see
:func:`_inferred_axis`).
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._log import plural
from ..space import Categorical, Dimension, Integer, Real, check_space
from ..space._utils import fmt, is_real_number, safe_equal, to_python
from ..utils._warnings import user_stacklevel

#: Where the row labels of a DataFrame of results are kept.
_LABELS = "__row_labels__"
#: Spaces are read from these attributes of a fitted search, in this order.
_SPACE_ATTRIBUTES = ("param_distributions", "param_grid", "search_spaces")
#: A finite dimension with at most this many values draws its marginal per value.
_MAX_GRID = 50
#: Points at which a continuous marginal is drawn.
_N_CURVE = 64
#: Scales of the scipy.stats distributions whose cdf is a known scale.
_SCIPY_SCALES = {
    "loguniform": "log",
    "reciprocal": "log",
    "uniform": "linear",
    "randint": "linear",
}
#: A best value this close to a bound (in the sampled measure) is at the edge.
EDGE_TOLERANCE = 0.05


class SearchRangeEdgeWarning(UserWarning):
    """The best value of a numeric hyperparameter lies at the edge of its range.

    The optimum may lie outside the searched range: widen it and search again.
    Warned by :func:`importance_report` and :func:`compare_candidates` (at
    most 5 % from the edge in the measure the hyperparameter was sampled in,
    or the first or last value of a list; when candidates tie for the best
    score, only if all of them lie at that edge); :func:`skhpo.diagnose`
    reports it as its ``edge`` check instead.

    See Also
    --------
    skhpo.diagnose : The red flags of a finished search, this one included.

    Examples
    --------
    >>> import warnings
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn.svm import SVC
    >>> from skhpo.importance import SearchRangeEdgeWarning, compare_candidates
    >>> X, y = load_iris(return_X_y=True)
    >>> search = GridSearchCV(SVC(), {"C": [0.001, 0.01, 0.1]}, cv=3).fit(X, y)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always", SearchRangeEdgeWarning)
    ...     _ = compare_candidates(search)
    >>> caught[0].category.__name__
    'SearchRangeEdgeWarning'
    >>> print(caught[0].message)
    compare_candidates: the best candidate's C=0.1 lies at the upper edge of
    its searched range [0.001, 0.1]; the optimum may lie outside it: widen the
    range and search again
    """


@dataclass
class Axis:
    """One hyperparameter in the measure it was sampled in.

    Attributes
    ----------
    name : str
    scale : str
        ``"log"``, ``"linear"``, ``"discrete"`` (ordered values with equal
        weight, such as a grid), ``"categorical"`` (unordered values, placed
        in order of their mean score so that one split can separate good from
        bad) or ``"quantile"`` (a scipy.stats distribution, measured through
        its cdf).
    to_unit : callable
        Native values to [0, 1], where the sampling measure is uniform.
    curve_unit, curve_values : ndarray, list
        Where the marginal curve is drawn, in unit and native values.
    edges : ndarray or None
        Cell edges for values that are cells (categories, grids): tree splits
        are moved onto them.
    bounds : (float, float) or None
        The searched range of a numeric hyperparameter, native units.
    scale_inferred : bool
        Whether the measure was read off the values (no space was known).
    """

    name: str
    scale: str
    to_unit: Callable[[list], np.ndarray]
    curve_unit: np.ndarray
    curve_values: list
    edges: np.ndarray | None = None
    bounds: tuple[float, float] | None = None
    scale_inferred: bool = False

    def edge_of(self, value: Any) -> str | None:
        """``"lower"``/``"upper"`` when ``value`` sits at an edge of the range."""
        if self.bounds is None or not is_real_number(to_python(value)):
            return None
        u = float(self.to_unit([value])[0])
        if self.edges is not None:  # cells: the first or the last one
            lower, upper = u <= self.edges[1], u >= self.edges[-2]
        else:
            lower, upper = u <= EDGE_TOLERANCE, u >= 1 - EDGE_TOLERANCE
        return "lower" if lower else "upper" if upper else None


@dataclass
class Finished:
    """The finished candidates an analysis reads.

    Attributes
    ----------
    params : list of dict
        Hyperparameters of each used row.
    rows : ndarray of int
        Their indices in ``cv_results_``.
    scores : ndarray
        Their mean test score (finite).
    metric : str
        The metric's name: the scores are ``mean_test_<metric>``.
    n_resources : int, float or None
        The resource level of the rows, for multi-fidelity results.
    axes : list of Axis
        The hyperparameters analysed.
    left_out : dict of str to str
        Hyperparameters not analysed, and why.
    cv_results : dict
    search : object or None
    labels : ndarray
        The label of every row of the results: its position, or the index
        of the DataFrame it came from (which may have been filtered).
    """

    params: list[dict]
    rows: np.ndarray
    scores: np.ndarray
    metric: str
    n_resources: Any
    axes: list[Axis]
    left_out: dict[str, str] = field(default_factory=dict)
    cv_results: Mapping = field(default_factory=dict)
    search: Any = None
    labels: np.ndarray = field(default_factory=lambda: np.arange(0))

    @property
    def names(self) -> list[str]:
        return [a.name for a in self.axes]

    def unit_matrix(self) -> np.ndarray:
        """The used candidates in the unit cube, one column per axis."""
        return np.column_stack(
            [a.to_unit([p[a.name] for p in self.params]) for a in self.axes]
        )

    @property
    def best(self) -> int:
        """Position (in the used rows) of the best score."""
        return int(np.argmax(self.scores))

    def edges_of_best(self, best: int | None = None) -> dict[str, str]:
        """The axes whose best value lies at an edge of the range, and the
        edge (``"lower"`` or ``"upper"``).

        When several rows tie with the best score, an axis is at an edge
        only if every one of them lies at that edge: which of the tied rows
        ranks first says nothing about where the optimum lies. Nothing is
        at an edge when every score is the same.
        """
        if np.ptp(self.scores) == 0:
            return {}
        best = self.best if best is None else best
        tied = np.flatnonzero(self.scores == self.scores[best])
        edges = {}
        for axis in self.axes:
            sides = {axis.edge_of(self.params[i][axis.name]) for i in tied}
            if len(sides) == 1 and None not in sides:
                edges[axis.name] = sides.pop()
        return edges

    def split_scores(self) -> np.ndarray:
        """Per-split test scores of the used rows, shape (n_rows, n_splits)."""
        k = 0
        while f"split{k}_test_{self.metric}" in self.cv_results:
            k += 1
        if k == 0:
            raise ValueError(
                f"cv_results has no per-split scores 'split0_test_{self.metric}': "
                "the comparison needs the score of every split"
            )
        columns = [
            np.asarray(self.cv_results[f"split{j}_test_{self.metric}"], dtype=float)
            for j in range(k)
        ]
        return np.column_stack(columns)[self.rows]


def check_int(value: Any, name: str, minimum: int, who: str | None = None) -> None:
    """Raise a ValueError naming ``name`` unless ``value`` is an int >= ``minimum``."""
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Integral)
        or value < minimum
    ):
        prefix = f"{who}: " if who else ""
        raise ValueError(f"{prefix}{name} must be an int >= {minimum}, got {value!r}")


def read_cv_results(obj: Any, who: str) -> tuple[Mapping, Any]:
    """``(cv_results, search or None)`` from a fitted search, a dict or a frame."""
    search = None
    if hasattr(obj, "cv_results_") or hasattr(obj, "fit"):
        if not hasattr(obj, "cv_results_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError(
                f"{who} needs a fitted search: {type(obj).__name__} has no "
                "cv_results_; call fit first"
            )
        search, results = obj, obj.cv_results_
    elif hasattr(obj, "to_dict") and hasattr(obj, "columns"):  # a DataFrame
        results = {c: obj[c].to_numpy() for c in obj.columns}
        if "params" in results:
            results["params"] = list(results["params"])
        results[_LABELS] = obj.index.to_numpy()
    elif isinstance(obj, Mapping):
        results = obj
    else:
        raise TypeError(
            f"{who} takes a fitted search, its cv_results_ dict or a DataFrame "
            f"of it, got {type(obj).__name__}"
        )
    params = results.get("params") if isinstance(results, Mapping) else None
    tests = [k for k in results if str(k).startswith("mean_test_")]
    if params is not None and _LABELS not in results:
        results = {**results, _LABELS: np.arange(len(params))}
    if params is None or isinstance(params, (str, bytes)) or not tests:
        missing = "'params'" if params is None else "any 'mean_test_<metric>' entry"
        raise ValueError(
            f"{who}: the results are not shaped like scikit-learn's cv_results_ "
            f"(missing {missing}; keys: {sorted(map(str, results))[:8]})"
        )
    n = len(params)
    for key in ["params", *tests]:
        if len(results[key]) != n:
            raise ValueError(
                f"{who}: the results are not shaped like scikit-learn's "
                f"cv_results_: {key!r} has {len(results[key])} entries, "
                f"'params' has {n}"
            )
    if not all(isinstance(p, Mapping) for p in params):
        raise ValueError(
            f"{who}: the results are not shaped like scikit-learn's cv_results_: "
            "'params' must be a list of dicts"
        )
    return results, search


def choose_metric(results: Mapping, search: Any, metric: str | None, who: str) -> str:
    """The metric to read: given, the search's refit metric, or the only one."""
    metrics = [
        str(k)[len("mean_test_") :] for k in results if str(k).startswith("mean_test_")
    ]
    if metric is not None and not isinstance(metric, str):
        raise TypeError(f"{who}: metric must be a str, got {metric!r}")
    if metric is not None and metric.startswith("mean_test_"):
        metric = metric[len("mean_test_") :]
    if metric is not None:
        if metric not in metrics:
            raise ValueError(
                f"{who}: metric={metric!r} is not in the results; they have {metrics}"
            )
        return metric
    refit = getattr(search, "refit", None)
    if isinstance(refit, str) and refit in metrics:
        return refit
    if len(metrics) == 1:
        return metrics[0]
    if "score" in metrics:
        return "score"
    why = " (refit is a callable, which names none)" if callable(refit) else ""
    raise ValueError(
        f"{who}: the results have several metrics {metrics}{why}; name one with metric="
    )


def score_name(metric: str, search: Any = None) -> str:
    """The name of a score, for a label: ``"accuracy"``, not ``mean_test_score``.

    Parameters
    ----------
    metric : str
        The metric of the results: ``"score"`` for a single metric (the
        column ``mean_test_score``), else the key of a multi-metric
        ``scoring`` dict; a leading ``"mean_test_"`` is dropped.
    search : fitted search or None, default=None
        The search, whose ``scoring`` names a single metric.

    Returns
    -------
    name : str
        The scorer's name when ``scoring`` is a string (``"accuracy"``,
        ``"neg_log_loss"``), the metric's key for multi-metric results, and
        ``"score"`` for the estimator's default score or a callable scorer.
    """
    if metric.startswith("mean_test_"):
        metric = metric[len("mean_test_") :]
    if metric != "score":
        return metric
    scoring = getattr(search, "scoring", None)
    return scoring if isinstance(scoring, str) else "score"


def _rows_at_resource(
    results: Mapping, finite: np.ndarray, n_resources: Any, need: int, who: str
) -> tuple[np.ndarray, Any]:
    """Rows of one resource level of multi-fidelity results (BOHB's rule)."""
    if "n_resources" not in results:
        if n_resources not in ("auto", None):
            raise ValueError(
                f"{who}: n_resources={n_resources!r} but the results have no "
                "'n_resources' column (not a multi-fidelity search)"
            )
        return np.flatnonzero(finite), None
    levels = np.asarray(results["n_resources"])
    present = sorted(set(levels.tolist()))
    if n_resources in ("auto", None):
        # The highest level with enough finished candidates, else the fullest.
        counts = {lv: int(np.sum(finite & (levels == lv))) for lv in present}
        enough = [lv for lv in present if counts[lv] >= need]
        level = enough[-1] if enough else max(present, key=lambda lv: counts[lv])
    else:
        if n_resources not in present:
            raise ValueError(
                f"{who}: n_resources={n_resources!r} is not a level of the "
                f"results; they have {present}"
            )
        level = n_resources
    return np.flatnonzero(finite & (levels == level)), to_python(level)


def minimum_candidates(n_dims: int) -> int:
    """Finished candidates needed to analyse ``n_dims`` hyperparameters."""
    return max(5, 2 * n_dims)


def read_finished(
    obj: Any,
    *,
    metric: str | None = None,
    n_resources: Any = "auto",
    who: str,
    need_for: Callable[[int], int] | None = minimum_candidates,
) -> Finished:
    """The finished candidates of a search (or of its results) and their axes.

    Raises a clear error for results not shaped like scikit-learn's and when
    every candidate failed; unless ``need_for`` is None, also when no
    hyperparameter varies or with fewer finished candidates than
    ``need_for(n_hyperparameters)``.
    """
    results, search = read_cv_results(obj, who)
    metric = choose_metric(results, search, metric, who)
    means = np.asarray(results[f"mean_test_{metric}"], dtype=float)
    finite = np.isfinite(means)
    if not finite.any():
        raise ValueError(
            f"{who}: every candidate failed (no finite mean_test_{metric}); "
            "there is nothing to analyse"
        )
    all_params = list(results["params"])
    names = _ordered_names(all_params)
    need = minimum_candidates if need_for is None else need_for
    rows, level = _rows_at_resource(results, finite, n_resources, need(len(names)), who)
    params = [dict(all_params[i]) for i in rows]
    scores = means[rows]
    space = _space_of(search)
    axes, left_out = [], {}
    for name in names:
        if not all(name in p for p in params):
            left_out[name] = "not set in every candidate (a conditional sub-space)"
            continue
        values = [p[name] for p in params]
        if _n_distinct(values) < 2:
            left_out[name] = "a single value in the candidates"
            continue
        if any(
            is_real_number(to_python(v)) and not np.isfinite(to_python(v))
            for v in values
        ):
            left_out[name] = "NaN or infinite values in some candidates"
            continue
        axes.append(_axis(name, values, scores, _dimension_of(space, name)))
    finished = Finished(
        params,
        rows,
        scores,
        metric,
        level,
        axes,
        left_out,
        results,
        search,
        np.asarray(results[_LABELS]),
    )
    if need_for is None:
        return finished
    if not axes:
        raise ValueError(
            f"{who} needs a searched hyperparameter that varies across the "
            "finished candidates; none does"
            + (f" (left out: {left_out})" if left_out else "")
        )
    if len(rows) < need_for(len(axes)):
        at = "" if level is None else f" at n_resources={level}"
        raise ValueError(
            f"{who} needs at least {need_for(len(axes))} finished candidates{at} "
            f"for {plural(len(axes), 'hyperparameter')}; got {len(rows)}"
        )
    return finished


def warn_at_edges(
    finished: Finished, who: str, best: int | None = None
) -> dict[str, str]:
    """Warn when the best candidate's numeric values sit at their range's edge."""
    edges = finished.edges_of_best(best)
    best = finished.params[finished.best if best is None else best]
    for axis in finished.axes:
        side = edges.get(axis.name)
        if side is None:
            continue
        low, high = axis.bounds
        warnings.warn(
            f"{who}: the best candidate's {axis.name}={_short(best[axis.name])} "
            f"lies at the {side} edge of its searched range [{low:.6g}, {high:.6g}]"
            f"{' (as observed)' if axis.scale_inferred else ''}; the optimum may lie "
            "outside it: widen the range and search again",
            SearchRangeEdgeWarning,
            stacklevel=user_stacklevel(),
        )
    return edges


def _short(value: Any) -> str:
    value = to_python(value)
    return f"{value:.6g}" if isinstance(value, float) else fmt(value)


# -- axes ------------------------------------------------------------------------
def _ordered_names(params: list[Mapping]) -> list[str]:
    names: dict[str, None] = {}
    for p in params:
        names.update(dict.fromkeys(p))
    return list(names)


def _n_distinct(values: list) -> int:
    return len(_distinct(values))


def _distinct(values: list) -> list:
    """Distinct values in order of appearance; hashable ones by (type, value)."""
    seen: list = []
    keys: set = set()
    for v in values:
        try:
            key = (type(v), v)
            hash(key)
        except TypeError:  # lists, arrays, estimators: compared one by one
            if not any(safe_equal(v, s) for s in seen):
                seen.append(v)
            continue
        if key not in keys:
            keys.add(key)
            seen.append(v)
    return seen


def _space_of(search: Any):
    for attr in _SPACE_ATTRIBUTES:
        spec = getattr(search, attr, None)
        if spec is None:
            continue
        try:
            return check_space(spec, param_name=attr)
        except (TypeError, ValueError):
            return None  # e.g. a peer's own dimension objects: read the values
    return None


def _dimension_of(space, name: str) -> Dimension | None:
    if space is None:
        return None
    dims = [s.to_dict()[name] for s in space.subspaces if name in s.names]
    if dims and all(d == dims[0] for d in dims[1:]):
        return dims[0]
    return None  # differs between sub-spaces: read the values


def _axis(name: str, values: list, scores: np.ndarray, dim: Dimension | None) -> Axis:
    if dim is not None:
        try:
            axis = _axis_of_dimension(name, values, scores, dim)
            axis.to_unit(values)  # every value must map
        except (TypeError, ValueError, AttributeError):
            pass  # e.g. an object with rvs only: no cdf, no support
        else:
            axis.scale_inferred = False
            return axis
    axis = _inferred_axis(name, values, scores)
    axis.scale_inferred = True
    return axis


def _cells_axis(
    name: str, cells: list, widths: np.ndarray, scale: str, numeric: bool
) -> Axis:
    """An axis whose values are cells of the given widths, in this order."""
    edges = np.concatenate([[0.0], np.cumsum(widths / widths.sum())])
    edges[-1] = 1.0
    centres = 0.5 * (edges[:-1] + edges[1:])

    def to_unit(vals: list) -> np.ndarray:
        out = np.empty(len(vals))
        for i, v in enumerate(vals):
            for k, c in enumerate(cells):
                if safe_equal(v, c):
                    out[i] = centres[k]
                    break
            else:
                raise ValueError(f"{v!r} is not a value of {name!r}")
        return out

    bounds = None
    numbers = [float(to_python(c)) for c in cells if is_real_number(to_python(c))]
    if numeric and numbers:
        bounds = (min(numbers), max(numbers))
    return Axis(name, scale, to_unit, centres, list(cells), edges, bounds)


def _value_order(cells: list, values: list, scores: np.ndarray) -> tuple[list, str]:
    """How to order cells: numbers ascending (None first), else by mean score."""
    plain = [to_python(c) for c in cells]
    numbers = [c for c in plain if is_real_number(c)]
    if len(numbers) >= 2 and all(c is None or is_real_number(c) for c in plain):
        order = sorted(
            range(len(plain)),
            key=lambda k: (
                plain[k] is not None,
                plain[k] if plain[k] is not None else 0,
            ),
        )
        return order, "discrete"
    return _score_order(cells, values, scores), "categorical"


def _score_order(cells: list, values: list, scores: np.ndarray) -> list[int]:
    """Cells by mean score, unseen ones last: one split separates good from bad."""
    means = []
    for c in cells:
        s = [sc for v, sc in zip(values, scores) if safe_equal(v, c)]
        means.append(np.mean(s) if s else np.inf)
    return list(np.argsort(means, kind="stable"))


def _axis_of_dimension(
    name: str, values: list, scores: np.ndarray, dim: Dimension
) -> Axis:
    if isinstance(dim, Categorical):
        cells = list(dim.categories)
        widths = np.ones(len(cells)) if dim.prior is None else np.asarray(dim.prior)
        order, scale = _value_order(cells, values, scores)
        cells, widths = [cells[k] for k in order], widths[order]
        return _cells_axis(name, cells, widths, scale, scale == "discrete")
    numeric = dim.is_numeric
    if not numeric:
        return _inferred_axis(name, values, scores)
    if isinstance(dim, (Real, Integer)):
        scale = "log" if dim.prior == "log-uniform" else "linear"
        bounds = (float(dim.low), float(dim.high))
    else:  # a scipy.stats distribution: its cdf is the measure
        dist_name = getattr(getattr(dim.dist, "dist", None), "name", "")
        scale = _SCIPY_SCALES.get(dist_name, "quantile")
        low, high = (float(b) for b in dim.dist.support())
        bounds = (low, high) if np.isfinite([low, high]).all() else None
    if dim.cardinality is not None and dim.cardinality <= _MAX_GRID:
        # Few values: each is a cell, whose edges follow from the centres.
        grid = dim.grid()
        centres = np.asarray(dim.to_unit(grid), dtype=float)
        edges = np.zeros(len(centres) + 1)
        for k, c in enumerate(centres):
            edges[k + 1] = 2 * c - edges[k]
        edges = np.clip(edges, 0.0, 1.0)
        edges[-1] = 1.0
        return Axis(name, scale, dim.to_unit, centres, grid, edges, bounds)
    curve_unit = (np.arange(_N_CURVE) + 0.5) / _N_CURVE
    curve_values = dim.from_unit(curve_unit)
    curve_unit = dim.to_unit(curve_values)
    return Axis(name, scale, dim.to_unit, curve_unit, curve_values, None, bounds)


def _inferred_axis(name: str, values: list, scores: np.ndarray) -> Axis:
    """The measure read off the values, when the space is not known.

    Non-numeric values are categories (equal weight, ordered by mean score);
    numbers with few distinct values (at most half the candidates, as in a
    grid) are ordered cells of equal weight; other numbers are continuous on
    their observed range, in log scale when they are positive and look
    log-uniform rather than uniform (the smaller Kolmogorov-Smirnov distance).
    """
    plain = [to_python(v) for v in values]
    cells = _distinct(plain)
    numeric = all(is_real_number(v) for v in plain)
    if not numeric:
        order, scale = _value_order(cells, plain, scores)
        cells = [cells[k] for k in order]
        return _cells_axis(name, cells, np.ones(len(cells)), scale, scale == "discrete")
    if len(cells) <= len(values) / 2:
        cells = sorted(cells)
        return _cells_axis(name, cells, np.ones(len(cells)), "discrete", True)
    x = np.asarray(plain, dtype=float)
    low, high = float(x.min()), float(x.max())
    log = low > 0 and _ks_uniform(np.log(x)) < _ks_uniform(x)
    fwd = np.log if log else (lambda v: v)
    a, b = fwd(low), fwd(high)

    def to_unit(vals: list) -> np.ndarray:
        v = np.asarray([to_python(t) for t in vals], dtype=float)
        return np.clip((fwd(v) - a) / (b - a), 0.0, 1.0)

    curve_unit = (np.arange(_N_CURVE) + 0.5) / _N_CURVE
    t = a + curve_unit * (b - a)
    curve_values = (np.exp(t) if log else t).tolist()
    return Axis(
        name,
        "log" if log else "linear",
        to_unit,
        curve_unit,
        curve_values,
        None,
        (low, high),
    )


def _ks_uniform(x: np.ndarray) -> float:
    """Kolmogorov-Smirnov distance of ``x`` to the uniform law on its range."""
    x = np.sort(x)
    u = (x - x[0]) / (x[-1] - x[0])
    n = len(u)
    return float(max(np.max(np.arange(1, n + 1) / n - u), np.max(u - np.arange(n) / n)))
