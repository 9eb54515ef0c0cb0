"""Asynchronous successive halving (ASHA) and Hyperband: keep the best fraction of the trials
at each rung of a geometric ladder of steps.

Rungs are at ``min_steps * reduction_factor ** k``.  When a trial's report takes it to a rung,
it goes on only if it is among the best ``1 / reduction_factor`` of the trials that reached
that rung so far (running ones included); otherwise it stops there.  Decisions are taken as
trials report, so parallel workers never wait for a rung to fill (Li et al., "A System for
Massively Parallel Hyperparameter Tuning", 2020).

A window (``window=``): asynchronous successive halving keeps a trial going when it is among
the best ``1 / reduction_factor`` of *every* trial that reached the rung so far.  With a
model-based sampler (TPE) the trials get better as the run goes on, so a new trial beats
most of the old ones and goes on: the rule stops pruning (on the multi-fidelity Hartmann-6
problem of ``benchmarks/RESULTS-pruning.md``, over half of the trials ran to the end instead of
1 in 27).  Against its latest ``window`` rivals only, a trial is ranked among the sampler's
current proposals, and a third of them go on at each rung again.  ``window =
reduction_factor - 1`` makes each decision a tournament of ``reduction_factor`` consecutive
trials.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
from collections.abc import Sequence

import attrs

from typedspace.pruners._base import Curve, Status

_POSITIVE = attrs.validators.gt(0)
_WINDOW = attrs.validators.optional([attrs.validators.instance_of(int), attrs.validators.ge(1)])


def _rungs_crossed(curve: Curve, first_rung: float, factor: int) -> list[float]:
    """The rungs (steps) that the curve's last report reached and its earlier ones did not."""
    if not curve.steps:
        return []
    last = curve.steps[-1]
    before = max(curve.steps[:-1], default=-math.inf)
    crossed = []
    rung = first_rung
    while rung <= last:
        if rung > before:
            crossed.append(rung)
        rung *= factor
    return crossed


