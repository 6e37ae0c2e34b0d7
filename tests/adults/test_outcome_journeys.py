"""Journeys at 80x24 for issue 18: the outcome dialog labelled "Outcome" with KCSIE's words,
the DBS/TRA questions after a substantiated allegation, "threshold not met" moving the concern
to the low-level route, and the LADO never shown as shared before contact."""

from __future__ import annotations

from textual.widgets import Label, Select

from kiosk.rules.routing import HarmsAnswers
from kiosk.services import adults
from tests.console.helpers import console_app, login, settle, type_text_area as write_area

SIZE = (80, 24)


def detail_text(app) -> str:
    """The whole record on the detail screen (it scrolls below 24 lines)."""
    return str(app.screen.query_one("#adult-detail-text").render())


def _raise(school, profile):
    return adults.raise_concern(school["teacher"], profile, subject_user_id=school["subject"].user_id,
                                what_happened="Pushed a pupil", answers=HarmsAnswers(harmed_child=True))


async def _open_detail(pilot):
    from kiosk.screens.adults.detail import AdultDetailScreen

    await login(pilot, "head")
    await pilot.press("g")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, AdultDetailScreen)


async def _outcome(pilot, outcome: str, why: str) -> None:
    await pilot.press("o")
    await settle(pilot)
    labels = [str(w.content) for w in pilot.app.screen.query(Label)]
    assert "Outcome" in labels and "Choose" not in labels
    select = pilot.app.screen.query_one("#f-outcome", Select)
    assert [str(o[0]) for o in select._options[1:]] == list(adults.OUTCOMES.values())
    select.value = outcome
    await write_area(pilot, "#f-rationale", why)
    await pilot.press("ctrl+s")
    await settle(pilot)


async def test_substantiated_then_dbs_and_tra_answers(settings, school, profile, fake_clock):
    r = _raise(school, profile)
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await _open_detail(pilot)
        assert "not yet contacted" in detail_text(app)
        await _outcome(pilot, "substantiated", "CCTV shows it")
        text = detail_text(app)
        assert "DBS/TRA answer due" in text and "Teaching Regulation Agency" in text
        await pilot.press("r")
        await settle(pilot)
        screen = app.screen
        screen.query_one("#f-departure", Select).value = "dismissed"
        screen.query_one("#f-dbs", Select).value = "referred"
        await pilot.press("ctrl+s")  # the TRA question unanswered: refused, nothing lost
        await settle(pilot)
        assert app.screen is screen
        assert "Teaching Regulation Agency" in str(screen.query_one("#dialog-message").content)
        screen.query_one("#f-tra", Select).value = "referred"
        screen.query_one("#f-answered_on").value = "today"
        await write_area(pilot, "#f-rationale", "Dismissed for gross misconduct")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not screen
        text = detail_text(app)
        assert "Duty applies: referred to the DBS" in text
        assert "DBS/TRA answer due" not in text
    d = adults.get_concern(school["head"], r.id)
    assert not d.referral_due and {e.kind for e in d.events} >= {"dbs", "tra"}


async def test_threshold_not_met_moves_to_low_level_route(settings, school, profile, fake_clock):
    r = _raise(school, profile)
    adults.record_lado_contact(school["head"], r.id, details="LADO says threshold not met")
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await _open_detail(pilot)
        assert "LADO (local authority), contacted" in detail_text(app)
        await _outcome(pilot, "threshold_not_met", "LADO advice: below the harms threshold")
        text = detail_text(app)
        assert "managed as a low-level concern" in text
        assert "LADO says threshold not met" in text  # its history came with it
        # The low-level route's written record is now the step; LADO keys are gone.
        assert app.screen.check_action("add", ("record",))
        assert not app.screen.check_action("add", ("lado_advice",))
        await pilot.press("w")
        await settle(pilot)
        await write_area(pilot, "#f-action_taken", "Reminded of the code of conduct")
        await write_area(pilot, "#f-rationale", "Low-level; monitor")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "recorded" in detail_text(app)
    assert adults.get_concern(school["head"], r.id).kind == "low_level"
