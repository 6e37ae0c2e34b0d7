"""Deadlines in working days and school days in England, across weekends, Christmas and Easter."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from kiosk.rules import (
    Deadline,
    WorkingCalendar,
    add_working_days,
    agency_response_due,
    cp_file_transfer,
    cp_file_transfer_deadline,
    is_bank_holiday,
    is_working_day,
    lado_contact_deadline,
    lado_deadline,
    needs_reconfirmation,
    procedures_review_due,
    receipt_chase_date,
    working_days_between,
)

from .conftest import build


# --- working days ------------------------------------------------------------------------------------


def test_weekends_are_not_working_days():
    assert is_working_day(date(2026, 11, 27))      # Friday
    assert not is_working_day(date(2026, 11, 28))  # Saturday
    assert not is_working_day(date(2026, 11, 29))  # Sunday


def test_english_bank_holidays_come_from_the_holidays_package():
    assert is_bank_holiday(date(2027, 3, 26))   # Good Friday 2027
    assert is_bank_holiday(date(2027, 3, 29))   # Easter Monday 2027
    assert is_bank_holiday(date(2026, 12, 28))  # Boxing Day (substitute day) 2026
    assert is_bank_holiday(date(2026, 8, 31))   # Summer bank holiday, England
    assert not is_bank_holiday(date(2026, 8, 3))  # Scotland's summer holiday is not England's


def test_add_working_days_across_a_weekend():
    assert add_working_days(date(2026, 11, 27), 1) == date(2026, 11, 30)  # Fri -> Mon
    assert add_working_days(date(2026, 11, 28), 1) == date(2026, 11, 30)  # Sat -> Mon
    assert add_working_days(date(2026, 11, 23), 5) == date(2026, 11, 30)  # Mon -> next Mon
    assert add_working_days(date(2026, 11, 23), 0) == date(2026, 11, 23)


def test_add_working_days_across_christmas_2026():
    # Thu 24 Dec; Fri 25 Christmas, Sat 26, Sun 27, Mon 28 Boxing Day (substitute): next is Tue 29.
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)
    # ...then Wed 30, Thu 31, Fri 1 Jan is New Year's Day, so the 4th is Mon 4 Jan.
    assert add_working_days(date(2026, 12, 24), 4) == date(2027, 1, 4)


def test_add_working_days_across_easter_2027():
    # Thu 25 Mar; Good Friday 26, weekend, Easter Monday 29: next is Tue 30 Mar.
    assert add_working_days(date(2027, 3, 25), 1) == date(2027, 3, 30)


def test_working_days_between_counts_only_working_days():
    assert working_days_between(date(2027, 3, 25), date(2027, 3, 31)) == 2  # Tue 30, Wed 31
    assert working_days_between(date(2027, 3, 31), date(2027, 3, 25)) == 0


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        add_working_days(date(2026, 11, 27), -1)


# --- paragraph 14: LADO within one working day -----------------------------------------------------


def test_para14_lado_deadline_is_the_end_of_the_next_working_day():
    told = datetime(2026, 11, 24, 10, 30)  # Tuesday
    assert lado_deadline(told) == datetime(2026, 11, 25, 23, 59, 59)


def test_para14_lado_deadline_told_on_friday_is_monday():
    assert lado_deadline(datetime(2026, 11, 27, 15, 0)) == datetime(2026, 11, 30, 23, 59, 59)


def test_para14_lado_deadline_told_thursday_before_easter_is_tuesday_after():
    assert lado_deadline(datetime(2027, 3, 25, 16, 0)) == datetime(2027, 3, 30, 23, 59, 59)


def test_para14_lado_deadline_told_on_christmas_eve_is_the_29th():
    assert lado_deadline(datetime(2026, 12, 24, 9, 0)) == datetime(2026, 12, 29, 23, 59, 59)


def test_para14_lado_deadline_told_on_good_friday_is_tuesday():
    assert lado_deadline(datetime(2027, 3, 26, 11, 0)) == datetime(2027, 3, 30, 23, 59, 59)


def test_para14_lado_deadline_keeps_the_timezone():
    told = datetime(2026, 11, 24, 10, 30, tzinfo=timezone.utc)
    assert lado_deadline(told).tzinfo is timezone.utc


def test_para14_lado_deadline_object_is_overdue_only_after_the_end_of_the_day():
    d = lado_contact_deadline(datetime(2027, 3, 25, 16, 0))
    assert d.paragraph == "14"
    assert not d.overdue(datetime(2027, 3, 30, 23, 0))
    assert d.overdue(datetime(2027, 3, 31, 0, 0))
    assert not d.overdue(date(2027, 3, 30))
    assert d.overdue(date(2027, 3, 31))


# --- child protection file on a move --------------------------------------------------------------------


def test_cp_file_in_term_is_five_school_days_after_the_move(profile):
    # Monday 23 Nov 2026 -> Monday 30 Nov.
    assert cp_file_transfer_deadline(date(2026, 11, 23), profile) == date(2026, 11, 30)


def test_cp_file_across_a_half_term_uses_term_dates(profile):
    # Wed 21 Oct 2026: Thu 22, Fri 23 (end of Autumn 1), half term, Mon 2, Tue 3, Wed 4 Nov.
    assert cp_file_transfer_deadline(date(2026, 10, 21), profile) == date(2026, 11, 4)
    # Without term dates the half term would count.
    assert cp_file_transfer_deadline(date(2026, 10, 21), None) == date(2026, 10, 28)


def test_cp_file_in_the_christmas_holiday_is_the_fifth_day_of_the_new_term(profile):
    # Spring 1 starts Tue 5 Jan 2027: 5, 6, 7, 8, 11.
    assert cp_file_transfer_deadline(date(2026, 12, 21), profile) == date(2027, 1, 11)


def test_cp_file_over_easter_is_the_fifth_day_of_the_summer_term(profile):
    # Move on Maundy Thursday (last day of Spring 2): Summer 1 starts Mon 12 Apr -> Fri 16 Apr.
    assert cp_file_transfer_deadline(date(2027, 3, 25), profile) == date(2027, 4, 16)


def test_cp_file_skips_bank_holidays_inside_term(profile):
    # Thu 29 Apr 2027: Fri 30 (1), Mon 3 May is May Day, Tue 4 (2), Wed 5, Thu 6, Fri 7 (5).
    assert cp_file_transfer_deadline(date(2027, 4, 29), profile) == date(2027, 5, 7)


def test_cp_file_outside_the_listed_terms_counts_working_days_and_says_so(profile):
    d = cp_file_transfer(date(2027, 7, 26), profile)  # after the last listed term
    assert d.due == date(2027, 8, 2)
    assert "working days were counted" in d.note
    assert "working days were counted" not in cp_file_transfer(date(2026, 11, 23), profile).note


def test_cp_file_receipt_is_chased_after_the_profile_setting(profile):
    assert profile.receipt_chase_school_days == 3
    assert receipt_chase_date(date(2026, 11, 30), profile) == date(2026, 12, 3)
    # Sent on the last day of Autumn 2: chase on the 3rd school day of Spring 1.
    assert receipt_chase_date(date(2026, 12, 18), profile) == date(2027, 1, 7)


def test_calendar_accepts_plain_pairs():
    cal = WorkingCalendar([(date(2026, 9, 2), date(2026, 10, 23))])
    assert cal.is_school_day(date(2026, 9, 2))
    assert not cal.is_school_day(date(2026, 9, 5))  # Saturday
    assert cal.is_school_day(date(2026, 11, 2))     # outside the listed span: a working day


# --- paragraphs 3 and 19: the procedures --------------------------------------------------------------


def test_para19_procedures_reviewed_at_least_annually(profile):
    d = procedures_review_due(profile, date(2026, 11, 28))
    assert d.due == date(2027, 9, 1)
    assert d.paragraph == "19"
    assert not d.overdue(date(2027, 9, 1))
    assert d.overdue(date(2027, 9, 2))
    assert "due in 277 days" in d.note


def test_para19_review_due_uses_the_earlier_of_next_review_and_a_year(default_data):
    default_data["procedures"]["next_review"] = "2027-03-01"
    p = build(default_data)
    assert procedures_review_due(p, date(2027, 3, 5)).due == date(2027, 3, 1)
    assert "overdue by 4 days" in procedures_review_due(p, date(2027, 3, 5)).note


def test_para3_staff_reconfirm_when_the_version_changes(profile):
    assert needs_reconfirmation(None, profile)          # never signed
    assert not needs_reconfirmation("2021.1", profile)  # signed this version
    assert needs_reconfirmation("2020.3", profile)      # signed an older one


# --- paragraph 6: outside agencies ---------------------------------------------------------------------


def test_para6_referral_to_childrens_services_waits_one_working_day(profile):
    d = agency_response_due(profile.agency("childrens_services"), date(2027, 3, 25))
    assert d.due == date(2027, 3, 30)  # over Easter
    assert d.paragraph == "6"


def test_para6_referral_to_an_agency_is_flagged_after_its_response_days(profile):
    d = agency_response_due(profile.agency("wellbeing"), date(2026, 11, 23))
    assert d.due == date(2026, 12, 7)
    assert not d.overdue(date(2026, 12, 7))
    assert d.overdue(datetime(2026, 12, 8, 9, 0))


def test_deadline_with_date_due_compares_calendar_days():
    d = Deadline("x", date(2026, 12, 1), "14")
    assert not d.overdue(datetime(2026, 12, 1, 23, 59))
    assert d.overdue(date(2026, 12, 2))
