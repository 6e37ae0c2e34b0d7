"""Pilot journeys through the real app at 80x24 (issue 5)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.concerns.helpers import choose_kind, logout as _logout, record_as_teacher as _record_as_teacher
from tests.console.helpers import console_app, login, screen_text, settle, type_into, wait_until


def _message(app) -> str:
    """The form's own message line (also shown as a toast, which wraps)."""
    return str(app.screen.query_one("#form-message").content)


async def test_teacher_records_and_dsl_triages_and_closes(settings, school):
    from kiosk.models.concerns import Concern
    from kiosk.screens.concerns.detail import ConcernDetailScreen
    from kiosk.widgets.dialogs import FieldsDialog
    from kiosk.screens.concerns.inbox import InboxScreen
    from kiosk.services import alerts

    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        result = await _record_as_teacher(pilot, school, urgent=True)
        text = screen_text(app)
        assert result.ref in text and "alerted" in text
        assert "read-only" in text
        # The rules pane followed the source and category and shows the LA numbers.
        assert Concern.select().count() == 1
        await pilot.press("escape")
        await settle(pilot)
        # The teacher's home shows the status of their report.
        assert "of your reports awaiting the DSL team" in screen_text(app)
        await pilot.press("m")
        # The list loads in a worker: wait (bounded) for its rows on a loaded machine.
        await wait_until(pilot, lambda: "Awaiting the DSL team" in screen_text(app))
        assert "Bruise" not in screen_text(app)
        await _logout(pilot)

        await login(pilot, "dsl")
        home = screen_text(app)
        assert "Unread concern alerts" in home
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)
        inbox = screen_text(app)
        assert result.ref in inbox and "NEW!" in inbox
        assert "Amara" not in inbox  # unread: no content until opened
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConcernDetailScreen)
        assert "Dad hit me with the belt" in screen_text(app)
        assert alerts.unread_count(school.users["dsl"]) == 0
        await pilot.press("k")  # acknowledge
        await settle(pilot)
        assert app.screen.detail.status == "acknowledged"
        # Add an action.
        await pilot.press("n")
        await settle(pilot)
        await choose_kind(pilot, "consultation_line")
        dialog = app.screen
        assert isinstance(dialog, FieldsDialog)
        dialog.query_one("#f-notes").text = "Duty social worker advised"
        await pilot.press("ctrl+s")  # no rationale: refused, text kept
        await settle(pilot)
        assert app.screen is dialog and "rationale" in screen_text(app).lower()
        assert dialog.query_one("#f-notes").text == "Duty social worker advised"
        dialog.query_one("#f-rationale").text = "Threshold advice before referral"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConcernDetailScreen)
        assert len(app.screen.detail.actions) == 1
        # Close with reasoning.
        await pilot.press("x")
        await settle(pilot)
        dialog = app.screen
        dialog.query_one("#f-summary").text = "PE accident confirmed by PE staff"
        dialog.query_one("#f-outcome").value = "advice_taken_no_referral"
        dialog.query_one("#f-reasoning").text = "Consultation line: threshold not met"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen.detail.status == "closed"
        # The chronology shows it all.
        await pilot.press("h")
        from kiosk.screens.pupils.chronology import ChronologyScreen

        # The chronology loads in a worker: wait for its rows.
        await wait_until(pilot, lambda: isinstance(app.screen, ChronologyScreen) and app.screen.entries)
        titles = [e.title for e in app.screen.entries]
        assert titles[0] == f"{result.ref} closed by Mrs Dsl"
        assert any("Advice from the professional consultation line" in t for t in titles)
        assert titles[-1].startswith(f"URGENT Concern {result.ref}")
        assert f"{result.ref} closed by Mrs Dsl" in screen_text(app)


async def test_bad_input_keeps_everything_typed(settings, school):
    from kiosk.models.concerns import Concern
    from kiosk.screens.concerns.form import RecordConcernScreen

    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "teacher")
        await pilot.press("r")
        await settle(pilot)
        screen = app.screen
        screen.query_one("#description").text = "Something I saw"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RecordConcernScreen)
        assert "Pupil: choose at least one pupil" in _message(app)
        assert app.focused.id == "pupil-search"
        await type_into(pilot, "#pupil-search", "chl")
        await pilot.press("enter")
        await settle(pilot)
        screen.query_one("#source").value = "noticed"
        screen.query_one("#categories").select("neglect")
        await type_into(pilot, "#date", "01/01/2030")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Date: is in the future" in _message(app)
        assert app.focused.id == "date"
        await type_into(pilot, "#date", "01/01/2015")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "before Chloe Carver's date of birth" in _message(app)
        assert screen.query_one("#description").text == "Something I saw"
        assert Concern.select().count() == 0


