"""Is the best candidate really better? The corrected resampled t-test."""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.model_selection import (
    GroupKFold,
    KFold,
    RepeatedKFold,
    RepeatedStratifiedKFold,
    ShuffleSplit,
    StratifiedGroupKFold,
    StratifiedKFold,
    StratifiedShuffleSplit,
)

from ..utils._warnings import user_stacklevel
from ._inputs import (
    check_int,
    choose_metric,
    read_cv_results,
    read_finished,
    warn_at_edges,
)

_ALTERNATIVES = ("greater", "two-sided", "less")
_K_FOLDS = (KFold, StratifiedKFold, GroupKFold, StratifiedGroupKFold)


def compare_candidates(
    search_or_cv_results,
    *,
    metric=None,
    n_runners_up=5,
    test_train_ratio=None,
    alternative="greater",
    n_resources="auto",
):
    """Test whether the best candidate is really better than the runners-up.

    For each runner-up, the per-split differences of test scores between the
    best candidate and it are tested with the corrected resampled t-test of
    Nadeau and Bengio (2003), which widens the variance for the overlap of
    the training sets of the splits:

    .. math::

        t = \\frac{\\bar d}{\\sqrt{(1/n + n_{test}/n_{train})\\,\\hat\\sigma^2}},
        \\qquad \\text{df} = n - 1,

    with ``n = k * r`` splits (``k`` folds repeated ``r`` times). The naive
    paired t-test, which ignores the overlap and is too often significant,
    is reported beside it.

    Parameters
    ----------
    search_or_cv_results : fitted search, dict or pandas.DataFrame
        A fitted search of skhpo or scikit-learn, or its ``cv_results_`` (the
        per-split scores ``split<i>_test_<metric>`` are needed).
    metric : str, default=None
        Which metric to compare. By default the search's ``refit`` metric, or
        the only metric.
    n_runners_up : int, default=5
        How many of the next-ranked candidates to compare with the best.
    test_train_ratio : float, default=None
        ``n_test / n_train``, the sizes of a split's test and training parts.
        By default it is read off the search's ``cv``: ``1 / (k - 1)`` for
        ``k`` folds (an int, ``KFold``, ``StratifiedKFold``, ``GroupKFold``,
        their repeated versions), ``test_size / train_size`` for shuffle
        splits. For results without a search, a single K-fold over the
        splits is assumed, with a warning.
    alternative : {"greater", "two-sided", "less"}, default="greater"
        The alternative hypothesis on the best minus the runner-up: by
        default, that the best is better.
    n_resources : "auto" or number, default="auto"
        For multi-fidelity results, the resource level compared; ``"auto"``
        takes the best candidate's level.

    Returns
    -------
    comparison : pandas.DataFrame
        One row per runner-up (fewer than ``n_runners_up`` when fewer
        candidates finished at the compared level), indexed by its position
        in ``cv_results_`` (by its label when a DataFrame is given),
        with its ``rank``, ``params``, ``mean_test_<metric>``, the mean and
        standard deviation of the differences, ``t_corrected``,
        ``p_corrected``, ``t_naive``, ``p_naive``. ``attrs`` holds ``best``
        (the best candidate's index or label), ``best_params``, ``df``,
        ``n_splits``, ``test_train_ratio``, ``n_resources`` (the level
        compared, None for single-fidelity results) and ``method`` (in words).

    Raises
    ------
    ValueError
        If the results are not shaped like scikit-learn's, have no per-split
        scores, every candidate failed, or the ratio cannot be told.

    Warns
    -----
    SearchRangeEdgeWarning
        When the best candidate's value of a numeric hyperparameter lies at
        the edge of its searched range.

    Notes
    -----
    The best candidate was selected on the same splits, so even the corrected
    p-value is optimistic about its lead; a small p-value against a
    runner-up is evidence, a large one says the two cannot be told apart on
    this data.

    References
    ----------
    C. Nadeau and Y. Bengio. "Inference for the Generalization Error".
    Machine Learning 52, 239-281 (2003).

    R. R. Bouckaert and E. Frank. "Evaluating the Replicability of
    Significance Tests for Comparing Learning Algorithms". PAKDD 2004.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import GridSearchCV, RepeatedStratifiedKFold
    >>> from sklearn.svm import SVC
    >>> from skhpo.importance import compare_candidates
    >>> X, y = load_iris(return_X_y=True)
    >>> cv = RepeatedStratifiedKFold(n_splits=5, n_repeats=3, random_state=0)
    >>> search = GridSearchCV(SVC(), {"C": [0.1, 1, 10, 100]}, cv=cv).fit(X, y)
    >>> search.best_params_
    {'C': 10}
    >>> table = compare_candidates(search, n_runners_up=2)
    >>> table[["params", "p_corrected", "p_naive"]].round(3)
                   params  p_corrected  p_naive
    candidate
    1            {'C': 1}        0.140    0.014
    3          {'C': 100}        0.176    0.027
    >>> table.attrs["df"]
    14

    The naive test calls ``C=10`` significantly better than both runners-up;
    corrected for the overlap of the training sets, it is not.
    """
    who = "compare_candidates"
    check_int(n_runners_up, "n_runners_up", 1, who)
    if alternative not in _ALTERNATIVES:
        raise ValueError(
            f"{who}: alternative must be one of {_ALTERNATIVES}, got {alternative!r}"
        )
    if test_train_ratio is not None and not (
        isinstance(test_train_ratio, numbers.Real)
        and not isinstance(test_train_ratio, bool)
        and 0 < test_train_ratio < np.inf
    ):
        raise ValueError(
            f"{who}: test_train_ratio must be a positive number (n_test / n_train), "
            f"got {test_train_ratio!r}"
        )
    if n_resources == "auto":
        n_resources = _best_level(search_or_cv_results, metric, who)
    finished = read_finished(
        search_or_cv_results,
        metric=metric,
        n_resources=n_resources,
        who=who,
        need_for=None,
    )
    if len(finished.rows) < 2:
        raise ValueError(
            f"{who} needs at least 2 finished candidates to compare; "
            f"got {len(finished.rows)}"
        )
    scores = finished.split_scores()
    n = scores.shape[1]
    if n < 2:
        raise ValueError(f"{who} needs at least 2 splits; the results have {n}")
    ratio, source = _ratio(finished.search, n, test_train_ratio, who)
    best = _best_position(finished)
    warn_at_edges(finished, who, best)

    order = [i for i in np.argsort(-finished.scores, kind="stable") if i != best]
    order = order[:n_runners_up]
    rows = []
    for i in order:
        # Finished candidates have a finite mean, hence a finite score per split.
        rows.append(_paired_tests(scores[best] - scores[i], ratio, alternative))
    results = finished.cv_results
    index = finished.rows[order]
    labels = finished.labels[index]
    rank_key = f"rank_test_{finished.metric}"
    table = pd.DataFrame(
        {
            "rank": (
                np.asarray(results[rank_key])[index]
                if rank_key in results
                else np.arange(2, len(order) + 2)
            ),
            "params": pd.Series(
                [finished.params[i] for i in order], index=labels, dtype=object
            ),
            f"mean_test_{finished.metric}": finished.scores[order],
            "mean_difference": [r[0] for r in rows],
            "std_difference": [r[1] for r in rows],
            "t_corrected": [r[2] for r in rows],
            "p_corrected": [r[3] for r in rows],
            "t_naive": [r[4] for r in rows],
            "p_naive": [r[5] for r in rows],
        },
        index=pd.Index(labels, name="candidate"),
    )
    table.attrs.update(
        best=finished.labels[finished.rows[best]].item(),
        n_resources=finished.n_resources,
        best_params=finished.params[best],
        df=n - 1,
        n_splits=n,
        test_train_ratio=ratio,
        alternative=alternative,
        method=(
            f"corrected resampled t-test (Nadeau & Bengio, 2003) on the "
            f"{n} per-split differences of test_{finished.metric}, "
            f"n_test/n_train={ratio:.4g} ({source}), df={n - 1}, "
            f"alternative={alternative!r}; the naive paired t-test beside it"
        ),
    )
    return table


