"""The displays of a search's exploration: timeline, contour, slices, parallel
coordinates, and the history in time order.

What is drawn is checked against the results: bars against the timing
columns of ``cv_results_``, points and lines against the candidates' values
and scores, the contour's peak against an analytic optimum.
"""

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import loguniform, randint, uniform
from sklearn.datasets import load_digits, load_iris
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skhpo import BayesSearchCV, HyperbandSearchCV, PBTSearchCV, Real
from skhpo.importance import importance_report
from skhpo.plotting import (
    ContourDisplay,
    HistoryDisplay,
    ImportanceDisplay,
    MarginalDisplay,
    ParallelCoordinatesDisplay,
    SliceDisplay,
    TimelineDisplay,
    _base,
    search_candidates,
    search_history,
    search_timeline,
    surrogate_contour,
)
from skhpo.plotting._parallel import unit_positions
from skhpo.plotting._timeline import NO_WORKER
from skhpo.utils._testing import KnownEffectsRegressor

mpl = pytest.importorskip("matplotlib")
mpl.use("Agg")

pytestmark = pytest.mark.filterwarnings(
    "ignore::skhpo.importance.SearchRangeEdgeWarning"
)


@pytest.fixture(autouse=True)
def close_figures():
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


@pytest.fixture(scope="module")
def bayes(iris):
    """A Bayesian search on two processes: real timing columns."""
    return BayesSearchCV(
        SVC(),
        {
            "C": Real(1e-2, 1e3, prior="log-uniform"),
            "gamma": Real(1e-4, 1e1, prior="log-uniform"),
            "kernel": ["rbf", "sigmoid"],
        },
        n_iter=12,
        n_initial_points=6,
        cv=3,
        n_jobs=2,
        scoring="accuracy",
        random_state=0,
    ).fit(*iris)


@pytest.fixture(scope="module")
def hyperband(iris):
    return HyperbandSearchCV(
        SVC(),
        {"C": loguniform(1e-2, 1e3), "gamma": loguniform(1e-4, 1e1)},
        resource="n_samples",
        max_resources=90,
        min_resources=10,
        cv=3,
        random_state=0,
    ).fit(*iris)


@pytest.fixture(scope="module")
def pbt():
    X, y = load_digits(return_X_y=True)
    return PBTSearchCV(
        SGDClassifier(random_state=0),
        {"alpha": loguniform(1e-6, 1e-1), "eta0": loguniform(1e-3, 1.0)},
        population_size=6,
        n_steps=3,
        cv=2,
        random_state=0,
    ).fit(X[:300], y[:300])


@pytest.fixture(scope="module")
def randomized(iris):
    """scikit-learn's own search: no timing columns, a list and log ranges."""
    return RandomizedSearchCV(
        SVC(),
        {
            "C": loguniform(1e-2, 1e3),
            "gamma": loguniform(1e-4, 1e1),
            "kernel": ["rbf", "sigmoid"],
        },
        n_iter=20,
        cv=3,
        random_state=0,
    ).fit(*iris)


# ------------------------------------------------------------------ timeline
def handmade_results():
    """Three candidates, two folds, three workers; every status."""
    return {
        "params": [{"C": 1.0}, {"C": 2.0}, {"C": 3.0}],
        "mean_test_score": np.array([0.8, np.nan, 0.7]),
        "split0_start_time": np.array([0.5, 1.0, 3.0]),
        "split0_end_time": np.array([1.5, 2.0, 4.0]),
        "split0_worker": np.array(["h:1", "h:2", "h:1/T-1"], dtype=object),
        "split0_status": np.array(["ok", "failed", "ok"], dtype=object),
        "split1_start_time": np.array([1.5, 2.0, 3.5]),
        "split1_end_time": np.array([2.5, 6.0, 4.0]),
        "split1_worker": np.array(["h:1", None, None], dtype=object),
        "split1_status": np.array(["ok", "timed_out", "lost"], dtype=object),
        "start_time": np.array([0.5, 1.0, 3.0]),
        "end_time": np.array([2.5, 6.0, 4.0]),
    }


