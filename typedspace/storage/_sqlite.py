"""SQLite storage: studies in one file, shared safely by threads and processes.

Every write is one short ``BEGIN IMMEDIATE`` transaction (SQLite's write lock), so trial
numbers and the ``limit`` check of ``start_trial`` are atomic across processes; readers never
wait for writers (WAL mode).  Reads are incremental: each trial row carries a sequence number
bumped on every write, and ``trials()`` fetches only the rows changed since its last call.

Durability: with the default ``synchronous="NORMAL"`` a finished trial is committed before
``finish_trial`` returns and survives the process being killed; a power cut may lose the last
commits (never the file's integrity).  ``synchronous="FULL"`` also survives power cuts, at the
cost of an fsync per write.

A finished trial is never dropped because another process holds the write lock: its write is
tried again, with growing pauses, for ``result_timeout`` seconds; if it still cannot be
written, ``ResultNotSaved`` carries the result.  Rows that are damaged or crafted (a loss
stored as text, malformed JSON, an unknown state) are refused with a ``StorageError`` naming
the study and the trial.
"""

from __future__ import annotations

import functools
import json
import os
import sqlite3
import sys
import threading
import time
import warnings
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, cast

import attrs

from typedspace.errors import BudgetExhausted, ResultNotSaved, StorageError
from typedspace.storage._base import StudyInfo, check_same_space
from typedspace.storage._owner import Owner, current_owner, is_dead
from typedspace.storage._records import ErrorInfo, TrialRecord, TrialState
from typedspace.storage._sqlite_file import (
    STATES,
    bad_state,
    connect,
    read_only_media,
    schema_version,
)

_TRIAL_COLUMNS = (
    "number, state, assignment, started, finished, loss, extra, "
    "error_type, error_message, error_traceback, intermediate, objective_values, "
    "constraint_values, intermediate_vectors, seq"
)


@attrs.define
class _Cache:
    """The trials of one study as last read, and the highest ``seq`` seen."""

    records: list[TrialRecord | None] = attrs.field(factory=list)
    seq: int = 0
    # (PRAGMA data_version, own commits) at the last read: equal now means nothing changed.
    stamp: tuple[int, int] = (-1, -1)
    holes: set[int] = attrs.field(factory=set)  # numbers not read yet (must end up empty)


