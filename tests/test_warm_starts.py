"""Warm starts: ``initial_params`` evaluated first by every search."""

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import SGDClassifier
from sklearn.svm import SVC

from skhpo import BayesSearchCV, HyperbandSearchCV, PBTSearchCV
from skhpo.space import Real

X, Y = load_iris(return_X_y=True)
SPACE = {"C": Real(1e-2, 1e2, "log-uniform"), "kernel": ["rbf", "linear"]}


def test_bayes_evaluates_the_initial_params_first():
    given = [{"C": 3.0, "kernel": "linear"}, {"C": 0.5}]
    search = BayesSearchCV(
        SVC(), SPACE, n_iter=6, cv=3, random_state=0, initial_params=given
    ).fit(X, Y)
    params = search.cv_results_["params"]
    assert params[0] == {"C": 3.0, "kernel": "linear"}
    assert params[1] == {"C": 0.5, "kernel": "rbf"}  # the estimator's kernel
    assert list(search.cv_results_["proposed_by"][:3]) == [
        "initial_params",
        "initial_params",
        "initial",
    ]
    assert len(params) == 6


def test_current_values_are_a_baseline():
    search = BayesSearchCV(
        SVC(C=2.0), SPACE, n_iter=4, cv=3, random_state=0, initial_params="current"
    ).fit(X, Y)
    assert search.cv_results_["params"][0] == {"C": 2.0, "kernel": "rbf"}


def test_hyperband_and_pbt_start_with_the_initial_params():
    space = {"alpha": Real(1e-5, 1e-1, "log-uniform")}
    sgd = SGDClassifier(random_state=0)
    hyperband = HyperbandSearchCV(
        sgd,
        space,
        resource="partial_fit",
        max_resources=9,
        cv=2,
        random_state=0,
        initial_params=[{"alpha": 0.01}],
    ).fit(X, Y)
    first = hyperband.cv_results_["params"][0]
    assert first == {"alpha": 0.01}
    assert hyperband.cv_results_["proposed_by"][0] == "initial_params"
    pbt = PBTSearchCV(
        sgd,
        space,
        population_size=3,
        n_steps=2,
        cv=2,
        random_state=0,
        initial_params=[{"alpha": 0.01}, {"alpha": 0.001}],
    ).fit(X, Y)
    members = pbt.cv_results_["member"]
    steps = pbt.cv_results_["step"]
    start = {
        m: p for m, s, p in zip(members, steps, pbt.cv_results_["params"]) if s == 0
    }
    assert start[0] == {"alpha": 0.01} and start[1] == {"alpha": 0.001}


@pytest.mark.parametrize(
    "given, match",
    [
        ([{"gamma": 1.0}], r"initial_params\[0\].*'gamma' not searched"),
        ([{"C": 1e3}], r"initial_params\[0\].*C=1000.0 is outside Real"),
        ({"kernel": "poly"}, r"kernel='poly' is outside"),
        ("defaults", "must be 'current'"),
        ([3], r"initial_params\[0\] must be a dict"),
    ],
)
def test_initial_params_outside_the_space_are_refused_before_any_fit(given, match):
    search = BayesSearchCV(
        _NeverFits(), SPACE, n_iter=4, cv=3, random_state=0, initial_params=given
    )
    with pytest.raises((ValueError, TypeError), match=match):
        search.fit(X, Y)


def test_the_current_value_outside_the_space_is_named():
    search = BayesSearchCV(SVC(C=1e4), SPACE, n_iter=4, cv=3, initial_params="current")
    with pytest.raises(ValueError, match=r"C=10000.0 is outside .*current value"):
        search.fit(X, Y)


class _NeverFits(SVC):
    def fit(self, X, y):  # pragma: no cover - must not run
        raise AssertionError("fitted before the check")


def test_model_sampler_counts_initial_params_among_its_draws():
    search = HyperbandSearchCV(
        SGDClassifier(random_state=0),
        {"alpha": Real(1e-5, 1e-1, "log-uniform")},
        resource="partial_fit",
        max_resources=9,
        sampler="model",
        cv=2,
        random_state=0,
        initial_params=[{"alpha": 1e-3}, {"alpha": 1e-2}],
    ).fit(X, Y)
    sources = list(search.cv_results_["proposed_by"])
    assert sources.count("initial_params") >= 2
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))


def test_prior_results_inform_the_model_without_being_evaluated():
    first = BayesSearchCV(SVC(), SPACE, n_iter=8, cv=3, random_state=0).fit(X, Y)
    narrow = {"C": Real(1e-1, 1e2, "log-uniform"), "kernel": ["rbf", "linear"]}
    inside = sum(p["C"] >= 1e-1 for p in first.cv_results_["params"])
    second = BayesSearchCV(
        SVC(), narrow, n_iter=4, cv=3, random_state=1, prior_results=first
    )
    second.fit(X, Y)
    assert len(second._prior) == inside
    assert len(second.cv_results_["params"]) == 4
    for p in second.cv_results_["params"]:  # never one of the earlier ones
        assert p not in list(first.cv_results_["params"])
    # a design of max(4, 2) points minus the priors: the model from the start
    assert "initial" not in list(second.cv_results_["proposed_by"])


def test_prior_results_from_cv_results_or_a_storage(tmp_path):
    path = str(tmp_path / "first.sqlite")
    first = BayesSearchCV(
        SVC(), SPACE, n_iter=5, cv=3, random_state=0, storage=path
    ).fit(X, Y)
    for prior in (first.cv_results_, path):
        search = BayesSearchCV(
            SVC(), SPACE, n_iter=3, cv=3, random_state=1, prior_results=prior
        ).fit(X, Y)
        assert len(search._prior) == 5


def test_prior_results_of_another_metric_are_refused():
    first = BayesSearchCV(SVC(), SPACE, n_iter=3, cv=3, random_state=0).fit(X, Y)
    search = BayesSearchCV(
        SVC(),
        SPACE,
        n_iter=3,
        cv=3,
        scoring=["accuracy", "f1_macro"],
        refit="accuracy",
        prior_results=first,
    )
    with pytest.raises(ValueError, match="'mean_test_accuracy'"):
        search.fit(X, Y)


def test_a_cloned_search_as_prior_results_asks_for_its_cv_results():
    from sklearn.base import clone

    first = BayesSearchCV(SVC(), SPACE, n_iter=3, cv=3, random_state=0).fit(X, Y)
    search = BayesSearchCV(SVC(), SPACE, n_iter=3, cv=3, prior_results=first)
    with pytest.raises(TypeError, match="Pass its cv_results_ instead"):
        clone(search).fit(X, Y)
