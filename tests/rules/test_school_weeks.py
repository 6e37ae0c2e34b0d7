"""Review dates in school weeks, and saying why a date is not a school day (issue 18)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, strategies as st

from kiosk.rules.deadlines import WorkingCalendar

TERMS = [(date(2026, 9, 2), date(2026, 10, 23)), (date(2026, 11, 2), date(2026, 12, 18)),
         (date(2027, 1, 5), date(2027, 2, 12))]
CAL = WorkingCalendar(TERMS)


def test_six_weeks_in_term_is_six_calendar_weeks():
    assert CAL.add_school_weeks(date(2026, 9, 9), 6) == date(2026, 10, 21)


def test_six_weeks_across_half_term_skips_the_holiday_week():
    # Wed 30 Sep + 6 weeks would be 11 Nov; half term (26-30 Oct) does not count.
    assert CAL.add_school_weeks(date(2026, 9, 30), 6) == date(2026, 11, 18)


def test_six_weeks_across_christmas_lands_in_term():
    got = CAL.add_school_weeks(date(2026, 12, 2), 6)
    assert got == date(2027, 1, 28)  # term starts on a Tuesday: 30 school days on
    assert CAL.not_a_school_day(got) is None


def test_holiday_weekend_and_bank_holiday_are_named():
    assert "school holidays" in CAL.not_a_school_day(date(2026, 10, 28))
    assert "term ends 23 Oct, starts again 02 Nov" in CAL.not_a_school_day(date(2026, 10, 28))
    assert "weekend" in CAL.not_a_school_day(date(2026, 11, 7))
    assert "bank holiday" in CAL.not_a_school_day(date(2026, 12, 25))
    assert CAL.not_a_school_day(date(2026, 11, 3)) is None


@given(st.dates(min_value=date(2026, 9, 2), max_value=date(2026, 12, 1)), st.integers(1, 4))
def test_school_weeks_never_end_in_a_holiday_and_never_come_early(start, weeks):
    got = CAL.add_school_weeks(start, weeks)
    assert CAL.not_a_school_day(got) is None
    assert got >= start + timedelta(weeks=weeks) - timedelta(days=2)  # a start at a weekend
