"""Concerns about adults (paragraphs 14-16): raise, route, record, and the register.

Who a concern goes to is decided by kiosk.rules from the harms-threshold answers and who
the concern is about; when the adult has a console account their roles decide the flags
(a person who is both DSL and headteacher is both), so nobody can route a concern about
themselves to themselves. Visibility is fixed when the concern is raised: the role it was
routed to and the roles it is shared with (paragraph 15). Nobody ever sees a concern about
themselves, whatever their role. Every view is audited; audit details never carry the
content or the adult's name (the IT administrator can read the audit trail).

Allegations: the recipient is alerted in the same write; the LADO must be contacted within
one working day of that moment (England bank holidays count as non-working). LADO advice,
actions and the outcome are appended as events, each with its rationale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from kiosk import db as dbmod
from kiosk.capabilities import Cap, Role
from kiosk.clock import fmt_local, to_local, to_utc, today, utcnow
from kiosk.errors import NotFound, PermissionDenied, ValidationError
from kiosk.rules import allegations as outcome_rules
from kiosk.rules.allegations import DBS_ANSWERS, DEPARTURES, OUTCOMES, THRESHOLD_NOT_MET, TRA_ANSWERS
from kiosk.rules import contacts as contact_rules
from kiosk.rules.contacts import ROLE_LABELS, plain_name
from kiosk.rules.deadlines import lado_deadline
from kiosk.rules.routing import AdultSubject, HarmsAnswers, route_adult_concern
from kiosk.services import alerts, audit
from kiosk.services import people as directory
from kiosk.services.actor import Actor, require
from kiosk.text import SHORT_MAX, clean

ALLEGATION = "allegation"
LOW_LEVEL = "low_level"
KIND_LABELS = {ALLEGATION: "Allegation", LOW_LEVEL: "Low-level concern"}

RECORD_TYPE = "adult_concern"


def ref_for(concern_id: int) -> str:
    """"A-00012": a concern about an adult has a reference of its own, as a child's has "C-"."""
    return f"A-{concern_id:05d}"


class _Ref:
    """Gives a result with an ``id`` its reference."""

    @property
    def ref(self) -> str:
        return ref_for(self.id)  # type: ignore[attr-defined]

# Routing role keys that are console roles (the others are phone lines or people outside).
CONSOLE_ROLES = frozenset({"dsl", "deputy_dsl", "headteacher", "director_of_education",
                           "trust_safeguarding_lead"})
# People and lines outside the console who can still be reached: routing may choose them.
OFF_CONSOLE = frozenset({"chair_of_governors", "local_authority", "nspcc"})

ACTIONS = {
    "strategy_discussion": "Strategy discussion",
    "suspension_considered": "Suspension considered",
    "police": "Police informed or involved",
    "other": "Other action",
}
EVENT_LABELS = {
    "lado_contact": "LADO contacted",
    "lado_advice": "LADO advice",
    "action": "Action",
    "outcome": "Outcome",
    "record": "Written record (paragraph 15)",
    "note": "Note",
    "dbs": "DBS referral",
    "tra": "Teaching Regulation Agency",
}

# Normal retirement age: state pension age, 67 for most people working now (an assumption
# the screen states; it rises to 68 for people born after 5 April 1977 on current law).
RETIREMENT_AGE = 67
ALLEGATION_RETENTION_YEARS = 10
PATTERN_THRESHOLD = 2


# ---------------------------------------------------------------------------------------
# Plain results
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubjectChoice:
    user_id: int
    full_name: str
    roles: str  # role titles, for the picker


@dataclass(frozen=True)
class Plan:
    """What will happen if the form is submitted as it is (for the rules pane)."""

    kind: str  # allegation, low_level
    recipient_role: str
    recipient_label: str
    recipient_names: tuple[str, ...]  # console users who will be alerted
    share_with: tuple[str, ...]
    share_labels: tuple[str, ...]
    routing: object  # kiosk.rules.results.AdultRouting
    subject: AdultSubject
    outside_console: bool  # nobody in the console holds the role: contact them directly
    # The profile with its people named as the accounts holding their roles, so the rules
    # pane names one headteacher, not the profile's and the console's (kiosk.rules.contacts).
    profile: object = None


@dataclass(frozen=True)
class Receipt(_Ref):
    """What the person who raised a concern is told: that it was received, and by whom."""

    id: int
    kind: str
    raised_at: datetime
    received_by: str  # "the headteacher"
    recipient_names: tuple[str, ...]
    outside_console: bool
    lado_due_at: datetime | None


@dataclass(frozen=True)
class MyReport(_Ref):
    """A staff member's own report: received, nothing more (paragraph 4's need-to-know)."""

    id: int
    raised_at: datetime
    received_by: str


@dataclass(frozen=True)
class Retention:
    until: date | None
    to_be_removed: bool
    text: str


class RegisterRow(NamedTuple):
    """One line of the register. A named tuple, not a frozen dataclass: the headteacher's
    register makes hundreds at a time, and a frozen dataclass sets each of its 17 fields
    through object.__setattr__ (a third of the service's own time; issue 19)."""

    id: int
    kind: str
    subject_name: str
    subject_role: str
    subject_key: str  # groups concerns about the same adult (pattern view)
    raised_at: datetime
    reported_by: str
    recipient_role: str
    my_access: str  # recipient, shared
    status: str
    open: bool
    lado_due_at: datetime | None
    lado_contacted_at: datetime | None
    lado_overdue: bool
    outcome: str
    raised_as: str = ""  # the kind it was raised as, when an outcome moved it to another route
    referral_due: bool = False  # substantiated: the DBS/TRA questions are not yet answered

    @property
    def ref(self) -> str:
        return ref_for(self.id)


@dataclass(frozen=True)
class EventView:
    kind: str
    label: str
    choice: str
    choice_label: str
    occurred_at: datetime | None
    text: str
    rationale: str
    by: str
    at: datetime


@dataclass(frozen=True)
class ConcernDetail(_Ref):
    id: int
    kind: str
    subject_name: str
    subject_role: str
    subject_is_user: bool
    subject_dob: date | None
    flags: tuple[str, ...]  # "the headteacher", "the DSL", ...
    what_happened: str
    happened_when: str
    context: str
    answers: HarmsAnswers
    reported_by: str
    told_by: str
    raised_at: datetime
    recipient_role: str
    recipient_label: str
    share_labels: tuple[str, ...]
    recipient_names: tuple[str, ...]
    my_access: str
    can_act: bool  # the actor may record LADO contact, actions, outcome, the written record
    events: tuple[EventView, ...]
    lado_due_at: datetime | None
    lado_contacted_at: datetime | None
    lado_overdue: bool
    outcome: str
    retention: Retention
    status: str
    open: bool
    raised_as: str = ""  # the kind it was raised as, when an outcome moved it to another route
    referral_due: bool = False  # substantiated: the DBS/TRA questions are not yet answered
    outcome_at: datetime | None = None


