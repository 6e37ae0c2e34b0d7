"""The child protection file on a move (KCSIE): record the move, send the file, chase the
receipt, record it; and receive a file from another school.

Sending makes two files in the export directory: a PDF for people and a signed, sealed
bundle for a school running this console, both locked with one password that the DSL gives
the receiving DSL by another channel (phone). The password is returned once and never
stored; only a key derived from it is kept, to check the receipt code the receiving DSL
reads back. States: "to send" (with the working-day countdown to the KCSIE deadline),
"overdue" (past it), "sent" (awaiting receipt), "chase" (no receipt by the chase date),
"acknowledged". A transfer received from elsewhere shows as "received".

Hook for the roll import (issue 14): a leaver item "left: file to transfer" calls
`start_transfer(..., source="roll_import", source_ref=<the import item's id>)`; the
transfer then lists where it came from, and `transfer_for_source` finds it again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from kiosk import db as dbmod
from kiosk.capabilities import Cap
from kiosk.clock import fmt_local, to_local, today, utcnow
from kiosk.errors import NotFound, ValidationError
from kiosk.services import audit
from kiosk.services.actor import Actor, require
from kiosk.text import clean

TO_SEND, OVERDUE, SENT, CHASE, ACKNOWLEDGED, RECEIVED = (
    "to send", "overdue", "sent", "chase", "acknowledged", "received")


@dataclass(frozen=True)
class TransferView:
    id: int
    pupil_id: int
    pupil_name: str
    destination_school: str
    destination_dsl: str
    destination_contact: str
    left_on: date
    joining_on: date | None
    source: str
    state: str
    due: date  # send by (KCSIE)
    chase_on: date | None
    days_left: int  # working days to `due` (negative: overdue by)
    sent_at: datetime | None
    sent_by: str
    acknowledged_at: datetime | None
    received_by_name: str
    received_on: date | None

    @property
    def countdown(self) -> str:
        if self.state == TO_SEND:
            n = self.days_left
            return "due today" if n == 0 else f"{n} working day{'s' if n != 1 else ''} left"
        if self.state == OVERDUE:
            return f"overdue by {-self.days_left} working day{'s' if self.days_left != -1 else ''}"
        if self.state == SENT:
            return f"chase on {self.chase_on:%d %b}" if self.chase_on else "awaiting receipt"
        if self.state == CHASE:
            return f"no receipt: chase since {self.chase_on:%d %b}"
        return f"received by {self.received_by_name} on {self.received_on:%d %b %Y}" \
            if self.received_on else "acknowledged"


@dataclass(frozen=True)
class SentTransfer:
    transfer: TransferView
    pdf_path: Path
    bundle_path: Path
    password: str | None  # only when generated: shown once, never stored
    fingerprint: str
    content_sha256: str


@dataclass(frozen=True)
class IncomingView:
    id: int
    pupil_id: int
    pupil_name: str
    from_school: str
    from_dsl: str
    fingerprint: str
    receipt_code: str
    received_at: datetime
    received_by: str
    records: int
    pupil_created: bool
    duplicate: bool = False
    state: str = RECEIVED


def _norm(name: str) -> str:
    return "".join(ch for ch in (name or "").casefold() if ch.isalnum())


def _working_days_left(due: date, on: date) -> int:
    from kiosk.rules.deadlines import working_days_between

    return working_days_between(on, due) if due >= on else -working_days_between(due, on)


def _view(t, profile) -> TransferView:
    from kiosk.models import User
    from kiosk.rules.deadlines import cp_file_transfer_deadline, receipt_chase_date

    now = today()
    due = cp_file_transfer_deadline(t.left_on, profile)
    chase_on = receipt_chase_date(to_local(t.sent_at).date(), profile) if t.sent_at else None
    if t.acknowledged_at:
        state = ACKNOWLEDGED
    elif t.sent_at:
        state = CHASE if now >= chase_on else SENT
    else:
        state = OVERDUE if now > due else TO_SEND
    sent_by = ""
    if t.sent_by_id:
        u = User.get_or_none(User.id == t.sent_by_id)
        sent_by = u.full_name if u else "?"
    return TransferView(
        id=t.id, pupil_id=t.pupil_id, pupil_name=t.pupil.display_name,
        destination_school=t.destination_school, destination_dsl=t.destination_dsl,
        destination_contact=t.destination_contact, left_on=t.left_on, joining_on=t.joining_on,
        source=t.source, state=state, due=due, chase_on=chase_on,
        days_left=_working_days_left(due, now), sent_at=t.sent_at, sent_by=sent_by,
        acknowledged_at=t.acknowledged_at, received_by_name=t.received_by_name,
        received_on=t.received_on)


def _get(transfer_id: int):
    from kiosk.models.transfers import Transfer

    t = Transfer.get_or_none(Transfer.id == transfer_id)
    if t is None:
        raise NotFound(f"no transfer {transfer_id}")
    return t


def start_transfer(actor: Actor, pupil_id: int, *, destination_school: str, destination_dsl: str,
                   left_on: date, joining_on: date | None = None, destination_contact: str = "",
                   source: str = "manual", source_ref: str = "", profile=None) -> TransferView:
    """Record a move: where the pupil is going, to whom the file goes, and when they left."""
    require(actor, Cap.EXPORT_TRANSFER)
    from kiosk.models.transfers import Transfer
    from kiosk.services import pupils

    school = clean(destination_school, "destination school", required=True, max_length=200)
    dsl = clean(destination_dsl, "their DSL", required=True, max_length=200)
    contact = clean(destination_contact, "their secure contact", max_length=200)
    ref = clean(source_ref, "source", max_length=64)
    if source not in ("manual", "roll_import"):
        raise ValidationError("source", "must be manual or roll_import")
    if not isinstance(left_on, date):
        raise ValidationError("date left", "must be a date")
    if joining_on is not None and joining_on < left_on:
        raise ValidationError("joining date", "is before the date the pupil left")
    if (left_on - today()).days > 120:
        raise ValidationError("date left", "is more than four months ahead")
    with dbmod.write():
        p = pupils.get(actor, pupil_id)
        open_one = Transfer.select().where((Transfer.pupil == p.id) & Transfer.acknowledged_at.is_null()
                                           & (Transfer.destination_school == school)).first()
        if open_one is not None:
            raise ValidationError("destination school", "a transfer to this school is already under way")
        t = Transfer.create(pupil=p.id, destination_school=school, destination_dsl=dsl,
                            destination_contact=contact, left_on=left_on, joining_on=joining_on,
                            source=source, source_ref=ref, started_by=actor.user_id)
        audit.record(actor, "transfer.start", "pupil", p.id, {"transfer": t.id, "source": source})
    return _view(_get(t.id), profile)


def transfer_for_source(actor: Actor, source_ref: str, profile=None) -> TransferView | None:
    """The transfer the roll import's leaver item started, if any."""
    require(actor, Cap.EXPORT_TRANSFER)
    from kiosk.models.transfers import Transfer

    t = Transfer.select().where((Transfer.source == "roll_import") & (Transfer.source_ref == source_ref)).first()
    return _view(t, profile) if t else None


