"""Worker utilisation with n_jobs=2: skhpo's BayesSearchCV beside RandomizedSearchCV.

A Bayesian search must choose candidate ``k`` from the results of the earlier
ones, so its workers can sit idle while the driver fits the model, or while
the last folds of a candidate finish. This benchmark measures how much of the
workers' time is spent fitting::

    utilisation = (sum of fit_time + score_time over all fits) / (n_jobs x wall time)

with ``n_jobs=2`` (the machine has 2 cores), ``cv=5`` and the same budget for
both searches, on problems whose fit time depends on the hyperparameters:

- ``sleep``: ``skhpo.utils._testing.SleepingClassifier``, ``duration`` in
  [0.01, 0.5] s (log-uniform). Its score is ``-duration``, so the Bayesian
  search soon proposes the shortest fits: the worst case, where the driver's
  time per proposal weighs most.
- ``sleep-interior``: a sleeping estimator whose best duration is 0.1 s in
  [0.01, 1] s (score ``-log10(duration / 0.1) ** 2 - (x - 0.5) ** 2``), so the
  search keeps proposing fits of varied, moderate length.
- ``forest``: a real model, ``RandomForestClassifier`` on the digits data with
  ``n_estimators`` in [10, 150], ``max_depth`` in [2, 20] and ``max_features``
  in [0.05, 1]: fits from a few ms to about a second. Here the driver competes
  with the two workers for the two cores while it proposes.

Sleep-based fits use no CPU, so their times are exact; the forest's fit times
grow when the driver computes at the same moment, which the ratio then
reflects. Each search starts with its joblib workers already running (a
warm-up call), the two searches alternate which goes first across seeds, and
BLAS/OpenMP use one thread in every process. skhpo's target: utilisation >= 0.9.

Usage::

    python benchmarks/bench_utilisation.py
    python benchmarks/bench_utilisation.py --problems sleep --n-iter 60 --seeds 3
"""

from __future__ import annotations

# `_common` must load before numpy (it caps BLAS/OpenMP threads); it sorts
# first among the non-standard-library imports below.
import argparse
import math
import time

import _common
import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin

PROBLEMS = ("sleep", "sleep-interior", "forest")
N_JOBS = 2
TARGET = 0.9


class SleepyRegressor(RegressorMixin, BaseEstimator):
    """Sleeps ``duration`` seconds in ``fit``; best at ``duration=0.1, x=0.5``."""

    def __init__(self, duration=0.1, x=0.5):
        self.duration = duration
        self.x = x

    def fit(self, X, y=None):
        time.sleep(self.duration)
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None, sample_weight=None):
        return -(math.log10(self.duration / 0.1) ** 2) - (self.x - 0.5) ** 2


def _problem(name):
    """(estimator, neutral space, X, y): the space as (kind, low, high, log)."""
    from sklearn.ensemble import RandomForestClassifier

    from skhpo.utils._testing import SleepingClassifier

    if name == "sleep":
        X, y = np.zeros((50, 1)), np.arange(50) % 2
        return SleepingClassifier(), {"duration": ("real", 0.01, 0.5, True)}, X, y
    if name == "sleep-interior":
        X, y = np.zeros((50, 1)), np.zeros(50)
        return (
            SleepyRegressor(),
            {
                "duration": ("real", 0.01, 1.0, True),
                "x": ("real", 0.0, 1.0, False),
            },
            X,
            y,
        )
    if name == "forest":
        from sklearn.datasets import load_digits

        X, y = load_digits(return_X_y=True)
        return (
            RandomForestClassifier(random_state=0, n_jobs=1),
            {
                "n_estimators": ("int", 10, 150, False),
                "max_depth": ("int", 2, 20, False),
                "max_features": ("real", 0.05, 1.0, False),
            },
            X,
            y,
        )
    raise ValueError(name)


