"""Which hyperparameters mattered, and is the winner really better?

A ``RandomizedSearchCV`` (scikit-learn's own: the analyses read any search's
``cv_results_``) tunes a gradient-boosting classifier on the bundled breast
cancer data. Then:

- :func:`skhpo.importance.importance_report` splits the variance of the
  cross-validated score into main effects and pairwise interactions
  (functional ANOVA of a tree surrogate, each hyperparameter integrated over
  the measure it was sampled in: log space for the learning rate);
- :func:`skhpo.importance.compare_candidates` tests whether the best
  candidate beats the runners-up with the corrected resampled t-test, the
  naive test beside it (repeated CV gives it enough splits);
- the displays draw the importance bars, the surrogate's surface over the
  two most important hyperparameters (the others averaged) with the
  evaluated candidates on top, the optimisation history and the marginal
  curves into ``importance.png``.

Needs matplotlib (``pip install "skhpo[plot]"``).
"""

import warnings

import pandas as pd
from scipy.stats import loguniform, randint
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import RandomizedSearchCV, RepeatedStratifiedKFold

from skhpo.importance import (
    SearchRangeEdgeWarning,
    compare_candidates,
    importance_report,
)
from skhpo.plotting import (
    ContourDisplay,
    HistoryDisplay,
    ImportanceDisplay,
    MarginalDisplay,
)


def main(show=False):
    import matplotlib

    if not show:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y = load_breast_cancer(return_X_y=True)
    search = RandomizedSearchCV(
        HistGradientBoostingClassifier(max_iter=50, early_stopping=False),
        {
            "learning_rate": loguniform(1e-3, 1e0),
            "max_leaf_nodes": randint(2, 64),
            "min_samples_leaf": randint(1, 100),
            "l2_regularization": loguniform(1e-4, 1e1),
        },
        n_iter=40,
        cv=RepeatedStratifiedKFold(n_splits=5, n_repeats=2, random_state=0),
        scoring="roc_auc",
        n_jobs=2,
        random_state=0,
    )
    search.fit(X, y)
    print(f"Best ROC AUC {search.best_score_:.4f} with {search.best_params_}\n")

    # Best values at the edge of their range warn: the range may be too narrow.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SearchRangeEdgeWarning)
        report = importance_report(search)
        comparison = compare_candidates(search, n_runners_up=4)
    for w in caught:
        print("warning:", w.message)

    with pd.option_context(
        "display.width", 140, "display.float_format", "{:.3f}".format
    ):
        print("\nImportance:", report.attrs["method"])
        print(report.to_string())
        print("\nStrongest interactions:")
        pairs = pd.DataFrame.from_dict(report.attrs["interactions"], orient="index")
        print(pairs.head(3).to_string())
        print("\nBest against the runners-up:", comparison.attrs["method"])
        columns = [
            "rank",
            "mean_test_score",
            "mean_difference",
            "p_corrected",
            "p_naive",
        ]
        print(comparison[columns].to_string())

    # Each row lays itself out: long labels on the left of the bars do not
    # push the marginal curves below.
    fig = plt.figure(figsize=(16, 8.5), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[1.1, 1])
    ax_importance, ax_contour, ax_history = top.subplots(1, 3)
    ImportanceDisplay.from_report(report, ax=ax_importance)
    ContourDisplay.from_search(search, params=list(report.index[:2]), ax=ax_contour)
    HistoryDisplay.from_search(search, ax=ax_history)
    MarginalDisplay.from_report(report, max_params=4, ax=bottom.subplots(1, 4))
    fig.savefig("importance.png", dpi=90)
    if show:
        plt.show()
    return report


if __name__ == "__main__":
    main()