class SQLiteStorage:
    """Studies in the SQLite file ``path`` (created if missing, unless ``create=False``).

    ``timeout`` is how long a write waits for another process's write (seconds); writing a
    finished trial keeps trying for ``result_timeout`` seconds (a result is worth waiting
    for).  Trials of this process that are running get a heartbeat every
    ``heartbeat_interval`` seconds; see ``reclaim_interrupted`` for how dead runs are told
    from live ones.

    ``read_only=True`` only reads an existing database: nothing is written to the file or
    its directory, and every write raises ``StorageError``.  ``create=False`` on read-only
    media (the file or its directory cannot be written) implies it.

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "runs.db")
    >>> with SQLiteStorage(path) as storage:
    ...     storage.study_names()
    []
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        create: bool = True,
        read_only: bool = False,
        timeout: float = 60.0,
        result_timeout: float = 600.0,
        synchronous: Literal["NORMAL", "FULL"] = "NORMAL",
        heartbeat_interval: float = 10.0,
        stale_after: float = 300.0,
    ) -> None:
        if synchronous not in ("NORMAL", "FULL"):
            raise ValueError(f"synchronous must be 'NORMAL' or 'FULL', got {synchronous!r}")
        self.path = Path(path)
        self.heartbeat_interval = heartbeat_interval
        self.stale_after = stale_after
        self.result_timeout = result_timeout
        self._refusal: str | None = None  # why writes are refused, when they are
        if read_only:
            self._refusal = "it was opened with read_only=True"
        elif not create and read_only_media(self.path):
            self._refusal = "the file or its directory is read-only"
        self._connect = functools.partial(
            connect,
            self.path,
            create=create,
            timeout=timeout,
            synchronous=synchronous,
            read_only=self.read_only,
        )
        self._lock = threading.RLock()
        self._conn = self._connect()
        # An older file opened read-only is not migrated: version 1 has no reports, versions
        # 1 and 2 no objective or constraint values.
        self._columns = _TRIAL_COLUMNS
        version = schema_version(self._conn)
        if version < 3:
            self._columns = self._columns.replace("objective_values", "NULL")
            self._columns = self._columns.replace("constraint_values", "NULL")
            self._columns = self._columns.replace("intermediate_vectors", "'[]'")
        if version < 2:
            self._columns = self._columns.replace("intermediate", "'[]'")
        # What a worker process needs to open the same file again (see __reduce__).
        self._arguments = {
            "read_only": read_only,
            "timeout": timeout,
            "result_timeout": result_timeout,
            "synchronous": synchronous,
            "heartbeat_interval": heartbeat_interval,
            "stale_after": stale_after,
        }
        # Close at exit too: a cleanly closed database folds its -wal file back and removes it.
        weakref.finalize(self, _close, self._lock, self._conn)
        self._pid = os.getpid()
        self._owner = current_owner()
        self._study_ids: dict[str, int] = {}
        self._caches: dict[str, _Cache] = {}
        self._writes = 0  # commits on this connection (PRAGMA data_version ignores them)
        self._running: set[tuple[int, int]] = set()  # (study id, number) run by this process
        self._beat: threading.Thread | None = None
        self._closed = threading.Event()

    def __repr__(self) -> str:
        return f"SQLiteStorage({str(self.path)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Sent to a worker process (a trial's reports), it opens the same file there, once
        # per process: a connection cannot cross processes.
        return (_reopen, (str(self.path), tuple(sorted(self._arguments.items()))))

    @property
    def read_only(self) -> bool:
        """Whether this storage only reads (``read_only=True``, or read-only media)."""
        return self._refusal is not None

    def __enter__(self) -> SQLiteStorage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the heartbeat and close the connection (the file stays consistent anyway)."""
        self._closed.set()
        beat = self._beat
        if beat is not None and beat is not threading.current_thread():
            beat.join()
        with self._lock:
            self._conn.close()

    # -- connection and transactions ---------------------------------------------------------
    def _connection(self) -> sqlite3.Connection:
        if os.getpid() != self._pid:
            # A forked child must not use its parent's connection (SQLite forbids it).
            self._conn = self._connect()
            self._pid, self._owner = os.getpid(), current_owner()
            self._running.clear()
            self._caches.clear()  # their data_version stamps belong to the old connection
        return self._conn

    @contextmanager
    def _reading(self, study: str | None = None) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._connection()
            except sqlite3.DatabaseError as error:
                raise self._error(error, study) from error

    @contextmanager
    def _writing(self, study: str | None = None) -> Iterator[sqlite3.Connection]:
        """One write transaction; SQLite's write lock is held from its start (IMMEDIATE)."""
        with self._lock:
            try:
                with self._transaction() as conn:
                    yield conn
            except sqlite3.DatabaseError as error:
                raise self._error(error, study) from error

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """``_writing`` without turning SQLite's errors into ours (hold ``_lock``)."""
        if self._refusal is not None:
            raise StorageError(f"{self.path} cannot be written: {self._refusal}")
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        self._writes += 1

    def _write_patiently(
        self, write: Callable[[sqlite3.Connection], None], patience: float
    ) -> None:
        """``write`` in one transaction; while another process holds the write lock, try
        again with growing pauses (the lock is released meanwhile) for ``patience`` seconds.
        Raises the last ``sqlite3.DatabaseError``."""
        deadline = time.monotonic() + patience
        pause = 0.05
        while True:
            with self._lock:
                try:
                    with self._transaction() as conn:
                        write(conn)
                    return
                except sqlite3.OperationalError as error:
                    if not _locked(error) or time.monotonic() + pause > deadline:
                        raise
            time.sleep(pause)
            pause = min(2 * pause, 5.0)

    def _error(self, error: sqlite3.DatabaseError, study: str | None) -> StorageError:
        where = f"{self.path}" + (f", study {study!r}" if study else "")
        if isinstance(error, sqlite3.OperationalError):
            hint = " (another process held the write lock too long)" if _locked(error) else ""
            return StorageError(f"{where}: {error}{hint}")
        return StorageError(f"{where}: the database is damaged: {error}")

    def _study_id(self, conn: sqlite3.Connection, study: str) -> int:
        sid = self._study_ids.get(study)
        if sid is None:
            row = conn.execute("SELECT id FROM studies WHERE name = ?", (study,)).fetchone()
            if row is None:
                raise KeyError(f"no study named {study!r} in {self.path}")
            sid = self._study_ids[study] = row[0]
        return sid

    @staticmethod
    def _next_seq(conn: sqlite3.Connection, sid: int) -> int:
        return int(
            conn.execute(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM trials WHERE study_id = ?", (sid,)
            ).fetchone()[0]
        )

    # -- rows --------------------------------------------------------------------------------
    # A file may hold rows written by hand or damaged: each is checked as it is read, so that
    # a bad one is a one-line StorageError naming the study and the trial, not a traceback.
    def _study_info(self, row: Sequence[Any]) -> StudyInfo:
        name, fingerprint, text, algorithm, seed, created, space_json, attributes = row
        where = f"{self.path}, study {name!r}"
        return StudyInfo(
            name,
            fingerprint,
            text,
            algorithm,
            seed,
            created,
            space_json,
            _json_object(attributes, "attributes", where),
        )

    def _trial_record(self, row: Sequence[Any], study: str) -> TrialRecord:
        (
            number,
            state,
            assignment,
            started,
            finished,
            loss,
            extra,
            etype,
            message,
            tb,
            steps,
            values,
            constraints,
            vectors,
            seq,
        ) = row
        where = f"{self.path}, study {study!r}, trial {number}"
        if not isinstance(number, int) or not isinstance(seq, int):
            raise StorageError(f"{where}: its number and seq are {number!r}, {seq!r}, not integers")
        if state not in STATES:  # checked when the file is opened, but it may change since
            raise bad_state(where, state)
        params = _json_object(assignment, "assignment", where)
        for name, value in params.items():
            _number(value, f"assignment's {name!r}", where)
        error = None if etype is None else ErrorInfo(str(etype), str(message or ""), str(tb or ""))
        return TrialRecord(
            number,
            TrialState(state),
            params,
            cast(float, _number(started, "started", where)),
            _number(finished, "finished", where, optional=True),
            _number(loss, "loss", where, optional=True),
            _json_object(extra, "extra", where),
            error,
            _intermediate(steps, where),
            _numbers(values, "objective_values", where),
            _numbers(constraints, "constraint_values", where),
            _vectors(vectors, where),
        )

    # -- studies -----------------------------------------------------------------------------
    def open_study(self, info: StudyInfo, *, allow_space_change: bool = False) -> StudyInfo:
        with self._writing(info.name) as conn:
            row = conn.execute(
                "SELECT name, space_fingerprint, space_text, algorithm, seed, created, "
                "space_json, attributes FROM studies WHERE name = ?",
                (info.name,),
            ).fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO studies (name, space_fingerprint, space_text, algorithm, seed, "
                    "created, space_json, attributes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        info.name,
                        info.space_fingerprint,
                        info.space_text,
                        info.algorithm,
                        info.seed,
                        info.created,
                        info.space_json,
                        _dumps(info.attributes, f"attributes of study {info.name!r}"),
                    ),
                )
                return info
        stored = self._study_info(row)
        check_same_space(stored, info, allow_space_change)
        return stored

    def load_study(self, name: str) -> StudyInfo:
        with self._reading(name) as conn:
            row = conn.execute(
                "SELECT name, space_fingerprint, space_text, algorithm, seed, created, "
                "space_json, attributes FROM studies WHERE name = ?",
                (name,),
            ).fetchone()
        if row is None:
            raise KeyError(f"no study named {name!r} in {self.path}")
        return self._study_info(row)

    def study_names(self) -> list[str]:
        with self._reading() as conn:
            return [r[0] for r in conn.execute("SELECT name FROM studies ORDER BY id")]

    # -- trials ------------------------------------------------------------------------------
    def start_trial(
        self,
        study: str,
        assignment: dict[str, float | int],
        started: float,
        *,
        limit: int | None = None,
    ) -> int:
        text = _dumps(assignment, f"assignment of a trial of study {study!r}")
        owner = self._owner
        with self._writing(study) as conn:
            sid = self._study_id(conn, study)
            # One statement, three indexed look-ups (each subquery uses its own index).
            number, seq, cancelled = conn.execute(
                "SELECT (SELECT COALESCE(MAX(number), -1) + 1 FROM trials WHERE study_id = ?1), "
                "(SELECT COALESCE(MAX(seq), 0) + 1 FROM trials WHERE study_id = ?1), "
                "(SELECT COUNT(*) FROM trials INDEXED BY trials_cancelled "
                "WHERE study_id = ?1 AND state = 'cancelled')",
                (sid,),
            ).fetchone()
            if limit is not None and number - cancelled >= limit:  # numbers are dense
                raise BudgetExhausted(
                    f"study {study!r} in {self.path} already has {number - cancelled} "
                    f"trials that count (limit {limit})"
                )
            conn.execute(
                "INSERT INTO trials (study_id, number, seq, state, assignment, started, "
                "owner_host, owner_pid, owner_start, heartbeat) "
                "VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?)",
                (
                    sid,
                    number,
                    seq,
                    text,
                    started,
                    owner.host,
                    owner.pid,
                    owner.start,
                    time.time(),
                ),
            )
            self._running.add((sid, number))
            self._start_heartbeat()
        return int(number)

    def finish_trial(self, study: str, record: TrialRecord) -> None:
        """Record how trial ``record.number`` ended.  A finished result (OK or FAILED) waits
        up to ``result_timeout`` seconds for the write lock; if it cannot be written at all,
        ``ResultNotSaved`` holds it."""
        error = record.error
        where = f"trial {record.number} of study {study!r}"
        values = (
            record.state.value,
            _dumps(dict(record.assignment), f"assignment of {where}"),
            record.started,
            record.finished,
            record.loss,
            _dumps(dict(record.extra), f"extra data of {where}"),
            None if error is None else error.type,
            None if error is None else error.message,
            None if error is None else error.traceback,
            None if record.values is None else json.dumps(list(record.values)),
            None if record.constraints is None else json.dumps(list(record.constraints)),
        )

        def update(conn: sqlite3.Connection) -> None:
            sid = self._study_id(conn, study)
            changed = conn.execute(
                "UPDATE trials SET state = ?, assignment = ?, started = ?, finished = ?, "
                "loss = ?, extra = ?, error_type = ?, error_message = ?, error_traceback = ?, "
                "objective_values = ?, constraint_values = ?, "
                "seq = ? WHERE study_id = ? AND number = ?",
                (*values, self._next_seq(conn, sid), sid, record.number),
            ).rowcount
            if changed != 1:
                raise StorageError(f"{self.path}: there is no {where} to finish")
            if record.state.finished:
                self._running.discard((sid, record.number))

        if record.state is TrialState.CANCELLED:  # no result to keep: the usual timeout
            with self._writing(study) as conn:
                update(conn)
            return
        lost = f"trial {record.number} finished but could not be saved: {_result_text(record)}"
        try:
            self._write_patiently(update, self.result_timeout)
        except sqlite3.DatabaseError as failure:
            message = f"{self._error(failure, study)}; {lost} (kept in this error's record)"
            raise ResultNotSaved(message, record) from failure
        except BaseException as error:  # Ctrl-C while waiting: the traceback shows the result
            error.add_note(lost)
            raise

    def report(self, study: str, number: int, step: int | float, value: float) -> None:
        """Add ``(step, value)`` to running trial ``number``'s intermediate values, waiting
        for the write lock as for a result (``result_timeout``)."""
        self._append_report(study, number, "intermediate", [step, value])

    def report_vector(
        self, study: str, number: int, step: int | float, values: tuple[float, ...]
    ) -> None:
        """Add ``(step, values)`` to running trial ``number``'s reported vectors (a study
        with several objectives), waiting for the write lock as ``report`` does."""
        self._append_report(study, number, "intermediate_vectors", [step, list(values)])

    def _append_report(self, study: str, number: int, column: str, entry: list[Any]) -> None:
        """Append ``entry`` to the JSON list in ``column`` (one of the two report columns,
        never user input) of running trial ``number``."""

        def append(conn: sqlite3.Connection) -> None:
            sid = self._study_id(conn, study)
            row = conn.execute(
                f"SELECT {column} FROM trials WHERE study_id = ? AND number = ? "
                "AND state = 'running'",
                (sid, number),
            ).fetchone()
            if row is None:
                return  # finished meanwhile (cancelled by its run): it keeps what it has
            entries = json.loads(row[0])
            entries.append(entry)
            conn.execute(
                f"UPDATE trials SET {column} = ?, seq = ? WHERE study_id = ? AND number = ?",
                (json.dumps(entries), self._next_seq(conn, sid), sid, number),
            )

        try:
            self._write_patiently(append, self.result_timeout)
        except sqlite3.DatabaseError as failure:
            raise self._error(failure, study) from failure

    def trials(self, study: str) -> Sequence[TrialRecord]:
        with self._reading(study) as conn:
            sid = self._study_id(conn, study)
            cache = self._caches.setdefault(study, _Cache())
            stamp = (conn.execute("PRAGMA data_version").fetchone()[0], self._writes)
            if stamp == cache.stamp:
                return cast(list[TrialRecord], list(cache.records))
            rows = conn.execute(
                f"SELECT {self._columns} FROM trials WHERE study_id = ? AND seq > ?",
                (sid, cache.seq),
            ).fetchall()
            for row in rows:
                record = self._trial_record(row, study)
                number = record.number
                if number >= len(cache.records):
                    cache.holes.update(range(len(cache.records), number + 1))
                    cache.records.extend([None] * (number + 1 - len(cache.records)))
                cache.records[number] = record
                cache.holes.discard(number)
                cache.seq = max(cache.seq, row[-1])
            cache.stamp = stamp
            if cache.holes:  # cannot happen: numbers are dense and rows are never deleted
                raise StorageError(
                    f"{self.path}: study {study!r} lacks trials {sorted(cache.holes)}"
                )
            return cast(list[TrialRecord], list(cache.records))

    # -- dead runs ---------------------------------------------------------------------------
    def reclaim_interrupted(self, study: str, *, requeue: bool = False) -> list[TrialRecord]:
        """Finish the RUNNING trials whose process died (the rule is in ``_owner``).

        A trial of a process on this host is dead when that process is gone; one of another
        host when its heartbeat is older than ``stale_after`` seconds.  Dead trials become
        FAILED with an ``Interrupted`` error, or CANCELLED (not counted) when ``requeue`` so
        that the caller evaluates their assignments again.  Each dead trial is claimed by
        exactly one caller (the update only applies to a trial still RUNNING).
        """
        with self._reading(study) as conn:  # cheap when nothing is dead: no write lock
            sid = self._study_id(conn, study)
            rows = conn.execute(
                "SELECT number, owner_host, owner_pid, owner_start, heartbeat FROM trials "
                "WHERE study_id = ? AND state = 'running'",
                (sid,),
            ).fetchall()
            mine = {number for s, number in self._running if s == sid}
        now = time.time()
        dead = [
            (number, Owner(host, pid, start))
            for number, host, pid, start, heartbeat in rows
            if number not in mine
            and is_dead(Owner(host, pid, start), heartbeat, now, self.stale_after)
        ]
        if not dead:
            return []
        state = TrialState.CANCELLED if requeue else TrialState.FAILED
        claimed: list[TrialRecord] = []
        with self._writing(study) as conn:
            for number, owner in dead:
                reason = f"the run that started it ({owner}) died before it finished"
                if requeue:
                    reason += "; its assignment is evaluated again as a new trial"
                changed = conn.execute(
                    "UPDATE trials SET state = ?, finished = ?, error_type = 'Interrupted', "
                    "error_message = ?, error_traceback = '', seq = ? "
                    "WHERE study_id = ? AND number = ? AND state = 'running'",
                    (state.value, now, reason, self._next_seq(conn, sid), sid, number),
                ).rowcount
                if changed:
                    row = conn.execute(
                        f"SELECT {self._columns} FROM trials WHERE study_id = ? AND number = ?",
                        (sid, number),
                    ).fetchone()
                    claimed.append(self._trial_record(row, study))
        return claimed

    # -- heartbeat ---------------------------------------------------------------------------
    def _start_heartbeat(self) -> None:
        """Keep a thread stamping this process's running trials (called under the lock)."""
        if self._beat is None or not self._beat.is_alive():
            self._beat = threading.Thread(
                target=self._heartbeat, name=f"typedspace heartbeat {self.path}", daemon=True
            )
            self._beat.start()

    def _heartbeat(self) -> None:
        while not self._closed.wait(self.heartbeat_interval):
            with self._lock:
                if not self._running or self._closed.is_set():
                    self._beat = None  # no trial left: end; the next start_trial starts anew
                    return
                running = sorted(self._running)
                try:
                    with self._writing() as conn:
                        conn.executemany(
                            "UPDATE trials SET heartbeat = ? WHERE study_id = ? AND number = ? "
                            "AND state = 'running'",
                            [(time.time(), sid, number) for sid, number in running],
                        )
                except StorageError:
                    pass  # a missed beat is harmless: the next one comes soon


