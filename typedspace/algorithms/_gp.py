"""Bayesian optimization with a Gaussian process, on the flattened parameter table.

One GP models the whole table.  Every parameter has a column of the encoded point (a
categorical one, a one-hot block): a numeric parameter's internal coordinate ``z`` scaled to
[0, 1], a categorical's option one-hot.  A parameter that is inactive in a point gets a fixed
encoding (0.5, or an all-zero one-hot block): points of different branches always differ in
their selectors' columns, so the kernel never confuses them, while two points of the same
branch are compared on exactly the parameters they share.  Proposals maximize the logarithm
of expected improvement over the model; integer, quantized and categorical parameters are
snapped to their grid *before* a candidate is scored, so the acquisition is that of the point
that will be proposed.  See ``GP`` for the choices and their reasons.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import attrs
import numpy as np
import numpy.typing as npt
import scipy.optimize
from scipy.special import ndtri
from scipy.stats import qmc

from typedspace.algorithms._distinct import REDRAWS, Key, distinct_prior, key
from typedspace.algorithms._gp_kernel import FloatArray, IntArray, Posterior, prior_mode
from typedspace.algorithms._parzen import one_blas_thread
from typedspace.backends._table import (
    Assignment,
    CategoricalParam,
    NumericParam,
    ParamTable,
)

#: A normal prior's axis is modelled on ``mu +- NORMAL_SPAN * sigma`` (and searched there).
NORMAL_SPAN = 3.0
#: The encoding of an inactive numeric parameter.
INACTIVE = 0.5
#: The best observed points perturbed to make local candidates, and the perturbations'
#: standard deviations on the [0, 1] axes (log-uniform between the two).
LOCAL_CENTRES = 5
LOCAL_SCALE = (0.005, 0.2)
#: The exponents of the power transform (Box-Cox or Yeo-Johnson) tried on the losses (the
#: most likely one is used).
POWER_GRID = np.linspace(-2.0, 2.0, 81)
#: Finished trials from the start-up design before the model is used (``GP.n_startup``).
N_STARTUP = 10
#: The hyperparameters are fitted from the last fit's (one more trial rarely moves them far)
#: and, on every fifth fit (and the first), also from the priors' mode, in case the last
#: fit's optimum has become a poor local one.
PRIOR_RESTART_EVERY = 5
#: The hyperparameters are refitted when the finished trials have grown by this fraction
#: since the last fit (at least one trial: below 40 trials, every proposal refits); in
#: between, the last fit's are kept.  One trial more among a hundred hardly moves the
#: likelihood's optimum, and the fit was half of a proposal's cost there.
REFIT_GROWTH = 0.05
#: A candidate within this distance of an evaluated point (on the encoded [0, 1] axes) is
#: proposed only if every candidate is: re-evaluating a point says nothing new about a
#: deterministic loss, and the model keeps asking for one where it is overconfident.  Only
#: continuous axes count: two points on different options or grid values are never near.
#: On Branin (31 seeds, 30 evaluations) this took the mean regret from 0.24 to 0.10 and
#: the runs stalled at the corner (10, 3) from 4 to 1 (a radius of 1e-3: still 4; 1e-2:
#: none, but the median regret tripled, the last steps towards the optimum being refused).
NEAR = 3e-3
NEAR_HEAD = 64
#: The chance that a local candidate takes a new option for each categorical parameter.
LOCAL_SWITCH = 0.2


@attrs.frozen
class GP:
    """Gaussian-process Bayesian optimization settings, for small budgets (tens to a few
    hundred trials: a proposal conditions the model on every trial, at a cost growing with
    the cube of their number; see ``benchmarks/bench_gp_overhead.py``).

    * ``n_startup`` (None: 10, as Optuna's GPSampler): finished trials taken from a
      space-filling design before the model is used.  Fewer (``min(10, 2 d + 1)`` for ``d``
      parameters, the rule until 2026-12) leave more of a small budget to the model, but on
      the small-budget suite the model then called parameters irrelevant that it had seen
      too few values of (``benchmarks/RESULTS-small-budget.md``).  The design is a scrambled
      Sobol sequence mapped through each parameter's prior (inverse CDF), so it samples the
      prior as random search does, but its points cover every axis evenly instead of
      clumping (with 8 points, one in each eighth of each axis).  Points repeating a
      running or same-batch one are skipped, as in ``distinct_prior``.
    * ``n_candidates`` (1024): random (Sobol) points of the unit box scored per proposal,
      plus ``n_candidates // 2`` perturbations of the five best trials (local search where
      the acquisition is usually largest); the ``n_refine`` best candidates are then
      improved by L-BFGS-B on their active continuous coordinates (``n_refine`` 4).  The
      best of all, snapped to the grid, not running already and not within ``NEAR`` (3e-3
      on the [0, 1] axes) of an evaluated point, is proposed (the last rule yields when no
      candidate passes it).

    The model, and why:

    * Numeric parameters are modelled on their internal axis (the logarithm for log-scaled
      ones, the CDF for custom distributions) scaled to [0, 1]: ``[z_low, z_high]`` for a
      uniform prior, ``mu +- 3 sigma`` (within the bounds) for a normal one, where the search
      also stays.  Categorical options are one-hot, scaled so that two options are at
      distance 1 (a Hamming distance, as Optuna's GPSampler).
    * The kernel is Matérn-5/2 with one lengthscale per parameter (a categorical's one-hot
      block shares one), variance 1 on standardized losses, plus fitted noise.  The
      hyperparameters maximize the marginal likelihood times weak log-normal priors: on the
      lengthscales, a dimension-scaled prior after Hvarfner et al. (2024), on the noise
      variance ``LogNormal(-4, 1)`` (BoTorch's default), which keep fits from a dozen points
      sane (see ``_gp_kernel.lengthscale_prior``).  L-BFGS-B with analytic gradients from
      the previous fit, and on every fifth fit also from the priors' mode.  They are
      refitted once the trials have grown by 5 % since the last fit (every proposal below
      40 trials, every fifth at 100), and kept in between.
    * Losses are warped before standardization by a power transform (lambda by maximum
      likelihood), as HEBO (Cowen-Rivers et al., 2022): Box-Cox when they are all positive,
      else Yeo-Johnson after a robust scaling (``warp_losses``).  Typical losses are
      heavy-tailed (a few diverged runs), and a GP fitted to the raw values spends its
      flexibility on the worst points instead of the region of the best.
    * The acquisition is log expected improvement (Ament et al., 2023) below the best
      (warped) loss observed, which keeps a usable gradient and ranking where EI underflows
      to 0.
    * Batches: the kriging believer.  Running trials and the batch's earlier proposals join
      the model (hyperparameters unchanged) with their posterior mean as value, so the
      acquisition drops around them and the batch spreads.  A proposal never repeats a
      running or same-batch assignment while the candidates offer another one.
    * Failed trials (loss ``None``, NaN or infinite) are left out: a failure says nothing
      about how good the neighbourhood is.
    * Pruned trials: once a trial is pruned, the model is one over configuration *and step*
      (multi-fidelity): the inputs gain a fidelity column, ``log1p(step) / log1p(S)`` with
      ``S`` the last step of the longest completed curve, with a lengthscale of its own;
      every trial's curve enters at a few steps (its last, then each at most a third of the
      one before: 27, 9, 3, 1), completed trials' losses at fidelity 1, and proposals
      maximize expected improvement at fidelity 1 (``curve_points``).  The fitted
      lengthscale says how far early values tell final losses on *this* problem: where they
      do (a multi-fidelity function), a pruned trial's values count nearly as a final loss;
      where they do not (gradient boosting, whose slow starters finish best), they count
      for little, and the regions of pruned trials stay open.  Two simpler ways measured
      worse (``benchmarks/RESULTS-pruning.md``, Hyperband, 10 seeds): leaving pruned trials
      out wasted what they showed (the multi-fidelity Hartmann-6 problem: 0.159 against
      0.023 with this model), and adding each with an estimated final loss, TPE's way,
      closed the slow starters' regions on gradient boosting (0.332 against 0.317).
      A pruned configuration's final loss will never be observed, so the model believes
      its own prediction there (the kriging believer, as for a running trial): without it,
      windowed halving on gradient boosting once proposed 1,300 trials in one spot, each
      stopped after one step.  Without a pruned trial the model and its cost are those of
      the final losses alone.

    >>> import numpy as np
    >>> from typedspace import Uniform, flatten
    >>> table = flatten(Uniform(0.0, 1.0)).table
    >>> (name,) = table.names
    >>> proposer = GP().start(table, np.random.default_rng(0))
    >>> for number in range(12):
    ...     (point,) = proposer.propose(1, pending=[])
    ...     proposer.tell(number, point, (point[name] - 0.3) ** 2)
    >>> min(abs(point[name] - 0.3) for point in proposer.propose(3, pending=[])) < 0.02
    True
    """

    n_startup: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.ge(1))
    )
    n_candidates: int = attrs.field(default=1024, validator=attrs.validators.ge(1))
    n_refine: int = attrs.field(default=4, validator=attrs.validators.ge(0))

    def start(self, table: ParamTable, rng: np.random.Generator) -> GPProposer:
        return GPProposer(self, table, rng)


class _Encoder:
    """Between assignments and the GP's inputs.  Points are handled in a *unit* form, one
    column per parameter: a numeric one's value on its [0, 1] axis, a categorical one's
    option index (NaN where inactive); ``complete`` snaps unit points to the grid and
    gives their values, activity and encoding."""

    def __init__(self, table: ParamTable) -> None:
        self.table = table
        self.params = table.params
        self.low = np.zeros(len(table))
        self.width = np.ones(len(table))
        dims: list[int] = []
        self.first_column: list[int] = []
        selectors = {c.param for p in table.params for c in p.condition}
        self.refinable = np.zeros(len(table), dtype=bool)
        for i, p in enumerate(self.params):
            self.first_column.append(len(dims))
            if isinstance(p, CategoricalParam):
                dims.extend([i] * p.size)
                continue
            dims.append(i)
            low, high = p.z_low, p.z_high
            if p.warp is None and p.prior == "normal":
                low = max(low, p.mu - NORMAL_SPAN * p.sigma)
                high = min(high, p.mu + NORMAL_SPAN * p.sigma)
            if not (math.isfinite(low) and math.isfinite(high) and high > low):
                low, high = (low, low + 1.0) if math.isfinite(low) else (high - 1.0, high)
            self.low[i], self.width[i] = low, high - low
            self.refinable[i] = p.name not in selectors
        self.base_dims: IntArray = np.array(dims, dtype=np.int64)
        self.dims = self.base_dims
        self.n_columns = len(dims)
        #: With a fidelity column (``use_fidelity``): the last input is the step, on [0, 1].
        self.fidelity = False
        #: Scales the columns for ``NEAR``: a categorical's or a grid's columns by 1000.
        self.near_scale = np.ones(self.n_columns)
        for i, p in enumerate(self.params):
            if isinstance(p, CategoricalParam) or p.is_int or p.q is not None:
                self.near_scale[self.dims == i] = 1e3

    def use_fidelity(self) -> None:
        """From now on every encoded point ends with a fidelity column (1.0: the final step)
        with a lengthscale of its own."""
        if not self.fidelity:
            self.fidelity = True
            self.dims = np.append(self.base_dims, len(self.params))
            self.near_scale = np.append(self.near_scale, 1.0)

    def unit(self, assignments: Sequence[Assignment]) -> FloatArray:
        """Assignments in unit form."""
        u = np.full((len(assignments), len(self.params)), np.nan)
        for row, assignment in enumerate(assignments):
            for i, p in enumerate(self.params):
                if p.name in assignment:
                    value = assignment[p.name]
                    if isinstance(p, CategoricalParam):
                        u[row, i] = float(value)
                    else:
                        u[row, i] = float(p.to_internal(float(value)))
        numeric = np.array([isinstance(p, NumericParam) for p in self.params])
        u[:, numeric] = (u[:, numeric] - self.low[numeric]) / self.width[numeric]
        return u

    def encode(self, u: FloatArray) -> FloatArray:
        """The GP inputs of unit points (NaN: inactive)."""
        out = np.zeros((len(u), self.n_columns + self.fidelity))
        if self.fidelity:
            out[:, -1] = 1.0
        for i, p in enumerate(self.params):
            column, active = u[:, i], ~np.isnan(u[:, i])
            start = self.first_column[i]
            if isinstance(p, CategoricalParam):
                rows = np.flatnonzero(active)
                out[rows, start + column[rows].astype(np.int64)] = math.sqrt(0.5)
            else:
                out[:, start] = np.where(active, column, INACTIVE)
        return out

    def complete(
        self, u: FloatArray
    ) -> tuple[FloatArray, dict[str, npt.NDArray[np.generic]], dict[str, npt.NDArray[np.bool_]]]:
        """Unit points with a value for every parameter, snapped to the grid (NaN where
        inactive), with the values and activity masks of each parameter."""
        values: dict[str, npt.NDArray[np.generic]] = {}
        u = np.where(np.isnan(u), 0.0, u)  # inactive: any value (masked below)
        snapped = u.copy()
        for i, p in enumerate(self.params):
            if isinstance(p, CategoricalParam):
                index = np.clip(u[:, i], 0, p.size - 1).astype(np.int64)
                values[p.name], snapped[:, i] = index, index
            else:
                value = p.to_value(self.low[i] + self.width[i] * np.clip(u[:, i], 0.0, 1.0))
                values[p.name] = value
                snapped[:, i] = (p.to_internal(value) - self.low[i]) / self.width[i]
        masks = self.table.active_masks(values)
        for i, p in enumerate(self.params):
            snapped[~masks[p.name], i] = np.nan
        return snapped, values, masks

    def assignment(
        self,
        values: dict[str, npt.NDArray[np.generic]],
        masks: dict[str, npt.NDArray[np.bool_]],
        row: int,
    ) -> dict[str, float | int]:
        return {p.name: values[p.name][row].item() for p in self.params if masks[p.name][row]}

    def random_unit(self, source: qmc.Sobol | np.random.Generator, n: int) -> FloatArray:
        """``n`` points of the unit box from a Sobol sequence or a generator (categoricals:
        uniform options)."""
        if isinstance(source, np.random.Generator):
            u = source.random((n, len(self.params)))
        else:
            with warnings.catch_warnings():  # blocks of 2^k points keep the balance
                warnings.simplefilter("ignore", UserWarning)
                u = np.asarray(source.random(n), dtype=np.float64)[:, : len(self.params)]
        for i, p in enumerate(self.params):
            if isinstance(p, CategoricalParam):
                u[:, i] = np.minimum(np.floor(u[:, i] * p.size), p.size - 1)
        return u

    def prior_design(self, rng: np.random.Generator, n: int) -> list[dict[str, float | int]]:
        """``n`` (a power of 2) scrambled Sobol points mapped through the priors: they
        follow the prior, and fill it evenly."""
        sobol = qmc.Sobol(max(len(self.params), 1), scramble=True, seed=rng)
        u = np.clip(sobol.random(n)[:, : len(self.params)], 1e-12, 1.0 - 1e-12)
        values: dict[str, npt.NDArray[np.generic]] = {}
        for i, p in enumerate(self.params):
            if isinstance(p, CategoricalParam):
                cumulative = np.cumsum(p.weights) / sum(p.weights)
                index = np.searchsorted(cumulative, u[:, i], side="right")
                values[p.name] = np.minimum(index, p.size - 1).astype(np.int64)
                continue
            if p.warp is not None:
                z = u[:, i]
            elif p.prior == "uniform":
                z = p.z_low + u[:, i] * (p.z_high - p.z_low)
            else:
                z = np.clip(p.mu + p.sigma * ndtri(u[:, i]), p.z_low, p.z_high)
            values[p.name] = p.to_value(z)
        masks = self.table.active_masks(values)
        return [self.assignment(values, masks, row) for row in range(n)]


def _sq_distance_to(c: FloatArray, x: FloatArray) -> FloatArray:
    """Each row of ``c``'s smallest squared distance to a row of ``x``."""
    if len(x) == 0:
        return np.full(len(c), np.inf)
    d2 = (c * c).sum(1)[:, None] + (x * x).sum(1)[None, :] - 2.0 * (c @ x.T)
    out: FloatArray = np.maximum(d2.min(1), 0.0)
    return out


def warp_losses(losses: FloatArray) -> FloatArray:
    """Losses power-transformed with the exponent of largest likelihood on a grid over
    [-2, 2], then standardized (HEBO's output warping): Box-Cox when every loss is positive,
    else ``robust_yeo_johnson``.

    Box-Cox does not depend on the losses' scale, so it needs no scaling first, and it tames
    a heavy tail of diverged runs as well.  Yeo-Johnson does depend on the scale: its
    robust scaling (by the median absolute deviation) made the scale about 2e-4 when most
    losses sat on a plateau (the elastic net of ``benchmarks/bench_small_budget.py``), so
    that a loss just past the plateau warped nearly as badly as a diverged one and the model
    saw a cliff at the rim of the best region (``benchmarks/RESULTS-small-budget.md``).

    >>> y = warp_losses(np.array([0.1, 0.2, 0.3, 0.25, 0.15, 50.0]))
    >>> bool(abs(y.mean()) < 1e-9), bool(y[5] < 2.0)  # raw standardized: 2.24
    (True, True)
    """
    if len(losses) < 3 or np.ptp(losses) == 0:
        return _standardize(losses)
    if float(losses.min()) > 0:
        # Divided by the geometric mean first: the same transform after standardization
        # (Box-Cox is scale-free), without powers of huge or tiny numbers.
        y = losses / math.exp(float(np.mean(np.log(losses))))
        lam = POWER_GRID[:, None]
        with np.errstate(all="ignore"):
            psi = np.where(np.abs(lam) < 1e-9, np.log(y), (y**lam - 1) / lam)
            llf = -0.5 * len(y) * np.log(psi.var(axis=1))  # + (lam - 1) sum(log y) = 0
        return _best_power(psi, llf, _standardize(losses))
    return robust_yeo_johnson(losses)


def robust_yeo_johnson(losses: FloatArray) -> FloatArray:
    """Losses scaled robustly (median, and 1.4826 times the median absolute deviation, so
    that a few huge losses do not squash the rest together), Yeo-Johnson-transformed with
    the lambda of largest likelihood on a grid over [-2, 2], then standardized: the warp of
    losses that are not all positive (``warp_losses``).

    >>> y = robust_yeo_johnson(np.array([-0.9, -0.8, -0.7, -0.75, -0.85, 50.0]))
    >>> bool(abs(y.mean()) < 1e-9), bool(y[5] < 2.0)
    (True, True)
    """
    y = _robust_scale(losses)
    if len(y) < 3 or np.ptp(y) == 0:
        return y
    pos = y >= 0
    lam = POWER_GRID[:, None]
    with np.errstate(all="ignore"):
        up = np.where(np.abs(lam) < 1e-9, np.log1p(np.abs(y)), ((np.abs(y) + 1) ** lam - 1) / lam)
        down = np.where(
            np.abs(lam - 2) < 1e-9,
            -np.log1p(np.abs(y)),
            -((np.abs(y) + 1) ** (2 - lam) - 1) / (2 - lam),
        )
        psi = np.where(pos, up, down)
        llf = -0.5 * len(y) * np.log(psi.var(axis=1)) + (lam[:, 0] - 1) * float(
            np.sum(np.sign(y) * np.log1p(np.abs(y)))
        )
    return _best_power(psi, llf, y)


def _best_power(psi: FloatArray, llf: FloatArray, fallback: FloatArray) -> FloatArray:
    """The standardized row of ``psi`` (transforms of the losses, one per exponent) of
    largest finite log-likelihood ``llf``; ``fallback`` if none is usable."""
    llf = np.where(np.isfinite(llf), llf, -np.inf)
    best = int(np.argmax(llf))
    if not np.isfinite(llf[best]) or not np.all(np.isfinite(psi[best])):
        return fallback
    return _standardize(psi[best])


def _robust_scale(y: FloatArray) -> FloatArray:
    centre = float(np.median(y))
    scale = 1.4826 * float(np.median(np.abs(y - centre)))
    return (y - centre) / scale if scale > 0 else _standardize(y)


def _standardize(y: FloatArray) -> FloatArray:
    sd = float(np.std(y))
    return (y - np.mean(y)) / (sd if sd > 0 else 1.0)


#: A trial's learning curve: its steps in increasing order and the values reported there.
Curve = tuple[FloatArray, FloatArray]


def curve_points(
    losses: FloatArray, curves: Sequence[Curve | None]
) -> tuple[IntArray, FloatArray, FloatArray]:
    """The data of the model over configuration and step: rows, fidelities and values.

    A completed trial gives its loss at fidelity 1; every curve gives its last value and,
    going back, the value at the last step at most a third of the one before (27, 9, 3, 1 on
    a 27-step curve: as many points as halving has rungs, not one per epoch, which the
    model's cubic cost could not afford).  A step's fidelity is ``log1p(step) / log1p(S)``,
    ``S`` the last step of the longest completed curve (steps are epochs or budgets, whose
    effect on a loss is roughly logarithmic); a completed trial's values from ``S`` on are
    its loss.  ``losses`` is ``inf`` for a pruned trial.

    >>> steps = np.arange(1.0, 28.0)
    >>> rows, fidelity, values = curve_points(
    ...     np.array([0.5, np.inf]), [(steps, 1.0 + 1.0 / steps), (steps[:3], 2.0 + steps[:3])]
    ... )
    >>> rows.tolist(), np.round(fidelity, 2).tolist(), np.round(values, 2).tolist()
    ([0, 0, 0, 0, 1, 1], [1.0, 0.69, 0.42, 0.21, 0.42, 0.21], [0.5, 1.11, 1.33, 2.0, 5.0, 3.0])
    """
    completed = np.isfinite(losses)
    lasts = [c[0][-1] for c, done in zip(curves, completed, strict=True) if c is not None and done]
    longest = max(lasts or [c[0][-1] for c in curves if c is not None] or [1.0])
    scale = math.log1p(max(longest, 0.0)) or 1.0
    rows: list[int] = []
    fidelity: list[float] = []
    values: list[float] = []
    for row, curve in enumerate(curves):
        if completed[row]:
            rows.append(row)
            fidelity.append(1.0)
            values.append(float(losses[row]))
        if curve is None:
            continue
        steps, reported = curve
        below = math.inf
        for i in range(len(steps) - 1, -1, -1):
            if steps[i] > below:
                continue
            below = steps[i] / 3.0
            if completed[row] and steps[i] >= longest:
                continue  # its loss stands there
            rows.append(row)
            fidelity.append(min(math.log1p(max(float(steps[i]), 0.0)) / scale, 1.0))
            values.append(float(reported[i]))
    return np.array(rows, dtype=np.int64), np.array(fidelity), np.array(values)


class GPProposer:
    """The state of ``GP`` for one study: the told trials in unit form, their losses
    (``inf`` for a pruned trial) and curves, the start-up design, and the last fit's
    hyperparameters (the next fit's start)."""

    def __init__(self, settings: GP, table: ParamTable, rng: np.random.Generator) -> None:
        self.settings = settings
        self.table = table
        self.rng = rng
        self.encoder = _Encoder(table)
        self.n_startup = settings.n_startup or N_STARTUP
        size = 1 << max(self.n_startup - 1, 1).bit_length()
        self.design = self.encoder.prior_design(rng, size)
        self.sobol = qmc.Sobol(max(len(table), 1), scramble=True, seed=rng)
        self.units: list[FloatArray] = []
        self.losses: list[float] = []
        #: Per row: the trial's curve (steps in increasing order, values), if it reported.
        self.curves: list[Curve | None] = []
        self._noted: dict[int, Curve] = {}  # curves told before their trials
        self.theta: FloatArray | None = None
        self.n_fits = 0
        self.n_fitted = 0  # the model's data points at the last fit
        self._told: set[int] = set()

    @property
    def n_finished(self) -> int:
        """The trials the model learns from: completed ones, and pruned ones with a curve."""
        return sum(
            math.isfinite(loss) or curve is not None
            for loss, curve in zip(self.losses, self.curves, strict=True)
        )

    def tell_curve(self, number: int, curve: Sequence[tuple[int | float, float]]) -> None:
        """The values trial ``number`` reported, told before the trial itself."""
        if number not in self._told and curve:
            pairs = sorted(curve, key=lambda pair: pair[0])
            self._noted[number] = (
                np.array([float(step) for step, _ in pairs]),
                np.array([float(value) for _, value in pairs]),
            )

    def tell(self, number: int, assignment: Assignment, loss: float | None) -> None:
        if loss is None or not math.isfinite(loss) or number in self._told:
            self._noted.pop(number, None)
            return
        self._add(number, assignment, float(loss))

    def tell_pruned(
        self, number: int, assignment: Assignment, step: int | float, value: float
    ) -> None:
        """A pruned trial joins the model through its curve (see ``GP``); told no curve,
        through the value where it stopped."""
        if number not in self._told:
            self._noted.setdefault(number, (np.array([float(step)]), np.array([float(value)])))
            self._add(number, assignment, math.inf)

    def _add(self, number: int, assignment: Assignment, loss: float) -> None:
        self._told.add(number)
        self.units.append(self.encoder.unit([assignment])[0])
        self.losses.append(loss)
        self.curves.append(self._noted.pop(number, None))

    def propose(self, n: int, pending: Sequence[Assignment]) -> list[dict[str, float | int]]:
        completed = any(math.isfinite(loss) for loss in self.losses)
        if self.n_finished < self.n_startup or not completed:
            return self._from_design(n, pending)
        with one_blas_thread():
            return self._propose(n, pending)

    def _from_design(self, n: int, pending: Sequence[Assignment]) -> list[dict[str, float | int]]:
        taken = {key(a) for a in pending}
        out: list[dict[str, float | int]] = []
        while len(out) < n and self.design:
            point = self.design.pop(0)
            if key(point) not in taken:
                taken.add(key(point))
                out.append(point)
        return out + distinct_prior(self.table, self.rng, n - len(out), [*pending, *out])

    def _model_data(self) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
        """The unit points of the completed trials, the GP's inputs and (warped) targets, the
        warped losses of the completed trials, and the unit points of the pruned ones.
        Without a pruned trial, the inputs are the completed trials' encodings; with one,
        they end with a fidelity column (``curve_points``)."""
        losses = np.array(self.losses)
        completed = np.isfinite(losses)
        units = np.array(self.units)
        if completed.all():
            y = warp_losses(losses)
            return units, self.encoder.encode(units), y, y, units[:0]
        rows, fidelity, values = curve_points(losses, self.curves)
        self.encoder.use_fidelity()
        x = self.encoder.encode(units[rows])
        x[:, -1] = fidelity
        y = warp_losses(values)
        final = fidelity == 1.0
        return units[rows[final]], x, y, y[final], units[~completed]

    def _propose(self, n: int, pending: Sequence[Assignment]) -> list[dict[str, float | int]]:
        gp, best, centres, evaluated = self.model(pending)
        taken = {key(a) for a in pending}
        proposals: list[dict[str, float | int]] = []
        for k in range(n):
            proposal, encoded = self._propose_one(gp, best, centres, taken, evaluated)
            taken.add(key(proposal))
            proposals.append(proposal)
            if k < n - 1:
                mean, _ = gp.predict(encoded[None])
                gp, best = gp.condition(encoded[None], mean), min(best, float(mean[0]))
        return proposals

    def model(
        self, pending: Sequence[Assignment]
    ) -> tuple[Posterior, float, FloatArray, FloatArray]:
        """The posterior the acquisition uses (refitted when the data have grown enough),
        the best (warped) loss to improve on, the unit points to perturb for local
        candidates, and the encodings that candidates should not come near."""
        units, x, y, y_final, pruned = self._model_data()
        n_dims = int(self.encoder.dims.max()) + 1
        if self.theta is not None and len(self.theta) != n_dims + 1:
            self.theta = None  # the fidelity column has just been added
        n_new = len(y) - self.n_fitted
        if self.theta is None or n_new >= max(1, int(REFIT_GROWTH * self.n_fitted)):
            starts = [] if self.theta is None else [self.theta]
            if self.theta is None or self.n_fits % PRIOR_RESTART_EVERY == 0:
                starts.append(prior_mode(n_dims))
            gp = Posterior.fit(x, y, self.encoder.dims, starts)
            self.theta, self.n_fitted = gp.theta, len(y)
            self.n_fits += 1
        else:
            gp = Posterior(x, y, self.encoder.dims, self.theta)
        best = float(y_final.min())
        if len(pruned):
            # A pruned configuration's final loss will never be observed: the model believes
            # its own prediction there (as for a running trial), so that it does not keep
            # proposing next to configurations the pruner stops before the end.  (Without
            # it, a run of windowed halving on gradient boosting proposed 1,300 trials in one
            # spot, each stopped after one step.)
            stopped = self.encoder.encode(pruned)
            gp = gp.condition(stopped, gp.predict(stopped)[0])
            x = np.concatenate([x, stopped])
        if pending:
            believed = self.encoder.encode(self.encoder.unit(pending))
            mean, _ = gp.predict(believed)
            gp, best = gp.condition(believed, mean), min(best, float(mean.min()))
        centres = units[np.argsort(y_final, kind="stable")[:LOCAL_CENTRES]]
        return gp, best, centres, x

    def _propose_one(
        self,
        gp: Posterior,
        best: float,
        centres: FloatArray,
        taken: set[Key],
        evaluated: FloatArray,
    ) -> tuple[dict[str, float | int], FloatArray]:
        """The candidate of largest log EI whose assignment is not ``taken`` and whose
        encoding is not within ``NEAR`` of an ``evaluated`` one (if any candidate is
        neither), and its encoding."""
        enc = self.encoder
        pool = np.concatenate([enc.random_unit(self.sobol, self.settings.n_candidates),
                               self._local(centres, self.settings.n_candidates // 2)])  # fmt: skip
        snapped, values, masks = enc.complete(pool)
        encoded = enc.encode(snapped)
        scores = gp.log_ei(encoded, best)
        if self.settings.n_refine:
            top = np.argsort(-scores, kind="stable")[: self.settings.n_refine]
            refined, r_values, r_masks = enc.complete(self._refine(gp, best, snapped[top]))
            r_encoded = enc.encode(refined)
            encoded = np.concatenate([encoded, r_encoded])
            scores = np.concatenate([scores, gp.log_ei(r_encoded, best)])
            values = {name: np.concatenate([v, r_values[name]]) for name, v in values.items()}
            masks = {name: np.concatenate([m, r_masks[name]]) for name, m in masks.items()}
        order = np.argsort(-scores, kind="stable")
        scale, scaled = enc.near_scale, evaluated * enc.near_scale
        # The best candidates far from the evaluated points, then the near ones; the
        # distances of the first NEAR_HEAD candidates usually decide, at a fraction of the
        # cost of all of them.
        for rows in (order[:NEAR_HEAD], order[NEAR_HEAD:]):
            far = _sq_distance_to(encoded[rows] * scale, scaled) >= NEAR**2
            for row in rows[far].tolist():
                proposal = enc.assignment(values, masks, row)
                if key(proposal) not in taken:
                    return proposal, encoded[row]
        for row in order.tolist():
            proposal = enc.assignment(values, masks, row)
            if key(proposal) not in taken:
                return proposal, encoded[row]
        for proposal in self.table.sample_assignments(self.rng, REDRAWS):
            if key(proposal) not in taken:
                return proposal, enc.encode(enc.unit([proposal]))[0]
        return enc.assignment(values, masks, int(order[0])), encoded[order[0]]

    def _local(self, centres: FloatArray, n: int) -> FloatArray:
        """``n`` perturbations of the unit points ``centres`` (inactive parameters drawn
        uniformly, in case a perturbed selector activates them)."""
        base = centres[self.rng.integers(len(centres), size=n)]
        fill = self.encoder.random_unit(self.rng, n)
        base = np.where(np.isnan(base), fill, base)
        low, high = np.log(LOCAL_SCALE[0]), np.log(LOCAL_SCALE[1])
        scale = np.exp(self.rng.uniform(low, high, size=(n, 1)))
        moved = base + scale * self.rng.standard_normal(base.shape)
        switch = self.rng.random(base.shape) < LOCAL_SWITCH
        categorical = np.array([isinstance(p, CategoricalParam) for p in self.encoder.params])
        out = np.where(categorical, np.where(switch, fill, base), np.clip(moved, 0.0, 1.0))
        return np.asarray(out, dtype=np.float64)

    def _refine(self, gp: Posterior, best: float, starts: FloatArray) -> FloatArray:
        """The unit points ``starts`` after L-BFGS-B on log EI over their active refinable
        coordinates (all starts at once: the sum of independent terms)."""
        enc = self.encoder
        free = ~np.isnan(starts) & enc.refinable  # (k, params)
        rows, params = np.nonzero(free)
        if len(rows) == 0:
            return starts
        columns = np.array(enc.first_column)[params]
        base = enc.encode(starts)

        def objective(v: FloatArray) -> tuple[float, FloatArray]:
            c = base.copy()
            c[rows, columns] = v
            value, grad = gp.log_ei_grad(c, best)
            return -float(value.sum()), -grad[rows, columns]

        x0 = np.clip(starts[rows, params], 0.0, 1.0)
        result = scipy.optimize.minimize(
            objective, x0, jac=True, method="L-BFGS-B",
            bounds=[(0.0, 1.0)] * len(x0), options={"maxiter": 30},
        )  # fmt: skip
        out = starts.copy()
        out[rows, params] = result.x
        return out
