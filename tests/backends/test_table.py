"""The parameter table: prior assignments pass its validation unchanged, with exact types."""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np
from hypothesis import given

from tests.backends._oracle import check_assignment_types, seeds
from typedspace import LogNormal, Normal, NumericParam, Space, flatten
from typedspace.testing import spaces


@given(spaces(), seeds)
def test_validate_accepts_prior_assignments(space: Space[Any], seed: int) -> None:
    table = flatten(space).table
    for assignment in table.sample_assignments(np.random.default_rng(seed), 10):
        check_assignment_types(space, assignment)
        assert table.validate(assignment) == assignment


def test_values_are_clamped_into_the_finite_floats() -> None:
    # A normal prior's far tail (or an optimizer's proposal there) overflows exp() or
    # underflows it to 0; a value stays a finite float, positive on a log scale.
    log_normal = flatten(LogNormal(0.0, 1.0)).table.params[0]
    normal = flatten(Normal(0.0, 1.0, q=0.5)).table.params[0]
    assert isinstance(log_normal, NumericParam) and isinstance(normal, NumericParam)
    largest = sys.float_info.max
    assert log_normal.to_value(np.array([-1000.0, 1000.0])).tolist() == [math.ulp(0.0), largest]
    assert normal.to_value(np.array([-math.inf, math.inf])).tolist() == [-largest, largest]
