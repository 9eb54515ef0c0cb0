"""Leaf nodes: the distributions a search space draws its parameters from, and constants.

Every leaf validates itself at construction, so a bad bound fails on the line that wrote it.
"""

from __future__ import annotations

from typing import Any, TypeVar

import attrs

from typedspace._grid import grid_steps
from typedspace.nodes._base import (
    Space,
    check_int,
    check_name,
    check_number,
    describe,
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
