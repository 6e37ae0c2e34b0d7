"""What the screens got wrong at 80x24 (issue 12): widths, double audit events, cut text."""

from __future__ import annotations

from tests.console.helpers import console_app, login, screen_text, settle, wait_until

SIZE = (80, 24)


async def test_chronology_columns_fit_their_content_as_soon_as_the_rows_arrive(
        settings, school, record, monkeypatch):
    from textual.widgets import DataTable

    from kiosk.screens.chronology import ChronologyScreen
    from kiosk.services import chronology

    record()
    app = console_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "dsl")
        # Hold the worker back, so the rows arrive after the table's first layout.
        monkeypatch.setattr(ChronologyScreen, "_load", lambda self, *a: None)
        app.push_screen(ChronologyScreen(school.pupils["amara"].id))
        await wait_until(pilot, lambda: isinstance(app.screen, ChronologyScreen))
        screen = app.screen
        table = screen.query_one(DataTable)
        # The worker's rows land whenever they land: no idle may pass before the widths hold
        # (an auto-width column kept its label's width until measured: "02/1  Stat").
        screen._show_entries(chronology.chronology(school.users["dsl"], school.pupils["amara"].id))
        when, what, entry = table.ordered_columns
        assert when.get_render_width(table) >= len("26/11/2026 09:15") + 2
        assert what.get_render_width(table) >= len("Concern") + 2
        assert entry.get_render_width(table) >= len("Concern C-00001: Physical abuse") + 2
        await settle(pilot)
        assert "26/11/2026" in screen_text(app)


async def test_opening_the_inbox_is_audited_once(settings, school, record):
    from kiosk.models import AuditEvent
    from kiosk.screens.inbox import InboxScreen

    record()
    app = console_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "dsl")
        before = AuditEvent.select().where(AuditEvent.action == "concern.inbox").count()
        await pilot.press("i")
        await wait_until(pilot, lambda: isinstance(app.screen, InboxScreen)
                         and app.screen.query_one("#inbox").row_count == 1)
        await settle(pilot)
        assert AuditEvent.select().where(AuditEvent.action == "concern.inbox").count() == before + 1
        # Coming back to it from a concern reads it again (it may have changed): once more.
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert AuditEvent.select().where(AuditEvent.action == "concern.inbox").count() == before + 2
