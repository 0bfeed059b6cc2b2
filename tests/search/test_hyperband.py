"""HyperbandSearchCV: the planned schedule is what runs, models continue, and
the search contract holds (failures, determinism, refit, Pipelines, errors)."""

import warnings
from collections import Counter, defaultdict

import numpy as np
import pandas as pd
import pytest
from joblib import parallel_config
from scipy.stats import uniform
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.datasets import load_digits, load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import GroupKFold, KFold, check_cv, cross_val_score
from sklearn.neighbors import KernelDensity
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from skhpo import HyperbandSearchCV
from skhpo.space import Real
from skhpo.utils._testing import (
    EpochClassifier,
    FailingClassifier,
    GrowingEnsemble,
    InterruptingClassifier,
    RefitEnsemble,
    is_run_detail,
)

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
QUALITY = {"quality": uniform(0, 1)}


class CountingScaler(TransformerMixin, BaseEstimator):
    """Centres X; records the size of every ``fit`` in ``CountingScaler.fits``."""

    fits: list = []

    def fit(self, X, y=None):
        CountingScaler.fits.append(len(X))
        self.mean_ = X.mean(axis=0)
        return self

    def transform(self, X):
        return X - self.mean_


@pytest.fixture(autouse=True)
def _clear_records():
    EpochClassifier.calls.clear()
    GrowingEnsemble.log.clear()
    RefitEnsemble.log.clear()
    CountingScaler.fits.clear()


def _epoch_search(**kw):
    kw = {
        "resource": "partial_fit",
        "max_resources": 9,
        "cv": 3,
        "random_state": 0,
        **kw,
    }
    return HyperbandSearchCV(EpochClassifier(), QUALITY, **kw)


def _same_results(a, b):
    assert list(a) == list(b)
    for key in a:
        if is_run_detail(key):
            continue
        if key == "params":
            assert a[key] == b[key]
        else:
            np.testing.assert_array_equal(np.asarray(a[key]), np.asarray(b[key]), key)


# ------------------------------------------------------------ schedule
def test_plan_is_the_papers_and_readable_before_fit():
    plan = _epoch_search().plan()
    assert list(plan.columns) == [
        "bracket",
        "iter",
        "n_candidates",
        "n_resources",
        "units",
    ]
    assert plan["n_candidates"].tolist() == [9, 3, 1, 5, 1, 3]
    assert plan["n_resources"].tolist() == [1, 3, 9, 3, 9, 9]
    assert plan["units"].sum() == 69  # with continuation
    no_warm = HyperbandSearchCV(
        RefitEnsemble(), QUALITY, resource="n_estimators", max_resources=9
    )
    assert no_warm.plan()["units"].sum() == 78  # retrained from scratch
    with pytest.raises(ValueError, match="pass X"):
        HyperbandSearchCV(EpochClassifier(), QUALITY).plan()


def test_partial_fit_calls_are_exactly_the_plan():
    search = _epoch_search(refit=False).fit(X_IRIS, Y_IRIS)
    planned = search.plan()["units"].sum()
    assert len(EpochClassifier.calls) == planned * 3  # 69 epochs x 3 folds
    assert search.budget_["units"].tolist() == search.budget_["units_planned"].tolist()
    assert (
        search.budget_["n_candidates"].tolist()
        == search.budget_["n_candidates_planned"].tolist()
    )
    # no model starts over: each model's epochs are 1, 2, 3, ... without repeats
    by_model = defaultdict(list)
    for model, epoch, _ in EpochClassifier.calls:
        by_model[model].append(epoch)
    assert all(e == list(range(1, len(e) + 1)) for e in by_model.values())


def test_each_model_trains_exactly_its_rungs():
    search = _epoch_search(refit=False).fit(X_IRIS, Y_IRIS)
    by_model = defaultdict(int)
    for model, _, _ in EpochClassifier.calls:
        by_model[model] += 1
    results = pd.DataFrame(search.cv_results_)
    final = results.groupby("candidate")["n_resources"].max()
    # every candidate's 3 fold models trained exactly its highest resource
    expected = sorted(np.repeat(final.to_numpy(), 3).tolist())
    assert sorted(by_model.values()) == expected


