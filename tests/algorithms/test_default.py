"""The algorithm chosen when none is given: GP up to ``GP_UP_TO`` trials (``GP_UP_TO_PRUNED``
with a pruner), TPE beyond."""

from __future__ import annotations

import pytest

from typedspace.algorithms import GP, TPE, default_algorithm
from typedspace.algorithms._default import GP_UP_TO, GP_UP_TO_PRUNED


@pytest.mark.parametrize("budget", [1, 16, GP_UP_TO])
def test_a_small_budget_gets_the_gaussian_process(budget: int) -> None:
    assert default_algorithm(budget) == GP()


@pytest.mark.parametrize("budget", [GP_UP_TO + 1, 1000, None])
def test_a_large_or_unknown_budget_gets_tpe(budget: int | None) -> None:
    assert default_algorithm(budget) == TPE()


@pytest.mark.parametrize("budget", [GP_UP_TO + 1, GP_UP_TO_PRUNED])
def test_a_pruned_budget_of_started_trials_gets_the_gaussian_process_further(budget: int) -> None:
    assert default_algorithm(budget, pruning=True) == GP()


@pytest.mark.parametrize("budget", [GP_UP_TO_PRUNED + 1, None])
def test_a_large_or_unknown_pruned_budget_gets_tpe(budget: int | None) -> None:
    assert default_algorithm(budget, pruning=True) == TPE()
