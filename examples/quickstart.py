"""
=========================================================
Quick start: BayesSearchCV in place of RandomizedSearchCV
=========================================================

This example tunes a support vector machine on scikit-learn's bundled breast
cancer data. You will see that :class:`~skhpo.BayesSearchCV` takes the
arguments of :class:`~sklearn.model_selection.RandomizedSearchCV` and gives
the same ``cv_results_``; only the way the candidates are chosen changes: a
Gaussian-process model of the cross-validated score proposes each one. Then
:func:`~skhpo.importance.importance_report` tells which hyperparameters
mattered.

No plotting library is needed: everything here is printed.
"""

# %%
# The data
# --------
# The breast cancer data set has 569 samples and 30 features. A quarter is
# kept aside, never seen by the search, to check the tuned model at the end.
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

X, y = load_breast_cancer(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)

# %%
# The pipeline and the search space
# ---------------------------------
# The space accepts the forms scikit-learn users already write: skhpo's own
# dimensions (:class:`~skhpo.space.Real` with a log-uniform prior), a frozen
# ``scipy.stats`` distribution, and a plain list, which is a categorical
# choice.
from scipy.stats import loguniform
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skhpo.space import Real

pipe = make_pipeline(StandardScaler(), SVC())
space = {
    "svc__C": Real(1e-2, 1e5, prior="log-uniform"),
    "svc__gamma": loguniform(1e-5, 1e0),
    "svc__kernel": ["rbf", "sigmoid"],
}

# %%
# The search
# ----------
# These are ``RandomizedSearchCV``'s arguments: 25 candidates, each scored by
# ROC AUC on the same five folds, two of them fitted at a time.
from sklearn.model_selection import StratifiedKFold

from skhpo import BayesSearchCV

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

# %%
# The search was refitted on the whole training set with the best parameters,
# so it predicts and scores as a fitted pipeline does. Its ROC AUC on the
# held-out quarter is close to the cross-validated one, a little below it: the
# cross-validated score of the winner is measured on the folds that chose it,
# so it tends to be optimistic (the nested cross-validation example measures
# by how much).
#
# The candidates
# --------------
# ``cv_results_`` has scikit-learn's keys, so :class:`pandas.DataFrame` reads
# it as it reads scikit-learn's.
import pandas as pd

results = pd.DataFrame(search.cv_results_)
columns = ["rank_test_score", "mean_test_score", "std_test_score", "params"]
print("Top 5 candidates:")
with pd.option_context("display.max_colwidth", 90, "display.width", 160):
    print(results.sort_values("rank_test_score")[columns].head(5).to_string())

# %%
# Several candidates share the first rank: their mean scores are equal, and
# ties are ranked as scikit-learn ranks them. All five use the ``rbf``
# kernel, with ``C`` spread over more than two orders of magnitude.
#
# Which hyperparameters mattered
# ------------------------------
# The importance report fits a forest of extra trees (below 50 candidates;
# from 50, boosted trees when they predict better) to the candidates' mean
# scores and splits the variance of its predictions between the hyperparameters
# (functional ANOVA): ``importance`` is a hyperparameter's own share,
# ``interaction`` the share it has in common with others, and the ``_std``
# columns the spread over the trees.
from skhpo.importance import importance_report

report = importance_report(search)
print("Which hyperparameters mattered (share of the score's variance):")
with pd.option_context("display.width", 160, "display.float_format", "{:.4g}".format):
    print(report.to_string())
    pairs = pd.DataFrame.from_dict(report.attrs["interactions"], orient="index")
    print("\nInteractions:")
    print(pairs[["importance", "importance_std"]].to_string())
print("\nMethod:", report.attrs["method"])

# %%
# The kernel and ``gamma`` carry most of the variance, and the largest
# interaction is between these two: how much ``gamma`` matters depends on the
# kernel. ``C`` has a small share: once the kernel and ``gamma`` were right,
# the score depended little on it, as the top five candidates showed. The
# standard deviations are large with only 25 candidates: the shares of the
# kernel and ``gamma`` overlap within them, while that of ``C`` stays small.