def move_defaults(actor: Actor, pupil_id: int) -> dict:
    """What the move form can start from: the date the pupil left, once the roll import
    (issue 14) has recorded one on the pupil."""
    require(actor, Cap.EXPORT_TRANSFER)
    from kiosk.services import pupils

    p = pupils.get(actor, pupil_id)
    left = getattr(p, "left_on", None)
    return {"left_on": left if isinstance(left, date) else None}


def pupils_with_file_sent(pupil_ids) -> set[int]:
    """Of these pupils, those whose file has been sent (for the roll import's leavers list,
    which lists a leaver until records out marks their file sent). No capability: ids only."""
    from kiosk.models.transfers import Transfer

    ids = list(pupil_ids)
    if not ids:
        return set()
    return {pid for (pid,) in Transfer.select(Transfer.pupil).where(
        Transfer.pupil.in_(ids) & Transfer.sent_at.is_null(False)).tuples()}


def transfers(actor: Actor, profile=None, include_done: bool = True) -> list[TransferView]:
    """Every move out, most urgent first."""
    require(actor, Cap.EXPORT_TRANSFER)
    from kiosk.models.transfers import Transfer

    with dbmod.translate_errors():
        q = Transfer.select().order_by(Transfer.left_on, Transfer.id)
        if not include_done:
            q = q.where(Transfer.acknowledged_at.is_null())
        views = [_view(t, profile) for t in q]
    order = {OVERDUE: 0, CHASE: 1, TO_SEND: 2, SENT: 3, ACKNOWLEDGED: 4}
    return sorted(views, key=lambda v: (order[v.state], v.days_left))


