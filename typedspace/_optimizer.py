"""Ask/tell: the optimizer object for users who own the loop (``optimize`` is built on it).

The optimizer connects the pieces in one direction: space -> table -> algorithm -> assignment
-> decoded typed value -> (objective, run by the caller) -> trial -> storage.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Mapping, Sequence
from typing import Any, Generic, TypeVar, cast, overload

import numpy as np

from typedspace._flatten import FlatSpace, flatten
from typedspace._table import Assignment
from typedspace._trial import (
    ErrorInfo,
    InvalidLoss,
    ObjectiveResult,
    Trial,
    TrialRecord,
    TrialState,
    check_loss,
    evolve,
)
from typedspace.algorithms import Algorithm, Proposer
from typedspace.nodes import Space
from typedspace.storage import (
    BudgetExhausted,
    InMemoryStorage,
    Reclaiming,
    SQLiteStorage,
    Storage,
    StudyInfo,
)

T = TypeVar("T")


class DecodeError(RuntimeError):
    """A proposed assignment could not be turned into a typed value (a ``Map`` raised)."""


class NoSuccessfulTrial(RuntimeError):
    """There is no trial with a loss: none finished, or every one failed."""


def default_algorithm() -> Algorithm:
    """TPE when available, else random search."""
    from typedspace import algorithms

    tpe = getattr(algorithms, "TPE", None)
    return cast(Algorithm, tpe()) if tpe is not None else algorithms.RandomSearch()


def space_fingerprint(flat: FlatSpace) -> str:
    """A digest of the parameter table: equal for spaces whose assignments are interchangeable."""
    text = "\n".join(repr(p) for p in flat.table.params)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _space_json(flat: FlatSpace) -> str | None:
    """The space as JSON, stored with the study so it can be read back without the code
    (None when the space holds functions or custom distributions that cannot be serialized)."""
    from typedspace._serialize import to_json

    try:
        return to_json(flat.space, indent=None)
    except Exception:
        return None


def space_text(flat: FlatSpace) -> str:
    """A readable description of the space, stored with the study: one line per parameter."""
    return "\n".join(repr(p) for p in flat.table.params)


def open_storage(storage: Storage | str | os.PathLike[str] | None) -> Storage:
    """A storage object from ``storage``: None is in-memory, a path is a SQLite file.

    In-memory stays the default of ``optimize`` and ``Optimizer`` (nothing written to disk
    unasked: tests, notebooks, doctests); pass ``storage="runs.db"`` to persist and resume.
    The command line (``typedspace run``) persists to ``typedspace.db`` by default.
    """
    if storage is None:
        return InMemoryStorage()
    if isinstance(storage, str | os.PathLike):
        return SQLiteStorage(storage)
    if not isinstance(storage, Storage):
        raise TypeError(f"storage must be a path, a Storage or None, got {storage!r}")
    return storage


class Optimizer(Generic[T]):
    """Propose typed trials with ``ask`` and report their results with ``tell``.

    >>> from typedspace import IntUniform, Uniform
    >>> from typedspace.algorithms import RandomSearch
    >>> opt = Optimizer({"x": Uniform(-1.0, 1.0), "n": IntUniform(1, 3)}, RandomSearch(), seed=0)
    >>> for _ in range(5):
    ...     trial = opt.ask()
    ...     _ = opt.tell(trial, trial.value["x"] ** 2 + trial.value["n"])
    >>> opt.best_trial.loss < 2.0
    True
    """

    @overload
    def __init__(
        self: Optimizer[dict[str, Any]],
        space: Mapping[str, object],
        algo: Algorithm | None = None,
        *,
        seed: int | None = None,
        storage: Storage | str | os.PathLike[str] | None = None,
        study: str = "default",
        allow_space_change: bool = False,
    ) -> None: ...
    @overload
    def __init__(
        self,
        space: Space[T],
        algo: Algorithm | None = None,
        *,
        seed: int | None = None,
        storage: Storage | str | os.PathLike[str] | None = None,
        study: str = "default",
        allow_space_change: bool = False,
    ) -> None: ...
    def __init__(
        self,
        space: Space[T] | Mapping[str, object],
        algo: Algorithm | None = None,
        *,
        seed: int | None = None,
        storage: Storage | str | os.PathLike[str] | None = None,
        study: str = "default",
        allow_space_change: bool = False,
    ) -> None:
        self.flat = flatten(space)
        self.algorithm = algo if algo is not None else default_algorithm()
        if not isinstance(self.algorithm, Algorithm):
            raise TypeError(f"algo must be an Algorithm such as TPE(), got {algo!r}")
        self.storage = open_storage(storage)
        self.study = study
        info = StudyInfo(
            name=study,
            space_fingerprint=space_fingerprint(self.flat),
            space_text=space_text(self.flat),
            algorithm=repr(self.algorithm),
            seed=seed,
            created=time.time(),
            space_json=_space_json(self.flat),
        )
        self.info = self.storage.open_study(info, allow_space_change=allow_space_change)
        existing = len(self.storage.trials(study))
        # A resumed study continues from a different but still reproducible random state.
        entropy = seed if existing == 0 else ([seed, existing] if seed is not None else None)
        self._proposer: Proposer = self.algorithm.start(
            self.flat.table, np.random.default_rng(entropy)
        )
        self._told: set[int] = set()
        # Incremental sync: records before ``_seen`` were read; of those, ``_open`` are running.
        self._seen = 0
        self._open: set[int] = set()
        self._cancelled = 0
        self._queue: list[dict[str, float | int]] = []
        self._values: dict[int, T] = {}
        #: When set, ``ask`` never makes the study's counted (not cancelled) trials exceed it;
        #: the storage checks it atomically, so processes sharing a study never overshoot.
        self.max_trials: int | None = None

    # -- reading the study -------------------------------------------------------------------
    def _sync(self) -> Sequence[TrialRecord]:
        """Read the study from storage and tell the algorithm every newly finished trial.

        Only new records and the ones still running are examined, so a sync costs the same
        at trial 10 and at trial 10,000 (records are numbered 0, 1, ... by the storage).
        """
        records = self.storage.trials(self.study)
        if any(records[i].number != i for i in (0, len(records) - 1) if records):
            self._seen, self._open = 0, set()  # not numbered by position: examine all
        for i in [*sorted(self._open), *range(self._seen, len(records))]:
            record = records[i]
            if not record.state.finished:
                self._open.add(i)
                continue
            self._open.discard(i)
            if record.number in self._told:
                continue
            if record.state is TrialState.CANCELLED:
                self._cancelled += 1
            else:
                loss = record.loss if record.state is TrialState.OK else None
                self._proposer.tell(record.number, record.assignment, loss)
            self._told.add(record.number)
        self._seen = len(records)
        self._records = records
        return records

    def counted(self) -> int:
        """Trials of the study that count towards ``max_evals``: all but the cancelled ones."""
        records = self._sync()
        return len(records) - self._cancelled

    def _decode(self, number: int, assignment: Assignment) -> T:
        if number not in self._values:
            try:
                self._values[number] = cast(T, self.flat.decode(assignment))
            except Exception as error:
                raise DecodeError(
                    f"decoding trial {number} {dict(assignment)} failed: {error!r}"
                ) from error
        return self._values[number]

    def _trial(self, record: TrialRecord) -> Trial[T]:
        value = self._decode(record.number, record.assignment)
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
        )

    @property
    def trials(self) -> list[Trial[T]]:
        """Every trial of the study (including other processes' trials), by number."""
        return [self._trial(r) for r in self._sync()]

    @property
    def best_trial(self) -> Trial[T]:
        """The finished trial with the lowest loss (ties: the earliest)."""
        return best_of(self.trials)

    # -- proposing ---------------------------------------------------------------------------
    def enqueue(self, assignment: Assignment) -> None:
        """Evaluate ``assignment`` before any proposal of the algorithm (validated now)."""
        self._queue.append(self.flat.table.validate(assignment))

    @overload
    def ask(self) -> Trial[T]: ...
    @overload
    def ask(self, n: int) -> list[Trial[T]]: ...
    def ask(self, n: int | None = None) -> Trial[T] | list[Trial[T]]:
        """A new running trial (or ``n`` of them, proposed together so they differ)."""
        count = 1 if n is None else n
        if count < 0:
            raise ValueError(f"ask: n must not be negative, got {n!r}")
        records = self._sync()
        queued, self._queue = self._queue[:count], self._queue[count:]
        pending = [records[i].assignment for i in sorted(self._open)]
        proposals = queued
        if count > len(queued):
            proposals = queued + self._proposer.propose(count - len(queued), [*pending, *queued])
        trials: list[Trial[T]] = []
        for i, assignment in enumerate(proposals):
            try:
                trials.append(self._start(assignment))
            except BudgetExhausted:
                # Other processes took the rest of max_trials: keep unstarted queued points.
                self._queue[:0] = queued[i:]
                if n is None:
                    raise
                break
        return trials[0] if n is None else trials

    def reclaim_interrupted(self, requeue: bool = False) -> list[TrialRecord]:
        """Finish the trials left RUNNING by runs that died (a killed process): FAILED, or
        with ``requeue`` CANCELLED and their assignments queued to be evaluated first.

        Only persistent storages (SQLite) can hold such trials; see
        ``SQLiteStorage.reclaim_interrupted`` for how a dead run is told from a live one.
        """
        if not isinstance(self.storage, Reclaiming):
            return []
        records = self.storage.reclaim_interrupted(self.study, requeue=requeue)
        if requeue:
            self._queue[:0] = [dict(r.assignment) for r in records]
        return records

    def _start(self, assignment: dict[str, float | int]) -> Trial[T]:
        started = time.time()
        number = self.storage.start_trial(self.study, assignment, started, limit=self.max_trials)
        try:
            value = self._decode(number, assignment)
        except DecodeError as error:
            record = TrialRecord(
                number,
                TrialState.FAILED,
                assignment,
                started,
                time.time(),
                error=ErrorInfo.from_exception(error),
            )
            self.storage.finish_trial(self.study, record)
            raise
        return Trial(number, TrialState.RUNNING, assignment, value, started)

    # -- reporting ---------------------------------------------------------------------------
    def tell(self, trial: Trial[T], result: ObjectiveResult) -> Trial[T]:
        """Finish ``trial`` with the objective's result; a non-finite or non-number result
        makes it a failed trial (``InvalidLoss`` is its error)."""
        try:
            loss, extra = check_loss(result)
        except InvalidLoss as error:
            return self.tell_failure(trial, error)
        return self._finish(evolve(trial, state=TrialState.OK, loss=loss, extra=dict(extra)))

    def tell_failure(self, trial: Trial[T], error: BaseException | str) -> Trial[T]:
        """Finish ``trial`` as failed, keeping the exception's type, message and traceback."""
        info = (
            ErrorInfo("Error", error) if isinstance(error, str) else ErrorInfo.from_exception(error)
        )
        return self._finish(evolve(trial, state=TrialState.FAILED, error=info))

    def cancel(self, trial: Trial[T], reason: str = "cancelled") -> Trial[T]:
        """Finish ``trial`` as cancelled (it does not count as evaluated)."""
        return self._finish(
            evolve(trial, state=TrialState.CANCELLED, error=ErrorInfo("Cancelled", reason))
        )

    def _finish(self, trial: Trial[T]) -> Trial[T]:
        if trial.state is TrialState.RUNNING:
            raise ValueError("a finished trial needs a final state")
        done = evolve(trial, finished=time.time())
        self.storage.finish_trial(self.study, done.to_record())
        return done


def best_of(trials: Sequence[Trial[T]]) -> Trial[T]:
    """The OK trial with the lowest loss; ``NoSuccessfulTrial`` says why there is none."""
    ok = [t for t in trials if t.state is TrialState.OK and t.loss is not None]
    if not ok:
        failed = [t for t in trials if t.state is TrialState.FAILED]
        if failed:
            first = failed[0].error
            raise NoSuccessfulTrial(
                f"all {len(failed)} finished trials failed; the first failure: {first}"
            )
        raise NoSuccessfulTrial("no trial has finished yet")
    return min(ok, key=lambda t: (cast(float, t.loss), t.number))
