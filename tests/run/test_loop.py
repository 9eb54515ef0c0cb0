"""The loop of one run, inline: it stops at the loss threshold, at the timeout and on Ctrl-C
(keeping the finished trials), and re-raises failures when catch=False."""

from __future__ import annotations

import pytest

from typedspace import TrialState, Uniform, optimize
from typedspace.algorithms import RandomSearch


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
