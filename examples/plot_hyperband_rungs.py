"""Hyperband with partial_fit: learning curves of the rungs.

An ``SGDClassifier`` pipeline on the digits is tuned by ``HyperbandSearchCV``
with ``resource="partial_fit"``: each rung trains its survivors for more epochs,
continuing their models instead of starting over. The plan is printed before
``fit``, the budget used after it, and :class:`~skhpo.plotting.ResourceCurveDisplay`
draws every candidate's cross-validated accuracy against the epochs it reached,
one panel per bracket, so the halving can be seen: many short curves at the
left, ending in a cross where a candidate was stopped, a few long ones reaching
the right, the winner in red.

Needs matplotlib (``pip install "skhpo[plot]"``); the figure is written to
``hyperband_rungs.png``.
"""

from sklearn.datasets import load_digits
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skhpo import HyperbandSearchCV
from skhpo.plotting import ResourceCurveDisplay
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
        scoring="accuracy",
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

    disp = ResourceCurveDisplay.from_search(search)
    disp.figure_.suptitle("Hyperband with partial_fit: each candidate's rungs")
    disp.figure_.savefig("hyperband_rungs.png", dpi=100)
    if show:
        plt.show()
    return search


if __name__ == "__main__":
    main()
