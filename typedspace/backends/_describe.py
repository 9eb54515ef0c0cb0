"""A parameter table as plain JSON data, stored with every study.

It lets a stored study be inspected (``typedspace show``, ``export``, ``plot``,
``load_study(...).table``) with names, kinds, bounds, log scales and option labels, without
the user's code: reading it parses numbers and strings, nothing else.  A custom distribution's
parameter is described by its value range and its description text; the distribution itself
(its CDF) is not stored, so a table read back this way is for inspection, not for sampling.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar

from typedspace.backends._table import CategoricalParam, Clause, NumericParam, Param, ParamTable

X = TypeVar("X")

#: The ``StudyInfo.attributes`` key under which a study keeps its description.
KEY = "parameters"


def describe_table(table: ParamTable) -> list[dict[str, Any]]:
    """The table as JSON-friendly data (floats may be infinite: normal priors are unbounded).

    >>> from typedspace import Choice, LogUniform, flatten
    >>> describe_table(flatten({"act": Choice("relu", "gelu")}).table)[0]["labels"]
    ["'relu'", "'gelu'"]
    """
    return [_describe(p) for p in table.params]


def _describe(param: Param) -> dict[str, Any]:
    condition = [[c.param, sorted(c.allowed)] for c in param.condition]
    if isinstance(param, CategoricalParam):
        return {
            "name": param.name,
            "kind": "categorical",
            "condition": condition,
            "weights": list(param.weights),
            "labels": list(param.labels),
        }
    return {
        "name": param.name,
        "kind": "numeric",
        "condition": condition,
        "int": param.is_int,
        "log": param.log,
        "q": param.q,
        "low": param.low,
        "high": param.high,
        "prior": param.prior,
        "z_low": param.z_low,
        "z_high": param.z_high,
        "mu": param.mu,
        "sigma": param.sigma,
        "custom": param.warp is not None,
    }


def table_from_description(data: object) -> ParamTable:
    """The table described by ``data`` (as ``describe_table`` wrote it); ``ValueError`` names
    the first entry that is not well formed.

    >>> from typedspace import IntUniform, flatten
    >>> table = flatten({"n": IntUniform(1, 4)}).table
    >>> table_from_description(describe_table(table)) == table
    True
    """
    entries = _typed(data, list, "the description")
    return ParamTable(tuple(_Entry(entry, i).param() for i, entry in enumerate(entries)))


class _Entry:
    """One described parameter, read field by field with a check of each field's type."""

    def __init__(self, data: object, i: int) -> None:
        self.where = f"parameter entry {i}"
        self.fields: dict[str, object] = _typed(data, dict, self.where)

    def get(self, key: str, check: Callable[[object], bool], what: str) -> Any:
        value = self.fields.get(key)
        if not check(value):
            raise ValueError(f"{self.where}: {key} must be {what}, got {value!r}")
        return value

    def flag(self, key: str) -> bool:
        return bool(self.get(key, lambda v: isinstance(v, bool), "true or false"))

    def number(self, key: str) -> float:
        return float(self.get(key, _is_number, "a number"))

    def param(self) -> Param:
        name = self.get("name", lambda v: isinstance(v, str) and bool(v), "a non-empty string")
        clauses = self.get("condition", _is_list, "a list")
        condition = tuple(_clause(c, self.where) for c in clauses)
        kind = self.fields.get("kind")
        if kind == "categorical":
            weights = self.get("weights", _are_numbers, "a list of numbers")
            labels = self.get("labels", _are_strings, "a list of strings")
            if len(labels) != len(weights):
                raise ValueError(f"{self.where}: {len(labels)} labels for {len(weights)} weights")
            return CategoricalParam(name, condition, tuple(map(float, weights)), tuple(labels))
        if kind != "numeric":
            raise ValueError(f"{self.where}: kind must be 'numeric' or 'categorical', got {kind!r}")
        q = self.get("q", lambda v: v is None or _is_number(v), "a number or null")
        return NumericParam(
            name,
            condition,
            self.flag("int"),
            self.flag("log"),
            None if q is None else float(q),
            self.number("low"),
            self.number("high"),
            self.get("prior", lambda v: v in ("uniform", "normal"), "'uniform' or 'normal'"),
            self.number("z_low"),
            self.number("z_high"),
            self.number("mu"),
            self.number("sigma"),
        )