@dataclass(frozen=True)
class Pattern:
    subject_key: str
    subject_name: str
    subject_role: str
    low_level: int
    allegations: int
    first_at: datetime
    last_at: datetime
    concern_ids: tuple[int, ...]


# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------


def _role_keys(actor: Actor) -> list[str]:
    return sorted(str(r) for r in actor.roles if str(r) in CONSOLE_ROLES)


def _user_roles(user_id: int) -> frozenset[str]:
    from kiosk.models import UserRole

    return frozenset(r for (r,) in UserRole.select(UserRole.role).where(UserRole.user == user_id).tuples())


def _subject_key(subject_user_id: int | None, name: str) -> str:
    if subject_user_id:
        return f"user:{subject_user_id}"
    # Runs of whitespace as one space, none at the ends (str.split's whitespace is re's \s).
    return "name:" + " ".join(name.lower().split())


def _holders(role_keys, exclude_user_ids=()) -> dict[str, list[tuple[int, str]]]:
    """Active console users holding each role key: {role: [(user_id, full_name)]}."""
    keys = [k for k in role_keys if k in CONSOLE_ROLES]
    found = directory.holders(keys, exclude_user_ids)
    return {role: [(p.id, p.name) for p in found[role]] for role in keys}


def _subject_for(subject_user_id: int | None, *, is_headteacher: bool, is_head_relative: bool,
                 is_dsl: bool, is_trust_central: bool) -> AdultSubject:
    """The routing subject: the form's answers, plus whatever the adult's roles say."""
    roles = _user_roles(subject_user_id) if subject_user_id else frozenset()
    return AdultSubject(
        is_headteacher=is_headteacher or Role.HEADTEACHER.value in roles,
        is_head_relative=is_head_relative,
        is_dsl=is_dsl or Role.DSL.value in roles,
        is_trust_central=(is_trust_central or Role.DIRECTOR_OF_EDUCATION.value in roles
                          or Role.TRUST_SAFEGUARDING_LEAD.value in roles),
        person_id=subject_user_id,
        is_deputy_dsl=Role.DEPUTY_DSL.value in roles,
        is_director_of_education=Role.DIRECTOR_OF_EDUCATION.value in roles,
        is_trust_safeguarding_lead=Role.TRUST_SAFEGUARDING_LEAD.value in roles,
    )


def _route(profile, subject: AdultSubject, answers: HarmsAnswers, subject_user_id: int | None,
           dsl_unavailable: bool = False):
    """Route with 'available' meaning: someone other than the subject holds the role in the
    console, or it is a person or line outside the console that can still be reached.
    `dsl_unavailable`: the DSL is away, so a low-level concern goes to a deputy (15)."""
    holders = _holders(CONSOLE_ROLES, exclude_user_ids=(subject_user_id,))
    available = {r for r, people in holders.items() if people} | set(OFF_CONSOLE)
    if dsl_unavailable:
        available.discard("dsl")
    routing = route_adult_concern(profile, subject, answers, available=available)
    return routing, holders


def _console_profile(profile):
    """The profile as the console's accounts fill it: each person-role named as the active
    account holding it (the profile's person where no account does). The subject of a
    concern is not left out here: the pane may still name them in their role."""
    from kiosk.models import User, UserRole

    holders: dict[str, list[str]] = {}
    rows = (UserRole.select(UserRole.role, User.full_name).join(User)
            .where(UserRole.role.in_(sorted(contact_rules.ACCOUNT_PERSON_ROLES) + ["deputy_dsl"])
                   & (User.active == True))  # noqa: E712
            .order_by(User.full_name).tuples())
    for role, name in rows:
        holders.setdefault(role, []).append(name)
    return contact_rules.with_console_people(profile, holders)


def _check_subject_user(actor: Actor, subject_user_id: int | None):
    from kiosk.models import User

    if subject_user_id is None:
        return None
    if actor.user_id is not None and subject_user_id == actor.user_id:
        raise ValidationError(
            "subject_user_id",
            "you cannot raise a concern about yourself; if you need to tell someone about "
            "your own conduct, speak to the headteacher or see Whistleblowing (F2)",
            "who it is about",
        )
    user = User.get_or_none(User.id == subject_user_id)
    if user is None:
        raise ValidationError("subject_user_id", "that person is not a console user", "who it is about")
    return user


def name_key(name: str) -> str:
    """A full name as compared: lower case, spacing and full stops ignored, leading titles
    and any "(role)" dropped, so "dr.  HELEN marsh" and "Dr Helen Marsh (headteacher)" agree."""
    return contact_rules.name_key(name)


def _accounts_named(name: str) -> list[int]:
    """Active accounts whose full name is ``name`` (see name_key); usually none or one."""
    from kiosk.models import User

    key = name_key(name)
    if not key:
        return []
    return [uid for uid, full in User.select(User.id, User.full_name)
            .where(User.active == True).tuples()  # noqa: E712
            if name_key(full) == key]


def _resolve_subject(actor: Actor, subject_user_id: int | None, subject_name: str) -> int | None:
    """The account a concern is about: the one picked, or the one whose name was typed.

    A typed name that matches an account is treated as that account, so the concern is never
    routed to the person it is about and never visible to them (a typed "Dr Helen Marsh" is
    about the headteacher's account, whoever typed it).
    """
    if subject_user_id is not None or not subject_name.strip():
        return subject_user_id
    found = _accounts_named(subject_name)
    if len(found) > 1:
        raise ValidationError("subject_name", "more than one console account has that name: "
                              "choose the person from the list", "who it is about")
    if found and actor.user_id is not None and found[0] == actor.user_id:
        raise ValidationError("subject_name", "you cannot raise a concern about yourself",
                              "who it is about")
    return found[0] if found else None


def _parse_share(value: str) -> tuple[str, ...]:
    return tuple(s for s in value.split(",") if s)


def _label(role: str) -> str:
    return ROLE_LABELS.get(role, role.replace("_", " "))


def _share_label(kind: str, role: str, lado_contacted_at: datetime | None = None) -> str:
    # An allegation is "shared with the local authority" in the rules: that is the LADO. The
    # register says it was shared only once someone recorded contacting them.
    if kind == ALLEGATION and role == "local_authority":
        if lado_contacted_at is None:
            return "the LADO (local authority), not yet contacted"
        return f"the LADO (local authority), contacted {fmt_local(lado_contacted_at)}"
    return _label(role)