def test_warm_start_continues_and_without_it_refits():
    kw = dict(resource="n_estimators", max_resources=27, cv=3, random_state=0)
    warm = HyperbandSearchCV(GrowingEnsemble(), QUALITY, **kw).fit(X_IRIS, Y_IRIS)
    trained = sum(n for n, _ in GrowingEnsemble.log) - GrowingEnsemble.log[-1][0]
    assert trained == 357 * 3  # the refit on all data comes last
    # from scratch only for rung 0 (and the final refit)
    assert sum(scratch for _, scratch in GrowingEnsemble.log) == 49 * 3 + 1
    assert warm.best_estimator_.n_members_ == 27
    assert warm.best_params_["n_estimators"] == 27

    HyperbandSearchCV(RefitEnsemble(), QUALITY, **kw).fit(X_IRIS, Y_IRIS)
    assert sum(RefitEnsemble.log[:-1]) == 423 * 3


def test_n_samples_subsamples_each_fold():
    class SizeRecorder(EpochClassifier):
        sizes = []

        def fit(self, X, y):
            SizeRecorder.sizes.append(len(X))
            return super().fit(X, y)

        def score(self, X, y=None, sample_weight=None):
            return self.quality

    X, y = load_digits(return_X_y=True)
    search = HyperbandSearchCV(
        SizeRecorder(),
        QUALITY,
        max_resources=900,
        min_resources=100,
        cv=KFold(3),
        n_brackets=1,
        random_state=0,
        refit=False,
    ).fit(X, y)
    assert search.n_resources_ == [100, 300, 900]
    n_train = len(next(KFold(3).split(X))[0])  # 1198
    sizes = sorted(set(SizeRecorder.sizes))
    assert sizes == [int(r / len(X) * n_train) for r in (100, 300, 900)]
    assert search.min_resources_ == 100 and search.max_resources_ == 900


def test_min_resources_is_what_the_smallest_rung_trained_on():
    X, y = load_digits(return_X_y=True)
    search = HyperbandSearchCV(
        EpochClassifier(max_iter=1),
        QUALITY,
        min_resources=100,
        max_resources=449,
        cv=KFold(3),
        random_state=0,
        refit=False,
    )
    plan = search.plan(X, y)
    search.fit(X, y)
    # 449 / 100 is not a power of 3: the rungs train on 149 and 449 samples
    assert sorted(set(search.n_resources_)) == sorted(set(plan["n_resources"]))
    assert sorted(set(search.n_resources_)) == [149, 449]
    assert search.min_resources_ == 149 and search.max_resources_ == 449
    n_train = len(next(KFold(3).split(X))[0])
    smallest = min(n for *_, n in EpochClassifier.calls)
    assert smallest == int(search.min_resources_ / len(X) * n_train)


def test_empty_space_is_one_candidate_trained_through_the_first_bracket():
    search = HyperbandSearchCV(
        EpochClassifier(quality=0.7),
        {},
        resource="partial_fit",
        max_resources=9,
        cv=3,
        random_state=0,
    )
    plan = search.plan()
    search.fit(X_IRIS, Y_IRIS)
    first = plan.loc[plan["bracket"] == 0, "n_resources"].tolist()
    assert first == [1, 3, 9]
    res = search.cv_results_
    assert res["params"] == [{}] * 3 and list(res["n_resources"]) == first
    assert set(res["candidate"]) == {0}
    assert search.best_params_ == {} and search.best_estimator_.n_epochs_ == 9
    # one model per fold, continued: 9 epochs each, and 9 for the refit
    assert len(EpochClassifier.calls) == 9 * 3 + 9


