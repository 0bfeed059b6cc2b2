"""The driver side of the fault tests: one search run in a child process.

``python -m tests._faults SCENARIO LOG [options]`` runs a search whose
estimator appends a line to ``LOG`` as each fit starts and ends (``start``/
``end``, its tag, its process id and the time), so that the test in the
parent process can watch it, signal this process, and check what ran after.
What the search did is printed as one JSON line.

Scenarios:

- ``interrupt SEARCH``: the search (``bayes``, ``hyperband``,
  ``hyperband-async``, ``pbt``, ``pbt-async``) with ``n_jobs=2``, waiting to be
  interrupted; then a second search in the same process. ``--hang`` makes
  every fit of candidates with ``a > 0.7`` hang.
- ``shared``: a search on an ``X`` over the memory-mapping threshold, waiting
  to be killed.
- ``quota``: the same search with the file-size limit (RLIMIT_FSIZE) below
  ``X``'s size: no file of ``X`` can be written.
- ``hang-one``: a Bayesian search where exactly one fit (one fold of one
  candidate) hangs.
- ``journal SEARCH --storage PATH``: a smaller search writing to ``PATH``,
  to be killed and run again (it resumes); prints its ``cv_results_``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import time

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.datasets import load_iris

from skhpo import BayesSearchCV, HyperbandSearchCV, PBTSearchCV
from skhpo.space import Real
from skhpo.utils._testing import is_run_detail


def _log(path, what, tag):
    with open(path, "a") as file:
        file.write(f"{what} {tag} {os.getpid()} {time.time()!r}\n")


class Recorded(ClassifierMixin, BaseEstimator):
    """Scores ``a``; every fit (or partial_fit) logs its start and end and
    sleeps ``duration``, or hangs when ``hang`` and ``a > 0.7``."""

    def __init__(self, a=0.5, duration=0.1, hang=False, log=None, tag="first"):
        self.a = a
        self.duration = duration
        self.hang = hang
        self.log = log
        self.tag = tag

    def _train(self, y):
        # the run a resumed search is in, outside its parameters (which the
        # journal's fingerprint compares)
        tag = os.environ.get("FAULTS_RUN", self.tag)
        _log(self.log, "start", tag)
        time.sleep(1000 if self.hang and self.a > 0.7 else self.duration)
        self.classes_ = np.unique(y)
        _log(self.log, "end", tag)
        return self

    def fit(self, X, y):
        return self._train(y)

    def partial_fit(self, X, y, classes=None):
        return self._train(y)

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y=None, sample_weight=None):
        return float(self.a)


class HangsOnce(RegressorMixin, BaseEstimator):
    """Scores ``-(a - 0.3)**2``; the first fit to find ``after`` fits logged
    claims ``token`` and hangs, every other fit sleeps ``duration``."""

    def __init__(self, a=0.5, duration=0.05, log=None, token=None, after=6):
        self.a = a
        self.duration = duration
        self.log = log
        self.token = token
        self.after = after

    def fit(self, X, y):
        _log(self.log, "start", "first")
        with open(self.log) as file:
            started = sum(line.startswith("start") for line in file)
        if started > self.after and _claim(self.token):
            _log(self.log, "hang", "first")
            time.sleep(1000)
        time.sleep(self.duration)
        _log(self.log, "end", "first")
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None, sample_weight=None):
        return -((self.a - 0.3) ** 2)


def _claim(path):
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        return False
    return True


def _search(kind, estimator, n_jobs=2):
    space = {"a": Real(0.0, 1.0)}
    if kind == "bayes":
        return BayesSearchCV(
            estimator, space, n_iter=40, cv=2, n_jobs=n_jobs, random_state=0
        )
    if kind.startswith("hyperband"):
        return HyperbandSearchCV(
            estimator,
            space,
            resource="partial_fit",
            max_resources=9,
            asynchronous=kind.endswith("async"),
            cv=2,
            n_jobs=n_jobs,
            random_state=0,
        )
    return PBTSearchCV(
        estimator,
        space,
        mutable=["a"],
        population_size=6,
        n_steps=8,
        asynchronous=kind.endswith("async"),
        cv=2,
        n_jobs=n_jobs,
        random_state=0,
    )


def _rows(search):
    results = getattr(search, "cv_results_", None)
    return None if results is None else len(results["params"])


def interrupt(args):
    X, y = load_iris(return_X_y=True)
    first = _search(args.search, Recorded(hang=args.hang, log=args.log))
    report = {"interrupted": False}
    try:
        first.fit(X, y)
    except KeyboardInterrupt:
        report["interrupted"] = True
    report["returned"] = time.time()
    report["rows"] = _rows(first)
    if report["rows"]:
        report["scores_finite"] = bool(
            np.isfinite(first.cv_results_["mean_test_score"]).all()
        )
    second = _search("bayes", Recorded(log=args.log, tag="second"))
    second.set_params(n_iter=3)
    second.fit(X, y)
    report["second_rows"] = _rows(second)
    print(json.dumps(report), flush=True)


def _shared_data():
    rng = np.random.default_rng(0)
    X = rng.random((6000, 100))  # 4.8 MB: memory-mapped for the workers
    return X, (X[:, 0] > 0.5).astype(int)


def shared(args):
    X, y = _shared_data()
    _search("bayes", Recorded(duration=0.3, log=args.log)).fit(X, y)


def quota(args):
    import resource

    X, y = _shared_data()
    _, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (X.nbytes // 4, hard))
    print(json.dumps(quota_search(args.log, X, y)), flush=True)


def quota_search(log, X, y):
    """The quota scenario's search; what it found."""
    search = BayesSearchCV(
        Recorded(log=log, duration=0.0),
        {"a": Real(0.0, 1.0)},
        n_iter=6,
        cv=2,
        n_jobs=2,
        random_state=0,
    ).fit(X, y)
    return {
        "params": [p["a"] for p in search.cv_results_["params"]],
        "scores": list(search.cv_results_["mean_test_score"]),
    }


