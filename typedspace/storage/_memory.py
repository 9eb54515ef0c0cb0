"""In-memory storage: fast, and gone with the process."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import attrs

from typedspace.errors import BudgetExhausted
from typedspace.storage._base import StudyInfo, check_same_space
from typedspace.storage._records import TrialRecord, TrialState


class InMemoryStorage:
    """Studies kept in this process's memory (the default when no ``storage=`` is given).

    >>> storage = InMemoryStorage()
    >>> storage.study_names()
    []
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._studies: dict[str, StudyInfo] = {}
        self._trials: dict[str, list[TrialRecord]] = {}
        self._cancelled: dict[str, int] = {}  # per study, so that `limit` is checked in O(1)

    def open_study(self, info: StudyInfo, *, allow_space_change: bool = False) -> StudyInfo:
        with self._lock:
            stored = self._studies.get(info.name)
            if stored is None:
                self._studies[info.name] = info
                self._trials[info.name] = []
                self._cancelled[info.name] = 0
                return info
            check_same_space(stored, info, allow_space_change)
            return stored

    def load_study(self, name: str) -> StudyInfo:
        with self._lock:
            if name not in self._studies:
                raise KeyError(f"no study named {name!r}")
            return self._studies[name]

    def study_names(self) -> list[str]:
        with self._lock:
            return list(self._studies)

    def start_trial(
        self,
        study: str,
        assignment: dict[str, float | int],
        started: float,
        *,
        limit: int | None = None,
    ) -> int:
        with self._lock:
            trials = self._trials[study]
            if limit is not None:
                counted = len(trials) - self._cancelled[study]
                if counted >= limit:
                    raise BudgetExhausted(f"study {study!r} already has {counted} trials")
            number = len(trials)
            trials.append(TrialRecord(number, TrialState.RUNNING, dict(assignment), started))
            return number

    def finish_trial(self, study: str, record: TrialRecord) -> None:
        with self._lock:
            trials = self._trials[study]
            was = trials[record.number].state is TrialState.CANCELLED
            now = record.state is TrialState.CANCELLED
            self._cancelled[study] += int(now) - int(was)
            old = trials[record.number]  # its reports are written by report() alone
            trials[record.number] = attrs.evolve(
                record, intermediate=old.intermediate, intermediate_vectors=old.intermediate_vectors
            )

    def report(self, study: str, number: int, step: int | float, value: float) -> None:
        with self._lock:
            trials = self._trials[study]
            record = trials[number]
            if record.state is TrialState.RUNNING:  # a cancelled trial's late reports are dropped
                trials[number] = attrs.evolve(
                    record, intermediate=(*record.intermediate, (step, value))
                )

    def report_vector(
        self, study: str, number: int, step: int | float, values: tuple[float, ...]
    ) -> None:
        with self._lock:
            trials = self._trials[study]
            record = trials[number]
            if record.state is TrialState.RUNNING:
                trials[number] = attrs.evolve(
                    record, intermediate_vectors=(*record.intermediate_vectors, (step, values))
                )

    def trials(self, study: str) -> Sequence[TrialRecord]:
        with self._lock:
            return list(self._trials[study])
