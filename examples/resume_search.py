"""
=========================================================
Stop a search, look at it, and resume it where it stopped
=========================================================

With ``storage``, a search writes every evaluation to an SQLite file as it
finishes. This example stops a :class:`~skhpo.HyperbandSearchCV` after one
second, looks at what it had done with ``python -m skhpo show`` and
:func:`skhpo.load_results`, then calls ``fit`` again to resume it. You will
see that the resumed search trains only what was left and ends with the
results an uninterrupted search gives.
"""

# %%
# The search
# ----------
# A gradient-boosting classifier is tuned on the bundled breast cancer data,
# the number of boosting iterations (``max_iter``) being Hyperband's
# resource: a promoted candidate is grown by a warm start from 10 up to 270
# iterations. The function builds the same search each time it is called,
# with the storage and the other arguments given.
import os
import tempfile

from scipy.stats import loguniform
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import HistGradientBoostingClassifier

from skhpo import HyperbandSearchCV

X, y = load_breast_cancer(return_X_y=True)


def make_search(storage, **kwargs):
    return HyperbandSearchCV(
        HistGradientBoostingClassifier(early_stopping=False, random_state=0),
        {
            "learning_rate": loguniform(1e-2, 1e0),
            "max_leaf_nodes": [7, 15, 31, 63],
            "l2_regularization": loguniform(1e-4, 1e1),
        },
        resource="max_iter",
        min_resources=10,
        max_resources=270,
        cv=3,
        random_state=0,
        storage=storage,
        **kwargs,
    )


folder = tempfile.mkdtemp()
storage = os.path.join(folder, "hgb.sqlite")

# %%
# A search stopped after one second
# ---------------------------------
# ``max_time=1`` stops the search: nothing new starts after one second, and
# it ends as a fitted search of what had finished, with a warning. A Ctrl-C,
# a killed process or a batch job's time limit would stop it the same way,
# less politely, and the storage would hold the same.
import time
import warnings

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    started = time.time()
    stopped = make_search(storage, max_time=1).fit(X, y)
    seconds = time.time() - started
for w in caught:
    if "max_time" in str(w.message):
        print(w.message)
print(
    f"{len(stopped.cv_results_['params'])} evaluations in {seconds:.1f} s; "
    f"best so far {stopped.best_score_:.4f}"
)

# %%
# How many evaluations finished depends on the speed of the machine.
#
# What the storage holds
# ----------------------
# ``python -m skhpo show`` prints a search's progress from its storage, also
# from another terminal while the search runs. Here it runs as that command,
# in the folder of the storage file.
import subprocess
import sys

shown = subprocess.run(
    [sys.executable, "-m", "skhpo", "show", "hgb.sqlite", "--top", "5"],
    cwd=folder,
    capture_output=True,
    text=True,
    check=True,
    timeout=120,
)
print(shown.stdout)

# %%
# No process holds the storage any more. ``unfinished`` counts the
# evaluations the search had asked for but not finished. The table ranks the
# finished evaluations by their mean score alone, at whatever number of
# iterations they reached; the search itself ranks the largest number of
# iterations first (that is where Hyperband compares its candidates), so its
# ``best_score_`` above can belong to another candidate than the first row.
#
# :func:`skhpo.load_results` reads the same evaluations as a DataFrame, with
# the columns of ``cv_results_``:
from skhpo import load_results

frame = load_results(storage)
print(
    f"{len(frame)} rows, e.g. columns {list(frame.columns[:4])} ... "
    f"{list(frame.columns[-3:])}"
)

# %%
# Resume
# ------
# ``fit`` of the same search with the same storage resumes: it reads the
# finished evaluations back, and the models it was growing, and trains only
# what is left. Only ``n_jobs`` differs: two workers now share the work, which
# changes how fast the search runs, not what it computes.
started = time.time()
resumed = make_search(storage, n_jobs=2).fit(X, y)
n_rows = len(resumed.cv_results_["params"])
print(
    f"{n_rows} evaluations, {n_rows - len(frame)} of them new, in "
    f"{time.time() - started:.1f} s; best {resumed.best_score_:.4f} with "
    f"{resumed.best_params_}"
)

# %%
# The same search without storage, never stopped, evaluates the same
# candidates in the same order and gets the same scores:
import numpy as np

reference = make_search(None, n_jobs=2).fit(X, y)
same = resumed.cv_results_["params"] == reference.cv_results_["params"] and all(
    np.allclose(resumed.cv_results_[key], reference.cv_results_[key])
    for key in ["n_resources", "mean_test_score", "std_test_score"]
)
print(f"the same cv_results_ as an uninterrupted search: {same}")

# %%
# The storage file is a plain file; here it is removed with its folder.
import shutil

shutil.rmtree(folder)
