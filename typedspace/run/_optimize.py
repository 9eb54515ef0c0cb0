"""``optimize(objective, space, algo)``: the whole run in one call, and its ``Result``.

Built on the ask/tell ``Optimizer``; the ``Loop`` applies the stopping rules and runs trials
inline, ``run_parallel`` on an executor's workers.
"""

from __future__ import annotations

import concurrent.futures as cf
import functools
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar, overload

import attrs

from typedspace.algorithms import Algorithm
from typedspace.algorithms._pareto import hypervolume
from typedspace.backends._encode import encode
from typedspace.backends._table import Assignment, ParamTable
from typedspace.errors import NoSuccessfulTrial
from typedspace.nodes import Space
from typedspace.nodes._base import check_int, check_number, check_positive
from typedspace.pruners import Pruner
from typedspace.run._loop import Loop, LoopSettings
from typedspace.run._objective import ObjectiveResult
from typedspace.run._objectives import Constraints, Objectives, pareto_front, trial_losses
from typedspace.run._optimizer import Optimizer
from typedspace.run._parallel import run_parallel
from typedspace.run._progress import ProgressBar
from typedspace.run._report import Report
from typedspace.run._stopping import EarlyStop
from typedspace.storage import Storage
from typedspace.storage._records import Trial, TrialState, best_of

T = TypeVar("T")
N = TypeVar("N", int, float)


@attrs.frozen(repr=False)
class Result(Generic[T]):
    """The trials of a study after a run, and the best of them.

    ``best`` is a value of the space's type; ``stop_reason`` says why the run ended
    (``max_evals``, ``timeout``, ``loss_threshold``, ``early_stop`` or ``interrupted``);
    ``table`` is the space's parameter table (how plots show each parameter).
    """

    trials: tuple[Trial[T], ...]
    stop_reason: str
    table: ParamTable | None = attrs.field(default=None, repr=False, eq=False)
    #: The study's declared objectives (None: a single loss).
    objectives: Objectives | None = attrs.field(default=None, repr=False, eq=False)

    def __repr__(self) -> str:
        # A summary: a run's trials, each with its curve, would fill the screen.
        counts = ", ".join(
            f"{n} {state.value}"
            for state in TrialState
            if (n := sum(t.state is state for t in self.trials))
        )
        head = f"Result({len(self.trials)} trials ({counts}), stop_reason={self.stop_reason!r}"
        if self.objectives is not None:
            return f"{head}, {len(self.pareto)} on the Pareto front)"
        try:
            best = self.best_trial
        except NoSuccessfulTrial:
            return f"{head}, no successful trial)"
        return f"{head}, best trial {best.number}: loss {best.loss:.6g}, {best.value!r})"

    @property
    def pareto(self) -> list[Trial[T]]:
        """The feasible finished trials that no other feasible finished trial dominates, by
        number (with a single loss: the trials sharing the best loss)."""
        return pareto_front(self.trials, self.objectives)

    def hypervolume(self, reference: Sequence[float]) -> float:
        """The hypervolume of the Pareto front for ``reference``, a point given in the
        objectives' own units and directions (a maximized objective's reference is a floor
        below every value that counts)."""
        front = [trial_losses(t, self.objectives) for t in self.pareto]
        ref = self.objectives.losses(reference) if self.objectives else tuple(reference)
        return hypervolume(front, ref) if front else 0.0

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

    @property
    def pruned(self) -> tuple[Trial[T], ...]:
        """The trials the pruner stopped, with the values they reported."""
        return tuple(t for t in self.trials if t.state is TrialState.PRUNED)


_OWNER = "optimize"
#: Trials of a run when neither ``max_evals`` nor a ``timeout`` or ``early_stop`` bounds it.
DEFAULT_MAX_EVALS = 100


def _optional(check: Callable[[str, str, object], N], field: str, value: object) -> N | None:
    """``check`` an argument of ``optimize`` unless it is None."""
    return None if value is None else check(_OWNER, field, value)


def _check_points(
    optimizer: Optimizer[T],
    points: Sequence[T],
    assignments: Sequence[Assignment],
) -> None:
    """Queue the starting points that the study has not evaluated yet (resume-safe)."""
    done = [dict(t.assignment) for t in optimizer.trials if t.state is not TrialState.CANCELLED]
    done += optimizer.queued  # re-queued interrupted trials come first
    for a in [encode(optimizer.flat.space, p) for p in points] + [dict(a) for a in assignments]:
        clean = optimizer.flat.table.validate(a)
        if clean not in done:
            optimizer.enqueue(clean)
            done.append(clean)


