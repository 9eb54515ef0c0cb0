"""Flattening backend: a space tree -> its parameter table, and assignments -> typed values.

``flatten(space)`` folds the walk's sites (which name every parameter by its position,
``optimizer.adam.lr``, ``layers[0]``, or by its ``name=``, and give its condition) into the
table's rows and a decoder compiled once, which turns one row of assignment values into the
typed value the space describes: decoding many samples never walks the tree again.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeAlias, TypeVar, overload

import attrs

from typedspace._grid import float_axis, int_axis
from typedspace.backends._table import (
    Assignment,
    CategoricalParam,
    ContinuousWarp,
    DiscreteWarp,
    NumericParam,
    Param,
    ParamTable,
)
from typedspace.backends._walk import Fold, Site, walk
from typedspace.distributions._base import DiscreteDistribution
from typedspace.nodes import (
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
)
from typedspace.nodes._containers import as_root_space

T = TypeVar("T")

#: Reads the value of a space from one row of assignment values (indexed like the table).
Decoder: TypeAlias = Callable[[Sequence[Any]], Any]

#: A subtree compiled: its decoder and its parameters in slot order.
Compiled: TypeAlias = tuple[Decoder, tuple[Param, ...]]


@attrs.frozen(eq=False)
class FlatSpace:
    """A space's parameter table and the compiled decoder of its rows."""

    space: Space[Any]
    table: ParamTable
    decoder: Decoder

    def decode(self, assignment: Assignment) -> Any:
        """The typed value for ``assignment`` (active parameters only are read)."""
        row = [assignment.get(name) for name in self.table.names]
        try:
            return self.decoder(row)
        except _MissingParameter as missing:
            raise ValueError(f"assignment lacks the active parameter {missing.name!r}") from None


