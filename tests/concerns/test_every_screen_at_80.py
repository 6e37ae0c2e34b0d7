"""Every screen as every demo role at 80x24: nothing a person needs is cut (issue 12).

Walks the demo school: for each role, each entry of its home menu. On every screen the
footer's keys are all shown whole, the person signed in is named in full in the header, and
every table's columns fit across the screen (no column off to the right).
"""

from __future__ import annotations

import pytest

from kiosk.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from tests.console.helpers import console_app, login, screen_text, settle

SIZE = (80, 24)


@pytest.fixture
def demo_school(database, fake_clock):
    from kiosk.demo import seed

    seed(pupils=80)


def problems_on(app, where: str) -> list[str]:
    from textual.widgets import DataTable

    from kiosk.widgets.footer import KioskFooter

    from textual.widgets import Footer

    out = []
    screen = app.screen
    width = SIZE[0]
    if screen.query(Footer):  # one line: keys fall off the end at 80 columns
        out.append(f"{where}: Textual's one-line Footer instead of KioskFooter")
    from kiosk.screens.base import KioskScreen

    if isinstance(screen, KioskScreen) and not screen.query(KioskFooter):
        out.append(f"{where}: no footer of keys")
    for footer in screen.query(KioskFooter):
        for line in footer.lines:
            if len(line) > width - 1:
                out.append(f"{where}: footer line too long: {line!r}")
        shown = " ".join(footer.lines)
        for key, description, _ in footer.items():
            if f"{key} {description}" not in shown:
                out.append(f"{where}: footer lost {key} {description}")
    name = app.actor.full_name if app.actor else ""
    top = screen_text(app).splitlines()[0] if name else ""
    if name and name not in top and screen.query("#header-user"):
        out.append(f"{where}: header cuts {name!r}: {top!r}")
    for table in screen.query(DataTable):
        if not table.display or not table.columns:
            continue
        total = sum(c.get_render_width(table) for c in table.ordered_columns)
        if total > table.size.width:
            out.append(f"{where}: table #{table.id} is {total} wide in {table.size.width}")
    return out


@pytest.mark.parametrize("username", [u for u, _, _ in DEMO_ACCOUNTS])
async def test_every_screen_fits_80_columns(settings, demo_school, username):
    from kiosk.screens.session.home import HomeScreen
    from kiosk.screens.session.menu import entries_for

    app = console_app(settings)
    found: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, username, DEMO_PASSWORD)
        app.clear_notifications()
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        found += problems_on(app, f"{username} home")
        for entry in entries_for(app.actor):
            await pilot.press(entry.key)
            await settle(pilot)
            found += problems_on(app, f"{username} {entry.key} {type(app.screen).__name__}")
            for _ in range(4):
                if isinstance(app.screen, HomeScreen):
                    break
                await pilot.press("escape")
                await settle(pilot)
                if not isinstance(app.screen, HomeScreen) and type(app.screen).__name__ == "ConfirmDialog":
                    await pilot.press("y")
                    await settle(pilot)
            assert isinstance(app.screen, HomeScreen), (username, entry.key, app.screen)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("username", ["pastoral", "dsl"])
async def test_every_early_help_screen_fits_80_columns(settings, demo_school, username):
    from kiosk.screens.early_help.hub import EarlyHelpScreen

    app = console_app(settings)
    found: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, username, DEMO_PASSWORD)
        app.clear_notifications()
        await pilot.press("e")
        await settle(pilot)
        hub = app.screen
        assert isinstance(hub, EarlyHelpScreen)
        for item in hub.items:
            await pilot.press(item.key)
            await settle(pilot)
            found += problems_on(app, f"{username} e {item.key} {type(app.screen).__name__}")
            for _ in range(4):
                if app.screen is hub:
                    break
                await pilot.press("escape")
                await settle(pilot)
                if app.screen is not hub and type(app.screen).__name__ == "ConfirmDialog":
                    await pilot.press("y")
                    await settle(pilot)
            assert app.screen is hub, (item.key, app.screen)
    assert not found, "\n".join(found)
