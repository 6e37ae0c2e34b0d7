"""Keys that arrive in a burst (a fast typist, a paste typed as keys, SSH latency) land as
typed (kiosk/widgets/typed.py): a save, hide or log-out key acts on every key typed before
it; a Tab moves on before the keys after it; the key that wakes a console locked while
idle is not typed; keys typed after the hide or log-out key in the same burst are
dropped, not typed at the login screen. `burst` sends every key before the app handles any."""

from __future__ import annotations

import json

import pytest

from kiosk.models import Draft
from kiosk.screens.session.home import HomeScreen
from kiosk.screens.session.login import LoginScreen
from kiosk.screens.session.password import PasswordScreen
from kiosk.widgets.dialogs import Field, FieldsDialog
from tests.conftest import STRONG_PASSWORD
from tests.console.forms import NoteForm
from tests.console.helpers import burst, console_app, login, settle, typed, wait_until

SIZE = (80, 24)
NOTE = "Bruise on the left arm, seen at registration this morning"


async def test_ctrl_s_in_a_dialog_saves_every_key_typed_before_it(settings, make_user):
    make_user("alice", "staff")
    app = console_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await login(pilot, "alice")
        got = []
        dialog = FieldsDialog("A note", [Field("note", "Note", max_length=500)],
                              submit=lambda values: values["note"])
        await app.push_screen(dialog, got.append)
        await settle(pilot)
        burst(app, *typed(NOTE), "ctrl+s")
        await wait_until(pilot, lambda: got)
        assert got == [NOTE]


async def test_change_password_typed_in_one_burst_lands_in_the_three_boxes(settings, make_user):
    from kiosk.services import accounts

    make_user("alice", "staff")
    new = "purple elephant harbour lamp"
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await login(pilot, "alice")
        await pilot.press("k")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PasswordScreen) and app.focused.id == "current"
        burst(app, *typed(STRONG_PASSWORD), "tab", *typed(new), "tab")
        await settle(pilot)
        values = {box: screen.query_one(f"#{box}").value for box in ("current", "new", "confirm")}
        assert values == {"current": STRONG_PASSWORD, "new": new, "confirm": ""}
        assert app.focused.id == "confirm"
        burst(app, *typed(new), "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen))
    assert accounts.authenticate("alice", new, origin="test").actor.username == "alice"


async def test_enter_moves_on_in_a_burst_too(settings, make_user):
    make_user("alice", "staff")
    new = "purple elephant harbour lamp"
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await login(pilot, "alice")
        await pilot.press("k")
        await settle(pilot)
        screen = app.screen
        burst(app, *typed(STRONG_PASSWORD), "enter", *typed(new), "enter", *typed(new))
        await settle(pilot)
        values = {box: screen.query_one(f"#{box}").value for box in ("current", "new", "confirm")}
        assert values == {"current": STRONG_PASSWORD, "new": new, "confirm": new}


async def test_the_key_that_wakes_a_console_locked_while_idle_is_not_typed(settings, make_user,
                                                                          fake_clock):
    make_user("alice", "staff")
    app = console_app(settings, idle_seconds=60)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await login(pilot, "alice")
        fake_clock.advance(seconds=61)
        await app.idle_tick()
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LoginScreen) and app.actor is None
        await pilot.press("w")
        await settle(pilot)
        assert screen.query_one("#username").value == ""
        assert screen.query_one("#password").value == ""
        assert app.focused is screen.query_one("#username")  # the cursor is there now
        # The person carries on typing, in one burst or not: every key after the first lands.
        burst(app, *typed("alice"), "tab", *typed(STRONG_PASSWORD), "enter")
        await wait_until(pilot, lambda: app.actor is not None)


async def test_a_waking_key_and_the_username_in_one_burst(settings, make_user, fake_clock):
    make_user("alice", "staff")
    app = console_app(settings, idle_seconds=60)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await login(pilot, "alice")
        fake_clock.advance(seconds=61)
        await app.idle_tick()
        await settle(pilot)
        burst(app, "enter", *typed("alice"))
        await settle(pilot)
        screen = app.screen
        assert screen.query_one("#username").value == "alice"
        assert screen.query_one("#password").value == ""


async def test_only_an_idle_lock_needs_waking(settings, make_user):
    make_user("alice", "staff")
    app = console_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await login(pilot, "alice")
        await pilot.press("ctrl+q")  # signed out on purpose: the next person types at once
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LoginScreen) and not screen.asleep
        await pilot.press("b")
        assert screen.query_one("#username").value == "b"


async def test_enter_moves_on_in_a_dialog_in_a_burst(settings, make_user):
    make_user("alice", "staff")
    app = console_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await login(pilot, "alice")
        got = []
        dialog = FieldsDialog("A child", [Field("first", "First name"), Field("last", "Last name")])
        await app.push_screen(dialog, got.append)
        await settle(pilot)
        burst(app, *typed("Amara"), "enter", *typed("Abbott"), "ctrl+s")
        await wait_until(pilot, lambda: got)
        assert got == [{"first": "Amara", "last": "Abbott"}]


@pytest.mark.parametrize("key", ["f12", "ctrl+q"], ids=["hide", "log-out"])
async def test_the_hide_and_log_out_keys_keep_what_was_typed_before_them_and_drop_what_came_after(
        settings, make_user, key):
    make_user("alice", "staff")
    app = console_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await login(pilot, "alice")
        await app.push_screen(NoteForm())
        app.screen.query_one("#note").focus()
        await settle(pilot)
        burst(app, *typed(NOTE), key, *typed(" on the left arm"))
        await wait_until(pilot, lambda: app.actor is None)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LoginScreen)
        # Every key typed before the hide or log-out key is in the draft; nothing typed after
        # it shows on the locked screen or went into the draft.
        assert screen.query_one("#username").value == ""
        assert screen.query_one("#password").value == ""
        assert json.loads(Draft.get().payload)["state"] == {"note": NOTE}
        # The next person types at once, in one burst or not.
        await pilot.press("b")
        burst(app, *typed("ob"))
        await settle(pilot)
        assert screen.query_one("#username").value == "bob"
