"""Journeys at 80x24: the concern form offers siblings and takes a child not on roll; the
DSL sets a flag with a reason and date and sees it on the chronology with siblings' counts."""

from __future__ import annotations

from datetime import date

from tests.console.helpers import console_app, login, screen_text, settle, type_into, wait_until


def _family(staff, fixture_bytes):
    from kiosk.services import roll_import

    roll_import.run_import(staff.itadmin, fixture_bytes("ctf24_roll.xml"), "ctf24_roll.xml")
    from kiosk.models.pupils import Pupil

    return {p.first_name: p.id for p in Pupil.select()}


async def test_concern_form_offers_a_sibling_and_a_child_not_on_roll(settings, staff, fixture_bytes):
    from kiosk.screens.concerns.form import ConcernRecordedScreen, RecordConcernScreen

    ids = _family(staff, fixture_bytes)
    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "teacher")
        await pilot.press("r")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RecordConcernScreen)
        await type_into(pilot, "#pupil-search", "ava")
        await pilot.press("enter")
        await settle(pilot)
        await settle(pilot)
        assert "Also record for a sibling?" in screen_text(app)
        screen.query_one(f"#sibling-{ids['Noah']}").press()
        await settle(pilot)
        assert [(r.pupil_id, r.role) for r in screen._rows()] == [(ids["Ava"], "subject"), (ids["Noah"], "subject")]
        assert not list(screen.query("#sibling-offer Button"))
        # A cousin at another school: not on roll, age known but not the date of birth.
        screen.query_one("#not-on-roll").press()
        await settle(pilot)
        dialog = app.screen
        dialog.query_one("#f-first").value = "Kacper"
        dialog.query_one("#f-last").value = "Nowak"
        dialog.query_one("#f-born").value = "9"
        dialog.query_one("#f-note").text = "Cousin; attends St Mary's; stays at weekends"
        await pilot.press("ctrl+s")
        await settle(pilot)
        rows = screen._rows()
        assert rows[-1].pupil_name == "Kacper Nowak (not on roll)"
        rows[-1].query_one("Select").value = "other"
        screen.query_one("#source").value = "noticed"
        screen.query_one("#categories").select("neglect")
        screen.query_one("#description").text = "Both came in without coats; hungry."
        await settle(pilot)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConcernRecordedScreen))
    from kiosk.models.pupils import NOT_ON_ROLL, Pupil

    kacper = Pupil.get(Pupil.last_name == "Nowak")
    assert kacper.status == NOT_ON_ROLL and "Age about 9" in kacper.roll_note
    assert kacper.date_of_birth.year == date(2026, 11, 26).year - 9


async def test_dsl_sets_a_flag_and_sees_siblings_counts_on_the_chronology(settings, staff, fixture_bytes,
                                                                        record_concern):
    from kiosk.screens.pupils.chronology import ChronologyScreen
    from kiosk.screens.pupils.flags import PupilFlagsScreen

    ids = _family(staff, fixture_bytes)
    record_concern(staff.teacher, ids["Noah"])
    record_concern(staff.teacher, ids["Noah"])
    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "dsl")
        await pilot.press("p")
        await settle(pilot)
        await type_into(pilot, "#pupil-search", "ava")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ChronologyScreen))
        head = str(app.screen.query_one("#pupil-head").content)
        assert "Siblings: Noah Patel: 2 open concerns" in head
        # The count only: nothing of what Noah's concerns say.
        assert "coat" not in screen_text(app)
        await pilot.press("g")
        await wait_until(pilot, lambda: isinstance(app.screen, PupilFlagsScreen))
        flags = app.screen
        flags.query_one("#flags").move_cursor(row=list(flags.states).index(
            next(s for s in flags.states if s.key == "other")))
        await pilot.press("enter")
        await settle(pilot)
        dialog = app.screen
        dialog.query_one("#f-label").value = "Private fostering [/b]"
        dialog.query_one("#f-reason").text = "Aunt caring since September; LA told"
        dialog.query_one("#f-on").value = "01/09/2026"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Private fostering [/b]" in screen_text(app)
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ChronologyScreen)
                         and "Private fostering" in str(app.screen.query_one("#pupil-head").content))
        await wait_until(pilot, lambda: "Private fostering [/b]: set by Mrs Dsl" in screen_text(app))
    from kiosk.models.pupils import Pupil, PupilFlagChange

    ava = Pupil.get_by_id(ids["Ava"])
    assert ava.other and ava.other_label == "Private fostering [/b]"
    change = PupilFlagChange.get(PupilFlagChange.pupil == ava.id)
    assert change.effective_on == date(2026, 9, 1) and change.label == "Private fostering [/b]"


