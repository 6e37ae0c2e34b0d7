"""Early help: the words, the result types and the helpers every part uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from peewee import JOIN

from kiosk import db as dbmod
from kiosk.clock import today, utcnow
from kiosk.errors import NotFound, ValidationError
from kiosk.services import audit, people
from kiosk.services.actor import Actor
from kiosk.dates import parse_typed_date



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


def as_date(value, field: str, *, required: bool = True, label: str | None = None,
            calendar=None) -> date | None:
    """`field` is the parameter's (and the form field's) name; `label` how a person calls it;
    `calendar` the school's term dates, for a date typed as "+6w" (see kiosk.dates)."""
    if value is None or value == "":
        if required:
            raise ValidationError(field, "is required", label)
        return None
    if isinstance(value, (date, str)):
        return parse_typed_date(value, field, required=required, label=label, calendar=calendar)
    raise ValidationError(field, "must be a date", label)


def school_calendar(profile=None):
    """The school's term dates as a calendar, for review dates ("+6w" is six weeks of school)."""
    from kiosk.rules.deadlines import school_days

    return school_days(profile_or_default(profile))


def not_future(d: date, field: str, what: str, label: str | None = None) -> None:
    if d > today():
        raise ValidationError(field, f"{what} cannot be in the future ({d:%d %b %Y})", label)


def staff_user_id(actor: Actor) -> int:
    if actor.user_id is None:
        # Early help records name a member of staff; the shell has none.
        raise ValidationError("user", "early help records must be made by a staff account")
    return actor.user_id


def all_names() -> dict[int, str]:
    return people.names()


def fk_id(row, name: str) -> int | None:
    return getattr(row, name + "_id")


_default_profile = None


def profile_or_default(profile):
    global _default_profile
    if profile is not None:
        return profile
    if _default_profile is None:
        from kiosk.rules import load_profile

        _default_profile = load_profile()
    return _default_profile


def load_pupil(pupil_id: int, *, active: bool = False, lock: bool = False):
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


def offer_view(o) -> OfferView:
    return OfferView(o.id, o.key, o.name, o.kind, o.frequency, o.audience, o.description,
                     o.retired_at is None, o.from_profile)


def offer_row(ref: int | str):
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


def set_open_flag(pupil, value: bool, actor: Actor, reason: str) -> None:
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


def has_open_enrolment(pupil_id: int) -> bool:
    from kiosk.models.early_help import EarlyHelpEnrolment as E, EarlyHelpEnrolmentEnd as End

    return (
        E.select(E.id)
        .join(End, on=(End.enrolment == E.id), join_type=JOIN.LEFT_OUTER)
        .where((E.pupil == pupil_id) & End.id.is_null())
        .exists()
    )
