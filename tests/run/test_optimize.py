"""optimize() end to end: typed results, seeding, failures, starting points, argument checks.

Its stopping rules are in test_loop.py and test_stopping.py, what an objective may return in
test_objective.py."""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np
import pytest

from typedspace import (
    Choice,
    IntUniform,
    Map,
    NoImprovement,
    TrialState,
    Uniform,
    optimize,
    param,
    record,
    space_of,
)
from typedspace.algorithms import RandomSearch


@record
class Config:
    x: float = param(Uniform(-2.0, 2.0))
    n: int = param(IntUniform(1, 3))
    act: str = param(Choice("relu", "tanh"))


def quadratic(c: Config) -> float:
    return (c.x - 0.5) ** 2 + c.n + (0.0 if c.act == "relu" else 1.0)


def test_returns_typed_best_and_all_trials() -> None:
    result = optimize(quadratic, space_of(Config), RandomSearch(), max_evals=40, seed=1)
    assert isinstance(result.best, Config)
    assert type(result.best.x) is float and type(result.best.n) is int
    assert len(result.trials) == 40
    assert [t.number for t in result.trials] == list(range(40))
    assert result.best_loss == min(t.loss for t in result.trials if t.loss is not None)
    assert result.best_loss == quadratic(result.best)
    assert result.stop_reason == "max_evals"
    for t in result.trials:
        assert t.state is TrialState.OK
        assert t.finished is not None and t.finished >= t.started


def test_same_seed_same_run() -> None:
    a = optimize(quadratic, space_of(Config), RandomSearch(), max_evals=15, seed=7)
    b = optimize(quadratic, space_of(Config), RandomSearch(), max_evals=15, seed=7)
    c = optimize(quadratic, space_of(Config), RandomSearch(), max_evals=15, seed=8)
    assert [t.assignment for t in a.trials] == [t.assignment for t in b.trials]
    assert [t.assignment for t in a.trials] != [t.assignment for t in c.trials]


def test_failures_are_recorded_and_the_run_goes_on() -> None:
    def objective(c: Config) -> float:
        if c.n == 3:
            raise ZeroDivisionError("n=3 is bad")
        if c.n == 2:
            return math.nan
        return c.x

    result = optimize(objective, space_of(Config), RandomSearch(), max_evals=30, seed=0)
    assert len(result.trials) == 30
    by_n = {n: [t for t in result.trials if t.value.n == n] for n in (1, 2, 3)}
    assert all(t.state is TrialState.FAILED for t in by_n[3])
    for t in by_n[3]:
        assert t.error is not None and t.error.type == "ZeroDivisionError"
        assert "n=3 is bad" in t.error.message and "ZeroDivisionError" in t.error.traceback
    for t in by_n[2]:
        assert t.state is TrialState.FAILED and t.error is not None
        assert "non-finite" in t.error.message
    assert all(t.state is TrialState.OK for t in by_n[1])
    assert result.best.n == 1


def test_the_repr_summarizes_the_run_and_names_the_best_trial() -> None:
    def objective(c: Config) -> float:
        if c.n == 3:
            raise ZeroDivisionError("n=3 is bad")
        return quadratic(c)

    result = optimize(objective, space_of(Config), RandomSearch(), max_evals=30, seed=0)
    failed, best = len(result.failed), result.best_trial
    assert 0 < failed < 30
    assert repr(result) == (
        f"Result(30 trials ({30 - failed} ok, {failed} failed), stop_reason='max_evals', "
        f"best trial {best.number}: loss {best.loss:.6g}, {best.value!r})"
    )
    every_failed = optimize(lambda c: math.nan, space_of(Config), max_evals=2)
    assert repr(every_failed).endswith("(2 failed), stop_reason='max_evals', no successful trial)")


def test_points_to_evaluate_run_first() -> None:
    start = Config(x=0.5, n=1, act="relu")
    result = optimize(
        quadratic,
        space_of(Config),
        RandomSearch(),
        max_evals=5,
        seed=0,
        points_to_evaluate=[start],
        assignments_to_evaluate=[{"x": -1.0, "n": 2, "act": 1}],
    )
    assert result.trials[0].value == start
    assert result.trials[1].value == Config(x=-1.0, n=2, act="tanh")
    assert result.best == start


def test_bad_starting_points_fail_before_running() -> None:
    calls: list[dict[str, float]] = []

    def objective(x: dict[str, float]) -> float:
        calls.append(x)
        return 0.0

    with pytest.raises(ValueError, match=r"'x'.*outside its support"):
        optimize(
            objective,
            {"x": Uniform(0.0, 1.0)},
            RandomSearch(),
            assignments_to_evaluate=[{"x": 5.0}],
        )
    assert calls == []


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError, match="max_evals"):
        optimize(lambda x: x, Uniform(0.0, 1.0), max_evals=-1)
    with pytest.raises(ValueError, match="timeout"):
        optimize(lambda x: x, Uniform(0.0, 1.0), timeout=0)
    with pytest.raises(TypeError, match="algo"):
        optimize(lambda x: x, Uniform(0.0, 1.0), algo="tpe")  # type: ignore[call-overload]


