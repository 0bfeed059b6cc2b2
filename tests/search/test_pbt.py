"""PBTSearchCV: schedules, exploit copies, determinism, failures, bad input."""

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.stats import loguniform, randint
from sklearn.datasets import load_digits, load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import StratifiedKFold
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.svm import SVC

from skhpo import PBTSearchCV
from skhpo._fidelity import ScheduleEstimator
from skhpo._mutable import apply_update
from skhpo.search.pbt import schedule_of
from skhpo.utils._testing import EpochClassifier, ScheduleRegressor

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
X0 = np.zeros((40, 1))
Y0 = np.zeros(40)
LR = {"lr": loguniform(1e-3, 1.0)}


def schedule_search(**kwargs):
    params = dict(population_size=8, n_steps=10, cv=2, random_state=0)
    params.update(kwargs)
    return PBTSearchCV(ScheduleRegressor(), LR, **params)


def test_finds_a_decaying_schedule_that_beats_every_constant_rate():
    model = ScheduleRegressor()
    rates = np.logspace(-3, 0, 3000)
    best_constant = max(
        np.mean([model.gain(r, e) for e in range(1, 11)]) for r in rates
    )
    search = schedule_search().fit(X0, Y0)
    assert search.best_score_ > best_constant + 0.2
    schedule = search.best_schedule_
    assert list(schedule.index) == list(range(10))
    assert list(schedule.columns) == ["lr", "member"]
    lr = schedule["lr"].to_numpy()
    assert lr[-1] < 0.5 * lr[0]  # it fell
    assert np.all(np.diff(lr) <= 1e-12) or np.corrcoef(np.arange(10), lr)[0, 1] < -0.8
    # The refit model replays the schedule on all the data: the same score.
    assert search.best_estimator_.score(X0) == pytest.approx(search.best_score_)
    assert search.best_estimator_.n_epochs_ == 10
    assert search.best_params_["lr"] == pytest.approx(lr[-1])


def test_cv_results_rows_and_columns():
    search = schedule_search(population_size=4, n_steps=3).fit(X0, Y0)
    results = search.cv_results_
    frame = pd.DataFrame(results)
    assert len(frame) == 12
    assert list(frame["step"]) == [0] * 4 + [1] * 4 + [2] * 4
    assert list(frame["member"]) == [0, 1, 2, 3] * 3
    assert list(frame["n_resources"]) == [1] * 4 + [2] * 4 + [3] * 4
    assert set(frame.loc[frame["step"] == 0, "parent"]) == {-1}
    assert (frame["parent"] >= 0).sum() == search.n_exploits_ > 0
    best = search.best_index_
    assert frame.loc[best, "step"] == 2 and frame.loc[best, "rank_test_score"] == 1
    assert (
        frame.loc[best, "mean_test_score"]
        == frame.loc[frame.step == 2, "mean_test_score"].max()
    )
    # The lineage of the best member ends with its own rows' carriers.
    member = frame.loc[best, "member"]
    assert search.lineage_[member] == list(search.best_schedule_["member"])
    assert search.mutable_ == ["lr"] and search.fixed_ == {}


def test_exploit_copies_the_fitted_state():
    """Copied with the same hyperparameters, a member continues exactly as its
    parent does: the same predictions, hence the same score on every fold."""
    X, y = load_digits(return_X_y=True)
    search = PBTSearchCV(
        SGDClassifier(random_state=0),
        {"alpha": loguniform(1e-6, 1e-1), "eta0": loguniform(1e-4, 1e-1)},
        mutable=[],  # explore changes nothing: the copy is exact
        population_size=4,
        n_steps=3,
        cv=3,
        random_state=0,
    ).set_params(estimator__learning_rate="constant")
    search.fit(X, y)
    frame = pd.DataFrame(search.cv_results_)
    splits = [f"split{k}_test_score" for k in range(3)]
    copies = frame[frame["parent"] >= 0]
    assert len(copies) > 0
    for _, row in copies.iterrows():
        parent = frame[(frame.member == row.parent) & (frame.step == row.step)].iloc[0]
        np.testing.assert_array_equal(row[splits].to_numpy(), parent[splits].to_numpy())
        assert row["params"] == parent["params"]


