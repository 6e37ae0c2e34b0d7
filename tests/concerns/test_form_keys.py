"""The concern form measured in keys (issue 20): a standard concern in at most 15 keys
besides the text typed, from the home screen to the confirmation; an injury at most 5 more.

Every key goes through pilot.press, one at a time. `Keys.press` counts; `Keys.type` types
the text a person would write (a name's first letters, where, their words...) a character
at a time and does not count it. The counts are printed (run with -s to see them) and
asserted.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.console.helpers import console_app, login, screen_text, settle, wait_until

STANDARD_LIMIT = 15
INJURY_LIMIT = 5


class Keys:
    def __init__(self, pilot) -> None:
        self.pilot = pilot
        self.count = 0
        self.log: list[str] = []

    async def press(self, *keys: str) -> None:
        """Keys that are not text: Enter, Tab, Space to tick, Ctrl+S, a letter to choose."""
        for key in keys:
            self.count += 1
            self.log.append(key)
            await self.pilot.press(key)
            await settle(self.pilot, rounds=1)

    async def type(self, text: str) -> None:
        for char in text:
            await self.pilot.press("space" if char == " " else char)
        await settle(self.pilot, rounds=1)


def _focused(app) -> str:
    return app.focused.id if app.focused is not None else ""


async def _standard_concern(pilot, keys: Keys) -> None:
    """Home -> form -> one pupil, where, default source and time, one category, the three
    text fields, told the child what happens next. Leaves the cursor on the form."""
    from kiosk.screens.concerns.form import RecordConcernScreen

    app = pilot.app
    await keys.press("r")  # home: Record a concern
    assert isinstance(app.screen, RecordConcernScreen)
    assert _focused(app) == "pupil-search"
    await keys.type("Amara")
    await keys.press("enter")  # one match: chosen; the cursor goes on to where
    assert [r.pupil_name for r in app.screen._rows()] == ["Amara Abbott"]
    assert _focused(app) == "where"
    await keys.type("Year 6 classroom")
    await keys.press("enter")  # to the source, already "I noticed something"
    assert _focused(app) == "source"
    await keys.press("tab")
    assert _focused(app) == "categories"
    await keys.press("n")  # first letter of Neglect (typed to choose: counted)
    await keys.press("enter")  # ticks it and moves on
    assert app.screen._categories() == ["neglect"]
    assert _focused(app) == "words"
    await keys.type("I have no coat at home")
    await keys.press("tab")
    assert _focused(app) == "description"
    await keys.type("No coat in the snow again today")
    await keys.press("tab")
    assert _focused(app) == "why"
    await keys.type("Third time this week and she was shivering")
    await keys.press("tab")
    assert _focused(app) == "told-child"
    await keys.press("space")


async def test_a_standard_concern_in_at_most_15_keys(settings, school, capsys):
    from kiosk.screens.concerns.form import ConcernRecordedScreen
    from kiosk.screens.session.home import HomeScreen

    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "teacher")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        keys = Keys(pilot)
        await _standard_concern(pilot, keys)
        await keys.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConcernRecordedScreen))
        standard = keys.count
        result = app.screen.result
        text = screen_text(app)
        # The confirmation: the reference to quote and everything recorded.
        assert f"Reference to quote: {result.ref}" in text
        for shown in ("Amara Abbott (subject)", "26/11/2026 10:00", "Year 6 classroom",
                      "I noticed something", "Neglect", "Urgent: no",
                      "Told the child what happens next: yes", "Told a DSL in person: no",
                      "I have no coat at home", "No coat in the snow again today"):
            assert shown in text, shown
        assert result.child_told_next and not result.urgent
        await keys.press("enter")  # one key leaves
        assert isinstance(app.screen, HomeScreen)
    with capsys.disabled():
        print(f"\nconcern form: standard concern {standard} keys besides the text "
              f"(limit {STANDARD_LIMIT}): {' '.join(keys.log[:standard])}")
    assert standard <= STANDARD_LIMIT, keys.log


async def test_an_injury_adds_at_most_5_keys(settings, school, capsys):
    from kiosk.screens.concerns.form import ConcernRecordedScreen

    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "teacher")
        await settle(pilot)
        keys = Keys(pilot)
        await _standard_concern(pilot, keys)
        before = keys.count
        await keys.press("f4")  # to the body map (the cursor starts on the head)
        assert _focused(app) == "body-map"
        await keys.press("l")  # L arm: the first area starting with L
        await keys.press("enter")  # marks it; the cursor goes to what was seen there
        assert _focused(app) == "injury-text"
        await keys.type("Round bruise the size of a coin")
        await keys.press("enter")  # adds the injury
        injury = keys.count - before
        assert app.screen.injuries == [("left_arm", "Round bruise the size of a coin")]
        await keys.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConcernRecordedScreen))
        total = keys.count
        assert "Injury (Left arm): Round bruise the size of a coin" in screen_text(app)
    with capsys.disabled():
        print(f"\nconcern form: an injury adds {injury} keys (limit {INJURY_LIMIT}); "
              f"standard concern with one injury {total} keys")
    assert injury <= INJURY_LIMIT, keys.log


async def test_at_80x24_the_field_and_the_next_are_in_view(settings, school):
    """Along the path a person takes, the focused field and the next one are both inside
    the form's visible area, and the rules pane shows its first step."""
    app = console_app(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "teacher")
        await pilot.press("r")
        await settle(pilot)
        screen = app.screen
        path = ["pupil-search", "date", "time", "where", "source", "categories", "words",
                "description", "why", "told-child", "dsl-told", "urgent"]
        body = screen.query_one("#form-body")
        for here, after in zip(path, path[1:]):
            screen.query_one(f"#{here}").focus()
            await settle(pilot)
            view = body.region
            for wid in (here, after):
                region = screen.query_one(f"#{wid}").region
                assert view.contains_region(region), f"#{wid} out of view with #{here} focused"
            pane = str(screen.query_one("#rules-text").content).splitlines()
            pane_region = screen.query_one("#rules-pane").content_region
            first_step = next(i for i, line in enumerate(pane) if line.startswith("1. "))
            assert first_step < pane_region.height, "the rules pane's first step is hidden"
            assert screen.query_one("#rules-pane").scroll_y == 0


