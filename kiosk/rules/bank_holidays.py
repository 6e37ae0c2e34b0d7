"""Where England's bank holidays come from, when not from holidays itself.

kiosk.rules.deadlines asks holidays which days are bank holidays. A console hands it the same
days for CALENDAR_YEARS from elsewhere (kiosk/calendar_cache.py keeps a copy in the data dir) so
that it never imports holidays: `use_calendar(days)`, or `calendar_source(fn)` for a function
asked once, the first time a day is needed. This module imports nothing heavy, so a console can
name its source before anything has needed a deadline (the login screen imports no rules).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

# The years filled in up front (holidays still expands to any other year).
CALENDAR_YEARS = range(2015, 2046)

_lock = threading.Lock()
_given: dict[date, str] | None = None
_source: Callable[[], dict[date, str] | None] | None = None


def _checked(days: dict[date, str]) -> dict[date, str]:
    if any(d.year not in CALENDAR_YEARS for d in days):
        raise ValueError("a bank holiday outside the calendar's years")
    return dict(days)


def use_calendar(days: dict[date, str] | None) -> None:
    """Take England's bank holidays in CALENDAR_YEARS from `days` (what
    deadlines.england_bank_holidays gave, perhaps in another process) instead of holidays;
    other years still come from holidays. None goes back to holidays for every year."""
    global _given, _source
    checked = _checked(days) if days is not None else None
    with _lock:
        _given, _source = checked, None


def calendar_source(source: Callable[[], dict[date, str] | None]) -> None:
    """Ask `source` for the days of CALENDAR_YEARS the first time one is needed (it answers
    as use_calendar takes them; None, or an exception, and holidays answers instead)."""
    global _given, _source
    with _lock:
        _given, _source = None, source


def given_days() -> dict[date, str] | None:
    """The days handed in, asking the source first if it has not been asked; None: ask holidays.

    The source is asked once, under the lock: a thread that needs a day while another is
    asking waits for that answer (a worker that went to holidays meanwhile would import it)."""
    global _given, _source
    if _given is None and _source is not None:
        with _lock:
            source = _source
            if _given is None and source is not None:
                try:
                    days = source()
                    _given = _checked(days) if days is not None else None
                except Exception:  # noqa: BLE001 - holidays answers instead
                    _given = None
                _source = None
    return _given
