"""A worker process that cross-validates estimators and is killed when one runs too long.

A thread cannot stop a fit that hangs in compiled code; a process can be killed.  The worker
is started once with the data and reused for every trial; only a trial that times out (or a
worker that dies) costs a new process.  The ``forkserver`` start method keeps the child free
of the parent's threads: forking a process whose OpenMP pool has run (gradient boosting)
can deadlock the child.

The worker does not import the user's main module: it needs only typedspace and
scikit-learn.  (``multiprocessing`` would re-run a script without an
``if __name__ == "__main__":`` guard in the child, which fails with its "bootstrapping
phase" error, and cannot re-read a script that came from standard input.)  Only when the
data, the scoring or the space refer to something defined in ``__main__`` is the main module
imported, as ``multiprocessing`` always does, since the child could not rebuild those objects
otherwise.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.spawn
import pickle
import threading
import time
import warnings
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from typedspace.errors import TrialTimeout, WorkerCrashed
from typedspace.sklearn._search import CrossValidation, merged

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
        # One fold at a time: after each, the parent says whether to go on (False: the trial
        # was pruned).  After an error the parent expects nothing more of this trial.
        for index in range(len(objective.splits)):
            try:
                reply: tuple[str, Any] = ("fold", objective.fold(estimator, index))
            except Exception as error:
                reply = ("error", _picklable(error))
            conn.send(reply)
            if reply[0] == "error" or not conn.recv():
                break


def _picklable(error: Exception) -> Exception:
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return RuntimeError(f"{type(error).__qualname__}: {error}")
    return error


def _context(needs_main: bool) -> Any:
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")  # Windows: each worker imports anew
    ctx = multiprocessing.get_context("forkserver")
    # The fork server imports scikit-learn once; every worker forked from it (a restart after
    # a killed trial included) then starts in milliseconds instead of seconds.  Has no effect
    # if the fork server already runs.
    ctx.set_forkserver_preload(
        ["__main__", "typedspace.sklearn"] if needs_main else ["typedspace.sklearn"]
    )
    return ctx


def mentions_main(*objects: object) -> bool:
    """Whether pickling ``objects`` refers to ``__main__`` (a class or function defined in the
    user's script), so that a child process must import it to rebuild them; True as well when
    they cannot be pickled at all (the child is then started as ``multiprocessing`` would).

    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> mentions_main(KNeighborsClassifier()), mentions_main(type("Local", (), {}))
    (False, True)
    """
    try:
        return b"__main__" in pickle.dumps(objects)
    except Exception:
        return True


_PREPARATION = threading.Lock()


@contextlib.contextmanager
def _main_left_out() -> Any:
    """While a child starts, its preparation data does not name the main module, so the
    child does not import it (``multiprocessing`` offers no switch for this)."""
    original = multiprocessing.spawn.get_preparation_data

    def without_main(name: str) -> dict[str, Any]:
        data: dict[str, Any] = original(name)
        data.pop("init_main_from_path", None)
        data.pop("init_main_from_name", None)
        return data

    with _PREPARATION:
        multiprocessing.spawn.get_preparation_data = without_main
        try:
            yield
        finally:
            multiprocessing.spawn.get_preparation_data = original


class TimedWorker:
    """Cross-validates estimators with ``objective`` in a child process, one fold at a time,
    with a time limit per trial.

    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import KFold
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> worker = TimedWorker(CrossValidation(X, y, list(KFold(3, shuffle=True, random_state=0).split(X)), None))
    >>> len(worker.run(KNeighborsClassifier(), timeout=60.0)["test_scores"])
    3
    >>> worker.close()
    """

    def __init__(self, objective: CrossValidation, *, needs_main: bool | None = None) -> None:
        self.objective = objective
        #: Import the user's main module in the child (see the module docstring); by default
        #: only when the objective refers to it.
        self.needs_main = mentions_main(objective) if needs_main is None else needs_main
        self._process: Any = None
        self._conn: Connection | None = None

    def start(self) -> Connection:
        """Start the process unless it runs, and wait until it is ready."""
        if self._conn is None:
            ctx = _context(self.needs_main)
            parent, child = ctx.Pipe()
            self._process = ctx.Process(target=_serve, args=(child, self.objective), daemon=True)
            with contextlib.nullcontext() if self.needs_main else _main_left_out():
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

    def run(
        self,
        estimator: Any,
        timeout: float,
        on_fold: Callable[[int, dict[str, float]], None] | None = None,
    ) -> dict[str, list[float]]:
        """The folds' scores and times; raises ``TrialTimeout`` after ``timeout`` seconds (for
        all the folds), ``WorkerCrashed`` if the process dies, or what the fit raised.

        ``on_fold(index, fold)`` is called in this process after each fold, with the fold's
        ``test_score``, ``fit_time`` and ``score_time``; what it raises (``TrialPruned``) stops
        the trial there: the worker skips the other folds and waits for the next trial."""
        conn = self.start()
        conn.send(estimator)
        deadline = time.monotonic() + timeout
        folds: list[dict[str, float]] = []
        for index in range(len(self.objective.splits)):
            if not conn.poll(max(deadline - time.monotonic(), 0.0)):
                self.kill()
                raise TrialTimeout(f"the trial ran past its time limit of {timeout:.1f} s")
            try:
                status, payload = conn.recv()
            except (EOFError, OSError) as error:
                self.kill()
                raise WorkerCrashed(f"the worker process died: {error!r}") from None
            if status == "error":
                raise payload
            folds.append(dict(payload))
            go_on = False
            try:
                if on_fold is not None:
                    on_fold(index, folds[-1])
                go_on = True
            finally:
                self._answer(go_on)
        return merged(folds)

    def _answer(self, go_on: bool) -> None:
        """Tell the worker whether to evaluate the trial's next fold."""
        try:
            assert self._conn is not None
            self._conn.send(go_on)
        except OSError:  # it died meanwhile: the next trial starts a new one
            self.kill()

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
