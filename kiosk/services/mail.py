"""Content-free e-mail notices of new alerts, through the school's own mail relay.

`enqueue` runs inside the write that raises the alerts (so a notice exists exactly when
its alert does); `send_pending` runs afterwards, outside any transaction, from a console's
background watcher or `kiosk mail send-pending`. A relay that is down never touches the
concern: the notice stays in the outbox, the failure is audited, and it is tried again
later with a growing pause, until it is sent or `GIVE_UP_AFTER` has passed.

The message says only that a concern was recorded, when, and whether it is urgent. The
outbox row holds no text at all, so there is nothing about the pupil, the category or what
was written that could leak into it.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from kiosk import db as dbmod
from kiosk.clock import to_local, utcnow
from kiosk.services import audit
from kiosk.services.actor import Actor

# Pause before attempt n+1 (after n failures); the last one repeats.
RETRY_AFTER = (timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=5),
               timedelta(minutes=10), timedelta(minutes=30), timedelta(hours=1))
# A notice still unsent after this long is stale: the person has been to the console since,
# or needs to be told another way. It is given up (and audited), never silently dropped.
GIVE_UP_AFTER = timedelta(hours=48)
# A claimed notice whose sender died mid-send is tried again after this.
LEASE = timedelta(minutes=5)
BATCH = 50

SUBJECT = "DSL console: a concern was recorded"


def system_actor(origin: str = "mail") -> Actor:
    return Actor(None, "mail", "Mail notices", frozenset(), origin=origin)


def enqueue(user_ids, kind: str, urgent: bool) -> int:
    """Inside the caller's write: one outbox row per active recipient with an e-mail."""
    from kiosk.models import MailOutbox

    ids = sorted(set(user_ids))
    if not ids:
        return 0
    from kiosk.services import fastsql

    # Hand-written (kiosk.services.fastsql): asked with every concern recorded.
    with_email = [u for (u,) in fastsql.rows(
        f'SELECT id FROM "user" WHERE id IN {fastsql.marks(len(ids))} AND active = ? '
        "AND email IS NOT NULL AND email <> ?", [*ids, True, ""])]
    now = utcnow()
    if with_email:
        MailOutbox.insert_many([dict(recipient=u, kind=kind, urgent=bool(urgent), created_at=now,
                                     next_try_at=now) for u in with_email]).execute()
    return len(with_email)


def _message_text(created_at: datetime, urgent: bool) -> str:
    local = to_local(created_at)
    when = f"{local:%H:%M} on {local.day} {local:%b %Y}"
    what = "An urgent concern" if urgent else "A concern"
    return (f"{what} was recorded at {when}; open the console.\n\n"
            "This message is sent automatically and says nothing more on purpose.\n")


def _build_message(settings, to_address: str, created_at: datetime, urgent: bool) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = SUBJECT
    msg["From"] = settings.from_address
    msg["To"] = to_address
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=settings.from_address.rpartition("@")[2] or None)
    msg.set_content(_message_text(created_at, urgent))
    return msg


@dataclass(frozen=True)
class SendReport:
    sent: int = 0
    failed: int = 0
    dropped: int = 0
    given_up: int = 0


def pending_count() -> int:
    from kiosk.models import MailOutbox

    return MailOutbox.select().where(MailOutbox.state == "pending").count()


def _claim(limit: int) -> list:
    """Take due notices for this process (another console may be draining too)."""
    from kiosk.models import MailOutbox

    now = utcnow()
    due = [i for (i,) in MailOutbox.select(MailOutbox.id).where(
        (MailOutbox.state == "pending") & (MailOutbox.next_try_at <= now))
        .order_by(MailOutbox.id).limit(limit).tuples()]
    claimed = []
    if not due:
        return claimed
    with dbmod.write():
        for i in due:
            n = (MailOutbox.update(next_try_at=now + LEASE, attempts=MailOutbox.attempts + 1)
                 .where((MailOutbox.id == i) & (MailOutbox.state == "pending")
                        & (MailOutbox.next_try_at <= now)).execute())
            if n:
                claimed.append(i)
    return list(MailOutbox.select().where(MailOutbox.id.in_(claimed)).order_by(MailOutbox.id)) if claimed else []


def _connect(settings) -> smtplib.SMTP:
    smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_seconds)
    try:
        smtp.ehlo()
        if settings.starttls:
            smtp.starttls(context=settings.tls_context())
            smtp.ehlo()
        if settings.username:
            smtp.login(settings.username, settings.read_password() or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _error_text(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return " ".join(text.split())[:300]


def send_pending(settings, origin: str = "mail", limit: int = BATCH) -> SendReport:
    """Send what is due. Never raises for a relay problem: each failure is audited and the
    notice waits for its next try. Must be called outside any transaction."""
    from kiosk.models import User
    from kiosk.services.alerts import current_caps, may_be_told

    actor = system_actor(origin)
    rows = _claim(limit)
    if not rows:
        return SendReport()
    sent = failed = dropped = given_up = 0
    to_send = []
    for row in rows:
        user = User.get_or_none(User.id == row.recipient_id)
        address = user.email if user is not None and user.active else None
        if not address or not may_be_told(current_caps(row.recipient_id), row.kind):
            _finish(row, "dropped", actor, "mail.dropped", {"reason": "account no longer receives these alerts"})
            dropped += 1
        else:
            to_send.append((row, address))
    if not to_send:
        return SendReport(dropped=dropped)
    smtp = None
    connect_error: BaseException | None = None
    try:
        smtp = _connect(settings)
    except (OSError, smtplib.SMTPException, ssl.SSLError, socket.timeout) as exc:
        connect_error = exc
    try:
        for row, address in to_send:
            error = connect_error
            if error is None:
                try:
                    smtp.send_message(_build_message(settings, address, row.created_at, row.urgent))
                except (OSError, smtplib.SMTPException) as exc:
                    error = exc
            if error is None:
                _finish(row, "sent", actor, "mail.sent", {"attempts": row.attempts})
                sent += 1
            elif _retry(row, error, actor):
                failed += 1
            else:
                given_up += 1
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()
    return SendReport(sent=sent, failed=failed, dropped=dropped, given_up=given_up)


def _finish(row, state: str, actor: Actor, action: str, detail: dict) -> None:
    from kiosk.models import MailOutbox

    with dbmod.write():
        MailOutbox.update(state=state, sent_at=utcnow() if state == "sent" else None).where(
            MailOutbox.id == row.id).execute()
        audit.record(actor, action, "mail", row.id, {"recipient": row.recipient_id, **detail})


def _retry(row, error: BaseException, actor: Actor) -> bool:
    """Record a failed try. True: it will be tried again; False: given up (too old)."""
    from kiosk.models import MailOutbox

    now = utcnow()
    text = _error_text(error)
    if now - row.created_at >= GIVE_UP_AFTER:
        with dbmod.write():
            MailOutbox.update(state="given_up", last_error=text).where(MailOutbox.id == row.id).execute()
            audit.record(actor, "mail.given_up", "mail", row.id,
                         {"recipient": row.recipient_id, "attempts": row.attempts, "error": text})
        return False
    pause = RETRY_AFTER[min(row.attempts, len(RETRY_AFTER)) - 1] if row.attempts else RETRY_AFTER[0]
    with dbmod.write():
        MailOutbox.update(next_try_at=now + pause, last_error=text).where(MailOutbox.id == row.id).execute()
        audit.record(actor, "mail.failed", "mail", row.id,
                     {"recipient": row.recipient_id, "attempts": row.attempts, "error": text,
                      "next_try_at": (now + pause).isoformat(timespec="seconds")})
    return True
