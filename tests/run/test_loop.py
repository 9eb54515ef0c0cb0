"""The loop of one run, inline: it stops at the loss threshold, at the timeout and on Ctrl-C
(keeping the finished trials), and re-raises failures when catch=False; sys.exit in the
objective fails its trial before ending the program."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from typedspace import Trial, TrialState, Uniform, load_study, optimize
from typedspace.algorithms import RandomSearch
from typedspace.storage import SQLiteStorage, TrialRecord


def test_loss_threshold_stops_early() -> None:
    result = optimize(
        lambda x: x, Uniform(0.0, 1.0), RandomSearch(), max_evals=1000, seed=0, loss_threshold=0.05
    )
    assert result.stop_reason == "loss_threshold"
    assert result.best_loss <= 0.05
    assert all(t.loss is not None and t.loss > 0.05 for t in result.trials[:-1])


def test_timeout_stops_launching() -> None:
    import time

    def slow(x: float) -> float:
        time.sleep(0.05)
        return x

    result = optimize(
        slow, Uniform(0.0, 1.0), RandomSearch(), max_evals=10_000, timeout=0.3, seed=0
    )
    assert result.stop_reason == "timeout"
    assert 1 <= len(result.trials) < 100


def test_keyboard_interrupt_keeps_finished_trials() -> None:
    seen: list[float] = []

    def objective(x: float) -> float:
        if len(seen) == 4:
            raise KeyboardInterrupt
        seen.append(x)
        return x

    result = optimize(objective, Uniform(0.0, 1.0), RandomSearch(), max_evals=50, seed=0)
    assert result.stop_reason == "interrupted"
    assert [t.state for t in result.trials] == [TrialState.OK] * 4 + [TrialState.CANCELLED]
    assert result.best == min(seen)


def test_catch_false_reraises_after_recording() -> None:
    def boom(x: float) -> float:
        raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        optimize(boom, Uniform(0.0, 1.0), RandomSearch(), max_evals=5, seed=0, catch=False)


def test_system_exit_fails_its_trial_then_ends_the_program(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    seen: list[float] = []

    def objective(x: float) -> float:
        if len(seen) == 2:
            sys.exit(3)
        seen.append(x)
        return x

    with pytest.raises(SystemExit) as info:
        optimize(objective, Uniform(0.0, 1.0), RandomSearch(), max_evals=5, storage=path)
    assert info.value.code == 3
    records = load_study(path, "default").records  # read back from the file
    assert [r.state for r in records] == [TrialState.OK] * 2 + [TrialState.FAILED]
    assert str(records[-1].error) == "SystemExit: 3"


def ctrl_c() -> None:
    """A real Ctrl-C: SIGINT to this process, as a terminal sends it."""
    os.kill(os.getpid(), signal.SIGINT)


@pytest.fixture
def default_sigint() -> Iterator[None]:
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.mark.usefixtures("default_sigint")
def test_a_real_ctrl_c_leaves_no_trial_running(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"

    def objective(x: float) -> float:
        ctrl_c()
        time.sleep(5.0)  # interrupted long before
        return x

    result = optimize(objective, Uniform(0.0, 1.0), max_evals=5, storage=path)
    assert result.stop_reason == "interrupted"
    records = load_study(path, "default").records
    assert [r.state for r in records] == [TrialState.CANCELLED]
    assert "KeyboardInterrupt" in str(records[0].error)


class CtrlCWhileWriting(SQLiteStorage):
    """A real SQLite file, and a real Ctrl-C as the first result is being written."""

    pressed = False

    def finish_trial(self, study: str, record: TrialRecord) -> None:
        if not self.pressed:
            self.pressed = True
            ctrl_c()
        super().finish_trial(study, record)


@pytest.mark.usefixtures("default_sigint")
def test_a_ctrl_c_while_a_result_is_written_keeps_it(tmp_path: Path) -> None:
    with CtrlCWhileWriting(tmp_path / "runs.db") as storage:
        try:
            result = optimize(lambda x: x, Uniform(0.0, 1.0), max_evals=5, storage=storage)
        except KeyboardInterrupt:  # (it would stop pytest itself)
            pytest.fail("the Ctrl-C escaped optimize, and the result with it")
    assert result.stop_reason == "interrupted"
    records = load_study(tmp_path / "runs.db", "default").records
    assert [r.state for r in records] == [TrialState.OK]
    assert records[0].loss == result.trials[0].value


def test_early_stop_is_asked_after_each_finished_trial_never_before_the_first() -> None:
    asked: list[int] = []

    def rule(trials: Sequence[Trial[Any]]) -> bool:
        asked.append(len(trials))
        return False

    result = optimize(lambda x: x, Uniform(0.0, 1.0), RandomSearch(), max_evals=3, early_stop=rule)
    assert asked == [1, 2, 3] and result.stop_reason == "max_evals"


def test_a_hyperopt_style_early_stop_fn_is_a_clear_type_error() -> None:
    def hyperopt_style(trials: Sequence[Trial[Any]], *state: Any) -> tuple[bool, list[Any]]:
        return False, []  # Hyperopt's (stop, state) convention: truthy, so it stopped at once

    with pytest.raises(TypeError, match=r"returned \(False, \[\]\).*Hyperopt early_stop_fn"):
        optimize(  # type: ignore[call-overload]  # mypy rejects it too: it is not an EarlyStop
            lambda x: x, Uniform(0.0, 1.0), RandomSearch(), max_evals=5, early_stop=hyperopt_style
        )


# --- A bug in the objective does not burn the budget (issue 13, item 1) ----------------------


def _name_error(x: float) -> float:
    return float(undefined_name) * x  # type: ignore[name-defined]  # noqa: F821  # the bug


@pytest.mark.parametrize("executor", [None, "threads"])
def test_the_same_error_in_the_first_trials_stops_the_run(
    executor: str | None, tmp_path: Path
) -> None:
    path = tmp_path / "runs.db"
    max_pending = 2 if executor else None
    with pytest.raises(NameError, match="undefined_name") as caught:
        optimize(
            _name_error,
            Uniform(0.0, 1.0),
            RandomSearch(),
            max_evals=100,
            storage=path,
            executor=executor,
            max_pending=max_pending,
        )
    assert any("the first 5 trials of this run all failed" in n for n in caught.value.__notes__)
    trials = load_study(path, "default").records
    # None is left running; in parallel, the ones still running when it stopped are cancelled.
    assert all(t.state in (TrialState.FAILED, TrialState.CANCELLED) for t in trials)
    failed = sum(t.state is TrialState.FAILED for t in trials)
    assert 5 <= failed <= len(trials) <= 5 + (max_pending or 0)


def test_different_errors_or_a_success_let_the_run_go_on() -> None:
    count = iter(range(1000))

    def varied(x: float) -> float:
        raise ValueError(f"attempt {next(count)}")

    result = optimize(varied, Uniform(0.0, 1.0), RandomSearch(), max_evals=12, seed=0)
    assert len(result.failed) == 12

    calls = iter(range(1000))

    def fails_after_first(x: float) -> float:
        if next(calls) > 0:
            raise ValueError("the same")
        return x

    result = optimize(fails_after_first, Uniform(0.0, 1.0), RandomSearch(), max_evals=12, seed=0)
    assert len(result.failed) == 11 and result.stop_reason == "max_evals"


def test_a_nan_loss_ends_the_watch_for_a_repeated_error() -> None:
    calls = iter(range(1000))

    def nan_then_errors(x: float) -> float:
        if next(calls) == 0:
            return float("nan")  # the objective ran to its end: not a bug in its code
        raise ValueError("the same")

    result = optimize(nan_then_errors, Uniform(0.0, 1.0), RandomSearch(), max_evals=12, seed=0)
    assert len(result.failed) == 12


def test_a_resumed_study_with_a_success_never_stops_on_repeated_errors(tmp_path: Path) -> None:
    path, space = tmp_path / "runs.db", Uniform(0.0, 1.0)
    optimize(lambda x: x, space, RandomSearch(), max_evals=1, storage=path)
    result = optimize(_name_error, space, RandomSearch(), max_evals=10, storage=path)
    assert len(result.failed) == 9
