"""Printing backend: a space as one readable configuration file, or as one line.

Parameter names are not recomputed here: the printer walks the tree in the order the flattener
does and takes each name from ``flatten(space).table``, so what it prints is exactly what the
optimizer, the trials and the plots call each parameter.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

import attrs

from typedspace._flatten import _arg_names, flatten
from typedspace._table import CategoricalParam, NumericParam, Param
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

P = TypeVar("P", NumericParam, CategoricalParam)

# Trailing "# name" comments line up after the longest line up to this width; a longer line
# gets its comment right after it rather than pushing every other comment off the screen.
_MAX_COMMENT_COLUMN = 60


@attrs.frozen
class _Doc:
    """A layout-independent rendering: a line of ``text`` and what hangs below it.

    ``close`` is the closing bracket of a container; a selector (Cond or conditional Choice)
    has ``close=None`` and its children are the branches it activates.
    """

    text: str
    name: str | None = None
    children: tuple[tuple[str, _Doc], ...] = ()
    close: str | None = None


def pretty(space: Space[Any] | Mapping[str, Any] | list[Any]) -> str:
    """The space as a configuration file: one parameter per line, its name as a comment.

    Branches show the parameters they activate; weights are shown as probabilities.

    >>> from typedspace import Choice, LogUniform
    >>> print(pretty({"lr": LogUniform(1e-4, 1.0), "act": Choice("relu", "gelu", weights=[3, 1])}))
    {
      lr: log-uniform [0.0001, 1.0]                  # lr
      act: one of 'relu' (p=0.75) | 'gelu' (p=0.25)  # act
    }
    """
    lines: list[tuple[str, str | None]] = []
    _lines(_document(space), "", 0, lines)
    named = [len(text) for text, name in lines if name is not None]
    column = max((n for n in named if n <= _MAX_COMMENT_COLUMN), default=0)
    out = [text if name is None else f"{text.ljust(column)}  # {name}" for text, name in lines]
    return "\n".join(out)


def describe(space: Space[Any] | Mapping[str, Any] | list[Any]) -> str:
    """The space on one line (no parameter names): for logs and error messages.

    >>> from typedspace import Choice, IntUniform
    >>> describe({"layers": IntUniform(1, 4), "act": Choice("relu", "gelu")})
    "{layers: int uniform [1, 4], act: one of 'relu' | 'gelu'}"
    """
    return _compact(_document(space))


def _document(space: Space[Any] | Mapping[str, Any] | list[Any]) -> _Doc:
    tree = as_space(space)
    table = flatten(tree).table
    walker = _Walker(iter(table.params))
    doc = walker.doc(tree)
    if next(walker.params, None) is not None:
        raise RuntimeError("pretty: the parameter table has more parameters than the space")
    return doc


class _Walker:
    """Builds the ``_Doc`` of a tree, visiting leaves in the flattener's order."""

    def __init__(self, params: Iterator[Param]) -> None:
        self.params = params

    def take(self, kind: type[P]) -> P:
        param = next(self.params, None)
        if not isinstance(param, kind):
            # Only a change to the flattener's walk order can get here: fail loudly rather
            # than print names that the optimizer does not use.
            raise RuntimeError(f"pretty: expected a {kind.__name__} in the table, got {param!r}")
        return param

    def doc(self, space: Space[Any]) -> _Doc:
        if isinstance(
            space, Uniform | LogUniform | Normal | LogNormal | IntUniform | IntLogUniform
        ):
            return _Doc(_leaf_text(space), self.take(NumericParam).name)
        if isinstance(space, Custom):
            return _Doc(space.dist.describe(), self.take(NumericParam).name)
        if isinstance(space, Choice):
            return self._choice(space)
        if isinstance(space, Const):
            return _Doc(repr(space.value))
        if isinstance(space, Map):
            return self._map(space)
        if isinstance(space, Cond):
            selector = self.doc(space.selector)
            branches = tuple(
                (_when(selector.name, repr(key)), self.doc(branch))
                for key, branch in space.branches
            )
            return _Doc(selector.text, selector.name, branches)
        if isinstance(space, Tuple):
            return _Doc("(", None, tuple(("", self.doc(s)) for s in space.items), ")")
        if isinstance(space, List):
            return _Doc("[", None, tuple(("", self.doc(s)) for s in space.items), "]")
        if isinstance(space, Dict):
            return _Doc("{", None, tuple((f"{k}: ", self.doc(s)) for k, s in space.items), "}")
        if isinstance(space, Record):
            fields = tuple((f"{k}: ", self.doc(s)) for k, s in space.fields)
            return _Doc(f"{space.cls.__qualname__}(", None, fields, ")")
        raise TypeError(f"not a search space node: {space!r}")

    def _choice(self, space: Choice[Any]) -> _Doc:
        param = self.take(CategoricalParam)
        if len(param.weights) != len(space.options):
            raise RuntimeError(f"pretty: parameter {param.name!r} does not match its Choice")
        labels = [_option_label(o) for o in space.options]
        if space.weights is not None:
            labels = [
                f"{label} (p={p:.3g})" for label, p in zip(labels, param.weights, strict=True)
            ]
        branches = tuple(
            (_when(param.name, str(i)), self.doc(option))
            for i, option in enumerate(space.options)
            # A constant option activates nothing; its value is already in the header.
            if isinstance(option, Space) and not isinstance(option, Const)
        )
        return _Doc("one of " + " | ".join(labels), param.name, branches)

    def _map(self, space: Map[Any]) -> _Doc:
        f = _function_name(space.f)
        if len(space.args) == 1:
            inner = self.doc(space.args[0])
            if not inner.children and inner.close is None:
                return _Doc(f"{f}({inner.text})", inner.name)
            return _Doc(f"{f}(", None, (("", inner),), ")")
        keys = _arg_names(space.f, len(space.args))
        args = tuple((f"{k}: ", self.doc(a)) for k, a in zip(keys, space.args, strict=True))
        return _Doc(f"{f}(", None, args, ")")


