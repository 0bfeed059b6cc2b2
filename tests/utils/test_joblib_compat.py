"""The joblib internals skhpo reaches, on the joblib installed and on the
shapes older releases give them (the CI's minimum-versions run installs the
oldest joblib skhpo supports)."""

import queue

import pytest
from joblib import Parallel, parallel_config

from skhpo.utils._joblib_compat import (
    backend_of,
    backend_settings,
    retrieve_result,
    submit,
)


class _Task:
    """What a backend runs (joblib's batches are callables of no argument)."""

    def __call__(self):
        return [42]


def test_backend_settings_are_those_in_force():
    with parallel_config(max_nbytes="2M", mmap_mode="r+"):
        settings = backend_settings(Parallel(n_jobs=2))
    assert settings["max_nbytes"] == 2 * 1024**2
    assert settings["mmap_mode"] == "r+"


def test_backend_settings_before_joblib_1_5():
    class Old:  # joblib < 1.5 names them _backend_args
        _backend_args = {"max_nbytes": 1}

    assert backend_settings(Old()) == {"max_nbytes": 1}


class _OldBackend:
    """A backend as joblib < 1.5 has them: apply_async, no submit; joblib
    1.3's dask backend calls back with the output and has no
    retrieve_result_callback."""

    supports_retrieve_callback = False

    def apply_async(self, func, callback=None):
        out = func()
        callback(out)
        return out


def test_submit_and_retrieve_on_a_backend_of_joblib_before_1_5():
    outs = []
    future = submit(_OldBackend(), lambda: 42, outs.append)
    assert future == 42
    assert [retrieve_result(_OldBackend(), out) for out in outs] == [42]


@pytest.mark.parametrize("backend", ["threading", "loky"])
def test_submit_and_retrieve_on_the_installed_joblib(backend):
    outs = queue.SimpleQueue()
    with Parallel(n_jobs=2, backend=backend) as parallel:
        backend = backend_of(parallel)
        submit(backend, _Task(), outs.put)
        assert retrieve_result(backend, outs.get(timeout=60)) == [42]
