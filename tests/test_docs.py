"""The documentation site lists every public object (docs/api.rst) and every
example (the gallery runs each one)."""

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
API = (ROOT / "docs" / "api.rst").read_text()
MODULES = [
    "skhpo",
    "skhpo.space",
    "skhpo.importance",
    "skhpo.plotting",
    "skhpo.storage",
]


def _documented():
    """``module.name`` of every entry of the API page's autosummary tables and
    ``.. data::`` directives, by the ``currentmodule`` they follow."""
    documented, module, in_table = set(), None, False
    for line in API.splitlines():
        if match := re.match(r"\.\. currentmodule:: (\S+)", line):
            module = match.group(1)
        elif match := re.match(r"\.\. data:: (\S+)", line):
            documented.add(f"{module}.{match.group(1)}")
        elif line.startswith(".. autosummary::"):
            in_table = True
        elif in_table and re.match(r"   [A-Za-z_]\w*$", line):
            documented.add(f"{module}.{line.strip()}")
        elif in_table and line and not line.startswith(" "):
            in_table = False
    return documented


@pytest.mark.parametrize("module_name", MODULES)
def test_every_public_object_has_its_api_page(module_name):
    module = importlib.import_module(module_name)
    documented = _documented()
    for name in module.__all__:
        if name.startswith("__"):
            continue
        obj = getattr(module, name)
        # an object exported in two places is documented in one of them
        homes = {
            f"{m}.{name}"
            for m in MODULES
            if getattr(importlib.import_module(m), name, None) is obj
        }
        assert homes & documented, f"{module_name}.{name} is not in docs/api.rst"


def test_the_gallery_runs_every_example():
    conf = (ROOT / "docs" / "conf.py").read_text()
    pattern = re.search(r'"filename_pattern": r"(.+?)"', conf).group(1)
    examples = sorted((ROOT / "examples").glob("*.py"))
    assert examples
    for path in examples:
        assert re.search(pattern, f"/{path.name}"), path.name
