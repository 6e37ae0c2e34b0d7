"""A burst of keys at the login screen (a password manager's auto-type, SSH latency):
`user<Tab>password<Enter>` in one write must sign in, never leave the password in the
visible username field."""

from __future__ import annotations

from textual import events

from kiosk.screens.session.login import LoginScreen
from tests.conftest import STRONG_PASSWORD
from tests.console.helpers import console_app, screen_text, settle, wait_until

SIZE = (80, 24)


def _burst(app, text: str) -> None:
    """Queue every key at once, as the terminal driver does for one read of many bytes."""
    for ch in text:
        if ch == "\t":
            key = events.Key("tab", "\t")
        elif ch == "\r":
            key = events.Key("enter", "\r")
        else:
            key = events.Key(ch if ch.isalnum() else {"-": "minus"}.get(ch, ch), ch)
        app.post_message(key)


async def test_username_tab_password_enter_in_one_burst_signs_in(settings, make_user):
    make_user("teacher", "staff")
    app = console_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        _burst(app, f"teacher\t{STRONG_PASSWORD}\r")
        await settle(pilot)
        shown = screen_text(app)
        assert STRONG_PASSWORD not in shown
        await wait_until(pilot, lambda: app.actor is not None, timeout=15)
        assert app.actor.username == "teacher"


async def test_a_burst_never_shows_the_password_in_the_username_field(settings, make_user):
    make_user("teacher", "staff")
    app = console_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _burst(app, f"teacher\t{STRONG_PASSWORD}")  # no Enter yet
        await settle(pilot)
        screen = app.screen
        assert screen.query_one("#username").value == "teacher"
        assert screen.query_one("#password").value == STRONG_PASSWORD
        assert STRONG_PASSWORD not in screen_text(app)