def test_exploit_continues_the_parents_epoch_counter():
    EpochClassifier.calls.clear()
    X, y = load_iris(return_X_y=True)
    search = PBTSearchCV(
        EpochClassifier(),
        {"quality": [0.1, 0.3, 0.5, 0.7, 0.9]},
        mutable=["quality"],  # a class skhpo does not know: the user says so
        population_size=4,
        n_steps=3,
        cv=2,
        refit=False,  # only the search's own models
        random_state=0,
    ).fit(X, y)
    frame = pd.DataFrame(search.cv_results_)
    assert (frame["parent"] >= 0).any()
    calls = EpochClassifier.calls
    # 4 members x 2 folds x 3 steps, each call one epoch further than the
    # step before: no model restarted.
    epochs = [epoch for _, epoch, _ in calls]
    assert len(calls) == 24
    assert [epochs.count(e) for e in (1, 2, 3)] == [8, 8, 8]
    # No new model after the first step: a copy carries its parent's model
    # (its id) and goes on counting from the parent's epoch.
    assert len({model_id for model_id, _, _ in calls}) == 8
    later = [(model_id, epoch) for model_id, epoch, _ in calls if epoch > 1]
    assert len(set(later)) < len(later)  # a model trained on in two members


def test_same_results_whatever_n_jobs():
    X, y = load_digits(return_X_y=True)

    def run(n_jobs):
        return PBTSearchCV(
            make_pipeline(StandardScaler(), SGDClassifier(random_state=0)),
            {
                "sgdclassifier__alpha": loguniform(1e-6, 1e-1),
                "sgdclassifier__eta0": loguniform(1e-4, 1e-1),
                "sgdclassifier__learning_rate": ["constant", "invscaling"],
            },
            population_size=4,
            n_steps=3,
            cv=3,
            n_jobs=n_jobs,
            random_state=1,
        ).fit(X[:600], y[:600])

    a, b = run(1), run(2)
    np.testing.assert_array_equal(
        a.cv_results_["mean_test_score"], b.cv_results_["mean_test_score"]
    )
    assert a.cv_results_["params"] == b.cv_results_["params"]
    np.testing.assert_array_equal(a.cv_results_["parent"], b.cv_results_["parent"])
    pd.testing.assert_frame_equal(a.best_schedule_, b.best_schedule_)
    # The scaler is fitted once: its parameters are fixed, and said why.
    assert set(a.mutable_) == {
        "sgdclassifier__alpha",
        "sgdclassifier__eta0",
        "sgdclassifier__learning_rate",
    }


def test_warm_start_forest_grows_by_steps():
    X, y = load_digits(return_X_y=True)
    search = PBTSearchCV(
        RandomForestClassifier(random_state=0),
        {"max_depth": randint(2, 20), "max_features": [0.2, 0.5, 1.0]},
        resource="n_estimators",
        step_resource=4,
        population_size=4,
        n_steps=3,
        cv=3,
        random_state=0,
    ).fit(X, y)
    assert list(pd.DataFrame(search.cv_results_)["n_resources"].unique()) == [4, 8, 12]
    model = search.best_estimator_
    assert model.n_estimators == 12 and len(model.estimators_) == 12
    depths = [t.max_depth for t in model.estimators_]
    expected = [d for d in search.best_schedule_["max_depth"] for _ in range(4)]
    assert depths == expected  # each step's trees grew with that step's depth