def countdown(due: datetime, now: datetime | None = None) -> str:
    """'due in 1 day 4 h', 'due in 35 min', 'overdue by 3 h' (both naive UTC)."""
    now = now or utcnow()
    delta = due - now
    overdue = delta.total_seconds() < 0
    secs = abs(int(delta.total_seconds()))
    days, rem = divmod(secs, 86400)
    hours, rem = divmod(rem, 3600)
    mins = rem // 60
    if days:
        text = f"{days} day{'s' if days != 1 else ''} {hours} h"
    elif hours:
        text = f"{hours} h {mins} min"
    else:
        text = f"{mins} min"
    return f"overdue by {text}" if overdue else f"due in {text}"


def lado_due_for(told_at_utc: datetime) -> datetime:
    """End of the next working day (Europe/London) after the recipient was told, as UTC."""
    return to_utc(lado_deadline(to_local(told_at_utc)))


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def retention_for(kind: str, raised_at: datetime, dob: date | None, outcome: str) -> Retention:
    """Allegations: normal retirement age or 10 years from the allegation, whichever is
    longer; a malicious allegation is removed (by the retention process, not here)."""
    if kind != ALLEGATION:
        return Retention(None, False,
                         "Low-level concern: keep at least until the adult leaves the school's "
                         "employment (KCSIE), then review.")
    if outcome == THRESHOLD_NOT_MET:
        return retention_for(LOW_LEVEL, raised_at, dob, "")
    if outcome_rules.to_be_removed(outcome):
        return Retention(None, True,
                         "To be removed: a malicious allegation is removed from the adult's "
                         "records. It is not deleted here; the school's retention process "
                         "removes it.")
    ten = _add_years(to_local(raised_at).date(), ALLEGATION_RETENTION_YEARS)
    if dob is None:
        return Retention(ten, False,
                         f"Keep until at least {ten:%d %b %Y} (10 years from the allegation). "
                         "Date of birth not recorded: if the adult reaches normal retirement "
                         f"age (taken as state pension age, {RETIREMENT_AGE}) later, keep it "
                         "until then.")
    retire = _add_years(dob, RETIREMENT_AGE)
    until = max(ten, retire)
    which = ("normal retirement age" if retire > ten else "10 years from the allegation")
    return Retention(until, False,
                     f"Keep until {until:%d %b %Y} ({which}): the later of normal retirement "
                     f"age, taken as state pension age {RETIREMENT_AGE} ({retire:%d %b %Y}), "
                     f"and 10 years from the allegation ({ten:%d %b %Y}).")


def _status(kind: str, lado_due_at, lado_contacted_at, outcome: str, recorded: bool,
            now: datetime, referral_due: bool = False) -> tuple[str, bool, bool]:
    """(status text, open, lado_overdue). `kind` is the route it was raised on."""
    if outcome_rules.effective_kind(kind, outcome) == LOW_LEVEL and kind == ALLEGATION:
        # Short: the register's status column is 18 characters, two lines at most.
        return ("Was allegation: " + ("recorded" if recorded else "awaiting record")), not recorded, False
    if kind == ALLEGATION:
        if outcome_rules.to_be_removed(outcome):
            return "Closed: malicious, to be removed", False, False
        if referral_due:
            return "Substantiated: DBS/TRA answer due", True, False
        if outcome:
            return f"Closed: {OUTCOMES.get(outcome, outcome).lower()}", False, False
        if lado_contacted_at is None and lado_due_at is not None:
            overdue = now > lado_due_at
            return ("LADO " + countdown(lado_due_at, now)), True, overdue
        return "LADO contacted", True, False
    if recorded:
        return "Recorded", False, False
    return "Awaiting record", True, False


def _visible_ids_query(actor: Actor):
    """The ids of concerns the actor may see: routed to or shared with one of their roles,
    of a kind their capabilities cover, and never about themselves."""
    from kiosk.models.adults import AdultConcern, AdultConcernRole

    kinds = []
    if actor.can(Cap.ADULT_RECEIVE_ALLEGATION):
        kinds.append(ALLEGATION)
    if actor.can(Cap.ADULT_RECEIVE_LOW_LEVEL):
        kinds.append(LOW_LEVEL)
    roles = _role_keys(actor)
    if not kinds or not roles:
        return None
    q = (
        AdultConcernRole.select(AdultConcernRole.concern)
        .join(AdultConcern)
        .where(AdultConcernRole.role.in_(roles) & AdultConcern.kind.in_(kinds))
    )
    if actor.user_id is not None:
        q = q.where(AdultConcern.subject_user.is_null() | (AdultConcern.subject_user != actor.user_id))
    return q


def _require_receiver(actor: Actor) -> None:
    if not (actor.can(Cap.ADULT_RECEIVE_LOW_LEVEL) or actor.can(Cap.ADULT_RECEIVE_ALLEGATION)):
        require(actor, Cap.ADULT_RECEIVE_LOW_LEVEL)


def _access(actor: Actor, concern) -> str | None:
    """'recipient', 'shared' or None (not visible to this actor)."""
    from kiosk.models.adults import AdultConcernRole

    if actor.user_id is not None and concern.subject_user_id == actor.user_id:
        return None
    cap = Cap.ADULT_RECEIVE_ALLEGATION if concern.kind == ALLEGATION else Cap.ADULT_RECEIVE_LOW_LEVEL
    if not actor.can(cap):
        return None
    roles = _role_keys(actor)
    if not roles:
        return None
    reasons = {r for (r,) in AdultConcernRole.select(AdultConcernRole.reason).where(
        (AdultConcernRole.concern == concern.id) & AdultConcernRole.role.in_(roles)).tuples()}
    if "recipient" in reasons:
        return "recipient"
    if "shared" in reasons:
        return "shared"
    return None


def _load(actor: Actor, concern_id: int, *, action: str):
    """The concern if the actor may see it; otherwise NotFound (audited), never a hint."""
    from kiosk.models.adults import AdultConcern

    _require_receiver(actor)
    concern = AdultConcern.get_or_none(AdultConcern.id == concern_id)
    access = _access(actor, concern) if concern is not None else None
    if access is None:
        audit.record(actor, "adult_concern.refused", RECORD_TYPE, concern_id, {"action": action})
        raise NotFound("No such concern, or it is not one you can see.")
    return concern, access


# ---------------------------------------------------------------------------------------
# Raising a concern (anyone)
# ---------------------------------------------------------------------------------------


