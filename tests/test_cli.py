"""The command line, run in-process on a real study stored in SQLite."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

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
    assert lines[1].split()[:3] == ["number", "loss", "params.lr"]
    assert len(lines) == 2 + 3

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
