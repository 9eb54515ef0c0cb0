"""typedspace/hyperopt/_pyll.py and pyll.stochastic: pyll arithmetic, scope functions and
scope.define become Maps over the labelled parameters."""

from __future__ import annotations

import math

import numpy as np
import pytest

from typedspace import Map, flatten, sample
from typedspace.hyperopt import hp, space_eval
from typedspace.hyperopt._pyll import Scope
from typedspace.hyperopt._translate import translate
from typedspace.hyperopt.pyll import as_apply, scope
from typedspace.hyperopt.pyll.stochastic import sample as hyperopt_sample


def test_arithmetic_on_expressions_is_a_map() -> None:
    depth = 1 + hp.randint("depth", 5)
    assert isinstance(translate(depth), Map)
    assert {space_eval(depth, {"depth": k}) for k in range(5)} == {1, 2, 3, 4, 5}
    x = hp.uniform("x", -5, 5)
    exprs = {
        "sub": 10 - x,
        "mul": x * 2,
        "div": x / 4,
        "rdiv": 1 / x,
        "floordiv": x // 2,
        "mod": x % 3,
        "pow": x**2,
        "rpow": 2**x,
        "neg": -x,
        "abs": abs(x),
    }
    value = space_eval(exprs, {"x": 1.5})
    assert value == {
        "sub": 8.5,
        "mul": 3.0,
        "div": 0.375,
        "rdiv": 1 / 1.5,
        "floordiv": 0.0,
        "mod": 1.5,
        "pow": 2.25,
        "rpow": 2**1.5,
        "neg": -1.5,
        "abs": 1.5,
    }


def test_indexing_an_expression() -> None:
    pair = hp.choice("o", [(-3, hp.uniform("neg", -5, 5)), (3, hp.uniform("pos", -5, 5))])
    loss = (pair[0] - pair[1]) ** 2
    assert space_eval(loss, {"o": 1, "pos": 2.0}) == 1.0


def test_expressions_cannot_be_iterated() -> None:
    with pytest.raises(TypeError, match="cannot be iterated"):
        list(hp.uniform("x", 0, 1))


def test_scope_int_and_math_functions() -> None:
    n = scope.int(hp.quniform("n", 1, 10, 1))
    assert all(isinstance(sample(translate(n), seed=s), int) for s in range(10))
    x = hp.uniform("x", 0.5, 2)
    funcs = {
        "exp": scope.exp(x),
        "log": scope.log(x),
        "sqrt": scope.sqrt(x),
        "min": scope.min(x, 1),
        "max": scope.max(x, 1),
        "float": scope.float(x),
    }
    assert space_eval(funcs, {"x": 2.0}) == {
        "exp": math.exp(2),
        "log": math.log(2),
        "sqrt": math.sqrt(2),
        "min": 1,
        "max": 2.0,
        "float": 2.0,
    }


def test_scope_define_makes_a_function_usable_on_expressions() -> None:
    table = Scope()

    @table.define
    def widths(depth: int, first: int = 64) -> list[int]:
        return [first // 2**i for i in range(depth)]

    assert widths(2) == [64, 32]  # still a plain function
    expr = table.widths(1 + hp.randint("depth", 3), first=2 ** hp.randint("log2", 5, 8))
    assert space_eval(expr, {"depth": 1, "log2": 6}) == [64, 32]
    with pytest.raises(ValueError, match="Cannot override existing symbol"):
        table.define(widths)
    with pytest.raises(AttributeError, match="scope has no function 'nope'"):
        table.nope  # noqa: B018
    table.undefine(widths)
    table.define_if_new(widths)
    table.define_if_new(widths)  # the same function again: no error


def test_the_shared_scope_knows_hyperopts_functions() -> None:
    for name in ("int", "float", "exp", "log", "sin", "cos", "sqrt", "min", "max", "switch"):
        assert callable(getattr(scope, name))
    assert space_eval(scope.switch(hp.randint("i", 3), "a", "b", "c"), {"i": 2}) == "c"
    assert as_apply({"x": 1}) == {"x": 1}


def test_stochastic_sample_draws_a_configuration() -> None:
    space = {"x": hp.uniform("x", 0, 1), "c": hp.choice("c", ["a", "b"])}
    first = hyperopt_sample(space, rng=np.random.default_rng(3))
    assert first == hyperopt_sample(space, rng=np.random.default_rng(3))
    assert 0 <= first["x"] <= 1 and first["c"] in ("a", "b")
    assert hyperopt_sample(space)["c"] in ("a", "b")


def test_a_parameter_under_a_map_keeps_its_label() -> None:
    expr = scope.int(hp.quniform("units", 16, 128, 16)) * 2
    assert flatten(translate(expr)).table.names == ("units",)
