"""The one database handle (a peewee DatabaseProxy) and how writes are made.

SQLite is the default: WAL, foreign keys, a busy timeout, and every write in an
IMMEDIATE transaction so concurrent terminals queue for the lock instead of failing
with "database is locked" on upgrade from a read. PostgreSQL is chosen by URL, and its
connections are pooled per process (see `make_database`).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
import threading
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


def cipher_class():
    from playhouse.sqlcipher_ext import SqlCipherDatabase
    from sqlcipher3 import dbapi2 as sqlcipher

    class KioskCipherDatabase(SqlCipherDatabase):
        """SQLCipher with a raw key (no key derivation per connection, so worker threads
        may open their own connections cheaply) and no SQLCipher log lines on stderr."""

        def _connect(self):
            params = dict(self.connect_params)
            key = params.pop("passphrase", "")
            conn = sqlcipher.connect(self.database, isolation_level=None, **params)
            try:
                conn.execute("PRAGMA cipher_log_level = NONE")
                conn.execute("PRAGMA key = \"%s\"" % key)
                self._add_conn_hooks(conn)
            except Exception:
                conn.close()
                raise
            return conn

    return KioskCipherDatabase


def is_encrypted_sqlite(database=None) -> bool:
    database = database if database is not None else db.obj
    return type(database).__name__ == "KioskCipherDatabase"


# PostgreSQL: every service call opens "this thread's connection" and closes it after
# (kiosk.services.unit), and a console journey makes dozens of calls. A new server
# connection each time is a backend process forked, a SCRAM handshake and a cold catalogue
# cache, so the connections are pooled (peewee's playhouse.pool): close() hands the
# connection back to the process's pool. On its way back the pool rolls back whatever
# transaction is still open (or in error) and drops a connection whose state is unknown;
# on its way out it checks the connection with a round trip (SELECT 1) and replaces one
# the server has ended (restarted, pg_terminate_backend). Nothing in kiosk sets session
# state (SET, temporary tables, LISTEN, session advisory locks: tests/unit/test_db_pool.py
# keeps it so), so a connection handed back is as a new one, only warm.
POOL_SCHEMES = {
    "postgres": "postgresql+pool",
    "postgresql": "postgresql+pool",
    "postgresext": "postgresqlext+pool",
    "postgresqlext": "postgresqlext+pool",
    "psycopg3": "psycopg3+pool",
}
POOL_SETTINGS = {
    # At most this many at once in one process (a console's workers, its alert watcher and
    # mail sender); one more waits up to `timeout` seconds for a connection to come back.
    "max_connections": 20,
    "timeout": BUSY_TIMEOUT_SECONDS,
    # Connections are replaced after five minutes (checked when taken or handed back), so an
    # idle console holds at most the one its alert watcher keeps open.
    "stale_timeout": 300,
}


def is_pooled(database=None) -> bool:
    pool = sys.modules.get("playhouse.pool")  # never imported for SQLite: none can be pooled
    database = database if database is not None else db.obj
    return pool is not None and isinstance(database, pool.PooledDatabase)


def close_pool(database=None) -> None:
    """Close every connection of the process's pool (the bound database's unless given):
    at the end of a console, an SSH server, a CLI command, and before a test drops its
    database. Call it once the threads that use the database have finished."""
    database = database if database is not None else db.obj
    if database is not None and is_pooled(database):
        database.close_all()


def make_database(db_url: str | None, sqlite_path: Path | None, key: bytes | None = None) -> peewee.Database:
    if db_url:
        from urllib.parse import parse_qsl, urlsplit

        from playhouse.db_url import connect

        parts = urlsplit(db_url)
        pooled = POOL_SCHEMES.get(parts.scheme.lower())
        extra = {}
        if pooled:
            given = {name for name, _ in parse_qsl(parts.query)}  # the URL may set its own
            extra = {name: value for name, value in POOL_SETTINGS.items() if name not in given}
            db_url = parts._replace(scheme=pooled).geturl()
        try:
            database = connect(db_url, **extra)
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
    if key is not None:
        return cipher_class()(
            str(sqlite_path), passphrase=f"x'{key.hex()}'", pragmas=SQLITE_PRAGMAS,
            timeout=BUSY_TIMEOUT_SECONDS,
        )
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
    state = _state()
    state.depth += 1
    ok = False
    try:
        with translate_errors():
            with txn:
                yield
        ok = True
    finally:
        state.depth -= 1
        if state.depth == 0:
            if not ok:
                state.pending = []
            elif not db.in_transaction():
                pending, state.pending = state.pending, []
                for fn in pending:
                    fn()
            # else: inside a transaction begun elsewhere; run after the next outermost write.


_local = threading.local()


def _state():
    if not hasattr(_local, "depth"):
        _local.depth, _local.pending = 0, []
    return _local


def after_commit(fn) -> None:
    """Run fn once the outermost write() of this thread has committed (never on rollback).

    For work outside the database that must only follow what was really committed, such
    as an audit checkpoint written to the log beside the data dir.
    """
    state = _state()
    if state.depth == 0 and not db.in_transaction():
        fn()
    else:
        state.pending.append(fn)


@contextlib.contextmanager
def translate_errors() -> Iterator[None]:
    """Turn driver errors into one clear KioskError (locked, corrupt, unreachable)."""
    try:
        try:
            yield
        except Exception as exc:
            # Raw sqlcipher3 connections (backup, encrypt, rekey) raise the driver's own classes.
            if type(exc).__module__.startswith("sqlcipher3"):
                if type(exc).__name__ == "OperationalError":
                    raise sqlite3.OperationalError(str(exc)) from None
                if type(exc).__name__ in ("DatabaseError", "IntegrityError"):
                    raise sqlite3.DatabaseError(str(exc)) from None
            raise
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
        if "not a database" in text and is_encrypted_sqlite():
            raise DatabaseError(
                "the database key is wrong (the file cannot be decrypted with it); "
                "check the key file, credential or passphrase"
            ) from None
        if "not a database" in text or "malformed" in text:
            raise DatabaseError(f"the database file is damaged or not a database ({text})") from None
        raise DatabaseError(f"database error: {text}") from None


@contextlib.contextmanager
def connection() -> Iterator[None]:
    """Open (and close) this thread's connection: workers run in fresh threads. On
    PostgreSQL it comes from the process's pool and goes back to it."""
    if db.obj is None:
        raise DatabaseError("no database is open")
    context = db.connection_context()
    try:
        context.__enter__()
    except ValueError as exc:  # playhouse.pool.MaxConnectionsExceeded (a ValueError)
        if type(exc).__name__ != "MaxConnectionsExceeded":
            raise
        raise DatabaseBusy(
            f"every database connection of this console stayed in use for more than "
            f"{BUSY_TIMEOUT_SECONDS} seconds; nothing was saved, try again"
        ) from None
    try:
        yield
    finally:
        context.__exit__(None, None, None)
