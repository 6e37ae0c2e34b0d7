"""The one database handle (a peewee DatabaseProxy) and how writes are made.

SQLite is the default: WAL, foreign keys, a busy timeout, and every write in an
IMMEDIATE transaction so concurrent terminals queue for the lock instead of failing
with "database is locked" on upgrade from a read. PostgreSQL is chosen by URL.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path
from typing import Iterator

import peewee
from peewee import DatabaseProxy

from kiosk.errors import DatabaseBusy, DatabaseError

db = DatabaseProxy()

BUSY_TIMEOUT_SECONDS = 5

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    # FULL: with WAL, NORMAL survives a killed process but can lose the newest commits
    # on power loss; a concern once confirmed on screen must survive both.
    "synchronous": "full",
    "busy_timeout": BUSY_TIMEOUT_SECONDS * 1000,
    "cache_size": -16000,
    "temp_store": "memory",
}


def is_sqlite() -> bool:
    return isinstance(db.obj, peewee.SqliteDatabase)


def make_database(db_url: str | None, sqlite_path: Path | None) -> peewee.Database:
    if db_url:
        from playhouse.db_url import connect

        try:
            database = connect(db_url)
        except Exception as exc:  # unknown scheme, missing driver
            raise DatabaseError(f"cannot use database URL ({exc})") from None
        if isinstance(database, peewee.SqliteDatabase):
            database = peewee.SqliteDatabase(
                database.database, pragmas=SQLITE_PRAGMAS, timeout=BUSY_TIMEOUT_SECONDS
            )
        return database
    assert sqlite_path is not None
    if not sqlite_path.exists():
        # Create the file owner-only before SQLite does, so it is never world-readable.
        fd = os.open(sqlite_path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    os.chmod(sqlite_path, 0o600)
    return peewee.SqliteDatabase(
        str(sqlite_path), pragmas=SQLITE_PRAGMAS, timeout=BUSY_TIMEOUT_SECONDS
    )


def bind(database: peewee.Database) -> None:
    db.initialize(database)


@contextlib.contextmanager
def write() -> Iterator[None]:
    """A write transaction: IMMEDIATE on SQLite (take the write lock up front).

    Nested use becomes a savepoint. A lock held past the busy timeout, a damaged file or
    a lost server comes out as one KioskError after the rollback, never a raw driver error.
    """
    txn = db.atomic("IMMEDIATE") if is_sqlite() else db.atomic()
    with translate_errors():
        with txn:
            yield


@contextlib.contextmanager
def translate_errors() -> Iterator[None]:
    """Turn driver errors into one clear KioskError (locked, corrupt, unreachable)."""
    try:
        yield
    except (peewee.OperationalError, sqlite3.OperationalError) as exc:
        text = str(exc)
        if "locked" in text or "busy" in text:
            raise DatabaseBusy(
                f"the database stayed locked for more than {BUSY_TIMEOUT_SECONDS} seconds; "
                "nothing was saved, try again"
            ) from None
        raise DatabaseError(f"database error: {text}") from None
    except (peewee.DatabaseError, sqlite3.DatabaseError) as exc:
        text = str(exc)
        if "not a database" in text or "malformed" in text:
            raise DatabaseError(f"the database file is damaged or not a database ({text})") from None
        raise DatabaseError(f"database error: {text}") from None


@contextlib.contextmanager
def connection() -> Iterator[None]:
    """Open (and close) this thread's connection: workers run in fresh threads."""
    if db.obj is None:
        raise DatabaseError("no database is open")
    with db.connection_context():
        yield
