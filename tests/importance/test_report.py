"""importance_report against functions whose variance shares are known."""

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.stats import loguniform, randint, uniform
from sklearn.datasets import load_iris
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
from sklearn.svm import SVC

from skhpo import BayesSearchCV, HyperbandSearchCV
from skhpo.importance import SearchRangeEdgeWarning, importance_report
from skhpo.space import Integer, Real
from skhpo.utils._testing import KnownEffectsRegressor

# The best values of these objectives often sit at a bound, on purpose.
pytestmark = pytest.mark.filterwarnings(
    "ignore::skhpo.importance.SearchRangeEdgeWarning"
)

X = np.zeros((20, 1))
Y = np.zeros(20)

# Additive: log10(c) on U(-3, 3) has variance 3; n uniform on 1..9 has
# variance 80/12; the categories take values GAMMA * (0, 3, 1, 2).
BETA = math.sqrt(1.8 / (80 / 12))
GAMMA = math.sqrt(1.2 / 1.25)
KIND = {"a": 0.0, "b": 3.0, "c": 1.0, "d": 2.0}
ADDITIVE_TRUTH = {"c": 3 / 6, "n": 1.8 / 6, "kind": 1.2 / 6}


def additive(c, n, kind, d):
    return math.log10(c) + BETA * n + GAMMA * KIND[kind]


# Interaction: u = position of c in its log range, d ~ U(0, 1); the product
# of the centred terms has no main effect and variance 16 / 144.
def interacting(c, n, kind, d):
    u = (math.log10(c) + 3) / 6
    return u + 0.7 * d + 4.0 * (u - 0.5) * (d - 0.5) + 0.5 * KIND[kind] / 3


_VARS = {
    "c": 1 / 12,
    "d": 0.49 / 12,
    "c:d": 16 / 144,
    "kind": float(np.var([0.5 * KIND[k] / 3 for k in "abc"])),
}
INTERACTION_TRUTH = {k: v / sum(_VARS.values()) for k, v in _VARS.items()}


def random_search(function, space, n_iter=200, random_state=0):
    return RandomizedSearchCV(
        KnownEffectsRegressor(function=function),
        space,
        n_iter=n_iter,
        cv=2,
        random_state=random_state,
    ).fit(X, Y)


@pytest.fixture(scope="module")
def additive_search():
    space = {"c": loguniform(1e-3, 1e3), "n": randint(1, 10), "kind": list(KIND)}
    return random_search(additive, space)


def test_additive_main_effects_within_005_of_the_truth(additive_search):
    report = importance_report(additive_search)
    for name, truth in ADDITIVE_TRUTH.items():
        assert report.loc[name, "importance"] == pytest.approx(truth, abs=0.05), name
    assert report["importance"].sum() <= 1.0
    assert list(report.index) == ["c", "n", "kind"]
    assert report.loc["c", "scale"] == "log"
    assert report.loc["kind", "scale"] == "categorical"
    # An additive function has no interaction worth the name.
    pairs = pd.DataFrame.from_dict(report.attrs["interactions"], orient="index")
    assert pairs["importance"].max() < 0.05


def test_skhpo_dimensions_give_the_same_measure():
    space = {
        "c": Real(1e-3, 1e3, prior="log-uniform"),
        "n": Integer(1, 9),
        "kind": list(KIND),
    }
    search = design_search(additive, space)
    report = importance_report(search)
    assert report.attrs["n_resources"] is None
    assert report.loc["n", "scale"] == "linear"
    for name, truth in ADDITIVE_TRUTH.items():
        assert report.loc[name, "importance"] == pytest.approx(truth, abs=0.05), name


def design_search(function, space):
    """An initial design only: space-filling in the measure of the priors."""
    return BayesSearchCV(
        KnownEffectsRegressor(function=function),
        space,
        n_iter=200,
        n_initial_points=200,
        cv=2,
        random_state=0,
    ).fit(X, Y)


@pytest.mark.parametrize("sampling", ["random", "design"])
def test_planted_interaction_recovered_within_005(sampling):
    if sampling == "random":
        space = {
            "c": loguniform(1e-3, 1e3),
            "d": uniform(0, 1),
            "kind": ["a", "b", "c"],
        }
        search = random_search(interacting, space)
    else:
        space = {
            "c": Real(1e-3, 1e3, prior="log-uniform"),
            "d": Real(0, 1),
            "kind": ["a", "b", "c"],
        }
        search = design_search(interacting, space)
    report = importance_report(search)
    pairs = pd.DataFrame.from_dict(report.attrs["interactions"], orient="index")
    assert pairs.index[0] == "c:d"
    assert pairs.loc["c:d", "importance"] == pytest.approx(
        INTERACTION_TRUTH["c:d"], abs=0.05
    )
    for name in ("c", "d", "kind"):
        assert report.loc[name, "importance"] == pytest.approx(
            INTERACTION_TRUTH[name], abs=0.05
        ), name
    assert report.loc["c", "interaction"] >= pairs.loc["c:d", "importance"]
    assert report["importance"].sum() + pairs["importance"].sum() <= 1.0 + 1e-9
    assert report.attrs["explained"] == pytest.approx(
        report["importance"].sum() + pairs["importance"].sum()
    )


