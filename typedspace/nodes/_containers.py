"""Containers of spaces: ``Tuple``, ``Dict`` and ``List``, and ``as_space``, which turns a
JSON-like value (dicts, lists and tuples holding spaces) into them, so that a finished space
reads like one configuration value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, overload

import attrs

from typedspace.nodes._base import (
    SPACE_KEY,
    Space,
    content_hash,
    explicit_names,
    merge_explicit_names,
)
from typedspace.nodes._leaves import Const

T_co = TypeVar("T_co", covariant=True)
A = TypeVar("A")
B = TypeVar("B")
C = TypeVar("C")
D = TypeVar("D")
E = TypeVar("E")
F = TypeVar("F")


def _contains_space(obj: object) -> bool:
    if isinstance(obj, Space):
        return True
    if isinstance(obj, Mapping):
        return any(_contains_space(v) for v in obj.values())
    if isinstance(obj, list | tuple):
        return any(_contains_space(v) for v in obj)
    return False


def as_space(obj: object) -> Space[Any]:
    """Turn a JSON-like value (dicts, lists and tuples of spaces and constants) into a space.

    A space is returned unchanged and any other value becomes a ``Const``.

    >>> from typedspace import Uniform
    >>> as_space({"lr": Uniform(0.0, 1.0), "layers": [2, 3]})  # doctest: +ELLIPSIS
    Dict(items=(('lr', Uniform(...)), ('layers', List(...))))
    """
    if isinstance(obj, Space):
        return obj
    if isinstance(obj, Mapping):
        for key in obj:
            if not isinstance(key, str):
                raise TypeError(f"dict space keys must be str, got {key!r}")
        return Dict({k: as_space(v) for k, v in obj.items()})
    if isinstance(obj, list):
        return List([as_space(v) for v in obj])
    if isinstance(obj, tuple):
        return _tuple_of(tuple(as_space(v) for v in obj))
    return Const(obj)


def as_root_space(obj: object, what: str = "space") -> Space[Any]:
    """``as_space`` for what a user passes as a whole space: a ``@record`` class there is the
    classic slip for ``space_of(Config)`` (it would be a constant, the class itself).

    >>> import attrs
    >>> from typedspace import IntUniform, param, record
    >>> @record
    ... class Config:
    ...     n: int = param(IntUniform(1, 3))
    >>> as_root_space(Config)
    Traceback (most recent call last):
    ...
    TypeError: space: Config is a @record class, not a space; pass space_of(Config)
    """
    if _is_record_class(obj):
        name = getattr(obj, "__name__", repr(obj))
        raise TypeError(f"{what}: {name} is a @record class, not a space; pass space_of({name})")
    return as_space(obj)


def _is_record_class(obj: object) -> bool:
    if not (isinstance(obj, type) and attrs.has(obj)):
        return False
    return any(SPACE_KEY in field.metadata for field in attrs.fields(obj))


def as_space_if_nested(obj: object) -> object:
    """A container holding spaces becomes a space; a plain value stays a plain value."""
    return as_space(obj) if _contains_space(obj) else obj


def names_below(owner: str, children: tuple[Space[Any], ...]) -> frozenset[str]:
    return merge_explicit_names(owner, (explicit_names(c) for c in children))


@attrs.frozen(init=False, unsafe_hash=False)
class Tuple(Space[T_co]):
    """A tuple with one element drawn from each space.

    >>> from typedspace import IntUniform, Choice, sample
    >>> n, act = sample(Tuple(IntUniform(1, 3), Choice("relu", "tanh")), seed=0)
    """

    items: tuple[Space[Any], ...]
    explicit_names: frozenset[str] = attrs.field(eq=False, repr=False)
    cached_hash: int = attrs.field(eq=False, repr=False)

    def __hash__(self) -> int:
        return self.cached_hash

    @overload
    def __init__(self: Tuple[tuple[()]], /) -> None: ...
    @overload
    def __init__(self: Tuple[tuple[A]], a: Space[A], /) -> None: ...
    @overload
    def __init__(self: Tuple[tuple[A, B]], a: Space[A], b: Space[B], /) -> None: ...
    @overload
    def __init__(self: Tuple[tuple[A, B, C]], a: Space[A], b: Space[B], c: Space[C], /) -> None: ...
    @overload
    def __init__(
        self: Tuple[tuple[A, B, C, D]], a: Space[A], b: Space[B], c: Space[C], d: Space[D], /
    ) -> None: ...
    @overload
    def __init__(
        self: Tuple[tuple[A, B, C, D, E]],
        a: Space[A],
        b: Space[B],
        c: Space[C],
        d: Space[D],
        e: Space[E],
        /,
    ) -> None: ...
    @overload
    def __init__(
        self: Tuple[tuple[A, B, C, D, E, F]],
        a: Space[A],
        b: Space[B],
        c: Space[C],
        d: Space[D],
        e: Space[E],
        f: Space[F],
        /,
    ) -> None: ...
    # The untyped fallback starts at seven items: were it open to fewer, a checker that fails
    # the typed overload against an annotated target would fall back to it and accept
    # ``x: Space[tuple[int, int]] = Tuple(Uniform(...), ...)``.
    @overload
    def __init__(
        self: Tuple[tuple[Any, ...]],
        a: Space[Any],
        b: Space[Any],
        c: Space[Any],
        d: Space[Any],
        e: Space[Any],
        f: Space[Any],
        g: Space[Any],
        /,
        *items: Space[Any],
    ) -> None: ...
    def __init__(self, *items: Any) -> None:
        spaces = tuple(as_space(i) for i in items)
        names = names_below("Tuple", spaces)
        self.__attrs_init__(spaces, names, content_hash(Tuple, spaces))  # pyright: ignore[reportAttributeAccessIssue]


def _tuple_of(items: tuple[Space[Any], ...]) -> Space[Any]:
    return Tuple(*items)


@attrs.frozen(init=False, unsafe_hash=False)
class Dict(Space[dict[str, Any]]):
    """A dict with a value drawn for each key (what a JSON-like ``{...}`` of spaces becomes).

    >>> from typedspace import Uniform
    >>> Dict({"lr": Uniform(0.0, 1.0)}) == as_space({"lr": Uniform(0.0, 1.0)})
    True
    """

    items: tuple[tuple[str, Space[Any]], ...]
    explicit_names: frozenset[str] = attrs.field(eq=False, repr=False)
    cached_hash: int = attrs.field(eq=False, repr=False)
    #: The dotted paths of its keys through nested dicts ("a.b" for {"a": {"b": ...}}),
    #: sorted: a tuple pickles the same in every process (a frozenset's order follows the
    #: string hash seed, so joblib.hash of a copied space differed: scikit-learn's checks).
    key_paths: tuple[str, ...] = attrs.field(eq=False, repr=False)

    def __hash__(self) -> int:
        return self.cached_hash

    def __init__(self, items: Mapping[str, object], /) -> None:
        if not isinstance(items, Mapping):
            raise TypeError(f"Dict: items must be a mapping from str to space, got {items!r}")
        converted = tuple((key, as_space(value)) for key, value in items.items())
        for key, _ in converted:
            if not isinstance(key, str):
                raise TypeError(f"Dict: keys must be str, got {key!r}")
        names = names_below("Dict", tuple(s for _, s in converted))
        paths = _key_paths(converted)
        self.__attrs_init__(converted, names, content_hash(Dict, converted), paths)  # pyright: ignore[reportAttributeAccessIssue]


def _key_paths(items: tuple[tuple[str, Space[Any]], ...]) -> tuple[str, ...]:
    """The dotted key paths of ``items`` through nested dicts (constants, which are no
    parameters, left out); a key with a dot that spells
    the path of a nested key ({"a.b": ..., "a": {"b": ...}}) would give two parameters one
    name, so it is refused here, when the dict is built (other clashes of derived names,
    through choices or maps, are found when the space is first walked)."""
    seen: set[str] = set()
    for key, value in items:
        if isinstance(value, Dict):
            below = {f"{key}.{p}" for p in value.key_paths}
        else:
            below = set() if isinstance(value, Const) else {key}
        clash = seen & below
        if clash:
            raise ValueError(
                f"Dict: the key path {sorted(clash)[0]!r} is spelt twice (a key with a dot, "
                "and nested keys): their parameters would have the same name; rename one key"
            )
        seen |= below
    return tuple(sorted(seen))


@attrs.frozen(init=False, unsafe_hash=False)
class List(Space[list[Any]]):
    """A list with one element drawn from each space (what a JSON-like ``[...]`` becomes).

    >>> from typedspace import IntUniform, sample
    >>> len(sample(List([IntUniform(1, 2), 3]), seed=0))
    2
    """

    items: tuple[Space[Any], ...]
    explicit_names: frozenset[str] = attrs.field(eq=False, repr=False)
    cached_hash: int = attrs.field(eq=False, repr=False)

    def __hash__(self) -> int:
        return self.cached_hash

    def __init__(self, items: list[object] | tuple[object, ...], /) -> None:
        if not isinstance(items, list | tuple):
            raise TypeError(f"List: items must be a list or a tuple, got {items!r}")
        spaces = tuple(as_space(i) for i in items)
        names = names_below("List", spaces)
        self.__attrs_init__(spaces, names, content_hash(List, spaces))  # pyright: ignore[reportAttributeAccessIssue]
