"""Early help: enrolments in an intervention, their reviews and their end."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any, Iterable

from peewee import JOIN

from kiosk import db as dbmod
from kiosk.capabilities import Cap
from kiosk.clock import today, utcnow
from kiosk.errors import NotFound, ValidationError
from kiosk.services import audit
from kiosk.services.actor import Actor, require
from kiosk.text import clean

from kiosk.services.early_help.common import (
    EnrolmentView,
    FAMILY_REGISTER_KINDS,
    OfferView,
    ReviewDue,
    ReviewView,
    TEXT_MAX,
    all_names,
    as_date,
    fk_id,
    has_open_enrolment,
    load_pupil,
    not_future,
    offer_row,
    set_open_flag,
    school_calendar,
    staff_user_id,
)
from kiosk.services.early_help.offer import (
    StaffOption,
    keyworkers,
    list_offers,
)


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
            keyworker=names.get(fk_id(e, "keyworker"), ""), created_by=names.get(fk_id(e, "created_by"), ""),
            referral_id=fk_id(e, "referral"), ended_on=end.ended_on if end else None,
            outcome=end.outcome if end else "",
            reviews=tuple(
                ReviewView(rv.id, rv.reviewed_on, rv.notes, rv.next_review_on,
                           names.get(fk_id(rv, "by"), ""), rv.at)
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


def enrol_inside(actor, pupil_id, offer, start_on, aims, review_on, planned_end_on, keyworker_id, referral_id,
                 profile=None):
    """The enrolment itself, inside the caller's write transaction."""
    from kiosk.models import User
    from kiosk.models.early_help import EarlyHelpEnrolment as E, EarlyHelpEnrolmentEnd as End

    uid = staff_user_id(actor)
    start = as_date(start_on, "start_on", label="start date")
    review = as_date(review_on, "review_on", label="review date", calendar=school_calendar(profile))
    end = as_date(planned_end_on, "planned_end_on", required=False, label="end date")
    text = clean(aims, "aims", required=True, multiline=True, max_length=TEXT_MAX)
    if review < start:
        raise ValidationError("review_on", "is before the start date", "review date")
    if end is not None and end < start:
        raise ValidationError("planned_end_on", f"is before the start date ({start:%d %b %Y}): an enrolment "
                              "cannot end before it starts", "end date")
    if start > today() + timedelta(days=366):
        raise ValidationError("start_on", "is more than a year away", "start date")
    pupil = load_pupil(pupil_id, active=True, lock=True)
    o = offer_row(offer)
    if o.retired_at is not None:
        raise ValidationError("offer", f"{o.name!r} has been retired")
    if o.kind in FAMILY_REGISTER_KINDS:
        raise ValidationError("offer", f"{o.name!r} is for parents and carers; families are not enrolled")
    if keyworker_id is not None and not User.select().where((User.id == keyworker_id) & User.active).exists():
        raise ValidationError("keyworker_id", "is not an active member of staff", "keyworker")
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
        set_open_flag(pupil, True, actor, f"Enrolled in {o.name}")
    return e


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
                 picked_up_by=keyworker_id or staff_user_id(actor), decided_by=staff_user_id(actor),
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
        offer_id = offer_row(offer).id
        referral_id = _close_referral_by_enrolment(actor, referral_id, pupil_id, offer_id, keyworker_id)
        e = enrol_inside(actor, pupil_id, offer, start_on, aims, review_on, planned_end_on, keyworker_id,
                         referral_id, profile)
        view = _enrolment_views(_enrolment_query().where(enrolment_model().id == e.id), all_names())[0]
    return view


def enrolment_model():
    from kiosk.models.early_help import EarlyHelpEnrolment

    return EarlyHelpEnrolment


def list_enrolments(actor: Actor, open_only: bool = True, offer: int | str | None = None,
                    pupil_id: int | None = None, with_reviews: bool = False) -> list[EnrolmentView]:
    require(actor, Cap.EARLY_HELP_VIEW)
    from kiosk.models.early_help import EarlyHelpEnrolmentEnd as End

    E = enrolment_model()
    q = _enrolment_query()
    if open_only:
        q = q.switch(E).join(End, on=(End.enrolment == E.id), join_type=JOIN.LEFT_OUTER).where(End.id.is_null())
    if offer is not None:
        q = q.where(E.offer == offer_row(offer).id)
    if pupil_id is not None:
        q = q.where(E.pupil == pupil_id)
    q = q.order_by(E.start_on.desc(), E.id.desc())
    return _enrolment_views(q, all_names(), with_reviews=with_reviews)


