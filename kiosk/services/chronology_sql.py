"""A chronology page's reads in hand-written SQL (issue 19).

For each kind of concern record (the concerns themselves, their actions, status changes
and amendments) a page reads the ids of the pupil's newest rows from the chronology index
(one index range each, `kiosk/models/chronology_index.py`), then only those rows.
`kiosk.services.chronology` builds the entries from them exactly as from the ORM's rows for
the whole chronology (`chronology()`), and the tests hold the pages joined to that whole
chronology for every reader, page size and category.
"""

from __future__ import annotations

from collections import namedtuple
from datetime import date, datetime

from kiosk import db as dbmod
from kiosk.services import fastsql

ActionRow = namedtuple("ActionRow", "id concern_id kind action_date taken_by notes rationale recorded_by_id recorded_at")
EventRow = namedtuple("EventRow", "id concern_id kind by_id at subject_user_id summary outcome reasoning")
FlagRow = namedtuple("FlagRow", "id flag label value by_id at effective_on reason")
TransferRow = namedtuple("TransferRow", "id sent_at destination_school destination_dsl left_on acknowledged_at "
                         "received_by_name received_on")
ReceivedRow = namedtuple("ReceivedRow", "id at title detail")
FromSchool = namedtuple("FromSchool", "from_school received_at")
TombstoneRow = namedtuple("TombstoneRow", "id ref rule reason proposed_by confirmed_by removed_at")
AmendmentRow = namedtuple("AmendmentRow", "id concern_id field text reason by_id at")

_CONCERN_COLUMNS = ("x.id, x.restricted, x.recorded_by_id, x.urgent, x.source, x.description, x.occurred_on, "
                    "x.occurred_time, x.recorded_at, cp.role")
# Per index entry, through the (concern, category) index: not every concern of the category in the school.
_IN_CATEGORY = (" AND EXISTS (SELECT 1 FROM concern_category_link l WHERE l.concern_id = i.concern_id "
                "AND l.category = ?)")

# kind: (table, the column ordering it (a local date or a stored moment), columns)
_KINDS = {
    "concern": ("concern", "occurred_on", _CONCERN_COLUMNS),
    "action": ("concern_action", "action_date", "x." + ", x.".join(ActionRow._fields)),
    "event": ("concern_event", "at", "x." + ", x.".join(EventRow._fields)),
    "amendment": ("concern_amendment", "at", "x." + ", x.".join(AmendmentRow._fields)),
}


def _value(v):
    if dbmod.is_sqlite():
        if isinstance(v, datetime):
            return str(v)
        if isinstance(v, date):
            return v.isoformat()
    return v


def newest_ids(kind: str, pupil_ids: list[int], before, category: str | None,
               limit: int) -> tuple[list[int], date | datetime | None]:
    """Ids of the pupil's newest `limit` rows of this kind, at or before `before` (a local
    date for concerns and actions, a moment otherwise), optionally of one category, and
    where the reading stopped: None when it read all there is, else the date (or moment)
    of the last row read. Every row not read is then strictly older than that: rows
    sharing the last row's date are all read, past the limit if need be.

    From the chronology index (kiosk/models/chronology_index.py) alone: one range of one
    index per pupil, however long the pupil's history. A child merged into this pupil has
    a range of their own; each is read newest first and the newest of them all kept."""
    cond = " AND i.kind = ?" + (" AND i.at <= ?" if before is not None else "") + \
        (_IN_CATEGORY if category is not None else "")
    extra = [kind] + ([_value(before)] if before is not None else []) + ([category] if category is not None else [])
    one = f"SELECT i.at, i.record_id FROM chronology_index i WHERE i.pupil_id = ?{cond}"
    if len(pupil_ids) == 1:
        got = fastsql.rows(one + " ORDER BY i.at DESC, i.record_id DESC LIMIT ?", [pupil_ids[0], *extra, limit])
    else:
        text = " UNION ALL ".join(f"SELECT * FROM ({one} ORDER BY i.at DESC, i.record_id DESC LIMIT ?) p{n}"
                                  for n in range(len(pupil_ids)))
        got = fastsql.rows(f"SELECT * FROM ({text}) u ORDER BY 1 DESC, 2 DESC LIMIT ?",
                           [*(v for p in pupil_ids for v in (p, *extra, limit)), limit])
    ids = [i for _at, i in got]
    if len(got) < limit:
        return ids, None
    last_at, last_id = got[-1]
    # The rest of the last row's date (a busy day's actions, say): then nothing unread is
    # on that date, and the page need not leave the whole day for later.
    ids += [i for (i,) in fastsql.rows(
        f"SELECT i.record_id FROM chronology_index i WHERE i.pupil_id IN {fastsql.marks(len(pupil_ids))}{cond} "
        "AND i.at = ? AND i.record_id < ? ORDER BY i.record_id DESC", [*pupil_ids, *extra, last_at, last_id])]
    if kind in ("concern", "action"):
        return ids, fastsql.as_date(last_at)
    return ids, fastsql.as_datetime(last_at)


