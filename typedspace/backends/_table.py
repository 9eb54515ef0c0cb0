"""The flattened parameter table: what the optimization algorithms see instead of nodes.

It is the only interface between the space's backends and ``typedspace.algorithms``: it
imports no node class.

Each leaf of a space becomes one row: a name, a distribution over *assignment values* (floats,
ints, or option indices for categoricals) and the condition under which it is active.  The
algorithms in ``typedspace.algorithms`` work only on this table.
"""

from __future__ import annotations

import hashlib
import math
import re
import sys
from collections.abc import Mapping
from typing import Literal, Protocol, TypeAlias, cast

import attrs
import numpy as np
import numpy.typing as npt

from typedspace._grid import decimals_of
from typedspace.distributions._base import ContinuousDistribution, DiscreteDistribution

#: A point of a space as the algorithms see it: parameter name -> value, active parameters only.
#: Floats and ints are the parameter's values; a categorical's value is the index of its option.
Assignment: TypeAlias = Mapping[str, float | int]

FloatArray: TypeAlias = npt.NDArray[np.float64]

_LARGEST = sys.float_info.max
_SMALLEST = math.ulp(0.0)  # the smallest positive float

#: An object address in a repr (``<function f at 0x7f3a...>``): it changes from run to run.
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
#: The repr of a numpy scalar (numpy >= 2): ``np.int64(3)``, ``np.str_('a')``, ``np.True_``.
_NUMPY_SCALAR = re.compile(r"np\.(?:u?int\d+|float\d+|complex\d+|str_|bytes_)\((.*)\)", re.DOTALL)
_NUMPY_BOOL = {"np.True_": "True", "np.False_": "False"}


def stable_label(label: str) -> str:
    """An option's label as it stays from run to run and across numpy versions: a numpy
    scalar shows as the Python value it equals (``np.int64(3)`` -> ``3``, as numpy 1 printed
    it), and an object address is dropped (``<function relu at 0x7f..>`` -> ``<function
    relu>``).  Labels enter the table's fingerprint, which must not change between runs.

    >>> stable_label("np.int64(3)"), stable_label("np.True_"), stable_label("np.str_('a')")
    ('3', 'True', "'a'")
    >>> stable_label("<function relu at 0x7f3a2c1b9d30>")
    '<function relu>'
    """
    match = _NUMPY_SCALAR.fullmatch(label)
    if match is not None:
        return match.group(1)
    return _NUMPY_BOOL.get(label) or _ADDRESS.sub("", label)


