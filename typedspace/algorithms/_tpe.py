"""The Tree-structured Parzen Estimator, on the flattened parameter table.

For each group of parameters that are active together (the table knows the groups from the
space's structure, so nothing has to be inferred), TPE models the trials split into good
("below") and the rest ("above") with two Parzen estimators l and g and proposes, out of
candidates drawn from l, the one with the largest l(x) / g(x).  A proposal is built top-down:
a group is only modelled and proposed when the values already chosen for its selectors make it
active, so conditional parameters appear only where they belong and cost nothing otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import attrs
import numpy as np
import numpy.typing as npt

from typedspace.algorithms._curves import CurveEstimates
from typedspace.algorithms._distinct import REDRAWS, Key, distinct_prior, key
from typedspace.algorithms._motpe import OutcomeRows, joint_kernels, startup_trials
from typedspace.algorithms._parzen import (
    Axes,
    AxisOrder,
    FloatArray,
    IntArray,
    Mixture,
    one_blas_thread,
)
from typedspace.algorithms._subset import SubsetMixture, SubsetModel
from typedspace.backends._table import (
    Assignment,
    CategoricalParam,
    Condition,
    NumericParam,
    Param,
    ParamTable,
    holds,
)


@attrs.frozen
class TPE:
    """Tree-structured Parzen Estimator settings.

    The defaults follow Watanabe's ablation (arXiv:2304.11127: linear split, Hyperopt-style
    bandwidths with a floor, joint model) and were then checked on benchmarks/problems.py
    (Branin, Hartmann-6, Styblinski-Tang 10-D, Rosenbrock 5-D, a mixed conditional space, an
    SVC; 40 to 160 seeds x 100 evaluations each, against the alternatives named below) with
    ``benchmarks/ablate_tpe.py``, on tuning seeds the published benchmark does not use.

    * ``n_startup`` (None: 10, or 20 if the space has conditional parameters): finished
      trials drawn from the prior before the model is used.  10 is Optuna's value; 20 is
      Hyperopt's.  Branches split the random start among them, so each conditional group
      sees only a fraction of it: on the mixed conditional problem 20 gave a mean best loss
      of 0.030 against 0.049 with 10 (0.030 against 0.036 with the split per group; on the
      SVC problem, no difference), while on the unconditional ones 10 was better
      (Styblinski-Tang 78 vs 93, Rosenbrock 139 vs 170).  With ``m`` objectives the default
      is multiplied by ``m - 1`` (the dimension of the Pareto front; see
      ``typedspace.algorithms._motpe.startup_trials``).
    * ``gamma`` (0.10), ``max_below`` (25): the ``min(ceil(gamma * n), max_below)`` best of
      ``n`` finished trials are "good".  A linear split as the ablation recommends, rather
      than Hyperopt's ``ceil(0.25 * sqrt(n))`` (3 good trials out of 100); 0.10 was better
      than 0.15 on most of the problems.  The cap keeps the good model sharp in long runs (as Optuna).
    * ``n_candidates`` (24): candidates drawn from l per proposal (Hyperopt's and Optuna's
      ``n_ei_candidates``; 48 was not better); the best l/g ratio wins.
    * ``multivariate`` (None: True, but False with three objectives or more): model each
      group's parameters jointly (one kernel per observation over all its axes, so
      interactions are captured, as Optuna's multivariate TPE), or each parameter alone
      (Hyperopt's behaviour).  Groups are always independent: which groups are active
      depends on the selectors, not on the others' values.  With three objectives or more
      the joint kernels sometimes kept the search on one stretch of the front
      (``typedspace.algorithms._motpe.joint_kernels``); as with Optuna's default, those
      studies model each parameter alone.
    * ``prior_weight`` (1.0): the weight of the prior kernel against 1 per observation.  All
      observations weigh the same (Optuna's down-weighting of old trials was not better),
      except the good ones with several objectives (below).
    * ``min_bandwidth``, ``bandwidth_exponent`` (None: 0.03 and 2.0 when multivariate, 0.01
      and 1.0 otherwise): a kernel is as wide as the larger gap to its neighbours on each
      axis, but at least ``max(min_bandwidth, (n + 2) ** -bandwidth_exponent)`` times the
      prior's width, ``n`` being the number of observations in its model.  Jointly modelled,
      the ablation's fast clip with a 0.03 floor searches tightly around good points; there
      Hyperopt's and Optuna's "magic clip" (exponent 1, floor 0.01, so 1/12 of the range with
      10 good trials) was worse on all five problems, and a 0.05 floor on Branin and
      Styblinski-Tang.  Each
      parameter alone, the tight kernels let every axis chase its own best value and the
      magic clip is far better (Hartmann-6: 0.39 against 0.99; Rosenbrock: 346 against 1,774).
    * ``split_per_group`` (True): a conditional group's good trials are the ``gamma`` best of
      the trials in which *it* was active.  With Hyperopt's and Optuna's global split, a
      branch that has not yet produced one of the best trials overall has no good model: when
      chosen, its parameters are drawn from the prior and pushed away from its past trials, so
      it cannot catch up with a branch that did well early.  With the split per group a chosen
      branch is searched around its own best trials (mixed conditional problem: 0.032 -> 0.022
      over 80 seeds; SVC: 0.0201 -> 0.0197 over 40; benchmarks/ABLATION.md).  An unconditional space has one group,
      always active, where both splits agree.
    * ``constant_liar`` (True): running trials (``pending``, and earlier proposals of the same
      batch) count as bad, so parallel workers spread out instead of proposing one point.

    With several objectives or constraints (``optimize(objectives=..., constraints=...)``)
    the split into good and bad trials changes: feasible trials first, by non-domination
    rank, the last rank cut by hypervolume contribution (MOTPE, as Optuna), then pruned
    trials, then infeasible ones by total violation.  With several objectives the good
    kernels are also weighted by each trial's exclusive hypervolume contribution, the
    largest weighing 1 against the prior's ``prior_weight`` (as the MOTPE paper; see
    ``typedspace.algorithms._motpe``).

    Integer and quantized parameters are modelled on their continuous axis and candidates are
    rounded to the grid *before* scoring, so the ratio is evaluated at the value that will be
    proposed.  Failed trials (loss ``None`` or NaN) are left out of the model, as in Hyperopt
    and Optuna: a failure says nothing about how good the point's neighbours are.

    >>> from typedspace import Uniform, flatten
    >>> import numpy as np
    >>> table = flatten(Uniform(0.0, 1.0)).table
    >>> proposer = TPE(n_startup=5).start(table, np.random.default_rng(0))
    >>> for number in range(20):
    ...     (point,) = proposer.propose(1, pending=[])
    ...     proposer.tell(number, point, (point[table.names[0]] - 0.3) ** 2)
    >>> len(proposer.propose(4, pending=[]))
    4
    """

    n_startup: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.ge(1))
    )
    gamma: float = attrs.field(
        default=0.10, validator=[attrs.validators.gt(0), attrs.validators.le(1)]
    )
    max_below: int = attrs.field(default=25, validator=attrs.validators.ge(1))
    n_candidates: int = attrs.field(default=24, validator=attrs.validators.ge(1))
    multivariate: bool | None = None
    prior_weight: float = attrs.field(default=1.0, validator=attrs.validators.gt(0))
    # Floored at 1e-6 so that kernel normalizers stay representable (see Mixture).
    min_bandwidth: float | None = attrs.field(
        default=None,
        validator=[
            attrs.validators.optional(attrs.validators.ge(1e-6)),
            attrs.validators.optional(attrs.validators.le(1.0)),
        ],
    )
    bandwidth_exponent: float | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.gt(0))
    )
    constant_liar: bool = True
    split_per_group: bool = True

    def start(self, table: ParamTable, rng: np.random.Generator) -> TPEProposer:
        return TPEProposer(self, table, rng)


#: From this many bad trials on, a group's bad model is kept up to date between proposals
#: (``SubsetMixture``) instead of refitted: a few rows' kernels change per proposal, not all
#: of them (at 10,000 trials, 2 ms per proposal instead of 15).  Below, a refit costs less
#: than the bookkeeping.  The kept model is the refit one to rounding (1e-12 on its
#: log-density), so proposals differ only where two candidates' scores tie to rounding.
KEEP_BAD_MODEL_FROM = 500


def _axes(params: Sequence[Param]) -> Axes:
    numeric = [p for p in params if isinstance(p, NumericParam)]
    return Axes.of(
        low=[p.z_low for p in numeric],
        high=[p.z_high for p in numeric],
        prior_mu=[p.mu if p.prior == "normal" else (p.z_low + p.z_high) / 2 for p in numeric],
        prior_sigma=[p.sigma if p.prior == "normal" else p.z_high - p.z_low for p in numeric],
        categorical=[p.weights for p in params if isinstance(p, CategoricalParam)],
    )


class _Group:
    """Parameters active together, and their values in the trials where they were active:
    internal coordinates ``z`` (rows, numeric), options ``cats`` (rows, categorical) and the
    row's position among finished trials, in arrays grown by doubling."""

    def __init__(self, condition: Condition, params: Sequence[Param]) -> None:
        self.condition = condition
        self.numeric = [p for p in params if isinstance(p, NumericParam)]
        self.categorical = [p for p in params if isinstance(p, CategoricalParam)]
        self.axes = _axes(params)
        self.z = np.empty((16, len(self.numeric)))
        self.cats = np.empty((16, len(self.categorical)), dtype=np.int64)
        self.trial: IntArray = np.empty(16, dtype=np.int64)
        self.size = 0
        self.order = AxisOrder(len(self.numeric))
        self.bad: SubsetMixture | None = None  # the kept bad model, once there is one

    def is_active(self, assignment: Assignment) -> bool:
        return holds(self.condition, assignment)

    def encode(self, assignment: Assignment) -> tuple[FloatArray, IntArray]:
        """The group's row of an assignment in which it is active."""
        z = np.array([float(p.to_internal(assignment[p.name])) for p in self.numeric])
        cats = np.array([int(assignment[p.name]) for p in self.categorical], dtype=np.int64)
        return z, cats

    def append(self, z: FloatArray, cats: IntArray, trial: int) -> None:
        if self.size == len(self.trial):
            grow = len(self.trial)
            self.z = np.concatenate([self.z, np.empty_like(self.z[:grow])])
            self.cats = np.concatenate([self.cats, np.empty_like(self.cats[:grow])])
            self.trial = np.concatenate([self.trial, np.empty_like(self.trial)])
        self.z[self.size], self.cats[self.size], self.trial[self.size] = z, cats, trial
        self.order.insert(z)
        self.size += 1

    def take(self, other: _Group) -> None:
        """Append the rows of ``other`` if it holds this group's parameters (a group of one
        parameter taking its column out of the joint group of its condition)."""
        numeric = [p.name for p in other.numeric]
        categorical = [p.name for p in other.categorical]
        mine = [p.name for p in self.numeric], [p.name for p in self.categorical]
        if not set(mine[0]) <= set(numeric) or not set(mine[1]) <= set(categorical):
            return
        z = other.z[: other.size][:, [numeric.index(name) for name in mine[0]]]
        cats = other.cats[: other.size][:, [categorical.index(name) for name in mine[1]]]
        trials: list[int] = other.trial[: other.size].tolist()
        for row, trial in enumerate(trials):
            self.append(z[row], cats[row], trial)

    def snap(self, z: FloatArray) -> FloatArray:
        """Candidates moved to the internal coordinates of the values they stand for: a
        quantized or integer parameter's value is a grid point, so that is where l/g counts."""
        out = z.copy()
        for k, p in enumerate(self.numeric):
            if p.q is not None or p.is_int:
                out[:, k] = p.to_internal(p.to_value(z[:, k]))
        return out

    def decode(self, z: FloatArray, cats: IntArray, into: dict[str, float | int]) -> None:
        """Write one point's values (Python numbers) into the assignment ``into``."""
        for k, p in enumerate(self.numeric):
            into[p.name] = p.to_value(z[k : k + 1]).tolist()[0]
        for k, c in enumerate(self.categorical):
            into[c.name] = int(cats[k])


class TPEProposer:
    """The state of TPE for one study (see ``TPE``): the losses of the finished trials and,
    per group, the values of the trials in which the group was active."""

    def __init__(self, settings: TPE, table: ParamTable, rng: np.random.Generator) -> None:
        self.settings = settings
        self.table = table
        self.rng = rng
        joint = settings.multivariate is not False
        if joint:
            self.groups = [_Group(c, ps) for c, ps in table.groups().items()]
        else:
            self.groups = [_Group(p.condition, [p]) for p in table.params]
        # Groups come in table order, which puts selectors before what they condition: a
        # group's selectors are always decided before the group itself is considered.
        self._bandwidths(joint)
        conditional = any(p.condition for p in table.params)
        self.n_startup = settings.n_startup or (20 if conditional else 10)
        # Per finished trial: its loss (inf for a pruned trial), and for a pruned trial the
        # step where it stopped and its value there (to rank pruned trials among themselves).
        self.losses = np.empty(64)
        self.steps = np.empty(64)
        self.values = np.empty(64)
        self.n_finished = 0
        self._told: set[int] = set()
        #: Loss vectors and violations, once the study has several objectives or constraints.
        self.outcomes: OutcomeRows | None = None
        #: Pruned trials' estimated final losses, from the curves the trials reported.
        self.curves = CurveEstimates()

    def _bandwidths(self, joint: bool) -> None:
        self.min_bandwidth = self.settings.min_bandwidth or (0.03 if joint else 0.01)
        self.bandwidth_exponent = self.settings.bandwidth_exponent or (2.0 if joint else 1.0)

    def _model_alone(self) -> None:
        """From now on model each parameter alone (one group per parameter, with the
        bandwidth floor that goes with it), keeping the rows the groups were told so far."""
        alone = [_Group(p.condition, [p]) for p in self.table.params]
        for group in self.groups:
            for new in alone:
                new.take(group)
        self.groups = alone
        self._bandwidths(joint=False)

    def tell_curve(self, number: int, curve: Sequence[tuple[int | float, float]]) -> None:
        """The values trial ``number`` reported, told before it is told complete or pruned:
        they estimate where a pruned trial would have ended (``typedspace.algorithms._curves``)."""
        if number not in self._told:
            self.curves.note(number, curve)

    def tell_outcome(
        self,
        number: int,
        assignment: Assignment,
        losses: tuple[float, ...] | None,
        violation: float,
    ) -> None:
        """A trial of a study with several objectives or constraints (see
        ``typedspace.algorithms._motpe`` for how such trials are split); failed trials
        (``losses`` None) are left out, as in ``tell``."""
        if losses is None or number in self._told:
            return
        if self.outcomes is None:
            self.outcomes = OutcomeRows(len(losses))
            if self.settings.multivariate is None and not joint_kernels(len(losses)):
                self._model_alone()
            if self.settings.n_startup is None:
                self.n_startup = startup_trials(self.n_startup, len(losses))
        self.outcomes.set(self.n_finished, losses, violation)
        self._add(number, assignment, 0.0, math.nan, math.nan)

    def tell(self, number: int, assignment: Assignment, loss: float | None) -> None:
        # Failed trials carry no loss to rank; like Hyperopt and Optuna, TPE leaves them out.
        if loss is None or math.isnan(loss):
            self.curves.forget(number)
            return
        if self._add(number, assignment, loss, math.nan, math.nan) is not None:
            self.curves.completed(number, loss)

    def tell_pruned(
        self, number: int, assignment: Assignment, step: int | float, value: float
    ) -> None:
        """A pruned trial is evidence.  When its curve was told (``tell_curve``) and a completed
        trial reported at or before its step, it ranks by its estimated final loss among the
        completed trials' losses (``typedspace.algorithms._curves``).  Otherwise it ranks
        below every completed trial, and among such pruned trials the one that went further
        ranks higher, then the one with the lower value there (as Optuna's TPE ranks them)."""
        row = self._add(number, assignment, math.inf, float(step), value)
        if row is not None:
            self.curves.pruned(number, row)

    def _add(
        self, number: int, assignment: Assignment, loss: float, step: float, value: float
    ) -> int | None:
        """Record a finished trial; its row, or None if it was told before."""
        if number in self._told:
            return None
        self._told.add(number)
        if self.n_finished == len(self.losses):
            grow = len(self.losses)
            self.losses = np.concatenate([self.losses, np.empty(grow)])
            self.steps = np.concatenate([self.steps, np.empty(grow)])
            self.values = np.concatenate([self.values, np.empty(grow)])
        row = self.n_finished
        self.losses[row], self.steps[row], self.values[row] = loss, step, value
        if self.outcomes is not None and math.isinf(loss):  # pruned: no loss vector
            self.outcomes.set(row, None, 0.0)
        for group in self.groups:
            if group.is_active(assignment):
                group.append(*group.encode(assignment), self.n_finished)
        self.n_finished += 1
        return row

    def propose(self, n: int, pending: Sequence[Assignment]) -> list[dict[str, float | int]]:
        if self.n_finished < self.n_startup:
            return distinct_prior(self.table, self.rng, n, pending)
        with one_blas_thread():
            return self._propose(n, pending)

    def _propose(self, n: int, pending: Sequence[Assignment]) -> list[dict[str, float | int]]:
        below = self._best(np.arange(self.n_finished))
        # The constant liar: running trials join the bad observations of their groups.
        lies: list[list[tuple[FloatArray, IntArray]]] = [[] for _ in self.groups]
        if self.settings.constant_liar:
            for assignment in pending:
                self._lie(lies, assignment)
        taken = {key(assignment) for assignment in pending}
        proposals: list[dict[str, float | int]] = []
        for k in range(n):
            proposal = self._propose_one(below, lies, taken)
            taken.add(key(proposal))
            proposals.append(proposal)
            if self.settings.constant_liar and k < n - 1:
                self._lie(lies, proposal)
        return proposals

    def _propose_one(
        self,
        below: npt.NDArray[np.bool_],
        lies: list[list[tuple[FloatArray, IntArray]]],
        taken: set[Key],
    ) -> dict[str, float | int]:
        """The best point of the model that is not ``taken`` (running, or earlier in the
        batch).  On integer, quantized and categorical axes the best candidate often snaps to
        a point already taken, which the liar's one more bad kernel barely penalizes; then
        the next candidates are tried, the last decided group first, then points of the
        prior.  A duplicate is proposed only when all of those are taken too."""
        ranked: dict[int, tuple[FloatArray, IntArray]] = {}
        proposal = self._build(0, {}, below, lies, ranked)
        if key(proposal) not in taken:
            return proposal
        for index in sorted(ranked, reverse=True):
            zs, options = ranked[index]
            prefix = self._prefix(proposal, index)
            for alternative in range(1, len(zs)):
                attempt = dict(prefix)
                self.groups[index].decode(zs[alternative], options[alternative], attempt)
                attempt = self._build(index + 1, attempt, below, lies, {})
                if key(attempt) not in taken:
                    return attempt
        for assignment in self.table.sample_assignments(self.rng, REDRAWS):
            if key(assignment) not in taken:
                return assignment
        return proposal

    def _build(
        self,
        start: int,
        proposal: dict[str, float | int],
        below: npt.NDArray[np.bool_],
        lies: list[list[tuple[FloatArray, IntArray]]],
        ranked: dict[int, tuple[FloatArray, IntArray]],
    ) -> dict[str, float | int]:
        """Complete ``proposal`` from group ``start`` on with each active group's best
        candidate; ``ranked`` receives each decided group's candidates, best first."""
        for index in range(start, len(self.groups)):
            group = self.groups[index]
            if group.is_active(proposal):
                zs, options = self._ranked(group, below, lies[index])
                ranked[index] = (zs, options)
                group.decode(zs[0], options[0], proposal)
        return proposal

    def _prefix(self, proposal: Assignment, index: int) -> dict[str, float | int]:
        """The values ``proposal`` took in the groups before ``index``."""
        groups = self.groups[:index]
        names = {p.name for group in groups for p in group.numeric}
        names |= {p.name for group in groups for p in group.categorical}
        return {name: value for name, value in proposal.items() if name in names}

    def _best(self, rows: IntArray) -> npt.NDArray[np.bool_]:
        """Which of the finished trials ``rows`` are "good": the
        ``min(ceil(gamma * n), max_below)`` best (see ``tell_pruned`` for pruned trials)."""
        losses = self.losses[rows]
        n_good = min(math.ceil(self.settings.gamma * len(losses)), self.settings.max_below)
        if n_good >= len(losses):
            return np.ones(len(losses), dtype=bool)
        if self.outcomes is not None:
            return self.outcomes.good(rows, n_good, self.steps, self.values)
        # Completed trials by loss, pruned ones by their estimated final loss where known.
        losses = self.curves.estimates(rows, losses)
        known = np.isfinite(losses)
        n_known = int(np.count_nonzero(known))
        if n_known < n_good:  # all those, then the pruned ones that went furthest
            unknown = np.flatnonzero(~known)
            order = np.lexsort((self.values[rows][unknown], -self.steps[rows][unknown]))
            known[unknown[order[: n_good - n_known]]] = True
            return known
        # The first n_good of a stable sort, in linear time (a sort cost 1 ms at 10,000
        # trials): those below the n_good-th smallest loss, then the earliest equal to it.
        threshold = np.partition(losses, n_good - 1)[n_good - 1]
        good: npt.NDArray[np.bool_] = losses < threshold
        ties = np.flatnonzero(losses == threshold)
        good[ties[: n_good - int(np.count_nonzero(good))]] = True
        return good

    def _lie(self, lies: list[list[tuple[FloatArray, IntArray]]], assignment: Assignment) -> None:
        for group, group_lies in zip(self.groups, lies, strict=True):
            if group.is_active(assignment):
                group_lies.append(group.encode(assignment))

    def _choose(
        self,
        group: _Group,
        below: npt.NDArray[np.bool_],
        lies: list[tuple[FloatArray, IntArray]],
    ) -> tuple[FloatArray, IntArray]:
        """The best of ``n_candidates`` points drawn from the group's good model."""
        zs, options = self._ranked(group, below, lies)
        return zs[0], options[0]

    def _ranked(
        self,
        group: _Group,
        below: npt.NDArray[np.bool_],
        lies: list[tuple[FloatArray, IntArray]],
    ) -> tuple[FloatArray, IntArray]:
        """``n_candidates`` points drawn from the group's good model, best l/g first (ties in
        the order drawn)."""
        rows: IntArray = group.trial[: group.size]
        # A group active in every trial has the global split; only the others need their own.
        if self.settings.split_per_group and group.size < self.n_finished:
            good = self._best(rows)
        else:
            good = below[rows]
        z, cats = group.z[: group.size], group.cats[: group.size]
        weights = None if self.outcomes is None else self.outcomes.weights(rows[good])
        l_model = self._fit(group, z[good], cats[good], weights=weights)
        g_model = self._bad_model(group, good, lies)
        candidates, options = l_model.sample(self.rng, self.settings.n_candidates)
        candidates = group.snap(candidates)
        score = l_model.log_pdf(candidates, options) - g_model.log_pdf(candidates, options)
        order = np.argsort(-score, kind="stable")
        return candidates[order], options[order]

    def _bad_model(
        self,
        group: _Group,
        good: npt.NDArray[np.bool_],
        lies: list[tuple[FloatArray, IntArray]],
    ) -> Mixture | SubsetModel:
        """The estimator g of the group's bad trials and ``lies``."""
        z, cats = group.z[: group.size], group.cats[: group.size]
        n_bad = group.size - int(np.count_nonzero(good))
        # The kept model's floor on bandwidths is fixed at min_bandwidth: it is exact once
        # the floor max(min_bandwidth, (n + 2) ** -exponent) has come down to that (with the
        # defaults, from 4 bad trials jointly, 98 alone); lies only add observations.
        if (
            n_bad >= KEEP_BAD_MODEL_FROM
            and (n_bad + 2.0) ** -self.bandwidth_exponent <= self.min_bandwidth
        ):
            if group.bad is None:
                group.bad = SubsetMixture(group.axes, group.order, self.min_bandwidth)
            group.bad.sync(z, cats, ~good)
            lie_z = np.array([lie[0] for lie in lies]).reshape(len(lies), len(group.numeric))
            lie_cats = np.array([lie[1] for lie in lies], dtype=np.int64).reshape(
                len(lies), len(group.categorical)
            )
            return group.bad.model(lie_z, lie_cats, prior_weight=self.settings.prior_weight)
        bad_z, bad_cats = z[~good], cats[~good]
        # The bad model is the big one: its rows come presorted, unless lies join them.
        presorted = None if lies else group.order.subset(~good)
        if lies:
            bad_z = np.concatenate([bad_z, np.array([lie[0] for lie in lies])])
            bad_cats = np.concatenate([bad_cats, np.array([lie[1] for lie in lies])])
        return self._fit(group, bad_z, bad_cats, presorted)

    def _fit(
        self,
        group: _Group,
        z: FloatArray,
        cats: IntArray,
        presorted: tuple[FloatArray, IntArray] | None = None,
        weights: FloatArray | None = None,
    ) -> Mixture:
        min_fraction = max(self.min_bandwidth, (len(z) + 2.0) ** -self.bandwidth_exponent)
        return Mixture.fit(
            group.axes,
            z,
            cats,
            prior_weight=self.settings.prior_weight,
            min_fraction=min_fraction,
            presorted=presorted,
            weights=weights,
        )
