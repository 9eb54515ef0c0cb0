"""Real processes on one SQLite study: resume after SIGKILL, dead-run rules, two writers."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from typedspace import Optimizer, TrialState, optimize
from typedspace.algorithms import RandomSearch
from typedspace.backends._table import Assignment, ParamTable
from typedspace.storage import SQLiteStorage, StorageError, TrialRecord

from .worker import SPACE

WORKER = Path(__file__).with_name("worker.py")
ROOT = Path(__file__).resolve().parents[2]


def start_worker(
    path: Path, study: str, max_evals: int, sleep: float, *extra: str
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WORKER), str(path), study, str(max_evals), str(sleep), *extra],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(
    condition: Callable[[], bool], what: str, proc: subprocess.Popen[str] | None = None
) -> None:
    """Poll until ``condition`` holds (a generous deadline only guards against a hang)."""
    deadline = time.monotonic() + 120
    while not condition():
        if proc is not None and proc.poll() is not None:
            raise AssertionError(
                f"the worker exited ({proc.returncode}) before {what}: {proc.stderr.read() if proc.stderr else ''}"
            )
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def records(path: Path, study: str = "svm") -> Sequence[TrialRecord]:
    if not path.exists():
        return []
    try:
        with SQLiteStorage(path, create=False) as storage:
            return storage.trials(study)
    except (KeyError, StorageError):  # the worker has not created the file or study yet
        return []


def states(path: Path) -> list[TrialState]:
    return [r.state for r in records(path)]


def kill_mid_trial(path: Path, max_evals: int) -> tuple[list[TrialRecord], TrialRecord, int]:
    """Run a worker until it has finished 3 trials and is inside the next one; SIGKILL it.
    Returns the finished trials, the one it was running, and its pid."""
    proc = start_worker(path, "svm", max_evals, 0.2)
    wait_for(
        lambda: states(path).count(TrialState.OK) >= 3 and states(path)[-1] is TrialState.RUNNING,
        "3 finished trials and a running one",
        proc,
    )
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL
    before = list(records(path))
    assert before[-1].state is TrialState.RUNNING
    finished = [r for r in before if r.state.finished]
    assert len(finished) == len(before) - 1 >= 3
    return finished, before[-1], proc.pid


def fast(value: dict[str, Any]) -> float:
    return float(value["x"]) + float(value["n"])


@pytest.mark.slow
def test_resume_after_sigkill_fails_the_killed_trial(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    finished, killed, pid = kill_mid_trial(path, max_evals=50)
    result = optimize(
        fast, SPACE, RandomSearch(), max_evals=12, storage=path, study="svm", progress=False
    )
    after = records(path)
    assert [r.number for r in after] == list(range(12))  # none lost, none duplicated
    assert list(after[: len(finished)]) == finished  # the finished trials are untouched
    dead = after[killed.number]
    assert dead.state is TrialState.FAILED
    assert dead.assignment == killed.assignment
    assert dead.error is not None and dead.error.type == "Interrupted"
    assert f"pid {pid}" in dead.error.message and "died" in dead.error.message
    assert all(r.state is TrialState.OK for r in after if r.number != killed.number)
    assert result.stop_reason == "max_evals" and len(result.trials) == 12


@pytest.mark.slow
def test_resume_after_sigkill_can_requeue_the_killed_trial(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    finished, killed, _ = kill_mid_trial(path, max_evals=50)
    optimize(
        fast,
        SPACE,
        RandomSearch(),
        max_evals=12,
        storage=path,
        study="svm",
        requeue_interrupted=True,
        progress=False,
    )
    after = records(path)
    assert list(after[: len(finished)]) == finished
    assert after[killed.number].state is TrialState.CANCELLED  # does not count ...
    again = after[killed.number + 1]
    assert (
        again.assignment == killed.assignment and again.state is TrialState.OK
    )  # ... redone first
    assert sum(r.state is not TrialState.CANCELLED for r in after) == 12
    assert len(after) == 13


@pytest.mark.slow
def test_a_live_process_keeps_its_running_trial(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    proc = start_worker(path, "svm", 5, 30.0)  # a trial that runs long
    try:
        wait_for(lambda: states(path) == [TrialState.RUNNING], "a running trial", proc)
        with SQLiteStorage(path) as storage:
            assert storage.reclaim_interrupted("svm") == []
        assert states(path) == [TrialState.RUNNING]
    finally:
        proc.kill()
        proc.wait()
    with SQLiteStorage(path) as storage:
        assert [r.number for r in storage.reclaim_interrupted("svm")] == [0]
        assert storage.reclaim_interrupted("svm") == []  # claimed once


def test_dead_run_rules_for_reused_pids_and_other_hosts(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    with SQLiteStorage(path) as mine:
        opt = Optimizer(SPACE, RandomSearch(), storage=mine, study="svm", seed=0)
        trials = opt.ask(4)
        with sqlite3.connect(path) as conn:
            # 1: this pid, but a process started at another time (the pid was reused)
            conn.execute("UPDATE trials SET owner_start = owner_start + 1 WHERE number = 1")
            # 2: another host, silent for an hour;  3: another host, heard from just now
            conn.execute(
                "UPDATE trials SET owner_host = 'elsewhere', heartbeat = ? WHERE number = 2",
                (time.time() - 3600,),
            )
            conn.execute(
                "UPDATE trials SET owner_host = 'elsewhere', heartbeat = ? WHERE number = 3",
                (time.time(),),
            )
        conn.close()
        with SQLiteStorage(path) as other:  # another storage object of this live process
            reclaimed = other.reclaim_interrupted("svm")
        assert sorted(r.number for r in reclaimed) == [1, 2]
        assert [r.state for r in mine.trials("svm")] == [
            TrialState.RUNNING,  # 0: this process, alive
            TrialState.FAILED,
            TrialState.FAILED,
            TrialState.RUNNING,  # 3: its heartbeat is fresh
        ]
        # this storage's own running trials are never reclaimed by it
        assert mine.reclaim_interrupted("svm") == []
        opt.tell(trials[0], 1.0)


class Recording:
    """Random search that records the pending assignments it is shown."""

    def __init__(self) -> None:
        self.pending: list[list[Assignment]] = []

    def start(self, table: ParamTable, rng: np.random.Generator) -> Recording:
        self.inner = RandomSearch().start(table, rng)
        return self

    def tell(self, number: int, assignment: Assignment, loss: float | None) -> None:
        self.inner.tell(number, assignment, loss)

    def propose(self, n: int, pending: Sequence[Assignment]) -> list[dict[str, float | int]]:
        self.pending.append(list(pending))
        return self.inner.propose(n, pending)


@pytest.mark.slow
def test_the_proposer_sees_other_processes_running_trials(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    proc = start_worker(path, "svm", 5, 30.0)
    try:
        wait_for(lambda: states(path) == [TrialState.RUNNING], "a running trial", proc)
        theirs = records(path)[0].assignment
        algo = Recording()
        with SQLiteStorage(path) as storage:
            opt = Optimizer(SPACE, algo, storage=storage, study="svm")
            trial = opt.ask()
            assert algo.pending == [[theirs]]
            assert trial.number == 1
            opt.tell(trial, 0.5)
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.slow
def test_two_processes_reach_the_total_together(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    total = 40
    procs = [start_worker(path, "svm", total, 0.02, str(barrier)) for _ in range(2)]
    wait_for(lambda: len(list(barrier.iterdir())) == 2, "both workers ready")
    (barrier / "go").touch()  # both create the file and the study at the same moment
    outputs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    after = records(path)
    assert [r.number for r in after] == list(range(total))  # no duplicate, no gap
    assert all(r.state is TrialState.OK for r in after)  # none lost, none over the total
    with sqlite3.connect(path) as conn:
        owners = {pid for (pid,) in conn.execute("SELECT owner_pid FROM trials")}
    conn.close()
    assert owners == {p.pid for p in procs}  # both did part of the work
    assert all(out.split()[1] == "max_evals" for out, _ in outputs)


@pytest.mark.slow
@pytest.mark.parametrize("requeue", [False, True])
def test_a_run_that_dies_during_ours_does_not_leave_a_running_trial(
    tmp_path: Path, requeue: bool
) -> None:
    path = tmp_path / "runs.db"
    proc = start_worker(path, "svm", 5, 30.0)
    wait_for(lambda: states(path) == [TrialState.RUNNING], "a running trial", proc)
    theirs = records(path)[0]

    def kill_the_other_run(value: dict[str, Any]) -> float:
        if proc.poll() is None:  # our first trial: the other process dies while we run
            proc.kill()
            proc.wait()
        return fast(value)

    result = optimize(
        kill_the_other_run,
        SPACE,
        RandomSearch(),
        max_evals=3,
        storage=path,
        study="svm",
        requeue_interrupted=requeue,
        progress=False,
    )
    after = records(path)
    assert TrialState.RUNNING not in [r.state for r in after]
    assert sum(r.state is not TrialState.CANCELLED for r in after) == 3
    assert result.stop_reason == "max_evals"
    if requeue:  # its assignment was evaluated by our run, as the last trial
        assert after[0].state is TrialState.CANCELLED
        assert after[-1].assignment == theirs.assignment and after[-1].state is TrialState.OK
        assert len(after) == 4
    else:
        assert after[0].state is TrialState.FAILED and len(after) == 3
