"""Paragraph 19: the procedures' review date on the head's and admin's homes and the procedures screen."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from kiosk.screens.help.procedures import ProceduresScreen
from tests.console.helpers import console_app, login, screen_text, settle

SIZE = (80, 24)


@pytest.mark.parametrize("role", ["headteacher", "admin"])
async def test_home_warns_when_the_review_date_has_passed(settings, make_user, fake_clock, role):
    make_user("boss", role)
    app = console_app(settings)
    # The day after the profile's next review date, whatever that is.
    fake_clock.now = datetime.combine(app.profile.next_review + timedelta(days=1), time(10))
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "boss")
        text = screen_text(app)
        assert f"Procedures review overdue since {app.profile.next_review:%d %b %Y}" in text
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ProceduresScreen)
        assert "OVERDUE" in str(app.screen.query_one("#proc-review").content)


async def test_no_warning_before_the_review_date_and_the_screen_shows_version_and_dates(
        settings, make_user, fake_clock):
    make_user("boss", "headteacher")
    app = console_app(settings)
    p = app.profile
    fake_clock.now = datetime.combine(p.next_review - timedelta(days=1), time(10))
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "boss")
        assert "review overdue" not in screen_text(app)
        await pilot.press("d")
        await settle(pilot)
        text = screen_text(app)
        assert f"Version {p.procedures_version}" in text
        assert f"last reviewed {p.last_review:%d %b %Y}" in text
        assert f"next review due {p.next_review:%d %b %Y}" in text
        assert "OVERDUE" not in text


async def test_the_agree_button_is_never_under_the_footer(settings, make_user):
    from kiosk.screens.session.signoff import SignoffScreen
    from kiosk.widgets.footer import KioskFooter

    make_user("newbie", "dsl")  # the most keys in the footer: it wraps
    app = console_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "newbie", sign=False)
        assert isinstance(app.screen, SignoffScreen)
        await settle(pilot)
        footer = app.screen.query_one(KioskFooter)
        agree = app.screen.query_one("#agree")
        assert not agree.region.overlaps(footer.region), (agree.region, footer.region)
        assert "I have read and agree" in screen_text(app)


async def test_on_the_demo_school_the_heads_warnings_are_on_screen_at_80x24(
        settings, database, fake_clock):
    """Issue 12 (paragraph 19 and 80x24): on the demo school the head has a dozen counts, and
    the review warning and "LADO contact OVERDUE" came after the nine that fit."""
    from kiosk.demo import seed

    seed(pupils=80)
    app = console_app(settings)
    fake_clock.now = datetime.combine(app.profile.next_review + timedelta(days=1), time(10))
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "head", "kiosk-demo-pass")
        text = screen_text(app)
        assert "Procedures review overdue since" in text
        assert "LADO contact OVERDUE" in text
