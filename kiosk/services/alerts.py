"""In-app alerts: raised inside the write that creates a record, read by their recipient.

An alert shows who logged it, when and a label (category), never the content. Any
domain raises them with `raise_for_users`; only the recipient can list or mark them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kiosk.capabilities import Cap
from kiosk.clock import utcnow
from kiosk.errors import NotFound
from kiosk.services import audit
from kiosk.capabilities import Cap
from kiosk.services.actor import Actor, require_signed_in

# An alert of these kinds is served only while its recipient still holds the capability
# that brought it (a deputy demoted to staff no longer sees new-concern alerts).
KIND_CAPS = {"child_concern": Cap.CONCERN_ALERTS, "adult_allegation": Cap.ADULT_RECEIVE_ALLEGATION}


def _kinds_for(actor: Actor, kinds):
    wanted = list(kinds) if kinds else None
    refused = [k for k, cap in KIND_CAPS.items() if not actor.can(cap)]
    return wanted, refused


@dataclass(frozen=True)
class AlertView:
    id: int
    kind: str
    record_type: str
    record_id: int
    label: str
    raised_by: str
    urgent: bool
    created_at: datetime
    read: bool


def raise_for_users(user_ids, kind: str, record_type: str, record_id: int, label: str,
                    raised_by: str, urgent: bool = False) -> int:
    """Call inside the caller's write transaction. Returns how many were raised."""
    from kiosk.services import fastsql

    now = utcnow()
    rows = [(uid, kind, record_type, record_id, label[:200], raised_by[:200], urgent, now)
            for uid in sorted(set(user_ids))]
    if rows:
        # Hand-written (kiosk.services.fastsql): raised with every concern recorded. The values
        # go to the driver as peewee's insert_many passed them.
        fastsql.run(_INSERT + ", ".join([_ONE] * len(rows)), [v for r in rows for v in r])
        from kiosk.services import mail

        # In the same write: a notice exists exactly when its alert does (sent afterwards).
        mail.enqueue([r[0] for r in rows], kind, urgent)
    return len(rows)


_INSERT = ("INSERT INTO alert (recipient_id, kind, record_type, record_id, label, raised_by, urgent, "
           "created_at) VALUES ")
_ONE = "(?, ?, ?, ?, ?, ?, ?, ?)"


def _view(a) -> AlertView:
    return AlertView(a.id, a.kind, a.record_type, a.record_id, a.label, a.raised_by,
                     a.urgent, a.created_at, a.read_at is not None)


def for_user(actor: Actor, unread_only: bool = False, kinds=None, limit: int = 50) -> list[AlertView]:
    """The actor's own alerts: urgent unread first, then newest first."""
    from kiosk.models import Alert

    require_signed_in(actor)
    wanted, refused = _kinds_for(actor, kinds)
    q = Alert.select().where(Alert.recipient == actor.user_id)
    if unread_only:
        q = q.where(Alert.read_at.is_null())
    if wanted:
        q = q.where(Alert.kind.in_(wanted))
    if refused:
        q = q.where(Alert.kind.not_in(refused))
    q = q.order_by(Alert.read_at.is_null(False), Alert.urgent.desc(), Alert.created_at.desc(), Alert.id.desc())
    return [_view(a) for a in q.limit(limit)]


def unread_count(actor: Actor, kinds=None) -> int:
    from kiosk.models import Alert

    require_signed_in(actor)
    wanted, refused = _kinds_for(actor, kinds)
    q = Alert.select().where((Alert.recipient == actor.user_id) & Alert.read_at.is_null())
    if wanted:
        q = q.where(Alert.kind.in_(wanted))
    if refused:
        q = q.where(Alert.kind.not_in(refused))
    return q.count()


def mark_read_for_record(actor: Actor, record_type: str, record_id: int) -> None:
    """Opening a record marks the actor's alerts about it as read."""
    from kiosk import db as dbmod
    from kiosk.models import Alert

    require_signed_in(actor)
    with dbmod.write():
        Alert.update(read_at=utcnow()).where(
            (Alert.recipient == actor.user_id) & (Alert.record_type == record_type)
            & (Alert.record_id == record_id) & Alert.read_at.is_null()
        ).execute()


