"""The search's data, written once for the worker processes of this machine.

joblib memory-maps a large array for process workers, but it hashes the array
each time it pickles a task, to find the file again: for an 80 MB ``X`` that is
a tenth of a second per fold. A search sends ``X`` with every fold, so it
writes its large arrays once, where joblib writes its own (``temp_folder`` of
``parallel_config``, else ``JOBLIB_TEMP_FOLDER``, else ``/dev/shm`` when it
has room, else the system's temporary folder), and passes read-only memory
maps, which joblib pickles as a reference to the file.

The folder is registered with loky's resource tracker, the process that
removes joblib's own folders: if the search's process is killed (SIGKILL, an
out-of-memory kill, SIGTERM), the tracker removes the folder once the last
worker has gone, and loky's workers leave within a second of their driver
(``_workers.py``). Otherwise the search removes it when it ends.

When the folder cannot hold the data (a full disk, a quota), nothing is left
on disk and the data travels with each task instead; the caller then turns
joblib's own memory-mapping off, which would fail the same way.
"""

from __future__ import annotations

import os
import shutil
import uuid
from contextlib import contextmanager

import numpy as np

from ..utils._joblib_compat import get_temp_dir, resource_tracker

__all__ = ["DEFAULT_MAX_NBYTES", "shared_arrays"]

#: joblib's own threshold: arrays from this size on are memory-mapped, unless
#: ``parallel_config(max_nbytes=...)`` sets another (None turns it off).
DEFAULT_MAX_NBYTES = 1_000_000


def _shareable(value, max_nbytes):
    return (
        type(value) is np.ndarray
        and not value.dtype.hasobject
        and value.nbytes >= max_nbytes
    )


@contextmanager
def shared_arrays(arrays, *, max_nbytes, mmap_mode="r", temp_folder=None):
    """Write the large arrays of ``arrays`` once; yield them as memory maps.

    Parameters
    ----------
    arrays : dict of str to object
        The values to share (``X``, ``y``); those that are not numeric numpy
        arrays of at least ``max_nbytes`` bytes are yielded as they are.
    max_nbytes : int or None
        joblib's threshold; None shares nothing.
    mmap_mode : str
        How workers open the maps (joblib's ``mmap_mode``).
    temp_folder : str or None
        joblib's ``temp_folder``.

    Yields
    ------
    shared : dict of str to object
        ``arrays`` with the large ones replaced by memory maps.
    in_band : bool
        True when the folder could not hold the data: nothing was written and
        the data must travel with the tasks.
    """
    large = {}
    if max_nbytes is not None:
        large = {k: v for k, v in arrays.items() if _shareable(v, max_nbytes)}
    if not large:
        yield dict(arrays), False
        return
    folder, shared, in_band = None, dict(arrays), False
    try:
        folder = _Folder(temp_folder)
        for key, value in large.items():
            path = os.path.join(folder.path, f"{key}.npy")
            np.save(path, value, allow_pickle=False)
            shared[key] = np.load(path, mmap_mode=mmap_mode)
    except OSError:  # no room: send the data with the tasks
        shared, in_band = dict(arrays), True
        if folder is not None:
            folder.remove()
    try:
        yield shared, in_band
    finally:
        shared.clear()
        if folder is not None:
            folder.remove()


class _Folder:
    """A folder of this search's in joblib's temporary folder, tracked."""

    def __init__(self, temp_folder):
        name = f"skhpo-{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self.path, _ = get_temp_dir(name, temp_folder)
        # registered first, so that a kill even while writing leaves nothing
        resource_tracker.register(self.path, "folder")
        self._tracked = True
        try:
            os.makedirs(self.path, exist_ok=True)
        except OSError:
            self.remove()
            raise

    def remove(self):
        """Remove the folder and stop tracking it (once)."""
        if not self._tracked:
            return
        self._tracked = False
        shutil.rmtree(self.path, ignore_errors=True)
        try:
            resource_tracker.unregister(self.path, "folder")
        except Exception:  # the tracker is gone: nothing left to tell it
            pass
