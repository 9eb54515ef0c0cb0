"""TPE: better than random search, proposals in support and only where active, seeded."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from typedspace import (
    Choice,
    Cond,
    Custom,
    Dict,
    IntLogUniform,
    IntUniform,
    LogNormal,
    LogUniform,
    Normal,
    Optimizer,
    Uniform,
    flatten,
    optimize,
)
from typedspace._table import NumericParam
from typedspace.algorithms import TPE, RandomSearch
from typedspace.distributions import Beta, BoundedPoisson

EVERY_LEAF = {
    "u": Uniform(-2.0, 2.0),
    "uq": Uniform(0.0, 1.0, q=0.1),
    "lu": LogUniform(1e-4, 1.0),
    "luq": LogUniform(1.0, 100.0, q=5.0),
    "n": Normal(0.0, 1.0),
    "nq": Normal(5.0, 2.0, q=0.5),
    "ln": LogNormal(0.0, 1.0),
    "lnq": LogNormal(1.0, 1.0, q=1.0),
    "i": IntUniform(1, 6),
    "il": IntLogUniform(1, 1000),
    "c": Choice("a", "b", "c", weights=[1, 2, 3]),
    "beta": Custom(Beta(2.0, 5.0)),
    "count": Custom(BoundedPoisson(3.0, 1, 10)),
    "cond": Cond(
        Choice("x", "y"),
        {
            "x": Dict(
                {"deep": Cond(IntUniform(0, 1), {0: Uniform(0.0, 1.0), 1: IntUniform(5, 9)})}
            ),
            "y": LogUniform(0.1, 10.0),
        },
    ),
}


def smooth_loss(c: dict[str, Any]) -> float:
    return float(
        c["u"] ** 2
        + (c["uq"] - 0.3) ** 2
        + abs(math.log10(c["lu"]) + 2)
        + c["n"] ** 2
        + (c["i"] - 3) ** 2
        + (c["c"] != "b")
        + (c["beta"] - 0.2) ** 2
    )


def test_every_proposal_is_valid_and_only_active_parameters_appear() -> None:
    table = flatten(EVERY_LEAF).table
    opt = Optimizer(EVERY_LEAF, TPE(n_startup=5), seed=0)
    for _ in range(60):
        trial = opt.ask()
        # validate checks: every active parameter present and in its support (ints are ints,
        # multiples of q, option indices in range) and no inactive parameter given.
        assert table.validate(trial.assignment) == dict(trial.assignment)
        for name, value in trial.assignment.items():
            param = table[name]
            expected = float if isinstance(param, NumericParam) and not param.is_int else int
            assert type(value) is expected, (name, value)
        opt.tell(trial, smooth_loss(trial.value))


@pytest.mark.parametrize("multivariate", [True, False])
def test_seeded_runs_repeat(multivariate: bool) -> None:
    runs = [
        [
            t.assignment
            for t in optimize(
                smooth_loss, EVERY_LEAF, TPE(multivariate=multivariate), max_evals=30, seed=3
            ).trials
        ]
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
    other = optimize(
        smooth_loss, EVERY_LEAF, TPE(multivariate=multivariate), max_evals=30, seed=4
    ).trials
    assert [t.assignment for t in other] != runs[0]


def branin(c: dict[str, float]) -> float:
    x, y = c["x"], c["y"]
    return (
        (y - 5.1 / (4 * math.pi**2) * x**2 + 5 / math.pi * x - 6) ** 2
        + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x)
        + 10
        - 0.397887
    )


def mixed(c: dict[str, Any]) -> float:
    return float(
        (math.log10(c["lr"]) + 3) ** 2
        + abs(c["n"] - 7) / 5
        + (c["act"] != "gelu")
        + (c["q"] - 3.5) ** 2 / 4
    )


Objective = Callable[[dict[str, Any]], float]

PROBLEMS: dict[str, tuple[dict[str, Any], Objective]] = {
    "quadratic": (
        {"x": Uniform(-5.0, 5.0), "y": Uniform(-5.0, 5.0)},
        lambda c: float(c["x"] ** 2 + (c["y"] - 1) ** 2),
    ),
    "branin": ({"x": Uniform(-5.0, 10.0), "y": Uniform(0.0, 15.0)}, branin),
    "mixed": (
        {
            "lr": LogUniform(1e-5, 1.0),
            "n": IntUniform(1, 20),
            "act": Choice("relu", "gelu", "tanh"),
            "q": Uniform(0.0, 10.0, q=0.5),
        },
        mixed,
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("problem", list(PROBLEMS))
def test_tpe_beats_random_search_on_average(problem: str) -> None:
    space, objective = PROBLEMS[problem]
    seeds = range(8)
    tpe = [optimize(objective, space, TPE(), max_evals=60, seed=s).best_loss for s in seeds]
    rnd = [
        optimize(objective, space, RandomSearch(), max_evals=60, seed=s).best_loss for s in seeds
    ]
    # A paired comparison over 8 seeds: TPE must win on average and on most seeds.
    assert np.mean(tpe) < np.mean(rnd)
    assert sum(a < b for a, b in zip(tpe, rnd, strict=True)) >= 6


def test_batch_proposals_are_distinct_and_spread() -> None:
    space = {"x": Uniform(0.0, 1.0), "y": Uniform(0.0, 1.0)}
    opt = Optimizer(space, TPE(n_startup=5), seed=0)
    for _ in range(20):
        trial = opt.ask()
        opt.tell(trial, (trial.value["x"] - 0.5) ** 2 + (trial.value["y"] - 0.5) ** 2)
    batch = opt.ask(6)
    points = np.array([[t.value["x"], t.value["y"]] for t in batch])
    assert len({tuple(p) for p in points}) == 6
    # The constant liar pushes later points of a batch away from earlier ones.
    gaps = [np.min(np.linalg.norm(points[:i] - points[i], axis=1)) for i in range(1, 6)]
    assert min(gaps) > 0.0


def test_failed_trials_are_left_out_of_the_model() -> None:
    table = flatten({"x": Uniform(0.0, 1.0)}).table
    proposer = TPE(n_startup=3).start(table, np.random.default_rng(0))
    for number in range(3):
        proposer.tell(number, {"x": 0.1 * number}, None)
    assert proposer.n_finished == 0
    proposer.tell(3, {"x": 0.5}, 1.0)
    proposer.tell(3, {"x": 0.5}, 1.0)  # told twice: counted once
    assert proposer.n_finished == 1


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"gamma": 0.0}, "gamma"),
        ({"n_candidates": 0}, "n_candidates"),
        ({"min_bandwidth": 2.0}, "min_bandwidth"),
    ],
)
def test_invalid_settings(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TPE(**settings)
