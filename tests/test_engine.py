"""The engine: lagged proposals, fold order, interrupts, joblib backends, callbacks."""

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.base import clone
from sklearn.datasets import load_iris
from sklearn.metrics import check_scoring
from sklearn.model_selection import KFold
from sklearn.svm import SVC

from skhpo import BayesSearchCV
from skhpo._engine import Evaluator
from skhpo.space import Real
from skhpo.utils._testing import InterruptingClassifier, SleepingClassifier

X, Y = load_iris(return_X_y=True)


def _evaluator(estimator, n_jobs=1, n_splits=3):
    splits = list(KFold(n_splits, shuffle=True, random_state=0).split(X, Y))
    return Evaluator(
        clone(estimator),
        X,
        Y,
        splits,
        scorer=check_scoring(estimator),
        fit_params={},
        score_params={},
        return_train_score=False,
        error_score=np.nan,
        n_jobs=n_jobs,
    )


@pytest.mark.parametrize("n_jobs", [1, 2])
@pytest.mark.parametrize("lag", [1, 3])
def test_candidate_k_is_proposed_after_k_minus_lag_finished(n_jobs, lag):
    # fit times decrease so later candidates would finish first if allowed
    durations = [0.06, 0.05, 0.04, 0.03, 0.02, 0.01, 0.0]
    evaluator = _evaluator(SleepingClassifier(), n_jobs=n_jobs)
    seen = []

    def propose(k, finished, pending):
        # exactly the results of 0 .. k - lag, and the parameters in between
        assert len(finished) == max(0, k - lag + 1)
        assert [r.params["duration"] for r in finished] == durations[: len(finished)]
        assert [p["duration"] for p in pending] == durations[len(finished) : k]
        seen.append(k)
        return {"duration": durations[k]}, {"k": k}

    results = evaluator.run(propose, len(durations), lag=lag)
    assert seen == list(range(len(durations)))
    for r, duration in zip(results, durations):
        assert r.params == {"duration": duration}
        assert r.extra == {"k": durations.index(duration)}
        assert len(r.out) == 3
        assert r.mean_test("score") == pytest.approx(-duration)


def test_folds_are_returned_in_split_order():
    evaluator = _evaluator(SVC(), n_jobs=2, n_splits=4)
    [result] = evaluator.run(lambda k, f, p: ({"C": 1.0}, {}), 1, lag=1)
    tests = [len(test) for _, test in evaluator.splits]
    assert [o["n_test_samples"] for o in result.out] == tests


def test_propose_none_stops_early():
    evaluator = _evaluator(SVC())
    results = evaluator.run(lambda k, f, p: None if k == 2 else ({"C": 1.0 + k}, {}), 5)
    assert len(results) == 2 and len(evaluator.proposed) == 2


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_interrupt_keeps_what_finished(n_jobs):
    evaluator = _evaluator(InterruptingClassifier(interrupt_on=2), n_jobs=n_jobs)
    with pytest.raises(KeyboardInterrupt):
        evaluator.run(lambda k, f, p: ({"parameter": k}, {}), 5, lag=1)
    assert [r.params["parameter"] for r in evaluator.results] == [0, 1]
    assert len(evaluator.proposed) == 2


def test_search_under_dask_backend_matches_sequential():
    distributed = pytest.importorskip("distributed")
    space = {
        "C": Real(1e-2, 1e2, "log-uniform"),
        "gamma": Real(1e-3, 1.0, "log-uniform"),
    }
    kwargs = dict(n_iter=6, n_initial_points=3, cv=3, random_state=0, batch_size=2)
    sequential = BayesSearchCV(SVC(), space, n_jobs=1, **kwargs).fit(X, Y)
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        with distributed.get_task_stream(client) as stream:
            with parallel_config(backend="dask"):
                on_dask = BayesSearchCV(SVC(), space, **kwargs).fit(X, Y)
        # the 6 x 3 fits ran on the cluster's workers
        assert len(stream.data) >= 18
        assert {task["worker"] for task in stream.data} <= set(
            client.scheduler_info()["workers"]
        )
    assert on_dask.cv_results_["params"] == sequential.cv_results_["params"]
    np.testing.assert_array_equal(
        on_dask.cv_results_["mean_test_score"],
        sequential.cv_results_["mean_test_score"],
    )


def test_sklearn_callbacks_see_every_fold_and_the_refit():
    callback_module = pytest.importorskip("sklearn.callback")

    class Recorder:
        def __init__(self):
            self.begun, self.ended = [], []

        def setup(self, estimator, context):
            pass

        def teardown(self, estimator, context):
            pass

        def on_fit_task_begin(self, estimator, context, **kwargs):
            self.begun.append(context.task_name)

        def on_fit_task_end(self, estimator, context, **kwargs):
            self.ended.append(context.task_name)

    recorder = Recorder()
    assert isinstance(recorder, callback_module.FitCallback)
    search = BayesSearchCV(SVC(), {"C": [0.1, 1.0, 10.0]}, n_iter=3, cv=2)
    search.set_callbacks(recorder)
    search.fit(X, Y)
    assert recorder.begun.count("candidate-split-evaluation") == 6
    assert recorder.ended.count("candidate-split-evaluation") == 6
    assert "refit-with-best-params" in recorder.begun
    assert recorder.begun[0] == "fit" and recorder.ended[-1] == "fit"


def test_progress_bar_runs():
    callback_module = pytest.importorskip("sklearn.callback")
    pytest.importorskip("rich")
    search = BayesSearchCV(
        SVC(), {"C": Real(0.1, 10.0)}, n_iter=3, cv=2, random_state=0
    )
    search.set_callbacks(callback_module.ProgressBar())
    search.fit(X, Y)
    assert len(search.cv_results_["params"]) == 3


@pytest.mark.parametrize("backend", ["threading", "multiprocessing"])
def test_backends_with_their_own_pools(backend):
    # one call at a time: no oversubscription, same results as in sequence
    space = {"C": Real(1e-2, 1e2, "log-uniform")}
    kwargs = dict(n_iter=5, n_initial_points=2, cv=3, random_state=0, batch_size=3)
    sequential = BayesSearchCV(SVC(), space, n_jobs=1, **kwargs).fit(X, Y)
    with parallel_config(backend=backend):
        other = BayesSearchCV(SVC(), space, n_jobs=2, **kwargs).fit(X, Y)
    assert other.cv_results_["params"] == sequential.cv_results_["params"]


def test_large_arrays_are_memory_mapped_once_as_joblib_would():
    """Process workers get X as one read-only memory map for the whole search;
    joblib's parallel_config still decides (max_nbytes=None turns it off)."""
    big = np.random.default_rng(0).random((5000, 40))  # 1.6 MB
    labels = (big[:, 0] > 0.5).astype(int)
    splits = list(KFold(2).split(big))
    evaluator = Evaluator(
        SVC(),
        big,
        labels,
        splits,
        scorer=check_scoring(SVC()),
        fit_params={},
        score_params={},
        return_train_score=False,
        error_score=np.nan,
        n_jobs=2,
    )
    with evaluator._shared_data():
        assert isinstance(evaluator.X, np.memmap) and not evaluator.X.flags.writeable
        np.testing.assert_array_equal(evaluator.X, big)
        assert type(evaluator.y) is np.ndarray  # small: left to joblib
    assert evaluator.X is big
    with parallel_config(max_nbytes=None):
        with evaluator._shared_data():
            assert evaluator.X is big
    with parallel_config(backend="threading"):
        with evaluator._shared_data():
            assert evaluator.X is big
    one = _evaluator(SVC(), n_jobs=1)
    with one._shared_data():
        assert one.X is X
