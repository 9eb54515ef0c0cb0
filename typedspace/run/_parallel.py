"""Parallel evaluation: trials run on an executor's workers while the loop proposes more.

The runner keeps up to ``max_pending`` trials running.  New trials are asked for together
(``optimizer.ask(n)``) and the proposer sees the running ones as pending, so workers do not
all get the same point.

What happens when things go wrong:

* **A worker process dies** (``os._exit``, a signal, the out-of-memory killer).  A stdlib
  process pool then breaks: every trial running in it fails with ``BrokenProcessPool``,
  and nothing says which one killed its worker.  The run replaces the pool.  When one trial
  was in the pool, it is the culprit: FAILED with ``WorkerDied``.  When several were, they
  are all suspects: their trials are CANCELLED (they do not count towards ``max_evals``) and
  their assignments re-run *one at a time*, each alone in the pool, before anything new
  starts.  A suspect that breaks the pool again is then certainly the culprit and FAILED
  with ``WorkerDied``; the innocent ones finish normally.  The pool may also break between
  two submissions, so that ``submit`` itself raises ``BrokenProcessPool``: the trials not
  sent yet never ran, so they are CANCELLED and their assignments evaluated again first,
  and the trials that were running are handled as above.  A Dask worker death only affects
  its own task, which Dask itself re-runs (see ``_workers._dask``); when Dask gives up
  (``KilledWorker``) the trial is FAILED with ``WorkerDied``.
* **Ctrl-C**: running trials are CANCELLED and the run returns ``"interrupted"``.  A pool the
  run owns (``executor="processes"``) has its workers terminated; in a pool you passed in,
  calls already running cannot be stopped and finish in the background, unrecorded.
* **timeout** (and the other stopping rules): no new trial starts; the running ones are
  waited for and recorded.  Suspects not yet re-run stay CANCELLED.  ``max_evals`` is not
  such a rule while suspects wait: they do not count, so the budget has room for them.
"""

from __future__ import annotations

import collections
import concurrent.futures as cf
import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any, Generic, TypeVar

from typedspace.errors import WorkerDied
from typedspace.run._loop import Loop
from typedspace.run._progress import ProgressBar
from typedspace.run._workers import Workers, resolve
from typedspace.storage import SQLiteStorage
from typedspace.storage._records import Trial

T = TypeVar("T")

_INTERRUPTED = "interrupted (KeyboardInterrupt)"
_SUSPECT = (
    "the process pool broke (a worker died) while this trial was running with others; "
    "its assignment is re-run alone"
)
_UNSENT = (
    "the process pool broke (a worker died) before this trial was sent to it; "
    "its assignment is evaluated again"
)


def run_parallel(loop: Loop[T], executor: Any, max_pending: int | None, bar: ProgressBar) -> str:
    """Run trials on ``executor`` until a stopping rule fires; return the stop reason."""
    workers = resolve(executor, max_pending, loop.objective)
    reporting = loop.reporting
    shared = reporting is None or isinstance(reporting.storage, SQLiteStorage)
    if not shared and not workers.shares_memory:
        workers.close()
        raise ValueError(
            "optimize: the objective reports intermediate values (it takes a Report), and "
            "its trials run in other processes, which must share them: give storage= a "
            "SQLite file (or run them in threads)"
        )
    runner = _Runner(loop, workers, max_pending or workers.default_slots, bar)
    interrupted = False
    try:
        # Also while cancelling: a second Ctrl-C must not leave trials RUNNING.
        with runner.interrupts.installed():
            try:
                return runner.run()
            except KeyboardInterrupt:
                interrupted = True
                runner.cancel_running(_INTERRUPTED)
                return "interrupted"
            except BaseException:
                # catch=False re-raised a trial's error, or storage failed: none left RUNNING.
                runner.cancel_running("the run stopped on an error")
                raise
    finally:
        workers.close(interrupted=interrupted)