@functools.cache
def _reopen(path: str, arguments: tuple[tuple[str, Any], ...]) -> SQLiteStorage:
    """The storage of ``path`` in this process, opened once (see ``__reduce__``)."""
    return SQLiteStorage(path, create=False, **dict(arguments))


def _close(lock: threading.RLock, conn: sqlite3.Connection) -> None:
    with lock:
        conn.close()


def _dumps(value: Mapping[str, Any], what: str) -> str:
    """JSON text of ``value``; numpy scalars and arrays become numbers and lists, anything
    else that JSON cannot hold (bytes, an object) is stored as its repr string, with a
    warning that names its key and points at the caller's code (see ``_caller_level``)."""
    replaced: list[tuple[str, object]] = []
    text = json.dumps(_jsonable(value, (), replaced))
    for where, obj in replaced:
        warnings.warn(
            f"{what}: {where} is {type(obj).__qualname__} {obj!r:.200}, which JSON cannot "
            f"hold; stored as its repr, the string {repr(obj)!r:.200} (it reads back as that "
            "string)",
            UserWarning,
            stacklevel=_caller_level(),
        )
    return text


def _jsonable(obj: object, keys: tuple[object, ...], replaced: list[tuple[str, object]]) -> Any:
    """``obj`` (found at ``keys``) with what JSON cannot hold replaced by its repr; each
    replacement is noted in ``replaced`` with where it was."""
    if obj is None or isinstance(obj, str | int | float):  # bool is an int
        return obj
    tolist = getattr(obj, "tolist", None)
    if callable(tolist):  # numpy scalars and arrays
        return _jsonable(tolist(), keys, replaced)
    if isinstance(obj, Mapping):
        out: dict[Any, Any] = {}
        for key, item in obj.items():
            if key is not None and not isinstance(key, str | int | float):
                replaced.append((f"the dict key {key!r} at {_where(keys)}", key))
                key = repr(key)
            out[key] = _jsonable(item, (*keys, key), replaced)
        return out
    if isinstance(obj, list | tuple):
        return [_jsonable(item, (*keys, i), replaced) for i, item in enumerate(obj)]
    replaced.append((_where(keys), obj))
    return repr(obj)


