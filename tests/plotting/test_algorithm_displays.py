"""The displays of what the algorithms did: Hyperband's rungs, population-based
training's members and schedules, nested cross-validation's folds.

What is drawn is checked against the results: the points of every line, the
winner, the exploits, against ``cv_results_``, ``best_index_``,
``best_schedule_`` and ``lineage_``.
"""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import loguniform
from sklearn.datasets import load_digits, load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import NotFittedError
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import (
    GridSearchCV,
    HalvingRandomSearchCV,
    RandomizedSearchCV,
)
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skhpo import HyperbandSearchCV, NestedCV, PBTSearchCV
from skhpo._results import continued_rows
from skhpo.plotting import (
    NestedCVDisplay,
    ResourceCurveDisplay,
    ScheduleDisplay,
    population_schedules,
    resource_curves,
)

mpl = pytest.importorskip("matplotlib")
mpl.use("Agg")


@pytest.fixture(autouse=True)
def close_figures():
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:360], y[:360]


def _sgd(**kwargs):
    return SGDClassifier(random_state=0, **kwargs)


@pytest.fixture(scope="module")
def hyperband_searches(iris, digits):
    """One fitted Hyperband of each kind of resource, and ASHA."""
    X, y = iris
    Xd, yd = digits
    space = {"alpha": loguniform(1e-6, 1e-1), "eta0": loguniform(1e-4, 1e-1)}
    return {
        "n_samples": HyperbandSearchCV(
            SVC(),
            {"C": loguniform(1e-2, 1e3), "gamma": loguniform(1e-4, 1e1)},
            max_resources=90,
            min_resources=10,
            scoring="accuracy",
            random_state=0,
        ).fit(X, y),
        "warm_start": HyperbandSearchCV(
            RandomForestClassifier(random_state=0),
            {"max_depth": [1, 2, 3, None], "max_features": loguniform(0.1, 1)},
            resource="n_estimators",
            max_resources=9,
            cv=3,
            random_state=0,
        ).fit(X, y),
        "partial_fit": HyperbandSearchCV(
            _sgd(learning_rate="constant"),
            space,
            resource="partial_fit",
            max_resources=9,
            cv=3,
            random_state=0,
        ).fit(Xd, yd),
        "asynchronous": HyperbandSearchCV(
            _sgd(learning_rate="constant"),
            space,
            resource="partial_fit",
            max_resources=9,
            asynchronous=True,
            cv=3,
            random_state=0,
        ).fit(Xd, yd),
    }


KINDS = ["n_samples", "warm_start", "partial_fit", "asynchronous"]
#: The long names of a Pipeline inside a Pipeline.
ETA0 = "classifier__sgdclassifier__eta0"
ALPHA = "classifier__sgdclassifier__alpha"
PENALTY = "classifier__sgdclassifier__penalty"


def _population_search(asynchronous):
    return PBTSearchCV(
        Pipeline(
            [
                (
                    "classifier",
                    make_pipeline(StandardScaler(), _sgd(learning_rate="constant")),
                )
            ]
        ),
        {
            ETA0: loguniform(1e-4, 1e0),
            ALPHA: loguniform(1e-6, 1e-1),
            PENALTY: ["l2", "l1", "elasticnet"],
        },
        population_size=6,
        n_steps=5,
        cv=3,
        scoring="balanced_accuracy",
        asynchronous=asynchronous,
        random_state=0,
    )


@pytest.fixture(scope="module")
def pbt_searches(digits):
    X, y = digits
    return {
        "synchronous": _population_search(False).fit(X, y),
        "asynchronous": _population_search(True).fit(X, y),
    }


@pytest.fixture(scope="module")
def nested(iris):
    X, y = iris
    search = GridSearchCV(SVC(), {"C": [0.01, 0.1, 1, 10]}, cv=3, scoring="accuracy")
    return NestedCV(search, cv=4).fit(X, y)


def _rows(search, mask):
    """``(n_resources, mean_test_score)`` of the rows in ``mask``, by resource."""
    r = search.cv_results_
    rows = np.flatnonzero(mask)
    rows = rows[np.argsort(np.asarray(r["n_resources"])[rows], kind="stable")]
    return (
        np.asarray(r["n_resources"], float)[rows],
        np.asarray(r["mean_test_score"], float)[rows],
    )


