"""Intermediate values: what a two-argument objective reports as it runs, and the pruner's
answer.

``report(step, value)`` writes the value to the study's storage at once (a crash keeps it),
then asks the study's pruner, with the curves of every trial of the study, whether to go on;
if not, it raises ``TrialPruned``, which ends the objective and records the trial as PRUNED.
A process-pool or Dask worker does the same through its own connection to the study's
SQLite file, so a decision uses every trial whichever process ran it.
"""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

import attrs

from typedspace.errors import InvalidLoss, TrialPruned
from typedspace.nodes._base import check_number, shown
from typedspace.pruners import Curve, Pruner, Status, Step
from typedspace.pruners._pareto import VectorCurve
from typedspace.storage import Storage
from typedspace.storage._base import ReportsVectors
from typedspace.storage._records import TrialRecord, TrialState

C = TypeVar("C")

_STATUS = {
    TrialState.RUNNING: Status.RUNNING,
    TrialState.OK: Status.COMPLETE,
    TrialState.PRUNED: Status.PRUNED,
    TrialState.FAILED: Status.FAILED,
    TrialState.CANCELLED: Status.FAILED,
}


def curve_of(record: TrialRecord) -> Curve:
    """What a pruner sees of a trial."""
    steps = tuple(step for step, _ in record.intermediate)
    values = tuple(value for _, value in record.intermediate)
    return Curve(record.number, _STATUS[record.state], steps, values, record.loss)


def furthest(intermediate: Sequence[tuple[Step, float]]) -> tuple[Step, float]:
    """The (step, value) of the furthest step reported ((0, inf) if none: pruned at once)."""
    return max(intermediate, key=lambda pair: pair[0], default=(0, math.inf))


class CurveCache:
    """Each record's curve, built once per version of the record.

    The storages hand back the same record object until the trial changes, and a pruner is
    asked at every report with every trial of the study: rebuilding each curve each time made
    a report's cost grow with the study's total number of reports.  Not sent to other
    processes: a worker builds its own.
    """

    def __init__(self) -> None:
        self._curves: _Built[Curve] = _Built(curve_of)
        self._vectors: dict[tuple[float, ...], _Built[VectorCurve]] = {}

    def __reduce__(self) -> tuple[type[CurveCache], tuple[()]]:
        return (CurveCache, ())

    def curves(self, records: Sequence[TrialRecord]) -> list[Curve]:
        """``curve_of`` each record."""
        return self._curves.of(records)

    def vector_curves(
        self, records: Sequence[TrialRecord], signs: tuple[float, ...]
    ) -> list[VectorCurve]:
        """``vector_curve`` of each record, with the objectives' ``signs``."""
        built = self._vectors.get(signs)
        if built is None:
            built = self._vectors[signs] = _Built(functools.partial(vector_curve, signs=signs))
        return built.of(records)


class _Built(Generic[C]):
    """What ``build`` made of each record, by position, with the record it was made of."""

    def __init__(self, build: Callable[[TrialRecord], C]) -> None:
        self._build = build
        self._records: list[TrialRecord] = []
        self._made: list[C] = []

    def of(self, records: Sequence[TrialRecord]) -> list[C]:
        known, made = self._records, self._made
        for position, record in enumerate(records):
            if position == len(known):
                known.append(record)
                made.append(self._build(record))
            elif known[position] is not record:
                known[position] = record
                made[position] = self._build(record)
        return made[: len(records)]


def check_step(step: object) -> Step:
    """A step is a finite int or float (numpy's accepted); ints stay ints."""
    if isinstance(step, bool):
        raise TypeError(f"report: step must be an int or a float, got {step!r}")
    if hasattr(step, "item") and not isinstance(step, int | float):
        step = step.item()  # numpy scalars
    if isinstance(step, int):
        return step
    return check_number("report", "step", step)


@attrs.frozen
class Reporting:
    """Where a trial's reports go: the study's storage (picklable when it is a SQLite file,
    for workers in other processes) and its pruner."""

    storage: Storage
    study: str
    pruner: Pruner | None
    #: With several objectives: reads a reported vector (or mapping) into the objectives'
    #: values, and the sign that makes each a loss (-1 for a maximized one).
    read_vector: Callable[[object], tuple[float, ...]] | None = None
    signs: tuple[float, ...] = ()
    curves: CurveCache = attrs.field(factory=CurveCache, init=False, repr=False, eq=False)