def _paired_tests(d: np.ndarray, ratio: float, alternative: str) -> tuple:
    """Mean, sd, corrected t and p, naive t and p of the differences ``d``."""
    n = len(d)
    mean = float(np.mean(d)) if n else np.nan
    sd = float(np.std(d, ddof=1)) if n > 1 else np.nan
    if n < 2:
        return mean, sd, np.nan, np.nan, np.nan, np.nan
    out = [mean, sd]
    for factor in (1.0 / n + ratio, 1.0 / n):
        se = np.sqrt(factor) * sd
        if se > 0:
            t = mean / se
        else:  # every split differs by the same amount
            t = 0.0 if mean == 0 else np.copysign(np.inf, mean)
        out += [t, _p_value(t, n - 1, alternative)]
    return tuple(out)


def _p_value(t: float, df: int, alternative: str) -> float:
    if alternative == "greater":
        return float(stats.t.sf(t, df))
    if alternative == "less":
        return float(stats.t.cdf(t, df))
    return float(min(1.0, 2 * stats.t.sf(abs(t), df)))


def _best_level(obj: Any, metric: str | None, who: str) -> Any:
    """The resource level of the best candidate, for multi-fidelity results."""
    results, search = read_cv_results(obj, who)
    if "n_resources" not in results:
        return "auto"
    metric = choose_metric(results, search, metric, who)
    best = getattr(search, "best_index_", None)
    if best is None or not _follows_refit(search, metric):
        means = np.asarray(results[f"mean_test_{metric}"], dtype=float)
        levels = np.asarray(results["n_resources"], dtype=float)
        finite = np.isfinite(means)
        if not finite.any():
            return "auto"
        # The highest level reached, then the best score there.
        top = np.max(levels[finite])
        best = int(np.nanargmax(np.where(finite & (levels == top), means, np.nan)))
    return np.asarray(results["n_resources"])[best].item()


