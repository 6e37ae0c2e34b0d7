"""The governors' statistics asked as hand-written SQL (the bench's raw side).

The same aggregate questions as kiosk.services.stats, written as plain SQL strings and
fetched without building tables, plus the same audit event.
"""

from __future__ import annotations

from datetime import date

from kiosk import db as dbmod
from kiosk.bench.ops import q, raw_audit
from kiosk.services import stats as s


def _p(value):
    return str(value) if dbmod.is_sqlite() else value


def statistics(actor, academic_year: int | None = None):
    ay = s.current_academic_year() if academic_year is None else academic_year
    start, end = s._month_start(ay, 0), s._month_start(ay, 12)
    terms = s._term_bounds(ay)
    out = {}
    year = (_p(start), _p(end))
    term_case = "CASE WHEN c.recorded_at < ? THEN 0 WHEN c.recorded_at < ? THEN 1 ELSE 2 END"
    out["by_category"] = q(
        f"SELECT l.category, {term_case} AS term, COUNT(c.id) FROM concern c "
        "JOIN concern_category_link l ON l.concern_id = c.id WHERE c.recorded_at >= ? AND c.recorded_at < ? "
        "GROUP BY l.category, term", (_p(terms[0][2]), _p(terms[1][2]), *year))
    out["categories"] = q("SELECT key, name, active FROM concern_category ORDER BY position, id")
    bounds = [_p(s._month_start(ay, i)) for i in range(1, 12)]
    month_case = "CASE " + " ".join(f"WHEN recorded_at < ? THEN {i}" for i in range(11)) + " ELSE 11 END"
    out["by_month"] = q(f"SELECT {month_case} AS month, urgent, is_open, COUNT(id) FROM concern "
                        "WHERE recorded_at >= ? AND recorded_at < ? GROUP BY month, urgent, is_open",
                        (*bounds, *year))
    out["status"] = q("SELECT is_open, COUNT(*) FROM concern WHERE recorded_at >= ? AND recorded_at < ? "
                      "GROUP BY is_open", year)
    # The last closure of each closed concern of the year, one index probe per concern (a
    # MAX(id) ... GROUP BY concern_id over a join made PostgreSQL scan every event).
    out["closures"] = q(
        "SELECT outcome, COUNT(*) FROM (SELECT (SELECT e.outcome FROM concern_event e WHERE e.concern_id = c.id "
        "AND e.kind = ? ORDER BY e.id DESC LIMIT 1) AS outcome FROM concern c WHERE c.recorded_at >= ? "
        "AND c.recorded_at < ? AND c.is_open = ?) t WHERE outcome IS NOT NULL GROUP BY outcome",
        ("closed", *year, False))
    out["open_now"] = q("SELECT COUNT(*) FROM concern WHERE is_open = ?", (True,))
    d0, d1 = str(date(ay, 9, 1)), str(date(ay + 1, 9, 1))
    out["offers"] = q("SELECT id, name, retired_at FROM early_help_offer ORDER BY name")
    out["started"] = q("SELECT offer_id, COUNT(*) FROM early_help_enrolment WHERE start_on >= ? AND start_on < ? "
                       "GROUP BY offer_id", (d0, d1))
    out["ended"] = q("SELECT e.offer_id, COUNT(x.id) FROM early_help_enrolment e JOIN early_help_enrolment_end x "
                     "ON x.enrolment_id = e.id WHERE x.ended_on >= ? AND x.ended_on < ? GROUP BY e.offer_id",
                     (d0, d1))
    out["sessions"] = q(
        "SELECT s.offer_id, COUNT(DISTINCT s.id), SUM(CASE WHEN a.present = ? THEN 1 ELSE 0 END), COUNT(a.id) "
        "FROM early_help_session s LEFT JOIN early_help_attendance a ON a.session_id = s.id "
        "AND a.superseded_at IS NULL WHERE s.held_on >= ? AND s.held_on < ? GROUP BY s.offer_id",
        (True, d0, d1))
    out["referrals"] = q(
        "SELECT d.decision, COUNT(r.id) FROM early_help_referral r LEFT JOIN early_help_referral_decision d "
        "ON d.referral_id = r.id WHERE r.referred_at >= ? AND r.referred_at < ? GROUP BY d.decision", year)
    out["adult_kinds"] = q("SELECT kind, COUNT(*) FROM adult_concern WHERE created_at >= ? AND created_at < ? "
                           "GROUP BY kind", year)
    out["adult_outcomes"] = q(
        "SELECT choice, COUNT(*) FROM adult_concern_event WHERE id IN (SELECT MIN(e.id) FROM adult_concern_event e "
        "JOIN adult_concern c ON c.id = e.concern_id WHERE e.kind = ? AND c.created_at >= ? AND c.created_at < ? "
        "GROUP BY e.concern_id) GROUP BY choice", ("outcome", *year))
    out["adult_recorded"] = q(
        "SELECT COUNT(DISTINCT e.concern_id) FROM adult_concern_event e JOIN adult_concern c ON c.id = e.concern_id "
        "WHERE e.kind = ? AND c.kind = ? AND c.created_at >= ? AND c.created_at < ?", ("record", "low_level", *year))
    from kiosk.models.pupils import PUPIL_FLAGS

    out["pupils"] = q("SELECT COUNT(*), " + ", ".join(f"SUM(CASE WHEN {k} = ? THEN 1 ELSE 0 END)" for k in PUPIL_FLAGS)
                      + " FROM pupil WHERE active = ? AND status = ?", (*([True] * len(PUPIL_FLAGS)), True, "roll"))
    with dbmod.write():
        raw_audit(actor.user_id, actor.username, actor.origin, "stats.view", "stats", ay,
                  '{"academic_year":%d}' % ay)
    return out
