"""BayesSearchCV against oracles: scikit-learn's own searches, test doubles with
known scores, failures and interrupts, and an analytic objective."""

import pickle
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.stats import loguniform, randint, uniform
from sklearn.base import clone, is_classifier
from sklearn.datasets import load_iris, make_classification
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    GridSearchCV,
    GroupKFold,
    KFold,
    RandomizedSearchCV,
    StratifiedKFold,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from skhpo import BayesSearchCV
from skhpo.space import Categorical, Integer, Real
from skhpo.utils._testing import (
    AnalyticRegressor,
    FailingClassifier,
    InterruptingClassifier,
    NaNScoringClassifier,
    is_run_detail,
)

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
X_TOY = np.zeros((20, 2))
Y_TOY = np.array([0, 1] * 10)
EXTRA_COLUMNS = ["batch", "propose_time", "proposed_by"]


def _strip_times(results):
    return {k: v for k, v in results.items() if not is_run_detail(k) and k != "params"}


def _timing_columns(n_splits):
    """The columns of when and where each fold ran, after scikit-learn's."""
    per_fold = ("start_time", "end_time", "worker", "status")
    return [f"split{k}_{c}" for k in range(n_splits) for c in per_fold] + [
        "start_time",
        "end_time",
    ]


def _assert_results_equal(a, b):
    a, b = _strip_times(a), _strip_times(b)
    assert list(a) == list(b)
    for key in a:
        if isinstance(a[key], np.ma.MaskedArray):
            assert (a[key].mask == b[key].mask).all(), key
            assert list(a[key].compressed()) == list(b[key].compressed()), key
        else:
            np.testing.assert_array_equal(a[key], b[key], err_msg=key)


# --------------------------------------------------------------------- oracles
def test_finite_space_matches_grid_search():
    grid = {"C": [0.01, 0.1, 1.0, 10.0], "kernel": ["linear", "rbf"]}
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    ours = BayesSearchCV(SVC(), grid, n_iter=8, cv=cv, random_state=0).fit(
        X_IRIS, Y_IRIS
    )
    theirs = GridSearchCV(SVC(), grid, cv=cv).fit(X_IRIS, Y_IRIS)
    assert ours.cv_results_["params"] == theirs.cv_results_["params"]
    for key, value in theirs.cv_results_.items():
        if "time" in key or key == "params":
            continue
        if isinstance(value, np.ma.MaskedArray):
            assert list(ours.cv_results_[key]) == list(value), key
        else:
            np.testing.assert_array_equal(ours.cv_results_[key], value, err_msg=key)
    assert ours.best_params_ == theirs.best_params_
    assert ours.best_score_ == theirs.best_score_
    # every key scikit-learn has, in the same order, after our extra columns
    assert list(ours.cv_results_) == (
        EXTRA_COLUMNS + list(theirs.cv_results_) + _timing_columns(3)
    )
    assert set(ours.cv_results_["proposed_by"]) == {"grid"}


def test_drop_in_for_randomized_search_in_a_pipeline():
    X, y = make_classification(n_samples=150, n_features=6, random_state=0)
    pipe = make_pipeline(StandardScaler(), SVC())
    space = {"svc__C": loguniform(1e-2, 1e2), "svc__gamma": loguniform(1e-3, 1e0)}
    kwargs = dict(n_iter=12, cv=3, random_state=0, return_train_score=True)
    searches = [
        cls(pipe, space, **kwargs).fit(X, y)
        for cls in (RandomizedSearchCV, BayesSearchCV)
    ]
    theirs, ours = searches
    assert is_classifier(ours)
    for name in (
        "best_params_",
        "best_score_",
        "best_index_",
        "best_estimator_",
        "refit_time_",
        "n_splits_",
        "scorer_",
        "multimetric_",
        "classes_",
    ):
        assert hasattr(ours, name), name
    assert list(ours.cv_results_)[len(EXTRA_COLUMNS) :] == (
        list(theirs.cv_results_) + _timing_columns(ours.n_splits_)
    )
    df = pd.DataFrame(ours.cv_results_)
    assert df.shape[0] == 12
    assert df["rank_test_score"].dtype == np.int32
    assert ours.predict(X).shape == (150,)
    assert ours.predict_proba is not None if hasattr(ours, "predict_proba") else True
    assert ours.score(X, y) == pytest.approx(ours.best_estimator_.score(X, y))


