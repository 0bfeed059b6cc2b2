"""reevaluate against cross_validate repeated by hand on the same seeds."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import (
    HalvingGridSearchCV,
    KFold,
    StratifiedKFold,
    cross_validate,
)
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from skhpo import BayesSearchCV, HyperbandSearchCV, PBTSearchCV, reevaluate
from skhpo._fidelity import ScheduleEstimator
from skhpo.importance._reevaluate import _finalists
from skhpo.search.pbt import schedule_of
from skhpo.space import Integer, Real

X, Y = load_iris(return_X_y=True)


@pytest.fixture(scope="module")
def forest_search():
    return BayesSearchCV(
        RandomForestClassifier(n_estimators=8),
        {"max_depth": Integer(1, 5), "max_features": Real(0.2, 1.0)},
        n_iter=6,
        cv=3,
        random_state=0,
    ).fit(X, Y)


def test_the_same_scores_as_cross_validate_by_hand(forest_search):
    report = reevaluate(forest_search, X, Y, top=3, seeds=2, random_state=1)
    seeds, scores = report.attrs["seeds"], report.attrs["scores"]
    assert scores.shape == (3, 2, 3)
    ranked = np.argsort(-forest_search.cv_results_["mean_test_score"], kind="stable")
    for i, row in enumerate(ranked[:3]):
        params = forest_search.cv_results_["params"][row]
        by_hand = []
        for seed in seeds:
            model = RandomForestClassifier(n_estimators=8, random_state=seed)
            model.set_params(**params)
            cv = StratifiedKFold(3, shuffle=True, random_state=seed)
            by_hand.append(cross_validate(model, X, Y, cv=cv)["test_score"])
        np.testing.assert_array_equal(scores[i], by_hand)
        assert report.loc[row, "mean"] == pytest.approx(np.mean(by_hand))
        assert report.loc[row, "std"] == pytest.approx(np.std(by_hand))
        np.testing.assert_allclose(
            report.loc[row, "seed_means"], np.mean(by_hand, axis=1)
        )
    assert report["mean"].is_monotonic_decreasing
    assert report.attrs["varied"] == ["random_state"]


def test_a_clearly_worse_candidate_is_called_worse():
    search = BayesSearchCV(
        KNeighborsClassifier(),
        {"n_neighbors": [5, 10, 110]},
        n_iter=3,
        cv=5,
        random_state=0,
    ).fit(X, Y)
    with pytest.warns(UserWarning, match="only the cross-validation splits"):
        report = reevaluate(search, X, Y, top=3, seeds=3, refit=True)
    worst = report.index[-1]
    assert search.cv_results_["params"][worst] == {"n_neighbors": 110}
    assert report.loc[worst, "worse"]
    assert report.loc[worst, "p_corrected"] < 0.05
    assert np.isnan(report["p_corrected"].iloc[0])  # the best, against itself
    best = report.attrs["best_estimator"]
    assert best.n_neighbors == report.attrs["best_params"]["n_neighbors"]
    assert best.predict(X).shape == Y.shape


def test_a_pipelines_seeds_are_varied():
    search = BayesSearchCV(
        make_pipeline(StandardScaler(), RandomForestClassifier(n_estimators=5)),
        {"randomforestclassifier__max_depth": Integer(1, 4)},
        n_iter=3,
        cv=3,
        random_state=0,
    ).fit(X, Y)
    report = reevaluate(search, X, Y, top=2, seeds=2)
    assert report.attrs["varied"] == ["randomforestclassifier__random_state"]


def _sgd_by_epochs(params, seed, epochs, X, y):
    """A pipeline's SGD trained by ``epochs`` partial_fit calls, by hand."""
    scaler = StandardScaler().fit(X)
    model = SGDClassifier(learning_rate="constant", random_state=seed)
    model.set_params(**{k.split("__")[-1]: v for k, v in params.items()})
    for _ in range(epochs):
        model.partial_fit(scaler.transform(X), y, classes=np.unique(Y))
    return scaler, model


def _sgd_pipe(**sgd):
    return make_pipeline(
        StandardScaler(),
        SGDClassifier(learning_rate="constant", random_state=0, **sgd),
    )


def _coef_norm(estimator, X_, y_):
    return float(np.abs(estimator[-1].coef_).sum())  # the Pipeline's last step


