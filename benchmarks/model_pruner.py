"""An experiment, not part of typedspace: prune on a model's forecast of each trial's final
loss given its *configuration* and its curve so far (issue 14, target (b); BOHB/DyHPO-style).
The outcome is in ``RESULTS-pruning.md``: no better than the same pruner judging the values
(10 seeds, gradient boosting and the MLP), so it was not shipped.

Pruners judge a trial by its values so far.  Where curves cross (gradient boosting: small
learning rates start slowly and finish best), the values mislead, and a forecast from the
curve's shape alone (``forecast_pruner.py``) did not help.  The configuration says more: the
completed trials near it in the space show where its curve ends.  ``ModelForecast`` fits the
GP sampler's model over configuration and step (``typedspace.algorithms._gp``: the step as a
fidelity input with its own lengthscale) to every curve of the study, and lets its pruner
judge, at each rung, the posterior mean of every trial's final loss (fidelity 1, given its
configuration and every value it reported) instead of its values.  Where early values tell
final ones the fitted fidelity lengthscale is long and the forecast follows the curve; where
they do not, the forecast follows the configuration's completed neighbours.

The Pruner protocol gives curves only, so the benchmark's runner tells the pruner each
trial's assignment as it is asked (``note``); the pruner keeps the model's hyperparameters
between calls (refitted as the data grow), so it is not the stateless value a shipped
pruner must be.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
from forecast_pruner import _completed

from typedspace.algorithms._gp import PRIOR_RESTART_EVERY, _Encoder, curve_points, warp_losses
from typedspace.algorithms._gp_kernel import Posterior, prior_mode
from typedspace.algorithms._parzen import one_blas_thread
from typedspace.backends._table import ParamTable
from typedspace.pruners import Curve, Pruner, Status, Step

FloatArray = npt.NDArray[np.float64]
#: Refit the hyperparameters when the model's rows have grown by this fraction.
REFIT_GROWTH = 0.1


class ModelForecast:
    """Let ``pruner`` judge model forecasts of the final losses (see the module).  Until
    ``min_completed`` trials have completed, ``pruner`` judges the values themselves."""

    def __init__(self, pruner: Pruner, table: ParamTable, min_completed: int = 5) -> None:
        self.pruner = pruner
        self.encoder = _Encoder(table)
        self.encoder.use_fidelity()
        self.min_completed = min_completed
        self.units: dict[int, FloatArray] = {}
        self.theta: FloatArray | None = None
        self.n_fitted = 0
        self.n_fits = 0

    def note(self, number: int, assignment: Mapping[str, float | int]) -> None:
        """Trial ``number``'s configuration (the runner tells it when the trial is asked)."""
        self.units[number] = self.encoder.unit([assignment])[0]

    def prune(self, trial: Curve, others: Sequence[Curve], /) -> bool:
        known = [c for c in others if c.number in self.units and c.status is not Status.FAILED]
        completed = [c for c in known if _completed(c)]
        if len(completed) < self.min_completed or not trial.steps:
            return self.pruner.prune(trial, others)
        # The forecasts cost a model fit: only where the pruner could stop the trial on some
        # values at this step, i.e. where it would stop it on its worst possible one.
        worst = Curve(trial.number, trial.status, trial.steps, (math.inf,) * len(trial.steps))
        if not self.pruner.prune(worst, others):
            return False
        step = trial.steps[-1]
        with one_blas_thread():
            forecasts = self._forecasts(known)
        seen = [
            Curve(c.number, c.status, (step,), (forecasts[c.number],), c.loss)
            for c in known
            if c.number == trial.number or (c.last_step is not None and c.last_step >= step)
        ]
        mine = next(c for c in seen if c.number == trial.number)
        return self.pruner.prune(mine, [c for c in seen if c.number != trial.number])

    def _forecasts(self, curves: Sequence[Curve]) -> dict[int, float]:
        """Each curve's posterior mean final loss (warped: the ranking is what counts)."""
        losses = np.array([c.loss if _completed(c) else math.inf for c in curves], dtype=float)
        arrays = [_arrays(c) for c in curves]
        rows, fidelity, values = curve_points(losses, arrays)
        units = np.array([self.units[c.number] for c in curves])
        x = self.encoder.encode(units[rows])
        x[:, -1] = fidelity
        y = warp_losses(values)
        dims = self.encoder.dims
        if self.theta is None or len(y) - self.n_fitted >= max(1, REFIT_GROWTH * self.n_fitted):
            starts = [] if self.theta is None else [self.theta]
            if self.theta is None or self.n_fits % PRIOR_RESTART_EVERY == 0:
                starts.append(prior_mode(int(dims.max()) + 1))
            gp = Posterior.fit(x, y, dims, starts)
            self.theta, self.n_fitted = gp.theta, len(y)
            self.n_fits += 1
        else:
            gp = Posterior(x, y, dims, self.theta)
        final = self.encoder.encode(units)  # fidelity column 1.0
        mean, _ = gp.predict(final)
        return {c.number: float(m) for c, m in zip(curves, mean, strict=True)}


def _arrays(curve: Curve) -> tuple[FloatArray, FloatArray] | None:
    if not curve.steps:
        return None
    pairs: list[tuple[Step, float]] = sorted(zip(curve.steps, curve.values, strict=True))
    return (
        np.array([float(s) for s, _ in pairs]),
        np.array([float(v) for _, v in pairs]),
    )
