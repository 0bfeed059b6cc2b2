"""The engine: one loop over a policy, fold order, interrupts, backends, shared
data, kept models, slow tasks and lost workers."""

import copy
import errno
import os
import pickle
import socket
import time
import warnings

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.datasets import load_digits, load_iris
from sklearn.linear_model import Ridge, SGDClassifier
from sklearn.metrics import check_scoring
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.svm import SVC

from skhpo import BayesSearchCV, HyperbandSearchCV, NestedCV
from skhpo._engine import Evaluator, Packed, _data
from skhpo.schedulers import Policy, Trial
from skhpo.space import Real
from skhpo.utils._testing import (
    EpochClassifier,
    FailingClassifier,
    InterruptingClassifier,
    Recorder,
    SleepingClassifier,
)

X, Y = load_iris(return_X_y=True)


class ListPolicy(Policy):
    """Asks for the given parameters in order; records what it is told."""

    def __init__(self, params, *, lag=None):
        super().__init__()
        self.params = list(params)
        self.lag = lag
        self.told = []

    def ask(self, n):
        trials = []
        while len(trials) < n and self._next_id < len(self.params):
            k = self._next_id
            if self.lag is not None and k - self.lag + 1 > len(self.told):
                break
            trials.append(Trial(self._new_id(), self.params[k], {"k": k}))
        return trials

    def tell(self, trial, score):
        self.told.append((trial.id, score))


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


def _score(result):
    return result.mean_test("score")


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_every_trial_is_told_once_with_its_score(n_jobs):
    durations = [0.06, 0.05, 0.04, 0.03, 0.02, 0.01, 0.0]
    evaluator = _evaluator(SleepingClassifier(), n_jobs=n_jobs)
    policy = ListPolicy([{"duration": d} for d in durations], lag=3)
    results = evaluator.run(policy, score=_score)
    assert sorted(i for i, _ in policy.told) == list(range(len(durations)))
    assert dict(policy.told) == {i: pytest.approx(-d) for i, d in enumerate(durations)}
    for result in results:
        assert result.params == {"duration": durations[result.trial.id]}
        assert result.extra == {"k": result.trial.id}
        assert len(result.out) == 3


def test_with_one_worker_trials_run_and_are_told_in_the_order_asked():
    evaluator = _evaluator(SVC(), n_jobs=1)
    policy = ListPolicy([{"C": c} for c in (0.1, 1.0, 10.0, 100.0)])
    evaluator.run(policy, score=_score, capacity=2)
    assert [i for i, _ in policy.told] == [0, 1, 2, 3]


def test_folds_are_returned_in_split_order():
    evaluator = _evaluator(SVC(), n_jobs=2, n_splits=4)
    [result] = evaluator.run(ListPolicy([{"C": 1.0}]))
    tests = [len(test) for _, test in evaluator.splits]
    assert [o["n_test_samples"] for o in result.out] == tests


def test_a_slow_task_holds_back_no_other():
    """A task starts as soon as a worker frees: one slow trial among fast ones
    finishes last, while the third worker runs every fast one."""
    evaluator = _evaluator(SleepingClassifier(), n_jobs=3, n_splits=2)
    durations = [1.0] + [0.02] * 12
    with parallel_config(backend="threading"):
        results = evaluator.run(ListPolicy([{"duration": d} for d in durations]))
    assert [r.trial.id for r in results][-1] == 0


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_interrupt_keeps_what_finished(n_jobs):
    evaluator = _evaluator(InterruptingClassifier(interrupt_on=2), n_jobs=n_jobs)
    policy = ListPolicy([{"parameter": k} for k in range(5)], lag=1)
    with pytest.raises(KeyboardInterrupt):
        evaluator.run(policy, score=_score)
    assert [r.params["parameter"] for r in evaluator.results] == [0, 1]


def test_a_policy_error_propagates_and_keeps_what_finished():
    class Failing(ListPolicy):
        def tell(self, trial, score):
            super().tell(trial, score)
            if len(self.told) == 2:
                raise RuntimeError("the policy failed")

    evaluator = _evaluator(SVC(), n_jobs=2)
    with pytest.raises(RuntimeError, match="the policy failed"):
        evaluator.run(Failing([{"C": 1.0 + k} for k in range(6)], lag=1), score=_score)
    assert len(evaluator.results) == 2


