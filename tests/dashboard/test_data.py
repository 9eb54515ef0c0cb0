"""typedspace/dashboard/_data.py: what the page receives about a stored study."""

from __future__ import annotations

import hashlib
import json
import math
import subprocess
import sys
from pathlib import Path

from typedspace import Choice, IntUniform, LogUniform, Map, Optimizer, Outcome, optimize
from typedspace.algorithms import RandomSearch
from typedspace.dashboard._data import StudyFile, assignment_text, table_text
from typedspace.plots._importance import importances
from typedspace.storage import SQLiteStorage, TrialState, load_study

from .conftest import HOSTILE_MESSAGE


def test_rows_are_the_stored_trials(studies_db: Path) -> None:
    stored = load_study(studies_db, "mlp")
    with StudyFile(studies_db) as studies:
        data = studies.study("mlp")
    assert data["full"] and len(data["trials"]) == len(stored.records) == 40
    for row, record in zip(data["trials"], stored.records, strict=True):
        assert row["number"] == record.number and row["state"] == record.state.value
        assert row["loss"] == record.loss and row["params"] == dict(record.assignment)
        assert row["values"] is None and row["constraints"] is None  # one objective
    failed = [row for row in data["trials"] if row["state"] == "failed"]
    assert failed, "the study must have failed trials for this test"
    for row in failed:
        assert row["error"]["type"] == "ValueError"
        assert row["error"]["message"] == HOSTILE_MESSAGE  # data: the page escapes it
        assert "Traceback" in row["error"]["traceback"] and "in loss" in row["error"]["traceback"]
    # Inactive parameters are absent: momentum only where opt = sgd (option 0).
    for row in data["trials"]:
        assert ("opt.sgd.momentum" in row["params"]) == (row["params"]["opt"] == 0)


def test_best_configuration_parameters_and_counts(studies_db: Path) -> None:
    stored = load_study(studies_db, "mlp")
    best = stored.best_record
    with StudyFile(studies_db) as studies:
        data = studies.study("mlp")
        listing = {s["name"]: s for s in studies.studies()}
    # The space holds plain leaves only: its typed value is rebuilt without any user code.
    assert data["typed"] and data["best"]["typed"]
    assert data["best"]["number"] == best.number and data["best"]["loss"] == best.loss
    assert data["best"]["repr"] == repr(stored.best_trial.value)
    assert "opt: one of 'sgd' | 'adam'" in data["space"]
    params = {p["name"]: p for p in data["params"]}
    assert params["lr"] == {
        "name": "lr",
        "kind": "float",
        "log": True,
        "low": 1e-4,
        "high": 1.0,
        "condition": [],
    }
    assert params["act"]["labels"] == ["'relu'", "'gelu'"]
    assert params["opt.sgd.momentum"]["condition"] == [["opt", [0]]]
    states = {state.value: 0 for state in TrialState}
    for r in stored.records:
        states[r.state.value] += 1
    assert data["counts"] == {"trials": 40, "states": states, "best_loss": best.loss}
    assert listing["mlp"] == {"name": "mlp", **data["counts"]}
    assert listing["curves"]["states"]["pruned"] > 0


def test_importance_is_the_plots_computation_with_n(studies_db: Path) -> None:
    stored = load_study(studies_db, "mlp")
    categorical = {p: p in ("act", "opt") for p in stored.table.names} if stored.table else {}
    expected = importances(stored.records, categorical)
    with StudyFile(studies_db) as studies:
        got = studies.study("mlp")["importance"]
    assert got["unavailable"] is None
    assert [(s["name"], s["score"], s["n"]) for s in got["scores"]] == [
        (name, imp.score, imp.n) for name, imp in expected.items()
    ]
    ok = sum(1 for r in stored.records if r.state is TrialState.OK)
    n = {s["name"]: s["n"] for s in got["scores"]}
    assert n["lr"] == ok and n["opt.sgd.momentum"] < ok  # active only under sgd


def test_a_poll_sends_only_the_trials_that_changed(tmp_path: Path) -> None:
    path = tmp_path / "asktell.db"
    space = {"x": LogUniform(1e-3, 1.0)}
    with SQLiteStorage(path) as storage:
        opt = Optimizer(space, RandomSearch(), seed=0, storage=storage, study="s")
        first, second = opt.ask(), opt.ask()
        opt.tell(first, 1.0)
        with StudyFile(path) as studies:
            before = studies.study("s")
            assert [r["state"] for r in before["trials"]] == ["ok", "running"]
            same = studies.study("s", since=before["revision"], epoch=before["epoch"])
            assert same["trials"] == [] and same["revision"] == before["revision"]
            opt.tell(second, 0.5)  # the running trial finishes ...
            third = opt.ask()  # ... and another starts
            after = studies.study("s", since=before["revision"], epoch=before["epoch"])
            assert not after["full"] and after["revision"] > before["revision"]
            assert [(r["number"], r["state"]) for r in after["trials"]] == [
                (1, "ok"),
                (2, "running"),
            ]
            assert after["best"]["number"] == 1 and after["counts"]["trials"] == 3
            # A revision of another run of the server (another epoch) gets every trial.
            other = studies.study("s", since=after["revision"], epoch="not-this-one")
            assert other["full"] and len(other["trials"]) == 3
        opt.tell(third, 2.0)


