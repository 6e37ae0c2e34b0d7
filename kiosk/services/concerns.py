"""Concerns about a child: record, alert the DSL team, triage, share, restrict, list.

Who sees what (issue 5, item 7) is decided in one place, `access_level`:

- FULL: the DSL team and headteacher (Cap.CONCERN_VIEW_ALL) for every concern that is not
  restricted, and for restricted ones only when named; pastoral staff (CONCERN_VIEW_SHARED)
  for concerns the DSL team shared with them (never restricted ones).
- RESTRICTED: the rest of the DSL team and the headteacher see that a restricted concern
  exists, nothing more.
- STATUS: the person who recorded it sees its status, not the DSL team's work.
- None: everyone else; services answer NotFound, as if it did not exist.

Every view of a record is audited; audit details carry ids and kinds, never content (the IT
administrator can read the audit trail).
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from kiosk import db as dbmod
from kiosk.capabilities import Cap, Role
from kiosk.clock import local_now, to_local, to_utc, today, utcnow
from kiosk.errors import NotFound, PermissionDenied, ValidationError
from kiosk.rules.flags import FLAG_SHORT
from kiosk.rules.vocabulary import CONCERN_STATUSES
from kiosk.services import alerts, audit, fastsql, people
from kiosk.services.actor import Actor, require
from kiosk.text import clean

FULL = "full"
RESTRICTED = "restricted"
STATUS = "status"

if TYPE_CHECKING:
    from kiosk.services import casework

ALERT_KIND = "child_concern"
RECORD_TYPE = "concern"



@dataclass(frozen=True)
class ConcernInput:
    """What the concern form sends to `record_concern` (and what its draft keeps).

    `pupils` are (pupil_id, role); `categories` category keys; `injuries` (body_area,
    description). `occurred_on` is a date, or the date as typed (DD/MM/YYYY and the other
    forms kiosk.dates reads). A refusal names one of these fields.
    """

    token: str
    pupils: tuple = ()
    occurred_on: date | str = ""
    occurred_time: str = ""
    location: str = ""
    source: str = ""
    categories: tuple = ()
    words: str = ""
    description: str = ""
    why_concern: str = ""
    child_told_next: bool = False
    dsl_told_in_person: bool = False
    injuries: tuple = ()
    urgent: bool = False


# ValidationError fields: ConcernInput's field names; the labels are the form's words.
F_TOKEN = "token"
F_PUPIL = "pupils"
F_ROLE = "role"  # a pupil's part in the concern (within `pupils`)
F_DATE = "occurred_on"
F_TIME = "occurred_time"
F_WHERE = "location"
F_SOURCE = "source"
F_CATEGORY = "categories"
F_WORDS = "words"
F_DESCRIPTION = "description"
F_WHY = "why_concern"
F_INJURY = "injuries"
LABELS = {
    F_TOKEN: "submission", F_PUPIL: "pupil", F_ROLE: "role", F_DATE: "date", F_TIME: "time", F_WHERE: "where",
    F_CATEGORY: "category", F_WORDS: "their words", F_WHY: "why it is a concern",
    F_INJURY: "injury",
}


@dataclass(frozen=True)
class ActionInput:
    """An action the DSL team took (`add_action`). `action_date` may be typed text."""

    kind: str = ""
    action_date: date | str = ""
    taken_by: str = ""
    notes: str = ""
    rationale: str = ""
    details: dict | None = None  # the fields the kind asks for (kiosk.rules.action_kinds)
    follow_up: "casework.FollowUpInput | None" = None


@dataclass(frozen=True)
class CloseInput:
    """Closing a concern (`close_concern`)."""

    summary: str = ""
    outcome: str = ""
    reasoning: str = ""


@dataclass(frozen=True)
class AmendInput:
    """A correction appended to the record (`amend`); `field` is a key of AMENDABLE_FIELDS."""

    field: str = ""
    text: str = ""
    reason: str = ""


def _invalid(field: str, problem: str) -> ValidationError:
    return ValidationError(field, problem, LABELS.get(field))

_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_INT64 = (-(2 ** 63), 2 ** 63 - 1)  # ids a database column can hold (no pupil has another)
# A terminal's clock a few minutes ahead of the server's must not make "now" the future:
# the form fills in the current time, and a refusal for clock skew is a concern not sent.
FUTURE_TOLERANCE = timedelta(minutes=5)

TRIAGE_ROLES = (Role.DSL, Role.DEPUTY_DSL)


class RestrictedConcern(PermissionDenied):
    """The actor knows the concern exists but is not named on its restriction."""

    def __init__(self) -> None:
        super().__init__(Cap.CONCERN_RESTRICT,
                         "This concern is restricted to named members of the DSL team.")


# --------------------------------------------------------------------------------------------
# Plain results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryView:
    key: str
    name: str
    active: bool = True


@dataclass(frozen=True)
class PupilInConcern:
    pupil_id: int
    name: str
    role: str
    role_label: str
    year_group: int
    form_group: str
    date_of_birth: date
    flags: tuple[str, ...] = ()  # the DSL team's flags (keys of kiosk.rules.flags.PUPIL_FLAGS)
    status_note: str = ""  # "not on roll", "left"


@dataclass(frozen=True)
class InjuryView:
    body_area: str
    area_label: str
    description: str


@dataclass(frozen=True)
class ActionView:
    id: int
    kind: str
    kind_label: str
    action_date: date
    taken_by: str
    notes: str
    rationale: str
    recorded_by: str
    recorded_at: datetime
    details: tuple[tuple[str, str], ...] = ()  # (label, value) of the kind's fields


@dataclass(frozen=True)
class EventView:
    id: int
    kind: str
    label: str
    by: str
    at: datetime
    subject_user: str
    summary: str
    outcome: str
    outcome_label: str
    reasoning: str


@dataclass(frozen=True)
class AmendmentView:
    id: int
    field: str
    field_label: str
    text: str
    reason: str
    by: str
    at: datetime


@dataclass(frozen=True)
class AccessView:
    user_id: int
    name: str
    kind: str
    granted_at: datetime


@dataclass(frozen=True)
class ConcernDetail:
    id: int
    ref: str
    recorded_at: datetime
    recorded_by: str
    recorded_by_id: int
    occurred_on: date
    occurred_time: str
    location: str
    source: str
    source_label: str
    pupils: tuple[PupilInConcern, ...]
    categories: tuple[CategoryView, ...]
    words: str
    description: str
    why_concern: str
    child_told_next: bool
    dsl_told_in_person: bool
    injuries: tuple[InjuryView, ...]
    urgent: bool
    status: str
    status_label: str
    owner: str
    owner_id: int | None
    restricted: bool
    restricted_to: tuple[AccessView, ...]
    shared_with: tuple[AccessView, ...]
    actions: tuple[ActionView, ...]
    events: tuple[EventView, ...]
    amendments: tuple[AmendmentView, ...]
    can_triage: bool
    can_restrict: bool
    can_share: bool

    @property
    def category_names(self) -> str:
        return ", ".join(c.name for c in self.categories)

    @property
    def pupil_names(self) -> str:
        return ", ".join(p.name for p in self.pupils)


@dataclass(frozen=True)
class RecordedConcern:
    """What the recorder sees once, straight after submitting (then it is read-only)."""

    id: int
    ref: str
    recorded_at: datetime
    pupils: tuple[PupilInConcern, ...]
    categories: tuple[CategoryView, ...]
    source_label: str
    occurred_on: date
    occurred_time: str
    location: str
    words: str
    description: str
    why_concern: str
    injuries: tuple[InjuryView, ...]
    urgent: bool
    alerted: int  # how many of the DSL team were alerted
    duplicate: bool  # True if this submission had already been recorded
    child_told_next: bool = False
    dsl_told_in_person: bool = False


@dataclass(frozen=True)
class OwnConcern:
    """The recorder's view after submit: status only."""

    id: int
    ref: str
    recorded_at: datetime
    pupils: str
    categories: str
    status: str
    status_label: str
    urgent: bool
    acknowledged_at: datetime | None