def test_log_measure_matters_where_a_linear_one_is_wrong(additive_search):
    """Read as a dict (no space), the values still say log: c keeps its share."""
    from_dict = importance_report(additive_search.cv_results_)
    assert from_dict.loc["c", "scale"] == "log"
    assert from_dict.loc["c", "importance"] == pytest.approx(0.5, abs=0.05)
    assert "measure read off the values" in from_dict.attrs["method"]
    # A DataFrame of the results is read like the dict.
    frame = importance_report(pd.DataFrame(additive_search.cv_results_))
    pd.testing.assert_series_equal(frame["importance"], from_dict["importance"])


def test_marginal_curves_follow_the_function(additive_search):
    report = importance_report(additive_search)
    curve = pd.DataFrame(report.attrs["marginals"]["c"])
    assert list(curve.columns) == ["value", "mean", "std"]
    x = np.log10(curve["value"].astype(float))
    # Slope 1 in log10(c), up to the surrogate's steps.
    slope = np.polyfit(x, curve["mean"], 1)[0]
    assert slope == pytest.approx(1.0, abs=0.15)
    kinds = pd.DataFrame(report.attrs["marginals"]["kind"]).set_index("value")["mean"]
    assert list(kinds.sort_values().index) == ["a", "c", "d", "b"]
    n = pd.DataFrame(report.attrs["marginals"]["n"])
    assert list(n["value"]) == list(range(1, 10))
    assert np.all(np.diff(n["mean"].to_numpy()) > -0.1)


@pytest.mark.parametrize("surrogate", ["auto", "extra-trees", "boosting"])
def test_report_is_reproducible_and_seeded(additive_search, surrogate):
    a = importance_report(additive_search, surrogate=surrogate)
    b = importance_report(additive_search, surrogate=surrogate)
    pd.testing.assert_frame_equal(a, b)
    c = importance_report(additive_search, surrogate=surrogate, random_state=1)
    # The seed draws the forest's trees, the folds of the cross-validation
    # and the points measuring the variance: shares move, a little.
    assert not a.equals(c)
    assert np.allclose(a["importance"], c["importance"], atol=0.05)


def test_works_for_grid_search_and_names_the_method():
    X, y = load_iris(return_X_y=True)
    grid = GridSearchCV(SVC(), {"C": [0.1, 1, 10, 100], "gamma": [0.01, 0.1, 1]})
    report = importance_report(grid.fit(X, y))
    assert set(report.index) == {"C", "gamma"}
    assert set(report["scale"]) == {"discrete"}
    method = report.attrs["method"]
    assert "functional ANOVA" in method and "12 finished candidates" in method
    assert report.attrs["metric"] == "mean_test_score"
    assert report.attrs["marginals"]["C"]["value"] == [0.1, 1, 10, 100]


def peaked(c, n, kind, d):
    return -((math.log10(c) - 0.5) ** 2) + n + (kind == "b")


def test_edge_warning_names_the_parameter():
    grid = GridSearchCV(
        KnownEffectsRegressor(function=peaked),
        {"c": [0.01, 0.1, 1, 10, 100], "n": [1, 2, 3, 4], "kind": ["a", "b"]},
        cv=2,
    ).fit(X, Y)
    with pytest.warns(SearchRangeEdgeWarning) as record:
        report = importance_report(grid)
    # n is best at the last value of its list; c inside; kind is not numeric.
    assert len(record) == 1
    assert (
        "best candidate's n=4 lies at the upper edge of its searched range [1, 4]"
        in str(record[0].message)
    )
    assert list(report["at_edge"].loc[["n", "c", "kind"]]) == ["upper", "", ""]

    # A continuous range: Bayesian optimisation pushes c to its upper bound.
    search = BayesSearchCV(
        KnownEffectsRegressor(function=additive),
        {
            "c": Real(1e-3, 1e3, prior="log-uniform"),
            "n": Integer(1, 9),
            "kind": ["a", "b"],
        },
        n_iter=12,
        cv=2,
        random_state=0,
    ).fit(X, Y)
    with pytest.warns(
        SearchRangeEdgeWarning,
        match=r"c=1000 lies at the upper edge of its searched range \[0.001, 1000\]",
    ):
        importance_report(search)


