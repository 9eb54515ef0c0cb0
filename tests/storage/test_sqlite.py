"""SQLiteStorage on real files: round trips, numbering, budgets, threads, bad files, and a
write lock held by another process past the timeout."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from typedspace import ErrorInfo, IntUniform, TrialState, Uniform, load_study, optimize
from typedspace.algorithms import RandomSearch
from typedspace.errors import ResultNotSaved
from typedspace.storage import (
    BudgetExhausted,
    InMemoryStorage,
    SQLiteStorage,
    StorageError,
    StudyInfo,
    StudyMismatch,
    TrialRecord,
)


def info(name: str = "svm", fingerprint: str = "f1", **changes: Any) -> StudyInfo:
    fields: dict[str, Any] = {
        "name": name,
        "space_fingerprint": fingerprint,
        "space_text": "x: Uniform(0, 1)\nn: IntUniform(1, 3)",
        "algorithm": "RandomSearch()",
        "seed": 7,
        "created": 1700000000.123456,
        "space_json": '{"format": "typedspace-space"}',
        "attributes": {"owner": "ana", "tags": ["a", "b"], "depth": {"k": 1.5}},
    }
    fields.update(changes)
    return StudyInfo(**fields)


# -- round trips -------------------------------------------------------------------------------
def test_study_info_round_trips_every_field(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    stored = [info("a"), info("b", seed=None, space_json=None, attributes={})]
    with SQLiteStorage(path) as storage:
        for i in stored:
            assert storage.open_study(i) == i
    with SQLiteStorage(path) as again:  # a new connection: nothing comes from a cache
        assert again.study_names() == ["a", "b"]
        assert [again.load_study(n) for n in ("a", "b")] == stored
        assert again.open_study(info("a", created=5.0)) == stored[0]  # the stored one wins


def test_trial_records_round_trip_every_field(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    error = ErrorInfo(
        "ValueError", "bad 'lr' — ünïcode", "Traceback (most recent call last):\n  ..."
    )
    assignments: list[dict[str, float | int]] = [
        {"x": 0.1 + 0.2, "n": 3, "c": 0},
        {"x": -1e-300, "n": 2**53 + 1, "c": 1},
        {"x": 1e308, "n": -4, "c": 2},
        {},
    ]
    finals = [
        TrialRecord(
            0, TrialState.OK, assignments[0], 10.5, 11.25, 0.125, {"acc": 0.9, "l": [1, 2]}
        ),
        TrialRecord(1, TrialState.FAILED, assignments[1], 12.0, 13.0, None, {}, error),
        TrialRecord(
            2,
            TrialState.CANCELLED,
            assignments[2],
            14.0,
            14.5,
            None,
            {},
            ErrorInfo("Cancelled", "stop"),
        ),
    ]
    with SQLiteStorage(path) as storage:
        storage.open_study(info())
        for a, started in zip(assignments, [10.5, 12.0, 14.0, 15.0], strict=True):
            storage.start_trial("svm", a, started)
        for record in finals:
            storage.finish_trial("svm", record)
    with SQLiteStorage(path) as again:
        records = again.trials("svm")
    assert list(records[:3]) == finals
    assert records[3] == TrialRecord(3, TrialState.RUNNING, {}, 15.0)
    # JSON keeps ints ints and floats floats (a Choice index must stay an int).
    assert [type(v) for v in records[1].assignment.values()] == [float, int, int]


def test_extra_with_numpy_values_is_stored_as_numbers(tmp_path: Path) -> None:
    import numpy as np

    with SQLiteStorage(tmp_path / "runs.db") as storage:
        storage.open_study(info())
        storage.start_trial("svm", {"x": 0.5}, 1.0)
        extra = {"acc": np.float64(0.75), "counts": np.arange(3), "n": np.int64(4)}
        storage.finish_trial("svm", TrialRecord(0, TrialState.OK, {"x": 0.5}, 1.0, 2.0, 0.5, extra))
        assert storage.trials("svm")[0].extra == {"acc": 0.75, "counts": [0, 1, 2], "n": 4}


def test_non_json_extra_is_kept_as_repr_with_a_warning(tmp_path: Path) -> None:
    with SQLiteStorage(tmp_path / "runs.db") as storage:
        storage.open_study(info())
        storage.start_trial("svm", {"x": 0.5}, 1.0)
        record = TrialRecord(0, TrialState.OK, {"x": 0.5}, 1.0, 2.0, 0.5, {"model": object})
        with pytest.warns(UserWarning, match="extra data of trial 0 of study 'svm'"):
            storage.finish_trial("svm", record)
        assert storage.trials("svm")[0].extra == {"model": repr(object)}


def test_missing_study_and_trial_are_clear_errors(tmp_path: Path) -> None:
    with SQLiteStorage(tmp_path / "runs.db") as storage:
        with pytest.raises(KeyError, match="no study named 'nope'"):
            storage.trials("nope")
        with pytest.raises(KeyError, match="nope"):
            storage.load_study("nope")
        storage.open_study(info())
        with pytest.raises(StorageError, match="no trial 4 of study 'svm'"):
            storage.finish_trial("svm", TrialRecord(4, TrialState.OK, {}, 1.0, 2.0, 1.0))


def test_other_space_is_a_mismatch_unless_allowed(tmp_path: Path) -> None:
    with SQLiteStorage(tmp_path / "runs.db") as storage:
        storage.open_study(info())
        with pytest.raises(StudyMismatch, match="study 'svm' was created with a different space"):
            storage.open_study(info(fingerprint="f2", space_text="y: Uniform(0, 2)"))
        assert storage.open_study(info(fingerprint="f2"), allow_space_change=True).name == "svm"


# -- numbering, budget, incremental reads --------------------------------------------------------
def test_limit_counts_every_trial_but_cancelled_ones(tmp_path: Path) -> None:
    with SQLiteStorage(tmp_path / "runs.db") as storage:
        storage.open_study(info())
        assert [storage.start_trial("svm", {}, 1.0, limit=2) for _ in range(2)] == [0, 1]
        with pytest.raises(BudgetExhausted, match="already has 2 trials that count"):
            storage.start_trial("svm", {}, 1.0, limit=2)
        storage.finish_trial("svm", TrialRecord(1, TrialState.CANCELLED, {}, 1.0, 2.0))
        assert storage.start_trial("svm", {}, 1.0, limit=2) == 2
        assert storage.start_trial("svm", {}, 1.0) == 3  # no limit: always


def test_a_second_connection_sees_every_change(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    with SQLiteStorage(path) as writer, SQLiteStorage(path) as reader:
        writer.open_study(info())
        writer.open_study(info("other"))
        assert reader.trials("svm") == []
        writer.start_trial("svm", {"x": 0.25}, 1.0)
        writer.start_trial("other", {"x": 0.5}, 1.0)
        assert [r.state for r in reader.trials("svm")] == [TrialState.RUNNING]
        writer.finish_trial("svm", TrialRecord(0, TrialState.OK, {"x": 0.25}, 1.0, 2.0, 3.0))
        writer.start_trial("svm", {"x": 0.75}, 2.0)
        seen = reader.trials("svm")
        assert [(r.number, r.state, r.loss) for r in seen] == [
            (0, TrialState.OK, 3.0),
            (1, TrialState.RUNNING, None),
        ]
        assert [r.assignment for r in reader.trials("other")] == [{"x": 0.5}]


def test_threads_sharing_one_storage_get_distinct_numbers(tmp_path: Path) -> None:
    with SQLiteStorage(tmp_path / "runs.db") as storage:
        storage.open_study(info())
        numbers: list[int] = []
        lock = threading.Lock()

        def work() -> None:
            for _ in range(25):
                n = storage.start_trial("svm", {"x": 0.5}, time.time())
                storage.finish_trial(
                    "svm", TrialRecord(n, TrialState.OK, {"x": 0.5}, 1.0, 2.0, 1.0)
                )
                with lock:
                    numbers.append(n)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(numbers) == list(range(100))
        assert all(r.state is TrialState.OK for r in storage.trials("svm"))


def test_heartbeat_stamps_running_trials(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    with SQLiteStorage(path, heartbeat_interval=0.02) as storage:
        storage.open_study(info())
        storage.start_trial("svm", {"x": 0.5}, 1.0)
        first = _heartbeat(path)
        deadline = time.monotonic() + 30
        while _heartbeat(path) == first and time.monotonic() < deadline:
            time.sleep(0.01)
        assert _heartbeat(path) > first


def _heartbeat(path: Path) -> float:
    with sqlite3.connect(path) as conn:
        return float(conn.execute("SELECT heartbeat FROM trials").fetchone()[0])


# -- optimize with a SQLite file ----------------------------------------------------------------
def test_optimize_persists_and_resumes_to_the_total(tmp_path: Path) -> None:
    path = str(tmp_path / "runs.db")
    space = {"x": Uniform(0.0, 1.0), "n": IntUniform(1, 3)}
    first = optimize(
        lambda v: v["x"],
        space,
        RandomSearch(),
        max_evals=6,
        seed=1,
        storage=path,
        study="svm",
        progress=False,
    )
    again = optimize(
        lambda v: v["x"],
        space,
        RandomSearch(),
        max_evals=10,
        seed=1,
        storage=path,
        study="svm",
        progress=False,
    )
    assert [t.number for t in again.trials] == list(range(10))
    assert again.trials[:6] == first.trials
    assert again.best_loss == min(t.loss for t in again.trials if t.loss is not None)
    assert (
        optimize(
            lambda v: v["x"],
            space,
            RandomSearch(),
            max_evals=10,
            storage=path,
            study="svm",
            progress=False,
        ).stop_reason
        == "max_evals"
    )


def test_optimize_with_another_space_is_a_mismatch(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    optimize(
        lambda x: x, Uniform(0.0, 1.0), RandomSearch(), max_evals=2, storage=path, progress=False
    )
    with pytest.raises(StudyMismatch, match="different space"):
        optimize(
            lambda x: x,
            Uniform(0.0, 2.0),
            RandomSearch(),
            max_evals=4,
            storage=path,
            progress=False,
        )
    result = optimize(
        lambda x: x,
        Uniform(0.0, 2.0),
        RandomSearch(),
        max_evals=4,
        storage=path,
        allow_space_change=True,
        progress=False,
    )
    assert len(result.trials) == 4


# -- bad files: a clear error, the file untouched ------------------------------------------------
def snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(directory.iterdir())}


def make_study_file(path: Path, trials: int = 300) -> None:
    """A real typedspace database with several pages of trials, checkpointed and closed."""
    with SQLiteStorage(path) as storage:
        storage.open_study(info())
        for i in range(trials):
            storage.start_trial("svm", {"x": i / trials, "n": i}, float(i))
            record = TrialRecord(
                i,
                TrialState.OK,
                {"x": i / trials, "n": i},
                float(i),
                i + 0.5,
                float(i),
                {"note": "padding " * 10},
            )
            storage.finish_trial("svm", record)
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # WAL folded back


def check_refused(path: Path, match: str) -> None:
    """Opening ``path`` fails with ``match`` in the message, by every route, and changes
    nothing in its directory."""
    before = snapshot(path.parent)
    with pytest.raises(StorageError, match=match) as caught:
        SQLiteStorage(path)
    assert str(path) in str(caught.value)
    with pytest.raises(StorageError, match=match):
        optimize(
            lambda x: x,
            Uniform(0.0, 1.0),
            RandomSearch(),
            max_evals=1,
            storage=str(path),
            progress=False,
        )
    assert snapshot(path.parent) == before


def test_text_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n")
    check_refused(path, "is a text file, not a typedspace study database")


def test_binary_junk_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(bytes(range(256)) * 8)
    check_refused(path, "is not a SQLite database")


def test_truncated_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    make_study_file(path)
    data = path.read_bytes()
    assert len(data) >= 8 * 4096
    path.write_bytes(data[: len(data) // 2])
    check_refused(path, "is a truncated database")


def test_truncated_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    make_study_file(path, trials=1)
    path.write_bytes(path.read_bytes()[:60])
    check_refused(path, "truncated SQLite database")


def test_corrupt_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    make_study_file(path)
    data = bytearray(path.read_bytes())
    page = 4096
    for start in range(2 * page, len(data) - page, 3 * page):  # scribble over every third page
        data[start : start + page] = bytes((i * 7 + 3) % 256 for i in range(page))
    path.write_bytes(bytes(data))
    check_refused(path, "corrupt database")


def test_another_applications_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO users (name) VALUES ('ana')")
    conn.close()
    check_refused(path, r"another application's SQLite database \(it has the tables users\)")


def test_database_with_another_application_id_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 1234")
    conn.execute("CREATE TABLE studies (x)")  # our table names do not make it ours
    conn.commit()
    conn.close()
    check_refused(path, r"another application's SQLite database \(application id 0x4d2\)")


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    make_study_file(path, trials=3)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    check_refused(path, r"written by a newer typedspace \(schema version 99")


def test_missing_file_is_created_and_empty_file_initialised(tmp_path: Path) -> None:
    for path in (tmp_path / "new.db", tmp_path / "empty.db"):
        if path.name == "empty.db":
            path.touch()
        with SQLiteStorage(path) as storage:
            storage.open_study(info())
        with SQLiteStorage(path, create=False) as again:
            assert again.study_names() == ["svm"]


def test_missing_file_or_directory_is_not_created_when_not_asked(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="no typedspace database at"):
        SQLiteStorage(tmp_path / "missing.db", create=False)
    with pytest.raises(StorageError, match="the directory .*nowhere does not exist"):
        SQLiteStorage(tmp_path / "nowhere" / "runs.db")
    with pytest.raises(StorageError, match="is a directory"):
        SQLiteStorage(tmp_path)
    assert os.listdir(tmp_path) == []
    empty = tmp_path / "empty.db"
    empty.touch()
    before = snapshot(tmp_path)
    with pytest.raises(StorageError, match="empty.db holds no typedspace studies"):
        SQLiteStorage(empty, create=False)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_both_storages_apply_the_limit_alike(tmp_path: Path, kind: str) -> None:
    storage = InMemoryStorage() if kind == "memory" else SQLiteStorage(tmp_path / "runs.db")
    storage.open_study(info())
    for n in range(3):
        assert storage.start_trial("svm", {}, 1.0, limit=3) == n
    storage.finish_trial("svm", TrialRecord(0, TrialState.CANCELLED, {}, 1.0, 2.0))
    storage.finish_trial("svm", TrialRecord(0, TrialState.CANCELLED, {}, 1.0, 2.5))  # again
    assert storage.start_trial("svm", {}, 1.0, limit=3) == 3
    with pytest.raises(BudgetExhausted):
        storage.start_trial("svm", {}, 1.0, limit=3)
    storage.finish_trial("svm", TrialRecord(0, TrialState.FAILED, {}, 1.0, 3.0))  # counts again
    with pytest.raises(BudgetExhausted):
        storage.start_trial("svm", {}, 1.0, limit=4)
    assert storage.start_trial("svm", {}, 1.0, limit=5) == 4


# -- another process holds the write lock ------------------------------------------------------
HOLD_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
"""


