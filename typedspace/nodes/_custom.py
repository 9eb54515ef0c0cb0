"""The leaf for user-defined distributions."""

from __future__ import annotations

from typing import Any, TypeVar, overload

import attrs

from typedspace.distributions._base import ContinuousDistribution, DiscreteDistribution
from typedspace.nodes._base import Space, check_name, describe

T_co = TypeVar("T_co", covariant=True)


@attrs.frozen(init=False)
class Custom(Space[T_co]):
    """A parameter drawn from a user-defined distribution.

    A ``ContinuousDistribution`` gives a ``Space[float]``, a ``DiscreteDistribution`` a
    ``Space[int]``.  Every backend (sampling, TPE, printing, serialization) handles it.

    >>> from typedspace import sample
    >>> from typedspace.distributions import Beta
    >>> 0.0 <= sample(Custom(Beta(2.0, 2.0)), seed=0) <= 1.0
    True
    """

    dist: ContinuousDistribution | DiscreteDistribution
    name: str | None

    @overload
    def __init__(
        self: Custom[float], dist: ContinuousDistribution, /, *, name: str | None = None
    ) -> None: ...
    @overload
    def __init__(
        self: Custom[int], dist: DiscreteDistribution, /, *, name: str | None = None
    ) -> None: ...
    def __init__(self, dist: Any, /, *, name: str | None = None) -> None:
        owner = describe("Custom", name)
        check_name(owner, name)
        if not isinstance(dist, ContinuousDistribution | DiscreteDistribution):
            raise TypeError(
                f"{owner}: expected a ContinuousDistribution or DiscreteDistribution, got {dist!r}"
            )
        low, high = dist.support()
        if not low < high:
            raise ValueError(f"{owner}: the support of {dist!r} is empty ({low!r}, {high!r})")
        integral = all(isinstance(b, int) and not isinstance(b, bool) for b in (low, high))
        if isinstance(dist, DiscreteDistribution) and not integral:
            raise TypeError(f"{owner}: a discrete support must be two ints, got {(low, high)!r}")
        self.__attrs_init__(dist, name)  # pyright: ignore[reportAttributeAccessIssue]
