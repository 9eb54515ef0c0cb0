"""The one walk and the registry of handler tables: every backend handles every node kind."""

from __future__ import annotations

from typing import Any

import pytest

import typedspace.backends._encode
import typedspace.backends._flatten
import typedspace.backends._pretty
import typedspace.backends._serialize
import typedspace.nodes
import typedspace.testing.strategies
from typedspace import (
    Choice,
    Cond,
    Const,
    IntUniform,
    LogUniform,
    Map,
    Space,
    Uniform,
    as_space,
    pretty,
)
from typedspace.backends._table import Clause
from typedspace.backends._walk import TABLES, KindTable, Site, walk
from typedspace.nodes import NODE_KINDS
from typedspace.testing import ALL_KINDS


def parameters(site: Site) -> list[Site]:
    """The sites that own a parameter, in the walk's (pre-)order."""
    own = [site] if site.slot is not None else []
    return own + [p for child in site.children for p in parameters(child)]


#: Every interpretation of the tree: the walk itself and each backend's handler table.
BACKENDS = ("walk", "flatten", "encode", "pretty", "serialize", "deserialize", "strategies")


def test_every_backend_is_in_the_registry() -> None:
    assert set(TABLES) == set(BACKENDS)


@pytest.mark.parametrize("name", BACKENDS)
def test_every_backend_handles_every_node_kind(name: str) -> None:
    assert TABLES[name].missing(NODE_KINDS) == []


def test_node_kinds_are_all_the_node_classes() -> None:
    classes = {
        obj
        for obj in vars(typedspace.nodes).values()
        if isinstance(obj, type) and issubclass(obj, Space) and obj is not Space
    }
    assert classes == set(NODE_KINDS)
    assert set(ALL_KINDS) == set(NODE_KINDS)  # the Hypothesis strategies generate every kind


def test_a_removed_handler_is_reported_and_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    # What the registry test sees if a backend forgets a kind: the kind by name, and a
    # TypeError naming the backend and the kind instead of a wrong interpretation.
    monkeypatch.delitem(TABLES["pretty"].handlers, Cond)
    assert TABLES["pretty"].missing(NODE_KINDS) == ["Cond"]
    with pytest.raises(TypeError, match="pretty: Cond is not a search space node kind"):
        pretty(Cond(Choice("a", "b"), {"a": Uniform(0.0, 1.0), "b": Const(0.0)}))


def test_a_kind_gets_one_handler_per_table() -> None:
    table: KindTable[int] = KindTable("probe")
    try:
        table.register(Uniform)(1)
        with pytest.raises(TypeError, match="Uniform already has a handler"):
            table.register(Uniform)(2)
        assert table.lookup(Uniform) == 1
    finally:
        del TABLES["probe"]


def test_handlers_of_a_base_kind_serve_its_subclasses() -> None:
    class Bounded(Uniform):
        pass

    assert TABLES["flatten"].lookup(Bounded) is TABLES["flatten"].lookup(Uniform)


def test_a_non_node_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="not a search space node"):
        TABLES["flatten"].handler(3.0)


# --- What the walk decides: order, names, conditions ---


def test_parameters_are_numbered_in_pre_order_with_positional_names() -> None:
    space = as_space(
        {
            "opt": Cond(
                Choice("sgd", "adam"),
                {"sgd": {"lr": LogUniform(1e-3, 1.0)}, "adam": {"lr": LogUniform(1e-5, 1e-2)}},
            ),
            "layers": [IntUniform(1, 4), Uniform(0.0, 1.0, name="dropout")],
        }
    )
    sites = parameters(walk(space))
    assert [(s.name, s.slot) for s in sites] == [
        ("opt", 0),
        ("opt.sgd.lr", 1),
        ("opt.adam.lr", 2),
        ("layers[0]", 3),
        ("dropout", 4),
    ]
    conditions = {s.name: s.condition for s in sites}
    assert conditions["opt"] == ()
    assert conditions["opt.adam.lr"] == (Clause("opt", frozenset([1])),)
    assert conditions["dropout"] == ()


def test_a_choice_of_spaces_conditions_each_option_on_its_index() -> None:
    options: list[Any] = [Uniform(0.0, 1.0), "off", IntUniform(1, 3)]
    site = walk(Choice(*options, name="x"))
    assert site.keys == (0, 2)
    assert [(c.name, c.condition) for c in site.children] == [
        ("x.0", (Clause("x", frozenset([0])),)),
        ("x.2", (Clause("x", frozenset([2])),)),
    ]


def test_root_branches_hang_under_the_selector_and_map_arguments_take_parameter_names() -> None:
    def scaled(base: float, power: int) -> float:
        return base * 10.0**power

    cond = walk(Cond(IntUniform(1, 2), {1: Uniform(0.0, 1.0), 2: Const(0.0)}))
    assert [s.name for s in parameters(cond)] == ["value", "value.1"]
    assert parameters(cond)[1].condition == (Clause("value", frozenset([1])),)
    mapped = walk(as_space({"x": Map(scaled, Uniform(1.0, 2.0), IntUniform(0, 3))}))
    assert [s.name for s in parameters(mapped)] == ["x.base", "x.power"]


def test_a_name_taken_twice_is_an_error_of_the_walk() -> None:
    # A name= equal to another leaf's derived name is only known when names are derived.
    space: Any = {"a": {"b": Uniform(0.0, 1.0)}, "c": Uniform(0.0, 1.0, name="a.b")}
    with pytest.raises(ValueError, match="duplicate parameter name 'a.b'"):
        walk(as_space(space))


def test_backends_take_their_names_from_the_walk() -> None:
    space = as_space({"opt": Choice({"lr": LogUniform(1e-4, 1.0)}, "none")})
    names = [s.name for s in parameters(walk(space))]
    assert list(typedspace.backends._flatten.flatten(space).table.names) == names
    text = pretty(space)
    assert all(f"# {name}" in text for name in names)