def transfer(actor: Actor, transfer_id: int, profile=None) -> TransferView:
    require(actor, Cap.EXPORT_TRANSFER)
    return _view(_get(transfer_id), profile)


def for_pupil(actor: Actor, pupil_id: int, profile=None) -> list[TransferView]:
    require(actor, Cap.EXPORT_TRANSFER)
    from kiosk.models.transfers import Transfer

    return [_view(t, profile) for t in Transfer.select().where(Transfer.pupil == pupil_id).order_by(Transfer.id)]


def restricted_to_confirm(actor: Actor, transfer_id: int) -> tuple[list[dict], int]:
    """Restricted concerns the DSL may include (each needs their confirmation), and how many
    more exist that they are not named on (those stay out and are counted in the file)."""
    require(actor, Cap.EXPORT_TRANSFER)
    from kiosk.services import casefile

    return casefile.restricted_choices(actor, _get(transfer_id).pupil_id)


def send_transfer(actor: Actor, settings, profile, transfer_id: int, *, password: str | None = None,
                  summary: str = "", include_restricted=()) -> SentTransfer:
    """Write the encrypted PDF and the sealed bundle; mark the transfer sent. Audited with
    both files' hashes. With no password one is generated and returned (shown once)."""
    require(actor, Cap.EXPORT_TRANSFER)
    from kiosk.exports import bundle, case_pdf, files
    from kiosk.exports.pdf import Furniture, check_password, generate_password
    from kiosk.models.transfers import Transfer
    from kiosk.services import casefile

    generated = password is None or password == ""
    pw = generate_password() if generated else check_password(password)
    why = clean(summary, "the DSL's summary", multiline=True, max_length=4000)
    if profile is None:
        raise ValidationError("profile", "the school's profile is needed to name the sending school")
    with dbmod.translate_errors():
        t = _get(transfer_id)
        if t.acknowledged_at is not None:
            raise ValidationError("transfer", "already acknowledged by the receiving school")
        content = casefile.build(actor, t.pupil_id, profile=profile, include_restricted=include_restricted,
                                 redact=True)
        move = {"destination_school": t.destination_school, "destination_dsl": t.destination_dsl,
                "left_on": t.left_on.isoformat(),
                "joining_on": t.joining_on.isoformat() if t.joining_on else ""}
        produced_at = fmt_local(utcnow())
        content["transfer"] = dict(move, sending_school=profile.school_name, sending_dsl=profile.dsl.name,
                                   dsl_summary=why, produced_by=actor.full_name, produced_at=produced_at)
        name = f"{content['pupil']['first_name']} {content['pupil']['last_name']}"
        furniture = Furniture(profile.school_name, name + (f" (UPN {t.pupil.upn})" if t.pupil.upn else "")
                              + f", date of birth {t.pupil.date_of_birth:%d %b %Y}",
                              "Child protection file: transfer", actor.full_name, produced_at)
        pdf_bytes = case_pdf.transfer_pdf(content, furniture, move, why, pw)
        key = bundle.load_or_create_school_key(settings.data_dir)
        sealed, digest = bundle.seal(content, pw, key, profile.school_name, t.destination_school)
        out = files.export_dir(settings)
        stem = f"cp-file-{t.pupil.last_name}-{t.id}-{today():%Y%m%d}"
        pdf_file = files.write_export(out, stem, ".pdf", pdf_bytes)
        bundle_file = files.write_export(out, stem, ".cpbundle", sealed)
        included = sorted(int(i) for i in include_restricted)
        with dbmod.write():
            Transfer.update(sent_at=utcnow(), sent_by=actor.user_id, pdf_sha256=pdf_file.sha256,
                            bundle_sha256=bundle_file.sha256, content_sha256=digest,
                            receipt_key=bundle.receipt_key(pw).hex(),
                            restricted_included=",".join(map(str, included))).where(Transfer.id == t.id).execute()
            audit.record(actor, "transfer.send", "pupil", t.pupil_id, {
                "transfer": t.id, "pdf": pdf_file.path.name, "pdf_sha256": pdf_file.sha256,
                "bundle": bundle_file.path.name, "bundle_sha256": bundle_file.sha256,
                "content_sha256": digest, "restricted_included": included,
                "restricted_withheld": content["restricted_withheld"], "password": "generated" if generated else "typed"})
        view = _view(_get(t.id), profile)
    return SentTransfer(view, pdf_file.path, bundle_file.path, pw if generated else None,
                        bundle.fingerprint(bundle.public_bytes(key)), digest)