class _Told(logging.Handler):
    """Logs ``told`` when the search has a candidate's result (its END line)."""

    def __init__(self, path):
        super().__init__(logging.INFO)
        self.path = path

    def emit(self, record):
        if "] END " in record.getMessage():
            _log(self.path, "told", "first")


def hang_one(args):
    X, y = load_iris(return_X_y=True)
    logger = logging.getLogger("skhpo.search")
    logger.setLevel(logging.INFO)
    logger.addHandler(_Told(args.log))
    search = BayesSearchCV(
        HangsOnce(log=args.log, token=args.log + ".token"),
        {"a": Real(0.0, 1.0)},
        n_iter=args.n_iter,
        cv=2,
        n_jobs=2,
        random_state=0,
    )
    report = {"interrupted": False}
    try:
        search.fit(X, y)
    except KeyboardInterrupt:
        report["interrupted"] = True
    report["rows"] = _rows(search)
    print(json.dumps(report), flush=True)


def journal_search(kind, log, storage, n_jobs, duration=0.02):
    """The journal scenario's search (small: it runs twice per test); the
    fits log the run named by ``FAULTS_RUN``."""
    search = _search(kind, Recorded(duration=duration, log=log), n_jobs)
    if kind == "bayes":
        search.set_params(n_iter=12)
    elif kind.startswith("pbt"):
        search.set_params(population_size=4, n_steps=5)
    return search.set_params(storage=storage)


def journal_summary(search):
    """What a resumed search is compared on: no times; plain JSON."""

    def plain(v):
        if isinstance(v, dict):
            return v["a"]
        v = v.item() if isinstance(v, np.generic) else v
        return None if isinstance(v, float) and not np.isfinite(v) else v

    return {
        key: [plain(v) for v in values]
        for key, values in search.cv_results_.items()
        if not is_run_detail(key) and not key.startswith("param_")
    }


def journal(args):
    import skhpo._engine._loop as loop

    # compared with an uninterrupted run: no trial may be declared stalled
    # (a fit of 20 ms delayed past a second on a busy machine would be, and
    # Bayes would then go around it, by design depending on timing)
    loop._STALL_MIN = 3600.0
    X, y = load_iris(return_X_y=True)
    search = journal_search(
        args.search, args.log, args.storage, 2, duration=args.duration
    )
    search.fit(X, y)
    print(json.dumps(journal_summary(search)), flush=True)


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario")
    parser.add_argument("log")
    parser.add_argument("--search", default="bayes")
    parser.add_argument("--hang", action="store_true")
    parser.add_argument("--n-iter", type=int, default=20)
    parser.add_argument("--storage")
    parser.add_argument("--duration", type=float, default=0.02)
    args = parser.parse_args(argv)
    scenarios = {
        "interrupt": interrupt,
        "shared": shared,
        "quota": quota,
        "hang-one": hang_one,
        "journal": journal,
    }
    scenarios[args.scenario](args)


if __name__ == "__main__":
    # Ctrl-C raises KeyboardInterrupt, as in a terminal's foreground process,
    # even when the tests run in the background (a shell without job control
    # starts background processes, and so this one, with SIGINT ignored)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    main(sys.argv[1:])
