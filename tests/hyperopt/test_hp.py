"""typedspace/hyperopt/_hp.py: each ``hp.*`` builds the typedspace leaf of the table in
docs/guide/hyperopt-compat.md, named by its label, with Hyperopt's argument conventions."""

from __future__ import annotations

import math
from typing import Any

import pytest

from typedspace import Choice, IntUniform, LogNormal, LogUniform, Normal, Uniform
from typedspace.hyperopt import hp
from typedspace.hyperopt._expr import Param
from typedspace.hyperopt._translate import translate


@pytest.mark.parametrize(
    "param, leaf",
    [
        (hp.uniform("x", -2, 3), Uniform(-2.0, 3.0, name="x")),
        (hp.quniform("x", 0, 10, 3), Uniform(0.0, 10.0, q=3.0, name="x")),
        (
            hp.loguniform("x", math.log(1e-3), 0),
            LogUniform(1e-3, 1.0, name="x"),
        ),
        (hp.qloguniform("x", 0, 3, 2), LogUniform(1.0, 20.0855369231877, q=2.0, name="x")),
        (hp.normal("x", 4, 7), Normal(4.0, 7.0, name="x")),
        (hp.qnormal("x", 0, 10, 2), Normal(0.0, 10.0, q=2.0, name="x")),
        (hp.lognormal("x", -2, 2), LogNormal(-2.0, 2.0, name="x")),
        (hp.qlognormal("x", 0, 2, 1), LogNormal(0.0, 2.0, q=1.0, name="x")),
        (hp.randint("x", 10), IntUniform(0, 9, name="x")),
        (hp.randint("x", 12, 25), IntUniform(12, 24, name="x")),
        (hp.uniformint("x", 1, 5), IntUniform(1, 5, name="x")),
    ],
    ids=lambda v: repr(v) if isinstance(v, Param) else "",
)
def test_each_numeric_hp_is_its_leaf_named_by_the_label(param: Param, leaf: Any) -> None:
    assert param.leaf == leaf
    assert translate(param) == leaf


def test_randint_excludes_its_upper_bound_like_numpy() -> None:
    # Hyperopt draws randint with rng.integers(low, high): high is never drawn.
    assert translate(hp.randint("n", 3)) == IntUniform(0, 2, name="n")
    assert translate(hp.randint("n", 1)) == Choice(0, name="n")  # a single value


def test_choice_and_pchoice_are_choices_named_by_the_label() -> None:
    assert translate(hp.choice("act", ["relu", "tanh"])) == Choice("relu", "tanh", name="act")
    weighted = translate(hp.pchoice("k", [(0.1, "a"), (0.9, "b")]))
    assert weighted == Choice("a", "b", weights=[0.1, 0.9], name="k")
    assert translate(hp.choice("n", range(3))) == Choice(0, 1, 2, name="n")


@pytest.mark.parametrize(
    "build",
    [
        lambda: hp.uniform("x", 1, 1),
        lambda: hp.quniform("x", 5, 2, 1),
        lambda: hp.loguniform("x", 0, -1),
        lambda: hp.randint("x", 5, 5),
        lambda: hp.uniformint("x", 3, 2),
    ],
)
def test_low_not_below_high_is_refused_with_hyperopts_message(build: Any) -> None:
    with pytest.raises(ValueError, match="low should be less than high"):
        build()


def test_labels_must_be_strings() -> None:
    with pytest.raises(TypeError, match="require string label"):
        hp.uniform(3, 0, 1)  # type: ignore[arg-type]


def test_bad_arguments_name_the_label_and_the_field() -> None:
    with pytest.raises(TypeError, match=r"hp 'x': high must be a number, got 'a'"):
        hp.uniform("x", 0, "a")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"hp 'x': mu must be finite"):
        hp.normal("x", math.inf, 1)
    with pytest.raises(TypeError, match=r"hp 'h': high is a space expression"):
        hp.uniform("h", 0, hp.uniform("top", 1, 2))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"hp 'n': upper must be a whole number"):
        hp.randint("n", 2.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"needs at least one option"):
        hp.choice("c", [])
    with pytest.raises(TypeError, match=r"options must be a list"):
        hp.choice("c", "abc")
    with pytest.raises(TypeError, match=r"p_options\[1\] must be a \(probability, option\) pair"):
        hp.pchoice("c", [(0.5, "a"), "b"])  # type: ignore[list-item]


def test_log_bounds_that_overflow_say_they_are_logarithms() -> None:
    with pytest.raises(ValueError, match=r"hp 'lr': the bounds of a log-uniform are logarithms"):
        hp.loguniform("lr", 1, 1000)


def test_a_leaf_error_surfaces_at_the_hp_call() -> None:
    with pytest.raises(ValueError, match="sigma"):
        hp.normal("x", 0, -1)
