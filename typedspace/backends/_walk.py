"""The one walk over a space tree, and the handler tables through which backends interpret it.

``walk(space)`` visits the tree once and returns its ``Site`` tree: for every node, the path
that names it, the parameter it owns (leaves and choices own one, named by ``name=`` or by
their path), the condition under which it is active, and its children in order.  Parameter
order (pre-order: a selector before the parameters it conditions), naming and conditions are
decided here and nowhere else, so no backend can disagree with another about them.

A backend is a ``Fold``: one handler per node kind, called bottom-up with the node's site and
its children's results.  Every ``KindTable`` (folds, the walk's own shapes, the serializer's
loaders, the Hypothesis generators) is registered in ``TABLES``; the tests check that each
handles every kind of ``typedspace.nodes.NODE_KINDS``.  See ``README.md`` beside this file.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import attrs

from typedspace.backends._table import Clause, Condition
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

H = TypeVar("H")
R = TypeVar("R")

#: The name of a parameter that is the whole space (``Uniform(0, 1)`` alone).
ROOT_NAME = "value"

#: Every handler table, by name: the registry the tests check against ``NODE_KINDS``.
TABLES: dict[str, KindTable[Any]] = {}


class KindTable(Generic[H]):
    """One handler per node kind, looked up by the node's class (or its nearest base class)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.handlers: dict[type, H] = {}
        TABLES[name] = self

    def register(self, *kinds: type[Space[Any]]) -> Callable[[H], H]:
        """Decorator: the handler of ``kinds``."""

        def add(handler: H) -> H:
            for kind in kinds:
                if kind in self.handlers:
                    raise TypeError(f"{self.name}: {kind.__name__} already has a handler")
                self.handlers[kind] = handler
            return handler

        return add

    def lookup(self, kind: type) -> H:
        """The handler of ``kind`` (or of its nearest base class that has one)."""
        for cls in kind.__mro__:
            if cls in self.handlers:
                return self.handlers[cls]
        raise TypeError(f"{self.name}: {kind.__name__} is not a search space node kind")

    def handler(self, node: object) -> H:
        """The handler of ``node``'s kind."""
        if not isinstance(node, Space):
            raise TypeError(f"not a search space node: {node!r}")
        return self.lookup(type(node))

    def missing(self, kinds: Sequence[type]) -> list[str]:
        """The names of ``kinds`` this table has no handler for."""
        return [k.__name__ for k in kinds if not any(c in self.handlers for c in k.__mro__)]


@attrs.frozen(eq=False)
class Site:
    """A node as the walk found it.

    ``name``/``slot``: the parameter the node owns and its index in the table (None for
    nodes that own none).  ``keys[i]`` says how ``children[i]`` hangs below the node: an
    option's index (Choice), an argument's name (Map; None for a single argument), None for a
    Cond's selector then each branch's key, an item's index (Tuple, List), a key or field name
    (Dict, Record).
    """

    # Typed Any: each handler is registered for known kinds and annotates what it reads.
    node: Any
    path: str
    condition: Condition
    name: str | None = None
    slot: int | None = None
    children: tuple[Site, ...] = ()
    keys: tuple[Any, ...] = ()


class Fold(KindTable[Callable[[Site, list[R]], R]]):
    """A backend: ``fold(site)`` calls each node's handler with its site and the results of
    its children (bottom-up)."""

    def __call__(self, site: Site) -> R:
        parts = [self(child) for child in site.children]
        return self.handler(site.node)(site, parts)


class _Walker:
    """The state of one walk: the parameter names taken so far, in slot order."""

    def __init__(self) -> None:
        self.names: dict[str, int] = {}

    def own(self, name: str) -> int:
        if name in self.names:
            raise ValueError(
                f"duplicate parameter name {name!r}: two leaves have this name "
                "(give one of them another name= or move it)"
            )
        self.names[name] = len(self.names)
        return self.names[name]

    def visit(self, node: Space[Any], path: str, condition: Condition) -> Site:
        return _SHAPES.handler(node)(self, node, path, condition)


_Shape = Callable[[_Walker, Any, str, Condition], Site]
_SHAPES: KindTable[_Shape] = KindTable("walk")


def join(prefix: str, key: str) -> str:
    """A child's path: ``optimizer.lr``; at the root just ``lr``."""
    return f"{prefix}.{key}" if prefix else key


