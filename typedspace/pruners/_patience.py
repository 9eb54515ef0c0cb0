"""A patience rule: stop only trials whose curve stopped improving."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from typedspace.pruners._base import Curve, Pruner


@attrs.frozen
class Patient:
    """Stop a trial whose best value has not improved by more than ``min_delta`` in its last
    ``patience`` reports, if ``pruner`` agrees (or at once when ``pruner`` is None).

    Wrapped around another pruner it makes that one patient: a trial still improving is never
    stopped, however it compares with the others (a slow starter gets its chance).  Alone it is
    early stopping per trial, the rule people write by hand for training loops.

    >>> from typedspace.pruners import Curve, Status, MedianPruner
    >>> flat = Curve(0, Status.RUNNING, (1, 2, 3, 4), (0.5, 0.5, 0.6, 0.5))
    >>> Patient(patience=3).prune(flat, [])
    True
    >>> Patient(patience=3, pruner=MedianPruner()).prune(flat, [])  # no median yet
    False
    """

    patience: int = attrs.field(
        validator=[attrs.validators.instance_of(int), attrs.validators.ge(1)]
    )
    pruner: Pruner | None = None
    min_delta: float = attrs.field(default=0.0, validator=attrs.validators.ge(0.0))

    def prune(self, trial: Curve, others: Sequence[Curve], /) -> bool:
        values = trial.values
        if len(values) <= self.patience:
            return False
        best_before = min(values[: -self.patience])
        if min(values[-self.patience :]) < best_before - self.min_delta:
            return False  # still improving
        return self.pruner is None or self.pruner.prune(trial, others)
