"""Every Python block of README.md runs as written, each on its own."""

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"^```python\n(.*?)^```", README.read_text(), re.M | re.S)


def test_the_readme_has_its_examples():
    assert len(BLOCKS) >= 8


@pytest.mark.slow
@pytest.mark.parametrize(
    "code", BLOCKS, ids=[f"block{i + 1}" for i in range(len(BLOCKS))]
)
def test_readme_block_runs_as_written(code, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # a journal a block writes lands here
    namespace = {"__name__": "__readme__"}
    exec(compile(code, "<a block of README.md>", "exec"), namespace)
    # each block fits what it shows
    fitted = [
        value
        for value in namespace.values()
        if hasattr(value, "cv_results_") or hasattr(value, "mean_score_")
    ]
    assert fitted
