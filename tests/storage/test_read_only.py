"""Reading a study never writes: read-only media (a file and directory marked read-only, or
made immutable with ``chattr +i`` so that even root cannot write) are read without a
"readonly database" error, and nothing appears or changes next to the file; a storage opened
read-only refuses every write."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from typedspace import TrialState, Uniform, load_study, optimize, study_names
from typedspace.algorithms import RandomSearch
from typedspace.cli import main
from typedspace.storage import SQLiteStorage, StorageError, TrialRecord


def make_study(directory: Path) -> Path:
    """A study of 5 trials in ``directory``/runs.db, closed: no -wal or -shm file is left."""
    path = directory / "runs.db"
    with SQLiteStorage(path) as storage:
        optimize(
            lambda x: x,
            Uniform(0.0, 1.0),
            RandomSearch(),
            max_evals=5,
            storage=storage,
            study="mlp",
        )
    assert [p.name for p in directory.iterdir()] == ["runs.db"]
    return path


def state(directory: Path) -> tuple[int, dict[str, tuple[bytes, int]]]:
    """The directory's modification time (creating and removing -wal/-shm files changes
    it) and every file's bytes and modification time."""
    files = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(directory.iterdir())}
    return directory.stat().st_mtime_ns, files


@contextmanager
def read_only_media(directory: Path, how: str) -> Iterator[None]:
    files = [directory, *directory.iterdir()]
    if how == "permissions":  # what a read-only mount or another owner's files look like
        for file in files[1:]:
            file.chmod(0o444)
        directory.chmod(0o555)
        undo = ["chmod", "-R", "u+w", str(directory)]
    else:
        chattr = shutil.which("chattr")
        if chattr is None or subprocess.run([chattr, "+i", *files]).returncode != 0:
            pytest.skip("chattr +i is not available here")
        undo = [chattr, "-i", *map(str, files)]
    try:
        yield
    finally:
        subprocess.run(undo, check=True)  # pytest must be able to remove tmp_path


@pytest.mark.parametrize("how", ["permissions", "chattr"])
def test_reading_read_only_media_writes_nothing(
    tmp_path: Path, how: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = make_study(tmp_path)
    with read_only_media(tmp_path, how):
        before = state(tmp_path)
        study = load_study(path, "mlp")
        assert [r.state for r in study.records] == [TrialState.OK] * 5
        assert study_names(path) == ["mlp"]
        assert main(["show", str(path), "--study", "mlp"]) == 0
        assert "study 'mlp': 5 trials (5 ok)" in capsys.readouterr().out
        assert state(tmp_path) == before  # no -wal or -shm file, even for a moment
        with SQLiteStorage(path, create=False) as storage:  # read-only media imply it
            assert storage.read_only
            with pytest.raises(StorageError, match="cannot be written: the file or its direc"):
                storage.start_trial("mlp", {"value": 0.5}, 1.0)
        assert state(tmp_path) == before


def test_a_read_only_storage_refuses_every_write(tmp_path: Path) -> None:
    path = make_study(tmp_path)
    files = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    with SQLiteStorage(path, read_only=True) as storage:
        assert storage.read_only and len(storage.trials("mlp")) == 5
        done = TrialRecord(0, TrialState.FAILED, {"value": 0.5}, 1.0, 2.0)
        for write in (
            lambda: storage.start_trial("mlp", {"value": 0.5}, 1.0),
            lambda: storage.finish_trial("mlp", done),
            lambda: storage.open_study(storage.load_study("mlp")),
        ):
            with pytest.raises(StorageError, match="cannot be written: it was opened with read_on"):
                write()
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == files  # no stray file


def test_read_only_needs_an_existing_typedspace_database(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="no typedspace database at"):
        SQLiteStorage(tmp_path / "missing.db", read_only=True)
    (tmp_path / "empty.db").touch()
    with pytest.raises(StorageError, match="holds no typedspace studies"):
        SQLiteStorage(tmp_path / "empty.db", read_only=True)
    assert [p.name for p in tmp_path.iterdir()] == ["empty.db"]
