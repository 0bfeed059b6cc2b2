"""The examples run, as a user would run them (each under 30 s on 2 cores)."""

import importlib.util
import os

import pytest

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(__file__)), "examples")


def load(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(EXAMPLES, name))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.parametrize(
    "name, picture",
    [
        ("quickstart.py", None),
        ("plot_nested_cv.py", "nested_cv.png"),
        ("plot_importance.py", "importance.png"),
        ("plot_search_anatomy.py", "search_anatomy.png"),
        ("plot_hyperband_rungs.py", "hyperband_rungs.png"),
        ("plot_pbt_schedules.py", "pbt_schedules.png"),
        ("plot_pareto_front.py", "pareto_front.png"),
        ("resume_search.py", None),
    ],
)
def test_example_runs(name, picture, tmp_path, monkeypatch, capsys):
    if picture is not None:
        pytest.importorskip("matplotlib")
    monkeypatch.chdir(tmp_path)
    load(name).main()
    out = capsys.readouterr().out
    assert out.strip()
    if picture is not None:
        assert (tmp_path / picture).stat().st_size > 10_000
    if name == "plot_search_anatomy.py":
        assert "the workers were busy" in out
        assert (tmp_path / "search_slices.png").stat().st_size > 10_000
    if name == "quickstart.py":
        assert "Which hyperparameters mattered" in out
    if name == "resume_search.py":
        assert "the same cv_results_ as an uninterrupted search: True" in out
