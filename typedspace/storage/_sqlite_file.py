"""Opening a typedspace SQLite file safely: check first, write only to our own databases.

A path that is not ours (a text file, a truncated or corrupt database, another application's
SQLite file, a file written by a newer typedspace) raises ``StorageError`` before anything is
written to it.  A missing (or empty) file becomes a new database.

The file is marked as ours by ``PRAGMA application_id`` (the bytes ``tysp``) and carries its
schema version in ``PRAGMA user_version``; both live in the 100-byte SQLite header, so the
first checks read the raw bytes without letting SQLite touch the file.

A read-only connection never writes.  On read-only media (the file or its directory cannot
be written, or is marked read-only) it is a ``mode=ro&immutable=1`` URI, so that SQLite does
not even create its ``-wal`` and ``-shm`` files there (only ``mode=ro`` when a ``-wal`` file
holds commits, which ``immutable`` would ignore).  On writable media it is an ordinary
connection with ``PRAGMA query_only``: closing it removes the ``-wal`` and ``-shm`` files,
which a ``mode=ro`` connection would leave behind.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from typedspace.errors import StorageError
from typedspace.storage._records import TrialState

SQLITE_MAGIC = b"SQLite format 3\x00"
APPLICATION_ID = int.from_bytes(b"tysp", "big")
SCHEMA_VERSION = 3

# Trial numbers are dense per study (0, 1, 2 ...): a trial row is never deleted, so the
# number of trials is the next number.  ``intermediate`` holds the values a trial reported as
# it ran, a JSON list of [step, value] pairs.  Version 2 added it and the state 'pruned'.
# Version 3 added ``objective_values`` (a JSON list, one number per objective, for a study
# with several objectives) and ``constraint_values`` (a JSON list, one number per constraint,
# <= 0 when satisfied); both NULL for a single-objective study without constraints; and
# ``intermediate_vectors``, the vectors a trial of several objectives reported as it ran
# (a JSON list of [step, [value, ...]] pairs).  ``seq`` increases with every write of a trial row of
# the study, so a reader fetches only the rows changed since its last read.  Few indexes: each
# one costs a page write per commit.
SCHEMA = """
CREATE TABLE studies (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    space_fingerprint TEXT NOT NULL,
    space_text TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    seed INTEGER,
    created REAL NOT NULL,
    space_json TEXT,
    attributes TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE trials (
    study_id INTEGER NOT NULL REFERENCES studies(id),
    number INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('running', 'ok', 'failed', 'pruned', 'cancelled')),
    assignment TEXT NOT NULL,
    started REAL NOT NULL,
    finished REAL,
    loss REAL,
    extra TEXT NOT NULL DEFAULT '{}',
    error_type TEXT,
    error_message TEXT,
    error_traceback TEXT,
    owner_host TEXT NOT NULL,
    owner_pid INTEGER NOT NULL,
    owner_start INTEGER,
    heartbeat REAL NOT NULL,
    intermediate TEXT NOT NULL DEFAULT '[]',
    objective_values TEXT,
    constraint_values TEXT,
    intermediate_vectors TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (study_id, number)
) WITHOUT ROWID;
CREATE UNIQUE INDEX trials_by_seq ON trials (study_id, seq);
CREATE INDEX trials_cancelled ON trials (study_id) WHERE state = 'cancelled';
"""
TABLES = ("studies", "trials")
STATES = tuple(state.value for state in TrialState)


def check_header(path: Path) -> bool:
    """Check the raw bytes of an existing file; True when it is empty (to be created)."""
    size = path.stat().st_size
    if size == 0:
        return True
    with path.open("rb") as file:
        header = file.read(100)
    if not header.startswith(SQLITE_MAGIC):
        what = "a text file" if _looks_like_text(header) else "not a SQLite database"
        raise StorageError(
            f"{path} is {what}, not a typedspace study database (it starts with {header[:16]!r}); "
            "give a new path or an existing typedspace .db file"
        )
    if len(header) < 100:
        raise StorageError(f"{path} is a truncated SQLite database ({size} bytes, no full header)")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # The page count in the header is only valid when the two change counters agree.
    if pages and header[24:28] == header[92:96] and size < pages * page_size:
        raise StorageError(
            f"{path} is a truncated database: its header says {pages * page_size} bytes, "
            f"the file has {size}; restore it from a copy"
        )
    check_identity(
        path,
        int.from_bytes(header[68:72], "big", signed=True),
        int.from_bytes(header[60:64], "big", signed=True),
        tables=None,
    )
    return False


def _looks_like_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8", errors="strict")
    except UnicodeDecodeError:  # (a multi-byte character cut at byte 100 counts as binary)
        return False
    return all(c.isprintable() or c in "\t\n\r" for c in text)


def check_identity(path: Path, application_id: int, version: int, tables: list[str] | None) -> bool:
    """Whether the database is ours (True) or fresh (False); else ``StorageError``.

    ``tables`` is None when only the header is known (a fresh-looking header is then not
    conclusive: the database may hold tables that the header does not reveal).
    """
    if application_id == APPLICATION_ID:
        if version > SCHEMA_VERSION:
            raise StorageError(
                f"{path} was written by a newer typedspace (schema version {version}; this "
                f"version reads up to {SCHEMA_VERSION}); upgrade typedspace to open it"
            )
        if tables is not None:
            missing = [t for t in TABLES if t not in tables]
            if version < 1 or missing:
                raise StorageError(
                    f"{path} is a damaged typedspace database (schema version {version}, "
                    f"missing tables: {', '.join(missing) or 'none'})"
                )
        return True
    if application_id != 0:
        raise StorageError(
            f"{path} is another application's SQLite database (application id "
            f"{application_id:#x}), not a typedspace study database"
        )
    if tables:
        raise StorageError(
            f"{path} is another application's SQLite database (it has the tables "
            f"{', '.join(sorted(tables))}), not a typedspace study database"
        )
    return False


def inspect(conn: sqlite3.Connection, path: Path) -> bool:
    """Read-only look at an open database: True if it is ours, False if fresh."""
    in_transaction = conn.in_transaction
    if not in_transaction:
        conn.execute("BEGIN")  # one snapshot for the three reads (a creator may commit between)
    try:
        application_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master")]
    finally:
        if not in_transaction:
            conn.execute("COMMIT")
    return check_identity(path, application_id, version, tables)


def check_integrity(conn: sqlite3.Connection, path: Path) -> None:
    """``PRAGMA quick_check``: find corrupt pages before anything is written to the file."""
    problems = [r[0] for r in conn.execute("PRAGMA quick_check(5)")]
    if problems == ["ok"]:
        return
    if all(p.startswith("CHECK constraint failed") for p in problems):
        # Pages are fine but a row was edited by hand: say which (the only CHECK is the state).
        row = conn.execute(
            "SELECT name, number, state FROM trials JOIN studies ON studies.id = study_id "
            f"WHERE state NOT IN ({', '.join(map(repr, STATES))}) LIMIT 1"
        ).fetchone()
        if row is not None:
            raise bad_state(f"{path}, study {row[0]!r}, trial {row[1]}", row[2])
    raise StorageError(
        f"{path} is a corrupt database ({'; '.join(problems)}); restore it from a copy"
    )


def bad_state(where: str, state: object) -> StorageError:
    """The error for a trial row whose state is not one of ours."""
    return StorageError(f"{where}: state is {state!r}, not one of {', '.join(STATES)}")


def create_schema(conn: sqlite3.Connection) -> None:
    """Create our tables and marks (inside the caller's write transaction)."""
    for statement in SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def schema_version(conn: sqlite3.Connection) -> int:
    version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    return version


#: Version 1 -> 2: the trials table gains ``intermediate`` and the state 'pruned'.  SQLite
#: cannot change a CHECK constraint in place, so the table is rebuilt (rows copied as they are)
#: with today's columns: it goes straight to ``SCHEMA_VERSION``.
_MIGRATE_1_TO_2 = """
ALTER TABLE trials RENAME TO trials_v1;
DROP INDEX trials_by_seq;
DROP INDEX trials_cancelled;
{trials}
INSERT INTO trials (study_id, number, seq, state, assignment, started, finished, loss, extra,
    error_type, error_message, error_traceback, owner_host, owner_pid, owner_start, heartbeat)
SELECT study_id, number, seq, state, assignment, started, finished, loss, extra,
    error_type, error_message, error_traceback, owner_host, owner_pid, owner_start, heartbeat
FROM trials_v1;
DROP TABLE trials_v1;
{indexes}
PRAGMA user_version = {version}
"""

#: Version 2 -> 3: two columns, NULL in every existing row (no row is rewritten).
_MIGRATE_2_TO_3 = """
ALTER TABLE trials ADD COLUMN objective_values TEXT;
ALTER TABLE trials ADD COLUMN constraint_values TEXT;
ALTER TABLE trials ADD COLUMN intermediate_vectors TEXT NOT NULL DEFAULT '[]';
PRAGMA user_version = 3
"""


def migrate(conn: sqlite3.Connection) -> None:
    """Bring a database written by an older typedspace to ``SCHEMA_VERSION``, in one write
    transaction (another process may have done it meanwhile: then nothing is done)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        if schema_version(conn) == 1:
            trials = SCHEMA[SCHEMA.index("CREATE TABLE trials") : SCHEMA.index("CREATE UNIQUE")]
            indexes = SCHEMA[SCHEMA.index("CREATE UNIQUE") :]
            version = SCHEMA_VERSION
            script = _MIGRATE_1_TO_2.format(trials=trials, indexes=indexes, version=version)
            for statement in script.split(";"):
                if statement.strip():
                    conn.execute(statement)
        if schema_version(conn) == 2:
            for statement in _MIGRATE_2_TO_3.split(";"):
                if statement.strip():
                    conn.execute(statement)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def read_only_media(path: Path) -> bool:
    """Whether the existing file ``path`` must not be written: it or its directory is not
    writable (read-only mount, permissions, ``chattr +i``), or is marked read-only (no write
    permission bit at all: root ignores the bits, but their owner meant them)."""
    if not path.is_file():
        return False
    return any(
        not os.access(p, os.W_OK) or not p.stat().st_mode & 0o222 for p in (path, path.parent)
    )


def _read_only_uri(path: Path) -> str | None:
    """The URI to read ``path`` without writing anything; None for a plain connection."""
    if not read_only_media(path):
        return None
    uri = f"{path.resolve().as_uri()}?mode=ro"
    wal = path.with_name(path.name + "-wal")
    # immutable=1 skips locks and the -wal file: only right when no commit waits in it.
    if not (wal.exists() and wal.stat().st_size > 0):
        uri += "&immutable=1"
    return uri


def connect(
    path: Path, *, create: bool, timeout: float, synchronous: str, read_only: bool = False
) -> sqlite3.Connection:
    """A connection to the typedspace database at ``path``, created if missing and allowed.

    ``read_only``: the file must already be a typedspace database, and nothing is written to
    it or next to it (see the module's docstring).
    """
    if path.is_dir():
        raise StorageError(f"{path} is a directory, not a typedspace study database")
    exists = path.exists()
    if not exists and (read_only or not create):
        raise StorageError(f"no typedspace database at {path}")
    if not exists and not path.parent.is_dir():
        raise StorageError(f"cannot create {path}: the directory {path.parent} does not exist")
    empty = check_header(path) if exists else True
    uri = _read_only_uri(path) if read_only else None
    try:
        conn = sqlite3.connect(
            uri or path,
            timeout=timeout,
            isolation_level=None,
            check_same_thread=False,
            uri=uri is not None,
        )
    except sqlite3.Error as error:
        raise StorageError(f"cannot open {path}: {error}") from error
    try:
        ours = inspect(conn, path)
        if ours and not empty:
            check_integrity(conn, path)
        if not ours and (read_only or not create):
            raise StorageError(f"{path} holds no typedspace studies (it is an empty database)")
        if read_only:
            if uri is None:
                conn.execute("PRAGMA query_only = ON")
            return conn
        if not ours:
            conn.execute("BEGIN IMMEDIATE")
            try:
                if not inspect(conn, path):  # another process may have created it meanwhile
                    create_schema(conn)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA synchronous = {synchronous}")
        if schema_version(conn) < SCHEMA_VERSION:
            migrate(conn)
    except sqlite3.DatabaseError as error:
        conn.close()
        raise StorageError(f"{path} cannot be used as a typedspace database: {error}") from error
    except BaseException:
        conn.close()
        raise
    return conn
