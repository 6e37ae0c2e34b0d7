"""Early help (procedures paragraph 6): what pastoral staff do, one function per action.

The offer comes from the school profile (`sync_offers`) and lives in the database, so the
school can add, rename and retire offers without losing the history that refers to them.
Around it: internal referrals for 1:1 or group work (`refer_internally`, `decide_referral`),
enrolments with reviews (`enrol`, `record_review`, `end_enrolment`, `reviews_due`), session
registers (`register_sheet`, `take_register`, `take_family_register`), referrals to outside
agencies named in the profile with their status history (`refer_to_agency`,
`record_agency_status`), a caseload summary (`caseload`) and the pupil's early-help record
(`pupil_record`, `chronology_entries` for the DSL team's chronology).

Reads need Cap.EARLY_HELP_VIEW, writes Cap.EARLY_HELP_MANAGE, an internal referral
Cap.EARLY_HELP_REFER and changes to the offer Cap.EARLY_HELP_OFFERS. Nothing here reads or
returns child-protection concern details: pastoral staff see early help only.

Functions that need the profile (agencies, the offer) take `profile=`; screens pass
`app.profile`. Without it the packaged default profile is used.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Iterable, Mapping

from peewee import JOIN

from kiosk import db as dbmod
from kiosk.capabilities import Cap
from kiosk.clock import to_local, to_utc, today, utcnow
from kiosk.errors import NotFound, ValidationError
from kiosk.services import audit
from kiosk.services.actor import Actor, require
from kiosk.dates import parse_typed_date
from kiosk.text import clean

KIND_NAMES = {
    "drop_in": "Drop-in",
    "club": "Club",
    "workshop": "Parent workshop",
    "one_to_one": "1:1 support",
    "group": "Group work",
}
OFFER_KINDS = tuple(KIND_NAMES)
FREQUENCIES = ("daily", "weekly", "fortnightly", "monthly", "half_termly", "termly", "as_needed")
REFERRAL_KINDS = ("one_to_one", "group")  # internal referrals are for these (para 6)
PUPIL_REGISTER_KINDS = ("drop_in", "club", "one_to_one", "group")
FAMILY_REGISTER_KINDS = ("workshop",)

DECISIONS = ("accepted", "declined")

AGENCY_STATUSES = ("sent", "acknowledged", "accepted", "declined", "closed")
# What may follow each status. A reply can skip "acknowledged"; everything ends "closed".
AGENCY_NEXT = {
    "sent": ("acknowledged", "accepted", "declined", "closed"),
    "acknowledged": ("accepted", "declined", "closed"),
    "accepted": ("closed",),
    "declined": ("closed",),
    "closed": (),
}
AGENCY_WAITING = ("sent", "acknowledged")  # no decision from the agency yet
CONSENT = {
    "parent": "Parent or carer consented",
    "pupil": "Pupil consented",
    "parent_and_pupil": "Parent or carer and pupil consented",
    "not_sought": "Consent not sought (reason noted)",
    "refused": "Consent refused (reason noted)",
}
CONSENT_NEEDS_NOTE = ("not_sought", "refused")

NOTE_MAX = 2000
TEXT_MAX = 8000


# ---------------------------------------------------------------------------------------------
# Results (plain, frozen: screens never see model rows)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfferView:
    id: int
    key: str
    name: str
    kind: str
    frequency: str
    audience: str
    description: str
    active: bool
    from_profile: bool

    @property
    def kind_name(self) -> str:
        return KIND_NAMES.get(self.kind, self.kind)


@dataclass(frozen=True)
class OfferChangeView:
    change: str
    old_name: str
    new_name: str
    reason: str
    by: str
    at: datetime


@dataclass(frozen=True)
class ReferralView:
    id: int
    pupil_id: int
    pupil_name: str
    offer_id: int
    offer_name: str
    reason: str
    referred_by: str
    referred_at: datetime
    decision: str  # pending, accepted, declined
    decision_reason: str = ""
    picked_up_by: str = ""
    decided_by: str = ""
    decided_at: datetime | None = None
    enrolment_id: int | None = None


@dataclass(frozen=True)
class ReviewView:
    id: int
    reviewed_on: date
    notes: str
    next_review_on: date | None
    by: str
    at: datetime


@dataclass(frozen=True)
class EnrolmentView:
    id: int
    pupil_id: int
    pupil_name: str
    form_group: str
    offer_id: int
    offer_name: str
    offer_kind: str
    start_on: date
    aims: str
    review_on: date  # the first review date set at enrolment
    next_review_on: date | None  # the review now due (None once ended or none planned)
    planned_end_on: date | None
    keyworker: str
    created_by: str
    referral_id: int | None
    ended_on: date | None
    outcome: str
    reviews: tuple[ReviewView, ...] = ()

    @property
    def open(self) -> bool:
        return self.ended_on is None


@dataclass(frozen=True)
class ReviewDue:
    enrolment_id: int
    pupil_id: int
    pupil_name: str
    offer_name: str
    due_on: date
    overdue: bool
    keyworker: str


@dataclass(frozen=True)
class SessionView:
    id: int
    offer_id: int
    offer_name: str
    offer_kind: str
    held_on: date
    label: str
    register_taken: bool
    present: int
    absent: int
    walk_ins: int
    families: int


@dataclass(frozen=True)
class RegisterLine:
    pupil_id: int
    name: str
    form_group: str
    enrolled: bool
    present: bool  # what was recorded; for a new register, absent until marked
    note: str = ""


@dataclass(frozen=True)
class RegisterSheet:
    session_id: int | None  # None until the register is first saved
    offer: OfferView
    held_on: date
    label: str
    lines: tuple[RegisterLine, ...]
    taken_at: datetime | None
    taken_by: str


@dataclass(frozen=True)
class RegisterResult:
    session_id: int
    present: int
    absent: int
    walk_ins: int
    corrected: bool


@dataclass(frozen=True)
class Mark:
    """One pupil on a register. `take_register` also accepts a bare bool."""

    present: bool
    note: str = ""


@dataclass(frozen=True)
class SessionSpec:
    """A session named by offer (id or key), date and optional label, made on first register."""

    offer: int | str
    held_on: date
    label: str = ""


@dataclass(frozen=True)
class FamilyMark:
    family: str  # "Family 3", "Mr and Mrs A" - never a pupil's name or details
    adults: int = 1
    note: str = ""


@dataclass(frozen=True)
class FamilyLine:
    family: str
    adults: int
    note: str


@dataclass(frozen=True)
class StatusView:
    status: str
    on: date
    note: str
    by: str
    at: datetime


@dataclass(frozen=True)
class AgencyReferralView:
    id: int
    pupil_id: int
    pupil_name: str
    agency_key: str
    agency_name: str
    referred_on: date
    reason: str
    consent: str
    consent_note: str
    referred_by: str
    status: str
    status_on: date
    history: tuple[StatusView, ...]
    response_days: int
    reply_due: date
    waiting_too_long: bool
    outcome: str

    @property
    def consent_text(self) -> str:
        return CONSENT.get(self.consent, self.consent)


@dataclass(frozen=True)
class AttendanceLine:
    session_id: int
    held_on: date
    offer_name: str
    present: bool
    walk_in: bool
    note: str


@dataclass(frozen=True)
class PupilEarlyHelp:
    pupil_id: int
    pupil_name: str
    form_group: str
    enrolments: tuple[EnrolmentView, ...]
    referrals: tuple[ReferralView, ...]
    agency_referrals: tuple[AgencyReferralView, ...]
    attendance: tuple[AttendanceLine, ...]


@dataclass(frozen=True)
class CountRow:
    label: str
    detail: str
    count: int


@dataclass(frozen=True)
class RateRow:
    id: int | None  # pupil id or offer id
    label: str
    detail: str
    present: int
    sessions: int

    @property
    def rate(self) -> float:
        return self.present / self.sessions if self.sessions else 0.0

    @property
    def percent(self) -> str:
        from kiosk.rules.attendance import percent_text

        return percent_text(self.present, self.sessions)


@dataclass(frozen=True)
class Caseload:
    open_by_offer: tuple[CountRow, ...]  # label: offer, detail: kind
    open_by_kind: tuple[CountRow, ...]
    attendance_by_pupil: tuple[RateRow, ...]
    attendance_by_offer: tuple[RateRow, ...]
    agency_by_status: tuple[CountRow, ...]  # label: agency, detail: status
    pending_referrals: int
    reviews_overdue: int
    reviews_due_week: int
    agency_waiting_too_long: int
    since: date | None


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------

def parse_date(text: str | date | None, field: str, *, required: bool = True) -> date | None:
    """A date typed by a person (see kiosk.dates: the same rules on every form)."""
    return parse_typed_date(text, field, required=required)


def _as_date(value, field: str, *, required: bool = True, calendar=None) -> date | None:
    if value is None or value == "":
        if required:
            raise ValidationError(field, "is required")
        return None
    if isinstance(value, (date, str)):
        return parse_typed_date(value, field, required=required, calendar=calendar)
    raise ValidationError(field, "must be a date")


def _not_future(d: date, field: str, what: str) -> None:
    if d > today():
        raise ValidationError(field, f"{what} cannot be in the future ({d:%d %b %Y})")


def _user_id(actor: Actor) -> int:
    if actor.user_id is None:
        # Early help records name a member of staff; the shell has none.
        raise ValidationError("user", "early help records must be made by a staff account")
    return actor.user_id


def _names() -> dict[int, str]:
    from kiosk.models import User

    return {u.id: u.full_name for u in User.select(User.id, User.full_name)}


def _fk(row, name: str) -> int | None:
    return getattr(row, name + "_id")


_default_profile = None


def _profile(profile):
    global _default_profile
    if profile is not None:
        return profile
    if _default_profile is None:
        from kiosk.rules import load_profile

        _default_profile = load_profile()
    return _default_profile


def _pupil(pupil_id: int, *, active: bool = False, lock: bool = False):
    from kiosk.models.pupils import Pupil

    if not isinstance(pupil_id, int) or isinstance(pupil_id, bool):
        raise ValidationError("pupil", "choose a pupil")
    q = Pupil.select().where(Pupil.id == pupil_id)
    if lock and not dbmod.is_sqlite():
        q = q.for_update()
    p = q.first()
    if p is None:
        raise NotFound(f"no pupil with id {pupil_id}")
    if active and not p.active:
        raise ValidationError("pupil", f"{p.display_name} is no longer on roll")
    return p


def _offer_view(o) -> OfferView:
    return OfferView(o.id, o.key, o.name, o.kind, o.frequency, o.audience, o.description,
                     o.retired_at is None, o.from_profile)


def _offer_row(ref: int | str):
    from kiosk.models.early_help import EarlyHelpOffer as O

    if isinstance(ref, bool):
        raise ValidationError("offer", "choose an offer")
    if isinstance(ref, int):
        o = O.get_or_none(O.id == ref)
    elif isinstance(ref, str):
        o = O.get_or_none(O.key == ref)
    else:
        raise ValidationError("offer", "choose an offer")
    if o is None:
        raise ValidationError("offer", f"there is no offer {ref!r} (is the offer synced from the profile?)")
    return o


def _set_open_flag(pupil, value: bool, actor: Actor, reason: str) -> None:
    """Keep the pupil's "early help open" flag in step (inside the caller's transaction).

    Pastoral staff cannot edit flags in general; this one follows their records, so the
    change is written here with its history row and audit event, as set_flag would.
    """
    from kiosk.models.pupils import Pupil, PupilFlagChange

    if bool(pupil.early_help_open) == value:
        return
    Pupil.update(early_help_open=value).where(Pupil.id == pupil.id).execute()
    PupilFlagChange.create(pupil=pupil.id, flag="early_help_open", value=value, reason=reason,
                           by=actor.user_id, at=utcnow())
    audit.record(actor, "pupil.flag", "pupil", pupil.id,
                 {"flag": "early_help_open", "value": value, "by": "early_help"})


def _has_open_enrolment(pupil_id: int) -> bool:
    from kiosk.models.early_help import EarlyHelpEnrolment as E, EarlyHelpEnrolmentEnd as End

    return (
        E.select(E.id)
        .join(End, on=(End.enrolment == E.id), join_type=JOIN.LEFT_OUTER)
        .where((E.pupil == pupil_id) & End.id.is_null())
        .exists()
    )


# ---------------------------------------------------------------------------------------------
# The offer
# ---------------------------------------------------------------------------------------------


def sync_offers(actor: Actor, profile=None) -> list[OfferView]:
    """Bring the profile's offers into the database: add new keys, follow profile renames.

    An offer renamed or retired in the console keeps what the school chose; an offer that
    has left the profile stays (history refers to it) until the school retires it.
    """
    require(actor, Cap.EARLY_HELP_VIEW)
    _sync_offers(actor, _profile(profile))
    return list_offers(actor, include_retired=True)


def _sync_offers(actor: Actor, prof) -> None:
    from kiosk.models.early_help import EarlyHelpOffer as O, EarlyHelpOfferChange as C

    existing = {o.key: o for o in O.select()}
    wanted = []
    for offer in prof.offers:
        row = existing.get(offer.key)
        if row is None or (row.from_profile and not row.renamed_in_console and row.name != offer.name):
            wanted.append(offer)
    if wanted:
        with dbmod.write():
            existing = {o.key: o for o in O.select()}
            added, renamed = [], []
            for offer in wanted:
                row = existing.get(offer.key)
                if row is None:
                    row = O.create(key=offer.key, name=offer.name, kind=offer.kind,
                                   frequency=offer.frequency, audience=offer.audience or "",
                                   description=offer.description or "", from_profile=True)
                    C.create(offer=row, change="add", new_name=offer.name, reason="from the school profile")
                    added.append(offer.key)
                elif row.from_profile and not row.renamed_in_console and row.name != offer.name:
                    C.create(offer=row, change="profile_rename", old_name=row.name, new_name=offer.name,
                             reason="renamed in the school profile")
                    O.update(name=offer.name).where(O.id == row.id).execute()
                    renamed.append(offer.key)
            if added or renamed:
                audit.record(actor, "early_help.offers_sync", "early_help_offer", "",
                             {"added": added, "renamed": renamed})


def list_offers(actor: Actor, include_retired: bool = False, kinds: Iterable[str] | None = None) -> list[OfferView]:
    require(actor, Cap.EARLY_HELP_VIEW)
    from kiosk.models.early_help import EarlyHelpOffer as O

    q = O.select().order_by(O.retired_at.is_null(False), O.id)
    if not include_retired:
        q = q.where(O.retired_at.is_null())
    if kinds is not None:
        q = q.where(O.kind.in_(list(kinds)))
    return [_offer_view(o) for o in q]


def offer_history(actor: Actor, offer_id: int) -> list[OfferChangeView]:
    require(actor, Cap.EARLY_HELP_VIEW)
    from kiosk.models.early_help import EarlyHelpOfferChange as C

    names = _names()
    q = C.select().where(C.offer == offer_id).order_by(C.id)
    return [OfferChangeView(c.change, c.old_name, c.new_name, c.reason,
                            names.get(_fk(c, "by"), "school profile"), c.at) for c in q]


def _slug(name: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    if not s or not s[0].isalpha():
        s = "offer_" + s
    return s[:50]


def add_offer(actor: Actor, name: str, kind: str, frequency: str, audience: str = "",
              description: str = "") -> OfferView:
    require(actor, Cap.EARLY_HELP_OFFERS)
    from kiosk.models.early_help import EarlyHelpOffer as O, EarlyHelpOfferChange as C

    uid = _user_id(actor)
    title = clean(name, "name", required=True)
    if kind not in OFFER_KINDS:
        raise ValidationError("kind", f"choose one of: {', '.join(OFFER_KINDS)}")
    if frequency not in FREQUENCIES:
        raise ValidationError("frequency", f"choose one of: {', '.join(FREQUENCIES)}")
    aud = clean(audience, "audience")
    desc = clean(description, "description", multiline=True, max_length=NOTE_MAX)
    with dbmod.write():
        if O.select().where(O.name == title).exists():
            raise ValidationError("name", f"there is already an offer called {title!r}")
        base = "school_" + _slug(title)
        key, n = base, 2
        while O.select().where(O.key == key).exists():
            key, n = f"{base}_{n}", n + 1
        row = O.create(key=key, name=title, kind=kind, frequency=frequency, audience=aud,
                       description=desc, from_profile=False)
        C.create(offer=row, change="add", new_name=title, by=uid)
        audit.record(actor, "early_help.offer_add", "early_help_offer", row.id, {"key": key})
    return _offer_view(row)


def rename_offer(actor: Actor, offer_id: int, new_name: str, reason: str = "") -> OfferView:
    require(actor, Cap.EARLY_HELP_OFFERS)
    from kiosk.models.early_help import EarlyHelpOffer as O, EarlyHelpOfferChange as C

    uid = _user_id(actor)
    title = clean(new_name, "new name", required=True)
    why = clean(reason, "reason", multiline=True, max_length=NOTE_MAX)
    with dbmod.write():
        row = _offer_row(offer_id)
        if row.name == title:
            raise ValidationError("new name", "is the same as the current name")
        if O.select().where((O.name == title) & (O.id != row.id)).exists():
            raise ValidationError("new name", f"there is already an offer called {title!r}")
        C.create(offer=row, change="rename", old_name=row.name, new_name=title, reason=why, by=uid)
        O.update(name=title, renamed_in_console=True).where(O.id == row.id).execute()
        audit.record(actor, "early_help.offer_rename", "early_help_offer", row.id,
                     {"old": row.name, "new": title})
        row = O.get_by_id(row.id)
    return _offer_view(row)


def retire_offer(actor: Actor, offer_id: int, reason: str) -> OfferView:
    """No new sessions or enrolments; everything recorded under it stays readable."""
    require(actor, Cap.EARLY_HELP_OFFERS)
    from kiosk.models.early_help import EarlyHelpOffer as O, EarlyHelpOfferChange as C

    uid = _user_id(actor)
    why = clean(reason, "reason", required=True, multiline=True, max_length=NOTE_MAX)
    with dbmod.write():
        row = _offer_row(offer_id)
        if row.retired_at is not None:
            raise ValidationError("offer", f"{row.name!r} is already retired")
        C.create(offer=row, change="retire", old_name=row.name, new_name=row.name, reason=why, by=uid)
        O.update(retired_at=utcnow()).where(O.id == row.id).execute()
        audit.record(actor, "early_help.offer_retire", "early_help_offer", row.id)
        row = O.get_by_id(row.id)
    return _offer_view(row)


def restore_offer(actor: Actor, offer_id: int, reason: str = "") -> OfferView:
    require(actor, Cap.EARLY_HELP_OFFERS)
    from kiosk.models.early_help import EarlyHelpOffer as O, EarlyHelpOfferChange as C

    uid = _user_id(actor)
    why = clean(reason, "reason", multiline=True, max_length=NOTE_MAX)
    with dbmod.write():
        row = _offer_row(offer_id)
        if row.retired_at is None:
            raise ValidationError("offer", f"{row.name!r} is not retired")
        C.create(offer=row, change="restore", old_name=row.name, new_name=row.name, reason=why, by=uid)
        O.update(retired_at=None).where(O.id == row.id).execute()
        audit.record(actor, "early_help.offer_restore", "early_help_offer", row.id)
        row = O.get_by_id(row.id)
    return _offer_view(row)


# ---------------------------------------------------------------------------------------------
# Staff who can pick up work
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffOption:
    user_id: int
    name: str


def keyworkers(actor: Actor) -> list[StaffOption]:
    """Active staff whose roles may run early help (to pick up a referral or be keyworker)."""
    require(actor, Cap.EARLY_HELP_VIEW)
    from kiosk.capabilities import CAPABILITIES
    from kiosk.models import User, UserRole

    roles = [r.value for r, caps in CAPABILITIES.items() if Cap.EARLY_HELP_MANAGE in caps]
    q = (
        User.select(User.id, User.full_name)
        .join(UserRole, on=(UserRole.user == User.id))
        .where(User.active & UserRole.role.in_(roles))
        .distinct()
        .order_by(User.full_name)
    )
    return [StaffOption(u.id, u.full_name) for u in q]


# ---------------------------------------------------------------------------------------------
# Internal referrals (1:1 pastoral support, group work)
# ---------------------------------------------------------------------------------------------


def _referral_view(r, decision, names, pupil, offer, enrolment_id=None) -> ReferralView:
    if decision is None:
        return ReferralView(r.id, pupil.id, pupil.display_name, offer.id, offer.name, r.reason,
                            names.get(_fk(r, "referred_by"), ""), r.referred_at, "pending")
    return ReferralView(
        r.id, pupil.id, pupil.display_name, offer.id, offer.name, r.reason,
        names.get(_fk(r, "referred_by"), ""), r.referred_at, decision.decision, decision.reason,
        names.get(_fk(decision, "picked_up_by"), ""), names.get(_fk(decision, "decided_by"), ""),
        decision.decided_at, enrolment_id,
    )


def refer_internally(actor: Actor, pupil_id: int, offer: int | str, reason: str,
                     profile=None) -> ReferralView:
    """Any member of staff may ask for 1:1 pastoral support or group work for a pupil.

    `offer` may be a profile key: staff referring need not have opened early help, so the
    profile's offer is brought in first if this database has not seen it yet.
    """
    require(actor, Cap.EARLY_HELP_REFER)
    from kiosk.models.early_help import EarlyHelpReferral as R

    uid = _user_id(actor)
    why = clean(reason, "reason", required=True, multiline=True, max_length=TEXT_MAX)
    if isinstance(offer, str):
        _sync_offers(actor, _profile(profile))
    with dbmod.write():
        pupil = _pupil(pupil_id, active=True)
        o = _offer_row(offer)
        if o.kind not in REFERRAL_KINDS:
            raise ValidationError("offer", f"internal referrals are for 1:1 support or group work, not {o.name!r}")
        if o.retired_at is not None:
            raise ValidationError("offer", f"{o.name!r} has been retired")
        r = R.create(pupil=pupil.id, offer=o.id, reason=why, referred_by=uid, referred_at=utcnow())
        audit.record(actor, "early_help.referral", "early_help_referral", r.id,
                     {"pupil": pupil.id, "offer": o.key}, records=[("early_help_referral", r.id)])
        names = _names()
    return _referral_view(r, None, names, pupil, o)


def list_referrals(actor: Actor, pending_only: bool = False, pupil_id: int | None = None,
                   limit: int = 500) -> list[ReferralView]:
    require(actor, Cap.EARLY_HELP_VIEW)
    return _referrals(pending_only, pupil_id, limit)


def my_referrals(actor: Actor, limit: int = 50) -> list[ReferralView]:
    """The referrals this member of staff made, with what was decided and why (a declined
    referral's reason is theirs to read). Reading them marks their alerts read."""
    require(actor, Cap.EARLY_HELP_REFER)
    from kiosk.models import Alert

    views = _referrals(False, None, limit, referred_by=actor.user_id)
    if actor.user_id is not None:
        with dbmod.write():
            Alert.update(read_at=utcnow()).where(
                (Alert.recipient == actor.user_id) & (Alert.kind == REFERRAL_DECLINED_ALERT)
                & Alert.read_at.is_null()).execute()
        audit.record(actor, "early_help.my_referrals_view", "early_help", "", {"count": len(views)})
    return views


def _referrals(pending_only: bool, pupil_id: int | None, limit: int,
               referred_by: int | None = None) -> list[ReferralView]:
    from kiosk.models.early_help import (
        EarlyHelpEnrolment as E,
        EarlyHelpOffer as O,
        EarlyHelpReferral as R,
        EarlyHelpReferralDecision as D,
    )
    from kiosk.models.pupils import Pupil

    q = (
        R.select(R, Pupil, O, D)
        .join(Pupil, on=(R.pupil == Pupil.id))
        .switch(R).join(O, on=(R.offer == O.id))
        .switch(R).join(D, on=(D.referral == R.id), join_type=JOIN.LEFT_OUTER, attr="decision_row")
        .order_by(R.referred_at.desc(), R.id.desc())
        .limit(limit)
    )
    if pending_only:
        q = q.where(D.id.is_null())
    if pupil_id is not None:
        q = q.where(R.pupil == pupil_id)
    if referred_by is not None:
        q = q.where(R.referred_by == referred_by)
    rows = list(q)
    enrol = {}
    ids = [r.id for r in rows]
    if ids:
        enrol = {e.referral_id: e.id for e in E.select(E.id, E.referral).where(E.referral.in_(ids))}
    names = _names()
    out = []
    for r in rows:
        d = getattr(r, "decision_row", None)
        if d is not None and d.id is None:
            d = None
        out.append(_referral_view(r, d, names, r.pupil, r.offer, enrol.get(r.id)))
    return out


def get_referral(actor: Actor, referral_id: int) -> ReferralView:
    """One internal referral with its decision (a view of a pupil's record: audited)."""
    require(actor, Cap.EARLY_HELP_VIEW)
    from kiosk.models.early_help import EarlyHelpReferral as R

    r = R.get_or_none(R.id == referral_id)
    if r is None:
        raise NotFound(f"no referral with id {referral_id}")
    view = next(v for v in list_referrals(actor, pupil_id=r.pupil_id) if v.id == referral_id)
    audit.record(actor, "early_help.view", "early_help_referral", referral_id)
    return view


def decide_referral(actor: Actor, referral_id: int, decision: str, reason: str = "",
                    picked_up_by: int | None = None, *, enrol_start_on: date | str | None = None,
                    aims: str | None = None, review_on: date | str | None = None,
                    profile=None) -> ReferralView:
    """Accept (naming who picks it up, optionally enrolling at once) or decline with a reason.

    A decision not to offer support is recorded with its reasons, like any other decision.
    """
    require(actor, Cap.EARLY_HELP_MANAGE)
    from kiosk.models import User
    from kiosk.models.early_help import EarlyHelpReferral as R, EarlyHelpReferralDecision as D

    uid = _user_id(actor)
    if decision not in DECISIONS:
        raise ValidationError("decision", "choose accepted or declined")
    why = clean(reason, "reason", required=(decision == "declined"), multiline=True, max_length=TEXT_MAX)
    if decision == "accepted":
        if picked_up_by is None:
            raise ValidationError("picked up by", "name who will pick this up")
    elif picked_up_by is not None:
        raise ValidationError("picked up by", "a declined referral is not picked up")
    want_enrol = decision == "accepted" and bool((aims or "").strip())
    with dbmod.write():
        r = R.get_or_none(R.id == referral_id)
        if r is None:
            raise NotFound(f"no referral with id {referral_id}")
        if D.select().where(D.referral == r.id).exists():
            raise ValidationError("referral", "a decision has already been recorded")
        if picked_up_by is not None:
            worker = User.get_or_none((User.id == picked_up_by) & User.active)
            if worker is None:
                raise ValidationError("picked up by", "is not an active member of staff")
        d = D.create(referral=r.id, decision=decision, reason=why, picked_up_by=picked_up_by,
                     decided_by=uid, decided_at=utcnow())
        audit.record(actor, "early_help.referral_decision", "early_help_referral", r.id,
                     {"decision": decision, "picked_up_by": picked_up_by},
                     records=[("early_help_referral_decision", d.id)])
        if decision == "declined":
            _tell_referrer(actor, r)
        enrolment_id = None
        if want_enrol:
            e = _enrol(actor, r.pupil_id, r.offer_id, enrol_start_on or today(), aims, review_on,
                       None, picked_up_by, r.id, profile)
            enrolment_id = e.id
        names = _names()
        pupil = _pupil(r.pupil_id)
        offer = _offer_row(r.offer_id)
    return _referral_view(r, d, names, pupil, offer, enrolment_id)


# ---------------------------------------------------------------------------------------------
# Enrolments and reviews
# ---------------------------------------------------------------------------------------------


def _enrolment_views(rows, names, with_reviews: bool = True) -> list[EnrolmentView]:
    from kiosk.models.early_help import EarlyHelpEnrolmentEnd as End, EarlyHelpReview as Rv

    rows = list(rows)
    ids = [e.id for e in rows]
    reviews: dict[int, list] = defaultdict(list)
    ends: dict[int, Any] = {}
    if ids:
        for rv in Rv.select().where(Rv.enrolment.in_(ids)).order_by(Rv.reviewed_on, Rv.id):
            reviews[rv.enrolment_id].append(rv)
        ends = {x.enrolment_id: x for x in End.select().where(End.enrolment.in_(ids))}
    out = []
    for e in rows:
        rvs = reviews.get(e.id, [])
        end = ends.get(e.id)
        if end is not None:
            next_due = None
        elif rvs:
            next_due = rvs[-1].next_review_on
        else:
            next_due = e.review_on
        out.append(EnrolmentView(
            id=e.id, pupil_id=e.pupil.id, pupil_name=e.pupil.display_name,
            form_group=e.pupil.form_group, offer_id=e.offer.id, offer_name=e.offer.name,
            offer_kind=e.offer.kind, start_on=e.start_on, aims=e.aims, review_on=e.review_on,
            next_review_on=next_due, planned_end_on=e.planned_end_on,
            keyworker=names.get(_fk(e, "keyworker"), ""), created_by=names.get(_fk(e, "created_by"), ""),
            referral_id=_fk(e, "referral"), ended_on=end.ended_on if end else None,
            outcome=end.outcome if end else "",
            reviews=tuple(
                ReviewView(rv.id, rv.reviewed_on, rv.notes, rv.next_review_on,
                           names.get(_fk(rv, "by"), ""), rv.at)
                for rv in rvs
            ) if with_reviews else (),
        ))
    return out


def _enrolment_query():
    from kiosk.models.early_help import EarlyHelpEnrolment as E, EarlyHelpOffer as O
    from kiosk.models.pupils import Pupil

    return (
        E.select(E, Pupil, O)
        .join(Pupil, on=(E.pupil == Pupil.id))
        .switch(E).join(O, on=(E.offer == O.id))
    )


def _school_calendar(profile=None):
    """The school's term dates as a calendar, for review dates ("+6w" is six weeks of school)."""
    from kiosk.rules.deadlines import school_days

    return school_days(_profile(profile))


def _enrol(actor, pupil_id, offer, start_on, aims, review_on, planned_end_on, keyworker_id, referral_id,
           profile=None):
    """The enrolment itself, inside the caller's write transaction."""
    from kiosk.models import User
    from kiosk.models.early_help import EarlyHelpEnrolment as E, EarlyHelpEnrolmentEnd as End

    uid = _user_id(actor)
    start = _as_date(start_on, "start date")
    review = _as_date(review_on, "review date", calendar=_school_calendar(profile))
    end = _as_date(planned_end_on, "end date", required=False)
    text = clean(aims, "aims", required=True, multiline=True, max_length=TEXT_MAX)
    if review < start:
        raise ValidationError("review date", "is before the start date")
    if end is not None and end < start:
        raise ValidationError("end date", f"is before the start date ({start:%d %b %Y}): an enrolment cannot end before it starts")
    if start > today() + timedelta(days=366):
        raise ValidationError("start date", "is more than a year away")
    pupil = _pupil(pupil_id, active=True, lock=True)
    o = _offer_row(offer)
    if o.retired_at is not None:
        raise ValidationError("offer", f"{o.name!r} has been retired")
    if o.kind in FAMILY_REGISTER_KINDS:
        raise ValidationError("offer", f"{o.name!r} is for parents and carers; families are not enrolled")
    if keyworker_id is not None and not User.select().where((User.id == keyworker_id) & User.active).exists():
        raise ValidationError("keyworker", "is not an active member of staff")
    dup = (
        E.select(E.start_on)
        .join(End, on=(End.enrolment == E.id), join_type=JOIN.LEFT_OUTER)
        .where((E.pupil == pupil.id) & (E.offer == o.id) & End.id.is_null())
        .first()
    )
    if dup is not None:
        raise ValidationError(
            "offer", f"{pupil.display_name} is already enrolled in {o.name!r} (since {dup.start_on:%d %b %Y})"
        )
    e = E.create(pupil=pupil.id, offer=o.id, referral=referral_id, start_on=start, aims=text,
                 review_on=review, planned_end_on=end, keyworker=keyworker_id, created_by=uid,
                 created_at=utcnow())
    audit.record(actor, "early_help.enrol", "early_help_enrolment", e.id,
                 {"pupil": pupil.id, "offer": o.key}, records=[("early_help_enrolment", e.id)])
    if actor.user_id is not None:
        _set_open_flag(pupil, True, actor, f"Enrolled in {o.name}")
    return e


REFERRAL_DECLINED_ALERT = "early_help_referral_declined"


def _tell_referrer(actor: Actor, r) -> None:
    """The member of staff who referred hears that it was not taken up (inside the write).
    The alert names no pupil; they read the reason under "Your referrals" (home, h)."""
    from kiosk.services import alerts

    if r.referred_by_id and r.referred_by_id != actor.user_id:
        alerts.raise_for_users([r.referred_by_id], REFERRAL_DECLINED_ALERT, "early_help_referral",
                               r.id, "Your referral for pastoral support was not taken up",
                               actor.full_name)


def _close_referral_by_enrolment(actor: Actor, referral_id: int | None, pupil_id: int, offer_id: int,
                                 keyworker_id: int | None):
    """Enrolling a pupil answers their pending internal referral for the same offer (or the
    one named): accepted, picked up by the keyworker (or whoever enrolled them). Returns the
    referral's id to link the enrolment to, or None."""
    from kiosk.models.early_help import EarlyHelpReferral as R, EarlyHelpReferralDecision as D

    q = (R.select(R.id).join(D, JOIN.LEFT_OUTER, on=(D.referral == R.id)).where(D.id.is_null()))
    if referral_id is not None:
        q = q.where(R.id == referral_id)
    else:
        q = q.where((R.pupil == pupil_id) & (R.offer == offer_id)).order_by(R.referred_at, R.id)
    pending = q.first()
    if pending is None:
        return referral_id
    d = D.create(referral=pending.id, decision="accepted", reason="Enrolled",
                 picked_up_by=keyworker_id or _user_id(actor), decided_by=_user_id(actor),
                 decided_at=utcnow())
    audit.record(actor, "early_help.referral_decision", "early_help_referral", pending.id,
                 {"decision": "accepted", "by_enrolment": True},
                 records=[("early_help_referral_decision", d.id)])
    return pending.id


def enrol(actor: Actor, pupil_id: int, offer: int | str, start_on: date | str, aims: str,
          review_on: date | str, planned_end_on: date | str | None = None,
          keyworker_id: int | None = None, referral_id: int | None = None, profile=None) -> EnrolmentView:
    """Enrol a pupil; a pending internal referral for them and this offer is closed by it.
    `profile` gives the term dates for a review typed as "+6w" (the default profile's if None)."""
    require(actor, Cap.EARLY_HELP_MANAGE)
    with dbmod.write():
        offer_id = _offer_row(offer).id
        referral_id = _close_referral_by_enrolment(actor, referral_id, pupil_id, offer_id, keyworker_id)
        e = _enrol(actor, pupil_id, offer, start_on, aims, review_on, planned_end_on, keyworker_id, referral_id,
                   profile)
        view = _enrolment_views(_enrolment_query().where(_E().id == e.id), _names())[0]
    return view


def _E():
    from kiosk.models.early_help import EarlyHelpEnrolment

    return EarlyHelpEnrolment


def list_enrolments(actor: Actor, open_only: bool = True, offer: int | str | None = None,
                    pupil_id: int | None = None, with_reviews: bool = False) -> list[EnrolmentView]:
    require(actor, Cap.EARLY_HELP_VIEW)
    from kiosk.models.early_help import EarlyHelpEnrolmentEnd as End

    E = _E()
    q = _enrolment_query()
    if open_only:
        q = q.switch(E).join(End, on=(End.enrolment == E.id), join_type=JOIN.LEFT_OUTER).where(End.id.is_null())
    if offer is not None:
        q = q.where(E.offer == _offer_row(offer).id)
    if pupil_id is not None:
        q = q.where(E.pupil == pupil_id)
    q = q.order_by(E.start_on.desc(), E.id.desc())
    return _enrolment_views(q, _names(), with_reviews=with_reviews)


def get_enrolment(actor: Actor, enrolment_id: int) -> EnrolmentView:
    """One enrolment with its reviews (a view of a pupil's record: audited)."""
    require(actor, Cap.EARLY_HELP_VIEW)
    rows = _enrolment_views(_enrolment_query().where(_E().id == enrolment_id), _names())
    if not rows:
        raise NotFound(f"no enrolment with id {enrolment_id}")
    audit.record(actor, "early_help.view", "early_help_enrolment", enrolment_id)
    return rows[0]


def record_review(actor: Actor, enrolment_id: int, notes: str, reviewed_on: date | str | None = None,
                  next_review_on: date | str | None = None, profile=None) -> EnrolmentView:
    require(actor, Cap.EARLY_HELP_MANAGE)
    from kiosk.models.early_help import EarlyHelpEnrolmentEnd as End, EarlyHelpReview as Rv

    uid = _user_id(actor)
    text = clean(notes, "notes", required=True, multiline=True, max_length=TEXT_MAX)
    on = _as_date(reviewed_on or today(), "review date")
    nxt = _as_date(next_review_on, "next review", required=False, calendar=_school_calendar(profile))
    _not_future(on, "review date", "a review")
    if nxt is not None and nxt <= on:
        raise ValidationError("next review", "must be after this review")
    E = _E()
    with dbmod.write():
        e = E.get_or_none(E.id == enrolment_id)
        if e is None:
            raise NotFound(f"no enrolment with id {enrolment_id}")
        if End.select().where(End.enrolment == e.id).exists():
            raise ValidationError("enrolment", "has ended; it cannot be reviewed")
        if on < e.start_on:
            raise ValidationError("review date", "is before the enrolment started")
        rv = Rv.create(enrolment=e.id, reviewed_on=on, notes=text, next_review_on=nxt, by=uid, at=utcnow())
        audit.record(actor, "early_help.review", "early_help_enrolment", e.id, {"review": rv.id},
                     records=[("early_help_review", rv.id)])
        view = _enrolment_views(_enrolment_query().where(E.id == e.id), _names())[0]
    return view


def end_enrolment(actor: Actor, enrolment_id: int, ended_on: date | str, outcome: str) -> EnrolmentView:
    require(actor, Cap.EARLY_HELP_MANAGE)
    from kiosk.models.early_help import EarlyHelpEnrolmentEnd as End
    from kiosk.models.pupils import Pupil

    uid = _user_id(actor)
    text = clean(outcome, "outcome", required=True, multiline=True, max_length=TEXT_MAX)
    on = _as_date(ended_on, "end date")
    _not_future(on, "end date", "the end of an enrolment")
    E = _E()
    with dbmod.write():
        e = E.get_or_none(E.id == enrolment_id)
        if e is None:
            raise NotFound(f"no enrolment with id {enrolment_id}")
        if End.select().where(End.enrolment == e.id).exists():
            raise ValidationError("enrolment", "has already ended")
        if on < e.start_on:
            raise ValidationError(
                "end date", f"is before the start date ({e.start_on:%d %b %Y}): an enrolment cannot end before it starts"
            )
        ended = End.create(enrolment=e.id, ended_on=on, outcome=text, by=uid, at=utcnow())
        audit.record(actor, "early_help.end", "early_help_enrolment", e.id,
                     records=[("early_help_enrolment_end", ended.id)])
        if not _has_open_enrolment(e.pupil_id):
            _set_open_flag(Pupil.get_by_id(e.pupil_id), False, actor, "Last early help enrolment ended")
        view = _enrolment_views(_enrolment_query().where(E.id == e.id), _names())[0]
    return view


def review_due_on(first_review: date, reviews: Iterable[tuple[date, date | None]]) -> date | None:
    """When the next review is due: the first review date until a review sets another.

    `reviews` are (reviewed_on, next_review_on) pairs; the latest review decides.
    """
    latest = max(reviews, key=lambda r: r[0], default=None)
    return first_review if latest is None else latest[1]


def week_bounds(d: date) -> tuple[date, date]:
    """Monday and Sunday of the week holding `d`."""
    monday = d - timedelta(days=d.weekday())
    return monday, monday + timedelta(days=6)


def reviews_due(actor: Actor, within_days: int | None = None, on: date | None = None) -> list[ReviewDue]:
    """Open enrolments whose review is overdue or due by the end of this week (or within N days)."""
    require(actor, Cap.EARLY_HELP_VIEW)
    now = on or today()
    horizon = now + timedelta(days=within_days) if within_days is not None else week_bounds(now)[1]
    out = []
    for e in _open_enrolments_with_due():
        if e.next_review_on is not None and e.next_review_on <= horizon:
            out.append(ReviewDue(e.id, e.pupil_id, e.pupil_name, e.offer_name, e.next_review_on,
                                 e.next_review_on < now, e.keyworker))
    out.sort(key=lambda r: (r.due_on, r.pupil_name))
    return out


def _open_enrolments_with_due() -> list[EnrolmentView]:
    from kiosk.models.early_help import EarlyHelpEnrolmentEnd as End

    E = _E()
    q = (
        _enrolment_query()
        .switch(E).join(End, on=(End.enrolment == E.id), join_type=JOIN.LEFT_OUTER)
        .where(End.id.is_null())
    )
    return _enrolment_views(q, _names(), with_reviews=True)


# ---------------------------------------------------------------------------------------------
# Sessions and registers
# ---------------------------------------------------------------------------------------------


def _enrolled_on(offer_id: int, on: date) -> list:
    """Pupils enrolled in the offer on a date (started by then, not ended before it)."""
    from kiosk.models.early_help import EarlyHelpEnrolmentEnd as End
    from kiosk.models.pupils import Pupil

    E = _E()
    q = (
        Pupil.select(Pupil)
        .join(E, on=(E.pupil == Pupil.id))
        .join(End, on=(End.enrolment == E.id), join_type=JOIN.LEFT_OUTER)
        .where((E.offer == offer_id) & (E.start_on <= on) & (End.id.is_null() | (End.ended_on >= on)))
        .distinct()
        .order_by(Pupil.last_key, Pupil.first_key)
    )
    return list(q)


def _find_session(spec):
    from kiosk.models.early_help import EarlyHelpSession as S

    if isinstance(spec, int) and not isinstance(spec, bool):
        s = S.get_or_none(S.id == spec)
        if s is None:
            raise NotFound(f"no session with id {spec}")
        return s, _offer_row(s.offer_id), s.held_on, s.label
    if isinstance(spec, Mapping):
        spec = SessionSpec(spec.get("offer"), spec.get("held_on"), spec.get("label", ""))
    if isinstance(spec, tuple) and not isinstance(spec, SessionSpec):
        spec = SessionSpec(*spec)
    if not isinstance(spec, SessionSpec):
        raise ValidationError("session", "name a session (id, or offer and date)")
    o = _offer_row(spec.offer)
    held_on = _as_date(spec.held_on, "session date")
    label = clean(spec.label, "session label")
    s = S.get_or_none((S.offer == o.id) & (S.held_on == held_on) & (S.label == label))
    return s, o, held_on, label


def _new_session(actor, o, held_on, label):
    from kiosk.models.early_help import EarlyHelpSession as S

    if o.retired_at is not None:
        raise ValidationError("offer", f"{o.name!r} has been retired; no new sessions")
    return S.create(offer=o.id, held_on=held_on, label=label, created_by=_user_id(actor), created_at=utcnow())


def _check_session_date(held_on: date) -> None:
    if held_on > today():
        raise ValidationError(
            "session date", f"{held_on:%d %b %Y} is in the future: take the register on the day, after the session"
        )


def register_sheet(actor: Actor, session: int | SessionSpec | Mapping) -> RegisterSheet:
    """The lines to mark: pupils enrolled on the day, plus anyone already on the register."""
    require(actor, Cap.EARLY_HELP_VIEW)
    from kiosk.models.early_help import EarlyHelpAttendance as A
    from kiosk.models.pupils import Pupil

    s, o, held_on, label = _find_session(session)
    if o.kind not in PUPIL_REGISTER_KINDS:
        raise ValidationError("offer", f"{o.name!r} records families, not pupils")
    enrolled = _enrolled_on(o.id, held_on)
    enrolled_ids = {p.id for p in enrolled}
    recorded = {}
    if s is not None:
        q = (A.select(A, Pupil).join(Pupil, on=(A.pupil == Pupil.id))
             .where((A.session == s.id) & A.superseded_at.is_null()))
        recorded = {a.pupil.id: a for a in q}
    lines = []
    for p in enrolled:
        a = recorded.get(p.id)
        lines.append(RegisterLine(p.id, p.display_name, p.form_group, True,
                                  bool(a and a.present), a.note if a else ""))
    extra = sorted((a for pid, a in recorded.items() if pid not in enrolled_ids),
                   key=lambda a: (a.pupil.last_key, a.pupil.first_key))
    for a in extra:
        lines.append(RegisterLine(a.pupil.id, a.pupil.display_name, a.pupil.form_group, False,
                                  a.present, a.note))
    names = _names()
    taken_by = names.get(_fk(s, "register_taken_by"), "") if s is not None else ""
    return RegisterSheet(s.id if s else None, _offer_view(o), held_on, label, tuple(lines),
                         s.register_taken_at if s else None, taken_by)


def _normalise_marks(attendance) -> dict[int, tuple[bool, str]]:
    if not isinstance(attendance, Mapping) or not attendance:
        raise ValidationError("register", "mark at least one pupil")
    out = {}
    for pid, mark in attendance.items():
        if not isinstance(pid, int) or isinstance(pid, bool):
            raise ValidationError("register", f"{pid!r} is not a pupil id")
        if isinstance(mark, bool):
            present, note = mark, ""
        elif isinstance(mark, Mark):
            present, note = mark.present, mark.note
        elif isinstance(mark, Mapping):
            present, note = mark.get("present"), mark.get("note", "")
        elif isinstance(mark, tuple) and len(mark) == 2:
            present, note = mark
        elif mark in ("present", "absent"):
            present, note = mark == "present", ""
        else:
            raise ValidationError("register", f"mark for pupil {pid} must be present or absent")
        if not isinstance(present, bool):
            raise ValidationError("register", f"mark for pupil {pid} must be present or absent")
        out[pid] = (present, clean(note, "note", max_length=500))
    return out


def take_register(actor: Actor, session: int | SessionSpec | Mapping,
                  attendance: Mapping[int, Any], reason: str = "") -> RegisterResult:
    """Save a whole register in one transaction (pupils not enrolled count as walk-ins).

    `session` is a session id or a SessionSpec(offer id or key, date, label); the session is
    created with the register. `attendance` maps pupil id -> bool, Mark, {"present", "note"}
    or (present, note). Taking a register again corrects it: `reason` is then required and
    the earlier marks stay in the record, superseded.
    """
    require(actor, Cap.EARLY_HELP_MANAGE)
    from kiosk.models.early_help import EarlyHelpAttendance as A, EarlyHelpSession as S
    from kiosk.models.pupils import Pupil

    uid = _user_id(actor)
    marks = _normalise_marks(attendance)
    why = clean(reason, "reason", multiline=True, max_length=NOTE_MAX)
    now = utcnow()
    with dbmod.write():
        s, o, held_on, label = _find_session(session)
        _check_session_date(held_on)
        if o.kind not in PUPIL_REGISTER_KINDS:
            raise ValidationError("offer", f"{o.name!r} records families: use the family register")
        found = {pid for (pid,) in Pupil.select(Pupil.id).where(Pupil.id.in_(list(marks))).tuples()}
        missing = sorted(set(marks) - found)
        if missing:
            raise ValidationError("register", f"no pupil with id {missing[0]}")
        corrected = False
        if s is None:
            s = _new_session(actor, o, held_on, label)
        else:
            current = A.select(A.id).where((A.session == s.id) & A.superseded_at.is_null())
            if current.exists():
                if not why:
                    raise ValidationError("reason", "this register was already taken: say why it is being corrected")
                A.update(superseded_at=now).where((A.session == s.id) & A.superseded_at.is_null()).execute()
                corrected = True
        enrolled = {p.id for p in _enrolled_on(o.id, held_on)}
        rows = [
            dict(session=s.id, pupil=pid, present=present, walk_in=pid not in enrolled, note=note,
                 recorded_by=uid, recorded_at=now)
            for pid, (present, note) in sorted(marks.items())
        ]
        A.insert_many(rows).execute()
        S.update(register_taken_at=now, register_taken_by=uid).where(S.id == s.id).execute()
        present = sum(1 for p, _ in marks.values() if p)
        walk_ins = sum(1 for r in rows if r["walk_in"])
        audit.record(actor, "early_help.register_correct" if corrected else "early_help.register",
                     "early_help_session", s.id,
                     {"present": present, "absent": len(marks) - present, "walk_ins": walk_ins,
                      **({"reason": why} if corrected else {})})
    return RegisterResult(s.id, present, len(marks) - present, walk_ins, corrected)


def _family_label(value: str, i: int) -> str:
    return clean(value, f"family {i}", required=True, max_length=100)


def family_register(actor: Actor, session: int | SessionSpec | Mapping) -> tuple[int | None, tuple[FamilyLine, ...]]:
    require(actor, Cap.EARLY_HELP_VIEW)
    from kiosk.models.early_help import EarlyHelpFamilyAttendance as F

    s, o, _, _ = _find_session(session)
    if o.kind not in FAMILY_REGISTER_KINDS:
        raise ValidationError("offer", f"{o.name!r} records pupils, not families")
    if s is None:
        return None, ()
    q = F.select().where((F.session == s.id) & F.superseded_at.is_null()).order_by(F.id)
    return s.id, tuple(FamilyLine(f.family, f.adults, f.note) for f in q)


def take_family_register(actor: Actor, session: int | SessionSpec | Mapping,
                         families: Iterable[FamilyMark | tuple | str], reason: str = "") -> RegisterResult:
    """A parent workshop: who came, by family label and number of adults; no pupil details."""
    require(actor, Cap.EARLY_HELP_MANAGE)
    from kiosk.models.early_help import EarlyHelpFamilyAttendance as F, EarlyHelpSession as S
    from kiosk.models.pupils import Pupil

    uid = _user_id(actor)
    marks: list[tuple[str, int, str]] = []
    for i, fam in enumerate(families, 1):
        if isinstance(fam, str):
            fam = FamilyMark(fam)
        elif isinstance(fam, tuple):
            fam = FamilyMark(*fam)
        label = _family_label(fam.family, i)
        if not isinstance(fam.adults, int) or isinstance(fam.adults, bool) or not 1 <= fam.adults <= 10:
            raise ValidationError(f"family {i}", "adults must be a number from 1 to 10")
        marks.append((label, fam.adults, clean(fam.note, f"family {i} note", max_length=500)))
    if not marks:
        raise ValidationError("register", "record at least one family")
    if len({m[0].lower() for m in marks}) != len(marks):
        raise ValidationError("register", "each family is listed once")
    why = clean(reason, "reason", multiline=True, max_length=NOTE_MAX)
    now = utcnow()
    with dbmod.write():
        for i, (label, _, _) in enumerate(marks, 1):
            words = label.lower().split()
            for a, b in zip(words, words[1:]):
                if Pupil.select().where((Pupil.first_key == a) & (Pupil.last_key == b)).exists():
                    raise ValidationError(
                        f"family {i}", "looks like a pupil's name: record families by a label, not a child's details"
                    )
        s, o, held_on, label = _find_session(session)
        _check_session_date(held_on)
        if o.kind not in FAMILY_REGISTER_KINDS:
            raise ValidationError("offer", f"{o.name!r} records pupils: use the pupil register")
        corrected = False
        if s is None:
            s = _new_session(actor, o, held_on, label)
        elif F.select().where((F.session == s.id) & F.superseded_at.is_null()).exists():
            if not why:
                raise ValidationError("reason", "this register was already taken: say why it is being corrected")
            F.update(superseded_at=now).where((F.session == s.id) & F.superseded_at.is_null()).execute()
            corrected = True
        F.insert_many([
            dict(session=s.id, family=f, adults=n, note=note, recorded_by=uid, recorded_at=now)
            for f, n, note in marks
        ]).execute()
        S.update(register_taken_at=now, register_taken_by=uid).where(S.id == s.id).execute()
        audit.record(actor, "early_help.family_register", "early_help_session", s.id,
                     {"families": len(marks), **({"reason": why} if corrected else {})})
    return RegisterResult(s.id, len(marks), 0, 0, corrected)


def list_sessions(actor: Actor, offer: int | str | None = None, since: date | None = None,
                  limit: int = 200) -> list[SessionView]:
    require(actor, Cap.EARLY_HELP_VIEW)
    from peewee import fn

    from kiosk.models.early_help import (
        EarlyHelpAttendance as A,
        EarlyHelpFamilyAttendance as F,
        EarlyHelpOffer as O,
        EarlyHelpSession as S,
    )

    q = S.select(S, O).join(O, on=(S.offer == O.id)).order_by(S.held_on.desc(), S.id.desc()).limit(limit)
    if offer is not None:
        q = q.where(S.offer == _offer_row(offer).id)
    if since is not None:
        q = q.where(S.held_on >= since)
    sessions = list(q)
    ids = [s.id for s in sessions]
    counts: dict[int, Counter] = defaultdict(Counter)
    if ids:
        agg = (A.select(A.session, A.present, A.walk_in, fn.COUNT(A.id))
               .where(A.session.in_(ids) & A.superseded_at.is_null())
               .group_by(A.session, A.present, A.walk_in).tuples())
        for sid, present, walk_in, n in agg:
            counts[sid]["present" if present else "absent"] += n
            if walk_in:
                counts[sid]["walk_ins"] += n
        fams = (F.select(F.session, fn.COUNT(F.id)).where(F.session.in_(ids) & F.superseded_at.is_null())
                .group_by(F.session).tuples())
        for sid, n in fams:
            counts[sid]["families"] = n
    return [
        SessionView(s.id, s.offer.id, s.offer.name, s.offer.kind, s.held_on, s.label,
                    s.register_taken_at is not None, counts[s.id]["present"], counts[s.id]["absent"],
                    counts[s.id]["walk_ins"], counts[s.id]["families"])
        for s in sessions
    ]


# ---------------------------------------------------------------------------------------------
# Referrals to outside agencies
# ---------------------------------------------------------------------------------------------


def _agency_views(rows, names, on: date | None = None) -> list[AgencyReferralView]:
    from kiosk.models.early_help import AgencyReferralStatus as St
    from kiosk.rules.deadlines import add_working_days

    now = on or today()
    rows = list(rows)
    ids = [r.id for r in rows]
    history: dict[int, list] = defaultdict(list)
    if ids:
        for st in St.select().where(St.referral.in_(ids)).order_by(St.at, St.id):
            history[st.referral_id].append(st)
    out = []
    for r in rows:
        hist = history.get(r.id, [])
        last = hist[-1] if hist else None
        status = last.status if last else "sent"
        due = add_working_days(r.referred_on, r.response_days)
        outcome = next((h.note for h in reversed(hist) if h.status == "closed"), "")
        out.append(AgencyReferralView(
            id=r.id, pupil_id=r.pupil.id, pupil_name=r.pupil.display_name, agency_key=r.agency_key,
            agency_name=r.agency_name, referred_on=r.referred_on, reason=r.reason, consent=r.consent,
            consent_note=r.consent_note, referred_by=names.get(_fk(r, "referred_by"), ""),
            status=status, status_on=last.on if last else r.referred_on,
            history=tuple(StatusView(h.status, h.on, h.note, names.get(_fk(h, "by"), ""), h.at) for h in hist),
            response_days=r.response_days, reply_due=due,
            waiting_too_long=status in AGENCY_WAITING and now > due, outcome=outcome,
        ))
    return out


def _agency_query():
    from kiosk.models.early_help import AgencyReferral as AR
    from kiosk.models.pupils import Pupil

    return AR.select(AR, Pupil).join(Pupil, on=(AR.pupil == Pupil.id))


def agency_choices(profile=None) -> list[tuple[str, str, int]]:
    """(key, name, response_days) for each agency in the profile."""
    return [(a.key, a.name, a.response_days) for a in _profile(profile).agencies]


def refer_to_agency(actor: Actor, pupil_id: int, agency_key: str, reason: str, consent: str,
                    *, consent_note: str = "", referred_on: date | str | None = None,
                    profile=None) -> AgencyReferralView:
    """Record a referral sent to an agency in the profile (status "sent" on the referral date)."""
    require(actor, Cap.EARLY_HELP_MANAGE)
    from kiosk.models.early_help import AgencyReferral as AR, AgencyReferralStatus as St

    uid = _user_id(actor)
    prof = _profile(profile)
    key = clean(agency_key, "agency", required=True, max_length=64)
    try:
        agency = prof.agency(key)
    except KeyError:
        known = ", ".join(a.name for a in prof.agencies)
        raise ValidationError("agency", f"{key!r} is not an agency in the school profile (known: {known})") from None
    why = clean(reason, "reason", required=True, multiline=True, max_length=TEXT_MAX)
    if consent not in CONSENT:
        raise ValidationError("consent", f"choose one of: {', '.join(CONSENT)}")
    note = clean(consent_note, "consent note", required=consent in CONSENT_NEEDS_NOTE,
                 multiline=True, max_length=NOTE_MAX)
    on = _as_date(referred_on or today(), "referral date")
    _not_future(on, "referral date", "a referral")
    with dbmod.write():
        pupil = _pupil(pupil_id)
        r = AR.create(pupil=pupil.id, agency_key=agency.key, agency_name=agency.name,
                      response_days=agency.response_days, referred_on=on, reason=why, consent=consent,
                      consent_note=note, referred_by=uid, created_at=utcnow())
        St.create(referral=r.id, status="sent", on=on, note="", by=uid, at=utcnow())
        audit.record(actor, "early_help.agency_referral", "agency_referral", r.id,
                     {"pupil": pupil.id, "agency": agency.key, "consent": consent},
                     records=[("agency_referral", r.id)])
        view = _agency_views(_agency_query().where(AR.id == r.id), _names())[0]
    return view


def record_agency_status(actor: Actor, referral_id: int, status: str, on: date | str | None = None,
                         note: str = "") -> AgencyReferralView:
    """Acknowledged, accepted, declined or closed, with the date it happened.

    Declining needs the agency's reason; closing needs the outcome.
    """
    require(actor, Cap.EARLY_HELP_MANAGE)
    from kiosk.models.early_help import AgencyReferral as AR, AgencyReferralStatus as St

    uid = _user_id(actor)
    if status not in AGENCY_STATUSES or status == "sent":
        raise ValidationError("status", "choose acknowledged, accepted, declined or closed")
    field = {"closed": "outcome", "declined": "reason"}.get(status, "note")
    text = clean(note, field, required=status in ("closed", "declined"), multiline=True, max_length=TEXT_MAX)
    when = _as_date(on or today(), "date")
    _not_future(when, "date", f"{status.capitalize()}")
    with dbmod.write():
        r = AR.get_or_none(AR.id == referral_id)
        if r is None:
            raise NotFound(f"no agency referral with id {referral_id}")
        last = St.select().where(St.referral == r.id).order_by(St.at.desc(), St.id.desc()).first()
        current = last.status if last else "sent"
        if status not in AGENCY_NEXT[current]:
            allowed = ", ".join(AGENCY_NEXT[current]) or "nothing (it is closed)"
            raise ValidationError("status", f"the referral is {current}; it can move to {allowed}")
        if last is not None and when < last.on:
            raise ValidationError("date", f"is before the referral was {current} ({last.on:%d %b %Y})")
        st = St.create(referral=r.id, status=status, on=when, note=text, by=uid, at=utcnow())
        audit.record(actor, "early_help.agency_status", "agency_referral", r.id, {"status": status},
                     records=[("agency_referral_status", st.id)])
        view = _agency_views(_agency_query().where(AR.id == r.id), _names())[0]
    return view


def list_agency_referrals(actor: Actor, open_only: bool = False, pupil_id: int | None = None,
                          limit: int = 500) -> list[AgencyReferralView]:
    require(actor, Cap.EARLY_HELP_VIEW)
    from kiosk.models.early_help import AgencyReferral as AR

    q = _agency_query().order_by(AR.referred_on.desc(), AR.id.desc())
    if pupil_id is not None:
        q = q.where(AR.pupil == pupil_id)
    views = _agency_views(q.limit(limit), _names())
    if open_only:
        views = [v for v in views if v.status != "closed"]
    return views


def get_agency_referral(actor: Actor, referral_id: int) -> AgencyReferralView:
    """One agency referral with its history (a view of a pupil's record: audited)."""
    require(actor, Cap.EARLY_HELP_VIEW)
    from kiosk.models.early_help import AgencyReferral as AR

    views = _agency_views(_agency_query().where(AR.id == referral_id), _names())
    if not views:
        raise NotFound(f"no agency referral with id {referral_id}")
    audit.record(actor, "early_help.view", "agency_referral", referral_id)
    return views[0]


def agency_waiting(actor: Actor) -> list[AgencyReferralView]:
    """Referrals with no decision from the agency after its response timescale."""
    return [v for v in list_agency_referrals(actor, open_only=True, limit=100_000) if v.waiting_too_long]


# ---------------------------------------------------------------------------------------------
# A pupil's early help, the chronology, the caseload, the home screen
# ---------------------------------------------------------------------------------------------


def _attendance_lines(pupil_id: int) -> list[AttendanceLine]:
    from kiosk.models.early_help import (
        EarlyHelpAttendance as A,
        EarlyHelpOffer as O,
        EarlyHelpSession as S,
    )

    q = (
        A.select(A.present, A.walk_in, A.note, S.id, S.held_on, O.name)
        .join(S, on=(A.session == S.id))
        .join(O, on=(S.offer == O.id))
        .where((A.pupil == pupil_id) & A.superseded_at.is_null())
        .order_by(S.held_on, S.id)
        .tuples()
    )
    return [AttendanceLine(sid, held, name, present, walk_in, note)
            for present, walk_in, note, sid, held, name in q]


def pupil_record(actor: Actor, pupil_id: int) -> PupilEarlyHelp:
    """Everything early help holds about one pupil (audited as a view of their record)."""
    require(actor, Cap.EARLY_HELP_VIEW)
    pupil = _pupil(pupil_id)
    rec = PupilEarlyHelp(
        pupil.id, pupil.display_name, pupil.form_group,
        tuple(list_enrolments(actor, open_only=False, pupil_id=pupil.id, with_reviews=True)),
        tuple(list_referrals(actor, pupil_id=pupil.id)),
        tuple(list_agency_referrals(actor, pupil_id=pupil.id)),
        tuple(_attendance_lines(pupil.id)),
    )
    audit.record(actor, "early_help.view", "pupil", pupil.id)
    return rec


def _at(d: date, recorded: datetime) -> datetime:
    """When a dated event happened, as naive UTC: the recording time if made that day."""
    if to_local(recorded).date() == d:
        return recorded
    return to_utc(datetime.combine(d, time(12, 0)))


def chronology_entries(actor: Actor, pupil_id: int) -> list:
    """Early-help events for the pupil's chronology (the chronology service audits the view)."""
    if not (actor.can(Cap.EARLY_HELP_VIEW) or actor.can(Cap.CHRONOLOGY_VIEW)):
        require(actor, Cap.CHRONOLOGY_VIEW)
    from kiosk.services.chronology import ChronologyEntry

    def entry(at, what, title, detail, record_type, record_id):
        # kind "early_help" for the chronology's ordering; category is for concern categories.
        return ChronologyEntry(at=at, kind="early_help", title=title, detail=detail, category=None,
                               record_type=record_type, record_id=record_id, restricted=False)

    from kiosk.models.early_help import (
        AgencyReferral as AR,
        EarlyHelpEnrolmentEnd as End,
        EarlyHelpOffer as O,
        EarlyHelpReferral as R,
        EarlyHelpReferralDecision as D,
        EarlyHelpReview as Rv,
    )
    from kiosk.models.pupils import Pupil

    if not Pupil.select().where(Pupil.id == pupil_id).exists():
        raise NotFound(f"no pupil with id {pupil_id}")
    names = _names()
    out = []
    offers = {o.id: o.name for o in O.select(O.id, O.name)}
    for r in R.select().where(R.pupil == pupil_id):
        who = names.get(_fk(r, "referred_by"), "")
        out.append(entry(r.referred_at, "early_help_referral",
                         f"Referred for {offers.get(r.offer_id, '?')} by {who}", r.reason,
                         "early_help_referral", r.id))
    for d in D.select(D, R).join(R, on=(D.referral == R.id)).where(R.pupil == pupil_id):
        title = f"Referral {d.decision}: {offers.get(d.referral.offer_id, '?')}"
        if d.decision == "accepted" and _fk(d, "picked_up_by"):
            title += f", picked up by {names.get(_fk(d, 'picked_up_by'), '')}"
        out.append(entry(d.decided_at, "early_help_referral_decision", title, d.reason,
                         "early_help_referral", d.referral.id))
    E = _E()
    enrolments = list(E.select().where(E.pupil == pupil_id))
    eids = [e.id for e in enrolments]
    for e in enrolments:
        detail = f"Aims: {e.aims}\nFirst review due {e.review_on:%d %b %Y}"
        out.append(entry(_at(e.start_on, e.created_at), "early_help_enrolment",
                         f"Started {offers.get(e.offer_id, '?')}", detail, "early_help_enrolment", e.id))
    if eids:
        by_id = {e.id: e for e in enrolments}
        for rv in Rv.select().where(Rv.enrolment.in_(eids)):
            nxt = f"\nNext review {rv.next_review_on:%d %b %Y}" if rv.next_review_on else ""
            out.append(entry(_at(rv.reviewed_on, rv.at), "early_help_review",
                             f"Review: {offers.get(by_id[rv.enrolment_id].offer_id, '?')}",
                             rv.notes + nxt, "early_help_enrolment", rv.enrolment_id))
        for end in End.select().where(End.enrolment.in_(eids)):
            out.append(entry(_at(end.ended_on, end.at), "early_help_end",
                             f"Ended {offers.get(by_id[end.enrolment_id].offer_id, '?')}",
                             f"Outcome: {end.outcome}", "early_help_enrolment", end.enrolment_id))
    for v in _agency_views(_agency_query().where(AR.pupil == pupil_id), names):
        for h in v.history:
            if h.status == "sent":
                consent = v.consent_text + (f" ({v.consent_note})" if v.consent_note else "")
                title = f"Referred to {v.agency_name}"
                detail = f"{v.reason}\nConsent: {consent}"
            else:
                title = f"{v.agency_name}: referral {h.status}"
                detail = h.note
            out.append(entry(_at(h.on, h.at), "agency_referral", title, detail, "agency_referral", v.id))
    # Attendance, summarised per offer per month so the chronology stays readable.
    months: dict[tuple[str, int, int], list[AttendanceLine]] = defaultdict(list)
    for line in _attendance_lines(pupil_id):
        months[(line.offer_name, line.held_on.year, line.held_on.month)].append(line)
    for (offer_name, year, month), lines in months.items():
        present = sum(1 for l in lines if l.present)
        walk = sum(1 for l in lines if l.walk_in and l.present)
        last = max(l.held_on for l in lines)
        notes = "; ".join(f"{l.held_on:%d %b}: {l.note}" for l in lines if l.note)
        title = f"{offer_name}: attended {present} of {len(lines)} in {date(year, month, 1):%B %Y}"
        if walk:
            title += f" ({walk} as a walk-in)"
        out.append(entry(to_utc(datetime.combine(last, time(12, 0))), "early_help_attendance", title,
                         notes, "early_help_session", lines[-1].session_id))
    out.sort(key=lambda c: c.at)
    return out


def caseload(actor: Actor, since: date | None = None) -> Caseload:
    """Open interventions by type, attendance rates, agency referrals by status."""
    require(actor, Cap.EARLY_HELP_VIEW)
    from peewee import fn

    from kiosk.models.early_help import (
        EarlyHelpAttendance as A,
        EarlyHelpEnrolmentEnd as End,
        EarlyHelpOffer as O,
        EarlyHelpReferral as R,
        EarlyHelpReferralDecision as D,
        EarlyHelpSession as S,
    )
    from kiosk.models.pupils import Pupil

    E = _E()
    now = today()
    open_q = (
        E.select(O.name, O.kind, fn.COUNT(E.id))
        .join(O, on=(E.offer == O.id))
        .switch(E).join(End, on=(End.enrolment == E.id), join_type=JOIN.LEFT_OUTER)
        .where(End.id.is_null())
        .group_by(O.name, O.kind)
        .tuples()
    )
    by_offer = sorted((CountRow(name, KIND_NAMES.get(kind, kind), n) for name, kind, n in open_q),
                      key=lambda c: (-c.count, c.label))
    kinds: Counter = Counter()
    for row in by_offer:
        kinds[row.detail] += row.count
    by_kind = tuple(CountRow(k, "", n) for k, n in kinds.most_common())

    att = (
        A.select(A.pupil, A.present, S.offer, fn.COUNT(A.id))
        .join(S, on=(A.session == S.id))
        .where(A.superseded_at.is_null())
    )
    if since is not None:
        att = att.where(S.held_on >= since)
    per_pupil: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for pid, present, oid, n in att.group_by(A.pupil, A.present, S.offer).tuples():
        per_pupil[pid][1] += n
        if present:
            per_pupil[pid][0] += n
    # Per offer: the statistics' and the governors' report's own query, so all three agree.
    from kiosk.services.stats import attendance_by_offer

    per_offer = attendance_by_offer(since, None)
    pupils = {}
    if per_pupil:
        pupils = {p.id: p for p in Pupil.select(Pupil.id, Pupil.first_name, Pupil.preferred_name,
                                                Pupil.last_name, Pupil.form_group)
                  .where(Pupil.id.in_(list(per_pupil)))}
    offers = {o.id: o for o in O.select()}
    by_pupil = sorted(
        (RateRow(pid, pupils[pid].display_name, pupils[pid].form_group, p, t) for pid, (p, t) in per_pupil.items()),
        key=lambda r: (r.rate, r.label),
    )
    by_offer_rate = sorted(
        (RateRow(oid, offers[oid].name, KIND_NAMES.get(offers[oid].kind, offers[oid].kind), p, t)
         for oid, (p, t) in per_offer.items()),
        key=lambda r: r.label,
    )
    agency = list_agency_referrals(actor, limit=100_000)
    status_counts = Counter((v.agency_name, v.status) for v in agency)
    order = {s: i for i, s in enumerate(AGENCY_STATUSES)}
    by_status = tuple(
        CountRow(name, status, n)
        for (name, status), n in sorted(status_counts.items(), key=lambda kv: (kv[0][0], order[kv[0][1]]))
    )
    pending = (R.select(R.id).join(D, on=(D.referral == R.id), join_type=JOIN.LEFT_OUTER)
               .where(D.id.is_null()).count())
    due = reviews_due(actor, on=now)
    result = Caseload(
        open_by_offer=tuple(by_offer), open_by_kind=by_kind, attendance_by_pupil=tuple(by_pupil),
        attendance_by_offer=tuple(by_offer_rate), agency_by_status=by_status,
        pending_referrals=pending, reviews_overdue=sum(1 for d in due if d.overdue),
        reviews_due_week=sum(1 for d in due if not d.overdue),
        agency_waiting_too_long=sum(1 for v in agency if v.waiting_too_long), since=since,
    )
    audit.record(actor, "early_help.caseload_view", "early_help", "", {"since": since.isoformat() if since else None})
    return result


def home_counts(actor: Actor) -> list:
    """Reviews due this week, reviews overdue and agency referrals waiting too long."""
    from kiosk.services.actor import require_signed_in

    require_signed_in(actor)
    from kiosk.services.home import HomeCount

    told = []
    if actor.can(Cap.EARLY_HELP_REFER) and actor.user_id is not None:
        from kiosk.models import Alert

        n = Alert.select().where((Alert.recipient == actor.user_id)
                                 & (Alert.kind == REFERRAL_DECLINED_ALERT)
                                 & Alert.read_at.is_null()).count()
        if n:
            told = [HomeCount("Your referrals not taken up (reason under h)", n, False, "h")]
    if not actor.can(Cap.EARLY_HELP_VIEW):
        return told

    due = reviews_due(actor)
    overdue = sum(1 for d in due if d.overdue)
    waiting = len(agency_waiting(actor))
    return told + [
        HomeCount("Early help reviews due this week", len(due) - overdue, False, "e"),
        HomeCount("Early help reviews overdue", overdue, overdue > 0, "e"),
        HomeCount("Agency referrals waiting past timescale", waiting, waiting > 0, "e"),
    ]