def test_kept_models_are_continued_copied_and_released():
    """A trial continues its parent's models: handed over (take), or copied
    while the parent's stay for another; released ones are forgotten."""
    X, y = load_digits(return_X_y=True)
    model = SGDClassifier(random_state=0)
    seen = {}

    class Chain(Policy):
        def __init__(self):
            super().__init__()
            self.plan = [
                dict(parent=None, keep=True),  # 0
                dict(parent=0, take=False, keep=True),  # 1: a copy of 0
                dict(parent=0, take=True, keep=False),  # 2: 0's own models
            ]
            self.n_told = 0

        def ask(self, n):
            if self._next_id >= len(self.plan) or self.n_told < self._next_id:
                return []
            spec = self.plan[self._next_id]
            return [Trial(self._new_id(), {"alpha": 1e-4}, stop=1, **spec)]

        def tell(self, trial, score):
            self.n_told += 1
            if trial.id == 1:
                self.released.append(1)

    from skhpo._fidelity import check_fidelity

    fidelity = check_fidelity(model, "partial_fit", ["alpha"])
    evaluator = _evaluator(model, X=X, y=y)
    fidelity.bind(y, evaluator.splits, len(X), np.random.default_rng(0))

    def to_job(trial, states):
        seen[trial.id] = states
        return fidelity.job(trial, states)

    results = evaluator.run(Chain(), score=_score, to_job=to_job)
    assert seen[0] is None and len(seen[1]) == 3 and len(seen[2]) == 3
    # the copy and the original trained one more epoch from the same models
    assert results[1].out[0]["test_scores"] == results[2].out[0]["test_scores"]
    assert seen[1][0] is not seen[2][0]
    assert evaluator.stats["copy_time"] > 0


def test_search_under_dask_backend_matches_sequential(dask_client):
    distributed = pytest.importorskip("distributed")
    space = {
        "C": Real(1e-2, 1e2, "log-uniform"),
        "gamma": Real(1e-3, 1.0, "log-uniform"),
    }
    kwargs = dict(n_iter=6, n_initial_points=3, cv=3, random_state=0, batch_size=2)
    sequential = BayesSearchCV(SVC(), space, n_jobs=1, **kwargs).fit(X, Y)
    with distributed.get_task_stream(dask_client) as stream:
        with parallel_config(backend="dask"):
            on_dask = BayesSearchCV(SVC(), space, **kwargs).fit(X, Y)
    # the 6 x 3 fits ran on the cluster's workers
    assert len(stream.data) >= 18
    assert {task["worker"] for task in stream.data} <= set(
        dask_client.scheduler_info()["workers"]
    )
    assert on_dask.cv_results_["params"] == sequential.cv_results_["params"]
    np.testing.assert_array_equal(
        on_dask.cv_results_["mean_test_score"],
        sequential.cv_results_["mean_test_score"],
    )


def test_sklearn_callbacks_see_every_fold_and_the_refit():
    callback_module = pytest.importorskip("sklearn.callback")

    recorder = Recorder()
    assert isinstance(recorder, callback_module.FitCallback)
    search = BayesSearchCV(SVC(), {"C": [0.1, 1.0, 10.0]}, n_iter=3, cv=2)
    search.set_callbacks(recorder)
    search.fit(X, Y)
    begun, ended = recorder.names("begun"), recorder.names("ended")
    assert begun.count("candidate-split-evaluation") == 6
    assert ended.count("candidate-split-evaluation") == 6
    assert "refit-with-best-params" in begun
    assert begun[0] == "fit" and ended[-1] == "fit"


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_callback_asking_to_stop_ends_the_search_with_what_finished(n_jobs):
    pytest.importorskip("sklearn.callback")
    search = BayesSearchCV(
        SVC(),
        {"C": Real(1e-2, 1e2, prior="log-uniform")},
        n_iter=30,
        n_initial_points=3,
        batch_size=2,
        cv=2,
        n_jobs=n_jobs,
        random_state=0,
    )
    search.set_callbacks(Recorder(stop_at=7))  # the last fold of trial 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a stop asked for is no failure
        search.fit(X, Y)
    n = len(search.cv_results_["params"])
    assert 4 <= n < 30
    assert (np.asarray(search.cv_results_["split1_status"]) == "ok").all()
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.best_estimator_.predict(X).shape == Y.shape
    # the same first candidates as a search that was not stopped
    full = BayesSearchCV(**{**search.get_params(deep=False), "n_iter": n})
    full.fit(X, Y)
    assert full.cv_results_["params"][:4] == search.cv_results_["params"][:4]


