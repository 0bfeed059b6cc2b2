"""Stop a search, look at it, and resume it where it stopped.

A ``storage`` file keeps every evaluation of a search as it finishes. Here a
``HyperbandSearchCV`` tunes a gradient-boosting classifier on the bundled
breast-cancer data, growing ``max_iter`` by warm starts, and is stopped after
a few seconds by ``max_time`` (a Ctrl-C, a killed process or a batch job's
time limit would stop it the same way, only less politely). Then:

1. ``python -m skhpo show`` (called here as a function) prints where it
   stands, as it would from another terminal while the search runs;
2. ``skhpo.load_results`` reads the finished evaluations as a DataFrame;
3. ``fit`` called again with the same arguments and the same storage resumes:
   the finished evaluations are read back, the models of the interrupted rung
   too, and only what is left is trained. The result is the search an
   uninterrupted run would give.
"""

import os
import tempfile
import time
import warnings

import numpy as np
from scipy.stats import loguniform
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import HistGradientBoostingClassifier

from skhpo import HyperbandSearchCV, load_results
from skhpo.storage._load import show


def make_search(storage, **kwargs):
    return HyperbandSearchCV(
        HistGradientBoostingClassifier(early_stopping=False, random_state=0),
        {
            "learning_rate": loguniform(1e-2, 1e0),
            "max_leaf_nodes": [7, 15, 31, 63],
            "l2_regularization": loguniform(1e-4, 1e1),
        },
        resource="max_iter",
        min_resources=10,
        max_resources=270,
        cv=3,
        random_state=0,
        storage=storage,
        **kwargs,
    )


def main():
    X, y = load_breast_cancer(return_X_y=True)
    folder = tempfile.mkdtemp()
    storage = os.path.join(folder, "hgb.sqlite")

    print("1. A search stopped after 3 s")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        started = time.time()
        stopped = make_search(storage, max_time=3).fit(X, y)
    print(f"   {caught[-1].message}")
    print(
        f"   {len(stopped.cv_results_['params'])} evaluations in "
        f"{time.time() - started:.1f} s; best so far "
        f"{stopped.best_score_:.4f}\n"
    )

    print("2. What the storage holds (python -m skhpo show hgb.sqlite):")
    show(storage, top=5)
    frame = load_results(storage)
    print(
        f"\n   load_results: {len(frame)} rows, e.g. columns "
        f"{list(frame.columns[:4])} ... {list(frame.columns[-3:])}\n"
    )

    print("3. The same search, resumed")
    started = time.time()
    resumed = make_search(storage).fit(X, y)
    n_rows = len(resumed.cv_results_["params"])
    print(
        f"   {n_rows} evaluations, {n_rows - len(frame)} of them new, in "
        f"{time.time() - started:.1f} s; best {resumed.best_score_:.4f} with "
        f"{resumed.best_params_}"
    )
    reference = make_search(None).fit(X, y)
    same = np.allclose(
        resumed.cv_results_["mean_test_score"],
        reference.cv_results_["mean_test_score"],
    )
    print(f"   the same cv_results_ as an uninterrupted search: {same}")
    os.remove(storage)
    os.rmdir(folder)


if __name__ == "__main__":
    main()
