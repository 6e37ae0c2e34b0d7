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


def _between(col: str) -> str:
    return f"SUM(CASE WHEN {col} >= ? AND {col} < ? THEN 1 ELSE 0 END)"


def statistics(actor, academic_year: int | None = None):
    ay = s.current_academic_year() if academic_year is None else academic_year
    start, end, prev = s._month_start(ay, 0), s._month_start(ay, 12), s._month_start(ay - 1, 0)
    terms = s._term_bounds(ay)
    out = {}
    params = [_p(x) for _, a, b in terms for x in (a, b)]
    out["by_category"] = q(
        "SELECT l.category, " + ", ".join(_between("c.recorded_at") for _ in terms)
        + ", SUM(CASE WHEN c.recorded_at < ? THEN 1 ELSE 0 END) FROM concern_category_link l "
        "JOIN concern c ON c.id = l.concern_id WHERE c.recorded_at >= ? AND c.recorded_at < ? "
        "GROUP BY l.category", (*params, _p(start), _p(prev), _p(end)))
    out["categories"] = q("SELECT key, name, active FROM concern_category ORDER BY position, id")
    cols, mparams = [], []
    for i in range(12):
        a, b = _p(s._month_start(ay, i)), _p(s._month_start(ay, i + 1))
        cols += [_between("recorded_at"),
                 "SUM(CASE WHEN recorded_at >= ? AND recorded_at < ? AND urgent = ? THEN 1 ELSE 0 END)",
                 "SUM(CASE WHEN recorded_at >= ? AND recorded_at < ? AND is_open = ? THEN 1 ELSE 0 END)"]
        mparams += [a, b, a, b, True, a, b, True]
    out["by_month"] = q("SELECT " + ", ".join(cols) + " FROM concern WHERE recorded_at >= ? AND recorded_at < ?",
                        (*mparams, _p(start), _p(end)))
    year = (_p(start), _p(end))
    out["status"] = q("SELECT is_open, COUNT(*) FROM concern WHERE recorded_at >= ? AND recorded_at < ? "
                      "GROUP BY is_open", year)
    out["closures"] = q(
        "SELECT outcome, COUNT(*) FROM concern_event WHERE id IN (SELECT MAX(e.id) FROM concern_event e "
        "JOIN concern c ON c.id = e.concern_id WHERE c.recorded_at >= ? AND c.recorded_at < ? "
        "AND c.is_open = ? AND e.kind = ? GROUP BY e.concern_id) GROUP BY outcome",
        (*year, False, "closed"))
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
                      + " FROM pupil WHERE active = ?", (*([True] * len(PUPIL_FLAGS)), True))
    with dbmod.write():
        raw_audit(actor.user_id, actor.username, actor.origin, "stats.view", "stats", ay,
                  '{"academic_year":%d}' % ay)
    return out