class _SlowSecondHalf(SleepingClassifier):
    """Sleeps only when trained on the second half of X (fold 0 of KFold(2))."""

    def fit(self, X, y=None, **fit_params):
        if X[:, 0].min() > 0:
            time.sleep(self.duration)
        return super(SleepingClassifier, self).fit(X, y, **fit_params)


def test_a_stop_keeps_the_trial_that_asked_for_it():
    pytest.importorskip("sklearn.callback")
    X_rows, y_rows = np.arange(40.0)[:, None], np.tile([0, 1], 20)
    search = BayesSearchCV(
        _SlowSecondHalf(),
        {"duration": [0.5, 0.6, 0.7, 0.8]},
        n_iter=4,
        cv=KFold(2),
        n_jobs=2,
        random_state=0,
    )
    # fold 1 of trial 0 ends first and asks to stop; its fold 0 still runs
    search.set_callbacks(Recorder(stop_at=1))
    search.fit(X_rows, y_rows)
    assert len(search.cv_results_["params"]) >= 1
    assert search.cv_results_["params"][0] == {"duration": 0.5}


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_progress_bar_runs_without_a_warning_per_fit(n_jobs, capfd):
    callback_module = pytest.importorskip("sklearn.callback")
    pytest.importorskip("rich")
    search = BayesSearchCV(
        make_pipeline(FunctionTransformer(), SVC()),
        {"svc__C": Real(0.1, 10.0)},
        n_iter=3,
        cv=2,
        random_state=0,
        n_jobs=n_jobs,
    )
    # propagated to every level: to the fitted Pipeline and SVC too
    search.set_callbacks(callback_module.ProgressBar(max_propagation_depth=None))
    with warnings.catch_warnings():
        # SVC and Pipeline take no callbacks: scikit-learn would warn at
        # every fit (in worker processes too, where no filter reaches)
        warnings.simplefilter("error")
        search.fit(X, Y)
    assert len(search.cv_results_["params"]) == 3
    captured = capfd.readouterr()
    assert "does not support callbacks" not in captured.out + captured.err


def test_asynchronous_hyperband_progress_has_its_planned_total():
    pytest.importorskip("sklearn.callback")
    search = HyperbandSearchCV(
        EpochClassifier(),
        {"quality": Real(0.0, 1.0)},
        resource="partial_fit",
        max_resources=9,
        asynchronous=True,
        cv=2,
        random_state=0,
    )
    recorder = Recorder()
    search.set_callbacks(recorder)
    search.fit(X, Y)
    planned = int(search.plan()["n_candidates"].sum())
    assert recorder.planned == planned * 2
    ran = recorder.names().count("candidate-split-evaluation")
    assert ran == len(search.cv_results_["params"]) * 2 == recorder.planned


@pytest.mark.parametrize("backend", ["threading", "multiprocessing"])
def test_backends_with_their_own_pools(backend):
    space = {"C": Real(1e-2, 1e2, "log-uniform")}
    kwargs = dict(n_iter=5, n_initial_points=2, cv=3, random_state=0, batch_size=3)
    sequential = BayesSearchCV(SVC(), space, n_jobs=1, **kwargs).fit(X, Y)
    with parallel_config(backend=backend):
        other = BayesSearchCV(SVC(), space, n_jobs=2, **kwargs).fit(X, Y)
    assert other.cv_results_["params"] == sequential.cv_results_["params"]


def test_scikit_learn_configuration_reaches_the_workers():
    """As scikit-learn's own searches do: set_config holds in every fit."""
    from sklearn import config_context, get_config

    class Reports(RegressorMixin, BaseEstimator):
        def fit(self, X, y):
            self.assume_finite_ = get_config()["assume_finite"]
            return self

        def predict(self, X):
            return np.zeros(len(X))

    def reported(estimator, X, y):
        return float(estimator.assume_finite_)

    evaluator = _evaluator(Reports(), n_jobs=2, scorer=reported)
    with config_context(assume_finite=True):
        [result] = evaluator.run(ListPolicy([{}]))
    assert [o["test_scores"] for o in result.out] == [1.0, 1.0, 1.0]


# ------------------------------------------------------------ shared data


