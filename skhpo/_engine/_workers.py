"""Workers: where the engine's tasks run, on any joblib backend.

The engine keeps a fixed number of tasks in flight and starts one the moment
another finishes, whatever the backend. joblib's ``Parallel`` call cannot do
that: its input is an iterator that joblib pulls from its own callback threads,
which must never block waiting for a decision that depends on a result. So
the engine drives the active backend itself, through the API every joblib
backend implements for ``Parallel`` (loky, threading, multiprocessing, dask,
Ray's, and any registered with ``register_parallel_backend``):

- the backend is configured once per search by a managed ``Parallel``
  (``with Parallel(n_jobs) as parallel``), which keeps loky's reusable
  processes, its memory-mapping of large arguments and its thread limits,
  and honours ``parallel_config``;
- each task is one ``backend.submit(...)`` (``apply_async`` before joblib
  1.5); the backend's completion callback puts the outcome on a queue that
  the engine's one loop reads;
- on an exception, an interrupt or the end of the search, what is queued is
  dropped and the backend aborts what runs (loky kills its processes, so no
  fit of the search outlives it; threads cannot be killed and finish on their
  own; dask cancels its tasks);
- a worker process that dies (loky's ``TerminatedWorkerError``, an executor
  shut down under the search, dask's lost data) loses every task in flight:
  the backend is configured afresh and the engine resubmits them.
- a loky worker whose driver is gone (killed, even by SIGKILL) exits within
  a second of it: loky's last idle worker would otherwise wait for tasks
  for ever, and keep the search's data folder with it (see ``_data.py``).

With one worker, :class:`Inline` runs each task in the driver when it is
submitted.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import queue
import threading
import time
import warnings
from concurrent.futures import CancelledError

from joblib import Parallel, parallel_config
from sklearn import config_context, get_config

from ..utils._joblib_compat import (
    SequentialBackend,
    backend_of,
    dask_futures,
    drop_queued,
    retrieve_result,
    submit,
)

__all__ = ["Inline", "Pool", "is_lost_worker", "open_workers"]

#: Exceptions of a task that say its worker was lost, not that it failed.
_LOST = frozenset(
    {
        "TerminatedWorkerError",  # loky: a worker process died
        "BrokenProcessPool",
        "ShutdownExecutorError",  # loky's executor shut down under the search
        "FutureCancelledError",  # dask: the task's data was lost
        "CancelledError",
        "KilledWorker",  # dask: the task's workers died, allowed-failures times
    }
)


def is_lost_worker(exc):
    """Whether ``exc`` (raised by a task) means its worker was lost."""
    for error in (exc, exc.__context__):
        if error is not None and type(error).__name__ in _LOST:
            return True
    return False


#: How often a loky worker checks that its driver is still there, in seconds.
_WATCH_EVERY = 1.0
#: This process's watch of its driver, once started.
_watcher: threading.Thread | None = None


def _watch_driver():
    """In a loky worker process, exit once the process that started it is
    gone (the worker is then re-parented): started with the first task."""
    global _watcher
    if _watcher is not None or not multiprocessing.current_process().name.startswith(
        "LokyProcess"
    ):
        return
    driver = os.getppid()

    def watch():
        while os.getppid() == driver:
            time.sleep(_WATCH_EVERY)
        os._exit(0)  # nobody is left to take a result

    _watcher = threading.Thread(target=watch, name="skhpo-driver-watch", daemon=True)
    _watcher.start()


def _in_context(context, function, *args, **kwargs):
    """Run ``function`` in a worker under the driver's settings."""
    _watch_driver()
    config, nested, filters = context
    with (
        config_context(**config),
        parallel_config(backend=nested[0], n_jobs=nested[1]),
        warnings.catch_warnings(),
    ):
        warnings.filters[:] = filters
        return function(*args, **kwargs)


class _Batch:
    """What a backend runs: ``items``, a list of ``(function, args, kwargs)``.

    joblib's dask backend reads ``items`` itself (to swap scattered arguments
    for their futures), so every item carries the driver's settings: the
    scikit-learn configuration, the backend for nested joblib calls, and the
    warning filters, as scikit-learn's own ``Parallel`` passes them on.
    """

    __slots__ = ("items",)

    def __init__(self, items):
        self.items = items

    def __call__(self):
        return [function(*args, **kwargs) for function, args, kwargs in self.items]

    def __len__(self):
        return len(self.items)


class Inline:
    """One worker: a task runs in the driver when it is submitted.

    Its exceptions, ``KeyboardInterrupt`` included, propagate at once.
    """

    n_workers = 1
    moves_models = False
    replaces_workers = False
    interrupts_fits = False

    def __init__(self):
        self._done = []

    @property
    def n_pending(self):
        return len(self._done)

    def submit(self, key, items):
        self._done.append((key, _Batch(items)(), None))

    def get(self, timeout=None):
        return ("done", *self._done.pop(0)) if self._done else None

    def wrap(self, function, args, kwargs):
        return (function, args, kwargs)

    def abort(self):
        self._done.clear()

    def close(self):
        pass


