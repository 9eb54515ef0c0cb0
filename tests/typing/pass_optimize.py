"""optimize(), ask/tell, encode and custom distributions keep the space's value type."""

from typing import Any, assert_type

from typedspace import (
    Custom,
    IntUniform,
    LogUniform,
    Optimizer,
    Outcome,
    Report,
    Result,
    Space,
    Trial,
    Uniform,
    encode,
    optimize,
    param,
    record,
    space_of,
)
from typedspace.distributions import Beta, BoundedPoisson, TruncatedExponential
from typedspace.pruners import MedianPruner


@record
class Config:
    lr: float = param(LogUniform(1e-5, 1e-1))
    layers: int = param(IntUniform(1, 4))
    dropout: float = param(Custom(Beta(2.0, 5.0)))


def loss(config: Config) -> float:
    return config.lr * config.layers


def with_extra(config: Config) -> Outcome:
    return Outcome(config.lr, extra={"layers": config.layers})


def on_dict(config: dict[str, Any]) -> float:
    return float(config["x"])


def on_object(value: object) -> float:
    return 0.0


def reporting(config: Config, trial: Report) -> float:
    trial.report(1, 0.5)
    return 0.5


def reporting_on_dict(config: dict[str, Any], trial: Report) -> float:
    return 0.5


def check_types() -> None:
    space = space_of(Config)
    # An objective may take a Report as its second argument (pruning).
    assert_type(optimize(reporting, space, pruner=MedianPruner()), Result[Config])
    assert_type(optimize(reporting_on_dict, {"x": Uniform(0.0, 1.0)}).best, dict[str, Any])
    assert_type(optimize(loss, space), Result[Config])
    assert_type(optimize(with_extra, space).best, Config)
    assert_type(optimize(loss, space).best_loss, float)
    assert_type(optimize(on_dict, {"x": Uniform(0.0, 1.0)}), Result[dict[str, Any]])
    # An objective accepting a supertype of the value type is fine.
    assert_type(optimize(on_object, space).best, Config)

    opt = Optimizer(space)
    assert_type(opt, Optimizer[Config])
    assert_type(opt.ask(), Trial[Config])
    assert_type(opt.ask(3), list[Trial[Config]])
    assert_type(opt.ask().value, Config)
    assert_type(opt.tell(opt.ask(), 0.5), Trial[Config])
    assert_type(Optimizer({"x": Uniform(0.0, 1.0)}), Optimizer[dict[str, Any]])

    assert_type(encode(space, Config(0.1, 2, 0.3)), dict[str, float | int])

    # Custom leaves: continuous distributions give floats, discrete ones ints.
    assert_type(Custom(Beta(2.0, 5.0)), Custom[float])
    assert_type(Custom(TruncatedExponential(0.1, 1.0)), Custom[float])
    assert_type(Custom(BoundedPoisson(3.0, 1, 10)), Custom[int])
    assert_type(float_space(Custom(Beta(1.0, 1.0))), Space[float])
    assert_type(int_space(Custom(BoundedPoisson(3.0, 1, 10), name="count")), Space[int])


def float_space(space: Space[float]) -> Space[float]:
    return space


def int_space(space: Space[int]) -> Space[int]:
    return space
