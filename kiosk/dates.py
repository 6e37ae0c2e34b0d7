"""Dates as people type them, read the same way on every form.

26/11/2026, 26/11/26, 26-11-2026, 26.11.2026, 2026-11-26, 26 Nov 2026, 26 November 2026,
"today", "yesterday", "tomorrow", and "+3d" / "+2w" for a review date ahead. Whether a date
may be in the future is each service's rule, not the parser's.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from kiosk.clock import today
from kiosk.errors import ValidationError
from kiosk.text import clean

DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d %b %Y", "%d %B %Y")


def parse_typed_date(text: str | date | None, field: str, *, required: bool = True,
                     calendar=None, label: str | None = None) -> date | None:
    """The date in `text`, None when blank and not required; ValidationError naming `field`
    (called `label` in the message, if given).

    With a school `calendar` (kiosk.rules.deadlines.WorkingCalendar), "+6w" means six weeks
    of school and "+3d" three school days, so a review set before a holiday does not land in it."""
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    value = clean(text, field, required=required, max_length=40, label=label)
    if not value:
        return None
    low = value.lower()
    relative = {"today": 0, "yesterday": -1, "tomorrow": 1}
    if low in relative:
        return today() + timedelta(days=relative[low])
    m = re.fullmatch(r"\+(\d{1,3})([dw])", low)
    if m:
        n = int(m.group(1))
        if calendar is not None:
            return (calendar.add_school_weeks(today(), n) if m.group(2) == "w"
                    else calendar.add_school_days(today(), n))
        return today() + timedelta(days=n * (7 if m.group(2) == "w" else 1))
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValidationError(field, f"{value!r} is not a date (write it as DD/MM/YYYY, e.g. 26/11/2026)",
                          label)


def fmt_date(d: date) -> str:
    return d.strftime("%d/%m/%Y")


DATETIME_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d %H:%M")


def parse_typed_datetime(text: str | None, field: str, *, label: str | None = None) -> datetime | None:
    """'DD/MM/YYYY HH:MM' in England's time -> naive UTC; blank is None (meaning now)."""
    from kiosk.clock import to_utc

    value = clean(text, field, max_length=40, label=label)
    if not value:
        return None
    for fmt in DATETIME_FORMATS:
        try:
            return to_utc(datetime.strptime(value, fmt))
        except ValueError:
            continue
    raise ValidationError(field, "write it as DD/MM/YYYY HH:MM, or leave it blank for now", label)
