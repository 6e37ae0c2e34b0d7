"""Every early help screen opens at 80x24 with data in it; referrals, enrolments, reviews
and the offer can be worked through the keyboard; person-typed text shows literally."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kiosk.services import early_help as eh
from tests.console.helpers import console_app, login, screen_text, settle, type_into, type_text_area
from tests.early_help.helpers import open_early_help

TODAY = date(2026, 11, 26)
MARKUP = "[bold]not bold[/] [@click=app.quit]x[/"


@pytest.fixture
def busy(pastoral, offers, pupils, fake_clock):
    """A little of everything, with markup-looking text typed by people."""
    e = eh.enrol(pastoral, pupils[0], "vulnerable_lunch_club", TODAY - timedelta(days=30), MARKUP, TODAY - timedelta(days=2))
    eh.enrol(pastoral, pupils[1], "pastoral_one_to_one", TODAY - timedelta(days=20), "Confidence", TODAY + timedelta(days=2))
    eh.record_review(pastoral, e.id, "Settling [red]in[/red]", TODAY - timedelta(days=10), TODAY - timedelta(days=2))
    eh.take_register(pastoral, eh.SessionSpec("vulnerable_lunch_club", TODAY - timedelta(days=7)),
                     {pupils[0]: eh.Mark(True, MARKUP), pupils[2]: False})
    eh.take_family_register(pastoral, eh.SessionSpec("pmhw_parent_workshops", TODAY - timedelta(days=3), "Resilience"),
                            ["Family 1", "Family 2"])
    eh.refer_internally(pastoral, pupils[3], "targeted_group_work", MARKUP)
    eh.refer_to_agency(pastoral, pupils[0], "childrens_services", MARKUP, "parent",
                       referred_on=TODAY - timedelta(days=5))
    return e


HUB_SCREENS = [
    ("v", "EnrolmentsScreen"), ("i", "ReferralsScreen"), ("a", "AgencyReferralsScreen"),
    ("c", "CaseloadScreen"), ("o", "OfferScreen"), ("r", "RegisterSetupScreen"),
]


async def test_each_hub_entry_opens(settings, busy):
    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "pat")
        await open_early_help(pilot)
        hub_text = " ".join(screen_text(pilot.app.screen).split())
        assert "1 Early help reviews overdue" in hub_text
        assert "1 Agency referrals waiting past timescale" in hub_text
        for key, screen_name in HUB_SCREENS:
            await pilot.press(key)
            await settle(pilot)
            assert type(pilot.app.screen).__name__ == screen_name
            await pilot.press("escape")
            await settle(pilot)
            assert type(pilot.app.screen).__name__ == "EarlyHelpScreen"


async def test_caseload_and_pupil_view_show_typed_text_literally(settings, busy, pupils):
    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "pat")
        await open_early_help(pilot)
        await pilot.press("c")
        await settle(pilot)
        text = screen_text(pilot.app.screen)
        assert "Lunch club for vulnerable pupils" in text and "50%" in text
        await pilot.press("escape", "p")
        await settle(pilot)
        await type_into(pilot, "#pupil-search", "amara")
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(pilot.app.screen)
        assert MARKUP in text  # aims, note and the agency reason, all literal
        assert "Settling [red]in[/red]" in text
        assert pilot.app.is_running


async def test_staff_refer_from_home_and_pastoral_accepts_and_enrols(settings, make_user, pastoral, offers, pupils, fake_clock):
    from kiosk.models.early_help import EarlyHelpEnrolment, EarlyHelpReferralDecision

    make_user("teach", "staff", full_name="Priya Lawson")
    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "teach")
        await pilot.press("h")
        await settle(pilot)
        await type_into(pilot, "#pupil-search", "grace")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")  # 1:1 pastoral support (first)
        await type_text_area(pilot, "#ref-reason", "Tearful at break times")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert type(pilot.app.screen).__name__ == "HomeScreen"
    (ref,) = eh.list_referrals(pastoral)
    assert (ref.pupil_id, ref.offer_name, ref.referred_by) == (pupils[6], "1:1 pastoral support", "Priya Lawson")

    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "pat")
        await open_early_help(pilot)
        await pilot.press("i")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "Tearful at break times" in screen_text(pilot.app.screen)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("enter")  # accept
        await type_text_area(pilot, "#f-reason", "Weekly check-ins")
        await type_text_area(pilot, "#f-aims", "Feel safe at break")
        await pilot.press("ctrl+s")
        await settle(pilot)
    decision = EarlyHelpReferralDecision.get()
    assert (decision.decision, decision.picked_up_by_id) == ("accepted", pastoral.user_id)
    enrolment = EarlyHelpEnrolment.get()
    assert (enrolment.pupil_id, enrolment.aims, enrolment.referral_id) == (pupils[6], "Feel safe at break", ref.id)


async def test_review_and_end_from_the_enrolments_list(settings, busy, pastoral, pupils):
    from kiosk.models.early_help import EarlyHelpEnrolmentEnd, EarlyHelpReview

    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "pat")
        await open_early_help(pilot)
        await pilot.press("v")
        await settle(pilot)
        # Overdue first: Amara's lunch club.
        assert "OVERDUE" in str(pilot.app.screen.query_one("#table").get_row_at(0)[3])
        await pilot.press("r")
        await settle(pilot)
        await type_text_area(pilot, "#f-notes", "Eating with two friends now")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert EarlyHelpReview.select().count() == 2
        await pilot.press("x")
        await settle(pilot)
        await type_into(pilot, "#f-ended_on", "01/01/2026")  # before it started
        await type_text_area(pilot, "#f-outcome", "Settled")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert any("cannot end before it starts" in n.message for n in pilot.app._notifications)
        assert EarlyHelpEnrolmentEnd.select().count() == 0


async def test_offer_rename_from_the_screen(settings, busy, pastoral):
    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "pat")
        await open_early_help(pilot)
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await type_into(pilot, "#f-new_name", "Drop-in (Tuesday lunch)")
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert eh.list_offers(pastoral)[0].name == "Drop-in (Tuesday lunch)"
