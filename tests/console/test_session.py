"""Lock-down, idle lock, hide-screen key and drafts: journeys through the real app."""

from __future__ import annotations

import json
import os

import pytest

from kiosk.errors import NotFound
from kiosk.models import AuditEvent, Draft
from kiosk.screens.base import FormScreen
from kiosk.screens.session.home import HomeScreen
from kiosk.screens.session.lock import RestoreDraftsScreen
from kiosk.screens.session.login import LoginScreen
from kiosk.services import drafts
from tests.console.forms import NoteForm
from tests.console.helpers import console_app, login, screen_text, settle, type_into

SIZE = (80, 24)


def actions() -> list[str]:
    return [e.action for e in AuditEvent.select().order_by(AuditEvent.seq)]


def all_screens(app):
    return [s for stack in app._screen_stacks.values() for s in stack]


def assert_nothing_of_session_left(app, *texts):
    assert app.actor is None
    assert isinstance(app.screen, LoginScreen)
    assert not [s for s in all_screens(app) if not isinstance(s, LoginScreen) and s.id != "_default"]
    shown = screen_text(app)
    for text in texts:
        assert text not in shown


@pytest.mark.parametrize("key", ["ctrl+c", "ctrl+q", "ctrl+z"])
async def test_quit_keys_log_out_and_never_quit(settings, make_user, key):
    make_user("alice", "dsl", full_name="Alice Example")
    app = console_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(key)  # at the login screen: nothing happens
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, LoginScreen)
        await login(pilot, "alice")
        await pilot.press(key)
        await settle(pilot)
        assert app.is_running
        assert_nothing_of_session_left(app, "Alice Example")
        await pilot.press(key)
        await settle(pilot)
        assert app.is_running
    assert actions().count("session.logout") == 1


async def test_quit_key_logs_out_even_from_a_text_field(settings, make_user):
    make_user("alice", "staff")
    app = console_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await login(pilot, "alice")
        await app.push_screen(NoteForm())
        await type_into(pilot, "#note", "something")
        await pilot.press("ctrl+c")  # Input binds ctrl+c to copy; ours has priority
        await settle(pilot)
        assert app.is_running and app.actor is None


async def test_only_allow_listed_app_actions_run(settings, make_user):
    make_user("alice", "staff")
    app = console_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await login(pilot, "alice")
        for action in ("quit", "screenshot", "command_palette", "simulate_key('ctrl+q')",
                       "push_screen('x')", "suspend_process", "change_theme", "toggle_dark"):
            assert await app.run_action(action) is False, action
        await settle(pilot)
        assert app.is_running and app.actor is not None
        assert not app.check_action("exit_console", ())  # staff may not leave the program
        await pilot.press("ctrl+p")  # no command palette
        await pilot.press("x")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, HomeScreen)


async def test_admin_can_exit(settings, make_user):
    make_user("itadmin", "admin")
    app = console_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await login(pilot, "itadmin")
        assert "Exit console" in screen_text(app)
        await pilot.press("x")
        await settle(pilot)
        assert not app.is_running
    assert "app.exit" in actions()


async def test_idle_lock_with_fake_clock(settings, make_user, fake_clock):
    make_user("alice", "dsl", full_name="Alice Example")
    app = console_app(settings, idle_seconds=300)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await login(pilot, "alice")
        fake_clock.advance(seconds=200)
        await pilot.press("down")  # activity resets the timer
        fake_clock.advance(seconds=200)
        await app.idle_tick()
        assert app.actor is not None
        fake_clock.advance(seconds=101)
        await app.idle_tick()
        await settle(pilot)
        assert_nothing_of_session_left(app, "Alice Example")
        assert "locked after 5 minutes" in screen_text(app)
    assert actions()[-1] == "session.idle_lock"


async def test_idle_lock_fires_from_the_timer(settings, make_user, fake_clock):
    make_user("alice", "staff")
    app = console_app(settings, idle_seconds=60)
    app.IDLE_POLL_SECONDS = 0.02
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await login(pilot, "alice")
        fake_clock.advance(seconds=61)
        for _ in range(20):
            await pilot.pause(0.02)
            if app.actor is None:
                break
        await settle(pilot)
        assert app.actor is None and isinstance(app.screen, LoginScreen)


async def test_hide_screen_key_locks_at_once(settings, make_user):
    make_user("alice", "dsl", full_name="Alice Example")
    app = console_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await login(pilot, "alice")
        assert "f12 Hide" in screen_text(app)  # shown in the footer
        await app.push_screen(NoteForm())
        await pilot.press("f12")
        await settle(pilot)
        assert_nothing_of_session_left(app, "Alice Example")
    assert "session.hide_screen" in actions()


