"""Issue 12, sign-in: the person is told on screen of failed attempts on their account and of
a password reset by an administrator since their last visit, including when the sign-in that
followed the reset stopped at the forced password change."""

from __future__ import annotations

import pytest

from kiosk.errors import AuthError
from kiosk.screens.session.home import HomeScreen
from kiosk.screens.session.password import PasswordScreen
from kiosk.services import accounts
from tests.conftest import STRONG_PASSWORD
from tests.console.helpers import console_app, settle, sign_procedures, submit_login, type_into

SIZE = (80, 24)
TEMPORARY = "violet-harbour-tram-73"


async def test_failed_attempts_are_told_at_the_next_sign_in(settings, make_user):
    make_user("alice", "staff")
    for _ in range(2):
        with pytest.raises(AuthError):
            accounts.authenticate("alice", "not-her-password")
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await submit_login(pilot, "alice", STRONG_PASSWORD)
        await sign_procedures(pilot)  # (the login helper clears the toasts after this)
        assert isinstance(app.screen, HomeScreen)
        told = " ".join(n.message for n in app._notifications)
        assert "2 failed sign-in attempts on your account" in told


async def test_a_reset_is_told_even_after_a_sign_in_that_left_at_the_forced_change(
        settings, make_user, admin):
    make_user("alice", "staff")
    accounts.reset_password(admin, "alice", TEMPORARY)
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        # First sign-in after the reset: she leaves at the forced change.
        await submit_login(pilot, "alice", TEMPORARY)
        assert isinstance(app.screen, PasswordScreen)
        await pilot.press("escape")
        await settle(pilot)
        # Next time she changes it and reaches her home screen.
        await submit_login(pilot, "alice", TEMPORARY)
        assert isinstance(app.screen, PasswordScreen)
        await type_into(pilot, "#current", TEMPORARY)
        await type_into(pilot, "#new", "amber-kettle-orbit-58")
        await type_into(pilot, "#confirm", "amber-kettle-orbit-58")
        await pilot.press("enter")
        await settle(pilot)
        await sign_procedures(pilot)
        assert isinstance(app.screen, HomeScreen)
        told = " ".join(n.message for n in app._notifications)
        assert "Your password was reset by the IT administrator" in told