async def test_failed_save_keeps_the_form_and_a_retry_records_once(settings, school, monkeypatch):
    from kiosk.errors import DatabaseBusy
    from kiosk.models.concerns import Concern
    from kiosk.screens.concerns.form import ConcernRecordedScreen, RecordConcernScreen
    from kiosk.services import concerns

    real = concerns.record_concern
    calls = {"n": 0}

    def flaky(actor, *args, **kw):
        calls["n"] += 1
        if calls["n"] == 1:
            raise DatabaseBusy("the database stayed locked for more than 5 seconds; nothing was saved, try again")
        return real(actor, *args, **kw)

    monkeypatch.setattr(concerns, "record_concern", flaky)
    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "teacher")
        await pilot.press("r")
        await settle(pilot)
        screen = app.screen
        await type_into(pilot, "#pupil-search", "ben")
        await pilot.press("enter")
        screen.query_one("#source").value = "noticed"
        screen.query_one("#categories").select("neglect")
        screen.query_one("#description").text = "No coat, third day running"
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RecordConcernScreen)
        assert "locked" in _message(app) and "still here" in _message(app)
        assert screen.query_one("#description").text == "No coat, third day running"
        token = screen.token
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConcernRecordedScreen)
        assert Concern.select().count() == 1
        assert Concern.get().submission_token == token


async def test_double_submit_records_once(settings, school):
    from kiosk.models.concerns import Concern
    from kiosk.services import concerns

    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "teacher")
        await pilot.press("r")
        await settle(pilot)
        screen = app.screen
        await type_into(pilot, "#pupil-search", "ben")
        await pilot.press("enter")
        screen.query_one("#source").value = "noticed"
        screen.query_one("#categories").select("neglect")
        screen.query_one("#description").text = "No coat"
        await settle(pilot)
        # Two presses before the worker finishes, then the same token again by hand.
        await pilot.press("ctrl+s", "ctrl+s")
        await settle(pilot)
        token = screen.token
        again = concerns.record_concern(school.users["teacher"], token=token,
                                        pupils=[(school.pupils["ben"].id, "subject")],
                                        occurred_on=date(2026, 11, 26), source="noticed",
                                        categories=["neglect"], description="No coat")
        assert again.duplicate
        assert Concern.select().count() == 1


async def test_restricted_concern_stays_invisible_to_a_deputy_not_named(settings, school, record):
    from kiosk.screens.concerns.detail import ConcernDetailScreen
    from kiosk.screens.concerns.inbox import InboxScreen
    from kiosk.services import concerns

    done = record(words="Secret words about a staff member's child")
    dsl = school.users["dsl"]
    concerns.restrict(dsl, done.id, [dsl.user_id], "Touches a staff member's own child")
    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "deputy")
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)
        text = screen_text(app)
        assert "Restricted" in text and "Amara" not in text and "Physical" not in text
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConcernDetailScreen)
        text = screen_text(app)
        assert "Restricted" in text and "Secret" not in text and "Amara" not in text
        # No triage key works on it.
        await pilot.press("k")
        await settle(pilot)
        assert concerns.own_concern(school.users["teacher"], done.id).status == "open"
        await pilot.press("escape", "escape")
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        await type_into(pilot, "#pupil-search", "amara")
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        assert "Restricted concern" in text and "Secret" not in text


async def test_staff_cannot_open_another_persons_concern_through_any_screen(settings, school, record):
    from kiosk.screens.concerns.detail import ConcernDetailScreen
    from kiosk.screens.session.menu import entries_for

    done = record("teacher", words="Private words")
    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "teacher2")
        keys = {e.key for e in entries_for(app.actor)}
        assert "i" not in keys and "p" not in keys and "v" not in keys
        await pilot.press("i", "p", "v")
        await settle(pilot)
        from kiosk.screens.session.home import HomeScreen

        assert isinstance(app.screen, HomeScreen)
        await pilot.press("m")
        await settle(pilot)
        assert done.ref not in screen_text(app)
        # Even pushed directly, the detail screen gets nothing from the service.
        await pilot.press("escape")
        await settle(pilot)
        app.push_screen(ConcernDetailScreen(done.id))
        await settle(pilot)
        assert "Private words" not in screen_text(app)
        assert "Amara" not in screen_text(app)


async def test_deputy_restricts_the_dsl_stays_named_and_the_screen_says_why_share_is_gone(
        settings, school, record):
    from kiosk.screens.concerns.detail import ConcernDetailScreen, FieldsDialog
    from kiosk.services import concerns

    done = record()
    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "deputy")
        app.push_screen(ConcernDetailScreen(done.id))
        await settle(pilot)
        detail = app.screen
        assert "s Share" in screen_text(app) or detail.check_action("share", ()) is True
        await pilot.press("t")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, FieldsDialog)
        named = dialog.query_one("#f-named")
        assert school.users["dsl"].user_id in named.selected  # ticked already
        assert "always included" in screen_text(app)
        # Untick the DSL: the service names them anyway.
        named.deselect(school.users["dsl"].user_id)
        dialog.query_one("#f-reason").text = "Concerns my neighbour's child"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is detail
        assert not detail.check_action("share", ())
        text = str(detail.query_one("#concern-text").content)
        assert "Share (s) is off" in text and "Lift the restriction (t)" in text
    d = concerns.get_concern(school.users["dsl"], done.id)
    assert d.restricted and "Mrs Dsl" in {a.name for a in d.restricted_to}
