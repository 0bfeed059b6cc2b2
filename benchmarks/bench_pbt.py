"""PBTSearchCV against random search and Hyperband at equal training epochs.

Two ``partial_fit`` tasks on a synthetic 5-class problem
(``make_classification``, 20,000 samples, 40 features, a quarter held out,
3-fold CV), large enough that an epoch takes longer than the scheduling
around it:

- ``mlp``: ``StandardScaler`` + ``MLPClassifier(hidden_layer_sizes=(64,))``,
  adam's ``learning_rate_init`` and ``alpha`` searched (both mutable), one
  epoch per step;
- ``sgd``: ``StandardScaler`` + ``SGDClassifier(learning_rate="constant")``,
  ``eta0`` and ``alpha`` searched (both mutable), 5 epochs per step (an SGD
  epoch is too short to be a step of its own).

Budget: every method trains the same number of epochs per fold,
``population_size x n_steps x epochs per step``.

- **PBT**: ``PBTSearchCV`` (synchronous).
- **random**: ``RandomizedSearchCV`` with ``population_size`` candidates
  trained ``n_steps x epochs per step`` epochs each (no early stopping).
- **Hyperband**: ``HyperbandSearchCV(resource="partial_fit",
  max_resources=n_steps x epochs per step)``, its brackets scaled down
  (``n_brackets``) until its planned epochs fit the budget; its actual epochs
  are printed.

Reported per task, over ``--seeds`` seeds (default 5): held-out accuracy of
each method's refit model, PBT against random search's median; PBT's
overhead (time spent deciding exploits/explores and copying models, over the
time of a generation's training); what moving the members' models to the
workers and back costs (``model_transfer_``: their pickled size, and the
estimated serialisation time over PBT's wall time); and, in a separate run with
``asynchronous=True``, ``n_jobs=2`` and ``refit=False``, the workers'
utilisation (fit + score time over 2 x wall time; the refit runs in the
driver alone, after the workers are done, so it is left out, as in
``bench_hyperband.py``).

Usage::

    python benchmarks/bench_pbt.py
    python benchmarks/bench_pbt.py --tasks sgd --seeds 3
"""

from __future__ import annotations

# `_common` must load before numpy (it caps BLAS/OpenMP threads).
import argparse
import statistics
import time

import _common
import numpy as np
import pandas as pd

N_JOBS = 2


STEP_EPOCHS = {"mlp": 1, "sgd": 5}


def _data(seed):
    from sklearn.datasets import make_classification
    from sklearn.model_selection import train_test_split

    X, y = make_classification(
        n_samples=20000,
        n_features=40,
        n_informative=20,
        n_classes=5,
        class_sep=0.8,
        random_state=seed,
    )
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed)


def _cv(seed):
    from sklearn.model_selection import StratifiedKFold

    return StratifiedKFold(3, shuffle=True, random_state=seed)


def _task(name, full_epochs=None):
    """``(pipeline, space)``; with ``full_epochs``, the pipeline trains that
    many epochs in one ``fit`` (random search)."""
    from scipy.stats import loguniform
    from sklearn.linear_model import SGDClassifier
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if name == "mlp":
        extra = {}
        if full_epochs is not None:
            extra = dict(
                max_iter=full_epochs, tol=0.0, n_iter_no_change=full_epochs + 1
            )
        model = MLPClassifier(hidden_layer_sizes=(64,), random_state=0, **extra)
        space = {
            "mlpclassifier__learning_rate_init": loguniform(1e-4, 1e-1),
            "mlpclassifier__alpha": loguniform(1e-6, 1e-1),
        }
    else:
        extra = {}
        if full_epochs is not None:
            extra = dict(max_iter=full_epochs, tol=None)
        model = SGDClassifier(learning_rate="constant", random_state=0, **extra)
        space = {
            "sgdclassifier__eta0": loguniform(1e-4, 1e0),
            "sgdclassifier__alpha": loguniform(1e-6, 1e-1),
        }
    return make_pipeline(StandardScaler(), model), space


def _timed(search, X, y):
    start = time.perf_counter()
    search.fit(X, y)
    return time.perf_counter() - start


def _hyperband(name, seed, budget, n_steps):
    """The largest Hyperband (fewest brackets dropped) within ``budget`` epochs."""
    from skhpo import HyperbandSearchCV

    model, space = _task(name)
    n_brackets = None
    while True:
        hb = HyperbandSearchCV(
            model,
            space,
            resource="partial_fit",
            max_resources=n_steps,
            n_brackets=n_brackets,
            cv=_cv(seed),
            n_jobs=N_JOBS,
            random_state=seed,
        )
        planned = int(hb.plan()["units"].sum())
        brackets = int(hb.plan()["bracket"].nunique())
        if planned <= budget or brackets == 1:
            return hb, planned
        n_brackets = brackets - 1