def concern_rows(pupil_ids: list[int], concern_ids) -> list[tuple]:
    """The columns the chronology shows of these concerns of the pupil, newest first (the
    order `chronology._Row` takes them in, with the pupil's role on each)."""
    ids = list(concern_ids) or [0]
    rows = fastsql.rows(
        f"SELECT {_CONCERN_COLUMNS} FROM concern x JOIN concern_pupil cp ON cp.concern_id = x.id "
        f"WHERE cp.pupil_id IN {fastsql.marks(len(pupil_ids))} AND x.id IN {fastsql.marks(len(ids))} "
        "ORDER BY x.occurred_on DESC, x.id DESC", [*pupil_ids, *ids])
    as_date, as_dt = fastsql.as_date, fastsql.as_datetime
    return [(cid, bool(restricted), by, bool(urgent), source, text, as_date(on), hhmm, as_dt(at), role)
            for cid, restricted, by, urgent, source, text, on, hhmm, at, role in rows]


def concern_access_rows(concern_ids) -> list[tuple]:
    """(id, restricted, recorded_by_id) of these concerns: what the reader's access to
    them turns on (the concerns of a page's actions and status changes that are not on
    the page themselves)."""
    ids = list(concern_ids)
    if not ids:
        return []
    return [(cid, bool(restricted), by) for cid, restricted, by in fastsql.rows(
        f"SELECT id, restricted, recorded_by_id FROM concern WHERE id IN {fastsql.marks(len(ids))}", ids)]


def rows_of(kind: str, ids: list[int]) -> list:
    """The rows of these ids (actions, events or amendments), newest first."""
    table, order, cols = _KINDS[kind]
    got = fastsql.rows(f"SELECT {cols} FROM {table} x WHERE x.id IN {fastsql.marks(len(ids))} "
                       f"ORDER BY x.{order} DESC, x.id DESC", ids) if ids else []
    as_date, as_dt = fastsql.as_date, fastsql.as_datetime
    if kind == "action":
        return [ActionRow(i, c, k, as_date(d), t, n, r, b, as_dt(at)) for i, c, k, d, t, n, r, b, at in got]
    if kind == "event":
        return [EventRow(i, c, k, b, as_dt(at), s, sm, o, r) for i, c, k, b, at, s, sm, o, r in got]
    return [AmendmentRow(i, c, f, t, r, b, as_dt(at)) for i, c, f, t, r, b, at in got]


def category_links(concern_ids) -> list[tuple[int, str]]:
    """(concern, category key) of these concerns, in each concern's order."""
    ids = list(concern_ids)
    if not ids:
        return []
    return fastsql.rows(f"SELECT concern_id, category FROM concern_category_link WHERE concern_id IN "
                        f"{fastsql.marks(len(ids))} ORDER BY position", ids)


