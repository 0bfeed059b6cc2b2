"""The oldest versions skhpo declares, as exact pins: one ``name==version`` a
line, for the dependencies and the extras named as arguments (``tests`` by
default). With ``--python``, the oldest Python instead (``requires-python``).

Every lower bound in ``pyproject.toml`` is written ``name>=version`` so that it
can be installed and tested as it is; anything else is refused here.
"""

import re
import sys
from pathlib import Path

import tomllib

#: a lower bound as pyproject.toml writes it
BOUND = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]*)>=([0-9][0-9.]*)")
PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def main(args):
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    if args[:1] == ["--python"]:
        match = re.fullmatch(r">=\s*(\d+\.\d+)", project["requires-python"])
        print(match.group(1))
        return
    extras = args or ["tests"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    pins = {}
    for requirement in requirements:
        match = re.fullmatch(
            r"([A-Za-z0-9][A-Za-z0-9._-]*)>=([0-9][0-9.]*)", requirement
        )
        if match is None:
            sys.exit(f"{requirement!r}: declare a lower bound as 'name>=version'")
        name, version = match.groups()
        if pins.setdefault(name.lower(), version) != version:
            sys.exit(f"{name}: two lower bounds, {pins[name.lower()]} and {version}")
    for name, version in pins.items():
        print(f"{name}=={version}")


if __name__ == "__main__":
    main(sys.argv[1:])
