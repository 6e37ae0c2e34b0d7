"""The DSL inbox's page in hand-written SQL (issue 19): the screen the DSL team opens most,
where peewee's query building and model rows were four fifths of the time.

`page` and the look-ups after it answer what `concerns._inbox_query` + `concerns._inbox_rows`
answer through the ORM (tests compare the two for every view, filter, reader and flag); who
may see what is still decided in `concerns` (the same capability checks, the same hiding of
restricted concerns).
"""

from __future__ import annotations

from kiosk.rules.flags import PUPIL_FLAGS
from kiosk.services import fastsql

FLAGS = tuple(PUPIL_FLAGS)

# (where, order) per view; "?" values follow in the order written.
_VIEWS = {
    "open": ("is_open = ?", "urgent DESC, recorded_at DESC, id DESC"),
    "closed": ("is_open = ?", "recorded_at DESC, id DESC"),
    "awaiting": ("status = ?", "urgent DESC, recorded_at DESC, id DESC"),
    "acknowledged": ("status = ?", "urgent DESC, recorded_at DESC, id DESC"),
    "all": ("", "recorded_at DESC, id DESC"),
}
_VIEW_VALUE = {"open": True, "closed": False, "awaiting": "open", "acknowledged": "acknowledged"}

# A pupil's flags as one number, bit i for FLAGS[i] (one column instead of nine: a column
# fetched costs more than the sum worked out in the database).
_FLAG_BITS = " + ".join(f"(CASE WHEN p.{f} THEN {1 << i} ELSE 0 END)" for i, f in enumerate(FLAGS))
_PUPILS = ("SELECT cp.concern_id, p.first_name, p.preferred_name, p.last_name, p.status, p.active, ("
           + _FLAG_BITS + ") FROM concern_pupil cp JOIN pupil p ON p.id = cp.pupil_id "
           "WHERE cp.concern_id IN %s ORDER BY cp.id")
_CATEGORIES = ("SELECT l.concern_id, l.category, c.name FROM concern_category_link l "
               "LEFT JOIN concern_category c ON c.key = l.category WHERE l.concern_id IN %s "
               "ORDER BY l.position, l.id")
_USERS = 'SELECT id, full_name FROM "user" WHERE id IN %s'
_NAMED = ("SELECT concern_id FROM concern_access WHERE concern_id IN %s AND kind = ? AND user_id = ? "
          "AND ended_at IS NULL")
_UNREAD = ("SELECT record_id FROM alert WHERE recipient_id = ? AND read_at IS NULL AND record_type = ? "
           "AND record_id IN %s")


class InboxConcern:
    """The columns of a concern the inbox shows."""

    __slots__ = ("id", "recorded_at", "recorded_by_id", "owner_id", "urgent", "status", "restricted")

    def __init__(self, r) -> None:
        self.id, at, self.recorded_by_id, self.owner_id, urgent, self.status, restricted = r
        self.recorded_at = fastsql.as_datetime(at)
        self.urgent = bool(urgent)
        self.restricted = bool(restricted)


def page(view: str, owner_id: int | None, urgent_only: bool, page: int, page_size: int):
    """(total, the page's concerns) for an inbox view; `owner_id`: only those owned by it."""
    where, order = _VIEWS[view]
    conds, params = ([where], [_VIEW_VALUE[view]]) if where else ([], [])
    if owner_id is not None:
        conds.append("owner_id = ?")
        params.append(owner_id)
    if urgent_only:
        conds.append("urgent = ?")
        params.append(True)
    text = (" WHERE " + " AND ".join(conds)) if conds else ""
    total = fastsql.first("SELECT COUNT(*) FROM concern" + text, params)[0]
    rows = fastsql.rows("SELECT id, recorded_at, recorded_by_id, owner_id, urgent, status, restricted "
                        f"FROM concern{text} ORDER BY {order} LIMIT ? OFFSET ?",
                        [*params, page_size, page * page_size])
    return total, [InboxConcern(r) for r in rows]


def pupil_links(concern_ids: list[int], make) -> dict[int, list]:
    """The pupils on each concern, in the order linked, as
    make(first_name, preferred_name, last_name, status, active, flag bits (`flags_set`))."""
    out: dict[int, list] = {}
    for cid, *values in fastsql.rows(_PUPILS % fastsql.marks(len(concern_ids)), concern_ids):
        found = out.get(cid)
        if found is None:
            found = out[cid] = []
        found.append(make(*values))
    return out


