"""The pretty-printer: exact output for representative spaces, and names that match the table."""

from __future__ import annotations

import re

from hypothesis import given

from typedspace import (
    Choice,
    Cond,
    Const,
    Custom,
    IntLogUniform,
    IntUniform,
    LogNormal,
    LogUniform,
    Map,
    Normal,
    Tuple,
    Uniform,
    as_space,
    describe,
    flatten,
    param,
    pretty,
    record,
    space_of,
)
from typedspace.distributions import Beta
from typedspace.nodes import Space
from typedspace.testing import spaces


@record
class SGD:
    lr: float = param(LogUniform(1e-4, 1.0))
    momentum: float = param(Uniform(0.0, 0.99))


@record
class Adam:
    lr: float = param(LogUniform(1e-5, 1e-2))
    beta1: float = param(Uniform(0.8, 0.999, q=0.001))


def width(k: int) -> int:
    return 1 << k


def block(units: int, dropout: float) -> tuple[int, float]:
    return (units, dropout)


def test_each_leaf_kind_at_the_root_is_one_line_named_value() -> None:
    cases: list[tuple[Space[object], str]] = [
        (Uniform(-1.0, 1.0), "uniform [-1.0, 1.0]  # value"),
        (Uniform(0.0, 1.0, q=0.25), "uniform [0.0, 1.0] in multiples of 0.25  # value"),
        (LogUniform(1e-5, 0.1), "log-uniform [1e-5, 0.1]  # value"),
        (Normal(0.0, 2.0), "normal(mu=0.0, sigma=2.0)  # value"),
        (LogNormal(1.0, 0.5, q=1.0), "log-normal(mu=1.0, sigma=0.5) in multiples of 1.0  # value"),
        (IntUniform(1, 4), "int uniform [1, 4]  # value"),
        (IntLogUniform(1, 1024), "int log-uniform [1, 1024]  # value"),
        (Choice("relu", "gelu"), "one of 'relu' | 'gelu'  # value"),
        (Custom(Beta(2.0, 5.0)), "beta(a=2, b=5) on [0, 1]  # value"),
        (Const(3), "3"),
        (Uniform(0.0, 1.0, name="x"), "uniform [0.0, 1.0]  # x"),
    ]
    for space, expected in cases:
        assert pretty(space) == expected


def test_dict_with_map_const_and_weighted_choice() -> None:
    space = {
        "layers": IntUniform(1, 4),
        "width": Map(width, IntUniform(5, 9)),
        "activation": Choice("relu", "gelu", "tanh", weights=[2, 1, 1]),
        "block": Map(block, IntUniform(16, 64), Uniform(0.0, 0.5, q=0.05)),
        "epochs": 10,
    }
    assert pretty(space) == (
        "{\n"
        "  layers: int uniform [1, 4]                          # layers\n"
        "  width: width(int uniform [5, 9])                    # width\n"
        "  activation: one of 'relu' (p=0.5) | 'gelu' (p=0.25) | 'tanh' (p=0.25)  # activation\n"
        "  block: block(\n"
        "    units: int uniform [16, 64]                       # block.units\n"
        "    dropout: uniform [0.0, 0.5] in multiples of 0.05  # block.dropout\n"
        "  )\n"
        "  epochs: 10\n"
        "}"
    )


def test_cond_on_a_choice_shows_what_each_branch_activates() -> None:
    space = {
        "optimizer": Cond(
            Choice("sgd", "adam"), {"sgd": space_of(SGD), "adam": space_of(Adam, lr=Const(1e-3))}
        ),
        "batch": IntLogUniform(16, 256),
    }
    assert pretty(space) == (
        "{\n"
        "  optimizer: one of 'sgd' | 'adam'                       # optimizer\n"
        "    when optimizer = 'sgd': SGD(\n"
        "      lr: log-uniform [0.0001, 1.0]                      # optimizer.sgd.lr\n"
        "      momentum: uniform [0.0, 0.99]                      # optimizer.sgd.momentum\n"
        "    )\n"
        "    when optimizer = 'adam': Adam(\n"
        "      lr: 0.001\n"
        "      beta1: uniform [0.8, 0.999] in multiples of 0.001  # optimizer.adam.beta1\n"
        "    )\n"
        "  batch: int log-uniform [16, 256]                       # batch\n"
        "}"
    )