def test_a_study_whose_space_names_code_is_shown_as_data(tmp_path: Path) -> None:
    path = tmp_path / "nets.db"
    # The file names this test module's function: the dashboard must not import it.
    space = {"width": Map(_double, IntUniform(16, 256)), "act": Choice("relu", "gelu")}
    optimize(
        lambda c: c["width"] / 512 + (c["act"] == "gelu"),
        space,
        max_evals=6,
        seed=0,
        storage=str(path),
        study="nets",
    )
    script = (
        "import json, sys\n"
        "from typedspace.dashboard._data import StudyFile\n"
        f"data = StudyFile({str(path)!r}).study('nets')\n"
        "assert __name__ == '__main__' and not [m for m in sys.modules if m.startswith('tests')]\n"
        "print(json.dumps(data))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    data = json.loads(out.stdout)
    assert not data["typed"] and not data["best"]["typed"]
    best = load_study(path, "nets").best_record
    assert data["best"]["repr"] == (
        "{'width': " + repr(best.assignment["width"]) + ", 'act': 'relu'}"
    )
    assert data["space"] == "width: int uniform [16, 256]\nact: one of 'relu' | 'gelu'"


def _double(n: int) -> int:
    return 2 * n


def test_table_and_assignment_text_show_conditions_and_labels() -> None:
    from typedspace import Cond, flatten

    table = flatten({"m": Cond(Choice("a", "b"), {"a": {"k": IntUniform(1, 3)}, "b": {}})}).table
    assert table_text(table) == ("m: one of 'a' | 'b'\nm.a.k: int uniform [1, 3]    (when m = 'a')")
    assert assignment_text({"m": 0, "m.a.k": 2}, table) == "{'m': 'a', 'm.a.k': 2}"
    assert assignment_text({"m": 0}, None) == "{'m': 0}"


def test_numbers_json_cannot_hold_become_null(tmp_path: Path) -> None:
    path = tmp_path / "inf.db"
    optimize(
        lambda x: Outcome(x, extra={"ratio": math.inf, "curve": [1.0, math.nan]}),
        LogUniform(1e-3, 1.0),
        max_evals=2,
        seed=0,
        storage=str(path),
        study="s",
    )
    with StudyFile(path) as studies:
        data = studies.study("s")
    assert data["trials"][0]["extra"] == {"ratio": None, "curve": [1.0, None]}
    json.dumps(data, allow_nan=False)  # strict JSON, as the server sends it


def test_reading_writes_nothing(studies_db: Path) -> None:
    folder = studies_db.parent
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    with StudyFile(studies_db) as studies:
        for _ in range(3):
            for listing in studies.studies():
                studies.study(listing["name"])
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    assert after == before


def test_importance_is_recomputed_once_the_completed_trials_grew_by_one_percent(
    tmp_path: Path,
) -> None:
    path = tmp_path / "many.db"
    with SQLiteStorage(path) as storage:
        opt = Optimizer(
            {"x": LogUniform(1e-3, 1.0)}, RandomSearch(), seed=0, storage=storage, study="s"
        )
        for _ in range(250):
            trial = opt.ask()
            opt.tell(trial, trial.value["x"])
        with StudyFile(path) as studies:
            first = studies.study("s")
            assert first["importance"]["completed"] == 250
            trial = opt.ask()
            opt.tell(trial, trial.value["x"])
            second = studies.study("s", since=first["revision"], epoch=first["epoch"])
            # 251 completed: less than 1% more, the scores of 250 are kept (and say so) ...
            assert second["importance"] == first["importance"]
            assert second["counts"]["states"]["ok"] == 251 and len(second["trials"]) == 1
            trial = opt.ask()
            opt.tell(trial, trial.value["x"])
            third = studies.study("s", since=second["revision"], epoch=first["epoch"])
        # ... and at 252 they are computed again, over every completed trial.
        assert third["importance"]["completed"] == 252
        expected = importances(load_study(path, "s").records, {"x": False})
        assert [(s["score"], s["n"]) for s in third["importance"]["scores"]] == [
            (imp.score, imp.n) for imp in expected.values()
        ]
