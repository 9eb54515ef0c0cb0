"""A check on any pruner: stop trials at a step only where the values reported there have
been shown to predict the final losses.

Pruning bets that a trial worse than others at step ``s`` ends worse.  Where that is false,
pruning stops the configurations that finish best: on the gradient boosting problem of
``benchmarks/RESULTS-pruning.md`` the values after one and three steps (of 27) rank the final
losses with a rank correlation of 0.17 and 0.18, and every pruner of Optuna and typedspace did
worse than none.  The completed trials of the study hold the evidence: each reported its
values and its final loss.  This wrapper lets its pruner stop a trial at step ``s`` only when,
over the completed trials that reported by ``s``, the best value up to ``s`` and the final
loss have a significantly positive rank correlation: Kendall's tau, one-sided at ``level``,
with exact p-values for small samples without ties, so that four or five trials ranked in
the same order at ``s`` and at the end already count as evidence.

The completed trials are the ones pruning let through, so their values at ``s`` span less
than all trials' do and the correlation among them is lower than among all: the check errs on
the side of not pruning, which costs steps, never the best configuration.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import attrs
import numpy as np
from scipy import stats

from typedspace.pruners._base import Curve, Pruner, Status, Step


@attrs.frozen
class IfPredictive:
    """Let ``pruner`` stop a trial at a step only if the completed trials show that values at
    that step predict final losses (see the module).

    * ``pruner``: the rule that decides which trials to stop, where stopping is allowed.
    * ``level`` (0.05): the one-sided test's level.  Lower prunes only where the evidence is
      stronger (later in the run, or at later steps).
    * ``min_trials`` (4): completed trials needed before the first test; until then nothing
      is stopped.  4 is the fewest with which the test can pass at 0.05 (four trials in the
      same order at the step and at the end: p = 1/24); with 8 trials Kendall's tau must
      exceed about 0.5, with 20 about 0.27.

    >>> from typedspace.pruners import Curve, Status, MedianPruner
    >>> done = [Curve(i, Status.COMPLETE, (1, 2), (1.0 + i, 0.5 + i), 0.5 + i) for i in range(8)]
    >>> slow = Curve(9, Status.RUNNING, (1,), (9.0,))
    >>> IfPredictive(MedianPruner()).prune(slow, done)  # step 1 ranks the finals: prune
    True
    >>> shuffled = [Curve(i, Status.COMPLETE, (1, 2), (1.0 + i, 0.5), (i * 5) % 8) for i in range(8)]
    >>> IfPredictive(MedianPruner()).prune(slow, shuffled)  # it does not: go on
    False
    """

    pruner: Pruner = attrs.field(validator=lambda _, __, value: _check_pruner(value))
    level: float = attrs.field(
        default=0.05, validator=[attrs.validators.gt(0.0), attrs.validators.lt(1.0)]
    )
    min_trials: int = attrs.field(
        default=4, validator=[attrs.validators.instance_of(int), attrs.validators.ge(2)]
    )

    def prune(self, trial: Curve, others: Sequence[Curve], /) -> bool:
        step = trial.last_step
        if step is None or not self.pruner.prune(trial, others):
            return False
        return self.predictive(step, others)

    def predictive(self, step: Step, others: Sequence[Curve]) -> bool:
        """Whether, over the completed trials in ``others`` that reported by ``step``, the best
        value up to ``step`` has a significantly positive rank correlation with the final loss.
        """
        pairs = [
            (early, other.loss)
            for other in others
            if other.status is Status.COMPLETE and other.loss is not None
            if math.isfinite(other.loss)
            if (early := other.best_until(step)) is not None
        ]
        if len(pairs) < self.min_trials:
            return False
        early, final = np.array(pairs).T
        if np.ptp(early) == 0 or np.ptp(final) == 0:
            return False  # all equal: nothing is predicted
        p_value = stats.kendalltau(early, final, alternative="greater").pvalue
        return bool(math.isfinite(p_value) and p_value < self.level)


def _check_pruner(value: object) -> None:
    if not callable(getattr(value, "prune", None)):
        raise TypeError(
            f"IfPredictive: pruner must be a pruner (with a prune method), got {value!r}"
        )
