"""A screen that has gone leaves nothing behind (issue 19: a console grew to 146 MB in a day).

Textual's TextArea watches `app.theme` and textual-plotext's plot subscribes to the app's
theme signal; Textual drops such a watcher only when the theme changes, which in a console
session is never, so every form and chart ever shown stayed in memory with its screen's
data. The app forgets them (KioskApp.forget_closed_nodes, every second).
"""

from __future__ import annotations

import gc
import weakref

from textual.screen import Screen

from kiosk.widgets.service import ServiceCaller

from tests.console.helpers import console_app, settle


async def _wait_freed(pilot, refs) -> list:
    """What is still alive of `refs` (weak references) after up to three seconds. A stopped
    timer (the cursor's blink) lets go of its widget when the event loop next runs its
    cancelled task: give it a few turns, but anything still held after that is a leak."""
    for _ in range(30):
        await pilot.pause(0.1)
        pilot.app.forget_closed_nodes()
        gc.collect()
        if all(ref() is None for ref in refs):
            break
    return [ref() for ref in refs if ref() is not None]


class _Form(Screen):
    def compose(self):
        from kiosk.widgets.inputs import SafeTextArea
        from textual_plotext import PlotextPlot

        yield SafeTextArea("a record that must not outlive its screen", id="text")
        yield PlotextPlot(id="chart")