def _clause(data: object, where: str) -> Clause:
    pair = _typed(data, list, f"{where}: a condition")
    if len(pair) != 2 or not isinstance(pair[0], str) or not _are_numbers(pair[1]):
        raise ValueError(f"{where}: a condition must be [name, [values]], got {data!r}")
    return Clause(pair[0], frozenset(pair[1]))


def _typed(value: object, kind: type[X], what: str) -> X:
    if not isinstance(value, kind):
        raise ValueError(f"{what} must be a {kind.__name__}, got {type(value).__name__}")
    return value


def _is_list(value: object) -> bool:
    return isinstance(value, list)


def _is_number(value: object) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and not (isinstance(value, float) and math.isnan(value))
    )


def _are_strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _are_numbers(value: object) -> bool:
    return isinstance(value, list) and all(_is_number(v) for v in value)


def summary(param: Param) -> str:
    """A parameter in the user's terms: ``log-uniform [1e-05, 0.1]``, ``one of 'a' | 'b'``.

    >>> from typedspace import IntUniform, flatten
    >>> summary(flatten({"n": IntUniform(1, 4)}).table["n"])
    'int uniform [1, 4]'
    """
    if isinstance(param, CategoricalParam):
        return "one of " + " | ".join(param.labels)
    if param.warp is not None:
        return f"custom distribution on [{param.low:g}, {param.high:g}]"
    kind = ("int " if param.is_int else "") + ("log-" if param.log else "") + param.prior
    if param.prior == "normal":
        text = f"{kind}(mu={param.mu:g}, sigma={param.sigma:g})"
    else:
        low, high = (int(param.low), int(param.high)) if param.is_int else (param.low, param.high)
        text = f"{kind} [{low:g}, {high:g}]"
    return text if param.q is None or param.is_int else f"{text} in multiples of {param.q:g}"


def table_changes(old: ParamTable, new: ParamTable) -> list[str]:
    """What differs between two tables, one line per parameter, in the user's terms.

    >>> from typedspace import IntUniform, LogUniform, flatten
    >>> old = flatten({"lr": LogUniform(1e-5, 0.1)}).table
    >>> new = flatten({"lr": LogUniform(1e-4, 1.0), "n": IntUniform(1, 4)}).table
    >>> print("\\n".join(table_changes(old, new)))
    parameter 'lr': log-uniform [1e-05, 0.1] -> log-uniform [0.0001, 1]
    parameter 'n' added: int uniform [1, 4]
    """
    lines = []
    for param in old.params:
        if param.name not in new.index:
            lines.append(f"parameter {param.name!r} removed: {summary(param)}")
        elif new[param.name] != param:
            before, after = summary(param), summary(new[param.name])
            if before == after:  # same distribution, another condition (moved in the tree)
                before, after = _where(param), _where(new[param.name])
            lines.append(f"parameter {param.name!r}: {before} -> {after}")
    lines += [
        f"parameter {p.name!r} added: {summary(p)}" for p in new.params if p.name not in old.index
    ]
    if lines:
        return lines
    if old.names != new.names:
        return ["the parameters are the same but their order differs"]
    return [
        "the parameters are described the same, but the space's fingerprint differs: it was "
        "computed by another version of typedspace or numpy, or from a description that "
        "changed between runs (such as an object's address)"
    ]


def _where(param: Param) -> str:
    clauses = [f"{c.param} in {sorted(c.allowed)}" for c in param.condition]
    return "active when " + " and ".join(clauses) if clauses else "always active"