def _follows_refit(search: Any, metric: str) -> bool:
    """Whether the search's ``best_index_`` was chosen by ``metric``."""
    refit = getattr(search, "refit", None)
    if callable(refit):
        return True  # the user's own rule of choice
    return refit == metric or (refit is True and metric == "score")


def _best_position(finished) -> int:
    """The best candidate among the used rows: the search's own choice if made
    by this metric, else the best mean score."""
    best_index = getattr(finished.search, "best_index_", None)
    if best_index is not None and _follows_refit(finished.search, finished.metric):
        hit = np.flatnonzero(finished.rows == best_index)
        if hit.size:
            return int(hit[0])
    return finished.best


def _ratio(search: Any, n: int, given: float | None, who: str) -> tuple[float, str]:
    """``n_test / n_train`` of a split, and where it was read."""
    if given is not None:
        return float(given), "given"
    if search is None:
        warnings.warn(
            f"{who}: results without their search; assuming one K-fold of {n} "
            f"splits, n_test/n_train = 1/{n - 1}. Pass test_train_ratio for "
            "repeated or shuffled splits",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
        return 1.0 / (n - 1), f"assumed {n}-fold"
    cv = getattr(search, "cv", None)
    if cv is None or isinstance(cv, numbers.Integral):
        k = 5 if cv is None else int(cv)
        return 1.0 / (k - 1), f"{k}-fold"
    if isinstance(cv, _K_FOLDS):
        return 1.0 / (cv.n_splits - 1), f"{type(cv).__name__}(n_splits={cv.n_splits})"
    if isinstance(cv, (RepeatedKFold, RepeatedStratifiedKFold)):
        k = cv.cvargs["n_splits"]
        return 1.0 / (k - 1), f"{type(cv).__name__}(n_splits={k})"
    if isinstance(cv, (ShuffleSplit, StratifiedShuffleSplit)):
        test, train = cv.test_size, cv.train_size
        if test is None:  # scikit-learn's rule: the complement, else 0.1
            test = 1.0 - train if isinstance(train, float) else 0.1
        if isinstance(test, float) and (train is None or isinstance(train, float)):
            train = 1.0 - test if train is None else train
            name = type(cv).__name__
            return test / train, f"{name}(test_size={test:g}, train_size={train:g})"
    raise ValueError(
        f"{who} cannot tell the test/train size ratio of cv={cv!r}; pass "
        "test_train_ratio=n_test / n_train"
    )
