"""Early help: referrals to outside agencies named in the profile, with their status."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date


from kiosk import db as dbmod
from kiosk.capabilities import Cap
from kiosk.clock import today, utcnow
from kiosk.errors import NotFound, ValidationError
from kiosk.services import audit
from kiosk.services.actor import Actor, require
from kiosk.text import clean

from kiosk.services.early_help.common import (
    AGENCY_NEXT,
    AGENCY_STATUSES,
    AGENCY_WAITING,
    AgencyReferralView,
    CONSENT,
    CONSENT_NEEDS_NOTE,
    NOTE_MAX,
    StatusView,
    TEXT_MAX,
    all_names,
    as_date,
    fk_id,
    load_pupil,
    not_future,
    profile_or_default,
    staff_user_id,
)


# ---------------------------------------------------------------------------------------------
# Referrals to outside agencies
# ---------------------------------------------------------------------------------------------


def agency_views(rows, names, on: date | None = None) -> list[AgencyReferralView]:
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
            consent_note=r.consent_note, referred_by=names.get(fk_id(r, "referred_by"), ""),
            status=status, status_on=last.on if last else r.referred_on,
            history=tuple(StatusView(h.status, h.on, h.note, names.get(fk_id(h, "by"), ""), h.at) for h in hist),
            response_days=r.response_days, reply_due=due,
            waiting_too_long=status in AGENCY_WAITING and now > due, outcome=outcome,
        ))
    return out


def agency_query():
    from kiosk.models.early_help import AgencyReferral as AR
    from kiosk.models.pupils import Pupil

    return AR.select(AR, Pupil).join(Pupil, on=(AR.pupil == Pupil.id))


def agency_choices(profile=None) -> list[tuple[str, str, int]]:
    """(key, name, response_days) for each agency in the profile."""
    return [(a.key, a.name, a.response_days) for a in profile_or_default(profile).agencies]


@dataclass(frozen=True)
class AgencyReferralInput:
    """What the agency-referral form sends to `refer_to_agency` (and what its draft keeps).
    `referred_on` may be typed text; blank is today."""

    pupil_id: int | None = None
    agency: str = ""
    reason: str = ""
    consent: str = ""
    consent_note: str = ""
    referred_on: date | str = ""


def refer_to_agency(actor: Actor, pupil_id: int | AgencyReferralInput, agency_key: str = "",
                    reason: str = "", consent: str = "", *, consent_note: str = "",
                    referred_on: date | str | None = None, profile=None) -> AgencyReferralView:
    """Record a referral sent to an agency in the profile (status "sent" on the referral date).
    Takes an AgencyReferralInput in place of `pupil_id` (the form), or the fields one by one."""
    if isinstance(pupil_id, AgencyReferralInput):
        d = pupil_id
        if d.pupil_id is None:
            raise ValidationError("pupil_id", "choose the pupil first (ctrl+p)", "pupil")
        pupil_id, agency_key, reason, consent = d.pupil_id, d.agency, d.reason, d.consent
        consent_note, referred_on = d.consent_note, d.referred_on
    require(actor, Cap.EARLY_HELP_MANAGE)
    from kiosk.models.early_help import AgencyReferral as AR, AgencyReferralStatus as St

    uid = staff_user_id(actor)
    prof = profile_or_default(profile)
    key = clean(agency_key, "agency", required=True, max_length=64)  # fields: AgencyReferralInput's
    try:
        agency = prof.agency(key)
    except KeyError:
        known = ", ".join(a.name for a in prof.agencies)
        raise ValidationError("agency", f"{key!r} is not an agency in the school profile (known: {known})") from None
    why = clean(reason, "reason", required=True, multiline=True, max_length=TEXT_MAX)
    if consent not in CONSENT:
        raise ValidationError("consent", f"choose one of: {', '.join(CONSENT)}")
    note = clean(consent_note, "consent_note", required=consent in CONSENT_NEEDS_NOTE,
                 multiline=True, max_length=NOTE_MAX, label="consent note")
    on = as_date(referred_on or today(), "referred_on")
    not_future(on, "referred_on", "a referral")
    with dbmod.write():
        pupil = load_pupil(pupil_id)
        r = AR.create(pupil=pupil.id, agency_key=agency.key, agency_name=agency.name,
                      response_days=agency.response_days, referred_on=on, reason=why, consent=consent,
                      consent_note=note, referred_by=uid, created_at=utcnow())
        St.create(referral=r.id, status="sent", on=on, note="", by=uid, at=utcnow())
        audit.record(actor, "early_help.agency_referral", "agency_referral", r.id,
                     {"pupil": pupil.id, "agency": agency.key, "consent": consent},
                     records=[("agency_referral", r.id)])
        view = agency_views(agency_query().where(AR.id == r.id), all_names())[0]
    return view


def record_agency_status(actor: Actor, referral_id: int, status: str, on: date | str | None = None,
                         note: str = "") -> AgencyReferralView:
    """Acknowledged, accepted, declined or closed, with the date it happened.

    Declining needs the agency's reason; closing needs the outcome.
    """
    require(actor, Cap.EARLY_HELP_MANAGE)
    from kiosk.models.early_help import AgencyReferral as AR, AgencyReferralStatus as St

    uid = staff_user_id(actor)
    if status not in AGENCY_STATUSES or status == "sent":
        raise ValidationError("status", "choose acknowledged, accepted, declined or closed")
    field = {"closed": "outcome", "declined": "reason"}.get(status, "note")
    text = clean(note, field, required=status in ("closed", "declined"), multiline=True, max_length=TEXT_MAX)
    when = as_date(on or today(), "on", label="date")
    not_future(when, "on", f"{status.capitalize()}", "date")
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
            raise ValidationError("on", f"is before the referral was {current} ({last.on:%d %b %Y})", "date")
        st = St.create(referral=r.id, status=status, on=when, note=text, by=uid, at=utcnow())
        audit.record(actor, "early_help.agency_status", "agency_referral", r.id, {"status": status},
                     records=[("agency_referral_status", st.id)])
        view = agency_views(agency_query().where(AR.id == r.id), all_names())[0]
    return view


def list_agency_referrals(actor: Actor, open_only: bool = False, pupil_id: int | None = None,
                          limit: int = 500) -> list[AgencyReferralView]:
    require(actor, Cap.EARLY_HELP_VIEW)
    from kiosk.models.early_help import AgencyReferral as AR

    q = agency_query().order_by(AR.referred_on.desc(), AR.id.desc())
    if pupil_id is not None:
        q = q.where(AR.pupil == pupil_id)
    views = agency_views(q.limit(limit), all_names())
    if open_only:
        views = [v for v in views if v.status != "closed"]
    return views


def get_agency_referral(actor: Actor, referral_id: int) -> AgencyReferralView:
    """One agency referral with its history (a view of a pupil's record: audited)."""
    require(actor, Cap.EARLY_HELP_VIEW)
    from kiosk.models.early_help import AgencyReferral as AR

    views = agency_views(agency_query().where(AR.id == referral_id), all_names())
    if not views:
        raise NotFound(f"no agency referral with id {referral_id}")
    audit.record(actor, "early_help.view", "agency_referral", referral_id)
    return views[0]


def agency_waiting(actor: Actor) -> list[AgencyReferralView]:
    """Referrals with no decision from the agency after its response timescale."""
    return [v for v in list_agency_referrals(actor, open_only=True, limit=100_000) if v.waiting_too_long]