async def test_a_refused_submit_puts_the_cursor_on_the_field_with_the_reason(settings, school):
    from kiosk.screens.concerns.form import ConcernRecordedScreen

    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "teacher")
        await settle(pilot)
        keys = Keys(pilot)
        await keys.press("r")
        await keys.type("Amara")
        await keys.press("enter")
        await keys.type("Hall")
        await keys.press("enter", "tab", "n", "enter")  # where, source, Neglect
        await keys.type("Cold")
        await keys.press("ctrl+s")  # nothing seen written: refused
        await settle(pilot)
        screen = app.screen
        assert not isinstance(screen, ConcernRecordedScreen)
        assert _focused(app) == "description"
        reason = screen.query(".field-error")
        assert len(reason) == 1
        # The reason sits right above the field, under its prompt.
        assert "Description" in str(reason.first().content)
        siblings = list(screen.query_one("#description").parent.children)
        index = siblings.index(screen.query_one("#description"))
        assert siblings[index - 1] is reason.first()
        assert screen.query_one("#words").text == "Cold"
        assert screen.query_one("#where").value == "Hall"
        await keys.type("Shivering")
        await keys.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConcernRecordedScreen))


def test_defaults_and_a_minute_of_clock_skew(school, record):
    """The form's default time is now; a terminal a few minutes ahead is not "the future",
    ten minutes is."""
    from kiosk.errors import ValidationError
    from kiosk.services import concerns

    clock = school.clock
    now = clock.now  # 26/11/2026 10:00 UTC, 10:00 in London
    ahead = (now + timedelta(minutes=2)).strftime("%H:%M")
    result = record(occurred_time=ahead)
    assert result.occurred_time == ahead
    with pytest.raises(ValidationError) as refused:
        record(occurred_time=(now + timedelta(minutes=10)).strftime("%H:%M"))
    assert refused.value.field == concerns.F_TIME


def test_prompts_come_from_paragraph_11d():
    from kiosk.rules.steps import record_prompts

    for source in (None, "child_told", "parent_told", "other_child_told", "noticed",
                   "professional"):
        prompts = record_prompts(source)
        assert set(prompts) == {"words", "description", "why"}
        for text in prompts.values():
            assert "(para 11d" in text and len(text) <= 76 and "\n" not in text
    assert "child's own words" in record_prompts("child_told")["words"]
    assert "parent's own words" in record_prompts("parent_told")["words"]