class Pool:
    """The active joblib backend, configured for ``n_jobs`` workers.

    Parameters
    ----------
    n_jobs : int
    in_band : bool, default=False
        Turn joblib's memory-mapping of large arguments off (the data then
        travels with each task): for when its temporary folder is full.
    scatter : list, default=None
        Arguments a dask backend sends to every worker once (``X``, ``y``).

    Use :func:`open_workers`, which gives :class:`Inline` when the backend
    has one worker.
    """

    def __init__(self, n_jobs, *, in_band=False, scatter=None):
        self._n_jobs = n_jobs
        self._kwargs = {"max_nbytes": None} if in_band else {}
        self._scatter = scatter or []
        self._events = queue.SimpleQueue()
        self._pending = {}  # key -> generation of the backend it was sent to
        self._generation = 0
        self._open()
        self.n_workers = self._backend.effective_n_jobs(n_jobs)
        # process and cluster workers: a task's models travel (pickled)
        self.moves_models = not getattr(self._backend, "uses_threads", False)
        # workers of this machine that a fresh pool replaces: processes are
        # killed, threads (which cannot be) left to end on their own
        self.replaces_workers = type(self._backend).__name__ in (
            "LokyBackend",
            "MultiprocessingBackend",
            "ThreadingBackend",
        )
        # worker processes, where a fit's own timer stops it (see _tasks)
        self.interrupts_fits = type(self._backend).__name__ in (
            "LokyBackend",
            "MultiprocessingBackend",
        )
        nested = self._backend.get_nested_backend()
        if self._dask:  # by name: an instance finds its client when unpickled
            nested = ("dask", nested[1])
        self._context = (get_config(), nested, list(warnings.filters))

    # ------------------------------------------------------------ backend
    def _open(self):
        self._parallel = Parallel(n_jobs=self._n_jobs, **self._kwargs)
        self._parallel.__enter__()
        backend = backend_of(self._parallel)
        if type(backend).__name__ == "DaskDistributedBackend" and self._scatter:
            # the data once, on every worker: losing one loses no data
            backend = type(backend)(
                client=backend.client,
                scatter=self._scatter,
                wait_for_workers_timeout=backend.wait_for_workers_timeout,
                **backend.submit_kwargs,
            )
            backend.configure(n_jobs=self._n_jobs, parallel=self._parallel)
        self._backend = backend
        self._dask = type(backend).__name__ == "DaskDistributedBackend"
        backend.start_call()

    @property
    def sequential(self):
        """Whether the backend fell back to running in the driver."""
        return isinstance(self._backend, SequentialBackend)

    def _shut(self, *, kill):
        backend = self._backend
        if kill:
            try:
                if self._dask:  # queued and running tasks on the cluster
                    backend.client.cancel(dask_futures(backend), force=True)
                drop_queued(backend)
                backend.abort_everything(ensure_ready=False)
            except Exception:  # already broken: nothing left to stop
                pass
        try:
            backend.stop_call()
        finally:
            if backend is not backend_of(self._parallel):  # our dask instance
                backend.terminate()
            self._parallel.__exit__(None, None, None)

    # -------------------------------------------------------------- tasks
    @property
    def n_pending(self):
        """Tasks submitted and not yet read back."""
        return len(self._pending)

    def wrap(self, function, args, kwargs):
        """An item running ``function`` under the driver's settings."""
        return (_in_context, (self._context, function, *args), kwargs)

    def submit(self, key, items):
        """Start ``items`` (one task) under ``key``."""
        generation, backend = self._generation, self._backend
        self._pending[key] = generation
        callback = functools.partial(self._on_done, key, generation, backend)
        try:
            future = submit(backend, _Batch(items), callback)
        except BaseException as exc:
            if not is_lost_worker(exc):
                raise
            # the executor broke before its callbacks told us: the same loss
            self._events.put((key, generation, None, exc))
            return
        if hasattr(future, "add_done_callback"):
            # dask's backend calls back on success only; failures come here
            future.add_done_callback(
                functools.partial(self._on_future, key, generation)
            )

    def _on_done(self, key, generation, backend, out):
        try:
            result = retrieve_result(backend, out)
        except BaseException as exc:  # noqa: BLE001 - handed to the driver
            self._events.put((key, generation, None, exc))
        else:
            self._events.put((key, generation, result, None))

    def _on_future(self, key, generation, future):
        if future.cancelled():
            self._events.put((key, generation, None, CancelledError()))
            return
        exc = future.exception()
        if exc is not None:
            self._events.put((key, generation, None, exc))

    def get(self, timeout=None):
        """The next event, or None after ``timeout`` seconds.

        ``("done", key, outputs, exception)`` for a task that finished (one of
        ``outputs`` and ``exception`` is None), or ``("lost", keys,
        exception)`` when a worker was lost with the tasks ``keys``: the
        backend has been configured afresh and they must be submitted again.
        """
        while True:
            try:
                key, generation, result, exc = self._events.get(timeout=timeout)
            except queue.Empty:
                return None
            if self._pending.get(key) != generation:
                continue  # an echo of an outcome already read, or of a lost task
            if exc is not None and is_lost_worker(exc):
                return ("lost", self._renew(generation), exc)
            del self._pending[key]
            return ("done", key, result, exc)

    def renew(self):
        """Kill the workers and start fresh ones; the keys of every task that
        was pending (to submit again, or not)."""
        return self._renew(self._generation)

    def _renew(self, generation):
        """Configure the backend afresh; the keys lost with the old one (every
        key pending: they all went to the current backend)."""
        lost = list(self._pending)
        self._pending.clear()
        self._generation += 1
        self._shut(kill=True)
        self._open()
        return lost

    def abort(self):
        """Drop what was submitted and stop what runs."""
        self._pending.clear()
        self._shut(kill=True)
        self._closed = True

    def close(self):
        if not getattr(self, "_closed", False):
            self._closed = True
            self._shut(kill=bool(self._pending))


def open_workers(n_jobs, *, in_band=False, scatter=None):
    """A :class:`Pool` for ``n_jobs`` on the active backend, or :class:`Inline`
    when it has a single worker."""
    pool = Pool(n_jobs, in_band=in_band, scatter=scatter)
    if pool.sequential:
        pool.close()
        return Inline()
    return pool
