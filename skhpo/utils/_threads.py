"""Thread-count control for the numerical hot paths."""

from __future__ import annotations

from threadpoolctl import threadpool_limits


def single_blas_thread() -> threadpool_limits:
    """Limit BLAS to one thread within a ``with`` block.

    Multithreaded BLAS makes the many small linear-algebra calls of a GP fit
    (n of a few hundred) and of the acquisition optimiser several times slower,
    so surrogate fitting and acquisition optimisation run under this limit.

    Returns
    -------
    limiter : threadpoolctl.threadpool_limits
        A context manager restoring the previous limits on exit.

    Examples
    --------
    >>> from skhpo.utils._threads import single_blas_thread
    >>> with single_blas_thread():
    ...     pass
    """
    return threadpool_limits(limits=1, user_api="blas")
