"""The loop of one run: stopping rules, recording results, and running trials inline.

``optimize`` builds a ``Loop`` around an ``Optimizer``; the parallel runner drives the same
``Loop`` with an executor's workers instead of ``run_inline``.

A trial run inline is never left RUNNING, however its objective ends: an ``Exception`` fails
it (``catch=False`` then re-raises); Ctrl-C (``KeyboardInterrupt``) cancels it and the run
returns ``"interrupted"``; any other ``BaseException`` (``SystemExit`` from ``sys.exit``,
``GeneratorExit`` ...) means the objective asked the program to end: the trial FAILED with
that error, and the error is re-raised.  A Ctrl-C while a result is being written does not
lose it: the write is completed, then the run returns ``"interrupted"``.

Two failures stop the run even with ``catch=True``, because they are bugs, not results: an
objective that returns something other than a number (``InvalidReturnType``), and an error that
the first ``SAME_FAILURES_TO_STOP`` trials of a run all raise while no trial of the study has
succeeded (a ``NameError``, a wrong import, a typo in a field name).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

import attrs
import numpy as np

from typedspace.errors import (
    BudgetExhausted,
    InvalidLoss,
    InvalidReturnType,
    TrialPruned,
    TypedspaceError,
)
from typedspace.run._objective import Outcome, evaluate, evaluate_raw
from typedspace.run._optimizer import Optimizer
from typedspace.run._progress import ProgressBar
from typedspace.run._report import Report, Reporting, takes_report
from typedspace.run._stopping import EarlyStop
from typedspace.storage._records import Trial, TrialState

T = TypeVar("T")

#: The run re-raises an error when its first trials all fail with it (same type and message)
#: and none of the study has succeeded.  5 wastes at most 5 evaluations on a bug, while a space
#: in which half the configurations raise one same error stops wrongly only 1 time in 32; such
#: an objective can return float("nan") for those configurations instead (a failed trial that
#: does not stop the run).
SAME_FAILURES_TO_STOP = 5


@attrs.frozen
class LoopSettings:
    """The stopping rules and failure policy of a run (see ``optimize``)."""

    max_evals: int | None  # None: no limit (another rule ends the run)
    timeout: float | None = None
    loss_threshold: float | None = None
    early_stop: EarlyStop | None = None
    catch: bool = True
    requeue_interrupted: bool = False


class Loop(Generic[T]):
    """The stopping rules and bookkeeping shared by the inline and parallel runners."""

    def __init__(
        self,
        optimizer: Optimizer[T],
        objective: Callable[[T], object] | Callable[[T, Report], object],
        settings: LoopSettings,
    ) -> None:
        self.optimizer = optimizer
        self.objective = objective
        self.settings = settings
        #: Where the objective's reports go, when it takes a Report (a second argument).
        self.reporting: Reporting | None = None
        if takes_report(objective):
            self.reporting = optimizer.reporting()
        #: Several objectives or constraints: the objective's output is read by the optimizer
        #: (``evaluate_raw``), not checked as one loss where it ran.
        self.raw = optimizer.objectives is not None or optimizer.constraints is not None
        self.start = time.monotonic()
        finished = [t.loss for t in optimizer.trials if t.loss is not None and t.feasible]
        #: The best loss of the study so far (a resumed study starts from its own).
        self.best: float | None = min(finished) if finished else None
        self._asked_at = 0  # finished trials when early_stop was last asked
        #: The error the first trials of this run all failed with; None once one did not.
        self._repeated: tuple[str, str] | None = ("", "") if self.best is None else None
        self._repeats = 0

    def counted(self) -> int:
        """Trials that count towards max_evals: all but the cancelled ones."""
        return self.optimizer.counted()

    def budget(self) -> int:
        """How many more trials may be started now."""
        if self.settings.max_evals is None:
            return sys.maxsize
        return max(0, self.settings.max_evals - self.counted())

    def stop_reason(self) -> str | None:
        """Why the run must stop now, or None to go on."""
        rules = self.settings
        threshold = rules.loss_threshold
        if threshold is not None and self.best is not None and self.best <= threshold:
            return "loss_threshold"
        if rules.timeout is not None and time.monotonic() - self.start >= rules.timeout:
            return "timeout"
        if rules.early_stop is not None and self._early_stop(rules.early_stop):
            return "early_stop"
        if self.budget() == 0 and not self._freed_by_dead_runs():
            return "max_evals"
        return None

    def _early_stop(self, rule: EarlyStop) -> bool:
        """Ask ``rule`` once per newly finished trial count: never before the first trial."""
        trials = self.optimizer.trials
        finished = sum(t.state.finished for t in trials)
        if finished == 0 or finished == self._asked_at:
            return False
        self._asked_at = finished
        verdict = rule(trials)
        if not isinstance(verdict, bool | np.bool_):
            raise TypeError(
                f"early_stop returned {verdict!r}; it must return True (stop) or False.  A "
                "Hyperopt early_stop_fn returns (stop, state) and takes the state back: "
                "use typedspace.NoImprovement, or a function returning only the bool"
            )
        return bool(verdict)

    def _freed_by_dead_runs(self) -> bool:
        """Before stopping at max_evals: finish the trials of runs that died meanwhile (another
        process killed while this one ran), so none stays RUNNING; True if that frees budget
        (re-queued trials do not count: this run evaluates them)."""
        return bool(self.optimizer.reclaim_interrupted(self.settings.requeue_interrupted)) and (
            self.budget() > 0
        )

    def evaluate(self, trial: Trial[T]) -> tuple[Any, Mapping[str, Any] | None]:
        """Run the objective on ``trial`` here: (loss, extra), or (output, None) when
        ``raw``; ``submit`` gives the same work to an executor."""
        if self.raw:
            return evaluate_raw(self.objective, trial.value, self.reporting, trial.number), None
        return evaluate(self.objective, trial.value, self.reporting, trial.number)

    def submit(self, submit: Callable[..., Any], trial: Trial[T]) -> Any:
        """``submit(function, *arguments)`` the evaluation of ``trial`` (an executor's
        ``submit``); its result is what ``record`` takes (see ``unpack``)."""
        function = evaluate_raw if self.raw else evaluate
        return submit(function, self.objective, trial.value, self.reporting, trial.number)

    def unpack(self, result: Any) -> tuple[Any, Mapping[str, Any] | None]:
        """A worker's result as ``evaluate`` returns it here."""
        return (result, None) if self.raw else result

    def record(
        self,
        trial: Trial[T],
        loss: Any,
        extra: Mapping[str, Any] | None,
        error: BaseException | None,
    ) -> Trial[T]:
        """Tell the optimizer how ``trial`` ended; re-raise failures when not catching.
        ``loss`` is the checked loss, or the objective's output when ``raw``."""
        if isinstance(error, TrialPruned):
            self._repeated = None  # the objective ran: it reported
            return self.optimizer.tell_pruned(trial)
        if error is not None:
            done = self.optimizer.tell_failure(trial, error)
            if not self.settings.catch or isinstance(error, InvalidReturnType):
                raise error
            if self._fails_again(error):
                error.add_note(
                    f"typedspace: the first {self._repeats} trials of this run all failed with "
                    "this error and no trial has succeeded, so optimize stopped instead of "
                    "spending the budget (the trials are recorded as failed).  If most "
                    "configurations are meant to fail, return float('nan') for them instead."
                )
                raise error
            return done
        if self.raw:
            return self._record_output(trial, loss)
        assert loss is not None
        self._repeated = None
        done = self.optimizer.tell(trial, Outcome(loss, extra or {}))
        if self.best is None or loss < self.best:
            self.best = loss
        return done

    def _record_output(self, trial: Trial[T], output: object) -> Trial[T]:
        """Finish ``trial`` with an output read against the objectives and constraints:
        a mismatch (``InvalidReturnType``) is a bug and ends the run."""
        done = self.optimizer.tell(trial, output)  # type: ignore[arg-type]
        self._repeated = None  # the objective ran to its end
        if done.state is TrialState.FAILED and not self.settings.catch and done.error:
            raise InvalidLoss(str(done.error.message))
        loss = done.loss if done.feasible else None
        if loss is not None and (self.best is None or loss < self.best):
            self.best = loss
        return done

    def _fails_again(self, error: BaseException) -> bool:
        """Whether ``error`` makes ``SAME_FAILURES_TO_STOP`` identical failures in a row from
        the start of the run, with no success in the study."""
        if isinstance(error, InvalidLoss):
            self._repeated = None  # a NaN loss: the objective ran to its end
        if self._repeated is None or isinstance(error, TypedspaceError):
            return False  # worker deaths and timeouts say nothing about the objective's code
        signature = (type(error).__name__, str(error))
        if self._repeats and signature != self._repeated:
            self._repeated = None
            return False
        self._repeated, self._repeats = signature, self._repeats + 1
        return self._repeats >= SAME_FAILURES_TO_STOP

    def run_inline(self, bar: ProgressBar) -> str:
        bar.update(self.counted(), self.best)
        while (reason := self.stop_reason()) is None:
            try:
                trial = self.optimizer.ask()
            except BudgetExhausted:
                continue  # another process started the last trials: stop_reason says so
            outcome: tuple[Any, Mapping[str, Any] | None, BaseException | None]
            try:
                loss, extra = self.evaluate(trial)
                outcome = (loss, extra, None)
            except KeyboardInterrupt:
                self.optimizer.cancel(trial, "interrupted (KeyboardInterrupt)")
                return "interrupted"
            except Exception as error:
                outcome = (None, None, error)
            except BaseException as error:
                # SystemExit (sys.exit in the objective), GeneratorExit ...: the objective
                # asked to end the program.  Its trial FAILED with that error, then it ends.
                self.optimizer.tell_failure(trial, error)
                raise
            try:
                self.record(trial, *outcome)
            except KeyboardInterrupt:
                # Ctrl-C while the result was being written (perhaps waiting for another
                # process's lock): write it all the same, then stop; a second Ctrl-C aborts.
                self.record(trial, *outcome)
                return "interrupted"
            bar.update(self.counted(), self.best)
        return reason
