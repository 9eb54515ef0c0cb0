"""Leaf nodes: the distributions a search space draws its parameters from, and constants.

Every leaf validates itself at construction, so a bad bound fails on the line that wrote it.
"""

from __future__ import annotations

import math
import sys
from typing import Any, TypeVar

import attrs

from typedspace._grid import EXACT_INT, MAX_DECIMALS, decimals_of, float_axis, int_axis
from typedspace.nodes._base import (
    Space,
    check_int,
    check_name,
    check_number,
    check_positive,
    describe,
    shown,
    typed_key,
)

T_co = TypeVar("T_co", covariant=True)

#: A normal leaf's draws lie within ``_TAIL`` sigmas of ``mu`` but with probability 1.5e-23:
#: its values there must be finite floats (positive ones for ``LogNormal``).  A draw beyond
#: them (or an optimizer's proposal) is clamped into the finite floats.
_TAIL = 10.0
_LOG_LARGEST = math.log(sys.float_info.max)  # exp() of more overflows to inf
_LOG_SMALLEST = math.log(sys.float_info.min)  # exp() of less is subnormal, then 0


def _owner(leaf: Any) -> str:
    owner = describe(type(leaf).__name__, leaf.name)
    check_name(owner, leaf.name)
    return owner


def _normalize_float(leaf: Any, *numbers: str, scale: str | None = None) -> str:
    """Check and convert (numpy numbers to Python floats) a float leaf's fields and ``q``."""
    owner = _owner(leaf)
    for field in numbers:
        object.__setattr__(leaf, field, check_number(owner, field, getattr(leaf, field)))
    if scale is not None:  # optimizers fit kernels a small fraction of a scale wide
        value = check_positive(owner, scale, getattr(leaf, scale))
        if value < sys.float_info.min:
            raise ValueError(
                f"{owner}: {scale} must be at least {sys.float_info.min!r} (the smallest "
                f"normal float), got {value!r}"
            )
        object.__setattr__(leaf, scale, value)
    if leaf.q is not None:
        q = check_positive(owner, "q", leaf.q)
        if decimals_of(q) > MAX_DECIMALS:
            raise ValueError(
                f"{owner}: q={q!r} has {decimals_of(q)} decimals; values are rounded to q's "
                f"decimals, and a float rounds to at most {MAX_DECIMALS}"
            )
        object.__setattr__(leaf, "q", q)
    return owner


def _check_steps(owner: str, reach: float, q: float | None, *, exact: bool) -> None:
    """Values up to magnitude ``reach`` are few enough steps of ``q``: for a bounded leaf
    (``exact``) at most 2**53, so that every multiple is a distinct float; for a normal one,
    few enough that rounding them to q's decimals does not overflow a float."""
    if q is None:
        return
    if exact:
        limit, why = float(EXACT_INT), "2**53 (the steps of a grid must be exact floats)"
    else:
        limit = sys.float_info.max / (q * 10.0 ** decimals_of(q))
        why = f"{limit:.3g} (rounding more to q's decimals overflows a float)"
    if not reach / q <= limit:
        raise ValueError(
            f"{owner}: q={q!r} is too small for values up to {reach:.6g}: they are "
            f"{reach / q:.3g} steps of q, more than {why}"
        )


def _check_bounded(owner: str, leaf: Uniform | LogUniform) -> None:
    """The checks of a bounded float leaf's bounds and grid (a log leaf's low is positive)."""
    low, high, q = leaf.low, leaf.high, leaf.q
    if low >= high:
        raise ValueError(f"{owner}: low ({low!r}) must be less than high ({high!r})")
    _check_steps(owner, max(abs(low), abs(high)), q, exact=True)
    log = isinstance(leaf, LogUniform)
    first, last, z_low, z_high = float_axis(low, high, q, log)
    if first > last:
        raise ValueError(f"{owner}: no multiple of q={q!r} lies in [{low!r}, {high!r}]")
    _check_width(owner, leaf, z_low, z_high, log)


def _check_width(owner: str, leaf: Any, z_low: float, z_high: float, log: bool) -> None:
    """The interval a bounded leaf's internal coordinate is drawn from (``float_axis``,
    ``int_axis``) is one a float resolves: its width and midpoint are finite (optimizers
    take both), and its width is not below the smallest normal float (optimizers fit
    kernels a small fraction of it wide, and kernels of zero width give NaN)."""
    bounds = f"low={leaf.low!r} and high={leaf.high!r}"
    if not abs(z_low) + abs(z_high) < math.inf:
        plus_q = " + q" if getattr(leaf, "q", None) is not None else ""
        raise ValueError(
            f"{owner}: {bounds} are too large: |low| + |high|{plus_q} must be a finite "
            f"float, at most {sys.float_info.max!r} (the interval's width and midpoint)"
        )
    width = z_high - z_low
    if width < sys.float_info.min:
        raise ValueError(
            f"{owner}: {bounds} are too close{' on a log scale' if log else ''} for a float: "
            f"the interval the values are drawn from is {width!r} wide, less than the "
            "smallest normal float"
        )


