"""Scale: are many workers kept busy? skhpo's searches beside RandomizedSearchCV,
and the time a Bayesian proposal takes as observations accumulate.

**Utilisation** (``--parts utilisation``)::

    utilisation = (sum of fit_time + score_time over all fits) / (n_jobs x wall)

An estimator whose ``fit`` sleeps 0.2 to 1.0 s by its hyperparameters
(``0.2 + 0.8 * b``; sleeping uses no CPU, so 2 cores can host 32 workers),
scored by a smooth function of four hyperparameters (a log-uniform real
``a``, a uniform real ``b``, an integer ``c`` and a 3-way categorical ``d``,
the space of ``bench_overhead.py``), ``cv=2``. It also grows by a warm-started
``n_estimators`` (each warm ``fit`` sleeps the same), which Hyperband and PBT
use as their resource, so that every one of their steps is one such fit.

- ``BayesSearchCV``: 320 candidates with 16 or more workers, 20 per worker
  below that (default ``batch_size``).
- ``HyperbandSearchCV(asynchronous=True)``, resource ``n_estimators``,
  ``max_resources`` 243 (about 611 candidate-rungs) with 16 or more workers,
  81 (206) with 8, 27 (69) below. A candidate's rungs run one after the
  other, so a run ends with the last bracket's chain of promotions, during
  which fewer candidates than workers can run: the run must be long against
  that chain for its workers to be busy.
- ``PBTSearchCV(asynchronous=True)``, ``n_estimators`` by 1 per step, 10
  steps, ``max(8, 2 * n_jobs)`` members: two per worker. (With about one per
  worker, the last steps trail: a member's steps run one after another, and
  members whose fits are slow fall behind.)

Each is run beside ``RandomizedSearchCV`` on the same estimator with as many
candidates as the skhpo search evaluated (candidate-rungs, member-steps), in
the same process, one after the other, each starting with its workers already
running and having imported scikit-learn and skhpo (a warm-up call). Backends:
loky and threading with ``n_jobs`` in {2, 4, 8, 16, 32}, and a
``distributed.LocalCluster`` of 8 single-threaded worker processes on
127.0.0.1 (``--backends``). Target: utilisation >= 0.9 for each skhpo search.

**Proposal time** (``--parts proposal``): ``BayesPolicy`` (the policy
``BayesSearchCV`` runs) driven without an engine on the zero-cost objective of
``bench_overhead.py``, 16 candidates in flight (the lag of 16 workers with
``cv=2``), to 1,000 observations; the mean time of the proposals made at 100,
300, 500 and 1,000 observations (windows of 20, the GP's hyperparameter
refits included where they fall). Target: <= 50 ms at 500.

BLAS and OpenMP are limited to one thread in every process.

Usage::

    python benchmarks/bench_scale.py
    python benchmarks/bench_scale.py --parts utilisation --searches bayes \\
        --backends loky --n-jobs 16 32
"""

from __future__ import annotations

# `_common` must load before numpy (it caps BLAS/OpenMP threads); it sorts
# first among the non-standard-library imports below.
import argparse
import time
import warnings

import _common
import numpy as np
from bench_overhead import CATEGORIES, objective
from sklearn.base import BaseEstimator, RegressorMixin

N_JOBS = (2, 4, 8, 16, 32)
BACKENDS = ("loky", "threading", "dask")
SEARCHES = ("bayes", "hyperband", "pbt")
DASK_WORKERS = 8
CV = 2
TARGET_UTILISATION = 0.9
TARGET_PROPOSAL_MS = 50.0
PROPOSAL_AT = (100, 300, 500, 1000)


class SleepyModel(RegressorMixin, BaseEstimator):
    """``fit`` sleeps ``0.2 + 0.8 * b`` seconds; ``score`` is minus the loss,
    a little better with more ``n_estimators`` (a warm-started resource)."""

    _skhpo_warm_start = {"n_estimators": True}
    _skhpo_mutable = ("a", "b", "c", "d")

    def __init__(self, a=1e-2, b=0.5, c=30, d="x", n_estimators=1, warm_start=False):
        self.a = a
        self.b = b
        self.c = c
        self.d = d
        self.n_estimators = n_estimators
        self.warm_start = warm_start

    def fit(self, X, y=None):
        time.sleep(0.2 + 0.8 * self.b)
        self.n_features_in_ = np.asarray(X).shape[1]
        self.trained_ = self.n_estimators
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None, sample_weight=None):
        return -objective(self.a, self.b, self.c, self.d) - 1.0 / self.trained_


