"""A chronology page's reads in hand-written SQL (issue 19).

For each kind of concern record (the concerns themselves, their actions, status changes
and amendments) a page reads the pupil's newest rows in one statement: one range of the
chronology index (`kiosk/models/chronology_index.py`) joined to the records and to what
access to their concern turns on; then one statement brings the categories, the names of
the users the rows name and the actions' statutory fields (`page_extras`), and one the
file's moves and retention's tombstones (`moves`). A page makes a fixed, small number of
statements (each a round trip on PostgreSQL), whatever the history.
`kiosk.services.chronology` builds the entries from them exactly as from the ORM's rows for
the whole chronology (`chronology()`), and the tests hold the pages joined to that whole
chronology for every reader, page size and category.
"""

from __future__ import annotations

from collections import namedtuple
from datetime import date, datetime
from typing import NamedTuple

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


def _value(v):
    if dbmod.is_sqlite():
        if isinstance(v, datetime):
            return str(v)
        if isinstance(v, date):
            return v.isoformat()
    return v


def pupil_and_merged(pupil_id: int) -> list[int] | None:
    """None for an unknown pupil; else the children recorded as not on roll and later
    matched to this pupil (one statement: a page's first question)."""
    found = fastsql.rows("SELECT id, merged_into FROM pupil WHERE id = ? OR merged_into = ?",
                         (pupil_id, pupil_id))
    if not any(i == pupil_id for i, _m in found):
        return None
    return sorted(i for i, merged in found if merged == pupil_id and i != pupil_id)


class PageRead(NamedTuple):
    """One kind's part of a page: its rows (newest first), where the reading stopped (see
    `page_read`), and what access to each row's concern turns on."""

    rows: list
    stopped: date | datetime | None
    concerns: list[tuple]  # (id, restricted, recorded_by_id) of each row's concern


# kind: (the columns after the index's date, the joins from the index row `i`). Each row
# brings what access to its concern turns on (a concern's own row has it), so a page asks
# no more about the concerns of actions it shows without their concern. (Joins are few:
# on PostgreSQL each one costs planning time, every time.)
_PAGE_READS = {
    "concern": (_CONCERN_COLUMNS,
                "JOIN concern x ON x.id = i.record_id "
                "JOIN concern_pupil cp ON cp.concern_id = x.id AND cp.pupil_id = i.pupil_id"),
    "action": ("x.id, x.concern_id, x.kind, x.action_date, x.taken_by, x.notes, x.rationale, x.recorded_by_id, "
               "x.recorded_at, c.restricted, c.recorded_by_id",
               "JOIN concern_action x ON x.id = i.record_id JOIN concern c ON c.id = i.concern_id"),
    "event": ("x.id, x.concern_id, x.kind, x.by_id, x.at, x.subject_user_id, x.summary, x.outcome, x.reasoning, "
              "c.restricted, c.recorded_by_id",
              "JOIN concern_event x ON x.id = i.record_id JOIN concern c ON c.id = i.concern_id"),
    "amendment": ("x.id, x.concern_id, x.field, x.text, x.reason, x.by_id, x.at, c.restricted, c.recorded_by_id",
                  "JOIN concern_amendment x ON x.id = i.record_id JOIN concern c ON c.id = i.concern_id"),
}


def _conditions(alias: str, kind: str, before, category: str | None) -> tuple[str, list]:
    text = f" AND {alias}.kind = ?" + (f" AND {alias}.at <= ?" if before is not None else "")
    params: list = [kind] + ([_value(before)] if before is not None else [])
    if category is not None:
        # Per index entry, through the (concern, category) index: not every concern of the
        # category in the school.
        text += (" AND EXISTS (SELECT 1 FROM concern_category_link l "
                 f"WHERE l.concern_id = {alias}.concern_id AND l.category = ?)")
        params.append(category)
    return text, params