def _sklearn_space(spec):
    from scipy.stats import loguniform, randint, uniform

    out = {}
    for k, (kind, low, high, log) in spec.items():
        if kind == "int":
            out[k] = randint(low, high + 1)
        else:
            out[k] = loguniform(low, high) if log else uniform(low, high - low)
    return out


def _skhpo_space(spec):
    from skhpo.space import Integer, Real

    return {
        k: (Integer if kind == "int" else Real)(
            low, high, prior="log-uniform" if log else "uniform"
        )
        for k, (kind, low, high, log) in spec.items()
    }


def _warm_up():
    """Start the joblib workers, so neither search pays for their start."""
    from joblib import Parallel, delayed

    Parallel(n_jobs=N_JOBS)(delayed(time.sleep)(0.01) for _ in range(2 * N_JOBS))


def run(method, problem, n_iter, seed, batch_size=None):
    from sklearn.model_selection import RandomizedSearchCV

    from skhpo import BayesSearchCV

    estimator, spec, X, y = _problem(problem)
    common = dict(n_iter=n_iter, cv=5, n_jobs=N_JOBS, refit=False, random_state=seed)
    if method == "random":
        search = RandomizedSearchCV(estimator, _sklearn_space(spec), **common)
    else:
        search = BayesSearchCV(
            estimator, _skhpo_space(spec), batch_size=batch_size, **common
        )
    _warm_up()
    start = time.perf_counter()
    search.fit(X, y)
    wall = time.perf_counter() - start
    res = search.cv_results_
    n_splits = search.n_splits_
    busy = float(np.sum((res["mean_fit_time"] + res["mean_score_time"]) * n_splits))
    out = {"wall": wall, "busy": busy, "util": busy / (N_JOBS * wall)}
    if "propose_time" in res:
        out["propose"] = float(np.sum(res["propose_time"]))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--problems", nargs="+", default=list(PROBLEMS), choices=PROBLEMS
    )
    parser.add_argument("--n-iter", type=int, default=50)
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument(
        "--batch-size",
        type=int,
        default=None,
        help="skhpo's batch_size (default: its own default)",
    )
    args = parser.parse_args(argv)
    _common.quiet_warnings()
    print(
        _common.header(
            "skhpo worker-utilisation benchmark",
            dists=("scikit-learn", "skhpo", "joblib"),
        ),
        flush=True,
    )
    _common.check_single_threaded()

    rows, verdicts = [], []
    for problem in args.problems:
        res = {"random": [], "skhpo": []}
        for seed in range(args.seeds):
            order = ["skhpo", "random"] if seed % 2 == 0 else ["random", "skhpo"]
            for method in order:
                res[method].append(
                    run(method, problem, args.n_iter, seed, args.batch_size)
                )
        mean = {
            m: {k: float(np.mean([r[k] for r in runs])) for k in runs[0]}
            for m, runs in res.items()
        }
        sk, rd = mean["skhpo"], mean["random"]
        rows.append(
            [
                problem,
                sk["util"],
                rd["util"],
                sk["util"] / rd["util"],
                sk["wall"],
                rd["wall"],
                sk["busy"],
                rd["busy"],
                1e3 * sk["propose"] / args.n_iter,
            ]
        )
        verdicts.append(
            f"skhpo on {problem}: utilisation {sk['util']:.3f} "
            f"(target >= {TARGET}: "
            f"{'met' if sk['util'] >= TARGET else 'NOT met'})"
        )
        print(f"  done {problem}", flush=True)

    print(
        f"\nn_jobs={N_JOBS}, cv=5, n_iter={args.n_iter}, mean over {args.seeds} "
        f"seeds; busy = sum of fit + score times (s), wall in s, propose = "
        f"skhpo's ms per candidate:"
    )
    print(
        _common.format_table(
            rows,
            [
                "problem",
                "util skhpo",
                "util random",
                "ratio",
                "wall skhpo",
                "wall random",
                "busy skhpo",
                "busy random",
                "propose ms",
            ],
        )
    )
    for line in verdicts:
        print(line)


if __name__ == "__main__":
    main()
