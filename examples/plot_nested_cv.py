"""
===========================================================
Nested cross-validation: an honest score for a whole search
===========================================================

A search's ``best_score_`` is measured on the folds that chose the winner, so
it is optimistic. :class:`~skhpo.NestedCV` runs the search again inside each
outer training fold and scores its refitted model on the outer test fold,
which that search never saw. This example shows how to run it with groups,
how to read its per-fold results and the stability of the chosen
hyperparameters, and how large the optimism of the plain search is.
"""

# %%
# Data in groups
# --------------
# The wine data set has 178 samples of 3 classes. Say the samples were
# measured in 12 batches: samples of one batch must not be split between
# training and test, so :class:`~sklearn.model_selection.GroupKFold` splits
# both loops by batch.
import numpy as np
from sklearn.datasets import load_wine

X, y = load_wine(return_X_y=True)
groups = np.arange(len(y)) % 12  # the batch of each sample

# %%
# The search and the nested cross-validation
# ------------------------------------------
# The inner search is a :class:`~skhpo.BayesSearchCV` of an SVM's ``C`` and
# ``gamma`` with 12 candidates and 3 inner folds. ``NestedCV`` takes the
# search as it is, 4 outer folds, and ``groups`` at ``fit``: they reach the
# inner search without enabling scikit-learn's metadata routing. The outer
# folds run two at a time.
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skhpo import BayesSearchCV, NestedCV
from skhpo.space import Real

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
nested = NestedCV(search, cv=GroupKFold(n_splits=4), n_jobs=2).fit(X, y, groups=groups)

# %%
# One row per outer fold
# ----------------------
# For each outer fold, ``cv_results_`` holds the accuracy on the outer test
# fold, the inner search's ``best_score_`` and the hyperparameters it chose.
import pandas as pd

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

# %%
# In three of the four folds the inner best score is above the outer one: the
# search promised more than its model then delivered on data it had not seen.
# The winners are not stable either: each fold's search chose its own ``C``
# and ``gamma``, and only two folds agree. ``stability_`` counts the distinct
# values chosen and the share of the most frequent one. With continuous
# hyperparameters exact agreement is rare; what matters is how far apart the
# choices are: here ``C`` goes from about 16 to about 360 and ``gamma`` from
# about 0.0004 to about 0.04.
#
# The optimism
# ------------
# ``NestedCV`` also fits the search once on all the data (``search_``). The
# nested score is the mean outer score; the optimism is the plain search's
# ``best_score_`` minus it.
print(
    f"Nested score: {nested.mean_score_:.4f} +- {nested.std_score_:.4f}; "
    f"non-nested best_score_: {nested.search_.best_score_:.4f}; "
    f"optimism: {nested.optimism_:+.4f}"
)

# %%
# The search on all the data reports about two points of accuracy more than
# the nested estimate of what tuning then refitting achieves on new data.
#
# The picture
# -----------
# :class:`~skhpo.plotting.NestedCVDisplay` draws each outer fold's inner best
# score (across) against its outer score (up): a fold below the diagonal
# promised more than it delivered. The square is the search on all the data,
# at its ``best_score_`` across and the nested score up; its distance below
# the diagonal is the optimism.
import matplotlib.pyplot as plt

from skhpo.plotting import NestedCVDisplay

disp = NestedCVDisplay.from_nested_cv(nested)
plt.show()