def subject_choices(actor: Actor) -> list[SubjectChoice]:
    """Console users a concern may be about (everyone active but the actor)."""
    require(actor, Cap.ADULT_RAISE)
    from kiosk.capabilities import ROLE_TITLES
    from kiosk.models import User, UserRole

    roles: dict[int, list[str]] = {}
    for uid, role in UserRole.select(UserRole.user, UserRole.role).tuples():
        roles.setdefault(uid, []).append(role)
    out = []
    for uid, name in (User.select(User.id, User.full_name)
                      .where(User.active == True).order_by(User.full_name).tuples()):  # noqa: E712
        if uid == actor.user_id:
            continue
        titles = ", ".join(ROLE_TITLES[Role(r)].split(" (")[0] for r in sorted(roles.get(uid, [])))
        # The picker adds the roles, so a label in the account's name would show twice.
        out.append(SubjectChoice(uid, plain_name(name) if titles else name, titles))
    return out


def matching_account(actor: Actor, subject_name: str) -> SubjectChoice | None:
    """The console account a typed name means, for the form's "Did you mean ...?" question.

    None when no active account other than the actor has that full name (titles, case and
    spacing ignored). Refused like the send itself when the name is the actor's own or is
    shared by several accounts.
    """
    require(actor, Cap.ADULT_RAISE)
    uid = _resolve_subject(actor, None, subject_name)
    if uid is None:
        return None
    return next((c for c in subject_choices(actor) if c.user_id == uid), None)


def plan(actor: Actor, profile, *, subject_user_id: int | None = None, subject_name: str = "",
         is_headteacher: bool = False, is_head_relative: bool = False, is_dsl: bool = False,
         is_trust_central: bool = False, answers: HarmsAnswers = HarmsAnswers(),
         dsl_unavailable: bool = False) -> Plan:
    """Where the concern would go, and who would be alerted, before it is submitted."""
    require(actor, Cap.ADULT_RAISE)
    subject_user_id = _resolve_subject(actor, subject_user_id, subject_name)
    _check_subject_user(actor, subject_user_id)
    subject = _subject_for(subject_user_id, is_headteacher=is_headteacher,
                           is_head_relative=is_head_relative, is_dsl=is_dsl,
                           is_trust_central=is_trust_central)
    shown = _console_profile(profile)
    routing, holders = _route(shown, subject, answers, subject_user_id, dsl_unavailable)
    people = holders.get(routing.recipient, [])
    return Plan(
        kind=routing.kind,
        recipient_role=routing.recipient,
        recipient_label=_label(routing.recipient),
        recipient_names=tuple(plain_name(n) for _, n in people),
        share_with=tuple(routing.share_with),
        share_labels=tuple(_share_label(routing.kind, r) for r in routing.share_with),
        routing=routing,
        subject=subject,
        outside_console=routing.recipient not in CONSOLE_ROLES or not people,
        profile=shown,
    )


@dataclass(frozen=True)
class AdultConcernInput:
    """What the adult-concern form sends to `raise_concern` (and what its draft keeps).

    Either `subject_user_id` (a console user) or `subject_name`; the four flags say who
    the subject is for routing; `subject_dob` is a date or as typed (blank: unknown).
    """

    subject_user_id: int | None = None
    subject_name: str = ""
    subject_role: str = ""
    is_headteacher: bool = False
    is_head_relative: bool = False
    is_dsl: bool = False
    is_trust_central: bool = False
    subject_dob: date | str | None = None
    what_happened: str = ""
    happened_when: str = ""
    context: str = ""
    answers: HarmsAnswers = HarmsAnswers()
    recipient_user_id: int | None = None
    told_by: str = ""
    dsl_unavailable: bool = False


