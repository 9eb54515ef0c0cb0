"""Leaves: every distribution constructor has the value type its docs promise.

Checked by mypy and pyright (strict).  Nothing here runs at import beyond building spaces.
"""

from typing import Literal, assert_type

from typedspace import (
    Choice,
    Const,
    IntLogUniform,
    IntUniform,
    LogNormal,
    LogUniform,
    Normal,
    Space,
    Uniform,
)

# The float leaves: each class is a Space[float], whatever the keyword arguments.
assert_type(Uniform(0.0, 1.0), Uniform)
assert_type(Uniform(0, 1, q=0.5, name="u"), Uniform)
assert_type(LogUniform(1e-4, 1e-1), LogUniform)
assert_type(Normal(0.0, 1.0, q=0.1), Normal)
assert_type(LogNormal(0.0, 1.0, name="ln"), LogNormal)
u: Space[float] = Uniform(0.0, 1.0)
lu: Space[float] = LogUniform(1e-4, 1e-1, q=1e-4)
n: Space[float] = Normal(0.0, 1.0)
ln: Space[float] = LogNormal(0.0, 1.0)

# The int leaves.
assert_type(IntUniform(1, 4), IntUniform)
assert_type(IntLogUniform(1, 1024, name="width"), IntLogUniform)
i: Space[int] = IntUniform(1, 4)
il: Space[int] = IntLogUniform(1, 1024)
# An int space is not a float space (Space is covariant, but int is a subtype of float, so
# this direction is allowed: an int is acceptable where a float is expected).
as_float: Space[float] = IntUniform(1, 4)

# Const keeps the value's type.
assert_type(Const(3), Const[int])
assert_type(Const("adam"), Const[str])
# A tuple constant: pyright keeps the literal element types, so check through a target.
pair: Space[tuple[int, str]] = Const((1, "a"))
assert_type(Const(None), Const[None])
c: Space[int] = Const(3)

# Choice of plain options: the join of the options' types.
assert_type(Choice(1, 2, 3), Choice[int])
assert_type(Choice(0.1, 0.2), Choice[float])
assert_type(Choice("relu", "gelu", weights=[3, 1]), Choice[str])
assert_type(Choice("relu", "gelu", name="act"), Choice[str])
assert_type(Choice("relu", weights=(1.0,), name="act"), Choice[str])

# Choice of spaces: the value type of the spaces, not the space type.
assert_type(Choice(Uniform(0.0, 1.0), LogUniform(1e-3, 1.0)), Choice[float])
assert_type(Choice(IntUniform(1, 3), IntLogUniform(8, 64), weights=[1, 1]), Choice[int])
assert_type(Choice(Const("a"), Const("b"), name="pick"), Choice[str])
# Constants mixed with spaces: wrap them in Const (see README.md: a bare constant next to a
# space infers differently in mypy and pyright).
assert_type(Choice(Uniform(0.0, 1.0), Const(0.0)), Choice[float])

# Literal inference needs an annotated target: the options are then checked against it.
act: Space[Literal["relu", "gelu"]] = Choice("relu", "gelu")
one: Space[Literal[1, 2]] = Choice(1, 2, weights=[0.5, 0.5], name="one")
fixed: Space[Literal["adam"]] = Const("adam")
