"""Accuracy against fit time: a search of two objectives.

A gradient-boosting classifier on scikit-learn's breast-cancer data is tuned
for its ROC AUC and for its fit time at once: ``objective=["roc_auc",
"-fit_time"]``. Instead of one winner the search finds the Pareto front,
the candidates that no other beats on both, and the ``refit`` rule
``knee_point`` picks the best compromise among them (``best_under`` would
pick the best AUC under a time limit). ``ParetoFrontDisplay`` draws the
candidates in the plane of the two objectives.

Needs matplotlib (``pip install "skhpo[plot]"``); the figure is written to
``pareto_front.png``.
"""

# %%
# The search: two objectives, and a rule to choose among the front.
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import HistGradientBoostingClassifier

from skhpo import BayesSearchCV, knee_point
from skhpo.space import Integer, Real


def main(show=False):
    import matplotlib

    if not show:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from skhpo.plotting import ParetoFrontDisplay

    X, y = load_breast_cancer(return_X_y=True)
    search = BayesSearchCV(
        HistGradientBoostingClassifier(early_stopping=False, random_state=0),
        {
            "max_iter": Integer(5, 300, prior="log-uniform"),
            "learning_rate": Real(1e-2, 1.0, prior="log-uniform"),
            "max_leaf_nodes": Integer(4, 64, prior="log-uniform"),
        },
        scoring={"roc_auc": "roc_auc"},
        objective=["roc_auc", "-fit_time"],
        refit=knee_point("roc_auc", "-fit_time"),
        n_iter=16,
        cv=3,
        n_jobs=2,
        random_state=0,
    ).fit(X, y)

    # %%
    # The front, fastest first, and the compromise the knee rule chose.
    results = search.cv_results_
    print("Pareto front (fastest first):")
    for row in sorted(search.pareto_front_, key=lambda r: results["mean_fit_time"][r]):
        print(
            f"  roc_auc {results['mean_test_roc_auc'][row]:.4f}  fit "
            f"{results['mean_fit_time'][row]:.3f} s  {results['params'][row]}"
        )
    best = search.best_index_
    print(
        f"chosen (knee): roc_auc {results['mean_test_roc_auc'][best]:.4f}, "
        f"fit {results['mean_fit_time'][best]:.3f} s, {search.best_params_}"
    )

    # %%
    # The candidates in the plane of the two objectives.
    ParetoFrontDisplay.from_search(search)
    plt.savefig("pareto_front.png", dpi=100)
    if show:
        plt.show()
    return search


if __name__ == "__main__":
    main(show=True)
