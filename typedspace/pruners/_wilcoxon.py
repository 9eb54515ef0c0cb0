"""A paired test for losses over folds or problem instances: stop a trial that is
significantly worse than the best one on the same folds."""

from __future__ import annotations

import math
from collections.abc import Sequence

import attrs
import numpy as np
from scipy import stats

from typedspace.pruners._base import Curve, Status


@attrs.frozen
class WilcoxonPruner:
    """For objectives that average a loss over folds (cross-validation) or problem instances:
    each ``report(step, value)`` gives the loss on fold ``step``.  A trial is stopped when its
    losses on the folds seen so far are significantly worse than the best completed trial's on
    the same folds: a one-sided Wilcoxon signed-rank test of the paired differences, with
    p-value below ``p_threshold``.  Pairing removes the folds' own difficulty, so fewer folds
    tell trials apart than a comparison of means would need.

    * ``p_threshold`` (0.1): the test's level.  Lower stops fewer good trials by mistake and
      saves fewer folds.  With ``n`` folds the smallest possible p-value is ``2 ** -n``, so
      at 0.1 a trial can be stopped after 4 folds at the earliest (after 5 at 0.05).
    * ``min_steps`` (2): folds to see before any test.

    The best trial is the completed one with the lowest loss; it must have reported the same
    folds (the steps), as a trial evaluated by the same objective does.  Shuffle the order of
    the folds per trial only if the best trial's values for all of them are known.

    >>> from typedspace.pruners import Curve, Status
    >>> best = Curve(0, Status.COMPLETE, (0, 1, 2, 3, 4), (0.10, 0.20, 0.15, 0.12, 0.18), 0.15)
    >>> worse = Curve(1, Status.RUNNING, (0, 1, 2, 3), (0.30, 0.40, 0.25, 0.33))
    >>> WilcoxonPruner().prune(worse, [best])
    True
    >>> WilcoxonPruner().prune(Curve(1, Status.RUNNING, (0, 1), (0.30, 0.40)), [best])
    False
    """

    p_threshold: float = attrs.field(
        default=0.1, validator=[attrs.validators.gt(0.0), attrs.validators.lt(1.0)]
    )
    min_steps: int = attrs.field(
        default=2, validator=[attrs.validators.instance_of(int), attrs.validators.ge(1)]
    )

    def prune(self, trial: Curve, others: Sequence[Curve], /) -> bool:
        complete = [
            o
            for o in others
            if o.status is Status.COMPLETE and o.loss is not None and o.number != trial.number
        ]
        if not complete or len(trial.steps) < self.min_steps:
            return False
        best = min(complete, key=lambda o: (o.loss, o.number))
        pairs = [
            (v, b)
            for s, v in zip(trial.steps, trial.values, strict=True)
            if (b := best.at(s)) is not None
        ]
        if len(pairs) < self.min_steps:
            return False
        differences = np.array([v - b for v, b in pairs])
        if not np.any(differences):
            return False  # the same losses: nothing says it is worse
        p_value = stats.wilcoxon(differences, alternative="greater", zero_method="zsplit").pvalue
        return bool(math.isfinite(p_value) and p_value < self.p_threshold)
