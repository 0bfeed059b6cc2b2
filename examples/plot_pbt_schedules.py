"""
===========================================================
Population-based training: the schedules a population finds
===========================================================

Population-based training (PBT) tunes hyperparameters *during* training. A
population of models trains side by side; at intervals the weakest copy the
models of the strongest and perturb their hyperparameters, so a member's
hyperparameters change from step to step. This example runs
:class:`~skhpo.PBTSearchCV` on ``SGDClassifier`` pipelines on the bundled
digits and shows the schedule of the best member and, with
:class:`~skhpo.plotting.ScheduleDisplay`, the whole population's.
"""

# %%
# The search
# ----------
# Eight members train for 12 steps of one ``partial_fit`` epoch each. After
# every step each member of the weakest quarter copies the models of one of
# the strongest quarter (*exploit*), then changes the copied learning rate
# ``eta0`` and penalty ``alpha`` (*explore*): it multiplies each by 0.8 or
# 1.2, or now and then draws it afresh. A quarter of the digits is kept aside.
from scipy.stats import loguniform
from sklearn.datasets import load_digits
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skhpo import PBTSearchCV

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)
search = PBTSearchCV(
    make_pipeline(
        StandardScaler(),
        SGDClassifier(learning_rate="constant", random_state=0),
    ),
    {
        "sgdclassifier__eta0": loguniform(1e-4, 1e0),
        "sgdclassifier__alpha": loguniform(1e-6, 1e-1),
    },
    population_size=8,
    n_steps=12,
    scoring="accuracy",
    cv=3,
    n_jobs=2,
    random_state=0,
).fit(X_train, y_train)

# %%
# What the search did
# -------------------
# ``mutable_`` lists the hyperparameters explore changed, ``n_exploits_`` how
# often a member copied another. The members' models travel to the worker
# processes and back with every step; ``model_transfer_`` estimates what that
# cost.
print("Hyperparameters explore changed:", search.mutable_)
print(f"Exploits: {search.n_exploits_}, time copying models {search.copy_time_:.3f} s")
moved = search.model_transfer_
print(
    f"Models moved to the workers and back {moved['n_moves']} times, "
    f"{moved['bytes'] / 1e3:.0f} KB each, about {moved['seconds']:.3f} s in all"
)

# %%
# Linear models of the digits are small: moving them costs little next to
# the training.
#
# The best schedule
# -----------------
# ``best_schedule_`` has one row per step: the hyperparameters in force and
# ``member``, the member whose model trained that step. When the line of
# the best member goes through an exploit, ``member`` switches to the member
# copied. The model refitted on all the training data replays this schedule.
import pandas as pd

print(f"Best cross-validated accuracy {search.best_score_:.4f}")
print(f"Held-out accuracy of the replayed schedule {search.score(X_test, y_test):.4f}")
with pd.option_context("display.width", 120, "display.float_format", "{:.3g}".format):
    print("\nBest schedule:")
    print(search.best_schedule_.to_string())

# %%
# The best model's line passed through several members, and its learning
# rate and penalty changed along the way: no single setting of them trained
# it from start to end.
#
# The population's schedules
# --------------------------
# :class:`~skhpo.plotting.ScheduleDisplay` draws every member's learning rate,
# penalty and cross-validated accuracy against the steps, one colour per
# member and the best member's line in red. An exploit is a dashed jump from
# the member copied to the copy, whose hyperparameters explore then
# perturbed; the replaced model's line ends in a cross.
import matplotlib.pyplot as plt

from skhpo.plotting import ScheduleDisplay

disp = ScheduleDisplay.from_search(search)
disp.figure_.suptitle("Population-based training: the members' schedules")
plt.show()

# %%
# The three members that started with a learning rate above 0.2 scored
# lowest after the first epoch and were replaced within two steps; the lines
# with a penalty above 0.004 were all replaced by step 5. From step 6 on,
# every member trains with a learning rate between 0.005 and 0.008, except
# after two explores: at step 10 one pushed a member's learning rate to about
# 0.4, its accuracy fell to 0.87 and its model was replaced at the next
# exploit; at step 11 the winner's own dropped to about 0.001 for its last
# epoch.

# %%
# The score against the epochs trained
# ------------------------------------
# :class:`~skhpo.plotting.ResourceCurveDisplay`, which draws Hyperband's
# rungs, draws a PBT search as intermediate values: each member's
# cross-validated accuracy against the epochs its model has trained, with the
# same exploits, replaced models and winning lineage.
from skhpo.plotting import ResourceCurveDisplay

curves = ResourceCurveDisplay.from_search(search)
curves.figure_.suptitle("Population-based training: accuracy per epoch")
plt.show()

# %%
# Most of the gain is in the first four epochs; after that the population
# moves within about 0.01 of accuracy, and the exploits keep it there by
# replacing the members that fall behind.