def _when(selector: str | None, key: str) -> str:
    # A constant selector has no parameter: its single branch is always active.
    return f"when {selector} = {key}: " if selector is not None else f"when {key}: "


def _function_name(f: object) -> str:
    return str(getattr(f, "__qualname__", repr(f)))


def _number(x: float) -> str:
    """``repr`` without the zero padding of exponents (``1e-05`` -> ``1e-5``)."""
    text = repr(x)
    mantissa, sep, exponent = text.partition("e")
    if not sep:
        return text
    sign = "-" if exponent.startswith("-") else ""
    return f"{mantissa}e{sign}{exponent.lstrip('+-').lstrip('0') or '0'}"


def _leaf_text(
    leaf: Uniform | LogUniform | Normal | LogNormal | IntUniform | IntLogUniform,
) -> str:
    if isinstance(leaf, IntUniform):
        return f"int uniform [{leaf.low}, {leaf.high}]"
    if isinstance(leaf, IntLogUniform):
        return f"int log-uniform [{leaf.low}, {leaf.high}]"
    if isinstance(leaf, Uniform | LogUniform):
        kind = "uniform" if isinstance(leaf, Uniform) else "log-uniform"
        text = f"{kind} [{_number(leaf.low)}, {_number(leaf.high)}]"
    else:
        kind = "normal" if isinstance(leaf, Normal) else "log-normal"
        text = f"{kind}(mu={_number(leaf.mu)}, sigma={_number(leaf.sigma)})"
    return text if leaf.q is None else f"{text} in multiples of {_number(leaf.q)}"


def _option_label(option: object) -> str:
    """How a Choice header names an option: plain values as written, spaces by their shape."""
    if not isinstance(option, Space):
        return repr(option)
    if isinstance(option, Const):
        return repr(option.value)
    if isinstance(option, Record):
        return f"{option.cls.__qualname__}(...)"
    if isinstance(option, Map):
        return f"{_function_name(option.f)}(...)"
    shapes = {Dict: "{...}", List: "[...]", Tuple: "(...)"}
    return shapes.get(type(option), f"<{type(option).__name__}>")


def _lines(doc: _Doc, lead: str, depth: int, out: list[tuple[str, str | None]]) -> None:
    indent = "  " * depth
    head = f"{indent}{lead}{doc.text}"
    if doc.close is not None and not doc.children:
        out.append((head + doc.close, doc.name))
        return
    out.append((head, doc.name))
    for child_lead, child in doc.children:
        _lines(child, child_lead, depth + 1, out)
    if doc.close is not None:
        out.append((indent + doc.close, None))


def _compact(doc: _Doc) -> str:
    if doc.close is not None:
        inner = ", ".join(lead + _compact(child) for lead, child in doc.children)
        return f"{doc.text}{inner}{doc.close}"
    if not doc.children:
        return doc.text
    branches = "; ".join(lead + _compact(child) for lead, child in doc.children)
    return f"{doc.text} ({branches})"