# ------------------------------------------------------------ results
def test_cv_results_rows_ranks_and_best():
    search = _epoch_search().fit(X_IRIS, Y_IRIS)
    res = search.cv_results_
    n_rows = 17 + 3 + 1 + 1  # every rung of every bracket
    assert len(res["params"]) == n_rows
    assert list(res)[:5] == [
        "bracket",
        "iter",
        "n_resources",
        "candidate",
        "proposed_by",
    ]
    assert res["rank_test_score"][search.best_index_] == 1
    assert res["n_resources"][search.best_index_] == 9
    top = res["n_resources"] == 9
    assert search.best_score_ == res["mean_test_score"][top].max()
    # every row at the largest resource ranks above every row below it
    assert res["rank_test_score"][top].max() < res["rank_test_score"][~top].min()
    # rows ordered by bracket, rung, candidate
    keys = list(zip(res["bracket"], res["iter"], res["candidate"]))
    assert keys == sorted(keys)
    frame = pd.DataFrame(res)
    assert len(frame) == n_rows
    assert search.n_resources_ == [1, 3, 9, 3, 9, 9]
    assert search.n_candidates_ == [9, 3, 1, 5, 1, 3]
    assert search.n_iterations_ == 6
    # the best candidate's quality is the best of those that reached 9 epochs
    finals = [p["quality"] for p, r in zip(res["params"], res["n_resources"]) if r == 9]
    assert search.best_params_["quality"] == max(finals)


def test_promotions_follow_scores():
    res = _epoch_search().fit(X_IRIS, Y_IRIS).cv_results_
    frame = pd.DataFrame(res)
    frame["quality"] = [p["quality"] for p in res["params"]]
    first = frame[(frame.bracket == 0) & (frame["iter"] == 0)]
    promoted = frame[(frame.bracket == 0) & (frame["iter"] == 1)]
    assert set(promoted.candidate) == set(first.nlargest(3, "quality").candidate)


def test_refit_trains_like_the_candidates():
    search = _epoch_search().fit(X_IRIS, Y_IRIS)
    assert search.best_estimator_.n_epochs_ == 9
    assert search.best_estimator_.quality == search.best_params_["quality"]
    sgd = HyperbandSearchCV(
        SGDClassifier(random_state=0),
        {"alpha": Real(1e-5, 1e-1, prior="log-uniform")},
        resource="partial_fit",
        max_resources=4,
        cv=3,
        random_state=0,
    ).fit(X_IRIS, Y_IRIS)
    assert sgd.best_estimator_.predict(X_IRIS).shape == Y_IRIS.shape


@pytest.mark.parametrize("asynchronous", [False, True])
def test_same_results_for_any_n_jobs(asynchronous):
    # the asynchronous schedule promises this only with one worker; the test
    # double's results are fast and in order, so it holds sequentially
    kw = dict(asynchronous=asynchronous)
    one = _epoch_search(n_jobs=1, **kw).fit(X_IRIS, Y_IRIS).cv_results_
    if asynchronous:
        again = _epoch_search(n_jobs=1, **kw).fit(X_IRIS, Y_IRIS).cv_results_
        _same_results(one, again)
        return
    two = _epoch_search(n_jobs=2, **kw).fit(X_IRIS, Y_IRIS).cv_results_
    _same_results(one, two)


def test_rounds_of_brackets_run_their_plan_the_same_for_any_n_jobs():
    # three brackets a round (max_resources 9): two rounds and one bracket
    search = _epoch_search(n_brackets=7, refit=False)
    plan = search.plan()
    assert plan["bracket"].unique().tolist() == list(range(7))
    assert plan["n_candidates"].tolist() == [9, 3, 1, 5, 1, 3] * 2 + [9, 3, 1]
    one = search.fit(X_IRIS, Y_IRIS)
    assert one.budget_["units"].tolist() == one.budget_["units_planned"].tolist()
    results = pd.DataFrame(one.cv_results_)
    assert results["candidate"].nunique() == 2 * (9 + 5 + 3) + 9  # all new
    assert len(EpochClassifier.calls) == plan["units"].sum() * 3
    two = _epoch_search(n_brackets=7, refit=False, n_jobs=2).fit(X_IRIS, Y_IRIS)
    _same_results(one.cv_results_, two.cv_results_)


def test_same_results_with_threads_and_real_models():
    X, y = load_digits(return_X_y=True)
    search = HyperbandSearchCV(
        make_pipeline(StandardScaler(), SGDClassifier(random_state=0)),
        {"sgdclassifier__alpha": Real(1e-6, 1e-1, prior="log-uniform")},
        resource="partial_fit",
        max_resources=9,
        cv=3,
        random_state=0,
    )
    one = clone(search).set_params(n_jobs=1).fit(X, y)
    two = clone(search).set_params(n_jobs=2).fit(X, y)
    _same_results(one.cv_results_, two.cv_results_)
    with parallel_config(backend="threading"):
        three = clone(search).set_params(n_jobs=2).fit(X, y)
    _same_results(one.cv_results_, three.cv_results_)