@_SHAPES.register(Uniform, LogUniform, Normal, LogNormal, IntUniform, IntLogUniform, Custom)
def _leaf(walker: _Walker, node: Any, path: str, condition: Condition) -> Site:
    name = node.name or path or ROOT_NAME
    return Site(node, path, condition, name, walker.own(name))


@_SHAPES.register(Const)
def _constant(walker: _Walker, node: Const[Any], path: str, condition: Condition) -> Site:
    return Site(node, path, condition)


@_SHAPES.register(Choice)
def _choice(walker: _Walker, node: Choice[Any], path: str, condition: Condition) -> Site:
    # A space among the options is active only when chosen: it hangs below the choice's own
    # parameter, under the condition "that parameter is this option's index".
    name = node.name or path or ROOT_NAME
    slot = walker.own(name)
    indices = [i for i, option in enumerate(node.options) if isinstance(option, Space)]
    children = tuple(
        walker.visit(
            node.options[i], join(name, str(i)), (*condition, Clause(name, frozenset([i])))
        )
        for i in indices
    )
    return Site(node, path, condition, name, slot, children, tuple(indices))


@_SHAPES.register(Map)
def _map(walker: _Walker, node: Map[Any], path: str, condition: Condition) -> Site:
    if len(node.args) == 1:  # transparent: the argument's parameters keep the Map's path
        return Site(
            node,
            path,
            condition,
            children=(walker.visit(node.args[0], path, condition),),
            keys=(None,),
        )
    keys = arg_names(node.f, len(node.args))
    children = tuple(
        walker.visit(arg, f"{path}{key}" if key.startswith("[") else join(path, key), condition)
        for arg, key in zip(node.args, keys, strict=True)
    )
    return Site(node, path, condition, children=children, keys=tuple(keys))


@_SHAPES.register(Cond)
def _cond(walker: _Walker, node: Cond[Any], path: str, condition: Condition) -> Site:
    selector = walker.visit(node.selector, path, condition)
    # At the root the branches hang under the selector's name: value.sgd, not sgd.
    prefix = path or selector.name or ROOT_NAME
    branches = []
    for key, branch in node.branches:
        sub = condition
        if selector.name is not None:  # a constant selector has one branch, always active
            sub = (*condition, Clause(selector.name, frozenset([_selector_value(node, key)])))
        branches.append(walker.visit(branch, join(prefix, str(key)), sub))
    keys = (None, *(key for key, _ in node.branches))
    return Site(node, path, condition, children=(selector, *branches), keys=keys)


def _selector_value(node: Cond[Any], key: object) -> int:
    """The assignment value of the selector's parameter that selects ``key``: a Choice's
    option index, or the integer itself."""
    if isinstance(node.selector, Choice):
        return next(i for i, option in enumerate(node.selector.options) if option == key)
    assert isinstance(key, int)
    return key


@_SHAPES.register(Tuple, List)
def _items(walker: _Walker, node: Tuple[Any] | List, path: str, condition: Condition) -> Site:
    children = tuple(
        walker.visit(item, f"{path}[{i}]", condition) for i, item in enumerate(node.items)
    )
    return Site(node, path, condition, children=children, keys=tuple(range(len(children))))


@_SHAPES.register(Dict, Record)
def _fields(walker: _Walker, node: Dict | Record[Any], path: str, condition: Condition) -> Site:
    items = node.items if isinstance(node, Dict) else node.fields
    children = tuple(walker.visit(space, join(path, key), condition) for key, space in items)
    return Site(node, path, condition, children=children, keys=tuple(key for key, _ in items))


def arg_names(f: Callable[..., Any], n: int) -> list[str]:
    """Names for the n arguments of ``f``: its positional parameter names when it has them."""
    try:
        params = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        return [f"[{i}]" for i in range(n)]
    positional = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(positional) >= n and len(set(positional[:n])) == n:
        return positional[:n]
    return [f"[{i}]" for i in range(n)]


@functools.lru_cache(maxsize=256)
def walk(space: Space[Any]) -> Site:
    """The site tree of ``space`` (cached per space; raises on a duplicate parameter name).

    >>> from typedspace import Choice, LogUniform, as_space
    >>> site = walk(as_space({"lr": LogUniform(1e-4, 1e-1), "act": Choice("relu", "gelu")}))
    >>> [(child.name, child.slot) for child in site.children]
    [('lr', 0), ('act', 1)]
    """
    return _Walker().visit(space, "", ())
