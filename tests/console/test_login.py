"""Journeys through the login screen: success, the generic failure, lockout, forced
password change, and remote (SSH) sessions with the username fixed."""

from __future__ import annotations

import pytest

from kiosk.models import AuditEvent, ProcedureSignoff, User
from kiosk.screens.session.home import HomeScreen
from kiosk.screens.session.login import LoginScreen
from kiosk.screens.session.password import PasswordScreen
from kiosk.screens.session.signoff import SignoffScreen
from kiosk.services import accounts
from tests.conftest import STRONG_PASSWORD

# Passwords are typed here: the login screen's argon2 worker runs at the real cost.
pytestmark = pytest.mark.real_argon2
from tests.console.helpers import (console_app, login, screen_text, settle, sign_procedures,
                                   submit_login, type_into)

SIZE = (80, 24)


def actions() -> list[str]:
    return [e.action for e in AuditEvent.select().order_by(AuditEvent.seq)]


async def test_login_success_lands_on_home(settings, make_user):
    make_user("alice", "dsl", full_name="Alice Example")
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert app.profile.school_name in screen_text(app)
        await login(pilot, "alice")
        assert isinstance(app.screen, HomeScreen)
        assert app.actor.username == "alice"
        text = screen_text(app)
        assert "Alice Example" in text
        assert "Record a concern about a child" in text
    assert "login.success" in actions()
    assert "procedures.sign" in actions()


async def test_login_failure_message_is_generic(settings, make_user):
    make_user("alice", "staff")
    app = console_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await submit_login(pilot, "alice", "not the right password")
        assert app.actor is None
        assert isinstance(app.screen, LoginScreen)
        wrong = screen_text(app)
        assert accounts.GENERIC_LOGIN_FAILURE in wrong
        assert app.screen.query_one("#password").value == ""
        await submit_login(pilot, "nobody", "not the right password")
        assert accounts.GENERIC_LOGIN_FAILURE in screen_text(app)
        assert app.actor is None


async def test_empty_fields_ask_without_checking(settings, make_user):
    make_user("alice", "staff")
    app = console_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await submit_login(pilot, "alice", "")
        assert "Enter your username and password." in screen_text(app)
    assert "login.failure" not in actions()


async def test_lockout_message_after_five_failures(settings, make_user):
    make_user("alice", "staff")
    app = console_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for _ in range(accounts.MAX_FAILURES):
            await submit_login(pilot, "alice", "wrong password again")
        text = screen_text(app)
        assert "locked" in text and "IT administrator" in text
        # Even the right password is refused while locked.
        await submit_login(pilot, "alice", STRONG_PASSWORD)
        assert app.actor is None
        assert "locked" in screen_text(app)
    assert "account.lockout" in actions()


async def test_forced_password_change_then_signoff_then_home(settings, make_user):
    make_user("newbie", "staff", must_change=True)
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await submit_login(pilot, "newbie", STRONG_PASSWORD)
        assert isinstance(app.screen, PasswordScreen)
        # Escape does not skip the change.
        # Mismatched new passwords are refused before any hashing.
        await type_into(pilot, "#current", STRONG_PASSWORD)
        await type_into(pilot, "#new", "lantern-meadow-quartz-77")
        await type_into(pilot, "#confirm", "lantern-meadow-quartz-78")
        await pilot.press("enter")
        await settle(pilot)
        assert "differ" in screen_text(app)
        assert isinstance(app.screen, PasswordScreen)
        # A weak password is refused by the policy, with the reason.
        await type_into(pilot, "#current", STRONG_PASSWORD)
        await type_into(pilot, "#new", "short")
        await type_into(pilot, "#confirm", "short")
        await pilot.press("enter")
        await settle(pilot)
        assert "at least" in screen_text(app)
        await type_into(pilot, "#current", STRONG_PASSWORD)
        await type_into(pilot, "#new", "lantern-meadow-quartz-77")
        await type_into(pilot, "#confirm", "lantern-meadow-quartz-77")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SignoffScreen)
        await sign_procedures(pilot)
        assert isinstance(app.screen, HomeScreen)
    user = User.get(User.username == "newbie")
    assert not user.must_change_password
    accounts.authenticate("newbie", "lantern-meadow-quartz-77")


