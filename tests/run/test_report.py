"""Where reports go: each trial's curve is built once per version of its record, by the
optimizer's one ``Reporting``, and a worker process builds its own."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from typedspace import Optimizer, Uniform
from typedspace.pruners import MedianPruner


@pytest.mark.parametrize("on_disk", [False, True], ids=["memory", "sqlite"])
def test_a_curve_is_rebuilt_only_when_its_trial_changed(tmp_path: Path, on_disk: bool) -> None:
    storage = str(tmp_path / "runs.db") if on_disk else None
    opt = Optimizer(Uniform(0.0, 1.0), pruner=MedianPruner(), storage=storage, seed=0)
    first, second = opt.ask(), opt.ask()
    opt.report(first, 1, 0.5)
    opt.report(second, 1, 0.7)
    cache = opt.reporting().curves
    before = cache.curves(opt.storage.trials(opt.study))
    again = cache.curves(opt.storage.trials(opt.study))
    assert [a is b for a, b in zip(before, again, strict=True)] == [True, True]

    opt.report(second, 2, 0.6)
    after = cache.curves(opt.storage.trials(opt.study))
    assert after[0] is before[0]
    assert after[1] is not before[1]
    assert (after[1].steps, after[1].values, after[1].best_until(2)) == ((1, 2), (0.7, 0.6), 0.6)

    opt.tell(first, 0.4)  # finishing changes the record: its curve now has the loss
    finished = cache.curves(opt.storage.trials(opt.study))[0]
    assert finished is not before[0] and finished.loss == 0.4


def test_the_optimizer_keeps_one_reporting_and_a_pickled_copy_builds_its_own(
    tmp_path: Path,
) -> None:
    # Pickled as a process pool's or Dask's worker gets it (a SQLite study: shared).
    opt = Optimizer(
        Uniform(0.0, 1.0), pruner=MedianPruner(), storage=str(tmp_path / "runs.db"), seed=0
    )
    assert opt.reporting() is opt.reporting()
    empty = len(pickle.dumps(opt.reporting()))
    for step in range(1, 40):
        trial = opt.ask()
        opt.report(trial, step, 1.0 / step)
    records = opt.storage.trials(opt.study)
    mine = opt.reporting().curves.curves(records)

    shipped = pickle.dumps(opt.reporting())
    assert len(shipped) == empty  # the 39 curves stay behind
    theirs = pickle.loads(shipped).curves.curves(records)
    assert theirs == mine and theirs[0] is not mine[0]
