"""Parameters as JSON, with a whitelist of types: nothing is unpickled on read.

A parameter value is written as itself when it is a number, a string, a
boolean or None (numpy scalars as the Python ones, NaN and infinities by
name), as a list of such values for a tuple or list (``hidden_layer_sizes``),
and otherwise by reference: the index of the value among the categories the
search space lists for that parameter (an estimator in ``{"clf": [SVC(),
LogisticRegression()]}``). Read back against the same space, a reference is
that very category; without the space (:func:`skhpo.load_results`), it is the
value's ``repr``, as written beside it.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from ._fingerprint import describe

__all__ = [
    "decode_params",
    "decode_value",
    "dumps",
    "encode_mapping",
    "encode_params",
    "loads",
]

_SPECIAL = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def _number(value):
    if isinstance(value, float) and not math.isfinite(value):
        return {
            "float": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
        }
    return value


def encode_value(value: Any, categories=None) -> Any:
    """The JSON form of one parameter value (see the module's docstring).

    ``categories`` are the values the space lists for the parameter (every
    sub-space's, in order), searched for a value that is not a plain one.
    Raises ``TypeError`` for a value that is neither plain nor listed.
    """
    if isinstance(value, np.generic) or (
        isinstance(value, np.ndarray) and value.ndim == 0
    ):
        value = value.item()
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, (list, tuple)):
        try:
            items = [encode_value(v) for v in value]
        except TypeError:
            pass
        else:
            return {"tuple" if isinstance(value, tuple) else "list": items}
    categories = list(categories or ())
    for index, category in enumerate(categories):
        if category is value:
            return {"category": index, "repr": repr(value)}
    matches = [i for i, category in enumerate(categories) if _same(category, value)]
    if len(matches) == 1:
        return {"category": matches[0], "repr": repr(value)}
    if matches:
        raise TypeError(
            f"{value!r} equals several values listed in the search space "
            f"(positions {matches}): which one it is cannot be written"
        )
    raise TypeError(
        f"{value!r} (of type {type(value).__name__}) is neither a number, a "
        "string, a boolean, None nor a value listed in the search space"
    )


def _same(a, b):
    if type(a) is not type(b):
        return False
    try:
        if isinstance(a, np.ndarray):
            return np.array_equal(a, b)
        if hasattr(a, "get_params") and hasattr(b, "get_params"):
            # every parameter, not the repr (which scikit-learn shortens)
            return describe(a) == describe(b)
        return bool(a == b)
    except Exception:  # a comparison that fails is no match
        return False


def decode_value(data: Any, categories=None) -> Any:
    """The value :func:`encode_value` wrote; a reference is resolved among
    ``categories``, or read as its ``repr`` string when they are None."""
    if not isinstance(data, dict):
        return data
    if "float" in data:
        return _SPECIAL[data["float"]]
    if "tuple" in data:
        return tuple(decode_value(v) for v in data["tuple"])
    if "list" in data:
        return [decode_value(v) for v in data["list"]]
    if "category" in data:
        if categories is None:
            return data["repr"]
        return categories[data["category"]]
    raise ValueError(f"not a stored parameter value: {data!r}")


def encode_mapping(params: dict, choices: dict | None = None) -> dict:
    """Every value of ``params`` in its JSON form (:func:`encode_value`);
    ``choices`` maps a parameter name to the categories the space lists for
    it."""
    choices = choices or {}
    return {name: encode_value(v, choices.get(name)) for name, v in params.items()}


def encode_params(params: dict, choices: dict | None = None) -> str:
    """``params`` as a JSON object (keys sorted), see :func:`encode_mapping`."""
    return dumps(encode_mapping(params, choices))


def decode_params(text: str, choices: dict | None = None) -> dict:
    """The parameters :func:`encode_params` wrote."""
    data = loads(text)
    if choices is None:
        return {name: decode_value(v) for name, v in data.items()}
    return {name: decode_value(v, choices.get(name, ())) for name, v in data.items()}


def dumps(data: Any) -> str:
    """JSON text of plain data, NaN written by name (strict JSON)."""
    return json.dumps(_plain(data), sort_keys=True, allow_nan=False)


def loads(text: str) -> Any:
    """Data written by :func:`dumps` (JSON only: no object is built but
    dicts, lists, strings, numbers, booleans and None)."""
    return _restore(json.loads(text))


def _plain(data):
    """Scores and times as JSON: numpy scalars as Python's, NaN by name."""
    if isinstance(data, dict):
        return {str(k): _plain(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_plain(v) for v in data]
    if isinstance(data, np.generic):
        data = data.item()
    if isinstance(data, float):
        return _number(data)
    return data


def _restore(data):
    if isinstance(data, dict):
        if set(data) == {"float"} and data["float"] in _SPECIAL:
            return _SPECIAL[data["float"]]
        return {k: _restore(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_restore(v) for v in data]
    return data
