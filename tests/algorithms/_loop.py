"""A minimal sequential optimization loop over ``propose``/``tell``, independent of optimize()."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from typedspace import flatten
from typedspace.algorithms import Algorithm
from typedspace.backends._table import Assignment

Space = Mapping[str, Any]


def run(
    algo: Algorithm,
    space: Space,
    loss: Callable[[dict[str, Any]], float | None],
    evals: int,
    seed: int,
) -> tuple[list[dict[str, float | int]], list[float | None]]:
    """Propose one point at a time, decode it, tell its loss; the assignments and losses."""
    flat = flatten(space)
    proposer = algo.start(flat.table, np.random.default_rng(seed))
    points: list[dict[str, float | int]] = []
    losses: list[float | None] = []
    for number in range(evals):
        (point,) = proposer.propose(1, [])
        value = loss(flat.decode(point))
        proposer.tell(number, point, value)
        points.append(point)
        losses.append(value)
    return points, losses


def best(
    algo: Algorithm, space: Space, loss: Callable[[dict[str, Any]], float], evals: int, seed: int
) -> float:
    _, losses = run(algo, space, loss, evals, seed)
    return min(x for x in losses if x is not None)


def tell_all(proposer: Any, points: list[Assignment], losses: list[float | None]) -> None:
    for number, (point, value) in enumerate(zip(points, losses, strict=True)):
        proposer.tell(number, point, value)