def page_read(kind: str, pupil_ids: list[int], before, category: str | None, limit: int) -> PageRead:
    """The pupil's newest `limit` records of this kind (concerns, actions, status changes or
    amendments) at or before `before` (a local date for concerns and actions, a moment
    otherwise), optionally of one category, with every other record of the last one's
    date: one statement, however long the pupil's history.

    `stopped`: None when that is all there is, else the date (or moment) of the oldest row
    read; every row not read is strictly older than it.

    From the chronology index (kiosk/models/chronology_index.py): the date of the
    `limit`-th newest entry bounds one index range (an uncorrelated subquery, computed
    once), and the rows of that range are joined to their records. A child merged into
    this pupil has a range of their own; each is read newest first and the newest of them
    all bound the range."""
    cond, extra = _conditions("j", kind, before, category)
    one = f"SELECT j.at, j.record_id FROM chronology_index j WHERE j.pupil_id = ?{cond}"
    if len(pupil_ids) == 1:
        bound = f"SELECT MIN(f.at) FROM ({one} ORDER BY j.at DESC, j.record_id DESC LIMIT ?) f"
        bound_params = [pupil_ids[0], *extra, limit]
    else:
        parts = " UNION ALL ".join(f"SELECT * FROM ({one} ORDER BY j.at DESC, j.record_id DESC LIMIT ?) p{n}"
                                   for n in range(len(pupil_ids)))
        bound = f"SELECT MIN(f.at) FROM (SELECT u.at FROM ({parts}) u ORDER BY 1 DESC, u.record_id DESC LIMIT ?) f"
        bound_params = [*(v for p in pupil_ids for v in (p, *extra, limit)), limit]
    columns, joins = _PAGE_READS[kind]
    cond, extra = _conditions("i", kind, before, category)
    got = fastsql.rows(
        f"SELECT i.at, {columns} FROM chronology_index i {joins} "
        f"WHERE i.pupil_id IN {fastsql.marks(len(pupil_ids))}{cond} AND i.at >= ({bound}) "
        "ORDER BY i.at DESC, i.record_id DESC", [*pupil_ids, *extra, *bound_params])
    stopped = None
    if len(got) >= limit:
        stopped = (fastsql.as_date if kind in ("concern", "action") else fastsql.as_datetime)(got[-1][0])
    as_date, as_dt = fastsql.as_date, fastsql.as_datetime
    if kind == "concern":
        rows = [(cid, bool(restricted), by, bool(urgent), source, text, as_date(on), hhmm, as_dt(at), role)
                for _at, cid, restricted, by, urgent, source, text, on, hhmm, at, role in got]
        return PageRead(rows, stopped, [r[:3] for r in rows])
    seen: set[int] = set()
    rows, concerns = [], []
    for row in got:
        if row[1] in seen:  # a record of a concern linked to this pupil and to a child merged into them
            continue
        seen.add(row[1])
        if kind == "action":
            _at, i, c, k, d, t, n, r, b, at, restricted, c_by = row
            rows.append(ActionRow(i, c, k, as_date(d), t, n, r, b, as_dt(at)))
        elif kind == "event":
            _at, i, c, k, b, at, su, sm, o, r, restricted, c_by = row
            rows.append(EventRow(i, c, k, b, as_dt(at), su, sm, o, r))
        else:
            _at, i, c, f, t, r, b, at, restricted, c_by = row
            rows.append(AmendmentRow(i, c, f, t, r, b, as_dt(at)))
        concerns.append((c, bool(restricted), c_by))
    return PageRead(rows, stopped, concerns)


class PageExtras(NamedTuple):
    links: list[tuple[int, str, str | None]]  # (concern, category key, its name) in each concern's order
    names: dict[int, str]  # user id -> full name
    details: dict[int, str]  # action id -> its statutory fields (JSON text)


def page_extras(concern_ids, user_ids, action_ids) -> PageExtras:
    """In one statement (three questions as one UNION ALL): the categories of these concerns
    with their names, the names of these users and the statutory fields of these actions."""
    cids, uids, aids = sorted(set(concern_ids)), sorted({u for u in user_ids if u is not None}), sorted(set(action_ids))
    if not (cids or uids or aids):
        return PageExtras([], {}, {})
    got = fastsql.rows(
        "SELECT 1, l.concern_id, l.category, k.name, l.position FROM concern_category_link l "
        f"LEFT JOIN concern_category k ON k.key = l.category WHERE l.concern_id IN {fastsql.marks(len(cids))} "
        f'UNION ALL SELECT 2, u.id, NULL, u.full_name, NULL FROM "user" u WHERE u.id IN {fastsql.marks(len(uids))} '
        "UNION ALL SELECT 3, d.action_id, NULL, d.fields, NULL FROM concern_action_detail d "
        f"WHERE d.action_id IN {fastsql.marks(len(aids))} ORDER BY 1, 5", [*cids, *uids, *aids])
    links, names, details = [], {}, {}
    for tag, key, category, text, _position in got:
        if tag == 1:
            links.append((key, category, text))
        elif tag == 2:
            names[key] = text
        else:
            details[key] = text
    return PageExtras(links, names, details)


