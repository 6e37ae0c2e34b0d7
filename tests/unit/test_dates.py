"""Typed dates are read the same way on every form."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given, strategies as st

from kiosk.clock import FakeClock, use_clock
from kiosk.dates import fmt_date, parse_typed_date
from kiosk.errors import ValidationError


@pytest.mark.parametrize("text", ["26/11/2026", "26/11/26", "26-11-2026", "26.11.2026",
                                  "2026-11-26", "26 Nov 2026", "26 November 2026", " 26/11/2026 "])
def test_formats(text):
    assert parse_typed_date(text, "date") == date(2026, 11, 26)


def test_relative_words_use_the_console_clock():
    with use_clock(FakeClock(datetime(2026, 11, 26, 10, 0))):
        assert parse_typed_date("today", "date") == date(2026, 11, 26)
        assert parse_typed_date("Yesterday", "date") == date(2026, 11, 25)
        assert parse_typed_date("+2w", "date") == date(2026, 12, 10)


def test_blank_and_bad_input_name_the_field():
    assert parse_typed_date("", "date of birth", required=False) is None
    with pytest.raises(ValidationError) as exc:
        parse_typed_date("", "when")
    assert exc.value.field == "when"
    with pytest.raises(ValidationError, match="is not a date"):
        parse_typed_date("31/02/2026", "when")
    with pytest.raises(ValidationError, match="control characters"):
        parse_typed_date("26/11/2026\x1b", "when")


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31)))
def test_what_the_console_shows_reads_back(d):
    assert parse_typed_date(fmt_date(d), "date") == d


@given(st.text(max_size=40))
def test_any_text_is_a_date_or_a_clear_refusal(text):
    try:
        parse_typed_date(text, "date")
    except ValidationError as exc:
        assert exc.field == "date"