def test_multimetric_needs_a_metric_or_a_refit_name():
    X, y = load_iris(return_X_y=True)
    grid = GridSearchCV(
        SVC(),
        {"C": [0.1, 1, 10], "gamma": [0.01, 0.1, 1]},
        scoring=["accuracy", "balanced_accuracy"],
        refit=False,
    ).fit(X, y)
    with pytest.raises(ValueError, match="several metrics.*metric="):
        importance_report(grid)
    report = importance_report(grid, metric="balanced_accuracy")
    assert report.attrs["metric"] == "mean_test_balanced_accuracy"
    with pytest.raises(ValueError, match="metric='f1' is not in the results"):
        importance_report(grid, metric="f1")


def test_conditional_parameters_are_left_out_and_said():
    X, y = load_iris(return_X_y=True)
    grid = GridSearchCV(
        SVC(),
        [
            {"kernel": ["linear"], "C": [0.1, 1, 10]},
            {"kernel": ["rbf"], "C": [0.1, 1, 10], "gamma": [0.01, 0.1, 1]},
        ],
    ).fit(X, y)
    report = importance_report(grid)
    assert set(report.index) == {"kernel", "C"}
    assert "conditional" in report.attrs["left_out"]["gamma"]


@pytest.mark.parametrize(
    "results, match",
    [
        ({"mean_test_score": [1.0]}, "not shaped like scikit-learn's.*'params'"),
        ({"params": [{"a": 1}]}, "not shaped like.*mean_test_"),
        (
            {"params": [{"a": 1}], "mean_test_score": [1.0, 2.0]},
            "'mean_test_score' has 2 entries, 'params' has 1",
        ),
        ({"params": ["a"], "mean_test_score": [1.0]}, "list of dicts"),
    ],
)
def test_results_not_shaped_like_sklearns(results, match):
    with pytest.raises(ValueError, match=match):
        importance_report(results)


def test_bad_inputs_are_named():
    with pytest.raises(TypeError, match="fitted search, its cv_results_ dict"):
        importance_report([1, 2, 3])
    with pytest.raises(NotFittedError, match="call fit first"):
        importance_report(GridSearchCV(SVC(), {"C": [1, 2]}))
    params = [{"a": i, "b": i % 3} for i in range(12)]
    failed = {"params": params, "mean_test_score": [np.nan] * 12}
    with pytest.raises(ValueError, match="every candidate failed"):
        importance_report(failed)
    constant = {"params": [{"a": 1, "b": 2}] * 12, "mean_test_score": list(range(12))}
    with pytest.raises(ValueError, match="a searched hyperparameter that varies"):
        importance_report(constant)
    few = {"params": params[:4], "mean_test_score": [1.0, 2.0, 3.0, 4.0]}
    with pytest.raises(ValueError, match="at least 5 finished candidates for 2"):
        importance_report(few)
    ok = {"params": params, "mean_test_score": list(range(12))}
    with pytest.raises(ValueError, match="n_trees must be an int >= 1"):
        importance_report(ok, n_trees=0)
    with pytest.raises(ValueError, match="surrogate must be one of"):
        importance_report(ok, surrogate="forest")
    with pytest.raises(ValueError, match="max_pairs must be an int >= 0"):
        importance_report(ok, max_pairs=-1)


def test_one_hyperparameter_explains_everything():
    # The report and its marginal curve work for a one-parameter search: the
    # only hyperparameter has every share, and its curve follows the function.
    space = {"c": loguniform(1e-3, 1e3)}
    search = random_search(lambda c, n, kind, d: -((math.log10(c) - 1) ** 2), space, 60)
    report = importance_report(search)
    assert list(report.index) == ["c"]
    assert report.loc["c", "importance"] == pytest.approx(1.0)
    assert report.attrs["interactions"] == {}
    curve = pd.DataFrame(report.attrs["marginals"]["c"])
    peak = curve["value"][curve["mean"].idxmax()]
    assert 10**0.5 < peak < 10**1.5
    flat = {"params": [{"a": i} for i in range(8)], "mean_test_score": [1.0] * 8}
    assert importance_report(flat).loc["a", "importance"] == 0


def test_failed_candidates_are_skipped():
    rng = np.random.default_rng(0)
    params = [{"a": float(x), "b": float(y)} for x, y in rng.random((40, 2))]
    scores = [3 * p["a"] + p["b"] for p in params]
    scores[:5] = [np.nan] * 5
    report = importance_report({"params": params, "mean_test_score": scores})
    assert report.attrs["n_candidates"] == 35
    assert report.index[0] == "a"


