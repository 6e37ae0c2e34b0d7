"""Keeping one long-running console process small (issue 19).

A console runs for days. Each session's screens, query results and worker threads are
freed when it ends, but glibc's allocator keeps the freed pages: every thread that
allocates gets an arena of its own (Textual workers run database reads in threads), and a
page is handed back to the system only when it is trimmed. Measured with the bench's
scripted hour (kiosk/bench/hour.py), a console that had shown every screen held ~20 MiB
of such free pages. So the console limits the arenas at start-up and trims the heap when a
session ends (the login screen is back and nothing of the session is left).

Trimming is not enough on its own: `malloc_trim` gives back the free pages inside an
arena and the free top of the main heap, but never the free top of a thread's arena, and
glibc trims that top on free() only beyond a threshold that it raises by itself each time
a block it had mapped on its own (128 KiB or more) is freed: to twice that block's size,
up to 64 MiB. After one round of the
bench the worker threads' arena held a ~20 MiB free top that nothing would give back
(seen with malloc_info: 25 MiB mapped, 21.7 MiB of it free, 23.8 MiB resident). So the
thresholds are pinned at glibc's own starting values, which also turns off their rise:
a thread arena's top beyond 128 KiB goes back at once, and blocks of 128 KiB or more are
mapped and unmapped on their own.

Both are no-ops where the C library is not glibc.
"""

from __future__ import annotations

import ctypes
import gc
import logging

log = logging.getLogger(__name__)

M_TRIM_THRESHOLD = -1  # glibc malloc.h
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
ARENAS = 2
THRESHOLD = 128 * 1024  # glibc's default for both, before it raises them

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


def limit_arenas(arenas: int = ARENAS, threshold: int = THRESHOLD) -> bool:
    """At start-up, before any thread allocates: at most `arenas` malloc arenas, and the
    trim and mmap thresholds fixed at `threshold` bytes (glibc no longer raises them)."""
    libc = _glibc()
    if libc is None:
        return False
    pinned = bool(libc.mallopt(M_MMAP_THRESHOLD, threshold)) & bool(libc.mallopt(M_TRIM_THRESHOLD, threshold))
    return bool(libc.mallopt(M_ARENA_MAX, arenas)) and pinned


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
