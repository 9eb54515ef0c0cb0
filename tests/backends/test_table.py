"""The parameter table: prior assignments pass its validation unchanged, with exact types."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given

from tests.backends._oracle import check_assignment_types, seeds
from typedspace import Space, flatten
from typedspace.testing import spaces


@given(spaces(), seeds)
def test_validate_accepts_prior_assignments(space: Space[Any], seed: int) -> None:
    table = flatten(space).table
    for assignment in table.sample_assignments(np.random.default_rng(seed), 10):
        check_assignment_types(space, assignment)
        assert table.validate(assignment) == assignment