def flag_changes(pupil_id: int, before: datetime | None, limit: int) -> tuple[list, dict[int, str]]:
    """The pupil's newest `limit` flag changes, at or before `before`, newest first, and the
    names of who made them (a second statement only when there are any: most pupils have
    none, and on PostgreSQL a join costs more planning than that round trip)."""
    text = ("SELECT id, flag, label, value, by_id, at, effective_on, reason FROM pupil_flag_change "
            "WHERE pupil_id = ?")
    params: list = [pupil_id]
    if before is not None:
        text += " AND at <= ?"
        params.append(_value(before))
    as_date, as_dt = fastsql.as_date, fastsql.as_datetime
    rows = [FlagRow(i, f, lab, bool(v), b, as_dt(at), as_date(on), r)
            for i, f, lab, v, b, at, on, r in fastsql.rows(text + " ORDER BY at DESC, id DESC LIMIT ?",
                                                          [*params, limit])]
    ids = sorted({r.by_id for r in rows})
    names = dict(fastsql.rows(f'SELECT id, full_name FROM "user" WHERE id IN {fastsql.marks(len(ids))}',
                              ids)) if ids else {}
    return rows, names


Moves = namedtuple("Moves", "transfers received tombstones")

_T, _D = "CAST(NULL AS TEXT)", "CAST(NULL AS DATE)"
# The file's moves and what retention removed, in one statement (a few rows at most, most
# pupils none): a tagged UNION ALL in one row shape (tag, id, two moments, two dates, five
# texts); the first branch and the subquery cast their NULLs so that PostgreSQL types each
# column alike.
_MOVES = (
    "SELECT 1, id, sent_at, acknowledged_at, left_on, received_on, destination_school, destination_dsl, "
    f"received_by_name, {_T}, {_T} FROM transfer WHERE pupil_id = ? "
    f"UNION ALL SELECT * FROM (SELECT 2, r.id, r.at, t.received_at, {_D}, {_D}, r.title, r.detail, t.from_school, "
    f"{_T}, {_T} FROM received_record r JOIN transfer_in t ON t.id = r.transfer_id WHERE r.pupil_id = ?{{before}} "
    "ORDER BY r.at DESC, r.id DESC LIMIT ?) rr "
    "UNION ALL SELECT 3, id, removed_at, NULL, NULL, NULL, ref, rule, reason, proposed_by, confirmed_by "
    "FROM retention_tombstone WHERE pupil_ids LIKE ?"
)


def moves(pupil_id: int, before: datetime | None, limit: int) -> Moves:
    """The pupil's file transfers to other schools (a few at most), the newest `limit`
    records received from their previous schools at or before `before` (record, its file;
    newest first), and what was removed from the pupil's records under retention (no
    content, oldest first, as `retention.tombstones_for_pupil` reads them): one statement."""
    text = _MOVES.format(before=" AND r.at <= ?" if before is not None else "")
    params = [pupil_id, pupil_id, *([_value(before)] if before is not None else []), limit, f"%,{pupil_id},%"]
    as_date, as_dt = fastsql.as_date, fastsql.as_datetime
    transfers, received, stones = [], [], []
    for tag, i, at1, at2, d1, d2, t1, t2, t3, t4, t5 in fastsql.rows(text, params):
        if tag == 1:
            transfers.append(TransferRow(i, as_dt(at1), t1, t2, as_date(d1), as_dt(at2), t3, as_date(d2)))
        elif tag == 2:
            received.append((ReceivedRow(i, as_dt(at1), t1, t2), FromSchool(t3, as_dt(at2))))
        else:
            stones.append(TombstoneRow(i, t1, t2, t3, t4, t5, as_dt(at1)))
    transfers.sort(key=lambda t: t.id)
    received.sort(key=lambda rt: (rt[0].at, rt[0].id), reverse=True)
    stones.sort(key=lambda t: t.removed_at)
    return Moves(transfers, received, stones)
