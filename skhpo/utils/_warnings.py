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
# them (``cross_validate`` through joblib, say).
_CALLERS = (_PACKAGE, _folder(sklearn), _folder(joblib))


def user_stacklevel() -> int:
    """The ``stacklevel`` that makes a ``warnings.warn`` in the calling
    function point at the first frame outside skhpo, scikit-learn and joblib:
    the user's line, however many functions lie between (a Display calling a
    report calling a helper, or scikit-learn's wrapper of ``fit`` calling the
    search's loop, say)."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(_CALLERS):
        frame, level = frame.f_back, level + 1
    return level