@dataclass(frozen=True)
class InboxRow:
    id: int
    ref: str
    recorded_at: datetime
    recorded_by: str
    pupils: str  # "restricted" when the actor is not named on a restricted concern
    categories: str
    urgent: bool
    status: str
    status_label: str
    owner: str
    restricted: bool  # the concern is restricted
    hidden: bool  # ... and the actor is not named, so nothing else is shown
    unread: bool  # the actor has an unread alert about it


@dataclass(frozen=True)
class InboxPage:
    rows: tuple[InboxRow, ...]
    page: int
    page_size: int
    total: int
    view: str

    @property
    def has_more(self) -> bool:
        return (self.page + 1) * self.page_size < self.total


@dataclass(frozen=True)
class UserChoice:
    id: int
    name: str
    always: bool = False  # always named on a restriction (the DSL, paragraph 10)


def ref_for(concern_id: int) -> str:
    return f"C-{concern_id:05d}"


def new_submission_token() -> str:
    """The form makes one when it opens; a second submit with it records nothing new."""
    return uuid.uuid4().hex


# --------------------------------------------------------------------------------------------
# Categories (school-editable, seeded from the profile)
# --------------------------------------------------------------------------------------------


def ensure_categories(profile=None) -> None:
    """Seed the category list from the profile the first time it is needed."""
    from kiosk.models.concerns import ConcernCategory

    if ConcernCategory.select().exists():
        return
    if profile is None:
        from kiosk.rules.profile import load_profile

        profile = load_profile()
    with dbmod.write():
        if ConcernCategory.select().exists():
            return
        for i, c in enumerate(profile.categories):
            ConcernCategory.insert(key=c.key, name=c.name, position=i).on_conflict_ignore().execute()


def categories(actor: Actor, include_retired: bool = False, profile=None) -> list[CategoryView]:
    from kiosk.models.concerns import ConcernCategory

    if not (actor.can(Cap.CONCERN_RECORD) or actor.can(Cap.CATEGORIES_MANAGE)):
        require(actor, Cap.CONCERN_RECORD)
    ensure_categories(profile)
    q = ConcernCategory.select().order_by(ConcernCategory.position, ConcernCategory.id)
    if not include_retired:
        q = q.where(ConcernCategory.active == True)  # noqa: E712
    return [CategoryView(c.key, c.name, c.active) for c in q]


def add_category(actor: Actor, name: str) -> CategoryView:
    require(actor, Cap.CATEGORIES_MANAGE)
    from kiosk.models.concerns import ConcernCategory

    ensure_categories()
    text = clean(name, "name", required=True, max_length=120, label="category name")
    key = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:32] or "category"
    with dbmod.write():
        if ConcernCategory.select().where(ConcernCategory.name == text).exists():
            raise ValidationError("name", "that category already exists", "category name")
        base, n = key, 1
        while ConcernCategory.select().where(ConcernCategory.key == key).exists():
            n += 1
            key = f"{base}_{n}"
        last = ConcernCategory.select().order_by(ConcernCategory.position.desc()).first()
        row = ConcernCategory.create(key=key, name=text, position=(last.position + 1) if last else 0)
        audit.record(actor, "category.add", "concern_category", row.id, {"key": key})
    return CategoryView(row.key, row.name, True)


def set_category_active(actor: Actor, key: str, active: bool) -> CategoryView:
    """Retire (or bring back) a category; concerns already in it keep it."""
    require(actor, Cap.CATEGORIES_MANAGE)
    from kiosk.models.concerns import ConcernCategory

    ensure_categories()
    with dbmod.write():
        row = ConcernCategory.get_or_none(ConcernCategory.key == key)
        if row is None:
            raise NotFound(f"no category {key!r}")
        if row.active != active:
            row.active = active
            row.save()
            audit.record(actor, "category.retire" if not active else "category.restore",
                         "concern_category", row.id, {"key": key})
    return CategoryView(row.key, row.name, row.active)


def category_names(keys) -> dict[str, str]:
    from kiosk.models.concerns import ConcernCategory

    keys = list(set(keys))
    if not keys:
        return {}
    return {c.key: c.name for c in ConcernCategory.select(ConcernCategory.key, ConcernCategory.name)
            .where(ConcernCategory.key.in_(keys))}


# --------------------------------------------------------------------------------------------
# Who sees what
# --------------------------------------------------------------------------------------------


def has_access(concern_id: int, user_id: int | None, kind: str) -> bool:
    from kiosk.models.concerns import ConcernAccess

    if user_id is None:
        return False
    return ConcernAccess.select().where(
        (ConcernAccess.concern == concern_id) & (ConcernAccess.kind == kind)
        & (ConcernAccess.user == user_id) & ConcernAccess.ended_at.is_null()
    ).exists()


def access_level(actor: Actor, concern) -> str | None:
    """FULL, RESTRICTED, STATUS or None for this actor and this concern row."""
    own = actor.user_id is not None and concern.recorded_by_id == actor.user_id
    if concern.restricted:
        # The DSL is never shut out: a deputy's restriction cannot exclude them.
        if actor.can(Cap.CONCERN_VIEW_RESTRICTED):
            return FULL
        if actor.can(Cap.CONCERN_VIEW_ALL):
            return FULL if has_access(concern.id, actor.user_id, "restricted") else RESTRICTED
        if own and actor.can(Cap.CONCERN_VIEW_OWN):
            return STATUS
        return None
    if actor.can(Cap.CONCERN_VIEW_ALL):
        return FULL
    if actor.can(Cap.CONCERN_VIEW_SHARED) and has_access(concern.id, actor.user_id, "shared"):
        return FULL
    if own and actor.can(Cap.CONCERN_VIEW_OWN):
        return STATUS
    return None


def visible_to(actor: Actor, concern) -> bool:
    """May the actor read this concern in full? `concern` is a row or an id."""
    row = _row_or_none(concern) if isinstance(concern, int) else concern
    return row is not None and access_level(actor, row) == FULL


def _row_or_none(concern_id: int):
    from kiosk.models.concerns import Concern

    return Concern.get_or_none(Concern.id == concern_id)


def load_visible(actor: Actor, concern_id: int, *, need: str = FULL, action: str = "concern.view"):
    """The row if the actor may have it at level `need`; otherwise NotFound (or Restricted)."""
    row = _row_or_none(concern_id) if isinstance(concern_id, int) else None
    level = access_level(actor, row) if row is not None else None
    if level is None or (need == FULL and level == STATUS):
        audit.record(actor, "concern.not_found", RECORD_TYPE, concern_id, {"attempted": action})
        raise NotFound(f"no concern {ref_for(concern_id) if isinstance(concern_id, int) else concern_id}")
    if need == FULL and level == RESTRICTED:
        audit.record(actor, "concern.restricted_refused", RECORD_TYPE, concern_id, {"attempted": action})
        raise RestrictedConcern()
    return row, level


def dsl_team_user_ids() -> list[int]:
    """Every active DSL and deputy DSL: who is alerted when a concern is recorded."""
    return [u.id for u in people.with_roles(TRIAGE_ROLES)]


def triage_users(actor: Actor) -> list[UserChoice]:
    """The DSL team, for choosing an owner or the names on a restriction."""
    require(actor, Cap.CONCERN_TRIAGE)
    return [UserChoice(u.id, u.name) for u in people.with_roles(TRIAGE_ROLES)]


def _dsl_ids() -> set[int]:
    return {u.id for u in people.with_roles((Role.DSL,))}


def restriction_candidates(actor: Actor) -> list[UserChoice]:
    """Who can be named on a restriction: the DSL team and the headteacher. The DSL is
    always named (``always``): nobody can restrict a concern away from them."""
    require(actor, Cap.CONCERN_RESTRICT)
    dsl = _dsl_ids()
    return [UserChoice(u.id, u.name, u.id in dsl)
            for u in people.with_roles(TRIAGE_ROLES + (Role.HEADTEACHER,))]