def _shared_X(evaluator):
    with evaluator._workers() as (_, shared_X, shared_y):
        return type(shared_X), type(shared_y), getattr(shared_X, "filename", None)


def test_large_arrays_are_memory_mapped_once_as_joblib_would():
    """Process workers get X as one read-only memory map for the whole search,
    in joblib's temporary folder, removed after; joblib's parallel_config
    still decides (max_nbytes=None turns it off)."""
    evaluator = _big_evaluator(SVC())
    with evaluator._workers() as (_, shared_X, shared_y):
        assert isinstance(shared_X, np.memmap) and not shared_X.flags.writeable
        np.testing.assert_array_equal(shared_X, evaluator.X)
        assert type(shared_y) is np.ndarray  # small: left to joblib
        folder = os.path.dirname(shared_X.filename)
        assert os.path.basename(folder).startswith("skhpo-")
        assert os.listdir(folder) == ["X.npy"]  # X once, nothing per split
    assert not os.path.exists(folder)
    with parallel_config(max_nbytes=None):
        assert _shared_X(evaluator)[0] is np.ndarray
    with parallel_config(backend="threading"):
        assert _shared_X(evaluator)[0] is np.ndarray
    assert _shared_X(_evaluator(SVC(), n_jobs=1))[0] is np.ndarray


def test_the_shared_folder_follows_joblib_temp_folder(tmp_path, monkeypatch):
    evaluator = _big_evaluator(SVC())
    with parallel_config(temp_folder=str(tmp_path / "a")):
        assert _shared_X(evaluator)[2].startswith(str(tmp_path / "a"))
    monkeypatch.setenv("JOBLIB_TEMP_FOLDER", str(tmp_path / "b"))
    assert _shared_X(evaluator)[2].startswith(str(tmp_path / "b"))


def test_a_full_folder_sends_the_data_with_the_tasks(monkeypatch):
    """No room for X: nothing is left on disk, joblib's own memory-mapping is
    off, and the search gives what it gives with room."""
    X_big = np.random.default_rng(0).random((4000, 40))
    y_big = (X_big[:, 0] > 0.5).astype(int)
    space = {"C": Real(1e-2, 1e2, "log-uniform")}
    kwargs = dict(n_iter=4, n_initial_points=2, cv=2, random_state=0, n_jobs=2)
    with_room = BayesSearchCV(SVC(), space, **kwargs).fit(X_big, y_big)

    def full(path, *args, **kwargs):
        with open(path, "wb") as file:
            file.write(b"\0" * 10)
        raise OSError(errno.ENOSPC, "No space left on device", path)

    monkeypatch.setattr(_data.np, "save", full)
    evaluator = _big_evaluator(SVC(), X=X_big, y=y_big)
    with evaluator._workers() as (workers, shared_X, _):
        assert shared_X is evaluator.X
        assert workers._kwargs == {"max_nbytes": None}
    without = BayesSearchCV(SVC(), space, **kwargs).fit(X_big, y_big)
    assert without.cv_results_["params"] == with_room.cv_results_["params"]
    np.testing.assert_array_equal(
        without.cv_results_["mean_test_score"], with_room.cv_results_["mean_test_score"]
    )


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
    evaluator = _big_evaluator(_Zeroing(), scorer=_seen)
    expected = [float(evaluator.X[train].sum()) for train, _ in evaluator.splits]
    results = evaluator.run(ListPolicy([{}] * 12))
    assert len(results) == 12
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
        results = evaluator.run(ListPolicy([{"C": 10.0**k} for k in range(3)]))
        results.sort(key=lambda r: r.trial.id)
        scores[n_jobs] = [[o["test_scores"] for o in r.out] for r in results]
    assert scores[1] == scores[2]


def test_fit_parameters_are_cut_along_with_shared_data():
    rng = np.random.default_rng(1)
    features = rng.random((5000, 40))
    target = features @ rng.random(40)
    weights = rng.random(5000)
    scores = {}
    for n_jobs in (1, 2):
        evaluator = _big_evaluator(Ridge(), n_jobs=n_jobs, X=features, y=target)
        evaluator.fit_params = {"sample_weight": weights}
        results = evaluator.run(ListPolicy([{"alpha": 10.0**k} for k in range(3)]))
        results.sort(key=lambda r: r.trial.id)
        scores[n_jobs] = [[o["test_scores"] for o in r.out] for r in results]
    np.testing.assert_allclose(scores[1], scores[2], rtol=1e-12)
    unweighted = _big_evaluator(Ridge(), X=features, y=target)
    plain = unweighted.run(ListPolicy([{"alpha": 10.0**k} for k in range(3)]))
    plain.sort(key=lambda r: r.trial.id)
    assert [[o["test_scores"] for o in r.out] for r in plain] != scores[2]


