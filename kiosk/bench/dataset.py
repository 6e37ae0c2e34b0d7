"""A synthetic school for `kiosk bench`: ten years of records, skewed like real ones.

Everything is made-up (names from syllables). Rows are bulk inserted with explicit ids
in one transaction per table group; the audit trail is computed in Python with the audit
module's own `_digest` (so `audit.verify()` passes) and the chain head is written to Meta.
A few pupils carry hundreds of entries each, as real chronologies do.

Domains whose models are not in this build are skipped (the counts say so).
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from kiosk import db as dbmod
from kiosk.bench import Scale
from kiosk.bench.bulk import insert_rows, reset_sequence
from kiosk.clock import utcnow

BENCH_PASSWORD = "bench-password-not-secret-1"
SEED = 20260909

FIRST = (
    "Amara", "Ben", "Chloe", "Dylan", "Ella", "Finley", "Grace", "Harvey", "Isla", "Jacob",
    "Kai", "Layla", "Mason", "Nia", "Oscar", "Poppy", "Quinn", "Ruby", "Sami", "Tilly",
    "Umar", "Violet", "Will", "Xander", "Yasmin", "Zach", "Aisha", "Brodie", "Cerys", "Deji",
    "Evie", "Frankie", "Hana", "Idris", "Jess", "Leo", "Maya", "Noah", "Orla", "Pavel",
    "Abdul", "Bethan", "Callum", "Darcey", "Eshaan", "Freya", "Gethin", "Harriet", "Imran",
    "Jade", "Kian", "Lola", "Milo", "Nadia", "Olly", "Priya", "Rhys", "Sofia", "Theo", "Zara",
)
LAST_START = (
    "Ash", "Black", "Brad", "Carr", "Dun", "East", "Fair", "Gar", "Hol", "Ing", "Jar", "Kett",
    "Lock", "Marl", "Nett", "Orm", "Penn", "Quar", "Rush", "Salt", "Thack", "Under", "Varl",
    "Wick", "Yard", "Abb", "Bren", "Cob", "Den", "Fel", "Hart", "Mill", "Stan", "Whit",
)
LAST_END = (
    "ley", "ford", "wood", "ton", "well", "by", "field", "more", "ham", "worth", "bourne",
    "stead", "ridge", "gate", "man", "side", "dale", "ington", "cott", "hurst",
)
PLACES = ("Classroom", "Playground", "Corridor", "Lunch hall", "Reception", "Online", "Gate",
          "Changing rooms", "Library", "School trip")
SOURCES = ("child_told", "parent_told", "other_child_told", "noticed", "professional")
SENTENCE = ("Pupil arrived late and seemed withdrawn; said they had not eaten since lunch "
            "yesterday and that things at home were difficult. ")


@dataclass
class Dataset:
    """What was built: counts per table, the users to act as, the heaviest pupil."""

    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)  # role -> a user id holding it
    staff_ids: list[int] = field(default_factory=list)
    pupil_ids: list[int] = field(default_factory=list)
    largest_pupil_id: int | None = None
    largest_pupil_entries: int = 0
    register_offer_key: str = ""
    register_pupil_ids: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _models_concerns():
    from kiosk.models import concerns

    return concerns


def _models_early_help():
    from kiosk.models import early_help

    return early_help


def _models_adults():
    from kiosk.models import adults

    return adults


def _last_name(rng: random.Random) -> str:
    return rng.choice(LAST_START) + rng.choice(LAST_END)


def _text(rng: random.Random, low: int, high: int) -> str:
    n = rng.randint(low, high)
    return (SENTENCE * (n // len(SENTENCE) + 1))[:n].strip() or "Noted."


def _spread(rng: random.Random, n: int, start: datetime, end: datetime) -> list[datetime]:
    """n sorted moments between start and end, in school hours (08:00-16:00 UTC-ish)."""
    span_days = max(1, (end - start).days)
    out = []
    for _ in range(n):
        day = start + timedelta(days=rng.randrange(span_days))
        out.append(day.replace(hour=8, minute=0, second=0, microsecond=0)
                   + timedelta(seconds=rng.randrange(8 * 3600), microseconds=rng.randrange(1_000_000)))
    out.sort()
    return out


class _Timer:
    def __init__(self, ds: Dataset, name: str) -> None:
        self.ds, self.name = ds, name

    def __enter__(self):
        self.t = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.ds.seconds[self.name] = round(time.perf_counter() - self.t, 2)
        return False


def _next_id(model) -> int:
    from peewee import fn

    pk = model._meta.primary_key
    return (model.select(fn.MAX(pk)).scalar() or 0) + 1


def build(scale: Scale, progress=None) -> Dataset:
    """Fill the bound (empty) database. `progress(text)` is told of each step."""
    say = progress or (lambda text: None)
    rng = random.Random(SEED)
    ds = Dataset()
    now = utcnow().replace(microsecond=0)
    start = now - timedelta(days=365 * scale.years)
    with dbmod.translate_errors():
        say("staff accounts")
        with _Timer(ds, "users"), dbmod.write():
            _users(ds, scale, rng, now)
        say(f"{scale.pupils:,} pupils")
        with _Timer(ds, "pupils"), dbmod.write():
            _pupils(ds, scale, rng, start, now)
        weights = _pupil_weights(ds, rng)
        say(f"{scale.concerns:,} concerns, {scale.actions:,} actions, alerts")
        with _Timer(ds, "concerns"), dbmod.write():
            per_pupil = _concerns(ds, scale, rng, weights, start, now)
        say(f"early help: {scale.attendances:,} attendances")
        with _Timer(ds, "early_help"), dbmod.write():
            _early_help(ds, scale, rng, weights, start, now, per_pupil)
        say(f"{scale.adult_concerns:,} concerns about adults")
        with _Timer(ds, "adults"), dbmod.write():
            _adults(ds, scale, rng, start, now)
        if per_pupil:
            pid, n = max(per_pupil.items(), key=lambda kv: kv[1])
            ds.largest_pupil_id, ds.largest_pupil_entries = pid, n
        say(f"{scale.audit_events:,} audit events (hash chain)")
        with _Timer(ds, "audit"), dbmod.write():
            _audit(ds, scale, rng, start, now)
        if not dbmod.is_sqlite():
            dbmod.db.execute_sql("ANALYZE")
        else:
            dbmod.db.execute_sql("ANALYZE")
    return ds


# --- accounts ----------------------------------------------------------------------------

ROLE_PLAN = (("dsl", 1), ("deputy_dsl", 2), ("headteacher", 1), ("governor", 2),
             ("pastoral", 4), ("admin", 1))


def _users(ds: Dataset, scale: Scale, rng: random.Random, now: datetime) -> None:
    from kiosk.models import User, UserRole
    from kiosk.services.accounts import hasher

    digest = hasher().hash(BENCH_PASSWORD)  # one real argon2id hash, shared
    first_id = _next_id(User)
    users, roles = [], []
    uid = first_id
    plan = list(ROLE_PLAN) + [("staff", max(1, scale.staff - sum(n for _, n in ROLE_PLAN)))]
    for role, n in plan:
        for i in range(n):
            name = f"bench-{role.replace('_', '-')}-{i + 1}"
            full = f"{rng.choice(FIRST)} {_last_name(rng)}"
            users.append((uid, name, full, digest, False, 0, True, now - timedelta(days=3650), now))
            roles.append((uid, role, now))
            ds.users.setdefault(role, uid)
            if role in ("staff", "pastoral", "dsl", "deputy_dsl"):
                ds.staff_ids.append(uid)
            uid += 1
    insert_rows(User, ("id", "username", "full_name", "password_hash", "must_change_password",
                       "failed_attempts", "active", "created_at", "password_changed_at"), users)
    insert_rows(UserRole, ("user", "role", "granted_at"), roles)
    reset_sequence(User)
    ds.counts["user"] = len(users)


# --- pupils ------------------------------------------------------------------------------

def _pupils(ds: Dataset, scale: Scale, rng: random.Random, start: datetime, now: datetime) -> None:
    from kiosk.models.pupils import Pupil

    pid = _next_id(Pupil)
    rows = []
    today = now.date()
    for i in range(scale.pupils):
        year = 7 + i % 7
        first = rng.choice(FIRST)
        last = _last_name(rng)
        preferred = rng.choice(FIRST) if rng.random() < 0.03 else ""
        born = date(today.year - year - 5, 1 + rng.randrange(12), 1 + rng.randrange(28))
        flags = [rng.random() < p for p in (0.02, 0.04, 0.015, 0.01, 0.04, 0.12, 0.05, 0.3)]
        rows.append((pid, f"B{700000000000 + pid:012d}", first, last, preferred, born, year,
                     f"{year}{'ABCDEF'[i % 6]}", True, first.lower(), last.lower(),
                     preferred.lower(), start, *flags))
        ds.pupil_ids.append(pid)
        pid += 1
    insert_rows(Pupil, ("id", "upn", "first_name", "last_name", "preferred_name",
                        "date_of_birth", "year_group", "form_group", "active", "first_key",
                        "last_key", "preferred_key", "created_at", "cp_plan", "child_in_need",
                        "looked_after", "previously_looked_after", "young_carer", "send",
                        "early_help_open", "phone_disclaimer"), rows)
    reset_sequence(Pupil)
    ds.counts["pupil"] = len(rows)


def _pupil_weights(ds: Dataset, rng: random.Random) -> list[float]:
    """Skew: a handful of pupils carry hundreds of entries, most have few or none."""
    weights = [min(rng.paretovariate(1.6), 12.0) for _ in ds.pupil_ids]
    total = sum(weights)
    for i in rng.sample(range(len(weights)), min(6, len(weights))):
        weights[i] = 0.0035 * total  # ~0.35% of everything each: several hundred entries
    return weights


# --- concerns ----------------------------------------------------------------------------

def _categories() -> list[str]:
    try:
        from kiosk.services.concerns import ensure_categories
    except ImportError:
        ensure_categories = None
    Cat = _models_concerns().ConcernCategory
    if Cat is None:
        return []
    if ensure_categories is not None:
        ensure_categories()
    keys = [c.key for c in Cat.select(Cat.key).where(Cat.active == True)]  # noqa: E712
    if not keys:
        keys = ["neglect", "physical_abuse", "emotional_abuse", "sexual_abuse", "online"]
        for i, k in enumerate(keys):
            Cat.create(key=k, name=k.replace("_", " ").title(), position=i)
    return keys


def _concerns(ds: Dataset, scale: Scale, rng: random.Random, weights, start, now) -> dict[int, int]:
    from kiosk.models import Alert

    Concern = _models_concerns().Concern
    per_pupil: dict[int, int] = {}
    if Concern is None:
        ds.skipped.append("concerns (no kiosk.models.concerns.Concern)")
        return per_pupil
    from kiosk.models.concerns import (
        ConcernAction, ConcernCategoryLink, ConcernEvent, ConcernPupil,
    )

    cats = _categories()
    dsl_team = [ds.users[r] for r in ("dsl", "deputy_dsl") if r in ds.users]
    from kiosk.models import UserRole

    dsl_team = sorted({u.user_id for u in UserRole.select(UserRole.user)
                       .where(UserRole.role.in_(["dsl", "deputy_dsl"]))})
    cid0 = _next_id(Concern)
    times = _spread(rng, scale.concerns, start, now - timedelta(hours=1))
    subjects = rng.choices(ds.pupil_ids, weights=weights, k=scale.concerns)
    open_after = now - timedelta(days=30)
    concern_rows, pupil_rows, cat_rows, event_rows, alert_rows = [], [], [], [], []
    opened: list[tuple[int, datetime]] = []
    for i, at in enumerate(times):
        cid = cid0 + i
        pid = subjects[i]
        is_open = at > open_after or rng.random() < 0.002
        acknowledged = (not is_open) or rng.random() < 0.5
        status = "open" if not acknowledged else ("acknowledged" if is_open else "closed")
        owner = rng.choice(dsl_team) if acknowledged and dsl_team else None
        urgent = rng.random() < 0.05
        restricted = rng.random() < 0.01
        ack_at = at + timedelta(minutes=rng.randint(5, 600)) if acknowledged else None
        concern_rows.append((
            cid, f"bench{cid:012d}", rng.choice(ds.staff_ids), at, at.date(),
            f"{8 + rng.randrange(8):02d}:{rng.randrange(60):02d}", rng.choice(PLACES),
            rng.choice(SOURCES), _text(rng, 0, 160), _text(rng, 120, 700), _text(rng, 40, 240),
            rng.random() < 0.7, rng.random() < 0.3, urgent, status, is_open, owner, restricted,
            ack_at, ack_at or at,
        ))
        pupil_rows.append((cid, pid, "subject"))
        per_pupil[pid] = per_pupil.get(pid, 0) + 1
        if rng.random() < 0.1:
            other = rng.choice(ds.pupil_ids)
            if other != pid:
                pupil_rows.append((cid, other, rng.choice(("alleged_harmer", "witness", "other"))))
                per_pupil[other] = per_pupil.get(other, 0) + 1
        for pos, key in enumerate(rng.sample(cats, min(len(cats), 1 + (rng.random() < 0.3)))):
            cat_rows.append((cid, key, pos))
        if acknowledged:
            event_rows.append((cid, "acknowledged", owner or dsl_team[0], ack_at, None, "", "", ""))
        if not is_open:
            closed_at = ack_at + timedelta(days=rng.randint(1, 40))
            event_rows.append((cid, "closed", owner or dsl_team[0], closed_at, None,
                               _text(rng, 60, 200), rng.choice(("support_in_school", "early_help",
                                                                "no_further_action",
                                                                "referred_childrens_services",
                                                                "advice_taken_no_referral")),
                               _text(rng, 60, 200)))
        else:
            opened.append((cid, at))
        for uid in dsl_team:
            read = None if is_open and rng.random() < 0.6 else (ack_at or at) + timedelta(minutes=3)
            alert_rows.append((uid, "child_concern", "concern", cid, "category", "Staff member",
                               urgent, at, read))
    insert_rows(Concern, (
        "id", "submission_token", "recorded_by", "recorded_at", "occurred_on", "occurred_time",
        "location", "source", "words", "description", "why_concern", "child_told_next",
        "dsl_told_in_person", "urgent", "status", "is_open", "owner", "restricted",
        "acknowledged_at", "updated_at"), concern_rows)
    reset_sequence(Concern)
    insert_rows(ConcernPupil, ("concern", "pupil", "role"), pupil_rows)
    insert_rows(ConcernCategoryLink, ("concern", "category", "position"), cat_rows)
    insert_rows(ConcernEvent, ("concern", "kind", "by", "at", "subject_user", "summary",
                               "outcome", "reasoning"), event_rows)
    insert_rows(Alert, ("recipient", "kind", "record_type", "record_id", "label", "raised_by",
                        "urgent", "created_at", "read_at"), alert_rows)
    # Actions: spread over the concerns, more on the heavy pupils' (they follow subjects).
    action_concerns = rng.choices(range(len(times)), k=scale.actions)
    action_rows = []
    kinds = ("consultation_line", "childrens_services", "early_help", "monitor", "police",
             "designated_teacher", "other")
    for idx in action_concerns:
        at = times[idx] + timedelta(hours=rng.randint(1, 24 * 30))
        action_rows.append((cid0 + idx, rng.choice(kinds), at.date(), "DSL", _text(rng, 40, 300),
                            _text(rng, 40, 200), rng.choice(dsl_team), at))
        pid = subjects[idx]
        per_pupil[pid] = per_pupil.get(pid, 0) + 1
    action_rows.sort(key=lambda r: r[-1])
    insert_rows(ConcernAction, ("concern", "kind", "action_date", "taken_by", "notes",
                                "rationale", "recorded_by", "recorded_at"), action_rows)
    ds.counts.update(concern=len(concern_rows), concern_pupil=len(pupil_rows),
                     concern_category_link=len(cat_rows), concern_event=len(event_rows),
                     concern_action=len(action_rows), alert=len(alert_rows))
    return per_pupil


# --- early help --------------------------------------------------------------------------

OFFERS = (("bench-lunch-club", "Lunch club", "club"), ("bench-drop-in", "Worry drop-in", "drop_in"),
          ("bench-anger", "Managing feelings group", "group"),
          ("bench-mentor", "1:1 mentoring", "one_to_one"),
          ("bench-parents", "Parent workshop", "workshop"),
          ("bench-homework", "Homework club", "club"))


def _early_help(ds: Dataset, scale: Scale, rng, weights, start, now, per_pupil) -> None:
    Offer = _models_early_help().EarlyHelpOffer
    if Offer is None:
        ds.skipped.append("early help (no kiosk.models.early_help.EarlyHelpOffer)")
        return
    from kiosk.models.early_help import (
        EarlyHelpAttendance, EarlyHelpEnrolment, EarlyHelpEnrolmentEnd, EarlyHelpReferral,
        EarlyHelpReferralDecision, EarlyHelpReview, EarlyHelpSession,
    )

    pastoral = ds.users.get("pastoral") or ds.staff_ids[0]
    offer_ids = []
    for key, name, kind in OFFERS:
        row = Offer.get_or_none(Offer.key == key)
        if row is None:
            row = Offer.create(key=key, name=name, kind=kind, frequency="weekly",
                               audience="Years 7-13", description=name)
        offer_ids.append(row.id)
    # Sessions: about ten pupils each, on school days over the years.
    n_sessions = max(3, scale.attendances // 10)
    days = _spread(rng, n_sessions, start, now - timedelta(days=2))
    seen = set()
    sid0 = _next_id(EarlyHelpSession)
    session_rows = []
    for at in days:
        offer = rng.choice(offer_ids)
        key = (offer, at.date())
        if key in seen:
            continue
        seen.add(key)
        sid = sid0 + len(session_rows)
        session_rows.append((sid, offer, at.date(), "", pastoral, at, at + timedelta(hours=1), pastoral))
    insert_rows(EarlyHelpSession, ("id", "offer", "held_on", "label", "created_by", "created_at",
                                   "register_taken_at", "register_taken_by"), session_rows)
    reset_sequence(EarlyHelpSession)
    attendees = rng.choices(ds.pupil_ids, weights=weights, k=scale.attendances)
    att_rows, used = [], set()
    for i, pid in enumerate(attendees):
        s = session_rows[i % len(session_rows)]
        if (s[0], pid) in used:
            continue
        used.add((s[0], pid))
        att_rows.append((s[0], pid, rng.random() < 0.85, False, "", pastoral, s[6], None))
        per_pupil[pid] = per_pupil.get(pid, 0) + 1
    insert_rows(EarlyHelpAttendance, ("session", "pupil", "present", "walk_in", "note",
                                      "recorded_by", "recorded_at", "superseded_at"), att_rows)
    # Referrals, decisions, enrolments and reviews: one enrolment per ~20 attendances.
    n_enrol = max(2, scale.attendances // 20)
    rid0, eid0 = _next_id(EarlyHelpReferral), _next_id(EarlyHelpEnrolment)
    ref_rows, dec_rows, enr_rows, rev_rows = [], [], [], []
    when = _spread(rng, n_enrol, start, now - timedelta(days=7))
    pupils = rng.choices(ds.pupil_ids, weights=weights, k=n_enrol)
    for i, at in enumerate(when):
        rid, eid, offer, pid = rid0 + i, eid0 + i, rng.choice(offer_ids), pupils[i]
        ref_rows.append((rid, pid, offer, _text(rng, 40, 200), rng.choice(ds.staff_ids), at))
        dec_rows.append((rid, "accepted", "", pastoral, pastoral, at + timedelta(days=1)))
        begin = (at + timedelta(days=3)).date()
        enr_rows.append((eid, pid, offer, rid, begin, _text(rng, 40, 200), begin + timedelta(days=42),
                         None, pastoral, pastoral, at + timedelta(days=3)))
        rev_rows.append((eid, begin + timedelta(days=42), _text(rng, 40, 200), None, pastoral,
                         at + timedelta(days=45)))
        per_pupil[pid] = per_pupil.get(pid, 0) + 2
    insert_rows(EarlyHelpReferral, ("id", "pupil", "offer", "reason", "referred_by", "referred_at"), ref_rows)
    insert_rows(EarlyHelpReferralDecision, ("referral", "decision", "reason", "picked_up_by",
                                            "decided_by", "decided_at"), dec_rows)
    insert_rows(EarlyHelpEnrolment, ("id", "pupil", "offer", "referral", "start_on", "aims",
                                     "review_on", "planned_end_on", "keyworker", "created_by",
                                     "created_at"), enr_rows)
    insert_rows(EarlyHelpReview, ("enrolment", "reviewed_on", "notes", "next_review_on", "by", "at"), rev_rows)
    # Interventions last about a term: those that started long ago have ended.
    end_rows = []
    for eid, _pid, _offer, _rid, begin, *_rest in enr_rows:
        if begin < (now - timedelta(days=120)).date():
            end_rows.append((eid, begin + timedelta(days=90), _text(rng, 20, 120), pastoral,
                             datetime.combine(begin + timedelta(days=90), datetime.min.time()) + timedelta(hours=15)))
            per_pupil[_pid] = per_pupil.get(_pid, 0) + 1
    insert_rows(EarlyHelpEnrolmentEnd, ("enrolment", "ended_on", "outcome", "by", "at"), end_rows)
    # Referrals to outside agencies, each with a sent and a later status.
    AR = _models_early_help().AgencyReferral
    if AR is not None:
        from kiosk.models.early_help import AgencyReferralStatus

        n_agency = max(2, scale.attendances // 100)
        arid0 = _next_id(AR)
        ar_rows, st_rows = [], []
        for i, at in enumerate(_spread(rng, n_agency, start, now - timedelta(days=3))):
            arid, pid = arid0 + i, rng.choices(ds.pupil_ids, weights=weights)[0]
            ar_rows.append((arid, pid, "camhs", "CAMHS", 20, at.date(), _text(rng, 40, 200), "parent", "",
                            rng.choice(ds.staff_ids), at))
            st_rows.append((arid, "sent", at.date(), "", pastoral, at))
            st_rows.append((arid, rng.choice(("acknowledged", "accepted", "declined", "closed")),
                            (at + timedelta(days=10)).date(), _text(rng, 0, 80), pastoral, at + timedelta(days=10)))
            per_pupil[pid] = per_pupil.get(pid, 0) + 2
        insert_rows(AR, ("id", "pupil", "agency_key", "agency_name", "response_days", "referred_on", "reason",
                         "consent", "consent_note", "referred_by", "created_at"), ar_rows)
        insert_rows(AgencyReferralStatus, ("referral", "status", "on", "note", "by", "at"), st_rows)
        reset_sequence(AR)
        ds.counts["agency_referral"] = len(ar_rows)
    reset_sequence(EarlyHelpReferral)
    reset_sequence(EarlyHelpEnrolment)
    # The register the bench takes: a session today with 30 pupils enrolled in its offer.
    club = offer_ids[0]
    reg_pupils = rng.sample(ds.pupil_ids, min(30, len(ds.pupil_ids)))
    eid = _next_id(EarlyHelpEnrolment)
    enr_extra = []
    for j, pid in enumerate(reg_pupils):
        enr_extra.append((eid + j, pid, club, None, (now - timedelta(days=30)).date(), "Attend the club",
                          (now + timedelta(days=30)).date(), None, pastoral, pastoral, now - timedelta(days=30)))
    insert_rows(EarlyHelpEnrolment, ("id", "pupil", "offer", "referral", "start_on", "aims",
                                     "review_on", "planned_end_on", "keyworker", "created_by",
                                     "created_at"), enr_extra)
    reset_sequence(EarlyHelpEnrolment)
    ds.register_pupil_ids = reg_pupils
    ds.register_offer_key = OFFERS[0][0]
    ds.counts.update(early_help_session=len(session_rows), early_help_attendance=len(att_rows),
                     early_help_referral=len(ref_rows), early_help_enrolment=len(enr_rows) + len(enr_extra),
                     early_help_review=len(rev_rows))


# --- concerns about adults -----------------------------------------------------------------

def _adults(ds: Dataset, scale: Scale, rng, start, now) -> None:
    AdultConcern = _models_adults().AdultConcern
    if AdultConcern is None:
        ds.skipped.append("concerns about adults (no kiosk.models.adults.AdultConcern)")
        return
    from kiosk.models.adults import AdultConcernEvent, AdultConcernRecipient, AdultConcernRole

    head = ds.users.get("headteacher")
    dsl = ds.users.get("dsl")
    aid0 = _next_id(AdultConcern)
    when = _spread(rng, scale.adult_concerns, start, now - timedelta(days=1))
    subjects = [f"{rng.choice(FIRST)} {_last_name(rng)}" for _ in range(max(5, scale.adult_concerns // 3))]
    rows, roles, recips, events = [], [], [], []
    for i, at in enumerate(when):
        aid = aid0 + i
        allegation = rng.random() < 0.3
        kind = "allegation" if allegation else "low_level"
        recipient = "headteacher"
        rows.append((aid, kind, None, rng.choice(subjects), "Teaching assistant", None,
                     _text(rng, 80, 500), "During the school day", _text(rng, 0, 200),
                     allegation and rng.random() < 0.5, False, allegation, rng.random() < 0.2,
                     recipient, "" if allegation else "dsl", rng.choice(ds.staff_ids), at,
                     at + timedelta(days=1) if allegation else None))
        roles.append((aid, recipient, "recipient"))
        recips.append((aid, head, "recipient"))
        if not allegation:
            roles.append((aid, "dsl", "shared"))
            recips.append((aid, dsl, "shared"))
        old = at < now - timedelta(days=60)
        if allegation:
            events.append((aid, "lado_contact", "", at + timedelta(hours=20), "", "", head, "", at + timedelta(hours=20)))
            events.append((aid, "lado_advice", "", None, _text(rng, 40, 200), _text(rng, 40, 200), head, "", at + timedelta(days=2)))
            if old:
                events.append((aid, "outcome", rng.choice(("substantiated", "unsubstantiated", "false",
                                                           "unfounded", "malicious")), None,
                               _text(rng, 40, 200), _text(rng, 40, 200), head, "", at + timedelta(days=30)))
        elif old or rng.random() < 0.5:
            events.append((aid, "record", "", None, _text(rng, 40, 200), _text(rng, 40, 200), head, "", at + timedelta(days=3)))
    insert_rows(AdultConcern, (
        "id", "kind", "subject_user", "subject_name", "subject_role", "subject_dob", "what_happened",
        "happened_when", "context", "harmed_child", "criminal_offence", "risk_of_harm", "unsuitable",
        "recipient_role", "share_with", "reported_by", "created_at", "lado_due_at"), rows)
    reset_sequence(AdultConcern)
    insert_rows(AdultConcernRole, ("concern", "role", "reason"), roles)
    insert_rows(AdultConcernRecipient, ("concern", "user", "reason"), [r for r in recips if r[1]])
    insert_rows(AdultConcernEvent, ("concern", "kind", "choice", "occurred_at", "text", "rationale",
                                    "by", "by_name", "at"), events)
    ds.counts.update(adult_concern=len(rows), adult_concern_event=len(events))


# --- the audit trail -----------------------------------------------------------------------

AUDIT_MIX = (
    ("concern.view", "concern", 30), ("concern.inbox", "concern", 14), ("login.success", "user", 12),
    ("session.logout", "user", 10), ("chronology.view", "pupil", 8), ("concern.record", "concern", 5),
    ("concern.action", "concern", 6), ("early_help.register", "early_help_session", 5),
    ("alert.read", "concern", 6), ("adult_concern.view", "adult_concern", 1),
    ("stats.view", "", 1), ("pupil.flag", "pupil", 2),
)


def _audit(ds: Dataset, scale: Scale, rng: random.Random, start: datetime, now: datetime) -> None:
    from kiosk.models import AuditEvent
    from kiosk.services.audit import _digest, read_head, _write_head

    head_seq, prev = read_head(for_update=not dbmod.is_sqlite())
    n = max(0, scale.audit_events - head_seq)
    names = {uid: f"user{uid}" for uid in ds.staff_ids}
    from kiosk.models import User

    for uid, username in User.select(User.id, User.username).tuples():
        names[uid] = username
    users = list(names)
    actions = [a for a, _, w in AUDIT_MIX for _ in range(w)]
    kinds = {a: t for a, t, _ in AUDIT_MIX}
    n_concerns = ds.counts.get("concern", 1)
    base = start.timestamp()
    span = max(1.0, (now - timedelta(hours=2)).timestamp() - base)
    stamps = sorted(rng.random() for _ in range(n))
    origins = ("terminal", "terminal", "terminal", "ssh:127.0.0.1:50022")
    pupils = ds.pupil_ids or [0]
    enc = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode

    def rows():
        nonlocal prev
        seq = head_seq
        epoch = datetime(1970, 1, 1)
        for frac in stamps:
            seq += 1
            at = (epoch + timedelta(seconds=base + frac * span)).isoformat(timespec="microseconds")
            uid = rng.choice(users)
            action = rng.choice(actions)
            ttype = kinds[action]
            if ttype == "concern":
                tid = str(1 + rng.randrange(n_concerns))
            elif ttype == "pupil":
                tid = str(rng.choice(pupils))
            elif ttype == "user":
                tid = str(uid)
            elif ttype:
                tid = str(1 + rng.randrange(1000))
            else:
                tid = ""
            detail = enc({"n": seq % 97}) if action != "concern.inbox" else enc({"page": 0, "view": "open"})
            origin = origins[seq & 3]
            digest = _digest(prev, seq, at, uid, names[uid], origin, action, ttype, tid, detail)
            yield (seq, at, uid, names[uid], origin, action, ttype, tid, detail, prev, digest)
            prev = digest
        ds.counts["audit_event"] = seq

    insert_rows(AuditEvent, ("seq", "at", "actor_id", "actor", "origin", "action", "target_type",
                             "target_id", "detail", "prev_hash", "hash"), rows())
    _write_head(ds.counts.get("audit_event", head_seq), prev)
    reset_sequence(AuditEvent)
