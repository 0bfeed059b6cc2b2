"""Record golden summaries: ``python -m tests.golden.record NAME ... | --all``."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from .configs import CONFIGS, run

PATH = Path(__file__).with_name("cv_results.json")


def load():
    """The recorded summaries, by configuration name."""
    return json.loads(PATH.read_text()) if PATH.exists() else {}


def main(argv):
    names = list(CONFIGS) if argv == ["--all"] else argv
    unknown = [n for n in names if n not in CONFIGS]
    if not names or unknown:
        sys.exit(f"usage: python -m tests.golden.record NAME ... | --all ({unknown})")
    recorded = load()
    for name in names:
        print(f"recording {name}", flush=True)
        recorded[name] = run(name)
    PATH.write_text(json.dumps(dict(sorted(recorded.items())), indent=1) + "\n")


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    main(sys.argv[1:])
