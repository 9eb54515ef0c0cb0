"""What pyright infers where mypy differs (mypy skips this file, see README.md).

pyright infers the union of a call's arguments that fill one type variable, where mypy joins
them.  Checked by pyright only.
"""

from typing import Literal, assert_type

from typedspace import Choice, Cond, Const, IntUniform, Uniform

k = IntUniform(1, 4)

# Branches of different types give their union.
assert_type(Cond(Choice("n", "s"), {"n": k, "s": Const("text")}), Cond[int | str])
assert_type(Choice(1, "a"), Choice[int | str])
# A bare constant next to a space: the space itself enters the union, which is wrong (the value
# is a float).  Wrap constants in Const when mixing them with spaces.
assert_type(Choice(Uniform(0.0, 1.0), 0.5), Choice[Uniform | float])
# A tuple constant keeps its literal elements.
assert_type(Const((1, "a")), Const[tuple[Literal[1], Literal["a"]]])
