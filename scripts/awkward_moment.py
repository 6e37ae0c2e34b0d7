"""Pick the awkward moment the PostgreSQL pass of the suite runs at, under libfaketime.

07:05 in England on the first working day after the next bank holiday in England and Wales:
before school starts, after a long weekend, so code that quietly assumes "a time earlier today",
"yesterday was a working day" or "the date CI ran on" fails in CI rather than at a school.
Worked out from the real date on every run, so it never goes stale.

Prints the offset for libfaketime (`+<seconds>` relative to the real clock, so every process of
the run, xdist workers included, shares one clock that keeps moving) and, with --describe, the
moment in words. Relative offsets also spare us libfaketime reading an absolute time in the
machine's time zone.

    faketime -f "$(python scripts/awkward_moment.py)" pytest ...
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
AT = time(7, 5)


def awkward_day(after: date) -> date:
    """The first working day after the first bank holiday strictly after `after`."""
    years = range(after.year, after.year + 3)
    bank = holidays.country_holidays("GB", subdiv="ENG", years=years)
    holiday = min(d for d in bank if d > after)
    day = holiday + timedelta(days=1)
    while day.weekday() >= 5 or day in bank:
        day += timedelta(days=1)
    return day


def awkward_moment(now_utc: datetime) -> datetime:
    """The moment (aware, Europe/London) for a run that starts at `now_utc` (aware)."""
    day = awkward_day(now_utc.astimezone(LONDON).date())
    return datetime.combine(day, AT, tzinfo=LONDON)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--describe", action="store_true", help="print the moment in words")
    args = parser.parse_args(argv)
    now = datetime.now(timezone.utc)
    moment = awkward_moment(now)
    if args.describe:
        print(moment.strftime("%H:%M %Z on %A %d %B %Y"))
    else:
        print(f"+{int((moment - now).total_seconds())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
