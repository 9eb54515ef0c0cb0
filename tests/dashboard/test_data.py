"""typedspace/dashboard/_data.py: what the page receives about a stored study."""

from __future__ import annotations

import hashlib
import json
import math
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from typedspace import (
    Choice,
    IntUniform,
    LogUniform,
    Map,
    Optimizer,
    Outcome,
    maximize,
    minimize,
    optimize,
)
from typedspace.algorithms import RandomSearch
from typedspace.algorithms._pareto import (
    FloatArray,
    dominates,
    hypervolume,
    pareto_mask,
    reference_point,
)
from typedspace.dashboard._data import StudyFile, assignment_text, table_text
from typedspace.plots._importance import importances
from typedspace.storage import SQLiteStorage, TrialRecord, TrialState, load_study
from typedspace.storage._records import is_feasible

from .conftest import HOSTILE_MESSAGE, PARETO_STUDIES


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
    assert data["counts"] == {"trials": 40, "states": states, "best_loss": best.loss, "front": None}
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


# -- several objectives ----------------------------------------------------------------------


def _values(record: TrialRecord) -> tuple[float, ...]:
    assert record.values is not None, record
    return record.values


def _losses(records: Sequence[TrialRecord], directions: Sequence[str]) -> FloatArray:
    signs = np.array([-1.0 if d == "maximize" else 1.0 for d in directions])
    values = np.array([_values(r) for r in records], dtype=float)
    losses: FloatArray = values.reshape(-1, len(signs)) * signs
    return losses


@pytest.mark.parametrize("name", list(PARETO_STUDIES))
def test_the_front_is_pareto_mask_of_the_stored_feasible_values(pareto_db: Path, name: str) -> None:
    objectives = PARETO_STUDIES[name]
    records = load_study(pareto_db, name).records
    ok = [r for r in records if r.state is TrialState.OK]
    feasible = [r for r in ok if is_feasible(r.constraints)]
    infeasible = [r for r in ok if not is_feasible(r.constraints)]
    with StudyFile(pareto_db) as studies:
        data = studies.study(name)
        listing = {s["name"]: s for s in studies.studies()}
    pareto = data["pareto"]
    assert pareto["names"] == list(objectives.names)
    assert pareto["directions"] == list(objectives.directions)
    directions = list(objectives.directions)
    mask = pareto_mask(_losses(feasible, directions))
    expected = [r.number for r, on in zip(feasible, mask, strict=True) if on]
    assert pareto["front"] == expected
    # Checked by hand too: a front trial is dominated by no feasible trial, any other is.
    losses = {r.number: _losses([r], directions)[0] for r in feasible}
    for number, point in losses.items():
        beaten = any(dominates(other, point) for other in losses.values())
        assert beaten == (number not in expected), number
    assert (pareto["feasible"], pareto["infeasible"]) == (len(feasible), len(infeasible))
    assert data["counts"]["front"] == len(expected) == listing[name]["front"]
    # The page gets each trial's values and feasibility with its row.
    rows = {row["number"]: row for row in data["trials"]}
    for r in ok:
        assert rows[r.number]["values"] == list(r.values or ())
        assert rows[r.number]["feasible"] == is_feasible(r.constraints)
    assert data["best"] is None  # no single best: the page shows the front instead


def test_infeasible_trials_are_never_on_the_front(pareto_db: Path) -> None:
    records = load_study(pareto_db, "two").records
    ok = [r for r in records if r.state is TrialState.OK]
    infeasible = {r.number for r in ok if not is_feasible(r.constraints)}
    with StudyFile(pareto_db) as studies:
        front = set(studies.study("two")["pareto"]["front"])
    assert infeasible and not front & infeasible
    # Ignoring the constraint, some infeasible trials would be on it: the test can fail.
    unconstrained = pareto_mask(_losses(ok, ["minimize", "maximize"]))
    assert {r.number for r, on in zip(ok, unconstrained, strict=True) if on} & infeasible


