"""Damaged or hand-edited rows of a real study file: every reader (``SQLiteStorage.trials``,
``load_study``, ``typedspace show``, a resumed ``optimize``) fails with one line naming the
file, the study and the trial, never with a traceback or a wrong result."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from typedspace import Choice, Uniform, load_study, optimize
from typedspace.algorithms import RandomSearch
from typedspace.cli import main
from typedspace.storage import SQLiteStorage, StorageError

SPACE = {"x": Uniform(0.0, 1.0), "act": Choice("relu", "gelu")}


def objective(c: dict[str, object]) -> float:
    return float(c["x"]) + (c["act"] == "relu")  # type: ignore[arg-type]


def damaged_study(directory: Path, *statements: str) -> Path:
    """A study 'mlp' of 5 trials, then ``statements`` run on the file by hand."""
    path = directory / "runs.db"
    with SQLiteStorage(path) as storage:
        optimize(
            objective, SPACE, RandomSearch(), max_evals=5, seed=0, storage=storage, study="mlp"
        )
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA ignore_check_constraints = ON")  # as a careless editor might
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        (
            "UPDATE trials SET loss = 'abc' WHERE number = 3",
            "trial 3: loss is 'abc', not a number",
        ),
        (
            "UPDATE trials SET started = x'00' WHERE number = 3",
            r"trial 3: started is b'\x00', not a number",
        ),
        (
            """UPDATE trials SET assignment = '{"x": 0.5, "act": ' WHERE number = 3""",
            "trial 3: assignment is not valid JSON (Expecting value: line 1 column 19",
        ),
        (
            """UPDATE trials SET assignment = '{"x": "half", "act": 0}' WHERE number = 3""",
            "trial 3: assignment's 'x' is 'half', not a number",
        ),
        (
            "UPDATE trials SET assignment = '[0.5, 0]' WHERE number = 3",
            "trial 3: assignment is '[0.5, 0]', not a JSON object",
        ),
        (
            "UPDATE trials SET extra = 'accuracy: 0.9' WHERE number = 3",
            "trial 3: extra is not valid JSON",
        ),
        (
            """UPDATE trials SET intermediate = '[[1, "low"]]' WHERE number = 3""",
            """trial 3: intermediate is '[[1, "low"]]', not a list of [step, value]""",
        ),
        (
            "UPDATE trials SET intermediate = '[1' WHERE number = 3",
            "trial 3: intermediate is '[1', not a list of [step, value]",
        ),
        (
            "UPDATE trials SET state = 'paused' WHERE number = 3",
            "trial 3: state is 'paused', not one of running, ok, failed, pruned, cancelled",
        ),
        (
            "UPDATE studies SET attributes = '{' WHERE name = 'mlp'",
            "study 'mlp': attributes is not valid JSON",
        ),
    ],
    ids=[
        "loss",
        "started",
        "assignment",
        "param",
        "list",
        "extra",
        "intermediate",
        "pairs",
        "state",
        "attributes",
    ],
)
def test_a_damaged_row_is_one_line_naming_the_trial(
    tmp_path: Path, statement: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = damaged_study(tmp_path, statement)
    where = f"{path}, study 'mlp'"
    with pytest.raises(StorageError, match=re.escape(message)) as caught, SQLiteStorage(path) as s:
        s.load_study("mlp")
        s.trials("mlp")
    assert str(caught.value).startswith(where)
    with pytest.raises(StorageError, match=re.escape(message)):
        load_study(path, "mlp")

    assert main(["show", str(path), "--study", "mlp"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"typedspace: error: {where}") and err.count("\n") == 1

    with pytest.raises(StorageError, match=re.escape(message)):  # resuming the study
        optimize(objective, SPACE, RandomSearch(), max_evals=8, storage=path, study="mlp")


def test_an_assignment_outside_the_space_is_one_line_naming_the_trial(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Valid JSON, valid numbers, but option 7 of a choice of two: only the space knows.
    path = damaged_study(
        tmp_path, """UPDATE trials SET assignment = '{"x": 0.5, "act": 7}' WHERE number = 3"""
    )
    # Inspection goes on (a study continued with allow_space_change has such trials too), with
    # one warning line naming the trial; typed access and resuming refuse it in one line.
    assert main(["show", str(path), "--study", "mlp"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("typedspace: warning: study 'mlp', trial 3: ") and err.count("\n") == 1
    with pytest.raises(StorageError, match="study 'mlp', trial 3: "):
        _ = load_study(path, "mlp", SPACE).trials
    with pytest.raises(StorageError, match="study 'mlp', trial 3: "):
        optimize(objective, SPACE, RandomSearch(), max_evals=8, storage=path, study="mlp")
