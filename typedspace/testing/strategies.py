"""Hypothesis strategies: random valid search spaces, and values / assignments of a space.

``spaces()`` builds trees from every node kind so that property tests of a backend see the
whole DSL; ``values(space)`` and ``assignments(space)`` draw points of a given space parameter
by parameter (through the flattened table), so a failing example shrinks to simple numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar, overload

import attrs
import numpy as np
from hypothesis import strategies as st

from typedspace.backends._flatten import flatten
from typedspace.backends._table import CategoricalParam, NumericParam, ParamTable
from typedspace.backends._walk import KindTable
from typedspace.distributions import (
    Beta,
    BoundedPoisson,
    ContinuousDistribution,
    DiscreteDistribution,
    TruncatedExponential,
)
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
    finite_values,
    space_of,
)

T = TypeVar("T")

# --- Module-level building blocks, so that two generated trees compare (and hash) equal. ---


def identity(x: T) -> T:
    """The function of a transparent one-argument ``Map``."""
    return x


def pair(first: Any, second: Any) -> tuple[Any, Any]:
    """A two-argument ``Map`` function (its parameters are named ``first``, ``second``)."""
    return (first, second)


def triple(first: Any, second: Any, third: Any) -> tuple[Any, Any, Any]:
    """A three-argument ``Map`` function."""
    return (first, second, third)


#: The functions generated ``Map`` nodes use, by number of arguments.
MAP_FUNCTIONS: dict[int, Callable[..., Any]] = {1: identity, 2: pair, 3: triple}


@attrs.frozen
class PairRecord:
    """The record class of generated ``Record`` nodes (both fields overridden by spaces)."""

    left: Any
    right: Any


#: Custom distributions generated ``Custom`` leaves draw from (continuous and discrete).
CUSTOM_DISTRIBUTIONS: tuple[ContinuousDistribution | DiscreteDistribution, ...] = (
    Beta(2.0, 5.0),
    TruncatedExponential(scale=0.5, upper=2.0),
    BoundedPoisson(mean=3.0, low=1, high=10),
)

LEAF_KINDS: frozenset[type[Space[Any]]] = frozenset(
    {Uniform, LogUniform, Normal, LogNormal, IntUniform, IntLogUniform, Choice, Const, Custom}
)
INTERIOR_KINDS: frozenset[type[Space[Any]]] = frozenset({Map, Cond, Tuple, Dict, List, Record})
#: Every node kind ``spaces`` can generate (its default).
ALL_KINDS: frozenset[type[Space[Any]]] = LEAF_KINDS | INTERIOR_KINDS

# Grid steps: binary fractions and small integers keep ``k * q / q == k`` exact.
_STEPS = (0.125, 0.25, 0.5, 1.0, 2.0, 10.0)
_DICT_KEYS = ("a", "b", "c", "d", "e")
_BRANCH_KEYS = ("x", "y", "z", "w")

# Plain constants for Const and for Choice options: all distinct under the Choice's own
# duplicate test (same type and ==), and never NaN (NaN != NaN breaks equality of trees).
_constants: st.SearchStrategy[Any] = st.one_of(
    st.integers(-10, 10),
    st.text(alphabet="abcxyz", max_size=3),
    st.floats(-10.0, 10.0, allow_nan=False, allow_subnormal=False),
    st.booleans(),
    st.none(),
)


class _Names:
    """Hands out ``name=`` overrides, unique within one tree.

    They start with ``name_``, which no positional path can produce (dict keys, branch keys
    and ``Map`` parameter names come from fixed lists without that prefix).
    """

    def __init__(self) -> None:
        self.count = 0

    def maybe(self, draw: st.DrawFn) -> str | None:
        if not draw(st.booleans()):
            return None
        self.count += 1
        return f"name_{self.count}"


def _weights(draw: st.DrawFn, n: int) -> list[float] | None:
    if not draw(st.booleans()):
        return None
    weights = draw(st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.0, 7.0]), min_size=n, max_size=n))
    if sum(weights) == 0:
        weights[0] = 1.0  # a zero sum is a construction error, not a space
    return weights


def _quantum(draw: st.DrawFn) -> float | None:
    return draw(st.none() | st.sampled_from(_STEPS))


@attrs.frozen
class _Context:
    """What a generator of one node kind needs: Hypothesis's ``draw``, the depth left for
    children, the kinds allowed, the names handed out so far, and whether this node was
    drawn as an interior node (a Choice is then a Choice of spaces)."""

    draw: st.DrawFn
    depth: int
    kinds: frozenset[type[Space[Any]]]
    names: _Names
    interior: bool = False

    def child(self) -> Space[Any]:
        return _space(self.draw, self.depth - 1, self.kinds, self.names)

    def name(self) -> str | None:
        return self.names.maybe(self.draw)


#: The generator of each node kind (a handler table checked against ``NODE_KINDS``).
_GENERATORS: KindTable[Callable[[_Context], Space[Any]]] = KindTable("strategies")


@_GENERATORS.register(Uniform)
def _uniform(ctx: _Context) -> Space[Any]:
    name, draw = ctx.name(), ctx.draw
    low = draw(st.floats(-1000.0, 1000.0, allow_subnormal=False))
    high = low + draw(st.floats(0.001, 1000.0))
    q = _quantum(draw)
    if q is not None:
        high = max(high, low + 2 * q)  # at least one multiple of q inside the bounds
    return Uniform(low, high, q=q, name=name)


@_GENERATORS.register(LogUniform)
def _log_uniform(ctx: _Context) -> Space[Any]:
    name, draw = ctx.name(), ctx.draw
    low = draw(st.floats(1e-6, 1000.0))
    high = low * draw(st.floats(1.01, 1e4))
    q = _quantum(draw)
    if q is not None:
        high = max(high, low + 2 * q)
    return LogUniform(low, high, q=q, name=name)


@_GENERATORS.register(Normal)
def _normal(ctx: _Context) -> Space[Any]:
    name, draw = ctx.name(), ctx.draw
    mu = draw(st.floats(-100.0, 100.0, allow_subnormal=False))
    return Normal(mu, draw(st.floats(0.001, 100.0)), q=_quantum(draw), name=name)


@_GENERATORS.register(LogNormal)
def _log_normal(ctx: _Context) -> Space[Any]:
    name, draw = ctx.name(), ctx.draw
    # Moderate mu and sigma: exp() of the prior's far tail stays a finite float.
    mu = draw(st.floats(-5.0, 5.0, allow_subnormal=False))
    return LogNormal(mu, draw(st.floats(0.01, 3.0)), q=_quantum(draw), name=name)


@_GENERATORS.register(IntUniform)
def _int_uniform(ctx: _Context) -> Space[Any]:
    name, draw = ctx.name(), ctx.draw
    low = draw(st.integers(-100, 100))
    return IntUniform(low, low + draw(st.integers(1, 1000)), name=name)


@_GENERATORS.register(IntLogUniform)
def _int_log_uniform(ctx: _Context) -> Space[Any]:
    name, draw = ctx.name(), ctx.draw
    low = draw(st.integers(1, 100))
    return IntLogUniform(low, low + draw(st.integers(1, 10_000)), name=name)


@_GENERATORS.register(Custom)
def _custom(ctx: _Context) -> Space[Any]:
    name = ctx.name()
    dist = ctx.draw(st.sampled_from(CUSTOM_DISTRIBUTIONS))
    if isinstance(dist, DiscreteDistribution):
        return Custom(dist, name=name)
    return Custom(dist, name=name)


@_GENERATORS.register(Const)
def _const(ctx: _Context) -> Space[Any]:
    return Const(ctx.draw(_constants))


@_GENERATORS.register(Choice)
def _choice(ctx: _Context) -> Space[Any]:
    draw = ctx.draw
    if ctx.interior:  # a Choice of spaces (conditional choice)
        n = draw(st.integers(1, 3))
        spaces = [ctx.child() for _ in range(n)]
        return Choice(*spaces, weights=_weights(draw, n), name=ctx.name())
    options = draw(
        st.lists(_constants, min_size=1, max_size=5, unique_by=lambda c: (type(c).__name__, c))
    )
    return Choice(*options, weights=_weights(draw, len(options)), name=ctx.name())


@_GENERATORS.register(Map)
def _map(ctx: _Context) -> Space[Any]:
    arity = ctx.draw(st.integers(1, 3))
    return Map(MAP_FUNCTIONS[arity], *[ctx.child() for _ in range(arity)])


@_GENERATORS.register(Cond)
def _cond(ctx: _Context) -> Space[Any]:
    selector = _selector(ctx.draw, ctx.kinds, ctx.names)
    keys = finite_values(selector) or ()  # a selector's values are a small finite set
    return Cond(selector, {key: ctx.child() for key in keys})


@_GENERATORS.register(Tuple)
def _tuple(ctx: _Context) -> Space[Any]:
    return Tuple(*[ctx.child() for _ in range(ctx.draw(st.integers(0, 3)))])


@_GENERATORS.register(List)
def _list(ctx: _Context) -> Space[Any]:
    return List([ctx.child() for _ in range(ctx.draw(st.integers(0, 3)))])


@_GENERATORS.register(Dict)
def _dict(ctx: _Context) -> Space[Any]:
    keys = ctx.draw(st.lists(st.sampled_from(_DICT_KEYS), max_size=3, unique=True))
    return Dict({key: ctx.child() for key in keys})


@_GENERATORS.register(Record)
def _record(ctx: _Context) -> Space[Any]:
    return space_of(PairRecord, left=ctx.child(), right=ctx.child())


def _selector(draw: st.DrawFn, kinds: frozenset[type[Space[Any]]], names: _Names) -> Space[Any]:
    """A Cond selector: a Choice of strings, a small integer range, or a constant."""
    options = ["choice"] if Choice in kinds else []
    options += ["int"] if IntUniform in kinds else []
    options += ["intlog"] if IntLogUniform in kinds else []
    options += ["const"]
    what = draw(st.sampled_from(options))
    if what == "choice":
        keys = draw(st.lists(st.sampled_from(_BRANCH_KEYS), min_size=1, max_size=4, unique=True))
        return Choice(*keys, weights=_weights(draw, len(keys)), name=names.maybe(draw))
    if what == "int":
        low = draw(st.integers(-2, 2))
        return IntUniform(low, low + draw(st.integers(1, 3)), name=names.maybe(draw))
    if what == "intlog":
        low = draw(st.integers(1, 3))
        return IntLogUniform(low, low + draw(st.integers(1, 3)), name=names.maybe(draw))
    return Const(draw(st.sampled_from(_BRANCH_KEYS)))


def _space(
    draw: st.DrawFn, depth: int, kinds: frozenset[type[Space[Any]]], names: _Names
) -> Space[Any]:
    interior = sorted(kinds & INTERIOR_KINDS, key=lambda k: k.__name__)
    if Choice in kinds:
        interior.append(Choice)  # a Choice of spaces (conditional choice)
    # Leaves half of the time keep trees small; depth 0 is leaves only.
    if depth <= 0 or not interior or not draw(st.booleans()):
        kind = draw(st.sampled_from(sorted(kinds & LEAF_KINDS, key=lambda k: k.__name__)))
        return _GENERATORS.lookup(kind)(_Context(draw, depth, kinds, names))
    kind = draw(st.sampled_from(interior))
    return _GENERATORS.lookup(kind)(_Context(draw, depth, kinds, names, interior=True))


@st.composite
def _spaces(draw: st.DrawFn, max_depth: int, kinds: frozenset[type[Space[Any]]]) -> Space[Any]:
    return _space(draw, max_depth, kinds, _Names())


def spaces(
    max_depth: int = 3, kinds: Iterable[type[Space[Any]]] | None = None
) -> st.SearchStrategy[Space[Any]]:
    """Random valid search spaces, nested up to ``max_depth`` interior nodes deep.

    ``kinds`` restricts the node classes used (default: all of them, ``ALL_KINDS``); it must
    contain at least one leaf kind.  Every leaf appears with and without ``q``/``weights``/
    ``name=`` (names are unique within a tree), ``Choice`` holds constants or spaces, ``Cond``
    selectors are Choices, small integer ranges or constants, and ``Map`` uses the module's
    ``identity``/``pair``/``triple`` so that equal trees compare equal.

    >>> from hypothesis import given
    >>> from typedspace import IntUniform, Uniform, sample
    >>> @given(spaces(max_depth=2, kinds={Uniform, IntUniform, Tuple}))
    ... def test_sample_reproducible(space):
    ...     assert sample(space, seed=0) == sample(space, seed=0)
    >>> test_sample_reproducible()
    """
    if isinstance(max_depth, bool) or not isinstance(max_depth, int) or max_depth < 0:
        raise ValueError(f"spaces: max_depth must be a non-negative int, got {max_depth!r}")
    chosen = ALL_KINDS if kinds is None else frozenset(kinds)
    unknown = chosen - ALL_KINDS
    if unknown:
        raise ValueError(f"spaces: unknown node kind(s) {sorted(k.__name__ for k in unknown)}")
    if not chosen & LEAF_KINDS:
        raise ValueError("spaces: kinds must include at least one leaf kind (Uniform, Const, ...)")
    return _spaces(max_depth, chosen)


# --- Points of a given space. ---

# A normal prior's draws lie within 8 sigma of mu except with probability ~1e-15, so values
# beyond that are not ones a sampler produces; bounding them also keeps exp() finite.
_NORMAL_SPAN = 8.0


def _param_value(param: NumericParam | CategoricalParam) -> st.SearchStrategy[float | int]:
    """The possible assignment values of one parameter (with positive prior mass)."""
    if isinstance(param, CategoricalParam):
        return st.sampled_from([i for i, w in enumerate(param.weights) if w > 0])
    if param.warp is not None:
        # A custom distribution: its quantile function maps [0, 1] onto its support.
        unit = st.floats(0.0, 1.0, allow_subnormal=False)
        return unit.map(lambda u: param.to_value(np.array([u])).tolist()[0])
    if param.is_int:
        return st.integers(int(param.low), int(param.high))
    low, high = param.low, param.high
    if param.prior == "normal":
        lo_z = param.mu - _NORMAL_SPAN * param.sigma
        hi_z = param.mu + _NORMAL_SPAN * param.sigma
        lo, hi = (math.exp(lo_z), math.exp(hi_z)) if param.log else (lo_z, hi_z)
        low, high = max(low, lo), min(high, hi)
    if param.q is not None:
        q = param.q
        # ``k * q`` is exactly what the sampler's ``round(x / q) * q`` produces.
        k_low, k_high = math.ceil(low / q), max(math.ceil(low / q), math.floor(high / q))
        return st.integers(k_low, k_high).map(lambda k: k * q)
    if param.log and param.prior == "normal":
        return st.floats(low, high, exclude_min=True)  # exp() is never 0
    return st.floats(low, high)


def _active_assignment(table: ParamTable) -> st.SearchStrategy[dict[str, float | int]]:
    @st.composite
    def draw_assignment(draw: st.DrawFn) -> dict[str, float | int]:
        assignment: dict[str, float | int] = {}
        for param in table.params:  # parents come before the parameters they condition
            if table.is_active(param, assignment):
                assignment[param.name] = draw(_param_value(param))
        return assignment

    return draw_assignment()


def assignments(
    space: Space[Any] | Mapping[str, object] | list[object],
) -> st.SearchStrategy[dict[str, float | int]]:
    """Assignments of ``space``'s flattened table: its active parameters only, each value in
    its support (option indices for categoricals, options of zero weight excluded).

    >>> from hypothesis import given
    >>> from typedspace import Choice, Cond, Uniform, flatten
    >>> space = Cond(Choice("a", "b"), {"a": Uniform(0.0, 1.0), "b": Choice(1, 2)})
    >>> @given(assignments(space))
    ... def test_valid(assignment):
    ...     assert flatten(space).table.validate(assignment) == assignment
    >>> test_valid()
    """
    return _active_assignment(flatten(space).table)


@overload
def values(space: Space[T]) -> st.SearchStrategy[T]: ...
@overload
def values(space: Mapping[str, object]) -> st.SearchStrategy[dict[str, Any]]: ...
@overload
def values(space: list[object]) -> st.SearchStrategy[list[Any]]: ...
def values(space: Space[Any] | Mapping[str, object] | list[object]) -> st.SearchStrategy[Any]:
    """Values of ``space``, drawn parameter by parameter and decoded, so they shrink well.

    >>> from hypothesis import given
    >>> from typedspace import IntUniform, LogUniform
    >>> @given(values({"lr": LogUniform(1e-4, 1e-1), "layers": IntUniform(1, 4)}))
    ... def test_config(config):
    ...     assert 1 <= config["layers"] <= 4
    >>> test_config()
    """
    flat = flatten(space)
    return _active_assignment(flat.table).map(flat.decode)
