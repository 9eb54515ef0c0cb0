"""Pruning with several objectives: stop a trial whose intermediate vector is dominated.

A trial of a study with several objectives reports a vector at each step
(``trial.report(epoch, (error, latency))``, or a record holding the objectives).  At step
``s`` the trial is compared with the completed trials that reported at exactly ``s``: it is
stopped when at least ``min_dominating`` of them dominate its vector there (no worse in every
objective, better in one).  Nothing is stopped before ``warmup_steps`` or while fewer than
``min_trials`` completed trials reported at ``s``.

Why this rule: with one objective, "dominated by k completed trials" is "worse than the k-th
best of them", a rank-based rule like the median pruner's but anchored on the best trials, so
a trial that could still end on the Pareto front is kept as long as fewer than k finished
trials were ahead of it in *every* objective at the same point of training.  k > 1 keeps a
trial that a single (perhaps lucky) completed trial beats; the defaults (k = 3 of at least 5)
prune only trials clearly behind the front.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from typedspace.pruners._base import Curve, Status, Step


@attrs.frozen
class VectorCurve:
    """The vectors one trial reported (losses to minimize, one per objective), in order."""

    number: int
    status: Status
    steps: tuple[Step, ...]
    vectors: tuple[tuple[float, ...], ...]

    def at(self, step: Step) -> tuple[float, ...] | None:
        """The vector reported at exactly ``step``, if any."""
        for s, v in zip(self.steps, self.vectors, strict=True):
            if s == step:
                return v
        return None


def _dominates(a: Sequence[float], b: Sequence[float]) -> bool:
    return all(x <= y for x, y in zip(a, b, strict=True)) and any(
        x < y for x, y in zip(a, b, strict=True)
    )


@attrs.frozen
class ParetoPruner:
    """Stop a trial when at least ``min_dominating`` completed trials dominate its reported
    vector at the same step (see the module for the rule and its defaults).

    ``min_trials`` (5): completed trials that reported at the step before anything is stopped
    there; ``warmup_steps`` (0): steps before which nothing is stopped.

    >>> from typedspace.pruners import Status
    >>> done = [VectorCurve(i, Status.COMPLETE, (1,), ((0.1 * i, 0.1 * i),)) for i in range(6)]
    >>> behind = VectorCurve(9, Status.RUNNING, (1,), ((0.45, 0.45),))
    >>> ParetoPruner().prune_vectors(behind, [*done, behind])
    True
    """

    min_dominating: int = attrs.field(default=3, validator=attrs.validators.ge(1))
    min_trials: int = attrs.field(default=5, validator=attrs.validators.ge(1))
    warmup_steps: Step = 0

    def __attrs_post_init__(self) -> None:
        if self.min_trials < self.min_dominating:
            raise ValueError(
                f"ParetoPruner: min_trials={self.min_trials} is below "
                f"min_dominating={self.min_dominating}: it could never prune"
            )

    def prune_vectors(self, trial: VectorCurve, others: Sequence[VectorCurve], /) -> bool:
        """Whether to stop ``trial`` at its last reported step."""
        if not trial.steps:
            return False
        step = trial.steps[-1]
        if step < self.warmup_steps:
            return False
        mine = trial.vectors[-1]
        theirs = [
            v
            for c in others
            if c.status is Status.COMPLETE and c.number != trial.number
            for v in [c.at(step)]
            if v is not None and len(v) == len(mine)
        ]
        if len(theirs) < self.min_trials:
            return False
        return sum(_dominates(v, mine) for v in theirs) >= self.min_dominating

    def prune(self, trial: Curve, others: Sequence[Curve], /) -> bool:
        """The same rule for a single loss: stop when ``min_dominating`` completed trials
        reported a lower value at this step."""
        return self.prune_vectors(_as_vectors(trial), [_as_vectors(c) for c in others])


def _as_vectors(curve: Curve) -> VectorCurve:
    return VectorCurve(curve.number, curve.status, curve.steps, tuple((v,) for v in curve.values))
