"""Printing backend: a space as one readable configuration file, or as one line.

Parameter names are not recomputed here: each line's name is its site's, from the one walk
that the flattener also uses, so what it prints is exactly what the optimizer, the trials and
the plots call each parameter.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from typedspace.backends._walk import Fold, Site, arg_names, walk
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
from typedspace.nodes._containers import as_root_space

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
    #: How a Choice's header names this space among its options.
    label: str = ""


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
    return PRETTY(walk(as_root_space(space)))


PRETTY: Fold[_Doc] = Fold("pretty")


@PRETTY.register(Uniform, LogUniform, Normal, LogNormal, IntUniform, IntLogUniform)
def _numeric(site: Site, parts: list[_Doc]) -> _Doc:
    return _Doc(_leaf_text(site.node), site.name, label=f"<{type(site.node).__name__}>")


@PRETTY.register(Custom)
def _custom(site: Site, parts: list[_Doc]) -> _Doc:
    return _Doc(site.node.dist.describe(), site.name, label="<Custom>")


@PRETTY.register(Const)
def _const(site: Site, parts: list[_Doc]) -> _Doc:
    return _Doc(repr(site.node.value), label=repr(site.node.value))


@PRETTY.register(Choice)
def _choice(site: Site, parts: list[_Doc]) -> _Doc:
    node: Choice[Any] = site.node
    below = dict(zip(site.keys, parts, strict=True))  # option index -> its space's doc
    labels = [below[i].label if i in below else repr(o) for i, o in enumerate(node.options)]
    if node.weights is not None:
        labels = [
            f"{label} (p={p:.3g})" for label, p in zip(labels, node.probabilities, strict=True)
        ]
    branches = tuple(
        (_when(site.name, str(i)), doc)
        for i, doc in below.items()
        # A constant option activates nothing; its value is already in the header.
        if not isinstance(node.options[i], Const)
    )
    return _Doc("one of " + " | ".join(labels), site.name, branches, label="<Choice>")


@PRETTY.register(Map)
def _map(site: Site, parts: list[_Doc]) -> _Doc:
    f = _function_name(site.node.f)
    label = f"{f}(...)"
    if len(parts) == 1:
        inner = parts[0]
        if not inner.children and inner.close is None:
            return _Doc(f"{f}({inner.text})", inner.name, label=label)
        return _Doc(f"{f}(", None, (("", inner),), ")", label=label)
    keys = arg_names(site.node.f, len(parts))
    args = tuple((f"{k}: ", doc) for k, doc in zip(keys, parts, strict=True))
    return _Doc(f"{f}(", None, args, ")", label=label)


@PRETTY.register(Cond)
def _cond(site: Site, parts: list[_Doc]) -> _Doc:
    selector, *docs = parts
    branches = tuple(
        (_when(selector.name, repr(key)), doc) for key, doc in zip(site.keys[1:], docs, strict=True)
    )
    return _Doc(selector.text, selector.name, branches, label="<Cond>")


@PRETTY.register(Tuple)
def _tuple(site: Site, parts: list[_Doc]) -> _Doc:
    return _Doc("(", None, tuple(("", doc) for doc in parts), ")", label="(...)")


@PRETTY.register(List)
def _list(site: Site, parts: list[_Doc]) -> _Doc:
    return _Doc("[", None, tuple(("", doc) for doc in parts), "]", label="[...]")


@PRETTY.register(Dict)
def _dict(site: Site, parts: list[_Doc]) -> _Doc:
    fields = tuple((f"{k}: ", doc) for k, doc in zip(site.keys, parts, strict=True))
    return _Doc("{", None, fields, "}", label="{...}")


@PRETTY.register(Record)
def _record(site: Site, parts: list[_Doc]) -> _Doc:
    name = site.node.cls.__qualname__
    fields = tuple((f"{k}: ", doc) for k, doc in zip(site.keys, parts, strict=True))
    return _Doc(f"{name}(", None, fields, ")", label=f"{name}(...)")


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