def _space(kind):
    if kind == "scipy":
        from scipy import stats

        return {
            "a": stats.loguniform(1e-4, 1e1),
            "b": stats.uniform(0.0, 1.0),
            "c": stats.randint(1, 101),
            "d": list(CATEGORIES),
        }
    from skhpo.space import Categorical, Integer, Real

    return {
        "a": Real(1e-4, 1e1, prior="log-uniform"),
        "b": Real(0.0, 1.0),
        "c": Integer(1, 100),
        "d": Categorical(list(CATEGORIES)),
    }


def _warm_up(n_jobs):
    """Start every worker and import what the tasks need in each of them.

    Each of ``n_jobs`` tasks fits and scores the estimator on one fold (so
    that scikit-learn, skhpo, this module and the modules of the warning
    filters are imported and their first calls made) and waits until all
    have started, so that each runs on a worker of its own: on 2 cores, 32
    new workers take several seconds to get there, which would otherwise fall
    on whichever search runs first.
    """
    import tempfile

    from joblib import Parallel, delayed

    with tempfile.TemporaryDirectory() as folder:
        Parallel(n_jobs=n_jobs)(
            delayed(_import_and_wait)(
                folder, n_jobs, SleepyModel(), list(warnings.filters)
            )
            for _ in range(n_jobs)
        )
    # new loky workers keep the cores busy for a moment after their first
    # task: on 2 cores, with 32 of them, the driver of whichever search came
    # first would take half a second longer to start
    time.sleep(2.0)


def _import_and_wait(folder, n_jobs, model, filters):
    """One fold of a search, then wait for the other workers. (``filters``:
    the tasks carry the driver's warning filters, whose categories, such as
    Optuna's, are imported where they are unpickled.)"""
    import os
    import threading

    from sklearn.metrics import check_scoring

    from skhpo._engine import fit_and_score

    X, y = np.zeros((4, 1)), np.zeros(4)
    fit_and_score(
        model.set_params(b=0.0),
        X,
        y,
        scorer=check_scoring(model),
        train=np.arange(2),
        test=np.arange(2, 4),
        parameters={},
        fit_params={},
        score_params={},
        return_train_score=False,
        error_score="raise",
    )
    name = f"{os.getpid()}-{threading.get_ident()}"
    open(os.path.join(folder, name), "w").close()
    deadline = time.monotonic() + 120
    while len(os.listdir(folder)) < n_jobs and time.monotonic() < deadline:
        time.sleep(0.05)


def _skhpo_search(kind, n_jobs, seed):
    from skhpo import BayesSearchCV, HyperbandSearchCV, PBTSearchCV

    common = dict(cv=CV, n_jobs=n_jobs, refit=False, random_state=seed)
    if kind == "bayes":
        n_iter = 320 if n_jobs >= 16 else 20 * n_jobs
        return BayesSearchCV(SleepyModel(), _space("skhpo"), n_iter=n_iter, **common)
    if kind == "hyperband":
        return HyperbandSearchCV(
            SleepyModel(),
            _space("skhpo"),
            resource="n_estimators",
            min_resources=1,
            max_resources=243 if n_jobs >= 16 else 81 if n_jobs >= 8 else 27,
            asynchronous=True,
            **common,
        )
    return PBTSearchCV(
        SleepyModel(),
        _space("skhpo"),
        resource="n_estimators",
        population_size=max(8, 2 * n_jobs),
        n_steps=10,
        asynchronous=True,
        **common,
    )


def _measure(search, n_jobs):
    X, y = np.zeros((40, 1)), np.zeros(40)
    _warm_up(n_jobs)
    start = time.perf_counter()
    search.fit(X, y)
    wall = time.perf_counter() - start
    res = search.cv_results_
    busy = float(np.sum((res["mean_fit_time"] + res["mean_score_time"]) * CV))
    return {
        "wall": wall,
        "util": busy / (n_jobs * wall),
        "n": len(res["params"]),
        "propose_ms": 1e3 * float(np.mean(res["propose_time"]))
        if "propose_time" in res
        else float("nan"),
    }


def run_pair(kind, n_jobs, seed):
    """The skhpo search, then random search with as many candidates."""
    from sklearn.model_selection import RandomizedSearchCV

    ours = _measure(_skhpo_search(kind, n_jobs, seed), n_jobs)
    random = RandomizedSearchCV(
        SleepyModel(),
        _space("scipy"),
        n_iter=ours["n"],
        cv=CV,
        n_jobs=n_jobs,
        refit=False,
        random_state=seed,
    )
    return ours, _measure(random, n_jobs)


