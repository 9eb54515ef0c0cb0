"""Hyperopt spaces -> typedspace spaces.

Each labelled hyperparameter becomes one typedspace parameter named by its label: numeric
ones their leaf (built by ``hp.*``), ``hp.choice`` / ``hp.pchoice`` a ``Choice`` (whose
options may be spaces: conditional parameters), arithmetic and ``scope`` functions a ``Map``,
dicts, lists and tuples themselves.

Hyperopt lets one hyperparameter object appear in several places (``x`` and ``x + pi`` as
the options of a choice): it is one parameter.  A typedspace parameter sits in one place, so
such *shared* hyperparameters are lifted to the root, drawn once, and referred to where they
appear; the root ``Map`` then computes the value (every function applied in the space is
applied there, once the shared values are known).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from typedspace.backends._pretty import pretty
from typedspace.errors import DuplicateLabel
from typedspace.hyperopt._expr import Apply, Expr, Param
from typedspace.nodes import Choice, Cond, Const, Dict, Map, Space, as_space

__all__ = ["to_typed", "translate"]


class _Call:
    """``fn(*args, **kwargs)`` from the values of a ``Map``'s arguments (keywords last); its
    name is the function's, so the pretty text reads ``exp(...)``."""

    def __init__(self, fn: Callable[..., Any], n_args: int, keywords: tuple[str, ...]) -> None:
        self.fn = fn
        self.n_args = n_args
        self.keywords = keywords
        self.__qualname__ = str(getattr(fn, "__name__", type(fn).__name__))

    def __call__(self, *values: Any) -> Any:
        named = dict(zip(self.keywords, values[self.n_args :], strict=True))
        return self.fn(*values[: self.n_args], **named)


class _Ref:
    """Where a shared hyperparameter's value goes (filled in by the root ``Map``)."""

    def __init__(self, label: str) -> None:
        self.label = label

    def __repr__(self) -> str:
        return f"<shared {self.label!r}>"


class _Thunk:
    """A function application waiting for shared values."""

    def __init__(self, call: _Call, values: tuple[Any, ...]) -> None:
        self.call = call
        self.values = values


class _Defer:
    """A ``Map`` function that returns the application as a ``_Thunk``."""

    def __init__(self, call: _Call) -> None:
        self.call = call
        self.__qualname__ = call.__qualname__

    def __call__(self, *values: Any) -> _Thunk:
        return _Thunk(self.call, values)


def _resolve(value: Any, shared: Mapping[str, Any], done: dict[str, Any]) -> Any:
    if isinstance(value, _Ref):
        if value.label not in done:
            done[value.label] = _resolve(shared[value.label], shared, done)
        return done[value.label]
    if isinstance(value, _Thunk):
        return value.call(*(_resolve(v, shared, done) for v in value.values))
    if isinstance(value, dict):
        return {k: _resolve(v, shared, done) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, shared, done) for v in value]
    if isinstance(value, tuple):
        return tuple(_resolve(v, shared, done) for v in value)
    return value


def hyperopt_value(shared: dict[str, Any], value: Any) -> Any:
    """The value of a space with shared hyperparameters: the references filled in and the
    functions applied."""
    return _resolve(value, shared, {})


def _count(obj: object, counts: Counter[int], params: dict[str, Param]) -> None:
    """Count each hyperparameter's places (an ``Apply`` used twice counts its inputs twice,
    as each place is translated) and check labels: two objects, one label, is an error."""
    if isinstance(obj, Param):
        known = params.setdefault(obj.label, obj)
        if known is not obj:
            raise DuplicateLabel(
                f"duplicate label {obj.label!r}: two different hyperparameters are labelled "
                f"{obj.label!r} ({known!r} and {obj!r}); use one object in both places, or "
                "two labels"
            )
        counts[id(obj)] += 1
        if counts[id(obj)] == 1:
            for option in obj.options:
                _count(option, counts, params)
    elif isinstance(obj, Apply):
        for child in obj.children():
            _count(child, counts, params)
    elif isinstance(obj, Mapping):
        for value in obj.values():
            _count(value, counts, params)
    elif isinstance(obj, list | tuple):
        for value in obj:
            _count(value, counts, params)


