"""Serialization backend: a space <-> a versioned, type-tagged JSON document.

Functions (``Map``), record classes and non-JSON constants (classes, functions, enum members)
are stored by import path ``package.module:qualname``; a lambda or a local function has no
import path and is an error that names where it sits in the space.

Reading is data-only: ``from_json`` never imports a module or calls anything on the strength
of a path written in the document.  A path resolves only to an object the caller passed in
``allow=`` (or to typedspace's own distributions), after checking it is of the kind its place
needs (a distribution class, an attrs record class, an Enum, a callable).  Round trips are
exact: ``from_json(to_json(s), allow=[...]) == s``.

A numpy scalar constant (``Choice(*np.arange(1, 4))`` holds ``np.int64`` options) is stored
as its Python value with its numpy type, ``{"$numpy": "int64", "value": 1}``, and read back
as the same numpy scalar; such a document is version 2 (older readers refuse it instead of
misreading it), every other document stays version 1.
"""

from __future__ import annotations

import enum
import importlib
import json
import math
from collections.abc import Callable, Iterable
from typing import Any, cast

import attrs
import numpy as np

from typedspace.backends._walk import Fold, KindTable, Site, walk
from typedspace.distributions import (
    Beta,
    BoundedPoisson,
    ContinuousDistribution,
    DiscreteDistribution,
    TruncatedExponential,
)
from typedspace.errors import SerializationError
from typedspace.nodes import (
    NODE_KINDS,
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
from typedspace.nodes._containers import as_root_space

FORMAT = "typedspace.space"
#: The newest document version written and read: 2 adds numpy scalars (``$numpy``).
VERSION = 2
#: The version of a document without numpy scalars (readable by every typedspace).
_PLAIN_VERSION = 1

#: The numpy scalar types a document may hold, by name: each is stored as the Python value
#: it equals (``.item()``) and reads back exactly.  (``longdouble`` and complex types have
#: no exact JSON form.)
_NUMPY_TYPES: dict[str, type[np.generic]] = {
    np.dtype(t).name: t
    for t in (
        np.bool_,
        np.int8,
        np.int16,
        np.int32,
        np.int64,
        np.uint8,
        np.uint16,
        np.uint32,
        np.uint64,
        np.float16,
        np.float32,
        np.float64,
    )
} | {"str_": np.str_}


def _numpy_kind(value: np.generic) -> str | None:
    """The document's name of a numpy scalar's type (its dtype's name, stable across numpy
    versions), or None for a type a document cannot hold exactly (``np.longlong`` is not
    ``np.int64`` on every platform, although both are 64-bit ints)."""
    kind = "str_" if isinstance(value, np.str_) else value.dtype.name
    return kind if _NUMPY_TYPES.get(kind) is type(value) else None


#: A document's node types: the names of the node kinds.
_KINDS: dict[str, type[Space[Any]]] = {kind.__name__: kind for kind in NODE_KINDS}


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
        found = _import(path)
    except SerializationError:
        found = None
    if found is not obj:
        raise SerializationError(f"{where}: {obj!r} is not importable as {path!r}")
    return path


def _import(path: str) -> Any:
    """The object at ``module:qualname``: only to check, when writing, that the caller's own
    object can be found again under its path.  Reading never imports (see ``_Reader``)."""
    module_name, _, qualname = path.partition(":")
    try:
        obj: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as error:
        raise SerializationError(f"cannot import {path!r}: {error}") from error
    return obj


def _const_to_json(value: object, where: str) -> Any:
    if isinstance(value, np.generic):  # before float and str: np.float64 and np.str_ are both
        kind = _numpy_kind(value)
        if kind is None:
            raise SerializationError(
                f"parameter {where!r}: the numpy constant {value!r} of type "
                f"numpy.{type(value).__name__} cannot be serialized (a document holds bool, "
                "sized int and float types and str_); convert it with .item()"
            )
        return {"$numpy": kind, "value": _const_to_json(value.item(), where)}
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


#: Objects a document may always name: typedspace's own distributions (plain data classes).
#: Their paths from before the classes were published (``..._examples:Beta``) stay valid.
_TRUSTED: dict[str, object] = {
    f"{module}:{cls.__qualname__}": cls
    for cls in (Beta, BoundedPoisson, TruncatedExponential)
    for module in ("typedspace.distributions", "typedspace.distributions._examples")
}


class _Reader:
    """Loads one document.  A path in it resolves only through ``allowed`` (the caller's
    ``allow=`` plus ``_TRUSTED``): nothing is imported, and nothing is called before its kind
    is checked."""

    def __init__(self, allow: Iterable[object]) -> None:
        self.allowed = dict(_TRUSTED)
        for obj in allow:
            module = getattr(obj, "__module__", None)
            qualname = getattr(obj, "__qualname__", None)
            if not isinstance(module, str) or not isinstance(qualname, str):
                raise TypeError(
                    f"from_json: allow= takes classes and functions, got {obj!r} "
                    "(it has no module and qualified name to be named by)"
                )
            self.allowed[f"{module}:{qualname}"] = obj

    def named(self, path: object, what: str, fits: Callable[[object], bool]) -> Any:
        """The allowed object at ``path``, which must be ``what`` (``fits`` checks it)."""
        if not isinstance(path, str) or path not in self.allowed:
            raise SerializationError(
                f"the document names {path!r} as {what}; it is not in allow=, so nothing was "
                "imported or called (pass the object itself: from_json(text, allow=[...]))"
            )
        obj = self.allowed[path]
        if not fits(obj):
            raise SerializationError(f"{path!r} is in allow=, but it is not {what}: {obj!r}")
        return obj

    def const(self, data: Any) -> Any:
        if isinstance(data, list):
            return [self.const(v) for v in data]
        if isinstance(data, dict):
            if "$tuple" in data:
                return tuple(self.const(v) for v in data["$tuple"])
            if "$float" in data:
                return float(data["$float"])
            if "$numpy" in data:
                kind = _NUMPY_TYPES.get(data["$numpy"])
                if kind is None:
                    raise SerializationError(f"unknown numpy type {data['$numpy']!r}")
                return kind(self.const(data["value"]))
            if "$enum" in data:
                cls = self.named(data["$enum"], "an Enum class", _is_enum)
                return cls[data["name"]]
            if "$ref" in data:
                return self.named(data["$ref"], "a constant", lambda obj: True)
            if "$dict" in data:
                return {k: self.const(v) for k, v in data["$dict"].items()}
            return {k: self.const(v) for k, v in data.items()}
        return data

    def load(self, data: Any) -> Space[Any]:
        if not isinstance(data, dict) or "type" not in data:
            raise SerializationError(f"not a space node: {data!r}")
        kind = _KINDS.get(data["type"]) if isinstance(data["type"], str) else None
        if kind is None:
            raise SerializationError(f"unknown node type {data['type']!r}")
        return LOAD.lookup(kind)(self, data)


def _is_enum(obj: object) -> bool:
    return isinstance(obj, type) and issubclass(obj, enum.Enum)


def _is_distribution(obj: object) -> bool:
    bases = (ContinuousDistribution, DiscreteDistribution)
    return isinstance(obj, type) and issubclass(obj, bases) and attrs.has(obj)


def _is_record(obj: object) -> bool:
    return isinstance(obj, type) and attrs.has(obj)


DUMP: Fold[dict[str, Any]] = Fold("serialize")
LOAD: KindTable[Callable[[_Reader, dict[str, Any]], Space[Any]]] = KindTable("deserialize")


def _kind(node: Space[Any]) -> str:
    """The document's type of ``node``: a subclass of a node kind has no type of its own."""
    name = type(node).__name__
    if _KINDS.get(name) is not type(node):
        raise SerializationError(f"cannot serialize {node!r}: not one of the DSL's node kinds")
    return name


def _named(data: dict[str, Any], node: Any) -> dict[str, Any]:
    if node.name is not None:
        data["name"] = node.name
    return data


@DUMP.register(Uniform, LogUniform, IntUniform, IntLogUniform)
def _dump_bounded(site: Site, parts: list[dict[str, Any]]) -> dict[str, Any]:
    node = site.node
    data: dict[str, Any] = {"type": _kind(node), "low": node.low, "high": node.high}
    if getattr(node, "q", None) is not None:
        data["q"] = node.q
    return _named(data, node)


@DUMP.register(Normal, LogNormal)
def _dump_normal(site: Site, parts: list[dict[str, Any]]) -> dict[str, Any]:
    node = site.node
    data: dict[str, Any] = {"type": _kind(node), "mu": node.mu, "sigma": node.sigma}
    if node.q is not None:
        data["q"] = node.q
    return _named(data, node)


@LOAD.register(Uniform, LogUniform, Normal, LogNormal)
def _load_float(reader: _Reader, data: dict[str, Any]) -> Space[Any]:
    kind = _KINDS[data["type"]]
    first, second = ("mu", "sigma") if kind in (Normal, LogNormal) else ("low", "high")
    leaf: Space[Any] = cast(Any, kind)(
        data[first], data[second], q=data.get("q"), name=data.get("name")
    )
    return leaf


@LOAD.register(IntUniform, IntLogUniform)
def _load_int(reader: _Reader, data: dict[str, Any]) -> Space[Any]:
    kind = _KINDS[data["type"]]
    leaf: Space[Any] = cast(Any, kind)(data["low"], data["high"], name=data.get("name"))
    return leaf


@DUMP.register(Custom)
def _dump_custom(site: Site, parts: list[dict[str, Any]]) -> dict[str, Any]:
    """A custom distribution is stored as its class's import path and its attrs fields."""
    return _named(dump_distribution(site.node.dist, site.name or "value"), site.node)


def dump_distribution(dist: object, label: str, *, check_path: bool = True) -> dict[str, Any]:
    """The document of ``Custom(dist)``: its class's import path and its attrs fields.
    ``check_path=False`` skips checking that the path imports back (for ``check_distribution``
    on a class defined by code run outside any module)."""
    cls = type(dist)
    if not attrs.has(cls):
        raise SerializationError(
            f"parameter {label!r}: {dist!r} is not an attrs class, so its fields cannot be "
            f"stored; make {cls.__qualname__} a frozen attrs class (@attrs.frozen) with its "
            "parameters as fields"
        )
    fields = {
        f.name: _const_to_json(getattr(dist, f.name), label) for f in attrs.fields(cls) if f.init
    }
    path = import_path(cls, label) if check_path else f"{cls.__module__}:{cls.__qualname__}"
    return {"type": "Custom", "dist": path, "fields": fields}


def load_distribution(data: dict[str, Any], *, allow: Iterable[object] = ()) -> Any:
    """The distribution of a document ``dump_distribution`` wrote (data-only, as ``from_json``)."""
    custom = _load_custom(_Reader(allow), data)
    return cast(Custom[Any], custom).dist


@LOAD.register(Custom)
def _load_custom(reader: _Reader, data: dict[str, Any]) -> Space[Any]:
    dist_cls = reader.named(data["dist"], "a distribution class (an attrs class)", _is_distribution)
    arguments = {k: reader.const(v) for k, v in data["fields"].items()}
    return Custom(dist_cls(**arguments), name=data.get("name"))


@DUMP.register(Const)
def _dump_const(site: Site, parts: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "Const", "value": _const_to_json(site.node.value, site.path or "value")}


@LOAD.register(Const)
def _load_const(reader: _Reader, data: dict[str, Any]) -> Space[Any]:
    return Const(reader.const(data["value"]))


@DUMP.register(Choice)
def _dump_choice(site: Site, parts: list[dict[str, Any]]) -> dict[str, Any]:
    node: Choice[Any] = site.node
    below = dict(zip(site.keys, parts, strict=True))  # option index -> its space's document
    options = [
        {"space": below[i]} if i in below else {"value": _const_to_json(o, site.name or "value")}
        for i, o in enumerate(node.options)
    ]
    data: dict[str, Any] = {"type": "Choice", "options": options}
    if node.weights is not None:
        data["weights"] = list(node.weights)
    return _named(data, node)


@LOAD.register(Choice)
def _load_choice(reader: _Reader, data: dict[str, Any]) -> Space[Any]:
    options = [
        reader.load(o["space"]) if "space" in o else reader.const(o["value"])
        for o in data["options"]
    ]
    return Choice(*options, weights=data.get("weights"), name=data.get("name"))


@DUMP.register(Map)
def _dump_map(site: Site, parts: list[dict[str, Any]]) -> dict[str, Any]:
    f = import_path(site.node.f, f"Map at {site.path or 'the root'!r}")
    return {"type": "Map", "f": f, "args": parts}


@LOAD.register(Map)
def _load_map(reader: _Reader, data: dict[str, Any]) -> Space[Any]:
    f: Callable[..., Any] = reader.named(data["f"], "a Map function", callable)
    return Map(f, *(reader.load(a) for a in data["args"]))


@DUMP.register(Cond)
def _dump_cond(site: Site, parts: list[dict[str, Any]]) -> dict[str, Any]:
    selector, *branches = parts
    keys = [_const_to_json(k, site.path or "value") for k in site.keys[1:]]
    return {
        "type": "Cond",
        "selector": selector,
        "branches": [[k, b] for k, b in zip(keys, branches, strict=True)],
    }


@LOAD.register(Cond)
def _load_cond(reader: _Reader, data: dict[str, Any]) -> Space[Any]:
    selector = reader.load(data["selector"])
    return Cond(selector, {reader.const(k): reader.load(b) for k, b in data["branches"]})


@DUMP.register(Tuple, List)
def _dump_items(site: Site, parts: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": _kind(site.node), "items": parts}


@LOAD.register(Tuple)
def _load_tuple(reader: _Reader, data: dict[str, Any]) -> Space[Any]:
    return Tuple(*(reader.load(s) for s in data["items"]))


@LOAD.register(List)
def _load_list(reader: _Reader, data: dict[str, Any]) -> Space[Any]:
    return List([reader.load(s) for s in data["items"]])


@DUMP.register(Dict)
def _dump_dict(site: Site, parts: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "Dict", "items": [[k, p] for k, p in zip(site.keys, parts, strict=True)]}


@LOAD.register(Dict)
def _load_dict(reader: _Reader, data: dict[str, Any]) -> Space[Any]:
    return Dict({k: reader.load(s) for k, s in data["items"]})


@DUMP.register(Record)
def _dump_record(site: Site, parts: list[dict[str, Any]]) -> dict[str, Any]:
    cls = import_path(site.node.cls, f"record at {site.path or 'the root'!r}")
    fields = [[k, p] for k, p in zip(site.keys, parts, strict=True)]
    return {"type": "Record", "cls": cls, "fields": fields}


@LOAD.register(Record)
def _load_record(reader: _Reader, data: dict[str, Any]) -> Space[Any]:
    cls = reader.named(data["cls"], "a record class (an attrs class)", _is_record)
    return Record(cls, {k: reader.load(s) for k, s in data["fields"]})


def to_json(space: Space[Any] | dict[str, Any] | list[Any], *, indent: int | None = 2) -> str:
    """The space as a versioned JSON document.

    >>> from typedspace import Choice, IntUniform, as_space
    >>> text = to_json({"layers": IntUniform(1, 4), "act": Choice("relu", "gelu")})
    >>> from_json(text) == as_space({"layers": IntUniform(1, 4), "act": Choice("relu", "gelu")})
    True
    """
    data = DUMP(walk(as_root_space(space)))
    version = VERSION if _has_numpy(data) else _PLAIN_VERSION
    document = {"format": FORMAT, "version": version, "space": data}
    return json.dumps(document, indent=indent)


def _has_numpy(data: Any) -> bool:
    """Whether a document's data holds a numpy scalar (or a dict constant keyed "$numpy",
    which only costs it the newer version number)."""
    if isinstance(data, dict):
        return "$numpy" in data or any(_has_numpy(v) for v in data.values())
    if isinstance(data, list):
        return any(_has_numpy(v) for v in data)
    return False


def from_json(text: str, *, allow: Iterable[object] = ()) -> Space[Any]:
    """The space stored in a document written by ``to_json``.

    Reading never imports or calls anything the document merely names: the record classes,
    ``Map`` functions, custom distribution classes, enums and referenced constants it uses
    must be passed in ``allow`` (typedspace's own distributions are always allowed).  The
    document's version is checked: one written by a newer typedspace is a clear error.

    >>> from typedspace import IntUniform, Map
    >>> text = to_json(Map(math.sqrt, IntUniform(1, 9)))
    >>> from_json(text)
    Traceback (most recent call last):
    ...
    typedspace.SerializationError: the document names 'math:sqrt' as a Map function; it is not in allow=, so nothing was imported or called (pass the object itself: from_json(text, allow=[...]))
    >>> from_json(text, allow=[math.sqrt]) == Map(math.sqrt, IntUniform(1, 9))
    True
    """
    reader = _Reader(allow)
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
        return reader.load(document["space"])
    except SerializationError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
        raise SerializationError(f"malformed space document: {error!r}") from error
