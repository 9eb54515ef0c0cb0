"""Serialization backend: a space <-> a versioned, type-tagged JSON document.

Functions (``Map``), record classes and non-JSON constants (classes, functions, enum members)
are stored by import path ``package.module:qualname``; a lambda or a local function has no
import path and is an error that names where it sits in the space.  Round trips are exact:
``from_json(to_json(s)) == s``.
"""

from __future__ import annotations

import enum
import importlib
import json
import math
from collections.abc import Callable
from typing import Any

import attrs

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

FORMAT = "typedspace.space"
VERSION = 1

_LEAVES: dict[str, tuple[type[Any], tuple[str, ...]]] = {
    "Uniform": (Uniform, ("low", "high")),
    "LogUniform": (LogUniform, ("low", "high")),
    "Normal": (Normal, ("mu", "sigma")),
    "LogNormal": (LogNormal, ("mu", "sigma")),
    "IntUniform": (IntUniform, ("low", "high")),
    "IntLogUniform": (IntLogUniform, ("low", "high")),
}
_QUANTIZED = {"Uniform", "LogUniform", "Normal", "LogNormal"}


class SerializationError(ValueError):
    """The space (or the document) cannot be converted; the message says where and why."""


def import_path(obj: object, where: str) -> str:
    """``module:qualname`` of a function or class that can be imported back."""
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    if not module or not qualname or "<lambda>" in qualname or "<locals>" in qualname:
        raise SerializationError(
            f"{where}: {obj!r} has no import path (a lambda or a local function or class "
            "cannot be serialized); define it at module level"
        )
    path = f"{module}:{qualname}"
    try:
        found = resolve(path)
    except SerializationError:
        found = None
    if found is not obj:
        raise SerializationError(f"{where}: {obj!r} is not importable as {path!r}")
    return path


def resolve(path: str) -> Any:
    """The object at ``module:qualname``."""
    module_name, _, qualname = path.partition(":")
    try:
        obj: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as error:
        raise SerializationError(f"cannot import {path!r}: {error}") from error
    return obj


def _const_to_json(value: object, where: str) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"$float": repr(value)}
    if isinstance(value, list):
        return [_const_to_json(v, where) for v in value]
    if isinstance(value, tuple):
        return {"$tuple": [_const_to_json(v, where) for v in value]}
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise SerializationError(
                f"parameter {where!r}: dict constants need str keys, got {value!r}"
            )
        if any(k.startswith("$") for k in value):
            return {"$dict": {k: _const_to_json(v, where) for k, v in value.items()}}
        return {k: _const_to_json(v, where) for k, v in value.items()}
    if isinstance(value, enum.Enum):
        return {"$enum": import_path(type(value), where), "name": value.name}
    if callable(value):
        return {"$ref": import_path(value, where)}
    raise SerializationError(f"parameter {where!r}: the constant {value!r} cannot be serialized")


def _const_from_json(data: Any) -> Any:
    if isinstance(data, list):
        return [_const_from_json(v) for v in data]
    if isinstance(data, dict):
        if "$tuple" in data:
            return tuple(_const_from_json(v) for v in data["$tuple"])
        if "$float" in data:
            return float(data["$float"])
        if "$enum" in data:
            return resolve(data["$enum"])[data["name"]]
        if "$ref" in data:
            return resolve(data["$ref"])
        if "$dict" in data:
            return {k: _const_from_json(v) for k, v in data["$dict"].items()}
        return {k: _const_from_json(v) for k, v in data.items()}
    return data


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _dump(space: Space[Any], where: str) -> dict[str, Any]:
    kind = type(space).__name__
    if kind in _LEAVES and type(space) is _LEAVES[kind][0]:
        fields = _LEAVES[kind][1]
        data: dict[str, Any] = {"type": kind, **{f: getattr(space, f) for f in fields}}
        q = getattr(space, "q", None)
        if kind in _QUANTIZED and q is not None:
            data["q"] = q
        name = getattr(space, "name", None)
        if name is not None:
            data["name"] = name
        return data
    if isinstance(space, Custom):
        return _dump_custom(space, where)
    if isinstance(space, Choice):
        label = space.name or where or "value"
        options = [
            {"space": _dump(o, _at(label, str(i)))}
            if isinstance(o, Space)
            else {"value": _const_to_json(o, label)}
            for i, o in enumerate(space.options)
        ]
        data = {"type": "Choice", "options": options}
        if space.weights is not None:
            data["weights"] = list(space.weights)
        if space.name is not None:
            data["name"] = space.name
        return data
    if isinstance(space, Const):
        return {"type": "Const", "value": _const_to_json(space.value, where or "value")}
    if isinstance(space, Map):
        return {
            "type": "Map",
            "f": import_path(space.f, f"Map at {where or 'the root'!r}"),
            "args": [_dump(a, _at(where, f"[{i}]")) for i, a in enumerate(space.args)],
        }
    if isinstance(space, Cond):
        return {
            "type": "Cond",
            "selector": _dump(space.selector, where),
            "branches": [
                [_const_to_json(k, where), _dump(b, _at(where, str(k)))] for k, b in space.branches
            ],
        }
    if isinstance(space, Tuple | List):
        return {
            "type": kind,
            "items": [_dump(s, f"{where}[{i}]") for i, s in enumerate(space.items)],
        }
    if isinstance(space, Dict):
        return {"type": "Dict", "items": [[k, _dump(s, _at(where, k))] for k, s in space.items]}
    if isinstance(space, Record):
        return {
            "type": "Record",
            "cls": import_path(space.cls, f"record at {where or 'the root'!r}"),
            "fields": [[k, _dump(s, _at(where, k))] for k, s in space.fields],
        }
    raise SerializationError(f"{where or 'the root'}: cannot serialize {space!r}")


