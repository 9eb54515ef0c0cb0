"""The base class of every search-space node and the checks shared by the node classes.

Nodes are plain immutable data.  They know nothing about sampling, optimization or printing:
each of those is a separate backend module that interprets the tree.
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Iterable
from typing import Any, Generic, TypeVar

import numpy as np

T_co = TypeVar("T_co", covariant=True)

#: The metadata key under which ``param`` keeps a record field's space.
SPACE_KEY = "typedspace.space"


class Space(Generic[T_co]):
    """A search space whose values have type ``T_co``.

    ``Space`` has no fields and no behaviour: it only carries the value type for the type
    checker.  Build spaces with the node classes (``Uniform``, ``Choice``, ``Map`` ...) and
    interpret them with the backends (``sample``, ``pretty``, ``optimize`` ...).

    >>> from typedspace import Uniform, sample
    >>> 0.0 <= sample(Uniform(0.0, 1.0), seed=0) <= 1.0
    True
    """

    __slots__ = ()


def describe(kind: str, name: str | None) -> str:
    """How an error message names a node: ``Uniform 'lr'`` or just ``Uniform``."""
    return f"{kind} {name!r}" if name is not None else kind


#: What counts as a number where a float or an int is expected: Python's and numpy's
#: (``np.float32(0.1)``, ``np.int64(3)``), never a bool (``np.bool_`` is no numpy number).
_REALS = (int, float, np.integer, np.floating)
_INTS = (int, np.integer)

_SHORT = reprlib.Repr()
_SHORT.maxlong = 40


def shown(value: object) -> str:
    """``repr(value)``, with a huge int shortened (``10**400`` has 401 digits)."""
    return _SHORT.repr(value) if isinstance(value, int) else repr(value)


def check_number(owner: str, field: str, value: object) -> float:
    """Return ``value`` as a finite Python float, or raise an error naming ``owner`` and
    ``field``.  numpy numbers are accepted (and converted); bools are not numbers."""
    if isinstance(value, bool) or not isinstance(value, _REALS):
        raise TypeError(f"{owner}: {field} must be a number, got {value!r}")
    try:
        result = float(value)
    except OverflowError:  # an int beyond the largest float
        result = math.inf
    if not math.isfinite(result):
        raise ValueError(f"{owner}: {field} must be finite, got {shown(value)}")
    return result


def check_positive(owner: str, field: str, value: object) -> float:
    """``check_number``, and the number must be greater than zero."""
    result = check_number(owner, field, value)
    if result <= 0:
        raise ValueError(f"{owner}: {field} must be positive, got {value!r}")
    return result


def check_int(owner: str, field: str, value: object, *, minimum: int | None = None) -> int:
    """Return ``value`` as a Python int (numpy ints accepted, bools not), at least ``minimum``
    when given, or raise an error naming ``owner`` and ``field``."""
    if isinstance(value, bool) or not isinstance(value, _INTS):
        raise TypeError(f"{owner}: {field} must be an int, got {value!r}")
    result = int(value)
    if minimum is not None and result < minimum:
        raise ValueError(f"{owner}: {field} must be at least {minimum}, got {shown(value)}")
    return result


def check_name(owner: str, name: object) -> None:
    """A parameter name is a non-empty string."""
    if name is None:
        return
    if not isinstance(name, str) or not name:
        raise ValueError(f"{owner}: name must be a non-empty string, got {name!r}")


def check_space(owner: str, what: str, value: object) -> None:
    if not isinstance(value, Space):
        raise TypeError(f"{owner}: {what} must be a Space, got {value!r}")


def merge_explicit_names(owner: str, groups: Iterable[frozenset[str]]) -> frozenset[str]:
    """Union of the ``name=`` overrides below a node; a name used twice is an error."""
    seen: set[str] = set()
    for group in groups:
        clash = seen & group
        if clash:
            raise ValueError(
                f"{owner}: duplicate parameter name {sorted(clash)[0]!r}: a parameter has one "
                "name and one distribution, also across the branches of a Choice or Cond.  The "
                "same parameter in every branch: move it out of them; a different one per "
                "branch: leave out name= (each gets its place's name, like 'optimizer.sgd.lr')"
            )
        seen |= group
    return frozenset(seen)


def explicit_names(space: Space[Any]) -> frozenset[str]:
    """The ``name=`` overrides of ``space`` and everything below it."""
    names = getattr(space, "explicit_names", None)
    if isinstance(names, frozenset):
        return names
    own = getattr(space, "name", None)
    return frozenset([own]) if isinstance(own, str) else frozenset()


def typed_key(value: object) -> object:
    """What equality of constants compares: the value together with its type, recursively.

    Plain ``==`` says ``Const(1) == Const(True) == Const(1.0)``; nodes compare through this key
    so that equal trees also produce values of the same types (the flatten cache relies on it).
    """
    if isinstance(value, list | tuple):
        return (type(value), tuple(typed_key(v) for v in value))
    if isinstance(value, dict):
        return (type(value), tuple((typed_key(k), typed_key(v)) for k, v in value.items()))
    return (type(value), value)


def content_hash(kind: type, *parts: object) -> int:
    """A hash of a node's content, computed once at construction (interior nodes cache it).

    Unhashable constants (lists, dicts) hash by their type only: equal nodes still hash equal.
    """

    def part_hash(part: object) -> int:
        try:
            return hash(part)
        except TypeError:
            if isinstance(part, tuple):
                return hash(tuple(part_hash(p) for p in part))
            return hash(type(part))

    return hash((kind.__qualname__, *(part_hash(p) for p in parts)))
