"""Early-stopping rules: NoImprovement ends a run once the best loss stops improving."""

from __future__ import annotations

import pytest

from typedspace import NoImprovement, Uniform, optimize
from typedspace.algorithms import RandomSearch


def test_early_stop_no_improvement() -> None:
    rule = NoImprovement(patience=10)
    result = optimize(
        lambda x: x, Uniform(0.0, 1.0), RandomSearch(), max_evals=10_000, seed=0, early_stop=rule
    )
    assert result.stop_reason == "early_stop"
    losses = [t.loss for t in result.trials if t.loss is not None]
    # the last 10 losses did not beat the best before them
    assert min(losses[-10:]) >= min(losses[:-10])
    assert min(losses[-11:]) < min(losses[:-11]) or len(losses) == 11


def test_no_improvement_validates_patience() -> None:
    with pytest.raises(ValueError, match="patience"):
        NoImprovement(patience=0)
