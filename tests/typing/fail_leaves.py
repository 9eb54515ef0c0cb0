"""Leaves used wrongly: every marked line must be a type error (in mypy and in pyright).

A ``# type: ignore[code]`` that stops being needed fails the checkers
(``warn_unused_ignores`` / ``reportUnnecessaryTypeIgnoreComment``), and
``tests/test_typing_installed.py`` checks that each marked line gives exactly that mypy code.
"""

from typing import Literal

from typedspace import Choice, Const, IntLogUniform, IntUniform, LogUniform, Space, Uniform


def check_types() -> None:
    """Never called: the checkers read these lines, running them would raise."""
    # Bounds of the wrong type.
    Uniform("0", 1.0)  # type: ignore[arg-type]
    IntUniform(1.5, 3)  # type: ignore[arg-type]
    IntLogUniform(1, "1024")  # type: ignore[arg-type]
    # q and name are keyword-only.
    LogUniform(1e-4, 1e-1, 1e-4)  # type: ignore[call-arg]
    Uniform(0.0, 1.0, name=3)  # type: ignore[arg-type]

    # A float leaf is not an int space, and a constant keeps its type.
    as_int: Space[int] = Uniform(0.0, 1.0)  # type: ignore[assignment]
    as_str: Space[str] = Const(3)  # type: ignore[arg-type]
    choice_of_int: Space[str] = Choice(1)  # type: ignore[arg-type]

    # Choice needs an option, numeric weights and a str name.
    Choice()  # type: ignore[call-overload]
    Choice("a", "b", weights="ab")  # type: ignore[arg-type]
    Choice("a", "b", name=1)  # type: ignore[call-overload]

    # An option outside the annotated Literal.
    act: Space[Literal["relu", "gelu"]] = Choice("relu", "tanh")  # type: ignore[arg-type]