class _MissingParameter(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


FLATTEN: Fold[Compiled] = Fold("flatten")


def _read(site: Site) -> Decoder:
    slot, name = site.slot, site.name
    assert slot is not None and name is not None

    def read(row: Sequence[Any]) -> Any:
        value = row[slot]
        if value is None:
            raise _MissingParameter(name)
        return value

    return read


def _constant(value: object, row: Sequence[Any]) -> object:
    return value


def _label(option: object) -> str:
    if isinstance(option, Space):
        return f"<{type(option).__name__}>"
    return repr(option)


@FLATTEN.register(Uniform, LogUniform)
def _bounded(site: Site, parts: list[Compiled]) -> Compiled:
    leaf: Uniform | LogUniform = site.node
    log = isinstance(leaf, LogUniform)
    q = leaf.q
    # With q the support is the grid of multiples of q inside the bounds.
    low, high, z_low, z_high = float_axis(leaf.low, leaf.high, q, log)
    mid, width = (z_low + z_high) / 2, z_high - z_low
    param = NumericParam(
        _name(site), site.condition, False, log, q, low, high, "uniform", z_low, z_high, mid, width
    )
    return _read(site), (param,)


@FLATTEN.register(Normal, LogNormal)
def _normal(site: Site, parts: list[Compiled]) -> Compiled:
    leaf: Normal | LogNormal = site.node
    log, q, inf = isinstance(leaf, LogNormal), leaf.q, math.inf
    low = (q if q is not None else 0.0) if log else -inf
    param = NumericParam(
        _name(site),
        site.condition,
        False,
        log,
        q,
        low,
        inf,
        "normal",
        -inf,
        inf,
        leaf.mu,
        leaf.sigma,
    )
    return _read(site), (param,)


@FLATTEN.register(IntUniform, IntLogUniform)
def _integer(site: Site, parts: list[Compiled]) -> Compiled:
    leaf: IntUniform | IntLogUniform = site.node
    log = isinstance(leaf, IntLogUniform)
    z_low, z_high = int_axis(leaf.low, leaf.high, log)
    mid, width = (z_low + z_high) / 2, z_high - z_low
    low, high = float(leaf.low), float(leaf.high)
    param = NumericParam(
        _name(site), site.condition, True, log, 1.0, low, high, "uniform", z_low, z_high, mid, width
    )
    return _read(site), (param,)


@FLATTEN.register(Custom)
def _custom(site: Site, parts: list[Compiled]) -> Compiled:
    """A custom leaf is modelled on the unit interval through its CDF."""
    leaf: Custom[Any] = site.node
    dist = leaf.dist
    low, high = dist.support()
    is_int = isinstance(dist, DiscreteDistribution)
    warp = DiscreteWarp(dist) if isinstance(dist, DiscreteDistribution) else ContinuousWarp(dist)
    param = NumericParam(
        _name(site),
        site.condition,
        is_int,
        False,
        None,
        float(low),
        float(high),
        "uniform",
        0.0,
        1.0,
        0.5,
        1.0,
        warp,
    )
    return _read(site), (param,)


@FLATTEN.register(Const)
def _const(site: Site, parts: list[Compiled]) -> Compiled:
    value = site.node.value
    return (lambda row: value), ()


@FLATTEN.register(Choice)
def _choice(site: Site, parts: list[Compiled]) -> Compiled:
    node: Choice[Any] = site.node
    labels = tuple(_label(o) for o in node.options)
    param = CategoricalParam(_name(site), site.condition, node.probabilities, labels)
    options: list[Decoder] = [functools.partial(_constant, option) for option in node.options]
    for index, (decoder, _) in zip(site.keys, parts, strict=True):
        options[index] = decoder
    read = _read(site)
    return (lambda row: options[read(row)](row)), (param, *_params(parts))


@FLATTEN.register(Map)
def _map(site: Site, parts: list[Compiled]) -> Compiled:
    f = site.node.f
    decoders = [decoder for decoder, _ in parts]
    if len(decoders) == 1:
        inner = decoders[0]
        return (lambda row: f(inner(row))), _params(parts)
    return (lambda row: f(*[d(row) for d in decoders])), _params(parts)


@FLATTEN.register(Cond)
def _cond(site: Site, parts: list[Compiled]) -> Compiled:
    (select, _), *branch_parts = parts
    branches = {key: decoder for key, (decoder, _) in zip(site.keys[1:], branch_parts, strict=True)}
    return (lambda row: branches[select(row)](row)), _params(parts)


@FLATTEN.register(Tuple)
def _tuple(site: Site, parts: list[Compiled]) -> Compiled:
    decoders = [decoder for decoder, _ in parts]
    return (lambda row: tuple(d(row) for d in decoders)), _params(parts)


@FLATTEN.register(List)
def _list(site: Site, parts: list[Compiled]) -> Compiled:
    decoders = [decoder for decoder, _ in parts]
    return (lambda row: [d(row) for d in decoders]), _params(parts)


@FLATTEN.register(Dict)
def _dict(site: Site, parts: list[Compiled]) -> Compiled:
    named = [(key, decoder) for key, (decoder, _) in zip(site.keys, parts, strict=True)]
    return (lambda row: {k: d(row) for k, d in named}), _params(parts)


@FLATTEN.register(Record)
def _record(site: Site, parts: list[Compiled]) -> Compiled:
    cls = site.node.cls
    named = [(key, decoder) for key, (decoder, _) in zip(site.keys, parts, strict=True)]
    return (lambda row: cls(**{k: d(row) for k, d in named})), _params(parts)


def _name(site: Site) -> str:
    assert site.name is not None
    return site.name


def _params(parts: list[Compiled]) -> tuple[Param, ...]:
    return tuple(p for _, params in parts for p in params)


@functools.lru_cache(maxsize=256)
def _flatten_cached(space: Space[Any]) -> FlatSpace:
    decoder, params = FLATTEN(walk(space))
    return FlatSpace(space, ParamTable(params), decoder)


def flatten(space: Space[Any] | Mapping[str, Any] | list[Any]) -> FlatSpace:
    """The parameter table and decoder of ``space`` (cached per space).

    >>> from typedspace import Choice, LogUniform
    >>> flatten({"lr": LogUniform(1e-4, 1e-1), "act": Choice("relu", "gelu")}).table.names
    ('lr', 'act')
    """
    return _flatten_cached(as_root_space(space))


# Like ``sample``: a plain dict or list of spaces is accepted and decodes to a dict or list.
@overload
def decode(space: Space[T], assignment: Assignment) -> T: ...
@overload
def decode(space: Mapping[str, object], assignment: Assignment) -> dict[str, Any]: ...
@overload
def decode(space: list[object], assignment: Assignment) -> list[Any]: ...
def decode(space: Space[Any] | Mapping[str, object] | list[object], assignment: Assignment) -> Any:
    """The typed value of ``space`` at ``assignment`` (a name -> value mapping).

    >>> from typedspace import Choice
    >>> decode(Choice("relu", "gelu"), {"value": 1})
    'gelu'
    """
    return flatten(space).decode(assignment)