def test_asynchronous_uses_the_same_brackets():
    search = _epoch_search(asynchronous=True).fit(X_IRIS, Y_IRIS)
    res = search.cv_results_
    assert res["rank_test_score"][search.best_index_] == 1
    assert res["n_resources"][search.best_index_] == 9
    budget = search.budget_
    # the plan, exactly: every candidate planned starts, every rung fills
    assert budget["n_candidates"].tolist() == budget["n_candidates_planned"].tolist()
    assert budget["units"].tolist() == budget["units_planned"].tolist()
    assert search._max_candidates() == budget["n_candidates"].sum()


def test_model_sampler_proposes_from_the_highest_rung_with_data():
    search = HyperbandSearchCV(
        EpochClassifier(),
        QUALITY,
        resource="partial_fit",
        max_resources=27,
        cv=3,
        sampler="model",
        random_state=0,
    ).fit(X_IRIS, Y_IRIS)
    res = search.cv_results_
    first = res["iter"] == 0
    by_bracket = defaultdict(Counter)
    for b, source in zip(res["bracket"][first], res["proposed_by"][first]):
        by_bracket[b][source] += 1
    # the first bracket has no data to learn from; later ones propose two thirds
    # of their candidates from the model
    assert by_bracket[0] == Counter(random=27)
    assert by_bracket[1] == Counter(model=8, random=4)
    qualities = [p["quality"] for p in res["params"]]
    assert len(set(qualities)) == len(set(res["candidate"]))  # no repeats


# ------------------------------------------------------------ contract
def test_pipeline_with_partial_fit_fits_earlier_steps_once_per_fold():
    pipe = Pipeline([("scale", CountingScaler()), ("clf", EpochClassifier())])
    search = HyperbandSearchCV(
        pipe,
        {"clf__quality": uniform(0, 1)},
        resource="partial_fit",
        max_resources=9,
        cv=3,
        random_state=0,
    ).fit(X_IRIS, Y_IRIS)
    # one fit per candidate and fold, none per later rung, one for the refit
    assert len(CountingScaler.fits) == 17 * 3 + 1
    assert search.best_estimator_[-1].n_epochs_ == 9
    assert search.predict(X_IRIS).shape == Y_IRIS.shape