def _where(keys: tuple[object, ...]) -> str:
    """``key 'model'``, or ``key 'curve' (at ['curve'][2])`` for a value nested in it."""
    if not keys:
        return "the top level"
    inside = "".join(f"[{k!r}]" for k in keys)
    return f"key {keys[0]!r}" + (f" (at {inside})" if len(keys) > 1 else "")


_PACKAGE = str(Path(__file__).resolve().parent.parent) + os.sep


def _caller_level() -> int:
    """The ``stacklevel`` that makes a warning issued by this function's caller point at the
    first frame outside typedspace: the user's line that stored the value (the call to
    ``optimize``, ``Optimizer.tell`` or ``finish_trial``), never typedspace or ``json``."""
    frame = sys._getframe(1)  # the caller: stacklevel 1
    level = 1
    while frame.f_back is not None and os.path.abspath(frame.f_code.co_filename).startswith(
        _PACKAGE
    ):
        frame = frame.f_back
        level += 1
    return level


def _number(value: object, what: str, where: str, *, optional: bool = False) -> float | None:
    """A number read from a row (SQLite may hand back text or bytes from a crafted file)."""
    if (value is None and optional) or (
        isinstance(value, int | float) and not isinstance(value, bool)
    ):
        return value
    raise StorageError(f"{where}: {what} is {value!r}, not a number")


