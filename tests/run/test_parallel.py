"""optimize(executor=...): thread and process pools, Dask, dying workers, Ctrl-C, timeouts.

Real pools and a real ``distributed.LocalCluster``; the objectives that must cross a process
boundary live in ``tests/_objectives.py`` so that worker processes can import them.
"""

from __future__ import annotations

import _thread
import concurrent.futures as cf
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest

from tests import _objectives as objectives
from typedspace import IntUniform, TrialState, Uniform, load_study, optimize
from typedspace.algorithms import RandomSearch
from typedspace.backends._table import Assignment, ParamTable
from typedspace.storage import InMemoryStorage

SPACE = Uniform(0.0, 1.0)


def counted(trials: Sequence[Any]) -> list[Any]:
    """The trials that count towards max_evals."""
    return [t for t in trials if t.state is not TrialState.CANCELLED]


@pytest.fixture
def no_leftover_processes() -> Iterator[None]:
    """The test must not leave worker processes behind (pools shut down, broken ones reaped)."""
    before = set(multiprocessing.active_children())
    yield
    assert set(multiprocessing.active_children()) <= before


# -- thread pools ----------------------------------------------------------------------------


def test_thread_pool_reaches_max_evals_with_every_trial_recorded() -> None:
    lock = threading.Lock()
    active = [0]
    most = [0]

    def objective(x: float) -> float:
        with lock:
            active[0] += 1
            most[0] = max(most[0], active[0])
        time.sleep(0.01)
        with lock:
            active[0] -= 1
        return objectives.square(x)

    with cf.ThreadPoolExecutor(4) as pool:
        result = optimize(
            objective, SPACE, RandomSearch(), max_evals=20, seed=0, executor=pool, max_pending=3
        )
    assert result.stop_reason == "max_evals"
    assert len(result.trials) == 20
    assert sorted(t.number for t in result.trials) == list(range(20))
    assert all(t.state is TrialState.OK for t in result.trials)
    assert all(t.loss == objectives.square(t.value) for t in result.trials)
    assert most[0] <= 3  # max_pending, although the pool has 4 threads


@attrs.define
class _GridProposer:
    """Proposes the lowest grid points not yet told nor pending, and logs each call.

    Deterministic on purpose: if the runner did not pass the running trials as pending,
    it would propose a running point again.
    """

    name: str
    told: set[int] = attrs.field(factory=set)
    calls: list[tuple[int, int]] = attrs.field(factory=list)  # (n, len(pending))

    def tell(self, number: int, assignment: Assignment, loss: float | None) -> None:
        self.told.add(int(assignment[self.name]))

    def propose(self, n: int, pending: Sequence[Assignment]) -> list[dict[str, float | int]]:
        self.calls.append((n, len(pending)))
        taken = self.told | {int(a[self.name]) for a in pending}
        free = (i for i in range(1000) if i not in taken)
        return [{self.name: next(free)} for _ in range(n)]


@attrs.define
class _Grid:
    proposer: _GridProposer | None = None

    def start(self, table: ParamTable, rng: np.random.Generator) -> _GridProposer:
        self.proposer = _GridProposer(table.params[0].name)
        return self.proposer


def test_workers_get_distinct_points_proposed_with_the_running_ones_pending() -> None:
    grid = _Grid()
    with cf.ThreadPoolExecutor(3) as pool:
        result = optimize(
            objectives.sleepy_square,
            IntUniform(0, 999),
            grid,
            max_evals=12,
            executor=pool,
            max_pending=3,
        )
    assert sorted(t.value for t in result.trials) == list(range(12))  # never a point twice
    assert grid.proposer is not None
    calls = grid.proposer.calls
    assert calls[0] == (3, 0)  # the first batch is proposed together
    assert all(n + pending <= 3 for n, pending in calls)
    assert sum(n for n, _ in calls) == 12


def test_timeout_stops_launching_and_waits_for_running_trials() -> None:
    with cf.ThreadPoolExecutor(2) as pool:
        result = optimize(
            objectives.sleepy_square,
            SPACE,
            RandomSearch(),
            max_evals=100_000,
            timeout=0.3,
            seed=0,
            executor=pool,
        )
    assert result.stop_reason == "timeout"
    assert result.trials
    assert all(t.state is TrialState.OK for t in result.trials)  # none left running


def test_ctrl_c_cancels_running_trials_and_returns() -> None:
    release = threading.Event()

    def objective(x: float) -> float:
        if x == objectives.INTERRUPT:
            _thread.interrupt_main()  # Ctrl-C for the optimizing (main) thread
        release.wait(timeout=10.0)  # still running when the main thread reacts
        return objectives.square(x)

    with cf.ThreadPoolExecutor(2) as pool:
        try:
            result = optimize(
                objective,
                SPACE,
                RandomSearch(),
                max_evals=10,
                seed=0,
                executor=pool,
                points_to_evaluate=[objectives.INTERRUPT],
            )
        finally:
            release.set()
    assert result.stop_reason == "interrupted"
    states = [t.state for t in result.trials]
    assert states == [TrialState.CANCELLED, TrialState.CANCELLED]
    assert all("KeyboardInterrupt" in str(t.error) for t in result.trials)