class _Runner(Generic[T]):
    """The state of one parallel run: running futures and suspects awaiting a re-run."""

    def __init__(self, loop: Loop[T], workers: Workers, slots: int, bar: ProgressBar) -> None:
        self.loop = loop
        self.workers = workers
        self.slots = slots
        self.bar = bar
        self.running: dict[cf.Future[Any], Trial[T]] = {}
        # Assignments of trials cancelled by a pool break, to be re-run each on its own.
        self.suspects: collections.deque[dict[str, float | int]] = collections.deque()
        self.interrupts = _Interrupts()

    def run(self) -> str:
        reason: str | None = None
        self.bar.update(self.loop.counted(), self.loop.best)
        while True:
            self.interrupts.check()
            if reason in (None, "max_evals"):
                # The other rules stop launching for good; the budget is freed again when
                # a broken pool cancels suspects, which must then be re-run.
                reason = self.loop.stop_reason()
            if reason is None and not self._launch():
                continue  # the pool broke: its trials are recorded; check the rules again
            if not self.running:
                # Nothing could start: the budget is gone (possibly taken by other processes).
                return reason or self.loop.stop_reason() or "max_evals"
            with self.interrupts.allowed():
                done, _ = cf.wait(self.running, return_when=cf.FIRST_COMPLETED)
            self._collect(done)
            self.bar.update(self.loop.counted(), self.loop.best)

    def _launch(self) -> bool:
        """Start trials in the free slots; a suspect only starts in an empty pool.  False
        when the pool turned out broken (and was replaced): launch again."""
        optimizer = self.loop.optimizer
        suspect = bool(self.suspects)
        if suspect:
            if self.running:
                return True  # wait until the suspect can run alone
            # First in the queue, so ask() starts exactly this assignment next.
            optimizer.enqueue(self.suspects.popleft(), first=True)
            trials = optimizer.ask(1)
        else:
            free = min(self.slots - len(self.running), self.loop.budget())
            trials = optimizer.ask(free) if free > 0 else []
        for i, trial in enumerate(trials):
            try:
                future = self.loop.submit(self.workers.submit, trial)
            except BaseException as error:
                died = self.workers.breaks_pool and self.workers.died(error)
                self._unsent(trials[i:], died, suspect)
                if not died:
                    raise
                self._replace_broken_pool()
                return False
            self.running[future] = trial
        return True

    def _unsent(self, trials: list[Trial[T]], died: bool, suspect: bool) -> None:
        """Finish the trials started in storage but never sent to a worker: none may stay
        RUNNING.  When a worker died since the last wait, the pool broke before they reached
        it: they never ran, so they are innocent and evaluated again first (a suspect still
        alone).  Otherwise the executor refused them (shut down before the run, a closed
        Dask client) and the error ends the run."""
        optimizer = self.loop.optimizer
        for trial in trials:
            optimizer.cancel(trial, _UNSENT if died else "the executor refused the trial")
        if died and suspect:
            self.suspects.appendleft(dict(trials[0].assignment))
        elif died:
            for trial in reversed(trials):
                optimizer.enqueue(trial.assignment, first=True)

    def _collect(self, done: set[cf.Future[Any]]) -> None:
        """Record finished futures; a broken pool is handled as a whole."""
        if self.workers.breaks_pool and any(self.workers.died(f.exception()) for f in done):
            self._replace_broken_pool()
        else:
            for future in sorted(done, key=lambda f: self.running[f].number):
                self._record(future)

    def _replace_broken_pool(self) -> None:
        """A worker died and broke the pool: record every trial that was running in it (the
        culprit when it ran alone, else suspects), and go on with a fresh pool."""
        # Every future of a broken pool completes promptly; take them all at once.
        done = set(self.running)
        cf.wait(done)
        broken = [f for f in done if self.workers.died(f.exception())]
        self.workers.replace_broken()
        for future in sorted(done, key=lambda f: self.running[f].number):
            if future in broken and len(broken) > 1:
                trial = self.running.pop(future)
                self.loop.optimizer.cancel(trial, _SUSPECT)
                self.suspects.append(dict(trial.assignment))
            else:
                self._record(future)

    def _record(self, future: cf.Future[Any]) -> None:
        trial = self.running[future]
        error = future.exception()
        if isinstance(error, KeyboardInterrupt):
            # Ctrl-C reached the worker too (same process group): the run is interrupted.
            raise KeyboardInterrupt
        del self.running[future]
        if self.workers.died(error):
            error = WorkerDied(
                f"the worker process evaluating trial {trial.number} died "
                f"({type(error).__name__}: {error})"
            )
        if error is not None:
            self.loop.record(trial, None, None, error)
        else:
            loss, extra = self.loop.unpack(future.result())
            self.loop.record(trial, loss, extra, None)

    def cancel_running(self, reason: str) -> None:
        for future, trial in self.running.items():
            future.cancel()
            self.loop.optimizer.cancel(trial, reason)
        self.running.clear()


class _Interrupts:
    """Ctrl-C acts only while the run waits for trials, never between starting a trial (in
    storage) and submitting it, or between a result and its record: no trial is left
    RUNNING.  A Ctrl-C that arrives elsewhere is held and acted on at the next check.

    Only the default handler is replaced, and only in the main thread (the only one that
    gets signals); a handler of the user's own is left alone.
    """

    def __init__(self) -> None:
        self.pending = False
        self.waiting = False

    def _handler(self, signum: int, frame: FrameType | None) -> None:
        if self.waiting:
            raise KeyboardInterrupt
        self.pending = True

    def check(self) -> None:
        if self.pending:
            self.pending = False
            raise KeyboardInterrupt

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        mine = (
            threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler
        )
        if mine:
            signal.signal(signal.SIGINT, self._handler)
        try:
            yield
        finally:
            if mine:
                signal.signal(signal.SIGINT, signal.default_int_handler)

    @contextlib.contextmanager
    def allowed(self) -> Iterator[None]:
        self.check()
        self.waiting = True
        try:
            yield
        finally:
            self.waiting = False