@attrs.frozen
class Uniform(Space[float]):
    """A float drawn uniformly from ``[low, high]``.

    With ``q``, the value is a multiple of ``q`` inside the bounds, each multiple equally likely.

    Bounds are finite numbers (numpy's too) that a float resolves: ``|low| + |high|`` is a
    finite float (optimizers take the interval's width and midpoint) and ``high - low`` is at
    least the smallest normal float, 2.2e-308.  With ``q``, the bounds are at most 2**53 steps
    of ``q`` from zero (so that every multiple is a distinct float) and ``q`` has at most 308
    decimals.

    >>> Uniform(0.0, 1.0, q=0.25)
    Uniform(low=0.0, high=1.0, q=0.25, name=None)
    """

    low: float
    high: float
    q: float | None = attrs.field(default=None, kw_only=True)
    name: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        _check_bounded(_normalize_float(self, "low", "high"), self)


@attrs.frozen
class LogUniform(Space[float]):
    """A float whose logarithm is uniform: bounds are given as values, ``0 < low < high``.

    The limits of ``Uniform`` apply to the bounds and ``q``, on the log scale for the width:
    ``log(high) - log(low)`` is at least 2.2e-308 (not ``1e300`` and its next float).

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
        _check_bounded(owner, self)


@attrs.frozen
class Normal(Space[float]):
    """An unbounded float drawn from a normal distribution; ``q`` rounds to multiples of q.

    ``mu ± 10 * sigma`` must be finite floats (a draw is beyond with probability 1.5e-23,
    and then clamped into the finite floats) and ``sigma`` at least the smallest normal
    float, 2.2e-308.

    >>> Normal(0.0, 1.0).sigma
    1.0
    """

    mu: float
    sigma: float
    q: float | None = attrs.field(default=None, kw_only=True)
    name: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        owner = _normalize_float(self, "mu", scale="sigma")
        reach = abs(self.mu) + _TAIL * self.sigma
        if not math.isfinite(reach):
            raise ValueError(
                f"{owner}: mu ± 10 * sigma must be finite floats, got mu={self.mu!r}, "
                f"sigma={self.sigma!r}"
            )
        _check_steps(owner, reach, self.q, exact=False)


@attrs.frozen
class LogNormal(Space[float]):
    """A positive float ``exp(N(mu, sigma))``; with ``q``, a positive multiple of ``q``.

    ``exp(mu ± 10 * sigma)`` must be positive finite floats, that is ``mu + 10 * sigma <=
    709.78`` and ``mu - 10 * sigma >= -708.39`` (a draw is beyond with probability 1.5e-23,
    and then clamped into the positive finite floats); ``sigma`` is at least 2.2e-308.

    >>> LogNormal(0.0, 1.0, q=1.0).q
    1.0
    """

    mu: float
    sigma: float
    q: float | None = attrs.field(default=None, kw_only=True)
    name: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        owner = _normalize_float(self, "mu", scale="sigma")
        top, bottom = self.mu + _TAIL * self.sigma, self.mu - _TAIL * self.sigma
        if not top <= _LOG_LARGEST:
            raise ValueError(
                f"{owner}: mu + 10 * sigma = {top!r} is above {_LOG_LARGEST:.2f}: "
                "exp() of it overflows to inf"
            )
        if bottom < _LOG_SMALLEST:
            raise ValueError(
                f"{owner}: mu - 10 * sigma = {bottom!r} is below {_LOG_SMALLEST:.2f}: "
                "exp() of it underflows towards 0, not a positive float"
            )
        _check_steps(owner, math.exp(top), self.q, exact=False)


def _check_int_bounds(leaf: IntUniform | IntLogUniform) -> str:
    owner = _owner(leaf)
    for field in ("low", "high"):
        value = check_int(owner, field, getattr(leaf, field))
        if abs(value) > EXACT_INT:
            raise ValueError(
                f"{owner}: {field} must be between -2**53 and 2**53 (the ints a float "
                f"holds exactly), got {shown(value)}"
            )
        object.__setattr__(leaf, field, value)
    if leaf.low >= leaf.high:
        raise ValueError(f"{owner}: low ({leaf.low!r}) must be less than high ({leaf.high!r})")
    return owner


@attrs.frozen
class IntUniform(Space[int]):
    """An int from ``low`` to ``high``, both included, every value equally likely.

    Bounds are ints (numpy's too) between ``-2**53`` and ``2**53``: the parameter table holds
    values as floats, which represent every int exactly only up to there.

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
    """An int from ``low >= 1`` to ``high <= 2**53`` (both included) on a log scale.

    The value is ``round(x)`` for ``x`` log-uniform on ``[low - 1/2, high + 1/2]``, so small
    values are more likely and every value keeps a non-zero mass.  The logarithms of those
    ends must differ as floats (not so for ``2**49 - 2`` and ``2**49 - 1``: use ``IntUniform``).

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
        z_low, z_high = int_axis(self.low, self.high, log=True)
        _check_width(owner, self, z_low, z_high, log=True)


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
