"""Thread-count control for the numerical hot paths."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from threadpoolctl import ThreadpoolController

_controller: ThreadpoolController | None = None


def _blas_controller() -> ThreadpoolController:
    """The thread pools of the BLAS libraries loaded, found once.

    Finding them walks every shared library of the process (milliseconds,
    more than a small proposal costs), so it is done on the first call only:
    numpy's and scipy's BLAS are loaded by then, as skhpo imports both.
    """
    global _controller
    if _controller is None:
        # threadpoolctl may walk them in a ctypes callback (before 3.7 on
        # Linux; on Unix systems other than Linux and macOS still), where an
        # exception is printed and dropped: a Ctrl-C then would be lost
        with _interrupt_deferred():
            _controller = ThreadpoolController().select(user_api="blas")
    return _controller


@contextmanager
def _interrupt_deferred() -> Iterator[None]:
    """Hold a SIGINT back until the end of the block, then act on it.

    For code that calls Python back from C through ``ctypes``, which prints
    and drops the callback's exceptions: a ``KeyboardInterrupt`` raised in
    the callback would be lost. The SIGINT handler in place before the block
    is called once on exit instead, whether the block raised or not
    (``KeyboardInterrupt`` for Python's default handler). Only in the main
    thread, where Python runs signal handlers; elsewhere, and when SIGINT
    has no Python handler, the block runs as it is.
    """
    handler = signal.getsignal(signal.SIGINT)
    received: list = []
    deferred = threading.current_thread() is threading.main_thread() and callable(
        handler
    )
    if deferred:
        try:
            signal.signal(signal.SIGINT, lambda signum, frame: received.append(frame))
        except ValueError:  # a sub-interpreter's main thread
            deferred = False
    if not deferred:
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, handler)
        if received:
            handler(signal.SIGINT, received[0])


def single_blas_thread() -> Any:
    """Limit BLAS to one thread within a ``with`` block.

    Multithreaded BLAS makes the many small linear-algebra calls of a GP fit
    (n of a few hundred) and of the acquisition optimiser several times slower,
    so surrogate fitting and acquisition optimisation run under this limit.

    Returns
    -------
    limiter : context manager
        Restores the previous limits on exit.

    Examples
    --------
    >>> from skhpo.utils._threads import single_blas_thread
    >>> with single_blas_thread():
    ...     pass
    """
    return _blas_controller().limit(limits=1)
