"""BayesSearchCV with several objectives: the Pareto front of cv_results_."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils._param_validation import InvalidParameterError

from skhpo import (
    BayesSearchCV,
    HyperbandSearchCV,
    PBTSearchCV,
    best_under,
    knee_point,
    weighted,
)
from skhpo._pareto import best_first, hypervolume, pareto_ranks
from skhpo.space import Real

X_TOY, Y_TOY = np.zeros((20, 1)), np.zeros(20)


class ZDT1(RegressorMixin, BaseEstimator):
    """Two parameters; its two "scores" are ZDT1's objectives (Zitzler, Deb
    and Thiele, 2000), both to minimise: f1 = x1, f2 = g (1 - sqrt(f1 / g))
    with g = 1 + 9 x2. The Pareto front is x2 = 0, f2 = 1 - sqrt(f1)."""

    def __init__(self, x1=0.5, x2=0.5):
        self.x1 = x1
        self.x2 = x2

    def fit(self, X, y=None):
        self.fitted_ = True
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def objectives(self):
        g = 1 + 9 * self.x2
        return self.x1, g * (1 - np.sqrt(self.x1 / g))


SCORING = {
    "f1": lambda est, X, y: est.objectives()[0],
    "f2": lambda est, X, y: est.objectives()[1],
}
SPACE = {"x1": Real(0.0, 1.0), "x2": Real(0.0, 1.0)}


def _search(**kwargs):
    params = dict(
        scoring=SCORING, refit="f1", objective=["-f1", "-f2"], cv=2, random_state=0
    )
    return BayesSearchCV(ZDT1(), SPACE, **{**params, **kwargs})


def _zdt1(n_iter, random_state, **kwargs):
    return _search(n_iter=n_iter, random_state=random_state, **kwargs).fit(X_TOY, Y_TOY)


def _hypervolume(search):
    points = -np.column_stack(
        [search.cv_results_["mean_test_f1"], search.cv_results_["mean_test_f2"]]
    )
    # ZDT1's usual reference point (1, 1): the front's hypervolume is 2/3
    return hypervolume(points, reference=[-1.0, -1.0])


def test_rank_pareto_is_the_non_dominated_sorting_of_the_objectives():
    search = _zdt1(12, 0)
    results = search.cv_results_
    points = -np.column_stack([results["mean_test_f1"], results["mean_test_f2"]])
    np.testing.assert_array_equal(results["rank_pareto"], pareto_ranks(points))
    np.testing.assert_array_equal(
        search.pareto_front_, np.flatnonzero(results["rank_pareto"] == 1)
    )
    assert results["rank_pareto"].dtype == np.int32
    # best_index_ is refit's: the smallest f1
    assert search.best_index_ == int(np.argmax(results["mean_test_f1"]))


def test_parego_grows_the_front_faster_than_random_proposals():
    # the same budget, proposals from the model against random ones
    ours = [_hypervolume(_zdt1(30, seed)) for seed in range(3)]
    random = [_hypervolume(_zdt1(30, seed, n_initial_points=30)) for seed in range(3)]
    # measured: 0.557-0.591 against 0.239-0.354 (1.86 times, 5 seeds)
    assert np.mean(ours) > 1.5 * np.mean(random)
    assert min(ours) > 0.5  # of the front's 2/3


def test_fit_time_is_an_objective_to_minimise():
    search = _search(objective=["f1", "-fit_time"], n_iter=6).fit(X_TOY, Y_TOY)
    points = np.column_stack(
        [search.cv_results_["mean_test_f1"], -search.cv_results_["mean_fit_time"]]
    )
    np.testing.assert_array_equal(
        search.cv_results_["rank_pareto"], pareto_ranks(points)
    )


def test_a_callable_scoring_returning_several_metrics():
    def scoring(est, X, y):
        f1, f2 = est.objectives()
        return {"f1": f1, "f2": f2}

    search = _search(scoring=scoring, n_iter=6).fit(X_TOY, Y_TOY)
    assert len(search.pareto_front_) >= 1
    bad = search.set_params(objective=["-f1", "-f3"])
    with pytest.raises(ValueError, match="'f3' is not a metric"):
        bad.fit(X_TOY, Y_TOY)


@pytest.mark.parametrize(
    "objective, match",
    [
        (["f1"], "two objectives or more"),
        (["f1", "f9"], "'f9' is not a metric of `scoring`"),
        (["f1", "-f1"], "names an objective twice"),
        (["f1", 3], "each objective is the name of a metric"),
        (["f1", "--f2"], "more than one leading"),
    ],
)
def test_bad_objectives_are_refused_before_any_fit(objective, match):
    search = _search(objective=objective, n_iter=4)
    with pytest.raises(ValueError, match=match):
        search.fit(X_TOY, Y_TOY)
    assert not hasattr(search, "cv_results_")


def test_prior_results_cannot_start_several_objectives():
    earlier = _zdt1(4, 0)
    search = _search(prior_results=earlier, n_iter=4)
    with pytest.raises(ValueError, match="one score per candidate"):
        search.fit(X_TOY, Y_TOY)


def _hyperband(**kwargs):
    params = dict(
        scoring=SCORING,
        refit="f1",
        objective=["-f1", "-f2"],
        resource="n_samples",
        min_resources=20,
        max_resources=180,
        cv=2,
        random_state=0,
    )
    return HyperbandSearchCV(ZDT1(), SPACE, **{**params, **kwargs})


X_HB, Y_HB = np.zeros((400, 1)), np.zeros(400)


@pytest.mark.parametrize("asynchronous", [False, True])
def test_hyperband_promotes_as_nsga_ii_selects(asynchronous):
    search = _hyperband(asynchronous=asynchronous).fit(X_HB, Y_HB)
    results = search.cv_results_
    points = -np.column_stack([results["mean_test_f1"], results["mean_test_f2"]])
    for b in np.unique(results["bracket"]):
        for rung in np.unique(results["iter"][results["bracket"] == b])[1:]:
            below = (results["bracket"] == b) & (results["iter"] == rung - 1)
            here = (results["bracket"] == b) & (results["iter"] == rung)
            promoted = set(results["candidate"][here])
            if asynchronous:
                # promoted from the top as the results came: by the order
                # of those finished then, which the final rung cannot show
                assert promoted <= set(results["candidate"][below])
                continue
            rows = np.flatnonzero(below)
            chosen = rows[best_first(points[rows])[: len(promoted)]]
            assert promoted == set(results["candidate"][chosen])
    # rank_pareto ranks the rows at the largest resource; the others after
    top = results["n_resources"] == results["n_resources"].max()
    np.testing.assert_array_equal(
        results["rank_pareto"][top], pareto_ranks(points[top])
    )
    assert (results["rank_pareto"][~top] > results["rank_pareto"][top].max()).all()
    assert set(search.pareto_front_) <= set(np.flatnonzero(top))


def test_hyperband_model_sampler_takes_one_objective():
    with pytest.raises(ValueError, match="sampler='model'"):
        _hyperband(sampler="model").fit(X_HB, Y_HB)


def test_pbt_takes_one_objective():
    search = PBTSearchCV(
        ZDT1(), SPACE, scoring=SCORING, refit="f1", objective=["-f1", "-f2"]
    )
    with pytest.raises(InvalidParameterError, match="objective"):
        search.fit(X_TOY, Y_TOY)


def test_refit_rules_choose_a_point_of_the_front():
    search = _zdt1(20, 0)
    results = search.cv_results_
    f1, f2 = results["mean_test_f1"], results["mean_test_f2"]
    # the smallest f2 among the candidates with f1 at most 0.3
    rule = best_under("-f2", max_f1=0.3)
    within = np.flatnonzero(f1 <= 0.3)
    assert rule(results) == within[np.argmin(f2[within])]
    # the knee: nearest the ideal point over the front, both rescaled
    knee = knee_point("-f1", "-f2")(results)
    front = search.pareto_front_
    z = -np.column_stack([f1, f2])[front]
    z = (z - z.min(axis=0)) / (z.max(axis=0) - z.min(axis=0))
    assert knee == front[np.argmin(np.linalg.norm(1 - z, axis=1))]
    assert knee in front
    # the fastest to fit among those with f2 at most its median
    fastest = best_under("-fit_time", max_f2=np.median(f2))(results)
    within = np.flatnonzero(f2 <= np.median(f2))
    assert fastest == within[np.argmin(results["mean_fit_time"][within])]
    # weights: all on f1 is the smallest f1
    assert weighted({"-f1": 1.0, "-f2": 0.0})(results) == np.argmin(f1)
    # as the search's refit
    chosen = _search(refit=knee_point("-f1", "-f2"), n_iter=20).fit(X_TOY, Y_TOY)
    assert chosen.best_index_ == knee
    assert chosen.best_params_ == results["params"][knee]
    assert not hasattr(chosen, "best_score_")  # a callable refit, as sklearn


def test_refit_rules_refuse_what_they_cannot_do():
    results = {"mean_test_f1": [0.5, 0.6], "mean_fit_time": [1.0, 2.0]}
    with pytest.raises(ValueError, match="no candidate is within"):
        best_under("f1", max_fit_time=0.1)(results)
    with pytest.raises(ValueError, match="is not a limit"):
        best_under("f1", fit_time=0.1)
    with pytest.raises(ValueError, match="two objectives or more"):
        knee_point("f1")
    with pytest.raises(ValueError, match="non-negative"):
        weighted({"f1": -1.0, "f2": 1.0})


def test_an_objective_that_fails_or_is_no_number_scores_a_failure():
    def size(est, X, y):
        if est.x1 > 0.5:
            raise RuntimeError("no size for this one")
        return "big" if est.x2 > 0.5 else float(est.x1)

    search = _search(
        scoring={**SCORING, "size": size},
        objective=["-f1", "-size"],
        n_iter=10,
    )
    with pytest.warns(UserWarning):
        search.fit(X_TOY, Y_TOY)
    results = search.cv_results_
    broken = np.array([p["x1"] > 0.5 or p["x2"] > 0.5 for p in results["params"]])
    assert broken.any() and (~broken).any()
    assert np.isnan(results["mean_test_size"][broken]).all()
    # failures rank after every finished candidate
    ranks = results["rank_pareto"]
    assert ranks[broken].min() > ranks[~broken].max()
