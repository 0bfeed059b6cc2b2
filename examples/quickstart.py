"""Quick start: tune an SVM pipeline on a bundled dataset with BayesSearchCV.

Swap ``RandomizedSearchCV`` for ``BayesSearchCV``: the same arguments, the same
``cv_results_``, and candidates chosen by a Gaussian-process model of the
cross-validated score. Then ask which hyperparameters mattered: the importance
report splits the variance of the score between them.
"""

import pandas as pd
from scipy.stats import loguniform
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skhpo import BayesSearchCV
from skhpo.importance import importance_report
from skhpo.space import Real


def main():
    X, y = load_breast_cancer(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    pipe = make_pipeline(StandardScaler(), SVC())
    space = {
        "svc__C": Real(1e-2, 1e5, prior="log-uniform"),
        "svc__gamma": loguniform(1e-5, 1e0),  # scipy.stats works too
        "svc__kernel": ["rbf", "sigmoid"],  # a plain list is a categorical
    }
    search = BayesSearchCV(
        pipe,
        space,
        n_iter=25,
        cv=StratifiedKFold(5, shuffle=True, random_state=0),
        scoring="roc_auc",
        n_jobs=2,
        random_state=0,
    )
    search.fit(X_train, y_train)

    print("Best parameters:", search.best_params_)
    print(f"Best cross-validated ROC AUC: {search.best_score_:.4f}")
    print(f"Held-out ROC AUC: {search.score(X_test, y_test):.4f}")

    results = pd.DataFrame(search.cv_results_)
    columns = ["rank_test_score", "mean_test_score", "std_test_score", "params"]
    print("\nTop 5 candidates:")
    with pd.option_context("display.max_colwidth", 90, "display.width", 160):
        print(results.sort_values("rank_test_score")[columns].head(5).to_string())

    report = importance_report(search)
    print("\nWhich hyperparameters mattered (share of the score's variance):")
    with pd.option_context(
        "display.width", 160, "display.float_format", "{:.4g}".format
    ):
        print(report.to_string())
        pairs = pd.DataFrame.from_dict(report.attrs["interactions"], orient="index")
        print("\nInteractions:")
        print(pairs[["importance", "importance_std"]].to_string())
    print("\nMethod:", report.attrs["method"])


if __name__ == "__main__":
    main()
