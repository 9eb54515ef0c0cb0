"""Properties of sampling, flattening and decoding over random search spaces.

The spaces come from ``typedspace.testing.spaces``; ``fits`` below is an independent
membership test written from the node definitions (not from the table), so it checks both
the values and their exact Python types.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from typing import Any, cast

import attrs
import numpy as np
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from typedspace import (
    CategoricalParam,
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
    decode,
    flatten,
    sample,
    sample_many,
)
from typedspace.distributions import DiscreteDistribution
from typedspace.testing import ALL_KINDS, assignments, spaces, values
from typedspace.testing.strategies import PairRecord, identity, pair, triple

seeds = st.integers(0, 2**32 - 1)


def _on_grid(value: float, q: float | None) -> bool:
    if q is None:
        return True
    k = value / q
    return abs(k - round(k)) <= 1e-9 * max(1.0, abs(k))


def fits(space: Space[Any], value: object) -> bool:
    """Whether ``space`` can produce ``value``, with the exact Python type it declares."""
    if isinstance(space, Uniform | LogUniform):
        return (
            type(value) is float and space.low <= value <= space.high and _on_grid(value, space.q)
        )
    if isinstance(space, Normal):
        return type(value) is float and math.isfinite(value) and _on_grid(value, space.q)
    if isinstance(space, LogNormal):
        floor = space.q if space.q is not None else 0.0
        return (
            type(value) is float
            and floor <= value < math.inf
            and value > 0
            and _on_grid(value, space.q)
        )
    if isinstance(space, IntUniform | IntLogUniform):
        return type(value) is int and space.low <= value <= space.high
    if isinstance(space, Custom):
        low, high = space.dist.support()
        kind = int if isinstance(space.dist, DiscreteDistribution) else float
        return type(value) is kind and low <= value <= high
    if isinstance(space, Const):
        return _same_constant(space.value, value)
    if isinstance(space, Choice):
        return any(
            fits(o, value) if isinstance(o, Space) else _same_constant(o, value)
            for o in space.options
        )
    if isinstance(space, Map):
        if space.f is identity:
            return fits(space.args[0], value)
        assert space.f in (pair, triple), f"unexpected Map function {space.f!r}"
        return _fits_all(space.args, value, tuple)
    if isinstance(space, Cond):
        return any(fits(branch, value) for _, branch in space.branches)
    if isinstance(space, Tuple):
        return _fits_all(space.items, value, tuple)
    if isinstance(space, List):
        return _fits_all(space.items, value, list)
    if isinstance(space, Dict):
        return (
            type(value) is dict
            and list(value) == [k for k, _ in space.items]
            and all(fits(s, value[k]) for k, s in space.items)
        )
    if isinstance(space, Record):
        return type(value) is space.cls and all(fits(s, getattr(value, k)) for k, s in space.fields)
    raise AssertionError(f"unknown node {space!r}")


def _same_constant(expected: object, value: object) -> bool:
    return type(value) is type(expected) and value == expected


def _fits_all(items: Sequence[Space[Any]], value: object, kind: type) -> bool:
    return (
        type(value) is kind
        and len(value) == len(items)  # type: ignore[arg-type]
        and all(fits(s, v) for s, v in zip(items, value, strict=True))  # type: ignore[call-overload]
    )


def check_assignment_types(space: Space[Any], assignment: dict[str, float | int]) -> None:
    """Assignment values are Python ints (categoricals, integer leaves) or floats."""
    table = flatten(space).table
    for name, value in assignment.items():
        param = table[name]
        integral = isinstance(param, CategoricalParam) or param.is_int
        assert type(value) is (int if integral else float), (name, value)


# --- Sampling ---


@given(spaces(), seeds)
def test_samples_lie_in_support_with_declared_types(space: Space[Any], seed: int) -> None:
    for value in sample_many(space, 10, seed=seed):
        assert fits(space, value), (space, value)


@given(spaces(), seeds)
def test_same_seed_gives_same_value(space: Space[Any], seed: int) -> None:
    assert sample(space, seed=seed) == sample(space, seed=seed)
    assert sample_many(space, 5, seed=seed) == sample_many(space, 5, seed=seed)


@given(spaces(), seeds)
def test_identity_map_samples_like_its_argument(space: Space[Any], seed: int) -> None:
    mapped = Map(identity, space)
    assert flatten(mapped).table == flatten(space).table
    assert sample_many(mapped, 5, seed=seed) == sample_many(space, 5, seed=seed)


@given(spaces(), seeds)
def test_sample_is_the_decoded_prior_assignment(space: Space[Any], seed: int) -> None:
    flat = flatten(space)
    drawn = flat.table.sample_assignments(np.random.default_rng(seed), 5)
    assert sample_many(space, 5, seed=seed) == [decode(space, a) for a in drawn]


# --- Conditions: exactly the selected branch is active ---


class _RecordingRow(Sequence[Any]):
    """A decoder row that remembers which parameters the decoder reads."""

    def __init__(self, values: list[Any]) -> None:
        self.values = values
        self.read: set[int] = set()

    def __getitem__(self, index: Any) -> Any:
        self.read.add(index)
        return self.values[index]

    def __len__(self) -> int:
        return len(self.values)


@given(spaces(), seeds)
def test_assignments_hold_exactly_the_parameters_the_value_depends_on(
    space: Space[Any], seed: int
) -> None:
    flat = flatten(space)
    table = flat.table
    for assignment in table.sample_assignments(np.random.default_rng(seed), 10):
        # The decoder only reads the parameters on the selected branches: with a full row
        # (inactive parameters included) it must read exactly the assignment's parameters.
        full = [assignment.get(name, 0) for name in table.names]
        row = _RecordingRow(full)
        flat.decoder(row)
        assert {table.names[i] for i in row.read} == set(assignment)
        # The table's per-assignment view agrees with its vectorized masks.
        active = {p.name for p in table.params if table.is_active(p, assignment)}
        assert active == set(assignment)


def test_cond_activates_only_the_selected_branch() -> None:
    beta = Cond(IntUniform(0, 1), {0: Const(0.9), 1: Uniform(0.9, 0.999)})
    space = Cond(
        Choice("sgd", "adam", name="opt"),
        {
            "sgd": Dict({"lr": LogUniform(1e-3, 1.0), "momentum": Uniform(0.0, 0.99)}),
            "adam": Dict({"lr": LogUniform(1e-5, 1e-2), "beta": beta}),
        },
    )
    drawn = flatten(space).table.sample_assignments(np.random.default_rng(0), 200)
    # at the root, branches hang under the selector's name
    sgd = {"opt", "opt.sgd.lr", "opt.sgd.momentum"}
    adam = {"opt", "opt.adam.lr", "opt.adam.beta"}
    seen = {frozenset(a) for a in drawn}
    assert seen == {frozenset(sgd), frozenset(adam), frozenset(adam | {"opt.adam.beta.1"})}
    for a in drawn:
        assert (set(a) == sgd) == (a["opt"] == 0)
        assert ("opt.adam.beta.1" in a) == (a.get("opt.adam.beta") == 1)


# --- Flattening and decoding ---


@given(spaces(), seeds)
def test_decoding_ignores_inactive_parameters(space: Space[Any], seed: int) -> None:
    """A full prior row (inactive values included) decodes like its active assignment."""
    flat = flatten(space)
    table = flat.table
    columns = [p.sample(np.random.default_rng(seed), 5).tolist() for p in table.params]
    rows = list(zip(*columns, strict=True)) if columns else [() for _ in range(5)]
    masks = table.active_masks(
        {p.name: np.asarray(c) for p, c in zip(table.params, columns, strict=True)}
    )
    for i, row in enumerate(rows):
        assignment = {n: row[j] for j, n in enumerate(table.names) if masks[n][i]}
        assert flat.decoder(row) == flat.decode(assignment)


@given(spaces(), seeds)
def test_validate_accepts_prior_assignments(space: Space[Any], seed: int) -> None:
    table = flatten(space).table
    for assignment in table.sample_assignments(np.random.default_rng(seed), 10):
        check_assignment_types(space, assignment)
        assert table.validate(assignment) == assignment


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


# --- The strategies themselves, and equality of trees ---


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


@given(spaces())
def test_copied_trees_are_equal_and_hash_equal(space: Space[Any]) -> None:
    twin = copy.deepcopy(space)
    assert twin == space
    assert hash(twin) == hash(space)


def test_record_values_are_records() -> None:
    from typedspace import space_of

    value = sample(space_of(PairRecord, left=IntUniform(0, 3), right=Const("x")), seed=0)
    assert type(value) is PairRecord
    assert value.right == "x"
