"""Parallel evaluation: trials run on an executor's workers while the loop proposes more.

Any ``concurrent.futures.Executor`` works (thread or process pool); a Dask
``distributed.Client`` is used through its ``concurrent.futures``-compatible executor.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import pickle
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any, TypeVar

from typedspace._progress import ProgressBar
from typedspace._trial import Trial

if TYPE_CHECKING:
    from typedspace._optimize import _Loop

T = TypeVar("T")


class WorkerDied(RuntimeError):
    """The worker process evaluating the trial died (killed, out of memory, crashed)."""


def as_executor(executor: Any) -> cf.Executor:
    """The executor itself, or a Dask client's ``concurrent.futures`` executor."""
    if isinstance(executor, cf.Executor):
        return executor
    get_executor = getattr(executor, "get_executor", None)
    if callable(get_executor):  # dask.distributed.Client
        result = get_executor()
        if isinstance(result, cf.Executor):
            return result
    raise TypeError(
        f"executor must be a concurrent.futures.Executor or a dask.distributed.Client, got {executor!r}"
    )


def _slots(executor: Any, max_pending: int | None) -> int:
    if max_pending is not None:
        if max_pending < 1:
            raise ValueError(f"max_pending must be at least 1, got {max_pending!r}")
        return max_pending
    workers = getattr(executor, "_max_workers", None)
    return workers if isinstance(workers, int) and workers > 0 else (os.cpu_count() or 1)


def _needs_pickle(executor: cf.Executor) -> bool:
    return not isinstance(executor, cf.ThreadPoolExecutor)


def check_picklable(objective: object) -> None:
    """Fail before anything runs when the objective cannot be sent to worker processes."""
    try:
        pickle.dumps(objective)
    except Exception as error:
        name = getattr(objective, "__qualname__", repr(objective))
        raise TypeError(
            f"the objective {name} cannot be pickled, so it cannot run in worker processes "
            f"({error}); define it at module level, or use a ThreadPoolExecutor"
        ) from error


def run_parallel(loop: _Loop[T], executor: Any, max_pending: int | None, bar: ProgressBar) -> str:
    """Keep up to ``max_pending`` trials running until a stopping rule fires; wait for the
    running ones to finish (a run never abandons a started trial except on Ctrl-C)."""
    from typedspace._optimize import evaluate

    pool = as_executor(executor)
    slots = _slots(pool, max_pending)
    if _needs_pickle(pool):
        check_picklable(loop.objective)
    running: dict[cf.Future[Any], Trial[T]] = {}
    reason: str | None = None
    try:
        while True:
            if reason is None:
                reason = loop.stop_reason()
            if reason is None:
                free = min(slots - len(running), loop.budget())
                if free > 0:
                    for trial in loop.optimizer.ask(free):
                        running[pool.submit(evaluate, loop.objective, trial.value)] = trial
            if not running:
                return reason or "max_evals"
            done, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
            for future in done:
                trial = running.pop(future)
                _finish(loop, trial, future)
                if isinstance(future.exception(), BrokenProcessPool):
                    pool = _replace_broken(pool)
            bar.update(loop.counted(), loop.best)
    except KeyboardInterrupt:
        for future, trial in running.items():
            future.cancel()
            loop.optimizer.cancel(trial, "interrupted (KeyboardInterrupt)")
        return "interrupted"


def _finish(loop: _Loop[T], trial: Trial[T], future: cf.Future[Any]) -> None:
    error = future.exception()
    if isinstance(error, BrokenProcessPool):
        error = WorkerDied(f"the worker process evaluating trial {trial.number} died: {error}")
    if error is not None:
        loop.record(trial, None, None, error)
    else:
        loss, extra = future.result()
        loop.record(trial, loss, extra, None)


def _replace_broken(pool: cf.Executor) -> cf.Executor:
    """A process pool is unusable once a worker died: start an equal one to go on."""
    if isinstance(pool, cf.ProcessPoolExecutor):
        workers = getattr(pool, "_max_workers", None)
        context = getattr(pool, "_mp_context", None)
        pool.shutdown(wait=False)
        return cf.ProcessPoolExecutor(max_workers=workers, mp_context=context)
    return pool
