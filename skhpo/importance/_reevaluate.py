"""Re-evaluating a search's finalists with new seeds and new splits."""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pandas as pd
from sklearn.base import clone, is_classifier
from sklearn.metrics import check_scoring
from sklearn.model_selection import KFold, StratifiedKFold, check_cv, cross_validate
from sklearn.utils import check_random_state

from .._fidelity import EpochsEstimator
from ..utils._warnings import user_stacklevel
from ._compare import _paired_tests
from ._inputs import check_int, read_cv_results, read_finished

__all__ = ["reevaluate"]


def reevaluate(
    search,
    X,
    y=None,
    *,
    top=5,
    seeds=3,
    cv=None,
    scoring=None,
    alpha=0.05,
    random_state=0,
    n_jobs=None,
    refit=False,
    **params,
):
    """Refit a search's best candidates with new seeds and new splits.

    The winner of a search was chosen on one set of splits and one seed of
    the estimator: against its runners-up, part of its lead may be luck.
    Each of the ``top`` candidates is cross-validated again ``seeds`` times,
    each time with a new seed of every ``random_state`` of the estimator
    (Pipeline steps included) and new splits, the same for every candidate
    (so that their scores pair up), and compared with the best of them by the
    corrected resampled t-test (Nadeau and Bengio, 2003). The candidates of
    a :class:`~skhpo.HyperbandSearchCV` with ``resource="partial_fit"`` are
    trained as the search trained them: by as many ``partial_fit`` calls as
    their row's ``n_resources`` (the steps of a Pipeline before the last
    fitted once), not by ``fit``.

    Parameters
    ----------
    search : fitted search
        A fitted search of skhpo or scikit-learn; its ``estimator`` and
        ``cv_results_`` are read.
    X : array-like of shape (n_samples, n_features)
        The data the search was fitted on (or other data of the same
        problem), split anew at each repetition.
    y : array-like of shape (n_samples,), default=None
        Target; None for unsupervised learning.
    top : int, default=5
        How many of the best candidates (by ``rank_test_<metric>``) to
        re-evaluate; of a multi-fidelity search, those at the largest
        resource with at least ``max(5, 2 * n_hyperparameters)`` finished
        candidates (else at the resource with the most).
    seeds : int, default=3
        Repetitions, each with new estimator seeds and new splits.
    cv : int or cross-validation generator, default=None
        The splits of each repetition: an int ``k`` (default: the search's
        number of splits) gives a shuffled (stratified, for a classifier)
        K-fold reseeded at each repetition; a splitter with a
        ``random_state`` is reseeded likewise; other splitters are used as
        they are (only the estimator's seeds then vary).
    scoring : str or callable, default=None
        The metric; by default the search's ``refit`` metric (its scorer).
    alpha : float, default=0.05
        The level at which a candidate is called worse than the best.
    random_state : int, RandomState instance or None, default=0
        Draws the seeds of the repetitions.
    n_jobs : int, default=None
        Workers for each ``cross_validate``.
    refit : bool, default=False
        Also fit the best re-evaluated candidate on all the data
        (``report.attrs["best_estimator"]``), trained as the candidates were.
    **params : dict
        Passed to the estimator's ``fit`` (through ``cross_validate``).

    Returns
    -------
    report : pandas.DataFrame
        One row per candidate, indexed by its row in ``cv_results_``, best
        first: ``params``, ``search_score`` (its mean in the search),
        ``mean``, ``std`` (over every split of every repetition),
        ``seed_means`` (one mean per repetition), ``diff`` (its mean minus
        the best's), ``t_corrected`` and ``p_corrected`` against the best
        (one-sided: the best is better) and ``worse`` (``p < alpha``).
        ``attrs``: ``best`` (the row), ``best_params``, ``scores`` (the
        array of shape ``(n_candidates, seeds, n_splits)``), ``seeds``,
        ``varied`` (the estimator's seeded parameters),
        ``test_train_ratio`` (the t-test's correction: mean test over train
        size), and ``best_estimator`` with ``refit``.

    Warns
    -----
    UserWarning
        When the estimator has no ``random_state``: only the splits vary.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from skhpo import BayesSearchCV, reevaluate
    >>> from skhpo.space import Integer
    >>> X, y = make_classification(n_samples=200, random_state=0)
    >>> forest = RandomForestClassifier(n_estimators=10, random_state=0)
    >>> search = BayesSearchCV(forest, {"max_depth": Integer(1, 8)}, n_iter=5,
    ...                        cv=3, random_state=0).fit(X, y)
    >>> search.best_params_
    {'max_depth': 5}
    >>> report = reevaluate(search, X, y, top=3, seeds=2)
    >>> report[["params", "search_score", "mean", "worse"]].round(3)
                         params  search_score   mean  worse
    candidate
    3          {'max_depth': 4}          0.93  0.933  False
    1          {'max_depth': 6}          0.93  0.930  False
    4          {'max_depth': 5}          0.94  0.930  False

    With new seeds and splits the search's winner is not the best any more,
    and none of the three is ``worse`` than the best: their differences are
    within noise.
    """
    who = "reevaluate"
    check_int(top, "top", 1, who)
    check_int(seeds, "seeds", 1, who)
    results, fitted = read_cv_results(search, who)
    if fitted is None:
        raise TypeError(
            f"{who} needs the fitted search (its estimator), not its cv_results_."
        )
    finished = read_finished(search, who=who, need_for=None)
    order = np.argsort(-finished.scores, kind="stable")[:top]
    rows = [int(finished.rows[i]) for i in order]
    candidates = [dict(finished.params[i]) for i in order]
    estimator = fitted.estimator
    epochs = _epochs(fitted, results, rows)
    varied = [
        name
        for name, value in estimator.get_params(deep=True).items()
        if name.split("__")[-1] == "random_state"
    ]
    if not varied:
        warnings.warn(
            f"{who}: {type(estimator).__name__} has no random_state: only the "
            "cross-validation splits vary between repetitions.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    if scoring is None:
        scoring = getattr(fitted, "scorer_", None)
        if isinstance(scoring, dict):
            scoring = scoring[finished.metric]
    rng = check_random_state(random_state)
    drawn = [int(v) for v in rng.randint(np.iinfo(np.int32).max, size=seeds)]
    n_splits = getattr(fitted, "n_splits_", 5)
    if epochs is not None:
        scoring = _OnTrainedModel(check_scoring(estimator, scoring=scoring))
        classes = np.unique(y) if is_classifier(estimator) and y is not None else None
    scores = []
    for i, candidate in enumerate(candidates):
        per_seed = []
        for seed in drawn:
            model = clone(estimator).set_params(**clone(candidate, safe=False))
            model.set_params(**dict.fromkeys(varied, seed))
            if epochs is not None:  # trained as the search trained it
                model = EpochsEstimator(model, epochs[i], classes)
            splits = _splits(cv, n_splits, seed, estimator, X, y)
            out = cross_validate(
                model,
                X,
                y,
                cv=splits,
                scoring=scoring,
                n_jobs=n_jobs,
                params=params or None,
                error_score=np.nan,
            )
            per_seed.append(out["test_score"])
        scores.append(per_seed)
    scores = np.asarray(scores, dtype=float)  # (candidates, seeds, splits)
    ratio = _test_train_ratio(splits, X, y)
    flat = scores.reshape(len(candidates), -1)
    if np.isnan(flat).all():
        raise ValueError(
            f"{who}: every fit failed or scored NaN (the warnings above say "
            "why); nothing to compare."
        )
    means = np.nanmean(flat, axis=1)
    best = int(np.nanargmax(means))
    table = []
    for i, candidate in enumerate(candidates):
        diff = flat[best] - flat[i]
        _, _, t, p, _, _ = _paired_tests(diff, ratio, "greater")
        table.append(
            {
                "params": candidate,
                "search_score": float(finished.scores[order[i]]),
                "mean": float(means[i]),
                "std": float(np.nanstd(flat[i])),
                "seed_means": [float(v) for v in np.nanmean(scores[i], axis=1)],
                "diff": float(means[i] - means[best]),
                "t_corrected": np.nan if i == best else t,
                "p_corrected": np.nan if i == best else p,
                "worse": bool(i != best and p < alpha),
            }
        )
    report = pd.DataFrame(table, index=pd.Index(rows, name="candidate"))
    report = report.iloc[np.argsort(-means, kind="stable")]
    report.attrs.update(
        best=rows[best],
        best_params=candidates[best],
        scores=scores,
        seeds=drawn,
        varied=varied,
        test_train_ratio=ratio,
    )
    if refit:
        model = clone(estimator).set_params(**clone(candidates[best], safe=False))
        if epochs is not None:
            model = EpochsEstimator(model, epochs[best], classes)
        if y is None:
            model.fit(X, **params)
        else:
            model.fit(X, y, **params)
        report.attrs["best_estimator"] = model if epochs is None else model.estimator_
    return report


class _OnTrainedModel:
    """A scorer of the model that an :class:`EpochsEstimator` trained, so
    that the scorer sees what it sees in the search."""

    def __init__(self, scorer):
        self.scorer = scorer

    def __call__(self, estimator, X, y=None, **kwargs):
        return self.scorer(estimator.estimator_, X, y, **kwargs)


def _epochs(fitted, results, rows):
    """The epochs each row was trained for, when a Hyperband search trains
    by ``partial_fit`` (its rows' ``n_resources``); None otherwise."""
    from ..search.hyperband import HyperbandSearchCV

    if not isinstance(fitted, HyperbandSearchCV) or fitted.resource != "partial_fit":
        return None
    return [int(results["n_resources"][row]) for row in rows]


def _splits(cv, n_splits, seed, estimator, X, y):
    """The splits of one repetition, reseeded by ``seed`` (see
    :func:`reevaluate`), as a list (the same for every candidate)."""
    if cv is None:
        cv = n_splits
    if isinstance(cv, int):
        kind = StratifiedKFold if is_classifier(estimator) and y is not None else KFold
        splitter = kind(cv, shuffle=True, random_state=seed)
    else:
        splitter = check_cv(cv, y, classifier=is_classifier(estimator))
        # scikit-learn's splitters have no set_params: a reseeded copy
        if hasattr(splitter, "random_state") and getattr(splitter, "shuffle", True):
            splitter = copy.deepcopy(splitter)
            splitter.random_state = seed
    return list(splitter.split(X, y))


def _test_train_ratio(splits, X, y):
    """The mean ``n_test / n_train`` of the splits (Nadeau and Bengio's
    correction)."""
    return float(np.mean([len(test) / len(train) for train, test in splits]))