def run(name, seed, population, n_steps):
    from sklearn.model_selection import RandomizedSearchCV

    from skhpo import PBTSearchCV

    X, X_test, y, y_test = _data(seed)
    model, space = _task(name)
    step = STEP_EPOCHS[name]
    pbt = PBTSearchCV(
        model,
        space,
        population_size=population,
        n_steps=n_steps,
        step_resource=step,
        cv=_cv(seed),
        n_jobs=N_JOBS,
        random_state=seed,
    )
    pbt_wall = _timed(pbt, X, y)
    full, _ = _task(name, full_epochs=n_steps * step)
    random = RandomizedSearchCV(
        full, space, n_iter=population, cv=_cv(seed), n_jobs=N_JOBS, random_state=seed
    )
    random_wall = _timed(random, X, y)
    hb, hb_epochs = _hyperband(name, seed, population * n_steps * step, n_steps * step)
    hb_wall = _timed(hb, X, y)

    results = pd.DataFrame(pbt.cv_results_)
    # training time of a generation: its fits and scores over the workers
    busy = (results["mean_fit_time"] + results["mean_score_time"]) * pbt.n_splits_
    per_generation = busy.groupby(results["step"]).sum() / N_JOBS
    overhead = pbt.exploit_time_ / max(n_steps - 1, 1) / per_generation.mean()
    return {
        "pbt test": pbt.score(X_test, y_test),
        "random test": random.score(X_test, y_test),
        "hyperband test": hb.score(X_test, y_test),
        "hyperband epochs": hb_epochs,
        "pbt wall": pbt_wall,
        "random wall": random_wall,
        "hyperband wall": hb_wall,
        "exploits": pbt.n_exploits_,
        "overhead": overhead,
        # moving the members' models to the workers and back, against the wall
        "model KB": pbt.model_transfer_["bytes"] / 1e3,
        "transfer": pbt.model_transfer_["seconds"] / pbt_wall,
    }


def utilisation(name, seed, population, n_steps):
    from skhpo import PBTSearchCV

    X, _, y, _ = _data(seed)
    model, space = _task(name)
    search = PBTSearchCV(
        model,
        space,
        population_size=population,
        n_steps=n_steps,
        step_resource=STEP_EPOCHS[name],
        asynchronous=True,
        cv=_cv(seed),
        n_jobs=N_JOBS,
        random_state=seed,
        refit=False,
    )
    wall = _timed(search, X, y)
    r = search.cv_results_
    busy = float(
        np.sum(np.asarray(r["mean_fit_time"]) + np.asarray(r["mean_score_time"]))
        * search.n_splits_
    )
    return busy / (N_JOBS * wall)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", nargs="+", default=["mlp", "sgd"])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--population", type=int, default=8)
    parser.add_argument("--steps", type=int, default=10)
    args = parser.parse_args(argv)
    _common.quiet_warnings()
    print(_common.header("PBTSearchCV against random search and Hyperband"))
    _common.check_single_threaded()
    verdicts = []
    for name in args.tasks:
        rows = []
        for seed in range(args.seeds):
            row = run(name, seed, args.population, args.steps)
            row["utilisation"] = utilisation(name, seed, args.population, args.steps)
            rows.append(row)
            print(
                f"  {name} seed {seed}: "
                + ", ".join(
                    f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}"
                    for k, v in row.items()
                ),
                flush=True,
            )
        frame = pd.DataFrame(rows, index=[f"seed {s}" for s in range(args.seeds)])
        frame.loc["mean"] = frame.mean()
        frame.loc["median"] = frame.iloc[: args.seeds].median()
        print(
            f"\n## {name}: {args.population} members x {args.steps} steps of "
            f"{STEP_EPOCHS[name]} epoch(s)"
        )
        print(frame.to_string(float_format="{:.3f}".format))
        seeds = frame.iloc[: args.seeds]
        random_median = statistics.median(seeds["random test"])
        pbt_mean = seeds["pbt test"].mean()
        verdicts.append(
            f"{name}: PBT held-out {pbt_mean:.4f} (mean) against random search's "
            f"median {random_median:.4f} (target >=: "
            f"{'met' if pbt_mean >= random_median else 'NOT met'}); Hyperband "
            f"{seeds['hyperband test'].mean():.4f} with "
            f"{int(seeds['hyperband epochs'].iloc[0])} epochs"
        )
        verdicts.append(
            f"{name}: exploit/explore overhead {seeds['overhead'].max():.4f} of a "
            f"generation's training at worst (target <= 0.05: "
            f"{'met' if seeds['overhead'].max() <= 0.05 else 'NOT met'})"
        )
        verdicts.append(
            f"{name}: asynchronous utilisation with n_jobs=2 "
            f"{seeds['utilisation'].mean():.3f} mean, {seeds['utilisation'].min():.3f} "
            f"worst (target >= 0.9: "
            f"{'met' if seeds['utilisation'].mean() >= 0.9 else 'NOT met'})"
        )
    print()
    print("\n".join(verdicts))


if __name__ == "__main__":
    main()
