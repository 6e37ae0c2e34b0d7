"""Deadlines in working days and school days in England.

Working days are Monday to Friday except bank holidays in England (from the ``holidays``
package, so Christmas, Boxing Day, their substitute days and Easter are handled without a
list of our own). School days are working days inside the profile's term dates; outside the
dates the profile lists we fall back to working days, which can only make a deadline earlier,
never later, and the Deadline's note says so.

Everything here takes the moment it reasons about as an argument: no function reads the clock.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from kiosk.rules.bank_holidays import CALENDAR_YEARS, given_days
from kiosk.rules.profile import Agency, Profile, Term, one_year_after
from kiosk.rules.results import Deadline

# One shared calendar, built on first use (importing and filling it costs ~140 ms, which the
# login screen should not pay). The years a console will meet (CALENDAR_YEARS) are filled in up
# front so that lookups from several threads only read it; holidays still expands to any other
# year. A console takes the same days from its data dir instead (kiosk.rules.bank_holidays).
_BUILD_LOCK = threading.Lock()


@functools.cache
def _england_calendar():
    with _BUILD_LOCK:
        return _united_kingdom()(subdiv="ENG", years=CALENDAR_YEARS)


def _united_kingdom():
    """holidays' UnitedKingdom class, without the other 250 countries.

    `holidays.country_holidays("GB")` (or any import from holidays.countries) runs that
    package's __init__, which imports every country: ~300 modules and ~8 MiB that a console
    keeps for the rest of its life. The UK module needs only the shared calendars, so it is
    loaded from its own file; where that is not possible (a holidays that moved it), the
    usual way is taken.
    """
    import importlib.util
    import sys

    import holidays

    name = "holidays.countries.united_kingdom"
    module = sys.modules.get(name)
    if module is None:
        path = holidays.__path__[0] + "/countries/united_kingdom.py"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            return holidays.country_holidays("GB").__class__
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except (OSError, ImportError):
            return holidays.country_holidays("GB").__class__
    return module.UnitedKingdom


def england_bank_holidays() -> dict[date, str]:
    """Every bank holiday in England in CALENDAR_YEARS, with its name, from holidays."""
    return {d: name for d, name in _england_calendar().items() if d.year in CALENDAR_YEARS}


def _bank_holiday(d: date) -> str | None:
    if d.year in CALENDAR_YEARS:
        given = given_days()
        if given is not None:
            return given.get(d)
    return _england_calendar().get(d)


# "Within one working day" ends at the end of that day: the last moment on the clock.
END_OF_DAY = time(23, 59, 59)

CP_FILE_SCHOOL_DAYS = 5


def _as_date(d: date | datetime) -> date:
    return d.date() if isinstance(d, datetime) else d


def is_bank_holiday(d: date | datetime) -> bool:
    return _bank_holiday(_as_date(d)) is not None


def bank_holiday_name(d: date | datetime) -> str | None:
    return _bank_holiday(_as_date(d))


def is_working_day(d: date | datetime) -> bool:
    d = _as_date(d)
    return d.weekday() < 5 and _bank_holiday(d) is None


def next_working_day(d: date | datetime) -> date:
    """The first working day strictly after ``d``."""
    return add_working_days(d, 1)


def add_working_days(start: date | datetime, n: int) -> date:
    """The date ``n`` working days after ``start`` (``start`` itself is day 0, counted or not)."""
    if n < 0:
        raise ValueError("n must not be negative")
    d = _as_date(start)
    while n:
        d += timedelta(days=1)
        if is_working_day(d):
            n -= 1
    return d


def working_days_between(start: date | datetime, end: date | datetime) -> int:
    """Working days after ``start`` up to and including ``end`` (0 if end is not later)."""
    d, end = _as_date(start), _as_date(end)
    count = 0
    while d < end:
        d += timedelta(days=1)
        if is_working_day(d):
            count += 1
    return count


class WorkingCalendar:
    """Working days plus the school's term dates, for counting school days."""

    def __init__(self, profile_or_terms: Profile | Iterable[Term | tuple[date, date]] | None = None):
        if profile_or_terms is None:
            terms: tuple[Term, ...] = ()
        elif isinstance(profile_or_terms, Profile):
            terms = profile_or_terms.terms
        else:
            terms = tuple(Term(*t) for t in profile_or_terms)
        self.terms = tuple(sorted(terms))

    def is_working_day(self, d: date | datetime) -> bool:
        return is_working_day(d)

    def covers(self, d: date | datetime) -> bool:
        """True when ``d`` falls within the span of the listed terms (holidays between included)."""
        d = _as_date(d)
        return bool(self.terms) and self.terms[0].start <= d <= self.terms[-1].end

    def in_term(self, d: date | datetime) -> bool:
        d = _as_date(d)
        return any(t.start <= d <= t.end for t in self.terms)

    def is_school_day(self, d: date | datetime) -> bool:
        """A working day in term; outside the listed terms' span, any working day."""
        if not is_working_day(d):
            return False
        if not self.covers(d):
            return True
        return self.in_term(d)

    def add_school_days(self, start: date | datetime, n: int) -> date:
        """The ``n``th school day after ``start``. From a holiday, that is the ``n``th school day
        of the next term, which is exactly the "first 5 days of a new term" rule."""
        if n < 0:
            raise ValueError("n must not be negative")
        d = _as_date(start)
        # A year of days without a single school day means the term dates are broken.
        limit = d + timedelta(days=366 + n * 7)
        while n:
            d += timedelta(days=1)
            if d > limit:
                raise ValueError("no school days found within a year; check the term dates")
            if self.is_school_day(d):
                n -= 1
        return d

    def add_school_weeks(self, start: date | datetime, weeks: int) -> date:
        """``weeks`` weeks of school after ``start``: five school days a week, so a review set
        "+6w" before a half term lands six teaching weeks on, not in the first week back."""
        return self.add_school_days(start, 5 * weeks)

    def not_a_school_day(self, d: date | datetime) -> str | None:
        """Why ``d`` is not a school day, in words for the person choosing it (None if it is)."""
        d = _as_date(d)
        bank = bank_holiday_name(d)
        if bank:
            return f"{d:%a %d %b %Y} is a bank holiday ({bank})"
        if d.weekday() >= 5:
            return f"{d:%a %d %b %Y} is a weekend"
        if self.covers(d) and not self.in_term(d):
            before = max((t for t in self.terms if t.end < d), key=lambda t: t.end)
            after = min((t for t in self.terms if t.start > d), key=lambda t: t.start)
            return (f"{d:%a %d %b %Y} is in the school holidays (term ends {before.end:%d %b}, "
                    f"starts again {after.start:%d %b})")
        return None

    def estimated(self, start: date | datetime, end: date | datetime) -> bool:
        """True if counting from ``start`` to ``end`` left the listed term dates."""
        return not (self.covers(start) and self.covers(end))


