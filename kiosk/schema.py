"""Opening the database: connect, create or upgrade the schema, refuse a newer one.

New tables are created on open (every model registers itself). Changes to existing
tables are numbered migrations run through playhouse.migrate, recorded in Meta as
`schema_version`. A database written by a newer console is refused, never touched.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import peewee

from kiosk import db as dbmod
from kiosk.config import Settings, check_data_dir
from kiosk.db import db, translate_errors
from kiosk.errors import DatabaseError, SchemaTooNew

if TYPE_CHECKING:
    from playhouse.migrate import SchemaMigrator


def migrate(*operations) -> None:
    # playhouse.migrate (and the PostgreSQL extensions it pulls in) only when a step runs.
    from playhouse.migrate import migrate as run

    run(*operations)

# Version 1: accounts, roles, audit, meta, sign-offs, drafts, SSH keys.
# Version 2: user.last_login_at (shown to the user at login: "last signed in ...").
# Version 3: user.email (where content-free notices of new alerts are sent).
# Version 4: pupil roll columns (former UPN, admission number, sex, left_on, status,
#            roll_note, merged_into, other flag and label); pupil flag change effective_on, label.
# Version 5: user.account_version (sessions follow the account: checked at every service call).
# Version 6: chronology_index (each concern record under each of its pupils, by date), filled
#            from the records; kept by triggers (kiosk/models/chronology_index.py) from then on.
SCHEMA_VERSION = 6


def _m2_last_login(migrator: SchemaMigrator) -> None:
    from kiosk.models import User

    if "last_login_at" not in _columns("user"):
        migrate(migrator.add_column("user", "last_login_at", User.last_login_at))


def _m3_user_email(migrator: SchemaMigrator) -> None:
    from kiosk.models import User

    if "email" not in _columns("user"):
        migrate(migrator.add_column("user", "email", User.email))


def _add_defaulted_column(table: str, field) -> None:
    """ADD COLUMN ... NOT NULL DEFAULT in one statement. (playhouse.migrate adds such a column
    as NULL and then rebuilds the table on SQLite to make it NOT NULL; inside the upgrade's
    transaction foreign keys stay on, and the rebuild of a table others refer to fails.)"""
    sqlite = dbmod.is_sqlite()
    if isinstance(field, peewee.BooleanField):
        kind = "INTEGER" if sqlite else "BOOLEAN"
        default = ("1" if field.default else "0") if sqlite else ("TRUE" if field.default else "FALSE")
    elif isinstance(field, peewee.CharField):
        kind, default = f"VARCHAR({field.max_length})", "'" + str(field.default).replace("'", "''") + "'"
    elif isinstance(field, peewee.TextField):
        kind, default = "TEXT", "'" + str(field.default).replace("'", "''") + "'"
    else:  # pragma: no cover - only the types above are added this way
        raise TypeError(f"no DDL for {type(field).__name__}")
    db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "{field.column_name}" {kind} NOT NULL DEFAULT {default}')


def _m4_pupil_roll(migrator: SchemaMigrator) -> None:
    from kiosk.models.pupils import Pupil, PupilFlagChange

    for model, names in ((Pupil, ("former_upn", "admission_number", "sex", "left_on", "status",
                                  "roll_note", "merged_into", "other", "other_label")),
                         (PupilFlagChange, ("effective_on", "label"))):
        table = model._meta.table_name
        if not db.table_exists(table):
            continue  # created whole after the steps
        have = _columns(table)
        for name in names:
            if name in have:
                continue
            field = model._meta.fields[name]
            if field.null:
                migrate(migrator.add_column(table, name, field))
            else:
                _add_defaulted_column(table, field)
    if db.table_exists("pupil") and "pupil_former_upn" not in {i.name for i in db.get_indexes("pupil")}:
        migrate(migrator.add_index("pupil", ("former_upn",), False))


def _m5_account_version(migrator: SchemaMigrator) -> None:
    # Plain SQL: both backends add a NOT NULL column with a default in place, where
    # playhouse.migrate would rebuild the SQLite table (and trip its foreign keys).
    if "account_version" not in _columns("user"):
        db.execute_sql('ALTER TABLE "user" ADD COLUMN account_version INTEGER NOT NULL DEFAULT 0')


def _m6_chronology_index(migrator: SchemaMigrator) -> None:
    # Filled here, before the triggers that keep it exist (installed after the steps).
    if db.table_exists("concern_pupil"):
        from kiosk.models import chronology_index

        chronology_index.rebuild()


MIGRATIONS: dict[int, Callable[[SchemaMigrator], None]] = {
    2: _m2_last_login,
    3: _m3_user_email,
    4: _m4_pupil_roll,
    5: _m5_account_version,
    6: _m6_chronology_index,
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
    from kiosk import appendonly

    parts.append("triggers:" + appendonly.fingerprint())
    from kiosk.models import chronology_index

    parts.append("chronology index:" + chronology_index.fingerprint())
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


# What the table fingerprint is computed from: the model modules, the append-only triggers
# and this module. Unchanged source + the current schema version means an unchanged
# fingerprint, so the console can start without importing (and fingerprinting) the models.
_SOURCE_FILES = ("models/*.py", "appendonly.py", "schema.py")


def source_digest() -> str | None:
    """A digest of the source behind the table fingerprint, or None if it cannot be read
    (an install without .py files: then every open computes the fingerprint)."""
    root = Path(__file__).parent
    h = hashlib.sha256(str(SCHEMA_VERSION).encode())
    try:
        for pattern in _SOURCE_FILES:
            for path in sorted(root.glob(pattern)):
                h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    except OSError:
        return None
    return h.hexdigest()


def _meta_values(*keys: str) -> dict[str, str]:
    """Meta rows read without the models (peewee's bare Table)."""
    if not db.table_exists("meta"):
        return {}
    meta = peewee.Table("meta").bind(db)
    return dict(meta.select(meta.c.key, meta.c.value).where(meta.c.key.in_(keys)).tuples())


def is_current() -> bool:
    """True when the bound database is known to be this console's schema, decided without
    importing the models: the version matches and the model source is the one whose
    fingerprint was last applied. False means: run upgrade()."""
    digest = source_digest()
    if digest is None:
        return False
    with translate_errors():
        values = _meta_values("schema_version", "models_source")
    return values.get("schema_version") == str(SCHEMA_VERSION) and values.get("models_source") == digest


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
        digest = source_digest()
        if version == SCHEMA_VERSION and _get_meta("tables") == fingerprint:
            if digest is not None and _get_meta("models_source") != digest:
                with dbmod.write():
                    _set_meta("models_source", digest)
            return version
        with dbmod.write():
            version = current_version()
            if version is None:
                db.create_tables(REGISTRY, safe=True)
                _set_meta("schema_version", str(SCHEMA_VERSION))
            else:
                from playhouse.migrate import SchemaMigrator

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
            from kiosk import appendonly

            appendonly.install()
            from kiosk.models import chronology_index

            chronology_index.install()
            _set_meta("tables", fingerprint)
            if digest is not None:
                _set_meta("models_source", digest)
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
    check_data_dir(settings, create)
    from kiosk import keys

    key = keys.key_for_open(settings)
    database = dbmod.make_database(settings.db_url, settings.db_path, key=key)
    dbmod.bind(database)
    from kiosk import fieldcrypt

    fieldcrypt.configure(settings.data_dir)
    with translate_errors():
        try:
            database.connect(reuse_if_open=True)
        except peewee.OperationalError as exc:
            raise DatabaseError(f"cannot connect to the database ({' '.join(str(exc).split())})") from None
        except peewee.DatabaseError as exc:
            # SQLCipher with the wrong key fails at the first page it reads (the pragmas).
            if key is not None and "not a database" in str(exc):
                database.close() if not database.is_closed() else None
                raise DatabaseError(
                    f"{settings.db_path}: the database key is wrong (the file cannot be "
                    "decrypted with it); check the key file, credential or passphrase"
                ) from None
            raise
        if key is not None:
            database.execute_sql("SELECT count(*) FROM sqlite_master").fetchone()
        # The console's own start-up (nothing has imported the models yet) skips the table
        # fingerprint when the schema is known to be current; the login screen needs no model.
        if "kiosk.models" in sys.modules or not is_current():
            upgrade()
    from kiosk.services import audit

    audit.configure_checkpoints(settings)
    from kiosk import keys

    keys.remember(settings, encrypted=key is not None)
    # Secrets sealed under the first two-factor release's data-dir key move to the field key.
    if fieldcrypt.has_legacy_key():  # else nothing can be waiting (and pyotp stays unloaded)
        from kiosk.services import two_factor

        two_factor.reseal_legacy()
    return database
