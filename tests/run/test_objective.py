"""What an objective may return: floats (numpy's too) or an Outcome with extra data to keep;
anything else fails its trial."""

from __future__ import annotations

import math
from typing import Any, cast

import pytest

from typedspace import NoSuccessfulTrial, Optimizer, Outcome, TrialState, Uniform, optimize
from typedspace.algorithms import RandomSearch
from typedspace.errors import InvalidLoss
from typedspace.run._objective import check_loss


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


@pytest.mark.parametrize("huge", [10**400, Outcome(cast(float, 10**400))], ids=["int", "outcome"])
def test_an_int_beyond_the_largest_float_is_an_invalid_loss(huge: Any) -> None:
    # It used to escape float() as an OverflowError, not an InvalidLoss.
    with pytest.raises(InvalidLoss, match=r"non-finite loss \(1000.*\.\.\..*000\)"):
        check_loss(huge)
    result = optimize(lambda x: huge, Uniform(0.0, 1.0), RandomSearch(), max_evals=1)
    [trial] = result.trials
    assert trial.state is TrialState.FAILED and trial.error is not None
    assert trial.error.type == "InvalidLoss"
    opt = Optimizer(Uniform(0.0, 1.0), RandomSearch())
    assert opt.tell(opt.ask(), huge).state is TrialState.FAILED
