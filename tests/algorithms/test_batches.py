"""Batches without duplicates (issue 18): ask(n) never proposes an assignment equal to a
running one or to another of the same batch while the grid has free points."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from typedspace import Choice, Cond, IntUniform, Optimizer, Uniform, flatten
from typedspace.algorithms import GP, TPE, Algorithm, RandomSearch

SPACES: dict[str, tuple[Any, Callable[[Any], float]]] = {
    # The example: 100 points, 526 duplicates in 960 proposals before.
    "integers": (
        {"n": IntUniform(1, 25), "p": IntUniform(1, 4)},
        lambda v: (v["n"] - 7) ** 2 / 25 + (v["p"] - 2) ** 2,
    ),
    "quantized": (
        {"x": Uniform(0.0, 1.0, q=0.05), "y": Uniform(0.0, 1.0, q=0.1)},
        lambda v: (v["x"] - 0.3) ** 2 + (v["y"] - 0.6) ** 2,
    ),
    "categorical": (  # 24 points
        {"a": Choice("r", "g", "b", "k"), "n": IntUniform(1, 6)},
        lambda v: "rgbk".index(v["a"]) + abs(v["n"] - 3),
    ),
    "conditional": (  # 3 + 5 points
        Cond(Choice("small", "large"), {"small": IntUniform(1, 3), "large": IntUniform(10, 14)}),
        lambda v: abs(v - 12),
    ),
}


def _key(trial: Any) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted(trial.assignment.items()))


@pytest.mark.parametrize("name", sorted(SPACES))
@pytest.mark.parametrize(
    "algo", [TPE(), RandomSearch(), GP(n_startup=4)], ids=["tpe", "random", "gp"]
)
def test_no_duplicates_within_batches_and_running_trials(name: str, algo: Algorithm) -> None:
    space, loss = SPACES[name]
    batch = 3 if name == "conditional" else 4  # two batches: 6 of its 8 points
    for seed in range(3):
        opt = Optimizer(space, algo, seed=seed)
        for _ in range(6):
            # Two batches asked before any is told: the second must avoid the first too.
            running = opt.ask(batch) + opt.ask(batch)
            keys = [_key(t) for t in running]
            assert len(set(keys)) == len(keys), (name, seed, keys)
            for trial in running:
                opt.tell(trial, loss(trial.value))


@pytest.mark.parametrize("algo", [TPE(n_startup=2), GP(n_startup=2)], ids=["tpe", "gp"])
def test_a_batch_larger_than_the_grid_repeats_only_what_it_must(algo: Algorithm) -> None:
    opt = Optimizer(IntUniform(1, 3), algo, seed=0)
    for _ in range(3):
        batch = opt.ask(5)
        values = [t.value for t in batch]
        assert sorted(set(values)) == [1, 2, 3] and len(values) == 5
        for trial in batch:
            opt.tell(trial, float(trial.value))


def test_sequential_proposals_are_untouched() -> None:
    """Without running trials nothing is replaced: a sequential TPE run on a grid draws the
    same points with the duplicate check as its model's best candidates (checked by calling
    the proposer's own choice of each group)."""
    table = flatten({"n": IntUniform(1, 25), "p": IntUniform(1, 4)}).table
    a = TPE().start(table, np.random.default_rng(7))
    b = TPE().start(table, np.random.default_rng(7))
    for number in range(40):
        (pa,) = a.propose(1, [])
        if number >= 10:  # the model's proposals: b picks each group's best candidate
            below = b._best(np.arange(b.n_finished))
            pb: dict[str, float | int] = {}
            for group in b.groups:
                z, cats = b._choose(group, below, [])
                group.decode(z, cats, pb)
        else:
            (pb,) = b.propose(1, [])
        assert pa == pb
        loss = float((pa["n"] - 7) ** 2 + pa["p"])
        a.tell(number, pa, loss)
        b.tell(number, pb, loss)