def test_failures_are_dropped_recorded_and_warned_once():
    # 9 of the 10 values start (one bracket: 9 -> 3 -> 1); at least two fail
    search = HyperbandSearchCV(
        FailingClassifier(fail_on=(0, 1, 2)),
        {"parameter": list(range(10))},
        min_resources=15,
        max_resources=135,
        cv=3,
        random_state=0,
        n_brackets=1,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search.fit(X_IRIS, Y_IRIS)
    fails = [w for w in caught if issubclass(w.category, FitFailedWarning)]
    assert len(fails) == 1
    res = search.cv_results_
    failed = np.array([p["parameter"] in (0, 1, 2) for p in res["params"]])
    assert failed.sum() >= 2
    assert np.isnan(res["mean_test_score"][failed]).all()
    # failed candidates never reach a later rung; the best is the best working one
    assert (res["iter"][failed] == 0).all()
    started = [p["parameter"] for p, i in zip(res["params"], res["iter"]) if i == 0]
    assert search.best_params_["parameter"] == max(started)


def test_multimetric_and_callable_refit():
    scoring = {"acc": "accuracy", "bal": "balanced_accuracy"}
    kw = dict(
        resource="partial_fit", max_resources=3, cv=3, random_state=0, scoring=scoring
    )
    space = {"alpha": Real(1e-5, 1e-1, prior="log-uniform")}
    search = HyperbandSearchCV(SGDClassifier(random_state=0), space, refit="bal", **kw)
    search.fit(X_IRIS, Y_IRIS)
    assert search.cv_results_["rank_test_bal"][search.best_index_] == 1
    with pytest.raises(ValueError, match="objective"):
        HyperbandSearchCV(SGDClassifier(), space, refit=False, **kw).fit(X_IRIS, Y_IRIS)
    search = HyperbandSearchCV(
        SGDClassifier(random_state=0), space, refit=lambda r: 0, objective="acc", **kw
    ).fit(X_IRIS, Y_IRIS)
    assert search.best_index_ == 0


def test_groups_reach_the_splitter():
    groups = np.arange(len(Y_IRIS)) % 5
    search = _epoch_search(cv=GroupKFold(5)).fit(X_IRIS, Y_IRIS, groups=groups)
    assert search.n_splits_ == 5


def test_interrupt_keeps_finished_rows():
    search = HyperbandSearchCV(
        InterruptingClassifier(interrupt_on=3),
        {"parameter": list(range(9))},
        min_resources=15,
        max_resources=135,
        cv=3,
        n_brackets=1,
        random_state=0,
    )
    with pytest.raises(KeyboardInterrupt):
        search.fit(X_IRIS, Y_IRIS)
    rows = search.cv_results_["params"]
    assert 0 < len(rows) < 9
    assert all(p["parameter"] != 3 for p in rows)
    assert not hasattr(search, "best_estimator_")


def test_real_random_forest_warm_start_matches_a_cold_fit():
    X, y = load_digits(return_X_y=True)
    search = HyperbandSearchCV(
        RandomForestClassifier(random_state=0),
        {"max_features": Real(0.1, 1.0)},
        resource="n_estimators",
        max_resources=9,
        cv=3,
        random_state=0,
        n_brackets=1,
    ).fit(X, y)
    res = search.cv_results_
    # the survivor's score with 9 trees grown 1 -> 3 -> 9 equals a cold fit with 9
    row = search.best_index_
    cold = RandomForestClassifier(random_state=0, **res["params"][row])
    cv = check_cv(3, y, classifier=True)
    scores = cross_val_score(cold, X, y, cv=cv)
    np.testing.assert_allclose(res["mean_test_score"][row], scores.mean())


# ------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    "estimator, kw, match",
    [
        (
            EpochClassifier(),
            {"resource": "n_trees"},
            "resource='n_trees' is not a parameter",
        ),
        (LinearSVC(), {"resource": "partial_fit", "max_resources": 9}, "n_samples"),
        (
            make_pipeline(StandardScaler(), LinearSVC()),
            {"resource": "partial_fit", "max_resources": 9},
            "last step LinearSVC",
        ),
        (
            GrowingEnsemble(),
            {"resource": "n_estimators", "max_resources": "auto", "min_resources": 20},
            "min_resources=20",
        ),
        (GrowingEnsemble(), {"resource": "quality"}, "also in the searched"),
        (EpochClassifier(), {"resource": "partial_fit"}, "set max_resources"),
        (
            EpochClassifier(),
            {"min_resources": 90, "max_resources": 60},
            "min_resources=90",
        ),
        (EpochClassifier(), {"factor": 1}, "'factor' parameter"),
        (
            EpochClassifier(),
            {"max_resources": 1000},
            "larger than the number of samples",
        ),
        (EpochClassifier(), {"sampler": "tpe"}, "'sampler' parameter"),
        (
            EpochClassifier(),
            {"resource": "max_iter", "max_resources": 0},
            "max_resources",
        ),
    ],
)
def test_bad_input_raises_before_any_fit(estimator, kw, match):
    name = "quality" if "quality" in estimator.get_params() else "C"
    if isinstance(estimator, Pipeline):
        name = "linearsvc__C"
    search = HyperbandSearchCV(estimator, {name: uniform(0.1, 1)}, cv=3, **kw)
    with pytest.raises(ValueError, match=match):
        search.fit(X_IRIS, Y_IRIS)
    assert EpochClassifier.calls == [] and GrowingEnsemble.log == []


def test_bad_space_names_the_parameter():
    with pytest.raises(
        ValueError, match="param_distributions: invalid parameter 'nope'"
    ):
        HyperbandSearchCV(LogisticRegression(), {"C": [1.0], "nope": [1]}).fit(
            X_IRIS, Y_IRIS
        )


