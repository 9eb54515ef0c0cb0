"""Encoding backend: a typed value -> the assignment that decodes to it.

Used to start a search from known good configurations (``points_to_evaluate``).  The fold
compiles one encoder per node; parameter names come from the walk's sites, so they are the
flattener's.  A ``Map`` cannot be inverted: values produced through one must be given as
assignments instead.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, TypeAlias, TypeVar, overload

from typedspace.backends._flatten import flatten
from typedspace.backends._table import ParamTable
from typedspace.backends._walk import Fold, Site, walk
from typedspace.errors import EncodeError
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

T = TypeVar("T")

#: Writes the assignment of a value into ``out`` (checked against the table), or raises.
Encoder: TypeAlias = Callable[[Any, dict[str, float | int], ParamTable], None]

ENCODE: Fold[Encoder] = Fold("encode")


@ENCODE.register(Uniform, LogUniform, Normal, LogNormal, IntUniform, IntLogUniform, Custom)
def _numeric(site: Site, parts: list[Encoder]) -> Encoder:
    name = site.name
    assert name is not None

    def encode_number(value: Any, out: dict[str, float | int], table: ParamTable) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise EncodeError(f"parameter {name!r}: expected a number, got {value!r}")
        if not table[name].contains(float(value)):
            raise EncodeError(f"parameter {name!r}: {value!r} is outside its support")
        out[name] = value

    return encode_number


@ENCODE.register(Const)
def _const(site: Site, parts: list[Encoder]) -> Encoder:
    expected = site.node.value

    def encode_constant(value: Any, out: dict[str, float | int], table: ParamTable) -> None:
        if not _equal(expected, value):
            raise EncodeError(f"expected the constant {expected!r}, got {value!r}")

    return encode_constant


@ENCODE.register(Choice)
def _choice(site: Site, parts: list[Encoder]) -> Encoder:
    node: Choice[Any] = site.node
    name = site.name
    assert name is not None
    below = dict(zip(site.keys, parts, strict=True))  # option index -> its space's encoder

    def encode_choice(value: Any, out: dict[str, float | int], table: ParamTable) -> None:
        errors: list[str] = []
        for index, option in enumerate(node.options):
            if index in below:
                attempt: dict[str, float | int] = {}
                try:
                    below[index](value, attempt, table)
                except EncodeError as error:
                    errors.append(str(error))
                    continue
                out[name] = index
                out.update(attempt)
                return
            if _equal(option, value):
                out[name] = index
                return
        detail = f" ({'; '.join(errors)})" if errors else ""
        raise EncodeError(f"parameter {name!r}: {value!r} is none of its options{detail}")

    return encode_choice


@ENCODE.register(Map)
def _map(site: Site, parts: list[Encoder]) -> Encoder:
    f = site.node.f
    near = site.path or "the root"

    def cannot_invert(value: Any, out: dict[str, float | int], table: ParamTable) -> None:
        raise EncodeError(
            f"cannot invert Map({getattr(f, '__qualname__', f)!r}) at {near!r}: "
            "give this point as an assignment instead"
        )

    return cannot_invert


@ENCODE.register(Cond)
def _cond(site: Site, parts: list[Encoder]) -> Encoder:
    select, *branches = parts
    keys = site.keys[1:]

    def encode_cond(value: Any, out: dict[str, float | int], table: ParamTable) -> None:
        errors: list[str] = []
        for key, branch in zip(keys, branches, strict=True):
            attempt: dict[str, float | int] = {}
            try:
                select(key, attempt, table)
                branch(value, attempt, table)
            except EncodeError as error:
                errors.append(f"branch {key!r}: {error}")
                continue
            out.update(attempt)
            return
        raise EncodeError(f"{value!r} matches no branch ({'; '.join(errors)})")

    return encode_cond


@ENCODE.register(Tuple, List)
def _items(site: Site, parts: list[Encoder]) -> Encoder:
    expected = tuple if isinstance(site.node, Tuple) else list

    def encode_items(value: Any, out: dict[str, float | int], table: ParamTable) -> None:
        if not isinstance(value, expected) or len(value) != len(parts):
            raise EncodeError(f"expected a {expected.__name__} of {len(parts)}, got {value!r}")
        for part, item in zip(parts, value, strict=True):
            part(item, out, table)

    return encode_items


@ENCODE.register(Dict)
def _dict(site: Site, parts: list[Encoder]) -> Encoder:
    keys = list(site.keys)

    def encode_dict(value: Any, out: dict[str, float | int], table: ParamTable) -> None:
        if not isinstance(value, dict) or set(value) != set(keys):
            raise EncodeError(f"expected a dict with keys {keys}, got {value!r}")
        for key, part in zip(keys, parts, strict=True):
            part(value[key], out, table)

    return encode_dict


@ENCODE.register(Record)
def _record(site: Site, parts: list[Encoder]) -> Encoder:
    cls = site.node.cls

    def encode_record(value: Any, out: dict[str, float | int], table: ParamTable) -> None:
        if not isinstance(value, cls):
            raise EncodeError(f"expected a {cls.__qualname__}, got {value!r}")
        for key, part in zip(site.keys, parts, strict=True):
            part(getattr(value, key), out, table)

    return encode_record


def _equal(a: object, b: object) -> bool:
    try:
        return type(a) is type(b) and bool(a == b)
    except Exception:  # an == that raises means "not equal" here
        return False


@overload
def encode(space: Space[T], value: T) -> dict[str, float | int]: ...
@overload
def encode(space: Mapping[str, object], value: Mapping[str, Any]) -> dict[str, float | int]: ...
def encode(space: Space[Any] | Mapping[str, object], value: Any) -> dict[str, float | int]:
    """The assignment whose decoding is ``value`` (raises ``EncodeError`` if there is none).

    >>> from typedspace import Choice, IntUniform, decode
    >>> space = {"act": Choice("relu", "gelu"), "layers": IntUniform(1, 4)}
    >>> encode(space, {"act": "gelu", "layers": 3})
    {'act': 1, 'layers': 3}
    """
    flat = flatten(space)
    out: dict[str, float | int] = {}
    _encoder(flat.space)(value, out, flat.table)
    return out


@functools.lru_cache(maxsize=256)
def _encoder(space: Space[Any]) -> Encoder:
    return ENCODE(walk(space))