def test_multi_fidelity_rows_of_one_level():
    search = HyperbandSearchCV(
        KnownEffectsRegressor(function=additive),
        {"c": loguniform(1e-3, 1e3), "n": randint(1, 10), "kind": list(KIND)},
        resource="n_samples",
        max_resources=18,
        min_resources=2,
        factor=3,
        cv=2,
        random_state=0,
    ).fit(X[:18], Y[:18])
    levels = np.asarray(search.cv_results_["n_resources"])
    report = importance_report(search)
    level = report.attrs["n_resources"]
    assert np.sum(levels == level) == report.attrs["n_candidates"] >= 6
    low = importance_report(search, n_resources=2)
    assert low.attrs["n_resources"] == 2
    with pytest.raises(ValueError, match="n_resources=5 is not a level"):
        importance_report(search, n_resources=5)
    grid = {"params": [{"a": 1, "b": 2}] * 6, "mean_test_score": [1.0] * 6}
    with pytest.raises(ValueError, match="no 'n_resources' column"):
        importance_report(grid, n_resources=2)


def test_constant_scores_explain_nothing():
    flat = {
        "params": [{"a": i, "b": i % 4} for i in range(10)],
        "mean_test_score": [0.5] * 10,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no edge warning when nothing is best
        report = importance_report(flat)
    assert np.all(report["importance"] == 0)
    assert "do not vary" in report.attrs["method"]


def test_scale_of_the_scores_does_not_matter(additive_search):
    base = importance_report(additive_search.cv_results_)
    for factor in (1e-6, 1e6):
        results = dict(additive_search.cv_results_)
        results["mean_test_score"] = results["mean_test_score"] * factor
        scaled = importance_report(results)
        # Equal up to rounding, which can flip a tie between two splits.
        np.testing.assert_allclose(scaled["importance"], base["importance"], atol=2e-3)
        curve = np.asarray(scaled.attrs["marginals"]["c"]["mean"])
        base_curve = np.asarray(base.attrs["marginals"]["c"]["mean"])
        np.testing.assert_allclose(curve, base_curve * factor, rtol=2e-2)


def test_reports_combine_like_frames(additive_search):
    a = importance_report(additive_search)
    b = importance_report(additive_search, random_state=1)
    both = pd.concat([a, b], keys=["seed 0", "seed 1"])
    assert len(both) == 6
    assert pd.concat([a, b], axis=1).shape == (3, 12)


def test_none_among_numbers_is_ordered_first():
    X, y = load_iris(return_X_y=True)
    from sklearn.tree import DecisionTreeClassifier

    grid = GridSearchCV(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": [4, None, 1, 2], "min_samples_leaf": [1, 5, 20]},
        cv=3,
    ).fit(X, y)
    report = importance_report(grid)
    assert report.attrs["marginals"]["max_depth"]["value"] == [None, 1, 2, 4]
    assert report.loc["max_depth", "scale"] == "discrete"


def test_values_a_space_cannot_measure_are_read_off():
    class Choice:  # an object with rvs only, as scikit-learn accepts
        def rvs(self, random_state=None):
            return float(np.random.default_rng(random_state.randint(1000)).random())

    X, y = load_iris(return_X_y=True)
    search = RandomizedSearchCV(
        SVC(),
        {"C": Choice(), "gamma": loguniform(1e-3, 1e0)},
        n_iter=12,
        cv=3,
        random_state=0,
    ).fit(X, y)
    report = importance_report(search)
    assert set(report.index) == {"C", "gamma"}
    assert "measure read off the values for ['C']" in report.attrs["method"]


def test_nan_values_of_a_hyperparameter_are_left_out():
    rng = np.random.default_rng(0)
    params = [
        {"a": float(x) if k % 5 else np.nan, "b": float(y), "c": float(z)}
        for k, (x, y, z) in enumerate(rng.random((40, 3)))
    ]
    scores = [p["b"] + 0.5 * p["c"] for p in params]
    report = importance_report({"params": params, "mean_test_score": scores})
    assert "NaN" in report.attrs["left_out"]["a"]
    assert list(report.index) == ["b", "c"]


def test_dataframe_rows_keep_their_labels(additive_search):
    frame = pd.DataFrame(additive_search.cv_results_)
    kept = frame[frame["param_kind"] != "a"]
    report = importance_report(kept)
    assert report.attrs["n_candidates"] == len(kept)


def test_metric_may_be_named_by_its_column_and_must_be_a_str():
    X, y = load_iris(return_X_y=True)
    grid = GridSearchCV(
        SVC(),
        {"C": [0.1, 1, 10], "gamma": [0.01, 0.1, 1]},
        scoring=["accuracy", "balanced_accuracy"],
        refit=lambda r: 0,
    ).fit(X, y)
    with pytest.raises(ValueError, match="refit is a callable"):
        importance_report(grid)
    report = importance_report(grid, metric="mean_test_accuracy")
    assert report.attrs["metric"] == "mean_test_accuracy"
    with pytest.raises(TypeError, match="metric must be a str"):
        importance_report(grid, metric=3)
    with pytest.raises(ValueError, match="random_state must be an int"):
        importance_report(grid, metric="accuracy", random_state="x")