def record_ack(actor: Actor, transfer_id: int, code: str, *, received_by: str,
               received_on: date | None = None, profile=None) -> TransferView:
    """The receiving DSL read back their receipt code: check it and mark the file transferred."""
    require(actor, Cap.EXPORT_TRANSFER)
    from kiosk.exports import bundle
    from kiosk.models.transfers import Transfer

    who = clean(received_by, "received by", required=True, max_length=200)
    when = received_on or today()
    with dbmod.write():
        t = _get(transfer_id)
        if t.sent_at is None:
            raise ValidationError("transfer", "has not been sent yet")
        if t.acknowledged_at is not None:
            raise ValidationError("transfer", "receipt was already recorded")
        if not bundle.receipt_matches(code, t.content_sha256, bytes.fromhex(t.receipt_key)):
            audit.record(actor, "transfer.ack_refused", "pupil", t.pupil_id, {"transfer": t.id})
            raise ValidationError("receipt code", "does not match this transfer's file; check it with the receiving DSL")
        Transfer.update(acknowledged_at=utcnow(), acknowledged_by=actor.user_id, received_by_name=who,
                        received_on=when).where(Transfer.id == t.id).execute()
        audit.record(actor, "transfer.ack", "pupil", t.pupil_id, {"transfer": t.id, "received_on": when.isoformat()})
    return _view(_get(transfer_id), profile)


def find_transfer_for_code(actor: Actor, code: str) -> int | None:
    """The sent, unacknowledged transfer a receipt code belongs to (for `kiosk transfer ack`)."""
    require(actor, Cap.EXPORT_TRANSFER)
    from kiosk.exports import bundle
    from kiosk.models.transfers import Transfer

    for t in Transfer.select().where(Transfer.sent_at.is_null(False) & Transfer.acknowledged_at.is_null()):
        if bundle.receipt_matches(code, t.content_sha256, bytes.fromhex(t.receipt_key)):
            return t.id
    return None


# --- receiving ------------------------------------------------------------------------------

def _text(value, field: str, multiline: bool = True, max_length: int = 20000) -> str:
    if value is None:
        return ""
    if not isinstance(value, (str, int, float)):
        raise ValidationError(field, "is not text")
    return clean(str(value), field, multiline=multiline, max_length=max_length)


