"""The algorithm chosen when none is given: GP up to ``GP_UP_TO`` trials, TPE beyond."""

from __future__ import annotations

import pytest

from typedspace.algorithms import GP, TPE, default_algorithm
from typedspace.algorithms._default import GP_UP_TO


@pytest.mark.parametrize("budget", [1, 16, GP_UP_TO])
def test_a_small_budget_gets_the_gaussian_process(budget: int) -> None:
    assert default_algorithm(budget) == GP()


@pytest.mark.parametrize("budget", [GP_UP_TO + 1, 1000, None])
def test_a_large_or_unknown_budget_gets_tpe(budget: int | None) -> None:
    assert default_algorithm(budget) == TPE()
