"""NestedCV against scikit-learn's nested cross-validation by hand."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris, make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    GridSearchCV,
    GroupKFold,
    KFold,
    cross_val_score,
    cross_validate,
)
from sklearn.svm import SVC

from skhpo import BayesSearchCV, HyperbandSearchCV, NestedCV
from skhpo.space import Real
from skhpo.utils._testing import PropagatedRecorder

X_IRIS, Y_IRIS = load_iris(return_X_y=True)


def test_outer_scores_and_winners_equal_cross_validate():
    outer = KFold(4, shuffle=True, random_state=0)
    search = GridSearchCV(SVC(), {"C": [1, 10, 100], "gamma": [0.01, 0.1]}, cv=KFold(4))
    by_hand = cross_validate(search, X_IRIS, Y_IRIS, cv=outer, return_estimator=True)
    nested = NestedCV(search, cv=outer).fit(X_IRIS, Y_IRIS)
    np.testing.assert_array_equal(
        nested.cv_results_["test_score"], by_hand["test_score"]
    )
    assert nested.cv_results_["best_params"] == [
        est.best_params_ for est in by_hand["estimator"]
    ]
    np.testing.assert_array_equal(
        nested.cv_results_["best_score"],
        [est.best_score_ for est in by_hand["estimator"]],
    )
    assert nested.mean_score_ == pytest.approx(by_hand["test_score"].mean())


def test_reproduces_scikit_learns_nested_versus_non_nested_example():
    # examples/model_selection/plot_nested_cross_validation_iris.py
    grid = {"C": [1, 10, 100], "gamma": [0.01, 0.1]}
    optimism = []
    for i in range(30):
        inner = KFold(n_splits=4, shuffle=True, random_state=i)
        outer = KFold(n_splits=4, shuffle=True, random_state=i)
        search = GridSearchCV(SVC(kernel="rbf"), grid, cv=inner)
        nested = NestedCV(search, cv=outer).fit(X_IRIS, Y_IRIS)
        optimism.append(nested.optimism_)
    assert np.mean(optimism) == pytest.approx(0.007581, abs=5e-7)
    assert np.std(optimism) == pytest.approx(0.007833, abs=5e-7)


def test_group_kfold_inside_and_outside_without_routing():
    X, y = make_classification(n_samples=120, random_state=0)
    groups = np.arange(120) % 6
    search = GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=GroupKFold(3))
    # by hand, the groups never reach the inner search
    with pytest.raises(ValueError, match="groups"):
        cross_validate(
            search,
            X,
            y,
            cv=GroupKFold(3),
            params={"groups": groups},
            error_score="raise",
        )
    nested = NestedCV(search, cv=GroupKFold(3)).fit(X, y, groups=groups)
    assert np.isfinite(nested.cv_results_["test_score"]).all()
    # the same as by hand with metadata routing enabled, which routes groups
    # to the inner search
    import sklearn

    with sklearn.config_context(enable_metadata_routing=True):
        routed = cross_validate(
            search, X, y, cv=GroupKFold(3), params={"groups": groups}
        )
        nested_routed = NestedCV(search, cv=GroupKFold(3)).fit(X, y, groups=groups)
    np.testing.assert_array_equal(
        nested.cv_results_["test_score"], routed["test_score"]
    )
    np.testing.assert_array_equal(
        nested_routed.cv_results_["test_score"], routed["test_score"]
    )


def test_results_tables_and_stability():
    search = GridSearchCV(SVC(), {"C": [1, 10], "kernel": ["rbf", "linear"]}, cv=3)
    nested = NestedCV(search, cv=KFold(3, shuffle=True, random_state=0)).fit(
        X_IRIS, Y_IRIS
    )
    inner = nested.inner_cv_results_
    assert list(inner.columns)[0] == "outer_fold"
    assert len(inner) == 3 * 4
    stab = nested.stability_
    assert set(stab.index) == {"C", "kernel"}
    for name in stab.index:
        chosen = [p[name] for p in nested.cv_results_["best_params"]]
        assert stab.loc[name, "chosen"] == chosen
        top = max(set(map(repr, chosen)), key=[repr(c) for c in chosen].count)
        assert repr(stab.loc[name, "most_chosen"]) == top
        assert stab.loc[name, "share"] == [repr(c) for c in chosen].count(top) / 3
    # a usable model: the search refit on all the data
    assert nested.best_params_ == nested.search_.best_params_
    np.testing.assert_array_equal(
        nested.predict(X_IRIS), nested.search_.predict(X_IRIS)
    )
    assert nested.score(X_IRIS, Y_IRIS) == nested.search_.score(X_IRIS, Y_IRIS)
    assert nested.optimism_ == pytest.approx(
        nested.search_.best_score_ - nested.mean_score_
    )


def test_multimetric_outer_scoring_and_train_scores():
    search = GridSearchCV(SVC(), {"C": [1, 10]}, cv=3)
    nested = NestedCV(
        search, cv=3, scoring=["accuracy", "balanced_accuracy"], return_train_score=True
    ).fit(X_IRIS, Y_IRIS)
    for key in ("test_accuracy", "test_balanced_accuracy", "train_accuracy"):
        assert nested.cv_results_[key].shape == (3,)
    assert nested.mean_score_ == pytest.approx(
        nested.cv_results_["test_accuracy"].mean()
    )


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_skhpo_searches_inside_same_results_for_any_n_jobs(n_jobs):
    searches = [
        BayesSearchCV(
            SVC(),
            {"C": Real(0.1, 100, prior="log-uniform")},
            n_iter=6,
            cv=3,
            batch_size=2,  # its default depends on the number of workers
            random_state=0,
        ),
        HyperbandSearchCV(
            LogisticRegression(max_iter=500),
            {"C": Real(0.01, 100, prior="log-uniform")},
            min_resources=30,
            cv=3,
            random_state=0,
        ),
    ]
    for search in searches:
        reference = NestedCV(search, cv=3).fit(X_IRIS, Y_IRIS)
        other = NestedCV(search, cv=3, n_jobs=n_jobs).fit(X_IRIS, Y_IRIS)
        np.testing.assert_array_equal(
            reference.cv_results_["test_score"], other.cv_results_["test_score"]
        )
        assert reference.cv_results_["best_params"] == other.cv_results_["best_params"]


def test_outer_scores_are_less_optimistic_than_best_score():
    search = GridSearchCV(
        SVC(), {"C": [0.01, 0.1, 1, 10, 100], "gamma": [1e-3, 1e-2, 0.1, 1]}
    )
    nested = NestedCV(search, cv=KFold(5, shuffle=True, random_state=0)).fit(
        X_IRIS, Y_IRIS
    )
    expected = cross_val_score(
        search, X_IRIS, Y_IRIS, cv=KFold(5, shuffle=True, random_state=0)
    )
    np.testing.assert_array_equal(nested.cv_results_["test_score"], expected)


@pytest.mark.parametrize(
    "estimator, kw, error, match",
    [
        (SVC(), {}, TypeError, "wraps a hyperparameter search"),
        (
            GridSearchCV(SVC(), {"C": [1]}, refit=False),
            {},
            ValueError,
            "refit is False",
        ),
        (GridSearchCV(SVC(), {"C": [1]}), {"cv": 1}, ValueError, "'cv' parameter"),
    ],
)
def test_bad_input(estimator, kw, error, match):
    with pytest.raises(error, match=match):
        NestedCV(estimator, **kw).fit(X_IRIS, Y_IRIS)


def test_frame_of_cv_results():
    nested = NestedCV(GridSearchCV(SVC(), {"C": [1, 10]}, cv=3), cv=3).fit(
        X_IRIS, Y_IRIS
    )
    frame = pd.DataFrame(nested.cv_results_)
    assert list(frame.columns) == [
        "fit_time",
        "score_time",
        "test_score",
        "best_params",
        "best_score",
    ]


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_callbacks_see_the_outer_folds_around_the_inner_searches(n_jobs):
    pytest.importorskip("sklearn.callback")
    search = BayesSearchCV(
        SVC(), {"C": Real(0.1, 10.0)}, n_iter=3, cv=2, random_state=0
    )
    nested = NestedCV(search, cv=3, n_jobs=n_jobs)
    recorder = PropagatedRecorder()
    nested.set_callbacks(recorder)
    nested.fit(X_IRIS, Y_IRIS)
    for seen in (recorder.begun, recorder.ended):
        # each outer fold's task is its search's fit, and so is the refit's
        assert seen.count(("BayesSearchCV", "fit", "outer-fold")) == 3
        assert seen.count(("BayesSearchCV", "fit", "refit-on-all-data")) == 1
        if n_jobs == 1:  # (in worker processes, a copy of it sees them)
            # each inner search's folds: 3 candidates x 2 folds, 3 + 1 searches
            folds = ("BayesSearchCV", "candidate-split-evaluation", None)
            assert seen.count(folds) == 24
    assert recorder.begun[0] == ("NestedCV", "fit", None)
    assert recorder.ended[-1] == ("NestedCV", "fit", None)


def test_a_stop_asked_by_a_callback_ends_each_outer_folds_search():
    pytest.importorskip("sklearn.callback")
    search = BayesSearchCV(
        SVC(), {"C": Real(0.1, 10.0)}, n_iter=20, cv=2, random_state=0
    )
    nested = NestedCV(search, cv=3)
    # the last fit of each search's third candidate asks to stop
    nested.set_callbacks(PropagatedRecorder(stop_at=5))
    nested.fit(X_IRIS, Y_IRIS)
    sizes = nested.inner_cv_results_.groupby("outer_fold").size()
    assert sizes.tolist() == [3, 3, 3]
    assert len(nested.search_.cv_results_["params"]) == 3
    assert np.isfinite(nested.cv_results_["test_score"]).all()


def test_outer_folds_in_threads_leave_the_warning_filters_alone():
    import warnings

    search = BayesSearchCV(
        SVC(), {"C": Real(0.1, 10.0)}, n_iter=3, cv=2, random_state=0
    )
    for _ in range(3):
        NestedCV(search, cv=4, n_jobs=4).fit(X_IRIS, Y_IRIS)
    # no filter of skhpo's left behind (modules imported meanwhile may add
    # their own)
    assert not [
        f
        for f in warnings.filters
        if f[1] is not None and "support callbacks" in f[1].pattern
    ]


def test_a_search_with_its_own_progress_bar_inside():
    callback = pytest.importorskip("sklearn.callback")
    pytest.importorskip("rich")
    search = BayesSearchCV(
        SVC(), {"C": Real(0.1, 10.0)}, n_iter=3, cv=2, random_state=0
    )
    search.set_callbacks(callback.ProgressBar())
    nested = NestedCV(search, cv=3, refit=False).fit(X_IRIS, Y_IRIS)
    assert np.isfinite(nested.cv_results_["test_score"]).all()
    # given twice (to NestedCV, to pass down, and to the search): refused
    nested = NestedCV(search, cv=3)
    nested.set_callbacks(callback.ProgressBar())
    with pytest.raises(ValueError, match="set them on NestedCV only"):
        nested.fit(X_IRIS, Y_IRIS)
