"""Pilot journeys through the real app: pastoral staff run the early help offer."""

from __future__ import annotations

from datetime import date, timedelta

from kiosk.services import early_help as eh
from tests.console.helpers import (
    console_app, login, screen_text, settle, type_into, type_text_area, wait_until,
)
from tests.early_help.helpers import open_early_help

TODAY = date(2026, 11, 26)


def _enrol_three_in_the_lunch_club(pastoral, pupils) -> list[int]:
    for pid in pupils[:3]:
        eh.enrol(pastoral, pid, "vulnerable_lunch_club", TODAY - timedelta(days=14), "aims", TODAY + timedelta(days=14))
    return pupils[:3]


async def _open_the_lunch_club_register(pilot):
    """Signed in as pat: the register for today's lunch club (second in the offers)."""
    from kiosk.screens.early_help.register import RegisterScreen

    await login(pilot, "pat")
    await open_early_help(pilot)
    await pilot.press("r")
    await settle(pilot)
    await pilot.press("down", "enter")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, RegisterScreen) and pilot.app.screen.lines)
    return pilot.app.screen


async def test_pastoral_takes_a_lunch_club_register_for_twelve(settings, pastoral, offers, pupils, fake_clock):
    from kiosk.models.early_help import EarlyHelpAttendance as A
    from kiosk.screens.early_help.register import RegisterScreen

    club = offers["vulnerable_lunch_club"]
    for pid in pupils[:12]:
        eh.enrol(pastoral, pid, club.id, TODAY - timedelta(days=14), "Eat with friends", TODAY + timedelta(days=14))
    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "pat")
        await open_early_help(pilot)
        await pilot.press("r")
        await settle(pilot)
        # The offers list has focus; the lunch club is second.
        await pilot.press("down", "enter")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, RegisterScreen)
        assert len(screen.lines) == 12
        # One key per pupil: space marks present and moves on. Leave the 4th and 9th absent.
        for i in range(12):
            await pilot.press("space" if i not in (3, 8) else "down")
        await pilot.pause()
        assert sum(1 for l in screen.lines.values() if l["present"]) == 10
        # Fix a slip: go back up to the 9th and mark present after all.
        await pilot.press("up", "up", "up", "space")
        # A note, and a walk-in found by name.
        await pilot.press("n")
        await settle(pilot)
        await type_into(pilot, "#f-note", "Quiet today [b]not bold[/b]")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        await type_into(pilot, "#pupil-search", "nia net")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert len(screen.lines) == 13
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, RegisterScreen)
        rows = list(A.select().where(A.superseded_at.is_null()))
        assert len(rows) == 13
        assert sum(r.present for r in rows) == 12
        assert [r.pupil_id for r in rows if r.walk_in] == [pupils[13]]
        assert [r.note for r in rows if r.note] == ["Quiet today [b]not bold[/b]"]
        assert {r.pupil_id for r in rows if not r.present} == {pupils[3]}


