"""The engine: lagged proposals, fold order, interrupts, joblib backends, callbacks."""

import copy
import pickle

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.datasets import load_digits, load_iris
from sklearn.linear_model import Ridge, SGDClassifier
from sklearn.metrics import check_scoring
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.svm import SVC

from skhpo import BayesSearchCV, HyperbandSearchCV, _engine
from skhpo._engine import Evaluator, Job, OnDisk, Packed
from skhpo.space import Real
from skhpo.utils._testing import InterruptingClassifier, SleepingClassifier

X, Y = load_iris(return_X_y=True)


def _evaluator(
    estimator, n_jobs=1, n_splits=3, X=X, y=Y, scorer=None, error_score=np.nan
):
    splits = list(KFold(n_splits, shuffle=True, random_state=0).split(X, y))
    return Evaluator(
        clone(estimator),
        X,
        y,
        splits,
        scorer=scorer or check_scoring(estimator),
        fit_params={},
        score_params={},
        return_train_score=False,
        error_score=error_score,
        n_jobs=n_jobs,
    )


def _big_evaluator(estimator, n_jobs=2, X=None, y=None, scorer=None):
    """An evaluator whose X (1.6 MB unless given) process workers share."""
    X = np.random.default_rng(0).random((5000, 40)) if X is None else X
    y = (X[:, 0] > 0.5).astype(int) if y is None else y
    return _evaluator(estimator, n_jobs, X=X, y=y, scorer=scorer, error_score="raise")


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
    evaluator = _big_evaluator(SVC())
    big = evaluator.X
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


def test_each_split_is_written_once_for_tasks_to_map(monkeypatch):
    """With X memory-mapped, each split's parts are written too: tasks carry
    references, and each maps its fold for itself, copy-on-write."""
    evaluator = _big_evaluator(SVC())
    big, labels = evaluator.X, evaluator.y
    with evaluator._shared_data():
        assert len(evaluator._folds) == 3
        for (train, test), refs in zip(evaluator.splits, evaluator._folds):
            assert all(isinstance(r, OnDisk) for r in (*refs[:2], *refs[2]))
            m_train, m_test = OnDisk.opened(refs[0]), OnDisk.opened(refs[1])
            np.testing.assert_array_equal(m_train, train)
            np.testing.assert_array_equal(m_test, test)
            X_train, y_train, X_test, y_test = map(OnDisk.opened, refs[2])
            np.testing.assert_array_equal(X_train, big[train])
            np.testing.assert_array_equal(y_train, labels[train])
            np.testing.assert_array_equal(X_test, big[test])
            np.testing.assert_array_equal(y_test, labels[test])
            assert isinstance(X_train, np.memmap) and X_train.flags.writeable
            # every opening is a map of its own
            assert OnDisk.opened(refs[2][0]) is not X_train
        tasks = list(evaluator.tasks(0, {"C": 1.0}))
        assert tasks[0][2]["fold"] is evaluator._folds[0][2]
        assert len(tasks[0][2]["test"]) == len(evaluator.splits[0][1])
        # the whole X and y go along unopened, for the tasks that need them
        whole_X, whole_y = tasks[0][1][1:3]
        assert isinstance(whole_X, OnDisk) and isinstance(whole_y, OnDisk)
        np.testing.assert_array_equal(OnDisk.opened(whole_X), big)
        np.testing.assert_array_equal(OnDisk.opened(whole_y), labels)
    assert evaluator._folds is None and evaluator.X is big
    # the disk they may take is bounded; above it workers cut their folds
    monkeypatch.setattr(_engine, "_FOLDS_NBYTES", big.nbytes)
    with evaluator._shared_data():
        assert isinstance(evaluator.X, np.memmap) and evaluator._folds is None
    monkeypatch.undo()
    with parallel_config(max_nbytes=None):
        with evaluator._shared_data():
            assert evaluator._folds is None
    # a pairwise estimator cuts its kernel from X: no split is written
    pairwise = _big_evaluator(SVC(kernel="precomputed"))
    with pairwise._shared_data():
        assert isinstance(pairwise.X, np.memmap) and pairwise._folds is None


def test_many_splits_hold_no_file_open():
    """The search keeps references, not maps: leave-one-out style CV does not
    run out of file descriptors."""
    import resource

    evaluator = _big_evaluator(SVC())
    evaluator.splits = list(KFold(300).split(evaluator.X))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(256, hard), hard))
    try:
        with evaluator._shared_data():
            assert len(evaluator._folds) == 300
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