def _sgd_search(n_brackets=None, **sgd):
    space = {
        "sgdclassifier__eta0": Real(1e-4, 1e-1, prior="log-uniform"),
        "sgdclassifier__alpha": Real(1e-6, 1e-1, prior="log-uniform"),
    }
    return HyperbandSearchCV(
        _sgd_pipe(**sgd),
        space,
        resource="partial_fit",
        max_resources=9,
        n_brackets=n_brackets,
        cv=3,
        random_state=0,
    ).fit(X, Y)


def _first_ranked(results, top, key):
    """The rows of the ``top`` candidates first in ``rank_test_score``, one
    row per candidate (``key`` names it)."""
    rows, seen = [], set()
    for row in np.argsort(results["rank_test_score"], kind="stable"):
        if key(row) not in seen and len(rows) < top:
            seen.add(key(row))
            rows.append(row)
    return rows


@pytest.mark.parametrize("n_brackets, at_9", [(None, 2), (1, 1)])
def test_a_partial_fit_search_is_retrained_by_its_epochs(n_brackets, at_9):
    """The finalists of HyperbandSearchCV(resource="partial_fit") are those
    it ranks first (the largest resource first), trained again by as many
    partial_fit calls as the best's row (9), not by fit. With one bracket,
    one candidate reached 9 epochs: the runner-up, stopped at 3, is trained
    for 9 as well."""
    search = _sgd_search(n_brackets)
    report = reevaluate(search, X, Y, top=2, seeds=2, random_state=1, refit=True)
    seeds, scores = report.attrs["seeds"], report.attrs["scores"]
    r = search.cv_results_
    rows = _first_ranked(r, 2, key=lambda row: r["candidate"][row])
    assert sorted(report.index) == sorted(rows)
    level = report.attrs["n_resources"]
    assert level == 9
    assert sorted(report["n_resources"]) == sorted(r["n_resources"][rows])
    assert (report["n_resources"] == 9).sum() == at_9
    by_fit = []
    for i, row in enumerate(rows):  # attrs["scores"] in the search's order
        params = r["params"][row]
        for s, seed in enumerate(seeds):
            cv = StratifiedKFold(3, shuffle=True, random_state=seed)
            by_hand = []
            for train, test in cv.split(X, Y):
                scaler, model = _sgd_by_epochs(params, seed, level, X[train], Y[train])
                by_hand.append(model.score(scaler.transform(X[test]), Y[test]))
            np.testing.assert_array_equal(scores[i, s], by_hand)
            fitted = clone(search.estimator).set_params(
                **params, sgdclassifier__random_state=seed
            )
            by_fit.append(cross_validate(fitted, X, Y, cv=cv)["test_score"])
    assert not np.array_equal(scores.reshape(len(by_fit), -1), by_fit)
    # the refit model: the best re-evaluated candidate, trained on all data
    best = report.attrs["best_estimator"]
    params = report.attrs["best_params"]
    scaler, model = _sgd_by_epochs(params, 0, level, X, Y)
    np.testing.assert_array_equal(best[-1].coef_, model.coef_)
    np.testing.assert_array_equal(best.predict(X), model.predict(scaler.transform(X)))


def test_a_partial_fit_search_keeps_every_class_and_its_scorer_sees_the_model():
    """A training part without the third class: the models still know the
    three classes, as in the search, so that log-loss on a test part with
    all three is finite; a scorer gets the trained Pipeline itself."""
    search = _sgd_search(loss="log_loss")
    rows = np.arange(len(Y))
    test = np.concatenate([rows[Y == k][:10] for k in (0, 1, 2)])
    train = np.setdiff1d(rows[Y != 2], test)
    report = reevaluate(
        search, X, Y, top=1, seeds=2, cv=[(train, test)], scoring="neg_log_loss"
    )
    assert np.isfinite(report.attrs["scores"]).all()

    report = reevaluate(search, X, Y, top=1, seeds=1, scoring=_coef_norm)
    scores = report.attrs["scores"]
    assert np.isfinite(scores).all() and (scores > 0).all()