def test_nested_cond_on_an_int_and_tuple_and_list_items() -> None:
    inner = Cond(Choice("a", "b", name="kind"), {"a": Uniform(0.0, 1.0), "b": Const(None)})
    space = Cond(IntUniform(1, 2), {1: as_space((Normal(0.0, 1.0), [inner])), 2: Const("off")})
    assert pretty(space) == (
        "int uniform [1, 2]                           # value\n"
        "  when value = 1: (\n"
        "    normal(mu=0.0, sigma=1.0)                # value.1[0]\n"
        "    [\n"
        "      one of 'a' | 'b'                       # kind\n"
        "        when kind = 'a': uniform [0.0, 1.0]  # value.1[1][0].a\n"
        "        when kind = 'b': None\n"
        "    ]\n"
        "  )\n"
        "  when value = 2: 'off'"
    )


def test_choice_of_spaces_with_weights_lists_only_branches_with_parameters() -> None:
    space = {
        "opt": Choice[object](
            space_of(SGD), {"lr": LogUniform(1e-5, 1e-2)}, None, weights=[2, 1, 1]
        )
    }
    assert pretty(space) == (
        "{\n"
        "  opt: one of SGD(...) (p=0.5) | {...} (p=0.25) | None (p=0.25)  # opt\n"
        "    when opt = 0: SGD(\n"
        "      lr: log-uniform [0.0001, 1.0]  # opt.0.lr\n"
        "      momentum: uniform [0.0, 0.99]  # opt.0.momentum\n"
        "    )\n"
        "    when opt = 1: {\n"
        "      lr: log-uniform [1e-5, 0.01]   # opt.1.lr\n"
        "    }\n"
        "}"
    )


def test_one_leaf_used_twice_is_printed_as_two_parameters() -> None:
    lr = LogUniform(1e-4, 1.0)
    assert pretty(Tuple(lr, lr)) == (
        "(\n  log-uniform [0.0001, 1.0]  # [0]\n  log-uniform [0.0001, 1.0]  # [1]\n)"
    )


def test_a_map_over_a_container_opens_a_block() -> None:
    def total(parts: tuple[int, int]) -> int:
        return sum(parts)

    assert pretty(Map(total, Tuple(IntUniform(0, 1), IntUniform(2, 3)))) == (
        "test_a_map_over_a_container_opens_a_block.<locals>.total(\n"
        "  (\n"
        "    int uniform [0, 1]  # [0]\n"
        "    int uniform [2, 3]  # [1]\n"
        "  )\n"
        ")"
    )


def test_describe_is_one_line() -> None:
    space = {
        "optimizer": Cond(Choice("sgd", "adam"), {"sgd": space_of(SGD), "adam": Const(None)}),
        "width": Map(width, IntUniform(5, 9)),
        "shape": (1, IntUniform(2, 3)),
    }
    assert describe(space) == (
        "{optimizer: one of 'sgd' | 'adam' (when optimizer = 'sgd': "
        "SGD(lr: log-uniform [0.0001, 1.0], momentum: uniform [0.0, 0.99]); "
        "when optimizer = 'adam': None), width: width(int uniform [5, 9]), "
        "shape: (1, int uniform [2, 3])}"
    )


@given(spaces(max_depth=3))
def test_every_parameter_of_the_table_is_printed_exactly_once(space: Space[object]) -> None:
    printed = re.findall(r"  # (\S+)$", pretty(space), flags=re.MULTILINE)
    assert sorted(printed) == sorted(flatten(space).table.names)
    assert "\n" not in describe(space)
