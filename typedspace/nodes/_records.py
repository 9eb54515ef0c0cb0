"""Typed records: an attrs class whose fields are declared with spaces.

``param(space)`` is a field specifier typed as returning the space's value type, so the type
checker compares each field's space with the field's annotation (no plugin needed), and
``space_of(cls)`` turns the class into a ``Space[cls]``.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast, dataclass_transform

import attrs

from typedspace.nodes._base import (
    SPACE_KEY,
    Space,
    content_hash,
    explicit_names,
    merge_explicit_names,
)
from typedspace.nodes._containers import as_space

T = TypeVar("T")
R_co = TypeVar("R_co", covariant=True)


def param(space: Space[T]) -> T:
    """Declare a record field drawn from ``space``; the field's annotation must match its type.

    >>> from typedspace import LogUniform, record, space_of
    >>> @record
    ... class Config:
    ...     lr: float = param(LogUniform(1e-4, 1e-1))
    >>> len(space_of(Config).fields)
    1
    """
    return cast(T, attrs.field(metadata={SPACE_KEY: as_space(space)}))


@dataclass_transform(frozen_default=True, field_specifiers=(param, attrs.field))
def record(cls: type[T]) -> type[T]:
    """Make ``cls`` a frozen attrs class whose ``param`` fields form a search space.

    Fields declared with ``param`` are required arguments of ``__init__``; ``space_of(cls)``
    is the space of its instances.
    """
    return attrs.frozen(cls)


@attrs.frozen(init=False, unsafe_hash=False)
class Record(Space[R_co]):
    """``cls(**fields)``: the space of a record class (build it with ``space_of``)."""

    cls: type[R_co]
    fields: tuple[tuple[str, Space[Any]], ...]
    explicit_names: frozenset[str] = attrs.field(eq=False, repr=False)
    cached_hash: int = attrs.field(eq=False, repr=False)

    def __hash__(self) -> int:
        return self.cached_hash

    def __init__(self, cls: type[R_co], fields: dict[str, Space[Any]], /) -> None:
        owner = f"record {cls.__qualname__}"
        names = merge_explicit_names(owner, (explicit_names(s) for s in fields.values()))
        items = tuple(fields.items())
        self.__attrs_init__(cls, items, names, content_hash(Record, cls, items))  # pyright: ignore[reportAttributeAccessIssue]


def space_of(cls: type[T], /, **overrides: Space[Any]) -> Space[T]:
    """The space of a ``@record`` (or attrs) class; ``overrides`` replace fields' spaces.

    >>> from typedspace import IntUniform, LogUniform, record, sample
    >>> @record
    ... class Net:
    ...     layers: int = param(IntUniform(1, 4))
    ...     lr: float = param(LogUniform(1e-4, 1e-1))
    >>> sample(space_of(Net, layers=IntUniform(2, 2 + 1)), seed=0).layers in (2, 3)
    True
    """
    if not attrs.has(cast(Any, cls)):
        raise TypeError(f"space_of: {cls!r} is not an attrs/@record class")
    fields: dict[str, Space[Any]] = {}
    unknown = set(overrides) - {f.name for f in attrs.fields(cast(Any, cls))}
    if unknown:
        raise TypeError(f"space_of({cls.__qualname__}): no field named {sorted(unknown)[0]!r}")
    for field in attrs.fields(cast(Any, cls)):
        if field.name in overrides:
            fields[field.name] = as_space(overrides[field.name])
        elif SPACE_KEY in field.metadata:
            fields[field.name] = field.metadata[SPACE_KEY]
        elif field.default is attrs.NOTHING and field.init:
            raise TypeError(
                f"space_of({cls.__qualname__}): field {field.name!r} has neither a param(...) "
                "space nor a default"
            )
    return Record(cls, fields)
