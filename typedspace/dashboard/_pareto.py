"""The Pareto front of a stored study with several objectives, as the dashboard sends it.

Only stored data is read: the objectives' names and directions come from the study's
data-only attributes (``objective_names`` / ``objective_directions``), the values from the
trial records.  The front is the trials that completed (OK), are feasible and that no other
such trial dominates (maximized objectives change sign): an infeasible trial is never on it,
as in ``Result.pareto`` and ``typedspace show`` (the tests check it against
``typedspace.algorithms``' ``pareto_mask``).  It is kept between polls (``FrontHistory``),
so a poll costs what its new trials cost, not a new sort of 10,000 trials.

The hypervolume history uses the reference point of ``typedspace plot`` (``reference_point``:
just beyond the worst feasible value of each objective, 10% of its magnitude further), so the
two agree.  That point moves when a worse value arrives, and the history is then computed
again.  It is computed for 2 and 3 objectives only: beyond, the front of a long study holds
thousands of trials and its exact volume (WFG) takes seconds, too slow for a live page.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any, cast

import attrs
import numpy as np

from typedspace.algorithms._pareto import FloatArray, IntArray, reference_point
from typedspace.storage import StudyInfo, TrialRecord, TrialState
from typedspace.storage._records import is_feasible
from typedspace.storage._study import objective_directions, objective_names

#: Objectives beyond which no hypervolume history is computed (see the module's docstring).
HYPERVOLUME_UP_TO = 3
#: Seconds one poll may spend on hypervolumes.  A front of thousands of trials in 3-D (each
#: new point's contribution costs O(front^2)) would take minutes from scratch: the history
#: then stops for that study, and the page says so, rather than stalling every poll.
VOLUME_BUDGET = 2.0


def objective_count(info: StudyInfo, records: Sequence[TrialRecord]) -> int:
    """How many objectives the study has: as declared with it, else as its trials carry."""
    stored = info.attributes.get("objectives")
    if isinstance(stored, list) and stored:
        return len(cast(list[object], stored))
    return max((len(r.values) for r in records if r.values is not None), default=0)


#: Every this many trials the history keeps a copy of its front, to restart from there when
#: a trial before the last one read completes late (parallel workers finish out of order).
CHECKPOINT_EVERY = 128


@attrs.define
class _Checkpoint:
    done: int  # trials read before it
    front: FloatArray
    front_numbers: IntArray
    volume: float
    steps: int


@attrs.define
class FrontHistory:
    """The Pareto front of the feasible completed trials, read in trial-number order and
    kept between polls, with (``volume_wanted``) the hypervolume after each trial: ``steps``
    holds ``[number, volume]`` where it changed.

    Each new trial costs one dominance test against the front and, when it joins the front,
    its exclusive contribution to the volume (its box minus the volume of the front limited
    by it: Bradstreet and While's identity, also used by WFG), not a new volume of the
    whole front.  A trial that completes before the last one read makes the history restart
    from the last checkpoint before it; a new reference point, from the start.
    """

    volume_wanted: bool = True  # for 2 or 3 objectives only
    volume_stopped: bool = False  # a poll went over ``VOLUME_BUDGET``: no volumes any more
    reference: tuple[float, ...] | None = None
    numbers: list[int] = attrs.field(factory=list[int])
    front: FloatArray = attrs.field(factory=lambda: np.zeros((0, 0)))
    front_numbers: IntArray = attrs.field(factory=lambda: np.zeros(0, dtype=np.int64))
    volume: float = 0.0
    steps: list[list[float]] = attrs.field(factory=list[list[float]])
    checkpoints: list[_Checkpoint] = attrs.field(factory=list[_Checkpoint])

    def update(self, numbers: list[int], losses: FloatArray, reference: FloatArray | None) -> None:
        """Bring the history up to the feasible trials ``numbers`` (ascending) with their
        ``losses`` (rows: losses to minimize)."""
        ref = None if reference is None else tuple(float(v) for v in reference)
        same = 0  # how many of the trials read before are still the first ones
        for old, new in zip(self.numbers, numbers, strict=False):
            if old != new:
                break
            same += 1
        # A new reference changes every volume; without volumes (stopped), nothing.
        if (self.volume_wanted and ref != self.reference) or not self.checkpoints:
            self.reference = ref
            self.checkpoints = [_Checkpoint(0, losses[:0], np.zeros(0, dtype=np.int64), 0.0, 0)]
            self._restart()
        elif same < len(self.numbers):
            # Checkpoints are kept in the order they were taken: the last one left is the
            # latest before the first trial that changed.
            self.checkpoints = [c for c in self.checkpoints if c.done <= same]
            self._restart()
        started = time.perf_counter()
        for i in range(len(self.numbers), len(numbers)):
            if self.volume_wanted and time.perf_counter() - started > VOLUME_BUDGET:
                self.volume_stopped, self.volume_wanted, self.steps = True, False, []
            if i % CHECKPOINT_EVERY == 0 and i > self.checkpoints[-1].done:
                self.checkpoints.append(
                    _Checkpoint(i, self.front, self.front_numbers, self.volume, len(self.steps))
                )
            self._add(numbers[i], losses[i])
            self.numbers.append(numbers[i])

    def _restart(self) -> None:
        """Back to the state of the last checkpoint."""
        checkpoint = self.checkpoints[-1]
        self.numbers = self.numbers[: checkpoint.done]
        # Arrays are replaced, never changed in place: a checkpoint can share them.
        self.front, self.front_numbers = checkpoint.front, checkpoint.front_numbers
        self.volume, self.steps = checkpoint.volume, self.steps[: checkpoint.steps]

    def _add(self, number: int, point: FloatArray) -> None:
        front = self.front
        if len(front):
            no_worse = np.all(front <= point, axis=1)
            if np.any(no_worse & np.any(front < point, axis=1)):
                return  # dominated: the front and its volume stay as they were
        if self.volume_wanted and self.reference is not None:
            ref = np.asarray(self.reference)
            box = float(np.prod(np.clip(ref - point, 0.0, None)))
            if box > 0:
                limited = np.maximum(front, point) if len(front) else front
                limited = limited[np.all(limited < ref, axis=1)]
                self.volume += box - (_dominated_volume(limited, ref) if len(limited) else 0.0)
            if not self.steps or self.steps[-1][1] != self.volume:
                self.steps.append([number, self.volume])
        # An equal point is not dominated and dominates nothing: both stay on the front.
        beaten = (
            np.all(point <= front, axis=1) & np.any(point < front, axis=1)
            if len(front)
            else np.zeros(0, dtype=bool)
        )
        self.front = np.vstack([front[~beaten], point]) if len(front) else point[None, :]
        self.front_numbers = np.append(self.front_numbers[~beaten], number)


def _dominated_volume(points: FloatArray, ref: FloatArray) -> float:
    """The volume that ``points`` (2 or 3 losses each, all below ``ref``) dominate up to
    ``ref``, dominated points included: ``typedspace.algorithms.hypervolume``'s 2-D sweep and
    3-D grid of running minima, without peeling the front first (a dominated point adds
    nothing to either), which took most of the time on the limited points of a new trial.
    """
    if points.shape[1] == 2:
        order = np.lexsort((points[:, 1], points[:, 0]))
        x, y = points[order, 0], np.minimum.accumulate(points[order, 1])
        return float(np.sum(np.diff(np.append(x, ref[0])) * (ref[1] - y)))
    xs, ys = np.unique(points[:, 0]), np.unique(points[:, 1])
    lowest = np.full((len(xs), len(ys)), ref[2])
    np.minimum.at(
        lowest, (np.searchsorted(xs, points[:, 0]), np.searchsorted(ys, points[:, 1])), points[:, 2]
    )
    lowest = np.minimum.accumulate(np.minimum.accumulate(lowest, axis=0), axis=1)
    dx, dy = np.diff(np.append(xs, ref[0])), np.diff(np.append(ys, ref[1]))
    return float(dx @ (ref[2] - lowest) @ dy)


def pareto_json(
    info: StudyInfo, records: Sequence[TrialRecord], history: FrontHistory
) -> dict[str, Any] | None:
    """The Pareto section of a study's JSON (None for a study of one objective): the
    objectives' names and directions, the numbers of the trials on the front (ascending),
    how many completed trials are feasible and infeasible, and the hypervolume history
    (``null`` beyond 3 objectives) with its reference point in the objectives' own units.

    >>> import os, tempfile
    >>> from typedspace import Uniform, maximize, minimize, optimize
    >>> from typedspace.storage import SQLiteStorage
    >>> path = os.path.join(tempfile.mkdtemp(), "runs.db")
    >>> _ = optimize(lambda x: (x, x), Uniform(0.0, 1.0), objectives=minimize("a") & maximize("b"),
    ...              max_evals=5, seed=0, storage=path, study="s", progress=False)
    >>> with SQLiteStorage(path, read_only=True) as storage:
    ...     data = pareto_json(storage.load_study("s"), storage.trials("s"), FrontHistory())
    >>> data["names"], data["directions"], len(data["front"]), data["feasible"]
    (['a', 'b'], ['minimize', 'maximize'], 5, 5)
    """
    m = objective_count(info, records)
    if m < 2:
        return None
    names = objective_names(info, m)
    directions = objective_directions(info, m)
    signs = np.array([-1.0 if d == "maximize" else 1.0 for d in directions])
    done = sorted(
        (
            r
            for r in records
            if r.state is TrialState.OK
            and r.values is not None
            and len(r.values) == m
            and all(math.isfinite(v) for v in r.values)
        ),
        key=lambda r: r.number,
    )
    feasible = [r for r in done if is_feasible(r.constraints)]
    losses = np.array([r.values for r in feasible], dtype=float).reshape(-1, m) * signs
    history.volume_wanted = m <= HYPERVOLUME_UP_TO and not history.volume_stopped
    reference = reference_point(losses) if m <= HYPERVOLUME_UP_TO and feasible else None
    history.update([r.number for r in feasible], losses, reference)
    volume: dict[str, Any] | None = None
    if reference is not None and history.volume_wanted:
        volume = {
            "reference": (reference * signs).tolist(),
            "steps": [[int(n), v] for n, v in history.steps],
            "last": feasible[-1].number,
        }
    return {
        "names": names,
        "directions": directions,
        "front": sorted(history.front_numbers.tolist()),
        "feasible": len(feasible),
        "infeasible": len(done) - len(feasible),
        "hypervolume": volume,
        "hypervolume_stopped": history.volume_stopped,
    }
