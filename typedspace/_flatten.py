"""Flattening backend: a space tree -> its parameter table, and assignments -> typed values.

``flatten(space)`` names every leaf by its position (``optimizer.adam.lr``, ``layers[0]``) or
by its ``name=``, records the condition under which it is active, and compiles a decoder that
turns one row of assignment values into the typed value the space describes.  Compiling once
means decoding many samples never walks the tree again.
"""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar, cast, overload

import attrs

from typedspace._table import (
    Assignment,
    CategoricalParam,
    Clause,
    Condition,
    ContinuousWarp,
    DiscreteWarp,
    NumericParam,
    Param,
    ParamTable,
)
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
    as_space,
)
from typedspace.nodes._base import grid_steps, grid_value

T = TypeVar("T")

#: Reads the value of a space from one row of assignment values (indexed like the table).
Decoder = Callable[[Sequence[Any]], Any]

ROOT_NAME = "value"


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


def join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _label(option: object) -> str:
    if isinstance(option, Space):
        return f"<{type(option).__name__}>"
    return repr(option)


def _arg_names(f: Callable[..., Any], n: int) -> list[str]:
    """Names for the n arguments of ``f``: its positional parameter names when it has them."""
    try:
        params = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        return [f"[{i}]" for i in range(n)]
    positional = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(positional) >= n and len(set(positional[:n])) == n:
        return positional[:n]
    return [f"[{i}]" for i in range(n)]


class _Builder:
    """Walks a tree once, collecting parameters and building the decoder closures."""

    def __init__(self) -> None:
        self.params: list[Param] = []
        self.taken: set[str] = set()

    def add(self, param: Param) -> int:
        if param.name in self.taken:
            raise ValueError(
                f"duplicate parameter name {param.name!r}: two leaves have this name "
                "(give one of them another name= or move it)"
            )
        self.taken.add(param.name)
        self.params.append(param)
        return len(self.params) - 1

    def build(self, space: Space[Any], path: str, condition: Condition) -> Decoder:
        if isinstance(
            space, Uniform | LogUniform | Normal | LogNormal | IntUniform | IntLogUniform
        ):
            name = space.name or path or ROOT_NAME
            slot = self.add(numeric_param(space, name, condition))
            return _read(slot, name)
        if isinstance(space, Custom):
            name = space.name or path or ROOT_NAME
            slot = self.add(custom_param(space, name, condition))
            return _read(slot, name)
        if isinstance(space, Choice):
            return self._choice(space, path, condition)
        if isinstance(space, Const):
            value = space.value
            return lambda row: value
        if isinstance(space, Map):
            f = space.f
            if len(space.args) == 1:
                inner = self.build(space.args[0], path, condition)
                return lambda row: f(inner(row))
            keys = _arg_names(f, len(space.args))
            parts = [
                self.build(a, _child(path, k), condition)
                for a, k in zip(space.args, keys, strict=True)
            ]
            return lambda row: f(*[p(row) for p in parts])
        if isinstance(space, Cond):
            return self._cond(space, path, condition)
        if isinstance(space, Tuple):
            parts = [self.build(s, f"{path}[{i}]", condition) for i, s in enumerate(space.items)]
            return lambda row: tuple(p(row) for p in parts)
        if isinstance(space, List):
            parts = [self.build(s, f"{path}[{i}]", condition) for i, s in enumerate(space.items)]
            return lambda row: [p(row) for p in parts]
        if isinstance(space, Dict):
            named = [(k, self.build(s, join(path, k), condition)) for k, s in space.items]
            return lambda row: {k: p(row) for k, p in named}
        if isinstance(space, Record):
            cls = space.cls
            fields = [(k, self.build(s, join(path, k), condition)) for k, s in space.fields]
            return lambda row: cls(**{k: p(row) for k, p in fields})
        raise TypeError(f"not a search space node: {space!r}")

    def _choice(self, space: Choice[Any], path: str, condition: Condition) -> Decoder:
        name = space.name or path or ROOT_NAME
        raw = space.weights or (1.0,) * len(space.options)
        weights = tuple(w / sum(raw) for w in raw)
        labels = tuple(_label(o) for o in space.options)
        slot = self.add(CategoricalParam(name, condition, weights, labels))
        read = _read(slot, name)
        options: list[Decoder] = []
        for i, option in enumerate(space.options):
            if isinstance(option, Space):
                clause = Clause(name, frozenset([i]))
                options.append(self.build(option, join(name, str(i)), (*condition, clause)))
            else:
                options.append(functools.partial(_constant, option))
        return lambda row: options[read(row)](row)

    def _cond(self, space: Cond[Any], path: str, condition: Condition) -> Decoder:
        selector = space.selector
        select = self.build(selector, path, condition)
        selector_param = None if isinstance(selector, Const) else self.params[-1]
        # At the root the branches hang under the selector's name: value.sgd, not sgd.
        prefix = path or (selector_param.name if selector_param is not None else ROOT_NAME)
        branches: dict[Any, Decoder] = {}
        for key, branch in space.branches:
            clause = None
            if selector_param is not None:
                clause = _selector_clause(selector, selector_param, key)
            sub = condition if clause is None else (*condition, clause)
            branches[key] = self.build(branch, join(prefix, str(key)), sub)
        return lambda row: branches[select(row)](row)