def utilisation(args):
    from joblib import parallel_config

    rows, verdicts = [], []

    def record(backend, kind, n_jobs, pair):
        ours, random = pair
        rows.append(
            [
                backend,
                kind,
                n_jobs,
                ours["n"],
                ours["util"],
                random["util"],
                ours["util"] / random["util"],
                ours["wall"],
                random["wall"],
                ours["propose_ms"],
            ]
        )
        met = "met" if ours["util"] >= TARGET_UTILISATION else "NOT met"
        verdicts.append(
            f"{kind} on {backend}, n_jobs={n_jobs}: {ours['util']:.3f} "
            f"(target >= {TARGET_UTILISATION}: {met})"
        )
        print(f"  done {backend} {kind} n_jobs={n_jobs}", flush=True)

    for backend in args.backends:
        if backend == "dask":
            import distributed

            with (
                distributed.LocalCluster(
                    n_workers=DASK_WORKERS,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                ) as cluster,
                distributed.Client(cluster),
                parallel_config(backend="dask"),
            ):
                for kind in args.searches:
                    record(backend, kind, DASK_WORKERS, run_pair(kind, DASK_WORKERS, 0))
            continue
        with parallel_config(backend=backend):
            for n_jobs in args.n_jobs:
                for kind in args.searches:
                    record(backend, kind, n_jobs, run_pair(kind, n_jobs, 0))
    print(
        f"\nutilisation: cv={CV}, fits sleeping 0.2-1.0 s; n = candidates (rows) "
        "of each search; wall in s; propose = BayesSearchCV's mean ms per proposal"
    )
    print(
        _common.format_table(
            rows,
            [
                "backend",
                "search",
                "n_jobs",
                "n",
                "util skhpo",
                "util random",
                "ratio",
                "wall skhpo",
                "wall random",
                "propose ms",
            ],
        )
    )
    for line in verdicts:
        print(line)


def proposal(args):
    from skhpo.schedulers import BayesPolicy
    from skhpo.space import check_space

    space = check_space(_space("skhpo"))
    lag = 16
    policy = BayesPolicy(space, max(PROPOSAL_AT) + lag, lag=lag, seed=0)
    times = {}  # observations when proposed -> seconds
    in_flight = []
    while len(policy.scores) < max(PROPOSAL_AT):
        start = time.perf_counter()
        trials = policy.ask(1)
        elapsed = time.perf_counter() - start
        if trials:
            times[len(policy.scores)] = elapsed
            in_flight.extend(trials)
            continue
        trial = in_flight.pop(0)  # the oldest finishes
        policy.tell(trial, -objective(**trial.params))
    rows, verdicts = [], []
    for at in PROPOSAL_AT:
        window = [t for n, t in times.items() if at - 10 <= n < at + 10]
        mean = 1e3 * float(np.mean(window))
        rows.append([at, len(window), mean, 1e3 * float(np.max(window))])
        if at == 500:
            met = "met" if mean <= TARGET_PROPOSAL_MS else "NOT met"
            verdicts.append(
                f"proposal at 500 observations: {mean:.1f} ms "
                f"(target <= {TARGET_PROPOSAL_MS:.0f}: {met})"
            )
    print(f"\nproposal time, {lag} candidates in flight (ms):")
    print(
        _common.format_table(
            rows, ["observations", "proposals", "mean ms", "max ms"], floatfmt=".1f"
        )
    )
    for line in verdicts:
        print(line)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--parts",
        nargs="+",
        default=["proposal", "utilisation"],
        choices=["proposal", "utilisation"],
    )
    parser.add_argument(
        "--searches", nargs="+", default=list(SEARCHES), choices=SEARCHES
    )
    parser.add_argument(
        "--backends", nargs="+", default=list(BACKENDS), choices=BACKENDS
    )
    parser.add_argument("--n-jobs", nargs="+", type=int, default=list(N_JOBS))
    args = parser.parse_args(argv)
    _common.quiet_warnings()
    print(
        _common.header(
            "skhpo scale benchmark",
            dists=("scikit-learn", "skhpo", "joblib", "distributed"),
        ),
        flush=True,
    )
    _common.check_single_threaded()
    if "proposal" in args.parts:
        proposal(args)
    if "utilisation" in args.parts:
        utilisation(args)


if __name__ == "__main__":
    main()
