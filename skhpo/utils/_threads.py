"""Thread-count control for the numerical hot paths."""

from __future__ import annotations

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
        _controller = ThreadpoolController().select(user_api="blas")
    return _controller


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