def bars_of(display):
    """(worker, status, start, end) of every bar drawn."""
    drawn = []
    n = len(display.rows_)
    for status, bars in display.bars_.items():
        for patch in bars.patches:
            row = round(patch.get_y() + patch.get_height() / 2)
            drawn.append(
                (display.rows_[n - 1 - row], status, patch.get_x(), patch.get_width())
            )
    return drawn


def test_timeline_of_handmade_results():
    results = handmade_results()
    timeline = search_timeline(results)
    assert len(timeline) == 6
    assert list(timeline["start"]) == sorted(timeline["start"])
    assert timeline.attrs["workers"] == ["h:1", "h:2", "h:1/T-1"]
    # busy: 1 + 1 (h:1), 1 (h:2), 1 (h:1/T-1); fits without a worker count not
    assert timeline.attrs["busy"] == pytest.approx(4.0)
    assert timeline.attrs["span"] == 6.0
    assert timeline.attrs["utilisation"] == pytest.approx(4.0 / (3 * 6.0))

    display = TimelineDisplay.from_search(results)
    assert display.rows_ == ["h:1", "h:2", "h:1/T-1", NO_WORKER]
    assert set(display.bars_) == {"ok", "failed", "timed_out", "lost"}
    drawn = sorted(bars_of(display), key=lambda b: (b[2], b[0]))
    expected = []
    for k in range(2):
        for i in range(3):
            worker = results[f"split{k}_worker"][i] or NO_WORKER
            start = results[f"split{k}_start_time"][i]
            width = results[f"split{k}_end_time"][i] - start
            expected.append((worker, results[f"split{k}_status"][i], start, width))
    assert drawn == sorted(expected, key=lambda b: (b[2], b[0]))
    # failures are told apart by colour and hatch, and the legend says so
    assert display.bars_["failed"].patches[0].get_hatch()
    assert display.bars_["ok"].patches[0].get_hatch() is None
    legend = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert legend == ["ok (3)", "failed (1)", "timed out (1)", "lost (1)"]
    assert display.ax_.get_title() == "3 workers, busy 22% of 6 s"
    # the first worker at the top; one host, not named
    ticks = {
        t.get_text(): y
        for t, y in zip(display.ax_.get_yticklabels(), display.ax_.get_yticks())
    }
    assert sorted(ticks, key=ticks.get, reverse=True) == ["1", "2", "1/T-1", NO_WORKER]
    assert display.ax_.get_ylabel() == "worker process"


@pytest.mark.parametrize("kind", ["bayes", "hyperband", "pbt"])
def test_timeline_bars_are_the_timing_columns(kind, request):
    search = request.getfixturevalue(kind)
    results = search.cv_results_
    display = TimelineDisplay.from_search(search)
    n_splits = search.n_splits_
    n = len(results["params"])
    assert sum(len(b) for b in display.bars_.values()) == n * n_splits
    expected = sorted(
        (
            results[f"split{k}_worker"][i],
            results[f"split{k}_status"][i],
            results[f"split{k}_start_time"][i],
            results[f"split{k}_end_time"][i] - results[f"split{k}_start_time"][i],
        )
        for k in range(n_splits)
        for i in range(n)
    )
    drawn = sorted(bars_of(display))
    assert [d[:2] for d in drawn] == [e[:2] for e in expected]
    np.testing.assert_allclose([d[2:] for d in drawn], [e[2:] for e in expected])
    per_row = pd.Series([d[0] for d in drawn]).value_counts()
    for worker in display.rows_:
        in_results = sum(
            np.sum(results[f"split{k}_worker"] == worker) for k in range(n_splits)
        )
        assert per_row[worker] == in_results
    assert 0 < display.utilisation_ <= 1
    from_frame = search_timeline(pd.DataFrame(results))
    pd.testing.assert_frame_equal(from_frame, search_timeline(search))
    if kind == "bayes":
        assert len(display.rows_) == 2  # n_jobs=2


def test_timeline_needs_skhpos_timing_columns(randomized):
    with pytest.raises(ValueError, match="needs skhpo's timing columns"):
        TimelineDisplay.from_search(randomized)
    with pytest.raises(ValueError, match="needs skhpo's timing columns"):
        search_timeline(pd.DataFrame(randomized.cv_results_))
    with pytest.raises(TypeError, match="returned by search_timeline"):
        TimelineDisplay(randomized.cv_results_).plot()
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        TimelineDisplay.from_search(handmade_results(), ax="left")


