"""Loaded by every Python process of the test run under libfaketime (scripts/test.sh puts this
directory on PYTHONPATH for the PostgreSQL pass only).

libfaketime 0.9.10 (Debian 12) with FAKETIME_DONT_FAKE_MONOTONIC=1 mangles the absolute
CLOCK_MONOTONIC deadline Python 3.11+ hands to clock_nanosleep, so time.sleep() fails with
EINVAL (wolfcw/libfaketime#426). Faking the monotonic clock instead hangs every lock wait with a
timeout (sem_clockwait is not intercepted). So the monotonic clock stays real and time.sleep
waits in select(), which libfaketime leaves alone for a relative timeout.
"""

import select
import time

_real_sleep = time.sleep


def _sleep(seconds: float) -> None:
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    # select() restarts with the remaining time after a signal (PEP 475), like time.sleep.
    select.select([], [], [], seconds)


_sleep.__doc__ = _real_sleep.__doc__
time.sleep = _sleep
