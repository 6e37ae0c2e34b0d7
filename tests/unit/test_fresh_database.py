"""The suite's own promise: every test that asks for `database` starts from what a new database
holds. On PostgreSQL the test database is emptied in place between tests (tests/conftest.py,
`_fresh_postgres`), so these check that emptying it gives the same answers as a new copy of the
template, and that a test which changed the schema gets a new copy instead."""

from __future__ import annotations

import pytest

from tests.conftest import TEST_DB_URL, _close_database

postgres_only = pytest.mark.skipif(not TEST_DB_URL, reason="SQLite tests get a new file each time")


def _state(database) -> dict:
    """Every table's row count, the rows of the tables a new database fills, and where each
    sequence stands: what a test could see of the tests before it."""
    tables = [r[0] for r in database.execute_sql(
        "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace").fetchall()]
    counts = {t: database.execute_sql(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    meta = sorted(database.execute_sql("SELECT key, value FROM meta").fetchall())
    sequences = dict(database.execute_sql(
        "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'").fetchall())
    return {"counts": counts, "meta": meta, "sequences": sequences}


def _reopen(settings):
    from kiosk import schema
    from kiosk.db import db
    from tests.conftest import _fresh_postgres

    _close_database(db.obj)
    db.initialize(None)
    _fresh_postgres(TEST_DB_URL, settings.data_dir.parent)
    return schema.open_database(settings)


@postgres_only
def test_a_busy_database_is_emptied_to_what_a_new_one_holds(database, settings):
    from kiosk import demo

    new = _state(database)
    demo.seed()
    busy = _state(database)
    # The demo school writes to most tables, the protected ones (audit trail, concerns) included.
    assert sum(busy["counts"].values()) > sum(new["counts"].values()) + 500
    assert busy["counts"]["audit_event"] > 0 and busy["counts"]["concern"] > 0
    assert busy["sequences"] != new["sequences"]

    again = _reopen(settings)
    assert _state(again) == new
    # And it works as a new one does: the demo school seeds again, with the same first ids.
    demo.seed()
    assert _state(again)["sequences"] == busy["sequences"]
    _close_database(again)


@postgres_only
def test_a_changed_schema_gets_a_new_copy(database, settings):
    import peewee

    from tests import conftest

    database.execute_sql("ALTER TABLE concern DISABLE TRIGGER ao_concern")
    database.execute_sql("ALTER TABLE pupil ADD COLUMN stray integer")
    reset = conftest._resets[TEST_DB_URL]
    assert not conftest._reset_in_place(TEST_DB_URL, reset)  # the fingerprint no longer matches

    again = _reopen(settings)
    with pytest.raises(peewee.ProgrammingError):
        again.execute_sql("SELECT stray FROM pupil")
    again.rollback()
    enabled = again.execute_sql("SELECT tgenabled FROM pg_trigger WHERE tgname = 'ao_concern'").fetchone()[0]
    assert enabled == "O"
    # The copy is one the in-place reset works on again.
    _close_database(again)
    assert conftest._reset_in_place(TEST_DB_URL, reset)
