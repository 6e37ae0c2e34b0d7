"""Sign-in's reads and writes in hand-written SQL (issue 19): asked at every sign-in, where
peewee's query building was most of the time.

The account row is read by `User.raw` (peewee's own row conversion, no query building); the
successful sign-in writes the three columns it changes; "since your last visit" asks the
audit trail the two questions `accounts._since_last_visit_orm` asks (the tests hold the two
to the same answers, on both backends).
"""

from __future__ import annotations

from datetime import datetime

from kiosk.services import fastsql

_columns: str | None = None


def _user_columns() -> str:
    global _columns
    if _columns is None:
        from kiosk.models import User

        _columns = ", ".join(f'"{f.column_name}"' for f in User._meta.sorted_fields)
    return _columns


def user_where(column: str, value):
    """The User row whose `column` ("username" or "id") is `value`, or None."""
    from kiosk.models import User

    text = fastsql.prepared(f'SELECT {_user_columns()} FROM "user" WHERE "{column}" = ?')
    found = list(User.raw(text, value))  # read to the end: no statement left open
    return found[0] if found else None


def signed_in(user_id: int, failed_attempts: int, locked_until, last_login_at, password_hash: str) -> None:
    """The columns a successful sign-in changes (the values as peewee's save passed them)."""
    fastsql.run('UPDATE "user" SET failed_attempts = ?, locked_until = ?, last_login_at = ?, password_hash = ? '
                "WHERE id = ?", (failed_attempts, locked_until, last_login_at, password_hash, user_id))


_MINE = "target_type = ? AND target_id = ?"
_FAILED = "SELECT COUNT(seq) FROM audit_event WHERE {where} AND action IN (?, ?)"
_RESET = "SELECT at FROM audit_event WHERE {where} AND action = ? ORDER BY seq DESC LIMIT 1"


def since_last_visit(user_id: int, since: str | None, reset_whenever: bool) -> tuple[int, str | None]:
    """(failed sign-ins on the account after `since`, the time (ISO text) of the latest
    password reset after `since`, or whenever it was with `reset_whenever`)."""
    mine = ["user", str(user_id)]
    where_since = _MINE + (" AND at > ?" if since is not None else "")
    params_since = mine + ([since] if since is not None else [])
    failed = fastsql.first(_FAILED.format(where=where_since), [*params_since, "login.failure", "login.locked"])[0]
    if reset_whenever:
        row = fastsql.first(_RESET.format(where=_MINE), [*mine, "account.reset_password"])
    else:
        row = fastsql.first(_RESET.format(where=where_since), [*params_since, "account.reset_password"])
    return int(failed or 0), (row[0] if row else None)


def as_datetime(value) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None
