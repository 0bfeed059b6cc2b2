"""Multi-fidelity searches: time to reach random search's median best score.

Three tasks, each a resource that a search can stop early and continue:

- ``mlp``: ``StandardScaler`` + ``MLPClassifier(64)`` on the digits, epochs by
  ``partial_fit`` (adam's learning rate, ``alpha``, batch size);
- ``hgb``: ``HistGradientBoostingClassifier`` on a synthetic binary task
  (5,000 samples, 20 features, 5 % of labels flipped), boosting iterations
  ``max_iter`` continued by ``warm_start`` (learning rate, leaves, minimum
  leaf size, L2 penalty);
- ``sgd``: ``StandardScaler`` + ``SGDClassifier(learning_rate="constant")`` on a
  synthetic 5-class task (10,000 samples, 40 features), epochs by
  ``partial_fit`` (``eta0``, ``alpha``).

Every seed searches the same objective (the data and the folds are those of
``PROBLEM_SEED``); a seed varies the searches only. For each seed,
``RandomizedSearchCV`` trains as many candidates at full fidelity as one
round of Hyperband's brackets draws, each trained as every other method
trains it: on the two ``partial_fit`` tasks by as many ``partial_fit`` calls
as the full fidelity has epochs (:class:`Epochs`; one ``fit`` with
``max_iter`` epochs draws a new sample order each epoch where ``partial_fit``
repeats one, another sequence of orders that scores differently: 0.005
higher on the SGD task's best region, a bar that no method trained by
``partial_fit`` could reach); the bar of a task is
the median over seeds of its best cross-validated score. Each other method
gets, per seed, random search's wall time on that seed as its budget, and
searches until it reaches the bar or spends the budget:

- ``hyperband``: ``HyperbandSearchCV`` (synchronous brackets, random
  candidates), one search whose ``n_brackets`` covers many rounds of the
  brackets (Hyperband's outer loop), ended by ``max_time`` (the budget);
- ``hyperband-model``: ``HyperbandSearchCV(asynchronous=True,
  sampler="model")`` (the model-based sampler), the same way: each round
  learns from every one before it;
- ``halving``: ``HalvingRandomSearchCV`` over the same rungs (it trains from
  nothing at every rung; ``resource`` is :class:`Epochs`' ``epochs`` on the
  ``partial_fit`` tasks, the model's ``max_iter`` on boosting), as
  many first-rung candidates as Hyperband's most aggressive bracket, run
  again with a new seed until it reaches the bar or spends the budget;
- ``optuna``: an Optuna study (TPE) with its successive-halving pruner over
  the same rungs, the objective training each fold's model rung by rung as
  Optuna's users write it, two trials at a time (threads).

Time to reach: for the skhpo searches, the moment the first candidate at full
fidelity with a mean CV score at the bar had all its folds scored (read in
the workers by a second scorer); for halving, the wall time of the run that
reached it plus the earlier ones; for Optuna,
the moment the first complete (not pruned) trial at the bar finished; a
reach after the budget does not count for any method. Target (model
quality issue): every seed reaches the bar, and the median over seeds of
time to reach / random search's wall time is at most one third.

Usage::

    python benchmarks/bench_multifidelity.py                 # 5 seeds
    python benchmarks/bench_multifidelity.py --ratio 27      # about 6x faster
    python benchmarks/bench_multifidelity.py --tasks sgd --seeds 2

``--ratio`` is the ratio of full to first-rung resources: 81 (the default)
gives five brackets and 143 candidates, as ``bench_hyperband.py``'s
``partial-fit`` part; 27 gives four brackets and 49 candidates.
"""

from __future__ import annotations

# `_common` must load before numpy (it caps BLAS/OpenMP threads)
import argparse
import time

import _common
import numpy as np
from bench_hyperband import Epochs, _clock, _first_reach, _timed_fit, _warm_up
from scipy.stats import loguniform, randint

from skhpo import HyperbandSearchCV

TASKS = ("mlp", "hgb", "sgd")
METHODS = ("hyperband", "hyperband-model", "halving", "optuna")
N_JOBS = 2
N_FOLDS = 5
FACTOR = 3
TARGET_RATIO = 1 / 3
#: The data and the folds of every task, whatever the seed: a seed varies the
#: searches only, so that every seed searches the same objective and the
#: median of random search's best over seeds is a bar that each could reach.
PROBLEM_SEED = 0
#: Halving draws its candidates as random search does (``ParameterSampler``):
#: its seeds start here, away from random search's 0, 1, ...
HALVING_SEEDS = 10_000


