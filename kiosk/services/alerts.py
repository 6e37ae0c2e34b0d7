"""In-app alerts: raised inside the write that creates a record, read by their recipient.

An alert shows who logged it, when and a label (category), never the content. Any
domain raises them with `raise_for_users`; only the recipient can list or mark them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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
    from kiosk.models import Alert

    rows = [
        dict(recipient=uid, kind=kind, record_type=record_type, record_id=record_id,
             label=label[:200], raised_by=raised_by[:200], urgent=urgent, created_at=utcnow())
        for uid in sorted(set(user_ids))
    ]
    if rows:
        Alert.insert_many(rows).execute()
    return len(rows)


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