class _Zeroing(RegressorMixin, BaseEstimator):
    """Records the sum of its training data, then zeroes that data in place."""

    def fit(self, X, y):
        self.seen_ = float(np.sum(X))
        X[...] = 0.0  # fails on a read-only fold
        return self

    def predict(self, X):
        return np.full(len(X), self.seen_)


def _seen(estimator, X, y):
    return estimator.seen_


def test_a_fit_writing_to_its_fold_changes_no_other_task():
    """Copy-on-write: each task gets the split as it was written, also when
    joblib sends many of the same split in one batch (run_jobs)."""
    evaluator = _big_evaluator(_Zeroing(), scorer=_seen)
    expected = [float(evaluator.X[train].sum()) for train, _ in evaluator.splits]
    results = evaluator.run(lambda k, f, p: ({}, {}), 6, lag=3)

    class OneBatch:
        asked = False

        def ask(self, n_free):
            if self.asked:
                return []
            self.asked = True
            return [[Job({}) for _ in range(40)]]

        def tell(self, job, result):
            pass

    results += evaluator.run_jobs(OneBatch())
    assert len(results) == 46
    for result in results:
        assert [o["test_scores"] for o in result.out] == pytest.approx(expected)


def test_pairwise_estimators_cut_their_kernel_from_X():
    rng = np.random.default_rng(0)
    features = rng.random((400, 5))
    kernel = features @ features.T  # 400 x 400: 1.3 MB, memory-mapped
    y = (features[:, 0] > 0.5).astype(int)
    model = SVC(kernel="precomputed")
    scores = {}
    for n_jobs in (1, 2):
        evaluator = _big_evaluator(model, n_jobs=n_jobs, X=kernel, y=y)
        results = evaluator.run(lambda k, f, p: ({"C": 10.0**k}, {}), 3, lag=3)
        scores[n_jobs] = [[o["test_scores"] for o in r.out] for r in results]
    assert scores[1] == scores[2]


def test_fit_parameters_are_cut_along_with_the_shared_splits():
    rng = np.random.default_rng(1)
    features = rng.random((5000, 40))
    target = features @ rng.random(40)
    weights = rng.random(5000)
    scores = {}
    for n_jobs in (1, 2):
        evaluator = _big_evaluator(Ridge(), n_jobs=n_jobs, X=features, y=target)
        evaluator.fit_params = {"sample_weight": weights}
        results = evaluator.run(lambda k, f, p: ({"alpha": 10.0**k}, {}), 3, lag=3)
        scores[n_jobs] = [[o["test_scores"] for o in r.out] for r in results]
    np.testing.assert_allclose(scores[1], scores[2], rtol=1e-12)
    unweighted = _big_evaluator(Ridge(), X=features, y=target)
    plain = unweighted.run(lambda k, f, p: ({"alpha": 10.0**k}, {}), 3, lag=3)
    assert [[o["test_scores"] for o in r.out] for r in plain] != scores[2]


def test_kept_models_travel_pickled_once():
    X, y = load_iris(return_X_y=True)
    model = SGDClassifier(random_state=0).fit(X, y)
    packed = Packed.of(model)
    assert packed.nbytes == len(pickle.dumps(model, protocol=5))
    np.testing.assert_array_equal(packed.load().predict(X), model.predict(X))
    assert copy.deepcopy(packed) is packed  # immutable bytes: copying is free
    # what the standard pickler refuses, cloudpickle packs
    local = make_pipeline(FunctionTransformer(lambda Z: 2 * Z), model)
    with pytest.raises((pickle.PicklingError, AttributeError)):
        pickle.dumps(local)
    np.testing.assert_array_equal(Packed.of(local).load().predict(X), local.predict(X))


def test_continued_models_give_the_same_results_when_they_travel():
    """partial_fit models continued by process workers (packed) and in place
    (one worker) train alike, a lambda in the Pipeline included."""
    X, y = load_digits(return_X_y=True)
    model = make_pipeline(
        FunctionTransformer(lambda Z: Z / 16.0), SGDClassifier(random_state=0)
    )
    space = {"sgdclassifier__alpha": [1e-5, 1e-4, 1e-3, 1e-2]}
    results = {}
    for n_jobs in (1, 2):
        search = HyperbandSearchCV(
            model,
            space,
            resource="partial_fit",
            max_resources=9,
            n_brackets=1,
            cv=3,
            n_jobs=n_jobs,
            random_state=0,
        ).fit(X, y)
        results[n_jobs] = search.cv_results_
    for key in ("mean_test_score", "split0_test_score", "n_resources"):
        np.testing.assert_array_equal(results[1][key], results[2][key])
