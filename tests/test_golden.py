"""Every search gives the ``cv_results_`` recorded for fixed seeds.

The records (``tests/golden/cv_results.json``) were made before the engine was
redesigned; a change of results must be deliberate: re-record the named
configurations (``python -m tests.golden.record NAME``) and say why.
"""

import math

import pytest

from tests.golden.configs import CONFIGS, run
from tests.golden.record import load

RECORDED = load()


def _same(a, b, where):
    if isinstance(a, float) and isinstance(b, float):
        assert math.isclose(a, b, rel_tol=1e-7, abs_tol=1e-12), where
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), where
        for i, (u, v) in enumerate(zip(a, b)):
            _same(u, v, f"{where}[{i}]")
    elif isinstance(a, dict) and isinstance(b, dict):
        assert sorted(a) == sorted(b), where
        for key in a:
            _same(a[key], b[key], f"{where}.{key}")
    else:
        assert a == b, where


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_cv_results_as_recorded(name):
    assert name in RECORDED, f"{name} was never recorded"
    _same(run(name), RECORDED[name], name)


# The promise holds on every backend: Bayes, synchronous Hyperband and
# synchronous PBT give the recorded cv_results_ with two workers of any kind.
ACROSS_BACKENDS = [
    "bayes_svc_jobs2",
    "hyperband_n_samples_jobs2",
    "hyperband_partial_fit_jobs2",
    "pbt_partial_fit_jobs2",
]


@pytest.mark.parametrize("backend", ["threading", "multiprocessing", "dask"])
@pytest.mark.parametrize("name", ACROSS_BACKENDS)
def test_the_same_results_on_every_backend(name, backend, request):
    from joblib import parallel_config

    if backend == "dask":
        request.getfixturevalue("dask_client")
    with parallel_config(backend=backend):
        _same(run(name), RECORDED[name], f"{name} on {backend}")
