"""The algorithm a run uses when none is given: chosen by the budget.

A Gaussian process conditions every proposal on every trial, so it gets the most out of a
few dozen of them (and its cost, cubic in the trials, is still milliseconds there); TPE
models the good and bad trials separately at a cost that barely grows, and keeps improving
where the GP's cost and its stationary kernel stop paying.  The threshold comes from the
small-budget suite (``benchmarks/RESULTS-small-budget.md``, "Default by budget").

With a pruner, ``max_evals`` counts trials *started*, most of them stopped after a step or
a few: the same compute buys about three times as many trials (Hyperband on the pruning
benchmark: 159 to 190 started for 60 full curves' worth of steps), so the GP's threshold
is three times as high.  At every equal number of started trials measured there (30 to
300; ``benchmarks/RESULTS-pruning.md``, "GP against TPE, by trials started") our GP with a
pruner was ahead of our TPE with the same pruner or level with it.
"""

from __future__ import annotations

from typedspace.algorithms._base import Algorithm
from typedspace.algorithms._gp import GP
from typedspace.algorithms._tpe import TPE

#: Budgets (``max_evals``) up to this many trials get ``GP()``; larger or unknown ones ``TPE()``.
GP_UP_TO = 64
#: The same with a pruner, where most trials stop early: started trials, not full ones.
GP_UP_TO_PRUNED = 3 * GP_UP_TO


def default_algorithm(max_trials: int | None, *, pruning: bool = False) -> Algorithm:
    """``GP()`` for a study of at most ``GP_UP_TO`` trials (``GP_UP_TO_PRUNED`` when a
    pruner stops trials early), else ``TPE()`` (also when the budget is unknown: a run
    limited by time or by an early-stopping rule, or ask/tell).

    >>> [type(default_algorithm(n)).__name__ for n in (30, 64, 65, None)]
    ['GP', 'GP', 'TPE', 'TPE']
    >>> [type(default_algorithm(n, pruning=True)).__name__ for n in (65, 192, 193)]
    ['GP', 'GP', 'TPE']
    """
    limit = GP_UP_TO_PRUNED if pruning else GP_UP_TO
    if max_trials is not None and max_trials <= limit:
        return GP()
    return TPE()
