"""Ask/tell: the optimizer object for users who own the loop (``optimize`` is built on it).

The optimizer connects the pieces in one direction: space -> table -> algorithm -> assignment
-> decoded typed value -> (objective, run by the caller) -> trial -> storage.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Mapping, Sequence
from typing import Any, Generic, TypeVar, cast, overload

import attrs
import numpy as np

from typedspace.algorithms import (
    Algorithm,
    LearnsFromCurves,
    LearnsFromPruned,
    Proposer,
    default_algorithm,
)
from typedspace.algorithms._base import LearnsOutcomes
from typedspace.backends._describe import KEY, describe_table
from typedspace.backends._flatten import FlatSpace, flatten
from typedspace.backends._serialize import to_json
from typedspace.backends._table import Assignment
from typedspace.errors import (
    BudgetExhausted,
    DecodeError,
    InvalidLoss,
    InvalidReturnType,
    StudyMismatch,
    TrialPruned,
)
from typedspace.nodes import Space
from typedspace.nodes._base import check_int
from typedspace.pruners import Pruner
from typedspace.run._objective import ObjectiveResult, check_loss
from typedspace.run._objectives import (
    OBJECTIVES_KEY,
    Constraints,
    Evaluation,
    Objective,
    Objectives,
    read_output,
    read_values,
    violation,
)
from typedspace.run._report import Report, Reporting, furthest
from typedspace.storage import InMemoryStorage, Reclaiming, SQLiteStorage, Storage, StudyInfo
from typedspace.storage._records import ErrorInfo, Trial, TrialRecord, TrialState, best_of
from typedspace.storage._study import check_fits

T = TypeVar("T")


@attrs.frozen
class OptimizerSettings:
    """How an ``Optimizer`` runs its study, fixed at construction.

    ``max_trials``: when set, ``ask`` never makes the study's counted (not cancelled) trials
    exceed it; the storage checks it atomically, so processes sharing a study never overshoot.
    """

    seed: int | None = None
    study: str = "default"
    allow_space_change: bool = False
    max_trials: int | None = None


def _space_json(flat: FlatSpace) -> str | None:
    """The space as JSON, stored with the study so it can be read back without the code
    (None when the space holds functions or custom distributions that cannot be serialized)."""
    try:
        return to_json(flat.space, indent=None)
    except Exception:
        return None


def _check_objectives(
    objectives: object, constraints: object
) -> tuple[Objectives | None, Constraints | bool | None]:
    """The checked ``objectives=`` and ``constraints=`` of an optimizer."""
    if isinstance(objectives, Objective):
        objectives = Objectives((objectives,))
    if objectives is not None and not isinstance(objectives, Objectives):
        raise TypeError(
            "objectives must be declared with minimize/maximize, such as "
            f'minimize("error") & maximize("accuracy"), got {objectives!r}'
        )
    if objectives is not None and len(objectives) == 0:
        raise ValueError("objectives: at least one objective is needed")
    if constraints is not None and not (constraints is True or callable(constraints)):
        raise TypeError(
            "constraints must be a function of the objective's output (returning a bool, a "
            "number <= 0 when satisfied, or a sequence of those) or True (the objective "
            f"returns Outcome(constraints=...)), got {constraints!r}"
        )
    return objectives, constraints


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
        max_trials: int | None = None,
        pruner: Pruner | None = None,
        objectives: Objectives | None = None,
        constraints: Constraints | bool | None = None,
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
        max_trials: int | None = None,
        pruner: Pruner | None = None,
        objectives: Objectives | None = None,
        constraints: Constraints | bool | None = None,
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
        max_trials: int | None = None,
        pruner: Pruner | None = None,
        objectives: Objectives | None = None,
        constraints: Constraints | bool | None = None,
    ) -> None:
        if seed is not None:  # what numpy.random.default_rng takes
            seed = check_int("Optimizer", "seed", seed, minimum=0)
        if max_trials is not None:
            max_trials = check_int("Optimizer", "max_trials", max_trials, minimum=0)
        if not isinstance(study, str):
            raise TypeError(f"Optimizer: study must be a str (the study's name), got {study!r}")
        if not study:
            raise ValueError("Optimizer: study must be a non-empty name, got ''")
        self.settings = OptimizerSettings(seed, study, allow_space_change, max_trials)
        self.flat = flatten(space)
        if not self.flat.table.params:
            raise ValueError(
                "Optimizer: the space has no parameter to search: every part of it is a "
                "constant, so every trial would evaluate the same value (sample(space) gives it)"
            )
        if pruner is not None and not callable(getattr(pruner, "prune", None)):
            raise TypeError(
                f"Optimizer: pruner must be a pruner such as MedianPruner(), got {pruner!r}"
            )
        self.pruner = pruner
        self._reporting: Reporting | None = None
        # Without algo=, the budget decides (GP for a few dozen trials, more with a pruner);
        # several objectives need an algorithm that ranks loss vectors: TPE.
        self.algorithm = (
            algo
            if algo is not None
            else default_algorithm(
                max_trials if objectives is None else None, pruning=pruner is not None
            )
        )
        if not isinstance(self.algorithm, Algorithm):
            raise TypeError(f"algo must be an Algorithm such as TPE(), got {algo!r}")
        self.objectives, self.constraints = _check_objectives(objectives, constraints)
        self.storage = open_storage(storage)
        self.study = study
        info = StudyInfo(
            name=study,
            space_fingerprint=self.flat.table.fingerprint(),
            space_text=self.flat.table.text(),
            algorithm=repr(self.algorithm),
            seed=seed,
            created=time.time(),
            space_json=_space_json(self.flat),
            # A data-only table, so the study can be inspected without the user's code.
            attributes={KEY: describe_table(self.flat.table), **self._objectives_attribute()},
        )
        self.info = self.storage.open_study(info, allow_space_change=allow_space_change)
        self._check_study_objectives()
        existing = len(self.storage.trials(study))
        # A resumed study continues from a different but still reproducible random state.
        entropy = seed if existing == 0 else ([seed, existing] if seed is not None else None)
        self._proposer: Proposer = self.algorithm.start(
            self.flat.table, np.random.default_rng(entropy)
        )
        if len(self.objectives or ()) > 1 and not isinstance(self._proposer, LearnsOutcomes):
            raise TypeError(
                f"Optimizer: {self.algorithm!r} learns from a single loss; for several "
                "objectives use TPE(), NSGA2() or RandomSearch()"
            )
        self._told: set[int] = set()
        # Incremental sync: records before ``_seen`` were read; of those, ``_open`` are running.
        self._seen = 0
        self._open: set[int] = set()
        self._cancelled = 0
        self._queue: list[dict[str, float | int]] = []
        self._values: dict[int, T] = {}
        self._trials: dict[int, tuple[TrialRecord, Trial[T]]] = {}

    # -- reading the study -------------------------------------------------------------------
    def _sync(self) -> Sequence[TrialRecord]:
        """Read the study from storage and tell the algorithm every newly finished trial.

        Only new records and the ones still running are examined, so a sync costs the same
        at trial 10 and at trial 10,000 (records are numbered 0, 1, ... by the storage).
        """
        records = self.storage.trials(self.study)
        if any(records[i].number != i for i in (0, len(records) - 1) if records):
            self._seen, self._open = 0, set()  # not numbered by position: examine all
        # A stored row that does not fit the space (damaged, hand-edited) is refused in one
        # line naming it; after allow_space_change, earlier trials follow another space.
        same_space = self.info.space_fingerprint == self.flat.table.fingerprint()
        for i in [*sorted(self._open), *range(self._seen, len(records))]:
            record = records[i]
            if i >= self._seen and same_space:
                check_fits(self.flat.table, self.study, record)
            if not record.state.finished:
                self._open.add(i)
                continue
            self._open.discard(i)
            if record.number in self._told:
                continue
            if record.state is TrialState.CANCELLED:
                self._cancelled += 1
            elif record.values is not None or record.constraints is not None:
                self._tell_outcome(record)
            else:
                self._tell_loss(record)
            self._told.add(record.number)
        self._seen = len(records)
        return records

    def _tell_loss(self, record: TrialRecord) -> None:
        """Tell the algorithm a finished trial of a single-loss study (with its curve first,
        when it reported one and the algorithm reads curves)."""
        if record.intermediate and isinstance(self._proposer, LearnsFromCurves):
            self._proposer.tell_curve(record.number, record.intermediate)
        if record.state is TrialState.PRUNED and isinstance(self._proposer, LearnsFromPruned):
            step, value = furthest(record.intermediate)
            if record.intermediate_vectors and not record.intermediate:
                # Vectors of several objectives: ranked by how far the trial went.
                step = max(s for s, _ in record.intermediate_vectors)
            self._proposer.tell_pruned(record.number, record.assignment, step, value)
        else:
            loss = record.loss if record.state is TrialState.OK else None
            self._proposer.tell(record.number, record.assignment, loss)

    def _objectives_attribute(self) -> dict[str, Any]:
        """What the study stores about its objectives (nothing for a single loss)."""
        if self.objectives is None:
            return {}
        return {OBJECTIVES_KEY: self.objectives.to_json()}

    def _check_study_objectives(self) -> None:
        """A stored study is continued with the objectives it was created with."""
        stored = Objectives.from_json(self.info.attributes.get(OBJECTIVES_KEY))
        mine = self.objectives
        if (stored is None) != (mine is None) or (
            stored is not None and mine is not None and stored.to_json() != mine.to_json()
        ):

            def shown(o: Objectives | None) -> str:
                if o is None:
                    return "a single loss"
                return " & ".join(f"{d}({n!r})" for n, d in zip(o.names, o.directions, strict=True))

            raise StudyMismatch(
                f"study {self.study!r} was created with objectives {shown(stored)}, not "
                f"{shown(mine)}; give the new objectives another study= name"
            )

    def _tell_outcome(self, record: TrialRecord) -> None:
        """Tell the proposer a finished trial of a study with several objectives or
        constraints: its loss vector (None: failed or pruned) and its total violation.  A
        proposer that cannot weigh them is told the loss of a feasible trial only."""
        proposer = self._proposer
        if not isinstance(proposer, LearnsOutcomes):
            ok = record.state is TrialState.OK and violation(record.constraints) == 0
            proposer.tell(record.number, record.assignment, record.loss if ok else None)
            return
        losses: tuple[float, ...] | None = None
        if record.state is TrialState.OK:
            if record.values is not None and self.objectives is not None:
                losses = self.objectives.losses(record.values)
            elif record.loss is not None:
                losses = (record.loss,)
        proposer.tell_outcome(
            record.number, record.assignment, losses, violation(record.constraints)
        )

    def reporting(self) -> Reporting:
        """Where the trials' reports go (with several objectives, how vectors are read); one
        value per optimizer, so that its curves are built once across reports."""
        if self._reporting is None or self._reporting.pruner is not self.pruner:
            objectives = self.objectives
            if objectives is None or len(objectives) < 2:
                self._reporting = Reporting(self.storage, self.study, self.pruner)
            else:
                self._reporting = Reporting(
                    self.storage,
                    self.study,
                    self.pruner,
                    functools.partial(read_values, objectives=objectives),
                    objectives.losses((1.0,) * len(objectives)),
                )
        return self._reporting

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

    @property
    def trials(self) -> list[Trial[T]]:
        """Every trial of the study (including other processes' trials), by number."""
        trials = []
        for record in self._sync():
            # The storages hand back the same record object while its row is unchanged, so a
            # loop asking after every trial (early_stop) rebuilds only the trials that moved.
            cached = self._trials.get(record.number)
            if cached is None or cached[0] is not record:
                value = self._decode(record.number, record.assignment)
                cached = (record, Trial.from_record(record, value))
                self._trials[record.number] = cached
            trials.append(cached[1])
        return trials

    @property
    def best_trial(self) -> Trial[T]:
        """The finished trial with the lowest loss (ties: the earliest)."""
        return best_of(self.trials)

    # -- proposing ---------------------------------------------------------------------------
    def enqueue(self, assignment: Assignment, *, first: bool = False) -> None:
        """Evaluate ``assignment`` before any proposal of the algorithm (validated now);
        ``first`` puts it ahead of the assignments already queued."""
        clean = self.flat.table.validate(assignment)
        self._queue.insert(0 if first else len(self._queue), clean)

    @property
    def queued(self) -> tuple[dict[str, float | int], ...]:
        """The assignments waiting to be evaluated before any new proposal, in order."""
        return tuple(self._queue)

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
        limit = self.settings.max_trials
        number = self.storage.start_trial(self.study, assignment, started, limit=limit)
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
    def tell(
        self,
        trial: Trial[T],
        result: ObjectiveResult | TrialPruned | tuple[float, ...] | Mapping[str, float],
    ) -> Trial[T]:
        """Finish ``trial`` with the objective's result (``TrialPruned()``: it was pruned).
        With several objectives: a tuple or mapping of their values, or ``Outcome(values=)``
        holding any record.  A non-finite loss makes it a failed
        trial (``InvalidLoss`` is its error); something that is not a number at all fails it
        too, then raises ``InvalidReturnType`` (a bug in the caller, not a result)."""
        if isinstance(result, TrialPruned):
            return self.tell_pruned(trial)
        try:
            if self.objectives is None and self.constraints is None:
                loss, extra = check_loss(result)
                evaluation = Evaluation(loss, None, None, extra)
            else:
                evaluation = read_output(result, self.objectives, self.constraints)
        except InvalidReturnType as error:
            self.tell_failure(trial, error)
            raise
        except InvalidLoss as error:
            return self.tell_failure(trial, error)
        return self._finish(
            attrs.evolve(
                trial,
                state=TrialState.OK,
                loss=evaluation.loss,
                extra=dict(evaluation.extra),
                values=evaluation.values,
                constraints=evaluation.constraints,
            )
        )

    def report(
        self,
        trial: Trial[T],
        step: int | float,
        value: float | Sequence[float] | Mapping[str, float],
    ) -> bool:
        """Keep ``value`` at ``step`` for running ``trial`` (durably) and return whether the
        study's pruner stops it there; then finish it with ``tell(trial, TrialPruned())``.

        >>> from typedspace import Uniform
        >>> from typedspace.errors import TrialPruned
        >>> from typedspace.pruners import MedianPruner
        >>> opt = Optimizer(Uniform(0.0, 1.0), pruner=MedianPruner(min_trials=1), seed=0)
        >>> first = opt.ask()
        >>> opt.report(first, 1, 0.2), opt.tell(first, 0.2).state.value
        (False, 'ok')
        >>> second = opt.ask()
        >>> opt.report(second, 1, 0.9)
        True
        >>> opt.tell(second, TrialPruned()).state.value
        'pruned'
        """
        report = Report(self.reporting(), trial.number)
        stored = self.storage.trials(self.study)[trial.number]
        # Each step once, across calls.
        report.reported.update(step for step, _ in stored.intermediate)
        report.reported.update(step for step, _ in stored.intermediate_vectors)
        try:
            report.report(step, value)
        except TrialPruned:
            return True
        return False

    def tell_pruned(self, trial: Trial[T]) -> Trial[T]:
        """Finish ``trial`` as pruned: it keeps the values it reported, and has no loss."""
        return self._finish(attrs.evolve(trial, state=TrialState.PRUNED))

    def tell_failure(self, trial: Trial[T], error: BaseException | str) -> Trial[T]:
        """Finish ``trial`` as failed, keeping the exception's type, message and traceback."""
        info = (
            ErrorInfo("Error", error) if isinstance(error, str) else ErrorInfo.from_exception(error)
        )
        return self._finish(attrs.evolve(trial, state=TrialState.FAILED, error=info))

    def cancel(self, trial: Trial[T], reason: str = "cancelled") -> Trial[T]:
        """Finish ``trial`` as cancelled (it does not count as evaluated)."""
        return self._finish(
            attrs.evolve(trial, state=TrialState.CANCELLED, error=ErrorInfo("Cancelled", reason))
        )

    def _finish(self, trial: Trial[T]) -> Trial[T]:
        if trial.state is TrialState.RUNNING:
            raise ValueError("a finished trial needs a final state")
        done = attrs.evolve(trial, finished=time.time())
        self.storage.finish_trial(self.study, done.to_record())
        if done.state is TrialState.PRUNED:  # its reports are in storage
            stored = self.storage.trials(self.study)[done.number]
            done = attrs.evolve(
                done,
                intermediate=stored.intermediate,
                intermediate_vectors=stored.intermediate_vectors,
            )
        return done