def share_candidates(actor: Actor) -> list[UserChoice]:
    """Pastoral staff a concern can be shared with."""
    require(actor, Cap.CONCERN_SHARE)
    return [UserChoice(u.id, u.name) for u in people.with_roles((Role.PASTORAL,))]


# --------------------------------------------------------------------------------------------
# Recording
# --------------------------------------------------------------------------------------------


def _pupil_link_views(concern_ids) -> dict[int, list[PupilInConcern]]:
    from kiosk.models.concerns import ConcernPupil
    from kiosk.models.pupils import Pupil

    out: dict[int, list[PupilInConcern]] = {}
    if not concern_ids:
        return out
    q = (ConcernPupil.select(ConcernPupil.concern, ConcernPupil.role, ConcernPupil.id, Pupil)
         .join(Pupil).where(ConcernPupil.concern.in_(list(concern_ids))).order_by(ConcernPupil.id))
    for link in q:
        out.setdefault(link.concern_id, []).append(_pupil_in_concern(link.pupil, link.role))
    return out


def _pupil_in_concern(p, role: str) -> PupilInConcern:
    from kiosk.models.concerns import PUPIL_ROLES
    from kiosk.models.pupils import PUPIL_FLAGS

    return PupilInConcern(
        p.id, p.display_name, role, PUPIL_ROLES.get(role, role),
        p.year_group, p.form_group, p.date_of_birth,
        tuple(k for k in PUPIL_FLAGS if getattr(p, k)),
        "not on roll" if p.status == "not_on_roll" else ("" if p.active else "left"))


def category_views(concern_ids) -> dict[int, list[CategoryView]]:
    from kiosk.models.concerns import ConcernCategoryLink

    out: dict[int, list[CategoryView]] = {}
    if not concern_ids:
        return out
    links = list(ConcernCategoryLink.select().where(ConcernCategoryLink.concern.in_(list(concern_ids)))
                 .order_by(ConcernCategoryLink.position, ConcernCategoryLink.id))
    names = category_names(link.category for link in links)
    for link in links:
        out.setdefault(link.concern_id, []).append(
            CategoryView(link.category, names.get(link.category, link.category)))
    return out


def _validate_record(data: ConcernInput) -> tuple[ConcernInput, dict[str, str]]:
    """The input checked and tidied (trimmed text, parsed date, pupils as (pupil row, role)),
    and the names of its categories."""
    from kiosk.dates import parse_typed_date
    from kiosk.models.concerns import BODY_AREAS, PUPIL_ROLES, SOURCES
    from kiosk.services import concerns_sql, pupils_sql

    token, pupils, occurred_on, occurred_time = (data.token, data.pupils, data.occurred_on,
                                                 data.occurred_time)
    if isinstance(occurred_on, str):
        occurred_on = parse_typed_date(occurred_on, F_DATE)

    token = (token or "").strip()
    if not _TOKEN_RE.match(token):
        raise _invalid(F_TOKEN, "the form's submission token is missing or malformed")
    if not pupils:
        raise _invalid(F_PUPIL, "choose at least one pupil")
    # Every pupil named is read in one statement; the checks below still go item by item,
    # in the order given, so the first fault found is the one reported.
    given: list[tuple[int, object] | None] = []
    for item in pupils:
        try:
            pid, role = item
            given.append((int(pid), role))
        except (TypeError, ValueError):
            given.append(None)
    found = pupils_sql.by_ids(sorted({g[0] for g in given
                                      if g is not None and _INT64[0] <= g[0] <= _INT64[1]}))
    seen: set[int] = set()
    links = []
    for item in given:
        if item is None:
            raise _invalid(F_PUPIL, "is not a pupil")
        pid, role = item
        if pid in seen:
            raise _invalid(F_PUPIL, "the same pupil is listed twice")
        seen.add(pid)
        if role not in PUPIL_ROLES:
            raise _invalid(F_ROLE, f"choose one of: {', '.join(PUPIL_ROLES.values())}")
        p = found.get(pid)
        if p is None:
            raise _invalid(F_PUPIL, "that pupil is not on the roll")
        links.append((p, role))
    if not any(role == "subject" for _, role in links):
        raise _invalid(F_ROLE, "at least one pupil must be the subject of the concern")
    if not isinstance(occurred_on, date) or isinstance(occurred_on, datetime):
        raise _invalid(F_DATE, "must be a date (day month year)")
    latest = local_now() + FUTURE_TOLERANCE
    if occurred_on > latest.date():
        raise _invalid(F_DATE, "is in the future")
    occurred_time = (occurred_time or "").strip()
    if occurred_time:
        if not _TIME_RE.match(occurred_time):
            raise _invalid(F_TIME, "use the 24-hour clock, for example 13:05")
        if occurred_on == latest.date() and occurred_time > latest.strftime("%H:%M"):
            raise _invalid(F_TIME, "is in the future")
    for p, _ in links:
        if occurred_on < p.date_of_birth:
            raise _invalid(F_DATE, f"is before {p.display_name}'s date of birth")
    location = clean(data.location, F_WHERE, max_length=200, label=LABELS[F_WHERE])
    source = data.source
    if source not in SOURCES:
        raise _invalid(F_SOURCE, "choose where the concern came from")
    keys: list[str] = []
    for k in data.categories or ():
        if k not in keys:
            keys.append(k)
    if not keys:
        raise _invalid(F_CATEGORY, "choose at least one category (Other if unsure)")
    known = concerns_sql.category_names(keys, active_only=True)
    if len(known) < len(keys):
        # Perhaps the list was never seeded: seed it from the profile, then ask again.
        ensure_categories()
        known = concerns_sql.category_names(keys, active_only=True)
    for k in keys:
        if k not in known:
            raise _invalid(F_CATEGORY, f"{k!r} is not on the school's list")
    words = clean(data.words, F_WORDS, multiline=True, label=LABELS[F_WORDS])
    description = clean(data.description, F_DESCRIPTION, required=True, multiline=True)
    why_concern = clean(data.why_concern, F_WHY, multiline=True, label=LABELS[F_WHY])
    injury_rows = []
    for item in data.injuries or ():
        try:
            area, text = item
        except (TypeError, ValueError):
            raise _invalid(F_INJURY, "needs a body area and a description") from None
        if area not in BODY_AREAS:
            raise _invalid(F_INJURY, "choose a body area from the list")
        injury_rows.append((area, clean(text, F_INJURY, required=True, multiline=True, max_length=2000,
                                                 label=LABELS[F_INJURY])))
    return replace(data, token=token, pupils=tuple(links), occurred_on=occurred_on,
                   occurred_time=occurred_time, location=location, categories=tuple(keys),
                   words=words, description=description, why_concern=why_concern,
                   injuries=tuple(injury_rows)), known


def _recorded(row, alerted: int, duplicate: bool, written=None) -> RecordedConcern:
    """What was recorded: read back for a duplicate submission; for a new record, `written`
    is what this transaction has just inserted ((pupil, role) links, category keys and their
    names, injuries), the same rows in the same order as the reads would give."""
    from kiosk.models.concerns import BODY_AREAS, SOURCES, ConcernInjury

    if written is None:
        injuries = tuple(InjuryView(i.body_area, BODY_AREAS.get(i.body_area, i.body_area), i.description)
                         for i in ConcernInjury.select().where(ConcernInjury.concern == row.id)
                         .order_by(ConcernInjury.id))
        pupils = tuple(_pupil_link_views([row.id]).get(row.id, []))
        cats = tuple(category_views([row.id]).get(row.id, []))
    else:
        links, keys, names, injury_rows = written
        injuries = tuple(InjuryView(a, BODY_AREAS.get(a, a), t) for a, t in injury_rows)
        pupils = tuple(_pupil_in_concern(p, role) for p, role in links)
        cats = tuple(CategoryView(k, names.get(k, k)) for k in keys)
    return RecordedConcern(
        id=row.id, ref=ref_for(row.id), recorded_at=row.recorded_at,
        pupils=pupils, categories=cats,
        source_label=SOURCES.get(row.source, row.source), occurred_on=row.occurred_on,
        occurred_time=row.occurred_time, location=row.location, words=row.words,
        description=row.description, why_concern=row.why_concern, injuries=injuries,
        urgent=row.urgent, alerted=alerted, duplicate=duplicate,
        child_told_next=row.child_told_next, dsl_told_in_person=row.dsl_told_in_person,
    )


