"""Anatomy of a search: when, where and what a Bayesian search evaluated.

A ``BayesSearchCV`` tunes a scaler, PCA and SVM pipeline on the bundled
digits with two workers. Its ``cv_results_`` say, besides the scores, when
and on which worker each fold ran, so the displays can show the search from
three sides:

- how it ran: :class:`~skhpo.plotting.TimelineDisplay` draws every fit as a
  bar on its worker's row (failed and timed-out fits marked) and reports how
  busy the workers were; :class:`~skhpo.plotting.HistoryDisplay` draws the
  scores as they came in, against the same clock, with the best so far;
- what it learnt: :class:`~skhpo.plotting.ContourDisplay` draws the
  surrogate's mean score over the two most important hyperparameters (the
  others averaged, as the importance report does), the candidates on top;
- where it looked: :class:`~skhpo.plotting.ParallelCoordinatesDisplay` draws
  one line per candidate across its hyperparameters and score, and
  :class:`~skhpo.plotting.SliceDisplay` the raw score against each
  hyperparameter, coloured by when the candidate was evaluated: the early,
  space-filling candidates are spread out, the later ones gather where the
  model expects the best scores.

The first four go into ``search_anatomy.png``, the slices into
``search_slices.png``. Needs matplotlib (``pip install "skhpo[plot]"``).
"""

from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skhpo import BayesSearchCV
from skhpo.plotting import (
    ContourDisplay,
    HistoryDisplay,
    ParallelCoordinatesDisplay,
    SliceDisplay,
    TimelineDisplay,
    search_timeline,
)
from skhpo.space import Categorical, Integer, Real


def main(show=False):
    import matplotlib

    if not show:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

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
    ).fit(X, y)
    print(f"Best accuracy {search.best_score_:.4f} with {search.best_params_}")

    timeline = search_timeline(search)
    print(
        f"{len(timeline)} fits on {len(timeline.attrs['workers'])} workers in "
        f"{timeline.attrs['span']:.1f} s; the workers were busy "
        f"{timeline.attrs['utilisation']:.0%} of the time"
    )
    print(timeline["status"].value_counts().to_string())

    fig = plt.figure(figsize=(15, 10), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[0.8, 1])
    ax_timeline, ax_history = top.subplots(1, 2, width_ratios=[1.3, 1])
    TimelineDisplay.from_search(search, ax=ax_timeline)
    HistoryDisplay.from_search(search, ax=ax_history)
    ax_contour, ax_parallel = bottom.subplots(1, 2, width_ratios=[1, 1.4])
    contour = ContourDisplay.from_search(search, ax=ax_contour)
    ParallelCoordinatesDisplay.from_search(search, ax=ax_parallel)
    fig.savefig("search_anatomy.png", dpi=80)
    print(
        "The surrogate's surface is drawn over "
        f"{contour.contour.params[0]} and {contour.contour.params[1]}"
    )

    slices = SliceDisplay.from_search(search)
    slices.figure_.savefig("search_slices.png", dpi=80)
    if show:
        plt.show()
    return search


if __name__ == "__main__":
    main()