class Task:
    """One task: data, the estimator and space, its resource and rungs."""

    def __init__(self, name, ratio):
        self.name = name
        # first rung and full fidelity, in the estimator's own units
        self.min_r = 3 if name == "hgb" else 1
        self.max_r = self.min_r * ratio
        self.partial_fit = name != "hgb"

    # ------------------------------------------------------------- data
    def data(self):
        """The task's data: the same for every seed (see ``PROBLEM_SEED``)."""
        from sklearn.datasets import load_digits, make_classification

        if self.name == "mlp":
            return load_digits(return_X_y=True)
        if self.name == "hgb":
            return make_classification(
                n_samples=5000,
                n_features=20,
                n_informative=10,
                flip_y=0.05,
                random_state=PROBLEM_SEED,
            )
        return make_classification(
            n_samples=10000,
            n_features=40,
            n_informative=20,
            n_classes=5,
            class_sep=0.8,
            random_state=PROBLEM_SEED,
        )

    def cv(self):
        """The folds: the same for every seed (see ``PROBLEM_SEED``)."""
        from sklearn.model_selection import StratifiedKFold

        return StratifiedKFold(N_FOLDS, shuffle=True, random_state=PROBLEM_SEED)

    # --------------------------------------------------------- estimator
    def space(self):
        if self.name == "mlp":
            return {
                "mlpclassifier__learning_rate_init": loguniform(1e-4, 1e-1),
                "mlpclassifier__alpha": loguniform(1e-6, 1e-1),
                "mlpclassifier__batch_size": randint(16, 257),
            }
        if self.name == "hgb":
            return {
                "learning_rate": loguniform(1e-2, 1.0),
                "max_leaf_nodes": randint(4, 65),
                "min_samples_leaf": randint(2, 101),
                "l2_regularization": loguniform(1e-6, 10.0),
            }
        return {
            "sgdclassifier__eta0": loguniform(1e-4, 1.0),
            "sgdclassifier__alpha": loguniform(1e-6, 1e-1),
        }

    def final(self, resources=None):
        """The model alone; trained for ``resources`` in one ``fit`` when
        given (no early stopping: exactly that many epochs or iterations)."""
        from sklearn.ensemble import HistGradientBoostingClassifier
        from sklearn.linear_model import SGDClassifier
        from sklearn.neural_network import MLPClassifier

        extra = {}
        if self.name == "mlp":
            if resources is not None:
                extra = dict(max_iter=resources, tol=0.0, n_iter_no_change=10**6)
            return MLPClassifier(hidden_layer_sizes=(64,), random_state=0, **extra)
        if self.name == "hgb":
            if resources is not None:
                extra = dict(max_iter=resources)
            return HistGradientBoostingClassifier(
                early_stopping=False, random_state=0, **extra
            )
        if resources is not None:
            extra = dict(max_iter=resources, tol=None)
        return SGDClassifier(learning_rate="constant", random_state=0, **extra)

    def estimator(self, resources=None):
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        final = self.final(resources)
        return final if self.name == "hgb" else make_pipeline(StandardScaler(), final)

    def full(self):
        """Estimator, space and resource parameter for random search and
        halving: trained at full fidelity as skhpo and Optuna train it."""
        if not self.partial_fit:
            return self.estimator(self.max_r), self.space(), self.max_iter
        space = {f"estimator__{k}": v for k, v in self.space().items()}
        return Epochs(self.estimator(), self.max_r), space, "epochs"

    @property
    def resource(self):
        """skhpo's resource."""
        return "partial_fit" if self.partial_fit else "max_iter"

    @property
    def max_iter(self):
        return "max_iter" if self.name == "hgb" else f"{self.name}classifier__max_iter"

    def rungs(self):
        r, out = self.min_r, []
        while r <= self.max_r:
            out.append(r)
            r *= FACTOR
        return out


def _hyperband(task, seed, max_time, model=False, n_brackets=None):
    return HyperbandSearchCV(
        task.estimator(),
        task.space(),
        resource=task.resource,
        min_resources=task.min_r,
        max_resources=task.max_r,
        factor=FACTOR,
        n_brackets=n_brackets,
        asynchronous=model,
        sampler="model" if model else "random",
        scoring={"score": "accuracy", "clock": _clock},
        objective="score",
        refit=False,
        cv=task.cv(),
        n_jobs=N_JOBS,
        random_state=seed,
        max_time=max_time,
    )


