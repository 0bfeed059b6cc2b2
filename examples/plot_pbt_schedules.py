"""Population-based training: the schedules a population finds.

``PBTSearchCV`` trains a population of ``SGDClassifier`` pipelines on the
digits, one ``partial_fit`` epoch per step. After every step the weakest
quarter copies the models of the strongest and perturbs their learning rate
(``eta0``) and regularisation (``alpha``): the members' hyperparameters
change *during* training. :class:`~skhpo.plotting.ScheduleDisplay` draws
(``pbt_schedules.png``) every member's learning rate, regularisation and
cross-validated accuracy against the steps, one colour per member, the best
member's lineage in red: an exploit is a dashed jump from the member copied to
the copy, whose hyperparameters explore then perturbed, and the replaced
model's line ends in a cross.

Needs matplotlib (``pip install "skhpo[plot]"``).
"""

import pandas as pd
from scipy.stats import loguniform
from sklearn.datasets import load_digits
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skhpo import PBTSearchCV
from skhpo.plotting import ScheduleDisplay


def main(show=False):
    import matplotlib

    if not show:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

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
    )
    search.fit(X_train, y_train)

    print("Hyperparameters explore changed:", search.mutable_)
    print(
        f"Exploits: {search.n_exploits_}, time copying models {search.copy_time_:.3f} s"
    )
    moved = search.model_transfer_
    print(
        f"Models moved to the workers and back {moved['n_moves']} times, "
        f"{moved['bytes'] / 1e3:.0f} KB each, about {moved['seconds']:.3f} s in all"
    )
    print(f"Best cross-validated accuracy {search.best_score_:.4f}")
    print(
        f"Held-out accuracy of the replayed schedule {search.score(X_test, y_test):.4f}"
    )
    with pd.option_context(
        "display.width", 120, "display.float_format", "{:.3g}".format
    ):
        print("\nBest schedule:")
        print(search.best_schedule_.to_string())

    disp = ScheduleDisplay.from_search(search)
    disp.figure_.suptitle("Population-based training: the members' schedules")
    disp.figure_.savefig("pbt_schedules.png", dpi=90)
    if show:
        plt.show()
    return search


if __name__ == "__main__":
    main()
