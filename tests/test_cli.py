"""The command line, run in-process on a real study stored in SQLite."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.plots._study import EPOCHS, run_curves
from typedspace import TrialState, load_study
from typedspace.cli import main

PROJECT = """
import math
from typedspace import Choice, Cond, IntUniform, LogUniform, Uniform

SPACE = {
    "lr": LogUniform(1e-5, 1e-1),
    "layers": IntUniform(1, 4),
    "model": Cond(Choice("a", "b"), {"a": Uniform(0.0, 1.0), "b": Choice("x", "y")}),
}
NOT_A_SPACE = 3

from typedspace import param, record


@record
class Tune:
    width: int = param(IntUniform(8, 64))

def space_factory():
    return SPACE

def objective(c):
    if c["layers"] == 4:
        raise ValueError("four layers diverge")
    return (math.log10(c["lr"]) + 3) ** 2 + abs(c["layers"] - 2)

from typedspace import TrialPruned

def impatient(c, trial):
    # An objective taking a Report; it prunes itself (the command line sets no pruner).
    for epoch in range(1, 4):
        trial.report(epoch, c["lr"] * epoch)
        if c["layers"] == epoch:
            raise TrialPruned(f"{epoch} layers: stopped at epoch {epoch}")
    return c["lr"]

def curve(c, trial):
    for epoch in range(1, 6):
        trial.report(epoch, c["lr"] + 1 / epoch)
    return c["lr"] + 0.2

def hopeless(c, trial):
    trial.report(1, 1.0)
    raise TrialPruned("never worth it")

def two_scores(c):
    # Error falls and cost rises with lr: a trade-off.
    x = math.log10(c["lr"]) + 5  # 0 to 4
    return {"error": (4 - x) ** 2, "cost": x + c["layers"]}

