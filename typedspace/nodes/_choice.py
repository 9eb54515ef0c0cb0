"""``Choice``: one of several options, plain values or spaces (then it is conditional)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar, overload

import attrs

from typedspace.nodes._base import (
    Space,
    check_name,
    check_number,
    content_hash,
    describe,
    explicit_names,
    merge_explicit_names,
    typed_key,
)
from typedspace.nodes._containers import as_space_if_nested

T_co = TypeVar("T_co", covariant=True)


def _check_weights(owner: str, weights: object, n: int) -> tuple[float, ...] | None:
    if weights is None:
        return None
    if isinstance(weights, str | bytes | Mapping) or not isinstance(weights, Iterable):
        raise TypeError(f"{owner}: weights must be a sequence of numbers, got {weights!r}")
    checked = tuple(check_number(owner, f"weights[{i}]", w) for i, w in enumerate(weights))
    if len(checked) != n:
        raise ValueError(f"{owner}: {len(checked)} weights given for {n} options")
    for i, w in enumerate(checked):
        if w < 0:
            raise ValueError(f"{owner}: weights[{i}] must not be negative, got {w!r}")
    if sum(checked) <= 0:
        raise ValueError(f"{owner}: weights must not sum to zero")
    # Kept as written (serialization round-trips exactly); ``probabilities`` normalizes.
    return checked


def _equals_itself(option: object) -> bool:
    try:
        return bool(option == option)
    except Exception:  # an option whose == misbehaves (an array) is taken as it is
        return True


def _same_option(a: object, b: object) -> bool:
    if isinstance(a, Space) or isinstance(b, Space):
        return a is b
    try:
        return type(a) is type(b) and bool(a == b)
    except Exception:  # an option whose == misbehaves is never a duplicate
        return False


@attrs.frozen(init=False, unsafe_hash=False)
class Choice(Space[T_co]):
    """One of ``options``; with ``weights``, chosen with those (normalized) probabilities.

    An option may be a plain value (returned as written, never as an index) or a space,
    which makes the choice conditional: only the chosen space's parameters are active.
    JSON-like dicts and lists containing spaces count as spaces.  An option must equal
    itself (NaN does not).  ``weights`` are finite non-negative numbers (numpy's too, and a
    numpy array), not all zero.

    >>> Choice("relu", "gelu", weights=[3, 1]).weights
    (3.0, 1.0)
    """

    # Options may be unhashable (dicts, lists); equality still compares them.
    options: tuple[Any, ...] = attrs.field(hash=False, eq=typed_key)
    weights: tuple[float, ...] | None
    name: str | None
    explicit_names: frozenset[str] = attrs.field(eq=False, repr=False)
    cached_hash: int = attrs.field(eq=False, repr=False)

    def __hash__(self) -> int:
        return self.cached_hash

    # The overloads ask for a first option so that ``Choice()`` is a type error too.
    @overload
    def __init__(
        self,
        first: Space[T_co],
        /,
        *options: Space[T_co],
        weights: Sequence[float] | None = None,
        name: str | None = None,
    ) -> None: ...
    @overload
    def __init__(
        self,
        first: T_co | Space[T_co],
        /,
        *options: T_co | Space[T_co],
        weights: Sequence[float] | None = None,
        name: str | None = None,
    ) -> None: ...
    def __init__(
        self,
        *options: Any,
        weights: Sequence[float] | None = None,
        name: str | None = None,
    ) -> None:
        owner = describe("Choice", name)
        check_name(owner, name)
        if not options:
            raise ValueError(f"{owner}: needs at least one option")
        converted = tuple(as_space_if_nested(o) for o in options)
        for option in converted:
            if not _equals_itself(option):
                raise ValueError(
                    f"{owner}: option {option!r} is not equal to itself (NaN), so a value "
                    "could never be matched to it; choose a label and Map it to NaN instead"
                )
        for i, a in enumerate(converted):
            for b in converted[:i]:
                if _same_option(a, b):
                    raise ValueError(f"{owner}: duplicate option {a!r}")
        checked = _check_weights(owner, weights, len(converted))
        own = [frozenset([name])] if name is not None else []
        nested = [explicit_names(o) for o in converted if isinstance(o, Space)]
        names = merge_explicit_names(owner, own + nested)
        self.__attrs_init__(
            converted, checked, name, names, content_hash(Choice, converted, checked, name)
        )  # pyright: ignore[reportAttributeAccessIssue]

    @property
    def probabilities(self) -> tuple[float, ...]:
        """Each option's probability: the weights normalized (uniform without weights).

        Weights whose sum overflows are scaled by the largest first: ``weights=[1e308,
        1e308]`` is an even choice.

        >>> Choice("a", "b", weights=[1e308, 1e308]).probabilities
        (0.5, 0.5)
        """
        weights = self.weights or (1.0,) * len(self.options)
        total = sum(weights)
        if math.isinf(total):
            largest = max(weights)
            weights = tuple(w / largest for w in weights)
            total = sum(weights)
        return tuple(w / total for w in weights)

    @property
    def is_conditional(self) -> bool:
        """True when some option is a space (its parameters are active only when chosen)."""
        return any(isinstance(o, Space) for o in self.options)
