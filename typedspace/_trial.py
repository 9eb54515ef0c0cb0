"""Trials: one evaluation of the objective, from proposal to result.

A ``TrialRecord`` is what storage keeps (JSON-friendly: the assignment, never the decoded
value); a ``Trial[T]`` adds the typed value decoded from the assignment.
"""

from __future__ import annotations

import enum
import math
import traceback as traceback_module
from collections.abc import Mapping
from typing import Any, Generic, TypeAlias, TypeVar

import attrs
import numpy as np

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class TrialState(enum.Enum):
    """Where a trial is in its life."""

    RUNNING = "running"  #: proposed and being evaluated
    OK = "ok"  #: finished with a finite loss
    FAILED = "failed"  #: the objective raised, returned a non-finite or non-number loss, or died
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


@attrs.frozen
class Outcome:
    """What an objective may return instead of a bare float: the loss plus data to keep.

    ``extra`` is stored with the trial (keep it JSON-friendly to persist it).

    >>> Outcome(0.25, extra={"accuracy": 0.75}).loss
    0.25
    """

    loss: float
    extra: Mapping[str, Any] = attrs.field(factory=dict)


#: What an objective returns: a float (numpy floats included) or an ``Outcome``.
ObjectiveResult: TypeAlias = float | np.floating[Any] | Outcome


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


@attrs.frozen
class Trial(Generic[T_co]):
    """One evaluation: its number, assignment, typed value, state, loss and timing.

    ``value`` is what the objective received (an instance of the space's type).
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

    @property
    def duration(self) -> float | None:
        """Seconds from start to finish, or None while running."""
        return None if self.finished is None else self.finished - self.started

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
        )


def check_loss(result: object) -> tuple[float, Mapping[str, Any]]:
    """The loss and extra data of an objective's return value; raises ``InvalidLoss``."""
    extra: Mapping[str, Any] = {}
    loss: object = result
    if isinstance(result, Outcome):
        loss, extra = result.loss, result.extra
    if isinstance(loss, np.integer | np.floating):
        loss = float(loss)  # numpy scalars are numbers; keep Python floats in trials
    if isinstance(loss, bool) or not isinstance(loss, int | float):
        raise InvalidLoss(f"the objective returned {loss!r}, not a number")
    value = float(loss)
    if not math.isfinite(value):
        raise InvalidLoss(f"the objective returned a non-finite loss ({value!r})")
    return value, extra


class InvalidLoss(ValueError):
    """The objective returned something that is not a finite number."""


def evolve(trial: Trial[T], **changes: Any) -> Trial[T]:
    """A copy of ``trial`` with ``changes`` (trials are immutable)."""
    return attrs.evolve(trial, **changes)
