"""Keeping one long-running console process small (issue 19).

A console runs for days. Each session's screens, query results and worker threads are
freed when it ends, but glibc's allocator keeps the freed pages: every thread that
allocates gets an arena of its own (Textual workers run database reads in threads), and a
page is handed back to the system only when it is trimmed. Measured with the bench's
scripted hour (kiosk/bench/hour.py), a console that had shown every screen held ~20 MiB
of such free pages. So the console limits the arenas at start-up and trims the heap when a
session ends (the login screen is back and nothing of the session is left).

Both are no-ops where the C library is not glibc.
"""

from __future__ import annotations

import ctypes
import gc
import logging

log = logging.getLogger(__name__)

M_ARENA_MAX = -8  # glibc malloc.h
ARENAS = 2

_libc = None


def _glibc():
    global _libc
    if _libc is None:
        try:
            lib = _load_libc()
            lib.malloc_trim  # glibc only
            lib.mallopt
        except (OSError, AttributeError):
            lib = False
        _libc = lib
    return _libc or None


def _load_libc():
    # glibc's own soname first: ctypes.util.find_library runs `ldconfig -p` in a subprocess
    # (~50 ms of every start-up, before the login screen).
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:
        from ctypes.util import find_library

        return ctypes.CDLL(find_library("c") or "libc.so.6")


def limit_arenas(arenas: int = ARENAS) -> bool:
    """At start-up, before any thread allocates: at most `arenas` malloc arenas."""
    libc = _glibc()
    if libc is None:
        return False
    return bool(libc.mallopt(M_ARENA_MAX, arenas))


def release() -> None:
    """After a session ends: collect what it left in reference cycles, then hand the
    allocator's free pages back to the system."""
    gc.collect()
    libc = _glibc()
    if libc is not None:
        try:
            libc.malloc_trim(0)
        except OSError:  # pragma: no cover
            log.debug("malloc_trim failed", exc_info=True)
