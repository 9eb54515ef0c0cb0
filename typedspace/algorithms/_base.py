"""The interface between the optimization loop and a search algorithm.

An ``Algorithm`` is an immutable settings object (``TPE(gamma=...)``).  For one study the loop
calls ``algorithm.start(table, rng)`` and gets a stateful ``Proposer``; it then reports every
finished trial with ``tell`` (in any order, each trial once) and asks for new points with
``propose``.  Algorithms see only the flattened parameter table and assignments, never nodes,
so an algorithm works for every space, including the ones nobody has written yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from typedspace.backends._table import Assignment, ParamTable


@runtime_checkable
class Proposer(Protocol):
    """The per-study state of an algorithm."""

    def tell(self, number: int, assignment: Assignment, loss: float | None) -> None:
        """Record finished trial ``number``: its loss, or ``None`` if it failed.

        Each trial is told at most once; trials may arrive in any order (parallel workers).
        """
        ...

    def propose(self, n: int, pending: Sequence[Assignment]) -> list[dict[str, float | int]]:
        """``n`` new assignments (active parameters only), given the still-running ones.

        Proposals of one batch should differ from each other and from ``pending``.
        """
        ...


@runtime_checkable
class LearnsFromPruned(Protocol):
    """A proposer that also learns from pruned trials (stopped early by a pruner).  A proposer
    without ``tell_pruned`` is told a pruned trial as a failure (``loss=None``)."""

    def tell_pruned(
        self, number: int, assignment: Assignment, step: int | float, value: float
    ) -> None:
        """Record trial ``number``, pruned at ``step`` (its furthest) with ``value`` there."""
        ...


@runtime_checkable
class LearnsFromCurves(Protocol):
    """A proposer that also reads the values trials reported on the way (their learning
    curves): the loop tells it every completed or pruned trial's ``(step, value)`` pairs just
    before it tells the trial itself."""

    def tell_curve(self, number: int, curve: Sequence[tuple[int | float, float]]) -> None:
        """The values trial ``number`` reported, in the order it reported them."""
        ...


@runtime_checkable
class LearnsOutcomes(Protocol):
    """A proposer that learns from several objectives and from constraints.  For a study
    with several objectives or with constraints the optimizer tells it every finished trial
    with ``tell_outcome`` instead of ``tell`` (a proposer without it is told only the loss of
    feasible trials, and cannot run a study with several objectives)."""

    def tell_outcome(
        self,
        number: int,
        assignment: Assignment,
        losses: tuple[float, ...] | None,
        violation: float,
    ) -> None:
        """Record trial ``number``: its losses (one per objective, all minimized; None if it
        failed or was pruned) and its total constraint violation (0.0: feasible)."""
        ...


@runtime_checkable
class Algorithm(Protocol):
    """A search algorithm's settings; ``start`` makes the state for one study."""

    def start(self, table: ParamTable, rng: np.random.Generator) -> Proposer:
        """A fresh proposer for a study over ``table``, drawing randomness from ``rng``."""
        ...