def test_mlp_optimiser_takes_the_new_learning_rate():
    X, y = load_iris(return_X_y=True)
    mlp = MLPClassifier(
        hidden_layer_sizes=(8,), learning_rate_init=0.01, random_state=0
    )
    mlp.partial_fit(X, y, classes=np.unique(y))
    apply_update(mlp, {"learning_rate_init": 0.001})
    assert mlp._optimizer.learning_rate_init == 0.001
    sgd = MLPClassifier(solver="sgd", learning_rate_init=0.01, momentum=0.9)
    sgd.partial_fit(X, y, classes=np.unique(y))
    apply_update(make_pipeline(sgd), {"mlpclassifier__momentum": 0.5})
    assert sgd._optimizer.momentum == 0.5


class FailingSchedule(ScheduleRegressor):
    def partial_fit(self, X, y=None):
        if self.lr > 0.1:
            raise ValueError("learning rate too high")
        return super().partial_fit(X, y)


def test_failed_members_are_replaced_and_recorded():
    search = PBTSearchCV(
        FailingSchedule(),
        LR,
        population_size=8,
        n_steps=4,
        exploit_fraction=0.5,
        cv=2,
        random_state=0,
    )
    with pytest.warns(FitFailedWarning):
        search.fit(X0, Y0)
    frame = pd.DataFrame(search.cv_results_)
    failed = frame[(frame.step == 0) & frame["mean_test_score"].isna()]
    assert len(failed) > 0
    for member in failed["member"]:
        after = frame[(frame.step == 1) & (frame.member == member)].iloc[0]
        assert after["parent"] >= 0 and np.isfinite(after["mean_test_score"])
    assert np.isfinite(search.best_score_)


@pytest.mark.parametrize(
    "estimator, space, kwargs, match",
    [
        (SVC(), {"C": [1, 2]}, {}, "has no partial_fit method"),
        (SVC(), {"C": [1, 2]}, {"resource": "max_iter"}, "cannot continue training"),
        (
            SGDClassifier(),
            {"alpha": [1e-4]},
            {"resource": "n_samples"},
            "cannot continue a model",
        ),
        (
            MLPClassifier(),
            {"hidden_layer_sizes": [(8,), (16,)], "alpha": [1e-4, 1e-3]},
            {"mutable": ["hidden_layer_sizes"]},
            "MLPClassifier cannot change it mid-training",
        ),
        (
            SGDClassifier(),
            {"alpha": [1e-4, 1e-3]},
            {"mutable": ["eta0"]},
            "not searched",
        ),
        (
            make_pipeline(StandardScaler(), SGDClassifier()),
            {
                "standardscaler__with_mean": [True, False],
                "sgdclassifier__alpha": [1e-4],
            },
            {"mutable": ["standardscaler__with_mean"]},
            "a Pipeline step before the last is fitted once",
        ),
        (
            SGDClassifier(),
            {"alpha": [1e-4]},
            {"population_size": 1},
            "'population_size' parameter",
        ),
        (
            SGDClassifier(),
            {"alpha": [1e-4]},
            {"exploit_fraction": 0.6},
            "'exploit_fraction' parameter",
        ),
        (
            SGDClassifier(),
            {"alpha": [1e-4]},
            {"exploit_fraction": 0.0},
            "'exploit_fraction' parameter",
        ),
        (
            SGDClassifier(),
            {"alpha": [1e-4]},
            {"perturbation_factors": (0.8, -1.2)},
            "perturbation_factors must be two positive numbers",
        ),
        (
            SGDClassifier(),
            {"alpha": [1e-4]},
            {"selection": "roulette"},
            "'selection' parameter",
        ),
    ],
)
def test_bad_input_is_named_before_any_fit(estimator, space, kwargs, match):
    X, y = load_iris(return_X_y=True)
    with pytest.raises(ValueError, match=match):
        PBTSearchCV(estimator, space, **kwargs).fit(X, y)


