"""Nothing typed is lost: forms and dialogs are kept while typing and at the lock.

Autosave runs every few seconds after input (`KioskApp.autosave_tick`, called by hand
here), so a killed console loses at most those seconds; a dialog (the DSL's action
note) is a draft like a form and comes back, filled in, over the record it belongs to.
"""

from __future__ import annotations

import json

from kiosk.models import AuditEvent, Draft
from kiosk.screens.concerns.detail import ConcernDetailScreen
from kiosk.screens.session.lock import RestoreDraftsScreen
from kiosk.widgets.dialogs import ConfirmDialog, FieldsDialog
from tests.concerns.helpers import choose_kind
from tests.console.forms import NoteForm
from tests.console.helpers import console_app, login, screen_text, settle

SIZE = (80, 24)


def _payload() -> dict:
    return json.loads(Draft.get().payload)


async def _typed_in_a_note(pilot, app, text: str) -> NoteForm:
    """alice signed in, with `text` typed into a NoteForm."""
    await login(pilot, "alice")
    await app.push_screen(NoteForm())
    await settle(pilot)
    app.screen.query_one("#note").focus()
    await pilot.press(*text)
    return app.screen


async def test_typing_is_autosaved_and_dropped_once_left_on_purpose(settings, make_user):
    make_user("alice", "staff")
    app = console_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "alice")
        await app.push_screen(NoteForm())
        await settle(pilot)
        app.autosave_tick()  # nothing typed yet: nothing kept
        await settle(pilot)
        assert not Draft.select().exists()
        app.screen.query_one("#note").focus()
        await pilot.press(*"bruise on arm")
        app.autosave_tick()
        await settle(pilot)
        assert _payload()["state"] == {"note": "bruise on arm"}
        # Unchanged since: not written again (and autosaves after the first are not audited).
        saves = AuditEvent.select().where(AuditEvent.action == "draft.save").count()
        await pilot.press("end")
        app.autosave_tick()
        await pilot.press(*" (left)")
        app.autosave_tick()
        await settle(pilot)
        assert _payload()["state"] == {"note": "bruise on arm (left)"}
        assert AuditEvent.select().where(AuditEvent.action == "draft.save").count() == saves
        # Leaving on purpose (escape, yes) throws the draft away as well as the text.
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert not Draft.select().exists()


async def test_a_killed_console_leaves_the_autosaved_draft_for_next_time(settings, make_user):
    make_user("alice", "staff")
    app = console_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await _typed_in_a_note(pilot, app, "half a sentence")
        app.autosave_tick()
        await settle(pilot)
    # The first console is gone without a lock or a logout (as after kill -9).
    app = console_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "alice")
        assert isinstance(app.screen, RestoreDraftsScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, NoteForm)
        assert app.screen.query_one("#note").value == "half a sentence"


async def test_the_dsls_action_note_is_kept_at_the_lock_and_comes_back(settings, make_user, admin):
    from datetime import date

    from kiosk.services import concerns, pupils

    make_user("teacher", "staff")
    dsl = make_user("dsl", "dsl")
    child = pupils.add_pupil(dsl, first_name="Amara", last_name="Abbott",
                             date_of_birth=date(2015, 3, 4), year_group=6, form_group="6W")
    teacher = make_user("teacher2", "staff")
    done = concerns.record_concern(teacher, token=concerns.new_submission_token(),
                                   pupils=[(child.id, "subject")], occurred_on="yesterday",
                                   source="noticed", categories=["neglect"], description="No coat")
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await login(pilot, "dsl")
        await app.push_screen(ConcernDetailScreen(done.id))
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await choose_kind(pilot, "consultation_line")
        dialog = app.screen
        assert isinstance(dialog, FieldsDialog)
        dialog.query_one("#f-notes").text = "Rang the consultation line"
        await pilot.press("ctrl+b")  # hide the screen
        await settle(pilot)
        assert "consultation" not in screen_text(app)
        assert _payload()["state"]["values"]["notes"] == "Rang the consultation line"

        await login(pilot, "dsl")
        assert isinstance(app.screen, RestoreDraftsScreen)
        assert "Add an action" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, FieldsDialog)
        assert isinstance(app.screen_stack[-2], ConcernDetailScreen)
        assert dialog.query_one("#f-notes").text == "Rang the consultation line"
        # The draft reopens the dialog of the kind chosen; saving it records the action and
        # the draft is gone.
        dialog.query_one("#f-rationale").text = "Advice before referral"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConcernDetailScreen)
        assert len(app.screen.detail.actions) == 1
        assert not Draft.select().exists()


async def test_escape_in_a_dialog_with_text_asks_like_a_form(settings, make_user):
    from datetime import date

    from kiosk.services import concerns, pupils

    dsl = make_user("dsl", "dsl")
    child = pupils.add_pupil(dsl, first_name="Ben", last_name="Brennan",
                             date_of_birth=date(2014, 10, 1), year_group=7, form_group="7L")
    teacher = make_user("teacher", "staff")
    done = concerns.record_concern(teacher, token=concerns.new_submission_token(),
                                   pupils=[(child.id, "subject")], occurred_on="yesterday",
                                   source="noticed", categories=["neglect"], description="No coat")
    app = console_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "dsl")
        await app.push_screen(ConcernDetailScreen(done.id))
        await settle(pilot)
        await pilot.press("e")  # amend
        await settle(pilot)
        dialog = app.screen
        await pilot.press("escape")  # nothing typed: closes at once
        await settle(pilot)
        assert isinstance(app.screen, ConcernDetailScreen)
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        dialog.query_one("#f-text").text = "Playground, not classroom"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is dialog and dialog.query_one("#f-text").text == "Playground, not classroom"


def test_a_draft_kept_before_its_screen_moved_still_finds_the_screen():
    from kiosk.app import _draft_screen

    assert _draft_screen("kiosk.screens.an_old_place:NoteForm") is NoteForm
    assert _draft_screen("kiosk.screens.an_old_place:NoSuchScreen") is None


async def test_an_autosave_read_before_a_save_writes_nothing_after_it(settings, make_user):
    """The autosave worker reads a form on the UI thread and writes it later. A form saved or
    left on purpose in between (its draft dropped) must not come back from that late write."""
    import asyncio

    make_user("alice", "staff")
    app = console_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        form = await _typed_in_a_note(pilot, app, "bruise on arm")
        read_before = [(*d, form.draft_epoch) for d in app._draftables()]
        assert [d[1] for d in read_before] == ["test-note"]
        form.drop_draft(form.form_id)  # what a save and a leave on purpose both do
        await settle(pilot)
        await asyncio.to_thread(app._autosave, app.actor, read_before)  # the late write
        assert not Draft.select().exists()
        # An autosave read after it is written as usual.
        await asyncio.to_thread(app._autosave, app.actor, [(*d, form.draft_epoch) for d in app._draftables()])
        assert _payload()["state"] == {"note": "bruise on arm"}
