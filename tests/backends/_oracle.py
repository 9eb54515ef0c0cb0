"""An independent membership test for the property tests of the backends.

``fits`` is written from the node definitions (not from the table), so it checks both the
values and their exact Python types.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from typedspace import (
    CategoricalParam,
    Choice,
    Cond,
    Const,
    Custom,
    Dict,
    IntLogUniform,
    IntUniform,
    List,
    LogNormal,
    LogUniform,
    Map,
    Normal,
    Record,
    Space,
    Tuple,
    Uniform,
    flatten,
)
from typedspace.distributions import DiscreteDistribution
from typedspace.testing.strategies import identity, pair, triple

seeds = st.integers(0, 2**32 - 1)


def _on_grid(value: float, q: float | None) -> bool:
    if q is None:
        return True
    k = value / q
    return abs(k - round(k)) <= 1e-9 * max(1.0, abs(k))


def fits(space: Space[Any], value: object) -> bool:
    """Whether ``space`` can produce ``value``, with the exact Python type it declares."""
    if isinstance(space, Uniform | LogUniform):
        return (
            type(value) is float and space.low <= value <= space.high and _on_grid(value, space.q)
        )
    if isinstance(space, Normal):
        return type(value) is float and math.isfinite(value) and _on_grid(value, space.q)
    if isinstance(space, LogNormal):
        floor = space.q if space.q is not None else 0.0
        return (
            type(value) is float
            and floor <= value < math.inf
            and value > 0
            and _on_grid(value, space.q)
        )
    if isinstance(space, IntUniform | IntLogUniform):
        return type(value) is int and space.low <= value <= space.high
    if isinstance(space, Custom):
        low, high = space.dist.support()
        kind = int if isinstance(space.dist, DiscreteDistribution) else float
        return type(value) is kind and low <= value <= high
    if isinstance(space, Const):
        return _same_constant(space.value, value)
    if isinstance(space, Choice):
        return any(
            fits(o, value) if isinstance(o, Space) else _same_constant(o, value)
            for o in space.options
        )
    if isinstance(space, Map):
        if space.f is identity:
            return fits(space.args[0], value)
        assert space.f in (pair, triple), f"unexpected Map function {space.f!r}"
        return _fits_all(space.args, value, tuple)
    if isinstance(space, Cond):
        return any(fits(branch, value) for _, branch in space.branches)
    if isinstance(space, Tuple):
        return _fits_all(space.items, value, tuple)
    if isinstance(space, List):
        return _fits_all(space.items, value, list)
    if isinstance(space, Dict):
        return (
            type(value) is dict
            and list(value) == [k for k, _ in space.items]
            and all(fits(s, value[k]) for k, s in space.items)
        )
    if isinstance(space, Record):
        return type(value) is space.cls and all(fits(s, getattr(value, k)) for k, s in space.fields)
    raise AssertionError(f"unknown node {space!r}")


def _same_constant(expected: object, value: object) -> bool:
    return type(value) is type(expected) and value == expected


def _fits_all(items: Sequence[Space[Any]], value: object, kind: type) -> bool:
    return (
        type(value) is kind
        and len(value) == len(items)  # type: ignore[arg-type]
        and all(fits(s, v) for s, v in zip(items, value, strict=True))  # type: ignore[call-overload]
    )


def check_assignment_types(space: Space[Any], assignment: dict[str, float | int]) -> None:
    """Assignment values are Python ints (categoricals, integer leaves) or floats."""
    table = flatten(space).table
    for name, value in assignment.items():
        param = table[name]
        integral = isinstance(param, CategoricalParam) or param.is_int
        assert type(value) is (int if integral else float), (name, value)
