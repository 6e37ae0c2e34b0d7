"""Review dates at 80x24 (issue 18): the review dialog starts six weeks of school ahead
(Christmas does not count) and says when a date chosen by hand is in the holidays."""

from __future__ import annotations

from datetime import date, timedelta

from kiosk.services import early_help as eh
from tests.console.helpers import console_app, login, settle, type_into

TODAY = date(2026, 11, 26)  # the fake clock: Thursday; the default profile's terms


async def test_review_dialog_skips_the_holidays_and_says_so(settings, pastoral, offers, pupils, fake_clock):
    eh.enrol(pastoral, pupils[0], "pastoral_one_to_one", TODAY - timedelta(days=7), "Aims", TODAY)
    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await login(pilot, "pat")
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        field = app.screen.query_one("#f-next_review_on")
        # 30 school days from Thu 26 Nov: not Thu 7 Jan, which six calendar weeks would give.
        assert field.value == "22/01/2027"
        notes = app.screen.query_one("#f-notes")
        notes.focus()
        notes.insert("Settling in")
        await type_into(pilot, "#f-next_review_on", "29/12/2026")
        app.clear_notifications()
        await pilot.press("ctrl+s")
        await settle(pilot)
        said = " ".join(str(n.message) for n in app._notifications)
        assert "Next review 29 Dec 2026" in said and "school holidays" in said
