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

from .._fidelity import EpochsEstimator, ScheduleEstimator
from ..space._utils import to_python
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
    corrected resampled t-test (Nadeau and Bengio, 2003).

    The finalists of a multi-fidelity search are ranked as it chooses its
    best (``best_index_``): by the largest resource each candidate reached,
    then by its score there; a candidate that failed at the largest resource
    it reached is not one of them. They are all trained at the largest
    resource among them, as the best was, so that a runner-up that
    successive halving stopped early is compared on equal terms (and costs
    a full training): an estimator parameter as the resource is set to it,
    and with ``resource="partial_fit"`` the candidates of a
    :class:`~skhpo.HyperbandSearchCV` are trained by as many ``partial_fit``
    calls (the steps of a Pipeline before the last fitted once), not by
    ``fit``. With ``resource="n_samples"`` they train on the whole training
    part of each split, as ``refit`` does. The members of a
    :class:`~skhpo.PBTSearchCV` are trained by replaying their schedules
    (read from ``cv_results_``; the best's is ``best_schedule_``), step by
    step as the search trained them; one that stopped before the others
    (a search ended by ``max_time``) goes on with its last hyperparameters.

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
        How many of the best candidates (by their mean test score) to
        re-evaluate; of a multi-fidelity search, by the largest resource
        each reached first, then by its score there (as above).
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
        first: ``params`` (as trained again: with an estimator parameter as
        the resource of a Hyperband or halving search, its value is the
        largest resource; a PBT member's last hyperparameters), ``search_score``
        (its mean in the search), ``n_resources`` (of a multi-fidelity
        search: the resource of that row, the largest the candidate
        finished at),
        ``mean``, ``std`` (over every split of every repetition),
        ``seed_means`` (one mean per repetition), ``diff`` (its mean minus
        the best's), ``t_corrected`` and ``p_corrected`` against the best
        (one-sided: the best is better) and ``worse`` (``p < alpha``).
        ``attrs``: ``best`` (the row), ``best_params``, ``scores`` (the
        array of shape ``(n_candidates, seeds, n_splits)``), ``seeds``,
        ``varied`` (the estimator's seeded parameters),
        ``test_train_ratio`` (the t-test's correction: mean test over train
        size), ``n_resources`` (the resource every candidate was trained at
        again: epochs or the estimator parameter's value; None for a search
        of one fidelity or by ``n_samples``), and ``best_estimator`` with
        ``refit``.

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
    finished = read_finished(search, who=who, need_for=None)  # its metric
    rows, level = _finalists(results, fitted, finished.metric, top, who)
    parameter, epochs, schedules = _training(fitted, results, rows, level)
    candidates = [dict(results["params"][row]) for row in rows]
    if parameter is not None:  # every finalist trained as the best was
        candidates = [{**c, parameter: level} for c in candidates]
    wrapped = epochs is not None or schedules is not None
    trained_at = level if parameter is not None or wrapped else None
    estimator = fitted.estimator
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
    if wrapped:
        scoring = _OnTrainedModel(check_scoring(estimator, scoring=scoring))
        classes = np.unique(y) if is_classifier(estimator) and y is not None else None

    def trained_as_in_the_search(i, model):
        if schedules is not None:
            resource, step = fitted.resource, fitted.step_resource
            return ScheduleEstimator(model, schedules[i], resource, step, classes)
        if epochs is not None:
            return EpochsEstimator(model, epochs, classes)
        return model

    scores = []
    for i, candidate in enumerate(candidates):
        per_seed = []
        for seed in drawn:
            model = clone(estimator).set_params(**clone(candidate, safe=False))
            model.set_params(**dict.fromkeys(varied, seed))
            model = trained_as_in_the_search(i, model)
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
    search_scores = np.asarray(results[f"mean_test_{finished.metric}"], dtype=float)
    for i, candidate in enumerate(candidates):
        diff = flat[best] - flat[i]
        _, _, t, p, _, _ = _paired_tests(diff, ratio, "greater")
        resource = {} if level is None else {"n_resources": _level_of(results, rows[i])}
        table.append(
            {
                "params": candidate,
                "search_score": float(search_scores[rows[i]]),
                **resource,
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
        n_resources=trained_at,
    )
    if refit:
        model = clone(estimator).set_params(**clone(candidates[best], safe=False))
        model = trained_as_in_the_search(best, model)
        if y is None:
            model.fit(X, **params)
        else:
            model.fit(X, y, **params)
        report.attrs["best_estimator"] = model.estimator_ if wrapped else model
    return report


class _OnTrainedModel:
    """A scorer of the model that an :class:`EpochsEstimator` trained, so
    that the scorer sees what it sees in the search."""

    def __init__(self, scorer):
        self.scorer = scorer

    def __call__(self, estimator, X, y=None, **kwargs):
        return self.scorer(estimator.estimator_, X, y, **kwargs)


def _finalists(results, fitted, metric, top, who):
    """The rows of the ``top`` best candidates, and the largest resource
    among them (None for a search of one fidelity).

    The candidates of a multi-fidelity search are ranked as the search
    chooses its best: by the largest resource first (then, in scikit-learn's
    halving, the last iteration), then by score. A candidate counts once, by
    its row at the largest resource it reached (its ``candidate`` or PBT's
    ``member``, else its parameters without the resource's); one that
    failed there is not a finalist.
    """
    means = np.asarray(results[f"mean_test_{metric}"], dtype=float)
    finite = np.isfinite(means)
    if "n_resources" not in results:
        order = np.flatnonzero(finite)
        order = order[np.argsort(-means[order], kind="stable")]
        return [int(row) for row in order[:top]], None
    keys, by_params = _candidate_keys(results, getattr(fitted, "resource", None))
    stages = [-np.asarray(results["n_resources"], dtype=float)]
    if by_params and "iter" in results:  # iterations may share a resource
        stages.append(-np.asarray(results["iter"], dtype=float))
    order = np.lexsort((-means, *reversed(stages)))  # NaN last within a stage
    rows, seen = [], set()
    for row in order:
        if keys[row] in seen:
            continue
        seen.add(keys[row])
        if finite[row]:
            rows.append(int(row))
            if len(rows) == top:
                break
    if not rows:
        raise ValueError(
            f"{who}: every candidate failed at the largest resource it reached; "
            "there is nothing to re-evaluate"
        )
    return rows, _level_of(results, rows[0])


def _level_of(results, row):
    return to_python(np.asarray(results["n_resources"])[row])


def _candidate_keys(results, resource):
    """One key per row, the same for the rows of one candidate, and whether
    the keys are the parameters (no column numbers the candidates)."""
    for column in ("candidate", "member"):
        if column in results:
            return [to_python(v) for v in np.asarray(results[column])], False
    keys = [
        tuple(sorted((name, repr(v)) for name, v in p.items() if name != resource))
        for p in results["params"]
    ]
    return keys, True


def _training(fitted, results, rows, level):
    """How the finalists are trained at ``level``: ``(parameter, epochs,
    schedules)``, the estimator parameter that is the resource, the number
    of ``partial_fit`` epochs and the PBT schedules of the rows (each None
    where it does not apply; all None: by ``fit``)."""
    from ..search.hyperband import HyperbandSearchCV
    from ..search.pbt import PBTSearchCV, schedule_of

    resource = getattr(fitted, "resource", None)
    if level is None or not isinstance(resource, str) or resource == "n_samples":
        return None, None, None
    if isinstance(fitted, PBTSearchCV):
        # a member stopped before the last step goes on as it ended
        n_steps = int(level) // fitted.step_resource
        schedules = [schedule_of(results, row)[0] for row in rows]
        return None, None, [s + s[-1:] * (n_steps - len(s)) for s in schedules]
    if resource == "partial_fit":
        if isinstance(fitted, HyperbandSearchCV):
            return None, int(level), None
        return None, None, None
    return resource, None, None


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
