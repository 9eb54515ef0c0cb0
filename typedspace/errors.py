"""Every exception typedspace raises on purpose, in one place.

All of them derive from ``TypedspaceError``, so ``except TypedspaceError`` catches any error
of ours; each also derives from the built-in exception it refines (``ValueError`` for bad
input, ``RuntimeError`` for a run or a file that cannot go on), so code written against the
built-ins keeps working.

>>> from typedspace import Uniform, encode
>>> from typedspace.errors import EncodeError, TypedspaceError
>>> try:
...     encode(Uniform(0.0, 1.0), 2.0)
... except TypedspaceError as error:
...     print(type(error).__name__, isinstance(error, ValueError))
EncodeError True
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "BudgetExhausted",
    "DecodeError",
    "DistributionCheckError",
    "DuplicateLabel",
    "EncodeError",
    "InvalidLoss",
    "InvalidReturnType",
    "NoSuccessfulTrial",
    "ResultNotSaved",
    "SerializationError",
    "StatusFail",
    "StorageError",
    "StudyMismatch",
    "TrialPruned",
    "TrialTimeout",
    "TypedspaceError",
    "WorkerCrashed",
    "WorkerDied",
]


class TypedspaceError(Exception):
    """The base class of every exception typedspace raises on purpose."""


# --- Spaces and their values ---


class EncodeError(TypedspaceError, ValueError):
    """The value is not one the space can produce (the message says where and why)."""


class DecodeError(TypedspaceError, RuntimeError):
    """A proposed assignment could not be turned into a typed value (a ``Map`` raised)."""


class SerializationError(TypedspaceError, ValueError):
    """The space (or the document) cannot be converted; the message says where and why."""


# --- Runs ---


class InvalidLoss(TypedspaceError, ValueError):
    """The objective returned something that is not a finite number."""


class InvalidReturnType(InvalidLoss, TypeError):
    """The objective returned something that is not a loss at all (a dict, None, a string):
    a bug in the objective, so the run stops at once instead of failing every trial."""


class TrialPruned(TypedspaceError):
    """Raised by ``Report.report`` when the study's pruner stops the trial (an objective may
    raise it too); the trial is recorded as PRUNED, with the values it reported."""


class NoSuccessfulTrial(TypedspaceError, RuntimeError):
    """There is no trial with a loss: none finished, or every one failed."""


class WorkerDied(TypedspaceError, RuntimeError):
    """The worker process evaluating the trial died (killed, out of memory, crashed)."""


# --- Storage ---


class StudyMismatch(TypedspaceError, ValueError):
    """An existing study was opened with a different space."""


class StorageError(TypedspaceError, RuntimeError):
    """The storage cannot be used (not a typedspace database, corrupt, newer schema ...)."""


class ResultNotSaved(StorageError):
    """A finished trial could not be written, even after waiting (another process held the
    write lock too long, the disk failed ...).  Its result is not lost: the message shows it,
    and ``record`` holds it (the ``TrialRecord`` to give ``finish_trial`` once the storage
    works again)."""

    def __init__(self, message: str, record: Any = None) -> None:
        super().__init__(message)
        self.record = record

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.record))


class BudgetExhausted(TypedspaceError, RuntimeError):
    """``start_trial`` refused: the study already has its ``limit`` of trials that count."""


# --- The testing toolkit and scikit-learn ---


class DistributionCheckError(TypedspaceError, AssertionError):
    """A custom distribution broke a property of the protocol (the message says which)."""

    def __init__(self, check: str, dist: object, detail: str) -> None:
        super().__init__(f"{type(dist).__name__} fails {check!r}: {detail}")
        self.check = check


class TrialTimeout(TypedspaceError, TimeoutError):
    """A scikit-learn trial ran past its time limit; its process was killed."""


class WorkerCrashed(TypedspaceError, RuntimeError):
    """The worker process died during a trial (out of memory, a crash in compiled code)."""


# --- typedspace.hyperopt ---


class DuplicateLabel(TypedspaceError, ValueError):
    """Two different hyperparameters of a Hyperopt space have the same label."""


class StatusFail(InvalidLoss):
    """The objective of ``typedspace.hyperopt.fmin`` returned ``{"status": STATUS_FAIL}``:
    the trial failed; the message holds the result dict as JSON."""