# ------------------------------------------------------------------- history
def test_history_is_in_time_order(hyperband):
    results = hyperband.cv_results_
    history = search_history(hyperband)
    assert history.attrs["order"] == "end_time"
    order = np.argsort(results["end_time"], kind="stable")
    np.testing.assert_array_equal(history.index, order)
    np.testing.assert_array_equal(history["end_time"], results["end_time"][order])
    np.testing.assert_array_equal(history["score"], results["mean_test_score"][order])
    # the running best counts only the candidates at the highest resource
    top = history["n_resources"] == history["n_resources"].max()
    expected = np.fmax.accumulate(history["score"].where(top).to_numpy())
    np.testing.assert_allclose(history["best_so_far"], expected)
    assert history["best_so_far"].iloc[-1] == pytest.approx(hyperband.best_score_)

    display = HistoryDisplay.from_search(hyperband)
    np.testing.assert_allclose(display.line_.get_xdata(), history["end_time"])
    np.testing.assert_allclose(display.points_.get_offsets()[:, 1], history["score"])
    assert "seconds since the search started" in display.ax_.get_xlabel()


def test_history_of_a_population_is_in_time_order(pbt):
    history = search_history(pbt)
    assert history["end_time"].is_monotonic_increasing
    steps = pbt.cv_results_["step"][history.index]
    assert np.all(np.diff(steps) >= 0)  # generations finish one after another


def test_history_without_end_times_keeps_the_results_order(randomized):
    history = search_history(randomized)
    assert history.attrs["order"] == "results"
    np.testing.assert_array_equal(history.index, np.arange(20))
    display = HistoryDisplay.from_search(randomized)
    assert display.ax_.get_xlabel() == "position in cv_results_ (no end times)"


# ------------------------------------------------------------- score's name
def test_every_display_reads_the_scores_name(bayes, randomized):
    assert HistoryDisplay.from_search(bayes).ax_.get_ylabel() == "accuracy"
    assert HistoryDisplay.from_search(randomized).ax_.get_ylabel() == "score"
    assert SliceDisplay.from_search(bayes).axes_[0].get_ylabel() == "accuracy"
    marginal = MarginalDisplay.from_search(bayes)
    assert marginal.axes_[0].get_ylabel() == "accuracy"
    importance = ImportanceDisplay.from_search(bayes)
    assert importance.ax_.get_xlabel() == "share of the variance of accuracy"
    contour = ContourDisplay.from_search(bayes, params=["C", "gamma"])
    assert contour.colorbar_.ax.get_ylabel() == "accuracy"
    parallel = ParallelCoordinatesDisplay.from_search(bayes)
    assert parallel.ax_.get_xticklabels()[-1].get_text() == "accuracy"
    assert parallel.colorbar_.ax.get_ylabel() == "accuracy"
    assert importance_report(randomized).attrs["score_name"] == "score"


# --------------------------------------------------------------------- slice
def test_slice_points_are_the_candidates(randomized):
    results = randomized.cv_results_
    display = SliceDisplay.from_search(randomized)
    names = [ax.get_xlabel() for ax in display.axes_]
    assert names == ["C", "gamma", "kernel"]
    scores = results["mean_test_score"]
    for name, points in zip(names[:2], display.scatters_):
        xy = points.get_offsets()
        np.testing.assert_allclose(xy[:, 0], np.asarray(results[f"param_{name}"]))
        np.testing.assert_allclose(xy[:, 1], scores)
    assert [ax.get_xscale() for ax in display.axes_] == ["log", "log", "linear"]
    # categories as cells, in the order of their axis, labelled
    cells = [t.get_text() for t in display.axes_[2].get_xticklabels()]
    assert sorted(cells) == ["rbf", "sigmoid"]
    kernels = [cells[int(k)] for k in display.scatters_[2].get_offsets()[:, 0]]
    assert kernels == list(results["param_kernel"])
    # coloured by evaluation order; the best marked
    np.testing.assert_array_equal(display.scatters_[0].get_array(), np.arange(20))
    best = display.best_[0].get_offsets()[0]
    assert best[1] == pytest.approx(randomized.best_score_)
    assert best[0] == pytest.approx(randomized.best_params_["C"])
    assert len({ax.get_ylim() for ax in display.axes_}) == 1


