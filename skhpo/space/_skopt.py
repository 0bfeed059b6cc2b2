"""scikit-optimize's habits: its dimension objects and its range tuples.

scikit-optimize reads ``(1, 32)`` as a range of integers and
``(1e-4, 1e-1, "log-uniform")`` as a log-uniform range of reals, where
scikit-learn reads any sequence as a list of candidates. skhpo keeps
scikit-learn's reading and refuses, before any fit, the tuples that
scikit-optimize would read as a range, naming the dimension to write instead
(:func:`range_instead`): a silent list of two or three categories is the
worst of both readings. scikit-optimize's ``Real``, ``Integer`` and
``Categorical`` objects become skhpo's (:func:`from_skopt`); they are
recognised by the module their class comes from, so scikit-optimize is never
imported.
"""

from __future__ import annotations

from typing import Any

from ._base import Dimension
from ._categorical import Categorical
from ._numeric import Integer, Real
from ._utils import fmt, is_integer_number, is_real_number, to_python

__all__ = ["from_skopt", "range_instead", "refuse_range_tuple", "skopt_class"]

_PRIORS = ("uniform", "log-uniform")


def skopt_class(obj: Any) -> str | None:
    """The name of the scikit-optimize class ``obj`` is an instance of (its
    own or the nearest base class defined in the ``skopt`` package), or None.
    """
    for cls in type(obj).__mro__:
        module = getattr(cls, "__module__", None) or ""
        if module == "skopt" or module.startswith("skopt."):
            return cls.__name__
    return None


def from_skopt(obj: Any, kind: str, where: str) -> Dimension:
    """skhpo's dimension for scikit-optimize's ``Real``, ``Integer`` or
    ``Categorical`` ``obj`` (``kind`` from :func:`skopt_class`): the same
    bounds, prior, base, categories and name; scikit-optimize's ``transform``
    does not apply (skhpo encodes every dimension in [0, 1]).

    Raises
    ------
    TypeError
        For any other scikit-optimize object, saying what to write instead.
    """
    try:
        if kind in ("Real", "Integer"):
            cls = Real if kind == "Real" else Integer
            return cls(obj.low, obj.high, prior=obj.prior, base=obj.base, name=obj.name)
        if kind == "Categorical":
            return Categorical(list(obj.categories), prior=obj.prior, name=obj.name)
    except AttributeError:
        pass  # not the object scikit-optimize 0.10 makes: say what to write
    raise TypeError(
        f"{where}: scikit-optimize's {kind} object {obj!r} cannot be converted. "
        "Write a skhpo.space Real, Integer or Categorical (the same arguments as "
        "scikit-optimize's), a list of values or a scipy.stats distribution "
        "instead."
    )


def range_instead(obj: Any) -> str | None:
    """The dimension to write for a tuple that scikit-optimize reads as a
    range: ``(low, high)``, ``(low, high, prior)`` or ``(low, high, prior,
    base)`` with numbers ``low`` and ``high`` and a prior of
    ``"uniform"``/``"log-uniform"``. None for any other tuple, which is a
    list of categories for scikit-optimize too (three numbers, strings,
    ``None``, tuples of tuples...).

    Examples
    --------
    >>> range_instead((1, 32)), range_instead((1e-4, 1e-1, "log-uniform"))
    ('Integer(1, 32)', "Real(0.0001, 0.1, prior='log-uniform')")
    >>> range_instead(("a", "b")) is None, range_instead((1, 2, 3)) is None
    (True, True)
    """
    if not isinstance(obj, tuple) or len(obj) not in (2, 3, 4):
        return None
    low, high, *rest = (to_python(v) for v in obj)
    if not (is_real_number(low) and is_real_number(high)):
        return None
    if rest and not (isinstance(rest[0], str) and rest[0] in _PRIORS):
        return None
    if len(rest) == 2 and not is_real_number(rest[1]):
        return None
    # scikit-optimize's rule: integral bounds make an Integer, else a Real
    integer = is_integer_number(low) and is_integer_number(high)
    args = [fmt(low), fmt(high)]
    if rest:
        args.append(f"prior={rest[0]!r}")
    if len(rest) == 2:
        args.append(f"base={fmt(rest[1])}")
    return f"{'Integer' if integer else 'Real'}({', '.join(args)})"


def refuse_range_tuple(obj: Any, where: str) -> None:
    """Raise a ValueError saying what to write if scikit-optimize reads the
    tuple ``obj`` as a range (see :func:`range_instead`)."""
    instead = range_instead(obj)
    if instead is None:
        return
    values = [to_python(v) for v in obj]
    shown = f"({', '.join(map(repr, values))})"
    categories = "" if len(values) > 2 else f", or the list {values!r} for the 2 values"
    raise ValueError(
        f"{where}: {shown} is a range for scikit-optimize but {len(values)} "
        "categories for scikit-learn, so skhpo does not guess. Write "
        f"{instead} (from skhpo.space) for the range{categories}."
    )
