"""The examples run as scripts, as a user or the gallery runs them (each under
30 s on 2 cores), print what they say and draw their figures."""

import os
import runpy

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")


@pytest.fixture
def run_example(tmp_path, monkeypatch, capsys):
    """Run an example as ``python examples/<name>`` would, in an empty working
    directory; return what it printed and its open figures."""
    monkeypatch.chdir(tmp_path)
    # a subprocess of an example (python -m skhpo) imports this skhpo too
    path = os.environ.get("PYTHONPATH")
    monkeypatch.setenv("PYTHONPATH", ROOT + (os.pathsep + path if path else ""))
    plt = None

    def run(name):
        nonlocal plt
        if name.startswith("plot_"):
            matplotlib = pytest.importorskip("matplotlib")
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt

            plt.close("all")
        runpy.run_path(os.path.join(EXAMPLES, name), run_name="__main__")
        figures = [] if plt is None else [plt.figure(n) for n in plt.get_fignums()]
        return capsys.readouterr().out, figures

    yield run
    if plt is not None:
        plt.close("all")
    assert not os.listdir(tmp_path), "an example left files behind"


def titles(figure):
    """Every title, label and suptitle of a figure, in one string."""
    suptitle = figure._suptitle  # Figure.get_suptitle: matplotlib 3.8 and later
    texts = [] if suptitle is None else [suptitle.get_text()]
    for ax in figure.axes:
        texts += [ax.get_title(loc=loc) for loc in ("left", "center", "right")]
        texts += [ax.get_xlabel(), ax.get_ylabel()]
    return " | ".join(t for t in texts if t)


def test_every_example_is_listed():
    scripts = {f for f in os.listdir(EXAMPLES) if f.endswith(".py")}
    assert scripts == {name for name, *_ in CASES}


# name, what it prints, what its figures say (one entry per figure)
CASES = [
    (
        "quickstart.py",
        ["Best cross-validated ROC AUC", "Which hyperparameters mattered"],
        [],
    ),
    (
        "resume_search.py",
        [
            "evaluations in",
            "no process runs it",
            "the same cv_results_ as an uninterrupted search: True",
        ],
        [],
    ),
    (
        "plot_nested_cv.py",
        ["Stability of the chosen hyperparameters", "optimism: +"],
        ["inner best_score_ (accuracy) | outer test accuracy"],
    ),
    (
        "plot_importance.py",
        ["Importance: functional ANOVA", "Best against the runners-up"],
        [
            "share of the variance of roc_auc",
            "learning_rate | l2_regularization",
            "roc_auc",
            "learning_rate | roc_auc",
        ],
    ),
    (
        "plot_search_anatomy.py",
        ["the workers were busy", "The surface is drawn over"],
        [
            "2 workers, busy",
            "seconds since the search started (candidate's end) | accuracy",
            "surrogate's mean, others averaged",
            "one line per candidate",
            "classifier__C | accuracy",
        ],
    ),
    (
        "plot_hyperband_rungs.py",
        ["units_planned", "held-out accuracy"],
        ["bracket 0: 27 candidates | n_resources (partial_fit epochs) | accuracy"],
    ),
    (
        "plot_pbt_schedules.py",
        ["Exploits:", "Best schedule:"],
        ["the members' schedules", "accuracy per epoch"],
    ),
    (
        "plot_pareto_front.py",
        ["Pareto front (fastest first):", "chosen (knee)"],
        ["Candidates in the plane of two objectives"],
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize("name, printed, figures", CASES)
def test_example_runs(name, printed, figures, run_example):
    out, drawn = run_example(name)
    for text in printed:
        assert text in out
    assert len(drawn) == len(figures)
    for figure, text in zip(drawn, figures):
        assert text in titles(figure)
