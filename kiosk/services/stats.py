"""Statistics for governors and the DSL team: counts only, never a record or a name.

`statistics(actor, academic_year)` answers, for one academic year (1 September to 31
August, England time): concerns by category and term, concerns by month (recorded, urgent,
still open), how concerns were closed, early help (interventions started and ended,
sessions and attendance, internal referrals), concerns about adults by kind and outcome,
and how many pupils carry each flag now.

Small numbers identify children (and adults), so every count from 1 to 4 is shown as
"<5". Where a table also shows the total of a group of cells, a single suppressed cell
could be worked out by subtraction, so the next smallest cell in that group is hidden too
("x"); a rate is shown only when neither count behind it is hidden. The numbers are
computed by aggregate queries (GROUP BY and conditional sums over indexed date ranges) and
only the display strings leave this module.

Domains whose models are missing from the build are left out (listed in `skipped`).
Terms are counted by month: autumn September-December, spring January-March, summer
April-August.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from peewee import JOIN, SQL, Case, fn

from kiosk import db as dbmod
from kiosk.capabilities import Cap
from kiosk.clock import to_utc, today
from kiosk.errors import ValidationError
from kiosk.rules.attendance import percent_text
from kiosk.services import audit
from kiosk.services.actor import Actor, require

SMALL = 5  # counts 1..SMALL-1 are suppressed
SUPPRESSED = "<5"
HIDDEN = "x"
NOTE = "<5 means 1 to 4 (hidden so no one can be identified); x hides a count a total would reveal."

MONTHS = ("September", "October", "November", "December", "January", "February", "March",
          "April", "May", "June", "July", "August")
TERMS = (("Autumn", 9, 1), ("Spring", 1, 4), ("Summer", 4, 9))  # name, first month, next term's


@dataclass(frozen=True)
class StatTable:
    title: str
    columns: tuple[str, ...]  # the first names the row labels
    rows: tuple[tuple[str, ...], ...]  # display strings, label first
    note: str = ""


@dataclass(frozen=True)
class Statistics:
    academic_year: int  # the calendar year it starts in
    period: str  # "2025 to 2026"
    tables: tuple[StatTable, ...]
    skipped: tuple[str, ...]
    note: str = NOTE


def cell(n: int) -> str:
    """One count as shown: 0, "<5" for 1 to 4, else the number."""
    n = int(n or 0)
    if 0 < n < SMALL:
        return SUPPRESSED
    return str(n)


def suppress_group(values, total_shown: bool = True) -> list[str]:
    """Cells of a group whose total is also shown: primary and secondary suppression."""
    values = [int(v or 0) for v in values]
    out = [cell(v) for v in values]
    if total_shown:
        small = [i for i, v in enumerate(values) if 0 < v < SMALL]
        if len(small) == 1:
            others = sorted((v, i) for i, v in enumerate(values) if v >= SMALL)
            if others:
                out[others[0][1]] = HIDDEN
    return out


def rate(part: int, whole: int) -> str:
    """A percentage, only when neither `part` nor `whole - part` is suppressed."""
    rest = whole - part
    if whole <= 0 or 0 < part < SMALL or 0 < rest < SMALL:
        return "-"
    return f"{round(100 * part / whole)}%"


def attendance_by_offer(start: date | None = None, end: date | None = None) -> dict[int, tuple[int, int]]:
    """(marks of present, all marks) per early-help offer for sessions held from `start` up to
    `end`, current marks only (a corrected register's old marks are superseded). The one
    query behind the caseload, the statistics and the governors' report, so they agree;
    called inside those services after their checks."""
    from kiosk.models.early_help import EarlyHelpAttendance as A, EarlyHelpSession as S

    def build():
        q = (S.select(S.offer, count_if(A.present == True), fn.COUNT(A.id))  # noqa: E712
             .join(A, on=((A.session == S.id) & A.superseded_at.is_null())))
        if start is not None:
            q = q.where(S.held_on >= start)
        if end is not None:
            q = q.where(S.held_on < end)
        return q.group_by(S.offer)

    return {oid: (int(p or 0), int(t or 0)) for oid, p, t in _rows("attendance", (start, end), build)}


def current_academic_year(on: date | None = None) -> int:
    d = on or today()
    return d.year if d.month >= 9 else d.year - 1


def _utc(year: int, month: int) -> datetime:
    """Midnight at the start of the month, England time, as naive UTC."""
    if month > 12:
        year, month = year + 1, month - 12
    return to_utc(datetime.combine(date(year, month, 1), time(0, 0)))


def _month_start(ay: int, i: int) -> datetime:
    """The start of the i-th month of academic year ay (0 = September, 12 = next Sept)."""
    month = 9 + i
    return _utc(ay + (month - 1) // 12, (month - 1) % 12 + 1)


def _term_bounds(ay: int) -> list[tuple[str, datetime, datetime]]:
    autumn = _month_start(ay, 0)
    spring = _month_start(ay, 4)
    summer = _month_start(ay, 7)
    end = _month_start(ay, 12)
    return [("Autumn", autumn, spring), ("Spring", spring, summer), ("Summer", summer, end)]


def _bucket(column, bounds):
    """0 before bounds[0], 1 before bounds[1], ..., len(bounds) after the last (one CASE chain)."""
    return Case(None, [(column < b, i) for i, b in enumerate(bounds)], len(bounds))


def count_if(cond):
    return fn.SUM(Case(None, [(cond, 1)], 0))


# Each query's SQL and parameters, built by peewee once per backend and period, then run
# as they are (issue 19: building the statistics' twenty queries cost a third of their time).
_BUILT: dict[tuple, tuple[str, tuple]] = {}


def _rows(name: str, key, build) -> list[tuple]:
    """The rows of the query `build()` makes (peewee's SQL for it, built once per backend
    and `key`), as the driver returns them."""
    database = dbmod.db.obj
    k = (type(database), name, key)
    built = _BUILT.get(k)
    if built is None:
        if len(_BUILT) > 400:
            _BUILT.clear()
        sql, params = database.get_sql_context().sql(build()).query()
        built = _BUILT[k] = (sql, tuple(params))
    return dbmod.db.execute_sql(*built).fetchall()


def _ints(row) -> list[int]:
    return [int(v or 0) for v in row]


# --- sections ------------------------------------------------------------------------------

def _concern_tables(ay: int) -> list[StatTable] | None:
    from kiosk.models.concerns import (
        CLOSE_OUTCOMES, Concern, ConcernCategory, ConcernCategoryLink, ConcernEvent,
    )

    start, end = _month_start(ay, 0), _month_start(ay, 12)
    terms = _term_bounds(ay)
    at = Concern.recorded_at
    year = (at >= start) & (at < end)
    # By category and term: one pass over the year's concerns (recorded_at index), each
    # row bucketed by a CASE chain, joined to its category links (covering index).
    term = _bucket(at, [b for _, _, b in terms[:-1]]).alias("term")
    counts: dict[str, list[int]] = {}
    for key, bucket, n in _rows("by_category", ay, lambda: (
            Concern.select(ConcernCategoryLink.category, term, fn.COUNT(Concern.id))
            .join(ConcernCategoryLink, on=(ConcernCategoryLink.concern == Concern.id))
            .where(year)
            .group_by(ConcernCategoryLink.category, SQL("term")))):
        counts.setdefault(key, [0, 0, 0])[int(bucket)] += int(n)
    cats = _rows("categories", None, lambda: (
        ConcernCategory.select(ConcernCategory.key, ConcernCategory.name, ConcernCategory.active)
        .order_by(ConcernCategory.position, ConcernCategory.id)))
    known = {k for k, _, _ in cats}
    rows = []
    for key, name, active in cats + [(k, k, True) for k in sorted(counts) if k not in known]:
        c = counts.get(key)
        if c is None and not active:
            continue
        c = c or [0, 0, 0]
        rows.append((name, *suppress_group(c), cell(sum(c))))
    by_category = StatTable(
        f"Concerns by category, {ay} to {ay + 1}",
        ("Category", *(t for t, _, _ in terms), "Year"),
        tuple(rows),
        "A concern with two categories counts under each. Press p for the year before.",
    )
    # By month: recorded, urgent, still open (the whole year's total under them).
    month = _bucket(at, [_month_start(ay, i) for i in range(1, 12)]).alias("month")
    recorded, urgent, still_open = [0] * 12, [0] * 12, [0] * 12
    for m, is_urgent, is_open, n in _rows("by_month", ay, lambda: (
            Concern.select(month, Concern.urgent, Concern.is_open, fn.COUNT(Concern.id))
            .where(year).group_by(SQL("month"), Concern.urgent, Concern.is_open))):
        m, n = int(m), int(n)
        recorded[m] += n
        if is_urgent:
            urgent[m] += n
        if is_open:
            still_open[m] += n
    # Each column has its total under it: suppress down the columns.
    shown = [suppress_group(col) for col in (recorded, urgent, still_open)]
    month_rows = []
    last_shown = to_utc(datetime.combine(today(), time(23, 59)))
    for i, name in enumerate(MONTHS):
        if _month_start(ay, i) > last_shown:
            break
        month_rows.append((name, shown[0][i], shown[1][i], shown[2][i]))
    month_rows.append(("Whole year", cell(sum(recorded)), cell(sum(urgent)), cell(sum(still_open))))
    by_month = StatTable(f"Concerns by month, {ay} to {ay + 1}",
                         ("Month", "Recorded", "Urgent", "Still open"), tuple(month_rows))
    # How the year's concerns stand now: open, or closed with the outcome of their last
    # closure (the events are reached through the year's concerns, on their own index).
    status = dict(_rows("status", ay, lambda: (
        Concern.select(Concern.is_open, fn.COUNT(Concern.id)).where(year).group_by(Concern.is_open))))
    closures = dict(_rows("closures", ay, lambda: _closures_query(year)))
    open_now = _rows("open_now", None, lambda: (
        Concern.select(fn.COUNT(Concern.id)).where(Concern.is_open == True)))[0][0] or 0  # noqa: E712
    keys = list(CLOSE_OUTCOMES) + sorted(k for k in closures if k not in CLOSE_OUTCOMES)
    still_open = sum(n for k, n in status.items() if k)
    values = [closures.get(k, 0) for k in keys] + [still_open]
    shown = suppress_group(values)
    outcome_rows = [("Closed: " + CLOSE_OUTCOMES.get(k, k or "not given").lower(), s)
                    for k, s in zip(keys, shown)]
    outcome_rows.append(("Still open", shown[-1]))
    outcome_rows.append(("Recorded in the year", cell(sum(values))))
    outcome_rows.append(("Open now, from any year", cell(open_now)))
    closed = StatTable(f"Open and closed, {ay} to {ay + 1}", ("Concerns recorded in the year", "Count"),
                       tuple(outcome_rows), "Each concern counted once, by where it stands today.")
    return [by_category, by_month, closed]


def _closures_query(year):
    """The outcome of the last closure of each of the year's concerns that are closed now,
    counted by outcome. A correlated subquery per concern (on the events' concern index):
    PostgreSQL answered MAX(id) ... GROUP BY concern with a scan of every event."""
    from kiosk.models.concerns import Concern, ConcernEvent
    from peewee import Select

    last = (ConcernEvent.select(ConcernEvent.outcome)
            .where((ConcernEvent.concern == Concern.id) & (ConcernEvent.kind == "closed"))
            .order_by(ConcernEvent.id.desc()).limit(1))
    closed = Concern.select(last.alias("outcome")).where(year & (Concern.is_open == False)).alias("t")  # noqa: E712
    return (Select([closed], [closed.c.outcome, fn.COUNT(SQL("*"))]).where(closed.c.outcome.is_null(False))
            .group_by(closed.c.outcome))


def _early_help_tables(ay: int) -> list[StatTable] | None:
    from kiosk.models.early_help import (
        EarlyHelpOffer as Offer,
        EarlyHelpAttendance as A, EarlyHelpEnrolment as E, EarlyHelpEnrolmentEnd as End,
        EarlyHelpReferral as R, EarlyHelpReferralDecision as D, EarlyHelpSession as S,
    )

    start_d = date(ay, 9, 1)
    end_d = date(ay + 1, 9, 1)
    offers = _rows("offers", None, lambda: Offer.select(Offer.id, Offer.name, Offer.retired_at).order_by(Offer.name))
    started = dict(_rows("started", ay, lambda: (
        E.select(E.offer, fn.COUNT(E.id)).where((E.start_on >= start_d) & (E.start_on < end_d)).group_by(E.offer))))
    ended = dict(_rows("ended", ay, lambda: (
        E.select(E.offer, fn.COUNT(End.id)).join(End, on=(End.enrolment == E.id))
        .where((End.ended_on >= start_d) & (End.ended_on < end_d)).group_by(E.offer))))
    held = dict(_rows("held", ay, lambda: (
        S.select(S.offer, fn.COUNT(S.id)).where((S.held_on >= start_d) & (S.held_on < end_d)).group_by(S.offer))))
    marks = attendance_by_offer(start_d, end_d)
    sessions = {oid: (int(held.get(oid, 0)), *marks.get(oid, (0, 0))) for oid in set(held) | set(marks)}
    listed = []
    for oid, name, retired in offers:
        s = sessions.get(oid, (0, 0, 0))
        if retired is not None and not (started.get(oid) or ended.get(oid) or s[0]):
            continue
        listed.append((name, started.get(oid, 0), ended.get(oid, 0), *s))
    # The "All early help" row totals each column: suppress down the columns.
    columns = [suppress_group([r[i] for r in listed]) for i in range(1, 5)]
    rows = []
    for j, (name, _s, _e, _n, present, total) in enumerate(listed):
        attended = columns[3][j]
        # The caseload's figure for the same offer (one rule), hidden only with its count.
        rows.append((name, columns[0][j], columns[1][j], columns[2][j], attended,
                     percent_text(present, total) if attended == cell(present) else attended))
    totals = [sum(r[1] for r in listed), sum(r[2] for r in listed), sum(r[3] for r in listed),
              sum(r[4] for r in listed), sum(r[5] for r in listed)]
    rows.append(("All early help", cell(totals[0]), cell(totals[1]), cell(totals[2]), cell(totals[3]),
                 percent_text(totals[3], totals[4]) if cell(totals[3]) == str(totals[3]) else cell(totals[3])))
    interventions = StatTable(
        f"Early help, {ay} to {ay + 1}",
        ("Offer", "Started", "Ended", "Sessions", "Attended", "Attendance"), tuple(rows),
        "Attended: pupil attendances marked present (a pupil at ten sessions counts ten times).",
    )
    ref_at = R.referred_at
    a, b = to_utc(datetime.combine(start_d, time(0, 0))), to_utc(datetime.combine(end_d, time(0, 0)))
    decided = dict(_rows("referrals", ay, lambda: (
        R.select(D.decision, fn.COUNT(R.id)).join(D, JOIN.LEFT_OUTER, on=(D.referral == R.id))
        .where((ref_at >= a) & (ref_at < b)).group_by(D.decision))))
    vals = [decided.get("accepted", 0), decided.get("declined", 0), decided.get(None, 0)]
    shown = suppress_group(vals)
    referrals = StatTable(
        f"Internal early-help referrals, {ay} to {ay + 1}", ("Referrals", "Count"),
        (("Accepted", shown[0]), ("Declined", shown[1]), ("Awaiting a decision", shown[2]),
         ("All referrals", cell(sum(vals)))),
    )
    return [interventions, referrals]


def _adult_tables(ay: int) -> list[StatTable] | None:
    from kiosk.models.adults import AdultConcern, AdultConcernEvent as Ev

    from kiosk.rules.allegations import OUTCOMES, THRESHOLD_NOT_MET

    outcomes = tuple(OUTCOMES)
    start, end = _month_start(ay, 0), _month_start(ay, 12)
    at = AdultConcern.created_at
    kinds = dict(_rows("adult_kinds", ay, lambda: (
        AdultConcern.select(AdultConcern.kind, fn.COUNT(AdultConcern.id))
        .where((at >= start) & (at < end)).group_by(AdultConcern.kind))))

    def outcomes_query():
        # The first outcome recorded on each of the year's allegations.
        first = (Ev.select(fn.MIN(Ev.id))
                 .join(AdultConcern, on=(Ev.concern == AdultConcern.id))
                 .where((Ev.kind == "outcome") & (at >= start) & (at < end))
                 .group_by(Ev.concern))
        return Ev.select(Ev.choice, fn.COUNT(Ev.id)).where(Ev.id.in_(first)).group_by(Ev.choice)

    by_outcome = dict(_rows("adult_outcomes", ay, outcomes_query))
    recorded_ll = _rows("adult_recorded", ay, lambda: (
        Ev.select(fn.COUNT(fn.DISTINCT(Ev.concern)))
        .join(AdultConcern, on=(Ev.concern == AdultConcern.id))
        .where((Ev.kind == "record") & (AdultConcern.kind == "low_level") & (at >= start) & (at < end))))[0][0] or 0
    allegations = kinds.get("allegation", 0)
    low = kinds.get("low_level", 0)
    values = [by_outcome.get(o, 0) for o in outcomes]
    values.append(max(0, allegations - sum(values)))
    shown = suppress_group(values)
    rows = [("Allegations", cell(allegations))]
    rows += [(f"  outcome: {'threshold not met (now low-level)' if o == THRESHOLD_NOT_MET else o}", s)
             for o, s in zip(outcomes, shown[:-1])]
    rows.append(("  no outcome yet", shown[-1]))
    ll = suppress_group([recorded_ll, max(0, low - recorded_ll)])
    rows += [("Low-level concerns", cell(low)), ("  written record made", ll[0]),
             ("  awaiting a written record", ll[1])]
    return [StatTable(f"Concerns about adults, {ay} to {ay + 1}", ("Concerns about adults", "Count"),
                      tuple(rows), "Raised in the year; outcomes as recorded so far.")]


def _pupil_table() -> StatTable:
    from kiosk.models.pupils import PUPIL_FLAGS, Pupil

    def build():
        sums = [count_if(getattr(Pupil, k) == True) for k in PUPIL_FLAGS]  # noqa: E712
        return Pupil.select(fn.COUNT(Pupil.id), *sums).where((Pupil.active == True) & (Pupil.status == "roll"))  # noqa: E712

    found = _rows("pupils", None, build)
    row = _ints(found[0] if found else [0] * (len(PUPIL_FLAGS) + 1))
    rows = [("Pupils on roll", cell(row[0]))]
    rows += [(label, cell(n)) for label, n in zip(PUPIL_FLAGS.values(), row[1:])]
    return StatTable("Pupils now", ("Pupils", "Count"), tuple(rows))


def statistics(actor: Actor, academic_year: int | None = None) -> Statistics:
    """Aggregate counts for one academic year (default: the current one). Audited."""
    require(actor, Cap.STATS_VIEW)
    ay = current_academic_year() if academic_year is None else academic_year
    if not isinstance(ay, int) or isinstance(ay, bool) or not 2000 <= ay <= current_academic_year() + 1:
        raise ValidationError("academic year", "must be a year from 2000 to next year")
    tables: list[StatTable] = []
    skipped: list[str] = []
    with dbmod.translate_errors():
        for name, section in (("Concerns about children", _concern_tables),
                              ("Early help", _early_help_tables),
                              ("Concerns about adults", _adult_tables)):
            result = section(ay)
            if result is None:
                skipped.append(name)
            else:
                tables += result
        tables.append(_pupil_table())
        audit.record(actor, "stats.view", "stats", ay, {"academic_year": ay})
    return Statistics(ay, f"{ay} to {ay + 1}", tuple(tables), tuple(skipped))