def _intermediate(text: object, where: str) -> tuple[tuple[int | float, float], ...]:
    """The [step, value] pairs stored as ``text`` in a row."""
    try:
        pairs = json.loads(text) if isinstance(text, str | bytes) else None
    except (TypeError, ValueError):
        pairs = None
    if not isinstance(pairs, list) or not all(
        isinstance(p, list) and len(p) == 2 and all(_is_number(x) for x in p) for p in pairs
    ):
        raise StorageError(f"{where}: intermediate is {text!r}, not a list of [step, value]")
    return tuple((step, float(value)) for step, value in pairs)


def _numbers(text: object, what: str, where: str) -> tuple[float, ...] | None:
    """A JSON list of numbers stored as ``text`` (NULL: None)."""
    if text is None:
        return None
    try:
        items = json.loads(text) if isinstance(text, str | bytes) else None
    except (TypeError, ValueError):
        items = None
    if not isinstance(items, list) or not all(_is_number(x) for x in items):
        raise StorageError(f"{where}: {what} is {text!r}, not a list of numbers")
    return tuple(float(x) for x in items)


def _vectors(text: object, where: str) -> tuple[tuple[int | float, tuple[float, ...]], ...]:
    """The [step, [value, ...]] pairs stored as ``text`` in a row."""
    try:
        pairs = json.loads(text) if isinstance(text, str | bytes) else None
    except (TypeError, ValueError):
        pairs = None
    if not isinstance(pairs, list) or not all(
        isinstance(p, list)
        and len(p) == 2
        and _is_number(p[0])
        and isinstance(p[1], list)
        and all(_is_number(x) for x in p[1])
        for p in pairs
    ):
        raise StorageError(
            f"{where}: intermediate_vectors is {text!r}, not a list of [step, [values]]"
        )
    return tuple((step, tuple(float(x) for x in values)) for step, values in pairs)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _json_object(text: object, what: str, where: str) -> dict[str, Any]:
    """The JSON object stored as ``text`` in a row."""
    try:
        value = json.loads(text) if isinstance(text, str | bytes) else None
    except (TypeError, ValueError) as error:
        raise StorageError(f"{where}: {what} is not valid JSON ({error}): {text!r}") from None
    if not isinstance(value, dict):
        raise StorageError(f"{where}: {what} is {text!r}, not a JSON object")
    return value


def _locked(error: sqlite3.OperationalError) -> bool:
    """Whether SQLite gave up waiting for another connection's lock."""
    return "locked" in str(error) or "busy" in str(error)


def _result_text(record: TrialRecord) -> str:
    """A finished trial's result, in one line: what a user needs to recover it by hand."""
    outcome = f"loss {record.loss!r}" if record.error is None else f"error {record.error}"
    return (
        f"{record.state.value}, {outcome}, assignment "
        f"{json.dumps(_jsonable(dict(record.assignment), (), []))}, "
        f"extra {json.dumps(_jsonable(dict(record.extra), (), []))}"
    )
