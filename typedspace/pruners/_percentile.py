"""Median and percentile pruning: stop a trial whose curve is worse than most completed ones
at the same step."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np

from typedspace.pruners._base import Curve, Status

_COUNT = [attrs.validators.instance_of(int), attrs.validators.ge(0)]


@attrs.frozen
class PercentilePruner:
    """Stop a trial when its best value so far is worse than the ``percentile``-th percentile
    of the completed trials' best values up to the same step.

    * ``percentile`` (50): 50 stops the trials in the worse half (``MedianPruner``); 25 stops
      three quarters of them, a harder cut that saves more steps and risks more slow starters.
    * ``warmup_steps`` (0): no trial is stopped at a step below this (learning curves are
      noisy early on; give them a few epochs when they are).
    * ``min_trials`` (5): no trial is stopped until this many trials completed with a value at
      or before the step, so that the percentile means something (Optuna's default too).

    A trial is compared on its *best* value up to the step, and so are the completed ones (at
    the last step each reported up to it), so steps need not line up between trials.  Pruned
    and running trials are not compared against: they would lower the bar.

    >>> from typedspace.pruners import Curve, Status
    >>> done = [Curve(n, Status.COMPLETE, (1, 2), (v, v), v) for n, v in enumerate([1, 2, 3, 4, 5])]
    >>> PercentilePruner(50).prune(Curve(9, Status.RUNNING, (1,), (4.0,)), done)
    True
    >>> PercentilePruner(50).prune(Curve(9, Status.RUNNING, (1,), (2.5,)), done)
    False
    """

    percentile: float = attrs.field(
        default=50.0, validator=[attrs.validators.ge(0.0), attrs.validators.le(100.0)]
    )
    warmup_steps: int | float = attrs.field(default=0, validator=attrs.validators.ge(0))
    min_trials: int = attrs.field(default=5, validator=_COUNT)

    def prune(self, trial: Curve, others: Sequence[Curve], /) -> bool:
        step = trial.last_step
        if step is None or step < self.warmup_steps:
            return False
        mine = trial.best_until(step)
        theirs = [
            best
            for other in others
            if other.status is Status.COMPLETE and other.number != trial.number
            if (best := other.best_until(step)) is not None
        ]
        if mine is None or len(theirs) < max(self.min_trials, 1):
            return False
        return bool(mine > np.percentile(theirs, self.percentile))


@attrs.frozen
class MedianPruner:
    """``PercentilePruner(50)``: stop a trial whose best value so far is worse than the
    median of the completed trials' at the same step.  The usual first choice (Optuna's
    default pruner); see ``PercentilePruner`` for ``warmup_steps`` and ``min_trials``.

    >>> MedianPruner(warmup_steps=3)
    MedianPruner(warmup_steps=3, min_trials=5)
    """

    warmup_steps: int | float = attrs.field(default=0, validator=attrs.validators.ge(0))
    min_trials: int = attrs.field(default=5, validator=_COUNT)

    def prune(self, trial: Curve, others: Sequence[Curve], /) -> bool:
        rule = PercentilePruner(50.0, self.warmup_steps, self.min_trials)
        return rule.prune(trial, others)