# ------------------------------------------------------------ kept models


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


# ------------------------------------------------------------ slow and lost


def test_a_policy_that_can_go_around_a_hanging_trial_is_told(monkeypatch):
    # a trial stalls after 10 times the median fold and at least _STALL_MIN
    # seconds (10): a second here, so that a 3 s hang is one
    monkeypatch.setattr("skhpo._engine._loop._STALL_MIN", 1.0)

    class Around(ListPolicy):
        def __init__(self, params):
            super().__init__(params, lag=2)
            self.stalled = []

        def ask(self, n):
            # like a lagged proposal: trial k needs 0 .. k - 2 told or stalled
            trials = []
            while len(trials) < n and self._next_id < len(self.params):
                k = self._next_id
                known = {i for i, _ in self.told} | set(self.stalled)
                if any(i not in known for i in range(k - 1)):
                    break
                trials.append(Trial(self._new_id(), self.params[k]))
            return trials

        def stall(self, trial):
            self.stalled.append(trial.id)
            return True

    X_odd, y_odd = X[:149], Y[:149]  # two folds: 74 and 75 training samples
    evaluator = _evaluator(_HangsOnOneFold(), n_jobs=2, n_splits=2, X=X_odd, y=y_odd)
    policy = Around([{"duration": 3.0}] + [{"duration": 0.01}] * 8)
    started = time.monotonic()
    with parallel_config(backend="threading"):
        results = evaluator.run(policy, score=_score)
    assert policy.stalled == [0]
    assert [r.trial.id for r in results][-1] == 0  # every other one first
    assert time.monotonic() - started < 6


class _HangsOnOneFold(RegressorMixin, BaseEstimator):
    """Sleeps ``duration`` seconds when fitted on 75 samples, else 0.01."""

    def __init__(self, duration=0.0):
        self.duration = duration

    def fit(self, X, y):
        time.sleep(self.duration if len(X) == 75 else 0.01)
        return self

    def predict(self, X):
        return np.zeros(len(X))


def test_tasks_of_a_killed_loky_worker_are_resubmitted(tmp_path):
    """A worker process that dies loses every task in flight: they are sent
    again to fresh workers and the run completes, every trial present."""
    marker = str(tmp_path / "killed")
    evaluator = _evaluator(_KillsOnce(marker=marker), n_jobs=2, n_splits=2)
    results = evaluator.run(ListPolicy([{"k": k} for k in range(6)]))
    assert os.path.exists(marker)
    assert sorted(r.trial.id for r in results) == list(range(6))
    assert not any(r.failed for r in results)
    assert evaluator.stats["n_resubmitted"] >= 1


class _KillsOnce(RegressorMixin, BaseEstimator):
    """The first fit of candidate k=2 kills its worker process (once, marked by
    a file); every fit sleeps a little."""

    def __init__(self, k=0, marker=None):
        self.k = k
        self.marker = marker

    def fit(self, X, y):
        time.sleep(0.05)
        if self.k == 2 and self.marker and not os.path.exists(self.marker):
            open(self.marker, "w").close()
            os._exit(1)
        return self

    def predict(self, X):
        return np.zeros(len(X))


class _KillsAlways(_KillsOnce):
    def fit(self, X, y):
        time.sleep(0.05)
        if self.k == 1:
            os._exit(1)
        return self


def test_a_task_that_always_kills_its_worker_is_scored_error_score():
    """It is run alone before it is blamed: the tasks in flight with it each
    time are lost too, but complete."""
    evaluator = _evaluator(_KillsAlways(), n_jobs=2, n_splits=2)
    with pytest.warns(RuntimeWarning, match=r"\{'k': 1\} on fold \d: The worker"):
        results = evaluator.run(ListPolicy([{"k": k} for k in range(4)]))
    by_id = {r.trial.id: r for r in results}
    assert sorted(by_id) == [0, 1, 2, 3]
    assert by_id[1].failed and not any(by_id[k].failed for k in (0, 2, 3))
    assert "running it alone" in by_id[1].out[0]["fit_error"]
    assert [o["status"] for o in by_id[1].out] == ["lost", "lost"]
    assert all(o["worker"] is None and o["end"] >= o["start"] for o in by_id[1].out)