# ------------------------------------------------------------------- methods
def run_hyperband(task, seed, X, y, bar, budget, model=False, max_rounds=20):
    """One Hyperband search of up to ``max_rounds`` rounds of its brackets,
    ended by ``max_time`` (the budget): ``(seconds to reach or inf, rounds
    started, best score)``."""
    per_round = len(task.rungs())  # s_max + 1 brackets
    search = _hyperband(
        task, seed, budget, model=model, n_brackets=max_rounds * per_round
    )
    started = time.time()
    try:
        wall = _timed_fit(search, X, y)
    except ValueError as exc:  # the budget was too short for any candidate
        if "before any candidate finished" not in str(exc):
            raise
        return np.inf, 0, -np.inf
    res = search.cv_results_
    rounds = int(np.max(res["bracket"])) // per_round + 1
    full = np.asarray(res["n_resources"]) == task.max_r
    best = float(np.nanmax(res["mean_test_score"][full])) if full.any() else -np.inf
    found = _first_reach(search, bar, started, full=task.max_r)
    if found is None:
        return np.inf, rounds, best
    # the last round of fits may end past max_time: no reach after it
    reach = min(found, wall)
    return (reach if reach <= budget else np.inf), rounds, best


def run_halving(task, seed, X, y, bar, budget, max_runs=20):
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import HalvingRandomSearchCV

    spent, runs, best = 0.0, 0, -np.inf
    estimator, space, resource = task.full()
    while spent < budget and runs < max_runs:
        search = HalvingRandomSearchCV(
            # no early stopping: exactly the rung's epochs, as random search
            estimator,
            space,
            n_candidates=task.max_r // task.min_r,
            resource=resource,
            min_resources=task.min_r,
            max_resources=task.max_r,
            factor=FACTOR,
            cv=task.cv(),
            n_jobs=N_JOBS,
            refit=False,
            # not random search's seeds: with its sampler and the same
            # objective, a shared seed would replay its candidates
            random_state=HALVING_SEEDS + 1000 * seed + runs,
        )
        wall = _timed_fit(search, X, y)
        runs += 1
        res = search.cv_results_
        full = np.asarray(res["n_resources"]) == task.max_r
        score = (
            float(np.nanmax(res["mean_test_score"][full])) if full.any() else -np.inf
        )
        best = max(best, score)
        if score >= bar:
            # a run that ends past the budget does not count
            return (spent + wall if spent + wall <= budget else np.inf), runs, best
        spent += wall
    return np.inf, runs, best


def run_optuna(task, seed, X, y, bar, budget):
    """TPE with successive-halving pruning; each trial trains its folds rung
    by rung and reports the mean score at each."""
    import optuna
    from sklearn.base import clone
    from sklearn.preprocessing import StandardScaler

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    folds = list(task.cv().split(X, y))
    if task.partial_fit:  # the scaler is fitted once per fold, as a user would
        scaled = []
        for train, test in folds:
            scaler = StandardScaler().fit(X[train])
            scaled.append((scaler.transform(X[train]), scaler.transform(X[test])))
    classes = np.unique(y)
    space = task.space()

    def suggest(trial):
        params = {}
        for name, dist in space.items():
            key = name.split("__")[-1]
            low, high = dist.support()
            if dist.dist.name == "randint":
                params[key] = trial.suggest_int(key, int(low), int(high))
            else:
                params[key] = trial.suggest_float(
                    key, float(low), float(high), log=True
                )
        return params

    def objective(trial):
        params = suggest(trial)
        extra = {} if task.partial_fit else {"warm_start": True}
        models = [clone(task.final()).set_params(**params, **extra) for _ in folds]
        done = 0
        for r in task.rungs():
            scores = []
            for k, (model, (train, test)) in enumerate(zip(models, folds)):
                if task.partial_fit:
                    X_train, X_test = scaled[k]
                    for _ in range(r - done):
                        model.partial_fit(X_train, y[train], classes=classes)
                else:
                    X_train, X_test = X[train], X[test]
                    model.set_params(max_iter=r).fit(X_train, y[train])
                scores.append(model.score(X_test, y[test]))
            done = r
            value = float(np.mean(scores))
            trial.report(value, r)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return value

    reached = []

    def stop_at_bar(study, trial):
        # a pruned trial keeps its last intermediate value: complete ones only
        complete = trial.state == optuna.trial.TrialState.COMPLETE
        if complete and trial.value >= bar and not reached:
            reached.append(time.perf_counter() - start)
            study.stop()

    study = optuna.create_study(
        direction="maximize",
        sampler=optuna.samplers.TPESampler(seed=seed),
        pruner=optuna.pruners.SuccessiveHalvingPruner(
            min_resource=task.min_r, reduction_factor=FACTOR
        ),
    )
    start = time.perf_counter()
    study.optimize(objective, timeout=budget, n_jobs=N_JOBS, callbacks=[stop_at_bar])
    complete = [
        t.value for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE
    ]
    best = max(complete) if complete else -np.inf
    # a trial that ends after the timeout is not cut short: it does not count
    reach = reached[0] if reached and reached[0] <= budget else np.inf
    return reach, len(study.trials), best


