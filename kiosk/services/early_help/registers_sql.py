"""Taking an early-help register in hand-written SQL (issue 19): a pastoral lead takes one for
every session, and peewee's query building and row wrapping were most of its time.

The same reads and writes as the ORM version in the register service, which checks the
actor, validates the marks and audits the register; the tests hold the two to the same rows.
"""

from __future__ import annotations

from datetime import date, datetime

from kiosk import db as dbmod
from kiosk.services import fastsql

_ENROLLED = ("SELECT DISTINCT e.pupil_id FROM early_help_enrolment e "
             "LEFT JOIN early_help_enrolment_end x ON x.enrolment_id = e.id "
             "WHERE e.offer_id = ? AND e.start_on <= ? AND (x.id IS NULL OR x.ended_on >= ?)")
_INSERT = ("INSERT INTO early_help_attendance (session_id, pupil_id, present, walk_in, note, recorded_by_id, "
           "recorded_at) VALUES ")


def _day(on: date):
    return on.isoformat() if dbmod.is_sqlite() else on


def enrolled_ids(offer_id: int, on: date) -> set[int]:
    """Pupils enrolled in the offer on a date (started by then, not ended before it)."""
    day = _day(on)
    return {p for (p,) in fastsql.rows(_ENROLLED, (offer_id, day, day))}


def existing_pupils(pupil_ids) -> set[int]:
    ids = list(pupil_ids)
    return {p for (p,) in fastsql.rows(f"SELECT id FROM pupil WHERE id IN {fastsql.marks(len(ids))}", ids)}


def insert_marks(session_id: int, rows: list[tuple[int, bool, bool, str]], by: int, at: datetime) -> None:
    """One row per pupil: (pupil, present, walk-in, note), in one statement."""
    stamp = fastsql.stamp(at)
    values: list = []
    for pupil_id, present, walk_in, note in rows:
        values += [session_id, pupil_id, present, walk_in, note, by, stamp]
    fastsql.run(_INSERT + ", ".join(["(?, ?, ?, ?, ?, ?, ?)"] * len(rows)), values)


def mark_taken(session_id: int, by: int, at: datetime) -> None:
    fastsql.run("UPDATE early_help_session SET register_taken_at = ?, register_taken_by_id = ? WHERE id = ?",
                (fastsql.stamp(at), by, session_id))


_SESSION = "SELECT id FROM early_help_session WHERE offer_id = ? AND held_on = ? AND label = ?"
_NEW_SESSION = ("INSERT INTO early_help_session (offer_id, held_on, label, created_by_id, created_at) "
                "VALUES (?, ?, ?, ?, ?)")
_offer_columns: str | None = None


def offer_where(column: str, value):
    """The offer whose `column` ("key" or "id") is `value`, or None (peewee's row conversion
    through EarlyHelpOffer.raw, no query building)."""
    global _offer_columns
    from kiosk.models.early_help import EarlyHelpOffer as O

    if _offer_columns is None:
        _offer_columns = ", ".join(f.column_name for f in O._meta.sorted_fields)
    found = list(O.raw(fastsql.prepared(f"SELECT {_offer_columns} FROM early_help_offer WHERE {column} = ?"), value))
    return found[0] if found else None  # read to the end: no statement left open


def session_id(offer_id: int, on: date, label: str) -> int | None:
    row = fastsql.first(_SESSION, (offer_id, _day(on), label))
    return row[0] if row else None


def new_session(offer_id: int, on: date, label: str, by: int, at: datetime) -> int:
    """A new session's id (the row EarlyHelpSession.create wrote)."""
    params = (offer_id, _day(on), label, by, fastsql.stamp(at))
    if dbmod.is_sqlite():
        return dbmod.db.execute_sql(fastsql.prepared(_NEW_SESSION), params).lastrowid
    return fastsql.first(_NEW_SESSION + " RETURNING id", params)[0]