def school_days(profile: Profile | None = None) -> WorkingCalendar:
    """The school-day calendar for a profile (term dates where given)."""
    return WorkingCalendar(profile)


# ---------------------------------------------------------------------------------------------
# Paragraph 14: LADO within one working day
# ---------------------------------------------------------------------------------------------


def lado_deadline(told_at: datetime | date) -> datetime:
    """The end of the next working day after the headteacher (or director) was told.

    Told on Thursday 25 March 2027 at 16:00, the day before Good Friday: the next working day is
    Tuesday 30 March (Easter Monday is a bank holiday), so the deadline is its end.
    """
    tz = told_at.tzinfo if isinstance(told_at, datetime) else None
    return datetime.combine(next_working_day(told_at), END_OF_DAY, tzinfo=tz)


def lado_contact_deadline(told_at: datetime | date) -> Deadline:
    return Deadline(
        label="Contact the LADO",
        due=lado_deadline(told_at),
        paragraph="14",
        note="Within one working day of the headteacher (or Director of Education) being told.",
    )


# ---------------------------------------------------------------------------------------------
# Child protection file on a move (KCSIE; FIELD-NOTES)
# ---------------------------------------------------------------------------------------------


def cp_file_transfer_deadline(move_date: date | datetime, profile: Profile | None) -> date:
    """5 school days after the move; a move outside term gives the 5th school day of the next
    term (both readings of the guidance are the same count from the move date)."""
    return WorkingCalendar(profile).add_school_days(move_date, CP_FILE_SCHOOL_DAYS)


def cp_file_transfer(move_date: date | datetime, profile: Profile | None) -> Deadline:
    cal = WorkingCalendar(profile)
    due = cal.add_school_days(move_date, CP_FILE_SCHOOL_DAYS)
    note = ("Separately from the main file, securely, with confirmation of receipt: within 5 "
            "school days of an in-year move or the first 5 school days of a new term.")
    if cal.estimated(move_date, due):
        note += " Term dates do not cover these dates, so working days were counted."
    return Deadline(label="Send the child protection file to the new school", due=due,
                    paragraph="KCSIE", note=note)


def receipt_chase_date(sent_date: date | datetime, profile: Profile | None) -> date:
    """When to chase confirmation of receipt if none has come (profile setting, in school days)."""
    n = profile.receipt_chase_school_days if profile is not None else 3
    return WorkingCalendar(profile).add_school_days(sent_date, n)


def receipt_chase(sent_date: date | datetime, profile: Profile | None) -> Deadline:
    return Deadline(
        label="Chase confirmation that the child protection file was received",
        due=receipt_chase_date(sent_date, profile),
        paragraph="KCSIE",
        note="The sending school keeps proof the file arrived.",
    )


# ---------------------------------------------------------------------------------------------
# Paragraphs 3 and 19: the procedures themselves
# ---------------------------------------------------------------------------------------------


def procedures_review_due(profile: Profile, today: date) -> Deadline:
    """The next review: the profile's next_review, and never later than a year after the last."""
    due = min(profile.next_review, one_year_after(profile.last_review))
    left = (due - _as_date(today)).days
    when = f"overdue by {-left} days" if left < 0 else f"due in {left} days"
    return Deadline(
        label="Review the child protection procedures",
        due=due,
        paragraph="19",
        note=f"At least annually, approved by the local governing body; {when}.",
    )


def needs_reconfirmation(signed_version: str | None, profile: Profile) -> bool:
    """Paragraph 3: staff sign the procedures; a new version needs a new signature."""
    return signed_version is None or signed_version.strip() != profile.procedures_version


# ---------------------------------------------------------------------------------------------
# Paragraph 6: referrals to outside agencies
# ---------------------------------------------------------------------------------------------


def agency_response_due(agency: Agency, referred_on: date | datetime) -> Deadline:
    """When a referral to ``agency`` counts as waiting too long (its response_days)."""
    return Deadline(
        label=f"Reply from {agency.name}",
        due=add_working_days(referred_on, agency.response_days),
        paragraph="6",
        note=f"Expected within {agency.response_days} working day"
             f"{'s' if agency.response_days != 1 else ''}; chase if nothing has come.",
    )
