"""One unit of work: a service call with this thread's database connection open around it.

Screens never open the database themselves (they may not import kiosk.db): the base
screen's `run_service` runs every service call in a worker thread through `run()` here,
the way a web framework opens and closes the connection once at its boundary.
"""

from __future__ import annotations

from typing import Any, Callable, TypeVar

from kiosk import db as dbmod

T = TypeVar("T")


def run(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call `fn` with the calling thread's connection opened for it (and closed after)."""
    if dbmod.db.obj is not None and not dbmod.db.is_closed():
        # This thread already holds a connection (the CLI, a test): use it as it is.
        return fn(*args, **kwargs)
    with dbmod.connection():
        return fn(*args, **kwargs)
