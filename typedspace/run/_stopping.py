"""Early-stopping rules: callables that look at the trials so far and say "stop"."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import attrs

from typedspace.storage._records import Trial, TrialState


class EarlyStop(Protocol):
    """Called after every finished trial; returning True ends the run."""

    def __call__(self, trials: Sequence[Trial[Any]], /) -> bool: ...


@attrs.frozen
class NoImprovement:
    """Stop when the best loss has not improved in the last ``patience`` finished trials.

    An improvement must beat the best loss before them by more than ``min_delta`` (absolute)
    and by more than ``min_rel_delta`` times its magnitude (relative): Hyperopt's
    ``no_progress_loss(20, percent_increase=1.0)`` is ``NoImprovement(20, min_rel_delta=0.01)``.
    A loss equal to the best is no improvement.

    >>> rule = NoImprovement(patience=10, min_rel_delta=0.01)
    >>> rule.patience, rule.min_rel_delta
    (10, 0.01)
    """

    patience: int = attrs.field(validator=attrs.validators.ge(1))
    min_delta: float = attrs.field(default=0.0, validator=attrs.validators.ge(0.0))
    min_rel_delta: float = attrs.field(default=0.0, validator=attrs.validators.ge(0.0))

    def __call__(self, trials: Sequence[Trial[Any]], /) -> bool:
        # Failed and pruned trials count as trials without improvement.
        finished = [t for t in trials if t.state in _COUNTED]
        if len(finished) <= self.patience:
            return False
        best_before = _best_loss(finished[: -self.patience])
        best_recent = _best_loss(finished[-self.patience :])
        if best_before is None:
            return False
        margin = max(self.min_delta, self.min_rel_delta * abs(best_before))
        return best_recent is None or best_recent >= best_before - margin


_COUNTED = (TrialState.OK, TrialState.FAILED, TrialState.PRUNED)


def _best_loss(trials: Sequence[Trial[Any]]) -> float | None:
    losses = [t.loss for t in trials if t.state is TrialState.OK and t.loss is not None]
    return min(losses) if losses else None
