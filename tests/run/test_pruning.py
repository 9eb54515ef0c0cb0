"""Pruning, end to end: an objective that takes a Report, the study's pruner, and where the
reports go (memory, SQLite, threads, processes, Dask, several processes on one file)."""

from __future__ import annotations

import math
import os
import signal
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from typedspace import (
    InvalidLoss,
    Optimizer,
    Report,
    TrialPruned,
    TrialState,
    Uniform,
    load_study,
    optimize,
)
from typedspace.algorithms import RandomSearch
from typedspace.pruners import MedianPruner, SuccessiveHalving
from typedspace.storage import SQLiteStorage

from .. import _objectives as objectives

SPACE = Uniform(0.0, 1.0)
ROOT = Path(__file__).resolve().parents[2]


def _check_pruned(trials: Any, epochs: int = objectives.EPOCHS) -> None:
    """Pruned trials stopped with their curve kept and no loss; the others ran it all.  A
    pruner may stop a trial at its last report too (it is not told that report is the last:
    with trials running in parallel, which ones completed first decides)."""
    for t in trials:
        steps = [step for step, _ in t.intermediate]
        if t.state is TrialState.PRUNED:
            assert t.loss is None and 1 <= len(steps) <= epochs, t
            assert steps == list(range(1, len(steps) + 1)) and t.last_step == steps[-1]
        else:
            assert t.state is TrialState.OK and steps == list(range(1, epochs + 1)), t
            assert t.loss == t.intermediate[-1][1]


def test_pruned_trials_keep_their_curve_and_count_towards_max_evals() -> None:
    result = optimize(
        objectives.learning_curve,
        SPACE,
        RandomSearch(),
        pruner=MedianPruner(),
        max_evals=30,
        seed=0,
    )
    assert len(result.trials) == 30 and result.stop_reason == "max_evals"
    assert 5 <= len(result.pruned) < 25
    _check_pruned(result.trials)
    assert all(len(t.intermediate) < objectives.EPOCHS for t in result.pruned)  # stopped early
    # The median rule, checked by hand: at its last step a pruned trial was worse than the
    # median of the trials completed before it (inline, trials run one after the other).
    for t in result.pruned:
        step, value = t.intermediate[-1]
        before = [dict(c.intermediate)[step] for c in result.trials[: t.number] if c.loss]
        assert len(before) >= 5 and value > statistics.median(before)


def test_without_a_pruner_reports_are_kept_and_nothing_is_pruned() -> None:
    result = optimize(objectives.learning_curve, SPACE, RandomSearch(), max_evals=6, seed=0)
    assert result.pruned == () and len(result.trials) == 6
    _check_pruned(result.trials)


def test_an_objective_may_raise_trial_pruned_itself() -> None:
    def gives_up(x: float, trial: Report) -> float:
        trial.report(1, x)
        if x > 0.5:
            raise TrialPruned("my own rule")
        return x

    result = optimize(gives_up, SPACE, RandomSearch(), max_evals=20, seed=0)
    assert {t.state for t in result.trials} == {TrialState.OK, TrialState.PRUNED}
    assert all((t.value > 0.5) == (t.state is TrialState.PRUNED) for t in result.trials)


@pytest.mark.parametrize(
    ("reports", "error", "message"),
    [
        ([(1, 0.5), (1, 0.4)], ValueError, "step 1 was already reported for trial 0"),
        ([(1, math.nan)], InvalidLoss, r"trial 0 reported a non-finite value \(nan\) at step 1"),
        ([(1, "0.5")], TypeError, "report the loss so far, a float"),
        ([(True, 0.5)], TypeError, "step must be an int or a float, got True"),
        ([(math.inf, 0.5)], ValueError, "step must be finite"),
    ],
    ids=["twice", "nan", "str", "bool-step", "inf-step"],
)
def test_a_bad_report_fails_the_trial_naming_it(
    reports: list[tuple[Any, Any]], error: type[Exception], message: str
) -> None:
    def objective(x: float, trial: Report) -> float:
        for step, value in reports:
            trial.report(step, value)
        return x

    with pytest.raises(error, match=message):
        optimize(objective, SPACE, RandomSearch(), max_evals=1, catch=False)
    [trial] = optimize(objective, SPACE, RandomSearch(), max_evals=1).trials
    assert trial.state is TrialState.FAILED and trial.error is not None