# ------------------------------------------------------------ continuation rules
def test_which_warm_starts_are_continued():
    from sklearn.ensemble import (
        GradientBoostingClassifier,
        HistGradientBoostingClassifier,
    )
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.neural_network import MLPClassifier

    from skhpo._fidelity import _continuation

    class MyHGB(HistGradientBoostingClassifier):
        pass

    pipe = make_pipeline(StandardScaler(), RandomForestClassifier())
    cases = [
        (RandomForestClassifier(), "n_estimators", True),
        (GradientBoostingClassifier(), "n_estimators", True),
        (MyHGB(), "max_iter", True),
        (SGDClassifier(), "max_iter", False),
        (MLPClassifier(), "max_iter", False),
        (pipe, "randomforestclassifier__n_estimators", True),
        # no continuation: refit with the larger value at every rung
        (RandomForestClassifier(), "max_depth", None),
        (LogisticRegression(), "max_iter", None),
        (OneVsRestClassifier(SGDClassifier()), "estimator__max_iter", None),
        (make_pipeline(LinearSVC()), "linearsvc__max_iter", None),
    ]
    for estimator, name, expected in cases:
        assert _continuation(estimator, name) is expected, (estimator, name)


def test_non_integer_resource_is_refused():
    # intercept_scaling=1 is an int, but LogisticRegression takes a float
    for resource in ("C", "warm_start", "tol", "intercept_scaling"):
        search = HyperbandSearchCV(
            LogisticRegression(),
            {"fit_intercept": [True, False]},
            resource=resource,
            max_resources=9,
        )
        with pytest.raises(ValueError, match="must name an integer parameter"):
            search.fit(X_IRIS, Y_IRIS)
    search = HyperbandSearchCV(
        make_pipeline(StandardScaler(), KernelDensity()),
        {"kerneldensity__bandwidth": [0.5, 1.0]},
        resource="kerneldensity__atol",
        max_resources=9,
    )
    with pytest.raises(ValueError) as info:
        search.fit(X_IRIS)
    assert str(info.value) == (
        "resource='kerneldensity__atol' must name an integer parameter of the "
        "estimator; its value is 0, but KernelDensity takes a float in the range "
        "[0.0, inf). Its integer parameters: ['kerneldensity__leaf_size']."
    )


class _Undeclared(EpochClassifier):
    """Declares no parameter constraints, as many third-party estimators."""

    def __init__(self, quality=0.5, max_iter=5, verbose=0, n_jobs=1, random_state=0):
        super().__init__(quality=quality, max_iter=max_iter)
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.random_state = random_state


@pytest.mark.parametrize(
    "estimator, integers",
    [
        # not intercept_scaling=1 nor verbose=0: a float and a verbosity
        (LogisticRegression(), ["max_iter"]),
        # not the float tolerances atol=0 and rtol=0
        (KernelDensity(), ["leaf_size"]),
        # None-valued integer parameters are resources too; n_jobs, verbose and
        # random_state are not
        (
            RandomForestClassifier(),
            [
                "max_depth",
                "max_leaf_nodes",
                "max_samples",
                "min_samples_leaf",
                "min_samples_split",
                "n_estimators",
            ],
        ),
        (
            make_pipeline(StandardScaler(), SGDClassifier()),
            ["sgdclassifier__max_iter", "sgdclassifier__n_iter_no_change"],
        ),
        # an estimator that declares nothing: its int parameters, but for
        # verbose, n_jobs and random_state
        (_Undeclared(), ["max_iter"]),
    ],
)
def test_unknown_resource_lists_the_integer_parameters(estimator, integers):
    search = HyperbandSearchCV(estimator, {}, resource="nope", max_resources=9)
    with pytest.raises(ValueError) as info:
        search.fit(X_IRIS, Y_IRIS)
    assert str(info.value).endswith(f"one of its integer parameters: {integers!r}.")


def test_refit_resource_trains_the_reported_value():
    # max_depth cannot be continued: each rung refits with its own value
    X, y = load_digits(return_X_y=True)
    search = HyperbandSearchCV(
        RandomForestClassifier(n_estimators=5, random_state=0),
        {"max_features": Real(0.1, 1.0)},
        resource="max_depth",
        max_resources=9,
        cv=3,
        random_state=0,
        n_brackets=1,
    ).fit(X, y)
    res = search.cv_results_
    for row in np.flatnonzero(res["iter"] == 2):
        cold = RandomForestClassifier(
            n_estimators=5, random_state=0, **res["params"][row]
        )
        cv = check_cv(3, y, classifier=True)
        expected = cross_val_score(cold, X, y, cv=cv).mean()
        np.testing.assert_allclose(res["mean_test_score"][row], expected)
    assert search.budget_["units"].sum() == 9 * 1 + 3 * 3 + 1 * 9


