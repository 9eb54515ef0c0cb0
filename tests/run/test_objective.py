"""What an objective may return: floats (numpy's too) or an Outcome with extra data to keep;
anything else fails its trial."""

from __future__ import annotations

import math
from typing import Any

import pytest

from typedspace import NoSuccessfulTrial, Outcome, TrialState, Uniform, optimize
from typedspace.algorithms import RandomSearch


@pytest.mark.parametrize("bad", [None, "0.5", [1.0], math.inf, -math.inf])
def test_non_numbers_fail_the_trial(bad: Any) -> None:
    result = optimize(lambda x: bad, Uniform(0.0, 1.0), RandomSearch(), max_evals=2, seed=0)
    assert [t.state for t in result.trials] == [TrialState.FAILED] * 2
    with pytest.raises(NoSuccessfulTrial, match="all 2 finished trials failed"):
        _ = result.best


def test_outcome_extra_is_kept() -> None:
    result = optimize(
        lambda x: Outcome(x, extra={"double": 2 * x}),
        Uniform(0.0, 1.0),
        RandomSearch(),
        max_evals=3,
        seed=0,
    )
    for t in result.trials:
        assert t.loss is not None and t.extra == {"double": 2 * t.loss}


def test_numpy_losses_become_python_floats() -> None:
    import numpy as np

    result = optimize(
        lambda x: np.float32(x), Uniform(0.0, 1.0), RandomSearch(), max_evals=3, seed=0
    )
    assert all(type(t.loss) is float for t in result.trials)