def test_directions_are_respected(pareto_db: Path) -> None:
    records = load_study(pareto_db, "two").records
    feasible = [r for r in records if r.state is TrialState.OK and is_feasible(r.constraints)]
    with StudyFile(pareto_db) as studies:
        front = studies.study("two")["pareto"]["front"]
    # accuracy is maximized: the front holds the most accurate feasible trial and the one of
    # least error, and would differ if accuracy were minimized.
    assert max(feasible, key=lambda r: _values(r)[1]).number in front
    assert min(feasible, key=lambda r: _values(r)[0]).number in front
    both_min = pareto_mask(_losses(feasible, ["minimize", "minimize"]))
    assert [r.number for r, on in zip(feasible, both_min, strict=True) if on] != front


@pytest.mark.parametrize("name", ["two", "three"])
def test_the_hypervolume_history_is_that_of_typedspace_plot(pareto_db: Path, name: str) -> None:
    directions = list(PARETO_STUDIES[name].directions)
    records = load_study(pareto_db, name).records
    feasible = [r for r in records if r.state is TrialState.OK and is_feasible(r.constraints)]
    losses = _losses(feasible, directions)
    reference = reference_point(losses)  # as `typedspace plot` chooses it
    with StudyFile(pareto_db) as studies:
        volume = studies.study(name)["pareto"]["hypervolume"]
    signs = np.array([-1.0 if d == "maximize" else 1.0 for d in directions])
    assert volume["reference"] == (reference * signs).tolist()  # in the objectives' units
    assert volume["last"] == feasible[-1].number
    # After each step's trial, the volume of the front of the feasible trials up to it.
    numbers = [r.number for r in feasible]
    for number, value in volume["steps"]:
        upto = losses[: numbers.index(number) + 1]
        assert value == pytest.approx(hypervolume(upto, reference), rel=1e-12)
    assert volume["steps"][-1][1] == pytest.approx(hypervolume(losses, reference), rel=1e-12)
    values = [v for _, v in volume["steps"]]
    assert values == sorted(values) and len(set(values)) == len(values)


def test_no_hypervolume_beyond_three_objectives(pareto_db: Path) -> None:
    with StudyFile(pareto_db) as studies:
        pareto = studies.study("four")["pareto"]
    assert pareto["hypervolume"] is None and len(pareto["names"]) == 4 and pareto["front"]


def test_a_single_objective_study_has_no_pareto_section(studies_db: Path) -> None:
    with StudyFile(studies_db) as studies:
        data = studies.study("mlp")
    assert data["pareto"] is None and data["counts"]["front"] is None


def test_polls_follow_the_front_and_its_hypervolume(tmp_path: Path) -> None:
    """Trials told out of order and new worst values (the reference moves): each poll's
    front and hypervolume history equal those a fresh reader computes from scratch."""
    path = tmp_path / "mo.db"
    rng = np.random.default_rng(0)
    with SQLiteStorage(path) as storage:
        opt = Optimizer(
            {"x": LogUniform(1e-3, 1.0)},
            RandomSearch(),
            objectives=minimize("a") & maximize("b"),
            seed=0,
            storage=storage,
            study="s",
        )
        with StudyFile(path) as live:
            last = live.study("s")
            for _ in range(12):
                trials = [opt.ask() for _ in range(3)]
                for trial in reversed(trials):  # the later trials finish first
                    a, b = rng.uniform(0, 1 + 0.2 * len(opt.trials), size=2)
                    opt.tell(trial, (float(a), float(b)))
                    polled = live.study("s", since=last["revision"], epoch=last["epoch"])
                    assert polled["full"] == (last["revision"] == 0)
                    with StudyFile(path) as fresh:
                        assert polled["pareto"] == fresh.study("s")["pareto"]
                    last = polled
    assert len(last["pareto"]["hypervolume"]["steps"]) > 1
