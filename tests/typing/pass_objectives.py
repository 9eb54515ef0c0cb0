"""Several objectives and constraints: the types of optimize's result and of the declared
objectives."""

from typing import Any, assert_type

from typedspace import (
    Objectives,
    Optimizer,
    Outcome,
    Result,
    Trial,
    Uniform,
    maximize,
    minimize,
    optimize,
    param,
    record,
    space_of,
)


@record
class Config:
    lr: float = param(Uniform(0.0, 1.0))


@record
class Scores:
    error: float
    latency_ms: float


def scores(config: Config) -> Scores:
    return Scores(config.lr, 1.0 - config.lr)


def pair(config: dict[str, Any]) -> tuple[float, float]:
    return (config["x"], 1.0 - config["x"])


def with_constraints(config: Config) -> Outcome:
    return Outcome(values=scores(config), constraints=[config.lr - 0.5])


objectives = minimize("error") & minimize("latency_ms")
assert_type(objectives, Objectives)
assert_type(maximize("accuracy"), Objectives)

result = optimize(
    scores,
    space_of(Config),
    objectives=objectives,
    constraints=lambda s: s.latency_ms <= 0.5,
    max_evals=5,
    seed=0,  # unseeded, all 5 trials were infeasible (lr < 0.5) once in 32 runs
)
assert_type(result, Result[Config])
assert_type(result.pareto, list[Trial[Config]])
assert_type(result.pareto[0].value, Config)
assert_type(result.pareto[0].values, tuple[float, ...] | None)
assert_type(result.pareto[0].feasible, bool)
assert_type(result.hypervolume((1.0, 1.0)), float)

by_position = optimize(pair, {"x": Uniform(0.0, 1.0)}, objectives=minimize() & minimize())
assert_type(by_position, Result[dict[str, Any]])

returned = optimize(
    with_constraints, space_of(Config), objectives=objectives, constraints=True, max_evals=5
)
assert_type(returned, Result[Config])

opt = Optimizer(space_of(Config), objectives=objectives)
trial = opt.ask()
assert_type(opt.tell(trial, Outcome(values=scores(trial.value))), Trial[Config])
assert_type(opt.tell(opt.ask(), (0.5, 0.5)), Trial[Config])