def raise_concern(actor: Actor, profile, data: AdultConcernInput | None = None,
                  **fields) -> Receipt:
    """Record a concern about an adult and route it (paragraphs 14-15).

    `data` is an AdultConcernInput (scripts and tests may pass its fields as keywords).
    The rules decide allegation or low-level and the recipient role; the holders of that
    role (never the subject) are alerted in the same write. `recipient_user_id` may name one
    of those holders (for instance whoever is acting as headteacher); anyone else is refused.
    """
    from kiosk.dates import parse_typed_date

    require(actor, Cap.ADULT_RAISE)
    d = data or AdultConcernInput(**fields)
    subject_user_id, subject_name, subject_role = d.subject_user_id, d.subject_name, d.subject_role
    is_headteacher, is_head_relative, is_dsl, is_trust_central = (
        d.is_headteacher, d.is_head_relative, d.is_dsl, d.is_trust_central)
    what_happened, happened_when, context, answers = (d.what_happened, d.happened_when,
                                                      d.context, d.answers)
    recipient_user_id, told_by, dsl_unavailable = d.recipient_user_id, d.told_by, d.dsl_unavailable
    subject_dob = (parse_typed_date(d.subject_dob, "subject_dob", required=False, label="date of birth")
                   if d.subject_dob else None)
    from kiosk.models.adults import AdultConcern, AdultConcernRecipient, AdultConcernRole

    if actor.user_id is None:
        # The record keeps who raised it as a user; a shell administrator is nobody's colleague.
        raise ValidationError("raised by", "a concern about an adult is raised by a signed-in "
                              "member of staff in the console")
    name = clean(subject_name, "subject_name", label="who it is about")
    typed = subject_user_id is None
    subject_user_id = _resolve_subject(actor, subject_user_id, name)
    matched_by_name = typed and subject_user_id is not None
    subject_user = _check_subject_user(actor, subject_user_id)
    if subject_user is not None and not name:
        name = subject_user.full_name
    if not name:
        raise ValidationError("subject_user_id", "is required: choose a person or type their name",
                              "who it is about")
    if subject_user is None and actor.full_name and name_key(name) == name_key(actor.full_name):
        raise ValidationError("subject_name", "you cannot raise a concern about yourself",
                              "who it is about")
    role_text = clean(subject_role, "subject_role", label="their role")
    what = clean(what_happened, "what_happened", required=True, multiline=True)
    when = clean(happened_when, "happened_when", label="when it happened")
    ctx = clean(context, "context", multiline=True)
    told = clean(told_by, "told_by", label="told to you by")
    if subject_dob is not None:
        age = (today() - subject_dob).days / 365.25
        if not 14 <= age <= 100:
            raise ValidationError("subject_dob", "is not a plausible date of birth for an adult "
                                  "working at the school", "date of birth")

    subject = _subject_for(subject_user_id, is_headteacher=is_headteacher,
                           is_head_relative=is_head_relative, is_dsl=is_dsl,
                           is_trust_central=is_trust_central)
    now = utcnow()
    with dbmod.write():
        routing, holders = _route(profile, subject, answers, subject_user_id, dsl_unavailable)
        recipients = list(holders.get(routing.recipient, []))
        if recipient_user_id is not None:
            if subject_user_id is not None and recipient_user_id == subject_user_id:
                raise ValidationError(
                    "recipient_user_id", "a concern cannot be sent to the person it is about; "
                    f"it goes to {_label(routing.recipient)} (paragraphs 14-15)", "recipient")
            chosen = [p for p in recipients if p[0] == recipient_user_id]
            if not chosen:
                raise ValidationError(
                    "recipient_user_id", f"this concern must go to {_label(routing.recipient)} "
                    "(paragraphs 14-15); that person cannot receive it", "recipient")
            recipients = chosen
        shared = {r: holders.get(r, []) for r in routing.share_with}
        allegation = routing.kind == ALLEGATION
        concern = AdultConcern.create(
            kind=routing.kind,
            subject_user=subject_user_id,
            subject_name=name,
            subject_role=role_text,
            subject_dob=subject_dob,
            subject_is_headteacher=subject.is_headteacher,
            subject_is_head_relative=subject.is_head_relative,
            subject_is_dsl=subject.is_dsl,
            subject_is_trust_central=subject.about_trust_central,
            what_happened=what,
            happened_when=when,
            context=ctx,
            harmed_child=answers.harmed_child,
            criminal_offence=answers.criminal_offence,
            risk_of_harm=answers.risk_of_harm,
            unsuitable=answers.unsuitable,
            recipient_role=routing.recipient,
            share_with=",".join(routing.share_with),
            reported_by=actor.user_id,
            told_by=told,
            created_at=now,
            lado_due_at=lado_due_for(now) if allegation else None,
        )
        AdultConcernRole.create(concern=concern, role=routing.recipient, reason="recipient")
        for role in routing.share_with:
            if role != routing.recipient:
                AdultConcernRole.create(concern=concern, role=role, reason="shared")
        seen = set()
        for uid, _ in recipients:
            seen.add(uid)
            AdultConcernRecipient.create(concern=concern, user=uid, reason="recipient")
        shared_ids = []
        for people in shared.values():
            for uid, _ in people:
                if uid not in seen:
                    seen.add(uid)
                    shared_ids.append(uid)
                    AdultConcernRecipient.create(concern=concern, user=uid, reason="shared")
        # Alerts carry no content: not the adult's name, not what happened.
        label = "Allegation about an adult" if allegation else "Low-level concern about an adult"
        alert_to = [uid for uid, _ in recipients if uid != actor.user_id]
        alerts.raise_for_users(alert_to, "adult_allegation" if allegation else "adult_low_level",
                               RECORD_TYPE, concern.id, label, actor.full_name, urgent=allegation)
        alerts.raise_for_users([u for u in shared_ids if u != actor.user_id], "adult_low_level",
                               RECORD_TYPE, concern.id, "Low-level concern shared with you",
                               actor.full_name)
        audit.record(actor, "adult_concern.raise", RECORD_TYPE, concern.id, {
            "kind": routing.kind,
            "recipient_role": routing.recipient,
            "share_with": list(routing.share_with),
            "alerted": len(alert_to),
            "subject_is_user": subject_user_id is not None,
            "matched_by_name": matched_by_name,
        }, records=[("adult_concern", concern.id)])
    return Receipt(
        id=concern.id,
        kind=routing.kind,
        raised_at=now,
        received_by=_label(routing.recipient),
        recipient_names=tuple(plain_name(n) for _, n in recipients),
        outside_console=not recipients,
        lado_due_at=concern.lado_due_at,
    )


def my_reports(actor: Actor) -> list[MyReport]:
    """The actor's own reports about adults: when, and who received them. Nothing else."""
    require(actor, Cap.ADULT_RAISE)
    from kiosk.models.adults import AdultConcern

    rows = (AdultConcern.select(AdultConcern.id, AdultConcern.created_at, AdultConcern.recipient_role)
            .where(AdultConcern.reported_by == actor.user_id)
            .order_by(AdultConcern.created_at.desc()).tuples())
    out = [MyReport(i, at, _label(role)) for i, at, role in rows]
    audit.record(actor, "adult_concern.my_reports_view", detail={"count": len(out)})
    return out


# ---------------------------------------------------------------------------------------
# The register (recipients)
# ---------------------------------------------------------------------------------------


_SUMMARY_KINDS = ["lado_contact", "outcome", "record", "dbs"]


def _summarise(rows) -> dict[int, dict]:
    out: dict[int, dict] = {}
    for cid, kind, choice, occurred, at in rows:
        s = out.setdefault(cid, {})
        if kind == "lado_contact":
            s.setdefault("lado", occurred or at)
        elif kind == "outcome":
            s.setdefault("outcome", choice)
        elif kind == "record":
            s["recorded"] = True
        elif kind == "dbs":
            s["referral_answered"] = True
    return out


def _event_summary(ids_query) -> dict[int, dict]:
    from kiosk.models.adults import AdultConcernEvent

    return _summarise(AdultConcernEvent
                      .select(AdultConcernEvent.concern, AdultConcernEvent.kind, AdultConcernEvent.choice,
                              AdultConcernEvent.occurred_at, AdultConcernEvent.at)
                      .where(AdultConcernEvent.concern.in_(ids_query)
                             & AdultConcernEvent.kind.in_(_SUMMARY_KINDS))
                      .order_by(AdultConcernEvent.id).tuples())


def _visible_kinds(actor: Actor) -> list[str]:
    kinds = []
    if actor.can(Cap.ADULT_RECEIVE_ALLEGATION):
        kinds.append(ALLEGATION)
    if actor.can(Cap.ADULT_RECEIVE_LOW_LEVEL):
        kinds.append(LOW_LEVEL)
    return kinds


def _register_rows(actor: Actor) -> list[RegisterRow]:
    """The register through hand-written SQL (kiosk.services.adults_sql): the same three
    questions as `_register_rows_orm`, which the tests hold it to."""
    from kiosk.services import adults_sql

    kinds, roles = _visible_kinds(actor), _role_keys(actor)
    if not kinds or not roles:
        return []
    ids = adults_sql.visible_ids(kinds, roles, actor.user_id)
    rows = adults_sql.concerns(ids)
    summary = _summarise(adults_sql.events(ids, _SUMMARY_KINDS))
    recipient_of = adults_sql.recipient_of(ids, roles)
    return _register_views(rows, summary, recipient_of)


