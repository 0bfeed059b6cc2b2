"""diagnose flags each planted problem, and nothing on a healthy search."""

import numpy as np
import pytest
from scipy.stats import uniform
from sklearn.base import ClassifierMixin
from sklearn.datasets import load_digits, load_iris
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold, RandomizedSearchCV
from sklearn.svm import SVC

from skhpo import BayesSearchCV, HyperbandSearchCV, PBTSearchCV, diagnose
from skhpo.space import Real
from skhpo.utils._testing import (
    AnalyticRegressor,
    EpochClassifier,
    FailingClassifier,
    _FitRecorder,
)

X, Y = load_iris(return_X_y=True)

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def _flags(search):
    report = diagnose(search, print_summary=False)
    return set(report.index[report["flagged"]]), report


def test_a_healthy_search_has_no_red_flag(capsys):
    X_digits, y_digits = load_digits(return_X_y=True)
    # the scores plateau from C of about 5 upwards: the range goes well past
    # it, so that no tie sits at its upper edge
    search = BayesSearchCV(
        SVC(),
        {
            "C": Real(1e-2, 1e3, prior="log-uniform"),
            "gamma": Real(1e-5, 1e-1, prior="log-uniform"),
        },
        n_iter=15,
        random_state=0,
    ).fit(X_digits, y_digits)
    flagged, report = _flags(search)
    assert flagged == set()
    assert list(report.columns) == ["flagged", "detail", "advice"]
    assert {"edge", "failures", "within_noise", "unstable_best"} <= set(report.index)
    diagnose(search)
    assert capsys.readouterr().out.startswith("No red flags among")


def _plateau_from_2(x1, x2):
    return max(0.0, 2.0 - x1)


def _plateau_from_4(x1, x2):
    return max(0.0, 4.0 - x1)


@pytest.mark.parametrize(
    "function, flagged", [(_plateau_from_2, False), (_plateau_from_4, True)]
)
def test_ties_for_the_best_are_at_the_edge_only_if_all_of_them_are(function, flagged):
    # x1 = 4, at the upper edge of the values tried, ranks first among the
    # ties (the first row); with 2 and 3 tied with it, the optimum is not
    # at the edge
    search = GridSearchCV(
        AnalyticRegressor(function=function), {"x1": [4.0, 3.0, 2.0, 1.0, 0.0]}, cv=2
    ).fit(X, Y)
    assert search.cv_results_["params"][search.best_index_] == {"x1": 4.0}
    report = diagnose(search, print_summary=False)
    assert report.loc["edge", "flagged"] == flagged
    if flagged:
        assert report.loc["edge", "detail"] == "x1=4 (upper edge)"


def test_a_best_value_at_the_edge_of_its_range():
    # the accuracy grows with C up to 0.1 (0.32, 0.32, 0.90 on iris)
    search = GridSearchCV(SVC(), {"C": [0.001, 0.01, 0.1]}, cv=3).fit(X, Y)
    flagged, report = _flags(search)
    assert "edge" in flagged
    assert "upper edge" in report.loc["edge", "detail"]
    assert "Widen the range" in report.loc["edge", "advice"]


def test_categories_never_tried():
    search = BayesSearchCV(
        SVC(),
        {
            "C": Real(1e-1, 1e1, prior="log-uniform"),
            "kernel": ["linear", "rbf", "poly", "sigmoid"],
        },
        n_iter=2,
        n_initial_points=2,
        random_state=0,
    ).fit(X, Y)
    tried = {p["kernel"] for p in search.cv_results_["params"]}
    flagged, report = _flags(search)
    assert "untried_categories" in flagged
    for kernel in {"linear", "rbf", "poly", "sigmoid"} - tried:
        assert f"kernel={kernel!r}" in report.loc["untried_categories", "detail"]


def test_most_candidates_failed_with_their_errors():
    search = BayesSearchCV(
        FailingClassifier(fail_on=(1, 2, 3)),
        {"parameter": [0, 1, 2, 3, 4]},
        n_iter=5,
        cv=2,
    )
    with pytest.warns(FitFailedWarning):
        search.fit(X, Y)
    flagged, report = _flags(search)
    assert "failures" in flagged
    detail = report.loc["failures", "detail"]
    assert detail.startswith("3 of 5 candidates failed")
    assert "2 fits: ValueError: Failing classifier failed as required" in detail


