"""The chronology's index: each concern record under each of its pupils, by date (issue 19).

A concern, its actions, status changes and amendments belong to a pupil only through
`concern_pupil`, and each sorts by a date of its own; finding a pupil's newest fifty meant
walking the pupil's whole history. Here each (pupil, record) is one row holding the pupil,
the record's kind, id and concern, and the date the chronology sorts it by (a concern's
`occurred_on`, an action's `action_date`, an event's or amendment's `at`), so one index
range gives a page's rows of each kind.

The rows are derived, never a record: triggers in the database write them in the same
statement as the record (or the link of a pupil to a concern) and remove them with it
(retention), so every write path keeps them right, the services', the import's and the
bench's alike. Schema version 6 fills the table for a database made before it.
"""

from __future__ import annotations

import hashlib

from peewee import CharField, DateTimeField, IntegerField

from kiosk.models.base import BaseModel, register


@register
class ChronologyIndex(BaseModel):
    # Plain integers, not foreign keys: a derived row must not hold up (or be listed by)
    # the retention process, which removes it through the triggers below.
    pupil_id = IntegerField()
    kind = CharField(max_length=10)  # concern, action, event, amendment
    # The date the chronology orders this kind by: a local date for concerns and actions
    # (stored as that date), a stored UTC moment for events and amendments.
    at = DateTimeField()
    record_id = IntegerField()
    concern_id = IntegerField()

    class Meta:
        table_name = "chronology_index"
        indexes = (
            # A page: the pupil's newest of one kind, with the concern (for a category) in
            # the index too, so the page reads nothing else to find its ids.
            (("pupil_id", "kind", "at", "record_id", "concern_id"), False),
            # Removing a record (retention) finds its rows.
            (("concern_id", "kind", "record_id"), False),
        )


# kind -> (table, the column holding its date); the concern's own row is kind "concern".
SOURCES = {
    "concern": ("concern", "occurred_on"),
    "action": ("concern_action", "action_date"),
    "event": ("concern_event", "at"),
    "amendment": ("concern_amendment", "at"),
}
_COLUMNS = "pupil_id, kind, at, record_id, concern_id"


def _of_concern(kind: str, pupil: str, concern: str) -> str:
    """INSERT of the rows of one kind of a concern, under one pupil (a link's trigger)."""
    table, col = SOURCES[kind]
    key = "id" if kind == "concern" else "concern_id"
    return (f"INSERT INTO chronology_index ({_COLUMNS}) SELECT {pupil}, '{kind}', x.{col}, x.id, x.{key} "
            f"FROM {table} x WHERE x.{key} = {concern}")


def _of_record(kind: str) -> str:
    """INSERT of one new record's rows, one under each pupil of its concern."""
    col = SOURCES[kind][1]
    return (f"INSERT INTO chronology_index ({_COLUMNS}) SELECT cp.pupil_id, '{kind}', NEW.{col}, NEW.id, "
            "NEW.concern_id FROM concern_pupil cp WHERE cp.concern_id = NEW.concern_id")


_UNLINK = "DELETE FROM chronology_index WHERE concern_id = OLD.concern_id AND pupil_id = OLD.pupil_id"


def _removed(kind: str) -> str:
    return (f"DELETE FROM chronology_index WHERE concern_id = OLD.concern_id AND kind = '{kind}' "
            "AND record_id = OLD.id")


def sqlite_statements() -> list[str]:
    link = "; ".join(_of_concern(k, "NEW.pupil_id", "NEW.concern_id") for k in SOURCES)
    out = [f'DROP TRIGGER IF EXISTS "ci_{t}_{op}"' for t in ("concern_pupil", "concern_action", "concern_event",
                                                             "concern_amendment") for op in ("insert", "delete")]
    out.append(f'CREATE TRIGGER "ci_concern_pupil_insert" AFTER INSERT ON concern_pupil BEGIN {link}; END')
    out.append(f'CREATE TRIGGER "ci_concern_pupil_delete" AFTER DELETE ON concern_pupil BEGIN {_UNLINK}; END')
    for kind in ("action", "event", "amendment"):
        table = SOURCES[kind][0]
        out.append(f'CREATE TRIGGER "ci_{table}_insert" AFTER INSERT ON {table} BEGIN {_of_record(kind)}; END')
        out.append(f'CREATE TRIGGER "ci_{table}_delete" AFTER DELETE ON {table} BEGIN {_removed(kind)}; END')
    return out


def postgres_statements() -> list[str]:
    link = ";\n    ".join(_of_concern(k, "NEW.pupil_id", "NEW.concern_id") for k in SOURCES)
    out = [f"""
CREATE OR REPLACE FUNCTION kiosk_ci_concern_pupil() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {link};
    RETURN NEW;
  END IF;
  {_UNLINK};
  RETURN OLD;
END $$ LANGUAGE plpgsql"""]
    for kind in ("action", "event", "amendment"):
        out.append(f"""
CREATE OR REPLACE FUNCTION kiosk_ci_{kind}() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {_of_record(kind)};
    RETURN NEW;
  END IF;
  {_removed(kind)};
  RETURN OLD;
END $$ LANGUAGE plpgsql""")
    for table, fn in (("concern_pupil", "concern_pupil"), ("concern_action", "action"),
                      ("concern_event", "event"), ("concern_amendment", "amendment")):
        out.append(f'DROP TRIGGER IF EXISTS "ci_{table}" ON {table}')
        out.append(f'CREATE TRIGGER "ci_{table}" AFTER INSERT OR DELETE ON {table} '
                   f"FOR EACH ROW EXECUTE FUNCTION kiosk_ci_{fn}()")
    return out


def fingerprint() -> str:
    return hashlib.sha256("|".join(sqlite_statements() + postgres_statements()).encode()).hexdigest()[:16]


def install() -> None:
    """(Re)create the triggers on the bound database (inside the caller's transaction)."""
    from kiosk import db as dbmod
    from kiosk.db import db

    for sql in sqlite_statements() if dbmod.is_sqlite() else postgres_statements():
        db.execute_sql(sql)


def rebuild() -> None:
    """Fill the table from the records (the upgrade to schema 6), inside the caller's
    transaction: what the triggers would have written had they always been there."""
    from kiosk.db import db

    db.create_tables([ChronologyIndex], safe=True)
    db.execute_sql("DELETE FROM chronology_index")
    for kind in SOURCES:
        table, col = SOURCES[kind]
        key = "id" if kind == "concern" else "concern_id"
        db.execute_sql(f"INSERT INTO chronology_index ({_COLUMNS}) SELECT cp.pupil_id, '{kind}', x.{col}, x.id, "
                       f"x.{key} FROM {table} x JOIN concern_pupil cp ON cp.concern_id = x.{key}")
