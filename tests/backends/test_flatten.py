"""Properties of flattening and decoding over random search spaces: conditions activate
exactly the selected branch, decoding ignores inactive parameters, and names that clash once
positions are known are caught.

The random spaces come from ``typedspace.testing.spaces``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import given

from tests.backends._oracle import seeds
from typedspace import (
    Choice,
    Cond,
    Const,
    Dict,
    IntUniform,
    LogUniform,
    Map,
    Normal,
    Space,
    Tuple,
    Uniform,
    flatten,
)
from typedspace.testing import spaces

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


# --- Names that clash only once positions are known: detected by the flattener. ---


def positions_first(x: float, y: float) -> float:
    return x + y


@pytest.mark.parametrize(
    ("space", "name"),
    [
        # A name= equal to another leaf's positional path.
        (Dict({"lr": Uniform(0.0, 1.0), "b": LogUniform(1e-3, 1.0, name="lr")}), "lr"),
        # A multi-argument Map names its arguments after the function's parameters.
        (
            Dict(
                {
                    "f": Map(positions_first, Uniform(0, 1), Uniform(0, 1)),
                    "g": Uniform(0, 1, name="f.x"),
                }
            ),
            "f.x",
        ),
        # Element 0's name= is element 1's positional path.
        (Tuple(Uniform(0.0, 1.0, name="[1]"), Uniform(0.0, 1.0)), "[1]"),
        # A Choice of spaces names its options "<choice>.<index>".
        (
            Dict({"c": Choice[float](Uniform(0.0, 1.0), 2), "d": Normal(0.0, 1.0, name="c.0")}),
            "c.0",
        ),
    ],
)
def test_positional_and_explicit_name_clash_fails_at_flatten(space: Space[Any], name: str) -> None:
    with pytest.raises(ValueError, match=rf"duplicate parameter name '{re.escape(name)}'"):
        flatten(space)
