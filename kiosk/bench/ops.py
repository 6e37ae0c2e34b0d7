"""The operation behind each screen, each beside the same question asked as raw SQL.

The raw side is what a careful engineer would write by hand against the same tables: the
same rows fetched (without building result objects) and the same writes made, including
the audit event each audited service appends (computed with the same digest), in the same
kind of transaction. The ratio service/raw is then the cost of the service layer itself.

An operation whose service is not in this build is reported as missing, never faked.
"""

from __future__ import annotations

from datetime import timedelta

import uuid
from datetime import timedelta
from dataclasses import dataclass
from typing import Callable

from kiosk import bench
from kiosk import db as dbmod
from kiosk.bench.dataset import BENCH_PASSWORD, Dataset
from kiosk.clock import today, utcnow
from kiosk.db import db


@dataclass
class Operation:
    name: str
    screen: str
    service: Callable[[int], object] | None  # called with the run number
    raw: Callable[[int], object] | None
    target_ms: float = bench.SCREEN_MS
    ratio_target: float | None = bench.RAW_RATIO
    repeat: int = 21
    missing: str = ""  # why the operation cannot be timed in this build


def _sql(text: str) -> str:
    return text if db.param == "?" else text.replace("?", db.param)


def q(text: str, params=()) -> list:
    """Run raw SQL (written with ? placeholders) and fetch every row."""
    cursor = db.execute_sql(_sql(text), tuple(params))
    return cursor.fetchall() if cursor.description else []


def _in(values) -> tuple[str, tuple]:
    values = tuple(values)
    return "(" + ", ".join("?" * len(values)) + ")" if values else "(NULL)", values


