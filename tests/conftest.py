"""Shared pytest configuration and fixtures."""

import pytest


def pytest_configure(config):
    # markers used by scikit-learn's test files, run by test_sklearn_conformance.py
    config.addinivalue_line(
        "markers", "thread_unsafe: scikit-learn test not run in parallel threads"
    )


@pytest.fixture(scope="module")
def dask_client():
    """A client of a real dask cluster of two worker processes on 127.0.0.1."""
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client
