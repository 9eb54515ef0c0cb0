"""A worker process that cross-validates estimators and is killed when one runs too long.

A thread cannot stop a fit that hangs in compiled code; a process can be killed.  The worker
is started once with the data and reused for every trial; only a trial that times out (or a
worker that dies) costs a new process.  The ``forkserver`` start method keeps the child free
of the parent's threads: forking a process whose OpenMP pool has run (gradient boosting)
can deadlock the child.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import pickle
import warnings
from multiprocessing.connection import Connection
from typing import Any

from typedspace.errors import TrialTimeout, WorkerCrashed
from typedspace.sklearn._search import CrossValidation

#: Seconds a new worker process may take to start and import scikit-learn.
STARTUP_TIMEOUT = 60.0


def _serve(conn: Connection, objective: CrossValidation) -> None:
    # Convergence and similar warnings of sampled configurations are expected in a search and
    # nobody reads a worker's stderr: silence them.
    warnings.simplefilter("ignore")
    # Import scikit-learn and the estimators of the default spaces before saying "ready":
    # unpickling the first trial's estimator would otherwise import them on its clock.
    import typedspace.sklearn._spaces  # noqa: F401

    conn.send(("ready", None))
    while True:
        estimator = conn.recv()
        if estimator is None:
            return
        try:
            reply: tuple[str, Any] = ("ok", objective.scores(estimator))
        except Exception as error:
            reply = ("error", _picklable(error))
        conn.send(reply)


def _picklable(error: Exception) -> Exception:
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return RuntimeError(f"{type(error).__qualname__}: {error}")
    return error


def _context() -> Any:
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")  # Windows: each worker imports anew
    ctx = multiprocessing.get_context("forkserver")
    # The fork server imports scikit-learn once; every worker forked from it (a restart after
    # a killed trial included) then starts in milliseconds instead of seconds.  Has no effect
    # if the fork server already runs; "__main__" is the default preload, kept.
    ctx.set_forkserver_preload(["__main__", "typedspace.sklearn"])
    return ctx


class TimedWorker:
    """Runs ``objective.scores(estimator)`` in a child process with a time limit.

    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import KFold
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> worker = TimedWorker(CrossValidation(X, y, list(KFold(3, shuffle=True, random_state=0).split(X)), None))
    >>> len(worker.run(KNeighborsClassifier(), timeout=60.0)["test_scores"])
    3
    >>> worker.close()
    """

    def __init__(self, objective: CrossValidation) -> None:
        self.objective = objective
        self._process: Any = None
        self._conn: Connection | None = None

    def start(self) -> Connection:
        """Start the process unless it runs, and wait until it is ready."""
        if self._conn is None:
            ctx = _context()
            parent, child = ctx.Pipe()
            self._process = ctx.Process(target=_serve, args=(child, self.objective), daemon=True)
            self._process.start()
            child.close()
            # Starting a process and importing scikit-learn take a second or two; a trial's
            # time limit starts once the worker is ready.
            if not parent.poll(STARTUP_TIMEOUT):
                self._process.kill()
                raise WorkerCrashed(f"the worker did not start within {STARTUP_TIMEOUT} s")
            parent.recv()
            self._conn = parent
        return self._conn

    def run(self, estimator: Any, timeout: float) -> dict[str, list[float]]:
        """The folds' scores and times; raises ``TrialTimeout`` after ``timeout`` seconds,
        ``WorkerCrashed`` if the process dies, or what the fit raised."""
        conn = self.start()
        conn.send(estimator)
        if not conn.poll(max(timeout, 0.0)):
            self.kill()
            raise TrialTimeout(f"the trial ran past its time limit of {timeout:.1f} s")
        try:
            status, payload = conn.recv()
        except (EOFError, OSError) as error:
            self.kill()
            raise WorkerCrashed(f"the worker process died: {error!r}") from None
        if status == "error":
            raise payload
        return dict(payload)

    def kill(self) -> None:
        """Stop the process now (a new one starts with the next trial)."""
        if self._process is not None:
            self._process.kill()
            self._process.join()
        if self._conn is not None:
            self._conn.close()
        self._process, self._conn = None, None

    def close(self) -> None:
        """Let the process exit (killing it if it does not within a second)."""
        if self._conn is not None:
            with contextlib.suppress(OSError):  # the worker may have died already
                self._conn.send(None)
        if self._process is not None:
            self._process.join(1.0)
        self.kill()