@overload
def optimize(
    objective: Callable[[T], ObjectiveResult] | Callable[[T, Report], ObjectiveResult],
    space: Space[T],
    algo: Algorithm | None = None,
    *,
    max_evals: int | None = None,
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
    pruner: Pruner | None = None,
    objectives: None = None,
    constraints: Constraints | bool | None = None,
) -> Result[T]: ...
@overload
def optimize(
    objective: Callable[[dict[str, Any]], ObjectiveResult]
    | Callable[[dict[str, Any], Report], ObjectiveResult],
    space: Mapping[str, object],
    algo: Algorithm | None = None,
    *,
    max_evals: int | None = None,
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
    pruner: Pruner | None = None,
    objectives: None = None,
    constraints: Constraints | bool | None = None,
) -> Result[dict[str, Any]]: ...
@overload
def optimize(
    objective: Callable[[T], object] | Callable[[T, Report], object],
    space: Space[T],
    algo: Algorithm | None = None,
    *,
    max_evals: int | None = None,
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
    pruner: Pruner | None = None,
    objectives: Objectives,
    constraints: Constraints | bool | None = None,
) -> Result[T]: ...
@overload
def optimize(
    objective: Callable[[dict[str, Any]], object] | Callable[[dict[str, Any], Report], object],
    space: Mapping[str, object],
    algo: Algorithm | None = None,
    *,
    max_evals: int | None = None,
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
    pruner: Pruner | None = None,
    objectives: Objectives,
    constraints: Constraints | bool | None = None,
) -> Result[dict[str, Any]]: ...
def optimize(
    objective: Callable[[Any], object] | Callable[[Any, Report], object],
    space: Space[Any] | Mapping[str, object],
    algo: Algorithm | None = None,
    *,
    max_evals: int | None = None,
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
    pruner: Pruner | None = None,
    objectives: Objectives | None = None,
    constraints: Constraints | bool | None = None,
) -> Result[Any]:
    """Minimize ``objective`` over ``space`` and return the trials and the best typed value.

    ``algo`` None (the default) picks by the budget: ``GP()`` for ``max_evals`` up to 64
    (192 with a pruner: most trials then stop early), else ``TPE()`` (see
    ``typedspace.algorithms.default_algorithm``).

    ``max_evals`` is the total number of trials of the study (a resumed study counts the trials
    it already has); None (the default) means 100, or no limit when ``timeout`` or
    ``early_stop`` is given: the clock or the rule ends the run.  ``timeout`` (seconds) stops
    launching trials once elapsed.  A trial whose objective raises, or returns NaN or inf, is
    recorded as failed and the run goes on (``catch=False`` re-raises instead), with two
    exceptions, because they are bugs rather than results: an objective that returns something
    other than a number (a Hyperopt result dict, None) raises ``InvalidReturnType`` at once, and
    an error raised by each of the first 5 trials of a run, while no trial has succeeded, is
    re-raised.  Ctrl-C ends the run cleanly: finished trials are
    kept and the result says ``stop_reason == "interrupted"``.

    An objective with a second parameter gets a ``Report``: it calls ``report(step, value)``
    after each epoch, fold or budget step, and ``pruner`` (``typedspace.pruners``; None
    never stops a trial) may stop it there: ``report`` raises ``TrialPruned``, the trial is
    recorded as PRUNED with the values it reported and no loss, counts towards ``max_evals``,
    and TPE learns from it.  See ``docs/guide/pruning.md``.

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

    Arguments are checked before anything runs (numpy numbers count as numbers, bools do
    not): ``max_evals`` is an int >= 0 or None; ``timeout`` a positive finite number or None;
    ``loss_threshold`` a finite number or None; ``seed`` an int >= 0 or None; ``study`` a
    non-empty name; ``max_pending`` an int >= 1, and only with an ``executor``.

    >>> from typedspace import Uniform
    >>> from typedspace.algorithms import RandomSearch
    >>> result = optimize(lambda x: (x - 0.3) ** 2, Uniform(0.0, 1.0), RandomSearch(),
    ...                   max_evals=50, seed=0)
    >>> abs(result.best - 0.3) < 0.1
    True
    """
    max_evals = _optional(functools.partial(check_int, minimum=0), "max_evals", max_evals)
    if max_evals is None and timeout is None and early_stop is None:
        max_evals = DEFAULT_MAX_EVALS
    timeout = _optional(check_positive, "timeout", timeout)
    loss_threshold = _optional(check_number, "loss_threshold", loss_threshold)
    if loss_threshold is not None and isinstance(objectives, Objectives) and len(objectives) > 1:
        raise ValueError(
            f"{_OWNER}: loss_threshold={loss_threshold!r} needs a single loss; a study with "
            "several objectives has none (stop it with max_evals, timeout or early_stop)"
        )
    max_pending = _optional(functools.partial(check_int, minimum=1), "max_pending", max_pending)
    if max_pending is not None and executor is None:
        raise ValueError(
            f"{_OWNER}: max_pending={max_pending!r} is given without an executor; trials run "
            "one at a time unless executor= is given too"
        )
    optimizer = Optimizer(
        space,
        algo,
        seed=seed,
        storage=storage,
        study=study,
        allow_space_change=allow_space_change,
        # Checked atomically by the storage: processes sharing a study never overshoot.
        max_trials=max_evals,
        pruner=pruner,
        objectives=objectives,
        constraints=constraints,
    )
    # Trials left RUNNING by a run that died: failed, or re-queued to be evaluated first.
    optimizer.reclaim_interrupted(requeue=requeue_interrupted)
    _check_points(optimizer, points_to_evaluate, assignments_to_evaluate)
    settings = LoopSettings(
        max_evals, timeout, loss_threshold, early_stop, catch, requeue_interrupted
    )
    loop = Loop(optimizer, objective, settings)
    bar = ProgressBar(max_evals, enabled=progress, label=type(optimizer.algorithm).__name__)
    try:
        if executor is None:
            reason = loop.run_inline(bar)
        else:
            reason = run_parallel(loop, executor, max_pending, bar)
    finally:
        bar.close()
    return Result(tuple(optimizer.trials), reason, optimizer.flat.table, optimizer.objectives)
