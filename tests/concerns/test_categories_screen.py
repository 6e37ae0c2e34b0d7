"""The DSL edits the school's category list through the console; staff cannot."""

from __future__ import annotations

import pytest

from kiosk.errors import PermissionDenied
from kiosk.services import concerns
from tests.console.helpers import console_app, login, settle, type_into


async def test_dsl_adds_and_retires_a_category(settings, make_user):
    make_user("alice", "dsl")
    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "alice")
        await pilot.press("t")
        await settle(pilot)
        from kiosk.screens.concerns.categories import CategoriesScreen

        assert isinstance(app.screen, CategoriesScreen)
        await pilot.press("n")
        await settle(pilot)
        await type_into(pilot, "#f-name", "Private fostering [b]x[/b]")
        await pilot.press("enter")
        await settle(pilot)
        names = {c.name: c for c in concerns.categories(app.actor, include_retired=True)}
        assert "Private fostering [b]x[/b]" in names  # kept exactly, markup and all
        # The cursor stays on the new row; retire the first category and bring it back.
        table = app.screen.query_one("#categories")
        assert table.cursor_row == table.row_count - 1
        await pilot.press(*["up"] * (table.row_count - 1), "r")
        await settle(pilot)
        first = concerns.categories(app.actor, include_retired=True)[0]
        assert not first.active
        assert first.key not in {c.key for c in concerns.categories(app.actor)}
        await pilot.press("r")
        await settle(pilot)
        assert concerns.categories(app.actor, include_retired=True)[0].active


def test_staff_cannot_edit_categories(make_user):
    teacher = make_user("tess", "staff")
    with pytest.raises(PermissionDenied):
        concerns.add_category(teacher, "Anything")
    with pytest.raises(PermissionDenied):
        concerns.set_category_active(teacher, "neglect", False)