def _register_rows_orm(actor: Actor) -> list[RegisterRow]:
    from kiosk.models import User
    from kiosk.models.adults import AdultConcern, AdultConcernRole

    ids = _visible_ids_query(actor)
    if ids is None:
        return []
    roles = _role_keys(actor)
    # Query 1: the concerns themselves with the reporter's name.
    rows = (AdultConcern
            .select(AdultConcern.id, AdultConcern.kind, AdultConcern.subject_user,
                    AdultConcern.subject_name, AdultConcern.subject_role,
                    AdultConcern.created_at, User.full_name, AdultConcern.recipient_role,
                    AdultConcern.lado_due_at)
            .join(User, on=(AdultConcern.reported_by == User.id))
            .where(AdultConcern.id.in_(ids))
            .order_by(AdultConcern.created_at.desc(), AdultConcern.id.desc())
            .tuples())
    rows = list(rows)
    # Query 2: what has happened since (LADO contact, outcome, written record).
    summary = _event_summary(ids)
    # Query 3 (tiny): which of the actor's roles gives access, for "shared with you".
    recipient_of = {c for (c,) in AdultConcernRole.select(AdultConcernRole.concern).where(
        AdultConcernRole.concern.in_(ids) & AdultConcernRole.role.in_(roles)
        & (AdultConcernRole.reason == "recipient")).tuples()}
    return _register_views(rows, summary, recipient_of)


def _register_views(rows, summary, recipient_of) -> list[RegisterRow]:
    now = utcnow()
    out = []
    append, new, empty = out.append, tuple.__new__, {}
    keys: dict[tuple, str] = {}  # the same adult comes back often
    effective_kind, referral_question_due = outcome_rules.effective_kind, outcome_rules.referral_question_due
    for cid, kind, suid, sname, srole, at, reporter, rrole, due in rows:
        s = summary.get(cid, empty)
        outcome = s.get("outcome", "")
        lado = s.get("lado")
        referral_due = referral_question_due(outcome, s.get("referral_answered", False))
        status, is_open, overdue = _status(kind, due, lado, outcome, s.get("recorded", False), now,
                                           referral_due)
        now_kind = effective_kind(kind, outcome)
        key = keys.get((suid, sname))
        if key is None:
            key = keys[(suid, sname)] = _subject_key(suid, sname)
        # In RegisterRow's field order (one tuple, no keyword handling per row).
        append(new(RegisterRow, (
            cid, now_kind, sname, srole, key, at, reporter, rrole,
            "recipient" if cid in recipient_of else "shared", status, is_open, due, lado, overdue,
            outcome, kind if now_kind != kind else "", referral_due)))
    return out


def register(actor: Actor) -> list[RegisterRow]:
    """The concerns about adults routed to or shared with the actor's roles, newest first.

    The headteacher's register holds every allegation and low-level concern routed to or
    shared with the headteacher; a DSL's holds only the low-level concerns reported to them.
    """
    _require_receiver(actor)
    rows = _register_rows(actor)
    audit.record(actor, "adult_concern.register_view", detail={"count": len(rows)})
    return rows


def patterns(actor: Actor, threshold: int = PATTERN_THRESHOLD) -> list[Pattern]:
    """Adults with several concerns in the actor's register (paragraph 16: low-level
    concerns together may show a pattern that meets the harms threshold)."""
    _require_receiver(actor)
    groups: dict[str, list[RegisterRow]] = {}
    for row in _register_rows(actor):
        groups.setdefault(row.subject_key, []).append(row)
    out = []
    for key, rows in groups.items():
        if len(rows) < threshold:
            continue
        rows.sort(key=lambda r: (r.raised_at, r.id))
        out.append(Pattern(
            subject_key=key, subject_name=rows[-1].subject_name, subject_role=rows[-1].subject_role,
            low_level=sum(r.kind == LOW_LEVEL for r in rows),
            allegations=sum(r.kind == ALLEGATION for r in rows),
            first_at=rows[0].raised_at, last_at=rows[-1].raised_at,
            concern_ids=tuple(r.id for r in rows),
        ))
    out.sort(key=lambda p: (-(p.low_level + p.allegations), -p.last_at.timestamp()))
    audit.record(actor, "adult_concern.patterns_view", detail={"count": len(out)})
    return out


# ---------------------------------------------------------------------------------------
# One concern
# ---------------------------------------------------------------------------------------


def _flags_of(c) -> tuple[str, ...]:
    out = []
    if c.subject_is_headteacher:
        out.append("the headteacher")
    if c.subject_is_head_relative:
        out.append("a relative of the headteacher working at the school")
    if c.subject_is_dsl:
        out.append("the DSL")
    if c.subject_is_trust_central:
        out.append("a member of the trust central team")
    return tuple(out)


def _event_view(e) -> EventView:
    if e.kind == "action":
        choice_label = ACTIONS.get(e.choice, e.choice)
    elif e.kind == "outcome":
        choice_label = OUTCOMES.get(e.choice, e.choice)
    elif e.kind == "dbs":
        choice_label = DBS_ANSWERS.get(e.choice, e.choice)
    elif e.kind == "tra":
        choice_label = TRA_ANSWERS.get(e.choice, e.choice)
    else:
        choice_label = ""
    return EventView(e.kind, EVENT_LABELS.get(e.kind, e.kind), e.choice, choice_label,
                     e.occurred_at, e.text, e.rationale, e.by_name, e.at)


