"""An experiment, not part of typedspace: prune on forecasts of the final loss, made by
matching each trial's curve so far against the completed trials' curves (issue 14, target
(b) on gradient boosting; the outcome is in ``RESULTS-pruning.md``: no better than
``IfPredictive``, so it was not shipped).

Pruners rank trials by their value at a step, betting that a trial worse there ends worse.
Where curves cross, the bet fails: on the gradient boosting problem of ``bench_pruning.py``
small learning rates start slowly and finish best.  The *shape* of the curve so far may say
more than its level: the completed trials whose curves looked most like this one up to here
show where it is going.  ``Forecast`` forecasts a trial's final loss at step ``s`` as the
distance-weighted mean of the final losses of the ``neighbours`` completed trials whose
values at the trial's steps up to ``s`` are nearest (root mean square difference), and lets
its pruner judge those forecasts instead of the values.  Which of the two is judged (and
whether anything is) is decided from the study as ``IfPredictive`` does: over the completed
trials, each left out of its own forecast, the one with the stronger one-sided Kendall test
against the final losses is used if that test passes at ``level``; if neither, nothing is
stopped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import attrs
import numpy as np
import numpy.typing as npt
from scipy import stats

from typedspace.pruners import Curve, Pruner, Status, Step

FloatArray = npt.NDArray[np.float64]


@attrs.frozen
class Forecast:
    """Let ``pruner`` judge forecasts of the final losses where those predict better than
    the values themselves (see the module).  ``pruner`` should judge trials by their value at
    a step (successive halving, Hyperband, the median rule): it sees, for each trial that
    reported at every one of this trial's steps, a single value at the current step."""

    pruner: Pruner
    neighbours: int = attrs.field(
        default=5, validator=[attrs.validators.instance_of(int), attrs.validators.ge(1)]
    )
    level: float = attrs.field(
        default=0.05, validator=[attrs.validators.gt(0.0), attrs.validators.lt(1.0)]
    )
    min_trials: int = attrs.field(
        default=4, validator=[attrs.validators.instance_of(int), attrs.validators.ge(2)]
    )

    def prune(self, trial: Curve, others: Sequence[Curve], /) -> bool:
        grid = _grid(trial)
        reached = [c for c in others if c.number != trial.number and _reported(c, grid)]
        done = [c for c in reached if _completed(c)]
        if not grid or len(done) < self.min_trials:
            return False
        prefixes = np.array([_prefix(c, grid) for c in done])
        finals = np.array([c.loss for c in done], dtype=float)
        by_value = _p_value(prefixes.min(axis=1), finals)
        by_forecast = _p_value(self._forecasts(prefixes, finals, prefixes, done, done), finals)
        if by_forecast < min(by_value, self.level):
            # The pruner sees one value per trial at this step: its forecast final loss.
            curves = [trial, *reached]
            queries = np.array([_prefix(c, grid) for c in curves])
            forecasts = self._forecasts(queries, finals, prefixes, curves, done)
            seen = [
                Curve(c.number, c.status, (grid[-1],), (float(f),), c.loss)
                for c, f in zip(curves, forecasts, strict=True)
            ]
            return self.pruner.prune(seen[0], seen[1:])
        return by_value < self.level and self.pruner.prune(trial, others)

    def _forecasts(
        self,
        queries: FloatArray,
        finals: FloatArray,
        prefixes: FloatArray,
        asked: Sequence[Curve],
        done: Sequence[Curve],
    ) -> FloatArray:
        """The forecast for each row of ``queries`` (the curves ``asked``) from the completed
        curves ``done`` (their ``prefixes`` and ``finals``), a completed curve never from
        itself."""
        distance = np.sqrt(np.mean((queries[:, None, :] - prefixes[None, :, :]) ** 2, axis=2))
        itself = np.array([[a.number == d.number for d in done] for a in asked], dtype=bool)
        distance[itself] = np.inf
        usable = int(np.isfinite(distance).sum(axis=1).min())
        nearest = np.argsort(distance, axis=1, kind="stable")[
            :, : max(1, min(self.neighbours, usable))
        ]
        near = np.take_along_axis(distance, nearest, axis=1)
        # Inverse-distance weights; an exact match (distance 0) takes all the weight.
        weights = 1.0 / np.maximum(near, 1e-12)
        return np.asarray(
            np.sum(weights * finals[nearest], axis=1) / np.sum(weights, axis=1), dtype=float
        )


def _grid(trial: Curve) -> list[Step]:
    """The trial's steps so far, in order: the steps its forecast compares curves at."""
    return sorted(set(trial.steps))


def _completed(curve: Curve) -> bool:
    return curve.status is Status.COMPLETE and curve.loss is not None and math.isfinite(curve.loss)


def _reported(curve: Curve, grid: Sequence[Step]) -> bool:
    steps = set(curve.steps)
    return all(s in steps for s in grid)


def _prefix(curve: Curve, grid: Sequence[Step]) -> list[float]:
    values = dict(zip(curve.steps, curve.values, strict=True))
    return [values[s] for s in grid]


def _p_value(predicted: FloatArray, finals: FloatArray) -> float:
    """One-sided p-value of Kendall's test that ``predicted`` ranks ``finals`` (1 when either
    is constant: it predicts nothing)."""
    if np.ptp(predicted) == 0 or np.ptp(finals) == 0:
        return 1.0
    p = stats.kendalltau(predicted, finals, alternative="greater").pvalue
    return float(p) if math.isfinite(p) else 1.0
