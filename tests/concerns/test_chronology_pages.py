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


def _index_rows():
    from kiosk.db import db

    return sorted(db.execute_sql("SELECT pupil_id, kind, at, record_id, concern_id FROM chronology_index").fetchall())


@pytest.fixture
def every_write(school, history, record):
    """Amara's history written through every service that adds to a chronology: a concern
    she witnessed (another pupil its subject), several actions on one day (a page boundary
    inside a day), close, reopen, a new owner, a share and its end, an amendment, a child
    recorded as not on roll and matched to her, and a concern removed under retention."""
    from datetime import datetime

    from kiosk.rules.retention import RetentionRules
    from kiosk.services import retention

    dsl, deputy = school.users["dsl"], school.users["deputy"]
    ben = school.pupils["ben"].id
    seen = record(pupils=[(ben, "subject"), (history, "witness")], occurred_on=date(2026, 10, 2),
                  occurred_time="", description="Seen in the playground")
    for n in range(5):
        concerns.add_action(dsl, seen.id, kind="monitor", action_date=date(2026, 10, 20), taken_by="Mrs Dsl",
                            notes=f"Same-day note {n}", rationale="Watching")
        school.clock.advance(minutes=1)
    # An action with the fields its kind asks for (a page reads them with its categories).
    concerns.add_action(dsl, seen.id, kind="childrens_services", action_date=date(2026, 10, 21), taken_by="Mrs Dsl",
                        notes="Referred", rationale="Threshold met",
                        details={"la_reference": "LA-2026-114", "outcome": "Assessment opened"})
    concerns.close_concern(dsl, seen.id, summary="Resolved", outcome="support_in_school", reasoning="No further risk")
    concerns.reopen_concern(dsl, seen.id, "New information")
    concerns.assign_owner(dsl, seen.id, deputy.user_id)
    pastoral = school.users["pastoral"]
    concerns.share(dsl, seen.id, pastoral.user_id, "Needs to know")
    concerns.unshare(dsl, seen.id, pastoral.user_id, "No longer")
    concerns.amend(dsl, seen.id, field="description", text="Seen by the gate", reason="Place")
    # Three concerns on one day, each written down later but happening earlier than the last:
    # the index holds their day, so a page that stops inside the day must read it all.
    for hhmm in ("15:00", "08:00", "12:00"):
        record(occurred_on=date(2026, 10, 25), occurred_time=hhmm, description=f"Same day at {hhmm}")
        school.clock.advance(minutes=2)
    child = pupils.add_not_on_roll(school.users["teacher"], first_name="Kacper", last_name="Nowak",
                                   born="03/03/2015", note="Visiting cousin")
    record(pupils=[(child.id, "subject")], occurred_on=date(2026, 9, 20), description="Before the match")
    pupils.match_not_on_roll(dsl, child.id, history, "The same child")
    # Retention: a concern about Amara alone (with its action) removed when it fell due.
    doomed = chronology.chronology(dsl, history)[-1].record_id
    rules = RetentionRules()
    school.clock.now = datetime(2041, 1, 10, 9, 0)
    decision = retention.propose_removal(dsl, "concern", doomed, "Past its review date and not needed.", rules)
    retention.confirm_removal(deputy, decision, rules)
    return history


@pytest.mark.parametrize("size", [1, 2, 5])
def test_every_write_path_keeps_the_pages_whole(school, every_write, size):
    dsl = school.users["dsl"]
    whole = chronology.chronology(dsl, every_write)
    kinds = {e.kind for e in whole}
    assert {"concern", "action", "event", "amendment", "flag", "removed"} <= kinds
    text = " ".join(e.title + e.detail for e in whole)
    for seen in ("(witness)", "Same-day note 4", "Before the match", "Seen by the gate", "removed under",
                 "LA-2026-114"):
        assert seen in text, seen
    for who in ("dsl", "deputy", "deputy2"):
        actor = school.users[who]
        got, _ = _all_pages(actor, every_write, size=size)
        assert got == chronology.chronology(actor, every_write), who
    for category in ("physical_abuse", "neglect"):
        got, _ = _all_pages(dsl, every_write, category=category, size=size)
        assert got == chronology.chronology(dsl, every_write, category=category)


def test_the_index_is_what_the_records_say_after_every_write(school, every_write):
    """The triggers kept the index exactly as filling it afresh from the records does (the
    removed concern's rows went with it)."""
    from kiosk import db as dbmod
    from kiosk.models import chronology_index

    kept = _index_rows()
    assert any(kind == "action" for _p, kind, *_ in kept)
    assert len({(p, k, r) for p, k, _a, r, _c in kept}) == len(kept)
    with dbmod.write():
        chronology_index.rebuild()
    assert _index_rows() == kept


def test_an_older_database_gets_the_index_filled_on_open(school, every_write):
    """Schema 5 had no chronology index: opening it with this console fills it from the
    records (and its triggers then keep it)."""
    from kiosk import db as dbmod
    from kiosk import schema
    from kiosk.db import db
    from kiosk.models import Meta

    kept = _index_rows()
    whole = chronology.chronology(school.users["dsl"], every_write)
    with dbmod.write():
        for table in ("concern_pupil", "concern_action", "concern_event", "concern_amendment"):
            if dbmod.is_sqlite():
                db.execute_sql(f'DROP TRIGGER IF EXISTS "ci_{table}_insert"')
                db.execute_sql(f'DROP TRIGGER IF EXISTS "ci_{table}_delete"')
            else:
                db.execute_sql(f'DROP TRIGGER IF EXISTS "ci_{table}" ON {table}')
        db.execute_sql("DROP TABLE chronology_index")
        Meta.update(value="5").where(Meta.key == "schema_version").execute()
        Meta.update(value="old").where(Meta.key == "tables").execute()
    assert schema.upgrade() == schema.SCHEMA_VERSION == 6
    assert _index_rows() == kept
    got, _ = _all_pages(school.users["dsl"], every_write, size=3)
    assert got == whole
    # The triggers are back: a new action reaches the index.
    c = [e for e in whole if e.kind == "concern" and not e.restricted][0].record_id
    concerns.add_action(school.users["dsl"], c, kind="monitor", action_date=date(2040, 12, 1),
                        taken_by="Mrs Dsl", notes="After the upgrade", rationale="Check")
    assert len(_index_rows()) == len(kept) + 1
    first = chronology.chronology_page(school.users["dsl"], every_write, size=2).entries
    assert [e.kind for e in first] == ["removed", "action"] and "After the upgrade" in first[1].detail