def record_concern(actor: Actor, data: ConcernInput | None = None, **fields) -> RecordedConcern:
    """Record a concern and alert every DSL and deputy DSL in the same transaction.

    `data` is a ConcernInput (scripts and tests may pass its fields as keywords instead).
    `occurred_on`/`occurred_time` are local (England) date and "HH:MM". The same `token`
    twice records once: the second call returns the first record with duplicate=True.
    """
    require(actor, Cap.CONCERN_RECORD)
    if data is None:
        data = ConcernInput(**fields)
    from kiosk.models.concerns import Concern
    from kiosk.services import concerns_sql

    if actor.user_id is None:
        raise PermissionDenied(Cap.CONCERN_RECORD, "Only a signed-in member of staff can record a concern.")
    with dbmod.translate_errors():
        data, names = _validate_record(data)
        token, links, keys, injury_rows = data.token, data.pupils, data.categories, data.injuries
        occurred_on, occurred_time, location, source = (data.occurred_on, data.occurred_time,
                                                        data.location, data.source)
        words, description, why_concern, urgent = (data.words, data.description,
                                                   data.why_concern, data.urgent)
        child_told_next, dsl_told_in_person = data.child_told_next, data.dsl_told_in_person
        # Hand-written SQL (concerns_sql, beside this module) for the reads and writes of
        # every new record: the same statements, with the same values, as the ORM's.
        with dbmod.write():
            existing_id = concerns_sql.concern_with_token(token)
            existing = Concern.get_by_id(existing_id) if existing_id is not None else None
            if existing is not None:
                if existing.recorded_by_id != actor.user_id:
                    raise _invalid(F_TOKEN, "this form was already used; open a new one")
                audit.record(actor, "concern.duplicate_submit", RECORD_TYPE, existing.id)
                duplicate = existing
            else:
                duplicate = None
                now = utcnow()
                values = dict(
                    submission_token=token, recorded_by_id=actor.user_id, recorded_at=now,
                    occurred_on=occurred_on, occurred_time=occurred_time, location=location,
                    source=source, words=words, description=description, why_concern=why_concern,
                    child_told_next=bool(child_told_next), dsl_told_in_person=bool(dsl_told_in_person),
                    urgent=bool(urgent), status="open", is_open=True, restricted=False, updated_at=now,
                )
                values["id"] = concerns_sql.insert_concern(values)
                row = Concern(**values)  # what was stored (for the recorder's view)
                concerns_sql.insert_rows("concern_pupil", ("concern_id", "pupil_id", "role"),
                                         [(row.id, p.id, role) for p, role in links])
                concerns_sql.insert_rows("concern_category_link", ("concern_id", "category", "position"),
                                         [(row.id, k, i) for i, k in enumerate(keys)])
                if injury_rows:
                    concerns_sql.insert_rows("concern_injury", ("concern_id", "body_area", "description"),
                                             [(row.id, a, t) for a, t in injury_rows])
                recipients = [u for u in concerns_sql.active_holders([str(r.value) for r in TRIAGE_ROLES])
                              if u != actor.user_id]
                label = "; ".join(names.get(k, k) for k in keys)
                alerted = alerts.raise_for_users(recipients, ALERT_KIND, RECORD_TYPE, row.id,
                                                 label, actor.full_name, urgent=bool(urgent))
                audit.record(actor, "concern.record", RECORD_TYPE, row.id,
                             {"pupils": [p.id for p, _ in links], "categories": keys,
                              "urgent": bool(urgent), "alerted": alerted},
                             records=[("concern", row.id)])
        if duplicate is not None:
            return _recorded(duplicate, 0, True)
        return _recorded(row, alerted, False, (links, keys, names, injury_rows))


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def _status_label(status: str) -> str:
    return CONCERN_STATUSES.get(status, status)


def detail_view(actor: Actor, row) -> ConcernDetail:
    from kiosk.models.concerns import (
        ACTION_KINDS, AMENDABLE_FIELDS, BODY_AREAS, CLOSE_OUTCOMES, EVENT_KINDS, SOURCES,
        ConcernAccess, ConcernAction, ConcernActionDetail, ConcernAmendment, ConcernEvent,
        ConcernInjury,
    )
    from kiosk.rules.action_kinds import describe

    actions = list(ConcernAction.select().where(ConcernAction.concern == row.id)
                   .order_by(ConcernAction.action_date, ConcernAction.id))
    details = {d.action_id: json.loads(d.fields) for d in ConcernActionDetail.select().where(
        ConcernActionDetail.action.in_([a.id for a in actions]))} if actions else {}
    events = list(ConcernEvent.select().where(ConcernEvent.concern == row.id)
                  .order_by(ConcernEvent.at, ConcernEvent.id))
    amendments = list(ConcernAmendment.select().where(ConcernAmendment.concern == row.id)
                      .order_by(ConcernAmendment.at, ConcernAmendment.id))
    access = list(ConcernAccess.select().where((ConcernAccess.concern == row.id)
                                               & ConcernAccess.ended_at.is_null())
                  .order_by(ConcernAccess.id))
    names = people.names([row.recorded_by_id, row.owner_id]
                   + [a.recorded_by_id for a in actions]
                   + [e.by_id for e in events] + [e.subject_user_id for e in events]
                   + [a.by_id for a in amendments] + [a.user_id for a in access])
    injuries = tuple(InjuryView(i.body_area, BODY_AREAS.get(i.body_area, i.body_area), i.description)
                     for i in ConcernInjury.select().where(ConcernInjury.concern == row.id)
                     .order_by(ConcernInjury.id))

    def access_views(kind):
        return tuple(AccessView(a.user_id, names.get(a.user_id, "?"), a.kind, a.granted_at)
                     for a in access if a.kind == kind)

    return ConcernDetail(
        id=row.id, ref=ref_for(row.id), recorded_at=row.recorded_at,
        recorded_by=names.get(row.recorded_by_id, "?"), recorded_by_id=row.recorded_by_id,
        occurred_on=row.occurred_on, occurred_time=row.occurred_time, location=row.location,
        source=row.source, source_label=SOURCES.get(row.source, row.source),
        pupils=tuple(_pupil_link_views([row.id]).get(row.id, [])),
        categories=tuple(category_views([row.id]).get(row.id, [])),
        words=row.words, description=row.description, why_concern=row.why_concern,
        child_told_next=row.child_told_next, dsl_told_in_person=row.dsl_told_in_person,
        injuries=injuries, urgent=row.urgent, status=row.status,
        status_label=_status_label(row.status), owner=names.get(row.owner_id, "") if row.owner_id else "",
        owner_id=row.owner_id, restricted=row.restricted,
        restricted_to=access_views("restricted"), shared_with=access_views("shared"),
        actions=tuple(ActionView(a.id, a.kind, ACTION_KINDS.get(a.kind, a.kind), a.action_date,
                                 a.taken_by, a.notes, a.rationale, names.get(a.recorded_by_id, "?"),
                                 a.recorded_at, tuple(describe(a.kind, details.get(a.id, {}))))
                      for a in actions),
        events=tuple(EventView(e.id, e.kind, EVENT_KINDS.get(e.kind, e.kind), names.get(e.by_id, "?"),
                               e.at, names.get(e.subject_user_id, "") if e.subject_user_id else "",
                               e.summary, e.outcome, CLOSE_OUTCOMES.get(e.outcome, e.outcome),
                               e.reasoning) for e in events),
        amendments=tuple(AmendmentView(a.id, a.field, AMENDABLE_FIELDS.get(a.field, a.field), a.text,
                                       a.reason, names.get(a.by_id, "?"), a.at) for a in amendments),
        can_triage=actor.can(Cap.CONCERN_TRIAGE),
        can_restrict=actor.can(Cap.CONCERN_RESTRICT),
        can_share=actor.can(Cap.CONCERN_SHARE) and not row.restricted,
    )


