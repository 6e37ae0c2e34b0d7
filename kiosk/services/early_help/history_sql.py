"""A pupil's early-help history for the chronology, in hand-written SQL (issue 19): every page
of the chronology reads it, and peewee's query building and model rows were most of it.

One statement (`history`) reads it all. The rows carry the attributes
`caseload.chronology_entries` reads from the ORM's rows (`caseload._history_orm`,
`caseload._attendance_lines`, `agencies.agency_views`; the tests compare them).
"""

from __future__ import annotations

from collections import namedtuple
from datetime import date

from kiosk.services import fastsql

Referral = namedtuple("Referral", "id offer_id reason referred_by_id referred_at")
Decision = namedtuple("Decision", "id referral decision reason picked_up_by_id decided_at")
ReferralRef = namedtuple("ReferralRef", "id offer_id")
Enrolment = namedtuple("Enrolment", "id offer_id start_on aims review_on created_at")
Review = namedtuple("Review", "id enrolment_id reviewed_on notes next_review_on at")
End = namedtuple("End", "id enrolment_id ended_on outcome at")


def pupil_exists(pupil_id: int) -> bool:
    return fastsql.first("SELECT 1 FROM pupil WHERE id = ?", (pupil_id,)) is not None


AgencyLine = namedtuple("AgencyLine", "referral_id agency_name reason consent consent_note status on note at")


# A register mark: `common.AttendanceLine`'s fields as a plain tuple (a chronology page reads a
# hundred of them for a pupil in a club, and the frozen dataclass cost more than the query).
Mark = namedtuple("Mark", "session_id held_on offer_name present walk_in note")

History = namedtuple("History", "referrals decisions enrolments reviews ends agency attendance names offers")

# One statement for a pupil's whole early-help history (a chronology page reads it all, and
# nine statements were nine round trips): each part one branch of a UNION ALL, tagged, in
# one row shape (tag, four integers, six texts, two dates, a moment). The first branch
# casts its NULLs so that PostgreSQL types every column the same in each branch.
_N_INT, _N_TEXT, _N_DATE = "CAST(NULL AS INTEGER)", "CAST(NULL AS TEXT)", "CAST(NULL AS DATE)"
_HISTORY = (
    f"SELECT 1, r.id, r.offer_id, r.referred_by_id, {_N_INT}, r.reason, {_N_TEXT}, {_N_TEXT}, {_N_TEXT}, "
    f"{_N_TEXT}, {_N_TEXT}, {_N_DATE}, {_N_DATE}, r.referred_at FROM early_help_referral r WHERE r.pupil_id = ? "
    "UNION ALL SELECT 2, d.id, r.id, d.picked_up_by_id, r.offer_id, d.decision, d.reason, NULL, NULL, NULL, NULL, "
    "NULL, NULL, d.decided_at FROM early_help_referral_decision d JOIN early_help_referral r ON r.id = d.referral_id "
    "WHERE r.pupil_id = ? "
    "UNION ALL SELECT 3, e.id, e.offer_id, NULL, NULL, e.aims, NULL, NULL, NULL, NULL, NULL, e.start_on, e.review_on, "
    "e.created_at FROM early_help_enrolment e WHERE e.pupil_id = ? "
    "UNION ALL SELECT 4, v.id, v.enrolment_id, NULL, NULL, v.notes, NULL, NULL, NULL, NULL, NULL, v.reviewed_on, "
    "v.next_review_on, v.at FROM early_help_review v JOIN early_help_enrolment e ON e.id = v.enrolment_id "
    "WHERE e.pupil_id = ? "
    "UNION ALL SELECT 5, x.id, x.enrolment_id, NULL, NULL, x.outcome, NULL, NULL, NULL, NULL, NULL, x.ended_on, "
    "NULL, x.at FROM early_help_enrolment_end x JOIN early_help_enrolment e ON e.id = x.enrolment_id "
    "WHERE e.pupil_id = ? "
    "UNION ALL SELECT 6, r.id, s.id, NULL, NULL, r.agency_name, r.reason, r.consent, r.consent_note, s.status, "
    's.note, s."on", NULL, s.at FROM agency_referral r JOIN agency_referral_status s ON s.referral_id = r.id '
    "WHERE r.pupil_id = ? "
    "UNION ALL SELECT 7, s.id, CASE WHEN a.present THEN 1 ELSE 0 END, CASE WHEN a.walk_in THEN 1 ELSE 0 END, NULL, "
    "a.note, o.name, NULL, NULL, NULL, NULL, s.held_on, NULL, NULL FROM early_help_attendance a "
    "JOIN early_help_session s ON s.id = a.session_id JOIN early_help_offer o ON o.id = s.offer_id "
    "WHERE a.pupil_id = ? AND a.superseded_at IS NULL{since} "
    "UNION ALL SELECT 8, o.id, NULL, NULL, NULL, o.name, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL "
    "FROM early_help_offer o "
    'UNION ALL SELECT 9, u.id, NULL, NULL, NULL, u.full_name, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM "user" u '
    "WHERE u.id IN (SELECT r.referred_by_id FROM early_help_referral r WHERE r.pupil_id = ? UNION "
    "SELECT d.picked_up_by_id FROM early_help_referral_decision d JOIN early_help_referral r "
    "ON r.id = d.referral_id WHERE r.pupil_id = ?) "
    "ORDER BY 1, 12, 2"  # the register marks by session date and session (the rest are few: sorted here)
)


