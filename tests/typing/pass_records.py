"""Records: ``@record`` classes whose fields are declared with ``param(space)``.

The annotation of each field is checked against its space's value type (no plugin), the
constructor takes the fields as arguments, and ``space_of`` gives a space of instances.
Checked by mypy and pyright (strict).
"""

from typing import Literal, assert_type

from typedspace import (
    Choice,
    Const,
    IntUniform,
    LogUniform,
    Map,
    Space,
    Tuple,
    Uniform,
    param,
    record,
    sample,
    space_of,
)


@record
class Optim:
    lr: float = param(LogUniform(1e-4, 1e-1))
    momentum: float = param(Uniform(0.0, 0.99))


@record
class Net:
    layers: int = param(IntUniform(1, 4))
    # A Literal field: the options are checked against the Literal.
    kernel: Literal["rbf", "poly"] = param(Choice("rbf", "poly"))
    act: str = param(Choice("relu", "gelu", weights=[2, 1], name="activation"))
    # An int space may declare a float field (int is acceptable as float).
    scale: float = param(IntUniform(1, 10))
    width: int = param(Map(lambda n: n * 16, IntUniform(1, 8)))
    shape: tuple[int, int] = param(Tuple(IntUniform(1, 3), IntUniform(1, 3)))
    fixed: str = param(Const("same"))
    # A nested record is a field whose space is another record's space.
    optim: Optim = param(space_of(Optim))


assert_type(space_of(Optim), Space[Optim])
assert_type(space_of(Net), Space[Net])
# Overrides replace a field's space; the result is still a space of the record.
assert_type(space_of(Net, layers=IntUniform(2, 3)), Space[Net])

# The record's constructor takes every field, with the annotated types.
net = Net(
    layers=2,
    kernel="rbf",
    act="relu",
    scale=1.5,
    width=32,
    shape=(1, 2),
    fixed="same",
    optim=Optim(lr=0.01, momentum=0.9),
)
assert_type(net.layers, int)
assert_type(net.kernel, Literal["rbf", "poly"])
assert_type(net.optim.lr, float)

# A sampled record is an instance of the record class.
drawn = sample(space_of(Net), seed=0)
assert_type(drawn, Net)
assert_type(drawn.kernel, Literal["rbf", "poly"])
