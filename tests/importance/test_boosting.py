"""The boosted surrogate: its trees, its components, and the shares it gives."""

import math
import warnings

import numpy as np
import pytest
from scipy.stats import loguniform, randint, uniform
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.model_selection import RandomizedSearchCV

from skhpo.importance import SearchRangeEdgeWarning, importance_report
from skhpo.importance._boosting import decompose_components, fit_boosted
from skhpo.utils._testing import KnownEffectsRegressor

pytestmark = pytest.mark.filterwarnings(
    "ignore::skhpo.importance.SearchRangeEdgeWarning"
)


def _data(n, seed):
    rng = np.random.default_rng(seed)
    X = rng.random((n, 4))
    X[:, 3] = rng.integers(0, 6, n) / 5  # ties, as an integer's values
    y = np.abs(X[:, 0] - 0.3) + (X[:, 1] > 0.6) + 2 * (X[:, 2] - 0.5) * X[:, 3]
    return X, y


@pytest.mark.parametrize("min_leaf", [3, 5])
def test_the_trees_are_scikit_learns_least_squares_boosting(min_leaf):
    # Oracle: scikit-learn's GradientBoostingRegressor with trees of depth 2
    # (squared error, no subsampling) makes the same splits and leaf values.
    # (With leaves of one candidate, equal gains are frequent and the two
    # break their ties differently.)
    X, y = _data(150, 0)
    X_val, _ = _data(60, 1)
    ours, staged = fit_boosted(
        X, y, n_rounds=80, learning_rate=0.1, min_leaf=min_leaf, X_val=X_val
    )
    theirs = GradientBoostingRegressor(
        max_depth=2, learning_rate=0.1, n_estimators=80, min_samples_leaf=min_leaf
    ).fit(X, y)
    assert len(ours) == 80
    np.testing.assert_allclose(ours.predict(X_val), theirs.predict(X_val), atol=1e-9)
    stages = np.array(list(theirs.staged_predict(X_val)))
    np.testing.assert_allclose(staged[1:], stages, atol=1e-9)
    np.testing.assert_allclose(staged[0], y.mean())


def test_boosting_stops_when_nothing_is_left_to_split():
    X = np.linspace(0, 1, 20)[:, None]
    model, _ = fit_boosted(
        X,
        np.where(X[:, 0] > 0.5, 1.0, 0.0),
        n_rounds=50,
        learning_rate=1.0,
        min_leaf=1,
    )
    assert len(model) == 1  # one tree fits the step exactly
    np.testing.assert_allclose(model.predict(X), np.where(X[:, 0] > 0.5, 1, 0))
    constant, _ = fit_boosted(X, np.ones(20), n_rounds=5, learning_rate=0.1, min_leaf=1)
    assert len(constant) == 0 and constant.predict(X[:3]).tolist() == [1, 1, 1]


def test_components_sum_to_the_model_and_decompose_exactly():
    X, y = _data(200, 2)
    model, _ = fit_boosted(X, y, n_rounds=60, learning_rate=0.2, min_leaf=3)
    parts = model.components()
    U = np.random.default_rng(3).random((500, 4))
    total = sum(p.predict(U) for p in parts)
    np.testing.assert_allclose(model.offset + total, model.predict(U), atol=1e-12)
    # Every component depends on at most the three inputs of one tree.
    assert all(1 <= len(p.features) <= 3 for p in parts)
    # f(x) = 1[x0 > 0.5] + 2 * 1[x1 > 0.25]: main shares 1/(1+3*...) exactly.
    grid = np.linspace(0.01, 0.99, 40)
    A = np.array(np.meshgrid(grid, grid)).reshape(2, -1).T
    f = (A[:, 0] > 0.5) + 2.0 * (A[:, 1] > 0.25)
    step, _ = fit_boosted(A, f, n_rounds=200, learning_rate=0.5, min_leaf=1)
    cells = [np.linspace(0, 1, 129)] * 2
    var0, var1 = 0.25, 4 * 0.25 * 0.75
    main, pairs = decompose_components(step.components(), cells, [(0, 1)], var0 + var1)
    np.testing.assert_allclose(main, [var0, var1] / np.float64(var0 + var1), atol=1e-3)
    assert pairs[0] == pytest.approx(0.0, abs=1e-3)


# A V-shaped integer effect and a step of a linear real, next to a log one:
# |n - 20| on 1..50, 1[d > 0.6]; shares 0.5 (c), 0.3 (n), 0.2 (d).
KINK = float(np.var(np.abs(np.arange(1, 51) - 20)))
TRUTH = {"c": 0.5, "n": 0.3, "d": 0.2}


