"""Alerts that arrive while a console is open (issue 12): a content-free notice within the
poll interval wherever the user is, a bell when urgent, home counts that follow; nothing for
anyone who may not be told. The concern is recorded through the service, as another
console (another process, over SSH) would: the database is the only channel."""

from __future__ import annotations

import pytest

from tests.console.helpers import console_app, login, screen_text, settle, wait_until

PHRASE = "Zebra-Quokka lighthouse 4471"


def _notices(app) -> list[str]:
    return [f"{n.title} {n.message}" for n in app._notifications]


def _counts(app) -> str:
    from kiosk.screens.session.home import HomeScreen

    home = next(s for s in app.screen_stack if isinstance(s, HomeScreen))
    return " ".join(str(w.render()) for w in home.query(".home-count"))


def _quick(settings, **kw):
    """For tests that wait to see nothing happen: poll often so the wait is short."""
    app = console_app(settings, **kw)
    app.ALERT_POLL_SECONDS = 0.3
    return app


def _bounded(app) -> float:
    # Within the poll interval, with room for a loaded CI machine to schedule the thread.
    return app.ALERT_POLL_SECONDS + 3.0


async def _polled_twice_more(pilot) -> None:
    """Wait (bounded) until the watcher has polled twice since now: anything it was going
    to announce has been announced."""
    watcher = pilot.app.alert_watcher
    start = watcher.polls
    await wait_until(pilot, lambda: watcher.polls >= start + 2, timeout=3 * _bounded(pilot.app))


async def test_dsl_is_told_wherever_they_are_without_content(settings, school, record, monkeypatch):
    from kiosk.screens.session.home import HomeScreen

    app = console_app(settings)
    bells = []
    monkeypatch.setattr(app, "bell", lambda: bells.append(1))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "dsl")
        assert isinstance(app.screen, HomeScreen)
        assert "0 Unread concern alerts" in " ".join(_counts(app).split())
        # At home: the counts change by themselves.
        record(words=PHRASE, description=f"Saw {PHRASE} at break.", why_concern=PHRASE)
        await wait_until(pilot, lambda: _notices(app), timeout=_bounded(app))
        await wait_until(pilot, lambda: "1 Unread concern alerts" in " ".join(_counts(app).split()),
                         timeout=_bounded(app))
        assert bells == []  # not urgent: no bell
        first = _notices(app)
        assert len(first) == 1 and "concern was recorded at 10:00" in first[0]
        assert "inbox (i)" in first[0]
        app.clear_notifications()
        await pilot.pause()
        # Somewhere else in the console: the procedures.
        await pilot.press("d")
        await settle(pilot)
        assert not isinstance(app.screen, HomeScreen)
        school.clock.advance(minutes=4)  # less than the idle lock
        record(words=PHRASE, description=f"{PHRASE} again.", urgent=True,
               pupils=[(school.pupils["ben"].id, "subject")])
        await wait_until(pilot, lambda: _notices(app), timeout=_bounded(app))
        second = _notices(app)
        assert len(second) == 1 and "An urgent concern was recorded at 10:04" in second[0]
        assert bells == [1]
        # Nothing of the record anywhere in what the console said or shows.
        for text in first + second + [screen_text(app)]:
            for secret in (PHRASE, "Amara", "Abbott", "Ben", "Brennan", "Physical", "Ms Teacher"):
                assert secret not in text
        # Back home without any other move: the counts already include both.
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        counts = " ".join(_counts(app).split())
        assert "2 Unread concern alerts" in counts
        assert "1 Urgent concerns not yet acknowledged" in counts


async def test_deputy_over_ssh_origin_is_told_too(settings, school, record):
    app = console_app(settings, origin="ssh:203.0.113.5:40000")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "deputy")
        record(words=PHRASE)
        await wait_until(pilot, lambda: _notices(app), timeout=_bounded(app))
        assert all(PHRASE not in n for n in _notices(app))


@pytest.mark.parametrize("who", ["teacher", "pastoral", "governor", "itadmin"])
async def test_others_are_told_nothing(settings, school, record, who):
    app = _quick(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, who)
        app.clear_notifications()
        record(who="teacher2", words=PHRASE, urgent=True)
        await _polled_twice_more(pilot)
        assert _notices(app) == []


async def test_demoted_deputy_is_told_nothing(settings, school, record, admin, monkeypatch):
    from kiosk.services import accounts

    app = _quick(settings)
    bells = []
    monkeypatch.setattr(app, "bell", lambda: bells.append(1))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "deputy")
        app.clear_notifications()
        # Still holding the old roles in this console, but no longer on the DSL team.
        accounts.set_roles(admin, "deputy", ["staff"])
        record(words=PHRASE, urgent=True)
        await _polled_twice_more(pilot)
        assert _notices(app) == [] and bells == []


async def test_no_notice_reaches_the_login_screen(settings, school, record):
    from kiosk.screens.session.login import LoginScreen

    app = _quick(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "dsl")
        await pilot.press("f12")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        record(words=PHRASE, urgent=True)
        await _polled_twice_more(pilot)
        assert _notices(app) == []


