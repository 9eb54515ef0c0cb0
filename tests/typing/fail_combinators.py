"""Combinators used wrongly: every marked line must be a type error (mypy and pyright)."""

from typing import Literal

from typedspace import Choice, Cond, Dict, IntUniform, List, Map, Space, Tuple, Uniform

x = Uniform(0.0, 1.0)
k = IntUniform(1, 4)
s = Choice("a", "b")


def upper(a: str) -> str:
    return a.upper()


def add(a: int, b: int) -> int:
    return a + b


def check_types() -> None:
    """Never called: the checkers read these lines, running them would raise."""
    # Map's function must accept the spaces' value types ...
    Map(upper, k)  # type: ignore[arg-type]
    Map(add, k, x)  # type: ignore[arg-type]
    # ... and take exactly one argument per space.
    Map(add, k)  # type: ignore[arg-type]
    Map(upper, s, s)  # type: ignore[arg-type]
    Map(upper)  # type: ignore[call-overload]
    Map(upper, {"a": s})  # type: ignore[arg-type]
    # The result has the function's return type.
    as_int: Space[int] = Map(upper, s)  # type: ignore[arg-type]

    # Cond's branch keys have the selector's value type.
    Cond(Choice(1, 2), {"a": k, "b": k})  # type: ignore[misc]
    Cond(s, {1: k, 2: k})  # type: ignore[misc]
    # The selector must be a space.
    Cond("a", {"a": k})  # type: ignore[call-overload]
    # Every branch must have the target's value type.
    depth: Space[int] = Cond(s, {"a": k, "b": x})  # type: ignore[dict-item]

    # Tuple's element types are checked, and its items must be spaces.
    pair: Space[tuple[int, int]] = Tuple(x, k)  # type: ignore[arg-type]
    Tuple(3, k)  # type: ignore[call-overload]
    lit: Space[tuple[Literal["a"], int]] = Tuple(s, k)  # type: ignore[arg-type]

    # Dict keys are str, List takes a list or tuple.
    Dict({1: x})  # type: ignore[dict-item]
    List(x)  # type: ignore[arg-type]