def flags_set(bits: int) -> tuple[str, ...]:
    """The keys of the flags set in `pupil_links`' flag bits, in FLAGS order."""
    return tuple(f for i, f in enumerate(FLAGS) if bits >> i & 1)


def categories(concern_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """(key, name) of each concern's categories in their order (the key if no longer listed)."""
    out: dict[int, list[tuple[str, str]]] = {}
    for cid, key, name in fastsql.rows(_CATEGORIES % fastsql.marks(len(concern_ids)), concern_ids):
        out.setdefault(cid, []).append((key, name if name is not None else key))
    return out


def user_names(ids) -> dict[int, str]:
    ids = [i for i in set(ids) if i is not None]
    if not ids:
        return {}
    return dict(fastsql.rows(_USERS % fastsql.marks(len(ids)), ids))


def named_on(concern_ids: list[int], user_id: int) -> set[int]:
    return {c for (c,) in fastsql.rows(_NAMED % fastsql.marks(len(concern_ids)),
                                       [*concern_ids, "restricted", user_id])}


def unread(concern_ids: list[int], user_id: int, record_type: str) -> set[int]:
    return {c for (c,) in fastsql.rows(_UNREAD % fastsql.marks(len(concern_ids)),
                                       [user_id, record_type, *concern_ids])}


# --- recording a concern (issue 19: "record a concern" < 20 ms, <= 2x its raw SQL) ----------
# The statements peewee built for `concerns.record_concern` (Concern.create, insert_many of
# the links, the category and DSL-team look-ups), with the same values: peewee passes dates,
# datetimes and booleans to the driver as they are, and so do these. Tests hold the stored
# rows to the ORM's.

_CONCERN_COLUMNS = ("submission_token", "recorded_by_id", "recorded_at", "occurred_on", "occurred_time",
                    "location", "source", "words", "description", "why_concern", "child_told_next",
                    "dsl_told_in_person", "urgent", "status", "is_open", "restricted", "updated_at")
_INSERT_CONCERN = (f"INSERT INTO concern ({', '.join(_CONCERN_COLUMNS)}) "
                   f"VALUES ({', '.join('?' * len(_CONCERN_COLUMNS))})")
_TOKEN = "SELECT id FROM concern WHERE submission_token = ?"
_CATEGORY_NAMES = "SELECT key, name FROM concern_category WHERE key IN %s"
_ACTIVE_CATEGORY_NAMES = "SELECT key, name FROM concern_category WHERE key IN %s AND active = ?"
_TEAM = ('SELECT DISTINCT u.id FROM "user" u JOIN user_role r ON r.user_id = u.id '
         "WHERE r.role IN %s AND u.active = ?")


def concern_with_token(token: str) -> int | None:
    row = fastsql.first(_TOKEN, (token,))
    return row[0] if row else None


def insert_concern(values: dict) -> int:
    """Insert one concern (the columns of `_CONCERN_COLUMNS`, by name); its id."""
    from kiosk import db as dbmod

    params = [values[c] for c in _CONCERN_COLUMNS]
    if dbmod.is_sqlite():
        return dbmod.db.execute_sql(fastsql.prepared(_INSERT_CONCERN), params).lastrowid
    return fastsql.first(_INSERT_CONCERN + " RETURNING id", params)[0]


def insert_rows(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Several rows of one table in one statement (never called with none)."""
    one = "(" + ", ".join("?" * len(columns)) + ")"
    fastsql.run(f"INSERT INTO {table} ({', '.join(columns)}) VALUES " + ", ".join([one] * len(rows)),
                [v for row in rows for v in row])


def category_names(keys: list[str], active_only: bool = False) -> dict[str, str]:
    """{key: name} of these categories (only the active ones with `active_only`)."""
    if not keys:
        return {}
    if active_only:
        return dict(fastsql.rows(_ACTIVE_CATEGORY_NAMES % fastsql.marks(len(keys)), [*keys, True]))
    return dict(fastsql.rows(_CATEGORY_NAMES % fastsql.marks(len(keys)), keys))


def active_holders(roles: list[str]) -> list[int]:
    """The ids of the active users holding any of these roles, each once, smallest first."""
    return sorted(u for (u,) in fastsql.rows(_TEAM % fastsql.marks(len(roles)), [*roles, True]))
