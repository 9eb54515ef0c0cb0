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
from typedspace.storage._sqlite_file import SCHEMA_VERSION

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
    assert _version(v1) == SCHEMA_VERSION
    assert [t.to_record() for t in result.trials[:12]] == old  # untouched by the upgrade
    new = result.trials[12:]
    assert len(new) == 8 and all(t.intermediate for t in new)
    with SQLiteStorage(v1, read_only=True) as storage:
        assert [r.intermediate for r in storage.trials(STUDY)[12:]] == [t.intermediate for t in new]


def test_two_openers_upgrade_once(v1: Path) -> None:
    first, second = SQLiteStorage(v1), SQLiteStorage(v1)
    with first, second:
        assert len(first.trials(STUDY)) == len(second.trials(STUDY)) == 12
    assert _version(v1) == SCHEMA_VERSION


# `data/v2.db` was written by the code of schema version 2 (before several objectives):
# optimize(objective, SPACE, RandomSearch(), max_evals=12, seed=3, study="written-by-v2",
# pruner=MedianPruner(min_trials=2)) with an objective reporting 4 epochs and returning
# Outcome(loss, extra={"note": "v2"}): 3 OK trials and 9 pruned ones.
V2 = Path(__file__).with_name("data") / "v2.db"
STUDY_V2 = "written-by-v2"


@pytest.fixture
def v2(tmp_path: Path) -> Path:
    path = tmp_path / "v2.db"
    shutil.copyfile(V2, path)
    assert _version(path) == 2
    return path


def test_a_version_2_file_reads_as_it_is(v2: Path) -> None:
    before = v2.read_bytes()
    with SQLiteStorage(v2, read_only=True) as storage:
        trials = storage.trials(STUDY_V2)
    states = [t.state for t in trials]
    assert states.count(TrialState.OK) == 3 and states.count(TrialState.PRUNED) == 9
    assert all(t.values is None and t.constraints is None for t in trials)
    assert all(len(t.intermediate) == 4 for t in trials if t.state is TrialState.OK)
    assert v2.read_bytes() == before and _version(v2) == 2


def test_a_version_2_study_resumes_unchanged_after_the_upgrade(v2: Path) -> None:
    with SQLiteStorage(v2, read_only=True) as storage:
        old = list(storage.trials(STUDY_V2))

    def objective(config: dict[str, object], trial: Report) -> Outcome:
        loss = float(config["layers"])  # type: ignore[arg-type]
        trial.report(1, loss)
        return Outcome(loss, extra={"note": "v3"})

    result = optimize(
        objective, SPACE, max_evals=16, storage=v2, study=STUDY_V2, pruner=MedianPruner()
    )
    assert _version(v2) == SCHEMA_VERSION
    assert [t.to_record() for t in result.trials[:12]] == old
    assert all(t.values is None and t.constraints is None for t in result.trials)
    assert len(result.trials) == 16 and result.best_loss == min(
        t.loss for t in result.trials if t.loss is not None
    )


def test_an_upgraded_version_2_file_takes_a_new_study_with_several_objectives(v2: Path) -> None:
    from typedspace import minimize

    result = optimize(
        lambda c: (float(c["layers"]), c["lr"]),
        SPACE,
        max_evals=12,
        storage=v2,
        study="two objectives",
        objectives=minimize("layers") & minimize("lr"),
        constraints=lambda out: out[1] < 0.1,
    )
    with SQLiteStorage(v2, read_only=True) as storage:
        stored = storage.trials("two objectives")
        assert len(storage.trials(STUDY_V2)) == 12
    assert [(r.values, r.constraints) for r in stored] == [
        (t.values, t.constraints) for t in result.trials
    ]
    assert all(r.values is not None and r.constraints is not None for r in stored)


@pytest.mark.parametrize(
    ("column", "text", "message"),
    [
        ("objective_values", "'[1.0, \"a\"]'", "objective_values is .* not a list of numbers"),
        ("constraint_values", "'{}'", "constraint_values is .* not a list of numbers"),
        (
            "intermediate_vectors",
            "'[[1, 2.0]]'",
            r"intermediate_vectors is .* not a list of \[step",
        ),
    ],
)
def test_a_damaged_row_of_several_objectives_is_refused_naming_it(
    tmp_path: Path, column: str, text: str, message: str
) -> None:
    from typedspace import minimize
    from typedspace.errors import StorageError

    path = tmp_path / "runs.db"
    optimize(
        lambda c: (c["layers"], c["lr"]),
        SPACE,
        max_evals=2,
        storage=path,
        study="mo",
        objectives=minimize() & minimize(),
        constraints=lambda out: out[1] - 0.5,
    )
    with sqlite3.connect(path) as conn:
        conn.execute(f"UPDATE trials SET {column} = {text} WHERE number = 1")
    with (
        SQLiteStorage(path, read_only=True) as storage,
        pytest.raises(StorageError, match=f"study 'mo', trial 1: {message}"),
    ):
        storage.trials("mo")