def get_concern(actor: Actor, concern_id: int) -> ConcernDetail:
    """The whole record, for those who may read it in full. Audited; marks the actor's alert read.

    NotFound for anyone who may not know it exists (including its recorder: they see status
    only, through `own_concern`); RestrictedConcern for the DSL team members not named.
    """
    from kiosk.models import Alert

    if not (actor.can(Cap.CONCERN_VIEW_ALL) or actor.can(Cap.CONCERN_VIEW_SHARED)
            or actor.can(Cap.CONCERN_VIEW_OWN)):
        require(actor, Cap.CONCERN_VIEW_ALL)
    with dbmod.translate_errors():
        row, _ = load_visible(actor, concern_id, action="concern.view")
        with dbmod.write():
            audit.record(actor, "concern.view", RECORD_TYPE, row.id)
            if actor.user_id is not None:
                Alert.update(read_at=utcnow()).where(
                    (Alert.recipient == actor.user_id) & (Alert.record_type == RECORD_TYPE)
                    & (Alert.record_id == row.id) & Alert.read_at.is_null()).execute()
        return detail_view(actor, row)


def _own_view(row, pupils: str, cats: str) -> OwnConcern:
    return OwnConcern(row.id, ref_for(row.id), row.recorded_at, pupils, cats, row.status,
                      _status_label(row.status), row.urgent, row.acknowledged_at)


def own_concerns(actor: Actor, limit: int = 200) -> list[OwnConcern]:
    """What the actor recorded, newest first: status only."""
    require(actor, Cap.CONCERN_VIEW_OWN)
    from kiosk.models.concerns import Concern

    if actor.user_id is None:
        return []
    with dbmod.translate_errors():
        rows = list(Concern.select().where(Concern.recorded_by == actor.user_id)
                    .order_by(Concern.recorded_at.desc(), Concern.id.desc()).limit(limit))
        ids = [r.id for r in rows]
        pupils = _pupil_link_views(ids)
        cats = category_views(ids)
        audit.record(actor, "concern.list_own", RECORD_TYPE, "", {"count": len(rows)})
        return [_own_view(r, ", ".join(p.name for p in pupils.get(r.id, [])),
                          ", ".join(c.name for c in cats.get(r.id, []))) for r in rows]


def own_concern(actor: Actor, concern_id: int) -> OwnConcern:
    """The status of one concern the actor recorded (NotFound for anyone else's)."""
    require(actor, Cap.CONCERN_VIEW_OWN)
    with dbmod.translate_errors():
        row = _row_or_none(concern_id)
        if row is None or actor.user_id is None or row.recorded_by_id != actor.user_id:
            audit.record(actor, "concern.not_found", RECORD_TYPE, concern_id,
                         {"attempted": "concern.view_status"})
            raise NotFound(f"no concern {ref_for(concern_id)}")
        audit.record(actor, "concern.view_status", RECORD_TYPE, row.id)
        pupils = _pupil_link_views([row.id]).get(row.id, [])
        cats = category_views([row.id]).get(row.id, [])
        return _own_view(row, ", ".join(p.name for p in pupils), ", ".join(c.name for c in cats))


@dataclass(frozen=True)
class OwnRecord:
    """What the recorder sees of a concern they recorded: what they wrote, and its status.

    Never the DSL team's work: no actions, follow-ups, events, amendments, owner or the
    pupils' flags (issue 18)."""

    record: RecordedConcern
    status: str
    status_label: str


def own_record(actor: Actor, concern_id: int) -> OwnRecord:
    """The concern as the actor wrote it, read-only, with its status (NotFound for others')."""
    import dataclasses

    require(actor, Cap.CONCERN_VIEW_OWN)
    with dbmod.translate_errors():
        row = _row_or_none(concern_id) if isinstance(concern_id, int) else None
        if row is None or actor.user_id is None or row.recorded_by_id != actor.user_id:
            audit.record(actor, "concern.not_found", RECORD_TYPE, concern_id,
                         {"attempted": "concern.view_own_record"})
            raise NotFound(f"no concern {ref_for(concern_id) if isinstance(concern_id, int) else concern_id}")
        audit.record(actor, "concern.view_own_record", RECORD_TYPE, row.id)
        rec = _recorded(row, 0, False)
        rec = dataclasses.replace(rec, pupils=tuple(dataclasses.replace(p, flags=(), status_note="")
                                                    for p in rec.pupils))
        return OwnRecord(rec, row.status, _status_label(row.status))


INBOX_VIEWS = ("open", "closed", "all", "awaiting", "acknowledged")


def _pupil_with_flags(p: PupilInConcern, show_flags: bool) -> str:
    """ "Amara Abbott (CP LAC)": the DSL team's flags in short, for those who keep them."""
    return _pupil_label(p.name, _flag_marks(p.flags) if show_flags else (), p.status_note)


def _flag_marks(flags) -> tuple[str, ...]:
    """The short forms of a pupil's flags as the inbox lists them (not the phone disclaimer)."""
    return tuple(FLAG_SHORT[k] for k in flags if k != "phone_disclaimer")


def _pupil_label(name: str, marks: tuple[str, ...], status_note: str) -> str:
    if status_note:
        marks = (*marks, status_note)
    return f"{name} ({' '.join(marks)})" if marks else name


def _inbox_row_views(actor: Actor, rows, pupils, category_names, names, named, unread
                     ) -> tuple[InboxRow, ...]:
    """The inbox's rows from what was read about them (by the ORM or by hand-written SQL): a
    restricted concern the reader is not named on shows as "Restricted" and nothing more.
    `pupils`: each concern's pupils as listed (`_pupil_with_flags`)."""
    sees_all = actor.can(Cap.CONCERN_VIEW_RESTRICTED)
    out = []
    for r in rows:
        hidden = r.restricted and r.id not in named and not sees_all
        out.append(InboxRow(
            id=r.id, ref=ref_for(r.id), recorded_at=r.recorded_at,
            recorded_by="" if hidden else names.get(r.recorded_by_id, "?"),
            pupils="Restricted" if hidden else ", ".join(pupils.get(r.id, ())),
            categories="" if hidden else ", ".join(category_names.get(r.id, ())),
            urgent=r.urgent, status=r.status, status_label=CONCERN_STATUSES.get(r.status, r.status),
            owner="" if hidden or not r.owner_id else names.get(r.owner_id, "?"),
            restricted=r.restricted, hidden=hidden, unread=r.id in unread,
        ))
    return tuple(out)


def _inbox_rows(actor: Actor, rows) -> tuple[InboxRow, ...]:
    from kiosk.models import Alert
    from kiosk.models.concerns import ConcernAccess

    ids = [r.id for r in rows]
    if not ids:
        return ()
    pupils = _pupil_link_views(ids)
    cats = category_views(ids)
    names = people.names([r.recorded_by_id for r in rows] + [r.owner_id for r in rows])
    restricted_ids = [r.id for r in rows if r.restricted]
    named: set[int] = set()
    if restricted_ids and actor.user_id is not None:
        named = {a.concern_id for a in ConcernAccess.select(ConcernAccess.concern).where(
            ConcernAccess.concern.in_(restricted_ids) & (ConcernAccess.kind == "restricted")
            & (ConcernAccess.user == actor.user_id) & ConcernAccess.ended_at.is_null())}
    unread: set[int] = set()
    if actor.user_id is not None:
        unread = {a.record_id for a in Alert.select(Alert.record_id).where(
            (Alert.recipient == actor.user_id) & Alert.read_at.is_null()
            & (Alert.record_type == RECORD_TYPE) & Alert.record_id.in_(ids))}
    category_names = {cid: [c.name for c in found] for cid, found in cats.items()}
    show_flags = actor.can(Cap.PUPIL_FLAGS_EDIT)
    labels = {cid: [_pupil_with_flags(p, show_flags) for p in found] for cid, found in pupils.items()}
    return _inbox_row_views(actor, rows, labels, category_names, names, named, unread)


