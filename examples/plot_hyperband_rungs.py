"""Hyperband with partial_fit: learning curves of the rungs.

An ``SGDClassifier`` pipeline on the digits is tuned by ``HyperbandSearchCV``
with ``resource="partial_fit"``: each rung trains its survivors for more epochs,
continuing their models instead of starting over. The plan is printed before
``fit``, the budget used after it, and every candidate's cross-validated score
is drawn against the epochs it reached, one panel per bracket, so the halving
can be seen: many short curves at the left, a few long ones reaching the right.

Needs matplotlib (``pip install "skhpo[plot]"``); the figure is written to
``hyperband_rungs.png``.
"""

import pandas as pd
from sklearn.datasets import load_digits
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skhpo import HyperbandSearchCV
from skhpo.space import Real


def main(show=False):
    import matplotlib

    if not show:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

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
        cv=3,
        n_jobs=2,
        random_state=0,
    )
    print("Planned schedule:")
    print(search.plan().to_string(index=False))
    search.fit(X_train, y_train)
    print("\nPlanned against used:")
    print(search.budget_.to_string(index=False))
    print(f"\nbest parameters: {search.best_params_}")
    epochs = search.max_resources_
    print(f"best CV accuracy {search.best_score_:.4f} after {epochs} epochs")
    print(f"held-out accuracy {search.score(X_test, y_test):.4f}")

    results = pd.DataFrame(search.cv_results_)
    brackets = sorted(results["bracket"].unique())
    fig, axes = plt.subplots(
        1, len(brackets), figsize=(3.2 * len(brackets), 3.2), sharex=True, sharey=True
    )
    for ax, bracket in zip(axes, brackets):
        rows = results[results["bracket"] == bracket]
        for _, curve in rows.groupby("candidate"):
            ax.plot(
                curve["n_resources"],
                curve["mean_test_score"],
                marker="o",
                alpha=0.7,
                lw=1,
                ms=3,
            )
        ax.set_xscale("log", base=3)
        ax.set_title(f"bracket {bracket}: {rows['candidate'].nunique()} candidates")
        ax.set_xlabel("epochs (partial_fit passes)")
    axes[0].set_ylabel("mean CV accuracy")
    axes[0].set_ylim(max(0.0, results["mean_test_score"].min() - 0.02), 1.0)
    fig.tight_layout()
    fig.savefig("hyperband_rungs.png", dpi=100)
    if show:
        plt.show()
    return search


if __name__ == "__main__":
    main()