def test_slice_of_skhpo_searches(bayes, hyperband):
    results = bayes.cv_results_
    candidates = search_candidates(bayes)
    assert candidates.attrs["order"] == "end_time"
    np.testing.assert_array_equal(
        candidates["order"], pd.Series(results["end_time"]).rank(method="first") - 1
    )
    display = SliceDisplay.from_search(bayes, params=["gamma"])
    assert len(display.axes_) == 1
    np.testing.assert_allclose(
        display.scatters_[0].get_offsets()[:, 0], np.asarray(results["param_gamma"])
    )
    # multi-fidelity: the rows of one resource level, said in the title
    display = SliceDisplay.from_search(hyperband, n_resources=30)
    rows = np.flatnonzero(hyperband.cv_results_["n_resources"] == 30)
    np.testing.assert_allclose(
        display.scatters_[0].get_offsets()[:, 1],
        hyperband.cv_results_["mean_test_score"][rows],
    )
    titles = [text.get_text() for text in display.figure_.texts]  # suptitle
    assert any("n_resources=30" in title for title in titles)


def test_slice_and_candidates_errors(randomized):
    with pytest.raises(ValueError, match=r"params \['degree'\] are not"):
        SliceDisplay.from_search(randomized, params=["degree"])
    with pytest.raises(TypeError, match="params must be a list or tuple"):
        search_candidates(randomized, params="C")
    with pytest.raises(ValueError, match="params must be distinct"):
        search_candidates(randomized, params=["C", "C"])
    with pytest.raises(TypeError, match="returned by search_candidates"):
        SliceDisplay(randomized.cv_results_).plot()
    constant = {"params": [{"a": 1}] * 4, "mean_test_score": [1.0, 2.0, 3.0, 4.0]}
    with pytest.raises(ValueError, match="a searched hyperparameter that varies"):
        SliceDisplay.from_search(constant)
    with pytest.raises(ValueError, match="ax must hold at least 3 axes"):
        import matplotlib.pyplot as plt

        SliceDisplay.from_search(randomized, ax=plt.subplots(1, 2)[1])


# ------------------------------------------------------- parallel coordinates
def test_parallel_coordinates_lines_are_the_candidates(randomized):
    results = randomized.cv_results_
    display = ParallelCoordinatesDisplay.from_search(randomized)
    segments = display.lines_.get_segments()
    assert len(segments) == len(results["params"])
    scores = results["mean_test_score"]
    heights = display.heights_
    unit = (scores - scores.min()) / (scores.max() - scores.min())
    np.testing.assert_allclose(heights["score"], unit)
    # the score axis's values, read back from the lines, are the scores
    drawn = sorted(s[-1, 1] for s in segments)
    np.testing.assert_allclose(drawn, np.sort(unit))
    np.testing.assert_allclose(display.lines_.get_array(), np.sort(scores))
    # C on a log axis over its searched range
    C = np.asarray(results["param_C"], dtype=float)
    np.testing.assert_allclose(
        heights["C"], (np.log(C) - np.log(1e-2)) / (np.log(1e3) - np.log(1e-2))
    )
    # categories at the ends, labelled
    assert set(heights["kernel"]) == {0.0, 1.0}
    texts = {t.get_text() for t in display.ax_.texts}
    assert {"rbf", "sigmoid", "$10^{-2}$", "$10^{3}$"} <= texts
    best = np.argmax(scores)
    np.testing.assert_allclose(display.best_line_.get_ydata(), heights.iloc[best])
    assert [t.get_text() for t in display.ax_.get_xticklabels()] == [
        "C",
        "gamma",
        "kernel",
        "score",
    ]


def test_parallel_coordinates_of_skhpo_searches(bayes, pbt, hyperband):
    display = ParallelCoordinatesDisplay.from_search(bayes)
    assert len(display.lines_.get_segments()) == len(bayes.cv_results_["params"])
    # a population: its members at the last step
    display = ParallelCoordinatesDisplay.from_search(pbt)
    last = pbt.cv_results_["step"] == pbt.cv_results_["step"].max()
    assert len(display.lines_.get_segments()) == last.sum()
    assert "n_resources" in display.ax_.get_title()
    display = ParallelCoordinatesDisplay.from_search(hyperband)
    level = search_candidates(hyperband).attrs["n_resources"]
    assert (hyperband.cv_results_["n_resources"] == level).sum() == len(
        display.lines_.get_segments()
    )