@pytest.mark.parametrize("n_jobs", [2])
def test_same_results_whatever_n_jobs(n_jobs):
    space = {
        "C": Real(1e-3, 1e3, prior="log-uniform"),
        "gamma": loguniform(1e-4, 1e0),
        "kernel": ["rbf", "sigmoid"],
    }
    kwargs = dict(n_iter=10, cv=3, random_state=3, n_initial_points=4, batch_size=2)
    one = BayesSearchCV(SVC(), space, n_jobs=1, **kwargs).fit(X_IRIS, Y_IRIS)
    many = BayesSearchCV(SVC(), space, n_jobs=n_jobs, **kwargs).fit(X_IRIS, Y_IRIS)
    _assert_results_equal(one.cv_results_, many.cv_results_)
    assert one.cv_results_["params"] == many.cv_results_["params"]
    assert list(one.cv_results_["proposed_by"]).count("model") == 6


def test_default_batch_size_is_one_with_one_worker_and_keeps_workers_busy_else():
    space = {"x1": Real(-5, 10), "x2": Real(0, 15)}
    kwargs = dict(n_iter=8, cv=2, n_initial_points=2, random_state=0)

    def fit(**more):
        search = BayesSearchCV(AnalyticRegressor(), space, **kwargs, **more)
        return search.fit(X_TOY, Y_TOY).cv_results_

    alone = fit()
    # one worker: each candidate is proposed from every result before it
    np.testing.assert_array_equal(alone["batch"], np.arange(8))
    assert list(alone["proposed_by"]) == ["initial"] * 2 + ["model"] * 6
    assert alone["params"] == fit(batch_size=1)["params"]
    assert alone["params"] != fit(batch_size=2)["params"]
    # two workers, two folds: ceil(3 * 2 / 2) = 3 candidates in flight
    busy = fit(n_jobs=2)
    np.testing.assert_array_equal(busy["batch"], np.arange(8) // 3)
    assert busy["params"] == fit(batch_size=3)["params"]


def test_same_random_state_same_results_and_different_seeds_differ():
    space = {"x1": Real(-5, 10), "x2": Real(0, 15)}
    kwargs = dict(n_iter=8, cv=2, n_initial_points=4)
    a = BayesSearchCV(AnalyticRegressor(), space, random_state=1, **kwargs).fit(
        X_TOY, Y_TOY
    )
    b = BayesSearchCV(AnalyticRegressor(), space, random_state=1, **kwargs).fit(
        X_TOY, Y_TOY
    )
    c = BayesSearchCV(AnalyticRegressor(), space, random_state=2, **kwargs).fit(
        X_TOY, Y_TOY
    )
    assert a.cv_results_["params"] == b.cv_results_["params"]
    assert a.cv_results_["params"] != c.cv_results_["params"]


def test_finds_branin_optimum_better_than_random_search():
    space = {"x1": Real(-5, 10), "x2": Real(0, 15)}
    ours, theirs = [], []
    for seed in range(3):
        kwargs = dict(n_iter=25, cv=2, random_state=seed)
        ours.append(
            BayesSearchCV(AnalyticRegressor(), space, **kwargs)
            .fit(X_TOY, Y_TOY)
            .best_score_
        )
        theirs.append(
            RandomizedSearchCV(
                AnalyticRegressor(),
                {"x1": uniform(-5, 15), "x2": uniform(0, 15)},
                **kwargs,
            )
            .fit(X_TOY, Y_TOY)
            .best_score_
        )
    # Branin's minimum is 0.397887, so the best score is -0.397887
    assert np.median(ours) > -1.0
    assert np.mean(ours) > np.mean(theirs)


def test_mixed_space_integers_on_lattice_and_plain_python_values():
    space = {
        "x1": Real(-5, 10),
        "x2": uniform(0, 15),
        "n": Integer(0, 8),
        "kind": Categorical(["good", "bad"]),
    }
    # expected improvement alone: on this smooth function the default ensemble
    # explores more (median best of 10 seeds -1.38 against EI's -0.69)
    search = BayesSearchCV(
        AnalyticRegressor(), space, n_iter=25, cv=2, random_state=0, acq_func="EI"
    ).fit(X_TOY, Y_TOY)
    for params in search.cv_results_["params"]:
        assert type(params["x1"]) is float and -5 <= params["x1"] <= 10
        assert type(params["x2"]) is float
        assert type(params["n"]) is int and 0 <= params["n"] <= 8
        assert params["kind"] in ("good", "bad") and type(params["kind"]) is str
    assert search.best_params_["kind"] == "good"
    assert search.best_params_["n"] in (2, 3, 4)
    # the optimum is -0.398 (Branin, n=3); RandomizedSearchCV with the same budget
    # reaches a median of -3.9 over 20 seeds
    assert search.best_score_ > -1.5


def test_conditional_subspaces_are_masked_like_sklearn():
    space = [
        {
            "kernel": ["rbf"],
            "C": Real(1e-2, 1e2, "log-uniform"),
            "gamma": loguniform(1e-3, 1e0),
        },
        {
            "kernel": ["poly"],
            "C": Real(1e-2, 1e2, "log-uniform"),
            "degree": randint(2, 4),
        },
    ]
    search = BayesSearchCV(SVC(), space, n_iter=12, cv=3, random_state=0).fit(
        X_IRIS, Y_IRIS
    )
    results = search.cv_results_
    for i, params in enumerate(results["params"]):
        assert results["param_gamma"].mask[i] == ("gamma" not in params)
        assert results["param_degree"].mask[i] == ("degree" not in params)
        if params["kernel"] == "poly":
            assert type(params["degree"]) is int and params["degree"] in (2, 3)
    kernels = {p["kernel"] for p in results["params"]}
    assert kernels == {"rbf", "poly"}


# ------------------------------------------------------------------- failures
def test_failing_candidate_gets_error_score_and_one_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search = BayesSearchCV(
            FailingClassifier(fail_on=(1,)), {"parameter": [0, 1, 2, 3]}, n_iter=4, cv=3
        ).fit(X_TOY, Y_TOY)
    fit_failed = [w for w in caught if issubclass(w.category, FitFailedWarning)]
    assert len(fit_failed) == 1
    assert "3 fits failed out of a total of 12" in str(fit_failed[0].message)
    params = [p["parameter"] for p in search.cv_results_["params"]]
    failed = params.index(1)
    assert np.isnan(search.cv_results_["mean_test_score"][failed])
    assert search.cv_results_["rank_test_score"][failed] == 4
    assert search.best_params_ == {"parameter": 3}


def test_error_score_raise_raises_the_original_error():
    with pytest.raises(ValueError, match="Failing classifier failed as required"):
        BayesSearchCV(
            FailingClassifier(fail_on=(1,)),
            {"parameter": [0, 1, 2]},
            n_iter=3,
            cv=2,
            error_score="raise",
        ).fit(X_TOY, Y_TOY)


def test_every_candidate_failing_raises_naming_the_first_error():
    with pytest.raises(ValueError, match=r"All the 6 fits failed(.|\n)*parameter=0"):
        BayesSearchCV(
            FailingClassifier(fail_on=(0, 1, 2)),
            {"parameter": [0, 1, 2]},
            n_iter=3,
            cv=2,
        ).fit(X_TOY, Y_TOY)


def test_model_based_search_goes_on_after_failures():
    # a failing region must not stop the search, nor reach the model as NaN
    space = {"parameter": Integer(0, 40)}
    with pytest.warns(FitFailedWarning):
        search = BayesSearchCV(
            FailingClassifier(fail_on=tuple(range(0, 41, 2))),
            space,
            n_iter=15,
            cv=2,
            n_initial_points=5,
            random_state=0,
        ).fit(X_TOY, Y_TOY)
    assert len(search.cv_results_["params"]) == 15
    assert search.best_params_["parameter"] % 2 == 1


def test_nan_and_inf_scores_are_failures():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search = BayesSearchCV(
            NaNScoringClassifier(nan_on=(1,), inf_on=(2,)),
            {"parameter": [0, 1, 2]},
            n_iter=3,
            cv=2,
        ).fit(X_TOY, Y_TOY)
    non_finite = [w for w in caught if "non-finite" in str(w.message)]
    assert len(non_finite) == 1
    assert search.best_params_ == {"parameter": 0}
    np.testing.assert_array_equal(search.cv_results_["rank_test_score"], [1, 2, 2])


def test_interrupt_keeps_finished_candidates():
    search = BayesSearchCV(
        InterruptingClassifier(interrupt_on=3),
        {"parameter": [0, 1, 2, 3, 4]},
        n_iter=5,
        cv=2,
    )
    with pytest.raises(KeyboardInterrupt):
        search.fit(X_TOY, Y_TOY)
    assert [p["parameter"] for p in search.cv_results_["params"]] == [0, 1, 2]
    assert search.best_params_ == {"parameter": 2}
    assert not hasattr(search, "best_estimator_")


# ------------------------------------------------------------- bad input
BAD_INPUTS = [
    ({"param_distributions": []}, "param_distributions must not be empty"),
    # scikit-optimize's ranges: refused, naming the dimension to write
    ({"param_distributions": {"C": (1, 32)}}, re.escape("C']: (1, 32) is a range")),
    (
        {"param_distributions": {"C": (1e-3, 1e3, "log-uniform")}},
        re.escape("Write Real(0.001, 1000.0, prior='log-uniform')"),
    ),
    ({"param_distributions": {"C": Real(1.0, 1.0)}}, r"C.*low"),
    ({"param_distributions": {"C": Real(0.0, 1.0, prior="log-uniform")}}, r"C.*low"),
    ({"param_distributions": {"C": []}}, r"C.*empty"),
    ({"param_distributions": {"C": Categorical([])}}, r"C.*empty"),
    ({"param_distributions": {"not_a_param": [1, 2]}}, "not_a_param"),
    ({"param_distributions": {"svc__C": [1, 2]}}, "svc__C"),
    ({"n_iter": 0}, "n_iter"),
    ({"acq_func": "XX"}, "acq_func"),
    ({"scoring": "not_a_scorer"}, "scoring"),
    ({"scoring": ["accuracy", "not_a_scorer"]}, "not_a_scorer"),
    ({"scoring": ["accuracy", "f1_macro"], "refit": "roc"}, "refit"),
    (
        {
            "scoring": ["accuracy", "f1_macro"],
            "refit": False,
            "param_distributions": {"C": Real(0.1, 10.0)},
        },
        "objective",
    ),
    ({"scoring": ["accuracy", "f1_macro"], "objective": "auc"}, "objective"),
]


@pytest.mark.parametrize("kwargs, message", BAD_INPUTS)
def test_bad_input_raises_before_any_fit(kwargs, message):
    kwargs = {"param_distributions": {"C": [1.0, 2.0]}, **kwargs}
    search = BayesSearchCV(InterruptingSVC(), cv=2, **kwargs)
    with pytest.raises((ValueError, TypeError), match=message):
        search.fit(X_TOY, Y_TOY)


class InterruptingSVC(SVC):
    """An SVC whose ``fit`` interrupts: proves that validation comes first."""

    def fit(self, X, y=None, sample_weight=None):
        raise KeyboardInterrupt


# ---------------------------------------------------------------- contract
def test_multimetric_refit_callable_and_objective():
    scoring = {"acc": "accuracy", "f1": "f1_macro"}
    search = BayesSearchCV(
        LogisticRegression(max_iter=500),
        {"C": Real(1e-3, 1e2, "log-uniform")},
        scoring=scoring,
        refit="f1",
        n_iter=7,
        cv=3,
        random_state=0,
    ).fit(X_IRIS, Y_IRIS)
    assert search.best_index_ == int(np.argmin(search.cv_results_["rank_test_f1"]))
    assert search.best_score_ == search.cv_results_["mean_test_f1"][search.best_index_]

    def lowest_c(results):
        return int(np.argmin(results["param_C"]))

    search = BayesSearchCV(
        LogisticRegression(max_iter=500),
        {"C": Real(1e-3, 1e2, "log-uniform")},
        scoring=scoring,
        refit=lowest_c,
        objective="acc",
        n_iter=7,
        cv=3,
        random_state=0,
    ).fit(X_IRIS, Y_IRIS)
    assert search.best_params_["C"] == min(p["C"] for p in search.cv_results_["params"])
    assert not hasattr(search, "best_score_")
    assert hasattr(search, "best_estimator_")


def test_groups_reach_the_splitter_like_grid_search():
    X, y = make_classification(n_samples=60, random_state=0)
    groups = np.repeat(np.arange(6), 10)
    grid = {"max_depth": [1, 2, 3]}
    ours = BayesSearchCV(
        DecisionTreeClassifier(random_state=0), grid, n_iter=3, cv=GroupKFold(3)
    )
    theirs = GridSearchCV(
        DecisionTreeClassifier(random_state=0), grid, cv=GroupKFold(3)
    )
    ours.fit(X, y, groups=groups)
    theirs.fit(X, y, groups=groups)
    np.testing.assert_array_equal(
        ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"]
    )


def test_splits_are_computed_once_per_fit():
    class CountingKFold(KFold):
        calls = 0

        def split(self, X, y=None, groups=None):
            type(self).calls += 1
            return super().split(X, y, groups)

    BayesSearchCV(
        AnalyticRegressor(),
        {"x1": Real(-5, 10), "x2": Real(0, 15)},
        n_iter=6,
        n_initial_points=2,
        cv=CountingKFold(2, shuffle=True),
        random_state=0,
    ).fit(X_TOY, Y_TOY)
    assert CountingKFold.calls == 1


def test_extra_columns_and_verbose(capsys):
    search = BayesSearchCV(
        AnalyticRegressor(),
        {"x1": Real(-5, 10), "x2": Real(0, 15)},
        n_iter=6,
        n_initial_points=3,
        batch_size=2,
        cv=2,
        random_state=0,
        verbose=1,
    ).fit(X_TOY, Y_TOY)
    results = search.cv_results_
    np.testing.assert_array_equal(results["batch"], [0, 0, 1, 1, 2, 2])
    assert list(results["proposed_by"]) == ["initial"] * 3 + ["model"] * 3
    assert (results["propose_time"] >= 0).all()
    lines = [ln for ln in capsys.readouterr().out.splitlines() if "BayesSearchCV" in ln]
    assert len(lines) == 4  # batches 0, 1 and 2 once scored, and the end
    assert lines[0].startswith("[BayesSearchCV] batch 0: 2 candidates scored")
    assert re.search(r"best score=-?\d", lines[-1])


def test_pickle_and_clone_round_trip():
    search = BayesSearchCV(
        SVC(), {"C": Real(1e-2, 1e2, "log-uniform")}, n_iter=5, cv=2, random_state=0
    ).fit(X_IRIS, Y_IRIS)
    restored = pickle.loads(pickle.dumps(search))
    np.testing.assert_array_equal(restored.predict(X_IRIS), search.predict(X_IRIS))
    cloned = clone(search)
    assert cloned.get_params()["param_distributions"] == search.param_distributions
    assert not hasattr(cloned, "cv_results_")


# ------------------------------------------------------ drop-in defaults
def test_n_iter_default_is_randomized_search_s_and_leaves_room_for_the_model():
    space = {"C": loguniform(1e-2, 1e2), "gamma": loguniform(1e-3, 1e0)}
    ours = BayesSearchCV(SVC(), space, cv=3, random_state=0)
    assert ours.n_iter == RandomizedSearchCV(SVC(), space).n_iter == 10
    ours.fit(X_IRIS, Y_IRIS)
    # the same number of fits as RandomizedSearchCV, most proposed by the model
    assert len(ours.cv_results_["params"]) == 10
    assert list(ours.cv_results_["proposed_by"]) == ["initial"] * 4 + ["model"] * 6


# ---------------------------------------------------------- empty space
def test_empty_space_evaluates_the_estimator_once_as_randomized_search():
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    searches = []
    for cls in (RandomizedSearchCV, BayesSearchCV):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            search = cls(SVC(C=0.5), {}, n_iter=3, cv=cv, random_state=0)
            search.fit(X_IRIS, Y_IRIS)
        searches.append((search, [str(w.message) for w in caught]))
    (theirs, their_warnings), (ours, our_warnings) = searches
    assert ours.cv_results_["params"] == theirs.cv_results_["params"] == [{}]
    assert ours.best_params_ == theirs.best_params_ == {}
    assert ours.best_score_ == theirs.best_score_
    assert ours.best_estimator_.C == 0.5
    assert (
        our_warnings
        == their_warnings
        == [
            "The total space of parameters 1 is smaller than n_iter=3. Running 1 "
            "iterations. For exhaustive searches, use GridSearchCV."
        ]
    )
    # beside other sub-spaces too
    space = [{}, {"C": [1.0, 2.0]}]
    theirs = RandomizedSearchCV(SVC(), space, n_iter=3, cv=cv).fit(X_IRIS, Y_IRIS)
    ours = BayesSearchCV(SVC(), space, n_iter=3, cv=cv).fit(X_IRIS, Y_IRIS)
    assert ours.cv_results_["params"] == theirs.cv_results_["params"]
    np.testing.assert_array_equal(
        ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"]
    )


# --------------------------------------------- scikit-optimize's habits
def test_skopt_dimensions_search_as_skhpo_dimensions():
    skopt_space = pytest.importorskip("skopt.space")
    kwargs = dict(n_iter=6, cv=3, random_state=0)
    theirs = {
        "C": skopt_space.Real(1e-2, 1e2, prior="log-uniform"),
        "degree": skopt_space.Integer(2, 4),
        "kernel": skopt_space.Categorical(["rbf", "poly"]),
    }
    ours = {
        "C": Real(1e-2, 1e2, prior="log-uniform"),
        "degree": Integer(2, 4),
        "kernel": Categorical(["rbf", "poly"]),
    }
    with_skopt = BayesSearchCV(SVC(), theirs, **kwargs).fit(X_IRIS, Y_IRIS)
    with_skhpo = BayesSearchCV(SVC(), ours, **kwargs).fit(X_IRIS, Y_IRIS)
    assert with_skopt.cv_results_["params"] == with_skhpo.cv_results_["params"]
    assert np.isfinite(with_skopt.cv_results_["mean_test_score"]).all()
    assert set(with_skopt.cv_results_["proposed_by"]) == {"initial", "model"}


# ------------------------------------------------------------- edge cases
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_batch_larger_than_initial_design(n_jobs):
    # candidate k only sees candidates 0 .. k - batch_size, even early on
    space = {"x1": Real(-5, 10), "x2": Real(0, 15)}
    kwargs = dict(n_iter=8, cv=2, n_initial_points=1, batch_size=4, random_state=0)
    one = BayesSearchCV(AnalyticRegressor(), space, n_jobs=1, **kwargs).fit(
        X_TOY, Y_TOY
    )
    other = BayesSearchCV(AnalyticRegressor(), space, n_jobs=n_jobs, **kwargs).fit(
        X_TOY, Y_TOY
    )
    assert one.cv_results_["params"] == other.cv_results_["params"]
    # candidates 1..4 have fewer than two finished results to model
    assert list(one.cv_results_["proposed_by"][:5]) == ["initial"] + ["random"] * 4


def test_failing_region_is_avoided_by_the_model():
    # every `parameter` above 100 fails: the model learns the region, not points
    space = {"parameter": Integer(0, 200)}
    with pytest.warns(FitFailedWarning):
        search = BayesSearchCV(
            FailingClassifier(fail_on=tuple(range(101, 201))),
            space,
            n_iter=25,
            cv=2,
            n_initial_points=6,
            random_state=0,
        ).fit(X_TOY, Y_TOY)
    results = search.cv_results_
    model = np.asarray(results["proposed_by"]) == "model"
    failed = np.isnan(results["mean_test_score"])
    assert failed[model].sum() <= 5
    assert search.best_params_["parameter"] == 100


def test_callable_multimetric_scoring_whose_first_fit_fails():
    def scoring(estimator, X, y):
        return {"a": estimator.score(X, y), "b": -estimator.score(X, y)}

    def search(fail_on):
        return BayesSearchCV(
            FailingClassifier(fail_on=fail_on),
            {"parameter": Integer(0, 30)},
            scoring=scoring,
            refit="a",
            n_iter=8,
            n_initial_points=3,
            cv=2,
            batch_size=2,
            random_state=0,
        )

    # the initial design does not depend on results: make its first point fail
    first = search(()).fit(X_TOY, Y_TOY).cv_results_["params"][0]["parameter"]
    with pytest.warns(FitFailedWarning):
        failing = search((first,)).fit(X_TOY, Y_TOY)
    results = failing.cv_results_
    assert results["params"][0]["parameter"] == first
    assert np.isnan(results["mean_test_a"][0])
    # candidate 3 sees one finite result only (batch_size 2): random; then model
    assert list(results["proposed_by"]) == ["initial"] * 3 + ["random"] + ["model"] * 4
    assert failing.best_params_["parameter"] != first


def test_callable_multimetric_scoring_with_an_unknown_objective():
    def scoring(estimator, X, y):
        return {"a": 1.0, "b": 2.0}

    search = BayesSearchCV(
        FailingClassifier(),
        {"parameter": Integer(0, 30)},
        scoring=scoring,
        refit="a",
        objective="c",
        n_iter=5,
        n_initial_points=2,
        cv=2,
    )
    with pytest.raises(ValueError, match="objective='c'"):
        search.fit(X_TOY, Y_TOY)


@pytest.mark.parametrize("acq_func_kwargs", [{"eta": 1}, {"xi": "big"}, {"kappa": -1}])
def test_acq_func_kwargs_checked_before_any_fit(acq_func_kwargs):
    search = BayesSearchCV(
        InterruptingSVC(), {"C": Real(0.1, 10)}, acq_func_kwargs=acq_func_kwargs
    )
    with pytest.raises(ValueError, match="acq_func_kwargs"):
        search.fit(X_TOY, Y_TOY)


def test_parameters_of_a_searched_step_are_accepted():
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    space = {
        "clf": [make_pipeline(StandardScaler(), SVC())],
        "clf__svc__C": Real(0.1, 10.0, "log-uniform"),
    }
    from sklearn.pipeline import Pipeline

    outer = Pipeline([("clf", pipe)])
    search = BayesSearchCV(outer, space, n_iter=4, cv=2, random_state=0).fit(
        X_IRIS, Y_IRIS
    )
    assert isinstance(search.best_estimator_.named_steps["clf"][-1], SVC)


def test_interrupted_refit_drops_the_earlier_model():
    search = BayesSearchCV(
        InterruptingClassifier(interrupt_on=3), {"parameter": [4, 5]}, n_iter=2, cv=2
    ).fit(X_TOY, Y_TOY)
    assert search.best_estimator_.parameter == 5
    search.set_params(param_distributions={"parameter": [1, 2, 3]}, n_iter=3)
    with pytest.raises(KeyboardInterrupt):
        search.fit(X_TOY, Y_TOY)
    assert search.best_params_ == {"parameter": 2}
    assert not hasattr(search, "best_estimator_")
    assert not hasattr(search, "refit_time_")


def test_verbose_with_a_callable_multimetric_scoring(capsys):
    def scoring(estimator, X, y):
        return {"a": estimator.score(X, y), "b": 1.0}

    BayesSearchCV(
        FailingClassifier(fail_on=()),
        {"parameter": Integer(0, 30)},
        scoring=scoring,
        refit="a",
        n_iter=6,
        n_initial_points=4,
        cv=2,
        verbose=1,
        random_state=0,
    ).fit(X_TOY, Y_TOY)
    assert "best a=" in capsys.readouterr().out
