"""The DSL team's follow-ups: set by an action, due on a date, owned by one member of the team.

Follow-ups are records like the actions that set them: completing one appends a
`ConcernFollowUpDone` row, it never edits the follow-up. The DSL's home lists what is
overdue, due today and due this week, for the whole team and for the person signed in
(`due_follow_ups`). On a restricted concern only the people named see what a follow-up says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from kiosk import db as dbmod
from kiosk.capabilities import Cap
from kiosk.clock import today, utcnow
from kiosk.errors import NotFound, ValidationError
from kiosk.services import audit, people
from kiosk.services.actor import Actor, require
from kiosk.text import clean

RECORD_TYPE = "concern"


@dataclass(frozen=True)
class FollowUpInput:
    """A follow-up set with an action: what to do, by when, and whose it is (a user id)."""

    what: str = ""
    due_on: date | None = None
    owner_id: int | None = None


@dataclass(frozen=True)
class FollowUpView:
    id: int
    concern_id: int
    ref: str
    due_on: date
    owner_id: int
    owner: str
    what: str  # "" on a restricted concern the actor is not named on
    hidden: bool
    done: bool
    done_by: str = ""
    done_note: str = ""


@dataclass(frozen=True)
class DueFollowUps:
    """What the home shows: overdue, due today, due in the next seven days (open only)."""

    overdue: tuple[FollowUpView, ...]
    today: tuple[FollowUpView, ...]
    this_week: tuple[FollowUpView, ...]

    def count(self) -> int:
        return len(self.overdue) + len(self.today) + len(self.this_week)


def check_follow_up(data: FollowUpInput | None) -> None:
    """Refuse a follow-up that cannot be kept, before anything is written."""
    if data is None:
        return
    clean(data.what, "follow_up", required=True, multiline=True, max_length=2000)
    if not isinstance(data.due_on, date):
        raise ValidationError("follow_up_due", "must be a date")
    if data.due_on < today():
        raise ValidationError("follow_up_due", "is in the past; a follow-up is due today or later")
    if data.owner_id is None:
        raise ValidationError("follow_up_owner", "choose a member of the DSL team")


def create_follow_up(actor: Actor, row, action_id: int | None, data: FollowUpInput):
    """Inside the caller's write transaction (add_action): the owner must be on the DSL team."""
    from kiosk.models.concerns import ConcernFollowUp
    from kiosk.services import concerns

    require(actor, Cap.CONCERN_TRIAGE)

    if data.owner_id not in set(concerns.dsl_team_user_ids()):
        raise ValidationError("follow_up_owner", "must be an active member of the DSL team")
    return ConcernFollowUp.create(concern=row.id, action=action_id, due_on=data.due_on,
                                  owner=data.owner_id,
                                  what=clean(data.what, "follow_up", required=True, multiline=True),
                                  set_by=actor.user_id, set_at=utcnow())


def _views(actor: Actor, rows) -> list[FollowUpView]:
    from kiosk.models.concerns import Concern, ConcernFollowUpDone
    from kiosk.services import concerns

    ids = [r.id for r in rows]
    done = {d.follow_up_id: d for d in ConcernFollowUpDone.select().where(
        ConcernFollowUpDone.follow_up.in_(ids))} if ids else {}
    concern_ids = {r.concern_id for r in rows}
    restricted = {c.id for c in Concern.select(Concern.id).where(
        Concern.id.in_(list(concern_ids)) & (Concern.restricted == True))} if rows else set()  # noqa: E712
    names = people.names([r.owner_id for r in rows] + [d.by_id for d in done.values()])
    out = []
    for r in rows:
        hidden = r.concern_id in restricted and not concerns.has_access(
            r.concern_id, actor.user_id, "restricted")
        d = done.get(r.id)
        out.append(FollowUpView(
            r.id, r.concern_id, concerns.ref_for(r.concern_id), r.due_on, r.owner_id,
            names.get(r.owner_id, "?"), "" if hidden else r.what, hidden, d is not None,
            names.get(d.by_id, "?") if d else "", ("" if hidden else d.note) if d else ""))
    return out


def due_follow_ups(actor: Actor, mine: bool = False) -> DueFollowUps:
    """Open follow-ups due up to a week ahead, for the team (or only the actor's): a view,
    audited."""
    due = _due(actor, mine)
    with dbmod.translate_errors():
        audit.record(actor, "concern.follow_ups_due", RECORD_TYPE, "",
                     {"count": due.count(), "mine": mine})
    return due


