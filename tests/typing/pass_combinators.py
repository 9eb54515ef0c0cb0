"""Combinators: Map (arities 1..6), Cond, Tuple (arities 1..6 and more), Dict, List, as_space.

Checked by mypy and pyright (strict).
"""

from typing import Any, Literal, assert_type

from typedspace import (
    Choice,
    Cond,
    Const,
    Dict,
    IntUniform,
    List,
    LogUniform,
    Map,
    Space,
    Tuple,
    Uniform,
    as_space,
)

x = Uniform(0.0, 1.0)
k = IntUniform(1, 4)
s = Choice("a", "b")


def one(a: float) -> str:
    return str(a)


def two(a: float, b: int) -> tuple[float, int]:
    return (a, b)


def three(a: float, b: int, c: str) -> str:
    return f"{a}{b}{c}"


def four(a: float, b: int, c: str, d: float) -> float:
    return a + b + d


def five(a: float, b: int, c: str, d: float, e: int) -> list[int]:
    return [b, e]


def six(a: float, b: int, c: str, d: float, e: int, f: str) -> dict[str, str]:
    return {c: f}


# Map's value type is the function's return type, at every arity.
assert_type(Map(one, x), Map[str])
assert_type(Map(two, x, k), Map[tuple[float, int]])
assert_type(Map(three, x, k, s), Map[str])
assert_type(Map(four, x, k, s, x), Map[float])
assert_type(Map(five, x, k, s, x, k), Map[list[int]])
assert_type(Map(six, x, k, s, x, k, s), Map[dict[str, str]])
# A lambda's parameter types come from the spaces.
assert_type(Map(lambda n: n * 2, k), Map[int])
assert_type(Map(lambda a, b: a * b, x, k), Map[float])
# A function wider than the space accepts it (an int space feeds a float parameter).
assert_type(Map(one, k), Map[str])
# Map of a Map.
assert_type(Map(len, Map(one, x)), Map[int])
m: Space[str] = Map(one, x)
# One JSON-like argument: the function receives a dict (or list) of values.
assert_type(Map(lambda d: len(d), {"lr": x, "n": k}), Map[int])
assert_type(Map(len, [k, 3]), Map[int])

# Cond: the branches share a value type, the keys are the selector's values.
assert_type(
    Cond(Choice("sgd", "adam"), {"sgd": LogUniform(1e-3, 1.0), "adam": LogUniform(1e-5, 1e-2)}),
    Cond[float],
)
assert_type(Cond(IntUniform(1, 2), {1: Const("one"), 2: Const("two")}), Cond[str])
assert_type(Cond(Const(True), {True: k}), Cond[int])
depth: Space[int] = Cond(Choice("small", "big"), {"small": IntUniform(1, 2), "big": k})
# Branches of different types: annotate the target with the union (works in both checkers;
# without the annotation mypy joins the branches to object and pyright infers the union, see
# only_mypy_cond.py and only_pyright_cond.py).
either: Space[int | str] = Cond(Choice("n", "s"), {"n": k, "s": Const("text")})
lr_or_fixed: Space[float | None] = Cond(Choice(0, 1), {0: x, 1: Const(None)})
# JSON-like branches (plain dicts or lists of spaces) give a dict or a list of unknown values.
assert_type(Cond(s, {"a": {"lr": x}, "b": {"lr": x, "n": k}}), Cond[dict[str, Any]])
assert_type(Cond(s, {"a": [x], "b": [k, 3]}), Cond[list[Any]])

# Tuple: one element type per space, at every overloaded arity; more items give tuple[Any, ...].
assert_type(Tuple(), Tuple[tuple[()]])
assert_type(Tuple(x), Tuple[tuple[float]])
assert_type(Tuple(x, k), Tuple[tuple[float, int]])
assert_type(Tuple(x, k, s), Tuple[tuple[float, int, str]])
assert_type(Tuple(x, k, s, x), Tuple[tuple[float, int, str, float]])
assert_type(Tuple(x, k, s, x, k), Tuple[tuple[float, int, str, float, int]])
assert_type(Tuple(x, k, s, x, k, s), Tuple[tuple[float, int, str, float, int, str]])
assert_type(Tuple(x, k, s, x, k, s, x), Tuple[tuple[Any, ...]])
t: Space[tuple[float, int]] = Tuple(x, k)
# A Literal element: give the element space its Literal type first (pyright does not carry the
# outer annotation through Tuple's overloads; mypy does, see only_mypy_literals.py).
ab: Space[Literal["a", "b"]] = Choice("a", "b")
assert_type(Tuple(ab, k), Tuple[tuple[Literal["a", "b"], int]])

# Dict, List and as_space are untyped inside (JSON-like containers of any spaces).
assert_type(Dict({"lr": x, "layers": [k, 3]}), Dict)
d: Space[dict[str, Any]] = Dict({"lr": x})
assert_type(List([k, 3, x]), List)
lst: Space[list[Any]] = List((k, s))
assert_type(as_space({"lr": x}), Space[Any])
assert_type(as_space([k, {"a": s}]), Space[Any])
assert_type(as_space(3), Space[Any])
# Choice between JSON-like dicts of spaces: wrap each in Dict (a bare dict option would be
# typed as a dict of spaces, not of values; see README.md).
assert_type(Choice(Dict({"lr": x}), Dict({"n": k})), Choice[dict[str, Any]])
