"""A pupil's chronology: everything about one child, newest first, filterable by category.

Concerns (and their actions, status events and amendments), flag changes kept by the DSL
team, and early-help events (from `kiosk.services.early_help.chronology_entries`). A restricted concern the actor is not named on shows as one "Restricted
concern" line with no category, text or actions; with a category filter it is left out
altogether (showing it under every filter would say nothing, under one would say too much).
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime, time

from kiosk import db as dbmod
from kiosk.capabilities import Cap
from kiosk.clock import to_local, to_utc
from kiosk.services import audit, early_help, people
from kiosk.services.actor import Actor, require
from kiosk.services.chronology_entry import ChronologyEntry

log = logging.getLogger(__name__)

# Kinds of entry, in the order they sort when two share the same moment (later kinds first).
KINDS = ("concern", "action", "event", "amendment", "flag", "early_help", "transfer", "received", "removed")


# The entry type lives apart so that domains (early help) can make entries without
# importing the chronology, which reads them.
__all__ = ["ChronologyEntry", "KINDS", "chronology"]


def _local_moment(day: date, hhmm: str, fallback_utc: datetime | None) -> datetime:
    """A local date (and optional "HH:MM") as naive UTC for ordering.

    Without a time: the moment it was written down if that was the same day, else the
    start of the day.
    """
    if hhmm:
        h, m = (int(x) for x in hhmm.split(":"))
        return to_utc(datetime.combine(day, time(h, m)))
    if fallback_utc is not None and to_local(fallback_utc).date() == day:
        return fallback_utc
    return to_utc(datetime.combine(day, time(0, 0)))


def _clip(text: str, n: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "\u2026"


class _Row:
    """The few columns of a concern the chronology needs (no model instances: a pupil with
    hundreds of concerns must still load in milliseconds)."""

    __slots__ = ("id", "restricted", "recorded_by_id", "urgent", "source", "description",
                 "occurred_on", "occurred_time", "recorded_at", "role")

    def __init__(self, values) -> None:
        for name, value in zip(self.__slots__, values):
            setattr(self, name, value)


def _concern_entries(actor: Actor, pupil_id: int, category: str | None) -> list[ChronologyEntry]:
    from kiosk.models.concerns import (
        ACTION_KINDS, AMENDABLE_FIELDS, CLOSE_OUTCOMES, EVENT_KINDS, PUPIL_ROLES, SOURCES,
        Concern, ConcernAction, ConcernAmendment, ConcernCategoryLink, ConcernEvent, ConcernPupil,
    )
    from kiosk.services import concerns as svc

    from kiosk.models.pupils import Pupil

    # A child recorded as not on roll and later matched to this pupil: their concerns too.
    merged = [i for (i,) in Pupil.select(Pupil.id).where(Pupil.merged_into == pupil_id).tuples()]
    of_pupil = ConcernPupil.pupil.in_([pupil_id, *merged]) if merged else (ConcernPupil.pupil == pupil_id)
    rows = [_Row(t) for t in (
        Concern.select(Concern.id, Concern.restricted, Concern.recorded_by, Concern.urgent,
                       Concern.source, Concern.description, Concern.occurred_on,
                       Concern.occurred_time, Concern.recorded_at, ConcernPupil.role)
        .join(ConcernPupil, on=(ConcernPupil.concern == Concern.id)).where(of_pupil).tuples())]
    if not rows:
        return []
    levels = {r.id: svc.access_level(actor, r) for r in rows}
    full = [r for r in rows if levels[r.id] == svc.FULL]
    hidden = [r for r in rows if levels[r.id] == svc.RESTRICTED]
    full_ids = {r.id for r in full}

    def of_this_pupil(model, *columns):
        # Only the columns shown, as light named tuples: a pupil with hundreds of concerns
        # has thousands of actions and events, and full model rows dominated the time.
        fields = [model.id, model.concern.alias("concern_id")]
        for name in columns:
            field = getattr(model, name)
            fields.append(field.alias(name + "_id") if name in ("by", "recorded_by", "subject_user") else field)
        return (model.select(*fields).join(ConcernPupil, on=(ConcernPupil.concern == model.concern))
                .where(of_pupil).namedtuples())

    cat_keys: dict[int, list[str]] = {}
    for cid, key in (ConcernCategoryLink.select(ConcernCategoryLink.concern, ConcernCategoryLink.category)
                     .join(ConcernPupil, on=(ConcernPupil.concern == ConcernCategoryLink.concern))
                     .where(of_pupil).order_by(ConcernCategoryLink.position).tuples()):
        if cid in full_ids:
            cat_keys.setdefault(cid, []).append(key)
    cat_names = svc.category_names({k for keys in cat_keys.values() for k in keys})
    if category is not None:
        full = [r for r in full if category in cat_keys.get(r.id, ())]
        full_ids = {r.id for r in full}
        hidden = []
    out: list[ChronologyEntry] = []
    for r in hidden:
        out.append(ChronologyEntry(
            at=_local_moment(r.occurred_on, r.occurred_time, r.recorded_at), kind="concern",
            title="Restricted concern", detail="Restricted to named members of the DSL team.",
            category=None, record_type="concern", record_id=r.id, restricted=True, seq=r.id))
    if not full:
        return out
    actions = [a for a in of_this_pupil(ConcernAction, "kind", "action_date", "taken_by", "notes",
                                        "rationale", "recorded_by", "recorded_at")
               if a.concern_id in full_ids]
    events = [e for e in of_this_pupil(ConcernEvent, "kind", "by", "at", "subject_user", "summary",
                                       "outcome", "reasoning")
              if e.concern_id in full_ids]
    amendments = [a for a in of_this_pupil(ConcernAmendment, "field", "text", "reason", "by", "at")
                  if a.concern_id in full_ids]
    names = people.names([r.recorded_by_id for r in full]
                       + [a.recorded_by_id for a in actions] + [e.by_id for e in events]
                       + [e.subject_user_id for e in events] + [a.by_id for a in amendments])
    first_cat: dict[int, str | None] = {}
    restricted_ids = {r.id for r in full if r.restricted}
    for r in full:
        keys = cat_keys.get(r.id, [])
        first_cat[r.id] = category if category is not None else (keys[0] if keys else None)
        role_note = "" if r.role == "subject" else f" ({PUPIL_ROLES.get(r.role, r.role).lower()})"
        title = f"{'URGENT ' if r.urgent else ''}Concern {svc.ref_for(r.id)}: " + \
            (", ".join(cat_names.get(k, k) for k in keys) or "uncategorised") + role_note
        detail = (f"{SOURCES.get(r.source, r.source)}. {_clip(r.description)} "
                  f"Recorded by {names.get(r.recorded_by_id, '?')}.")
        out.append(ChronologyEntry(
            at=_local_moment(r.occurred_on, r.occurred_time, r.recorded_at), kind="concern",
            title=title, detail=detail, category=first_cat[r.id], record_type="concern",
            record_id=r.id, restricted=r.restricted, seq=r.id))
    by = names
    # The fields a statutory action's kind asks for (the LA's reference, a conference date).
    from kiosk.models.concerns import ConcernActionDetail
    from kiosk.rules.action_kinds import describe

    action_details = {d.action_id: json.loads(d.fields) for d in ConcernActionDetail.select().where(
        ConcernActionDetail.action.in_([a.id for a in actions]))} if actions else {}
    for a in actions:
        extra = "".join(f"{label}: {_clip(value)}. "
                        for label, value in describe(a.kind, action_details.get(a.id, {})))
        out.append(ChronologyEntry(
            at=_local_moment(a.action_date, "", a.recorded_at), kind="action",
            title=f"Action on {svc.ref_for(a.concern_id)}: {ACTION_KINDS.get(a.kind, a.kind)}",
            detail=f"By {a.taken_by}. {extra}{_clip(a.notes)} Why: {_clip(a.rationale)}".replace("  ", " "),
            category=first_cat[a.concern_id], record_type="concern", record_id=a.concern_id,
            restricted=a.concern_id in restricted_ids, seq=a.id))
    for e in events:
        label = EVENT_KINDS.get(e.kind, e.kind)
        if e.kind == "closed":
            detail = (f"Outcome: {CLOSE_OUTCOMES.get(e.outcome, e.outcome)}. {_clip(e.summary)} "
                      f"Reasoning: {_clip(e.reasoning)}")
        elif e.kind in ("owner", "shared", "unshared"):
            detail = by.get(e.subject_user_id, "") + (f". {_clip(e.reasoning)}" if e.reasoning else "")
            if e.kind == "owner" and e.summary:  # a handover note (issue 18)
                detail += f". Handover: {_clip(e.summary)}"
        else:
            detail = _clip(e.reasoning)
        out.append(ChronologyEntry(
            at=e.at, kind="event", title=f"{svc.ref_for(e.concern_id)} {label.lower()} by {by.get(e.by_id, '?')}",
            detail=detail, category=first_cat[e.concern_id], record_type="concern",
            record_id=e.concern_id, restricted=e.concern_id in restricted_ids, seq=e.id))
    for a in amendments:
        out.append(ChronologyEntry(
            at=a.at, kind="amendment",
            title=f"{svc.ref_for(a.concern_id)} amended ({AMENDABLE_FIELDS.get(a.field, a.field)}) "
                  f"by {by.get(a.by_id, '?')}",
            detail=f"{_clip(a.text)} Reason: {_clip(a.reason)}", category=first_cat[a.concern_id],
            record_type="concern", record_id=a.concern_id, restricted=a.concern_id in restricted_ids,
            seq=a.id))
    return out


def _flag_entries(pupil_id: int) -> list[ChronologyEntry]:
    from kiosk.models.pupils import PupilFlagChange
    from kiosk.rules.flags import flag_label

    changes = list(PupilFlagChange.select().where(PupilFlagChange.pupil == pupil_id))
    by = people.names([c.by_id for c in changes])
    return [ChronologyEntry(
        at=c.at, kind="flag",
        title=f"{flag_label(c.flag, c.label)}: {'set' if c.value else 'removed'} by {by.get(c.by_id, '?')}",
        detail=(f"From {c.effective_on:%d/%m/%Y}. " if c.effective_on else "") + _clip(c.reason),
        category=None, record_type="pupil", record_id=pupil_id, seq=c.id)
        for c in changes]


def _transfer_entries(pupil_id: int) -> list[ChronologyEntry]:
    """The file's moves: sent to the next school (and who received it), received from the last.
    Received records are shown apart: read-only, titled with the school they came from."""
    from kiosk.clock import fmt_local
    from kiosk.models.transfers import ReceivedRecord, Transfer, TransferIn

    out: list[ChronologyEntry] = []
    for t in Transfer.select().where(Transfer.pupil == pupil_id):
        if t.sent_at:
            out.append(ChronologyEntry(
                at=t.sent_at, kind="transfer", title=f"Child protection file sent to {t.destination_school}",
                detail=f"For {t.destination_dsl}. Pupil left on {t.left_on:%d %b %Y}.", category=None,
                record_type="transfer", record_id=t.id, seq=t.id))
        if t.acknowledged_at:
            out.append(ChronologyEntry(
                at=t.acknowledged_at, kind="transfer",
                title=f"File transferred: received by {t.received_by_name} on {t.received_on:%d %b %Y}",
                detail=f"{t.destination_school}. This school keeps its copy (retention applies).",
                category=None, record_type="transfer", record_id=t.id, seq=t.id))
    for r in (ReceivedRecord.select(ReceivedRecord, TransferIn).join(TransferIn)
              .where(ReceivedRecord.pupil == pupil_id)):
        t = r.transfer
        out.append(ChronologyEntry(
            at=r.at, kind="received",
            title=f"Received from {t.from_school} on {fmt_local(t.received_at)[:11]}: {_clip(r.title, 100)}",
            detail=_clip(r.detail, 400), category=None, record_type="received", record_id=r.id, seq=r.id))
    return out


def _tombstone_entries(actor: Actor, pupil_id: int) -> list[ChronologyEntry]:
    """Records removed under retention: what and when, who and why, never what they said."""
    from kiosk.services import retention

    return [ChronologyEntry(
        at=t.removed_at, kind="removed",
        title=f"Record {t.ref} removed under the retention rules",
        detail=f"{_clip(t.rule)}. Reason: {_clip(t.reason)} Proposed by {t.proposed_by}, "
               f"confirmed by {t.confirmed_by}.",
        category=None, record_type="retention_tombstone", record_id=t.id, seq=t.id)
        for t in retention.tombstones_for_pupil(actor, pupil_id)]


def early_help_entries(actor: Actor, pupil_id: int) -> list[ChronologyEntry]:
    if not actor.can(Cap.EARLY_HELP_VIEW):
        return []
    return list(early_help.chronology_entries(actor, pupil_id))


def chronology(actor: Actor, pupil_id: int, category: str | None = None) -> list[ChronologyEntry]:
    """Everything about the pupil the actor may see, newest first. Audited."""
    require(actor, Cap.CHRONOLOGY_VIEW)
    from kiosk.services import pupils

    with dbmod.translate_errors():
        pupils.get(actor, pupil_id)  # NotFound for an unknown pupil
        entries = _concern_entries(actor, pupil_id, category)
        if category is None:
            entries += _flag_entries(pupil_id)
            entries += _transfer_entries(pupil_id)
            entries += _tombstone_entries(actor, pupil_id)
        for e in early_help_entries(actor, pupil_id):
            if category is None or e.category == category:
                entries.append(e)
        rank = {k: i for i, k in enumerate(KINDS)}
        entries.sort(key=lambda e: (e.at, rank.get(e.kind, len(KINDS)), e.seq, e.record_id),
                     reverse=True)
        audit.record(actor, "chronology.view", "pupil", pupil_id,
                     {"category": category, "entries": len(entries)})
        return entries