def test_cursor_tells_each_alert_once_and_checks_the_account_as_it_is_now(school, record, admin):
    from kiosk.services import accounts
    from kiosk.services.alerts import AlertCursor

    dsl, deputy = school.users["dsl"], school.users["deputy"]
    record()  # before the consoles opened: not news
    cur_dsl, cur_deputy = AlertCursor(dsl), AlertCursor(deputy)
    assert cur_dsl.poll() == [] and cur_deputy.poll() == []
    record(urgent=True)
    told = cur_dsl.poll()
    assert [(n.kind, n.urgent) for n in told] == [("child_concern", True)]
    assert cur_dsl.poll() == []  # once
    # Raised while the deputy was on the team, demoted before the poll: not told.
    accounts.set_roles(admin, "deputy", ["staff"])
    assert cur_deputy.poll() == []
    accounts.set_roles(admin, "deputy", ["deputy_dsl"])
    assert cur_deputy.poll() == []  # and not later either: it was dealt with
    accounts.deactivate(admin, "dsl")
    record()
    assert cur_dsl.poll() == []


def test_headteacher_is_told_of_an_allegation_about_an_adult(school):
    from kiosk.rules import load_profile
    from kiosk.rules.routing import HarmsAnswers
    from kiosk.services import adults
    from kiosk.services.alerts import AlertCursor, notice_text

    head = school.users["head"]
    cursor = AlertCursor(head)
    adults.raise_concern(school.users["teacher"], load_profile(None),
                         subject_user_id=school.users["teacher2"].user_id,
                         answers=HarmsAnswers(harmed_child=True),
                         what_happened=PHRASE, happened_when="Tuesday")
    told = cursor.poll()
    assert [(n.kind, n.urgent) for n in told] == [("adult_allegation", True)]
    text = notice_text(told)
    assert "register (g)" in text and PHRASE not in text and "Other Teacher" not in text


def test_cursor_catches_an_alert_that_commits_after_a_newer_one(school):
    """PostgreSQL hands out ids before commit, so a lower id can become visible after a higher
    one was seen; the cursor looks back (there) and tells it once."""
    from kiosk.models import Alert
    from kiosk.services import alerts

    dsl = school.users["dsl"]
    cursor = alerts.AlertCursor(dsl)
    cursor.lookback = alerts.LOOKBACK_IDS  # as on PostgreSQL (SQLite commits in id order)
    base = cursor.high + 100

    def alert(i):
        Alert.create(id=i, recipient=dsl.user_id, kind="child_concern", record_type="concern",
                     record_id=1, label="", raised_by="", urgent=False)

    alert(base + 10)
    assert [n.id for n in cursor.poll()] == [base + 10]
    alert(base + 5)  # committed late
    assert [n.id for n in cursor.poll()] == [base + 5]
    assert cursor.poll() == []


async def test_headteacher_is_told_of_an_allegation_in_the_console(settings, school, monkeypatch):
    from kiosk.rules import load_profile
    from kiosk.rules.routing import HarmsAnswers
    from kiosk.services import adults

    app = console_app(settings)
    bells = []
    monkeypatch.setattr(app, "bell", lambda: bells.append(1))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "head")
        app.clear_notifications()
        assert "New concerns about adults" not in _counts(app)
        adults.raise_concern(school.users["teacher"], load_profile(None),
                             subject_user_id=school.users["teacher2"].user_id,
                             answers=HarmsAnswers(harmed_child=True),
                             what_happened=PHRASE, happened_when="Tuesday")
        await wait_until(pilot, lambda: _notices(app), timeout=_bounded(app))
        (notice,) = _notices(app)
        assert "register (g)" in notice and "(urgent)" in notice and bells == [1]
        for secret in (PHRASE, "Other Teacher", "Ms Teacher", "allegation", "Allegation"):
            assert secret not in notice
        await wait_until(pilot, lambda: "New concerns about adults" in _counts(app), timeout=_bounded(app))


async def test_watcher_threads_end_with_the_console(settings, school):
    import threading

    from tests.concerns.helpers import mail_settings

    app = console_app(settings.with_(mail=mail_settings(9)))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "dsl")
        names = {t.name for t in threading.enumerate()}
        assert {"alert watcher", "mail sender"} <= names
    assert not {"alert watcher", "mail sender"} & {t.name for t in threading.enumerate()}


RECORD_IN_ANOTHER_PROCESS = r"""
import sys
from datetime import timedelta
from kiosk import schema
from kiosk.clock import today
from kiosk.config import Settings
from kiosk.models import User
from kiosk.services import accounts, concerns
from pathlib import Path

data_dir, db_url, pupil_id = sys.argv[1], sys.argv[2] or None, int(sys.argv[3])
schema.open_database(Settings(data_dir=Path(data_dir), db_url=db_url))
teacher = accounts.actor_for(User.get(User.username == "teacher"), "ssh:192.0.2.1:5000")
concerns.record_concern(teacher, token=concerns.new_submission_token(), pupils=[(pupil_id, "subject")],
                        occurred_on=today() - timedelta(days=1), source="child_told",
                        categories=["physical_abuse"], words=sys.argv[4], description=sys.argv[4])
"""


async def test_a_concern_recorded_by_another_process_reaches_the_console(settings, school):
    """Each SSH console is its own process: the database is the only channel between them."""
    import asyncio
    import sys

    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "dsl")
        app.clear_notifications()
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", RECORD_IN_ANOTHER_PROCESS, str(settings.data_dir),
            settings.db_url or "", str(school.pupils["amara"].id), PHRASE)
        assert await asyncio.wait_for(proc.wait(), 60) == 0
        await wait_until(pilot, lambda: _notices(app), timeout=_bounded(app))
        assert "concern was recorded" in _notices(app)[0] and PHRASE not in _notices(app)[0]
