"""TPE with several objectives and constraints: which finished trials are "good".

TPE needs only a split of the finished trials into good and bad; everything else (the
per-group Parzen estimators, the candidates, l/g) is unchanged.  With loss vectors the split
follows MOTPE (Ozaki et al., 2020/2022) as Optuna implements it, and with constraints
Optuna's constrained split (c-TPE-like: feasible trials first):

1. feasible completed trials, by non-domination rank: whole ranks while they fit in the
   ``n_good`` places; the rank that does not fit is cut by greedy hypervolume subset
   selection (each next trial is the one adding the most hypervolume, for a reference point
   just beyond the rank's worst losses);
2. then pruned trials, the furthest first (then the lower value at their last step);
3. then infeasible trials, the smallest total violation first.

With one objective and constraints, step 1 is a sort by loss.

With several objectives the good trials' kernels are then weighted by their hypervolume
contribution (``contribution_weights``, as in the MOTPE paper; Optuna 5 weighs them all 1):
a good trial that few others cover counts more than one in a crowded stretch of the front,
and a dominated one hardly at all.  The largest weighs 1 against the prior's weight, so the
prior's share of the good model also grows (on DTLZ2 the weights sum to about 40% of the
good set): part of what this bought on DTLZ2 is that extra exploration, see
benchmarks/RESULTS-multi-objective.md.

With three objectives or more the random start is longer (``startup_trials``): the first
model's good set has to sample a front, not a point; and each parameter is modelled alone
(``joint_kernels``), so that good values of different trials combine.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from typedspace.algorithms._pareto import (
    FloatArray,
    IntArray,
    hypervolume,
    nondominated_ranks,
    pareto_mask,
    reference_point,
    select_by_hypervolume,
)

#: The weight of a good trial that adds no hypervolume (dominated within the good set, or
#: pruned or infeasible), against 1 for the largest contribution: kept above 0 so that every
#: kernel stays a valid mixture component.
NO_CONTRIBUTION = 1e-12

#: Up to this many objectives the contributions come from one grid (``_exclusive_volumes``);
#: beyond it the grid has too many cells and each one is a leave-one-out hypervolume.
GRID_OBJECTIVES = 4


def startup_trials(n_startup: int, n_objectives: int) -> int:
    """TPE's default random start for a study with ``n_objectives`` losses: ``n_startup``
    (the one-objective default) per dimension of the Pareto front, ``n_objectives - 1``.

    The first model's good set is the best tenth of the random start.  After 10 random
    trials that is 1 or 2 trials, which says nothing about where an (m - 1)-dimensional
    front lies: with 3 objectives the joint kernels sometimes settled on the stretch of
    the front those trials happened to sit on, and every later good trial descended from
    them (DTLZ2: the second angle, which spreads the front, within a fifth of its range;
    5 runs of 20 ended 6-12% below the others, 2 of 20 with this rule: fewer, not none).
    Two objectives (a 1-D front) keep the default; see benchmarks/RESULTS-multi-objective.md.
    Since then each parameter is modelled alone with three objectives (``joint_kernels``),
    which removed those runs; the longer start stayed, as 10 and 20 random trials did as
    well there (DTLZ2, seeds 10-29: 14.59 and 14.58, paired +0.01 +- 0.04).

    >>> startup_trials(10, 1), startup_trials(10, 2), startup_trials(10, 3)
    (10, 10, 20)
    """
    return n_startup * max(1, n_objectives - 1)


def joint_kernels(n_objectives: int) -> bool:
    """Whether TPE's default (``multivariate=None``) models a group's parameters jointly in
    a study with ``n_objectives`` losses: with one or two, not with three or more.

    With three objectives (DTLZ2, 12 variables) the joint kernels sometimes kept the search
    on one stretch of the 2-D front: the first good trials happen to sit close on the angle
    that spreads the front, their kernels are narrow on it, and every later good trial
    descends from them (5 of 40 runs, seeds 0-39, ended 8-13% below the others, even with
    the longer random start of ``startup_trials``).  Modelled one at a time, a parameter's
    good values come from all good trials, so converged distance variables combine with
    any angle: no run collapsed (0 of 40) and the mean rose from 14.36 to 14.59 (Optuna's
    TPE, which models each parameter alone with several objectives by default: 14.53).
    With two objectives (a 1-D front) the joint model was far better (ZDT1-3: 0.5-0.9 more
    hypervolume, CONSTR 0.18); see benchmarks/RESULTS-multi-objective.md.

    >>> joint_kernels(1), joint_kernels(2), joint_kernels(3)
    (True, True, False)
    """
    return n_objectives < 3


def contribution_weights(losses: FloatArray) -> FloatArray:
    """Kernel weights for good trials with loss vectors ``losses`` (rows, all minimized):
    each row's exclusive hypervolume contribution to the front of the set (the volume it
    alone dominates; the copies of a point share it), for ``reference_point(losses)``, over
    the largest one.  A dominated row adds nothing and gets ``NO_CONTRIBUTION``; all are 1
    when no row adds anything (all rows equal).

    >>> losses = np.array([[0.0, 2.0], [1.0, 1.0], [2.0, 0.0], [2.0, 2.0]])
    >>> contribution_weights(losses).round(3).tolist()  # reference (2.2, 2.2)
    [0.2, 1.0, 0.2, 0.0]
    """
    n = len(losses)
    ref = reference_point(losses)
    front = np.flatnonzero(pareto_mask(losses))
    points = losses[front]
    ordered = np.lexsort(points.T[::-1])
    # Copies of a point: found by a sort (np.unique on rows costs ten times more).
    repeated = np.all(points[ordered[1:]] == points[ordered[:-1]], axis=1)
    first = np.concatenate([[True], ~repeated])
    group = np.empty(len(points), dtype=np.int64)
    group[ordered] = np.cumsum(first) - 1
    distinct = points[ordered[first]]
    if len(distinct) == 1:
        return np.ones(n)
    if losses.shape[1] <= GRID_OBJECTIVES:
        gains = _exclusive_volumes(distinct, ref)
    else:
        total = hypervolume(distinct, ref)
        gains = np.array(
            [total - hypervolume(np.delete(distinct, i, axis=0), ref) for i in range(len(distinct))]
        )
    shares = (gains / np.bincount(group))[group]
    weights = np.full(n, NO_CONTRIBUTION)
    weights[front] = np.maximum(shares / shares.max(), NO_CONTRIBUTION)
    return weights


def _exclusive_volumes(points: FloatArray, ref: FloatArray) -> FloatArray:
    """The volume each of the distinct, mutually non-dominated ``points`` alone dominates
    (all strictly below ``ref``), at once: on the grid of the points' coordinates in all
    but the last objective, a cell's column is dominated from the lowest last loss of the
    points covering it; only the point with that lowest value loses anything without it,
    down to the second lowest (or the reference).  Cells: n ** (objectives - 1)."""
    n, m = points.shape
    if n == 1:
        single: FloatArray = np.prod(ref - points, axis=1)
        return single
    column = (n,) + (1,) * (m - 1)
    covered = np.ones(column, dtype=bool)
    area = np.ones((1,) * (m - 1), dtype=np.float64)
    for k in range(m - 1):
        # Repeated coordinates make empty cells, which add nothing.
        edges: FloatArray = np.sort(points[:, k])
        shape = [1] * (m - 1)
        shape[k] = n
        covered = covered & (points[:, k].reshape(column) <= edges.reshape(shape))
        widths: FloatArray = np.diff(np.append(edges, ref[k]))
        area = area * widths.reshape(shape)
    heights: FloatArray = points[:, -1]
    last: FloatArray = np.where(covered, heights.reshape(column), ref[-1])
    lowest: IntArray = np.argmin(last, axis=0).astype(np.int64)
    # The lowest without the point that has it: the second lowest, or equal on a tie.
    index: IntArray = np.arange(n, dtype=np.int64)
    others: FloatArray = np.where(index.reshape(column) == lowest, np.inf, last).min(axis=0)
    gain: FloatArray = (others - last.min(axis=0)) * area
    volumes: FloatArray = np.bincount(lowest.ravel(), weights=gain.ravel(), minlength=n).astype(
        np.float64
    )
    return volumes


def best_by_rank(losses: FloatArray, k: int) -> IntArray:
    """The indices of ``k`` rows of ``losses`` (one per trial, all minimized) that MOTPE
    calls good: whole non-domination ranks first, the last one cut by hypervolume.

    >>> best_by_rank(np.array([[0.0, 3.0], [1.0, 1.0], [3.0, 0.0], [2.0, 2.0]]), 3).tolist()
    [0, 1, 2]
    """
    n = len(losses)
    if k >= n:
        return np.arange(n, dtype=np.int64)
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    if losses.shape[1] == 1:
        return np.argsort(losses[:, 0], kind="stable")[:k].astype(np.int64)
    ranks = nondominated_ranks(losses, limit=k)
    taken: list[int] = []
    for rank in range(int(ranks.max()) + 1):
        members = np.flatnonzero(ranks == rank)
        room = k - len(taken)
        if len(members) <= room:
            taken.extend(members.tolist())
        else:
            # Optuna's reference for the tie-break: just beyond this rank's worst losses.
            ref = reference_point(losses[members])
            chosen = select_by_hypervolume(losses[members], room, ref)
            taken.extend(members[chosen].tolist())
        if len(taken) >= k:
            break
    return np.sort(np.array(taken, dtype=np.int64))


class OutcomeRows:
    """Per finished trial (a TPE row): its loss vector, its total violation, and whether it
    completed (a pruned trial has no losses), in arrays grown by doubling."""

    def __init__(self, n_objectives: int) -> None:
        self.n_objectives = n_objectives
        self.losses = np.zeros((64, n_objectives))
        self.violation = np.zeros(64)
        self.complete = np.zeros(64, dtype=bool)
        # The last weights computed, by the good rows they are for: each parameter's group
        # asks for the same ones when they are modelled one at a time.
        self._weights: tuple[bytes, FloatArray | None] | None = None

    def set(self, row: int, losses: tuple[float, ...] | None, violation: float) -> None:
        if row >= len(self.violation):
            grow = max(row + 1, 2 * len(self.violation)) - len(self.violation)
            self.losses = np.concatenate([self.losses, np.zeros((grow, self.n_objectives))])
            self.violation = np.concatenate([self.violation, np.zeros(grow)])
            self.complete = np.concatenate([self.complete, np.zeros(grow, dtype=bool)])
        if losses is not None and len(losses) != self.n_objectives:
            raise ValueError(
                f"TPE: a trial has {len(losses)} losses, earlier ones {self.n_objectives}"
            )
        self._weights = None
        self.complete[row] = losses is not None
        if losses is not None:
            self.losses[row] = losses
        self.violation[row] = violation

    def weights(self, rows: IntArray) -> FloatArray | None:
        """Kernel weights of the good trials ``rows`` (see ``contribution_weights``), or
        None (all equal) with one objective or when none of them is feasible: feasible
        trials by contribution among themselves; pruned and infeasible ones, in the good
        set only when too few trials are feasible, add no hypervolume."""
        if self.n_objectives < 2:
            return None
        if self._weights is not None and self._weights[0] == rows.tobytes():
            return self._weights[1]
        feasible = self.complete[rows] & (self.violation[rows] <= 0)
        weights: FloatArray | None = None
        if feasible.any():
            weights = np.full(len(rows), NO_CONTRIBUTION)
            weights[feasible] = contribution_weights(self.losses[rows[feasible]])
        self._weights = (rows.tobytes(), weights)
        return weights

    def good(
        self, rows: IntArray, n_good: int, steps: FloatArray, values: FloatArray
    ) -> npt.NDArray[np.bool_]:
        """Which of ``rows`` are good (see the module's docstring); ``steps`` and ``values``
        (by row) rank pruned trials."""
        good = np.zeros(len(rows), dtype=bool)
        complete = self.complete[rows]
        violation = self.violation[rows]
        feasible = np.flatnonzero(complete & (violation <= 0))
        chosen = best_by_rank(self.losses[rows[feasible]], n_good)
        good[feasible[chosen]] = True
        room = n_good - len(chosen)
        if room > 0:
            pruned = np.flatnonzero(~complete)
            order = np.lexsort((values[rows][pruned], -steps[rows][pruned]))
            picked = pruned[order[:room]]
            good[picked] = True
            room -= len(picked)
        if room > 0:
            infeasible = np.flatnonzero(complete & (violation > 0))
            order = np.argsort(violation[infeasible], kind="stable")
            good[infeasible[order[:room]]] = True
        return good
