"""
========================================================
Hyperband with partial_fit: learning curves of the rungs
========================================================

Hyperband gives many candidates a small budget and the best of them more.
This example tunes an ``SGDClassifier`` pipeline on the bundled digits with
:class:`~skhpo.HyperbandSearchCV` and ``resource="partial_fit"``: the budget
is the number of epochs, and each rung continues its survivors' models
instead of training them again from the start. You will see the plan the
search prints before ``fit``, the budget it used, and
:class:`~skhpo.plotting.ResourceCurveDisplay`, which draws each candidate's
score against the epochs it reached.
"""

# %%
# The data and the search
# -----------------------
# A quarter of the digits is kept aside to check the winner. The search tunes
# the penalty ``alpha``, the initial learning rate ``eta0`` (both on a log
# scale) and the learning-rate schedule, with at most 27 epochs per
# candidate.
from sklearn.datasets import load_digits
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skhpo import HyperbandSearchCV
from skhpo.space import Real

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)
search = HyperbandSearchCV(
    make_pipeline(StandardScaler(), SGDClassifier(random_state=0)),
    {
        "sgdclassifier__alpha": Real(1e-6, 1e-1, prior="log-uniform"),
        "sgdclassifier__eta0": Real(1e-4, 1e-1, prior="log-uniform"),
        "sgdclassifier__learning_rate": ["optimal", "invscaling", "adaptive"],
    },
    resource="partial_fit",
    max_resources=27,
    scoring="accuracy",
    cv=3,
    n_jobs=2,
    random_state=0,
)

# %%
# The plan, before fit
# --------------------
# ``plan()`` needs no data: it is the schedule Hyperband will follow. Each
# bracket is a successive halving that starts with more candidates on fewer
# epochs than the next; in each rung (``iter``) the best third goes on with
# three times the epochs. ``units`` is the number of epochs a rung trains,
# summed over its candidates: a promoted model only trains the epochs it
# lacks, so 9 candidates promoted from 1 to 3 epochs cost 18.
print(search.plan().to_string(index=False))

# %%
# Bracket 0 is the most aggressive: 27 candidates get one epoch, and one of
# them reaches 27. Bracket 3 gives 4 candidates all 27 epochs at once, as a
# plain random search would.
#
# The search, and the budget it used
# ----------------------------------
# After ``fit``, ``budget_`` sets what was planned beside what ran.
search.fit(X_train, y_train)
print(search.budget_.to_string(index=False))

# %%
# Every rung ran as planned. The model refitted on all the training data has
# the best candidate's hyperparameters and number of epochs:
print(f"best parameters: {search.best_params_}")
epochs = search.max_resources_
print(f"best CV accuracy {search.best_score_:.4f} after {epochs} epochs")
print(f"held-out accuracy {search.score(X_test, y_test):.4f}")

# %%
# The held-out accuracy of the refitted model is close to its cross-validated
# accuracy.
#
# The learning curves
# -------------------
# :class:`~skhpo.plotting.ResourceCurveDisplay` draws each candidate's
# cross-validated accuracy against the epochs it reached, one panel per
# bracket: a cross where a candidate was stopped, a line to the right for
# the ones promoted, the winner in red.
import matplotlib.pyplot as plt

from skhpo.plotting import ResourceCurveDisplay

disp = ResourceCurveDisplay.from_search(search)
disp.figure_.suptitle("Hyperband with partial_fit: each candidate's rungs")
plt.show()

# %%
# Most candidates of brackets 0 and 1 stop at their first rung, many of them
# far below the ones promoted: one or three epochs were enough to drop them.
# The winner comes from bracket 1 and scored a little higher after 9 epochs
# than after 27; Hyperband compares the candidates at the largest budget
# reached, 27 epochs, where it is the best.
