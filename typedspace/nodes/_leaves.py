"""Leaf nodes: the distributions a search space draws its parameters from.

Every leaf validates itself at construction, so a bad bound fails on the line that wrote it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar, overload

import attrs

from typedspace.nodes._base import (
    Space,
    check_int,
    check_name,
    check_number,
    content_hash,
    describe,
    explicit_names,
    grid_steps,
    merge_explicit_names,
    typed_key,
)

T_co = TypeVar("T_co", covariant=True)


def _normalize_float(leaf: Any, *fields: str) -> str:
    owner = describe(type(leaf).__name__, leaf.name)
    check_name(owner, leaf.name)
    for field in fields:
        object.__setattr__(leaf, field, check_number(owner, field, getattr(leaf, field)))
    if leaf.q is not None:
        q = check_number(owner, "q", leaf.q)
        if q <= 0:
            raise ValueError(f"{owner}: q must be positive, got {leaf.q!r}")
        object.__setattr__(leaf, "q", q)
    return owner


def _check_bounds(owner: str, low: float, high: float) -> None:
    if low >= high:
        raise ValueError(f"{owner}: low ({low!r}) must be less than high ({high!r})")


def _check_grid(owner: str, low: float, high: float, q: float | None) -> None:
    """A quantized bounded leaf needs at least one multiple of q inside its bounds."""
    if q is not None and grid_steps(low, high, q)[0] > grid_steps(low, high, q)[1]:
        raise ValueError(f"{owner}: no multiple of q={q!r} lies in [{low!r}, {high!r}]")


@attrs.frozen
class Uniform(Space[float]):
    """A float drawn uniformly from ``[low, high]``.

    With ``q``, the value is a multiple of ``q`` inside the bounds, each multiple equally likely.

    >>> Uniform(0.0, 1.0, q=0.25)
    Uniform(low=0.0, high=1.0, q=0.25, name=None)
    """

    low: float
    high: float
    q: float | None = attrs.field(default=None, kw_only=True)
    name: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        owner = _normalize_float(self, "low", "high")
        _check_bounds(owner, self.low, self.high)
        _check_grid(owner, self.low, self.high, self.q)


@attrs.frozen
class LogUniform(Space[float]):
    """A float whose logarithm is uniform: bounds are given as values, ``0 < low < high``.

    >>> LogUniform(1e-5, 1e-1).high
    0.1
    """

    low: float
    high: float
    q: float | None = attrs.field(default=None, kw_only=True)
    name: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        owner = _normalize_float(self, "low", "high")
        if self.low <= 0:
            raise ValueError(f"{owner}: low must be positive on a log scale, got {self.low!r}")
        _check_bounds(owner, self.low, self.high)
        _check_grid(owner, self.low, self.high, self.q)


@attrs.frozen
class Normal(Space[float]):
    """An unbounded float drawn from a normal distribution; ``q`` rounds to multiples of q.

    >>> Normal(0.0, 1.0).sigma
    1.0
    """

    mu: float
    sigma: float
    q: float | None = attrs.field(default=None, kw_only=True)
    name: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        owner = _normalize_float(self, "mu", "sigma")
        if self.sigma <= 0:
            raise ValueError(f"{owner}: sigma must be positive, got {self.sigma!r}")


@attrs.frozen
class LogNormal(Space[float]):
    """A positive float ``exp(N(mu, sigma))``; with ``q``, a positive multiple of ``q``.

    >>> LogNormal(0.0, 1.0, q=1.0).q
    1.0
    """

    mu: float
    sigma: float
    q: float | None = attrs.field(default=None, kw_only=True)
    name: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        owner = _normalize_float(self, "mu", "sigma")
        if self.sigma <= 0:
            raise ValueError(f"{owner}: sigma must be positive, got {self.sigma!r}")


def _check_int_bounds(leaf: IntUniform | IntLogUniform) -> str:
    owner = describe(type(leaf).__name__, leaf.name)
    check_name(owner, leaf.name)
    check_int(owner, "low", leaf.low)
    check_int(owner, "high", leaf.high)
    if leaf.low >= leaf.high:
        raise ValueError(f"{owner}: low ({leaf.low!r}) must be less than high ({leaf.high!r})")
    return owner


@attrs.frozen
class IntUniform(Space[int]):
    """An int from ``low`` to ``high``, both included, every value equally likely.

    >>> IntUniform(1, 4)
    IntUniform(low=1, high=4, name=None)
    """

    low: int
    high: int
    name: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        _check_int_bounds(self)


@attrs.frozen
class IntLogUniform(Space[int]):
    """An int from ``low >= 1`` to ``high`` (both included) on a log scale.

    The value is ``round(x)`` for ``x`` log-uniform on ``[low - 1/2, high + 1/2]``, so small
    values are more likely and every value keeps a non-zero mass.

    >>> IntLogUniform(1, 1024).high
    1024
    """

    low: int
    high: int
    name: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        owner = _check_int_bounds(self)
        if self.low < 1:
            raise ValueError(f"{owner}: low must be at least 1 on a log scale, got {self.low!r}")


@attrs.frozen(init=False)
class Const(Space[T_co]):
    """A fixed value: a space with exactly one point.

    >>> Const("adam").value
    'adam'
    """

    # Excluded from the hash so that unhashable constants (lists, dicts) are allowed.  The
    # class is frozen, which makes the covariant field safe; mypy's attrs plugin cannot see it.
    value: T_co = attrs.field(hash=False, eq=typed_key)  # type: ignore[misc]

    def __init__(self, value: T_co, /) -> None:
        self.__attrs_init__(value)  # pyright: ignore[reportAttributeAccessIssue]


def _check_weights(owner: str, weights: Sequence[float] | None, n: int) -> tuple[float, ...] | None:
    if weights is None:
        return None
    checked = tuple(check_number(owner, f"weights[{i}]", w) for i, w in enumerate(weights))
    if len(checked) != n:
        raise ValueError(f"{owner}: {len(checked)} weights given for {n} options")
    for i, w in enumerate(checked):
        if w < 0:
            raise ValueError(f"{owner}: weights[{i}] must not be negative, got {w!r}")
    if sum(checked) <= 0:
        raise ValueError(f"{owner}: weights must not sum to zero")
    # Kept as written (serialization round-trips exactly); backends normalize.
    return checked


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
    JSON-like dicts and lists containing spaces count as spaces.

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
        from typedspace.nodes._combinators import as_space_if_nested

        owner = describe("Choice", name)
        check_name(owner, name)
        if not options:
            raise ValueError(f"{owner}: needs at least one option")
        converted = tuple(as_space_if_nested(o) for o in options)
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
    def is_conditional(self) -> bool:
        """True when some option is a space (its parameters are active only when chosen)."""
        return any(isinstance(o, Space) for o in self.options)
