"""The storage interface: where studies and their trials live.

Storage holds JSON-friendly records only (assignments, losses, extra data), so a study can be
reloaded without the objective's code.  Trial numbers are allocated by the storage, which
makes several processes sharing one study safe.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import attrs

from typedspace.backends._describe import KEY, table_changes, table_from_description
from typedspace.errors import BudgetExhausted, StorageError, StudyMismatch
from typedspace.storage._records import TrialRecord

__all__ = ["BudgetExhausted", "Reclaiming", "Storage", "StorageError", "StudyInfo", "StudyMismatch"]


@attrs.frozen
class StudyInfo:
    """What identifies a study and how it was run."""

    name: str
    space_fingerprint: str
    space_text: str
    algorithm: str
    seed: int | None
    created: float
    space_json: str | None = None
    attributes: dict[str, Any] = attrs.field(factory=dict)


def check_same_space(stored: StudyInfo, info: StudyInfo, allow_space_change: bool) -> None:
    """Opening a study with another space is an error unless explicitly allowed."""
    if stored.space_fingerprint != info.space_fingerprint and not allow_space_change:
        raise StudyMismatch(
            space_changes(stored, info.attributes.get(KEY), info.space_text)
            + "\nto continue the study with the new space, pass allow_space_change=True; "
            "to keep both, give the new space another study= name (or another file)"
        )


def space_changes(stored: StudyInfo, described: object, text: str) -> str:
    """How the space ``described`` (a stored table description; ``text`` for studies from
    before those were stored) differs from the study's, one line per parameter."""
    head = f"study {stored.name!r} was created with a different space:"
    try:
        old = table_from_description(stored.attributes[KEY])
        new = table_from_description(described)
    except (KeyError, ValueError):
        return f"{head}\nstored:\n{stored.space_text}\nnow:\n{text}"
    return "\n".join([head, *(f"  {line}" for line in table_changes(old, new))])


@runtime_checkable
class Storage(Protocol):
    """Keeps studies and their trials."""

    def open_study(self, info: StudyInfo, *, allow_space_change: bool = False) -> StudyInfo:
        """Create the study ``info.name``, or return the stored one if it exists.

        An existing study whose space fingerprint differs raises ``StudyMismatch`` unless
        ``allow_space_change``.
        """
        ...

    def load_study(self, name: str) -> StudyInfo:
        """The stored study ``name`` (KeyError if there is none)."""
        ...

    def study_names(self) -> list[str]:
        """The names of every study in this storage."""
        ...

    def start_trial(
        self,
        study: str,
        assignment: dict[str, float | int],
        started: float,
        *,
        limit: int | None = None,
    ) -> int:
        """Record a new running trial and return its number (unique within the study).

        With ``limit``, raise ``BudgetExhausted`` instead when the study already has ``limit``
        trials that count (every state but CANCELLED); the check and the insert are one atomic
        step, so processes sharing a study never start more than ``limit`` trials together.
        """
        ...

    def finish_trial(self, study: str, record: TrialRecord) -> None:
        """Record the final state of trial ``record.number`` (durably, before returning).
        Its intermediate values are the ones reported (``record.intermediate`` is ignored)."""
        ...

    def report(self, study: str, number: int, step: int | float, value: float) -> None:
        """Add ``(step, value)`` to the intermediate values of running trial ``number``
        (durably, before returning); a trial that is no longer running keeps its values."""
        ...

    def trials(self, study: str) -> Sequence[TrialRecord]:
        """Every trial of the study, by number."""
        ...


@runtime_checkable
class ReportsVectors(Protocol):
    """A storage that keeps the vectors trials of several objectives report as they run
    (both storages of typedspace do)."""

    def report_vector(
        self, study: str, number: int, step: int | float, values: tuple[float, ...]
    ) -> None:
        """Add ``(step, values)`` to running trial ``number``'s reported vectors (durably,
        before returning); a trial that is no longer running keeps its vectors."""
        ...


@runtime_checkable
class Reclaiming(Protocol):
    """A storage that outlives processes (SQLite) and so can hold trials of dead runs."""

    def reclaim_interrupted(self, study: str, *, requeue: bool = False) -> list[TrialRecord]:
        """Finish the RUNNING trials whose process died, atomically (one claimer per trial).

        They become FAILED (error type ``Interrupted``), or CANCELLED when ``requeue`` so that
        they do not count and the caller evaluates their assignments again.  Returns them.
        """
        ...
