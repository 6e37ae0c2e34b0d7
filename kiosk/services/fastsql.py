"""Hand-written SQL for the few hottest paths (issue 19), and the conversions it needs.

peewee builds each query's SQL afresh and wraps each row; on the screens people open most
often that was most of the time (kiosk bench). The hot services keep their SQL in a
module beside them (`*_sql.py`), written with `?` placeholders and run through `rows()`,
which swaps in the database's own placeholder (`%s` on PostgreSQL) once per text. Every
such query is tested against the ORM version of the same question, on both backends.

The SQL here never holds a literal `?` or `%`: values always travel as parameters.
SQLite hands back text for dates and times and 0/1 for booleans; PostgreSQL gives
`date`, `datetime` and `bool`. `as_datetime`, `as_date` and `bool` make them one.
"""

from __future__ import annotations

from datetime import date, datetime

from kiosk.db import db

_texts: dict[tuple[str, str], str] = {}


def prepared(text: str) -> str:
    """The SQL text for the bound database (placeholders swapped once, then reused)."""
    param = db.param
    key = (param, text)
    out = _texts.get(key)
    if out is None:
        out = text if param == "?" else text.replace("?", param)
        _texts[key] = out
    return out


def rows(text: str, params=()) -> list[tuple]:
    """Run one statement and fetch every row (an empty list for a statement without rows)."""
    cursor = db.execute_sql(prepared(text), params)
    return cursor.fetchall() if cursor.description else []


def first(text: str, params=()) -> tuple | None:
    cursor = db.execute_sql(prepared(text), params)
    return cursor.fetchone()


def run(text: str, params=()) -> None:
    db.execute_sql(prepared(text), params)


def marks(n: int) -> str:
    """`(?, ?, ...)` for an IN list of n values (never empty: `(NULL)` matches nothing)."""
    return "(" + ", ".join("?" * n) + ")" if n else "(NULL)"


def as_datetime(value) -> datetime | None:
    """A stored naive-UTC datetime, from SQLite's text or PostgreSQL's datetime."""
    if value is None or type(value) is datetime:
        return value
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return value


def as_date(value) -> date | None:
    if value is None or type(value) is date:
        return value
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        return value.date()
    return value


def day(value: date):
    """A date as the backend stores it through peewee (ISO text on SQLite)."""
    return value.isoformat() if _is_sqlite() else value


def stamp(value: datetime):
    """A datetime as the backend stores it through peewee (text on SQLite)."""
    return str(value) if _is_sqlite() else value


def _is_sqlite() -> bool:
    from kiosk import db as dbmod

    return dbmod.is_sqlite()
