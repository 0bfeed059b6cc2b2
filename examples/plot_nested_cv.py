"""Nested cross-validation: an honest score for a whole search.

A search's ``best_score_`` is measured on the folds that chose the winner, so
it is optimistic. ``NestedCV`` runs the search again inside each outer training
fold and scores its refit model on the outer test fold, which the search never
saw. Here a ``BayesSearchCV`` tunes an SVM on the bundled wine data, grouped
by pseudo-batches: ``GroupKFold`` splits both loops, and ``groups`` reaches the
inner search without enabling metadata routing.

Printed: the outer scores, each fold's winner and inner best score, how stable
the winners are, and the optimism (non-nested minus nested score).
:class:`~skhpo.plotting.NestedCVDisplay` draws (``nested_cv.png``) each outer
fold's inner best score against its outer score: a fold below the diagonal
promised more than it delivered. The square is the search on all the data, at
its ``best_score_`` across and the nested score up; its height under the
diagonal is the optimism. Needs matplotlib (``pip install "skhpo[plot]"``).
"""

import numpy as np
import pandas as pd
from sklearn.datasets import load_wine
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skhpo import BayesSearchCV, NestedCV
from skhpo.plotting import NestedCVDisplay
from skhpo.space import Real


def main(show=False):
    import matplotlib

    if not show:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y = load_wine(return_X_y=True)
    groups = np.arange(len(y)) % 12  # e.g. 12 measurement batches

    search = BayesSearchCV(
        make_pipeline(StandardScaler(), SVC()),
        {
            "svc__C": Real(1e-2, 1e3, prior="log-uniform"),
            "svc__gamma": Real(1e-4, 1e0, prior="log-uniform"),
        },
        n_iter=12,
        scoring="accuracy",
        cv=GroupKFold(n_splits=3),
        random_state=0,
    )
    nested = NestedCV(search, cv=GroupKFold(n_splits=4), n_jobs=2)
    nested.fit(X, y, groups=groups)

    results = pd.DataFrame(
        {
            "outer test score": nested.cv_results_["test_score"],
            "inner best score": nested.cv_results_["best_score"],
            "best params": nested.cv_results_["best_params"],
        }
    )
    with pd.option_context("display.max_colwidth", 80, "display.width", 140):
        print(results.to_string(float_format="{:.4f}".format))
        print("\nStability of the chosen hyperparameters:")
        print(nested.stability_.to_string())
    print(
        f"\nNested score: {nested.mean_score_:.4f} +- {nested.std_score_:.4f}; "
        f"non-nested best_score_: {nested.search_.best_score_:.4f}; "
        f"optimism: {nested.optimism_:+.4f}"
    )

    disp = NestedCVDisplay.from_nested_cv(nested)
    disp.figure_.savefig("nested_cv.png", dpi=100)
    if show:
        plt.show()
    return nested


if __name__ == "__main__":
    main()