def inbox(actor: Actor, page: int = 0, page_size: int = 50, view: str = "open", *,
          mine: bool = False, urgent_only: bool = False) -> InboxPage:
    """The DSL team's list: open concerns urgent first then newest ("open"), or "closed"/"all",
    or by status ("awaiting": not yet acknowledged; "acknowledged"). `mine`: only those the
    actor owns ("assigned to me"); `urgent_only`: only those marked urgent.

    Restricted concerns the actor is not named on appear as "Restricted" with nothing else.
    """
    require(actor, Cap.CONCERN_VIEW_ALL)
    from kiosk.services import concerns_sql

    if view not in INBOX_VIEWS:
        raise ValidationError("view", f"choose one of {', '.join(INBOX_VIEWS)}")
    page = max(0, int(page))
    page_size = max(1, min(int(page_size), 500))
    with dbmod.translate_errors():
        # Hand-written SQL (kiosk.services.concerns_sql): the DSL team's most opened screen.
        total, rows = concerns_sql.page(view, actor.user_id if mine else None, urgent_only, page, page_size)
        result = _inbox_rows_fast(actor, rows)
        audit.record(actor, "concern.inbox", RECORD_TYPE, "",
                     {"view": view, "page": page, "mine": mine, "urgent_only": urgent_only,
                      "ids": [r.id for r in rows]})
        return InboxPage(result, page, page_size, total, view)


def _inbox_query(actor: Actor, view: str, mine: bool, urgent_only: bool):
    """The inbox's question through peewee (the tests hold `concerns_sql` to its answers)."""
    from kiosk.models.concerns import Concern

    q = Concern.select()
    if view == "open":
        q = q.where(Concern.is_open == True).order_by(  # noqa: E712
            Concern.urgent.desc(), Concern.recorded_at.desc(), Concern.id.desc())
    elif view == "closed":
        q = q.where(Concern.is_open == False).order_by(  # noqa: E712
            Concern.recorded_at.desc(), Concern.id.desc())
    elif view in ("awaiting", "acknowledged"):
        status = "open" if view == "awaiting" else "acknowledged"
        q = q.where(Concern.status == status).order_by(
            Concern.urgent.desc(), Concern.recorded_at.desc(), Concern.id.desc())
    else:
        q = q.order_by(Concern.recorded_at.desc(), Concern.id.desc())
    if mine:
        q = q.where(Concern.owner == actor.user_id)
    if urgent_only:
        q = q.where(Concern.urgent == True)  # noqa: E712
    return q


def _inbox_rows_fast(actor: Actor, rows) -> tuple[InboxRow, ...]:
    """`_inbox_rows` from hand-written SQL: the same rows, the same hiding. Each pupil goes
    straight from its columns to its label (no PupilInConcern: the inbox shows only the label)."""
    from kiosk.services import concerns_sql

    ids = [r.id for r in rows]
    if not ids:
        return ()
    show_flags = actor.can(Cap.PUPIL_FLAGS_EDIT)
    marks_of: dict[int, tuple[str, ...]] = {0: ()}  # flag bits -> their short forms

    def pupil(first, preferred, last, status, active, bits):
        marks = marks_of.get(bits) if show_flags else ()
        if marks is None:
            marks = marks_of[bits] = _flag_marks(concerns_sql.flags_set(bits))
        return _pupil_label(f"{preferred or first} {last}", marks,
                            "not on roll" if status == "not_on_roll" else ("" if active else "left"))

    pupils = concerns_sql.pupil_links(ids, pupil)
    cats = concerns_sql.categories(ids)
    names = concerns_sql.user_names([r.recorded_by_id for r in rows] + [r.owner_id for r in rows])
    restricted_ids = [r.id for r in rows if r.restricted]
    named: set[int] = set()
    if restricted_ids and actor.user_id is not None:
        named = concerns_sql.named_on(restricted_ids, actor.user_id)
    unread: set[int] = set()
    if actor.user_id is not None:
        unread = concerns_sql.unread(ids, actor.user_id, RECORD_TYPE)
    category_names = {cid: [name for _k, name in found] for cid, found in cats.items()}
    return _inbox_row_views(actor, rows, pupils, category_names, names, named, unread)


def shared_with_me(actor: Actor) -> list[InboxRow]:
    """Concerns the DSL team has shared with this (pastoral) member of staff."""
    require(actor, Cap.CONCERN_VIEW_SHARED)
    from kiosk.models.concerns import Concern, ConcernAccess

    with dbmod.translate_errors():
        rows = list(Concern.select().join(ConcernAccess, on=(ConcernAccess.concern == Concern.id))
                    .where((ConcernAccess.user == actor.user_id) & (ConcernAccess.kind == "shared")
                           & ConcernAccess.ended_at.is_null() & (Concern.restricted == False))  # noqa: E712
                    .order_by(Concern.recorded_at.desc()).distinct())
        result = _inbox_rows(actor, rows)
        audit.record(actor, "concern.list_shared", RECORD_TYPE, "", {"ids": [r.id for r in rows]})
        return list(result)


# --------------------------------------------------------------------------------------------
# Triage (the DSL team)
# --------------------------------------------------------------------------------------------


def _precheck(actor: Actor, concern_id: int, action: str, cap: Cap = Cap.CONCERN_TRIAGE) -> None:
    """Capability and access, checked before the write so that refusals stay audited."""
    require(actor, cap)
    _need_user(actor)
    load_visible(actor, concern_id, action=action)


def triage_row(actor: Actor, concern_id: int, action: str):
    """Inside the write: the fresh row, checked again (it may have changed since)."""
    row = _row_or_none(concern_id)
    if row is None or access_level(actor, row) != FULL:
        raise NotFound(f"no concern {ref_for(concern_id)}")
    return row


def _event(row, actor: Actor, kind: str, **fields):
    from kiosk.models.concerns import ConcernEvent

    return ConcernEvent.create(concern=row.id, kind=kind, by=actor.user_id, at=utcnow(), **fields)


def _touch(row, **changes) -> None:
    from kiosk.models.concerns import Concern

    changes["updated_at"] = utcnow()
    Concern.update(**changes).where(Concern.id == row.id).execute()


def _need_user(actor: Actor) -> None:
    if actor.user_id is None:
        raise PermissionDenied(Cap.CONCERN_TRIAGE, "Only a signed-in member of the DSL team can do this.")


def _ack_inside(actor: Actor, row) -> bool:
    if row.status != "open":
        return False
    _event(row, actor, "acknowledged")
    _touch(row, status="acknowledged", acknowledged_at=utcnow())
    return True


def acknowledge(actor: Actor, concern_id: int) -> ConcernDetail:
    """The DSL team has seen it; the recorder then sees "Acknowledged"."""
    _need_user(actor)
    _precheck(actor, concern_id, "concern.acknowledge")
    with dbmod.translate_errors(), dbmod.write():
        row = triage_row(actor, concern_id, "concern.acknowledge")
        if row.status == "closed":
            raise ValidationError("status", "the concern is closed; reopen it first")
        if _ack_inside(actor, row):
            audit.record(actor, "concern.acknowledge", RECORD_TYPE, row.id)
    return _reread(actor, concern_id)


def _reread(actor: Actor, concern_id: int) -> ConcernDetail:
    from kiosk.models.concerns import Concern

    return detail_view(actor, Concern.get_by_id(concern_id))


