"""Opening the database: connect, create or upgrade the schema, refuse a newer one.

New tables are created on open (every model registers itself). Changes to existing
tables are numbered migrations run through playhouse.migrate, recorded in Meta as
`schema_version`. A database written by a newer console is refused, never touched.
"""

from __future__ import annotations

import hashlib
from typing import Callable

import peewee
from playhouse.migrate import SchemaMigrator, migrate

from kiosk import db as dbmod
from kiosk.config import Settings, ensure_data_dir
from kiosk.db import db, translate_errors
from kiosk.errors import DatabaseError, SchemaTooNew

# Version 1: accounts, roles, audit, meta, sign-offs, drafts, SSH keys.
# Version 2: user.last_login_at (shown to the user at login: "last signed in ...").
# Version 3: user.email (where content-free notices of new alerts are sent).
SCHEMA_VERSION = 3


def _m2_last_login(migrator: SchemaMigrator) -> None:
    from kiosk.models import User

    if "last_login_at" not in _columns("user"):
        migrate(migrator.add_column("user", "last_login_at", User.last_login_at))


def _m3_user_email(migrator: SchemaMigrator) -> None:
    from kiosk.models import User

    if "email" not in _columns("user"):
        migrate(migrator.add_column("user", "email", User.email))


MIGRATIONS: dict[int, Callable[[SchemaMigrator], None]] = {
    2: _m2_last_login,
    3: _m3_user_email,
}


def _columns(table: str) -> set[str]:
    return {c.name for c in db.get_columns(table)}


def _registry_fingerprint() -> str:
    from kiosk.models import REGISTRY

    # Tables, columns and indexes: a new index on an existing table must also reach
    # databases made before it (create_tables(safe=True) adds it with IF NOT EXISTS).
    parts = []
    for model in sorted(REGISTRY, key=lambda m: m._meta.table_name):
        fields = ",".join(
            f"{name}{'+i' if f.index else ''}{'+u' if f.unique else ''}"
            for name, f in sorted(model._meta.fields.items())
        )
        parts.append(f"{model._meta.table_name}:{fields}:{model._meta.indexes!r}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _get_meta(key: str) -> str | None:
    from kiosk.models import Meta

    row = Meta.get_or_none(Meta.key == key)
    return row.value if row else None


def _set_meta(key: str, value: str) -> None:
    from kiosk.models import Meta

    Meta.insert(key=key, value=value).on_conflict(
        conflict_target=[Meta.key], update={Meta.value: value}
    ).execute()


def current_version() -> int | None:
    from kiosk.models import Meta

    if not db.table_exists(Meta._meta.table_name):
        return None
    value = _get_meta("schema_version")
    return int(value) if value is not None else None


def upgrade() -> int:
    """Create or upgrade the schema on the bound database. Returns the final version."""
    from kiosk.models import REGISTRY, Meta

    with translate_errors():
        version = current_version()
        if version is not None and version > SCHEMA_VERSION:
            raise SchemaTooNew(
                f"this database has schema version {version}, newer than this console "
                f"understands ({SCHEMA_VERSION}); upgrade the console, do not downgrade"
            )
        fingerprint = _registry_fingerprint()
        if version == SCHEMA_VERSION and _get_meta("tables") == fingerprint:
            return version
        with dbmod.write():
            version = current_version()
            if version is None:
                db.create_tables(REGISTRY, safe=True)
                _set_meta("schema_version", str(SCHEMA_VERSION))
            else:
                migrator = SchemaMigrator.from_database(db.obj)
                context = (
                    migrator.migration_context()
                    if hasattr(migrator, "migration_context")
                    else _null_context()
                )
                with context:
                    for step in range(version + 1, SCHEMA_VERSION + 1):
                        MIGRATIONS[step](migrator)
                        _set_meta("schema_version", str(step))
                # Tables introduced since (new features) are created after the column steps.
                db.create_tables(REGISTRY, safe=True)
            _set_meta("tables", fingerprint)
        del Meta
        return SCHEMA_VERSION


class _null_context:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def open_database(settings: Settings, create: bool = True) -> peewee.Database:
    """Bind the proxy to the configured database and bring its schema up to date.

    With create=False a missing SQLite file is an error ("run kiosk init") instead of
    a fresh empty database.
    """
    if not settings.db_url:
        if settings.data_dir.exists() and not settings.data_dir.is_dir():
            raise DatabaseError(f"{settings.data_dir}: the data directory path is a file, not a directory")
        if not settings.data_dir.exists():
            if not create:
                raise DatabaseError(
                    f"no data directory at {settings.data_dir}; run 'kiosk init' first"
                )
        ensure_data_dir(settings.data_dir)
        if not create and not settings.db_path.exists():
            raise DatabaseError(f"no database at {settings.db_path}; run 'kiosk init' first")
    database = dbmod.make_database(settings.db_url, settings.db_path)
    dbmod.bind(database)
    with translate_errors():
        try:
            database.connect(reuse_if_open=True)
        except peewee.OperationalError as exc:
            raise DatabaseError(f"cannot connect to the database ({' '.join(str(exc).split())})") from None
        upgrade()
    return database