# --------------------------------------------------------------------- a task
def run_task(task, seeds, methods):
    from sklearn.model_selection import RandomizedSearchCV

    n_candidates = int(
        _hyperband(task, 0, None).plan().query("iter == 0")["n_candidates"].sum()
    )
    X, y = task.data()
    random = {}
    estimator, space, _ = task.full()
    for seed in seeds:
        search = RandomizedSearchCV(
            estimator,
            space,
            n_iter=n_candidates,
            cv=task.cv(),
            n_jobs=N_JOBS,
            refit=False,
            random_state=seed,
        )
        wall = _timed_fit(search, X, y)
        random[seed] = (wall, float(search.best_score_))
        print(
            f"  {task.name} seed {seed}: random {wall:.1f} s, "
            f"best {search.best_score_:.4f}",
            flush=True,
        )
    bar = float(np.median([best for _, best in random.values()]))
    rows = []
    for seed in seeds:
        wall, best = random[seed]
        row = {"seed": seed, "random s": wall, "random best": best}
        for method in methods:
            if method == "hyperband":
                out = run_hyperband(task, seed, X, y, bar, wall)
            elif method == "hyperband-model":
                out = run_hyperband(task, seed, X, y, bar, wall, model=True)
            elif method == "halving":
                out = run_halving(task, seed, X, y, bar, wall)
            else:
                out = run_optuna(task, seed, X, y, bar, wall)
            reach, runs, best = out
            row[method] = reach / wall
            row[f"{method} runs"] = runs
            row[f"{method} best"] = best
            print(
                f"  {task.name} seed {seed}: {method} {reach / wall:.3f} of "
                f"random's wall ({runs} runs, best {best:.4f})",
                flush=True,
            )
        rows.append(row)
    return n_candidates, bar, rows


def _report(task, n_candidates, bar, rows, methods):
    print(
        f"\n## {task.name}: {n_candidates} candidates, rungs {task.rungs()}, "
        f"bar {bar:.4f} (median of random search's best)"
    )
    print(
        "time to reach the bar / random search's wall time on the seed "
        "(inf: not within it); runs: halving's searches, or the rounds of "
        "Hyperband's brackets that its one search started"
    )
    headers = ["seed", "random s", "random best"] + [
        h for m in methods for h in (m, f"{m} runs")
    ]
    table = [
        [str(r["seed"]), r["random s"], r["random best"]]
        + [v for m in methods for v in (r[m], str(r[f"{m} runs"]))]
        for r in rows
    ]
    table.append(
        ["median", float(np.median([r["random s"] for r in rows])), bar]
        + [v for m in methods for v in (float(np.median([r[m] for r in rows])), "")]
    )
    print(_common.format_table(table, headers))
    lines = []
    for m in methods:
        ratios = [r[m] for r in rows]
        every = all(np.isfinite(ratios))
        median = float(np.median(ratios))
        ok = every and median <= TARGET_RATIO
        lines.append(
            f"{task.name} {m}: reached in {sum(np.isfinite(ratios))} of "
            f"{len(rows)} seeds, "
            f"median {median:.3f} of random search's wall time (target: every seed, "
            f"<= {TARGET_RATIO:.3f}: {'met' if ok else 'NOT met'})"
        )
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", nargs="+", default=list(TASKS), choices=TASKS)
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--ratio", type=int, default=81, choices=(9, 27, 81))
    args = parser.parse_args(argv)
    _common.quiet_warnings()
    print(_common.header("skhpo multi-fidelity benchmark"), flush=True)
    _common.check_single_threaded()
    _warm_up()
    verdicts = []
    for name in args.tasks:
        task = Task(name, args.ratio)
        n_candidates, bar, rows = run_task(task, range(args.seeds), args.methods)
        verdicts += _report(task, n_candidates, bar, rows, args.methods)
    print()
    for line in verdicts:
        print(line)


if __name__ == "__main__":
    main()