def test_pipeline_warm_start_fits_earlier_steps_once_per_fold():
    pipe = Pipeline([("scale", CountingScaler()), ("clf", GrowingEnsemble())])
    search = HyperbandSearchCV(
        pipe,
        {"clf__quality": uniform(0, 1)},
        resource="clf__n_estimators",
        max_resources=27,
        cv=3,
        random_state=0,
        refit=False,
    ).fit(X_IRIS, Y_IRIS)
    assert len(CountingScaler.fits) == 49 * 3  # once per candidate and fold
    assert sum(n for n, _ in GrowingEnsemble.log) == 357 * 3
    assert search.budget_["units"].sum() == 357


def test_partial_fit_pipeline_with_metadata_routing():
    import sklearn
    from sklearn.metrics import accuracy_score, make_scorer

    weights = np.ones(len(Y_IRIS))
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = make_pipeline(
            StandardScaler().set_fit_request(sample_weight=False),
            SGDClassifier(random_state=0).set_fit_request(sample_weight=True),
        )
        search = HyperbandSearchCV(
            pipe,
            {"sgdclassifier__alpha": Real(1e-5, 1e-1, prior="log-uniform")},
            resource="partial_fit",
            max_resources=3,
            cv=3,
            random_state=0,
            scoring=make_scorer(accuracy_score).set_score_request(sample_weight=True),
        ).fit(X_IRIS, Y_IRIS, sample_weight=weights)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


# ------------------------------------------------------------ smaller contract points
def test_verbose_asynchronous_prints(capsys):
    _epoch_search(asynchronous=True, verbose=1).fit(X_IRIS, Y_IRIS)
    assert "Fitting 3 folds for each of" in capsys.readouterr().out


def test_asynchronous_model_sampler_keeps_a_random_third():
    search = HyperbandSearchCV(
        EpochClassifier(),
        QUALITY,
        resource="partial_fit",
        max_resources=27,
        cv=3,
        sampler="model",
        asynchronous=True,
        random_state=0,
    ).fit(X_IRIS, Y_IRIS)
    first = search.cv_results_["iter"] == 0
    sources = Counter(search.cv_results_["proposed_by"][first])
    assert sources["model"] > 0
    assert sources["random"] >= 0.2 * sum(sources.values())


def test_failed_second_fit_drops_the_first_fits_attributes():
    search = _epoch_search().fit(X_IRIS, Y_IRIS)
    assert hasattr(search, "budget_")
    search.set_params(
        error_score="raise",
        estimator=FailingClassifier(fail_on=(0,)),
        param_distributions={"parameter": [0]},
        resource="n_samples",
        max_resources="auto",
        min_resources=30,
    )
    with pytest.raises(ValueError, match="Failing classifier"):
        search.fit(X_IRIS, Y_IRIS)
    for name in ("budget_", "n_resources_", "n_iterations_", "cv_results_"):
        assert not hasattr(search, name), name


def test_plan_of_a_classifier_on_samples_needs_y():
    search = HyperbandSearchCV(LogisticRegression(), {"C": uniform(0.1, 1)})
    with pytest.raises(ValueError, match="for a classifier, y"):
        search.plan(X_IRIS)
    plan = search.plan(X_IRIS, Y_IRIS)
    fitted = search.fit(X_IRIS, Y_IRIS)
    assert plan["n_resources"].unique().tolist() == sorted(set(fitted.n_resources_))


def test_min_resources_that_empties_a_fold_is_refused():
    search = HyperbandSearchCV(
        FailingClassifier(fail_on=()), {"parameter": [1, 2]}, min_resources=1, cv=3
    )
    with pytest.raises(ValueError, match="min_resources=1 leaves a fold"):
        search.fit(X_IRIS, Y_IRIS)