def _exit_worker():
    os._exit(1)


def test_a_submit_to_an_executor_already_broken_is_a_lost_worker():
    """loky may learn of a dead worker before its callbacks run: a task sent
    then is refused by the broken executor, and is reported lost (to be sent
    again to fresh workers), not raised from the search."""
    from skhpo._engine._workers import Pool

    pool = Pool(2)
    try:
        pool.submit("dies", [(_exit_worker, (), {})])
        executor = pool._backend._workers
        deadline = time.monotonic() + 30
        while executor._flags.broken is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert executor._flags.broken is not None
        pool.submit("after", [(abs, (-1,), {})])  # refused: not raised
        event = pool.get(timeout=30)
        assert event[0] == "lost" and sorted(event[1]) == ["after", "dies"]
        pool.submit("again", [(abs, (-2,), {})])  # on the renewed executor
        assert pool.get(timeout=30)[:3] == ("done", "again", [2])
    finally:
        pool.abort()


def test_a_task_dask_cancels_is_a_lost_worker(dask_client):
    """dask cancels a task whose data went with a lost worker; joblib 1.3
    hands the cancellation to the callback as if it were the task's output.
    Either way it is reported lost (to be sent again), never as outputs."""
    from skhpo._engine._workers import Pool
    from skhpo.utils._joblib_compat import dask_futures

    with parallel_config(backend="dask"):
        pool = Pool(2)
        try:
            pool.submit("slow", [(time.sleep, (5,), {})])  # holds its worker
            deadline = time.monotonic() + 30
            while not dask_futures(pool._backend) and time.monotonic() < deadline:
                time.sleep(0.01)
            dask_client.cancel(dask_futures(pool._backend))
            event = pool.get(timeout=30)
            assert event is not None and event[:2] == ("lost", ["slow"])
            pool.submit("again", [(abs, (-2,), {})])  # on the renewed backend
            assert pool.get(timeout=30)[:3] == ("done", "again", [2])
        finally:
            pool.abort()


def test_ray_joblib_backend_gives_the_same_results():
    """Ray's joblib backend, when Ray is installed (an optional test)."""
    ray = pytest.importorskip("ray")
    from ray.util.joblib import register_ray

    register_ray()
    space = {"C": Real(1e-2, 1e2, "log-uniform")}
    kwargs = dict(n_iter=5, n_initial_points=2, cv=3, random_state=0, batch_size=2)
    sequential = BayesSearchCV(SVC(), space, n_jobs=1, **kwargs).fit(X, Y)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        with parallel_config(backend="ray"):
            on_ray = BayesSearchCV(SVC(), space, n_jobs=2, **kwargs).fit(X, Y)
    finally:
        ray.shutdown()
    assert on_ray.cv_results_["params"] == sequential.cv_results_["params"]
    np.testing.assert_array_equal(
        on_ray.cv_results_["mean_test_score"],
        sequential.cv_results_["mean_test_score"],
    )


# ------------------------------------------------------------ timing columns
def _fits(results, n_splits):
    """Per fold: (start, end, worker, status) arrays of shape (n, n_splits)."""
    return [
        np.column_stack([results[f"split{k}_{name}"] for k in range(n_splits)])
        for name in ("start_time", "end_time", "worker", "status")
    ]


def test_cv_results_say_when_and_where_each_fit_ran():
    durations = [0.3, 0.2, 0.4, 0.25]
    search = BayesSearchCV(
        SleepingClassifier(),
        {"duration": durations},
        n_iter=4,
        cv=2,
        n_jobs=2,
        random_state=0,
    )
    began = time.time()
    search.fit(X, Y)
    elapsed = time.time() - began
    results = search.cv_results_
    starts, ends, workers, statuses = _fits(results, 2)
    slept = np.array([p["duration"] for p in results["params"]])
    # every fit took its sleep, inside the search's time
    assert (ends - starts >= slept[:, None] - 0.01).all()
    np.testing.assert_allclose(
        (ends - starts).mean(axis=1),
        results["mean_fit_time"] + results["mean_score_time"],
        atol=0.05,
    )
    assert (starts >= 0).all() and (ends <= elapsed).all()
    np.testing.assert_array_equal(results["start_time"], starts.min(axis=1))
    np.testing.assert_array_equal(results["end_time"], ends.max(axis=1))
    assert (statuses == "ok").all()
    # two worker processes, each running one fit at a time
    names = set(workers.ravel())
    assert len(names) == 2
    assert all(not name.endswith(f":{os.getpid()}") for name in names)
    for name in names:
        mine = workers == name
        spans = sorted(zip(starts[mine], ends[mine]))
        assert all(b[0] >= a[1] - 1e-3 for a, b in zip(spans, spans[1:])), spans