def _child(path: str, key: str) -> str:
    return f"{path}{key}" if key.startswith("[") else join(path, key)


def _constant(value: object, row: Sequence[Any]) -> object:
    return value


def _read(slot: int, name: str) -> Decoder:
    def read(row: Sequence[Any]) -> Any:
        value = row[slot]
        if value is None:
            raise _MissingParameter(name)
        return value

    return read


def _selector_clause(selector: Space[Any], param: Param, key: object) -> Clause | None:
    """The clause "the selector produced ``key``", on the selector's own parameter."""
    if isinstance(selector, Const):
        return None  # a constant selector has one branch, always active
    if isinstance(selector, Choice):
        index = next(i for i, o in enumerate(selector.options) if o == key)
        return Clause(param.name, frozenset([index]))
    return Clause(param.name, frozenset([cast(int, key)]))


def numeric_param(
    leaf: Uniform | LogUniform | Normal | LogNormal | IntUniform | IntLogUniform,
    name: str,
    condition: Condition,
) -> NumericParam:
    """The table row of a numeric leaf (see ``NumericParam`` for the internal axis)."""
    inf = math.inf
    if isinstance(leaf, IntUniform | IntLogUniform):
        log = isinstance(leaf, IntLogUniform)
        lo, hi = leaf.low - 0.5, leaf.high + 0.5
        z_low, z_high = (math.log(lo), math.log(hi)) if log else (lo, hi)
        return NumericParam(
            name,
            condition,
            True,
            log,
            1.0,
            float(leaf.low),
            float(leaf.high),
            "uniform",
            z_low,
            z_high,
            (z_low + z_high) / 2,
            z_high - z_low,
        )
    q = leaf.q
    if isinstance(leaf, Uniform | LogUniform):
        log = isinstance(leaf, LogUniform)
        low, high = leaf.low, leaf.high
        lo, hi = low, high
        if q is not None:
            # Support is the grid of multiples of q inside the bounds; widening by q/2 on the
            # internal axis gives the end points the same mass as the inner points.
            first, last = grid_steps(low, high, q)
            low, high = grid_value(first, q), grid_value(last, q)
            lo, hi = low - q / 2, high + q / 2
            if log:
                lo = max(lo, leaf.low)
        z_low, z_high = (math.log(lo), math.log(hi)) if log else (lo, hi)
        return NumericParam(
            name,
            condition,
            False,
            log,
            q,
            low,
            high,
            "uniform",
            z_low,
            z_high,
            (z_low + z_high) / 2,
            z_high - z_low,
        )
    log = isinstance(leaf, LogNormal)
    low = (q if q is not None else 0.0) if log else -inf
    return NumericParam(
        name, condition, False, log, q, low, inf, "normal", -inf, inf, leaf.mu, leaf.sigma
    )


def custom_param(leaf: Custom[Any], name: str, condition: Condition) -> NumericParam:
    """The table row of a custom leaf: modelled on the unit interval through its CDF."""
    dist = leaf.dist
    low, high = dist.support()
    if isinstance(dist, DiscreteDistribution):
        warp: ContinuousWarp | DiscreteWarp = DiscreteWarp(dist)
    else:
        warp = ContinuousWarp(dist)
    is_int = isinstance(dist, DiscreteDistribution)
    return NumericParam(
        name,
        condition,
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


@functools.lru_cache(maxsize=256)
def _flatten_cached(space: Space[Any]) -> FlatSpace:
    builder = _Builder()
    decoder = builder.build(space, "", ())
    return FlatSpace(space, ParamTable(tuple(builder.params)), decoder)


def flatten(space: Space[Any] | Mapping[str, Any] | list[Any]) -> FlatSpace:
    """The parameter table and decoder of ``space`` (cached per space).

    >>> from typedspace import Choice, LogUniform
    >>> flatten({"lr": LogUniform(1e-4, 1e-1), "act": Choice("relu", "gelu")}).table.names
    ('lr', 'act')
    """
    return _flatten_cached(as_space(space))


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