def test_passthrough_step_with_metadata_routing():
    import sklearn
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import accuracy_score, make_scorer

    weights = np.ones(len(Y_IRIS))
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = Pipeline(
            [
                ("p", "passthrough"),
                (
                    "clf",
                    HistGradientBoostingClassifier(random_state=0).set_fit_request(
                        sample_weight=True
                    ),
                ),
            ]
        )
        search = HyperbandSearchCV(
            pipe,
            {"clf__learning_rate": Real(0.01, 0.3, prior="log-uniform")},
            resource="clf__max_iter",
            max_resources=9,
            cv=3,
            random_state=0,
            error_score="raise",
            scoring=make_scorer(accuracy_score).set_score_request(sample_weight=True),
        ).fit(X_IRIS, Y_IRIS, sample_weight=weights)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_head_whose_fit_transform_differs_is_refit_to_match_a_cold_fit():
    from sklearn.preprocessing import TargetEncoder

    rng = np.random.RandomState(0)
    X = rng.randint(0, 20, size=(300, 3))
    y = (X[:, 0] % 3 == 0).astype(int) ^ (rng.rand(300) < 0.2)
    pipe = Pipeline(
        [
            ("enc", TargetEncoder(random_state=0)),
            ("clf", RandomForestClassifier(random_state=0)),
        ]
    )
    search = HyperbandSearchCV(
        pipe,
        {"clf__max_features": Real(0.3, 1.0)},
        resource="clf__n_estimators",
        max_resources=9,
        cv=3,
        random_state=0,
        n_brackets=1,
    ).fit(X, y)
    res = search.cv_results_
    row = search.best_index_
    cold = clone(pipe).set_params(**res["params"][row])
    expected = cross_val_score(cold, X, y, cv=check_cv(3, y, classifier=True))
    np.testing.assert_allclose(res["mean_test_score"][row], expected.mean())


def test_unprefixed_fit_param_to_a_pipeline_is_an_error():
    pipe = make_pipeline(StandardScaler(), SGDClassifier(random_state=0))
    search = HyperbandSearchCV(
        pipe,
        {"sgdclassifier__alpha": Real(1e-5, 1e-1, prior="log-uniform")},
        resource="partial_fit",
        max_resources=3,
        cv=3,
        random_state=0,
    )
    with pytest.raises(ValueError, match="does not accept the sample_weight"):
        search.fit(X_IRIS, Y_IRIS, sample_weight=np.ones(len(Y_IRIS)))


def test_replaced_step_and_its_parameters_are_checked_before_any_fit():
    from sklearn.svm import SVC

    pipe = Pipeline([("clf", LogisticRegression())])
    space = {"clf": [SVC()], "clf__l1_ratio": [0.1, 0.5]}
    with pytest.raises(ValueError, match="param_distributions: invalid parameter"):
        HyperbandSearchCV(pipe, space, min_resources=30, cv=3).fit(X_IRIS, Y_IRIS)


def test_resource_value_refused_by_the_estimator_raises_before_any_fit():
    from sklearn.ensemble import HistGradientBoostingClassifier

    # max_bins is an integer, but HistGradientBoostingClassifier refuses 300
    search = HyperbandSearchCV(
        HistGradientBoostingClassifier(),
        {"learning_rate": uniform(0.1, 0.5)},
        resource="max_bins",
        min_resources=3,
        max_resources=300,
        cv=3,
    )
    with pytest.raises(
        ValueError, match="resource='max_bins' cannot take the value 300: "
    ):
        search.fit(X_IRIS, Y_IRIS)
    # l1_ratio is None in some scikit-learn releases, but a float: refused
    search = HyperbandSearchCV(
        LogisticRegression(l1_ratio=None),
        {"C": uniform(0.1, 1)},
        resource="l1_ratio",
        max_resources=9,
        cv=3,
    )
    with pytest.raises(
        ValueError, match="resource='l1_ratio' must name an integer parameter"
    ):
        search.fit(X_IRIS, Y_IRIS)


def test_resource_of_a_searched_step_is_refused():
    from sklearn.ensemble import HistGradientBoostingClassifier

    pipe = Pipeline([("clf", SGDClassifier())])
    search = HyperbandSearchCV(
        pipe,
        {"clf": [HistGradientBoostingClassifier()]},
        resource="clf__max_iter",
        max_resources=27,
    )
    with pytest.raises(ValueError, match="belongs to the step 'clf'"):
        search.fit(X_IRIS, Y_IRIS)
