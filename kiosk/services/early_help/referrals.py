"""Early help: internal referrals for 1:1 pastoral support or group work, and decisions."""

from __future__ import annotations

from datetime import date

from peewee import JOIN

from kiosk import db as dbmod
from kiosk.capabilities import Cap
from kiosk.clock import today, utcnow
from kiosk.errors import NotFound, ValidationError
from kiosk.services import audit
from kiosk.services.actor import Actor, require
from kiosk.text import clean

from kiosk.services.early_help.common import (
    DECISIONS,
    REFERRAL_KINDS,
    ReferralView,
    TEXT_MAX,
    all_names,
    fk_id,
    load_pupil,
    offer_row,
    profile_or_default,
    staff_user_id,
)
from kiosk.services.early_help.offer import (
    sync_offers_inside,
)
from kiosk.services.early_help.enrolments import (
    enrol_inside,
)


# ---------------------------------------------------------------------------------------------
# Internal referrals (1:1 pastoral support, group work)
# ---------------------------------------------------------------------------------------------


REFERRAL_DECLINED_ALERT = "early_help_referral_declined"


def _tell_referrer(actor: Actor, r) -> None:
    """The member of staff who referred hears that it was not taken up (inside the write).
    The alert names no pupil; they read the reason under "Your referrals" (home, h)."""
    from kiosk.services import alerts

    if r.referred_by_id and r.referred_by_id != actor.user_id:
        alerts.raise_for_users([r.referred_by_id], REFERRAL_DECLINED_ALERT, "early_help_referral",
                               r.id, "Your referral for pastoral support was not taken up",
                               actor.full_name)


def _referral_view(r, decision, names, pupil, offer, enrolment_id=None) -> ReferralView:
    if decision is None:
        return ReferralView(r.id, pupil.id, pupil.display_name, offer.id, offer.name, r.reason,
                            names.get(fk_id(r, "referred_by"), ""), r.referred_at, "pending")
    return ReferralView(
        r.id, pupil.id, pupil.display_name, offer.id, offer.name, r.reason,
        names.get(fk_id(r, "referred_by"), ""), r.referred_at, decision.decision, decision.reason,
        names.get(fk_id(decision, "picked_up_by"), ""), names.get(fk_id(decision, "decided_by"), ""),
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

    uid = staff_user_id(actor)
    why = clean(reason, "reason", required=True, multiline=True, max_length=TEXT_MAX)
    if isinstance(offer, str):
        sync_offers_inside(actor, profile_or_default(profile))
    with dbmod.write():
        pupil = load_pupil(pupil_id, active=True)
        o = offer_row(offer)
        if o.kind not in REFERRAL_KINDS:
            raise ValidationError("offer", f"internal referrals are for 1:1 support or group work, not {o.name!r}")
        if o.retired_at is not None:
            raise ValidationError("offer", f"{o.name!r} has been retired")
        r = R.create(pupil=pupil.id, offer=o.id, reason=why, referred_by=uid, referred_at=utcnow())
        audit.record(actor, "early_help.referral", "early_help_referral", r.id,
                     {"pupil": pupil.id, "offer": o.key}, records=[("early_help_referral", r.id)])
        names = all_names()
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
    names = all_names()
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

    uid = staff_user_id(actor)
    if decision not in DECISIONS:
        raise ValidationError("decision", "choose accepted or declined")
    why = clean(reason, "reason", required=(decision == "declined"), multiline=True, max_length=TEXT_MAX)
    if decision == "accepted":
        if picked_up_by is None:
            raise ValidationError("picked_up_by", "name who will pick this up", "picked up by")
    elif picked_up_by is not None:
        raise ValidationError("picked_up_by", "a declined referral is not picked up", "picked up by")
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
                raise ValidationError("picked_up_by", "is not an active member of staff", "picked up by")
        d = D.create(referral=r.id, decision=decision, reason=why, picked_up_by=picked_up_by,
                     decided_by=uid, decided_at=utcnow())
        audit.record(actor, "early_help.referral_decision", "early_help_referral", r.id,
                     {"decision": decision, "picked_up_by": picked_up_by},
                     records=[("early_help_referral_decision", d.id)])
        if decision == "declined":
            _tell_referrer(actor, r)
        enrolment_id = None
        if want_enrol:
            e = enrol_inside(actor, r.pupil_id, r.offer_id, enrol_start_on or today(), aims, review_on,
                               None, picked_up_by, r.id, profile)
            enrolment_id = e.id
        names = all_names()
        pupil = load_pupil(r.pupil_id)
        offer = offer_row(r.offer_id)
    return _referral_view(r, d, names, pupil, offer, enrolment_id)