def _parse_day(value) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def receive(actor: Actor, settings, profile, data: bytes, password: str, *,
            expect_fingerprint: str | None = None, accept_other_name: bool = False) -> IncomingView:
    """Open a bundle, refuse it if altered, foreign or not for us, and import its records."""
    require(actor, Cap.EXPORT_TRANSFER)
    from kiosk.exports import bundle
    from kiosk.models.pupils import Pupil
    from kiosk.models.transfers import ReceivedRecord, TransferIn
    from kiosk.services import casefile

    try:
        opened = bundle.open_bundle(data, password)
    except bundle.BundleError as exc:
        audit.record(actor, "transfer.receive_refused", detail={"reason": str(exc)[:200]})
        raise
    here = profile.school_name if profile is not None else ""
    if not accept_other_name and _norm(opened.destination_school) != _norm(here):
        audit.record(actor, "transfer.receive_refused", detail={"reason": "addressed elsewhere"})
        raise bundle.BundleError(
            f"this file is addressed to {opened.destination_school!r}, not to this school ({here!r}); "
            "if that is only a different spelling, confirm it and try again")
    if expect_fingerprint and _norm(expect_fingerprint) != _norm(opened.sender_fingerprint):
        audit.record(actor, "transfer.receive_refused", detail={"reason": "unexpected key"})
        raise bundle.BundleError(
            f"the sending school's key is {opened.sender_fingerprint}, not the {expect_fingerprint} you were "
            "given: this file did not come from them; it was not imported")
    with dbmod.write():
        pinned = {t.sender_fingerprint for t in TransferIn.select(TransferIn.from_school, TransferIn.sender_fingerprint)
                  if _norm(t.from_school) == _norm(opened.sender_school)}
        if pinned and opened.sender_fingerprint not in pinned and not expect_fingerprint:
            audit.record(actor, "transfer.receive_refused", detail={"reason": "key changed"})
            raise bundle.BundleError(
                f"{opened.sender_school} sent files before with another key; this one ({opened.sender_fingerprint}) "
                "may be foreign. Check the key with their DSL by phone and give it with --sender-key")
        existing = TransferIn.get_or_none(TransferIn.content_sha256 == opened.content_sha256)
        if existing is not None:
            return _incoming(existing, duplicate=True)
        c = opened.content
        pupil = c.get("pupil") if isinstance(c.get("pupil"), dict) else {}
        move = c.get("transfer") if isinstance(c.get("transfer"), dict) else {}
        first = _text(pupil.get("first_name"), "first name", False, 100)
        last = _text(pupil.get("last_name"), "last name", False, 100)
        upn = _text(pupil.get("upn"), "unique pupil number", False, 13) or None
        dob = _parse_day(pupil.get("date_of_birth"))
        if not first or not last or dob is None:
            raise bundle.BundleError("the bundle has no pupil name or date of birth; nothing was imported")
        match = Pupil.get_or_none(Pupil.upn == upn) if upn else None
        created = match is None
        if created:
            preferred = _text(pupil.get("preferred_name"), "preferred name", False, 100)
            year = pupil.get("year_group")
            match = Pupil.create(first_name=first, last_name=last, preferred_name=preferred, date_of_birth=dob,
                                 year_group=year if isinstance(year, int) and -1 <= year <= 14 else 0,
                                 form_group="", upn=upn, first_key=first.lower(), last_key=last.lower(),
                                 preferred_key=preferred.lower())
            audit.record(actor, "pupil.create", "pupil", match.id, {"joining_from": "transfer"})
        sender = _text(opened.sender_school, "sending school", False, 200)
        code = bundle.receipt_code(opened.content_sha256, password)
        tin = TransferIn.create(pupil=match.id, from_school=sender,
                                from_dsl=_text(move.get("sending_dsl"), "sending DSL", False, 200),
                                sender_fingerprint=opened.sender_fingerprint,
                                content_sha256=opened.content_sha256, receipt_code=code,
                                pupil_created=int(created), received_by=actor.user_id,
                                received_by_name=actor.full_name)
        try:
            entries = casefile.timeline({k: c.get(k) or [] for k in
                                         ("concerns", "flag_changes", "early_help", "received")})
        except (KeyError, TypeError, ValueError, AttributeError):
            raise bundle.BundleError("the records in this bundle are not in the expected form; nothing was imported")
        summary = _text(move.get("dsl_summary"), "summary")
        rows = []
        if summary:
            rows.append({"on": move.get("produced_at", ""), "kind": "Summary",
                         "title": "The sending DSL's summary", "detail": summary})
        from datetime import time as dtime

        from kiosk.clock import to_utc

        received_at = utcnow()
        for i, e in enumerate(rows + entries):
            day = _parse_day(e.get("on"))
            at = to_utc(datetime.combine(day, dtime(12, 0))) if day else received_at
            ReceivedRecord.create(transfer=tin.id, pupil=match.id, kind=_text(e.get("kind"), "kind", False, 20)[:20],
                                  at=at, title=_text(e.get("title"), "title"), detail=_text(e.get("detail"), "detail"),
                                  position=i)
        audit.record(actor, "transfer.receive", "pupil", match.id, {
            "from_school": sender, "content_sha256": opened.content_sha256,
            "bundle_sha256": hashlib.sha256(data).hexdigest(),
            "sender_key": opened.sender_fingerprint, "records": len(rows) + len(entries), "pupil_created": created})
        return _incoming(tin)


