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
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from typedspace.algorithms._pareto import (
    FloatArray,
    IntArray,
    nondominated_ranks,
    reference_point,
    select_by_hypervolume,
)


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
        self.complete[row] = losses is not None
        if losses is not None:
            self.losses[row] = losses
        self.violation[row] = violation

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
