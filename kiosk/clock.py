"""Time for the whole console: one replaceable clock, stored times in naive UTC.

Records store naive UTC datetimes so the audit chain hashes the same text on SQLite and
PostgreSQL. People see Europe/London time; deadlines are worked out in local time by
kiosk.rules and converted back with `to_utc`. Tests swap the clock with `use_clock`.
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime, timezone
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