def test_unit_positions_of_a_grid():
    info = {"scale": "discrete", "values": [0.1, 1, 10], "bounds": [0.1, 10]}
    np.testing.assert_allclose(unit_positions([10, 0.1, 1], info), [1, 0, 0.5])
    info = {"scale": "linear", "values": None, "bounds": [0, 4]}
    np.testing.assert_allclose(unit_positions([1, 3], info), [0.25, 0.75])


# ------------------------------------------------------------------- contour
def peaked(c, n, kind, d):
    """Maximum at c = 10, d = 0.3; n and kind do not matter."""
    return -((math.log10(c) - 1) ** 2) - 4 * (d - 0.3) ** 2 + 0.01 * n


@pytest.fixture(scope="module")
def analytic():
    return RandomizedSearchCV(
        KnownEffectsRegressor(function=peaked),
        {
            "c": loguniform(1e-3, 1e3),
            "d": uniform(0, 1),
            "n": randint(1, 4),
            "kind": ["a", "b"],
        },
        n_iter=80,
        cv=2,
        random_state=0,
    ).fit(np.zeros((20, 1)), np.zeros(20))


def test_contour_peaks_where_the_function_does(analytic):
    results = analytic.cv_results_
    contour = surrogate_contour(analytic)
    assert contour.params == ["c", "d"]  # the two that matter, largest first
    assert contour.mean.shape == (len(contour.y), len(contour.x))
    j, i = np.unravel_index(np.argmax(contour.mean), contour.mean.shape)
    assert abs(math.log10(contour.x[i]) - 1) < 0.5
    assert abs(contour.y[j] - 0.3) < 0.15
    assert contour.x[0] == 1e-3 and contour.x[-1] == 1e3  # the whole range

    display = ContourDisplay(contour).plot()
    xy = display.points_.get_offsets()
    np.testing.assert_allclose(xy[:, 0], np.asarray(results["param_c"], dtype=float))
    np.testing.assert_allclose(xy[:, 1], np.asarray(results["param_d"], dtype=float))
    np.testing.assert_allclose(display.points_.get_array(), results["mean_test_score"])
    best = display.best_.get_offsets()[0]
    assert best[0] == pytest.approx(analytic.best_params_["c"])
    assert display.ax_.get_xscale() == "log"
    assert display.ax_.get_yscale() == "linear"
    assert "averaged" in display.ax_.get_title()


def test_contour_draws_categories_as_cells(analytic, randomized):
    display = ContourDisplay.from_search(analytic, params=("kind", "c"))
    assert [t.get_text() for t in display.ax_.get_xticklabels()] == ["a", "b"]
    assert display.ax_.get_yscale() == "log"
    mesh = display.surface_.get_array().reshape(-1, 2)  # rows: c, columns: kind
    contour = surrogate_contour(analytic, params=("kind", "c"))
    np.testing.assert_allclose(mesh, contour.mean)
    kinds = [["a", "b"][int(k)] for k in display.points_.get_offsets()[:, 0]]
    assert kinds == list(analytic.cv_results_["param_kind"])
    # scikit-learn's search with a list: the default pair, both drawn
    display = ContourDisplay.from_search(randomized)
    assert len(display.points_.get_offsets()) == 20


def test_contour_of_skhpo_searches(bayes, hyperband):
    display = ContourDisplay.from_search(bayes, params=["C", "gamma"])
    assert len(display.points_.get_offsets()) == len(bayes.cv_results_["params"])
    assert (display.ax_.get_xscale(), display.ax_.get_yscale()) == ("log", "log")
    contour = surrogate_contour(hyperband)
    level = contour.n_resources
    assert len(contour.points) == np.sum(hyperband.cv_results_["n_resources"] == level)
    np.testing.assert_array_equal(
        contour.points.index,
        np.flatnonzero(hyperband.cv_results_["n_resources"] == level),
    )