def _slow_splits(monkeypatch, *modules):
    """Make each ``(module, attribute)`` fold split take 0.05 s more per call."""
    for module, attribute in modules:
        split = getattr(module, attribute)

        def taking_time(*args, _split=split, **kwargs):
            time.sleep(0.05)
            return _split(*args, **kwargs)

        monkeypatch.setattr(module, attribute, taking_time)


def test_a_fit_time_includes_taking_the_fold_as_scikit_learns_does(monkeypatch):
    """``mean_fit_time`` means what ``GridSearchCV``'s means: the clock starts
    before the fold's rows are taken from ``X`` and ``y``; a nested score's
    ``fit_time`` means what ``cross_validate``'s means."""
    import sklearn.model_selection._validation as validation

    import skhpo._engine._tasks as tasks
    import skhpo.nested as nested

    _slow_splits(
        monkeypatch,
        (tasks, "safe_split"),
        (nested, "safe_split"),
        (validation, "_safe_split"),
    )
    X, y = load_iris(return_X_y=True)
    grid = {"alpha": [0.1, 1.0]}
    ours = BayesSearchCV(Ridge(), grid, n_iter=2, cv=2, random_state=0).fit(X, y)
    theirs = GridSearchCV(Ridge(), grid, cv=2).fit(X, y)
    for results in (ours.cv_results_, theirs.cv_results_):
        # two splits per fit (its rows and its test rows), 0.05 s each
        assert (results["mean_fit_time"] >= 0.095).all()
        assert (results["mean_score_time"] < 0.05).all()
    score = {
        str(p): s
        for p, s in zip(
            theirs.cv_results_["params"], theirs.cv_results_["mean_test_score"]
        )
    }
    for p, s in zip(ours.cv_results_["params"], ours.cv_results_["mean_test_score"]):
        assert s == score[str(p)]
    # the outer folds of a nested score: the inner search's four fits take
    # two splits each, the outer fit two more
    inner = BayesSearchCV(Ridge(), grid, n_iter=2, cv=2, random_state=0)
    outer = NestedCV(inner, cv=2).fit(X, y).cv_results_
    plain = cross_validate(inner, X, y, cv=2)
    assert (outer["fit_time"] >= 10 * 0.05 - 0.005).all()
    assert (plain["fit_time"] >= 10 * 0.05 - 0.005).all()
    np.testing.assert_allclose(outer["fit_time"], plain["fit_time"], rtol=0.5)


def test_a_failed_fold_is_marked_failed_where_it_ran():
    search = BayesSearchCV(
        FailingClassifier(),
        {"parameter": [0, 1, 2]},
        n_iter=3,
        cv=2,
        random_state=0,
    )
    with pytest.warns(Warning, match="fits failed"):
        search.fit(X, Y)
    _, _, workers, statuses = _fits(search.cv_results_, 2)
    failed = np.array([p["parameter"] == 1 for p in search.cv_results_["params"]])
    assert (statuses[failed] == "failed").all()
    assert (statuses[~failed] == "ok").all()
    # in the driver (one worker): its own process, main thread
    assert set(workers.ravel()) == {f"{socket.gethostname()}:{os.getpid()}"}


def test_threads_are_told_apart_by_name():
    with parallel_config(backend="threading"):
        search = BayesSearchCV(
            SleepingClassifier(),
            {"duration": [0.1, 0.15, 0.2]},
            n_iter=3,
            cv=2,
            n_jobs=2,
            random_state=0,
        ).fit(X, Y)
    _, _, workers, _ = _fits(search.cv_results_, 2)
    prefix = f"{socket.gethostname()}:{os.getpid()}/"
    assert all(name.startswith(prefix) for name in workers.ravel())
    assert len(set(workers.ravel())) == 2
