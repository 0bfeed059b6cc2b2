"""A Ctrl-C while Python is called back from C is not lost."""

import ctypes
import os
import signal
import sys
import threading

import pytest
import threadpoolctl

from skhpo.utils import _threads
from skhpo.utils._threads import _interrupt_deferred, single_blas_thread

pytestmark = [
    pytest.mark.skipif(
        not sys.platform.startswith("linux"), reason="signals and libc of Linux"
    ),
]


@pytest.fixture
def default_sigint():
    """Python's own SIGINT handler, in the main thread."""
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signal handlers are set in the main thread only")
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def _interrupting(function):
    """``function``, sending this process a SIGINT the first time it is
    called (``.sent`` records the call), in Python code where the handler
    runs."""

    def wrapped(*args):
        if not wrapped.sent:
            wrapped.sent.append(args)
            # delivered before kill returns; the handler runs in the next
            # Python code at the latest: function's, still in the callback
            os.kill(os.getpid(), signal.SIGINT)
        return function(*args)

    wrapped.sent = []
    return wrapped


def _sort_interrupted():
    """libc's qsort on three numbers, whose comparison (a ctypes callback)
    sends this process a SIGINT the first time it is called."""
    libc = ctypes.CDLL(None)  # the process's own symbols, libc's among them
    compare_type = ctypes.CFUNCTYPE(
        ctypes.c_int, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int)
    )
    compare = _interrupting(lambda a, b: a[0] - b[0])
    values = (ctypes.c_int * 3)(3, 1, 2)
    libc.qsort(values, 3, ctypes.sizeof(ctypes.c_int), compare_type(compare))
    return list(values)


def test_an_interrupt_in_a_ctypes_callback_is_raised_after_the_block(
    default_sigint, monkeypatch
):
    dropped = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: dropped.append(u.exc_type))
    # what the guard is for: unguarded, ctypes reports the KeyboardInterrupt
    # as unraisable and drops it (the comparison then says "equal")
    try:
        assert sorted(_sort_interrupted()) == [1, 2, 3]
    except KeyboardInterrupt:
        pytest.fail("ctypes let the interrupt out of its callback")
    assert dropped == [KeyboardInterrupt]
    done = []
    with pytest.raises(KeyboardInterrupt):
        with _interrupt_deferred():
            done.append(_sort_interrupted())
    assert done == [[1, 2, 3]]  # the block ran to its end first
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert dropped == [KeyboardInterrupt]


def test_no_interrupt_no_exception_and_the_handler_is_back(default_sigint):
    with _interrupt_deferred():
        assert signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_an_interrupt_in_a_block_that_raises_is_not_lost(default_sigint):
    with pytest.raises(KeyboardInterrupt) as caught:
        with _interrupt_deferred():
            try:
                _sort_interrupted()
            finally:
                raise ValueError("the block's own error")
    assert isinstance(caught.value.__context__, ValueError)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_outside_the_main_thread_the_block_runs_as_it_is(default_sigint):
    seen = []

    def block():
        with _interrupt_deferred():
            seen.append(signal.getsignal(signal.SIGINT))

    thread = threading.Thread(target=block)
    thread.start()
    thread.join()
    assert seen == [signal.default_int_handler]


def test_a_ctrl_c_while_the_blas_libraries_are_found_stops_the_search(
    default_sigint, monkeypatch
):
    """Finding the BLAS libraries (at the first proposal of a search) walks
    them, in a ctypes callback with threadpoolctl before 3.7 on Linux (and
    still on Unix systems other than Linux and macOS), where a Ctrl-C was
    lost and the search ran on to its end. The walk ends, then the
    interrupt is raised, whichever way it walks."""
    walk = _interrupting(threadpoolctl.ThreadpoolController._make_controller_from_path)
    monkeypatch.setattr(
        threadpoolctl.ThreadpoolController,
        "_make_controller_from_path",
        walk,
    )
    monkeypatch.setattr(_threads, "_controller", None)
    with pytest.raises(KeyboardInterrupt):
        single_blas_thread()
    assert walk.sent, "the libraries were not walked"
    assert _threads._controller is not None  # the walk ended; found once
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
