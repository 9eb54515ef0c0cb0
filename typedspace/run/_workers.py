"""Where parallel trials run: one ``Workers`` object hides the kind of executor.

``optimize(executor=...)`` accepts a ``concurrent.futures`` executor, a Dask
``distributed.Client``, or the strings ``"processes"`` / ``"threads"`` (a pool that the run
creates, owns and shuts down).  The kinds differ in what the runner must know:

* whether the objective is pickled (process pools: stdlib pickle; Dask: cloudpickle);
* which exceptions mean "the worker process died" rather than "the objective raised";
* whether one death breaks the whole pool (stdlib process pools) or only that task (Dask);
* how many trials to keep running by default (the pool's worker count, Dask's threads).
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import pickle
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import attrs

#: The strings ``optimize(executor=...)`` accepts: a pool the run creates and owns.
OWNED_POOLS = ("processes", "threads")


def check_picklable(objective: object, dumps: Callable[[Any], object] = pickle.dumps) -> None:
    """Fail before anything runs when the objective cannot be sent to worker processes."""
    try:
        dumps(objective)
    except Exception as error:
        name = getattr(objective, "__qualname__", repr(objective))
        raise TypeError(
            f"the objective {name} cannot be pickled, so it cannot run in worker processes "
            f"({type(error).__name__}: {error}); define it at module level (importable by the "
            f"workers), or use a ThreadPoolExecutor"
        ) from error


def _is_dask_client(executor: object) -> bool:
    return callable(getattr(executor, "get_executor", None)) and callable(
        getattr(executor, "nthreads", None)
    )


@attrs.define
class Workers:
    """An executor plus what the parallel runner needs to know about it."""

    executor: cf.Executor
    #: The run created the executor, so it shuts it down (and may kill its processes).
    owned: bool
    #: How many trials to keep running when ``max_pending`` is not given.
    default_slots: int
    #: Exceptions of a future that mean its worker died, not that the objective raised.
    deaths: tuple[type[BaseException], ...] = ()
    #: One death fails every pending future of the pool (stdlib process pools).
    breaks_pool: bool = False
    #: Trials run in this process (threads): they can report to in-memory storage.
    shares_memory: bool = False

    def submit(self, fn: Callable[..., Any], *args: Any) -> cf.Future[Any]:
        return self.executor.submit(fn, *args)

    def died(self, error: BaseException | None) -> bool:
        return error is not None and isinstance(error, self.deaths)

    def replace_broken(self) -> None:
        """Go on after a process pool broke: start an equal pool, owned by this run.

        A broken stdlib pool is unusable for good; it has already terminated its other
        workers, and ``shutdown`` releases its management thread.  A pool the user passed in
        stays broken (the stdlib offers no repair); the replacement is shut down at the end.
        """
        old = self.executor
        if not isinstance(old, cf.ProcessPoolExecutor):
            raise TypeError(f"cannot replace a broken {type(old).__name__}")
        old.shutdown(wait=True)
        # The stdlib keeps the constructor arguments only as private attributes.
        self.executor = cf.ProcessPoolExecutor(
            max_workers=getattr(old, "_max_workers", None),
            mp_context=getattr(old, "_mp_context", None),
            initializer=getattr(old, "_initializer", None),
            initargs=getattr(old, "_initargs", ()),
            max_tasks_per_child=getattr(old, "_max_tasks_per_child", None),
        )
        self.owned = True

    def close(self, interrupted: bool = False) -> None:
        """Shut down an owned executor; after Ctrl-C, without waiting for running calls.

        A pool the user passed in is left running: its owner shuts it down.
        """
        if not self.owned:
            return
        if interrupted and isinstance(self.executor, cf.ProcessPoolExecutor):
            # Running calls cannot be cancelled; kill our own workers rather than wait for
            # objectives whose trials are already recorded as cancelled.
            processes = getattr(self.executor, "_processes", None) or {}
            for process in list(processes.values()):
                process.terminate()
        # Threads cannot be killed: after Ctrl-C, do not wait for them to finish.
        wait = not (interrupted and isinstance(self.executor, cf.ThreadPoolExecutor))
        self.executor.shutdown(wait=wait, cancel_futures=True)


def resolve(executor: Any, max_pending: int | None, objective: object) -> Workers:
    """The ``Workers`` for ``optimize(executor=...)`` (whose ``max_pending`` is checked
    already); checks that the objective can be sent."""
    if isinstance(executor, str):
        return _owned(executor, max_pending, objective)
    if isinstance(executor, cf.ProcessPoolExecutor):
        check_picklable(objective)
        return Workers(
            executor, False, _pool_size(executor), (BrokenProcessPool,), breaks_pool=True
        )
    if isinstance(executor, cf.Executor):
        # Thread pools share the objective (nothing is pickled); other executors (loky,
        # mpi4py, ...) have their own rules, which they report per trial.
        threads = isinstance(executor, cf.ThreadPoolExecutor)
        return Workers(executor, False, _pool_size(executor), shares_memory=threads)
    if _is_dask_client(executor):
        return _dask(executor, objective)
    raise TypeError(
        "executor must be a concurrent.futures.Executor, a dask.distributed.Client, "
        f"'processes' or 'threads'; got {executor!r}"
    )


def _owned(kind: str, max_pending: int | None, objective: object) -> Workers:
    size = max_pending or os.cpu_count() or 1
    if kind == "threads":
        return Workers(cf.ThreadPoolExecutor(size), True, size, shares_memory=True)
    if kind == "processes":
        check_picklable(objective)  # before any worker process starts
        return Workers(
            cf.ProcessPoolExecutor(size), True, size, (BrokenProcessPool,), breaks_pool=True
        )
    raise ValueError(f"executor must be one of {OWNED_POOLS} as a string, got {kind!r}")


def _pool_size(executor: cf.Executor) -> int:
    workers = getattr(executor, "_max_workers", None)
    return workers if isinstance(workers, int) and workers > 0 else (os.cpu_count() or 1)


def _dask(client: Any, objective: object) -> Workers:
    """A Dask client through its ``concurrent.futures`` executor.

    ``pure=False``: Dask would otherwise treat two calls with equal arguments as one task
    and return the first result, so a re-run of an assignment would never run.  A worker
    death is Dask's business first: the scheduler re-runs the task on another worker, and
    only when the task was on ``distributed.scheduler.allowed-failures`` + 1 dying workers
    does its future raise ``KilledWorker``, which the run records as ``WorkerDied``.
    """
    from distributed import KilledWorker
    from distributed.protocol.pickle import dumps

    # Dask pickles with cloudpickle: lambdas and closures travel by value, but a function
    # holding a lock, a socket or an open file does not.
    check_picklable(objective, dumps)
    threads = sum(client.nthreads().values())
    return Workers(client.get_executor(pure=False), False, max(1, threads), (KilledWorker,))
