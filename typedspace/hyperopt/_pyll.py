"""``scope``: Hyperopt's functions on space expressions (``scope.int``, ``scope.exp`` ...)
and ``scope.define`` for your own.  Calling ``scope.f(...)`` on expressions builds an
``Apply`` node, which becomes a ``Map`` over the parameters it uses.

>>> from typedspace.hyperopt import hp
>>> from typedspace.hyperopt.pyll import scope
>>> scope.int(hp.quniform("units", 16, 128, 16))
int(hp.quniform('units', 16.0, 128.0, 16.0))
"""

from __future__ import annotations

import builtins
import math
import operator
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from typedspace.hyperopt._expr import Apply

__all__ = ["Scope", "as_apply", "scope"]

F = TypeVar("F", bound=Callable[..., Any])


def switch(pos: int, *options: Any) -> Any:
    """The option at index ``pos`` (what ``hp.choice`` computes)."""
    return options[pos]


def _dict(*args: Any, **kwargs: Any) -> dict[Any, Any]:
    return dict(*args, **kwargs)


_dict.__name__ = "dict"


def _call(fn: Callable[..., Any], args: Any = (), kwargs: Any = None) -> Any:
    return fn(*args, **(kwargs or {}))


_call.__name__ = "call"


class Scope:
    """The table of functions usable on space expressions: ``scope.name(*args)`` builds
    the expression ``name(*args)``, evaluated per configuration."""

    def __init__(self) -> None:
        self._impls: dict[str, Callable[..., Any]] = {}

    def _define(self, f: F) -> F:
        self._impls[f.__name__] = f
        return f

    def define(self, f: F, o_len: int | None = None, pure: bool = False) -> F:
        """Make ``f`` usable as ``scope.<name>`` on expressions; returns ``f`` unchanged
        (so it stays callable on plain values).  A name is defined once."""
        if f.__name__ in self._impls:
            raise ValueError("Cannot override existing symbol", f.__name__)
        return self._define(f)

    def define_pure(self, f: F) -> F:
        """``define`` (every function of a space is taken as pure here)."""
        return self.define(f)

    def define_if_new(self, f: F, o_len: int | None = None, pure: bool = False) -> F:
        """``define``, passing silently when ``f`` is already the one defined."""
        known = self._impls.get(f.__name__)
        if known is not None and known is not f:
            raise ValueError("Cannot redefine existing symbol", f.__name__)
        return self._define(f)

    def define_info(self, o_len: int | None = None, pure: bool = False) -> Callable[[F], F]:
        """``define`` as a decorator with arguments."""
        return lambda f: self.define(f)

    def undefine(self, f: Callable[..., Any] | str) -> None:
        """Forget a definition (by function or by name)."""
        name = f if isinstance(f, str) else f.__name__
        del self._impls[name]

    def __getattr__(self, name: str) -> Callable[..., Apply]:
        impls = self.__dict__.get("_impls", {})
        if name not in impls:
            raise AttributeError(
                f"scope has no function {name!r}; define it with @scope.define (the names "
                f"known: {', '.join(sorted(impls))})"
            )
        fn = impls[name]

        def build(*args: Any, **kwargs: Any) -> Apply:
            return Apply(fn, args, kwargs)

        build.__name__ = name
        return build


scope = Scope()
for _fn in (
    builtins.int,
    builtins.float,
    builtins.len,
    builtins.list,
    builtins.tuple,
    builtins.range,
    builtins.max,
    builtins.min,
    builtins.abs,
    builtins.round,
    builtins.getattr,
    math.exp,
    math.log,
    math.sqrt,
    math.sin,
    math.cos,
    math.tan,
    builtins.pow,
    builtins.sum,
    np.minimum,
    np.maximum,
    np.asarray,
    operator.getitem,
    operator.add,
    operator.sub,
    operator.mul,
    operator.truediv,
    operator.floordiv,
    operator.neg,
    operator.eq,
    operator.lt,
    operator.le,
    operator.gt,
    operator.ge,
    switch,
    _dict,
    _call,
):
    scope._define(_fn)


def as_apply(obj: Any) -> Any:
    """The expression itself (Hyperopt wraps constants into graph nodes; here constants and
    containers are spaces as they are)."""
    return obj