def get_enrolment(actor: Actor, enrolment_id: int) -> EnrolmentView:
    """One enrolment with its reviews (a view of a pupil's record: audited)."""
    require(actor, Cap.EARLY_HELP_VIEW)
    rows = _enrolment_views(_enrolment_query().where(enrolment_model().id == enrolment_id), all_names())
    if not rows:
        raise NotFound(f"no enrolment with id {enrolment_id}")
    audit.record(actor, "early_help.view", "early_help_enrolment", enrolment_id)
    return rows[0]


def _open_enrolment(enrolment_id: int, if_ended: str):
    """The enrolment row, inside the caller's write; refused if there is none or it has ended."""
    from kiosk.models.early_help import EarlyHelpEnrolmentEnd as End

    E = enrolment_model()
    e = E.get_or_none(E.id == enrolment_id)
    if e is None:
        raise NotFound(f"no enrolment with id {enrolment_id}")
    if End.select().where(End.enrolment == e.id).exists():
        raise ValidationError("enrolment", if_ended)
    return e


def record_review(actor: Actor, enrolment_id: int, notes: str, reviewed_on: date | str | None = None,
                  next_review_on: date | str | None = None, profile=None) -> EnrolmentView:
    require(actor, Cap.EARLY_HELP_MANAGE)
    from kiosk.models.early_help import EarlyHelpReview as Rv

    uid = staff_user_id(actor)
    text = clean(notes, "notes", required=True, multiline=True, max_length=TEXT_MAX)
    on = as_date(reviewed_on or today(), "reviewed_on", label="review date")
    nxt = as_date(next_review_on, "next_review_on", required=False, label="next review",
                  calendar=school_calendar(profile))
    not_future(on, "reviewed_on", "a review", "review date")
    if nxt is not None and nxt <= on:
        raise ValidationError("next_review_on", "must be after this review", "next review")
    E = enrolment_model()
    with dbmod.write():
        e = _open_enrolment(enrolment_id, "has ended; it cannot be reviewed")
        if on < e.start_on:
            raise ValidationError("reviewed_on", "is before the enrolment started", "review date")
        rv = Rv.create(enrolment=e.id, reviewed_on=on, notes=text, next_review_on=nxt, by=uid, at=utcnow())
        audit.record(actor, "early_help.review", "early_help_enrolment", e.id, {"review": rv.id},
                     records=[("early_help_review", rv.id)])
        view = _enrolment_views(_enrolment_query().where(E.id == e.id), all_names())[0]
    return view


def end_enrolment(actor: Actor, enrolment_id: int, ended_on: date | str, outcome: str) -> EnrolmentView:
    require(actor, Cap.EARLY_HELP_MANAGE)
    from kiosk.models.early_help import EarlyHelpEnrolmentEnd as End
    from kiosk.models.pupils import Pupil

    uid = staff_user_id(actor)
    text = clean(outcome, "outcome", required=True, multiline=True, max_length=TEXT_MAX)
    on = as_date(ended_on, "ended_on", label="end date")
    not_future(on, "ended_on", "the end of an enrolment", "end date")
    E = enrolment_model()
    with dbmod.write():
        e = _open_enrolment(enrolment_id, "has already ended")
        if on < e.start_on:
            raise ValidationError(
                "ended_on", f"is before the start date ({e.start_on:%d %b %Y}): an enrolment "
                "cannot end before it starts", "end date")
        ended = End.create(enrolment=e.id, ended_on=on, outcome=text, by=uid, at=utcnow())
        audit.record(actor, "early_help.end", "early_help_enrolment", e.id,
                     records=[("early_help_enrolment_end", ended.id)])
        if not has_open_enrolment(e.pupil_id):
            set_open_flag(Pupil.get_by_id(e.pupil_id), False, actor, "Last early help enrolment ended")
        view = _enrolment_views(_enrolment_query().where(E.id == e.id), all_names())[0]
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

    E = enrolment_model()
    q = (
        _enrolment_query()
        .switch(E).join(End, on=(End.enrolment == E.id), join_type=JOIN.LEFT_OUTER)
        .where(End.id.is_null())
    )
    return _enrolment_views(q, all_names(), with_reviews=True)



def enrol_choices(actor: Actor) -> tuple[list[OfferView], list[StaffOption]]:
    """What an enrolment form offers: the offers one pupil can be enrolled in, and the
    possible keyworkers (one call, so the form opens after one round trip)."""
    offers = [o for o in list_offers(actor) if o.kind not in FAMILY_REGISTER_KINDS]
    return offers, keyworkers(actor)
