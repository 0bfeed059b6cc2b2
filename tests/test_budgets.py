"""Time budgets: ``max_time`` for a whole search, ``fit_timeout`` per fit."""

import time

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_iris

from skhpo import BayesSearchCV, HyperbandSearchCV
from skhpo.space import Real

X, Y = load_iris(return_X_y=True)


class _Sleeps(ClassifierMixin, BaseEstimator):
    """Every fit sleeps ``duration``; ``a > hang_above`` sleeps 1,000 s."""

    def __init__(self, a=0.5, duration=0.2, hang_above=2.0):
        self.a = a
        self.duration = duration
        self.hang_above = hang_above

    def fit(self, X, y):
        time.sleep(1000 if self.a > self.hang_above else self.duration)
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y=None, sample_weight=None):
        return float(self.a)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_max_time_ends_the_search_as_a_fitted_one(n_jobs):
    search = BayesSearchCV(
        _Sleeps(duration=0.5),
        {"a": Real(0.0, 1.0)},
        n_iter=100,
        cv=2,
        n_jobs=n_jobs,
        random_state=0,
        max_time=2,
    )
    started = time.monotonic()
    with pytest.warns(UserWarning, match=r"max_time=2 s ended the search") as caught:
        search.fit(X, Y)
    elapsed = time.monotonic() - started
    # the warning points at the line calling fit, not inside scikit-learn's
    # wrapper of fit or skhpo
    ended = [w for w in caught if "ended the search" in str(w.message)]
    assert [w.filename for w in ended] == [__file__]
    # the budget, one round of fits, the refit, and starting the workers, with
    # a margin for a loaded machine: far below the 50 s or more that every
    # candidate would take
    assert elapsed < 20
    n = len(search.cv_results_["params"])
    assert 1 <= n < 100
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert hasattr(search, "best_estimator_")


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_fit_timeout_scores_a_hanging_fit_error_score(n_jobs):
    search = BayesSearchCV(
        _Sleeps(duration=0.05, hang_above=0.9),
        {"a": [0.1, 0.2, 0.95, 0.3, 0.4]},
        n_iter=5,
        cv=2,
        n_jobs=n_jobs,
        random_state=0,
        fit_timeout=1,
    )
    started = time.monotonic()
    with pytest.warns(UserWarning, match=r"\{'a': 0.95\} on fold 0 .*fit_timeout=1"):
        search.fit(X, Y)
    # it did not wait for the hanging fit (1,000 s); the margin covers starting
    # the workers and replacing the stopped one on a loaded machine (6.4 s
    # seen beside another test process)
    assert time.monotonic() - started < 60
    scores = dict(
        zip(
            (p["a"] for p in search.cv_results_["params"]),
            search.cv_results_["mean_test_score"],
        )
    )
    assert np.isnan(scores[0.95])
    assert all(np.isfinite(v) for a, v in scores.items() if a != 0.95)
    # stopped where it ran: marked timed out, on its worker, after the limit
    row = [p["a"] for p in search.cv_results_["params"]].index(0.95)
    assert search.cv_results_["split0_status"][row] == "timed_out"
    assert search.cv_results_["split0_worker"][row] is not None
    took = (
        search.cv_results_["split0_end_time"][row]
        - search.cv_results_["split0_start_time"][row]
    )
    assert 1 <= took < 1 + 1


def test_fit_timeout_gives_up_on_a_thread_it_cannot_stop():
    """Threads cannot be interrupted: the search scores the fit error_score
    once past the limit and does not wait for it."""
    search = BayesSearchCV(
        _Sleeps(duration=0.05, hang_above=0.9),
        {"a": [0.1, 0.95, 0.3]},
        n_iter=3,
        cv=2,
        n_jobs=2,
        random_state=0,
        fit_timeout=0.5,
    )
    started = time.monotonic()
    with parallel_config(backend="threading"):
        with pytest.warns(UserWarning, match=r"\{'a': 0.95\} on fold \d"):
            search.fit(X, Y)
    assert time.monotonic() - started < 0.5 + 1 + 3
    assert np.isnan(search.cv_results_["mean_test_score"][1])
    # given up on: timed out, and no worker's result came back
    statuses = {search.cv_results_[f"split{k}_status"][1] for k in range(2)}
    assert "timed_out" in statuses
    workers = [search.cv_results_[f"split{k}_worker"][1] for k in range(2)]
    assert None in workers


def test_max_time_keeps_a_multi_fidelity_search_whole():
    search = HyperbandSearchCV(
        _Sleeps(duration=0.2),
        {"a": Real(0.0, 1.0)},
        resource="n_samples",
        max_resources=150,
        min_resources=30,
        cv=2,
        random_state=0,
        max_time=1.5,
    )
    with pytest.warns(UserWarning, match="max_time=1.5 s ended the search"):
        search.fit(X, Y)
    assert 1 <= len(search.cv_results_["params"])
    assert search.best_params_ in search.cv_results_["params"]


@pytest.mark.parametrize("name, value", [("max_time", 0), ("fit_timeout", -1)])
def test_budgets_must_be_positive(name, value):
    search = BayesSearchCV(_Sleeps(), {"a": Real(0.0, 1.0)}, **{name: value})
    with pytest.raises(ValueError, match=name):
        search.fit(X, Y)


def test_max_time_before_anything_finished_says_so():
    search = BayesSearchCV(
        _Sleeps(duration=1.5), {"a": Real(0.0, 1.0)}, n_iter=5, cv=2, max_time=0.5
    )
    with pytest.raises(ValueError, match=r"max_time=0.5 s ended the search before"):
        search.fit(X, Y)
