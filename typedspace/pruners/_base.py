"""What a pruner sees, and what it is: a small frozen value that decides from learning curves.

A pruner is asked each time a trial reports an intermediate value: it gets that trial's curve
and the curves of every other trial of the study (whichever process ran them) and answers
whether to stop the trial now.  It keeps no state between calls, so several processes asking
about one study agree, and a resumed study prunes as the original would have.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Protocol

import attrs

#: A step: an epoch (int) or a budget (float), or for the paired-test pruner a fold's number.
Step = int | float


class Status(enum.Enum):
    """Where another trial stands, as far as pruning is concerned."""

    RUNNING = "running"
    COMPLETE = "complete"  #: finished with a loss
    PRUNED = "pruned"
    FAILED = "failed"


@attrs.frozen
class Curve:
    """The intermediate values of one trial, in the order they were reported, and its final
    loss when it completed."""

    number: int
    status: Status
    steps: tuple[Step, ...]
    values: tuple[float, ...]
    loss: float | None = None

    @property
    def last_step(self) -> Step | None:
        return max(self.steps) if self.steps else None

    def best_until(self, step: Step) -> float | None:
        """The lowest value reported at a step up to ``step`` (None if there is none): the
        trial's standing at ``step`` whatever its steps were (epochs or float budgets)."""
        upto = [v for s, v in zip(self.steps, self.values, strict=True) if s <= step]
        return min(upto) if upto else None

    def at(self, step: Step) -> float | None:
        """The value reported at exactly ``step``, if any."""
        for s, v in zip(self.steps, self.values, strict=True):
            if s == step:
                return v
        return None


class Pruner(Protocol):
    """Decides whether to stop a trial, given its curve and the others' (see the module)."""

    def prune(self, trial: Curve, others: Sequence[Curve], /) -> bool: ...
