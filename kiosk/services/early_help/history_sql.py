"""A pupil's early-help history for the chronology, in hand-written SQL (issue 19): every page
of the chronology reads it, and peewee's query building and model rows were most of it.

The rows carry the attributes `caseload.chronology_entries` reads from the ORM's rows
(`caseload._history_orm`; the tests compare the two).
"""

from __future__ import annotations

from collections import namedtuple

from kiosk.services import fastsql

Referral = namedtuple("Referral", "id offer_id reason referred_by_id referred_at")
Decision = namedtuple("Decision", "id referral decision reason picked_up_by_id decided_at")
ReferralRef = namedtuple("ReferralRef", "id offer_id")
Enrolment = namedtuple("Enrolment", "id offer_id start_on aims review_on created_at")
Review = namedtuple("Review", "id enrolment_id reviewed_on notes next_review_on at")
End = namedtuple("End", "id enrolment_id ended_on outcome at")


def pupil_exists(pupil_id: int) -> bool:
    return fastsql.first("SELECT 1 FROM pupil WHERE id = ?", (pupil_id,)) is not None


def user_names() -> dict[int, str]:
    return dict(fastsql.rows('SELECT id, full_name FROM "user"'))


def offer_names() -> dict[int, str]:
    return dict(fastsql.rows("SELECT id, name FROM early_help_offer"))


def referrals(pupil_id: int) -> list:
    dt = fastsql.as_datetime
    return [Referral(i, o, r, b, dt(at)) for i, o, r, b, at in fastsql.rows(
        "SELECT id, offer_id, reason, referred_by_id, referred_at FROM early_help_referral WHERE pupil_id = ? "
        "ORDER BY id", (pupil_id,))]


def decisions(pupil_id: int) -> list:
    dt = fastsql.as_datetime
    return [Decision(i, ReferralRef(rid, o), d, r, p, dt(at)) for i, rid, o, d, r, p, at in fastsql.rows(
        "SELECT d.id, r.id, r.offer_id, d.decision, d.reason, d.picked_up_by_id, d.decided_at "
        "FROM early_help_referral_decision d JOIN early_help_referral r ON r.id = d.referral_id "
        "WHERE r.pupil_id = ? ORDER BY d.id", (pupil_id,))]


def enrolments(pupil_id: int) -> list:
    da, dt = fastsql.as_date, fastsql.as_datetime
    return [Enrolment(i, o, da(s), a, da(rv), dt(c)) for i, o, s, a, rv, c in fastsql.rows(
        "SELECT id, offer_id, start_on, aims, review_on, created_at FROM early_help_enrolment "
        "WHERE pupil_id = ? ORDER BY id", (pupil_id,))]


def reviews(enrolment_ids: list[int]) -> list:
    da, dt = fastsql.as_date, fastsql.as_datetime
    return [Review(i, e, da(on), n, da(nxt), dt(at)) for i, e, on, n, nxt, at in fastsql.rows(
        "SELECT id, enrolment_id, reviewed_on, notes, next_review_on, at FROM early_help_review "
        f"WHERE enrolment_id IN {fastsql.marks(len(enrolment_ids))} ORDER BY id", enrolment_ids)]


def ends(enrolment_ids: list[int]) -> list:
    da, dt = fastsql.as_date, fastsql.as_datetime
    return [End(i, e, da(on), o, dt(at)) for i, e, on, o, at in fastsql.rows(
        "SELECT id, enrolment_id, ended_on, outcome, at FROM early_help_enrolment_end "
        f"WHERE enrolment_id IN {fastsql.marks(len(enrolment_ids))} ORDER BY id", enrolment_ids)]


AgencyLine = namedtuple("AgencyLine", "referral_id agency_name reason consent consent_note status on note at")


def attendance(pupil_id: int) -> list:
    """The pupil's register marks (those not superseded), as `caseload._attendance_lines`."""
    from kiosk.services.early_help.common import AttendanceLine

    da = fastsql.as_date
    return [AttendanceLine(sid, da(held), name, bool(present), bool(walk_in), note)
            for present, walk_in, note, sid, held, name in fastsql.rows(
                "SELECT a.present, a.walk_in, a.note, s.id, s.held_on, o.name FROM early_help_attendance a "
                "JOIN early_help_session s ON s.id = a.session_id JOIN early_help_offer o ON o.id = s.offer_id "
                "WHERE a.pupil_id = ? AND a.superseded_at IS NULL ORDER BY s.held_on, s.id", (pupil_id,))]


def agency_lines(pupil_id: int) -> list:
    """Each status of each of the pupil's agency referrals, referral by referral, in the
    order `agencies.agency_views` gives a referral's history."""
    da, dt = fastsql.as_date, fastsql.as_datetime
    return [AgencyLine(rid, name, reason, consent, note, status, da(on), st_note, dt(at))
            for rid, name, reason, consent, note, status, on, st_note, at in fastsql.rows(
                "SELECT r.id, r.agency_name, r.reason, r.consent, r.consent_note, s.status, s.\"on\", s.note, s.at "
                "FROM agency_referral r JOIN agency_referral_status s ON s.referral_id = r.id "
                "WHERE r.pupil_id = ? ORDER BY r.id, s.at, s.id", (pupil_id,))]