def test_a_halving_searchs_runners_up_are_trained_at_its_largest_resource():
    """scikit-learn's halving with an estimator parameter as the resource:
    its rows carry no candidate number (a candidate is its parameters but
    the resource). Nine candidates, three of them given 3 trees and one 9:
    the finalists stopped at 1 and 3 trees are trained with 9, as the
    winner was, and compared with it."""
    search = HalvingGridSearchCV(
        RandomForestClassifier(random_state=0),
        {"max_depth": list(range(1, 10))},
        resource="n_estimators",
        min_resources=1,
        max_resources=9,
        factor=3,
        cv=3,
    ).fit(X, Y)
    r = search.cv_results_
    assert sorted(set(r["n_resources"])) == [1, 3, 9]
    report = reevaluate(search, X, Y, top=4, seeds=2, random_state=2, refit=True)
    rows = _first_ranked_by_halving(r, 4)
    assert sorted(report.index) == sorted(rows)
    assert sorted(report["n_resources"]) == [1, 3, 3, 9]
    assert report.attrs["n_resources"] == 9
    for i, row in enumerate(rows):
        depth = r["params"][row]["max_depth"]
        assert report.loc[row, "params"] == {"max_depth": depth, "n_estimators": 9}
        by_hand = []
        for seed in report.attrs["seeds"]:
            model = RandomForestClassifier(9, max_depth=depth, random_state=seed)
            cv = StratifiedKFold(3, shuffle=True, random_state=seed)
            by_hand.append(cross_validate(model, X, Y, cv=cv)["test_score"])
        np.testing.assert_array_equal(report.attrs["scores"][i], by_hand)
    assert report.attrs["best_estimator"].n_estimators == 9


def _first_ranked_by_halving(results, top):
    """The candidates of the last iteration by score, then those of the
    iterations before, one row each (a candidate is its max_depth)."""
    depth = [p["max_depth"] for p in results["params"]]
    order = sorted(
        range(len(depth)),
        key=lambda row: (-results["iter"][row], -results["mean_test_score"][row]),
    )
    rows, seen = [], set()
    for row in order:
        if depth[row] not in seen and len(rows) < top:
            seen.add(depth[row])
            rows.append(row)
    return rows


def test_iterations_at_one_resource_rank_the_last_first():
    """scikit-learn's aggressive elimination runs its three iterations on the
    same 150 samples: its best is the last iteration's, and so is the
    first finalist; candidates the search dropped come after the ones it
    kept. With n_samples, nothing is trained at a smaller resource."""
    search = HalvingGridSearchCV(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": list(range(1, 10))},
        min_resources=150,
        aggressive_elimination=True,
        factor=3,
        cv=3,
        random_state=0,
    ).fit(X, Y)
    r = search.cv_results_
    assert set(r["n_resources"]) == {150} and max(r["iter"]) == 2
    report = reevaluate(search, X, Y, top=4, seeds=1, random_state=3)
    rows, _ = _finalists(r, search, "score", 4, "t")
    assert rows[0] == search.best_index_
    assert [r["iter"][row] for row in rows] == [2, 1, 1, 0]
    assert sorted(report.index) == sorted(rows)
    assert report.attrs["n_resources"] is None
    for i, row in enumerate(rows):
        model = DecisionTreeClassifier(random_state=report.attrs["seeds"][0])
        cv = StratifiedKFold(3, shuffle=True, random_state=report.attrs["seeds"][0])
        model.set_params(**r["params"][row])
        by_hand = cross_validate(model, X, Y, cv=cv)["test_score"]
        np.testing.assert_array_equal(report.attrs["scores"][i, 0], by_hand)


def test_a_candidate_that_failed_where_it_stopped_is_not_a_finalist():
    """Candidate 0 reached 9 and failed there: its score at 3 does not bring
    it back; nor does a failed row count as a finalist."""
    results = {
        "params": [{"a": a} for a in (0, 1, 2, 0, 1, 2, 0)],
        "candidate": np.array([0, 1, 2, 0, 1, 2, 0]),
        "n_resources": np.array([1, 1, 1, 3, 3, 3, 9]),
        "mean_test_score": np.array([0.5, 0.6, 0.7, 0.95, 0.9, 0.8, np.nan]),
    }
    rows, level = _finalists(results, None, "score", 5, "t")
    assert rows == [4, 5] and level == 3
    results["mean_test_score"][[4, 5]] = np.nan
    with pytest.raises(ValueError, match="every candidate failed at the largest"):
        _finalists(results, None, "score", 5, "t")


def _pbt_search(**kwargs):
    """PBT of an SGD that does not shuffle: its seed does not change its
    training."""
    return PBTSearchCV(
        _sgd_pipe(shuffle=False),
        {"sgdclassifier__eta0": Real(1e-4, 1e-1, prior="log-uniform")},
        population_size=4,
        step_resource=2,
        cv=3,
        random_state=0,
        **kwargs,
    ).fit(X, Y)


