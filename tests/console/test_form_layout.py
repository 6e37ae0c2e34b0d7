"""At 80x24 a form opens with its first field in view (the rules pane stacks below)."""

from __future__ import annotations

import pytest

from tests.console.helpers import console_app, login, settle


@pytest.mark.parametrize("role, key", [("staff", "r"), ("staff", "a")])
async def test_form_opens_with_the_focused_field_visible(settings, make_user, role, key):
    make_user("tess", role)
    app = console_app(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "tess")
        await pilot.press(key)
        await settle(pilot)
        body = app.screen.query_one("#form-body")
        focused = app.focused
        assert focused is not None
        assert body.region.contains_region(focused.region), (focused, focused.region, body.region)


async def test_home_footer_shows_the_hide_key_first_then_the_menu_keys(settings, make_user):
    from tests.console.helpers import screen_text

    make_user("tess", "staff")
    app = console_app(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "tess")
        from kiosk.widgets.footer import KioskFooter

        footer = " ".join(app.screen.query_one(KioskFooter).lines)
        assert footer.split()[:4] == ["f12", "Hide", "r", "Record"]
        assert "m Mine" in footer and "a Adult" in footer
