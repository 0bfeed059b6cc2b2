"""Golden ``cv_results_``: what every search gave for fixed seeds, recorded.

``configs.py`` holds the configurations; ``cv_results.json`` what they gave
when recorded. ``tests/test_golden.py`` runs them again and compares. To
re-record configurations after a deliberate change of results (name them, and
say why in the commit)::

    python -m tests.golden.record NAME [NAME ...]

``python -m tests.golden.record --all`` records every configuration.
"""