def _dump_custom(space: Custom[Any], where: str) -> dict[str, Any]:
    """A custom distribution is stored as its class's import path and its attrs fields."""
    dist: Any = space.dist
    label = space.name or where or "value"
    if not attrs.has(type(dist)):
        raise SerializationError(
            f"parameter {label!r}: {dist!r} is not an attrs class, so its fields cannot be stored"
        )
    fields = {
        f.name: _const_to_json(getattr(dist, f.name), label)
        for f in attrs.fields(type(dist))
        if f.init
    }
    data: dict[str, Any] = {
        "type": "Custom",
        "dist": import_path(type(dist), label),
        "fields": fields,
    }
    if space.name is not None:
        data["name"] = space.name
    return data


def _load(data: Any) -> Space[Any]:
    if not isinstance(data, dict) or "type" not in data:
        raise SerializationError(f"not a space node: {data!r}")
    kind = data["type"]
    if kind in _LEAVES:
        cls, fields = _LEAVES[kind]
        extra = {k: data[k] for k in ("q", "name") if k in data}
        leaf: Space[Any] = cls(*(data[f] for f in fields), **extra)
        return leaf
    if kind == "Custom":
        dist_cls = resolve(data["dist"])
        arguments = {k: _const_from_json(v) for k, v in data["fields"].items()}
        return Custom(dist_cls(**arguments), name=data.get("name"))
    if kind == "Choice":
        options = [
            _load(o["space"]) if "space" in o else _const_from_json(o["value"])
            for o in data["options"]
        ]
        return Choice(*options, weights=data.get("weights"), name=data.get("name"))
    if kind == "Const":
        return Const(_const_from_json(data["value"]))
    if kind == "Map":
        f: Callable[..., Any] = resolve(data["f"])
        return Map(f, *(_load(a) for a in data["args"]))
    if kind == "Cond":
        selector = _load(data["selector"])
        return Cond(selector, {_const_from_json(k): _load(b) for k, b in data["branches"]})
    if kind == "Tuple":
        return Tuple(*(_load(s) for s in data["items"]))
    if kind == "List":
        return List([_load(s) for s in data["items"]])
    if kind == "Dict":
        return Dict({k: _load(s) for k, s in data["items"]})
    if kind == "Record":
        return Record(resolve(data["cls"]), {k: _load(s) for k, s in data["fields"]})
    raise SerializationError(f"unknown node type {kind!r}")


def to_json(space: Space[Any] | dict[str, Any] | list[Any], *, indent: int | None = 2) -> str:
    """The space as a versioned JSON document.

    >>> from typedspace import Choice, IntUniform
    >>> text = to_json({"layers": IntUniform(1, 4), "act": Choice("relu", "gelu")})
    >>> from_json(text) == as_space({"layers": IntUniform(1, 4), "act": Choice("relu", "gelu")})
    True
    """
    document = {"format": FORMAT, "version": VERSION, "space": _dump(as_space(space), "")}
    return json.dumps(document, indent=indent)


def from_json(text: str) -> Space[Any]:
    """The space stored in a document written by ``to_json``.

    The document's version is checked: one written by a newer typedspace is a clear error.
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise SerializationError(f"not JSON: {error}") from error
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise SerializationError("not a typedspace space document (missing 'format')")
    version = document.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise SerializationError(
            f"space document version {version!r} is newer than this typedspace ({VERSION}); "
            "upgrade typedspace to read it"
        )
    try:
        return _load(document["space"])
    except (KeyError, TypeError) as error:
        raise SerializationError(f"malformed space document: {error!r}") from error
