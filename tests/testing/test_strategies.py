"""The Hypothesis strategies of ``typedspace.testing``: the spaces they draw use the requested
kinds and reach every kind, their assignments and values lie in the support, and failing
values shrink parameter by parameter."""

from __future__ import annotations

from typing import Any, cast

import attrs
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from tests.backends._oracle import check_assignment_types, fits
from typedspace import (
    Choice,
    Cond,
    Const,
    Dict,
    IntUniform,
    Space,
    Tuple,
    Uniform,
    decode,
    flatten,
)
from typedspace.testing import ALL_KINDS, assignments, spaces, values


@given(st.data())
def test_strategy_assignments_are_valid_and_decode_into_the_support(data: st.DataObject) -> None:
    space = data.draw(spaces())
    assignment = data.draw(assignments(space))
    check_assignment_types(space, assignment)
    assert flatten(space).table.validate(assignment) == assignment
    assert fits(space, decode(space, assignment))


@given(st.data())
def test_strategy_values_lie_in_the_support(data: st.DataObject) -> None:
    space = data.draw(spaces())
    assert fits(space, data.draw(values(space)))


def test_values_shrink_parameter_by_parameter() -> None:
    """A failing value shrinks to the smallest counterexample within each parameter."""
    space = Dict(
        {
            "n": IntUniform(0, 100),
            "opt": Cond(Choice("a", "b"), {"a": Const(0), "b": Uniform(2, 9)}),
        }
    )
    found = find(values(space), lambda v: v["n"] >= 37 and v["opt"] != 0)
    assert found == {"n": 37, "opt": 2.0}


def _kinds(space: object) -> set[type]:
    if not isinstance(space, Space):
        return set()
    found: set[type] = {type(space)}
    for field in attrs.fields(cast(Any, type(space))):
        value = getattr(space, field.name)
        for item in value if isinstance(value, tuple) else (value,):
            for part in item if isinstance(item, tuple) else (item,):
                found |= _kinds(part)
    return found


@given(spaces(kinds={Uniform, IntUniform, Tuple, Cond}))
def test_spaces_use_only_the_requested_kinds(space: Space[Any]) -> None:
    # Cond adds its own selector kinds (Const here, as Choice is not requested).
    assert _kinds(space) <= {Uniform, IntUniform, Tuple, Cond, Const}


def test_spaces_reach_every_kind() -> None:
    seen: set[type] = set()

    @settings(max_examples=100, derandomize=True)
    @given(spaces())
    def collect(space: Space[Any]) -> None:
        seen.update(_kinds(space))

    collect()
    assert seen == set(ALL_KINDS)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_depth": -1}, "max_depth"),
        ({"kinds": {Tuple}}, "at least one leaf kind"),
        ({"kinds": {Uniform, int}}, "unknown node kind"),
    ],
)
def test_spaces_rejects_bad_arguments(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        spaces(**kwargs)
