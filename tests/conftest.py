"""Shared fixtures: every test gets its own temporary data dir and a fresh database.

Set KIOSK_TEST_DB_URL=postgresql://... to run the suite against PostgreSQL; each test
then starts from empty tables in that database.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from kiosk.config import Settings

STRONG_PASSWORD = "correct-battery-staple-42"


def _worker_db_url(base: str | None) -> str | None:
    """Under pytest-xdist each worker gets a PostgreSQL database of its own (created once),
    since every test resets the schema of the database it uses."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not base or not worker:
        return base
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(base)
    name = f"{parts.path.lstrip('/') or 'kiosk_test'}_{worker}"
    from playhouse.db_url import connect

    admin = connect(base)
    admin.connect()
    try:
        exists = admin.execute_sql("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            admin.execute_sql(f'CREATE DATABASE "{name}"')
    finally:
        admin.close()
    return urlunsplit(parts._replace(path="/" + name))


TEST_DB_URL = _worker_db_url(os.environ.get("KIOSK_TEST_DB_URL") or None)


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    """When a test process dies of a fatal signal, its threads' stacks go to a file as well as
    stderr (KIOSK_TEST_FAULT_DIR, set by scripts/test.sh, which prints them at the end of the run,
    where a CI log's tail will show them)."""
    fault_dir = os.environ.get("KIOSK_TEST_FAULT_DIR")
    if not fault_dir:
        return
    import faulthandler

    name = os.environ.get("PYTEST_XDIST_WORKER", "main")
    log = open(Path(fault_dir) / f"{name}-{os.getpid()}.log", "w")  # noqa: SIM115 (open while the process lives)
    config._kiosk_fault_log = log  # keep the file object alive
    faulthandler.enable(file=log, all_threads=True)


_crashed: list[str] = []


def pytest_handlecrashitem(crashitem, report, sched):
    """A test whose worker process died of a fatal signal runs once more on a new worker; a
    second crash fails it. The run says which tests crashed (at the end, with the stacks the
    fault handler wrote), so a crash is never hidden, but one crash of the test machinery (the
    PostgreSQL pass runs under libfaketime's preloaded library) does not fail the whole run."""
    if crashitem not in _crashed:
        _crashed.append(crashitem)
        sched.mark_test_pending(crashitem)
        report.outcome = "rerun"


def pytest_terminal_summary(terminalreporter):
    for nodeid in _crashed:
        terminalreporter.write_line(f"CRASHED (its worker died; run again on a new worker): {nodeid}")


@pytest.fixture(autouse=True)
def _isolate_environment(tmp_path, monkeypatch):
    # Never touch the user's real data dir, whatever a test does.
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for var in ("KIOSK_DB_URL", "TEXTUAL_DRIVER", "TEXTUAL_LOG", "CREDENTIALS_DIRECTORY"):
        monkeypatch.delenv(var, raising=False)
    if TEST_DB_URL:
        monkeypatch.setenv("KIOSK_DB_URL", TEST_DB_URL)
    yield
    # A database a test opened itself (a CLI command run in-process, schema.open_database)
    # and left bound: its pooled connections end with the test.
    dbmod = sys.modules.get("kiosk.db")
    if dbmod is not None and dbmod.db.obj is not None:
        dbmod.close_pool()


def _reset_postgres(url: str) -> None:
    """Empty the test database (for tests that build the schema themselves, e.g. `kiosk init`)."""
    from playhouse.db_url import connect

    database = connect(url)
    database.connect()
    database.execute_sql("DROP SCHEMA IF EXISTS public CASCADE")
    database.execute_sql("CREATE SCHEMA public")
    database.close()


@pytest.fixture(autouse=True)
def _cheap_password_hashing(request, monkeypatch):
    """argon2 at its cheapest wherever no password is typed: a dozen accounts per test at
    the real cost would make the suite slow. Tests marked `real_argon2` (the login and
    password journeys, the hashing parameters) keep the real parameters."""
    if request.node.get_closest_marker("real_argon2"):
        return
    from argon2 import PasswordHasher, Type

    from kiosk.services import accounts

    cheap = PasswordHasher(type=Type.ID, time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(accounts, "hasher", lambda: cheap)


_template: dict[str, str] = {}


@dataclass(frozen=True)
class _Reset:
    """How to put a test database back to the template's state in place (see _fresh_postgres)."""

    catalogue: str  # the catalogue's fingerprint when the database was a fresh copy
    sql: str  # one transaction's worth of statements
    params: tuple


# Every row the schema's definitions live in, by identity and version (xmin): any DDL a test
# ran on the database (a column added, a trigger dropped or disabled, a function replaced, the
# schema dropped and built again) gives a different answer. VACUUM and ANALYZE update pg_class
# in place, so the database's own housekeeping does not.
_CATALOGUE = """
SELECT md5(string_agg(item, ',' ORDER BY item)) FROM (
  SELECT 'c' || oid || ':' || xmin FROM pg_class WHERE relnamespace = 'public'::regnamespace
  UNION ALL SELECT 'a' || a.attrelid || '.' || a.attnum || ':' || a.xmin FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid WHERE c.relnamespace = 'public'::regnamespace
  UNION ALL SELECT 't' || oid || ':' || xmin FROM pg_trigger
  UNION ALL SELECT 'p' || oid || ':' || xmin FROM pg_proc WHERE pronamespace = 'public'::regnamespace
  UNION ALL SELECT 'k' || oid || ':' || xmin FROM pg_constraint WHERE connamespace = 'public'::regnamespace
  UNION ALL SELECT 'n' || oid || ':' || xmin FROM pg_namespace
) AS catalogue(item)
"""


def _reset_plan(database) -> _Reset:
    """Read a fresh copy of the template: its catalogue's fingerprint, the order its tables
    empty in (a table before the tables it refers to), the rows it starts with and where
    its sequences stand."""
    q = lambda sql: database.execute_sql(sql).fetchall()  # noqa: E731
    tables = [r[0] for r in q("SELECT relname FROM pg_class WHERE relkind = 'r' "
                                 "AND relnamespace = 'public'::regnamespace ORDER BY relname")]
    refers: dict[str, set[str]] = {t: set() for t in tables}
    for child, parent in q("SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint "
                           "WHERE contype = 'f' AND connamespace = 'public'::regnamespace"):
        if child != parent:
            refers[child.strip('"')].add(parent.strip('"'))
    order: list[str] = []
    while refers:  # referrers first: a table goes once nothing left refers to it
        ready = sorted(t for t in refers if not any(t in parents for parents in refers.values()))
        if not ready:
            raise RuntimeError(f"foreign keys in a cycle among {sorted(refers)}")
        order += ready
        for t in ready:
            del refers[t]
    # The append-only triggers let a DELETE through while the retention gate is open in the
    # same transaction (kiosk.appendonly), so the gate opens first and shuts last.
    order = [t for t in order if t != "retention_gate"]
    statements = ["INSERT INTO retention_gate (opened) VALUES (1)"]
    statements += [f'DELETE FROM "{t}"' for t in order]
    statements.append("DELETE FROM retention_gate")
    params: list[str] = []
    for t in order:
        rows = q(f'SELECT json_agg(t)::text FROM "{t}" AS t')[0][0]
        if rows:
            statements.append(f'INSERT INTO "{t}" SELECT * FROM json_populate_recordset(NULL::"{t}", %s)')
            params.append(rows)
    sequences = [f"setval('\"{name}\"', {last if last is not None else 1}, {'true' if last is not None else 'false'})"
                 for name, last in q("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")]
    if sequences:
        statements.append("SELECT " + ", ".join(sequences))
    return _Reset(q(_CATALOGUE)[0][0], ";\n".join(statements), tuple(params))


def _reset_in_place(url: str, reset: _Reset) -> bool:
    """Empty the test database where it stands, if its schema is still the template's.

    False (the caller copies the template instead) when the database is gone, a test changed
    its schema, or something a test left behind still holds a lock on it."""
    import peewee
    from playhouse.db_url import connect

    database = connect(url)
    try:
        database.connect()
    except peewee.DatabaseError:
        return False
    try:
        # What a console a test left running still has open ends here, as DROP ... FORCE would.
        database.execute_sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        database.execute_sql("SET lock_timeout = '2s'")
        if database.execute_sql(_CATALOGUE).fetchone()[0] != reset.catalogue:
            return False
        with database.atomic():
            database.execute_sql(reset.sql, reset.params)
        return True
    except peewee.DatabaseError:
        return False
    finally:
        database.close()


_resets: dict[str, _Reset] = {}


def _close_database(database) -> None:
    """Close this thread's connection and, on PostgreSQL, every pooled one (workers' included),
    so no connection outlives the test."""
    from kiosk import db as dbmod

    if not database.is_closed():
        database.close()
    dbmod.close_pool(database)


def _drop_database(admin, name: str) -> None:
    """DROP DATABASE, ending what is still connected to it (a console a test left behind).

    FORCE ends sessions at once (a plain DROP waits five seconds for them to go first), but a
    role that is not a superuser may not end an autovacuum worker busy in that database, which
    a plain DROP does stop: so FORCE first, plain when FORCE is refused, and a short wait when
    neither can go ahead yet."""
    import time

    import peewee

    for attempt in range(50):
        for force in (" WITH (FORCE)", ""):
            try:
                admin.execute_sql(f'DROP DATABASE IF EXISTS "{name}"{force}')
                return
            except peewee.DatabaseError:
                if attempt == 49 and not force:
                    raise
        time.sleep(0.1)


def _fresh_postgres(url: str, tmp_path: Path) -> None:
    """Give the test database exactly what a new database holds.

    Building the schema (tables, indexes, triggers, migrations) costs the best part of a second on
    PostgreSQL, so it is built once per worker and run, by the same `schema.open_database` a school
    runs, as a template database. The first test gets a copy of it. After that the copy is emptied
    in place (every table's rows deleted, the template's own rows put back, the sequences set where
    the template has them: a few milliseconds), which is checked first: when a test changed the
    schema, the catalogue's fingerprint differs and the database is copied from the template again
    (DROP and CREATE ... TEMPLATE: tens of milliseconds alone, several times that under load, with
    a checkpoint each).
    """
    reset = _resets.get(url)
    if reset is not None and _reset_in_place(url, reset):
        return
    from urllib.parse import urlsplit, urlunsplit

    import peewee
    from playhouse.db_url import connect

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    template = f"{name}_template"
    admin = connect(urlunsplit(parts._replace(path="/postgres")))
    admin.connect()
    try:
        if url not in _template:
            from kiosk import schema
            from kiosk.db import db

            _drop_database(admin, template)
            admin.execute_sql(f'CREATE DATABASE "{template}"')
            built = schema.open_database(
                Settings(data_dir=tmp_path / "template-data", db_url=urlunsplit(parts._replace(path="/" + template))))
            # Every connection of its pool, not only this thread's: CREATE DATABASE ... TEMPLATE
            # refuses a template anyone is connected to.
            _close_database(built)
            db.initialize(None)
            _template[url] = template
        _drop_database(admin, name)
        try:  # PostgreSQL 15+: a plain file copy is the quickest way to clone a small database
            admin.execute_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
        except peewee.ProgrammingError:
            admin.execute_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        admin.close()
    if url not in _resets:
        copy = connect(url)
        copy.connect()
        try:
            _resets[url] = _reset_plan(copy)
        finally:
            copy.close()


@pytest.fixture
def settings(tmp_path) -> Settings:
    data = tmp_path / "data"
    return Settings(data_dir=data, db_url=TEST_DB_URL)


@pytest.fixture
def database(settings):
    """A fresh, bound, upgraded database (on PostgreSQL, a copy of a freshly built one)."""
    from kiosk import schema
    from kiosk.db import db

    if TEST_DB_URL:
        _fresh_postgres(TEST_DB_URL, settings.data_dir.parent)
    database = schema.open_database(settings)
    yield database
    _close_database(database)
    db.initialize(None)


@pytest.fixture
def admin(database):
    from kiosk.services.actor import shell_actor

    return shell_actor("shell:test", setup=True)


@pytest.fixture
def make_user(database, admin):
    """make_user("alice", "dsl") -> Actor, with a password that passes policy."""
    from kiosk.services import accounts

    def _make(username: str, *roles: str, full_name: str | None = None, must_change=False):
        info = accounts.create_user(
            admin, username, full_name or username.title(), roles or ("staff",),
            STRONG_PASSWORD, must_change=must_change,
        )
        from kiosk.models import User

        return accounts.actor_for(User.get_by_id(info.id), "terminal")

    return _make


@pytest.fixture
def fake_clock():
    from kiosk.clock import FakeClock, use_clock

    clock = FakeClock()
    with use_clock(clock):
        yield clock
