"""The optimization loop: ``optimize(objective, space, algo)`` returns the best typed value.

Built on the ask/tell ``Optimizer``: the loop only decides how many trials run at once, calls
the objective (inline, or on an executor's workers) and applies the stopping rules.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar, overload

import attrs

from typedspace._encode import encode
from typedspace._optimizer import Optimizer, best_of
from typedspace._progress import ProgressBar
from typedspace._stopping import EarlyStop
from typedspace._table import Assignment
from typedspace._trial import ObjectiveResult, Outcome, Trial, TrialState, check_loss
from typedspace.algorithms import Algorithm
from typedspace.nodes import Space
from typedspace.storage import BudgetExhausted, Storage

T = TypeVar("T")


@attrs.frozen
class Result(Generic[T]):
    """The trials of a study after a run, and the best of them.

    ``best`` is a value of the space's type; ``stop_reason`` says why the run ended
    (``max_evals``, ``timeout``, ``loss_threshold``, ``early_stop`` or ``interrupted``).
    """

    trials: tuple[Trial[T], ...]
    stop_reason: str

    @property
    def best_trial(self) -> Trial[T]:
        """The finished trial with the lowest loss (raises ``NoSuccessfulTrial`` if none)."""
        return best_of(self.trials)

    @property
    def best(self) -> T:
        """The best configuration found, as a typed value."""
        return self.best_trial.value

    @property
    def best_loss(self) -> float:
        loss = self.best_trial.loss
        assert loss is not None
        return loss

    @property
    def failed(self) -> tuple[Trial[T], ...]:
        """The trials that failed, with their errors."""
        return tuple(t for t in self.trials if t.state is TrialState.FAILED)


def evaluate(objective: Callable[[Any], object], value: Any) -> tuple[float, Mapping[str, Any]]:
    """Run the objective and check its result (raises what the objective raised, or
    ``InvalidLoss``).  Module-level so that process pools can pickle it."""
    return check_loss(objective(value))


def _check_points(
    optimizer: Optimizer[T],
    points: Sequence[T],
    assignments: Sequence[Assignment],
) -> None:
    """Queue the starting points that the study has not evaluated yet (resume-safe)."""
    done = [dict(t.assignment) for t in optimizer.trials if t.state is not TrialState.CANCELLED]
    done += [dict(a) for a in optimizer._queue]  # re-queued interrupted trials come first
    for a in [encode(optimizer.flat.space, p) for p in points] + [dict(a) for a in assignments]:
        clean = optimizer.flat.table.validate(a)
        if clean not in done:
            optimizer.enqueue(clean)
            done.append(clean)


@overload
def optimize(
    objective: Callable[[T], ObjectiveResult],
    space: Space[T],
    algo: Algorithm | None = None,
    *,
    max_evals: int = 100,
    timeout: float | None = None,
    seed: int | None = None,
    loss_threshold: float | None = None,
    early_stop: EarlyStop | None = None,
    points_to_evaluate: Sequence[T] = (),
    assignments_to_evaluate: Sequence[Assignment] = (),
    catch: bool = True,
    progress: bool | None = None,
    storage: Storage | str | os.PathLike[str] | None = None,
    study: str = "default",
    allow_space_change: bool = False,
    requeue_interrupted: bool = False,
    executor: cf.Executor | Any | None = None,
    max_pending: int | None = None,
) -> Result[T]: ...
@overload
def optimize(
    objective: Callable[[dict[str, Any]], ObjectiveResult],
    space: Mapping[str, object],
    algo: Algorithm | None = None,
    *,
    max_evals: int = 100,
    timeout: float | None = None,
    seed: int | None = None,
    loss_threshold: float | None = None,
    early_stop: EarlyStop | None = None,
    points_to_evaluate: Sequence[Mapping[str, Any]] = (),
    assignments_to_evaluate: Sequence[Assignment] = (),
    catch: bool = True,
    progress: bool | None = None,
    storage: Storage | str | os.PathLike[str] | None = None,
    study: str = "default",
    allow_space_change: bool = False,
    requeue_interrupted: bool = False,
    executor: cf.Executor | Any | None = None,
    max_pending: int | None = None,
) -> Result[dict[str, Any]]: ...
def optimize(
    objective: Callable[[Any], ObjectiveResult],
    space: Space[Any] | Mapping[str, object],
    algo: Algorithm | None = None,
    *,
    max_evals: int = 100,
    timeout: float | None = None,
    seed: int | None = None,
    loss_threshold: float | None = None,
    early_stop: EarlyStop | None = None,
    points_to_evaluate: Sequence[Any] = (),
    assignments_to_evaluate: Sequence[Assignment] = (),
    catch: bool = True,
    progress: bool | None = None,
    storage: Storage | str | os.PathLike[str] | None = None,
    study: str = "default",
    allow_space_change: bool = False,
    requeue_interrupted: bool = False,
    executor: cf.Executor | Any | None = None,
    max_pending: int | None = None,
) -> Result[Any]:
    """Minimize ``objective`` over ``space`` and return the trials and the best typed value.

    ``max_evals`` is the total number of trials of the study (a resumed study counts the trials
    it already has).  ``timeout`` (seconds) stops launching trials once elapsed.  A trial whose
    objective raises, or returns NaN/inf or a non-number, is recorded as failed and the run goes
    on (``catch=False`` re-raises instead).  Ctrl-C ends the run cleanly: finished trials are
    kept and the result says ``stop_reason == "interrupted"``.

    ``storage="runs.db"`` keeps the study ``study`` in a SQLite file (the default, None, keeps
    it in memory).  Calling ``optimize`` again with the same file and study resumes it; trials
    left running by a process that died become failed trials (``requeue_interrupted=True``
    evaluates their assignments again first instead).  Several processes may run ``optimize``
    on one study at once: together they start exactly ``max_evals`` trials (the count is
    checked atomically by the storage), and each sees the others' running trials.

    ``executor`` runs trials in parallel: a ``concurrent.futures`` executor (thread or process
    pool), a Dask ``distributed.Client``, or ``"processes"`` / ``"threads"`` for a pool of
    ``max_pending`` workers that the run creates and shuts down.  ``max_pending`` (default: the
    pool's worker count) trials run at once.  A worker process that dies fails its trial with
    ``WorkerDied`` and the run goes on; a timeout waits for the running trials; Ctrl-C cancels
    them.  See ``docs/guide/parallel.md``.

    >>> from typedspace import Uniform
    >>> from typedspace.algorithms import RandomSearch
    >>> result = optimize(lambda x: (x - 0.3) ** 2, Uniform(0.0, 1.0), RandomSearch(),
    ...                   max_evals=50, seed=0)
    >>> abs(result.best - 0.3) < 0.1
    True
    """
    if max_evals < 0:
        raise ValueError(f"max_evals must not be negative, got {max_evals!r}")
    if timeout is not None and timeout <= 0:
        raise ValueError(f"timeout must be positive, got {timeout!r}")
    optimizer = Optimizer(
        space,
        algo,
        seed=seed,
        storage=storage,
        study=study,
        allow_space_change=allow_space_change,
    )
    # Trials left RUNNING by a run that died: failed, or re-queued to be evaluated first.
    optimizer.reclaim_interrupted(requeue=requeue_interrupted)
    optimizer.max_trials = max_evals  # atomic in storage: processes sharing a study never overshoot
    _check_points(optimizer, points_to_evaluate, assignments_to_evaluate)
    loop = _Loop(optimizer, objective, max_evals, timeout, loss_threshold, early_stop, catch)
    loop.requeue_interrupted = requeue_interrupted
    finished = [t.loss for t in optimizer.trials if t.loss is not None]
    loop.best = min(finished) if finished else None
    bar = ProgressBar(max_evals, enabled=progress)
    try:
        if executor is None:
            reason = loop.run_inline(bar)
        else:
            from typedspace._parallel import run_parallel

            reason = run_parallel(loop, executor, max_pending, bar)
    finally:
        bar.close()
    return Result(tuple(optimizer.trials), reason)


@attrs.define
class _Loop(Generic[T]):
    """The stopping rules and bookkeeping shared by the inline and parallel runners."""

    optimizer: Optimizer[T]
    objective: Callable[[T], ObjectiveResult]
    max_evals: int
    timeout: float | None
    loss_threshold: float | None
    early_stop: EarlyStop | None
    catch: bool
    start: float = attrs.field(factory=time.monotonic)
    best: float | None = None
    requeue_interrupted: bool = False

    def counted(self) -> int:
        """Trials that count towards max_evals: all but the cancelled ones."""
        return self.optimizer.counted()

    def budget(self) -> int:
        """How many more trials may be started now."""
        return max(0, self.max_evals - self.counted())

    def stop_reason(self) -> str | None:
        if (
            self.loss_threshold is not None
            and self.best is not None
            and self.best <= self.loss_threshold
        ):
            return "loss_threshold"
        if self.timeout is not None and time.monotonic() - self.start >= self.timeout:
            return "timeout"
        if self.early_stop is not None and self.early_stop(self.optimizer.trials):
            return "early_stop"
        if self.budget() == 0 and not self._freed_by_dead_runs():
            return "max_evals"
        return None

    def _freed_by_dead_runs(self) -> bool:
        """Before stopping at max_evals: finish the trials of runs that died meanwhile (another
        process killed while this one ran), so none stays RUNNING; True if that frees budget
        (re-queued trials do not count: this run evaluates them)."""
        return bool(self.optimizer.reclaim_interrupted(self.requeue_interrupted)) and (
            self.budget() > 0
        )

    def record(
        self,
        trial: Trial[T],
        loss: float | None,
        extra: Mapping[str, Any] | None,
        error: BaseException | None,
    ) -> Trial[T]:
        """Tell the optimizer how ``trial`` ended; re-raise failures when not catching."""
        if error is not None:
            done = self.optimizer.tell_failure(trial, error)
            if not self.catch:
                raise error
            return done
        assert loss is not None
        done = self.optimizer.tell(trial, Outcome(loss, extra or {}))
        if self.best is None or loss < self.best:
            self.best = loss
        return done

    def run_inline(self, bar: ProgressBar) -> str:
        bar.update(self.counted(), self.best)
        while (reason := self.stop_reason()) is None:
            try:
                trial = self.optimizer.ask()
            except BudgetExhausted:
                continue  # another process started the last trials: stop_reason says so
            try:
                loss, extra = evaluate(self.objective, trial.value)
            except KeyboardInterrupt:
                self.optimizer.cancel(trial, "interrupted (KeyboardInterrupt)")
                return "interrupted"
            except Exception as error:
                self.record(trial, None, None, error)
            else:
                self.record(trial, loss, extra, None)
            bar.update(self.counted(), self.best)
        return reason
