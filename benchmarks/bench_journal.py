"""The cost of a search's journal (``storage=``), beside Optuna's SQLite storage.

What is measured:

- **write**: the driver's time to journal one evaluation, as a search does it:
  the trial asked (written with the next commit), then its results committed
  as it finishes (``Record.asked`` + ``Record.told``, one SQLite transaction
  per evaluation), for 10,000 evaluations of a 4-parameter mixed space with
  ``cv=5`` and two metrics with train scores (``--n``). Mean and 99th
  percentile per evaluation, and the share of a 50 ms fit. Targets: <= 2 ms
  per evaluation and <= 5 % of a 50 ms fit.
- **kept models**: the same with a kept model per fold (a fitted
  ``SGDClassifier`` on 64 features, pickled), as Hyperband with
  ``partial_fit`` and PBT keep them.
- **read**: ``skhpo.load_results`` of the 10,000 evaluations (a DataFrame
  shaped like ``cv_results_``), and the replay a resumed search starts from
  (every event and trial read back).
- **end to end**: ``BayesSearchCV``'s wall time with and without storage on
  a zero-cost estimator, ``n_iter=100`` (journaling against everything else a
  search does per candidate).
- **Optuna** (when installed): ``study.optimize`` of a zero-cost objective
  with ``storage="sqlite:///..."`` against in-memory, per trial, on 1,000
  trials, as the peer a user compares with.

The file lives in the temporary folder (``--folder`` to choose another disk).

Usage::

    python benchmarks/bench_journal.py
    python benchmarks/bench_journal.py --n 2000 --folder /mnt/disk
"""

from __future__ import annotations

# `_common` must load before numpy (it caps BLAS/OpenMP threads)
import argparse
import os
import shutil
import tempfile
import time

import _common
import numpy as np

TARGET_MS = 2.0
TARGET_SHARE = 0.05
FIT_SECONDS = 0.050


