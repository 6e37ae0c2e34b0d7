"""One unit of work: a service call with this thread's database connection open around it.

Screens never open the database themselves (they may not import kiosk.db): the base
screen's `run_service` runs every service call in a worker thread through `run()` here,
the way a web framework opens and closes the connection once at its boundary.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, TypeVar

from kiosk import db as dbmod

T = TypeVar("T")

# Calls running now in other threads, so that the end of a session is recorded after them
# (a home count loading when the SSH connection drops must not be audited after the logout).
_running = 0
_idle = threading.Condition()


def run(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call `fn` with the calling thread's connection opened for it (and closed after)."""
    if dbmod.db.obj is not None and not dbmod.db.is_closed():
        # This thread already holds a connection (the CLI, a test): use it as it is.
        return fn(*args, **kwargs)
    global _running
    with _idle:
        _running += 1
    try:
        with dbmod.connection():
            return fn(*args, **kwargs)
    finally:
        with _idle:
            _running -= 1
            _idle.notify_all()


def wait_idle(timeout: float) -> bool:
    """Wait up to `timeout` seconds for the service calls running in workers to finish."""
    with _idle:
        return _idle.wait_for(lambda: _running == 0, timeout)
