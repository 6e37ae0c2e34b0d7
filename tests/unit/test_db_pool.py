"""PostgreSQL connections are pooled per process (kiosk.db.make_database): a service call
takes a warm connection instead of a new backend, and what it hands back is clean."""

from __future__ import annotations

import ast
import re
import threading
from pathlib import Path

import pytest

from tests.conftest import TEST_DB_URL

postgres_only = pytest.mark.skipif(not TEST_DB_URL, reason="the pool is for PostgreSQL")


def in_thread(fn):
    """Run fn in a new thread (as a console's worker does) and return its result."""
    out: dict = {}

    def target():
        try:
            out["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller
            out["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(30)
    assert not thread.is_alive()
    if "error" in out:
        raise out["error"]
    return out["value"]


def backend_pid() -> int:
    from kiosk.db import db

    return db.execute_sql("SELECT pg_backend_pid()").fetchone()[0]


def test_postgresql_urls_are_pooled_and_sqlite_is_not(tmp_path):
    from playhouse.pool import PooledPostgresqlDatabase
    from playhouse.postgres_ext import PooledPostgresqlExtDatabase

    from kiosk import db as dbmod

    database = dbmod.make_database("postgresql://u:p@127.0.0.1:1/school", None)
    assert isinstance(database, PooledPostgresqlDatabase)
    assert database._max_connections == dbmod.POOL_SETTINGS["max_connections"]
    assert database._stale_timeout == dbmod.POOL_SETTINGS["stale_timeout"]
    assert database.connect_params == {"user": "u", "password": "p", "host": "127.0.0.1", "port": 1}
    # The URL's own settings win over the defaults.
    ext = dbmod.make_database("postgresext://u:p@127.0.0.1:1/school?max_connections=3", None)
    assert isinstance(ext, PooledPostgresqlExtDatabase) and ext._max_connections == 3
    assert dbmod.is_pooled(database) and dbmod.is_pooled(ext)
    sqlite = dbmod.make_database(None, tmp_path / "school.db")
    assert not dbmod.is_pooled(sqlite)
    dbmod.close_pool(sqlite)  # nothing to do, and no error


@postgres_only
def test_service_calls_from_different_threads_reuse_one_backend(database):
    from kiosk.services import unit

    first = in_thread(lambda: unit.run(backend_pid))
    second = in_thread(lambda: unit.run(backend_pid))
    assert first == second  # a new connection per call would be a new backend process


@postgres_only
def test_a_connection_handed_back_mid_transaction_comes_back_clean(database):
    from kiosk.db import db
    from kiosk.services import unit

    def leave_a_transaction_open():
        db.execute_sql("BEGIN")
        db.execute_sql("CREATE TABLE pool_probe (x integer)")
        db.execute_sql("INSERT INTO pool_probe VALUES (1)")
        return backend_pid()

    def look():
        conn = db.connection()
        return (backend_pid(), conn.get_transaction_status(),
                db.execute_sql("SELECT to_regclass('pool_probe') IS NULL").fetchone()[0])

    pid = in_thread(lambda: unit.run(leave_a_transaction_open))
    import psycopg2.extensions as ext

    assert in_thread(lambda: unit.run(look)) == (pid, ext.TRANSACTION_STATUS_IDLE, True)


@postgres_only
def test_a_connection_handed_back_after_an_error_comes_back_clean(database):
    import peewee
    import psycopg2.extensions as ext

    from kiosk.db import db
    from kiosk.services import unit

    def fail_in_a_transaction():
        db.execute_sql("BEGIN")
        pid = backend_pid()
        with pytest.raises(peewee.ProgrammingError):
            db.execute_sql("SELECT * FROM no_such_table")
        assert db.connection().get_transaction_status() == ext.TRANSACTION_STATUS_INERROR
        return pid

    def look():
        return backend_pid(), db.connection().get_transaction_status(), db.execute_sql("SELECT 41 + 1").fetchone()[0]

    pid = in_thread(lambda: unit.run(fail_in_a_transaction))
    assert in_thread(lambda: unit.run(look)) == (pid, ext.TRANSACTION_STATUS_IDLE, 42)


@postgres_only
def test_a_write_that_fails_leaves_nothing_behind_on_the_pooled_connection(database, admin):
    from kiosk import db as dbmod
    from kiosk.db import db
    from kiosk.services import unit

    def write_then_fail():
        with dbmod.write():
            db.execute_sql("CREATE TABLE pool_probe (x integer)")
            raise RuntimeError("the service failed half way")

    with pytest.raises(RuntimeError):
        in_thread(lambda: unit.run(write_then_fail))
    assert in_thread(lambda: unit.run(
        lambda: db.execute_sql("SELECT to_regclass('pool_probe') IS NULL").fetchone()[0]))


@postgres_only
def test_a_backend_the_server_ended_is_replaced_at_the_next_call(database):
    from kiosk.db import db
    from kiosk.services import unit

    pid = in_thread(lambda: unit.run(backend_pid))
    # From the test's own connection (the main thread's): end the pooled one, and wait for it.
    assert db.execute_sql("SELECT pg_terminate_backend(%s, 10000)", (pid,)).fetchone()[0]
    after = in_thread(lambda: unit.run(backend_pid))
    assert after != pid
    assert in_thread(lambda: unit.run(backend_pid)) == after


@postgres_only
def test_close_pool_ends_every_connection(database):
    from playhouse.db_url import connect

    from kiosk import db as dbmod
    from kiosk.services import unit

    in_thread(lambda: unit.run(backend_pid))

    def clients() -> int:
        watcher = connect(TEST_DB_URL)  # not pooled
        with watcher.connection_context():
            return watcher.execute_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND backend_type = 'client backend' AND pid <> pg_backend_pid()").fetchone()[0]

    assert clients() == 2  # the test's own (main thread) and the worker's, back in the pool
    dbmod.close_pool()
    assert clients() == 0


# SQL in kiosk is written in capitals; a statement that starts a string literal, or one of the
# calls below anywhere in one.
SESSION_STATE = re.compile(
    r"^\s*(SET|RESET|LISTEN|PREPARE)\s+(?!LOCAL\b)"
    r"|\bCREATE\s+(GLOBAL\s+|LOCAL\s+)?TEMP(ORARY)?\s+TABLE\b|pg_advisory_lock|set_config\(")


def session_statements(source: str) -> list[str]:
    return [node.value for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and SESSION_STATE.search(node.value)]


def test_nothing_in_kiosk_leaves_session_state_on_a_pooled_connection():
    """A pooled connection is handed to the next caller as it is: a session setting, temporary
    table, LISTEN or session advisory lock would follow it there. Transaction-scoped forms
    (SET LOCAL, pg_advisory_xact_lock) are fine."""
    root = Path(__file__).resolve().parents[2] / "kiosk"
    found = [f"{path.relative_to(root.parent)}: {text!r}"
             for path in sorted(root.rglob("*.py"))
             for text in session_statements(path.read_text())]
    assert found == []


def test_the_session_state_check_finds_what_it_looks_for():
    for line in ('db.execute_sql("SET search_path TO x")', "execute_sql('SET statement_timeout = 5')",
                 'db.execute_sql("LISTEN alerts")', 'x = "SELECT pg_advisory_lock(1)"',
                 'x = f"CREATE TEMP TABLE t{n} (x int)"', "x = \"SELECT set_config('a.b', '1', false)\""):
        assert session_statements(line), line
    for line in ('x = \'UPDATE "user" SET x = 1\'', 'x = "SET LOCAL lock_timeout = 1000"',
                 'x = "Set or clear the e-mail"', 'x = "SELECT pg_advisory_xact_lock(1)"'):
        assert not session_statements(line), line