class _Trial:
    def __init__(self, id, params):
        self.id = id
        self.params = params
        self.extra = {"batch": id // 4, "proposed_by": "model"}
        self.parent = None
        self.start = None
        self.stop = None
        self.keep = False


class _Result:
    def __init__(self, params, out, extra):
        self.params = params
        self.out = out
        self.extra = extra
        self.ask_time = 0.01


def _evaluation(rng, k, n_splits=5):
    params = {
        "a": float(10 ** rng.uniform(-3, 1)),
        "b": float(rng.uniform()),
        "c": int(rng.integers(1, 100)),
        "d": ["x", "y", "z"][k % 3],
    }
    out = [
        {
            "test_scores": {
                "accuracy": float(rng.uniform()),
                "f1": float(rng.uniform()),
            },
            "train_scores": {
                "accuracy": float(rng.uniform()),
                "f1": float(rng.uniform()),
            },
            "fit_time": float(rng.uniform()),
            "score_time": float(rng.uniform(0, 0.01)),
            "n_test_samples": 120,
            "fit_error": None,
        }
        for _ in range(n_splits)
    ]
    return params, out


def _record(path):
    from skhpo.storage import Journal, Record

    journal = Journal.acquire(path)
    scope = journal.scope(
        "",
        search="BayesSearchCV",
        fingerprint={"bench": True},
        seed=0,
        planned=None,
        n_splits=5,
    )
    return journal, Record(scope, {"d": ["x", "y", "z"]})


def bench_write(folder, n, models=None):
    path = os.path.join(folder, f"write-{models is not None}.sqlite")
    journal, record = _record(path)
    rng = np.random.default_rng(0)
    times = np.empty(n)
    for k in range(n):
        params, out = _evaluation(rng, k)
        trial = _Trial(k, params)
        result = _Result(params, out, trial.extra)
        started = time.perf_counter()
        record.asked(trial)
        record.told(trial, result, models)
        times[k] = time.perf_counter() - started
    journal.release()
    return path, times


def bench_read(path, n):
    from skhpo import load_results
    from skhpo.storage import read_journal

    started = time.perf_counter()
    frame = load_results(path)
    load_seconds = time.perf_counter() - started
    assert len(frame) == n, len(frame)
    started = time.perf_counter()
    read_journal(path)
    read_seconds = time.perf_counter() - started
    return load_seconds, read_seconds


def _model_pickles():
    import pickle

    from sklearn.datasets import make_classification
    from sklearn.linear_model import SGDClassifier

    X, y = make_classification(n_samples=500, n_features=64, random_state=0)
    model = SGDClassifier(random_state=0).fit(X, y)
    return [pickle.dumps(model, protocol=5)] * 5


def bench_search(folder, n_iter):
    from sklearn.datasets import load_iris

    from skhpo import BayesSearchCV
    from skhpo.space import Real
    from skhpo.utils._testing import AnalyticRegressor

    X, y = load_iris(return_X_y=True)
    space = {"x1": Real(-5.0, 10.0), "x2": Real(0.0, 15.0)}
    walls = {}
    for label, storage in (
        ("without storage", None),
        ("with storage", os.path.join(folder, "search.sqlite")),
    ):
        search = BayesSearchCV(
            AnalyticRegressor(),
            space,
            n_iter=n_iter,
            cv=5,
            random_state=0,
            storage=storage,
        )
        started = time.perf_counter()
        search.fit(X, y)
        walls[label] = time.perf_counter() - started
    return walls


def bench_optuna(folder, n):
    try:
        import optuna
    except ImportError:
        return None
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def objective(trial):
        a = trial.suggest_float("a", 1e-3, 10, log=True)
        b = trial.suggest_float("b", 0, 1)
        c = trial.suggest_int("c", 1, 100)
        d = trial.suggest_categorical("d", ["x", "y", "z"])
        return a + b + c + len(d)

    walls = {}
    for label, storage in (
        ("in memory", None),
        ("sqlite", "sqlite:///" + os.path.join(folder, "optuna.sqlite")),
    ):
        study = optuna.create_study(
            storage=storage, sampler=optuna.samplers.RandomSampler(seed=0)
        )
        started = time.perf_counter()
        study.optimize(objective, n_trials=n)
        walls[label] = time.perf_counter() - started
    return walls


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--n-iter", type=int, default=100)
    parser.add_argument("--n-optuna", type=int, default=1_000)
    parser.add_argument("--folder", default=None)
    args = parser.parse_args()
    _common.quiet_warnings()
    print(_common.header("skhpo journal benchmark"))
    folder = tempfile.mkdtemp(prefix="skhpo-journal-", dir=args.folder)
    try:
        path, times = bench_write(folder, args.n)
        ms = times * 1e3
        mean = ms.mean()
        share = mean / (FIT_SECONDS * 1e3)
        print(f"\nwrite, {args.n} evaluations (cv=5, 2 metrics, train scores):")
        print(
            f"  per evaluation: mean {mean:.3f} ms, median {np.median(ms):.3f} ms, "
            f"99th percentile {np.percentile(ms, 99):.3f} ms"
        )
        print(
            f"  share of a 50 ms fit: {share:.1%}; "
            f"file {os.path.getsize(path) / 1e6:.1f} MB"
        )
        met = mean <= TARGET_MS and share <= TARGET_SHARE
        print(
            f"  target <= {TARGET_MS} ms and <= {TARGET_SHARE:.0%}: "
            f"{'met' if met else 'MISSED'}"
        )
        load_seconds, read_seconds = bench_read(path, args.n)
        print(f"\nread back {args.n} evaluations:")
        print(
            f"  load_results: {load_seconds:.2f} s; "
            f"the journal alone: {read_seconds:.2f} s"
        )

        n_models = min(args.n, 2_000)
        pickles = _model_pickles()
        _, times = bench_write(folder, n_models, models=pickles)
        size = sum(len(p) for p in pickles)
        print(
            f"\nkept models ({n_models} evaluations, 5 pickles of {len(pickles[0])} "
            f"bytes each, {size / 1e3:.0f} kB per evaluation):"
        )
        print(f"  per evaluation: mean {times.mean() * 1e3:.3f} ms")

        walls = bench_search(folder, args.n_iter)
        base, journaled = walls["without storage"], walls["with storage"]
        print(f"\nBayesSearchCV, zero-cost estimator, n_iter={args.n_iter}, cv=5:")
        print(
            f"  without storage {base:.2f} s, with storage {journaled:.2f} s: "
            f"{(journaled - base) / args.n_iter * 1e3:+.2f} ms per candidate"
        )

        optuna_walls = bench_optuna(folder, args.n_optuna)
        if optuna_walls is not None:
            memory, sqlite = optuna_walls["in memory"], optuna_walls["sqlite"]
            per = (sqlite - memory) / args.n_optuna * 1e3
            print(f"\nOptuna {_common.version('optuna')}, {args.n_optuna} trials:")
            print(
                f"  in memory {memory:.2f} s, sqlite {sqlite:.2f} s: {per:.2f} ms per "
                f"trial for its storage (skhpo's journal: {mean:.3f} ms; ratio "
                f"{per / mean:.1f})"
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