def kinked(c, n, kind, d):
    return (
        math.log10(c)
        + math.sqrt(1.8 / KINK) * abs(n - 20)
        + math.sqrt(1.2 / 0.24) * (d > 0.6)
    )


@pytest.fixture(scope="module")
def kinked_search():
    return RandomizedSearchCV(
        KnownEffectsRegressor(function=kinked),
        {"c": loguniform(1e-3, 1e3), "n": randint(1, 51), "d": uniform(0, 1)},
        n_iter=200,
        cv=2,
        random_state=0,
    ).fit(np.zeros((20, 1)), np.zeros(20))


def test_kinks_and_steps_are_not_smoothed_away(kinked_search):
    auto = importance_report(kinked_search)
    assert "gradient-boosted trees of depth two" in auto.attrs["method"]
    chosen = auto.attrs["surrogate"]
    assert chosen["kind"] == "boosting" and chosen["reason"].startswith("chosen")
    assert chosen["cv_r2"]["boosting"] > chosen["cv_r2"]["extra-trees"] > 0.5
    for name, truth in TRUTH.items():
        assert auto.loc[name, "importance"] == pytest.approx(truth, abs=0.05), name
    # The forest alone rounds the kink off and gives its variance to c: the
    # case the cross-validation guards against.
    forest = importance_report(kinked_search, surrogate="extra-trees")
    assert "extra-trees" in forest.attrs["method"]
    errors = [abs(forest.loc[k, "importance"] - v) for k, v in TRUTH.items()]
    assert max(errors) > 0.05
    assert forest.loc["n", "importance"] < TRUTH["n"] - 0.05


def test_the_spread_is_that_of_the_folds_models(kinked_search):
    report = importance_report(kinked_search, surrogate="boosting")
    assert "spread over its 3 models" in report.attrs["method"]
    assert report.attrs["surrogate"]["kind"] == "boosting"
    assert report.attrs["surrogate"]["reason"] == "as asked"
    assert (report["importance_std"] > 0).all()
    assert (report["importance_std"] < 0.1).all()
    n = report.attrs["marginals"]["n"]
    # The marginal of n is the V: lowest at 20, as the function.
    assert n["value"][int(np.argmin(n["mean"]))] == pytest.approx(20, abs=2)
    assert len(n["std"]) == len(n["mean"]) and max(n["std"]) > 0


def test_few_candidates_keep_the_forest():
    rng = np.random.default_rng(0)
    params = [{"a": float(a), "b": int(b)} for a, b in rng.random((40, 2)) * 10]
    results = {
        "params": params,
        "mean_test_score": [p["a"] + abs(p["b"] - 4) for p in params],
    }
    report = importance_report(results)
    assert report.attrs["surrogate"] == {
        "kind": "extra-trees",
        "reason": "fewer than 50 candidates to cross-validate",
        "cv_r2": None,
    }
    assert "fewer than 50 candidates" in report.attrs["method"]
    boosted = importance_report(results, surrogate="boosting")
    assert "gradient-boosted" in boosted.attrs["method"]
    with pytest.raises(ValueError, match="surrogate='boosting' needs at least 15"):
        importance_report(
            {"params": params[:14], "mean_test_score": list(range(14))},
            surrogate="boosting",
        )


def test_the_contour_of_a_pair_is_the_same_either_way_round(kinked_search):
    from skhpo.plotting import surrogate_contour

    ab = surrogate_contour(kinked_search, ["n", "d"], surrogate="boosting")
    ba = surrogate_contour(kinked_search, ["d", "n"], surrogate="boosting")
    np.testing.assert_allclose(ab.mean, ba.mean.T)
    np.testing.assert_allclose(ab.std, ba.std.T)
    # Additive: the surface is the sum of the two curves, V along n, step
    # along d (lowest near n = 20, higher past d = 0.6).
    rows, cols = np.unravel_index(np.argmin(ab.mean), ab.mean.shape)
    assert abs(ab.x[cols] - 20) <= 2 and ab.y[rows] < 0.6
    with pytest.raises(ValueError, match="surrogate must be one of"):
        surrogate_contour(kinked_search, surrogate="gp")


def test_an_interaction_without_main_effects_is_boosted_too():
    # XOR on a grid: no split of the root reduces the error, its children's
    # do. scikit-learn's trees take the root split all the same; so do ours.
    grid = np.linspace(0.05, 0.95, 8)
    X = np.array(np.meshgrid(grid, grid)).reshape(2, -1).T
    y = ((X[:, 0] > 0.5) ^ (X[:, 1] > 0.5)).astype(float)
    ours, _ = fit_boosted(X, y, n_rounds=50, learning_rate=0.5, min_leaf=5)
    theirs = GradientBoostingRegressor(
        max_depth=2, learning_rate=0.5, n_estimators=50, min_samples_leaf=5
    ).fit(X, y)
    assert np.mean((ours.predict(X) - y) ** 2) < 1e-3
    assert np.mean((theirs.predict(X) - y) ** 2) < 1e-3
    params = [{"a": float(a), "b": float(b)} for a, b in X]
    results = {"params": params, "mean_test_score": y.tolist()}
    for surrogate in ("auto", "boosting"):
        report = importance_report(results, surrogate=surrogate)
        assert report.attrs["interactions"]["a:b"]["importance"] > 0.8, surrogate


