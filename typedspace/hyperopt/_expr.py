"""Hyperopt-style space expressions: labelled hyperparameters and arithmetic on them.

Hyperopt builds a "pyll" graph; here the same programs build a small tree of ``Expr``
objects, which ``_translate`` turns into typedspace nodes.  Nothing is evaluated when an
expression is built: ``hp.uniform("x", 0, 1) * 2`` is an ``Apply`` of ``mul``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from typedspace.nodes import Space

__all__ = ["Apply", "Expr", "Param", "contains_expr"]


class Expr:
    """A node of a Hyperopt space: a hyperparameter (``Param``) or a function of nodes
    (``Apply``).  Python operators on it build ``Apply`` nodes, as pyll's do.

    Nodes compare and hash by identity, as pyll's: the same object used twice in a space is
    one hyperparameter.
    """

    __slots__ = ()

    def __add__(self, other: object) -> Apply:
        return Apply(operator.add, (self, other))

    def __radd__(self, other: object) -> Apply:
        return Apply(operator.add, (other, self))

    def __sub__(self, other: object) -> Apply:
        return Apply(operator.sub, (self, other))

    def __rsub__(self, other: object) -> Apply:
        return Apply(operator.sub, (other, self))

    def __mul__(self, other: object) -> Apply:
        return Apply(operator.mul, (self, other))

    def __rmul__(self, other: object) -> Apply:
        return Apply(operator.mul, (other, self))

    def __truediv__(self, other: object) -> Apply:
        return Apply(operator.truediv, (self, other))

    def __rtruediv__(self, other: object) -> Apply:
        return Apply(operator.truediv, (other, self))

    def __floordiv__(self, other: object) -> Apply:
        return Apply(operator.floordiv, (self, other))

    def __rfloordiv__(self, other: object) -> Apply:
        return Apply(operator.floordiv, (other, self))

    def __mod__(self, other: object) -> Apply:
        return Apply(operator.mod, (self, other))

    def __rmod__(self, other: object) -> Apply:
        return Apply(operator.mod, (other, self))

    def __pow__(self, other: object) -> Apply:
        return Apply(operator.pow, (self, other))

    def __rpow__(self, other: object) -> Apply:
        return Apply(operator.pow, (other, self))

    def __neg__(self) -> Apply:
        return Apply(operator.neg, (self,))

    def __pos__(self) -> Apply:
        return Apply(operator.pos, (self,))

    def __abs__(self) -> Apply:
        return Apply(operator.abs, (self,))

    def __getitem__(self, key: object) -> Apply:
        return Apply(operator.getitem, (self, key))

    def __iter__(self) -> Iterator[Any]:
        # Without this, Python would iterate through __getitem__ forever.
        raise TypeError(
            f"a Hyperopt space expression ({self!r}) cannot be iterated or unpacked: its value "
            "exists only when a configuration is drawn; index it (expr[0]) instead"
        )

    def children(self) -> tuple[object, ...]:
        """The values this node is computed from (spaces or constants)."""
        raise NotImplementedError


class Param(Expr):
    """A labelled hyperparameter: ``kind`` is the ``hp`` function that made it
    (``"uniform"``, ``"choice"``, ...), ``args`` its numeric arguments, ``leaf`` the
    typedspace leaf of a numeric one (built at once, so a bad bound fails on the ``hp``
    line), ``options`` the options of a choice and ``weights`` those of a pchoice."""

    __slots__ = ("args", "kind", "label", "leaf", "options", "weights")

    def __init__(
        self,
        kind: str,
        label: str,
        args: tuple[float, ...] = (),
        *,
        leaf: Space[Any] | None = None,
        options: tuple[object, ...] = (),
        weights: tuple[float, ...] | None = None,
    ) -> None:
        self.kind = kind
        self.label = label
        self.args = args
        self.leaf = leaf
        self.options = options
        self.weights = weights

    def children(self) -> tuple[object, ...]:
        return self.options

    def __repr__(self) -> str:
        shown = ", ".join(repr(a) for a in self.args)
        if self.kind in ("choice", "pchoice"):
            shown = f"{len(self.options)} options"
        return f"hp.{self.kind}({self.label!r}{', ' if shown else ''}{shown})"


class Apply(Expr):
    """``fn(*args, **kwargs)`` of the values of spaces (and constants)."""

    __slots__ = ("args", "fn", "kwargs")

    def __init__(
        self,
        fn: Callable[..., Any],
        args: tuple[object, ...],
        kwargs: Mapping[str, object] | None = None,
    ) -> None:
        self.fn = fn
        self.args = args
        self.kwargs = dict(kwargs or {})

    def children(self) -> tuple[object, ...]:
        return (*self.args, *self.kwargs.values())

    @property
    def name(self) -> str:
        return str(getattr(self.fn, "__name__", repr(self.fn)))

    def __repr__(self) -> str:
        return f"{self.name}({', '.join(repr(a) for a in self.children())})"


def contains_expr(obj: object) -> bool:
    """Whether ``obj`` is an expression or a dict, list or tuple holding one."""
    if isinstance(obj, Expr):
        return True
    if isinstance(obj, Mapping):
        return any(contains_expr(v) for v in obj.values())
    if isinstance(obj, list | tuple):
        return any(contains_expr(v) for v in obj)
    return False
