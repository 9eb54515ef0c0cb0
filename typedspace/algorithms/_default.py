"""The algorithm a run uses when none is given: chosen by the budget.

A Gaussian process conditions every proposal on every trial, so it gets the most out of a
few dozen of them (and its cost, cubic in the trials, is still milliseconds there); TPE
models the good and bad trials separately at a cost that barely grows, and keeps improving
where the GP's cost and its stationary kernel stop paying.  The threshold comes from the
small-budget suite (``benchmarks/RESULTS-small-budget.md``, "Default by budget").
"""

from __future__ import annotations

from typedspace.algorithms._base import Algorithm
from typedspace.algorithms._gp import GP
from typedspace.algorithms._tpe import TPE

#: Budgets (``max_evals``) up to this many trials get ``GP()``; larger or unknown ones ``TPE()``.
GP_UP_TO = 64


def default_algorithm(max_trials: int | None) -> Algorithm:
    """``GP()`` for a study of at most ``GP_UP_TO`` trials, else ``TPE()`` (also when the
    budget is unknown: a run limited by time or by an early-stopping rule, or ask/tell).

    >>> [type(default_algorithm(n)).__name__ for n in (30, 64, 65, None)]
    ['GP', 'GP', 'TPE', 'TPE']
    """
    if max_trials is not None and max_trials <= GP_UP_TO:
        return GP()
    return TPE()