def _incoming(t, duplicate: bool = False) -> IncomingView:
    from kiosk.models.transfers import ReceivedRecord

    n = ReceivedRecord.select().where(ReceivedRecord.transfer == t.id).count()
    return IncomingView(t.id, t.pupil_id, t.pupil.display_name, t.from_school, t.from_dsl,
                        t.sender_fingerprint, t.receipt_code, t.received_at, t.received_by_name, n,
                        bool(t.pupil_created), duplicate)


def incoming(actor: Actor) -> list[IncomingView]:
    require(actor, Cap.EXPORT_TRANSFER)
    from kiosk.models.transfers import TransferIn

    return [_incoming(t) for t in TransferIn.select().order_by(TransferIn.received_at.desc())]


def receipt_file(view: IncomingView) -> bytes:
    """A small receipt to send back instead of reading the code out."""
    return json.dumps({"format": "kiosk-cp-receipt", "version": 1, "from_school": view.from_school,
                       "received_by": view.received_by, "received_on": to_local(view.received_at).date().isoformat(),
                       "receipt_code": view.receipt_code}, indent=1).encode("utf-8")


def home_counts(actor: Actor, profile=None) -> list:
    """One line per transfer still in hand, by state and countdown; no names on the home screen."""
    if not actor.can(Cap.EXPORT_TRANSFER):
        return []
    from kiosk.services.home import HomeCount

    out = []
    for v in transfers(actor, profile, include_done=False):
        out.append(HomeCount(f"CP file transfer {v.state}: {v.countdown}",
                             v.days_left if v.state in (TO_SEND, OVERDUE) else "\u2713" if v.state == SENT else "!",
                             urgent=v.state in (OVERDUE, CHASE) or (v.state == TO_SEND and v.days_left <= 1),
                             key="f"))
    for v in incoming(actor)[:3]:
        if (utcnow() - v.received_at).days <= 7:
            out.append(HomeCount(f"CP file received from {v.from_school}: receipt code {v.receipt_code}",
                                 "in", key="f"))
    return out


def overview(actor: Actor, profile=None) -> tuple[list[TransferView], list[IncomingView]]:
    """What the transfers screen shows: the moves out, most urgent first, and files received."""
    return transfers(actor, profile), incoming(actor)