async def test_future_register_is_refused_on_screen(settings, pastoral, offers, pupils, fake_clock):
    from kiosk.models.early_help import EarlyHelpSession
    from kiosk.screens.early_help.register import RegisterScreen

    eh.enrol(pastoral, pupils[0], "pupil_drop_in", TODAY - timedelta(days=1), "aims", TODAY + timedelta(days=14))
    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "pat")
        await open_early_help(pilot)
        await pilot.press("r")
        await settle(pilot)
        await type_into(pilot, "#held-on", "tomorrow")
        await pilot.press("enter")  # to the offers
        await pilot.press("enter")  # the drop-in (first)
        await settle(pilot)
        assert isinstance(pilot.app.screen, RegisterScreen)
        await pilot.press("space", "ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, RegisterScreen)  # still there, nothing saved
        assert any("in the future" in n.message for n in pilot.app._notifications)
        assert EarlyHelpSession.select().count() == 0


async def test_pastoral_refers_to_school_nursing_and_records_acceptance(settings, pastoral, offers, pupils, fake_clock):
    from kiosk.models.early_help import AgencyReferral, AgencyReferralStatus
    from kiosk.screens.early_help.agency import AgencyReferralForm, AgencyReferralsScreen

    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "pat")
        await open_early_help(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(pilot.app.screen, AgencyReferralsScreen)
        await pilot.press("n")
        await settle(pilot)
        # The form opens on the pupil search.
        await type_into(pilot, "#pupil-search", "chloe")
        await pilot.press("enter")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, AgencyReferralForm) and form.pupil_name == "Chloe Carver"
        # Agency list has focus: school nursing is the fifth.
        await pilot.press("down", "down", "down", "down", "enter")
        assert form.build_input().agency == "school_nursing"
        await type_text_area(pilot, "#reason", "Bed-wetting; mum asked for help")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, AgencyReferralsScreen)
        ref = AgencyReferral.get()
        assert (ref.agency_key, ref.consent, ref.referred_on) == ("school_nursing", "parent", TODAY)
        # Three days later the team accepts.
        fake_clock.advance(days=3)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("down", "enter")  # acknowledged -> accepted
        await type_text_area(pilot, "#f-note", "Nurse visiting on Tuesday")
        await pilot.press("ctrl+s")
        await settle(pilot)
        statuses = [(s.status, s.on, s.note) for s in AgencyReferralStatus.select().order_by(AgencyReferralStatus.id)]
        assert statuses == [("sent", TODAY, ""), ("accepted", TODAY + timedelta(days=3), "Nurse visiting on Tuesday")]
        table = pilot.app.screen.query_one("#agency-table")
        assert "accepted" in str(table.get_row_at(0)[3])
        await pilot.press("enter")
        await wait_until(pilot, lambda: "Nurse visiting on Tuesday" in screen_text(pilot.app.screen))
        text = screen_text(pilot.app.screen)
        assert "Nurse visiting on Tuesday" in text and "Bed-wetting; mum asked for help" in text
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, AgencyReferralsScreen)


async def test_register_marks_survive_a_lock_as_a_draft(settings, pastoral, offers, pupils, fake_clock):
    from kiosk.models.early_help import EarlyHelpAttendance as A
    from kiosk.screens.early_help.register import RegisterScreen
    from kiosk.services import drafts

    _enrol_three_in_the_lunch_club(pastoral, pupils)
    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await _open_the_lunch_club_register(pilot)
        await pilot.press("space", "down", "space")
        await pilot.press("f12")  # hide the screen mid-register
        await settle(pilot)
        assert [d.title for d in drafts.list_drafts(pastoral)] == ["Early help register"]
        await login(pilot, "pat")
        await settle(pilot)
        await pilot.press("enter")  # restore the offered draft
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, RegisterScreen)
        assert [l["present"] for l in screen.lines.values()] == [True, False, True]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert sorted(r.present for r in A.select()) == [False, True, True]
        assert drafts.list_drafts(pastoral) == []


async def test_a_corrected_register_leaves_no_draft_behind(settings, pastoral, offers, pupils, fake_clock):
    """Taking a register again asks why, then saves like any form: the marks autosaved while
    the reason was typed are dropped with the save, not offered as unfinished work at the
    next sign-in (the bench's scripted hour found them there)."""
    from kiosk.models.early_help import EarlyHelpAttendance as A
    from kiosk.screens.early_help.register import RegisterScreen
    from kiosk.services import drafts
    from kiosk.widgets.dialogs import FieldsDialog

    enrolled = _enrol_three_in_the_lunch_club(pastoral, pupils)
    eh.take_register(pastoral, eh.SessionSpec("vulnerable_lunch_club", TODAY), {pid: False for pid in enrolled})
    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        register = await _open_the_lunch_club_register(pilot)
        assert register.already_taken
        await pilot.press("a")  # all present
        app.autosave_tick()
        await settle(pilot)
        assert [d.title for d in drafts.list_drafts(pastoral)] == ["Early help register"]
        # No reason: the service refuses, the register stays with its marks.
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, FieldsDialog)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is register
        assert any("say why" in n.message for n in pilot.app._notifications)
        assert sorted(r.present for r in A.select().where(A.superseded_at.is_null())) == [False] * 3
        # With a reason it saves, and the kept draft goes with it.
        await pilot.press("ctrl+s")
        await settle(pilot)
        await type_into(pilot, "#f-reason", "Marked absent by mistake")
        app.autosave_tick()  # typing the reason is activity too
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, (RegisterScreen, FieldsDialog))
        assert sorted(r.present for r in A.select().where(A.superseded_at.is_null())) == [True] * 3
        assert drafts.list_drafts(pastoral) == []
