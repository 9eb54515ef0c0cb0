"""Encoding backend: a typed value -> the assignment that decodes to it.

Used to start a search from known good configurations (``points_to_evaluate``).  The walk
visits leaves in the same order as the flattener, so it reads parameter names from the table
and can never disagree with it.  A ``Map`` cannot be inverted: values produced through one must
be given as assignments instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, overload

from typedspace._flatten import flatten
from typedspace._table import CategoricalParam, ParamTable
from typedspace.nodes import (
    Choice,
    Cond,
    Const,
    Dict,
    List,
    Map,
    Record,
    Space,
    Tuple,
)

T = TypeVar("T")


class EncodeError(ValueError):
    """The value is not one the space can produce (the message says where and why)."""


def _count(space: Space[Any]) -> int:
    """Number of table parameters below ``space`` (in the flattener's order)."""
    if isinstance(space, Choice):
        return 1 + sum(_count(o) for o in space.options if isinstance(o, Space))
    if isinstance(space, Const):
        return 0
    if isinstance(space, Map):
        return sum(_count(a) for a in space.args)
    if isinstance(space, Cond):
        return _count(space.selector) + sum(_count(b) for _, b in space.branches)
    if isinstance(space, Tuple | List):
        return sum(_count(s) for s in space.items)
    if isinstance(space, Dict | Record):
        items = space.items if isinstance(space, Dict) else space.fields
        return sum(_count(s) for _, s in items)
    return 1  # a numeric leaf


class _Encoder:
    def __init__(self, table: ParamTable) -> None:
        self.table = table

    def walk(self, space: Space[Any], value: Any, slot: int, out: dict[str, float | int]) -> None:
        if isinstance(space, Choice):
            self._choice(space, value, slot, out)
        elif isinstance(space, Const):
            if not _equal(space.value, value):
                raise EncodeError(f"expected the constant {space.value!r}, got {value!r}")
        elif isinstance(space, Map):
            name = self.table.params[slot].name if slot < len(self.table) else "?"
            raise EncodeError(
                f"cannot invert Map({getattr(space.f, '__qualname__', space.f)!r}) near parameter "
                f"{name!r}: give this point as an assignment instead"
            )
        elif isinstance(space, Cond):
            self._cond(space, value, slot, out)
        elif isinstance(space, Tuple | List):
            expected = tuple if isinstance(space, Tuple) else list
            if not isinstance(value, expected) or len(value) != len(space.items):
                raise EncodeError(
                    f"expected a {expected.__name__} of {len(space.items)}, got {value!r}"
                )
            for item, part in zip(space.items, value, strict=True):
                self.walk(item, part, slot, out)
                slot += _count(item)
        elif isinstance(space, Dict):
            if not isinstance(value, dict) or set(value) != {k for k, _ in space.items}:
                raise EncodeError(
                    f"expected a dict with keys {[k for k, _ in space.items]}, got {value!r}"
                )
            for key, item in space.items:
                self.walk(item, value[key], slot, out)
                slot += _count(item)
        elif isinstance(space, Record):
            if not isinstance(value, space.cls):
                raise EncodeError(f"expected a {space.cls.__qualname__}, got {value!r}")
            for key, item in space.fields:
                self.walk(item, getattr(value, key), slot, out)
                slot += _count(item)
        else:
            self._numeric(value, slot, out)

    def _numeric(self, value: Any, slot: int, out: dict[str, float | int]) -> None:
        param = self.table.params[slot]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise EncodeError(f"parameter {param.name!r}: expected a number, got {value!r}")
        if not param.contains(float(value)):
            raise EncodeError(f"parameter {param.name!r}: {value!r} is outside its support")
        out[param.name] = value

    def _choice(
        self, space: Choice[Any], value: Any, slot: int, out: dict[str, float | int]
    ) -> None:
        param = self.table.params[slot]
        assert isinstance(param, CategoricalParam)
        below = slot + 1
        errors: list[str] = []
        for index, option in enumerate(space.options):
            if isinstance(option, Space):
                trial: dict[str, float | int] = {}
                try:
                    self.walk(option, value, below, trial)
                except EncodeError as error:
                    errors.append(str(error))
                else:
                    out[param.name] = index
                    out.update(trial)
                    return
                below += _count(option)
            elif _equal(option, value):
                out[param.name] = index
                return
        detail = f" ({'; '.join(errors)})" if errors else ""
        raise EncodeError(f"parameter {param.name!r}: {value!r} is none of its options{detail}")

    def _cond(self, space: Cond[Any], value: Any, slot: int, out: dict[str, float | int]) -> None:
        below = slot + _count(space.selector)
        errors: list[str] = []
        for key, branch in space.branches:
            trial: dict[str, float | int] = {}
            try:
                self.walk(space.selector, key, slot, trial)
                self.walk(branch, value, below, trial)
            except EncodeError as error:
                errors.append(f"branch {key!r}: {error}")
            else:
                out.update(trial)
                return
            below += _count(branch)
        raise EncodeError(f"{value!r} matches no branch ({'; '.join(errors)})")


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
    _Encoder(flat.table).walk(flat.space, value, 0, out)
    return out