def hold_write_lock(path: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process takes the file's write lock for ``seconds``; returns once it holds it."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(path), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
    return holder


def test_a_result_waits_for_a_write_lock_held_past_the_timeout(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    holders: list[subprocess.Popen[str]] = []

    def objective(x: float) -> float:
        if not holders:  # the first trial ends while another process holds the lock
            holders.append(hold_write_lock(path, 1.0))
        return x

    with SQLiteStorage(path, timeout=0.1) as storage:
        result = optimize(
            objective, Uniform(0.0, 1.0), RandomSearch(), max_evals=3, storage=storage
        )
    assert holders[0].wait() == 0
    records = load_study(path, "default").records
    assert [r.state for r in records] == [TrialState.OK] * 3
    assert [r.loss for r in records] == [t.value for t in result.trials]


def test_a_result_that_cannot_be_written_is_kept_in_the_error(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    with SQLiteStorage(path, timeout=0.05, result_timeout=0.3) as storage:
        storage.open_study(info())
        storage.start_trial("svm", {"x": 0.5}, 1.0)
        done = TrialRecord(0, TrialState.OK, {"x": 0.5}, 1.0, 2.0, 0.25, {"acc": 0.75})
        holder = hold_write_lock(path, 2.0)
        with pytest.raises(ResultNotSaved) as caught:
            storage.finish_trial("svm", done)
        message = str(caught.value)
        assert "trial 0 finished but could not be saved: ok, loss 0.25" in message
        assert '{"x": 0.5}' in message and '{"acc": 0.75}' in message
        assert "\n" not in message
        assert holder.wait() == 0
        storage.finish_trial("svm", caught.value.record)  # recovered once the lock is free
        assert storage.trials("svm") == [done]
