"""Several objectives used wrongly: every marked line must be a type error."""

from typedspace import Uniform, minimize, optimize


def two_values(value: float) -> tuple[float, float]:
    return (value, 1.0 - value)


def on_str(value: str) -> tuple[float, float]:
    return (0.0, 0.0)


def check_types() -> None:
    """Never called: the checkers read these lines."""
    # Several values need declared objectives: without them, the objective returns a loss.
    optimize(two_values, Uniform(0.0, 1.0))  # type: ignore[arg-type]
    # Objectives are declared with minimize/maximize, not names.
    optimize(two_values, Uniform(0.0, 1.0), objectives=["a", "b"])  # type: ignore[call-overload]
    # The objective still accepts what the space produces.
    optimize(on_str, Uniform(0.0, 1.0), objectives=minimize() & minimize())  # type: ignore[arg-type]
    # A name is a str.
    minimize(0)  # type: ignore[arg-type]
    # Objectives combine with objectives.
    minimize("a") & "b"  # type: ignore[operator]
    # Constraints are a function of the output, or True.
    optimize(two_values, Uniform(0.0, 1.0), objectives=minimize() & minimize(), constraints="x")  # type: ignore[call-overload]