def add_action(actor: Actor, concern_id: int, data: ActionInput | None = None,
               **fields) -> ConcernDetail:
    """Record what the DSL team did and why (an ActionInput, or its fields as keywords).
    Acting on an unacknowledged concern acknowledges it.

    `data.details`: the fields the kind asks for (kiosk.rules.action_kinds; a refusal names the
    field). `data.follow_up`: a follow-up the action sets, with its due date and owner."""
    from kiosk.dates import parse_typed_date
    from kiosk.models.concerns import ACTION_KINDS, ConcernAction, ConcernActionDetail
    from kiosk.rules.action_kinds import check_details
    from kiosk.services import casework

    require(actor, Cap.CONCERN_TRIAGE)
    data = data or ActionInput(**fields)
    kind, details, follow_up = data.kind, data.details, data.follow_up
    _need_user(actor)
    if kind not in ACTION_KINDS:
        raise ValidationError("kind", "choose what was done from the list", "action")
    action_date = parse_typed_date(data.action_date, "action_date", label="action date")
    if action_date > today():
        raise ValidationError("action_date", "is in the future", "action date")
    who = clean(data.taken_by, "taken_by", required=True, max_length=200, label="who")
    notes = clean(data.notes, "notes", multiline=True)
    rationale = clean(data.rationale, "rationale", required=True, multiline=True)
    for name, value in (details or {}).items():
        if isinstance(value, str):
            clean(value, name, multiline=True, max_length=2000)
    kept, problems = check_details(kind, details, today())
    if problems:
        raise ValidationError(*problems[0])
    casework.check_follow_up(follow_up)
    _precheck(actor, concern_id, "concern.action")
    with dbmod.translate_errors(), dbmod.write():
        row = triage_row(actor, concern_id, "concern.action")
        if row.status == "closed":
            raise ValidationError("status", "the concern is closed; reopen it to add an action")
        if action_date < row.occurred_on:
            raise ValidationError("action_date", "is before the concern happened", "action date")
        _ack_inside(actor, row)
        a = ConcernAction.create(concern=row.id, kind=kind, action_date=action_date, taken_by=who,
                                 notes=notes, rationale=rationale, recorded_by=actor.user_id,
                                 recorded_at=utcnow())
        records = [("concern_action", a.id)]
        if kept:
            d = ConcernActionDetail.create(action=a.id, fields=json.dumps(kept, sort_keys=True))
            records.append(("concern_action_detail", d.id))
        if follow_up is not None:
            f = casework.create_follow_up(actor, row, a.id, follow_up)
            records.append(("concern_follow_up", f.id))
        _touch(row)
        audit.record(actor, "concern.action", RECORD_TYPE, row.id, {"action_id": a.id, "kind": kind},
                     records=records)
    return _reread(actor, concern_id)


def assign_owner(actor: Actor, concern_id: int, user_id: int, note: str = "") -> ConcernDetail:
    """Make one member of the DSL team responsible for the concern.

    Handing it over from one owner to another (deputy to DSL and back) needs a note for the
    new owner; it is kept on the event and shown in the concern's history."""
    _need_user(actor)
    _precheck(actor, concern_id, "concern.assign")
    note = clean(note, "note", multiline=True, max_length=2000)
    with dbmod.translate_errors(), dbmod.write():
        row = triage_row(actor, concern_id, "concern.assign")
        team = {u.id for u in people.with_roles(TRIAGE_ROLES)}
        if user_id not in team:
            raise ValidationError("user_id", "must be an active member of the DSL team", "owner")
        if row.restricted and not has_access(row.id, user_id, "restricted"):
            raise ValidationError("user_id", "is not named on this restricted concern", "owner")
        if row.owner_id == user_id:
            return _reread(actor, concern_id)
        if row.owner_id is not None and not note:
            raise ValidationError("note", "say what the new owner needs to know (a handover note)")
        _ack_inside(actor, row)
        ev = _event(row, actor, "owner", subject_user=user_id, summary=note)
        _touch(row, owner=user_id)
        audit.record(actor, "concern.assign", RECORD_TYPE, row.id,
                     {"owner": user_id, "handover": bool(note)},
                     records=[("concern_event", ev.id)])
    return _reread(actor, concern_id)


def close_concern(actor: Actor, concern_id: int, data: CloseInput | None = None,
                  **fields) -> ConcernDetail:
    """Close with a summary, an outcome and the reasons (including for not referring)."""
    from kiosk.models.concerns import CLOSE_OUTCOMES

    require(actor, Cap.CONCERN_TRIAGE)
    data = data or CloseInput(**fields)
    _need_user(actor)
    summary = clean(data.summary, "summary", required=True, multiline=True)
    outcome = data.outcome
    if outcome not in CLOSE_OUTCOMES:
        raise ValidationError("outcome", "choose the outcome from the list")
    reasoning = clean(data.reasoning, "reasoning", required=True, multiline=True)
    _precheck(actor, concern_id, "concern.close")
    with dbmod.translate_errors(), dbmod.write():
        row = triage_row(actor, concern_id, "concern.close")
        if row.status == "closed":
            raise ValidationError("status", "the concern is already closed")
        _ack_inside(actor, row)
        ev = _event(row, actor, "closed", summary=summary, outcome=outcome, reasoning=reasoning)
        _touch(row, status="closed", is_open=False)
        audit.record(actor, "concern.close", RECORD_TYPE, row.id, {"outcome": outcome},
                     records=[("concern_event", ev.id)])
    return _reread(actor, concern_id)


def reopen_concern(actor: Actor, concern_id: int, reason: str) -> ConcernDetail:
    _need_user(actor)
    reason = clean(reason, "reason", required=True, multiline=True)
    _precheck(actor, concern_id, "concern.reopen")
    with dbmod.translate_errors(), dbmod.write():
        row = triage_row(actor, concern_id, "concern.reopen")
        if row.status != "closed":
            raise ValidationError("status", "the concern is not closed")
        ev = _event(row, actor, "reopened", reasoning=reason)
        _touch(row, status="acknowledged", is_open=True)
        audit.record(actor, "concern.reopen", RECORD_TYPE, row.id,
                     records=[("concern_event", ev.id)])
    return _reread(actor, concern_id)


def amend(actor: Actor, concern_id: int, data: AmendInput | None = None, **fields) -> ConcernDetail:
    """Append a correction; the original stays as recorded."""
    from kiosk.models.concerns import AMENDABLE_FIELDS, ConcernAmendment

    require(actor, Cap.CONCERN_TRIAGE)
    data = data or AmendInput(**fields)
    field = data.field
    _need_user(actor)
    if field not in AMENDABLE_FIELDS:
        raise ValidationError("field", "choose which part of the record this corrects")
    text = clean(data.text, "text", required=True, multiline=True, label="amendment")
    reason = clean(data.reason, "reason", required=True, multiline=True)
    _precheck(actor, concern_id, "concern.amend")
    with dbmod.translate_errors(), dbmod.write():
        row = triage_row(actor, concern_id, "concern.amend")
        a = ConcernAmendment.create(concern=row.id, field=field, text=text, reason=reason,
                                    by=actor.user_id, at=utcnow())
        _touch(row)
        audit.record(actor, "concern.amend", RECORD_TYPE, row.id, {"amendment_id": a.id, "field": field},
                     records=[("concern_amendment", a.id)])
    return _reread(actor, concern_id)