class _Translator:
    def __init__(self, shared: frozenset[int]) -> None:
        self.shared = shared

    def space(self, obj: object) -> Space[Any]:
        if isinstance(obj, Param):
            if id(obj) in self.shared:
                return Const(_Ref(obj.label))
            return self.param(obj)
        if isinstance(obj, Apply):
            return self.apply(obj)
        if isinstance(obj, Space):  # a typedspace node inside a Hyperopt space: as it is
            return obj
        if isinstance(obj, Expr):
            raise TypeError(f"unknown space expression {obj!r}")
        if isinstance(obj, Mapping):
            for key in obj:
                if not isinstance(key, str):
                    raise TypeError(
                        f"a dict in a space has the key {key!r}: typedspace spaces have str "
                        "keys (the keys name the parameters below them)"
                    )
            if not _has_expr(obj):
                return Const(obj)
            return as_space({key: self.space(value) for key, value in obj.items()})
        if isinstance(obj, list | tuple) and _has_expr(obj):
            items = [self.space(value) for value in obj]
            return as_space(items if isinstance(obj, list) else tuple(items))
        return Const(obj)

    def param(self, param: Param) -> Space[Any]:
        if param.leaf is not None:
            return param.leaf
        options = [self.space(option) for option in param.options]
        plain = [o.value if isinstance(o, Const) else o for o in options]
        try:
            return Choice(*plain, weights=param.weights, name=param.label)
        except ValueError:
            # Options that are equal (hp.choice("x", [1, 1])) or NaN: Hyperopt picks by
            # index, so the parameter is the index and each option a branch.
            indices = Choice(*range(len(options)), weights=param.weights, name=param.label)
            return Cond(indices, dict(enumerate(options)))

    def apply(self, node: Apply) -> Space[Any]:
        call = _Call(node.fn, len(node.args), tuple(node.kwargs))
        args = [self.space(child) for child in node.children()]
        if not args:  # scope.f(): a Map needs an argument
            return Map(_Call(lambda _: node.fn(), 1, ()), Const(None))
        return Map(_Defer(call) if self.shared else call, *args)


def _has_expr(obj: object) -> bool:
    if isinstance(obj, Expr | Space):
        return True
    if isinstance(obj, Mapping):
        return any(_has_expr(v) for v in obj.values())
    if isinstance(obj, list | tuple):
        return any(_has_expr(v) for v in obj)
    return False


def translate(space: object) -> Space[Any]:
    """The typedspace space of a Hyperopt space: each labelled hyperparameter a parameter
    named by its label (see the module's docstring).

    >>> from typedspace.hyperopt import hp
    >>> translate({"x": hp.uniform("x", 0, 1), "n": 1 + hp.randint("n", 5)})  # doctest: +ELLIPSIS
    Dict(items=(('x', Uniform(low=0.0, high=1.0, q=None, name='x')), ('n', Map(...))))
    """
    counts: Counter[int] = Counter()
    params: dict[str, Param] = {}
    _count(space, counts, params)
    shared = {label: p for label, p in params.items() if counts[id(p)] > 1}
    translator = _Translator(frozenset(id(p) for p in shared.values()))
    root = translator.space(space)
    if not shared:
        return root
    lifted = Dict({label: translator.param(p) for label, p in shared.items()})
    return Map(hyperopt_value, lifted, root)


def to_typed(space: object) -> tuple[Space[Any], str]:
    """The typedspace ``Space`` equivalent to a Hyperopt space, and its pretty text: the
    first step from ``hp.*`` to the typed DSL.

    >>> from typedspace.hyperopt import hp, to_typed
    >>> typed, text = to_typed({"lr": hp.loguniform("lr", -5, 0), "act": hp.choice("act", ["relu", "tanh"])})
    >>> print(text)
    {
      lr: log-uniform [0.00673794699908547, 1.0]  # lr
      act: one of 'relu' | 'tanh'                 # act
    }
    """
    typed = translate(space)
    return typed, pretty(typed)