@pytest.mark.parametrize("case", ["one spike", "constant"])
def test_folds_whose_boosting_stops_early_do_not_break_the_report(case):
    # The fold without the spike has constant scores: its boosting stops at
    # once while the others' go on (a report used to index past its trees).
    rng = np.random.default_rng(0)
    params = [{"a": float(a), "b": float(b)} for a, b in rng.random((60, 2))]
    scores = np.zeros(60)
    if case == "one spike":
        scores[7] = 1.0
    results = {"params": params, "mean_test_score": scores.tolist()}
    for surrogate in ("auto", "boosting"):
        report = importance_report(results, surrogate=surrogate)
        assert np.all(np.isfinite(report["importance"]))
        if case == "constant":
            assert (report["importance"] == 0).all()


def _noise_results():
    rng = np.random.default_rng(1)
    params = [{"a": a, "b": b, "c": c} for a, b, c in rng.random((100, 3)).tolist()]
    return {"params": params, "mean_test_score": rng.normal(size=100).tolist()}


def _unexplained(caught):
    said = [w for w in caught if "better than their mean" in str(w.message)]
    assert len(said) == 1
    return said[0]


def test_noise_is_not_explained_by_a_few_boosting_rounds():
    # Scores that nothing predicts: the boosted trees do not beat the
    # scores' mean in the cross-validation, and "auto" keeps the forest.
    results = _noise_results()
    with pytest.warns(UserWarning, match="better than their mean") as caught:
        report = importance_report(results)
    assert _unexplained(caught).filename == __file__  # points at the caller
    assert report.attrs["surrogate"]["kind"] == "extra-trees"
    assert "no better than" in report.attrs["surrogate"]["reason"]
    assert report.attrs["surrogate"]["cv_r2"]["boosting"] < 0.05


@pytest.mark.parametrize("how", ["contour", "importance display", "contour display"])
def test_the_unexplained_warning_points_at_the_caller_of_every_entry(how):
    # However many of skhpo's functions lie between, the user's line.
    mpl = pytest.importorskip("matplotlib")
    mpl.use("Agg")
    import matplotlib.pyplot as plt

    from skhpo.plotting import ContourDisplay, ImportanceDisplay, surrogate_contour

    results = _noise_results()
    call = {
        "contour": lambda: surrogate_contour(results, ["a", "b"]),
        "importance display": lambda: ImportanceDisplay.from_search(results),
        "contour display": lambda: ContourDisplay.from_search(results, ["a", "b"]),
    }[how]
    try:
        with pytest.warns(UserWarning, match="better than their mean") as caught:
            call()
    finally:
        plt.close("all")
    assert _unexplained(caught).filename == __file__


@pytest.mark.parametrize("noise", [0.0, 0.5])
def test_scores_that_the_hyperparameters_explain_raise_no_warning(noise):
    # The same candidates with scores that depend on them (plus noise of a
    # quarter of their variance): no warning that they are unexplained.
    X, y = _data(60, 2)
    y = y + noise * y.std() * np.random.default_rng(2).standard_normal(len(y))
    params = [dict(zip("abcd", row)) for row in X.tolist()]
    results = {"params": params, "mean_test_score": y.tolist()}
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", SearchRangeEdgeWarning)
        report = importance_report(results)
    assert max(report.attrs["surrogate"]["cv_r2"].values()) > 0.3


def test_marginals_of_a_component_follow_the_order_asked():
    X, y = _data(200, 4)
    model, _ = fit_boosted(X, y, n_rounds=80, learning_rate=0.2, min_leaf=3)
    part = max(model.components(), key=lambda p: len(p.features))
    f, g = part.features[:2]
    u, v = np.linspace(0, 1, 5), np.linspace(0, 1, 7)
    np.testing.assert_array_equal(
        part.marginal_at({f: u, g: v}), part.marginal_at({g: v, f: u}).T
    )
    # Cells hold their upper edge, as the trees send x <= cut to the left.
    U = np.repeat([[0.5] * 4], len(part.grids[0]), axis=0)
    U[:, f] = part.grids[0]
    sub = model.subset(np.arange(len(model)))
    assert sub.predict(U).shape == (len(U),)
