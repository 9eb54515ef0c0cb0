"""Records used wrongly: every marked line must be a type error (mypy and pyright)."""

from typing import Literal

from typedspace import Choice, IntUniform, Space, Uniform, param, record, space_of


@record
class Net:
    layers: int = param(IntUniform(1, 4))
    kernel: Literal["rbf", "poly"] = param(Choice("rbf", "poly"))


@record
class Wrong:
    # The field's space yields float where the annotation says int.
    layers: int = param(Uniform(1.0, 4.0))  # type: ignore[assignment]
    # An option outside the field's Literal.
    kernel: Literal["rbf", "poly"] = param(Choice("rbf", "linear"))  # type: ignore[arg-type]
    # A space's value type that is not the field's.
    name: str = param(IntUniform(1, 2))  # type: ignore[assignment]
    # param takes a space, not a plain value.
    fixed: int = param(3)  # type: ignore[arg-type]


def check_types() -> None:
    """Never called: the checkers read these lines, running them would raise."""
    # The constructor needs every field, each with its type.
    Net()  # type: ignore[call-arg]
    Net(layers=2)  # type: ignore[call-arg]
    Net(layers=2.5, kernel="rbf")  # type: ignore[arg-type]
    Net(layers=2, kernel="linear")  # type: ignore[arg-type]
    # Records are frozen.
    Net(layers=2, kernel="rbf").layers = 3  # type: ignore[misc]

    # space_of gives a space of that record, and takes a class.
    other: Space[int] = space_of(Net)  # type: ignore[arg-type]
    space_of(Net(layers=2, kernel="rbf"))  # type: ignore[arg-type]