def cheap_enough(scores):
    return scores["cost"] - 6.0
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    (tmp_path / "cliproject.py").write_text(PROJECT)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    sys.modules.pop("cliproject", None)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_run_show_export_plot(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "run",
        "cliproject:objective",
        "cliproject:SPACE",
        "--max-evals",
        "25",
        "--storage",
        "runs.db",
        "--study",
        "s",
        "--seed",
        "0",
        "--no-progress",
    )
    assert code == 0
    assert "study 's': 25 trials" in out.replace(" in runs.db", "")
    assert "best value: {" in out

    code, out, _ = run(capsys, "studies", "runs.db")
    assert code == 0 and out.startswith("s\t25 trials\tbest ")

    code, out, _ = run(capsys, "show", "runs.db", "--study", "s", "--top", "3")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("study 's': 25 trials (") and "failed" in lines[0]
    assert lines[1] == f"algorithm: {load_study('runs.db', 's').info.algorithm}, seed 0"
    assert lines[1].startswith("algorithm: GP(")  # the default for 25 trials
    assert lines[2].split()[:3] == ["number", "loss", "params.lr"]
    assert len(lines) == 3 + 3

    code, out, _ = run(capsys, "export", "runs.db", "--study", "s", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 25 and {r["state"] for r in rows} == {"ok", "failed"}

    code, _, _ = run(
        capsys, "export", "runs.db", "--study", "s", "--format", "json", "-o", "t.json"
    )
    assert code == 0 and len(json.loads((project / "t.json").read_text())) == 25

    code, out, _ = run(capsys, "plot", "runs.db", "--study", "s", "-o", "report.png")
    assert code == 0
    assert [Path(p).name for p in out.split()] == [
        "report-history.png",
        "report-params.png",
        "report-importance.png",
    ]


def test_run_resumes(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "run",
        "cliproject:objective",
        "cliproject:SPACE",
        "--storage",
        "r.db",
        "--no-progress",
        "--algo",
        "random",
    ]
    assert run(capsys, *args, "--max-evals", "5")[0] == 0
    code, out, _ = run(capsys, *args, "--max-evals", "8")
    assert code == 0 and "8 trials" in out


def test_space_pretty_and_json(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "space", "cliproject:SPACE")
    assert code == 0 and "lr: log-uniform" in out and "# model.a" in out
    code, out, _ = run(capsys, "space", "cliproject:space_factory", "--json")
    assert code == 0 and json.loads(out)["format"] == "typedspace.space"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "nomodule:objective", "cliproject:SPACE"], "cannot import module 'nomodule'"),
        (["run", "cliproject:nope", "cliproject:SPACE"], "has no attribute 'nope'"),
        (["space", "cliproject:NOT_A_SPACE"], "is not a space"),
        (["space", "cliproject"], "not of the form module:attribute"),
        (["show", "missing.db"], "no database at 'missing.db'"),
        (["studies", "notes.txt"], "notes.txt"),
    ],
)
def test_bad_input_is_one_line(
    project: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    (project / "notes.txt").write_text("not a database")
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("typedspace: error: ") and message in err
    assert "Traceback" not in err


def test_unknown_study_is_one_line(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(
        capsys,
        "run",
        "cliproject:objective",
        "cliproject:SPACE",
        "--max-evals",
        "2",
        "--storage",
        "runs.db",
        "--no-progress",
    )
    code, _, err = run(capsys, "show", "runs.db", "--study", "nope")
    assert code == 2 and err == (
        "typedspace: error: no study named 'nope' in runs.db (its studies: 'default'); "
        "choose one with --study\n"
    )


def test_first_hour_friction(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A record class is a space (space_of applied), not "calling it failed".
    code, out, _ = run(capsys, "space", "cliproject:Tune")
    assert code == 0 and "width: int uniform [8, 64]" in out
    run(capsys, "run", "cliproject:objective", "cliproject:SPACE", "--max-evals", "3",
        "--storage", "runs.db", "--study", "mine", "--no-progress")  # fmt: skip
    # A missing study lists the ones there are.
    code, _, err = run(capsys, "show", "runs.db")
    assert code == 2 and "no study named 'default'" in err and "its studies: 'mine'" in err
    # An output folder that does not exist is one line, not a traceback.
    code, _, err = run(capsys, "plot", "runs.db", "--study", "mine", "-o", "/nonexistent/r.png")
    assert code == 2 and err.count("\n") == 1 and "'/nonexistent' does not exist" in err
    # Counts must be positive; help shows defaults, without reST backticks.
    with pytest.raises(SystemExit):
        main(["run", "cliproject:objective", "cliproject:SPACE", "--workers", "0"])
    assert "must be at least 1" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "``" not in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["show", "--help"])
    assert "the study's name in the file (default: default" in " ".join(
        capsys.readouterr().out.split()
    )


RECORD_PROJECT = """
from typedspace import Choice, Cond, LogUniform, Uniform, param, record, space_of


@record
class Sgd:
    lr: float = param(LogUniform(1e-4, 1.0))


@record
class Adam:
    lr: float = param(LogUniform(1e-5, 1e-2))


@record
class Config:
    optimizer: Sgd | Adam = param(
        Cond(Choice("sgd", "adam"), {"sgd": space_of(Sgd), "adam": space_of(Adam)})
    )
    act: str = param(Choice("relu", "gelu"))
    dropout: float = param(Uniform(0.0, 0.5))


SPACE = space_of(Config)


def objective(c):
    return c.optimizer.lr + c.dropout
"""


def test_inspection_shows_labels_without_the_projects_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Run in the project's folder, then inspect from elsewhere, where its module (and so its
    # record classes) cannot be imported: the labels come from the study's stored table.
    project = tmp_path / "project"
    project.mkdir()
    (project / "recproject.py").write_text(RECORD_PROJECT)
    monkeypatch.chdir(project)
    monkeypatch.syspath_prepend(str(project))
    code, _, _ = run(capsys, "run", "recproject:objective", "recproject:SPACE", "--max-evals",
                     "12", "--storage", str(tmp_path / "runs.db"), "--no-progress")  # fmt: skip
    assert code == 0
    sys.modules.pop("recproject", None)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))  # the first entry now; the project is not on it
    (project / "recproject.py").unlink()
    code, out, _ = run(capsys, "export", "runs.db", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 12
    assert {r["params.optimizer"] for r in rows} <= {"sgd", "adam"}  # not option indices
    assert {r["params.act"] for r in rows} <= {"relu", "gelu"}
    code, out, _ = run(capsys, "show", "runs.db")
    assert code == 0 and ("sgd" in out or "adam" in out)


# Pruned trials: a study written by optimize with a MedianPruner and a reporting objective
# (tests/plots/_study.py: pruned at several epochs, one before reporting, some failed).


def _pruned_section(out: str) -> tuple[str, list[list[str]]]:
    """The heading of ``show``'s pruned table and its rows, split into cells."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("pruned trials ("))
    return lines[start], [line.split() for line in lines[start + 1 :]]


def test_show_lists_pruned_trials_with_the_step_each_reached(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_curves(project / "curves.db")
    records = load_study(project / "curves.db", "curves").records
    count = {s: sum(1 for r in records if r.state is s) for s in TrialState}
    ok, pruned, failed = count[TrialState.OK], count[TrialState.PRUNED], count[TrialState.FAILED]
    code, out, _ = run(capsys, "show", "curves.db", "--study", "curves", "--top", "100")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == (
        f"study 'curves': {len(records)} trials ({failed} failed, {ok} ok, {pruned} pruned)"
    )
    assert lines[1].startswith("algorithm: ")
    assert lines[2].split() == ["number", "loss", "params.level", "params.speed"]
    assert len(lines) == 3 + ok + 1 + 2 + pruned  # the best, a blank line, the pruned
    heading, rows = _pruned_section(out)
    assert heading == f"pruned trials ({pruned}), by the step each reached:"
    assert rows[0] == ["number", "last_step", "last_value", "params.level", "params.speed"]
    by_number = {r.number: r for r in records}
    reached = []
    for cells in rows[1:]:
        record = by_number[int(cells[0])]
        assert record.state is TrialState.PRUNED
        if record.intermediate:
            step, value = record.intermediate[-1]
            assert cells[1:3] == [str(step), f"{value:.6g}"]
            reached.append(step)
        else:  # gave up before reporting: blank cells, listed last
            assert len(cells) == 3 and cells is rows[-1]
    assert reached == sorted(reached, reverse=True) and 2 <= reached[-1] < reached[0] < EPOCHS

    # --top limits both tables; the pruned that got furthest come first.
    code, out, _ = run(capsys, "show", "curves.db", "--study", "curves", "--top", "2")
    heading, rows = _pruned_section(out)
    assert code == 0 and len(rows) == 1 + 2
    assert (
        heading == f"pruned trials ({pruned}; the 2 that got furthest), by the step each reached:"
    )
    assert int(rows[1][1]) == max(reached)


def test_export_of_pruned_trials(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_curves(project / "curves.db", max_evals=20)
    study = load_study(project / "curves.db", "curves")
    code, out, _ = run(capsys, "export", "curves.db", "--study", "curves")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 20
    assert list(rows[0])[6:8] == ["last_step", "last_value"] and list(rows[0])[-1] == "intermediate"
    for row, record in zip(rows, study.records, strict=True):
        assert row["state"] == record.state.value
        assert json.loads(row["intermediate"]) == [list(pair) for pair in record.intermediate]
        if record.state is TrialState.PRUNED:
            assert row["loss"] == ""
            assert row["last_step"] == (
                str(len(record.intermediate)) if record.intermediate else ""
            )
    assert {r["state"] for r in rows} == {"ok", "pruned", "failed"}
    code, out, _ = run(capsys, "export", "curves.db", "--study", "curves", "--format", "json")
    assert code == 0 and json.loads(out) == study.to_dicts()


def test_plot_adds_the_learning_curves_when_trials_reported(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_curves(project / "curves.db", max_evals=15)
    code, out, _ = run(capsys, "plot", "curves.db", "--study", "curves", "-o", "r.png")
    assert code == 0
    assert [Path(p).name for p in out.split()] == [
        "r-history.png",
        "r-params.png",
        "r-importance.png",
        "r-intermediate.png",
    ]


def test_run_counts_pruned_trials(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["run", "cliproject:impatient", "cliproject:SPACE", "--storage", "runs.db",
            "--study", "p", "--seed", "0", "--no-progress"]  # fmt: skip
    code, out, _ = run(capsys, *args, "--max-evals", "12")
    pruned = [r for r in load_study("runs.db", "p").records if r.state is TrialState.PRUNED]
    assert code == 0 and f"12 trials, {len(pruned)} pruned (max_evals)" in out
    assert {len(r.intermediate) for r in pruned} == {1, 2, 3}  # stopped at epochs 1 to 3
    code, out, _ = run(capsys, "show", "runs.db", "--study", "p")
    assert code == 0 and f"{len(pruned)} pruned" in out.splitlines()[0]


def test_every_trial_pruned(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "run", "cliproject:hopeless", "cliproject:SPACE",
                         "--max-evals", "3", "--storage", "runs.db", "--no-progress")  # fmt: skip
    assert code == 2 and "3 trials, 3 pruned" in out
    assert err == "typedspace: error: no trial completed: 3 pruned\n"
    code, out, _ = run(capsys, "show", "runs.db")
    lines = out.splitlines()
    assert code == 0 and lines[0] == "study 'default': 3 trials (3 pruned)"
    assert lines[1].startswith("algorithm: GP(") and lines[2] == "no completed trial yet"
    heading, rows = _pruned_section(out)
    assert heading == "pruned trials (3), by the step each reached:"
    assert [cells[1:3] for cells in rows[1:]] == [["1", "1"]] * 3
    # The plots draw what there is: no loss anywhere, the curves' single points.
    code, out, _ = run(capsys, "plot", "runs.db", "-o", "r.png")
    assert code == 0 and len(out.split()) == 4


def test_run_with_a_pruner(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["run", "cliproject:curve", "cliproject:SPACE", "--storage", "runs.db",
            "--seed", "0", "--no-progress", "--max-evals", "20"]  # fmt: skip
    code, out, _ = run(capsys, *args, "--pruner", "median")
    records = load_study("runs.db", "default").records
    pruned = [r for r in records if r.state is TrialState.PRUNED]
    assert code == 0 and pruned and f"20 trials, {len(pruned)} pruned" in out
    with pytest.raises(SystemExit) as caught:
        run(capsys, *args, "--pruner", "sometimes")
    assert caught.value.code == 2 and "invalid choice: 'sometimes'" in capsys.readouterr().err


def test_run_with_several_objectives_and_a_constraint(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["run", "cliproject:two_scores", "cliproject:SPACE", "--storage", "runs.db",
            "--seed", "0", "--no-progress", "--max-evals", "25"]  # fmt: skip
    code, out, _ = run(
        capsys, *args, "--objectives", "min:error,cost", "--constraints", "cliproject:cheap_enough"
    )
    trials = load_study("runs.db", "default").trials
    assert all(t.values is not None and t.constraints is not None for t in trials)
    # The front, by brute force: feasible trials no other feasible trial dominates.
    feasible = [t for t in trials if t.constraints and t.constraints[0] <= 0.0]
    assert 0 < len(feasible) < len(trials)

    def dominates(a: Any, b: Any) -> bool:
        return all(x <= y for x, y in zip(a, b, strict=True)) and a != b

    front = [t.number for t in feasible if not any(dominates(o.values, t.values) for o in feasible)]
    listed = ", ".join(map(str, sorted(front)))
    assert code == 0 and f"Pareto front: {len(front)} trials ({listed})" in out
    code, out, _ = run(capsys, "show", "runs.db")
    assert code == 0 and "Pareto front" in out


@pytest.mark.parametrize(
    ("objectives", "message"),
    [
        ("error,best:cost", "'best:cost' must be NAME, min:NAME or max:NAME"),
        ("error,,cost", "an empty name"),
        ("error,max:error", "'error' is declared twice"),
    ],
)
def test_bad_objectives_are_named(
    project: Path, capsys: pytest.CaptureFixture[str], objectives: str, message: str
) -> None:
    args = ["run", "cliproject:two_scores", "cliproject:SPACE", "--no-progress"]
    code, _, err = run(capsys, *args, "--objectives", objectives)
    assert code == 2 and message in err
