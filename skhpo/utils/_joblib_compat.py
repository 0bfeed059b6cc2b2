"""The joblib internals skhpo relies on, imported in one place.

The engine drives the active joblib backend itself (see
:mod:`skhpo._engine._workers`): it configures it through a managed
``joblib.Parallel`` (the public ``with Parallel(...) as parallel`` form) and
then submits tasks through the backend API that joblib's own ``Parallel`` uses
and that custom backends implement (``submit``, ``retrieve_result_callback``,
``abort_everything``). It also writes shared data where joblib would, and
registers it with the resource tracker that removes joblib's own files when a
process dies. Should one of these move between joblib releases, this is the
only file to change.
"""

import queue

from joblib._memmapping_reducer import _get_temp_dir
from joblib._parallel_backends import SequentialBackend
from joblib.externals.loky.backend import resource_tracker

__all__ = [
    "SequentialBackend",
    "backend_of",
    "dask_futures",
    "drop_queued",
    "backend_settings",
    "get_temp_dir",
    "resource_tracker",
]


def backend_of(parallel):
    """The configured backend instance of an entered ``Parallel``."""
    return parallel._backend


def backend_settings(parallel):
    """joblib's settings in force for ``parallel``: ``max_nbytes``,
    ``mmap_mode``, ``temp_folder`` (from ``parallel_config`` or arguments)."""
    return parallel._backend_kwargs


def get_temp_dir(name, temp_folder=None):
    """``(folder, in_shared_memory)``: where joblib would write a pool's
    memory-mapped data: ``temp_folder``, else ``JOBLIB_TEMP_FOLDER``, else
    ``/dev/shm`` when it has 2 GB free, else the system's temporary folder."""
    return _get_temp_dir(name, temp_folder)


def dask_futures(backend):
    """The dask futures of the tasks a joblib dask backend has submitted."""
    return list(getattr(backend, "_results", {}))


def drop_queued(backend):
    """Take back the tasks a loky executor holds that no worker has started,
    before it is shut down with its workers killed: loky forgets them but
    leaves their numbers in its queue, and its manager thread then fails on
    them with a ``KeyError`` traceback (``add_call_item_to_queue``)."""
    work_ids = getattr(getattr(backend, "_workers", None), "_work_ids", None)
    if work_ids is None:
        return
    while True:
        try:
            work_ids.get_nowait()
        except queue.Empty:
            return