@pytest.mark.parametrize("asynchronous", [False, True])
def test_pbt_members_are_trained_by_replaying_their_schedules(asynchronous):
    """PBT with partial_fit: each member of the last step is trained again
    through its schedule. Without shuffling, the SGD's seed does not change
    its training, so on the search's own folds the replays score exactly
    what the search recorded, split by split."""
    search = _pbt_search(n_steps=4, asynchronous=asynchronous)
    r = search.cv_results_
    assert search.n_exploits_ > 0
    report = reevaluate(search, X, Y, top=4, seeds=2, cv=StratifiedKFold(3))
    assert report.attrs["n_resources"] == 8
    last = np.flatnonzero(r["step"] == 3)
    rows = last[np.argsort(-r["mean_test_score"][last], kind="stable")]
    assert sorted(report.index) == sorted(rows)
    for i, row in enumerate(rows):
        recorded = [r[f"split{k}_test_score"][row] for k in range(3)]
        for s in range(2):
            np.testing.assert_allclose(report.attrs["scores"][i, s], recorded)


def test_a_pbt_member_that_stopped_early_goes_on_as_it_ended():
    """Two members' last rows removed, as a search ended by max_time leaves
    them: their schedules go on with their last hyperparameters to the
    others' resource (scored by the size of the trained coefficients)."""
    search = _pbt_search(n_steps=3)
    r = search.cv_results_
    keep = ~((r["step"] == 2) & np.isin(r["member"], [0, 1]))
    search.cv_results_ = {k: np.asarray(v)[keep] for k, v in r.items()}
    search.cv_results_["params"] = list(search.cv_results_["params"])
    r = search.cv_results_
    cv = StratifiedKFold(3)
    report = reevaluate(search, X, Y, top=4, seeds=1, cv=cv, scoring=_coef_norm)
    assert report.attrs["n_resources"] == 6
    assert sorted(report["n_resources"]) == [4, 4, 6, 6]
    # attrs["scores"] in the finalists' order: the last step first, by score
    rows = sorted(report.index, key=lambda i: (-r["step"][i], -r["mean_test_score"][i]))
    seed = report.attrs["seeds"][0]
    for row, scores in zip(rows, report.attrs["scores"][:, 0]):
        schedule, _ = schedule_of(r, row)
        padded = schedule + schedule[-1:] * (3 - len(schedule))
        model = _sgd_pipe(shuffle=False).set_params(sgdclassifier__random_state=seed)
        by_hand = {}
        for name, steps in (("padded", padded), ("as searched", schedule)):
            replay = ScheduleEstimator(model, steps, "partial_fit", 2, np.unique(Y))
            by_hand[name] = [
                _coef_norm(replay.fit(X[train], Y[train]).estimator_, None, None)
                for train, _ in cv.split(X, Y)
            ]
        np.testing.assert_allclose(scores, by_hand["padded"])
        assert np.allclose(scores, by_hand["as searched"]) == (len(schedule) == 3)


def test_a_splitter_with_a_seed_is_reseeded_and_one_without_is_kept(forest_search):
    shuffled = StratifiedKFold(3, shuffle=True, random_state=0)
    report = reevaluate(forest_search, X, Y, top=1, seeds=2, cv=shuffled)
    (row,) = report.index
    params = forest_search.cv_results_["params"][row]
    for s, seed in enumerate(report.attrs["seeds"]):
        model = RandomForestClassifier(n_estimators=8, random_state=seed)
        cv = StratifiedKFold(3, shuffle=True, random_state=seed)
        by_hand = cross_validate(model.set_params(**params), X, Y, cv=cv)
        np.testing.assert_array_equal(
            report.attrs["scores"][0, s], by_hand["test_score"]
        )
    assert shuffled.random_state == 0  # the given splitter is left as it was
    report = reevaluate(forest_search, X, Y, top=1, seeds=1, cv=KFold(3))
    model = RandomForestClassifier(
        n_estimators=8, random_state=report.attrs["seeds"][0]
    )
    by_hand = cross_validate(model.set_params(**params), X, Y, cv=KFold(3))
    np.testing.assert_array_equal(report.attrs["scores"][0, 0], by_hand["test_score"])


def test_scores_that_all_fail_give_a_clear_error(forest_search):
    def broken(estimator, X_, y_):
        raise RuntimeError("no score")

    with pytest.warns(UserWarning), pytest.raises(ValueError, match="every fit"):
        reevaluate(forest_search, X, Y, top=2, seeds=1, scoring=broken)


def test_bad_input_is_refused(forest_search):
    with pytest.raises(ValueError, match="top"):
        reevaluate(forest_search, X, Y, top=0)
    with pytest.raises(ValueError, match="seeds"):
        reevaluate(forest_search, X, Y, seeds=0)
    with pytest.raises(TypeError, match="the fitted search"):
        reevaluate(forest_search.cv_results_, X, Y)