async def test_a_closed_form_and_chart_are_freed(settings, database):
    app = console_app(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = _Form()
        await app.push_screen(screen)
        await settle(pilot)
        area = weakref.ref(screen.query_one("#text"))
        chart = weakref.ref(screen.query_one("#chart"))
        screen_ref = weakref.ref(screen)
        del screen
        app.pop_screen()
        await settle(pilot)
        left = await _wait_freed(pilot, [area, chart, screen_ref])
        assert left == [], [gc.get_referrers(obj) for obj in left]


class _Panels(Screen):
    def compose(self):
        from textual.widgets import Static

        for n in range(3):
            yield Static(f"panel {n}", classes="panel")


async def test_a_closed_screens_line_caches_are_freed(settings, database):
    """Textual's StylesCache.get_inner_outer is an lru_cache keyed on the StylesCache itself,
    so it kept the line caches of the last 1,024 widgets drawn, long after their screens
    had gone (kiosk/widgets/textual_fixes.py)."""
    app = console_app(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = _Panels()
        await app.push_screen(screen)
        await settle(pilot)
        caches = [weakref.ref(w._styles_cache) for w in screen.query(".panel")]
        assert caches
        del screen
        app.pop_screen()
        await settle(pilot)
        assert await _wait_freed(pilot, caches) == []


class _Caller(ServiceCaller, Screen):
    def compose(self):
        from textual.widgets import Static

        yield Static("a screen that reads something", id="text")

    def on_mount(self) -> None:
        self.answers = []
        self.run_service(lambda: "an answer", then=self.answers.append)


async def test_a_closed_screen_is_not_kept_by_the_thread_its_worker_ran_on(settings, database):
    """Textual sets its `active_worker` context variable in the executor thread's own
    context and never resets it: the pool thread kept the Worker, and through it the screen,
    until its next job (kiosk.widgets.textual_fixes.forgetting_worker)."""
    app = console_app(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = _Caller()
        await app.push_screen(screen)
        await settle(pilot)
        assert screen.answers == ["an answer"]
        screen_ref = weakref.ref(screen)
        del screen
        app.pop_screen()
        await settle(pilot)
        left = await _wait_freed(pilot, [screen_ref])
        assert left == [], [type(r).__name__ for r in gc.get_referrers(*left)]


def test_the_textual_fix_gives_the_same_colours():
    from textual._styles_cache import StylesCache
    from textual.color import Color

    from kiosk.widgets import textual_fixes

    textual_fixes.apply()
    assert textual_fixes.apply() is False  # applied once, on import of the app
    a, b = Color(10, 20, 30), Color(200, 100, 50, 0.5)
    inner, outer = StylesCache().get_inner_outer(a, b)
    assert inner.background == a + b and outer.background == a


async def test_the_app_keeps_watchers_of_widgets_still_shown(settings, database):
    app = console_app(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = _Form()
        await app.push_screen(screen)
        await settle(pilot)
        assert app.forget_closed_nodes() == 0
        area = screen.query_one("#text")
        assert any(node is area for node, _ in getattr(app, "__watchers")["theme"])
        assert area in app.theme_changed_signal._subscriptions or any(
            node is screen.query_one("#chart") for node in app.theme_changed_signal._subscriptions)


async def test_the_heap_is_handed_back_when_a_session_ends(settings, database, make_user, monkeypatch):
    from kiosk import memory

    from tests.console.helpers import login

    calls = []
    monkeypatch.setattr(memory, "release", lambda: calls.append(True))
    make_user("alice", "staff")
    app = console_app(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "alice")
        await settle(pilot)
        await pilot.pause(1.2)
        assert calls == []  # never during a session
        await app.action_logout()
        await settle(pilot)
        await pilot.pause(1.3)
        assert calls == [True]


def test_the_allocator_calls_work_here():
    from kiosk import memory

    if memory._glibc() is None:
        import pytest

        pytest.skip("not glibc")
    assert memory.limit_arenas(memory.ARENAS)
    memory.release()


_THREAD_HEAP = r"""
import sys, threading
from kiosk import memory

def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024

memory.limit_arenas()  # as the console does at start-up (kiosk.cli.console.start_up)
before = rss()

def work():
    # As a worker thread's read does: a large block glibc maps on its own (a query's result
    # list, a long row), then ~12 MiB of ordinary blocks in the thread's arena, all freed.
    big = bytearray(8 << 20)
    del big
    rows = [bytes(4000 + n % 3000) for n in range(2500)]
    del rows

thread = threading.Thread(target=work)
thread.start()
thread.join()
memory.release()  # as after a session
print(round(rss() - before, 1))
"""


def test_a_threads_freed_heap_goes_back_to_the_system():
    """glibc raises its trim threshold when a large mapped block is freed, and malloc_trim
    never trims the top of a thread's arena: a worker thread's freed ~12 MiB stayed resident
    for the life of the console (kiosk/memory.py pins the thresholds)."""
    import subprocess
    import sys
    from pathlib import Path

    import pytest

    from kiosk import memory

    if memory._glibc() is None or not Path("/proc/self/status").exists():
        pytest.skip("glibc on Linux only")
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", _THREAD_HEAP], cwd=root, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert float(out.stdout) < 4.0  # MiB still resident of the ~12 the thread freed


async def test_the_drawing_caches_are_emptied_when_a_session_ends(settings, database):
    """What a session left in Textual's and Rich's bounded caches (regions, styles, cell
    widths) pinned Python's object arenas: a couple of MiB more after every round of the
    bench (kiosk.widgets.textual_fixes.clear_drawing_caches)."""
    from rich.cells import cached_cell_len
    from textual.geometry import Region

    app = console_app(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.actor is None  # at the login screen, as a second after a sign-out
        region, other = Region(7001, 7001, 9, 9), Region(7002, 7002, 3, 3)
        region.intersection(other)
        cached_cell_len("a line no screen of the console draws")
        hits = Region.intersection.cache_info().hits
        region.intersection(other)
        assert Region.intersection.cache_info().hits == hits + 1  # it was cached
        app._release_session_memory()
        misses = Region.intersection.cache_info().misses
        region.intersection(other)
        assert Region.intersection.cache_info().misses == misses + 1  # and is no longer
        misses = cached_cell_len.cache_info().misses
        cached_cell_len("a line no screen of the console draws")
        assert cached_cell_len.cache_info().misses == misses + 1
