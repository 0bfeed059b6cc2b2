"""
================================================================
Which hyperparameters mattered, and is the winner really better?
================================================================

Two questions follow every search: which hyperparameters moved the score,
and whether the winner is better than the runners-up or only luckier on these
folds. This example answers both from a search's ``cv_results_`` alone, so it
uses scikit-learn's own :class:`~sklearn.model_selection.RandomizedSearchCV`:
:func:`~skhpo.importance.importance_report` splits the variance of the score
between the hyperparameters, :func:`~skhpo.importance.compare_candidates`
tests the best candidate against the next ones, and the displays of
:mod:`skhpo.plotting` draw the importances, the score surface, the history
of the search and the score against each hyperparameter.
"""

# %%
# A random search with repeated cross-validation
# ----------------------------------------------
# A gradient-boosting classifier is tuned on the bundled breast cancer data:
# 40 candidates drawn at random, the learning rate and the L2 penalty on a log
# scale. The cross-validation is repeated: 2 times 5 folds give 10 scores per
# candidate, which the tests below need.
import pandas as pd
from scipy.stats import loguniform, randint
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import RandomizedSearchCV, RepeatedStratifiedKFold

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
print(f"Best ROC AUC {search.best_score_:.4f} with")
for name, value in search.best_params_.items():
    print(f"  {name} = {value:.4g}")

# %%
# Which hyperparameters mattered
# ------------------------------
# :func:`~skhpo.importance.importance_report` fits a forest (with fewer than
# 50 candidates, as here) to the candidates' mean scores and splits the
# variance of its predictions between the hyperparameters (functional
# ANOVA), each integrated over the measure it was sampled in: the learning
# rate and the L2 penalty in log space. When the best value of a
# hyperparameter lies at the edge of its range, the report warns
# (:class:`~skhpo.importance.SearchRangeEdgeWarning`) and fills the
# ``at_edge`` column: the range may be too narrow. The warnings are printed
# here.
import warnings

from skhpo.importance import SearchRangeEdgeWarning, importance_report

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", SearchRangeEdgeWarning)
    report = importance_report(search)
for w in caught:
    print("warning:", w.message)

with pd.option_context("display.width", 140, "display.float_format", "{:.3f}".format):
    print("Importance:", report.attrs["method"])
    print(report.to_string())
    print("\nStrongest interactions:")
    pairs = pd.DataFrame.from_dict(report.attrs["interactions"], orient="index")
    print(pairs.head(3).to_string())

# %%
# The learning rate alone carries almost all the variance of the score; the
# other three hyperparameters and every interaction share the few percent
# left, within their standard deviations of zero. No best value lies at an
# edge, so no warning was printed before the table. The candidates' ROC AUC
# rises from about 0.965 at a learning rate of 0.001 to about 0.995 near 0.3:
# in only 50 boosting iterations, a small learning rate moves the model little
# from where it starts.
#
# Is the winner really better?
# ----------------------------
# The 10 splits give 10 paired differences between the best candidate and
# each runner-up. The naive paired t-test treats them as independent, but
# the training sets overlap, so it is too confident. The corrected resampled
# t-test (Nadeau and Bengio, 2003) widens the variance of the mean
# difference: its factor :math:`1/k` for :math:`k` splits becomes
# :math:`1/k + n_\text{test}/n_\text{train}`.
from skhpo.importance import compare_candidates

comparison = compare_candidates(search, n_runners_up=4)
columns = ["rank", "mean_test_score", "mean_difference", "p_corrected", "p_naive"]
with pd.option_context("display.width", 140, "display.float_format", "{:.3f}".format):
    print("Best against the runners-up:", comparison.attrs["method"])
    print(comparison[columns].to_string())

# %%
# The four runners-up trail the best by about a thousandth of ROC AUC. No
# corrected p-value is below 0.15: on this data, the best candidate is not
# distinguishable from the next four. The naive test would have called one
# of them significantly worse at the 5% level.
#
# The importances
# ---------------
# :class:`~skhpo.plotting.ImportanceDisplay` draws the shares as bars, each
# with its standard deviation over the trees, and the strongest interactions.
import matplotlib.pyplot as plt

from skhpo.plotting import (
    ContourDisplay,
    HistoryDisplay,
    ImportanceDisplay,
    MarginalDisplay,
)

importance = ImportanceDisplay.from_report(report)

# %%
# The score surface
# -----------------
# :class:`~skhpo.plotting.ContourDisplay` draws the forest's predicted score
# over the two most important hyperparameters, the others averaged, with the
# evaluated candidates on top.
contour = ContourDisplay.from_search(search, params=list(report.index[:2]))

# %%
# The history
# -----------
# :class:`~skhpo.plotting.HistoryDisplay` draws each candidate's score and
# the best so far. scikit-learn's searches do not record when a candidate
# finished, so the candidates are drawn in the order of ``cv_results_`` (skhpo's
# searches record it, and are drawn against the clock). A random search draws
# every candidate without looking at the scores before it: the best so far
# improves only when a draw happens to land well.
history = HistoryDisplay.from_search(search)

# %%
# The score against each hyperparameter
# -------------------------------------
# :class:`~skhpo.plotting.MarginalDisplay` draws the forest's predicted score
# against each hyperparameter, the others averaged, with its spread over the
# trees. The learning rate's curve rises by far the most, as its importance
# said.
marginals = MarginalDisplay.from_report(report, max_params=4, n_cols=4)
plt.show()