def mark_read(actor: Actor, alert_id: int) -> None:
    from kiosk import db as dbmod
    from kiosk.models import Alert

    require_signed_in(actor)
    with dbmod.write():
        alert = Alert.get_or_none((Alert.id == alert_id) & (Alert.recipient == actor.user_id))
        if alert is None:
            raise NotFound("no such alert")
        if alert.read_at is None:
            alert.read_at = utcnow()
            alert.save()
            audit.record(actor, "alert.read", alert.record_type, alert.record_id)


# --- alerts that arrive while a console is open ------------------------------------------

# Which capability lets the account *as it is now* be told of each kind of alert: an alert
# raised while someone was on the DSL team is not announced after they left it.
_KIND_CAPS = {
    "child_concern": frozenset({Cap.CONCERN_ALERTS}),
    "adult_allegation": frozenset({Cap.ADULT_RECEIVE_ALLEGATION, Cap.ADULT_RECEIVE_LOW_LEVEL}),
    "adult_low_level": frozenset({Cap.ADULT_RECEIVE_ALLEGATION, Cap.ADULT_RECEIVE_LOW_LEVEL}),
}

# Alert ids are handed out before commit: on PostgreSQL two transactions can commit out of id
# order, so a poll there looks this far back below its high-water mark (skipping what it has
# seen). SQLite writes one transaction at a time, so ids commit in order and no look-back is needed.
LOOKBACK_IDS = 200
POLL_LIMIT = 50


@dataclass(frozen=True)
class AlertNotice:
    """What a console may say about a new alert: that it exists, when, and how urgent.
    No label, no author, no record: the notice may be read over someone's shoulder."""

    id: int
    kind: str
    urgent: bool
    created_at: datetime


def may_be_told(caps, kind: str) -> bool:
    allowed = _KIND_CAPS.get(kind)
    return bool(allowed and allowed & set(caps))


def current_caps(user_id: int) -> frozenset:
    """The capabilities of the account as it is now (none when deactivated)."""
    from kiosk.capabilities import Role, capabilities_for
    from kiosk.models import User, UserRole

    user = User.select(User.active).where(User.id == user_id).first()
    if user is None or not user.active:
        return frozenset()
    roles = set()
    for row in UserRole.select(UserRole.role).where(UserRole.user == user_id):
        try:
            roles.add(Role(row.role))
        except ValueError:
            continue
    return capabilities_for(frozenset(roles))


def latest_id(actor: Actor) -> int:
    """The newest alert id for the actor: a console announces only what arrives after it."""
    from kiosk.services.actor import require_signed_in

    require_signed_in(actor)
    return _latest_id(actor)


def _latest_id(actor: Actor) -> int:
    from peewee import fn

    from kiosk.models import Alert

    if actor.user_id is None:
        return 0
    return Alert.select(fn.MAX(Alert.id)).where(Alert.recipient == actor.user_id).scalar() or 0


def new_since(actor: Actor, after_id: int, limit: int = POLL_LIMIT,
              skip_ids=()) -> list[AlertNotice]:
    """Unread alerts for the actor with id > after_id (but not `skip_ids`), oldest first,
    that the account as it is now may be told of."""
    from kiosk.services.actor import require_signed_in

    require_signed_in(actor)
    return _scan(actor, after_id, limit, skip_ids)[1]


def _scan(actor: Actor, after_id: int, limit: int, skip_ids=()) -> tuple[list[int], list[AlertNotice]]:
    """(every id read, the notices among them). One indexed range read on (recipient, id);
    the account is only looked up when something new is there, so an idle poll costs one
    query that finds nothing."""
    if actor.user_id is None:
        return [], []
    rows = _scan_rows(actor.user_id, after_id, limit, skip_ids)
    if not rows:
        return [], []
    caps = current_caps(actor.user_id)
    return [r[0] for r in rows], [
        AlertNotice(i, kind, bool(urgent), created)
        for i, kind, urgent, created, read_at in rows
        if read_at is None and may_be_told(caps, kind)]