def test_catch_false_reraises_and_leaves_no_trial_running() -> None:
    storage = InMemoryStorage()

    def objective(x: float) -> float:
        if x == objectives.KILL:
            raise ArithmeticError("boom")
        time.sleep(0.2)
        return x

    with cf.ThreadPoolExecutor(2) as pool, pytest.raises(ArithmeticError, match="boom"):
        optimize(
            objective,
            SPACE,
            RandomSearch(),
            max_evals=10,
            seed=0,
            executor=pool,
            storage=storage,
            catch=False,
            points_to_evaluate=[objectives.KILL],
        )
    states = sorted(t.state.value for t in storage.trials("default"))
    assert states == ["cancelled", "failed"]


# -- process pools ---------------------------------------------------------------------------


@pytest.mark.usefixtures("no_leftover_processes")
def test_process_pool_records_a_worker_death_and_goes_on() -> None:
    with cf.ProcessPoolExecutor(2) as pool:
        result = optimize(
            objectives.deadly,
            SPACE,
            RandomSearch(),
            max_evals=8,
            seed=0,
            executor=pool,
            # A quick neighbour may finish just as the killer dies, which then died alone
            # (seen in CI under load); a slow one is certainly running beside it.
            points_to_evaluate=[objectives.KILL, objectives.SLOW],
        )
        # The broken pool was shut down and its replacement too: no process is left over.
    assert result.stop_reason == "max_evals"
    assert len(counted(result.trials)) == 8
    failed = result.failed
    assert [t.value for t in failed] == [objectives.KILL]
    assert failed[0].error is not None and failed[0].error.type == "WorkerDied"
    ok = [t for t in result.trials if t.state is TrialState.OK]
    assert len(ok) == 7
    assert all(t.loss == objectives.square(t.value) for t in ok)
    # The trials running beside the killer were suspects: cancelled, then re-run alone.
    cancelled = [t for t in result.trials if t.state is TrialState.CANCELLED]
    assert objectives.SLOW in [t.value for t in cancelled], "the killer was not alone"
    innocent = [t.value for t in cancelled if t.value != objectives.KILL]
    assert set(innocent) <= {t.value for t in ok}


@pytest.mark.usefixtures("no_leftover_processes")
def test_suspects_are_rerun_after_the_whole_budget_was_started() -> None:
    # All three trials start at once (max_evals reached) and the first one finishes; then the
    # killer breaks the pool beside the slow one.  Suspects do not count: the run is not over
    # until both ran again, alone.
    result = optimize(
        objectives.late_segfault,
        SPACE,
        RandomSearch(),
        max_evals=3,
        seed=0,
        executor="processes",
        max_pending=3,
        points_to_evaluate=[0.0, 0.6, objectives.KILL],
    )
    assert result.stop_reason == "max_evals"
    assert [(t.value, t.state) for t in counted(result.trials)] == [
        (0.0, TrialState.OK),
        (0.6, TrialState.OK),
        (objectives.KILL, TrialState.FAILED),
    ]


@pytest.mark.usefixtures("no_leftover_processes")
def test_owned_process_pool_fails_a_lone_dying_trial_at_once() -> None:
    # max_pending=1: the trial that broke the pool is known, so nothing is re-run.
    result = optimize(
        objectives.deadly,
        SPACE,
        RandomSearch(),
        max_evals=4,
        seed=0,
        executor="processes",
        max_pending=1,
        points_to_evaluate=[objectives.EXIT],
    )
    assert [t.state for t in result.trials] == [TrialState.FAILED] + [TrialState.OK] * 3
    assert str(result.trials[0].error).startswith("WorkerDied")


@pytest.mark.usefixtures("no_leftover_processes")
def test_owned_pools_run_and_close() -> None:
    for kind in ("processes", "threads"):
        result = optimize(
            objectives.square,
            SPACE,
            RandomSearch(),
            max_evals=6,
            seed=0,
            executor=kind,
            max_pending=2,
        )
        assert [t.state for t in result.trials] == [TrialState.OK] * 6


@pytest.mark.usefixtures("no_leftover_processes")
def test_ctrl_c_terminates_an_owned_process_pool() -> None:
    # The objective sends SIGINT to the optimizing process, as a terminal's Ctrl-C would.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        result = optimize(
            objectives.interrupting,
            SPACE,
            RandomSearch(),
            max_evals=10,
            seed=0,
            executor="processes",
            max_pending=2,
            points_to_evaluate=[objectives.INTERRUPT],
        )
    finally:
        signal.signal(signal.SIGINT, previous)
    assert result.stop_reason == "interrupted"
    first = result.trials[0]
    assert first.value == objectives.INTERRUPT and first.state is TrialState.CANCELLED
    assert all(t.state is not TrialState.RUNNING for t in result.trials)


