"""A search's fingerprint: what a resumed search must share with the stored one.

Plain JSON data, compared part by part so that a mismatch names what differs:
the estimator (its class and every parameter), the data (hashes of ``X``,
``y`` and the fit parameters), the frozen CV splits, the scoring, the
``random_state`` and the search's other parameters. Parameters that change
how a search runs but not what it evaluates (``n_jobs``, ``verbose``,
``pre_dispatch``, ``refit``, ``storage``, the time budgets) are left out, so a
search may resume with more workers or a longer budget.
"""

from __future__ import annotations

import hashlib
import math
import re
from numbers import Integral

import joblib
import numpy as np

__all__ = ["describe", "fingerprint"]

#: Search parameters that do not change what a search evaluates.
RUN_ONLY = frozenset(
    {
        "n_jobs",
        "verbose",
        "pre_dispatch",
        "refit",
        "storage",
        "max_time",
        "fit_timeout",
    }
)

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def describe(value, depth=0):
    """``value`` as plain JSON data that is equal for equal settings (an
    estimator by class and parameters, an array by hash, a function by
    name)."""
    if depth > 20:
        return _repr(value)
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, (list, tuple)):
        return [describe(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {
            str(k): describe(v, depth + 1) for k, v in sorted(value.items(), key=str)
        }
    if isinstance(value, np.ndarray):
        return {"array": _hash(value), "shape": list(value.shape)}
    if hasattr(value, "get_params") and not isinstance(value, type):
        try:
            params = value.get_params(deep=False)
        except Exception:  # an object with a broken get_params: its repr
            return _repr(value)
        return {
            "class": _name(type(value)),
            "params": {k: describe(v, depth + 1) for k, v in sorted(params.items())},
        }
    if hasattr(value, "dist") and hasattr(value, "args") and hasattr(value, "kwds"):
        return {
            "distribution": getattr(value.dist, "name", _name(type(value.dist))),
            "args": describe(list(value.args), depth + 1),
            "kwds": describe(dict(value.kwds), depth + 1),
        }
    if callable(value) and hasattr(value, "__qualname__"):
        return _name(value)
    return _repr(value)


def _name(obj):
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', obj)}"


def _repr(value):
    return _ADDRESS.sub("", repr(value))


def _hash(value):
    if value is None:
        return None
    return joblib.hash(value, hash_name="sha1")


def fingerprint(search, X, y, splits, fit_params):
    """The fingerprint of ``search`` fitted on ``X``, ``y`` with ``splits``."""
    params = search.get_params(deep=False)
    random_state = params.pop("random_state", None)
    if not isinstance(random_state, Integral):
        # not a fixed seed: the journal keeps the seed drawn when it began
        random_state = None if random_state is None else "a RandomState"
    splits_hash = hashlib.sha1()
    for train, test in splits:
        for part in (train, test):
            part = np.asarray(part)
            splits_hash.update(str(part.dtype).encode())
            splits_hash.update(np.ascontiguousarray(part).tobytes())
            splits_hash.update(b"|")
    described = {
        "estimator": describe(params.pop("estimator")),
        "data": {
            "X": _hash(X),
            "y": _hash(y),
            "fit_params": _hash(fit_params) if fit_params else None,
        },
        "cv": splits_hash.hexdigest(),
        "random_state": describe(random_state),
    }
    params.pop("cv", None)  # its splits are compared
    for name in sorted(params):
        if name not in RUN_ONLY:
            described[name] = describe(params[name])
    return described