def _promoted(
    trial: Curve, others: Sequence[Curve], rung: float, factor: int, window: int | None = None
) -> bool:
    """Whether ``trial`` is among the best ``1 / factor`` of the trials that reached ``rung``
    (at least the best one), judged on each one's best value up to the rung; with a
    ``window``, of itself and the ``window`` latest-started others that reached it."""
    mine = trial.best_until(rung)
    if mine is None:
        return True
    reached = [
        (other.number, best)
        for other in others
        if other.number != trial.number and other.status is not Status.FAILED
        if other.last_step is not None and other.last_step >= rung
        if (best := other.best_until(rung)) is not None
    ]
    if window is not None:
        reached = sorted(reached, reverse=True)[:window]
    rivals = [best for _, best in reached]
    keep = max(1, (len(rivals) + 1) // factor)
    better = sum(value < mine for value in rivals)
    return better < keep


@attrs.frozen
class SuccessiveHalving:
    """Asynchronous successive halving (ASHA), see the module.

    * ``min_steps`` (1): the first rung: no trial is stopped before it.  Set it to the step at
      which curves start to say something (a few epochs, one fold).
    * ``reduction_factor`` (3): the fraction ``1 / reduction_factor`` of the trials goes on
      at each rung.  3 is the value of the ASHA and Hyperband papers (and Optuna's default):
      a trial reaching step ``min_steps * 3 ** k`` is among the best third there.
    * ``max_steps`` (None): the last step of a complete trial, if known.  No trial is stopped
      at or after it: its steps are spent already (without it, a rung that falls on the last
      epoch, 27 = 3 ** 3, stopped 6-22 % of the steps in benchmarks/RESULTS-pruning.md).
    * ``window`` (None): compare a trial at a rung with only the ``window`` latest-started
      trials that reached it, instead of all of them (see the module).

    >>> from typedspace.pruners import Curve, Status
    >>> rule = SuccessiveHalving(min_steps=1, reduction_factor=2)
    >>> done = [Curve(0, Status.COMPLETE, (1, 2), (0.5, 0.4), 0.4)]
    >>> rule.prune(Curve(1, Status.RUNNING, (1,), (0.9,)), done)  # worse of 2 at rung 1
    True
    >>> rule.prune(Curve(1, Status.RUNNING, (1,), (0.1,)), done)
    False
    """

    min_steps: int | float = attrs.field(default=1, validator=_POSITIVE)
    reduction_factor: int = attrs.field(
        default=3, validator=[attrs.validators.instance_of(int), attrs.validators.ge(2)]
    )
    max_steps: int | float | None = attrs.field(
        default=None, validator=attrs.validators.optional(_POSITIVE)
    )
    window: int | None = attrs.field(default=None, validator=_WINDOW)

    def prune(self, trial: Curve, others: Sequence[Curve], /) -> bool:
        last = math.inf if self.max_steps is None else self.max_steps
        return any(
            not _promoted(trial, others, rung, self.reduction_factor, self.window)
            for rung in _rungs_crossed(trial, self.min_steps, self.reduction_factor)
            if rung < last
        )


@attrs.frozen
class Hyperband:
    """Brackets of successive halving that start pruning at different rungs, so that a
    wrong guess of how early curves become meaningful costs less (Li et al., JMLR 2018).

    Bracket ``b`` (0 to ``n - 1``, with ``n = floor(log(max_steps / min_steps, factor)) + 1``)
    prunes first at ``min_steps * factor ** b``: bracket 0 is the most aggressive, the last
    one never prunes before ``max_steps``.  Each trial belongs to one bracket, drawn from its
    number (the same in every process) with Hyperband's weights, which give each bracket
    about the same total steps; it competes only with the trials of its bracket.

    * ``max_steps``: the last step of a complete trial (the number of epochs).
    * ``min_steps`` (1), ``reduction_factor`` (3), ``window`` (None): as for
      ``SuccessiveHalving``; the window is within the trial's bracket.

    >>> Hyperband(max_steps=27).brackets
    4
    """

    max_steps: int | float = attrs.field(validator=_POSITIVE)
    min_steps: int | float = attrs.field(default=1, validator=_POSITIVE)
    reduction_factor: int = attrs.field(
        default=3, validator=[attrs.validators.instance_of(int), attrs.validators.ge(2)]
    )
    window: int | None = attrs.field(default=None, validator=_WINDOW)

    def __attrs_post_init__(self) -> None:
        if self.max_steps < self.min_steps:
            raise ValueError(
                f"Hyperband: max_steps ({self.max_steps!r}) must be at least min_steps "
                f"({self.min_steps!r})"
            )

    @property
    def brackets(self) -> int:
        ratio = self.max_steps / self.min_steps
        # A small tolerance: 27 / 1 is exactly 3 ** 3, which log() may put just below 3.
        return math.floor(math.log(ratio, self.reduction_factor) + 1e-9) + 1

    def bracket_of(self, number: int) -> int:
        """The bracket of trial ``number``: a fixed pseudo-random draw, weighted so that each
        bracket gets about the same steps (more trials in the aggressive brackets)."""
        return _bracket(number, _bracket_ends(self.brackets, self.reduction_factor))

    def prune(self, trial: Curve, others: Sequence[Curve], /) -> bool:
        ends = _bracket_ends(self.brackets, self.reduction_factor)
        bracket = _bracket(trial.number, ends)
        first_rung = self.min_steps * self.reduction_factor**bracket
        rungs = [
            rung
            for rung in _rungs_crossed(trial, first_rung, self.reduction_factor)
            if rung < self.max_steps
        ]
        if not rungs:  # most reports: nothing to decide, so no need to find the rivals
            return False
        rivals = [other for other in others if _bracket(other.number, ends) == bracket]
        return any(
            not _promoted(trial, rivals, rung, self.reduction_factor, self.window) for rung in rungs
        )


@functools.cache
def _bracket_ends(brackets: int, factor: int) -> tuple[int, ...]:
    """The running totals of Hyperband's bracket weights (asked at every report, for every
    trial of the study: computed once)."""
    n = brackets
    return tuple(
        itertools.accumulate(math.ceil(n / (n - b) * factor ** (n - 1 - b)) for b in range(n))
    )


def _bracket(number: int, ends: tuple[int, ...]) -> int:
    # Knuth's multiplicative hash spreads consecutive numbers over the brackets.
    point = (number * 2654435761) % 2**32 / 2**32 * ends[-1]
    return min(bisect.bisect_right(ends, point), len(ends) - 1)