def restrict(actor: Actor, concern_id: int, user_ids, reason: str) -> ConcernDetail:
    """Restrict to named people (DSL team or headteacher); everyone else sees "restricted".

    Naming people on an already restricted concern replaces the list. The DSL is always
    named, whoever restricts it: a deputy cannot shut the DSL out.
    """
    from kiosk.models import Alert
    from kiosk.models.concerns import ConcernAccess

    require(actor, Cap.CONCERN_RESTRICT)
    _need_user(actor)
    reason = clean(reason, "reason", required=True, multiline=True)
    ids = sorted({int(u) for u in user_ids})
    if not ids:
        raise ValidationError("user_ids", "name at least one member of the DSL team", "named people")
    _precheck(actor, concern_id, "concern.restrict", Cap.CONCERN_RESTRICT)
    with dbmod.translate_errors(), dbmod.write():
        row = triage_row(actor, concern_id, "concern.restrict")
        ids = sorted(set(ids) | _dsl_ids())
        allowed = {u.id for u in people.with_roles(TRIAGE_ROLES + (Role.HEADTEACHER,))}
        for uid in ids:
            if uid not in allowed:
                raise ValidationError("user_ids", "only the DSL team and headteacher can be named",
                                      "named people")
        if row.owner_id and row.owner_id not in ids:
            raise ValidationError("user_ids", "the owner must be named (or change the owner first)",
                                  "named people")
        now = utcnow()
        ConcernAccess.update(ended_at=now).where(
            (ConcernAccess.concern == row.id) & (ConcernAccess.kind == "restricted")
            & ConcernAccess.ended_at.is_null() & ~ConcernAccess.user.in_(ids)).execute()
        current = {a.user_id for a in ConcernAccess.select().where(
            (ConcernAccess.concern == row.id) & (ConcernAccess.kind == "restricted")
            & ConcernAccess.ended_at.is_null())}
        for uid in ids:
            if uid not in current:
                ConcernAccess.create(concern=row.id, user=uid, kind="restricted",
                                     granted_by=actor.user_id, granted_at=now)
        # Shares end: a restricted concern is only for the people named.
        ConcernAccess.update(ended_at=now).where(
            (ConcernAccess.concern == row.id) & (ConcernAccess.kind == "shared")
            & ConcernAccess.ended_at.is_null()).execute()
        # Alerts to people not named keep no label that could say what it is about.
        Alert.update(label="Restricted", raised_by="").where(
            (Alert.record_type == RECORD_TYPE) & (Alert.record_id == row.id)
            & ~Alert.recipient.in_(ids)).execute()
        _event(row, actor, "restricted", reasoning=reason)
        _touch(row, restricted=True)
        audit.record(actor, "concern.restrict", RECORD_TYPE, row.id, {"named": ids})
    return _reread(actor, concern_id)


def lift_restriction(actor: Actor, concern_id: int, reason: str) -> ConcernDetail:
    from kiosk.models.concerns import ConcernAccess

    require(actor, Cap.CONCERN_RESTRICT)
    _need_user(actor)
    reason = clean(reason, "reason", required=True, multiline=True)
    _precheck(actor, concern_id, "concern.unrestrict", Cap.CONCERN_RESTRICT)
    with dbmod.translate_errors(), dbmod.write():
        row = triage_row(actor, concern_id, "concern.unrestrict")
        if not row.restricted:
            raise ValidationError("status", "the concern is not restricted")
        ConcernAccess.update(ended_at=utcnow()).where(
            (ConcernAccess.concern == row.id) & (ConcernAccess.kind == "restricted")
            & ConcernAccess.ended_at.is_null()).execute()
        _event(row, actor, "unrestricted", reasoning=reason)
        _touch(row, restricted=False)
        audit.record(actor, "concern.unrestrict", RECORD_TYPE, row.id)
    return _reread(actor, concern_id)


def share(actor: Actor, concern_id: int, user_id: int, reason: str = "") -> ConcernDetail:
    """Share a (not restricted) concern with a pastoral member of staff."""
    from kiosk.models.concerns import ConcernAccess

    require(actor, Cap.CONCERN_SHARE)
    _need_user(actor)
    reason = clean(reason, "reason", multiline=True)
    _precheck(actor, concern_id, "concern.share", Cap.CONCERN_SHARE)
    with dbmod.translate_errors(), dbmod.write():
        row = triage_row(actor, concern_id, "concern.share")
        if row.restricted:
            raise ValidationError("share", "a restricted concern cannot be shared")
        if user_id not in {u.id for u in people.with_roles((Role.PASTORAL,))}:
            raise ValidationError("user_id", "must be an active member of the pastoral staff",
                                  "share with")
        if has_access(row.id, user_id, "shared"):
            return _reread(actor, concern_id)
        ConcernAccess.create(concern=row.id, user=user_id, kind="shared", granted_by=actor.user_id,
                             granted_at=utcnow())
        _event(row, actor, "shared", subject_user=user_id, reasoning=reason)
        _touch(row)
        audit.record(actor, "concern.share", RECORD_TYPE, row.id, {"with": user_id})
    return _reread(actor, concern_id)


def unshare(actor: Actor, concern_id: int, user_id: int, reason: str = "") -> ConcernDetail:
    from kiosk.models.concerns import ConcernAccess

    require(actor, Cap.CONCERN_SHARE)
    _need_user(actor)
    reason = clean(reason, "reason", multiline=True)
    _precheck(actor, concern_id, "concern.unshare", Cap.CONCERN_SHARE)
    with dbmod.translate_errors(), dbmod.write():
        row = triage_row(actor, concern_id, "concern.unshare")
        n = ConcernAccess.update(ended_at=utcnow()).where(
            (ConcernAccess.concern == row.id) & (ConcernAccess.kind == "shared")
            & (ConcernAccess.user == user_id) & ConcernAccess.ended_at.is_null()).execute()
        if n:
            _event(row, actor, "unshared", subject_user=user_id, reasoning=reason)
            audit.record(actor, "concern.unshare", RECORD_TYPE, row.id, {"with": user_id})
    return _reread(actor, concern_id)


# --------------------------------------------------------------------------------------------
# Home screen numbers
# --------------------------------------------------------------------------------------------


def overdue_cutoff(now_utc: datetime | None = None) -> datetime:
    """Concerns recorded before this (naive UTC) and still unacknowledged are overdue.

    The DSL team should acknowledge within one working day: a concern recorded on day D is
    overdue once the working day after D has ended.
    """
    from kiosk.rules.deadlines import add_working_days

    now_local = to_local(now_utc or utcnow())
    d = now_local.date() - timedelta(days=1)
    # The latest recording date whose deadline (end of next working day) has passed.
    while add_working_days(d, 1) >= now_local.date():
        d -= timedelta(days=1)
    return to_utc(datetime.combine(d + timedelta(days=1), time(0, 0)))


def home_counts(actor: Actor) -> list:
    from kiosk.services.home import HomeCount
    from kiosk.models.concerns import Concern
    from kiosk.services.actor import require_signed_in

    require_signed_in(actor)

    out = []
    if actor.can(Cap.CONCERN_ALERTS):
        n = alerts.unread_count(actor, kinds=[ALERT_KIND])
        out.append(HomeCount("Unread concern alerts", n, urgent=n > 0, key="i"))
    if actor.can(Cap.CONCERN_VIEW_ALL):
        urgent = Concern.select().where((Concern.status == "open") & (Concern.urgent == True)).count()  # noqa: E712
        overdue = Concern.select().where((Concern.status == "open")
                                         & (Concern.recorded_at < overdue_cutoff())).count()
        open_n = Concern.select().where(Concern.is_open == True).count()  # noqa: E712
        key = "i"
        out.append(HomeCount("Urgent concerns not yet acknowledged", urgent, urgent=urgent > 0, key=key))
        out.append(HomeCount("Concerns unacknowledged after one working day", overdue,
                             urgent=overdue > 0, key=key))
        out.append(HomeCount("Open concerns", open_n, key=key))
    if actor.can(Cap.CONCERN_VIEW_SHARED) and actor.user_id is not None:
        from kiosk.models.concerns import ConcernAccess

        n = ConcernAccess.select().join(Concern).where(
            (ConcernAccess.user == actor.user_id) & (ConcernAccess.kind == "shared")
            & ConcernAccess.ended_at.is_null() & (Concern.is_open == True)).count()  # noqa: E712
        out.append(HomeCount("Open concerns shared with you", n, key="v"))
    if actor.can(Cap.CONCERN_VIEW_OWN) and actor.user_id is not None and not actor.can(Cap.CONCERN_VIEW_ALL):
        from peewee import fn

        counts = dict(Concern.select(Concern.status, fn.COUNT(Concern.id))
                      .where(Concern.recorded_by == actor.user_id)
                      .group_by(Concern.status).tuples())
        awaiting, acked = counts.get("open", 0), counts.get("acknowledged", 0)
        if awaiting or acked:
            out.append(HomeCount("of your reports awaiting the DSL team", awaiting, key="m"))
            out.append(HomeCount("of your reports acknowledged by the DSL team", acked, key="m"))
    return out
