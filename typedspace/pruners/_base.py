"""What a pruner sees, and what it is: a small frozen value that decides from learning curves.

A pruner is asked each time a trial reports an intermediate value: it gets that trial's curve
and the curves of every other trial of the study (whichever process ran them) and answers
whether to stop the trial now.  It keeps no state between calls, so several processes asking
about one study agree, and a resumed study prunes as the original would have.
"""

from __future__ import annotations

import bisect
import enum
import itertools
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
    # Steps in increasing order and the lowest value up to each: a pruner asks every curve of
    # the study at each report, so ``best_until`` is a binary search, not a scan.
    _sorted_steps: list[Step] = attrs.field(init=False, repr=False, eq=False)
    _running_best: list[float] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        if len(self.steps) != len(self.values):
            raise ValueError(
                f"Curve of trial {self.number}: {len(self.steps)} steps but "
                f"{len(self.values)} values"
            )
        pairs = sorted(zip(self.steps, self.values, strict=True), key=lambda pair: pair[0])
        running = list(itertools.accumulate((value for _, value in pairs), min))
        object.__setattr__(self, "_sorted_steps", [step for step, _ in pairs])
        object.__setattr__(self, "_running_best", running)

    @property
    def last_step(self) -> Step | None:
        return self._sorted_steps[-1] if self._sorted_steps else None

    def best_until(self, step: Step) -> float | None:
        """The lowest value reported at a step up to ``step`` (None if there is none): the
        trial's standing at ``step`` whatever its steps were (epochs or float budgets)."""
        reached = bisect.bisect_right(self._sorted_steps, step)
        return self._running_best[reached - 1] if reached else None

    def at(self, step: Step) -> float | None:
        """The value reported at exactly ``step``, if any."""
        for s, v in zip(self.steps, self.values, strict=True):
            if s == step:
                return v
        return None


class Pruner(Protocol):
    """Decides whether to stop a trial, given its curve and the others' (see the module)."""

    def prune(self, trial: Curve, others: Sequence[Curve], /) -> bool: ...