def detail_view(actor: Actor, concern, access: str) -> ConcernDetail:
    from kiosk.models import User
    from kiosk.models.adults import AdultConcernEvent, AdultConcernRecipient

    events = [_event_view(e) for e in AdultConcernEvent.select()
              .where(AdultConcernEvent.concern == concern.id).order_by(AdultConcernEvent.id)]
    lado = next((e.occurred_at or e.at for e in events if e.kind == "lado_contact"), None)
    outcome = next((e.choice for e in events if e.kind == "outcome"), "")
    outcome_at = next((e.at for e in events if e.kind == "outcome"), None)
    recorded = any(e.kind == "record" for e in events)
    referral_due = outcome_rules.referral_question_due(outcome, any(e.kind == "dbs" for e in events))
    now = utcnow()
    status, is_open, overdue = _status(concern.kind, concern.lado_due_at, lado, outcome, recorded,
                                       now, referral_due)
    now_kind = outcome_rules.effective_kind(concern.kind, outcome)
    reporter = User.get_by_id(concern.reported_by_id).full_name
    names = tuple(n for (n,) in User.select(User.full_name).join(
        AdultConcernRecipient, on=(AdultConcernRecipient.user == User.id))
        .where((AdultConcernRecipient.concern == concern.id)
               & (AdultConcernRecipient.reason == "recipient")).tuples())
    return ConcernDetail(
        id=concern.id, kind=now_kind, raised_as=concern.kind if now_kind != concern.kind else "",
        referral_due=referral_due, outcome_at=outcome_at, subject_name=concern.subject_name,
        subject_role=concern.subject_role, subject_is_user=concern.subject_user_id is not None,
        subject_dob=concern.subject_dob, flags=_flags_of(concern),
        what_happened=concern.what_happened, happened_when=concern.happened_when,
        context=concern.context,
        answers=HarmsAnswers(concern.harmed_child, concern.criminal_offence,
                             concern.risk_of_harm, concern.unsuitable),
        reported_by=reporter, told_by=concern.told_by, raised_at=concern.created_at,
        recipient_role=concern.recipient_role, recipient_label=_label(concern.recipient_role),
        share_labels=tuple(_share_label(concern.kind, r, lado) for r in _parse_share(concern.share_with)),
        recipient_names=names, my_access=access, can_act=access == "recipient",
        events=tuple(events), lado_due_at=concern.lado_due_at, lado_contacted_at=lado,
        lado_overdue=overdue, outcome=outcome,
        retention=retention_for(concern.kind, concern.created_at, concern.subject_dob, outcome),
        status=status, open=is_open,
    )


def get_concern(actor: Actor, concern_id: int) -> ConcernDetail:
    """One concern in full, for someone it was routed to or shared with. Audited."""
    concern, access = _load(actor, concern_id, action="view")
    detail = detail_view(actor, concern, access)
    audit.record(actor, "adult_concern.view", RECORD_TYPE, concern.id, {"access": access})
    alerts.mark_read_for_record(actor, RECORD_TYPE, concern.id)
    return detail


# ---------------------------------------------------------------------------------------
# What happens next (appended events)
# ---------------------------------------------------------------------------------------


def _append(actor: Actor, concern_id: int, kind: str, *, need_kind: str | None,
            recipient_only: bool = True, **fields) -> ConcernDetail:
    from kiosk.models.adults import AdultConcern, AdultConcernEvent

    # Checked before the write so a refusal's audit event is not rolled back with it.
    concern, access = _load(actor, concern_id, action=kind)
    if need_kind and _route_now(concern) != need_kind:
        what = "an allegation" if need_kind == ALLEGATION else "a low-level concern"
        raise ValidationError(EVENT_LABELS[kind].lower(), f"applies only to {what}")
    if recipient_only and access != "recipient":
        audit.record(actor, "permission.denied", RECORD_TYPE, concern.id,
                     {"capability": "adult.act", "action": kind})
        raise PermissionDenied(
            "adult.act", f"Only {_label(concern.recipient_role)}, who received this "
            "concern, can record this; you can add a note.")
    with dbmod.write():
        if kind == "outcome" and AdultConcernEvent.select().where(
                (AdultConcernEvent.concern == concern.id)
                & (AdultConcernEvent.kind == "outcome")).exists():
            raise ValidationError("outcome", "has already been recorded; add a note to explain "
                                  "any later change")
        ev = AdultConcernEvent.create(concern=concern, kind=kind, by=actor.user_id,
                                 by_name=actor.full_name, at=utcnow(), **fields)
        detail = {"kind": kind}
        if fields.get("choice"):
            detail["choice"] = fields["choice"]
        audit.record(actor, f"adult_concern.{kind}", RECORD_TYPE, concern.id, detail,
                     records=[("adult_concern_event", ev.id)])
        concern = AdultConcern.get_by_id(concern.id)
        return detail_view(actor, concern, access)


def _route_now(concern) -> str:
    """The route a concern is on now (an outcome may have moved an allegation to low-level)."""
    from kiosk.models.adults import AdultConcernEvent

    outcome = (AdultConcernEvent.select(AdultConcernEvent.choice)
               .where((AdultConcernEvent.concern == concern.id) & (AdultConcernEvent.kind == "outcome"))
               .order_by(AdultConcernEvent.id).scalar() or "")
    return outcome_rules.effective_kind(concern.kind, outcome)


def record_lado_contact(actor: Actor, concern_id: int, *, contacted_at: datetime | str | None = None,
                        details: str = "") -> ConcernDetail:
    """The recipient contacted the LADO (paragraph 14). `contacted_at` is naive UTC, or as
    typed in England's time ("DD/MM/YYYY HH:MM"); blank is now."""
    from kiosk.dates import parse_typed_datetime

    require(actor, Cap.ADULT_RECEIVE_ALLEGATION)
    if isinstance(contacted_at, str):
        contacted_at = parse_typed_datetime(contacted_at, "contacted_at", label="when")
    when = contacted_at or utcnow()
    if when > utcnow() + timedelta(minutes=5):
        raise ValidationError("contacted_at", "cannot be in the future", "when the LADO was contacted")
    text = clean(details, "details", multiline=True, label="who you spoke to and how")
    return _append(actor, concern_id, "lado_contact", need_kind=ALLEGATION,
                   occurred_at=when, text=text)


def record_lado_advice(actor: Actor, concern_id: int, *, advice: str, rationale: str) -> ConcernDetail:
    require(actor, Cap.ADULT_RECEIVE_ALLEGATION)
    text = clean(advice, "advice", required=True, multiline=True, label="the LADO's advice")
    why = clean(rationale, "rationale", required=True, multiline=True, label="what you decided and why")
    return _append(actor, concern_id, "lado_advice", need_kind=ALLEGATION, text=text, rationale=why)


def record_action(actor: Actor, concern_id: int, *, action: str, decision: str,
                  rationale: str) -> ConcernDetail:
    """A strategy discussion, whether suspension was considered (and decided), police."""
    require(actor, Cap.ADULT_RECEIVE_ALLEGATION)
    if action not in ACTIONS:
        raise ValidationError("action", f"choose one of: {', '.join(ACTIONS.values())}")
    text = clean(decision, "decision", required=True, multiline=True, label="what was done or decided")
    why = clean(rationale, "rationale", required=True, multiline=True)
    return _append(actor, concern_id, "action", need_kind=ALLEGATION, choice=action,
                   text=text, rationale=why)


def record_outcome(actor: Actor, concern_id: int, *, outcome: str, rationale: str) -> ConcernDetail:
    require(actor, Cap.ADULT_RECEIVE_ALLEGATION)
    if outcome not in OUTCOMES:
        raise ValidationError("outcome", f"choose one of: {', '.join(o.lower() for o in OUTCOMES.values())}")
    why = clean(rationale, "rationale", required=True, multiline=True)
    return _append(actor, concern_id, "outcome", need_kind=ALLEGATION, choice=outcome, rationale=why)


