"""Append-only enforced by the database, and the content hashes that back it up.

`PROTECTED` names every table whose rows are records (submitted concerns and their parts,
amendments, actions, events, early-help records, the audit trail) and the few columns of
each that are a cache the services may change (e.g. a concern's status). Triggers on
SQLite and PostgreSQL refuse any other UPDATE, and every DELETE unless the retention
process has opened its gate in the same transaction (a row in `retention_gate`, inserted
and removed inside that transaction, so no other connection ever sees it open).

Someone with the database file can still drop a trigger; that is what the record hashes
(`content_hash`, checked by `kiosk audit verify`) and the signed checkpoints outside the
database are for.
"""

from __future__ import annotations

import contextlib
import hashlib
import json

# table -> columns that may change (cached state, never content)
PROTECTED: dict[str, tuple[str, ...]] = {
    "concern": ("status", "is_open", "owner_id", "restricted", "acknowledged_at", "updated_at"),
    "concern_pupil": (),
    "concern_category_link": (),
    "concern_injury": (),
    "concern_action": (),
    "concern_action_detail": (),
    "concern_follow_up": (),
    "concern_follow_up_done": (),
    "concern_event": (),
    "concern_amendment": (),
    "concern_access": ("ended_at",),
    "adult_concern": (),
    "adult_concern_role": (),
    "adult_concern_recipient": (),
    "adult_concern_event": (),
    "early_help_referral": (),
    "early_help_referral_decision": (),
    "early_help_enrolment": (),
    "early_help_review": (),
    "early_help_enrolment_end": (),
    "early_help_attendance": ("superseded_at",),
    "early_help_family_attendance": ("superseded_at",),
    "agency_referral": (),
    "agency_referral_status": (),
    "pupil_flag_change": (),
    # Records out (issue 16): what was sent and received is a record; the sending state and
    # the receipt are the transfer's cache (each change is audited with the files' hashes).
    "transfer": ("sent_at", "sent_by_id", "pdf_sha256", "bundle_sha256", "content_sha256", "receipt_key",
                 "restricted_included", "acknowledged_at", "acknowledged_by_id", "received_by_name",
                 "received_on"),
    "transfer_in": (),
    "received_record": (),
    "audit_event": (),
    "retention_tombstone": (),
}

# How a record is named when verify reports it (table -> label, formatter).
LABELS = {
    "concern": lambda i: f"concern C-{int(i):05d}",
    "concern_amendment": lambda i: f"amendment {i}",
    "concern_action": lambda i: f"concern action {i}",
    "concern_event": lambda i: f"concern event {i}",
    "adult_concern": lambda i: f"adult concern A-{int(i):05d}",
    "adult_concern_event": lambda i: f"adult concern event {i}",
}

TRIGGER_VERSION = "2"


def _columns(table: str) -> list[str]:
    from kiosk.models import REGISTRY

    for model in REGISTRY:
        if model._meta.table_name == table:
            return [f.column_name for f in model._meta.sorted_fields]
    raise KeyError(table)


_CONTENT: dict[str, list[str]] = {}


def _content_columns(table: str) -> list[str]:
    cols = _CONTENT.get(table)  # the models do not change while the process runs
    if cols is None:
        cols = _CONTENT[table] = [c for c in _columns(table) if c not in PROTECTED.get(table, ())]
    return cols


def sqlite_statements() -> list[str]:
    out = []
    for table, mutable in PROTECTED.items():
        cols = [c for c in _columns(table) if c not in mutable]
        changed = " OR ".join(f'OLD."{c}" IS NOT NEW."{c}"' for c in cols)
        out.append(f'DROP TRIGGER IF EXISTS "ao_{table}_update"')
        out.append(f'DROP TRIGGER IF EXISTS "ao_{table}_delete"')
        out.append(
            f'CREATE TRIGGER "ao_{table}_update" BEFORE UPDATE ON "{table}" WHEN {changed} BEGIN '
            f"SELECT RAISE(ABORT, 'append-only: {table} rows are never changed (add an amendment)'); END"
        )
        out.append(
            f'CREATE TRIGGER "ao_{table}_delete" BEFORE DELETE ON "{table}" '
            f"WHEN NOT EXISTS (SELECT 1 FROM retention_gate) BEGIN "
            f"SELECT RAISE(ABORT, 'append-only: {table} rows are only removed by the retention process'); END"
        )
    return out


# psycopg2 formats the statement even without parameters: a literal % is written %%.
PG_FUNCTION = """
CREATE OR REPLACE FUNCTION kiosk_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF EXISTS (SELECT 1 FROM retention_gate) THEN RETURN OLD; END IF;
    RAISE EXCEPTION 'append-only: %% rows are only removed by the retention process', TG_TABLE_NAME;
  END IF;
  IF (to_jsonb(OLD) - COALESCE(TG_ARGV, '{}'::text[])) IS DISTINCT FROM
     (to_jsonb(NEW) - COALESCE(TG_ARGV, '{}'::text[])) THEN
    RAISE EXCEPTION 'append-only: %% rows are never changed (add an amendment)', TG_TABLE_NAME;
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql
"""


def postgres_statements() -> list[str]:
    out = [PG_FUNCTION]
    for table, mutable in PROTECTED.items():
        args = ", ".join(f"'{c}'" for c in mutable)
        out.append(f'DROP TRIGGER IF EXISTS "ao_{table}" ON "{table}"')
        out.append(
            f'CREATE TRIGGER "ao_{table}" BEFORE UPDATE OR DELETE ON "{table}" '
            f"FOR EACH ROW EXECUTE FUNCTION kiosk_append_only({args})"
        )
    return out


def fingerprint() -> str:
    return hashlib.sha256(("|".join(sqlite_statements()) + TRIGGER_VERSION).encode()).hexdigest()[:16]


def install() -> None:
    """(Re)create the triggers on the bound database (inside the caller's transaction)."""
    from kiosk import db as dbmod
    from kiosk.db import db

    statements = sqlite_statements() if dbmod.is_sqlite() else postgres_statements()
    for sql in statements:
        db.execute_sql(sql)


def drop_triggers() -> None:
    """What an attacker with the file would do first (used by the tamper tests)."""
    from kiosk import db as dbmod
    from kiosk.db import db

    for table in PROTECTED:
        if dbmod.is_sqlite():
            db.execute_sql(f'DROP TRIGGER IF EXISTS "ao_{table}_update"')
            db.execute_sql(f'DROP TRIGGER IF EXISTS "ao_{table}_delete"')
        else:
            db.execute_sql(f'DROP TRIGGER IF EXISTS "ao_{table}" ON "{table}"')


def _norm(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    return str(value)


def content_hash(table: str, row_id) -> str | None:
    """SHA-256 of a record's stored content (every column but the cached ones)."""
    from kiosk.db import db

    cols = _content_columns(table)
    select = ", ".join(f'"{c}"' for c in cols)
    param = db.param if hasattr(db, "param") else "?"
    row = db.execute_sql(f'SELECT {select} FROM "{table}" WHERE "id" = {param}', (row_id,)).fetchone()
    if row is None:
        return None
    payload = json.dumps([table, [_norm(v) for v in row]], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def label(table: str, row_id) -> str:
    fmt = LABELS.get(table)
    return fmt(row_id) if fmt else f"{table.replace('_', ' ')} {row_id}"


@contextlib.contextmanager
def retention_gate():
    """Open the delete gate for the current transaction only (the retention process)."""
    from kiosk.models.core import RetentionGate

    RetentionGate.insert(opened=1).execute()
    try:
        yield
    finally:
        RetentionGate.delete().execute()
