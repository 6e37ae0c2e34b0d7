"""Time for the whole console: one replaceable clock, stored times in naive UTC.

Records store naive UTC datetimes so the audit chain hashes the same text on SQLite and
PostgreSQL. People see Europe/London time; deadlines are worked out in local time by
kiosk.rules and converted back with `to_utc`. Tests swap the clock with `use_clock`.
"""

from __future__ import annotations

import contextlib
import functools
from datetime import date, datetime, time, timedelta, timezone
from typing import Callable, Iterator
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def _system_now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


_clock: Callable[[], datetime] = _system_now


def utcnow() -> datetime:
    """The current time as naive UTC (what the database stores)."""
    return _clock()


def local_now() -> datetime:
    """The current wall-clock time in England, naive."""
    return to_local(utcnow())


def today() -> date:
    return local_now().date()


def to_local(utc: datetime) -> datetime:
    """Naive UTC -> naive Europe/London (for display and deadline rules)."""
    return utc.replace(tzinfo=timezone.utc).astimezone(LONDON).replace(tzinfo=None)


def to_utc(local: datetime) -> datetime:
    """Naive Europe/London -> naive UTC (for storage)."""
    return local.replace(tzinfo=LONDON).astimezone(timezone.utc).replace(tzinfo=None)


@functools.lru_cache(maxsize=8192)
def local_time_utc(day: date, hour: int = 0, minute: int = 0) -> datetime:
    """A local date and time of day as naive UTC (`to_utc`), remembered: the chronology
    asks the same few days again and again, and each conversion costs microseconds."""
    return to_utc(datetime.combine(day, time(hour, minute)))


def on_local_day(utc: datetime, day: date) -> bool:
    """Whether a naive UTC moment falls on this local date (`to_local(utc).date() == day`)
    without converting it: between the day's local midnight and the next, in UTC."""
    return local_time_utc(day) <= utc < local_time_utc(day + timedelta(days=1))


def fmt_local(utc: datetime | None, with_seconds: bool = False) -> str:
    if utc is None:
        return ""
    return to_local(utc).strftime("%d %b %Y %H:%M:%S" if with_seconds else "%d %b %Y %H:%M")


def set_clock(fn: Callable[[], datetime] | None) -> None:
    global _clock
    _clock = fn or _system_now


@contextlib.contextmanager
def use_clock(fn: Callable[[], datetime]) -> Iterator[None]:
    """Run a block with another clock (tests: a FakeClock instance)."""
    previous = _clock
    set_clock(fn)
    try:
        yield
    finally:
        set_clock(previous)


class FakeClock:
    """A clock that stands still until told to move: `clock.advance(seconds=300)`."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 26, 10, 0, 0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        from datetime import timedelta

        self.now = self.now + timedelta(**delta)