def _due(actor: Actor, mine: bool) -> DueFollowUps:
    """due_follow_ups without its audit event (the home audits what it shows once)."""
    require(actor, Cap.CONCERN_TRIAGE)
    from kiosk.models.concerns import ConcernFollowUp, ConcernFollowUpDone

    now = today()
    with dbmod.translate_errors():
        done = ConcernFollowUpDone.select(ConcernFollowUpDone.follow_up)
        q = ConcernFollowUp.select().where(ConcernFollowUp.id.not_in(done)
                                           & (ConcernFollowUp.due_on <= now + timedelta(days=7)))
        if mine:
            q = q.where(ConcernFollowUp.owner == actor.user_id)
        rows = list(q.order_by(ConcernFollowUp.due_on, ConcernFollowUp.id))
        views = _views(actor, rows)
    return DueFollowUps(tuple(v for v in views if v.due_on < now),
                        tuple(v for v in views if v.due_on == now),
                        tuple(v for v in views if v.due_on > now))


def follow_ups_of(actor: Actor, concern_id: int) -> list[FollowUpView]:
    """Every follow-up on one concern, done or not (for its page)."""
    require(actor, Cap.CONCERN_TRIAGE)
    from kiosk.models.concerns import ConcernFollowUp
    from kiosk.services import concerns

    with dbmod.translate_errors():
        concerns.load_visible(actor, concern_id, action="concern.follow_ups")
        rows = list(ConcernFollowUp.select().where(ConcernFollowUp.concern == concern_id)
                    .order_by(ConcernFollowUp.due_on, ConcernFollowUp.id))
        return _views(actor, rows)


def complete_follow_up(actor: Actor, follow_up_id: int, note: str = "") -> FollowUpView:
    """Mark a follow-up done (an appended record); done twice is refused."""
    require(actor, Cap.CONCERN_TRIAGE)
    from kiosk.models.concerns import ConcernFollowUp, ConcernFollowUpDone
    from kiosk.services import concerns

    note = clean(note, "note", multiline=True, max_length=2000)
    with dbmod.translate_errors(), dbmod.write():
        f = ConcernFollowUp.get_or_none(ConcernFollowUp.id == follow_up_id)
        if f is None:
            raise NotFound(f"no follow-up {follow_up_id}")
        concerns.triage_row(actor, f.concern_id, "concern.follow_up_done")
        if ConcernFollowUpDone.get_or_none(ConcernFollowUpDone.follow_up == f.id) is not None:
            raise ValidationError("follow_up", "is already done")
        d = ConcernFollowUpDone.create(follow_up=f.id, by=actor.user_id, at=utcnow(), note=note)
        audit.record(actor, "concern.follow_up_done", RECORD_TYPE, f.concern_id,
                     {"follow_up": f.id}, records=[("concern_follow_up_done", d.id)])
        return _views(actor, [f])[0]


def home_counts(actor: Actor, opened: bool = False) -> list:
    """The DSL team's home: follow-ups overdue, due today and this week; the team's and yours.

    `opened`: the home is being shown (not refreshed in place, e.g. when an alert arrives):
    the view of the due follow-ups is audited, once for both counts."""
    from kiosk.services.actor import require_signed_in
    from kiosk.services.home import HomeCount

    require_signed_in(actor)
    if not actor.can(Cap.CONCERN_TRIAGE):
        return []
    team = _due(actor, mine=False)
    mine = _due(actor, mine=True)
    if opened:
        with dbmod.translate_errors():
            audit.record(actor, "concern.follow_ups_due", RECORD_TYPE, "",
                         {"count": team.count(), "yours": mine.count(), "on": "home"})
    # Only when something is due within the week: the DSL's home is full at 80x24, and two
    # lines of noughts would push the leavers and transfers below the fold.
    counts = []
    for label, due in (("Team follow-ups", team), ("Your follow-ups", mine)):
        if due.overdue or due.today or due.this_week:
            counts.append(HomeCount(f"{label}: {len(due.overdue)} overdue, {len(due.today)} today, "
                                    f"{len(due.this_week)} this week",
                                    len(due.overdue) + len(due.today), urgent=bool(due.overdue), key="i l"))
    return counts
