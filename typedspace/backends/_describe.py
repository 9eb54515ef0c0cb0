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
