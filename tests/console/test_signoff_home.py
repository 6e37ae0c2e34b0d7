"""The procedures sign-off gate, the role home screens and the oversight screens."""

from __future__ import annotations

import dataclasses

from kiosk.models import AuditEvent, ProcedureSignoff
from kiosk.screens.admin.accounts import AccountsScreen
from kiosk.screens.help.contacts import ContactsScreen
from kiosk.screens.session.home import HomeScreen
from kiosk.screens.session.login import LoginScreen
from kiosk.screens.help.procedures import ProceduresScreen
from kiosk.screens.session.signoff import SignoffScreen
from kiosk.screens.admin.signoff_status import SignoffStatusScreen
from kiosk.services import signoff
from tests.console.helpers import (CellsOnArrival, console_app, login, screen_text, settle, submit_login,
                                   wait_until)

SIZE = (80, 24)


def actions() -> list[str]:
    return [e.action for e in AuditEvent.select().order_by(AuditEvent.seq)]


async def test_signoff_gate_needs_scrolling_to_the_end(settings, make_user):
    make_user("alice", "staff")
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await submit_login(pilot, "alice", "correct-battery-staple-42")
        assert isinstance(app.screen, SignoffScreen)
        agree = app.screen.query_one("#agree")
        assert agree.disabled
        await pilot.press("ctrl+y")  # not yet: nothing happens
        await pilot.click("#agree")
        await settle(pilot)
        assert isinstance(app.screen, SignoffScreen)
        assert not ProcedureSignoff.select().exists()
        # Other menu keys do nothing behind the gate.
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, SignoffScreen)
        app.screen.query_one("#procedures").focus()
        for _ in range(3):
            await pilot.press("pagedown")
        await settle(pilot)
        assert agree.disabled  # part way is not the end
        await pilot.press("end")
        await settle(pilot)
        assert not agree.disabled
        await pilot.click("#agree")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
    row = ProcedureSignoff.get()
    assert row.version == app.profile.procedures_version
    assert "procedures.sign" in actions()


async def test_signed_user_goes_straight_home_until_the_version_changes(settings, make_user):
    make_user("alice", "staff")
    app = console_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await login(pilot, "alice")
        await pilot.press("ctrl+q")
        await settle(pilot)
        await login(pilot, "alice", sign=False)
        assert isinstance(app.screen, HomeScreen)
    newer = dataclasses.replace(app.profile, procedures_version="2099.1")
    app2 = console_app(settings, profile=newer)
    async with app2.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await login(pilot, "alice", sign=False)
        assert isinstance(app2.screen, SignoffScreen)
        assert "2099.1" in screen_text(app2)


async def test_escape_on_the_gate_signs_out(settings, make_user):
    make_user("alice", "staff")
    app = console_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await login(pilot, "alice", sign=False)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen) and app.actor is None


async def test_staff_home_shows_only_what_staff_may_do(settings, make_user):
    make_user("teacher", "staff")
    app = console_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await login(pilot, "teacher")
        text = screen_text(app)
        assert "Record a concern about a child" in text
        for hidden in ("Inbox", "Accounts", "Statistics", "Who has not signed", "Register of"):
            assert hidden not in text
        first = app.screen.query_one("#menu").get_option_at_index(0)
        assert first.id == "r"  # recording comes first
        await pilot.press("u")  # not theirs: nothing opens
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, ContactsScreen)
        await pilot.press("escape")
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ProceduresScreen)
        await pilot.press("escape")
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, ContactsScreen)
        assert app.profile.dsl.name in screen_text(app)


async def test_headteacher_sees_who_has_not_signed(settings, make_user, monkeypatch):
    make_user("head", "headteacher")
    make_user("late", "staff", full_name="Late [b]Signer[/b] [/")
    cells = CellsOnArrival(monkeypatch)  # the name whole as the rows land, not at the next idle
    app = console_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await login(pilot, "head")
        assert "Staff yet to sign" in screen_text(app)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, SignoffStatusScreen)
        # The list is read in a worker: wait for it (a slower database answers later).
        await wait_until(pilot, lambda: "Late [b]Signer[/b] [/" in screen_text(app))
        text = screen_text(app)
        assert "Late [b]Signer[/b] [/" in text
        assert "never" in text
        assert app.screen.query_one("#unsigned").row_count == 1  # head has signed
    assert "SignoffStatusScreen#unsigned" in cells.shown and not cells.cut, cells.cut
    assert "signoff.status_view" in actions()


async def test_admin_home_and_accounts_screen(settings, make_user):
    from kiosk.models import User
    from kiosk.services import accounts

    make_user("itadmin", "admin", full_name="Sam Patel")
    make_user("alice", "staff", full_name="[@click=app.quit]Alice[/] [b]x")
    app = console_app(settings)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        for _ in range(accounts.MAX_FAILURES):
            try:
                accounts.authenticate("alice", "wrong wrong wrong")
            except Exception:
                pass
        await login(pilot, "itadmin")
        text = screen_text(app)
        assert "Accounts" in text
        assert "Record a concern" in text  # everyone may report
        assert "Inbox" not in text and "Pupils and chronology" not in text
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, AccountsScreen)
        text = screen_text(app)
        assert "[@click=app.quit]Alice[/] [b]x" in text
        assert "locked" in text
        table = app.screen.query_one("#accounts")
        table.move_cursor(row=0)  # alice sorts first
        await pilot.press("l")
        await settle(pilot)
        assert not User.get(User.username == "alice").locked_until
        await pilot.press("t")
        await pilot.press("y")
        await settle(pilot)
        assert "Temporary password for" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert User.get(User.username == "alice").must_change_password
        await pilot.press("delete")
        await pilot.press("y")
        await settle(pilot)
        assert not User.get(User.username == "alice").active
        # clicking the name never runs the action inside it
        await pilot.click("#accounts", offset=(12, 1))
        await settle(pilot)
        assert app.is_running
    acts = actions()
    for a in ("account.unlock", "account.reset_password", "account.deactivate"):
        assert a in acts


def test_signoff_service(make_user):
    from kiosk.rules import load_profile

    profile = load_profile()
    alice = make_user("alice", "staff")
    head = make_user("head", "headteacher")
    assert signoff.needs_signoff(alice, profile)
    signoff.sign(alice, profile.procedures_version)
    signoff.sign(alice, profile.procedures_version)  # twice is harmless
    assert not signoff.needs_signoff(alice, profile)
    assert signoff.signed_version(alice) == profile.procedures_version
    assert [u.username for u in signoff.unsigned_users(head, profile)] == ["head"]
    import pytest
    from kiosk.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        signoff.unsigned_users(alice, profile)
    newer = dataclasses.replace(profile, procedures_version="2099.1")
    assert signoff.needs_signoff(alice, newer)
    assert signoff.unsigned_count(head, newer) == 2
