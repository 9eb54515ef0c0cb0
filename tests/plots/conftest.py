"""The ``records`` fixture: the trials of one run of the study in ``_study.py``."""

from __future__ import annotations

import pytest

from tests.plots._study import SPACE, objective
from typedspace import optimize
from typedspace.algorithms import RandomSearch
from typedspace.storage import TrialRecord


@pytest.fixture(scope="module")
def records() -> list[TrialRecord]:
    result = optimize(objective, SPACE, RandomSearch(), max_evals=60, seed=0)
    assert result.failed, "the fixture must contain failed trials"
    return [t.to_record() for t in result.trials]
