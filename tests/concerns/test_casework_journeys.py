"""Issue 18, the DSL team, through the real console at 80x24: statutory actions with their
fields, follow-ups on the home and their own list, the inbox's filters."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from kiosk.services import casework, concerns
from kiosk.services.casework import FollowUpInput
from tests.concerns.helpers import choose_kind
from tests.console.helpers import console_app, login, screen_text, settle, wait_until

SIZE = (80, 24)
TODAY = date(2026, 11, 26)  # the fake clock's date


async def _open_concern(pilot, ref: str):
    from kiosk.screens.concerns.detail import ConcernDetailScreen
    from kiosk.screens.concerns.inbox import InboxScreen

    await pilot.press("i")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, InboxScreen)
                     and ref in screen_text(pilot.app))
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConcernDetailScreen)
                     and pilot.app.screen.detail is not None)


@pytest.mark.asyncio
async def test_dsl_books_a_conference_with_a_follow_up_and_ticks_it_off(settings, school, record):
    from kiosk.screens.concerns.detail import FieldsDialog

    done = record()
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await login(pilot, "dsl")
        await _open_concern(pilot, done.ref)
        detail_screen = app.screen
        await pilot.press("n")
        await settle(pilot)
        await choose_kind(pilot, "cp_conference")
        dialog = app.screen
        assert isinstance(dialog, FieldsDialog)
        assert "Child protection conference" in screen_text(app)
        dialog.query_one("#f-d_conference_type").value = "initial"
        later = TODAY + timedelta(days=14)
        dialog.query_one("#f-d_conference_date").value = later.strftime("%d/%m/%Y")
        dialog.query_one("#f-rationale").text = "Section 47 found significant harm"
        dialog.query_one("#f-follow_up").value = "Send the school's report to the chair"
        dialog.query_one("#f-follow_up_due").value = "28/11/2026"
        dialog.query_one("#f-follow_up_owner").value = school.users["deputy"].user_id
        # A fact date in the future is refused, what was typed stays.
        dialog.query_one("#f-date").value = "27/11/2026"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog and "future" in screen_text(app)
        assert dialog.query_one("#f-follow_up").value == "Send the school's report to the chair"
        dialog.query_one("#f-date").value = "26/11/2026"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is detail_screen, screen_text(app)
        a = detail_screen.detail.actions[-1]
        assert a.kind == "cp_conference"
        assert ("Conference date", later.strftime("%d/%m/%Y")) in a.details
        text = str(detail_screen.query_one("#concern-text").content)
        assert "Initial child protection conference" in text
        assert "Send the school's report to the chair" in text and "Open" in text
        # Mark it done from the concern (f): a record appended, the list shows who.
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, FieldsDialog)
        app.screen.query_one("#f-note").text = "Report sent to the chair by secure e-mail"
        await pilot.press("ctrl+s")
        await settle(pilot)
        text = str(detail_screen.query_one("#concern-text").content)
        assert "Done by Mrs Dsl: Report sent to the chair" in text
        assert casework.due_follow_ups(school.users["dsl"]).count() == 0


@pytest.mark.asyncio
async def test_parent_not_told_needs_why_in_the_dialog(settings, school, record):
    from kiosk.screens.concerns.detail import FieldsDialog

    done = record()
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await login(pilot, "deputy")
        await _open_concern(pilot, done.ref)
        await pilot.press("n")
        await settle(pilot)
        await choose_kind(pilot, "parent_contact")
        dialog = app.screen
        assert isinstance(dialog, FieldsDialog)
        dialog.query_one("#f-d_decision").value = "not_contacted"
        dialog.query_one("#f-rationale").text = "Paragraph 11a"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog and "why not" in screen_text(app).lower()
        assert dialog.focused is dialog.query_one("#f-d_why_not")
        dialog.query_one("#f-d_why_not").text = "Father is the alleged harmer"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, FieldsDialog)
        assert "Father is the alleged harmer" in str(app.screen.query_one("#concern-text").content)


@pytest.mark.asyncio
async def test_home_and_follow_ups_list_at_fixed_dates(settings, school, record):
    from kiosk.screens.concerns.follow_ups import FollowUpsScreen

    done = record()
    dsl, deputy = school.users["dsl"], school.users["deputy"]
    for what, due, owner in (("Chase MASH outcome", TODAY, deputy),
                             ("Ring the nurse", TODAY + timedelta(days=2), dsl),
                             ("Review next month", TODAY + timedelta(days=30), dsl)):
        concerns.add_action(dsl, done.id, kind="monitor", action_date=TODAY, taken_by="Mrs Dsl",
                            rationale="Keep watch", follow_up=FollowUpInput(what, due, owner.user_id))
    school.clock.advance(days=1)  # the MASH chase is now a day overdue
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await login(pilot, "dsl")
        await wait_until(pilot, lambda: "Team follow-ups" in screen_text(app))
        home = screen_text(app)
        assert "Team follow-ups: 1 overdue, 0 today, 1 this week  [i l]" in home
        assert "Your follow-ups: 0 overdue, 0 today, 1 this week" in home
        await pilot.press("i")
        await settle(pilot)
        await pilot.press("l")
        await wait_until(pilot, lambda: isinstance(app.screen, FollowUpsScreen))
        shown = screen_text(app)
        assert "Overdue" in shown and "Chase MASH outcome" in shown and "Ring the nurse" in shown
        assert "Review next month" not in shown
        await pilot.press("m")  # mine only
        await settle(pilot)
        shown = screen_text(app)
        assert "Chase MASH outcome" not in shown and "Ring the nurse" in shown
        await pilot.press("d")
        await settle(pilot)
        assert "Ring the nurse" not in screen_text(app)
        assert casework.due_follow_ups(dsl, mine=True).count() == 0


@pytest.mark.asyncio
async def test_inbox_filters_by_owner_status_and_urgency(settings, school, record):
    from kiosk.screens.concerns.inbox import InboxScreen

    dsl, deputy = school.users["dsl"], school.users["deputy"]
    mine = record()
    theirs = record(urgent=True)
    waiting = record()
    concerns.assign_owner(dsl, mine.id, dsl.user_id)
    concerns.assign_owner(dsl, theirs.id, deputy.user_id)
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await login(pilot, "dsl")
        await pilot.press("i")
        await wait_until(pilot, lambda: isinstance(app.screen, InboxScreen) and app.screen.total == 3)

        def refs():
            return {r.ref for r in app.screen.rows_shown}

        await pilot.press("m")
        await wait_until(pilot, lambda: refs() == {mine.ref})
        assert "assigned to me" in screen_text(app)
        await pilot.press("m")
        await pilot.press("u")
        await wait_until(pilot, lambda: refs() == {theirs.ref})
        await pilot.press("u")
        await pilot.press("w")  # awaiting acknowledgement
        await wait_until(pilot, lambda: refs() == {waiting.ref})
        await pilot.press("k")
        await wait_until(pilot, lambda: refs() == {mine.ref, theirs.ref})


@pytest.mark.asyncio
async def test_deputy_hands_over_to_the_dsl_with_a_note(settings, school, record):
    from kiosk.screens.concerns.detail import FieldsDialog

    done = record()
    deputy, dsl = school.users["deputy"], school.users["dsl"]
    concerns.assign_owner(deputy, done.id, deputy.user_id)
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await login(pilot, "deputy")
        await _open_concern(pilot, done.ref)
        detail_screen = app.screen
        await pilot.press("w")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, FieldsDialog) and "Hand over" in screen_text(app)
        dialog.query_one("#f-owner").value = dsl.user_id
        await pilot.press("ctrl+s")  # no note: refused, the choice kept
        await settle(pilot)
        assert app.screen is dialog and "handover note" in screen_text(app)
        dialog.query_one("#f-note").text = "MASH called back; I am on a course tomorrow"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is detail_screen and detail_screen.detail.owner == "Mrs Dsl"
        text = str(detail_screen.query_one("#concern-text").content)
        assert "Handover note: MASH called back; I am on a course tomorrow" in text


@pytest.mark.asyncio
async def test_teacher_reads_their_concern_and_none_of_the_dsl_teams_work(settings, school, record):
    from kiosk.screens.concerns.mine import MyConcernScreen, MyConcernsScreen
    from tests.concerns.helpers import SECRET_BITS, dsl_team_works_on

    done = record()
    dsl_team_works_on(school, done.id, TODAY)
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await login(pilot, "teacher")
        await pilot.press("m")
        await wait_until(pilot, lambda: isinstance(app.screen, MyConcernsScreen)
                         and done.ref in screen_text(app))
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, MyConcernScreen))
        shown = screen_text(app)
        assert "Acknowledged" in shown and "Dad hit me with the belt" in shown
        text = str(app.screen.query_one("#my-concern-text").content)
        for bit in SECRET_BITS:
            assert bit not in shown and bit not in text, bit
        assert "read-only" in text


async def test_opening_the_home_audits_the_due_follow_ups_once(settings, school, record):
    """One view of the due follow-ups per showing of the DSL's home: not one per count
    (the team's, yours) or per fetch of the counts, nor when an alert refreshes them."""
    from kiosk.models import AuditEvent
    from kiosk.screens.session.home import HomeScreen

    def views() -> list[dict]:
        return [json.loads(e.detail) for e in AuditEvent.select()
                .where(AuditEvent.action == "concern.follow_ups_due").order_by(AuditEvent.seq)]

    done = record()
    dsl = school.users["dsl"]
    concerns.add_action(dsl, done.id, kind="monitor", action_date=TODAY, taken_by="Mrs Dsl",
                        rationale="Keep watch",
                        follow_up=FollowUpInput("Ring the nurse", TODAY + timedelta(days=2), dsl.user_id))
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await login(pilot, "dsl")
        await wait_until(pilot, lambda: "Team follow-ups" in screen_text(app))
        await settle(pilot)
        assert views() == [{"count": 1, "yours": 1, "on": "home"}]
        app.screen.refresh_counts()  # what an arriving alert does: the same showing
        await settle(pilot)
        assert len(views()) == 1
        await pilot.press("i")  # the inbox, then back: the home is shown again
        await settle(pilot)
        assert not isinstance(app.screen, HomeScreen)
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen))
        await settle(pilot)
        assert len(views()) == 2
