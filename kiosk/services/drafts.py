"""Drafts: a form in progress kept when the screen locks, offered back to its owner only.

A draft is protected like a record: only the user who typed it can list, open or
discard it (anyone else gets NotFound, as if it did not exist), and every save, open
and discard is audited without its content. One draft per (user, form); a newer save
replaces the older. Deleting a draft row is allowed: a draft is not a record.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from kiosk import db as dbmod
from kiosk.clock import utcnow
from kiosk.errors import NotFound, PermissionDenied, ValidationError
from kiosk.services import audit
from kiosk.services.actor import Actor, require_signed_in
from kiosk.text import LONG_MAX, has_control_chars

MAX_PAYLOAD = 200_000
PAYLOAD_VERSION = 1


@dataclass(frozen=True)
class DraftInfo:
    id: int
    form_id: str
    title: str
    saved_at: datetime


@dataclass(frozen=True)
class DraftData:
    id: int
    form_id: str
    title: str
    screen: str  # "module:Class" of the FormScreen that saved it
    state: dict
    saved_at: datetime


def _need_account(actor: Actor) -> int:
    require_signed_in(actor)
    if actor.user_id is None:
        # Shell actors have no account to own a draft.
        raise PermissionDenied("draft", "Only a signed-in user can keep drafts.")
    return actor.user_id


def _check_form_id(form_id: str) -> str:
    if not form_id or len(form_id) > 64 or not all(c.isalnum() or c in "._-" for c in form_id):
        raise ValidationError("form", "a draft needs a short form identifier")
    return form_id


def _check_state(value, depth: int = 0) -> None:
    """Every text in a draft passes the same check as text typed into a form: a draft
    stored by an older console, or written to the database another way, must not put
    control characters into a field (or onto the terminal) when it is opened."""
    if depth > 8:
        raise ValidationError("draft", "is nested too deeply to be a form")
    if isinstance(value, str):
        if has_control_chars(value, multiline=True):
            raise ValidationError("draft", "contains control characters, which are not allowed")
        if len(value) > LONG_MAX:
            raise ValidationError("draft", f"holds a text longer than {LONG_MAX} characters")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_state(key, depth + 1)
            _check_state(item, depth + 1)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _check_state(item, depth + 1)
    elif value is not None and not isinstance(value, (bool, int, float)):
        raise ValidationError("draft", "holds something that is not form data")


def save_draft(actor: Actor, form_id: str, screen_class_path: str, state: dict,
               title: str = "", autosave: bool = False) -> int:
    """Keep (or replace) this user's draft of one form. Returns the draft id.

    `autosave`: the console's save every few seconds while typing; only the first save of
    a draft is audited then (the lock's save, a restore and a discard always are)."""
    from kiosk.models import Draft

    user_id = _need_account(actor)
    _check_form_id(form_id)
    if ":" not in screen_class_path:
        raise ValidationError("screen", "must be 'module:Class'")
    _check_state(state)
    _check_state(title)
    payload = json.dumps(
        {"v": PAYLOAD_VERSION, "screen": screen_class_path, "title": title[:120], "state": state},
        ensure_ascii=False,
    )
    if len(payload) > MAX_PAYLOAD:
        raise ValidationError("draft", f"is too large to keep ({len(payload)} characters)")
    now = utcnow()
    with dbmod.write():
        row = Draft.get_or_none((Draft.user == user_id) & (Draft.form == form_id))
        first = row is None
        if row is None:
            row = Draft.create(user=user_id, form=form_id, payload=payload, saved_at=now)
        else:
            row.payload = payload
            row.saved_at = now
            row.save()
        if first or not autosave:
            audit.record(actor, "draft.save", "draft", row.id, {"form": form_id})
    return row.id


def _decode(row) -> dict:
    try:
        data = json.loads(row.payload)
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    return data


def list_drafts(actor: Actor) -> list[DraftInfo]:
    """This user's drafts, newest first (titles only; opening one is audited)."""
    from kiosk.models import Draft

    require_signed_in(actor)
    if actor.user_id is None:
        return []
    rows = Draft.select().where(Draft.user == actor.user_id).order_by(Draft.saved_at.desc())
    out = []
    for row in rows:
        data = _decode(row)
        out.append(DraftInfo(row.id, row.form, str(data.get("title") or row.form), row.saved_at))
    return out


def _own_row(actor: Actor, draft_id: int, action: str):
    from kiosk.models import Draft

    user_id = _need_account(actor)
    row = Draft.get_or_none(Draft.id == draft_id)
    if row is None or row.user_id != user_id:
        audit.record(actor, action + "_denied", "draft", draft_id)
        raise NotFound("no such draft")
    return row


def load_draft(actor: Actor, draft_id: int) -> DraftData:
    """Open one of the user's own drafts (audited). Anyone else's: NotFound."""
    row = _own_row(actor, draft_id, "draft.view")
    data = _decode(row)
    state = data.get("state") if isinstance(data.get("state"), dict) else {}
    try:
        _check_state(state)
        _check_state(data.get("title") or "")
        _check_state(data.get("screen") or "")
    except ValidationError:
        audit.record(actor, "draft.refused", "draft", row.id, {"form": row.form})
        raise ValidationError("draft", "holds text the console does not accept (control "
                                       "characters or too long); it cannot be opened") from None
    audit.record(actor, "draft.view", "draft", row.id, {"form": row.form})
    return DraftData(row.id, row.form, str(data.get("title") or row.form),
                     str(data.get("screen") or ""), state, row.saved_at)


def delete_draft(actor: Actor, draft_id: int, reason: str = "discarded") -> None:
    """Remove one of the user's own drafts: reason "restored" or "discarded"."""
    from kiosk.models import Draft

    _need_account(actor)
    if reason not in ("restored", "discarded", "submitted"):
        raise ValidationError("reason", "must be restored, discarded or submitted")
    with dbmod.write():
        row = _own_row(actor, draft_id, "draft.delete")
        Draft.delete().where(Draft.id == row.id).execute()
        audit.record(actor, "draft." + reason, "draft", row.id, {"form": row.form})


def discard_form_draft(actor: Actor, form_id: str) -> None:
    """After a form is submitted, drop any draft of it the user still had."""
    from kiosk.models import Draft

    require_signed_in(actor)
    if actor.user_id is None:
        return
    row = Draft.get_or_none((Draft.user == actor.user_id) & (Draft.form == form_id))
    if row is not None:
        delete_draft(actor, row.id, "submitted")