def test_ask_and_tell_report_and_prune() -> None:
    opt = Optimizer(SPACE, RandomSearch(), pruner=MedianPruner(min_trials=2), seed=0)
    for level in (0.1, 0.2):
        trial = opt.ask()
        assert not opt.report(trial, 1, level)
        opt.tell(trial, level)
    trial = opt.ask()
    assert opt.report(trial, 1, 0.9)  # worse than both: the caller is told to stop
    done = opt.tell(trial, TrialPruned())
    assert done.state is TrialState.PRUNED and done.intermediate == ((1, 0.9),)
    assert [t.state for t in opt.trials] == [TrialState.OK, TrialState.OK, TrialState.PRUNED]
    trial = opt.ask()
    opt.report(trial, 1, 0.1)
    with pytest.raises(ValueError, match="step 1 was already reported for trial 3"):
        opt.report(trial, 1, 0.1)


# --- Where trials run ---


def test_threads_prune_with_in_memory_storage() -> None:
    result = optimize(
        objectives.learning_curve,
        SPACE,
        RandomSearch(),
        pruner=MedianPruner(),
        max_evals=30,
        seed=0,
        executor="threads",
        max_pending=2,
    )
    assert len(result.trials) == 30 and result.pruned
    _check_pruned(result.trials)


def test_processes_need_a_shared_file_for_their_reports() -> None:
    with pytest.raises(ValueError, match="give storage= a SQLite file"):
        optimize(objectives.learning_curve, SPACE, pruner=MedianPruner(), executor="processes")