@dataclass(frozen=True)
class ReferralDecisionInput:
    """The register's questions after a substantiated allegation: did the person leave or
    were they dismissed, does the duty to refer to the DBS apply, and (for a teacher) were
    they referred to the Teaching Regulation Agency. `answered_on` is the date of the
    referral or the decision, as typed or a date."""

    departure: str = ""
    dbs: str = ""
    tra: str = ""
    answered_on: date | str | None = None
    rationale: str = ""


def record_referral_decisions(actor: Actor, concern_id: int,
                              data: ReferralDecisionInput | None = None, **fields) -> ConcernDetail:
    """Record the DBS and TRA answers (two appended events, one write) after a substantiated
    outcome; asked once: a later change is a note."""
    from kiosk.dates import parse_typed_date
    from kiosk.models.adults import AdultConcern, AdultConcernEvent

    d = data or ReferralDecisionInput(**fields)
    require(actor, Cap.ADULT_RECEIVE_ALLEGATION)
    concern, access = _load(actor, concern_id, action="dbs")
    if access != "recipient":
        audit.record(actor, "permission.denied", RECORD_TYPE, concern.id,
                     {"capability": "adult.act", "action": "dbs"})
        raise PermissionDenied(
            "adult.act", f"Only {_label(concern.recipient_role)}, who received this "
            "concern, can record this; you can add a note.")
    outcome_ev = (AdultConcernEvent.select().where((AdultConcernEvent.concern == concern.id)
                                                   & (AdultConcernEvent.kind == "outcome"))
                  .order_by(AdultConcernEvent.id).first())
    if outcome_ev is None or outcome_ev.choice != outcome_rules.SUBSTANTIATED:
        raise ValidationError("outcome", "the DBS and TRA questions follow a substantiated "
                              "allegation; record the outcome first")
    on = parse_typed_date(d.answered_on, "answered_on", required=False) if d.answered_on else None
    problems = outcome_rules.referral_problems(d.departure, d.dbs, d.tra, on,
                                               to_local(outcome_ev.at).date(), today())
    if problems:
        raise ValidationError(*problems[0])
    why = clean(d.rationale, "rationale", required=True, multiline=True)
    when = to_utc(datetime.combine(on, datetime.min.time()))
    with dbmod.write():
        if AdultConcernEvent.select().where((AdultConcernEvent.concern == concern.id)
                                            & (AdultConcernEvent.kind == "dbs")).exists():
            raise ValidationError("dbs", "has already been answered; add a note to explain "
                                  "any later change")
        evs = [AdultConcernEvent.create(concern=concern, kind=kind, choice=choice, occurred_at=when,
                                        text=text, rationale=why, by=actor.user_id,
                                        by_name=actor.full_name, at=utcnow())
               for kind, choice, text in (("dbs", d.dbs, f"Employment: {DEPARTURES[d.departure]}."),
                                          ("tra", d.tra, ""))]
        audit.record(actor, "adult_concern.referral_decisions", RECORD_TYPE, concern.id,
                     {"departure": d.departure, "dbs": d.dbs, "tra": d.tra},
                     records=[("adult_concern_event", e.id) for e in evs])
        return detail_view(actor, AdultConcern.get_by_id(concern.id), access)


def record_low_level(actor: Actor, concern_id: int, *, action_taken: str, rationale: str,
                     context: str = "") -> ConcernDetail:
    """The written record of paragraph 15 by the person it was reported to: the concern and
    its context are on the report; this adds any further context, the action and the reasons."""
    require(actor, Cap.ADULT_RECEIVE_LOW_LEVEL)
    action_text = clean(action_taken, "action_taken", required=True, multiline=True)
    why = clean(rationale, "rationale", required=True, multiline=True, label="rationale for decisions")
    ctx = clean(context, "context", multiline=True, label="further context")
    text = action_text if not ctx else f"{action_text}\n\nFurther context: {ctx}"
    return _append(actor, concern_id, "record", need_kind=LOW_LEVEL, text=text, rationale=why)


def add_note(actor: Actor, concern_id: int, *, note: str) -> ConcernDetail:
    """Anyone the concern was routed to or shared with may add a note."""
    _require_receiver(actor)
    text = clean(note, "note", required=True, multiline=True)
    return _append(actor, concern_id, "note", need_kind=None, recipient_only=False, text=text)


# ---------------------------------------------------------------------------------------
# Home screen
# ---------------------------------------------------------------------------------------


def home_counts(actor: Actor) -> list:
    """Open concerns about adults for this actor, and LADO deadlines (overdue is urgent)."""
    from kiosk.services.home import HomeCount
    from kiosk.services.actor import require_signed_in

    require_signed_in(actor)

    if not (actor.can(Cap.ADULT_RECEIVE_LOW_LEVEL) or actor.can(Cap.ADULT_RECEIVE_ALLEGATION)):
        return []
    rows = _register_rows(actor)
    open_rows = [r for r in rows if r.open]
    out = []
    unread = alerts.unread_count(actor, kinds=["adult_allegation", "adult_low_level"])
    if unread:
        # The alert itself: new concerns routed or shared to this person, not yet opened.
        out.append(HomeCount("New concerns about adults (not yet opened)", unread, urgent=True, key="g"))
    out.append(HomeCount("Concerns about adults open", len(open_rows), key="g"))
    due = [r for r in open_rows if r.kind == ALLEGATION and r.my_access == "recipient"
           and r.lado_contacted_at is None and r.lado_due_at is not None]
    overdue = [r for r in due if r.lado_overdue]
    pending = [r for r in due if not r.lado_overdue]
    if pending:
        soonest = min(r.lado_due_at for r in pending)
        out.append(HomeCount(f"LADO contact due ({countdown(soonest)})", len(pending),
                             urgent=True, key="g"))
    if overdue:
        out.append(HomeCount("LADO contact OVERDUE", len(overdue), urgent=True, key="g"))
    return out


__all__ = [
    "ACTIONS", "OUTCOMES", "KIND_LABELS", "RETIREMENT_AGE", "subject_choices", "plan",
    "raise_concern", "my_reports", "register", "patterns", "get_concern",
    "record_lado_contact", "record_lado_advice", "record_action", "record_outcome",
    "ReferralDecisionInput", "record_referral_decisions", "DEPARTURES", "DBS_ANSWERS", "TRA_ANSWERS",
    "THRESHOLD_NOT_MET",
    "record_low_level", "add_note", "home_counts", "countdown", "lado_due_for",
    "retention_for",
]
