"""Several objectives: the hypervolume each method reaches in 50 evaluations.

Two-objective analytic problems with a known Pareto front, ZDT1, ZDT2 and
ZDT3 of Zitzler, Deb and Thiele (2000) in ``--n-dims`` variables (default 4),
both objectives minimised, searched side by side in one run by:

- ``skhpo``: ``skhpo.BayesSearchCV(objective=["-f1", "-f2"])`` (ParEGO
  scalarisations; its defaults otherwise);
- ``random``: scikit-learn's ``RandomizedSearchCV`` on the same space;
- ``optuna_tpe``: Optuna's ``TPESampler`` (multi-objective, its defaults);
- ``optuna_nsga2``: Optuna's ``NSGAIISampler`` with a population of 10 (its
  default of 50 would spend the whole budget on one random generation).

The problems are zero-cost estimators (their two "scores" are the two
objectives), so the comparison is of the optimisers alone. Each run's
hypervolume is computed exactly (:func:`skhpo._pareto.hypervolume`) against
the reference point (1.1, 1.1), the usual choice for ZDT; the ratio of each
method's mean hypervolume to random search's is printed per problem.

Run: ``python benchmarks/bench_objectives.py`` (about 2 minutes on 2 cores).
"""

from __future__ import annotations

# `_common` must load before numpy (it caps BLAS/OpenMP threads); it sorts
# first among the non-standard-library imports below.
import argparse
import math
import time

import _common
import numpy as np
from scipy.stats import uniform
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.model_selection import RandomizedSearchCV

from skhpo import BayesSearchCV
from skhpo._pareto import hypervolume
from skhpo.space import Real

REFERENCE = (1.1, 1.1)


def _zdt(kind, x):
    x = np.asarray(x, dtype=float)
    f1 = x[0]
    g = 1 + 9 * x[1:].sum() / (len(x) - 1)
    h = f1 / g
    if kind == "zdt1":
        f2 = g * (1 - math.sqrt(h))
    elif kind == "zdt2":
        f2 = g * (1 - h**2)
    else:
        f2 = g * (1 - math.sqrt(h) - h * math.sin(10 * math.pi * f1))
    return f1, f2


class ZDT(RegressorMixin, BaseEstimator):
    """A zero-cost estimator whose two scores are a ZDT problem's objectives."""

    def __init__(self, kind="zdt1", x0=0.5, x1=0.5, x2=0.5, x3=0.5, x4=0.5, x5=0.5):
        self.kind = kind
        self.x0, self.x1, self.x2, self.x3, self.x4, self.x5 = x0, x1, x2, x3, x4, x5

    def fit(self, X, y=None):
        self.fitted_ = True
        return self

    def predict(self, X):
        return np.zeros(len(X))


def _scoring(n_dims):
    def objective(k):
        def score(est, X, y):
            x = [getattr(est, f"x{i}") for i in range(n_dims)]
            return _zdt(est.kind, x)[k]

        return score

    return {"f1": objective(0), "f2": objective(1)}


def _points(results):
    return -np.column_stack([results["mean_test_f1"], results["mean_test_f2"]])


def run_skhpo(kind, n_dims, n_evals, seed):
    space = {f"x{i}": Real(0.0, 1.0) for i in range(n_dims)}
    search = BayesSearchCV(
        ZDT(kind),
        space,
        scoring=_scoring(n_dims),
        refit="f1",
        objective=["-f1", "-f2"],
        n_iter=n_evals,
        cv=2,
        random_state=seed,
    ).fit(np.zeros((4, 1)), np.zeros(4))
    return _points(search.cv_results_)


def run_random(kind, n_dims, n_evals, seed):
    space = {f"x{i}": uniform(0, 1) for i in range(n_dims)}
    search = RandomizedSearchCV(
        ZDT(kind),
        space,
        scoring=_scoring(n_dims),
        refit="f1",
        n_iter=n_evals,
        cv=2,
        random_state=seed,
    ).fit(np.zeros((4, 1)), np.zeros(4))
    return _points(search.cv_results_)


def run_optuna(kind, n_dims, n_evals, seed, sampler):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if sampler == "tpe":
        chosen = optuna.samplers.TPESampler(seed=seed)
    else:
        chosen = optuna.samplers.NSGAIISampler(population_size=10, seed=seed)
    study = optuna.create_study(directions=["minimize", "minimize"], sampler=chosen)

    def objective(trial):
        x = [trial.suggest_float(f"x{i}", 0.0, 1.0) for i in range(n_dims)]
        return _zdt(kind, x)

    study.optimize(objective, n_trials=n_evals)
    return -np.array([t.values for t in study.trials], dtype=float)


METHODS = {
    "skhpo": run_skhpo,
    "random": run_random,
    "optuna_tpe": lambda *a: run_optuna(*a, sampler="tpe"),
    "optuna_nsga2": lambda *a: run_optuna(*a, sampler="nsga2"),
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-evals", type=int, default=50)
    parser.add_argument("--n-dims", type=int, default=4)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--problems", nargs="+", default=["zdt1", "zdt2", "zdt3"])
    args = parser.parse_args(argv)
    _common.quiet_warnings()
    print(_common.header("Several objectives: hypervolume in a fixed budget"))
    reference = -np.array(REFERENCE)
    rows = []
    for kind in args.problems:
        volumes = {name: [] for name in METHODS}
        seconds = {name: 0.0 for name in METHODS}
        for seed in range(args.seeds):
            for name, run in METHODS.items():
                started = time.perf_counter()
                points = run(kind, args.n_dims, args.n_evals, seed)
                seconds[name] += time.perf_counter() - started
                volumes[name].append(hypervolume(points, reference))
        base = np.mean(volumes["random"])
        for name in METHODS:
            v = np.array(volumes[name])
            rows.append(
                [
                    kind,
                    name,
                    v.mean(),
                    v.std(),
                    v.mean() / base,
                    seconds[name] / args.seeds,
                ]
            )
    print(
        _common.format_table(
            rows,
            ["problem", "method", "hypervolume", "std", "ratio to random", "s/run"],
        )
    )


if __name__ == "__main__":
    main()