def _inside(fig):
    """Whether the titles, labels, ticks in view and legends fit in the figure."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = []
    for ax in fig.axes:
        texts += [ax.title, ax.xaxis.label, ax.yaxis.label]
        low, high = sorted(ax.get_ylim())
        texts += [t for t in ax.get_yticklabels() if low <= t.get_position()[1] <= high]
        low, high = sorted(ax.get_xlim())
        texts += [t for t in ax.get_xticklabels() if low <= t.get_position()[0] <= high]
    for legend in fig.legends:
        texts += legend.get_texts()
    box = fig.bbox.padded(1)
    for text in texts:
        if text.get_text() and text.get_visible():
            extent = text.get_window_extent(renderer)
            assert box.contains(extent.x0, extent.y0), text
            assert box.contains(extent.x1, extent.y1), text
    return True


# --------------------------------------------------------------- Hyperband
@pytest.mark.parametrize("kind", KINDS)
def test_resource_curves_link_each_candidate_across_its_rungs(hyperband_searches, kind):
    search = hyperband_searches[kind]
    r = search.cv_results_
    curves = resource_curves(search)
    np.testing.assert_array_equal(curves["panel"], r["bracket"])
    np.testing.assert_array_equal(curves["curve"], r["candidate"])
    np.testing.assert_array_equal(curves["score"], r["mean_test_score"])
    iters = np.asarray(r["iter"])
    for row, previous in enumerate(curves["previous"]):
        if iters[row] == 0:
            assert previous == -1
        else:  # the same candidate, one rung below
            assert r["candidate"][previous] == r["candidate"][row]
            assert r["bracket"][previous] == r["bracket"][row]
            assert iters[previous] == iters[row] - 1
    # stopped: no row at the next rung, and below the largest resource
    top = max(r["n_resources"])
    for row in range(len(iters)):
        promoted = np.any(
            (r["candidate"] == r["candidate"][row]) & (iters == iters[row] + 1)
        )
        stopped = not promoted and r["n_resources"][row] < top
        assert curves["stopped"].iloc[row] == stopped
    winner = r["candidate"][search.best_index_]
    np.testing.assert_array_equal(curves["best_path"], r["candidate"] == winner)
    assert curves.attrs["best"] == search.best_index_


@pytest.mark.parametrize("kind", KINDS)
def test_resource_curve_display_draws_the_results(hyperband_searches, kind):
    search = hyperband_searches[kind]
    r = search.cv_results_
    disp = ResourceCurveDisplay.from_search(search)
    brackets = np.unique(r["bracket"])
    assert len(disp.axes_) == len(brackets)
    top = max(r["n_resources"])
    for ax, bracket, stops in zip(disp.axes_, brackets, disp.stops_):
        in_bracket = r["bracket"] == bracket
        candidates = np.unique(r["candidate"][in_bracket])
        assert ax.get_title() == f"bracket {bracket}: {len(candidates)} candidates"
        lines = [line for line in ax.get_lines() if line is not disp.best_line_]
        assert len(lines) == len(candidates)
        stopped = []
        for c in candidates:
            line = disp.lines_[c]
            assert line.axes is ax
            x, y = _rows(search, r["candidate"] == c)
            np.testing.assert_array_equal(line.get_xdata(), x)
            np.testing.assert_array_equal(line.get_ydata(), y)
            reached = x[-1] == top
            assert mpl.colors.same_color(line.get_color(), "C0" if reached else "0.6")
            if not reached:
                stopped.append((x[-1], y[-1]))
        assert sorted(map(tuple, stops.get_offsets().tolist())) == sorted(stopped)
    best = disp.best_line_
    assert best.get_ydata()[-1] == search.best_score_
    assert best.get_xdata()[-1] == search.max_resources_ == top
    x, y = _rows(search, r["candidate"] == r["candidate"][search.best_index_])
    np.testing.assert_array_equal(best.get_ydata(), y)
    assert disp.exploits_ is None
    assert disp.axes_[0].get_ylabel() == (
        "accuracy" if kind == "n_samples" else "score"
    )
    unit = {"n_samples": "training samples", "warm_start": "n_estimators"}
    assert unit.get(kind, "partial_fit epochs") in disp.axes_[0].get_xlabel()
    assert disp.legend_ is not None
    assert _inside(disp.figure_)


def test_resource_curve_display_of_several_rounds_of_brackets(iris):
    """Beyond one round of brackets, the brackets whose candidates start at
    the same resource share a panel: one panel per kind of bracket."""
    search = HyperbandSearchCV(
        SVC(),
        {"C": loguniform(1e-2, 1e3), "gamma": loguniform(1e-4, 1e1)},
        max_resources=90,
        min_resources=10,
        n_brackets=11,  # s_max + 1 = 3 brackets a round: 0, 3, 6, 9 start at 10
        random_state=0,
    ).fit(*iris)
    r = search.cv_results_
    disp = ResourceCurveDisplay.from_search(search)
    kinds = [[0, 3, 6, 9], [1, 4, 7, 10], [2, 5, 8]]
    names = ["brackets 0, 3, ..., 9", "brackets 1, 4, ..., 10", "brackets 2, 5, 8"]
    assert len(disp.axes_) == len(kinds)
    for ax, brackets, name, start in zip(disp.axes_, kinds, names, [10, 30, 90]):
        rows = np.isin(r["bracket"], brackets)
        assert min(r["n_resources"][rows]) == start
        candidates = np.unique(r["candidate"][rows])
        assert ax.get_title() == f"{name}: {len(candidates)} candidates"
        assert all(disp.lines_[c].axes is ax for c in candidates)
    assert len(disp.lines_) == len(np.unique(r["candidate"]))
    assert disp.best_line_.get_ydata()[-1] == search.best_score_
    # the data keep each row's bracket
    curves = resource_curves(search)
    np.testing.assert_array_equal(curves["panel"], r["bracket"])


def test_resource_curves_of_a_halving_search(iris):
    """scikit-learn's halving search has no candidate column: the candidates
    are recognised by their parameters, the growing resource left aside."""
    X, y = iris
    search = HalvingRandomSearchCV(
        RandomForestClassifier(random_state=0),
        {"max_depth": [1, 2, 3, None], "max_features": loguniform(0.1, 1)},
        resource="n_estimators",
        max_resources=9,
        min_resources=1,
        n_candidates=9,
        random_state=0,
    ).fit(X, y)
    r = search.cv_results_
    # the resource as a column only: the oracle of sameness
    for results in (search, {k: v for k, v in r.items()}):
        curves = resource_curves(results)
        for row, previous in enumerate(curves["previous"]):
            if r["iter"][row] == 0:
                assert previous == -1
                continue
            same = {k: v for k, v in r["params"][row].items() if k != "n_estimators"}
            before = r["params"][previous]
            assert r["iter"][previous] == r["iter"][row] - 1
            assert same == {k: v for k, v in before.items() if k != "n_estimators"}
        assert curves.attrs["kind"] == "halving"
        assert curves["best_path"].iloc[search.best_index_]
    disp = ResourceCurveDisplay.from_search(search)
    assert len(disp.axes_) == 1
    assert disp.best_line_.get_ydata()[-1] == search.best_score_


def test_resource_curves_read_a_dataframe_with_its_index(hyperband_searches):
    search = hyperband_searches["n_samples"]
    frame = pd.DataFrame(search.cv_results_)
    frame.index = frame.index + 100
    curves = resource_curves(frame)
    assert list(curves.index) == list(frame.index)
    assert curves.attrs["metric"] == "score"  # no search: the scorer is unknown
    assert curves.attrs["best"] == search.best_index_  # rank 1
    disp = ResourceCurveDisplay.from_search(frame)
    assert disp.best_line_.get_ydata()[-1] == search.best_score_


# ------------------------------------------------- population-based training
@pytest.mark.parametrize("mode", ["synchronous", "asynchronous"])
def test_resource_curves_follow_the_lineages(pbt_searches, mode):
    search = pbt_searches[mode]
    r = search.cv_results_
    curves = resource_curves(search)
    member, step = np.asarray(r["member"]), np.asarray(r["step"])
    np.testing.assert_array_equal(curves["exploit"], np.asarray(r["parent"]) >= 0)
    assert search.n_exploits_ > 0
    # following ``previous`` from a member's last row gives lineage_
    for m, lineage in search.lineage_.items():
        row = int(np.flatnonzero(member == m)[np.argmax(step[member == m])])
        path = []
        while row >= 0:
            path.append((int(step[row]), int(member[row])))
            row = curves["previous"].iloc[row]
        path.reverse()
        assert [s for s, _ in path] == list(range(len(lineage)))
        assert [m for _, m in path] == lineage
    # and from the winner, best_schedule_
    path = curves[curves["best_path"]].sort_values("step")
    assert path["member"].tolist() == search.best_schedule_["member"].tolist()
    assert path["step"].tolist() == list(search.best_schedule_.index)
    # a curve per member and per exploit
    assert curves["curve"].nunique() == search.population_size + curves["exploit"].sum()


def test_population_links_when_the_copied_member_had_just_copied():
    """Asynchronous training: member 1 copies member 0 (two steps ahead) after
    step 1, and member 2 copies member 1 before it has trained again: both
    continue member 0's row at step 2; member 1 has no row there. The
    ``continues`` column says so; results without it (an earlier version)
    find it by following the parents."""
    rows = [(0, 0, -1, -1), (1, 0, -1, -1), (2, 0, -1, -1), (0, 1, -1, 0)]
    rows += [(1, 1, -1, 1), (0, 2, -1, 0), (2, 1, -1, 2), (1, 3, 0, 0)]
    rows += [(2, 3, 1, 0), (0, 3, -1, 0)]
    member, step, parent, continues = (np.array(c) for c in zip(*rows))
    expected = [-1, -1, -1, 0, 1, 3, 2, 5, 5, 5]
    results = {"member": member, "step": step, "parent": parent}
    np.testing.assert_array_equal(continued_rows(results), expected)
    results["continues"] = continues
    np.testing.assert_array_equal(continued_rows(results), expected)


def test_population_links_when_the_copied_member_had_copied_at_the_same_step():
    """Member 1 copies member 0 after step 2, and member 2 copies member 1
    before 1 has trained again: 2 continues member 0's row at step 2, which
    only the ``continues`` column tells, as member 1 has a row (its own) at
    step 2; following the parents finds that row."""
    rows = [(s, m, -1, -1 if s == 0 else m) for s in range(3) for m in range(3)]
    rows += [(3, 1, 0, 0), (3, 2, 1, 0), (3, 0, -1, 0)]
    step, member, parent, continues = (np.array(c) for c in zip(*rows))
    results = {"member": member, "step": step, "parent": parent}
    previous = [-1, -1, -1, 0, 1, 2, 3, 4, 5]
    results["continues"] = continues
    np.testing.assert_array_equal(continued_rows(results), previous + [6, 6, 6])
    del results["continues"]
    np.testing.assert_array_equal(continued_rows(results), previous + [6, 7, 6])


@pytest.mark.parametrize("mode", ["synchronous", "asynchronous"])
def test_resource_curve_display_of_a_population(pbt_searches, mode):
    search = pbt_searches[mode]
    r = search.cv_results_
    curves = resource_curves(search)
    disp = ResourceCurveDisplay.from_search(search)
    (ax,) = disp.axes_
    assert len(disp.lines_) == curves["curve"].nunique()
    n_resources = np.asarray(r["n_resources"], float)
    score = np.asarray(r["mean_test_score"], float)
    for c, line in disp.lines_.items():
        rows = np.flatnonzero(curves["curve"] == c)
        np.testing.assert_array_equal(line.get_xdata(), n_resources[rows])
        np.testing.assert_array_equal(line.get_ydata(), score[rows])
    copies = np.flatnonzero(np.asarray(r["parent"]) >= 0)
    segments = disp.exploits_.get_segments()
    assert len(segments) == len(copies)
    for (start, end), row in zip(segments, copies):
        previous = curves["previous"].iloc[row]
        assert r["member"][previous] == r["continues"][row]
        np.testing.assert_array_equal(start, [n_resources[previous], score[previous]])
        np.testing.assert_array_equal(end, [n_resources[row], score[row]])
    assert disp.best_line_.get_ydata()[-1] == search.best_score_
    assert ax.get_ylabel() == "balanced_accuracy"
    assert "partial_fit epochs" in ax.get_xlabel()
    assert _inside(disp.figure_)


@pytest.mark.parametrize("mode", ["synchronous", "asynchronous"])
def test_schedule_display_draws_every_member_and_the_winner(pbt_searches, mode):
    search = pbt_searches[mode]
    r = search.cv_results_
    disp = ScheduleDisplay.from_search(search)
    names = list(search.mutable_)
    assert sorted(names) == sorted([ETA0, ALPHA, PENALTY])
    assert len(disp.axes_) == len(names) + 1
    curves = disp.schedules
    for ax, name in zip(disp.axes_, names):
        # the full name kept in the title, a short one on the axis
        assert ax.get_title().replace("\n", "") == name
        assert name.endswith(ax.get_ylabel().lstrip("…"))
        assert ax.get_yscale() == ("linear" if name == PENALTY else "log")
        values = [p[name] for p in r["params"]]
        if name == PENALTY:
            ticks = [t.get_text() for t in ax.get_yticklabels()]
            assert ticks == ["l2", "l1", "elasticnet"]
            values = [ticks.index(v) for v in values]
        for c, line in disp.lines_[name].items():
            rows = np.flatnonzero(curves["curve"] == c)
            np.testing.assert_array_equal(line.get_xdata(), r["step"][rows])
            np.testing.assert_array_equal(line.get_ydata(), np.take(values, rows))
        best = disp.best_lines_[name].get_ydata()
        expected = search.best_schedule_[name].tolist()
        if name == PENALTY:
            expected = [ticks.index(v) for v in expected]
        assert list(best) == expected
        assert len(disp.exploits_[name].get_segments()) == np.sum(r["parent"] >= 0)
    score_ax = disp.axes_[-1]
    assert score_ax.get_ylabel() == "balanced_accuracy"
    assert disp.best_lines_["score"].get_ydata()[-1] == search.best_score_
    assert score_ax.get_xlabel() == "step"
    fig = disp.figure_
    assert all(ax.get_position().width > 0.6 for ax in disp.axes_)  # not squeezed
    assert _inside(fig)


def test_schedules_from_cv_results_alone(pbt_searches):
    """Without the search: the mutable hyperparameters are those an exploit
    changed, a log axis for values spanning decades, the winner by rank."""
    search = pbt_searches["synchronous"]
    frame = pd.DataFrame(search.cv_results_)
    schedules = population_schedules(frame)
    assert sorted(schedules.attrs["params"]) == sorted(search.mutable_)
    assert schedules.attrs["scales"][ETA0] == "log"
    assert schedules.attrs["scales"][PENALTY] == "categorical"
    assert schedules.attrs["metric"] == "score"
    best = schedules[schedules["best_path"]].sort_values("step")
    assert best["member"].tolist() == search.best_schedule_["member"].tolist()
    disp = ScheduleDisplay.from_search(frame, params=[ETA0])
    assert [ax.get_ylabel() for ax in disp.axes_][-1] == "score"
    assert len(disp.axes_) == 2


def test_schedule_display_wraps_very_long_names(pbt_searches):
    """Names longer than a panel's title are broken between their components;
    nothing is cut off and the panels keep their width."""
    search = pbt_searches["synchronous"]
    prefix = "preprocessing_and_model__calibrated_classifier__estimator__"
    rename = {n: prefix + n for n in (ETA0, ALPHA, PENALTY)}
    results = dict(search.cv_results_)
    results["params"] = [
        {rename[k]: v for k, v in p.items()} for p in search.cv_results_["params"]
    ]
    disp = ScheduleDisplay.from_search(results)
    names = disp.schedules.attrs["params"]
    assert sorted(names) == sorted(rename.values())
    for ax, name in zip(disp.axes_, names):
        title = ax.get_title()
        assert "\n" in title and title.replace("\n", "") == name
        assert all(len(line) <= 48 for line in title.split("\n"))
        assert len(ax.get_ylabel()) <= 17
    assert all(ax.get_position().width > 0.6 for ax in disp.axes_)
    assert _inside(disp.figure_)


# ---------------------------------------------------------------- NestedCV
def test_nested_cv_display(nested):
    disp = NestedCVDisplay.from_nested_cv(nested)
    r = nested.cv_results_
    np.testing.assert_array_equal(
        disp.points_.get_offsets(), np.column_stack([r["best_score"], r["test_score"]])
    )
    x, y = disp.diagonal_.get_data()
    np.testing.assert_array_equal(x, y)
    assert x[0] < min(r["best_score"].min(), r["test_score"].min())
    assert x[-1] > max(r["best_score"].max(), r["test_score"].max())
    assert disp.nested_line_.get_ydata()[0] == pytest.approx(nested.mean_score_)
    point = np.ravel(disp.search_point_.get_xydata())
    np.testing.assert_allclose(point, [nested.search_.best_score_, nested.mean_score_])
    text = disp.text_.get_text()
    gap = np.mean(r["best_score"] - r["test_score"])
    assert f"optimism_ {nested.optimism_:+.3f}" in text
    assert f"mean gap inner − outer {gap:+.3f}" in text
    assert f"nested score {nested.mean_score_:.3f}" in text
    assert disp.ax_.get_xlabel() == "inner best_score_ (accuracy)"
    assert disp.ax_.get_ylabel() == "outer test accuracy"
    assert _inside(disp.figure_)


def test_nested_cv_display_from_cv_results_and_several_metrics(iris):
    X, y = iris
    search = GridSearchCV(SVC(), {"C": [0.1, 10]}, cv=3)
    nested = NestedCV(
        search, cv=3, scoring={"acc": "accuracy", "f1": "f1_macro"}, refit=False
    ).fit(X, y)
    r = nested.cv_results_
    disp = NestedCVDisplay.from_nested_cv(nested, metric="f1")
    np.testing.assert_array_equal(disp.points_.get_offsets()[:, 1], r["test_f1"])
    assert disp.search_point_ is None  # refit=False: no search on all the data
    assert "optimism_" not in disp.text_.get_text()
    assert disp.ax_.get_ylabel() == "outer test f1"
    assert disp.ax_.get_xlabel() == "inner best_score_ (score)"
    frame = pd.DataFrame({k: v for k, v in r.items() if k != "best_params"})
    disp = NestedCVDisplay.from_cv_results(frame)
    np.testing.assert_array_equal(
        disp.points_.get_offsets(), np.column_stack([r["best_score"], r["test_acc"]])
    )
    assert "mean gap" in disp.text_.get_text()
    with pytest.raises(ValueError, match=r"metric='recall' is not an outer metric"):
        NestedCVDisplay.from_cv_results(r, metric="recall")


# ------------------------------------------------------------ bad input
def test_clear_errors(iris, hyperband_searches, pbt_searches, nested):
    X, y = iris
    random = RandomizedSearchCV(SVC(), {"C": loguniform(1e-2, 1e2)}, n_iter=3).fit(X, y)
    with pytest.raises(ValueError, match="needs the results of a multi-fidelity"):
        ResourceCurveDisplay.from_search(random)
    with pytest.raises(ValueError, match="RandomizedSearchCV has none"):
        resource_curves(random)
    with pytest.raises(ValueError, match="population-based training"):
        ScheduleDisplay.from_search(hyperband_searches["n_samples"])
    pbt = pbt_searches["synchronous"]
    with pytest.raises(ValueError, match=r"params \['eta0'\] are not hyperparameters"):
        ScheduleDisplay.from_search(pbt, params=["eta0"])
    with pytest.raises(TypeError, match="params must be a list of str"):
        population_schedules(pbt, params=ETA0)
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    with pytest.raises(ValueError, match="ax must hold at least 3 axes"):
        ResourceCurveDisplay.from_search(hyperband_searches["n_samples"], ax=ax)
    with pytest.raises(TypeError, match="DataFrame returned by resource_curves"):
        ResourceCurveDisplay(pbt.cv_results_).plot()
    with pytest.raises(TypeError, match="DataFrame returned by population_schedules"):
        ScheduleDisplay(pd.DataFrame({"score": [1.0]})).plot()
    with pytest.raises(NotFittedError):
        NestedCVDisplay.from_nested_cv(NestedCV(GridSearchCV(SVC(), {"C": [1]})))
    with pytest.raises(TypeError, match="takes a fitted NestedCV"):
        NestedCVDisplay.from_nested_cv(nested.cv_results_)
    with pytest.raises(ValueError, match="needs the cv_results_ of a NestedCV"):
        NestedCVDisplay.from_cv_results(pbt.cv_results_)
    with pytest.raises(ValueError, match="one score per outer fold"):
        NestedCVDisplay([0.9, 0.8], [0.9]).plot()


def test_the_displays_draw_on_given_axes(hyperband_searches, nested):
    import matplotlib.pyplot as plt

    search = hyperband_searches["partial_fit"]
    n = len(np.unique(search.cv_results_["bracket"]))
    fig, axes = plt.subplots(1, n + 1)
    disp = ResourceCurveDisplay.from_search(search, ax=axes)
    assert disp.figure_ is fig and list(disp.axes_) == list(axes[:n])
    assert disp.legend_.axes is axes[0]
    _, ax = plt.subplots()
    assert NestedCVDisplay.from_nested_cv(nested, ax=ax).ax_ is ax
