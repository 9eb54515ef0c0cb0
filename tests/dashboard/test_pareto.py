"""typedspace/dashboard/_pareto.py: the front and hypervolume history kept between polls."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from typedspace.algorithms._pareto import hypervolume, pareto_mask, reference_point
from typedspace.dashboard import _pareto
from typedspace.dashboard._data import StudyFile
from typedspace.dashboard._pareto import CHECKPOINT_EVERY, FrontHistory
from typedspace.storage import TrialState, load_study
from typedspace.storage._records import is_feasible


def from_scratch(numbers: list[int], losses: np.ndarray, reference: np.ndarray) -> FrontHistory:
    history = FrontHistory()
    history.update(numbers, losses, reference)
    return history


@pytest.mark.parametrize("m", [2, 3])
def test_late_trials_restart_from_a_checkpoint_and_agree_with_a_fresh_reading(m: int) -> None:
    rng = np.random.default_rng(m)
    n = 5 * CHECKPOINT_EVERY
    # Ties on purpose (rounded values): equal points are both on the front.
    losses = np.round(rng.random((n, m)) ** 2, 2)
    reference = np.full(m, 1.5)  # fixed, beyond every point: only the order matters here
    history = FrontHistory()
    # Trials complete in batches; in each, some earlier trials were still running and
    # complete only in the next batch (with parallel workers trials finish out of order).
    order = rng.permutation(n)
    done: set[int] = set()
    restarts = 0
    for start in range(0, n, 97):
        done |= set(order[: start + 97].tolist())
        numbers = sorted(done)
        before = list(history.numbers)
        history.update(numbers, losses[numbers], reference)
        restarts += numbers[: len(before)] != before
        fresh = from_scratch(numbers, losses[numbers], reference)
        assert [n for n, _ in history.steps] == [n for n, _ in fresh.steps]
        assert [v for _, v in history.steps] == pytest.approx([v for _, v in fresh.steps], rel=1e-9)
        assert sorted(history.front_numbers) == sorted(fresh.front_numbers)
        mask = pareto_mask(losses[numbers])
        assert sorted(history.front_numbers) == [
            i for i, on in zip(numbers, mask, strict=True) if on
        ]
        assert history.volume == pytest.approx(hypervolume(losses[numbers], reference), rel=1e-9)
        # Restarting from a checkpoint (not from the start) after a late trial.
        assert len(history.checkpoints) >= len(numbers) // CHECKPOINT_EVERY
    assert restarts > 0


def test_a_new_worst_value_moves_the_reference_and_recomputes_the_history() -> None:
    rng = np.random.default_rng(0)
    losses = rng.random((50, 2))
    history = FrontHistory()
    numbers = list(range(40))
    history.update(numbers, losses[:40], reference_point(losses[:40]))
    losses[45] = [5.0, 0.0]  # a new worst first loss: on the front, and a new reference
    reference = reference_point(losses)
    history.update(list(range(50)), losses, reference)
    assert history.reference == tuple(reference.tolist())
    expected = [hypervolume(losses[: n + 1], reference) for n, _ in history.steps]
    assert [v for _, v in history.steps] == pytest.approx(expected, rel=1e-12)


def test_no_volume_is_computed_beyond_three_objectives() -> None:
    losses = np.random.default_rng(1).random((30, 4))
    history = FrontHistory(volume_wanted=False)
    history.update(list(range(30)), losses, None)
    assert history.steps == [] and history.volume == 0.0
    assert sorted(history.front_numbers) == np.flatnonzero(pareto_mask(losses)).tolist()


def test_the_volume_stops_when_it_takes_too_long(
    monkeypatch: pytest.MonkeyPatch, pareto_db: Path
) -> None:
    monkeypatch.setattr(_pareto, "VOLUME_BUDGET", -1.0)  # every poll is over it
    with StudyFile(pareto_db) as studies:
        data = studies.study("two")["pareto"]
        again = studies.study("two")["pareto"]
    assert data["hypervolume"] is None and data["hypervolume_stopped"]
    assert again == data
    records = [r for r in load_study(pareto_db, "two").records if r.state is TrialState.OK]
    feasible = [r for r in records if is_feasible(r.constraints)]
    losses = np.array([r.values for r in feasible]) * [1.0, -1.0]
    assert data["front"] == [
        r.number for r, on in zip(feasible, pareto_mask(losses), strict=True) if on
    ]