def raw_audit(actor_id, actor: str, origin: str, action: str, ttype: str = "", tid="",
              detail: str = "{}") -> int:
    """Append one audit event by hand: read the head under the lock, insert, move the head."""
    from kiosk.services.audit import GENESIS, HEAD_KEY, _digest

    lock = "" if dbmod.is_sqlite() else " FOR UPDATE"
    row = q("SELECT value FROM meta WHERE key = ?" + lock, (HEAD_KEY,))
    seq, prev = (0, GENESIS) if not row else row[0][0].split(":", 1)
    seq = int(seq) + 1
    at = utcnow().isoformat(timespec="microseconds")
    digest = _digest(prev, seq, at, actor_id, actor, origin, action, ttype, str(tid), detail)
    q("INSERT INTO audit_event (seq, at, actor_id, actor, origin, action, target_type, target_id, "
      "detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      (seq, at, actor_id, actor, origin, action, ttype, str(tid), detail, prev, digest))
    q("UPDATE meta SET value = ? WHERE key = ?", (f"{seq}:{digest}", HEAD_KEY))
    return seq


def _actor(user_id: int):
    from kiosk.models import User
    from kiosk.services.accounts import actor_for

    return actor_for(User.get_by_id(user_id), "terminal")


class _NoArgon:
    """Stands in for the argon2 hasher: the bench times login without the deliberate
    ~50 ms of password hashing, which is constant and not the database's work."""

    def verify(self, digest, password):
        return True

    def check_needs_rehash(self, digest):
        return False

    def hash(self, password):  # pragma: no cover - never reached with check_needs_rehash False
        raise AssertionError("no rehash in the bench")


def _early_help_raw(ds: Dataset, pid: int, since=None) -> None:
    """A pupil's early help for the chronology, as the chronology's early-help lines need it:
    the one statement the service runs (a tagged UNION ALL of referrals, decisions,
    enrolments, reviews, ends, agency lines, register marks, offers and the users named),
    rows left as tuples. `since`: the register marks from that date only (a page)."""
    if "early_help_session" not in ds.counts:
        return
    from kiosk.services import fastsql
    from kiosk.services.early_help.history_sql import _HISTORY

    text = _HISTORY.format(since="" if since is None else " AND s.held_on >= ?")
    q(text, [pid] * 7 + ([] if since is None else [fastsql.day(since)]) + [pid] * 2)


# A chronology page's reads of the concern records, one statement per kind: the newest
# `limit` entries of the kind in the chronology index (pupil, kind, date) bound one index
# range (the rest of the last entry's date included), joined to the records and to what
# access to their concern turns on. (kind, columns, joins)
_PAGE_KINDS = (
    ("concern", "c.id, c.restricted, c.recorded_by_id, c.urgent, c.source, c.description, c.occurred_on, "
                "c.occurred_time, c.recorded_at, cp.role",
     "JOIN concern c ON c.id = i.record_id JOIN concern_pupil cp ON cp.concern_id = c.id AND cp.pupil_id = i.pupil_id"),
    ("action", "a.id, a.concern_id, a.kind, a.action_date, a.taken_by, a.notes, a.rationale, a.recorded_by_id, "
               "a.recorded_at, c.restricted, c.recorded_by_id",
     "JOIN concern_action a ON a.id = i.record_id JOIN concern c ON c.id = i.concern_id"),
    ("event", "e.id, e.concern_id, e.kind, e.by_id, e.at, e.subject_user_id, e.summary, e.outcome, e.reasoning, "
              "c.restricted, c.recorded_by_id",
     "JOIN concern_event e ON e.id = i.record_id JOIN concern c ON c.id = i.concern_id"),
    ("amendment", "m.id, m.concern_id, m.field, m.text, m.reason, m.by_id, m.at, c.restricted, c.recorded_by_id",
     "JOIN concern_amendment m ON m.id = i.record_id JOIN concern c ON c.id = i.concern_id"),
)


def operations(ds: Dataset) -> list[Operation]:
    """Build every timed operation for the dataset in the bound database."""
    from kiosk.models import User
    from kiosk.services import adults as adults_service
    from kiosk.services import chronology as chronology_service
    from kiosk.services import concerns as concerns_service
    from kiosk.services import early_help as early_help_service

    users = ds.users
    dsl = _actor(users["dsl"])
    ops: list[Operation] = []
    dsl_name = User.get_by_id(users["dsl"]).username

    # --- login (without the argon2 verify) ----------------------------------------------
    from kiosk.services import accounts

    def login(i):
        real = accounts.hasher
        accounts.hasher = lambda: _NoArgon()
        try:
            return accounts.authenticate(dsl_name, BENCH_PASSWORD, origin="terminal")
        finally:
            accounts.hasher = real

    def login_raw(i):
        row = q('SELECT id, password_hash, active, locked_until, failed_attempts FROM "user" '
                'WHERE username = ?', (dsl_name,))[0]
        uid = row[0]
        with dbmod.write():
            prev = q('SELECT id, failed_attempts, locked_until, last_login_at FROM "user" WHERE id = ?', (uid,))
            # The questions the service must ask too: a second factor still to come keeps
            # the failure count; failures and a password reset since the last visit are told.
            q("SELECT id FROM totp_enrolment WHERE user_id = ? AND confirmed_at IS NOT NULL "
              "AND ended_at IS NULL LIMIT 1", (uid,))
            q('UPDATE "user" SET failed_attempts = 0, locked_until = NULL, last_login_at = ? WHERE id = ?',
              (str(utcnow()) if dbmod.is_sqlite() else utcnow(), uid))
            since = prev[0][3]
            since = (since if isinstance(since, str) else since.isoformat(timespec="microseconds")) \
                if since else ""
            q("SELECT COUNT(*) FROM audit_event WHERE target_type = ? AND target_id = ? AND at > ? "
              "AND action IN (?, ?)", ("user", str(uid), since, "login.failure", "login.locked"))
            q("SELECT seq, at FROM audit_event WHERE target_type = ? AND target_id = ? AND at > ? "
              "AND action = ? ORDER BY seq DESC LIMIT 1", ("user", str(uid), since, "account.reset_password"))
            raw_audit(uid, dsl_name, "terminal", "login.success", "user", uid)
        return q("SELECT role FROM user_role WHERE user_id = ?", (uid,))

    ops.append(Operation("login (no argon2)", "Login", login, login_raw))

    # --- the DSL inbox's first page -----------------------------------------------------
    inbox = concerns_service.inbox
    if inbox is None or "concern" not in ds.counts:
        ops.append(Operation("inbox first page", "Inbox", None, None, missing="kiosk.services.concerns.inbox"))
    else:
        def inbox_raw(i):
            total = q("SELECT COUNT(*) FROM concern WHERE is_open = ?", (True,))
            rows = q("SELECT id, recorded_at, recorded_by_id, owner_id, urgent, status, restricted "
                     "FROM concern WHERE is_open = ? ORDER BY urgent DESC, recorded_at DESC, id DESC "
                     "LIMIT 50 OFFSET 0", (True,))
            ids = [r[0] for r in rows]
            marks, params = _in(ids)
            q("SELECT cp.concern_id, cp.role, p.first_name, p.preferred_name, p.last_name "
              "FROM concern_pupil cp JOIN pupil p ON p.id = cp.pupil_id "
              f"WHERE cp.concern_id IN {marks} ORDER BY cp.id", params)
            q("SELECT l.concern_id, l.category, c.name FROM concern_category_link l "
              "LEFT JOIN concern_category c ON c.key = l.category "
              f"WHERE l.concern_id IN {marks} ORDER BY l.position", params)
            who, wparams = _in({r[2] for r in rows} | {r[3] for r in rows if r[3]})
            q(f'SELECT id, full_name FROM "user" WHERE id IN {who}', wparams)
            q("SELECT record_id FROM alert WHERE recipient_id = ? AND read_at IS NULL "
              f"AND record_type = ? AND record_id IN {marks}", (dsl.user_id, "concern", *params))
            with dbmod.write():
                raw_audit(dsl.user_id, dsl.username, dsl.origin, "concern.inbox", "concern", "",
                          '{"ids":%s,"page":0,"view":"open"}' % ids)
            return total, rows

        ops.append(Operation("inbox first page", "Inbox",
                             lambda i: inbox(dsl, page=0, page_size=50), inbox_raw))

    # --- pupil search by prefix ---------------------------------------------------------
    from kiosk.services import pupils as pupil_service

    prefixes = ("ha", "ma", "jo", "ella", "ash", "s", "li", "the", "zara b")

    def search_raw(i):
        words = prefixes[i % len(prefixes)].split()
        if len(words) == 1:
            w = words[0]
            cond = ("((first_key >= ? AND first_key < ?) OR (last_key >= ? AND last_key < ?) "
                    "OR (preferred_key >= ? AND preferred_key < ?))")
            params = (w, w + "\uffff") * 3
        else:
            a, b = words[0], words[-1]
            cond = ("((first_key >= ? AND first_key < ?) OR (preferred_key >= ? AND preferred_key < ?)) "
                    "AND (last_key >= ? AND last_key < ?)")
            params = (a, a + "\uffff", a, a + "\uffff", b, b + "\uffff")
        return q("SELECT * FROM pupil WHERE " + cond + " AND active = ? "
                 "ORDER BY last_key, first_key LIMIT 20", (*params, True))

    ops.append(Operation("pupil search (prefix)", "Pupils",
                         lambda i: pupil_service.search(dsl, prefixes[i % len(prefixes)]), search_raw))

    # --- the largest pupil's chronology -------------------------------------------------
    chron = chronology_service.chronology
    page, size = None, 50
    pid = ds.largest_pupil_id
    if chron is None or pid is None:
        ops.append(Operation("chronology (largest pupil)", "Chronology", None, None,
                             missing="kiosk.services.chronology.chronology" if chron is None else "no concerns"))
    else:
        def chron_raw(i):
            links = q("SELECT concern_id, role FROM concern_pupil WHERE pupil_id = ?", (pid,))
            ids = [c for c, _ in links]
            marks, params = _in(ids)
            q(f"SELECT * FROM concern WHERE id IN {marks}", params)
            q("SELECT ca.concern_id, ca.user_id FROM concern_access ca WHERE ca.user_id = ? "
              f"AND ca.kind = ? AND ca.ended_at IS NULL AND ca.concern_id IN {marks}",
              (dsl.user_id, "restricted", *params))
            q("SELECT l.concern_id, l.category, c.name FROM concern_category_link l "
              f"LEFT JOIN concern_category c ON c.key = l.category WHERE l.concern_id IN {marks}", params)
            q(f"SELECT * FROM concern_action WHERE concern_id IN {marks}", params)
            q(f"SELECT * FROM concern_event WHERE concern_id IN {marks}", params)
            q(f"SELECT * FROM concern_amendment WHERE concern_id IN {marks}", params)
            q('SELECT id, full_name FROM "user"')
            q("SELECT * FROM pupil_flag_change WHERE pupil_id = ?", (pid,))
            _early_help_raw(ds, pid)
            with dbmod.write():
                raw_audit(dsl.user_id, dsl.username, dsl.origin, "chronology.view", "pupil", pid,
                          '{"category":null,"entries":%d}' % len(ids))
            return links

        page = chronology_service.chronology_page
        if page is not None:
            from kiosk.services.chronology import PAGE_SIZE as size

            from kiosk.clock import to_local
            from kiosk.services import fastsql

            def page_raw_of(pid):
                def page_raw(i):
                    # What a careful engineer would write for "the newest page", statement for
                    # statement what the service asks (the service may read further back when
                    # rows are hidden from the actor; the DSL sees everything).
                    merged = q("SELECT id, merged_into FROM pupil WHERE id = ? OR merged_into = ?", (pid, pid))
                    got = {}
                    for kind, columns, joins in _PAGE_KINDS:
                        got[kind] = q(
                            f"SELECT i.at, {columns} FROM chronology_index i {joins} WHERE i.pupil_id = ? "
                            "AND i.kind = ? AND i.at >= (SELECT MIN(f.at) FROM (SELECT j.at FROM chronology_index j "
                            "WHERE j.pupil_id = ? AND j.kind = ? ORDER BY j.at DESC, j.record_id DESC LIMIT ?) f) "
                            "ORDER BY i.at DESC, i.record_id DESC", (pid, kind, pid, kind, size))
                    concerns, actions, events, amendments = (got[k] for k, _c, _j in _PAGE_KINDS)
                    # The categories of the concerns (with their names), the names of the users
                    # the rows name and the actions' statutory fields, in one statement.
                    cm, cparams = _in(sorted({r[1] for r in concerns} | {r[2] for r in actions}
                                             | {r[2] for r in events} | {r[2] for r in amendments}))
                    um, uparams = _in(sorted({r[3] for r in concerns} | {r[8] for r in actions}
                                             | {r[4] for r in events} | {r[6] for r in events if r[6]}
                                             | {r[6] for r in amendments}))
                    am, aparams = _in(sorted(r[1] for r in actions))
                    q("SELECT 1, l.concern_id, l.category, k.name, l.position FROM concern_category_link l "
                      f"LEFT JOIN concern_category k ON k.key = l.category WHERE l.concern_id IN {cm} "
                      f'UNION ALL SELECT 2, u.id, NULL, u.full_name, NULL FROM "user" u WHERE u.id IN {um} '
                      "UNION ALL SELECT 3, d.action_id, NULL, d.fields, NULL FROM concern_action_detail d "
                      f"WHERE d.action_id IN {am} ORDER BY 1, 5", (*cparams, *uparams, *aparams))
                    flags = q("SELECT id, flag, label, value, by_id, at, effective_on, reason FROM pupil_flag_change "
                              "WHERE pupil_id = ? ORDER BY at DESC, id DESC LIMIT ?", (pid, size + 1))
                    if flags:  # who made them
                        fm, fparams = _in(sorted({r[4] for r in flags}))
                        q(f'SELECT id, full_name FROM "user" WHERE id IN {fm}', fparams)
                    # The file's moves and the retention tombstones, in one statement.
                    q("SELECT 1, id, sent_at, acknowledged_at, left_on, received_on, destination_school, "
                      "destination_dsl, received_by_name, CAST(NULL AS TEXT), CAST(NULL AS TEXT) FROM transfer "
                      "WHERE pupil_id = ? UNION ALL SELECT * FROM (SELECT 2, r.id, r.at, t.received_at, "
                      "CAST(NULL AS DATE), CAST(NULL AS DATE), r.title, r.detail, t.from_school, CAST(NULL AS TEXT), "
                      "CAST(NULL AS TEXT) FROM received_record r JOIN transfer_in t ON t.id = r.transfer_id "
                      "WHERE r.pupil_id = ? ORDER BY r.at DESC, r.id DESC LIMIT ?) rr UNION ALL SELECT 3, id, "
                      "removed_at, NULL, NULL, NULL, ref, rule, reason, proposed_by, confirmed_by "
                      "FROM retention_tombstone WHERE pupil_ids LIKE ?", (pid, pid, size + 1, f"%,{pid},%"))
                    # Early help: read whole but for the register marks of months older than
                    # every kind's last row (a day earlier, to be safe): those cannot be on the
                    # page, as the service leaves them (it reads from its horizon's month).
                    days = [(fastsql.as_date(rows[-1][0]) if kind in ("concern", "action")
                             else to_local(fastsql.as_datetime(rows[-1][0])).date()) - timedelta(days=1)
                            for kind, rows in got.items() if len(rows) >= size]
                    _early_help_raw(ds, pid, max(days).replace(day=1) if days else None)
                    with dbmod.write():
                        raw_audit(dsl.user_id, dsl.username, dsl.origin, "chronology.view", "pupil", pid,
                                  '{"category":null,"entries":%d,"page":0}' % size)
                    return merged
                return page_raw

            ops.append(Operation(f"chronology, first page (largest pupil, {ds.largest_pupil_entries} concerns)",
                                 "Chronology", lambda i: page(dsl, pid, size=size), page_raw_of(pid),
                                 target_ms=bench.CHRONOLOGY_PAGE_MS))
        # The whole history, as the exports and the transfer of the file read it.
        ops.append(Operation(f"chronology, whole (largest pupil, {ds.largest_pupil_entries} concerns; exports)",
                             "Chronology export", lambda i: chron(dsl, pid), chron_raw,
                             target_ms=bench.CHRONOLOGY_WHOLE_MS, ratio_target=None))

    # --- recording a concern (alerts and audit) -----------------------------------------
    record = concerns_service.record_concern
    if record is None or "concern" not in ds.counts:
        ops.append(Operation("record a concern", "Record a concern", None, None,
                             target_ms=bench.RECORD_MS, missing="kiosk.services.concerns.record_concern"))
    else:
        staff = _actor(users["staff"])
        cat = q("SELECT key FROM concern_category WHERE active = ? ORDER BY position LIMIT 1", (True,))[0][0]
        subjects = ds.pupil_ids
        text = ("Pupil said their older brother hit them last night; red mark on the left forearm. "
                "Pupil was quiet and did not want to go home.")

        # Yesterday at 09:15: "today at 09:15" is in the future before 09:15, and the bench
        # runs at any hour.
        def record_one(i):
            return record(staff, token=uuid.uuid4().hex, pupils=[(subjects[i % len(subjects)], "subject")],
                          occurred_on=today() - timedelta(days=1), occurred_time="09:15", location="Classroom",
                          source="child_told", categories=[cat], words="He hit me.",
                          description=text, why_concern="Injury and fear of going home.")

        def record_raw(i):
            p = subjects[(i + 7) % len(subjects)]
            now = utcnow()
            stamp = str(now) if dbmod.is_sqlite() else now
            token = uuid.uuid4().hex
            q("SELECT COUNT(*) FROM concern_category")
            q("SELECT id, active FROM pupil WHERE id = ?", (p,))
            q("SELECT key, name FROM concern_category WHERE key IN (?) AND active = ?", (cat, True))
            with dbmod.write():
                q("SELECT id FROM concern WHERE submission_token = ?", (token,))
                q("INSERT INTO concern (submission_token, recorded_by_id, recorded_at, occurred_on, "
                  "occurred_time, location, source, words, description, why_concern, child_told_next, "
                  "dsl_told_in_person, urgent, status, is_open, restricted, updated_at) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  (token, staff.user_id, stamp, str(today() - timedelta(days=1)), "09:15", "Classroom", "child_told",
                   "He hit me.", text, "Injury and fear of going home.", False, False, False, "open",
                   True, False, stamp))
                cid = q("SELECT id FROM concern WHERE submission_token = ?", (token,))[0][0]
                q("INSERT INTO concern_pupil (concern_id, pupil_id, role) VALUES (?, ?, ?)", (cid, p, "subject"))
                q("INSERT INTO concern_category_link (concern_id, category, position) VALUES (?, ?, ?)",
                  (cid, cat, 0))
                team = [r[0] for r in q('SELECT DISTINCT u.id FROM "user" u JOIN user_role r ON r.user_id = u.id '
                                        "WHERE r.role IN (?, ?) AND u.active = ?", ("dsl", "deputy_dsl", True))]
                for uid in team:
                    q("INSERT INTO alert (recipient_id, kind, record_type, record_id, label, raised_by, "
                      "urgent, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                      (uid, "child_concern", "concern", cid, cat, staff.full_name, False, stamp))
                who, wparams = _in(team)  # the mail outbox: who of them has an address
                q(f'SELECT id FROM "user" WHERE id IN {who} AND active = ? AND email IS NOT NULL '
                  "AND email <> ?", (*wparams, True, ""))
                raw_audit(staff.user_id, staff.username, staff.origin, "concern.record", "concern", cid,
                          '{"alerted":%d,"categories":["%s"],"pupils":[%d],"urgent":false}' % (len(team), cat, p))
            return cid

        ops.append(Operation("record a concern", "Record a concern", record_one, record_raw,
                             target_ms=bench.RECORD_MS))

    # --- a 30-pupil early-help register -------------------------------------------------
    take = early_help_service.take_register
    if take is None or not ds.register_pupil_ids:
        ops.append(Operation("take a 30-pupil register", "Early help register", None, None,
                             missing="kiosk.services.early_help.take_register"))
    else:
        from kiosk.services.early_help import SessionSpec

        pastoral = _actor(users["pastoral"])
        reg = ds.register_pupil_ids
        offer_key = ds.register_offer_key

        def register_one(i):
            marks = {p: (k % 6 != 0) for k, p in enumerate(reg)}
            return take(pastoral, SessionSpec(offer_key, today(), f"bench run {i}"), marks)

        def register_raw(i):
            now = utcnow()
            stamp = str(now) if dbmod.is_sqlite() else now
            day = str(today())
            label = f"bench raw {i}"
            marks, params = _in(reg)
            with dbmod.write():
                offer = q("SELECT id, kind, retired_at FROM early_help_offer WHERE key = ?", (offer_key,))[0][0]
                q("SELECT id FROM early_help_session WHERE offer_id = ? AND held_on = ? AND label = ?",
                  (offer, day, label))
                q(f"SELECT id FROM pupil WHERE id IN {marks}", params)
                q("INSERT INTO early_help_session (offer_id, held_on, label, created_by_id, created_at) "
                  "VALUES (?, ?, ?, ?, ?)", (offer, day, label, pastoral.user_id, stamp))
                sid = q("SELECT id FROM early_help_session WHERE offer_id = ? AND held_on = ? AND label = ?",
                        (offer, day, label))[0][0]
                enrolled = {r[0] for r in q(
                    "SELECT DISTINCT e.pupil_id FROM early_help_enrolment e LEFT JOIN early_help_enrolment_end x "
                    "ON x.enrolment_id = e.id WHERE e.offer_id = ? AND e.start_on <= ? "
                    "AND (x.id IS NULL OR x.ended_on >= ?)", (offer, day, day))}
                values = []
                for k, p in enumerate(sorted(reg)):
                    values += [sid, p, k % 6 != 0, p not in enrolled, "", pastoral.user_id, stamp]
                q("INSERT INTO early_help_attendance (session_id, pupil_id, present, walk_in, note, "
                  "recorded_by_id, recorded_at) VALUES " + ", ".join(["(?, ?, ?, ?, ?, ?, ?)"] * len(reg)),
                  values)
                q("UPDATE early_help_session SET register_taken_at = ?, register_taken_by_id = ? WHERE id = ?",
                  (stamp, pastoral.user_id, sid))
                raw_audit(pastoral.user_id, pastoral.username, pastoral.origin, "early_help.register",
                          "early_help_session", sid, '{"absent":5,"present":25,"walk_ins":0}')
            return sid

        ops.append(Operation("take a 30-pupil register", "Early help register", register_one, register_raw))

    # --- the headteacher's register of concerns about adults ----------------------------
    adult_register = adults_service.register
    if adult_register is None or "adult_concern" not in ds.counts:
        ops.append(Operation("headteacher's register", "Register of concerns about adults", None, None,
                             missing="kiosk.services.adults.register"))
    else:
        head = _actor(users["headteacher"])

        def adults_raw(i):
            ids = ("SELECT r.concern_id FROM adult_concern_role r JOIN adult_concern c ON c.id = r.concern_id "
                   "WHERE r.role IN (?) AND c.kind IN (?, ?) AND (c.subject_user_id IS NULL OR c.subject_user_id <> ?)")
            p = ("headteacher", "allegation", "low_level", head.user_id)
            rows = q("SELECT c.id, c.kind, c.subject_user_id, c.subject_name, c.subject_role, c.created_at, "
                     "u.full_name, c.recipient_role, c.lado_due_at FROM adult_concern c "
                     f'JOIN "user" u ON u.id = c.reported_by_id WHERE c.id IN ({ids}) '
                     "ORDER BY c.created_at DESC, c.id DESC", p)
            q("SELECT concern_id, kind, choice, occurred_at, at FROM adult_concern_event "
              f"WHERE concern_id IN ({ids}) AND kind IN (?, ?, ?, ?) ORDER BY id",
              (*p, "lado_contact", "outcome", "record", "dbs"))
            q(f"SELECT concern_id FROM adult_concern_role WHERE concern_id IN ({ids}) AND role IN (?) "
              "AND reason = ?", (*p, "headteacher", "recipient"))
            with dbmod.write():
                raw_audit(head.user_id, head.username, head.origin, "adult_concern.register_view", "", "",
                          '{"count":%d}' % len(rows))
            return rows

        ops.append(Operation("headteacher's register", "Register of concerns about adults",
                             lambda i: adult_register(head), adults_raw))

    # --- every open console's alert poll (kiosk/alert_watch.py), every 2 seconds -------------
    from kiosk.services import alerts as alerts_mod

    cursor = alerts_mod.AlertCursor(dsl)
    high = cursor.high

    def poll_raw(i):
        return q("SELECT id, kind, urgent, created_at, read_at FROM alert WHERE recipient_id = ? "
                 "AND id > ? ORDER BY id LIMIT 50", (dsl.user_id, high))

    # Nothing new, the usual case: it runs in a worker thread, but it runs in every console.
    ops.append(Operation("alert poll (nothing new)", "Any screen", lambda i: cursor.poll(), poll_raw,
                         target_ms=bench.POLL_MS, ratio_target=None))

    # --- the governors' statistics ------------------------------------------------------
    from kiosk.bench import rawstats
    from kiosk.services import stats

    governor = _actor(users["governor"])
    ops.append(Operation("governors' statistics", "Statistics",
                         lambda i: stats.statistics(governor), lambda i: rawstats.statistics(governor)))

    # --- audit verify of the whole chain ------------------------------------------------
    from kiosk.services import audit

    def verify_raw(i):
        n = 0
        cursor = db.execute_sql(
            "SELECT seq, at, actor_id, actor, origin, action, target_type, target_id, detail, prev_hash, "
            "hash FROM audit_event ORDER BY seq")
        for _ in cursor:
            n += 1
        return n

    def verify(i):
        result = audit.verify()
        if not result.ok:
            raise RuntimeError(f"audit verify failed: {result.problem}")
        return result

    ops.append(Operation(f"audit verify ({ds.counts.get('audit_event', 0):,} events)", "Audit",
                         verify, verify_raw, target_ms=bench.VERIFY_S * 1000, ratio_target=None, repeat=3))

    # --- page one for a pupil with ten times the largest history ---------------------------
    # A pupil linked to ten times as many of the school's concerns (with their actions and
    # status changes) as the largest: page one must cost what it costs for the largest.
    # Built on the first (warm-up) run, after the operations that count the school's records.
    if page is not None and pid is not None:
        tenfold = {}

        def tenfold_pupil() -> int:
            if "id" not in tenfold:
                n = 10 * ds.largest_pupil_entries
                from kiosk.models.pupils import Pupil

                # A copy of the largest pupil (every column but the id and the unique numbers).
                cols = [f.column_name for f in Pupil._meta.sorted_fields
                        if f.column_name not in ("id", "upn", "former_upn")]
                picked = ", ".join(c + " || ?" if c in ("last_name", "last_key") else c for c in cols)
                with dbmod.write():
                    q(f"INSERT INTO pupil ({', '.join(cols)}) SELECT {picked} FROM pupil WHERE id = ?",
                      ("tenfold", "tenfold", pid))
                    new = q("SELECT MAX(id) FROM pupil")[0][0]
                    q("INSERT INTO concern_pupil (concern_id, pupil_id, role) SELECT id, ?, ? FROM concern "
                      "ORDER BY id DESC LIMIT ?", (new, "subject", n))
                tenfold["id"] = new
                tenfold["raw"] = page_raw_of(new)
            return tenfold["id"]

        def tenfold_page(i):
            return page(dsl, tenfold_pupil(), size=size)

        def tenfold_raw(i):
            tenfold_pupil()
            return tenfold["raw"](i)

        ops.append(Operation(f"chronology, first page (a pupil with {10 * ds.largest_pupil_entries:,} concerns)",
                             "Chronology", tenfold_page, tenfold_raw, target_ms=bench.CHRONOLOGY_PAGE_MS))

    # --- the roll from the MIS (last: it changes the roll) --------------------------------
    # Run 0: a whole-school CTF into a school that has none of its pupils (all join);
    # run 1: every pupil moved up a year, as a full roll (the synthetic pupils leave);
    # run 2: the first file again as a full roll (every pupil changes back).
    from kiosk.bench.roll import make_ctf
    from kiosk.services import roll_import
    from kiosk.services.actor import shell_actor

    n_roll = max(1, len(ds.pupil_ids))
    files = [make_ctf(n_roll, 0), make_ctf(n_roll, 1)]
    importer = shell_actor("shell:bench")

    def import_roll(i):
        return roll_import.run_import(importer, files[i % 2], "bench-roll.xml", full_roll=i > 0)

    ops.append(Operation(f"roll import ({n_roll:,}-pupil CTF 25)", "kiosk pupils import",
                         import_roll, None, target_ms=bench.ROLL_IMPORT_MS, ratio_target=None, repeat=3))
    return ops
