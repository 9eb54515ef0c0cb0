"""``early_stop.no_progress_loss``: Hyperopt's early-stopping rule, for ``fmin``'s
``early_stop_fn``.

An ``early_stop_fn`` is called after every trial as ``fn(trials, *state)`` and returns
``(stop, state)``: the state it returns is passed back on the next call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["no_progress_loss"]


def no_progress_loss(
    iteration_stop_count: int = 20, percent_increase: float = 0.0
) -> Callable[..., tuple[bool, list[Any]]]:
    """Stop when ``iteration_stop_count`` trials in a row did not improve the best loss by
    more than ``percent_increase`` percent of it.  The first trial sets the best loss and
    counts as one trial without progress, as in Hyperopt; a trial without a loss (a
    failure) is one without progress (Hyperopt raises a ``KeyError`` there).

    >>> from typedspace.hyperopt import fmin, hp, rand, Trials
    >>> from typedspace.hyperopt.early_stop import no_progress_loss
    >>> trials = Trials()
    >>> _ = fmin(lambda x: x, hp.uniform("x", -5, 5), rand.suggest, max_evals=500,
    ...          trials=trials, early_stop_fn=no_progress_loss(10), show_progressbar=False,
    ...          points_to_evaluate=[{"x": -5.0}])
    >>> len(trials)
    10
    """

    def stop_fn(
        trials: Any, best_loss: float | None = None, iteration_no_progress: int = 0
    ) -> tuple[bool, list[Any]]:
        new_loss = trials.trials[-1]["result"].get("loss")
        if best_loss is None:
            return False, [new_loss, iteration_no_progress + 1]
        threshold = best_loss - abs(best_loss * (percent_increase / 100.0))
        if new_loss is not None and new_loss < threshold:
            best_loss, iteration_no_progress = new_loss, 0
        else:
            iteration_no_progress += 1
        return iteration_no_progress >= iteration_stop_count, [best_loss, iteration_no_progress]

    return stop_fn