async def test_admin_previews_then_imports_the_roll_in_the_console(settings, staff, record_concern):
    from textual.widgets import ProgressBar

    from kiosk.models.pupils import Pupil
    from kiosk.screens.admin.roll_import import RollImportScreen
    from tests.imports.conftest import FIXTURES

    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "itadmin")
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, RollImportScreen))
        screen = app.screen
        await type_into(pilot, "#roll-file", str(FIXTURES / "ctf24_roll.xml"))
        await pilot.press("ctrl+s")  # not previewed yet: refused
        await settle(pilot)
        assert Pupil.select().count() == 0
        await pilot.press("enter")
        await wait_until(pilot, lambda: "Dry run: nothing changed. 4 joining" in str(
            screen.query_one("#roll-text").content))
        assert Pupil.select().count() == 0
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "4 joining" in str(screen.query_one("#roll-text").content)
                         and not screen.busy)
        assert Pupil.select().count() == 4
        bar = screen.query_one("#roll-progress", ProgressBar)
        assert bar.total == 5 and bar.progress == 5  # 4 joiners and 1 sibling link
        # A malformed file: one line, nothing changed.
        await type_into(pilot, "#roll-file", str(FIXTURES / "nope.xml"))
        await pilot.press("enter")
        await wait_until(pilot, lambda: "cannot read the file" in str(screen.query_one("#roll-text").content))
        assert Pupil.select().count() == 4


async def test_dsl_sees_leavers_and_matches_a_child_not_on_roll(settings, staff, fixture_bytes, record_concern):
    from kiosk.screens.pupils.leavers import LeaversScreen, NotOnRollScreen
    from kiosk.services import pupils, roll_import

    ids = _family(staff, fixture_bytes)
    record_concern(staff.teacher, ids["Mia"])
    zara = pupils.add_not_on_roll(staff.teacher, first_name="Zara", last_name="Ahmed", born="05/05/2013",
                                  note="Sister of a pupil at St Mary's")
    record_concern(staff.teacher, zara.id)
    roll_import.run_import(staff.itadmin, fixture_bytes("ctf25_roll.xml"), "ctf25_roll.xml", full_roll=True)
    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "dsl")
        assert "left: child protection file to transfer" in screen_text(app)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("f6")
        await wait_until(pilot, lambda: isinstance(app.screen, LeaversScreen))
        assert "Mia Jones" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("f7")
        await wait_until(pilot, lambda: isinstance(app.screen, NotOnRollScreen))
        assert "Zara Ahmed" in screen_text(app)
        screen = app.screen
        assert screen.rows[0].maybe and screen.rows[0].maybe[0].upn == "A936200015014"
        await pilot.press("m")
        await settle(pilot)
        await type_into(pilot, "#pupil-search", "zara")
        await pilot.press("enter")
        await settle(pilot)
        app.screen.query_one("#f-reason").value = "Same child: joined from St Mary's"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.rows == []
    from kiosk.models.concerns import ConcernPupil
    from kiosk.models.pupils import Pupil

    joined = Pupil.get(Pupil.upn == "A936200015014")
    assert Pupil.get_by_id(zara.id).merged_into == joined.id
    # The link stays on the child's record (append-only); the pupil's chronology shows it.
    assert ConcernPupil.select().where(ConcernPupil.pupil == zara.id).count() == 1
    from kiosk.services import chronology

    assert [e.kind for e in chronology.chronology(staff.dsl, joined.id)].count("concern") == 1