def test_candidates_within_noise_of_each_other():
    search = BayesSearchCV(
        LogisticRegression(max_iter=500),
        {"C": Real(1.0, 1.2)},
        n_iter=6,
        random_state=0,
    ).fit(X, Y)
    flagged, report = _flags(search)
    assert "within_noise" in flagged
    assert "better than 0 of the 5" in report.loc["within_noise", "detail"]


def test_defaults_not_beaten():
    search = BayesSearchCV(
        SVC(),
        {"C": Real(0.5, 2.0, prior="log-uniform")},
        n_iter=8,
        initial_params="current",
        random_state=0,
    ).fit(X, Y)
    flagged, report = _flags(search)
    assert "default_not_beaten" in flagged
    # without the defaults evaluated, nothing is said about them
    other = BayesSearchCV(
        SVC(), {"C": Real(0.5, 2.0, prior="log-uniform")}, n_iter=8, random_state=0
    ).fit(X, Y)
    assert "default_not_beaten" not in _flags(other)[1].index


class _LuckyFolds(ClassifierMixin, _FitRecorder):
    """Scores ``a``; above 0.9 by +-0.4 depending on the fold (its test rows'
    place in X), so that one lucky fold carries it."""

    def __init__(self, a=0.5):
        self.a = a

    def score(self, X, y=None, sample_weight=None):
        where = X[:, 0].mean()
        jitter = 0.01 * where / 30  # every candidate varies a little
        if self.a > 0.9:
            return self.a + (0.4 if where > 10 else -0.4) + jitter
        return self.a + jitter


def test_an_unstable_best():
    X_rows = np.arange(30.0)[:, None]
    y_rows = np.tile([0, 1], 15)
    search = BayesSearchCV(
        _LuckyFolds(),
        {"a": [0.5, 0.6, 0.7, 0.8, 0.95]},
        n_iter=5,
        cv=KFold(3),
    ).fit(X_rows, y_rows)
    assert search.best_params_ == {"a": 0.95}
    flagged, _ = _flags(search)
    assert "unstable_best" in flagged


class _Flips(ClassifierMixin, _FitRecorder):
    """Scores ``quality`` once trained on 10 samples or more, and
    ``1 - quality`` before: the first rung ranks backwards."""

    def __init__(self, quality=0.5):
        self.quality = quality

    def fit(self, X, y):
        self.n_fit_ = len(X)
        return super().fit(X, y)

    def score(self, X, y=None, sample_weight=None):
        return self.quality if self.n_fit_ >= 10 else 1 - self.quality


@pytest.mark.parametrize("estimator, flagged", [(_Flips(), True), (None, False)])
def test_rungs_that_rank_unlike_the_last(estimator, flagged):
    X_rows, y_rows = np.zeros((300, 1)), np.tile([0, 1], 150)
    if estimator is None:  # more training helps every candidate alike
        search = HyperbandSearchCV(
            EpochClassifier(),
            {"quality": uniform(0, 1)},
            resource="partial_fit",
            max_resources=27,
            cv=2,
            random_state=0,
        ).fit(X, Y)
    else:
        search = HyperbandSearchCV(
            estimator,
            {"quality": uniform(0, 1)},
            resource="n_samples",
            min_resources=10,
            max_resources=90,
            cv=2,
            random_state=0,
        ).fit(X_rows, y_rows)
    found, report = _flags(search)
    assert ("rungs_disagree" in found) is flagged
    assert "rank correlation" in report.loc["rungs_disagree", "detail"]


def test_a_population_collapsed_onto_one_lineage():
    search = PBTSearchCV(
        EpochClassifier(),
        {"quality": uniform(0, 1)},
        population_size=4,
        n_steps=8,
        exploit_fraction=0.5,
        cv=2,
        random_state=0,
    ).fit(X, Y)
    founders = {lineage[0] for lineage in search.lineage_.values()}
    assert len(founders) == 1
    flagged, report = _flags(search)
    assert "collapsed_population" in flagged
    assert "from 1 of the 4" in report.loc["collapsed_population", "detail"]


def test_scikit_learns_own_search_and_its_results():
    search = RandomizedSearchCV(
        SVC(),
        {"C": [1e-3, 1e-2, 1e-1], "kernel": ["rbf", "linear"]},
        n_iter=6,
        random_state=0,
    ).fit(X, Y)
    flagged, report = _flags(search)
    assert "edge" in flagged  # C=0.1 is the largest value tried
    # from cv_results_ alone, the checks that need the search are left out
    bare = diagnose(search.cv_results_, print_summary=False)
    assert "untried_categories" not in bare.index
    assert bare.loc["edge", "flagged"]
