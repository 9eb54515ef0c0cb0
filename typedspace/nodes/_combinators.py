"""Interior nodes that compute: ``Map`` applies a function, ``Cond`` picks a branch."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar, overload

import attrs

from typedspace.nodes._base import Space, check_space, content_hash, describe
from typedspace.nodes._choice import Choice
from typedspace.nodes._containers import as_space, names_below
from typedspace.nodes._leaves import Const, IntLogUniform, IntUniform

T_co = TypeVar("T_co", covariant=True)
K = TypeVar("K")
A = TypeVar("A")
B = TypeVar("B")
C = TypeVar("C")
D = TypeVar("D")
E = TypeVar("E")
F = TypeVar("F")


@attrs.frozen(init=False, unsafe_hash=False)
class Map(Space[T_co]):
    """``f(*values)`` where each value is drawn from the matching space.

    ``f`` runs only when a backend decodes a value, never when the tree is built.  Use ``Map``
    to share one parameter between several places of a configuration.

    >>> from typedspace import IntUniform, sample
    >>> sample(Map(lambda n: 2**n, IntUniform(4, 9)), seed=0) in {16, 32, 64, 128, 256, 512}
    True
    """

    f: Callable[..., T_co]
    args: tuple[Space[Any], ...]
    explicit_names: frozenset[str] = attrs.field(eq=False, repr=False)
    cached_hash: int = attrs.field(eq=False, repr=False)

    def __hash__(self) -> int:
        return self.cached_hash

    @overload
    def __init__(self, f: Callable[[A], T_co], a: Space[A], /) -> None: ...
    # One JSON-like argument (what ``as_space`` converts): a dict or a list of unknown values.
    @overload
    def __init__(self, f: Callable[[dict[str, Any]], T_co], a: Mapping[str, object], /) -> None: ...
    @overload
    def __init__(self, f: Callable[[list[Any]], T_co], a: list[object], /) -> None: ...
    @overload
    def __init__(self, f: Callable[[A, B], T_co], a: Space[A], b: Space[B], /) -> None: ...
    @overload
    def __init__(
        self, f: Callable[[A, B, C], T_co], a: Space[A], b: Space[B], c: Space[C], /
    ) -> None: ...
    @overload
    def __init__(
        self,
        f: Callable[[A, B, C, D], T_co],
        a: Space[A],
        b: Space[B],
        c: Space[C],
        d: Space[D],
        /,
    ) -> None: ...
    @overload
    def __init__(
        self,
        f: Callable[[A, B, C, D, E], T_co],
        a: Space[A],
        b: Space[B],
        c: Space[C],
        d: Space[D],
        e: Space[E],
        /,
    ) -> None: ...
    @overload
    def __init__(
        self,
        f: Callable[[A, B, C, D, E, F], T_co],
        a: Space[A],
        b: Space[B],
        c: Space[C],
        d: Space[D],
        e: Space[E],
        f_: Space[F],
        /,
    ) -> None: ...
    def __init__(self, f: Callable[..., T_co], /, *args: Any) -> None:
        name = getattr(f, "__qualname__", repr(f))
        owner = f"Map({name})"
        if not callable(f):
            raise TypeError(f"Map: the function must be callable, got {f!r}")
        if not args:
            raise ValueError(f"{owner}: needs at least one space to map over")
        spaces = tuple(as_space(a) for a in args)
        names = names_below(owner, spaces)
        self.__attrs_init__(f, spaces, names, content_hash(Map, f, spaces))  # pyright: ignore[reportAttributeAccessIssue]


def finite_values(space: Space[Any]) -> tuple[Any, ...] | None:
    """The values a discrete selector can take, or None when they are not a small finite set."""
    if isinstance(space, Const):
        return (space.value,)
    if isinstance(space, Choice) and not space.is_conditional:
        return space.options
    if isinstance(space, IntUniform | IntLogUniform) and space.high - space.low <= 10_000:
        return tuple(range(space.low, space.high + 1))
    return None


def _check_distinct_keys(owner: str, keys: tuple[Any, ...]) -> None:
    """A Choice selector's options key the branches of a dict, so they must be hashable and
    distinct under ``==``: ``Choice(1, True)`` holds two options, but ``{1: a, True: b}`` is
    ``{1: b}``, and both would silently select ``b``."""
    for i, key in enumerate(keys):
        try:
            hash(key)
        except TypeError:
            raise TypeError(
                f"{owner}: the selector's option {key!r} is not hashable, so it cannot key a branch"
            ) from None
        for other in keys[:i]:
            if key == other:
                raise ValueError(
                    f"{owner}: the selector's options {other!r} and {key!r} are equal as dict "
                    "keys, so one mapping of branches cannot tell them apart; use distinct "
                    "values (e.g. strings)"
                )


@attrs.frozen(init=False, unsafe_hash=False)
class Cond(Space[T_co]):
    """The branch whose key the ``selector`` produced; only that branch's parameters are active.

    Every value the selector can produce needs a branch, and every branch a value.  A
    ``Choice`` selector's options must be distinct as dict keys (not ``Choice(1, True)``,
    ``1 == True``).

    >>> from typedspace import Choice, LogUniform, sample
    >>> lr = Cond(Choice("sgd", "adam"), {"sgd": LogUniform(1e-3, 1.0), "adam": LogUniform(1e-5, 1e-2)})
    >>> 1e-5 <= sample(lr, seed=1) <= 1.0
    True
    """

    selector: Space[Any]
    branches: tuple[tuple[Any, Space[T_co]], ...]
    explicit_names: frozenset[str] = attrs.field(eq=False, repr=False)
    cached_hash: int = attrs.field(eq=False, repr=False)

    def __hash__(self) -> int:
        return self.cached_hash

    @overload
    def __init__(self, selector: Space[K], branches: Mapping[K, Space[T_co]], /) -> None: ...
    # JSON-like branches (what ``as_space`` converts) are dicts or lists of unknown value types.
    @overload
    def __init__(
        self: Cond[dict[str, Any]],
        selector: Space[K],
        branches: Mapping[K, Mapping[str, object]],
        /,
    ) -> None: ...
    @overload
    def __init__(
        self: Cond[list[Any]], selector: Space[K], branches: Mapping[K, list[object]], /
    ) -> None: ...
    def __init__(self, selector: Space[Any], branches: Mapping[Any, Any], /) -> None:
        check_space("Cond", "selector", selector)
        owner = describe("Cond on", getattr(selector, "name", None) or type(selector).__name__)
        keys = finite_values(selector)
        if keys is None:
            raise TypeError(
                f"{owner}: the selector must be a Const, a Choice of plain values or an "
                f"IntUniform, got {selector!r}"
            )
        if not isinstance(branches, Mapping):
            raise TypeError(f"{owner}: branches must be a mapping from key to space")
        if isinstance(selector, Choice):
            _check_distinct_keys(owner, keys)
        for key in keys:
            if key not in branches:
                raise ValueError(f"{owner}: the selector can produce {key!r}, which has no branch")
        for key in branches:
            if key not in keys:
                raise ValueError(f"{owner}: branch {key!r} can never be selected")
        ordered = tuple((key, as_space(branches[key])) for key in keys)
        names = names_below(owner, (selector, *(s for _, s in ordered)))
        self.__attrs_init__(selector, ordered, names, content_hash(Cond, selector, ordered))  # pyright: ignore[reportAttributeAccessIssue]
