"""Warnings that point at the user's code."""

from __future__ import annotations

import os
import sys

import joblib
import sklearn


def _folder(module) -> str:
    return os.path.dirname(os.path.abspath(module.__file__)) + os.sep


_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
# Frames between the user's line and skhpo: scikit-learn's wrapper of every
# ``fit`` (``_fit_context``), and its functions that fit a search given to
# them in the calling thread (``cross_validate`` with ``n_jobs=1``, say).
_CALLERS = (_PACKAGE, _folder(sklearn), _folder(joblib))
# Where the frames of a worker thread or process begin (the standard
# library's pools, dask's and Ray's workers): the user's line is not on such
# a stack.
_WORKER_MODULES = ("multiprocessing.", "concurrent.futures.", "distributed.", "ray.")


def user_stacklevel() -> int:
    """The ``stacklevel`` that makes a ``warnings.warn`` in the calling
    function point at the user's line: the first frame outside skhpo,
    scikit-learn and joblib, however many functions lie between (a Display
    calling a report calling a helper, or scikit-learn's wrapper of ``fit``
    calling the search's loop, say).

    In a worker thread or process (a search fitted by ``NestedCV``'s threads
    or by ``cross_validate(search, n_jobs=2)``) the user's line is on another
    stack; the warning then points at the first frame outside skhpo.
    """
    frame, level = sys._getframe(1), 1
    first_outside = None
    while frame is not None and frame.f_code.co_filename.startswith(_CALLERS):
        if first_outside is None and not frame.f_code.co_filename.startswith(_PACKAGE):
            first_outside = level
        frame, level = frame.f_back, level + 1
    module = "" if frame is None else frame.f_globals.get("__name__", "")
    if frame is None or module == "threading" or module.startswith(_WORKER_MODULES):
        return level if first_outside is None else first_outside
    return level
