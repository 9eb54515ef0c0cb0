"""Ask/tell: users who own the loop drive the optimizer directly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from typedspace import (
    Choice,
    Cond,
    Const,
    IntUniform,
    LogUniform,
    Optimizer,
    TrialState,
    Uniform,
    optimize,
    study_names,
)
from typedspace.algorithms import RandomSearch

SPACE = {
    "model": Cond(
        Choice("linear", "tree"),
        {"linear": LogUniform(1e-4, 1.0), "tree": IntUniform(1, 10)},
    ),
    "x": Uniform(0.0, 1.0),
}


def test_ask_tell_round() -> None:
    opt = Optimizer(SPACE, RandomSearch(), seed=0)
    trial = opt.ask()
    assert trial.state is TrialState.RUNNING and trial.number == 0
    assert set(trial.value) == {"model", "x"}
    done = opt.tell(trial, 0.5)
    assert done.state is TrialState.OK and done.loss == 0.5 and done.finished is not None
    assert opt.best_trial.number == 0
    assert [t.state for t in opt.trials] == [TrialState.OK]


def test_batch_ask_gives_distinct_running_trials() -> None:
    opt = Optimizer(SPACE, RandomSearch(), seed=0)
    batch = opt.ask(4)
    assert [t.number for t in batch] == [0, 1, 2, 3]
    assert len({tuple(sorted(t.assignment.items())) for t in batch}) == 4
    assert all(t.state is TrialState.RUNNING for t in opt.trials)
    for t in reversed(batch):  # results may arrive in any order
        opt.tell(t, float(t.number))
    assert opt.best_trial.number == 0


def test_tell_failure_and_invalid_loss() -> None:
    opt = Optimizer(SPACE, RandomSearch(), seed=0)
    a, b, c = opt.ask(3)
    opt.tell_failure(a, ValueError("diverged"))
    opt.tell(b, float("nan"))
    opt.cancel(c)
    states = {t.number: t for t in opt.trials}
    assert states[0].state is TrialState.FAILED and states[0].error is not None
    assert states[0].error.type == "ValueError" and states[0].error.message == "diverged"
    assert states[1].state is TrialState.FAILED and "non-finite" in str(states[1].error)
    assert states[2].state is TrialState.CANCELLED


def test_only_active_parameters_are_in_assignments() -> None:
    opt = Optimizer(SPACE, RandomSearch(), seed=3)
    for trial in opt.ask(30):
        branch = trial.assignment["model"]
        active = {"model", "x", "model.linear" if branch == 0 else "model.tree"}
        assert set(trial.assignment) == active


def test_enqueue_validates_and_runs_first() -> None:
    opt = Optimizer(SPACE, RandomSearch(), seed=0)
    opt.enqueue({"model": 1, "model.tree": 4, "x": 0.25})
    first = opt.ask()
    assert first.value == {"model": 4, "x": 0.25}
    with pytest.raises(ValueError, match="not active"):
        opt.enqueue({"model": 1, "model.tree": 4, "model.linear": 0.1, "x": 0.25})
    with pytest.raises(ValueError, match=r"lacks the active parameter 'model\.tree'"):
        opt.enqueue({"model": 1, "x": 0.25})


def test_negative_batch_is_an_error() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        Optimizer(SPACE, RandomSearch(), seed=0).ask(-1)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"seed": True}, TypeError, r"Optimizer: seed must be an int, got True"),
        ({"study": None}, TypeError, r"Optimizer: study must be a str.*got None"),
        ({"study": 123}, TypeError, r"study must be a str.*got 123"),
        ({"max_trials": 2.0}, TypeError, r"Optimizer: max_trials must be an int, got 2\.0"),
        ({"max_trials": -1}, ValueError, r"max_trials must be at least 0, got -1"),
    ],
)
def test_bad_arguments_are_refused(
    arguments: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        Optimizer(SPACE, RandomSearch(), **arguments)


@pytest.mark.parametrize("space", [Const(1.0), {"a": 1, "b": [Const(2), "x"]}], ids=repr)
def test_a_space_without_parameters_is_refused_before_any_trial(space: Any, tmp_path: Path) -> None:
    # It used to run max_evals trials of the one value (issue 13, item 8).
    path = tmp_path / "runs.db"
    with pytest.raises(ValueError, match="the space has no parameter to search"):
        optimize(lambda x: 1.0, space, storage=path)
    with pytest.raises(ValueError, match="no parameter to search"):
        Optimizer(space)
    assert not path.exists() or not study_names(path)


def test_trials_are_rebuilt_only_when_their_record_changed() -> None:
    # A loop asks for the trials after every trial (early_stop): unchanged ones are reused.
    opt = Optimizer({"x": Uniform(0.0, 1.0)}, RandomSearch(), seed=0)
    done = opt.tell(opt.ask(), 0.5)
    running = opt.ask()
    first = opt.trials
    assert first[0] is opt.trials[0] and first[0] == done
    assert first[1].state is TrialState.RUNNING
    opt.tell(running, 0.25)
    second = opt.trials
    assert second[0] is first[0]
    assert second[1] is not first[1] and second[1].state is TrialState.OK
    assert second[1].loss == 0.25 and second[1].value == running.value
