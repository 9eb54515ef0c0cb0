"""The studies the plot and importance tests look at.

* ``SPACE`` and ``objective``: a conditional space, an objective that depends on ``x`` only
  (plus a little ``noise``) and fails for large ``x``.
* ``CURVES`` and ``training``: learning curves reported epoch by epoch, stopped by a
  ``MedianPruner`` at various steps (``run_curves``), with failed trials that reported a
  value first and one trial that gave up before reporting anything.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from typedspace import (
    Choice,
    Cond,
    IntUniform,
    LogUniform,
    Report,
    Result,
    TrialPruned,
    Uniform,
    optimize,
)
from typedspace.algorithms import RandomSearch
from typedspace.pruners import MedianPruner

SPACE = {
    "model": Cond(
        Choice("linear", "tree"), {"linear": LogUniform(1e-4, 1.0), "tree": IntUniform(1, 10)}
    ),
    "x": Uniform(-1.0, 1.0),
    "noise": Uniform(0.0, 1.0),
}


def objective(c: dict[str, Any]) -> float:
    if c["x"] > 0.8:
        raise ValueError("x too large")  # some failed trials
    return float(c["x"] ** 2 + 0.01 * c["noise"])


CURVES = {"level": Uniform(0.0, 1.0), "speed": Uniform(0.05, 1.0)}
EPOCHS = 8
#: The first trial of ``run_curves``: it gives up before reporting (pruned, no values).
GIVES_UP = {"level": 0.5, "speed": 0.5}


def training(c: dict[str, float], trial: Report) -> float:
    """A learning curve falling from ``level + 1`` towards ``level`` at ``speed``; curves
    cross, so the median pruner stops trials at different epochs."""
    if c == GIVES_UP:
        raise TrialPruned("gave up before the first epoch")
    if c["level"] > 0.9:
        trial.report(1, 0.0)  # a good first value, then a crash: failed, with a report
        raise ValueError("diverged")
    loss = math.inf
    for epoch in range(1, EPOCHS + 1):
        loss = c["level"] + math.exp(-c["speed"] * epoch)
        trial.report(epoch, loss)
    return loss


def run_curves(
    storage: Path | None = None, study: str = "curves", max_evals: int = 40
) -> Result[dict[str, Any]]:
    """``training`` under ``MedianPruner(warmup_steps=2)``, stored in ``storage`` if given."""
    return optimize(
        training,
        CURVES,
        RandomSearch(),
        pruner=MedianPruner(warmup_steps=2),
        max_evals=max_evals,
        seed=0,
        points_to_evaluate=[GIVES_UP],
        storage=storage,
        study=study,
        progress=False,
    )
