"""Corrections to Textual that a console running for days needs (issue 19).

`textual._styles_cache.StylesCache.get_inner_outer` (Textual 8.2) is an instance method
under `functools.lru_cache(1024)`: its parameter is named `cls` but it is no classmethod,
so every call's key holds the widget's StylesCache, and the cache keeps the last 1,024
of them alive with every line they cached (a Strip with seven small caches of its own per
line). In the bench's scripted hour that was ~1,000 caches of widgets long gone, ~7,000
strips, ~49,000 FIFOCaches: tens of MiB held for ever. The colours it computes depend on
the two colours alone, so the same cache keyed on them alone gives the same answers and
holds no widget.

`forgetting_worker()` wraps the work of a thread worker so that the pool thread it ran on
does not keep the Worker (and its screen) afterwards.

`apply()` is idempotent and leaves Textual alone when the method is not the one above
(a later Textual that fixed it).
"""

from __future__ import annotations

import functools
import inspect
from typing import Callable, TypeVar

T = TypeVar("T")


def apply() -> bool:
    """Key StylesCache.get_inner_outer on its colours alone. Returns whether it changed."""
    from textual._styles_cache import StylesCache

    method = StylesCache.__dict__.get("get_inner_outer")
    wrapped = getattr(method, "__wrapped__", None)
    if wrapped is None or not hasattr(method, "cache_clear"):
        return False  # already corrected, or Textual no longer caches it this way
    if list(inspect.signature(wrapped).parameters) != ["cls", "base_background", "background"]:
        return False

    @functools.lru_cache(1024)
    def inner_outer(base_background, background):
        return wrapped(None, base_background, background)

    def get_inner_outer(self, base_background, background):
        return inner_outer(base_background, background)

    get_inner_outer.cache = inner_outer  # type: ignore[attr-defined]
    StylesCache.get_inner_outer = get_inner_outer
    method.cache_clear()
    return True


def forgetting_worker(work: Callable[[], T]) -> Callable[[], T]:
    """`work` for `run_worker(..., thread=True)`, made to let go of its Worker when done.

    Textual runs a thread worker on asyncio's default executor and first sets its
    `active_worker` context variable in the pool thread's own context, which is never reset:
    each pool thread (up to six here) kept the last Worker it ran, and through it that
    worker's screen with everything on it, until its next job, which may never come."""

    @functools.wraps(work)
    def run() -> T:
        from textual.worker import active_worker

        try:
            return work()
        finally:
            active_worker.set(None)  # type: ignore[arg-type]

    return run


def clear_drawing_caches() -> int:
    """Empty the bounded caches of Textual and Rich (functools.lru_cache on their functions
    and methods: regions, styles, cell widths, colours). Returns how many held anything.

    Called when a session ends. They are bounded, but what a session left in them (about
    6,000 regions, styles and segments after one round of the bench) was scattered over
    Python's 1 MiB object arenas, and an arena goes back to the system only when nothing
    in it is left. Emptied, the console at the login screen was ~3 MiB smaller after one
    and after two rounds of the bench (78.9 and 81.4 MiB against 81.9 and 84.8). The
    login screen fills them again with its own few entries."""
    import sys

    cleared = 0
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith(("textual.", "rich.", "textual_plotext.")):
            continue
        for value in list(vars(module).values()):
            if isinstance(value, type) and value.__module__ == name:
                candidates = list(vars(value).values())
            else:
                candidates = [value]
            for candidate in candidates:
                if isinstance(candidate, (staticmethod, classmethod)):
                    candidate = candidate.__func__
                if isinstance(candidate, functools._lru_cache_wrapper) and candidate.cache_info().currsize:
                    candidate.cache_clear()
                    cleared += 1
    inner_outer = getattr(_styles_cache_method(), "cache", None)
    if isinstance(inner_outer, functools._lru_cache_wrapper):
        inner_outer.cache_clear()
    return cleared


def _styles_cache_method():
    from textual._styles_cache import StylesCache

    return StylesCache.__dict__.get("get_inner_outer")
