"""Schema versions: the first schema is upgraded without losing a row; newer is refused."""

from __future__ import annotations

import os
import stat

import peewee
import pytest

from kiosk import schema
from kiosk.db import close_pool, db
from kiosk.errors import SchemaTooNew
from tests.conftest import TEST_DB_URL, _reset_postgres


def _build_v1(settings):
    """The schema as version 1 of the console made it: user without last_login_at."""
    from kiosk.db import bind, make_database

    if TEST_DB_URL:
        _reset_postgres(TEST_DB_URL)
    else:
        settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    database = make_database(settings.db_url, settings.db_path)
    bind(database)

    class Base(peewee.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Meta(Base):
        key = peewee.CharField(primary_key=True, max_length=64)
        value = peewee.TextField()

    class User(Base):
        id = peewee.AutoField()
        username = peewee.CharField(max_length=64, unique=True)
        full_name = peewee.CharField(max_length=200)
        password_hash = peewee.CharField(max_length=255)
        must_change_password = peewee.BooleanField(default=True)
        failed_attempts = peewee.IntegerField(default=0)
        locked_until = peewee.DateTimeField(null=True)
        active = peewee.BooleanField(default=True)
        created_at = peewee.DateTimeField()
        deactivated_at = peewee.DateTimeField(null=True)
        password_changed_at = peewee.DateTimeField(null=True)

    class UserRole(Base):
        user = peewee.ForeignKeyField(User, on_delete="RESTRICT")
        role = peewee.CharField(max_length=40)
        granted_at = peewee.DateTimeField()

    db.create_tables([Meta, User, UserRole])
    Meta.create(key="schema_version", value="1")
    import datetime

    now = datetime.datetime(2026, 1, 5, 9, 0)
    for i in range(3):
        u = User.create(username=f"u{i}", full_name=f"User {i}", password_hash="$argon2id$x",
                        created_at=now)
        UserRole.create(user=u, role="staff", granted_at=now)
    db.close()


def test_first_schema_is_upgraded_without_losing_a_row(settings):
    _build_v1(settings)
    schema.open_database(settings)
    try:
        from kiosk.models import User, UserRole

        assert schema.current_version() == schema.SCHEMA_VERSION
        assert {"last_login_at", "email", "account_version"} <= {c.name for c in db.get_columns("user")}
        assert [u.account_version for u in User.select()] == [0, 0, 0]
        assert [u.username for u in User.select().order_by(User.id)] == ["u0", "u1", "u2"]
        assert UserRole.select().count() == 3
        # Tables added since version 1 now exist and work.
        from kiosk.services import audit
        from kiosk.services.actor import shell_actor

        audit.record(shell_actor("shell:test"), "after.upgrade")
        assert audit.verify().ok
        # A second open is a no-op.
        assert schema.upgrade() == schema.SCHEMA_VERSION
    finally:
        db.close()
        close_pool()
        db.initialize(None)


def test_newer_schema_is_refused_untouched(database):
    from kiosk.models import Meta

    Meta.update(value=str(schema.SCHEMA_VERSION + 1)).where(Meta.key == "schema_version").execute()
    Meta.delete().where(Meta.key == "tables").execute()
    with pytest.raises(SchemaTooNew) as exc:
        schema.upgrade()
    assert "newer" in str(exc.value)
    assert Meta.get(Meta.key == "schema_version").value == str(schema.SCHEMA_VERSION + 1)


@pytest.mark.skipif(bool(TEST_DB_URL), reason="file modes apply to the SQLite data dir")
def test_data_dir_and_database_are_owner_only(database, settings):
    assert stat.S_IMODE(os.stat(settings.data_dir).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(settings.db_path).st_mode) == 0o600


@pytest.mark.skipif(bool(TEST_DB_URL), reason="SQLite pragmas")
def test_sqlite_runs_wal_with_foreign_keys_and_busy_timeout(database):
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 5000
    assert db.execute_sql("PRAGMA synchronous").fetchone()[0] == 2  # FULL: survives power loss


def test_an_index_added_later_reaches_an_existing_database(database):
    from kiosk.models import User

    User._meta.indexes = list(User._meta.indexes) + [(("full_name",), False)]
    try:
        schema.upgrade()
        indexes = {i.name for i in db.get_indexes("user")}
        assert any("full_name" in n for n in indexes), indexes
    finally:
        User._meta.indexes = [i for i in User._meta.indexes if i != (("full_name",), False)]


@pytest.mark.parametrize("env, theme", [
    ({"TERM": "xterm-256color"}, "textual-dark"),
    ({"TERM": "xterm", "COLORTERM": "truecolor"}, "textual-dark"),
    ({"TERM": "xterm"}, "ansi-dark"),  # ssh forwards TERM, rarely COLORTERM
    ({"TERM": "linux"}, "ansi-dark"),
    ({}, "ansi-dark"),
])
def test_auto_theme_stays_legible_in_16_colours(env, theme):
    from kiosk.config import auto_theme

    assert auto_theme(env) == theme