class Report:
    """Handed to an objective that takes a second argument: ``report(step, value)`` after each
    epoch, fold or budget step.

    >>> from typedspace import Uniform, optimize
    >>> from typedspace.pruners import MedianPruner
    >>> def objective(x: float, trial: Report) -> float:
    ...     for epoch in range(10):
    ...         loss = x / (epoch + 1)
    ...         trial.report(epoch, loss)  # raises TrialPruned when the pruner says stop
    ...     return loss
    >>> result = optimize(objective, Uniform(0.0, 1.0), pruner=MedianPruner(), max_evals=30,
    ...                   seed=0)
    >>> len(result.trials), len(result.pruned) > 0
    (30, True)
    """

    def __init__(self, reporting: Reporting, number: int) -> None:
        self._reporting = reporting
        #: The number of the trial being evaluated.
        self.number = number
        #: The steps reported so far (each is reported once).
        self.reported: set[Step] = set()

    def __repr__(self) -> str:
        return f"Report(study={self._reporting.study!r}, trial={self.number})"

    def report(
        self, step: int | float, value: float | Sequence[float] | Mapping[str, float]
    ) -> None:
        """Keep ``value`` (the loss so far) at ``step``; raises ``TrialPruned`` if the study's
        pruner stops the trial here.  Each step is reported once per trial; a non-finite value
        fails the trial (``InvalidLoss``), as a non-finite final loss does.  A study with
        several objectives reports a tuple (or a mapping) of them, in the objectives' own
        directions, and prunes with ``ParetoPruner`` (a single number stays an ordinary
        report, for the single-loss pruners)."""
        step = check_step(step)
        if step in self.reported:
            raise ValueError(f"report: step {step!r} was already reported for trial {self.number}")
        # With several objectives a vector (or mapping) is kept as such; a single number
        # (a proxy such as the total loss) is an ordinary report for single-loss pruners.
        if self._reporting.read_vector is not None and not _is_scalar(value):
            self._report_vector(step, value)
            return
        try:
            loss = check_number("report", f"the value at step {step!r}", value)
        except ValueError:
            raise InvalidLoss(
                f"trial {self.number} reported a non-finite value ({shown(value)}) at step {step!r}"
            ) from None
        except TypeError as error:
            raise TypeError(f"{error}: report the loss so far, a float") from None
        self.reported.add(step)
        reporting = self._reporting
        reporting.storage.report(reporting.study, self.number, step, loss)
        if reporting.pruner is None:
            return  # nothing to decide: the study need not be read
        curves = reporting.curves.curves(reporting.storage.trials(reporting.study))
        if reporting.pruner.prune(curves[self.number], curves):
            raise TrialPruned(
                f"trial {self.number} pruned at step {step!r} by {reporting.pruner!r}"
            )

    def _report_vector(self, step: Step, value: object) -> None:
        reporting = self._reporting
        assert reporting.read_vector is not None
        values = reporting.read_vector(value)  # InvalidReturnType / InvalidLoss name the field
        if not isinstance(reporting.storage, ReportsVectors):
            raise TypeError(
                f"report: {reporting.storage!r} cannot keep the vectors of several objectives"
            )
        self.reported.add(step)
        reporting.storage.report_vector(reporting.study, self.number, step, values)
        if reporting.pruner is None:
            return
        decide = getattr(reporting.pruner, "prune_vectors", None)
        if decide is None:
            raise TypeError(
                f"{reporting.pruner!r} prunes a single loss; a study with several objectives "
                "prunes with ParetoPruner()"
            )
        records = reporting.storage.trials(reporting.study)
        curves = reporting.curves.vector_curves(records, reporting.signs)
        if decide(curves[self.number], curves):
            raise TrialPruned(
                f"trial {self.number} pruned at step {step!r} by {reporting.pruner!r}"
            )


def _is_scalar(value: object) -> bool:
    return isinstance(value, int | float) or (
        hasattr(value, "ndim") and getattr(value, "ndim", None) == 0
    )


def vector_curve(record: TrialRecord, signs: Sequence[float]) -> VectorCurve:
    """What a pruner of several objectives sees of a trial: its reported vectors as losses."""
    pairs = record.intermediate_vectors
    return VectorCurve(
        record.number,
        _STATUS[record.state],
        tuple(step for step, _ in pairs),
        tuple(tuple(s * v for s, v in zip(signs, values, strict=True)) for _, values in pairs),
    )


def takes_report(objective: Callable[..., Any]) -> bool:
    """Whether ``objective`` takes a second positional argument (the ``Report``)."""
    try:
        parameters = list(inspect.signature(objective).parameters.values())
    except (TypeError, ValueError):  # some builtins have no signature: one argument
        return False
    positional = [
        p
        for p in parameters
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
    ]
    return len(positional) >= 2