async def test_draft_kept_at_lock_and_offered_only_to_its_owner(settings, make_user, fake_clock):
    make_user("alice", "staff")
    make_user("bob", "staff")
    app = console_app(settings, idle_seconds=300)
    secret = "Half-written: [b]bruises[/b] seen on arm"
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await login(pilot, "alice")
        await app.push_screen(NoteForm())
        await type_into(pilot, "#note", secret)
        fake_clock.advance(seconds=301)
        await app.idle_tick()
        await settle(pilot)
        assert_nothing_of_session_left(app, "bruises")
        row = Draft.get()
        assert json.loads(row.payload)["state"] == {"note": secret}

        # Someone else signs in: no offer, and they cannot open it.
        await login(pilot, "bob")
        assert isinstance(app.screen, HomeScreen)
        assert not [s for s in all_screens(app) if isinstance(s, RestoreDraftsScreen)]
        assert "bruises" not in screen_text(app)
        bob = app.actor
        assert drafts.list_drafts(bob) == []
        with pytest.raises(NotFound):
            drafts.load_draft(bob, row.id)
        with pytest.raises(NotFound):
            drafts.delete_draft(bob, row.id)
        await pilot.press("ctrl+q")
        await settle(pilot)

        # The owner gets it back.
        await login(pilot, "alice")
        assert isinstance(app.screen, RestoreDraftsScreen)
        assert "A test note" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, NoteForm)
        assert app.screen.query_one("#note").value == secret
        assert not Draft.select().exists()
    acts = actions()
    assert "draft.save" in acts and "draft.view_denied" in acts and "draft.restored" in acts
    # The audit trail never holds the draft's content.
    assert not AuditEvent.select().where(AuditEvent.detail.contains("bruises")).exists()


async def test_draft_can_be_discarded_after_confirming(settings, make_user):
    make_user("alice", "staff")
    app = console_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await login(pilot, "alice")
        await app.push_screen(NoteForm())
        await type_into(pilot, "#note", "to be thrown away")
        await pilot.press("ctrl+b")  # the hide-screen alias
        await settle(pilot)
        await login(pilot, "alice")
        assert isinstance(app.screen, RestoreDraftsScreen)
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("n")  # changed my mind
        await settle(pilot)
        assert Draft.select().count() == 1
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert not Draft.select().exists()
    assert "draft.discarded" in actions()


async def test_untouched_form_is_not_kept(settings, make_user):
    make_user("alice", "staff")
    app = console_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await login(pilot, "alice")
        await app.push_screen(NoteForm())
        await pilot.press("f12")
        await settle(pilot)
    assert not Draft.select().exists()


async def test_rules_pane_updates_and_toggles(settings, make_user):
    make_user("alice", "staff")
    app = console_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await login(pilot, "alice")
        await app.push_screen(NoteForm())
        await settle(pilot)
        assert "Who to tell" in screen_text(app)  # default before any input
        await type_into(pilot, "#note", "x")
        await settle(pilot)
        text = screen_text(app)
        assert "Next steps for: x" in text
        assert "Tell the DSL [@click=app.quit]now[/]" in text
        pane = app.screen.query_one("#rules-pane")
        assert pane.display
        await pilot.press("f3")
        assert not pane.display
        await pilot.press("f3")
        assert pane.display
        await pilot.resize_terminal(140, 40)
        await settle(pilot)
        assert pane.region.x > 0 and pane.region.width < 60  # beside the form when wide


async def test_sighup_records_disconnect_and_exits(settings, make_user):
    make_user("alice", "dsl")
    app = console_app(settings, origin="ssh:198.51.100.7:4000", remote_user="alice")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await login(pilot, "alice")
        app.hangup()
        await settle(pilot)
        assert not app.is_running
    assert actions()[-1] == "session.disconnect"


def test_kiosk_mode_strips_textual_environment(monkeypatch):
    from kiosk.app import harden_environment
    import textual.constants

    monkeypatch.setenv("TEXTUAL_DRIVER", "os:system")
    monkeypatch.setenv("TEXTUAL_LOG", "/tmp/leak.log")
    monkeypatch.setenv("TEXTUAL_SCREENSHOT", "1")
    monkeypatch.setenv("TEXTUAL", "devtools,debug")
    monkeypatch.setenv("TEXTUAL_ALLOW_SIGNALS", "1")
    import importlib

    importlib.reload(textual.constants)
    assert textual.constants.DRIVER == "os:system"
    removed = harden_environment()
    assert set(removed) >= {"TEXTUAL_DRIVER", "TEXTUAL_LOG", "TEXTUAL_SCREENSHOT", "TEXTUAL",
                            "TEXTUAL_ALLOW_SIGNALS"}
    assert not [k for k in os.environ if k.startswith("TEXTUAL")]
    assert textual.constants.DRIVER is None
    assert textual.constants.LOG_FILE is None
    assert textual.constants.SCREENSHOT_DELAY == -1


def test_refuses_to_start_without_a_terminal(settings, database, capsys):
    from kiosk.app import run_console

    assert run_console(settings) == 1  # pytest's stdin is not a terminal
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "needs a terminal" in err


@pytest.mark.parametrize("change", ["deactivate", "set_roles", "reset_password"])
async def test_an_account_change_returns_the_console_to_the_login_screen(settings, make_user, admin, change):
    from kiosk.app import LOCK_NOTICES
    from kiosk.services import accounts
    from tests.console.helpers import wait_until

    make_user("dana", "deputy_dsl", full_name="Dana Deputy")
    app = console_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await login(pilot, "dana")
        assert isinstance(app.screen, HomeScreen)
        if change == "deactivate":
            accounts.deactivate(admin, "dana")
        elif change == "set_roles":
            accounts.set_roles(admin, "dana", ["staff"])
        else:
            accounts.reset_password(admin, "dana", "Another-strong-passphrase-9")
        await pilot.press("down")
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen), timeout=5)
        assert_nothing_of_session_left(app, "Dana Deputy")
        shown = " ".join(screen_text(app).split())
        assert "Your account was changed by the IT administrator" in shown
        assert LOCK_NOTICES["account_changed"].startswith("Your account was changed")
    assert "session.account_changed" in actions()
