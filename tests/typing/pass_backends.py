"""The return types of ``sample``, ``sample_many`` and ``decode``: on a space, a dict, a list.

Checked by mypy and pyright (strict).  Only annotations are checked: nothing is sampled when
this module is imported (the calls sit in a function that is never called).
"""

from typing import Any, Literal, assert_type

import numpy as np

from typedspace import (
    Choice,
    Const,
    IntUniform,
    LogUniform,
    Map,
    Space,
    Tuple,
    Uniform,
    decode,
    sample,
    sample_many,
)


def check_types() -> None:
    x = Uniform(0.0, 1.0)
    k = IntUniform(1, 4)

    # On a space: the space's value type.
    assert_type(sample(x), float)
    assert_type(sample(k, seed=0), int)
    assert_type(sample(Choice("a", "b"), rng=np.random.default_rng(0)), str)
    assert_type(sample(Map(str, k)), str)
    assert_type(sample(Tuple(x, k)), tuple[float, int])
    assert_type(sample(Const(None)), None)
    act: Space[Literal["relu", "gelu"]] = Choice("relu", "gelu")
    assert_type(sample(act), Literal["relu", "gelu"])
    assert_type(sample_many(x, 10), list[float])
    assert_type(sample_many(Tuple(x, k), 3, seed=1), list[tuple[float, int]])
    assert_type(decode(k, {"value": 2}), int)
    assert_type(decode(act, {"value": 0}), Literal["relu", "gelu"])

    # On a plain dict of spaces: a dict of values (the value types are not tracked).
    assert_type(sample({"lr": LogUniform(1e-4, 1e-1), "layers": k}), dict[str, Any])
    assert_type(sample_many({"lr": x}, 5, seed=0), list[dict[str, Any]])
    assert_type(decode({"lr": x}, {"lr": 0.5}), dict[str, Any])

    # On a plain list of spaces: a list of values.
    assert_type(sample([x, k, 3]), list[Any])
    assert_type(sample_many([x, {"a": k}], 2), list[list[Any]])
    assert_type(decode([x, k], {"[0]": 0.5, "[1]": 2}), list[Any])
