"""Trials: one evaluation of the objective, from proposal to result.

A ``TrialRecord`` is what storage keeps (JSON-friendly: the assignment, never the decoded
value); a ``Trial[T]`` adds the typed value decoded from the assignment (``from_record``).
"""

from __future__ import annotations

import enum
import traceback as traceback_module
from collections.abc import Mapping, Sequence
from typing import Any, Generic, TypeVar, cast

import attrs

from typedspace.errors import NoSuccessfulTrial

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class TrialState(enum.Enum):
    """Where a trial is in its life."""

    RUNNING = "running"  #: proposed and being evaluated
    OK = "ok"  #: finished with a finite loss
    FAILED = "failed"  #: the objective raised, returned a non-finite or non-number loss, or died
    PRUNED = "pruned"  #: stopped by the pruner; its reported values are in ``intermediate``
    CANCELLED = "cancelled"  #: stopped before it finished (Ctrl-C, timeout of the run)

    @property
    def finished(self) -> bool:
        return self is not TrialState.RUNNING


@attrs.frozen
class ErrorInfo:
    """Why a trial failed: the exception's type and message, and its traceback if any."""

    type: str
    message: str
    traceback: str = ""

    @classmethod
    def from_exception(cls, error: BaseException) -> ErrorInfo:
        tb = "".join(traceback_module.format_exception(error))
        return cls(type(error).__qualname__, str(error), tb)

    def __str__(self) -> str:
        return f"{self.type}: {self.message}" if self.message else self.type


#: The values a trial reported as it ran, as (step, value) pairs in the order reported.
Intermediate = tuple[tuple[int | float, float], ...]
#: What a trial of several objectives reported as it ran: (step, values) pairs.
IntermediateVectors = tuple[tuple[int | float, tuple[float, ...]], ...]


def curve_repr(curve: Sequence[tuple[int | float, object]]) -> str:
    """A reported curve in a trial's repr: its length and ends, not every value."""
    if len(curve) <= 2:
        return repr(curve)
    return f"<{len(curve)} reports: {curve[0]!r} ... {curve[-1]!r}>"


@attrs.frozen
class TrialRecord:
    """A trial as storage keeps it."""

    number: int
    state: TrialState
    assignment: Mapping[str, float | int]
    started: float
    finished: float | None = None
    loss: float | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict)
    error: ErrorInfo | None = None
    intermediate: Intermediate = attrs.field(default=(), repr=curve_repr)
    values: tuple[float, ...] | None = None
    constraints: tuple[float, ...] | None = None
    intermediate_vectors: IntermediateVectors = attrs.field(default=(), repr=curve_repr)


def is_feasible(constraints: tuple[float, ...] | None) -> bool:
    """Whether every constraint value is satisfied (<= 0); no constraints: feasible."""
    return constraints is None or all(c <= 0 for c in constraints)


@attrs.frozen
class Trial(Generic[T_co]):
    """One evaluation: its number, assignment, typed value, state, loss and timing.

    ``value`` is what the objective received (an instance of the space's type);
    ``intermediate`` holds the (step, value) pairs it reported, in order (a pruned trial has
    no ``loss``: its last reported value is in there).  A study with several objectives
    keeps each objective's value, as the objective returned it, in ``values`` (and no
    ``loss``); a study with constraints keeps one value per constraint in ``constraints``
    (<= 0: satisfied; see ``feasible``).
    """

    number: int
    state: TrialState
    assignment: Mapping[str, float | int]
    value: T_co
    started: float
    finished: float | None = None
    loss: float | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict)
    error: ErrorInfo | None = None
    intermediate: Intermediate = attrs.field(default=(), repr=curve_repr)
    values: tuple[float, ...] | None = None
    constraints: tuple[float, ...] | None = None
    intermediate_vectors: IntermediateVectors = attrs.field(default=(), repr=curve_repr)

    @property
    def feasible(self) -> bool:
        """Whether the trial satisfies every constraint (True when there are none)."""
        return is_feasible(self.constraints)

    @property
    def last_step(self) -> int | float | None:
        """The furthest step the trial reported (where a pruned trial stopped), or None."""
        return max((step for step, _ in self.intermediate), default=None)

    @property
    def duration(self) -> float | None:
        """Seconds from start to finish, or None while running."""
        return None if self.finished is None else self.finished - self.started

    @staticmethod
    def from_record(record: TrialRecord, value: T) -> Trial[T]:
        """The trial of ``record`` with its decoded ``value``."""
        return Trial(
            record.number,
            record.state,
            record.assignment,
            value,
            record.started,
            record.finished,
            record.loss,
            record.extra,
            record.error,
            record.intermediate,
            record.values,
            record.constraints,
            record.intermediate_vectors,
        )

    def to_record(self) -> TrialRecord:
        return TrialRecord(
            self.number,
            self.state,
            self.assignment,
            self.started,
            self.finished,
            self.loss,
            self.extra,
            self.error,
            self.intermediate,
            self.values,
            self.constraints,
            self.intermediate_vectors,
        )


def best_of(trials: Sequence[Trial[T]]) -> Trial[T]:
    """The OK trial with the lowest loss (ties: the earliest); ``NoSuccessfulTrial`` says why
    there is none.  With constraints, only feasible trials count."""
    if any(t.values is not None and t.loss is None for t in trials):
        raise NoSuccessfulTrial(
            "the study has several objectives, so no single best trial: its best trials are "
            "the Pareto front (Result.pareto)"
        )
    ok = [t for t in trials if t.state is TrialState.OK and t.loss is not None]
    if any(t.constraints is not None for t in ok):
        feasible = [t for t in ok if t.feasible]
        if ok and not feasible:
            raise NoSuccessfulTrial(f"none of the {len(ok)} finished trials is feasible")
        ok = feasible
    if not ok:
        failed = [t for t in trials if t.state is TrialState.FAILED]
        if failed:
            first = failed[0].error
            raise NoSuccessfulTrial(
                f"all {len(failed)} finished trials failed; the first failure: {first}"
            )
        raise NoSuccessfulTrial("no trial has finished yet")
    return min(ok, key=lambda t: (cast(float, t.loss), t.number))
