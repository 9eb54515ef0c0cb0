"""What an objective may return: floats (numpy's too) or an Outcome with extra data to keep.
A non-finite loss fails its trial; anything that is not a number stops the run at once."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, cast

import numpy as np
import pytest

from typedspace import (
    InvalidReturnType,
    NoSuccessfulTrial,
    Optimizer,
    Outcome,
    TrialState,
    Uniform,
    load_study,
    optimize,
)
from typedspace.algorithms import RandomSearch
from typedspace.errors import InvalidLoss
from typedspace.run._objective import check_loss


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan])
def test_non_finite_losses_fail_the_trial_and_the_run_goes_on(bad: Any) -> None:
    result = optimize(lambda x: bad, Uniform(0.0, 1.0), RandomSearch(), max_evals=8, seed=0)
    assert [t.state for t in result.trials] == [TrialState.FAILED] * 8
    with pytest.raises(NoSuccessfulTrial, match="all 8 finished trials failed"):
        _ = result.best


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"loss": 0.5, "status": "ok"}, r"Hyperopt-style result dict: return the loss as a float"),
        (None, r"returned None: is a `return` missing\?"),
        ("0.5", r"returned '0.5' \(a str\), not a number"),
        ([1.0], r"several values where one loss is needed"),
        (np.array([1.0, 2.0]), r"several values where one loss is needed"),
        (True, r"returned True \(a bool\), not a number"),
    ],
)
@pytest.mark.parametrize("catch", [True, False])
def test_a_return_that_is_not_a_number_stops_the_run_at_once(
    bad: Any, message: str, catch: bool, tmp_path: Path
) -> None:
    # It used to fail every trial of the budget silently (issue 13, item 1).
    path = tmp_path / "runs.db"
    space = Uniform(0.0, 1.0)
    with pytest.raises(InvalidReturnType, match=message):
        optimize(lambda x: bad, space, RandomSearch(), max_evals=50, catch=catch, storage=path)
    [trial] = load_study(path, "default", space=space).trials  # recorded, not left running
    assert trial.state is TrialState.FAILED and trial.error is not None
    assert trial.error.type == "InvalidReturnType"


def test_a_zero_dimensional_array_is_the_number_it_holds() -> None:
    # Accepted at run time (np.mean of an array, say); statically an ndarray is not a float.
    result = optimize(
        lambda x: cast(float, np.array(x)), Uniform(0.0, 1.0), RandomSearch(), max_evals=3, seed=0
    )
    assert all(t.state is TrialState.OK and type(t.loss) is float for t in result.trials)


def test_ask_tell_with_a_non_number_fails_the_trial_and_raises() -> None:
    opt = Optimizer(Uniform(0.0, 1.0), RandomSearch())
    with pytest.raises(InvalidReturnType, match="Hyperopt-style"):
        opt.tell(opt.ask(), cast(float, {"loss": 1.0, "status": "ok"}))
    assert [t.state for t in opt.trials] == [TrialState.FAILED]


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
