"""Estimated final losses of pruned trials, from the learning curves of the completed ones.

A pruned trial has no final loss, only the values it reported up to the step where it was
stopped.  Ranking every pruned trial below every completed one throws its values away: early
in a run, the completed trials are the first few, completed because there was little to
compare them with, and a pruned trial far better at the same step ranks below all of them.
Instead a pruned trial stopped at step ``s`` with best value ``v`` (the lowest it reported up
to ``s``, what pruners judge) is estimated to end at ``v + delta(s)``, where ``delta(s)`` is
the largest, over the completed trials that reported at or before ``s``, of their final loss
minus their best value up to ``s``: the least any of them still improved after ``s``.  So a
pruned trial ranks above a completed one only if it would beat it even improving as little
as the least-improving completed trial; where later improvement varies widely (after one
epoch of a neural network) that is rare, and where it does not (a multi-fidelity function
whose low fidelities are nearly unbiased) the pruned trials' values rank among the completed
trials' losses as they are.  The median change, tried first, let early-stopped trials with
noisy estimates fill the good set (an MLP's epochs: about two validation images worse at
equal steps); see ``benchmarks/RESULTS-pruning.md``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
Curve = Sequence[tuple[int | float, float]]


def running_best(curve: Curve) -> tuple[FloatArray, FloatArray]:
    """The curve's steps in increasing order and the lowest value reported up to each.

    >>> running_best([(1, 0.5), (3, 0.7), (2, 0.4)])
    (array([1., 2., 3.]), array([0.5, 0.4, 0.4]))
    """
    pairs = sorted(curve, key=lambda pair: pair[0])
    steps = np.array([float(s) for s, _ in pairs])
    values = np.minimum.accumulate(np.array([float(v) for _, v in pairs]))
    return steps, values


class CurveEstimates:
    """The estimated final losses of pruned trials (see the module), kept per row (the order
    in which the proposer was told its trials)."""

    def __init__(self) -> None:
        self._noted: dict[int, tuple[FloatArray, FloatArray]] = {}
        self._completed: list[tuple[FloatArray, FloatArray, float]] = []
        # Per step where a trial was pruned: the largest "final loss - best value up to the
        # step" over the completed trials that reported by then (-inf while there is none).
        self._least: dict[float, float] = {}
        # Per row: the step where a pruned trial stopped and its best value there (NaN for
        # the other rows).
        self._step = np.full(64, np.nan)
        self._best = np.full(64, np.nan)

    def note(self, number: int, curve: Curve) -> None:
        """The values trial ``number`` reported, before it is told as completed or pruned."""
        if curve:
            self._noted[number] = running_best(curve)

    def forget(self, number: int) -> None:
        """Trial ``number`` failed: its curve says nothing."""
        self._noted.pop(number, None)

    def completed(self, number: int, loss: float) -> None:
        """Trial ``number`` completed with ``loss``."""
        noted = self._noted.pop(number, None)
        if noted is None or not np.isfinite(loss):
            return
        self._completed.append((*noted, loss))
        for step, least in self._least.items():
            self._least[step] = max(least, _change(*noted, loss, step))

    def pruned(self, number: int, row: int) -> None:
        """Trial ``number``, told at ``row``, was pruned."""
        noted = self._noted.pop(number, None)
        if noted is None:
            return
        steps, best = noted
        if row >= len(self._step):
            grow = np.full(max(row + 1, 2 * len(self._step)) - len(self._step), np.nan)
            self._step = np.concatenate([self._step, grow])
            self._best = np.concatenate([self._best, grow])
        step = float(steps[-1])
        self._step[row], self._best[row] = step, best[-1]
        if step not in self._least:
            changes = (_change(s, b, loss, step) for s, b, loss in self._completed)
            self._least[step] = max(changes, default=-np.inf)

    def estimates(self, rows: IntArray, losses: FloatArray) -> FloatArray:
        """``losses`` (of ``rows``) with each pruned trial's ``inf`` replaced by its estimated
        final loss, where its curve and a completed trial's curve up to its step are known."""
        if not self._least:  # no pruned trial with a curve: nothing to estimate
            return losses
        estimated = losses.copy()
        inside = rows < len(self._step)
        stopped = np.full(len(rows), np.nan)
        stopped[inside] = self._step[rows[inside]]
        for step in np.unique(stopped[np.isfinite(stopped)]):
            least = self._least[float(step)]
            if least > -np.inf:
                at = stopped == step
                estimated[at] = self._best[rows[at]] + least
        return estimated


def _change(steps: FloatArray, best: FloatArray, loss: float, step: float) -> float:
    """How much a completed trial's loss moved after ``step``: its final ``loss`` minus its
    best value up to ``step`` (-inf if it had not reported by then)."""
    index = int(np.searchsorted(steps, step, side="right")) - 1
    return loss - float(best[index]) if index >= 0 else -np.inf