def _stable_labels(labels: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(stable_label(label) for label in labels)


@attrs.frozen
class Clause:
    """``param``'s assignment value is one of ``allowed``."""

    param: str
    allowed: frozenset[float | int]


#: A conjunction of clauses, outermost first; the empty condition is "always active".
Condition: TypeAlias = tuple[Clause, ...]


def holds(condition: Condition, assignment: Assignment) -> bool:
    """Whether every clause of ``condition`` holds under ``assignment``."""
    return all(c.param in assignment and assignment[c.param] in c.allowed for c in condition)


class UnitWarp(Protocol):
    """Maps a custom distribution's values to the unit interval and back (via its CDF)."""

    def to_unit(self, x: FloatArray) -> FloatArray: ...
    def from_unit(self, u: FloatArray) -> FloatArray: ...
    def sample(self, rng: np.random.Generator, n: int) -> npt.NDArray[np.generic]: ...


@attrs.frozen
class ContinuousWarp:
    """``u = cdf(x)``: under the prior, ``u`` is uniform on [0, 1]."""

    dist: ContinuousDistribution

    def to_unit(self, x: FloatArray) -> FloatArray:
        return np.asarray(self.dist.cdf(np.asarray(x, dtype=np.float64)), dtype=np.float64)

    def from_unit(self, u: FloatArray) -> FloatArray:
        return np.asarray(self.dist.ppf(np.clip(u, 0.0, 1.0)), dtype=np.float64)

    def sample(self, rng: np.random.Generator, n: int) -> npt.NDArray[np.generic]:
        return np.asarray(self.dist.sample(rng, n), dtype=np.float64)


@attrs.frozen
class DiscreteWarp:
    """Each value ``k`` owns the cell ``(cdf(k-1), cdf(k)]`` of the unit interval, whose width
    is its probability; values map to their cell's middle and back by bisection on the CDF."""

    dist: DiscreteDistribution

    def to_unit(self, x: FloatArray) -> FloatArray:
        k = np.rint(np.asarray(x, dtype=np.float64)).astype(np.int64)
        return (np.asarray(self.dist.cdf(k - 1)) + np.asarray(self.dist.cdf(k))) / 2

    def from_unit(self, u: FloatArray) -> FloatArray:
        low, high = self.dist.support()
        u = np.clip(np.asarray(u, dtype=np.float64), 0.0, 1.0)
        lo = np.full(u.shape, low - 1, dtype=np.int64)  # cdf(lo) < u (or lo = low - 1)
        hi = np.full(u.shape, high, dtype=np.int64)  # cdf(hi) >= u
        while np.any(hi - lo > 1):
            mid = (lo + hi) // 2
            above = np.asarray(self.dist.cdf(mid)) >= u
            hi = np.where(above, mid, hi)
            lo = np.where(above, lo, mid)
        return np.maximum(hi, low).astype(np.float64)

    def sample(self, rng: np.random.Generator, n: int) -> npt.NDArray[np.generic]:
        return np.asarray(self.dist.sample(rng, n), dtype=np.int64)


@attrs.frozen
class NumericParam:
    """A float or int parameter, modelled on an internal axis ``z``.

    ``z`` is the value itself, or its logarithm when ``log``.  The prior on ``z`` is uniform on
    ``[z_low, z_high]`` or, for ``prior == "normal"``, ``N(mu, sigma)``.  A value is obtained
    from ``z`` by ``to_value``: exponentiate if ``log``, round to multiples of ``q`` and clip
    into ``[low, high]``.  Integers are the case ``q == 1``; their ``z`` bounds reach half a
    step past the end values so that every integer gets its full share of mass.
    """

    name: str
    condition: Condition
    is_int: bool
    log: bool
    q: float | None
    low: float
    high: float
    prior: Literal["uniform", "normal"]
    z_low: float
    z_high: float
    mu: float
    sigma: float
    #: For a custom distribution: ``z`` is its CDF, uniform on [0, 1] under the prior.
    warp: UnitWarp | None = None

    def sample(
        self, rng: np.random.Generator, n: int
    ) -> npt.NDArray[np.float64] | npt.NDArray[np.int64]:
        """``n`` values drawn from the prior (one vectorized call)."""
        if self.warp is not None:
            drawn = np.clip(self.warp.sample(rng, n), self.low, self.high)
            if self.is_int:
                return cast("npt.NDArray[np.int64]", drawn.astype(np.int64))
            return cast("npt.NDArray[np.float64]", drawn.astype(np.float64))
        if self.prior == "uniform":
            z = rng.uniform(self.z_low, self.z_high, size=n)
        else:
            z = rng.normal(self.mu, self.sigma, size=n)
        return self.to_value(z)

    def to_value(self, z: FloatArray) -> npt.NDArray[np.float64] | npt.NDArray[np.int64]:
        """Map internal coordinates to values inside the support."""
        with np.errstate(over="ignore"):  # exp() and the rounding may overflow: clamped below
            if self.warp is not None:
                x = self.warp.from_unit(np.asarray(z, dtype=np.float64))
            else:
                x = np.exp(z) if self.log else np.asarray(z, dtype=np.float64)
            if self.q is not None:
                # Rounding to q's own decimals removes float noise: 3 * 0.05 -> 0.15, not
                # 0.15000000000000002.  + 0.0: no -0.0.
                x = np.round(np.round(x / self.q) * self.q, decimals_of(self.q)) + 0.0
        # Into the finite floats, positive ones on a log scale: a normal prior's far tail (or
        # an optimizer's proposal there) overflows exp(), and rounding to q can too.
        x = np.clip(
            x, max(self.low, _SMALLEST if self.log else -_LARGEST), min(self.high, _LARGEST)
        )
        if self.is_int:
            return cast("npt.NDArray[np.int64]", x.astype(np.int64))
        return x

    def to_internal(self, values: npt.ArrayLike) -> FloatArray:
        """Map values to internal coordinates (the inverse of ``to_value`` on the support)."""
        x = np.asarray(values, dtype=np.float64)
        if self.warp is not None:
            return self.warp.to_unit(x)
        return np.log(x) if self.log else x

    def contains(self, value: float) -> bool:
        """Whether ``value`` is a possible value of this parameter."""
        if not (self.low <= value <= self.high) or not math.isfinite(value):
            return False
        if self.q is not None:
            k = value / self.q
            return abs(k - round(k)) <= 1e-9 * max(1.0, abs(k))
        return not self.is_int or float(value).is_integer()


@attrs.frozen
class CategoricalParam:
    """A choice among ``len(weights)`` options; the assignment value is the option's index."""

    name: str
    condition: Condition
    weights: tuple[float, ...]
    #: One per option, as ``stable_label`` makes them (they enter the fingerprint).
    labels: tuple[str, ...] = attrs.field(converter=_stable_labels)

    @property
    def size(self) -> int:
        return len(self.weights)

    def sample(self, rng: np.random.Generator, n: int) -> npt.NDArray[np.int64]:
        # Inverse CDF: several times faster than rng.choice(p=...) for small n.
        cumulative = np.cumsum(self.weights)
        index = np.searchsorted(cumulative, rng.random(n) * cumulative[-1], side="right")
        result: npt.NDArray[np.int64] = np.minimum(index, self.size - 1).astype(np.int64)
        return result

    def contains(self, value: float) -> bool:
        return float(value).is_integer() and 0 <= value < self.size


Param: TypeAlias = NumericParam | CategoricalParam


def check_stable(param: Param) -> None:
    """A custom distribution enters the fingerprint as its repr; one with an object address
    in it (the default ``<... object at 0x...>``, or a field holding such an object) would
    give a new fingerprint on every run, and a stored study could never be resumed.  That is
    refused here, when the space is first used, not on the resume."""
    if not isinstance(param, NumericParam) or param.warp is None:
        return
    dist = getattr(param.warp, "dist", param.warp)
    text = repr(dist)
    if _ADDRESS.search(text):
        cls = type(dist)
        raise TypeError(
            f"parameter {param.name!r}: the custom distribution {cls.__qualname__} is described "
            f"as {text!r}, which holds an object address that changes on every run, so a "
            f"stored study could not recognize its space when resumed; make {cls.__qualname__} "
            "a frozen attrs class (@attrs.frozen) with its parameters as fields (or give it "
            "a __repr__, __eq__ and __hash__ over its parameters), and check it with "
            "typedspace.testing.check_distribution"
        )


@attrs.frozen
class ParamTable:
    """All parameters of a space, parents (selectors) before the parameters they condition."""

    params: tuple[Param, ...]
    index: Mapping[str, int] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "index", {p.name: i for i, p in enumerate(self.params)})

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    def __getitem__(self, name: str) -> Param:
        return self.params[self.index[name]]

    def __len__(self) -> int:
        return len(self.params)

    def is_active(self, param: Param, assignment: Assignment) -> bool:
        """Whether ``param`` is active under ``assignment`` (its condition holds)."""
        return holds(param.condition, assignment)

    def text(self) -> str:
        """One line per parameter: how a stored study describes its space.

        It never holds an object address, which would differ on every run: a custom
        distribution whose repr has one (a plain class without ``__repr__``) is a
        ``TypeError`` saying how to fix it (see ``check_stable``).
        """
        for p in self.params:
            check_stable(p)
        return "\n".join(repr(p) for p in self.params)

    def fingerprint(self) -> str:
        """A digest of the table: equal for spaces whose assignments are interchangeable
        (and from run to run: see ``text``)."""
        return hashlib.sha256(self.text().encode()).hexdigest()[:16]

    def groups(self) -> dict[Condition, tuple[Param, ...]]:
        """Parameters grouped by condition: each group is active or inactive as a whole."""
        out: dict[Condition, list[Param]] = {}
        for p in self.params:
            out.setdefault(p.condition, []).append(p)
        return {c: tuple(ps) for c, ps in out.items()}

    def active_masks(
        self, columns: Mapping[str, npt.NDArray[np.generic]]
    ) -> dict[str, npt.NDArray[np.bool_]]:
        """For columns of ``n`` assignment values per parameter, which rows have each active."""
        n = len(next(iter(columns.values()))) if columns else 0
        masks: dict[str, npt.NDArray[np.bool_]] = {}
        for p in self.params:
            mask = np.ones(n, dtype=bool)
            if p.condition:
                last = p.condition[-1]
                parent = masks[last.param]
                mask = parent & np.isin(columns[last.param], list(last.allowed))
            masks[p.name] = mask
        return masks

    def sample_assignments(self, rng: np.random.Generator, n: int) -> list[dict[str, float | int]]:
        """``n`` assignments drawn from the prior, each holding its active parameters only."""
        columns = {p.name: p.sample(rng, n) for p in self.params}
        masks = {name: m.tolist() for name, m in self.active_masks(columns).items()}
        lists = {name: col.tolist() for name, col in columns.items()}
        return [{name: lists[name][i] for name in self.names if masks[name][i]} for i in range(n)]

    def validate(self, assignment: Assignment) -> dict[str, float | int]:
        """Check an assignment against the table: every active parameter present and in
        its support, nothing unknown or inactive.  Returns it with Python numbers."""
        unknown = set(assignment) - set(self.index)
        if unknown:
            raise ValueError(f"assignment names unknown parameter {sorted(unknown)[0]!r}")
        clean: dict[str, float | int] = {}
        for p in self.params:
            active = self.is_active(p, clean)
            if not active:
                if p.name in assignment:
                    raise ValueError(f"parameter {p.name!r} is given but not active")
                continue
            if p.name not in assignment:
                raise ValueError(f"assignment lacks the active parameter {p.name!r}")
            value = assignment[p.name]
            if isinstance(value, bool) or not isinstance(value, int | float | np.number):
                raise TypeError(f"parameter {p.name!r}: expected a number, got {value!r}")
            if not p.contains(float(value)):
                raise ValueError(f"parameter {p.name!r}: {value!r} is outside its support")
            if isinstance(p, CategoricalParam) or p.is_int:
                clean[p.name] = int(value)
            else:
                clean[p.name] = float(value)
        return clean
