"""Early help: one pupil's record, the chronology lines, the caseload and home counts."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime

from peewee import JOIN

from kiosk.capabilities import Cap
from kiosk.clock import local_time_utc, on_local_day, to_local, today
from kiosk.errors import NotFound
from kiosk.services import audit
from kiosk.services.actor import Actor, require
from kiosk.services.chronology_entry import ChronologyEntry

from kiosk.services.early_help import history_sql
from kiosk.services.early_help.common import (
    AGENCY_STATUSES,
    AttendanceLine,
    CONSENT,
    Caseload,
    CountRow,
    KIND_NAMES,
    PupilEarlyHelp,
    RateRow,
    all_names,
    fk_id,
    load_pupil,
)
from kiosk.services.early_help.enrolments import (
    enrolment_model,
    list_enrolments,
    reviews_due,
)
from kiosk.services.early_help.referrals import (
    REFERRAL_DECLINED_ALERT,
    list_referrals,
)
from kiosk.services.early_help.agencies import (
    agency_query,
    agency_views,
    agency_waiting,
    list_agency_referrals,
)


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
    pupil = load_pupil(pupil_id)
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
    if on_local_day(recorded, d):
        return recorded
    return local_time_utc(d, 12)


def _history(pupil_id: int) -> tuple[list, list, list, list, list]:
    """Referrals, decisions, enrolments, reviews and ends of the pupil's early help."""
    h = history_sql.history(pupil_id)
    return h.referrals, h.decisions, h.enrolments, h.reviews, h.ends


def _history_orm(pupil_id: int) -> tuple[list, list, list, list, list]:
    """`_history` through peewee (the tests hold `history_sql` to its answers)."""
    from kiosk.models.early_help import (
        EarlyHelpEnrolmentEnd as End,
        EarlyHelpReferral as R,
        EarlyHelpReferralDecision as D,
        EarlyHelpReview as Rv,
    )

    E = enrolment_model()
    enrolments = list(E.select().where(E.pupil == pupil_id).order_by(E.id))
    eids = [e.id for e in enrolments]
    return (list(R.select().where(R.pupil == pupil_id).order_by(R.id)),
            list(D.select(D, R).join(R, on=(D.referral == R.id)).where(R.pupil == pupil_id).order_by(D.id)),
            enrolments,
            list(Rv.select().where(Rv.enrolment.in_(eids)).order_by(Rv.id)) if eids else [],
            list(End.select().where(End.enrolment.in_(eids)).order_by(End.id)) if eids else [])


def chronology_entries(actor: Actor, pupil_id: int) -> list:
    """Early-help events for the pupil's chronology (the chronology service audits the view),
    oldest first."""
    return [make() for _at, make in _chronology_lines(actor, pupil_id, None)]


def chronology_page_entries(actor: Actor, pupil_id: int, before: datetime | None, limit: int,
                            after: datetime | None = None, pupil_checked: bool = False) -> tuple[list, datetime | None]:
    """The entries a page of the chronology may show: at or before `before`, after `after`
    (the page's horizon so far: what is older waits for a later page anyway), and of those
    older than `before` only the newest `limit` (with any sharing the last one's moment).
    Also the moment of the oldest kept when older ones were left out (else None): every
    entry left out is older than it. `pupil_checked`: the caller (the chronology page) has
    found the pupil already."""
    lines = _chronology_lines(actor, pupil_id, before, pupil_checked, after)
    if after is not None:
        lines = [line for line in lines if line[0] > after]
    older = [at for at, _make in lines if before is None or at < before]
    if len(older) <= limit:
        return [make() for _at, make in lines], None
    cutoff = older[-limit]
    return [make() for at, make in lines if at >= cutoff], cutoff


