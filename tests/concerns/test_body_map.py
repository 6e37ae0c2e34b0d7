"""The body map on the concern form: a keyboard user marks areas; storage stays a list of
(body area, description) pairs."""

from __future__ import annotations

from tests.console.helpers import console_app, login, settle, type_into


async def test_keyboard_marks_an_area_and_the_injury_is_stored(settings, school):
    from kiosk.screens.concerns.form import RecordConcernScreen
    from kiosk.widgets.body_map import BodyMap

    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "teacher")
        await pilot.press("r")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RecordConcernScreen)
        body = screen.query_one(BodyMap)
        body.focus()
        await settle(pilot)
        assert body.area == "head"
        for key in ("down", "down", "down", "right"):  # face, neck, chest, then the child's left arm
            await pilot.press(key)
        assert body.area == "left_arm"
        await pilot.press("enter")
        await settle(pilot)
        assert screen.query_one("#injury-area").value == "left_arm"
        assert app.focused is screen.query_one("#injury-text")
        await type_into(pilot, "#injury-text", "Oval bruise")
        screen.query_one("#add-injury").press()
        await settle(pilot)
        assert screen.injuries == [("left_arm", "Oval bruise")]
        assert body.marked == {"left_arm"}
        assert "*L arm" in body.render().plain and "*L arm" not in str(screen.query_one("#injury-list").content)
        # Round the back figure and to "other" too.
        body.focus()
        for key in ("right", "right"):
            await pilot.press(key)
        assert body.area == "back"
        await pilot.press("down", "down", "down", "down")
        assert body.area == "other"


async def test_arrows_never_leave_the_map(settings, school):
    from kiosk.widgets.body_map import SPOTS, BodyMap

    app = console_app(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "teacher")
        await pilot.press("r")
        await settle(pilot)
        body = app.screen.query_one(BodyMap)
        body.focus()
        seen = set()
        for key in ["up", "left"] * 3 + ["right"] * 8 + ["down"] * 10 + ["left"] * 8 + ["up"] * 10:
            await pilot.press(key)
            seen.add(body.area)
            assert 0 <= body.cursor < len(SPOTS)
        assert len(seen) > 6


def test_concern_screen_draws_the_recorded_areas(school, record):
    from kiosk.screens.concerns.detail import render_concern
    from kiosk.services import concerns

    c = record(injuries=[("left_arm", "Oval bruise"), ("back", "red mark")])
    text = render_concern(concerns.get_concern(school.users["dsl"], c.id)).plain
    assert "Front (child facing you)" in text
    assert text.count("*L arm") == 2 and "*Back" in text and "*R arm" not in text
