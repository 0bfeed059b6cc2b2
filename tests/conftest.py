"""Shared pytest configuration."""


def pytest_configure(config):
    # markers used by scikit-learn's test files, run by test_sklearn_conformance.py
    config.addinivalue_line(
        "markers", "thread_unsafe: scikit-learn test not run in parallel threads"
    )
