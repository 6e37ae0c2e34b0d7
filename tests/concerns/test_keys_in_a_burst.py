"""The concern form typed in a burst (a fast typist, SSH latency): Ctrl+S straight after the
last letters sends them all, and a Tab in the burst moves on before the words after it."""

from __future__ import annotations

from kiosk.screens.concerns.form import ConcernRecordedScreen, RecordConcernScreen
from tests.console.helpers import burst, console_app, login, screen_text, settle, type_into, typed, wait_until

SIZE = (80, 24)
DESCRIPTION = "No coat in the snow again today, and she was shivering at the gate"
WHY = "Third time this week"


async def _form_up_to_the_description(pilot):
    app = pilot.app
    await login(pilot, "teacher")
    await pilot.press("r")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, RecordConcernScreen)
    await type_into(pilot, "#pupil-search", "ama")
    await pilot.press("enter")
    await settle(pilot)
    screen.query_one("#categories").select("neglect")
    await type_into(pilot, "#where", "Playground")
    screen.query_one("#words").text = "I have no coat"
    screen.query_one("#description").focus()
    await settle(pilot)
    return screen


async def test_ctrl_s_straight_after_typing_sends_every_key(settings, school):
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await _form_up_to_the_description(pilot)
        screen.query_one("#why").text = WHY
        burst(app, *typed(DESCRIPTION), "ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConcernRecordedScreen)
                         or "Not saved" in screen_text(app))
        assert isinstance(app.screen, ConcernRecordedScreen), screen_text(app)
        assert app.screen.result.description == DESCRIPTION


async def test_a_tab_in_the_burst_moves_on_before_the_words_after_it(settings, school):
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await _form_up_to_the_description(pilot)
        burst(app, *typed(DESCRIPTION), "tab", *typed(WHY), "ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConcernRecordedScreen)
                         or "Not saved" in screen_text(app))
        assert isinstance(app.screen, ConcernRecordedScreen), screen_text(app)
        result = app.screen.result
        assert (result.description, result.why_concern) == (DESCRIPTION, WHY)


async def test_enter_between_date_time_and_place_moves_on_before_the_keys_after_it(settings, school):
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await _form_up_to_the_description(pilot)
        for box in ("#date", "#time", "#where"):
            screen.query_one(box).value = ""
        screen.query_one("#date").focus()
        await settle(pilot)
        burst(app, *typed("01/12/2026"), "enter", *typed("09:40"), "enter", *typed("Gate"), "enter")
        await settle(pilot)
        values = {box: screen.query_one(f"#{box}").value for box in ("date", "time", "where")}
        assert values == {"date": "01/12/2026", "time": "09:40", "where": "Gate"}
        assert app.focused is screen.query_one("#source")