def _chronology_lines(actor: Actor, pupil_id: int, before: datetime | None, pupil_checked: bool = False,
                      after: datetime | None = None) -> list:
    """(moment, a function making the entry) for each early-help event, oldest first: a
    page makes only the entries it may show (the text of each costs more than its row).
    With `after` (a page's horizon), the register marks of months wholly before it are not
    read: each month's summary is dated by its last session, so theirs are older still."""
    if not (actor.can(Cap.EARLY_HELP_VIEW) or actor.can(Cap.CHRONOLOGY_VIEW)):
        require(actor, Cap.CHRONOLOGY_VIEW)

    def entry(at, title, detail, record_type, record_id):
        # kind "early_help" for the chronology's ordering; category is for concern categories.
        return ChronologyEntry(at=at, kind="early_help", title=title, detail=detail, category=None,
                               record_type=record_type, record_id=record_id, restricted=False)

    # Hand-written SQL (history_sql, beside this module): every chronology page reads this,
    # in one statement.
    if not pupil_checked and not history_sql.pupil_exists(pupil_id):
        raise NotFound(f"no pupil with id {pupil_id}")
    h = history_sql.history(pupil_id, None if after is None else to_local(after).date().replace(day=1))
    names, offers = h.names, h.offers
    out: list = []
    referrals, decisions, enrolments, reviews, ends = h.referrals, h.decisions, h.enrolments, h.reviews, h.ends

    def referral(r, at):
        who = names.get(fk_id(r, "referred_by"), "")
        return entry(at, f"Referred for {offers.get(r.offer_id, '?')} by {who}", r.reason,
                     "early_help_referral", r.id)

    def decision(d, at):
        title = f"Referral {d.decision}: {offers.get(d.referral.offer_id, '?')}"
        if d.decision == "accepted" and fk_id(d, "picked_up_by"):
            title += f", picked up by {names.get(fk_id(d, 'picked_up_by'), '')}"
        return entry(at, title, d.reason, "early_help_referral", d.referral.id)

    def enrolment(e, at):
        detail = f"Aims: {e.aims}\nFirst review due {e.review_on:%d %b %Y}"
        return entry(at, f"Started {offers.get(e.offer_id, '?')}", detail, "early_help_enrolment", e.id)

    by_id = {e.id: e for e in enrolments}

    def review(rv, at):
        nxt = f"\nNext review {rv.next_review_on:%d %b %Y}" if rv.next_review_on else ""
        return entry(at, f"Review: {offers.get(by_id[rv.enrolment_id].offer_id, '?')}",
                     rv.notes + nxt, "early_help_enrolment", rv.enrolment_id)

    def ended(end, at):
        return entry(at, f"Ended {offers.get(by_id[end.enrolment_id].offer_id, '?')}",
                     f"Outcome: {end.outcome}", "early_help_enrolment", end.enrolment_id)

    def agency(h, at):
        if h.status == "sent":
            consent = CONSENT.get(h.consent, h.consent) + (f" ({h.consent_note})" if h.consent_note else "")
            title = f"Referred to {h.agency_name}"
            detail = f"{h.reason}\nConsent: {consent}"
        else:
            title = f"{h.agency_name}: referral {h.status}"
            detail = h.note
        return entry(at, title, detail, "agency_referral", h.referral_id)

    def attended(key, lines, at):
        offer_name, year, month = key
        present = sum(1 for l in lines if l.present)
        walk = sum(1 for l in lines if l.walk_in and l.present)
        notes = "; ".join(f"{l.held_on:%d %b}: {l.note}" for l in lines if l.note)
        title = f"{offer_name}: attended {present} of {len(lines)} in {date(year, month, 1):%B %Y}"
        if walk:
            title += f" ({walk} as a walk-in)"
        return entry(at, title, notes, "early_help_session", lines[-1].session_id)

    def add(at, make, *args):
        out.append((at, lambda: make(*args, at)))

    for r in referrals:
        add(r.referred_at, referral, r)
    for d in decisions:
        add(d.decided_at, decision, d)
    for e in enrolments:
        add(_at(e.start_on, e.created_at), enrolment, e)
    if enrolments:
        for rv in reviews:
            add(_at(rv.reviewed_on, rv.at), review, rv)
        for end in ends:
            add(_at(end.ended_on, end.at), ended, end)
    for line in h.agency:
        add(_at(line.on, line.at), agency, line)
    # Attendance, summarised per offer per month so the chronology stays readable.
    months: dict[tuple[str, int, int], list] = defaultdict(list)
    for line in h.attendance:
        months[(line.offer_name, line.held_on.year, line.held_on.month)].append(line)
    for key, lines in months.items():
        last = lines[-1].held_on  # the marks come by date
        add(local_time_utc(last, 12), attended, key, lines)
    if before is not None:
        out = [x for x in out if x[0] <= before]
    out.sort(key=lambda x: x[0])
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

    E = enrolment_model()
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


def hub_counts(actor: Actor) -> tuple[list, list]:
    """The early-help hub's head: the home counts and the referrals waiting for a decision."""
    return home_counts(actor), list_referrals(actor, True)
