"""The chronology a page at a time (issue 19): the pages joined are the whole chronology,
for every page size, reader and filter; each page is permissioned and audited; the screen
reads the next page as the cursor nears the end."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kiosk.errors import NotFound, PermissionDenied
from kiosk.services import chronology, concerns, pupils


@pytest.fixture
def history(school, record):
    """Amara's history: concerns on many days (some at the same moment), actions filed
    later than their concern, acknowledgements, an amendment, flag changes, and a concern
    restricted to the DSL and one deputy (the other deputy sees one line for it)."""
    dsl = school.users["dsl"]
    amara = school.pupils["amara"].id
    ids = []
    start = date(2026, 9, 1)
    for i in range(14):
        day = start + timedelta(days=5 * i)
        c = record(occurred_on=day, occurred_time="" if i % 3 else "10:30",
                   categories=["neglect"] if i % 2 else ["physical_abuse", "neglect"],
                   description=f"Concern number {i}")
        ids.append(c.id)
        school.clock.advance(minutes=7)
        if i % 2 == 0:
            concerns.acknowledge(dsl, c.id)
        if i % 4 == 1:
            # An action filed on a later day than the concern: a page must still find it.
            concerns.add_action(dsl, c.id, kind="monitor", action_date=day + timedelta(days=9),
                                taken_by="Mrs Dsl", notes=f"Follow-up {i}", rationale="Pattern")
        school.clock.advance(minutes=3)
    concerns.amend(dsl, ids[3], field="description", text="Corrected account", reason="Typo")
    pupils.set_flag(dsl, amara, "child_in_need", True, "Assessment opened")
    school.clock.advance(minutes=1)
    pupils.set_flag(dsl, amara, "child_in_need", False, "Assessment closed")
    concerns.restrict(dsl, ids[5], [dsl.user_id, school.users["deputy2"].user_id], "Staff member involved")
    return amara


def _all_pages(actor, pupil_id, category=None, size=5):
    got, cursor, pages = [], None, 0
    while True:
        page = chronology.chronology_page(actor, pupil_id, category, cursor, size=size)
        assert page.page == pages
        assert len(page.entries) <= size
        got += page.entries
        pages += 1
        if page.next is None:
            return got, pages
        cursor = page.next
        assert pages < 500


@pytest.mark.parametrize("size", [1, 3, 7, 100])
def test_the_pages_joined_are_the_whole_chronology(school, history, size):
    for who in ("dsl", "deputy", "deputy2"):
        actor = school.users[who]
        whole = chronology.chronology(actor, history)
        assert len(whole) > 20
        got, pages = _all_pages(actor, history, size=size)
        assert got == whole, who
        assert pages >= len(whole) // size


def test_a_restricted_concern_stays_one_line_on_the_pages(school, history):
    deputy = school.users["deputy"]  # not named on the restriction
    got, _ = _all_pages(deputy, history, size=4)
    hidden = [e for e in got if e.restricted]
    assert [e.title for e in hidden] == ["Restricted concern"]
    assert "Concern number 5" not in " ".join(e.detail for e in got)


@pytest.mark.parametrize("category", ["physical_abuse", "neglect", "sexual_abuse"])
def test_the_pages_of_one_category_are_that_category(school, history, category):
    dsl = school.users["dsl"]
    whole = chronology.chronology(dsl, history, category=category)
    got, _ = _all_pages(dsl, history, category=category, size=3)
    assert got == whole
    assert all(e.category == category for e in got)


def test_the_first_page_is_the_newest(school, history):
    dsl = school.users["dsl"]
    whole = chronology.chronology(dsl, history)
    first = chronology.chronology_page(dsl, history, size=6)
    assert list(first.entries) == whole[:6] and first.next is not None
    last_page = chronology.chronology_page(dsl, school.pupils["chloe"].id)
    assert last_page.entries == () and last_page.next is None


def test_every_page_is_permissioned_and_audited(school, history):
    from kiosk.models import AuditEvent

    dsl = school.users["dsl"]
    before = AuditEvent.select().where(AuditEvent.action == "chronology.view").count()
    first = chronology.chronology_page(dsl, history, size=5)
    chronology.chronology_page(dsl, history, cursor=first.next, size=5)
    views = list(AuditEvent.select().where(AuditEvent.action == "chronology.view")
                 .order_by(AuditEvent.seq))[before:]
    assert [(v.actor, v.target_id) for v in views] == [("dsl", str(history))] * 2
    assert ['"page":0', '"page":1'] == [v.detail[v.detail.index('"page"'):][:8] for v in views]
    for who in ("teacher", "pastoral", "governor", "itadmin", "director", "trustlead"):
        with pytest.raises(PermissionDenied):
            chronology.chronology_page(school.users[who], history)
        refused = AuditEvent.select().order_by(AuditEvent.seq.desc()).first()
        assert refused.action == "permission.denied" and refused.actor == who
    with pytest.raises(NotFound):
        chronology.chronology_page(dsl, 999999)


async def test_the_screen_reads_more_as_the_cursor_nears_the_end(settings, school, history, monkeypatch):
    from textual.widgets import DataTable

    from kiosk.models import AuditEvent
    from kiosk.screens.pupils.chronology import ChronologyScreen
    from tests.console.helpers import console_app, login, settle, wait_until

    monkeypatch.setattr(chronology, "PAGE_SIZE", 12)
    whole = chronology.chronology(school.users["dsl"], history)
    assert len(whole) > 24
    app = console_app(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "dsl")
        app.push_screen(ChronologyScreen(history))
        await wait_until(pilot, lambda: isinstance(app.screen, ChronologyScreen)
                         and app.screen.query_one(DataTable).row_count > 0)
        screen = app.screen
        table = screen.query_one(DataTable)
        await settle(pilot)
        assert table.row_count == 12
        pages = AuditEvent.select().where(AuditEvent.action == "chronology.view").count()
        # Down the list: near the end of the first page the second is read and added.
        for _ in range(3):
            await pilot.press("down")
        await wait_until(pilot, lambda: table.row_count == 24)
        assert table.cursor_row == 3
        # To the end: every page, then nothing more to read.
        for _ in range(len(whole)):
            await pilot.press("down")
            await settle(pilot, rounds=1)
        await wait_until(pilot, lambda: table.row_count == len(whole))
        assert [e.title for e in screen.entries] == [e.title for e in whole]
        assert screen._next is None
        assert AuditEvent.select().where(AuditEvent.action == "chronology.view").count() >= pages + 2
        # The highlighted entry is shown in full below the table, older pages too.
        assert whole[-1].title in str(screen.query_one("#entry-detail").render())
