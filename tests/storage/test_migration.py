"""A study file written by typedspace before pruning (schema version 1, `data/v1.db`, made
by the previous release's code) opens read-only as it is, and resumes after an automatic
upgrade that keeps every trial."""

from __future__ import annotations

import math
import shutil
import sqlite3
from pathlib import Path

import pytest

from typedspace import Choice, IntUniform, LogUniform, Outcome, Report, TrialState, optimize
from typedspace.pruners import MedianPruner
from typedspace.storage import SQLiteStorage

V1 = Path(__file__).with_name("data") / "v1.db"
SPACE = {"lr": LogUniform(1e-4, 1.0), "layers": IntUniform(1, 4), "act": Choice("relu", "tanh")}
STUDY = "written-by-v1"


def _version(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    return version


@pytest.fixture
def v1(tmp_path: Path) -> Path:
    path = tmp_path / "v1.db"
    shutil.copyfile(V1, path)
    assert _version(path) == 1
    return path


def test_a_version_1_file_reads_as_it_is(v1: Path) -> None:
    before = v1.read_bytes()
    with SQLiteStorage(v1, read_only=True) as storage:
        trials = storage.trials(STUDY)
    assert len(trials) == 12 and all(t.state is TrialState.OK for t in trials)
    assert all(t.intermediate == () and t.extra == {"note": "v1"} for t in trials)
    assert v1.read_bytes() == before and _version(v1) == 1


def test_a_version_1_study_resumes_after_the_upgrade_with_every_trial(v1: Path) -> None:
    with SQLiteStorage(v1, read_only=True) as storage:
        old = list(storage.trials(STUDY))

    def objective(config: dict[str, object], trial: Report) -> Outcome:
        loss = math.inf
        for epoch in range(1, 5):
            loss = float(config["layers"]) + 1 / epoch  # type: ignore[arg-type]
            trial.report(epoch, loss)
        return Outcome(loss, extra={"note": "v2"})

    result = optimize(
        objective, SPACE, max_evals=20, storage=v1, study=STUDY, pruner=MedianPruner(min_trials=1)
    )
    assert _version(v1) == 2
    assert [t.to_record() for t in result.trials[:12]] == old  # untouched by the upgrade
    new = result.trials[12:]
    assert len(new) == 8 and all(t.intermediate for t in new)
    with SQLiteStorage(v1, read_only=True) as storage:
        assert [r.intermediate for r in storage.trials(STUDY)[12:]] == [t.intermediate for t in new]


def test_two_openers_upgrade_once(v1: Path) -> None:
    first, second = SQLiteStorage(v1), SQLiteStorage(v1)
    with first, second:
        assert len(first.trials(STUDY)) == len(second.trials(STUDY)) == 12
    assert _version(v1) == 2