# Each used to run a wrong number of trials, be ignored, or fail with an unrelated message.
BAD_ARGUMENTS: list[tuple[dict[str, Any], type[Exception], str]] = [
    ({"max_evals": 1.5}, TypeError, r"optimize: max_evals must be an int, got 1\.5"),
    ({"max_evals": math.nan}, TypeError, r"max_evals must be an int, got nan"),
    ({"max_evals": True}, TypeError, r"max_evals must be an int, got True"),
    ({"max_evals": "10"}, TypeError, r"max_evals must be an int, got '10'"),
    ({"max_evals": -1}, ValueError, r"max_evals must be at least 0, got -1"),
    ({"timeout": "5"}, TypeError, r"optimize: timeout must be a number, got '5'"),
    ({"timeout": math.nan}, ValueError, r"timeout must be finite, got nan"),
    ({"timeout": math.inf}, ValueError, r"timeout must be finite, got inf"),
    ({"timeout": 0}, ValueError, r"timeout must be positive, got 0"),
    ({"loss_threshold": math.nan}, ValueError, r"loss_threshold must be finite, got nan"),
    ({"loss_threshold": "0"}, TypeError, r"loss_threshold must be a number, got '0'"),
    ({"max_pending": "2"}, TypeError, r"max_pending must be an int, got '2'"),
    ({"max_pending": 2}, ValueError, r"max_pending=2 is given without an executor"),
    ({"max_pending": 0, "executor": "threads"}, ValueError, r"max_pending must be at least 1"),
    ({"seed": True}, TypeError, r"seed must be an int, got True"),
    ({"seed": 0.5}, TypeError, r"seed must be an int, got 0\.5"),
    ({"seed": -1}, ValueError, r"seed must be at least 0, got -1"),
    ({"study": None}, TypeError, r"study must be a str.*got None"),
    ({"study": 123}, TypeError, r"study must be a str.*got 123"),
    ({"study": ""}, ValueError, r"study must be a non-empty name"),
]


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    BAD_ARGUMENTS,
    ids=[",".join(f"{k}={v!r}" for k, v in a.items()) for a, _, _ in BAD_ARGUMENTS],
)
def test_bad_arguments_fail_before_any_trial(
    arguments: dict[str, Any], error: type[Exception], message: str
) -> None:
    calls: list[float] = []

    def objective(x: float) -> float:
        calls.append(x)
        return x

    with pytest.raises(error, match=message):
        optimize(objective, Uniform(0.0, 1.0), RandomSearch(), **arguments)
    assert calls == []


def test_numpy_numbers_are_accepted_as_arguments() -> None:
    # A type checker wants Python numbers; numpy's are accepted at run time.
    numpy_arguments: dict[str, Any] = {
        "max_evals": np.int64(3),
        "seed": np.uint32(7),
        "timeout": np.float32(60.0),
        "loss_threshold": np.float64(-1.0),
    }
    result = optimize(lambda x: x, Uniform(0.0, 1.0), RandomSearch(), **numpy_arguments)
    assert len(result.trials) == 3 and result.stop_reason == "max_evals"
    plain = optimize(lambda x: x, Uniform(0.0, 1.0), RandomSearch(), max_evals=3, seed=7)
    assert [t.value for t in result.trials] == [t.value for t in plain.trials]


def test_map_values_reach_the_objective() -> None:
    @attrs.frozen
    class Layer:
        width: int

    seen: list[Layer] = []

    def objective(layer: Layer) -> float:
        seen.append(layer)
        return float(layer.width)

    result = optimize(
        objective, Map(lambda n: Layer(2**n), IntUniform(2, 5)), RandomSearch(), max_evals=8, seed=0
    )
    assert all(isinstance(v, Layer) and v.width in (4, 8, 16, 32) for v in seen)
    assert result.best == min(seen, key=lambda layer: layer.width)


# --- max_evals=None: the clock or the rule ends the run (issue 13, item 7) --------------------


def test_a_timeout_without_max_evals_runs_until_the_clock() -> None:
    result = optimize(lambda x: x, Uniform(0.0, 1.0), RandomSearch(), timeout=0.5, seed=0)
    # Random search costs well under 1 ms per trial: 100 (the old silent cap) is far short.
    assert result.stop_reason == "timeout" and len(result.trials) > 100


def test_an_early_stop_rule_without_max_evals_ends_the_run() -> None:
    result = optimize(
        lambda x: 1.0, Uniform(0.0, 1.0), RandomSearch(), early_stop=NoImprovement(150), seed=0
    )
    assert result.stop_reason == "early_stop" and len(result.trials) == 151


@pytest.mark.parametrize("given", [{}, {"max_evals": None}, {"loss_threshold": -1.0}])
def test_without_a_timeout_or_rule_the_default_is_100_trials(given: dict[str, Any]) -> None:
    result = optimize(lambda x: x, Uniform(0.0, 1.0), RandomSearch(), seed=0, **given)
    assert result.stop_reason == "max_evals" and len(result.trials) == 100
