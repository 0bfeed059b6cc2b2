"""
=====================================================
Accuracy against fit time: a search of two objectives
=====================================================

A faster model is sometimes worth a slightly lower score. This example tunes
a gradient-boosting classifier on scikit-learn's bundled breast cancer data
for its ROC AUC and for its fit time at once. You will see how to ask a
search for several objectives, how it reports the Pareto front (the
candidates that no other beats on both) instead of one winner, how a
``refit`` rule picks one candidate of the front, and how
:class:`~skhpo.plotting.ParetoFrontDisplay` draws them.
"""

# %%
# The search: two objectives and a rule to choose
# -----------------------------------------------
# ``objective=["roc_auc", "-fit_time"]`` asks for the highest ROC AUC (a key
# of ``scoring``) and the lowest mean fit time (the minus sign minimises).
# Each proposal maximises a scalarisation of the two objectives (ParEGO's
# augmented Chebyshev one) with weights drawn anew, which spreads the
# proposals along the front.
# The ``refit`` rule :func:`~skhpo.knee_point` picks the best compromise: the
# candidate of the front nearest to the ideal point, both objectives rescaled
# over the front. :func:`~skhpo.best_under` would instead pick the best ROC
# AUC under a time limit.
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import HistGradientBoostingClassifier

from skhpo import BayesSearchCV, knee_point
from skhpo.space import Integer, Real

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
# The front and the choice
# ------------------------
# ``pareto_front_`` holds the rows of ``cv_results_`` on the front;
# ``best_index_`` is the row the ``refit`` rule chose, and the model refitted
# on all the data has its parameters.
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
# Going down the list, each candidate of the front buys a higher ROC AUC with
# a longer fit: none is both faster and better than another. The fit times are
# measured, not computed, so the front changes a little from run to run and
# from machine to machine, and so do the candidates the search proposes from
# them: the numbers above are those of the run that built this page.
#
# The picture
# -----------
# :class:`~skhpo.plotting.ParetoFrontDisplay` draws every candidate in the
# plane of the two objectives: the dominated ones in grey, the front joined
# as the boundary of the region it dominates, the chosen candidate starred.
import matplotlib.pyplot as plt

from skhpo.plotting import ParetoFrontDisplay

disp = ParetoFrontDisplay.from_search(search)
plt.show()
