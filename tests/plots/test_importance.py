"""Parameter importance: eta^2 tells a parameter that orders the losses from noise, and the
ranking puts the parameter that matters first."""

from __future__ import annotations

import numpy as np

from typedspace.plots._importance import eta_squared, importances
from typedspace.storage import TrialRecord


def test_importance_finds_the_parameter_that_matters(records: list[TrialRecord]) -> None:
    scores = importances(records, {"model": True})
    assert next(iter(scores)) == "x"
    assert scores["x"] > 0.5 > scores["noise"]


def test_eta_squared_bounds() -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(size=400)
    assert eta_squared(list(x), list(x), categorical=False) > 0.95
    # independent noise: eta^2 is about (groups - 1) / n; 8 bins, 400 trials -> ~0.02
    assert eta_squared(list(x), list(rng.uniform(size=400)), categorical=False) < 0.08
