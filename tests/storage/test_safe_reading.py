"""Reading a study or a space document never runs code: proof-of-concept payloads through
every read entry point, library and command line.

Each payload would, if anything in it were imported or called, create a marker file (or import
a module planted in the working directory, which creates it).  Every test asserts that no
marker appears and that the planted module was never imported, and that the reader answers
with a one-line error (``from_json``) or a data-only view (studies).
"""

from __future__ import annotations

import base64
import json
import os
import pickle
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from typedspace import SerializationError, Uniform, from_json, load_study, optimize, study_names
from typedspace.algorithms import RandomSearch
from typedspace.cli import main

PLANTED = "planted_payload_module"
SPACE = {"x": Uniform(0.0, 1.0)}


class _Touch:
    """Pickled, it runs ``os.system("touch <marker>")`` when unpickled."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def _const(value: Any) -> dict[str, Any]:
    return {"type": "Const", "value": value}


def _map(f: str, *args: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Map", "f": f, "args": list(args)}


def payloads(marker: Path) -> dict[str, dict[str, Any]]:
    """Nodes that run code when loaded or decoded; each is put beside ``x`` in ``SPACE``'s
    document, where it adds no parameter (the study's fingerprint still matches)."""
    touch = f"touch {marker}"
    python = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    pickled = base64.b64encode(pickle.dumps(_Touch(marker))).decode()
    return {
        "os:system": {"type": "Custom", "dist": "os:system", "fields": {"command": touch}},
        "subprocess:run record": {
            "type": "Record",
            "cls": "subprocess:run",
            "fields": [["args", _const(["touch", str(marker)])]],
        },
        "subprocess:run map": _map("subprocess:run", _const(["touch", str(marker)])),
        "builtins:eval": _map("builtins:eval", _const(python)),
        "builtins:exec": _map("builtins:exec", _const(python)),
        "importlib:import_module": _map("importlib:import_module", _const(PLANTED)),
        "planted module path": _map(f"{PLANTED}:anything", _const(1)),
        "$ref": _const({"$ref": f"{PLANTED}:anything"}),
        "$enum": _const({"$enum": f"{PLANTED}:Color", "name": "RED"}),
        "$enum os:environ": _const({"$enum": "os:environ", "name": "HOME"}),
        "pickle:loads": _map("pickle:loads", _map("base64:b64decode", _const(pickled))),
    }


def document(node: dict[str, Any]) -> str:
    space = {
        "type": "Dict",
        "items": [["x", {"type": "Uniform", "low": 0.0, "high": 1.0}], ["payload", node]],
    }
    return json.dumps({"format": "typedspace.space", "version": 1, "space": space})


@pytest.fixture
def marker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A marker path, a module planted in the working directory (importable, as the current
    directory is for a user's script) that creates it when imported, and the check that
    neither happened."""
    path = tmp_path / "MARKER"
    (tmp_path / f"{PLANTED}.py").write_text(
        f"import enum, pathlib\npathlib.Path({str(path)!r}).touch()\n"
        "class Color(enum.Enum):\n    RED = 1\nanything = print\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield path
    assert not path.exists(), "a payload ran"
    assert PLANTED not in sys.modules, "the planted module was imported"


CASES = sorted(payloads(Path("M")))


@pytest.mark.parametrize("case", CASES)
def test_from_json_refuses_in_one_line(case: str, marker: Path) -> None:
    with pytest.raises(SerializationError) as caught:
        from_json(document(payloads(marker)[case]))
    message = str(caught.value)
    assert "\n" not in message and "nothing was imported or called" in message


def _poisoned_study(tmp_path: Path, marker: Path, case: str) -> Path:
    """A real study file whose stored space document is replaced by a payload."""
    path = tmp_path / "shared.db"
    optimize(lambda c: c["x"], SPACE, RandomSearch(), max_evals=4, seed=0, storage=path,
             study="s", progress=False)  # fmt: skip
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE studies SET space_json = ?", (document(payloads(marker)[case]),))
    conn.close()
    return path


@pytest.mark.parametrize("case", CASES)
def test_load_study_gives_a_data_only_view(case: str, marker: Path, tmp_path: Path) -> None:
    path = _poisoned_study(tmp_path, marker, case)
    assert study_names(path) == ["s"]
    study = load_study(path, "s")
    assert len(study.records) == 4
    assert study.table is not None and study.table.names == ("x",)  # stored as data
    assert len(study.to_dicts()) == 4 and study.best_record.loss is not None
    with pytest.raises(ValueError, match="never imports the code it names"):
        _ = study.best_trial
    with pytest.raises(ValueError, match="never imports the code it names"):
        _ = study.trials


@pytest.mark.parametrize("case", CASES)
def test_the_command_line_reads_it_without_running_it(
    case: str, marker: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(_poisoned_study(tmp_path, marker, case))
    assert main(["studies", path]) == 0
    assert main(["show", path, "--study", "s"]) == 0
    assert main(["export", path, "--study", "s", "--format", "json"]) == 0
    assert "params.x" in capsys.readouterr().out


def test_plot_reads_it_without_running_it(marker: Path, tmp_path: Path) -> None:
    path = str(_poisoned_study(tmp_path, marker, "builtins:eval"))
    assert main(["plot", path, "--study", "s", "-o", str(tmp_path / "r.png")]) == 0
    assert (tmp_path / "r-history.png").exists()


def test_an_allowed_space_decodes_typed_values(tmp_path: Path) -> None:
    # The way back to typed values: the caller names what may be resolved.
    path = tmp_path / "runs.db"
    space = {"x": Uniform(0.0, 1.0), "scaled": _scaled_space()}
    optimize(lambda c: c["x"], space, RandomSearch(), max_evals=3, seed=0, storage=path,
             study="s", progress=False)  # fmt: skip
    assert load_study(path, "s").flat is None
    study = load_study(path, "s", allow=[_double])
    assert [t.value["scaled"] for t in study.trials] == [
        2 * t.assignment["x_again"] for t in study.trials
    ]


def _double(x: float) -> float:
    return 2 * x


def _scaled_space() -> Any:
    from typedspace import Map

    return Map(_double, Uniform(0.0, 1.0, name="x_again"))


def test_hostile_study_names_are_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "runs.db"
    name = "evil\x1b[2J\x07"
    optimize(lambda c: c["x"], SPACE, RandomSearch(), max_evals=1, seed=0, storage=path,
             study=name, progress=False)  # fmt: skip
    assert main(["studies", str(path)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "evil\\x1b[2J\\x07" in out
