"""The study API: load_study, typed trials, best trial, rows and CSV, study_names."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import attrs
import pytest

from typedspace import (
    Choice,
    IntUniform,
    LogUniform,
    Map,
    NoSuccessfulTrial,
    Outcome,
    Study,
    TrialState,
    Uniform,
    flatten,
    load_study,
    optimize,
    study_names,
)
from typedspace.algorithms import RandomSearch
from typedspace.storage import InMemoryStorage, StorageError, StudyMismatch


@attrs.frozen
class Config:
    lr: float
    layers: int
    act: str


SPACE = Map(
    lambda d: Config(d["lr"], d["layers"], d["act"]),
    {"lr": Uniform(0.0, 1.0), "layers": IntUniform(1, 4), "act": Choice("relu", "gelu")},
)
PLAIN = {
    "lr": Uniform(0.0, 1.0),
    "model": Choice({"depth": IntUniform(1, 3)}, {"width": Uniform(1.0, 2.0)}),
    "act": Choice("relu", "gelu", 3, None),
}


def objective(c: Config) -> Outcome:
    if c.lr > 0.6:
        raise ValueError("the learning rate diverges")
    return Outcome(c.lr + c.layers, extra={"acc": 1 - c.lr, "curve": [1, 2]})


def run(path: Path, space: Any = SPACE, fn: Any = objective, n: int = 12) -> Any:
    return optimize(
        fn, space, RandomSearch(), max_evals=n, seed=3, storage=path, study="svm", progress=False
    )


def test_load_study_gives_the_records_and_typed_trials(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    result = run(path)
    study: Study[Config] = load_study(path, "svm", space=SPACE)
    assert study.name == "svm"
    assert study.records == tuple(t.to_record() for t in result.trials)
    assert study.trials == result.trials
    assert study.best_trial == result.best_trial
    assert isinstance(study.best_trial.value, Config)
    assert study.best_record == result.best_trial.to_record()
    assert study.table is not None and study.table.names == ("lr", "layers", "act")


def test_a_space_with_functions_needs_the_space_for_typed_values(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    run(path)
    study = load_study(str(path), "svm")  # Map holds a lambda: the space was not stored
    # Its parameter table is stored as data: names, bounds and labels without the code.
    assert study.table == flatten(SPACE).table and len(study.records) == 12
    with pytest.raises(ValueError, match="pass space= to load_study"):
        _ = study.trials
    assert study.best_record.loss == min(r.loss for r in study.records if r.loss is not None)


def test_a_serializable_space_is_read_back_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    result = run(path, PLAIN, lambda d: d["lr"])
    study = load_study(path, "svm")
    assert study.trials == result.trials  # typed (dict) values without giving the space
    assert study.best_trial.value == result.best


def test_wrong_space_missing_study_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    run(path)
    with pytest.raises(StudyMismatch, match="study 'svm' was created with a different space"):
        load_study(path, "svm", space=PLAIN)
    with pytest.raises(KeyError, match="no study named 'lasso'"):
        load_study(path, "lasso")
    with pytest.raises(StorageError, match="no typedspace database at"):
        load_study(tmp_path / "typo.db", "svm")
    with pytest.raises(StorageError, match="no typedspace database at"):
        study_names(tmp_path / "typo.db")
    assert not (tmp_path / "typo.db").exists()


def test_study_names_in_creation_order(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    for name in ("zeta", "alpha", "mid"):
        optimize(
            lambda x: x,
            Uniform(0.0, 1.0),
            RandomSearch(),
            max_evals=1,
            storage=path,
            study=name,
            progress=False,
        )
    assert study_names(path) == ["zeta", "alpha", "mid"]
    assert study_names(InMemoryStorage()) == []


def test_no_successful_trial_says_why(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"

    def broken(c: Config) -> float:
        raise RuntimeError("no GPU")

    run(path, fn=broken, n=3)
    study = load_study(path, "svm", space=SPACE)
    with pytest.raises(NoSuccessfulTrial, match="all 3 finished trials failed.*no GPU"):
        _ = study.best_record
    with pytest.raises(NoSuccessfulTrial, match="no GPU"):
        _ = study.best_trial


def test_to_dicts_rows(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    result = run(path)
    rows = load_study(path, "svm", space=SPACE).to_dicts()
    assert len(rows) == 12
    for row, trial in zip(rows, result.trials, strict=True):
        assert row["number"] == trial.number
        assert row["state"] == trial.state.value
        assert row["loss"] == trial.loss
        assert row["started"] == trial.started and row["finished"] == trial.finished
        assert row["duration"] == trial.duration
        assert row["params.lr"] == trial.value.lr
        assert row["params.layers"] == trial.value.layers
        assert row["params.act"] == trial.value.act  # the constant, not its index
        if trial.state is TrialState.OK:
            assert row["extra.acc"] == 1 - trial.value.lr and row["extra.curve"] == [1, 2]
            assert row["error"] is None
        else:
            assert row["error"] == "ValueError: the learning rate diverges"
    assert {r["state"] for r in rows} == {"ok", "failed"}  # seed 3 draws both (deterministic)


def test_to_dicts_conditional_and_nested_choices(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    run(path, PLAIN, lambda d: d["lr"], n=20)
    study = load_study(path, "svm")
    for row, trial in zip(study.to_dicts(), study.trials, strict=True):
        branch = trial.assignment["model"]
        assert row["params.model"] == branch  # a choice of spaces shows the option index
        assert (row["params.model.0.depth"] is None) == (branch == 1)  # inactive: None
        assert (row["params.model.1.width"] is None) == (branch == 0)
        assert row["params.act"] == trial.value["act"]  # "relu", "gelu", 3 or None
    without = load_study(path, "svm", space=None)
    assert without.to_dicts() == study.to_dicts()  # the stored space gives the same rows


def test_to_csv_to_a_path_and_to_a_stream(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    run(path)
    study = load_study(path, "svm", space=SPACE)
    study.to_csv(tmp_path / "trials.csv")
    stream = io.StringIO()
    study.to_csv(stream)
    text = (tmp_path / "trials.csv").read_text()
    assert text == stream.getvalue()
    rows = list(csv.DictReader(io.StringIO(text)))
    expected = study.to_dicts()
    assert list(rows[0])[:6] == ["number", "state", "loss", "started", "finished", "duration"]
    assert len(rows) == len(expected)
    for got, want in zip(rows, expected, strict=True):
        assert int(got["number"]) == want["number"]
        assert float(got["params.lr"]) == want["params.lr"]  # floats exactly
        assert got["params.act"] == want["params.act"]
        assert (got["loss"] == "") == (want["loss"] is None)
        if want["loss"] is not None:
            assert float(got["loss"]) == want["loss"]
            assert got["extra.curve"] == "[1, 2]"


def test_a_space_mismatch_is_told_in_the_users_terms(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    old = {"lr": LogUniform(1e-5, 0.1), "act": Choice("relu", "gelu")}
    optimize(lambda c: c["lr"], old, RandomSearch(), max_evals=2, storage=path, study="mlp")
    new = {"lr": LogUniform(1e-4, 1.0), "act": Choice("relu", "tanh"), "n": IntUniform(1, 4)}
    with pytest.raises(StudyMismatch) as caught:
        optimize(lambda c: c["lr"], new, RandomSearch(), max_evals=4, storage=path, study="mlp")
    message = str(caught.value)
    assert "NumericParam(" not in message and "z_low" not in message
    assert "  parameter 'lr': log-uniform [1e-05, 0.1] -> log-uniform [0.0001, 1]" in message
    assert "  parameter 'act': one of 'relu' | 'gelu' -> one of 'relu' | 'tanh'" in message
    assert "  parameter 'n' added: int uniform [1, 4]" in message
    assert "allow_space_change=True" in message and "another study= name" in message
    with pytest.raises(StudyMismatch, match="parameter 'n' added: int uniform"):
        load_study(path, "mlp", new)


# Pruned trials (an objective taking a Report, a study with a pruner): rows say where each
# stopped, and the whole curve goes along.


def _pruned_study(path: Path) -> Any:
    from typedspace.pruners import MedianPruner

    from .. import _objectives as objectives

    optimize(
        objectives.learning_curve,
        Uniform(0.0, 1.0),
        RandomSearch(),
        pruner=MedianPruner(),
        max_evals=16,
        seed=0,
        storage=path,
        study="curves",
        progress=False,
    )
    return load_study(path, "curves")


def test_rows_of_pruned_trials_say_where_they_stopped(tmp_path: Path) -> None:
    from .. import _objectives as objectives

    study = _pruned_study(tmp_path / "runs.db")
    rows = study.to_dicts()
    assert list(rows[0])[:8] == [
        "number",
        "state",
        "loss",
        "started",
        "finished",
        "duration",
        "last_step",
        "last_value",
    ]
    assert list(rows[0])[-2:] == ["error", "intermediate"]
    assert {r["state"] for r in rows} == {"ok", "pruned"}
    for row, trial in zip(rows, study.trials, strict=True):
        assert row["intermediate"] == [[step, value] for step, value in trial.intermediate]
        assert row["last_step"] == trial.last_step and isinstance(row["last_step"], int)
        assert row["last_value"] == trial.intermediate[-1][1]
        if trial.state is TrialState.PRUNED:
            assert row["loss"] is None and row["error"] is None
            assert row["last_step"] < objectives.EPOCHS
        else:
            assert row["last_step"] == objectives.EPOCHS and row["last_value"] == row["loss"]
    # JSON keeps it all: steps stay ints, values exact.
    assert json.loads(json.dumps(rows)) == rows


def test_csv_of_pruned_trials_is_one_flat_row_each(tmp_path: Path) -> None:
    study = _pruned_study(tmp_path / "runs.db")
    study.to_csv(tmp_path / "trials.csv")
    with open(tmp_path / "trials.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    expected = study.to_dicts()
    assert len(rows) == len(expected)
    for got, want in zip(rows, expected, strict=True):
        assert got["state"] == want["state"]
        assert (got["loss"] == "") == (want["state"] == "pruned")
        assert int(got["last_step"]) == want["last_step"]
        assert float(got["last_value"]) == want["last_value"]
        assert json.loads(got["intermediate"]) == want["intermediate"]  # JSON text, exact


def test_rows_without_reports_have_empty_curve_columns(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    run(path)
    study = load_study(path, "svm", space=SPACE)
    for row in study.to_dicts():
        assert row["last_step"] is None and row["last_value"] is None
        assert row["intermediate"] == []
    stream = io.StringIO()
    study.to_csv(stream)
    for got in csv.DictReader(io.StringIO(stream.getvalue())):
        assert (got["last_step"], got["last_value"], got["intermediate"]) == ("", "", "[]")


def test_no_successful_trial_when_every_trial_was_pruned(tmp_path: Path) -> None:
    from typedspace import Report, TrialPruned

    def hopeless(c: Config, trial: Report) -> float:
        trial.report(1, 10.0)
        if c.lr > 0.6:
            raise ValueError("the learning rate diverges")
        raise TrialPruned("no better than the rest")

    run(tmp_path / "runs.db", fn=hopeless, n=6)
    study = load_study(tmp_path / "runs.db", "svm", space=SPACE)
    states = sorted(r.state.value for r in study.records)
    pruned, failed = states.count("pruned"), states.count("failed")
    assert pruned and failed and pruned + failed == 6
    with pytest.raises(
        NoSuccessfulTrial, match=rf"no trial completed: {pruned} pruned, {failed} failed"
    ):
        _ = study.best_record
