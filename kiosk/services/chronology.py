"""A pupil's chronology: everything about one child, newest first, filterable by category.

Concerns (and their actions, status events and amendments), flag changes kept by the DSL
team, and early-help events (from `kiosk.services.early_help.chronology_entries`). A restricted concern the actor is not named on shows as one "Restricted
concern" line with no category, text or actions; with a category filter it is left out
altogether (showing it under every filter would say nothing, under one would say too much).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from kiosk import db as dbmod
from kiosk.capabilities import Cap
from kiosk.clock import local_time_utc, on_local_day, to_local, to_utc
from kiosk.errors import NotFound
from kiosk.services import audit, early_help, people
from kiosk.services.actor import Actor, require
from kiosk.services.chronology_entry import ChronologyEntry

log = logging.getLogger(__name__)

# Kinds of entry, in the order they sort when two share the same moment (later kinds first).
KINDS = ("concern", "action", "event", "amendment", "flag", "early_help", "transfer", "received", "removed")


# The entry type lives apart so that domains (early help) can make entries without
# importing the chronology, which reads them.
__all__ = ["ChronologyCursor", "ChronologyEntry", "ChronologyPage", "KINDS", "PAGE_SIZE", "chronology",
           "chronology_page"]


def _local_moment(day: date, hhmm: str, fallback_utc: datetime | None) -> datetime:
    """A local date (and optional "HH:MM") as naive UTC for ordering.

    Without a time: the moment it was written down if that was the same day, else the
    start of the day.
    """
    if hhmm:
        h, m = hhmm.split(":")
        return local_time_utc(day, int(h), int(m))
    if fallback_utc is not None and on_local_day(fallback_utc, day):
        return fallback_utc
    return local_time_utc(day)


def _clip(text: str, n: int = 160) -> str:
    # A long text is cut before its spaces are tidied: tidying only shortens it, so a
    # tidied head longer than n already decides the line.
    head = text[: 4 * n]
    short = " ".join(head.split())
    if len(short) > n:
        return short[: n - 1] + "\u2026"
    if len(head) < len(text):
        short = " ".join(text.split())
    return short if len(short) <= n else short[: n - 1] + "\u2026"


class _Row:
    """The few columns of a concern the chronology needs (no model instances: a pupil with
    hundreds of concerns must still load in milliseconds)."""

    __slots__ = ("id", "restricted", "recorded_by_id", "urgent", "source", "description",
                 "occurred_on", "occurred_time", "recorded_at", "role")

    def __init__(self, values) -> None:
        if len(values) == 10:
            (self.id, self.restricted, self.recorded_by_id, self.urgent, self.source, self.description,
             self.occurred_on, self.occurred_time, self.recorded_at, self.role) = values
        else:  # what access turns on: (id, restricted, recorded_by_id)
            self.id, self.restricted, self.recorded_by_id = values


class _Window:
    """One page's reach into each source: about `limit` rows, none after `before`.

    Each source reads its newest rows first and says, when it stopped at the limit, how
    far back it is complete (its horizon): every row it did not read is at or before that
    moment. Entries newer than every source's horizon are then in their final order. A
    source that stops reads the rest of its last row's date (or one row more), so what it
    read is newer than its horizon and one pass fills a page."""

    __slots__ = ("limit", "before", "before_day", "horizon", "merged")

    def __init__(self, limit: int, before: datetime | None, merged: list[int] = ()) -> None:
        self.limit = limit
        self.merged = list(merged)  # children not on roll later matched to the pupil
        self.before = before
        self.before_day = to_local(before).date() if before is not None else None
        self.horizon: datetime | None = None

    def stopped_at(self, moment: datetime) -> None:
        if self.horizon is None or moment > self.horizon:
            self.horizon = moment

    def read_before(self, stopped) -> None:
        """A source stopped with every unread row strictly older than `stopped` (a local
        date: then on an earlier day; a moment: then earlier than it)."""
        if stopped is None:
            return
        if isinstance(stopped, datetime):
            self.stopped_at(stopped - timedelta(microseconds=1))
        else:
            # The latest moment an entry of an earlier day can have is just before this
            # day's local midnight.
            self.stopped_at(to_utc(datetime.combine(stopped, time(0, 0))) - timedelta(microseconds=1))

    def keep_newest(self, *groups) -> list[list]:
        """Of (rows, their moment) groups, only the rows that can be on this page: the newest
        `limit` of them all older than `before`, with every row at or after `before` (the
        page's cursor drops those already shown). Fewer entries built; the rows left out
        are older than the horizon this sets, so a later page reads them again."""
        older = sorted((m for rows, moment in groups for m in map(moment, rows)
                        if self.before is None or m < self.before), reverse=True)
        if len(older) <= self.limit:
            return [rows for rows, _ in groups]
        cutoff = older[self.limit - 1]
        self.stopped_at(cutoff - timedelta(microseconds=1))
        return [[r for r in rows if moment(r) >= cutoff] for rows, moment in groups]

    def check_moments(self, rows, moment, limit: int) -> None:
        # Read `limit` rows (one more than the page needs): the last may share its moment
        # with rows not read, so it is left for later; the rest are settled.
        if len(rows) >= limit:
            self.stopped_at(moment(rows[-1]))


def _concern_moment(r) -> datetime:
    return _local_moment(r.occurred_on, r.occurred_time, r.recorded_at)


def _action_moment(a) -> datetime:
    return _local_moment(a.action_date, "", a.recorded_at)


def _stored_moment(x) -> datetime:
    return x.at


def _levels(actor: Actor, rows, svc) -> dict:
    """Each concern's access level for the actor (`concerns.access_level`), asking the
    actor's capability once for the unrestricted rows rather than once a row."""
    sees_all = actor.can(Cap.CONCERN_VIEW_ALL)
    return {r.id: svc.FULL if sees_all and not r.restricted else svc.access_level(actor, r) for r in rows}


def _concern_entries(actor: Actor, pupil_id: int, category: str | None,
                     window: _Window | None = None) -> list[ChronologyEntry]:
    from kiosk.models.concerns import (
        ACTION_KINDS, AMENDABLE_FIELDS, CLOSE_OUTCOMES, EVENT_KINDS, PUPIL_ROLES, SOURCES,
        Concern, ConcernAction, ConcernAmendment, ConcernCategoryLink, ConcernEvent, ConcernPupil,
    )
    from kiosk.services import concerns as svc

    from kiosk.models.pupils import Pupil

    # A child recorded as not on roll and later matched to this pupil: their concerns too.
    if window is None:
        merged = [i for (i,) in Pupil.select(Pupil.id).where(Pupil.merged_into == pupil_id).tuples()]
    else:
        from kiosk.services import chronology_sql as sql

        merged = window.merged
    of_pupil = ConcernPupil.pupil.in_([pupil_id, *merged]) if merged else (ConcernPupil.pupil == pupil_id)
    pupil_ids = [pupil_id, *merged]

    def of_this_pupil(model, *columns):
        # Only the columns shown, as light named tuples: a pupil with hundreds of concerns
        # has thousands of actions and events, and full model rows dominated the time.
        fields = [model.id, model.concern.alias("concern_id")]
        for name in columns:
            field = getattr(model, name)
            fields.append(field.alias(name + "_id") if name in ("by", "recorded_by", "subject_user") else field)
        return list(model.select(*fields).join(ConcernPupil, on=(ConcernPupil.concern == model.concern))
                    .where(of_pupil).namedtuples())

    if window is None:
        rows = [_Row(t) for t in (
            Concern.select(Concern.id, Concern.restricted, Concern.recorded_by, Concern.urgent,
                           Concern.source, Concern.description, Concern.occurred_on,
                           Concern.occurred_time, Concern.recorded_at, ConcernPupil.role)
            .join(ConcernPupil, on=(ConcernPupil.concern == Concern.id)).where(of_pupil).tuples())]
        if not rows:
            return []
        context = rows
        all_actions = all_events = all_amendments = None
    else:
        # A page: hand-written SQL (kiosk.services.chronology_sql), the newest of each kind,
        # one statement each, with what access to each row's concern turns on; an action or
        # status change may belong to an older concern than any on the page.
        found = {}
        for kind, before in (("concern", window.before_day), ("action", window.before_day),
                             ("event", window.before), ("amendment", window.before)):
            found[kind] = sql.page_read(kind, pupil_ids, before, category, window.limit)
            window.read_before(found[kind].stopped)
        rows = [_Row(t) for t in found["concern"].rows]
        all_actions, all_events, all_amendments = found["action"].rows, found["event"].rows, found["amendment"].rows
        known = {r.id for r in rows}
        # Of the others only what access turns on: they are not shown, only their records are.
        others = {t[0]: t for kind in ("action", "event", "amendment") for t in found[kind].concerns
                  if t[0] not in known}
        context = rows + [_Row(others[cid]) for cid in sorted(others)]
    levels = _levels(actor, context, svc)
    full_all = [r for r in context if levels[r.id] == svc.FULL]
    full_ids = {r.id for r in full_all}
    listed = {r.id for r in rows}
    full = [r for r in full_all if r.id in listed]
    hidden = [r for r in rows if levels[r.id] == svc.RESTRICTED]

    cat_keys: dict[int, list[str]] = {}
    if window is None:
        links = (ConcernCategoryLink.select(ConcernCategoryLink.concern, ConcernCategoryLink.category)
                 .join(ConcernPupil, on=(ConcernPupil.concern == ConcernCategoryLink.concern))
                 .where(of_pupil).order_by(ConcernCategoryLink.position).tuples())
        for cid, key in links:
            if cid in full_ids:
                cat_keys.setdefault(cid, []).append(key)
        cat_names = svc.category_names({k for keys in cat_keys.values() for k in keys})
    else:
        # One more statement: the categories (with their names) of the concerns shown, the
        # names of the users the page's rows name, the statutory fields of its actions.
        extras = sql.page_extras(
            full_ids,
            [r.recorded_by_id for r in rows] + [a.recorded_by_id for a in all_actions]
            + [e.by_id for e in all_events] + [e.subject_user_id for e in all_events]
            + [a.by_id for a in all_amendments],
            [a.id for a in all_actions if a.concern_id in full_ids]) if full_ids else sql.PageExtras([], {}, {})
        cat_names = {}
        for cid, key, name in extras.links:
            cat_keys.setdefault(cid, []).append(key)
            if name is not None:
                cat_names[key] = name
    if category is not None:
        full = [r for r in full if category in cat_keys.get(r.id, ())]
        full_all = [r for r in full_all if category in cat_keys.get(r.id, ())]
        full_ids = {r.id for r in full_all}
        hidden = []
    # Each row's moment worked out once (a time-zone conversion or two each).
    concern_at = {r.id: _concern_moment(r) for r in (*full, *hidden)}
    horizon = window.horizon if window is not None else None
    if horizon is not None:
        # What falls at or before the horizon is left for a later page: not built at all.
        full = [r for r in full if concern_at[r.id] > horizon]
        hidden = [r for r in hidden if concern_at[r.id] > horizon]
    out: list[ChronologyEntry] = []

    def restricted_lines():
        for r in hidden:
            out.append(ChronologyEntry(
                at=concern_at[r.id], kind="concern",
                title="Restricted concern", detail="Restricted to named members of the DSL team.",
                category=None, record_type="concern", record_id=r.id, restricted=True, seq=r.id))

    if not full_ids:
        restricted_lines()
        return out
    if window is None:
        all_actions = of_this_pupil(ConcernAction, "kind", "action_date", "taken_by", "notes",
                                    "rationale", "recorded_by", "recorded_at")
        all_events = of_this_pupil(ConcernEvent, "kind", "by", "at", "subject_user", "summary",
                                   "outcome", "reasoning")
        all_amendments = of_this_pupil(ConcernAmendment, "field", "text", "reason", "by", "at")
    actions = [a for a in all_actions if a.concern_id in full_ids]
    action_at = {a.id: _action_moment(a) for a in actions}
    events = [e for e in all_events if e.concern_id in full_ids]
    amendments = [a for a in all_amendments if a.concern_id in full_ids]
    if horizon is not None:
        actions = [a for a in actions if action_at[a.id] > horizon]
        events = [e for e in events if e.at > horizon]
        amendments = [a for a in amendments if a.at > horizon]
    if window is not None:
        full, hidden, actions, events, amendments = window.keep_newest(
            (full, lambda r: concern_at[r.id]), (hidden, lambda r: concern_at[r.id]),
            (actions, lambda a: action_at[a.id]),
            (events, _stored_moment), (amendments, _stored_moment))
    restricted_lines()
    if window is None:
        names = people.names([r.recorded_by_id for r in full]
                             + [a.recorded_by_id for a in actions] + [e.by_id for e in events]
                             + [e.subject_user_id for e in events] + [a.by_id for a in amendments])
    else:
        names = extras.names
    first_cat: dict[int, str | None] = {}
    restricted_ids = {r.id for r in full_all if r.restricted}
    for r in full_all:
        keys = cat_keys.get(r.id, [])
        first_cat[r.id] = category if category is not None else (keys[0] if keys else None)
    for r in full:
        keys = cat_keys.get(r.id, [])
        role_note = "" if r.role == "subject" else f" ({PUPIL_ROLES.get(r.role, r.role).lower()})"
        title = f"{'URGENT ' if r.urgent else ''}Concern {svc.ref_for(r.id)}: " + \
            (", ".join(cat_names.get(k, k) for k in keys) or "uncategorised") + role_note
        detail = (f"{SOURCES.get(r.source, r.source)}. {_clip(r.description)} "
                  f"Recorded by {names.get(r.recorded_by_id, '?')}.")
        out.append(ChronologyEntry(
            at=concern_at[r.id], kind="concern",
            title=title, detail=detail, category=first_cat[r.id], record_type="concern",
            record_id=r.id, restricted=r.restricted, seq=r.id))
    by = names
    # The fields a statutory action's kind asks for (the LA's reference, a conference date).
    from kiosk.models.concerns import ConcernActionDetail
    from kiosk.rules.action_kinds import describe

    if window is None:
        action_details = {d.action_id: json.loads(d.fields) for d in ConcernActionDetail.select().where(
            ConcernActionDetail.action.in_([a.id for a in actions]))} if actions else {}
    else:
        fields = extras.details
        action_details = {a.id: json.loads(fields[a.id]) for a in actions if a.id in fields}
    for a in actions:
        extra = "".join(f"{label}: {_clip(value)}. "
                        for label, value in describe(a.kind, action_details.get(a.id, {})))
        out.append(ChronologyEntry(
            at=action_at[a.id], kind="action",
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


def _flag_entries(pupil_id: int, window: _Window | None = None) -> list[ChronologyEntry]:
    from kiosk.models.pupils import PupilFlagChange
    from kiosk.rules.flags import flag_label

    if window is None:
        changes = list(PupilFlagChange.select().where(PupilFlagChange.pupil == pupil_id))
        by = people.names([c.by_id for c in changes])
    else:
        from kiosk.services import chronology_sql as sql

        changes, by = sql.flag_changes(pupil_id, window.before, window.limit + 1)
        window.check_moments(changes, lambda c: c.at, window.limit + 1)
    return [ChronologyEntry(
        at=c.at, kind="flag",
        title=f"{flag_label(c.flag, c.label)}: {'set' if c.value else 'removed'} by {by.get(c.by_id, '?')}",
        detail=(f"From {c.effective_on:%d/%m/%Y}. " if c.effective_on else "") + _clip(c.reason),
        category=None, record_type="pupil", record_id=pupil_id, seq=c.id)
        for c in changes]


def _transfer_entries(pupil_id: int, window: _Window | None = None, moves=None) -> list[ChronologyEntry]:
    """The file's moves: sent to the next school (and who received it), received from the last.
    Received records are shown apart: read-only, titled with the school they came from."""
    from kiosk.clock import fmt_local
    from kiosk.models.transfers import ReceivedRecord, Transfer, TransferIn

    out: list[ChronologyEntry] = []
    if window is None:
        transfers = list(Transfer.select().where(Transfer.pupil == pupil_id))
    else:
        transfers = moves.transfers  # chronology_sql.moves, read by the page
    for t in transfers:
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
    # A received file can hold hundreds of records: paged like the school's own.
    if window is None:
        received = [(r, r.transfer) for r in ReceivedRecord.select(ReceivedRecord, TransferIn).join(TransferIn)
                    .where(ReceivedRecord.pupil == pupil_id)]
    else:
        received = moves.received
        window.check_moments(received, lambda rt: rt[0].at, window.limit + 1)
    for r, t in received:
        out.append(ChronologyEntry(
            at=r.at, kind="received",
            title=f"Received from {t.from_school} on {fmt_local(t.received_at)[:11]}: {_clip(r.title, 100)}",
            detail=_clip(r.detail, 400), category=None, record_type="received", record_id=r.id, seq=r.id))
    return out


def _tombstone_entries(actor: Actor, pupil_id: int, window: _Window | None = None, moves=None) -> list[ChronologyEntry]:
    """Records removed under retention: what and when, who and why, never what they said."""
    if window is None:
        from kiosk.services import retention

        stones = retention.tombstones_for_pupil(actor, pupil_id)
    else:
        stones = moves.tombstones  # the page's caller has checked the capability
    return [ChronologyEntry(
        at=t.removed_at, kind="removed",
        title=f"Record {t.ref} removed under the retention rules",
        detail=f"{_clip(t.rule)}. Reason: {_clip(t.reason)} Proposed by {t.proposed_by}, "
               f"confirmed by {t.confirmed_by}.",
        category=None, record_type="retention_tombstone", record_id=t.id, seq=t.id)
        for t in stones]


def early_help_entries(actor: Actor, pupil_id: int, window: _Window | None = None) -> list[ChronologyEntry]:
    if not actor.can(Cap.EARLY_HELP_VIEW):
        return []
    if window is None:
        return list(early_help.chronology_entries(actor, pupil_id))
    # Read whole (a few rows a pupil, attendance summarised per month), but only the
    # entries the page may show are made.
    entries, cutoff = early_help.chronology_page_entries(actor, pupil_id, window.before, window.limit,
                                                         after=window.horizon, pupil_checked=True)
    if cutoff is not None:
        window.stopped_at(cutoff - timedelta(microseconds=1))
    return entries


def _sort_key(e: ChronologyEntry, _rank={k: i for i, k in enumerate(KINDS)}) -> tuple:
    # Unique to the entry: a page's cursor is the last key shown, and the next page starts
    # below it. (Early help's lines have no seq: a referral, its decision and the start of
    # the intervention can share a moment and an id; their titles tell them apart.)
    return (e.at, _rank.get(e.kind, len(KINDS)), e.seq, e.record_id, e.record_type, e.title, e.detail)


def _entries(actor: Actor, pupil_id: int, category: str | None,
             window: _Window | None) -> list[ChronologyEntry]:
    entries = _concern_entries(actor, pupil_id, category, window)
    if category is None:  # none of these has a concern category
        entries += _flag_entries(pupil_id, window)
        moves = None
        if window is not None:  # a page reads transfers, received records and tombstones at once
            from kiosk.services import chronology_sql as sql

            moves = sql.moves(pupil_id, window.before, window.limit + 1)
        entries += _transfer_entries(pupil_id, window, moves)
        entries += _tombstone_entries(actor, pupil_id, window, moves)
        entries += early_help_entries(actor, pupil_id, window)
    return entries


def chronology(actor: Actor, pupil_id: int, category: str | None = None) -> list[ChronologyEntry]:
    """Everything about the pupil the actor may see, newest first. Audited.

    The whole history, for exports and the transfer of the file; the screen reads it a
    page at a time (`chronology_page`)."""
    require(actor, Cap.CHRONOLOGY_VIEW)
    from kiosk.services import pupils

    with dbmod.translate_errors():
        pupils.get(actor, pupil_id)  # NotFound for an unknown pupil
        entries = _entries(actor, pupil_id, category, None)
        entries.sort(key=_sort_key, reverse=True)
        audit.record(actor, "chronology.view", "pupil", pupil_id,
                     {"category": category, "entries": len(entries)})
        return entries


PAGE_SIZE = 50  # about three screens at 80x24


@dataclass(frozen=True)
class ChronologyCursor:
    """Where the next page starts: just after the last entry shown (opaque to screens)."""

    key: tuple
    page: int


@dataclass(frozen=True)
class ChronologyPage:
    entries: tuple[ChronologyEntry, ...]
    next: ChronologyCursor | None  # None: this was the oldest page
    page: int  # 0 for the newest


def chronology_page(actor: Actor, pupil_id: int, category: str | None = None,
                    cursor: ChronologyCursor | None = None, size: int = PAGE_SIZE) -> ChronologyPage:
    """One page of the chronology, newest first: the first page without a cursor, then
    the page after `cursor` (the previous page's `next`). Each page is audited as a view.

    A page reads only the newest rows of each kind of record (concerns, actions, status
    changes, amendments, flags, received records), so its cost does not grow with the
    pupil's history. The pages joined are exactly `chronology()`."""
    require(actor, Cap.CHRONOLOGY_VIEW)
    size = max(1, min(int(size), 1000))
    before_key = cursor.key if cursor is not None else None
    page_no = cursor.page + 1 if cursor is not None else 0
    with dbmod.translate_errors():
        # `pupils.check_exists`'s checks (the account was checked just now), with the
        # children merged into the pupil in the same statement.
        if not actor.can(Cap.PUPIL_SEARCH):
            require(actor, Cap.PUPIL_SEARCH)
        from kiosk.services import chronology_sql as sql

        merged = sql.pupil_and_merged(pupil_id)
        if merged is None:
            raise NotFound(f"no pupil with id {pupil_id}")
        limit = size
        while True:
            window = _Window(limit, before_key[0] if before_key is not None else None, merged)
            found = _entries(actor, pupil_id, category, window)
            if before_key is not None:
                found = [e for e in found if _sort_key(e) < before_key]
            found.sort(key=_sort_key, reverse=True)
            horizon = window.horizon
            settled = found if horizon is None else [e for e in found if e.at > horizon]
            # Entries hidden from this actor (or of another category) can leave a window
            # short: read further back until the page is full or the history ends.
            if len(settled) >= size or horizon is None:
                break
            limit *= 4
        shown = tuple(settled[:size])
        more = len(settled) > size or horizon is not None
        nxt = ChronologyCursor(_sort_key(shown[-1]), page_no) if more and shown else None
        audit.record(actor, "chronology.view", "pupil", pupil_id,
                     {"category": category, "entries": len(shown), "page": page_no})
        return ChronologyPage(shown, nxt, page_no)