async def test_escape_on_forced_password_change_signs_out(settings, make_user):
    make_user("newbie", "staff", must_change=True)
    app = console_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await submit_login(pilot, "newbie", STRONG_PASSWORD)
        assert isinstance(app.screen, PasswordScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert app.actor is None
    assert actions()[-1] == "session.logout"


async def test_remote_session_fixes_username_and_checks_roles(settings, make_user):
    make_user("alice", "dsl")
    app = console_app(settings, origin="ssh:203.0.113.5:50000", remote_user="alice")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not app.screen.query("#username")
        assert "alice" in screen_text(app)
        await login(pilot, "alice")
        assert isinstance(app.screen, HomeScreen)
        assert app.actor.origin == "ssh:203.0.113.5:50000"
    success = AuditEvent.select().where(AuditEvent.action == "login.success").get()
    assert success.origin == "ssh:203.0.113.5:50000"


async def test_remote_session_refuses_roles_not_allowed_remotely(settings, make_user):
    make_user("bob", "staff")
    app = console_app(settings, origin="ssh:203.0.113.5:50001", remote_user="bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await submit_login(pilot, "bob", STRONG_PASSWORD)
        assert app.actor is None
        assert "may not use the console from here" in screen_text(app)
    assert "login.refused_role" in actions()
    assert not ProcedureSignoff.select().exists()


async def test_no_sign_in_before_the_records_are_open(settings, make_user, monkeypatch):
    """`kiosk run` opens the database once the login screen is drawn: a sign-in asked for
    before then waits, without the account store being asked anything, and goes on once the
    database is open (kiosk.app.KioskApp, open_records)."""
    import threading

    from tests.console.helpers import pass_second_factor, wait_until

    make_user("alice", "staff")
    opened = threading.Event()
    asked = []
    real = accounts.authenticate

    def authenticate(username, *args, **kwargs):
        asked.append(username)
        return real(username, *args, **kwargs)

    monkeypatch.setattr(accounts, "authenticate", authenticate)
    app = console_app(settings, open_records=lambda: opened.wait(30))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen) and not app.records_open
        await submit_login(pilot, "alice", STRONG_PASSWORD)
        await pilot.pause(0.3)
        assert asked == [] and app.actor is None
        assert "Checking…" in screen_text(app)
        assert app.screen.query_one("#sign-in").disabled  # a second Enter is not a second try
        await pilot.press("enter")
        opened.set()
        await wait_until(pilot, lambda: app.records_open and not isinstance(app.screen, LoginScreen))
        await pass_second_factor(pilot)
        assert app.actor is not None and app.actor.username == "alice"
    assert asked == ["alice"]  # once, with what the fields held
    assert actions().count("login.success") == 1


async def test_records_that_cannot_be_opened_end_the_console_with_the_reason(settings, make_user):
    from kiosk.errors import DatabaseError

    def cannot_open():
        raise DatabaseError("cannot connect to the database (connection refused)")

    app = console_app(settings, open_records=cannot_open)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(100):
            if app.open_error is not None:
                break
            await pilot.pause(0.05)
    assert isinstance(app.open_error, DatabaseError) and app.return_code == 1
    assert app.actor is None and app.alert_watcher is None


@pytest.mark.parametrize("theme", ["textual-dark", "ansi-dark", "textual-light"])
async def test_the_sign_in_button_is_drawn_as_a_primary_button(theme):
    """SignInButton carries its own copy of the part of Button's stylesheet a primary button
    uses (kiosk/screens/session/login.py): side by side with Textual's own, in each state,
    the two must draw the same."""
    from textual.app import App
    from textual.widgets import Button

    from kiosk.screens.session.login import SignInButton

    class TwoButtons(App):
        CSS = "#textual, #ours { width: 20; margin: 1; }"
        AUTO_FOCUS = None

        def compose(self):
            yield Button("Sign in", id="textual", variant="primary")
            yield SignInButton("Sign in", id="ours", variant="primary")

    def drawn(button) -> list:
        return [[(seg.text, seg.style) for seg in strip]
                for strip in button.render_lines(button.size.region)]

    app = TwoButtons()
    app.theme = theme
    async with app.run_test(size=(60, 12)) as pilot:
        await pilot.pause()
        textual, ours = app.query_one("#textual", Button), app.query_one("#ours", SignInButton)
        assert drawn(ours) == drawn(textual)  # neither focused
        for button in (textual, ours):
            button.focus()
            await pilot.pause()
            focused = drawn(button)
            button.add_class("-active")  # pressed
            await pilot.pause()
            pressed = drawn(button)
            button.remove_class("-active")
            button.disabled = True
            await pilot.pause()
            if button is textual:
                expected = (focused, pressed, drawn(button))
            else:
                assert (focused, pressed, drawn(button)) == expected
            button.disabled = False


async def test_the_profile_read_after_the_first_paint_corrects_a_remembered_name(settings, make_user):
    """`kiosk run` may draw the login screen with the school's name remembered from the last
    start (kiosk/school_name.py) and read the profile after it: the profile's own name wins."""
    from kiosk.rules import load_profile

    from tests.console.helpers import wait_until

    profile = load_profile()
    app = console_app(settings, profile=None, school_name="An Older Name",
                      open_records=lambda: profile)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await wait_until(pilot, lambda: app.records_open)
        assert app.profile is profile
        text = screen_text(app)
        assert profile.school_name in text and "An Older Name" not in text