def test_empty_space_is_refused_before_any_fit():
    # scikit-learn's searches evaluate {} once; a population would train copies
    X, y = load_iris(return_X_y=True)
    EpochClassifier.calls.clear()
    for space in ({}, [{}, {}]):
        search = PBTSearchCV(EpochClassifier(), space, population_size=2, n_steps=2)
        with pytest.raises(
            ValueError,
            match=r"param_distributions has no hyperparameter: .* every member "
            r"would train the same model\. .*BayesSearchCV\(estimator, \{\}\)",
        ):
            search.fit(X, y)
    assert EpochClassifier.calls == []


def test_default_mutable_and_the_reasons_for_the_others():
    X, y = load_iris(return_X_y=True)
    search = PBTSearchCV(
        MLPClassifier(max_iter=1),
        {"hidden_layer_sizes": [(4,), (8,)], "alpha": loguniform(1e-5, 1e-2)},
        population_size=2,
        n_steps=2,
        cv=2,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    assert search.mutable_ == ["alpha"]
    assert "network's shape" in search.fixed_["hidden_layer_sizes"]
    frame = pd.DataFrame(search.cv_results_)
    # The shape never changes within a lineage.
    for lineage in search.lineage_.values():
        shapes = {
            frame[(frame.member == m) & (frame.step == s)][
                "param_hidden_layer_sizes"
            ].iloc[0]
            for s, m in enumerate(lineage)
        }
        assert len(shapes) == 1
    assert not math.isnan(search.best_score_)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_asynchronous_members_go_on_at_their_own_pace(n_jobs):
    search = schedule_search(asynchronous=True, n_jobs=n_jobs).fit(X0, Y0)
    frame = pd.DataFrame(search.cv_results_)
    assert len(frame) <= 8 * 10
    assert search.n_exploits_ > 0
    for member, rows in frame.groupby("member"):
        steps = rows.sort_values("step")["step"].to_numpy()
        assert np.all(np.diff(steps) > 0)  # never back: a copy jumps ahead
        assert steps[-1] == 9  # every member finishes
        assert len(search.lineage_[member]) == 10
    assert list(frame["n_resources"]) == list(frame["step"] + 1)
    assert len(search.best_schedule_) == 10
    assert search.best_estimator_.score(X0) == pytest.approx(search.best_score_)


def test_asynchronous_with_one_worker_is_reproducible():
    a = schedule_search(asynchronous=True).fit(X0, Y0)
    b = schedule_search(asynchronous=True).fit(X0, Y0)
    np.testing.assert_array_equal(
        a.cv_results_["mean_test_score"], b.cv_results_["mean_test_score"]
    )
    assert a.cv_results_["params"] == b.cv_results_["params"]


@pytest.mark.parametrize("selection", ["truncation", "tournament"])
def test_asynchronous_lineage_is_the_model_it_carries(selection):
    """The replayed schedule reproduces the best row's score exactly: the
    recorded lineage is the one whose model the member carried."""
    for seed in range(6):
        search = schedule_search(
            asynchronous=True, selection=selection, random_state=seed
        ).fit(X0, Y0)
        assert search.best_estimator_.score(X0) == pytest.approx(search.best_score_)


@pytest.mark.parametrize("asynchronous", [False, True])
def test_every_members_schedule_is_read_from_the_results(asynchronous):
    """schedule_of reads a row's schedule from cv_results_ alone: the best
    row's is best_schedule_, and every row's, replayed from scratch,
    scores what the row scored (the score depends on the schedule only)."""
    search = schedule_search(asynchronous=asynchronous, n_steps=6).fit(X0, Y0)
    r = search.cv_results_
    params, carriers = schedule_of(r, search.best_index_)
    assert params == [dict(p) for p in search.best_schedule_[["lr"]].to_dict("records")]
    assert carriers == list(search.best_schedule_["member"])
    assert search.n_exploits_ > 0
    for row in range(len(r["params"])):
        params, carriers = schedule_of(r, row)
        assert len(params) == r["step"][row] + 1 and carriers[-1] == r["member"][row]
        model = ScheduleEstimator(ScheduleRegressor(), params, "partial_fit", 1)
        score = model.fit(X0, Y0).estimator_.score(X0)
        assert score == pytest.approx(r["mean_test_score"][row], abs=1e-12)


def test_a_warm_start_schedule_replays_to_the_recorded_split_scores():
    """A forest grown by steps, its depth changed by exploits: every row's
    schedule, replayed on the search's folds, gives its split scores."""
    search = PBTSearchCV(
        RandomForestClassifier(random_state=0),
        {"max_depth": [1, 2, 3, 4, 5, 6]},
        resource="n_estimators",
        population_size=4,
        n_steps=4,
        step_resource=3,
        mutable=["max_depth"],
        cv=3,
        random_state=0,
    ).fit(X_IRIS, Y_IRIS)
    r = search.cv_results_
    assert search.n_exploits_ > 0
    for row in range(len(r["params"])):
        schedule, _ = schedule_of(r, row)
        model = ScheduleEstimator(search.estimator, schedule, "n_estimators", 3)
        for k, (train, test) in enumerate(StratifiedKFold(3).split(X_IRIS, Y_IRIS)):
            fitted = model.fit(X_IRIS[train], Y_IRIS[train]).estimator_
            score = fitted.score(X_IRIS[test], Y_IRIS[test])
            assert score == r[f"split{k}_test_score"][row]
            assert fitted.n_estimators == 3 * len(schedule)


def test_callable_refit_gets_the_schedule_of_the_row_it_picks():
    def first_row_of_member_2(results):
        return int(np.flatnonzero((results["member"] == 2) & (results["step"] == 0))[0])

    search = schedule_search(population_size=4, n_steps=4, refit=first_row_of_member_2)
    search.fit(X0, Y0)
    assert len(search.best_schedule_) == 1
    assert search.best_schedule_["lr"].iloc[0] == search.best_params_["lr"]
    assert search.best_estimator_.lr == search.best_params_["lr"]
    assert search.best_estimator_.n_epochs_ == 1


def test_multimetric_without_refit():
    X, y = load_iris(return_X_y=True)
    search = PBTSearchCV(
        SGDClassifier(random_state=0),
        {"alpha": loguniform(1e-5, 1e-1)},
        scoring=["accuracy", "f1_macro"],
        refit=False,
        objective="accuracy",
        population_size=4,
        n_steps=2,
        cv=2,
        random_state=0,
    ).fit(X, y)
    assert not hasattr(search, "best_schedule_")
    assert len(search.lineage_) == 4


def test_updates_are_validated_and_only_what_changes_moves_the_optimiser():
    X, y = load_iris(return_X_y=True)
    sgd = SGDClassifier(random_state=0).partial_fit(X, y, classes=np.unique(y))
    with pytest.raises(ValueError, match="'alpha' parameter of SGDClassifier"):
        apply_update(sgd, {"alpha": -1.0})
    mlp = MLPClassifier(
        solver="sgd", learning_rate="invscaling", learning_rate_init=0.1, random_state=0
    )
    for _ in range(3):
        mlp.partial_fit(X, y, classes=np.unique(y))
    decayed = mlp._optimizer.learning_rate
    assert decayed < 0.1
    apply_update(mlp, {})
    assert mlp._optimizer.learning_rate == decayed
    apply_update(mlp, {"momentum": 0.5})
    assert mlp._optimizer.learning_rate == decayed and mlp._optimizer.momentum == 0.5


def test_registry_matches_the_estimator():
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.linear_model import SGDOneClassSVM

    from skhpo._mutable import known_mutable

    assert "nu" not in known_mutable(SGDClassifier())[0]
    assert "nu" in known_mutable(SGDOneClassSVM())[0]
    assert "momentum" not in known_mutable(MLPClassifier())[0]  # adam
    assert "momentum" in known_mutable(MLPClassifier(solver="sgd"))[0]
    X, y = load_iris(return_X_y=True)
    with pytest.raises(ValueError, match="would rescale the past"):
        PBTSearchCV(
            GradientBoostingClassifier(),
            {"learning_rate": [0.05, 0.1]},
            resource="n_estimators",
            mutable=["learning_rate"],
        ).fit(X, y)


def test_model_transfer_is_measured_where_models_move():
    X, y = load_digits(return_X_y=True)

    def run(n_jobs):
        return PBTSearchCV(
            SGDClassifier(random_state=0),
            {"alpha": loguniform(1e-5, 1e-1)},
            population_size=4,
            n_steps=3,
            cv=2,
            n_jobs=n_jobs,
            random_state=0,
        ).fit(X[:400], y[:400])

    moved = run(2).model_transfer_
    assert moved["n_moves"] == 4 * 2  # every member, at steps 1 and 2
    assert moved["bytes"] > 1000 and moved["seconds"] > 0
    assert run(1).model_transfer_ == {"n_moves": 0, "bytes": 0, "seconds": 0.0}


def test_models_only_cloudpickle_handles_travel_and_are_measured():
    X, y = load_digits(return_X_y=True)
    model = make_pipeline(
        FunctionTransformer(lambda Z: Z / 16.0), SGDClassifier(random_state=0)
    )
    search = PBTSearchCV(
        model,
        {"sgdclassifier__alpha": loguniform(1e-5, 1e-1)},
        population_size=4,
        n_steps=3,
        cv=2,
        n_jobs=2,
        random_state=0,
    ).fit(X[:400], y[:400])
    assert search.model_transfer_["n_moves"] == 8
    assert search.model_transfer_["bytes"] > 1000
    assert np.isfinite(search.best_score_)


def test_reasons_for_fixed_hyperparameters_and_a_clean_best_estimator():
    from sklearn.ensemble import GradientBoostingRegressor

    X, y = load_iris(return_X_y=True)
    sgd = PBTSearchCV(
        SGDClassifier(random_state=0),
        {"loss": ["hinge", "log_loss"], "alpha": loguniform(1e-5, 1e-1)},
        mutable=["alpha"],
        resource="max_iter",
        population_size=2,
        n_steps=3,
        cv=2,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SGD's convergence warnings
        sgd.fit(X, y)
    assert "does not read it again at each step" in sgd.fixed_["loss"]
    # The refit model says what it trained, with warm_start as given.
    assert sgd.best_estimator_.max_iter == 3
    assert sgd.best_estimator_.warm_start is False
    boosting = PBTSearchCV(
        GradientBoostingRegressor(random_state=0),
        {"learning_rate": [0.1, 0.2], "max_depth": [2, 3]},
        resource="n_estimators",
        population_size=2,
        n_steps=2,
        cv=2,
        random_state=0,
    ).fit(X, y)
    assert boosting.mutable_ == ["max_depth"]
    assert "would rescale the past" in boosting.fixed_["learning_rate"]


def test_warns_when_the_resource_owner_stops_early():
    from sklearn.ensemble import HistGradientBoostingClassifier

    X, y = load_iris(return_X_y=True)

    def fit(estimator):
        return PBTSearchCV(
            estimator,
            {"max_depth": [2, 3]},
            resource="max_iter",
            population_size=2,
            n_steps=2,
            step_resource=2,
            cv=2,
            random_state=0,
        ).fit(X, y)

    with pytest.warns(
        UserWarning, match="stops early.*n_resources in cv_results_"
    ) as caught:
        fit(HistGradientBoostingClassifier(early_stopping=True))
    # at the line calling fit (in ``fit`` above), whatever lies in between
    assert {w.filename for w in caught if "stops early" in str(w.message)} == {__file__}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "auto" does not stop on 75 samples
        fit(HistGradientBoostingClassifier())