def test_contour_errors(randomized, iris):
    with pytest.raises(ValueError, match="params must name 2 hyperparameters"):
        surrogate_contour(randomized, params=["C"])
    with pytest.raises(ValueError, match=r"params \['degree'\] are not"):
        ContourDisplay.from_search(randomized, params=("C", "degree"))
    with pytest.raises(ValueError, match="n_trees must be an int >= 1"):
        surrogate_contour(randomized, n_trees=0)
    one = RandomizedSearchCV(
        SVC(), {"C": loguniform(1e-2, 1e2)}, n_iter=6, cv=2, random_state=0
    ).fit(*iris)
    with pytest.raises(ValueError, match=r"two hyperparameters that vary.*\['C'\]"):
        ContourDisplay.from_search(one)
    with pytest.raises(TypeError, match="Bunch returned by surrogate_contour"):
        ContourDisplay(randomized.cv_results_).plot()


# -------------------------------------------- one hyperparameter, long names
def test_importance_and_marginal_of_a_one_parameter_search(iris):
    search = GridSearchCV(SVC(), {"C": [0.01, 0.1, 1, 10, 100]}, cv=3).fit(*iris)
    importance = ImportanceDisplay.from_search(search)
    assert [b.get_width() for b in importance.bars_] == [pytest.approx(1.0)]
    marginal = MarginalDisplay.from_search(search)
    assert len(marginal.axes_) == 1
    ticks = [t.get_text() for t in marginal.axes_[0].get_xticklabels()]
    assert ticks == ["0.01", "0.1", "1", "10", "100"]
    means = marginal.lines_[0].lines[0].get_ydata()
    assert np.argmax(means) == np.argmax(search.cv_results_["mean_test_score"])


@pytest.fixture(scope="module")
def pipeline_search():
    X, y = load_iris(return_X_y=True)
    pipe = Pipeline(
        [
            ("preprocessor", StandardScaler()),
            ("classifier", make_pipeline(StandardScaler(), LogisticRegression())),
        ]
    )
    return RandomizedSearchCV(
        pipe,
        {
            "classifier__logisticregression__C": loguniform(1e-3, 1e2),
            "classifier__logisticregression__class_weight": [None, "balanced"],
            "classifier__standardscaler__with_std": [True, False],
            "preprocessor__with_mean": [True, False],
        },
        n_iter=12,
        cv=2,
        random_state=0,
    ).fit(X, y)


def inside(figure, axes):
    """Whether all that ``axes`` draw (labels, ticks, titles) is in the figure."""
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    box = figure.bbox
    for ax in axes:
        extent = ax.get_tightbbox(renderer)
        if extent.x0 < box.x0 - 1 or extent.x1 > box.x1 + 1:
            return False
        if extent.y0 < box.y0 - 1 or extent.y1 > box.y1 + 1:
            return False
    return True


def test_layouts_survive_long_pipeline_names(pipeline_search):
    importance = ImportanceDisplay.from_search(pipeline_search, n_pairs=2)
    fig, ax = importance.figure_, importance.ax_
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "…logisticregression__C" in labels
    assert any(" × " in t for t in labels)
    assert inside(fig, [ax])
    # the bars get at least half of the figure's width
    assert ax.get_position().width >= 0.5
    marginal = MarginalDisplay.from_search(pipeline_search)
    assert inside(marginal.figure_, marginal.axes_)
    ticks = [t.get_text() for ax in marginal.axes_ for t in ax.get_xticklabels()]
    assert "None" in ticks and "balanced" in ticks
    for display in (
        SliceDisplay.from_search(pipeline_search),
        ParallelCoordinatesDisplay.from_search(pipeline_search),
        ContourDisplay.from_search(pipeline_search),
    ):
        axes = getattr(display, "axes_", None)
        assert inside(display.figure_, [display.ax_] if axes is None else axes)


def test_short_names_stay_distinct():
    names = ["a__svc__C", "b__svc__C", "pre__scale__with_mean"]
    labels = _base.short_names(names, max_chars=6)
    assert len(set(labels.values())) == 3
    assert labels["pre__scale__with_mean"] == "…with_mean"
    assert labels["a__svc__C"] == "a__svc__C"  # "…svc__C" would be ambiguous
