"""The joblib internals skhpo relies on, imported in one place.

The engine drives the active joblib backend itself (see
:mod:`skhpo._engine._workers`): it configures it through a managed
``joblib.Parallel`` (the public ``with Parallel(...) as parallel`` form) and
then submits tasks through the backend API that joblib's own ``Parallel`` uses
and that custom backends implement (``submit`` or ``apply_async``,
``retrieve_result_callback``, ``abort_everything``). It also writes shared
data where joblib would, and registers it with the resource tracker that
removes joblib's own files when a process dies. Should one of these move
between joblib releases, this is the only file to change.

Every joblib from 1.3 on is supported; what changed in between:

- joblib 1.5 renamed ``Parallel._backend_args`` to ``_backend_kwargs``;
- joblib 1.5 added ``backend.submit``, before which backends had only
  ``apply_async`` (same arguments, same future-like return);
- joblib 1.4 wrapped dask's tasks so that ``retrieve_result_callback`` gives
  their outcome; joblib 1.3's dask backend has no such method
  (``supports_retrieve_callback`` is false) and calls back with the task's
  output itself on success, and with dask's ``CancelledError`` in place of
  the output for a task dask cancelled (not at all for one that raised).
"""

import queue

try:  # joblib >= 1.5 depends on cloudpickle; before, it carried its own
    import cloudpickle
except ImportError:  # pragma: no cover - joblib < 1.5 without cloudpickle
    from joblib.externals import cloudpickle
from joblib._memmapping_reducer import _get_temp_dir
from joblib._parallel_backends import SequentialBackend
from joblib.externals.loky.backend import resource_tracker

__all__ = [
    "SequentialBackend",
    "backend_of",
    "dask_futures",
    "drop_queued",
    "backend_settings",
    "cloudpickle",
    "get_temp_dir",
    "resource_tracker",
    "retrieve_result",
    "submit",
]


def backend_of(parallel):
    """The configured backend instance of an entered ``Parallel``."""
    return parallel._backend


def backend_settings(parallel):
    """joblib's settings in force for ``parallel``: ``max_nbytes``,
    ``mmap_mode``, ``temp_folder`` (from ``parallel_config`` or arguments)."""
    settings = getattr(parallel, "_backend_kwargs", None)  # joblib >= 1.5
    if settings is None:
        settings = parallel._backend_args
    return settings


def submit(backend, func, callback):
    """Start ``func()`` on ``backend``; ``callback`` is called when it ends.

    Returns the backend's future-like object."""
    if hasattr(backend, "submit"):  # joblib >= 1.5
        return backend.submit(func, callback=callback)
    return backend.apply_async(func, callback=callback)


def retrieve_result(backend, out):
    """The output of a task, from what ``backend`` gave its completion
    callback: raises the task's exception if it failed."""
    if backend.supports_retrieve_callback:
        return backend.retrieve_result_callback(out)
    # joblib 1.3's dask backend: the output itself, or, for a task that dask
    # cancelled (its data lost with a worker), the CancelledError as output;
    # newer versions raise it here, and so does this
    if isinstance(out, BaseException):
        raise out
    return out


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