def merged_into(pupil_id: int) -> list[int]:
    """Children recorded as not on roll and later matched to this pupil."""
    return [i for (i,) in fastsql.rows("SELECT id FROM pupil WHERE merged_into = ?", (pupil_id,))]


def user_names(ids) -> dict[int, str]:
    ids = sorted({i for i in ids if i is not None})
    if not ids:
        return {}
    return dict(fastsql.rows(f'SELECT id, full_name FROM "user" WHERE id IN {fastsql.marks(len(ids))}', ids))


def category_names(keys) -> dict[str, str]:
    keys = sorted(set(keys))
    if not keys:
        return {}
    return dict(fastsql.rows(f"SELECT key, name FROM concern_category WHERE key IN {fastsql.marks(len(keys))}",
                             keys))


def action_details(action_ids) -> dict[int, str]:
    """The statutory fields of these actions (JSON text), by action."""
    ids = list(action_ids)
    if not ids:
        return {}
    return dict(fastsql.rows(f"SELECT action_id, fields FROM concern_action_detail WHERE action_id IN "
                             f"{fastsql.marks(len(ids))}", ids))


def flag_changes(pupil_id: int, before: datetime | None, limit: int) -> list:
    """The pupil's newest `limit` flag changes, at or before `before`, newest first."""
    text = ("SELECT id, flag, label, value, by_id, at, effective_on, reason FROM pupil_flag_change "
            "WHERE pupil_id = ?")
    params: list = [pupil_id]
    if before is not None:
        text += " AND at <= ?"
        params.append(_value(before))
    as_date, as_dt = fastsql.as_date, fastsql.as_datetime
    return [FlagRow(i, f, lab, bool(v), b, as_dt(at), as_date(on), r)
            for i, f, lab, v, b, at, on, r in fastsql.rows(text + " ORDER BY at DESC, id DESC LIMIT ?",
                                                          [*params, limit])]


def transfers_out(pupil_id: int) -> list:
    """The pupil's file transfers to other schools (a few at most)."""
    as_date, as_dt = fastsql.as_date, fastsql.as_datetime
    return [TransferRow(i, as_dt(sent), school, dsl, as_date(left), as_dt(ack), who, as_date(on))
            for i, sent, school, dsl, left, ack, who, on in fastsql.rows(
                "SELECT id, sent_at, destination_school, destination_dsl, left_on, acknowledged_at, "
                "received_by_name, received_on FROM transfer WHERE pupil_id = ?", (pupil_id,))]


def received(pupil_id: int, before: datetime | None, limit: int) -> list[tuple]:
    """The newest records received from the pupil's previous schools: (record, its file)."""
    text = ("SELECT r.id, r.at, r.title, r.detail, t.from_school, t.received_at FROM received_record r "
            "JOIN transfer_in t ON t.id = r.transfer_id WHERE r.pupil_id = ?")
    params: list = [pupil_id]
    if before is not None:
        text += " AND r.at <= ?"
        params.append(_value(before))
    as_dt = fastsql.as_datetime
    return [(ReceivedRow(i, as_dt(at), title, detail), FromSchool(school, as_dt(got)))
            for i, at, title, detail, school, got in fastsql.rows(
                text + " ORDER BY r.at DESC, r.id DESC LIMIT ?", [*params, limit])]


def tombstones(pupil_id: int) -> list:
    """What was removed from the pupil's records under retention (no content), oldest first,
    as `retention.tombstones_for_pupil` reads them."""
    as_dt = fastsql.as_datetime
    return [TombstoneRow(i, ref, rule, reason, by, conf, as_dt(at)) for i, ref, rule, reason, by, conf, at in fastsql.rows(
        "SELECT id, ref, rule, reason, proposed_by, confirmed_by, removed_at FROM retention_tombstone "
        "WHERE pupil_ids LIKE ? ORDER BY removed_at", (f"%,{pupil_id},%",))]