_SCAN = "SELECT id, kind, urgent, created_at, read_at FROM alert WHERE recipient_id = ? AND id > ?"


def _scan_rows(user_id: int, after_id: int, limit: int, skip_ids=()) -> list[tuple]:
    """(id, kind, urgent, created_at, read_at) of the user's alerts after `after_id` but
    `skip_ids`, oldest first. Hand-written (kiosk.services.fastsql): every open console asks
    it every two seconds (`_scan_rows_orm` is the same question, which the tests hold it to)."""
    from kiosk.services import fastsql

    skip = sorted(skip_ids)
    text = _SCAN + (f" AND id NOT IN {fastsql.marks(len(skip))}" if skip else "") + " ORDER BY id LIMIT ?"
    return [(i, kind, urgent, fastsql.as_datetime(created), read_at)
            for i, kind, urgent, created, read_at in fastsql.rows(text, [user_id, after_id, *skip, limit])]


def _scan_rows_orm(user_id: int, after_id: int, limit: int, skip_ids=()) -> list[tuple]:
    from kiosk.models import Alert

    where = (Alert.recipient == user_id) & (Alert.id > after_id)
    if skip_ids:
        where &= Alert.id.not_in(sorted(skip_ids))
    return list(Alert.select(Alert.id, Alert.kind, Alert.urgent, Alert.created_at, Alert.read_at)
                .where(where).order_by(Alert.id).limit(limit).tuples())


class AlertCursor:
    """One console's place in its user's alerts: `poll()` returns what has arrived since
    the cursor was made (or last polled), each alert once. Call from one thread at a time."""

    def __init__(self, actor: Actor, start_id: int | None = None) -> None:
        from kiosk import db as dbmod
        from kiosk.models import Alert

        self.actor = actor
        self.lookback = 0 if dbmod.is_sqlite() else LOOKBACK_IDS
        # Unchecked: the watcher thread polls this every few seconds, and a refusal there
        # would audit once a poll; `_scan` tells only what the account as it is now may see.
        self.high = _latest_id(actor) if start_id is None else start_id
        # What is already there is not news (the home counts show it).
        self._seen: set[int] = set()
        if self.lookback and actor.user_id is not None:
            self._seen = {i for (i,) in Alert.select(Alert.id).where(
                (Alert.recipient == actor.user_id) & (Alert.id > self.high - self.lookback)
                & (Alert.id <= self.high)).tuples()}

    def poll(self) -> list[AlertNotice]:
        low = max(0, self.high - self.lookback)
        read, fresh = _scan(self.actor, low, POLL_LIMIT, {i for i in self._seen if i > low})
        # Everything read is dealt with, told or not (read already, or not for this account).
        self._seen.update(read)
        if read:
            self.high = max(self.high, max(read))
        self._seen = {i for i in self._seen if i > self.high - self.lookback}
        return fresh


_WHERE_TO_LOOK = {
    "child_concern": "Open the inbox (i) from your home screen.",
    "adult_allegation": "Open the register (g) from your home screen.",
    "adult_low_level": "Open the register (g) from your home screen.",
}


def notice_text(notices) -> str:
    """The words of a console notice: how many, when, how urgent, where to look. Built only
    from AlertNotice, which holds nothing about the record (tests plant a phrase to prove it)."""
    from kiosk.clock import to_local

    notices = sorted(notices, key=lambda n: n.id)
    latest = to_local(notices[-1].created_at).strftime("%H:%M")
    urgent = sum(1 for n in notices if n.urgent)
    if len(notices) == 1:
        head = f"{'An urgent' if urgent else 'A new'} concern was recorded at {latest}."
    else:
        head = f"{len(notices)} new concerns, the latest at {latest}"
        head += f" ({urgent} urgent)." if urgent else "."
    places = []
    for n in notices:
        where = _WHERE_TO_LOOK.get(n.kind, "Open the console's home screen.")
        if where not in places:
            places.append(where)
    return " ".join([head, *places])
