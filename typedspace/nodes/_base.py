"""The base class of every search-space node and the checks shared by the node classes.

Nodes are plain immutable data.  They know nothing about sampling, optimization or printing:
each of those is a separate backend module that interprets the tree.
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Iterable
from typing import Any, Generic, TypeVar

T_co = TypeVar("T_co", covariant=True)


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


def check_number(owner: str, field: str, value: object) -> float:
    """Return ``value`` as a finite float, or raise an error naming ``owner`` and ``field``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{owner}: {field} must be a number, got {value!r}")
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"{owner}: {field} must be finite, got {value!r}")
    return result


def check_int(owner: str, field: str, value: object) -> int:
    """Return ``value`` as an int, or raise an error naming ``owner`` and ``field``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{owner}: {field} must be an int, got {value!r}")
    return value


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
            raise ValueError(f"{owner}: duplicate parameter name {sorted(clash)[0]!r}")
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


def decimals_of(q: float) -> int:
    """The number of decimals in q as written (0.05 -> 2, 0.25 -> 2, 1.0 -> 0, 1/3 -> 16)."""
    exponent = decimal.Decimal(repr(q)).as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def grid_value(k: int, q: float) -> float:
    """The ``k``-th multiple of ``q``, rounded to q's decimals (3 * 0.05 is 0.15, not
    0.15000000000000002), the value a quantized leaf takes.

    >>> grid_value(3, 0.05)
    0.15
    """
    return round(k * q, decimals_of(q)) + 0.0  # + 0.0: no -0.0


def grid_steps(low: float, high: float, q: float) -> tuple[int, int]:
    """The first and last multiples ``k`` with ``low <= grid_value(k, q) <= high``.

    Division is inexact (0.6 / 0.05 = 11.999999999999998), so a ratio within 1e-9 of an
    integer counts as that integer: ``Uniform(0, 0.6, q=0.05)`` reaches 0.6.  A multiple so
    found that still lies outside the bounds (0.0 for ``low=1e-16``) is left out.

    >>> grid_steps(0.0, 0.6, 0.05), grid_steps(1e-16, 1.0, 0.125)
    ((0, 12), (1, 8))
    """

    def near(x: float) -> float:
        nearest = round(x)
        return float(nearest) if abs(x - nearest) <= 1e-9 * max(1.0, abs(x)) else x

    first, last = math.ceil(near(low / q)), math.floor(near(high / q))
    if grid_value(first, q) < low:
        first += 1
    if grid_value(last, q) > high:
        last -= 1
    return first, last
