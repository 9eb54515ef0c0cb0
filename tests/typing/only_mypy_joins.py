"""What mypy infers where pyright differs (pyright skips this file, see README.md).

mypy joins the types of a call's arguments that fill one type variable (``int`` and ``str`` join
to ``object``); pyright infers their union.  Checked by mypy only.
"""

from typing import Literal, assert_type

from typedspace import Choice, Cond, Const, IntUniform, Space, Tuple, Uniform

k = IntUniform(1, 4)

# Branches of different types join to object: annotate the target with the union instead.
assert_type(Cond(Choice("n", "s"), {"n": k, "s": Const("text")}), Cond[object])
assert_type(Choice(1, "a"), Choice[object])
# A bare constant next to a space joins to the constant's type (pyright: Choice[Uniform | float]).
assert_type(Choice(Uniform(0.0, 1.0), 0.5), Choice[float])
# A tuple constant widens its literal elements.
assert_type(Const((1, "a")), Const[tuple[int, str]])
# An annotated target reaches through Tuple's overloads to infer a Literal element.
lit: Space[tuple[Literal["a", "b"], int]] = Tuple(Choice("a", "b"), k)