def test_processes_prune_through_the_study_file(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    result = optimize(
        objectives.learning_curve,
        SPACE,
        RandomSearch(),
        pruner=SuccessiveHalving(),
        max_evals=24,
        seed=0,
        storage=path,
        executor="processes",
        max_pending=2,
    )
    assert len(result.trials) == 24 and result.pruned
    _check_pruned(result.trials)
    assert os.getpid() not in {t.extra["pid"] for t in result.trials if t.extra}
    _check_pruned(load_study(path, "default", space=SPACE).trials)


@pytest.mark.slow
def test_a_dask_cluster_prunes_through_the_study_file(tmp_path: Path) -> None:
    from distributed import Client, LocalCluster

    path = tmp_path / "runs.db"
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        workers = set(client.run(os.getpid).values())
        result = optimize(
            objectives.learning_curve,
            SPACE,
            RandomSearch(),
            pruner=MedianPruner(),
            max_evals=20,
            seed=0,
            storage=path,
            executor=client,
        )
    assert len(result.trials) == 20 and result.pruned
    _check_pruned(result.trials)
    assert {t.extra["pid"] for t in result.trials if t.extra} <= workers


def _run_elsewhere(code: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_another_process_prunes_against_this_ones_trials(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    # This process completes three good trials; none is pruned (no median yet).
    mine = optimize(
        objectives.learning_curve,
        SPACE,
        RandomSearch(),
        pruner=MedianPruner(min_trials=3),
        max_evals=3,
        storage=path,
        points_to_evaluate=[0.1, 0.2, 0.3],
    )
    assert [t.state for t in mine.trials] == [TrialState.OK] * 3
    # Another process's first trial, a bad one, is pruned at its first report: its decision
    # used the trials this process ran.
    other = _run_elsewhere(
        f"""
        from typedspace import Uniform, optimize
        from typedspace.algorithms import RandomSearch
        from typedspace.pruners import MedianPruner
        from tests._objectives import learning_curve
        result = optimize(learning_curve, Uniform(0.0, 1.0), RandomSearch(),
                          pruner=MedianPruner(min_trials=3), max_evals=4, storage={str(path)!r},
                          points_to_evaluate=[0.9])
        print(result.trials[-1].state.value, result.trials[-1].last_step)
        """
    )
    out, err = other.communicate(timeout=120)
    assert other.returncode == 0, err
    assert out.split() == ["pruned", "1"]


@pytest.mark.slow
def test_reports_survive_a_sigkill_and_the_study_resumes(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    worker = _run_elsewhere(
        f"""
        import time
        from typedspace import Uniform, optimize
        def slow(x, trial):
            for epoch in range(1, 100):
                trial.report(epoch, x + 1 / epoch)
                time.sleep(0.05)
            return x
        optimize(slow, Uniform(0.0, 1.0), max_evals=5, storage={str(path)!r})
        """
    )

    def reported() -> int:
        if not path.exists():
            return 0
        try:
            with SQLiteStorage(path, create=False) as storage:
                trials = storage.trials("default")
        except (KeyError, Exception):
            return 0
        return len(trials[0].intermediate) if trials else 0

    deadline = time.monotonic() + 120
    while reported() < 3:
        assert worker.poll() is None, worker.stderr.read() if worker.stderr else ""
        assert time.monotonic() < deadline, "the worker never reported"
        time.sleep(0.02)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    with SQLiteStorage(path, create=False) as storage:
        [killed] = storage.trials("default")
    assert killed.state is TrialState.RUNNING and len(killed.intermediate) >= 3

    result = optimize(objectives.learning_curve, SPACE, max_evals=3, storage=path)
    first = result.trials[0]
    assert first.state is TrialState.FAILED and first.error is not None
    assert first.error.type == "Interrupted"
    assert first.intermediate[: len(killed.intermediate)] == killed.intermediate
    assert len(result.trials) == 3


class _CurveReader:
    """A random-search proposer that also reads curves, recording what it is told."""

    def __init__(self, table: Any, rng: Any) -> None:
        self.inner = RandomSearch().start(table, rng)
        self.told: list[tuple[str, int, Any]] = []

    def tell_curve(self, number: int, curve: Any) -> None:
        self.told.append(("curve", number, list(curve)))

    def tell(self, number: int, assignment: Any, loss: float | None) -> None:
        self.told.append(("tell", number, loss))

    def tell_pruned(self, number: int, assignment: Any, step: int | float, value: float) -> None:
        self.told.append(("pruned", number, (step, value)))

    def propose(self, n: int, pending: Any) -> Any:
        return self.inner.propose(n, pending)


def test_the_loop_tells_curves_before_the_trials_they_belong_to() -> None:
    proposers: list[_CurveReader] = []

    class Reader:
        def start(self, table: Any, rng: Any) -> _CurveReader:
            proposers.append(_CurveReader(table, rng))
            return proposers[-1]

    opt = Optimizer(SPACE, Reader(), seed=0, pruner=MedianPruner(min_trials=2))
    for _ in range(6):
        trial = opt.ask()
        curve = [(step, trial.value + 1.0 / step) for step in (1, 2, 3)]
        stopped = False
        for step, value in curve:
            if opt.report(trial, step, value):
                opt.tell(trial, TrialPruned())
                stopped = True
                break
        if not stopped:
            opt.tell(trial, curve[-1][1])
    opt.ask()  # the last trial is told at the next proposal
    told = proposers[0].told
    by_number = {t.number: t for t in opt.trials}
    curves = [entry for entry in told if entry[0] == "curve"]
    assert len(curves) == 6 and any(t.state is TrialState.PRUNED for t in by_number.values())
    for index, (kind, number, payload) in enumerate(told):
        if kind != "curve":
            continue
        assert payload == list(by_number[number].intermediate)
        following = told[index + 1]
        assert following[1] == number and following[0] in ("tell", "pruned")
        assert (following[0] == "pruned") == (by_number[number].state is TrialState.PRUNED)