@pytest.mark.usefixtures("no_leftover_processes")
def test_a_pool_broken_before_the_run_is_replaced() -> None:
    # submit() itself raises BrokenProcessPool: the trials it refused never ran.
    with cf.ProcessPoolExecutor(2) as pool:
        broken = pool.submit(objectives.deadly, objectives.KILL).exception()
        assert isinstance(broken, cf.process.BrokenProcessPool)
        result = optimize(
            objectives.square, SPACE, RandomSearch(), max_evals=4, seed=0, executor=pool
        )
    assert result.stop_reason == "max_evals"
    ok = [t for t in result.trials if t.state is TrialState.OK]
    cancelled = [t for t in result.trials if t.state is TrialState.CANCELLED]
    assert len(ok) == 4 and len(cancelled) == 2
    assert all("before this trial was sent" in str(t.error) for t in cancelled)
    assert [t.value for t in cancelled] == [t.value for t in ok[:2]]  # evaluated again first


@pytest.mark.slow
@pytest.mark.usefixtures("no_leftover_processes")
def test_segfaults_never_escape_optimize(tmp_path: Path) -> None:
    """Workers crashing in native code break the pool at any moment, also while the run
    records a result and before it submits the next trial (``submit`` then raises
    ``BrokenProcessPool``); many seeds, so that every timing happens."""
    for seed in range(15):
        for storage in (None, tmp_path / f"{seed}.db"):
            result = optimize(
                objectives.segfaulting,
                SPACE,
                RandomSearch(),
                max_evals=12,
                seed=seed,
                executor="processes",
                max_pending=4,
                storage=storage,
                study="crashes",
            )
            trials = result.trials if storage is None else load_study(storage, "crashes").trials
            assert result.stop_reason == "max_evals"
            assert len(counted(trials)) == 12
            assert all(t.state is not TrialState.RUNNING for t in trials)
            for t in counted(trials):
                if t.value < objectives.SEGFAULT_BELOW:  # every death recorded as such
                    assert t.state is TrialState.FAILED, t
                    assert t.error is not None and t.error.type == "WorkerDied"
                else:
                    assert t.state is TrialState.OK and t.loss == objectives.square(t.value)
            # Suspects and trials the broken pool refused are evaluated again.
            values = {t.value for t in counted(trials)}
            assert {t.value for t in trials if t.state is TrialState.CANCELLED} <= values


def test_a_pool_that_refuses_work_leaves_no_trial_running() -> None:
    storage = InMemoryStorage()
    pool = cf.ThreadPoolExecutor(2)
    pool.shutdown()
    with pytest.raises(RuntimeError, match="shutdown"):
        optimize(objectives.square, SPACE, executor=pool, storage=storage)
    states = {t.state for t in storage.trials("default")}
    assert states == {TrialState.CANCELLED}


# -- Dask ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_dask_local_cluster() -> None:
    """One cluster for every Dask check: starting one costs seconds on a small machine."""
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        worker_pids = set(client.run(os.getpid).values())

        # Every trial is recorded, and ran in a worker process.
        result = optimize(
            objectives.square_with_pid, SPACE, RandomSearch(), max_evals=12, seed=0, executor=client
        )
        assert result.stop_reason == "max_evals"
        assert sorted(t.number for t in result.trials) == list(range(12))
        assert all(t.state is TrialState.OK for t in result.trials)
        assert {t.extra["pid"] for t in result.trials} <= worker_pids
        assert os.getpid() not in worker_pids

        # Dask pickles with cloudpickle: a lambda travels; a closure over a lock does not.
        lam = optimize(lambda x: x * x, SPACE, max_evals=3, seed=0, executor=client)
        assert [t.state for t in lam.trials] == [TrialState.OK] * 3
        lock = threading.Lock()

        def locked(x: float) -> float:
            with lock:
                return x

        with pytest.raises(TypeError, match="locked cannot be pickled"):
            optimize(locked, SPACE, executor=client)

        # A dying worker: Dask re-runs its task up to allowed-failures times (3 by default,
        # each costing a worker restart); with 0 the first death gives KilledWorker.
        client.run_on_scheduler(_no_retries)
        died = optimize(
            objectives.deadly,
            SPACE,
            RandomSearch(),
            max_evals=6,
            seed=0,
            executor=client,
            points_to_evaluate=[objectives.KILL],
        )
        assert [t.value for t in died.failed] == [objectives.KILL]
        assert str(died.failed[0].error).startswith("WorkerDied")
        assert len(counted(died.trials)) == 6
        assert all(t.state is TrialState.OK for t in died.trials if t.value != objectives.KILL)


def _no_retries(dask_scheduler: Any) -> None:
    dask_scheduler.allowed_failures = 0
