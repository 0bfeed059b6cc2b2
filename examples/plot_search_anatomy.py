"""
=================================================================
Anatomy of a search: when, where and what a Bayesian search tried
=================================================================

Besides the scores, the ``cv_results_`` of skhpo's searches record when and on
which worker each fold ran. This example tunes a scaler, PCA and SVM
pipeline on the bundled digits with :class:`~skhpo.BayesSearchCV` on two
workers, then looks at the search from three sides with the displays of
:mod:`skhpo.plotting`:

- how it ran: :class:`~skhpo.plotting.TimelineDisplay` and
  :class:`~skhpo.plotting.HistoryDisplay`;
- what it learnt: :class:`~skhpo.plotting.ContourDisplay`;
- where it looked: :class:`~skhpo.plotting.ParallelCoordinatesDisplay` and
  :class:`~skhpo.plotting.SliceDisplay`.
"""

# %%
# The search
# ----------
# Four hyperparameters: the number of PCA components, the SVM's ``C`` and
# ``gamma`` on a log scale, and its kernel. The first 10 of the 30 candidates
# fill the space; the Gaussian-process model proposes the other 20. Two
# workers fit the folds.
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skhpo import BayesSearchCV
from skhpo.space import Categorical, Integer, Real

X, y = load_digits(return_X_y=True)
pipe = Pipeline(
    [
        ("scale", StandardScaler()),
        ("reduce", PCA(random_state=0)),
        ("classifier", SVC()),
    ]
)
space = {
    "reduce__n_components": Integer(2, 40),
    "classifier__C": Real(1e-2, 1e3, prior="log-uniform"),
    "classifier__gamma": Real(1e-4, 1e0, prior="log-uniform"),
    "classifier__kernel": Categorical(["rbf", "sigmoid"]),
}
search = BayesSearchCV(
    pipe,
    space,
    n_iter=30,
    n_initial_points=10,
    cv=3,
    scoring="accuracy",
    n_jobs=2,
    random_state=0,
)
search.fit(X, y)
print(f"Best accuracy {search.best_score_:.4f} with {search.best_params_}")

# %%
# How it ran
# ----------
# :func:`~skhpo.plotting.search_timeline` is the data behind the timeline: one
# row per fit, with its worker, its start and end, and its status; its
# ``attrs`` hold how busy the workers were.
from skhpo.plotting import search_timeline

timeline = search_timeline(search)
print(
    f"{len(timeline)} fits on {len(timeline.attrs['workers'])} workers in "
    f"{timeline.attrs['span']:.1f} s; the workers were busy "
    f"{timeline.attrs['utilisation']:.0%} of the time"
)
print(timeline["status"].value_counts().to_string())

# %%
# Every fit succeeded. How busy the workers were depends on the machine and
# on what else runs on it.
#
# :class:`~skhpo.plotting.TimelineDisplay` draws every fit as a bar on its
# worker's row (failed and timed-out fits would be marked). In the first
# parallel search of a Python session the bars begin only once the worker
# processes have started; joblib then reuses them for the next searches. A
# gap between bars is a worker with no fold to run: a proposal of the model
# needs the scores of the candidates before it, so the workers can wait for
# the next candidate.
import matplotlib.pyplot as plt

from skhpo.plotting import (
    ContourDisplay,
    HistoryDisplay,
    ParallelCoordinatesDisplay,
    SliceDisplay,
    TimelineDisplay,
)

timeline_display = TimelineDisplay.from_search(search)

# %%
# :class:`~skhpo.plotting.HistoryDisplay` draws the candidates' scores as
# they came in, against the same clock, with the best so far.
history = HistoryDisplay.from_search(search)

# %%
# What it learnt
# --------------
# :class:`~skhpo.plotting.ContourDisplay` fits a surrogate (here, with fewer
# than 50 candidates, a forest) to the candidates' scores and draws its mean
# score over the two most important hyperparameters, the others averaged, as
# the importance report does; the evaluated candidates are drawn on top.
contour = ContourDisplay.from_search(search)
print("The surface is drawn over {} and {}".format(*contour.contour.params))

# %%
# Where it looked
# ---------------
# :class:`~skhpo.plotting.ParallelCoordinatesDisplay` draws one line per
# candidate across its hyperparameters and its score.
parallel = ParallelCoordinatesDisplay.from_search(search)

# %%
# :class:`~skhpo.plotting.SliceDisplay` draws the raw score against each
# hyperparameter, coloured by when the candidate was evaluated.
slices = SliceDisplay.from_search(search)
plt.show()

# %%
# The first, space-filling candidates (the dark points) are spread over the
# ranges. The model's proposals probe some edges (``C`` at 1000, ``gamma`` at
# 1), and four of the last five candidates gather next to the best: the
# ``rbf`` kernel, 40 components, ``C`` from about 14 to 21 and ``gamma`` from
# about 0.011 to 0.018. The best number of components is the top of its
# range: more might score better, and a next search should widen that range.
