"""typedspace/hyperopt/_translate.py: Hyperopt spaces become typedspace spaces whose
parameters are the labels, with the values Hyperopt's spaces produce."""

from __future__ import annotations

import math

import numpy as np
import pytest

from typedspace import Choice, Cond, Uniform, flatten, pretty, sample
from typedspace.errors import DuplicateLabel
from typedspace.hyperopt import hp, space_eval, to_typed
from typedspace.hyperopt._translate import translate
from typedspace.hyperopt.pyll import scope


def test_nested_dicts_lists_and_tuples_keep_their_shape() -> None:
    space = {
        "a": [hp.uniform("x", 0, 1), 3],
        "b": (hp.randint("n", 4), {"deep": hp.choice("c", ["p", "q"])}),
        "const": {"k": 1},
    }
    value = sample(translate(space), seed=0)
    assert isinstance(value["a"], list) and value["a"][1] == 3
    assert isinstance(value["b"], tuple) and value["b"][1]["deep"] in ("p", "q")
    assert value["const"] == {"k": 1}
    assert flatten(translate(space)).table.names == ("x", "n", "c")


def test_a_choice_of_spaces_is_conditional() -> None:
    space = hp.choice("opt", [{"lr": hp.uniform("lr", 0, 1)}, {"beta": hp.normal("beta", 0, 1)}])
    table = flatten(translate(space)).table
    assert table.names == ("opt", "lr", "beta")
    assert [len(p.condition) for p in table.params] == [0, 1, 1]


def test_equal_options_fall_back_to_the_index() -> None:
    # typedspace refuses duplicate options; Hyperopt picks by index, so the index it is.
    typed = translate(hp.choice("c", [1, 1, 2]))
    assert isinstance(typed, Cond)
    assert typed.selector == Choice(0, 1, 2, name="c")
    assert space_eval(hp.choice("c", [1, 1, 2]), {"c": 1}) == 1
    nan = space_eval(hp.choice("c", [math.nan, 0.0]), {"c": 0})
    assert math.isnan(nan)


def test_two_objects_with_one_label_are_an_error_naming_it() -> None:
    with pytest.raises(DuplicateLabel, match="duplicate label 'x'"):
        translate({"a": hp.uniform("x", 0, 1), "b": hp.uniform("x", 0, 1)})


def test_one_object_in_two_places_is_one_parameter() -> None:
    x = hp.uniform("x", -20, 20)
    space = {"raw": x, "wave": hp.choice("curve", [x, x + np.pi]), "twice": 2 * x}
    typed = translate(space)
    assert sorted(flatten(typed).table.names) == ["curve", "x"]
    for seed in range(20):
        value = sample(typed, seed=seed)
        assert value["twice"] == 2 * value["raw"]
        assert value["wave"] in (value["raw"], value["raw"] + np.pi)
    assert space_eval(space, {"x": 1.5, "curve": 1}) == {
        "raw": 1.5,
        "wave": 1.5 + np.pi,
        "twice": 3.0,
    }


def test_a_shared_choice_is_drawn_once() -> None:
    c = hp.choice("c", [{"u": hp.uniform("u", 0, 1)}, "off"])
    space = [c, c]
    for seed in range(10):
        first, second = sample(translate(space), seed=seed)
        assert first == second


def test_dict_keys_must_be_strings() -> None:
    with pytest.raises(TypeError, match="the key 1"):
        translate({1: hp.uniform("x", 0, 1)})


def test_to_typed_gives_the_space_and_its_pretty_text() -> None:
    space = {
        "lr": hp.loguniform("lr", math.log(1e-4), 0),
        "n": scope.int(hp.quniform("n", 1, 8, 1)),
    }
    typed, text = to_typed(space)
    assert text == pretty(typed)
    assert "lr: log-uniform [0.0001" in text and "# n" in text
    assert flatten(typed).table.names == ("lr", "n")


def test_translation_draws_what_hyperopt_draws() -> None:
    # Every draw lies in the support Hyperopt documents for the distribution.
    space = {
        "u": hp.uniform("u", 4, 7),
        "q": hp.quniform("q", 0, 10, 3),
        "lu": hp.loguniform("lu", -2, 0),
        "ri": hp.randint("ri", 12, 25),
        "ql": hp.qlognormal("ql", 0, 2, 1),
    }
    for value in (sample(translate(space), seed=s) for s in range(200)):
        assert 4 <= value["u"] <= 7
        assert value["q"] in (0.0, 3.0, 6.0, 9.0)
        assert math.exp(-2) <= value["lu"] <= 1.0
        assert value["ri"] in range(12, 25) and isinstance(value["ri"], int)
        assert value["ql"] >= 1 and value["ql"] == round(value["ql"])


def test_typedspace_nodes_may_sit_in_a_hyperopt_space() -> None:
    assert translate({"x": hp.uniform("x", 0, 1)}) == translate({"x": Uniform(0.0, 1.0, name="x")})