def _by_id(row) -> int:
    return row.id


def history(pupil_id: int, since: date | None = None) -> History:
    """Everything a chronology shows of the pupil's early help: referrals, decisions,
    enrolments, reviews and ends (each by id), each status of each agency referral
    (referral by referral, in the order of `agencies.agency_views`' history), the register
    marks not superseded (by session date), the names of the users they name and every
    offer's name. `since`: only the marks of sessions on or after that date."""
    da, dt = fastsql.as_date, fastsql.as_datetime
    parts: dict[int, list] = {n: [] for n in range(1, 10)}
    text = _HISTORY.format(since="" if since is None else " AND s.held_on >= ?")
    params = [pupil_id] * 7 + ([] if since is None else [fastsql.day(since)]) + [pupil_id] * 2
    for row in fastsql.rows(text, params):
        parts[row[0]].append(row)
    referrals = sorted((Referral(i, o, t1, b, dt(at)) for _, i, o, b, _x, t1, *_t, _d1, _d2, at in parts[1]), key=_by_id)
    decisions = sorted((Decision(i, ReferralRef(rid, o), t1, t2, b, dt(at))
                       for _, i, rid, b, o, t1, t2, *_t, _d1, _d2, at in parts[2]), key=_by_id)
    enrolments = sorted((Enrolment(i, o, da(d1), t1, da(d2), dt(at)) for _, i, o, _b, _x, t1, *_t, d1, d2, at in parts[3]),
                        key=_by_id)
    reviews = sorted((Review(i, e, da(d1), t1, da(d2), dt(at)) for _, i, e, _b, _x, t1, *_t, d1, d2, at in parts[4]), key=_by_id)
    ends = sorted((End(i, e, da(d1), t1, dt(at)) for _, i, e, _b, _x, t1, *_t, d1, _d2, at in parts[5]), key=_by_id)
    agency = [AgencyLine(rid, t1, t2, t3, t4, t5, da(d1), t6, dt(at))
              for _, rid, _sid, _b, _x, t1, t2, t3, t4, t5, t6, d1, _d2, at in
              sorted(parts[6], key=lambda r: (r[1], fastsql.as_datetime(r[13]), r[2]))]
    attendance = [Mark(sid, da(d1), t2, bool(present), bool(walk), t1)
                  for _, sid, present, walk, _x, t1, t2, *_t, d1, _d2, _at in parts[7]]
    offers = {r[1]: r[5] for r in parts[8]}
    names = {r[1]: r[5] for r in parts[9]}
    return History(referrals, decisions, enrolments, reviews, ends, agency, attendance, names, offers)
