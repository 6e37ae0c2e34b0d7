"""Markup-looking text, escape sequences, control characters, long, right-to-left and emoji
text: stored exactly where allowed, shown literally in Label/Static, DataTable and notify,
never a crash; control characters refused at input with a message."""

from __future__ import annotations

import pytest

from kiosk.errors import KioskError, ValidationError
from kiosk.services import accounts
from kiosk.widgets.inputs import CONTROL_REFUSED, TOO_LONG
from tests.conftest import STRONG_PASSWORD
from tests.console.forms import NoteForm
from tests.console.helpers import console_app, login, screen_text, settle, type_into

SIZE = (80, 24)
PAYLOADS = ["[/", "[@click=app.quit]x[/]", "[b]x", "[$accent]y", "[B]z"]
ESCAPE = "\x1b]0;x"


async def test_markup_in_a_name_is_shown_literally_in_the_header(settings, make_user):
    name = " ".join(PAYLOADS)
    make_user("alice", "staff", full_name=name)
    app = console_app(settings)
    async with app.run_test(size=(160, 24), notifications=True) as pilot:
        await settle(pilot)
        await login(pilot, "alice")
        assert name in screen_text(app)
        # clicking on it never runs the action written inside it
        await pilot.click("#header-user")
        await settle(pilot)
        assert app.is_running and app.actor is not None


async def test_notify_and_errors_show_payloads_literally(settings, make_user):
    make_user("alice", "staff")
    app = console_app(settings)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await settle(pilot)
        await login(pilot, "alice")
        for payload in PAYLOADS:
            app.screen.show_error(KioskError(payload))
            await settle(pilot)
            assert payload in screen_text(app)
        assert app.is_running


async def test_rules_pane_keeps_profile_text_literal(settings, make_user):
    make_user("alice", "staff")
    app = console_app(settings)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        await login(pilot, "alice")
        await app.push_screen(NoteForm())
        await type_into(pilot, "#note", "[/ [b]x")
        await settle(pilot)
        text = screen_text(app)
        assert "Next steps for: [/ [b]x" in text
        assert "Ms [b]DSL[/b]" in text


async def test_control_characters_are_refused_at_input_with_a_message(settings, make_user):
    make_user("alice", "staff")
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await login(pilot, "alice")
        await app.push_screen(NoteForm())
        await type_into(pilot, "#note", "ok ")
        note = app.screen.query_one("#note")
        note.insert_text_at_cursor(ESCAPE)
        await settle(pilot)
        assert note.value == "ok "
        assert CONTROL_REFUSED in [n.message for n in app._notifications]
        note.insert_text_at_cursor("x\x07y")
        await settle(pilot)
        assert note.value == "ok "


@pytest.mark.parametrize("char", ["\u202a", "\u202e", "\u2066", "\u2069"])
async def test_bidi_overrides_are_refused_at_input_and_in_services(settings, make_user, admin, char):
    make_user("alice", "staff")
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await login(pilot, "alice")
        await app.push_screen(NoteForm())
        await type_into(pilot, "#note", "ok ")
        note = app.screen.query_one("#note")
        note.insert_text_at_cursor(f"evil{char}txt.exe")
        await settle(pilot)
        assert note.value == "ok "
        assert CONTROL_REFUSED in [n.message for n in app._notifications]
    with pytest.raises(ValidationError, match="control characters"):
        accounts.create_user(admin, "eve", f"Eve {char}tsilla", ["staff"], STRONG_PASSWORD)


async def test_typing_past_the_length_limit_says_so(settings, make_user):
    make_user("alice", "staff")
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await login(pilot, "alice")
        await app.push_screen(NoteForm())
        note = app.screen.query_one("#note")
        await type_into(pilot, "#note", "x" * note.max_length)
        assert note.value == "x" * note.max_length
        await pilot.press("y")
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert TOO_LONG.format(limit=note.max_length) in messages
        assert CONTROL_REFUSED not in messages
        assert note.value == "x" * note.max_length


async def test_long_rtl_and_emoji_text_is_kept_exactly(settings, make_user):
    name = "مرحبا بالعالم 👩‍🏫 " + "x" * 180
    make_user("alice", "staff", full_name=name)
    app = console_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await login(pilot, "alice")
        await app.push_screen(NoteForm())
        await type_into(pilot, "#note", "שלום [b] 🧒🏽" * 5)
        await pilot.press("f12")
        await settle(pilot)
        await login(pilot, "alice")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query_one("#note").value == "שלום [b] 🧒🏽" * 5
        await pilot.resize_terminal(60, 20)
        await settle(pilot)
        assert app.is_running


def test_services_refuse_escape_sequences(make_user, admin):
    with pytest.raises(ValidationError):
        accounts.create_user(admin, "eve", "Eve " + ESCAPE, ["staff"], STRONG_PASSWORD)


async def test_text_area_refuses_pasted_control_characters(settings, database):
    from textual import events
    from textual.app import App

    from kiosk.widgets.inputs import SafeTextArea

    class One(App):
        def compose(self):
            yield SafeTextArea(id="area")

    app = One()
    async with app.run_test(notifications=True) as pilot:
        area = app.query_one("#area", SafeTextArea)
        area.focus()
        app.screen.post_message(events.Paste("line one\nline\ttwo"))
        await pilot.pause()
        assert area.text == "line one\nline\ttwo"
        app.screen.post_message(events.Paste("bad " + ESCAPE))
        await pilot.pause()
        assert area.text == "line one\nline\ttwo"
        assert CONTROL_REFUSED in [n.message for n in app._notifications]
