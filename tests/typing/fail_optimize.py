"""optimize() and ask/tell used wrongly: every marked line must be a type error."""

from typedspace import (
    Custom,
    IntUniform,
    Optimizer,
    Space,
    Uniform,
    optimize,
)
from typedspace.distributions import Beta, BoundedPoisson


def on_str(value: str) -> float:
    return 0.0


def on_float(value: float) -> float:
    return value


def returns_str(value: float) -> str:
    return ""


def second_is_not_a_report(value: float, epochs: int) -> float:
    return value


def check_types() -> None:
    """Never called: the checkers read these lines."""
    # The objective must accept what the space produces.
    optimize(on_str, Uniform(0.0, 1.0))  # type: ignore[arg-type]
    optimize(on_str, IntUniform(1, 4))  # type: ignore[arg-type]
    # ... and return a loss.
    optimize(returns_str, Uniform(0.0, 1.0))  # type: ignore[arg-type]
    # A second parameter is the Report, nothing else.
    optimize(second_is_not_a_report, Uniform(0.0, 1.0))  # type: ignore[arg-type]
    # A pruner is a pruner.
    optimize(on_float, Uniform(0.0, 1.0), pruner="median")  # type: ignore[call-overload]
    # Starting points have the space's type.
    optimize(on_float, Uniform(0.0, 1.0), points_to_evaluate=["0.5"])  # type: ignore[arg-type]
    # A trial's value has the space's type.
    s: str = Optimizer(Uniform(0.0, 1.0)).ask().value  # type: ignore[assignment]
    Optimizer(Uniform(0.0, 1.0)).tell(Optimizer(Uniform(0.0, 1.0)).ask(), "low")  # type: ignore[arg-type]
    # A custom discrete distribution gives ints, a continuous one floats.
    n: Space[str] = Custom(BoundedPoisson(3.0, 1, 10))  # type: ignore[assignment]
    k: Space[int] = Custom(Beta(2.0, 5.0))  # type: ignore[assignment]
    Custom(0.5)  # type: ignore[call-overload]
