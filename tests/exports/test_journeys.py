"""Pilot journeys at 80x24: the DSL records a move and sends the file, the receiving school
imports it in the console, the DSL exports a chronology, the governor reads the report."""

from __future__ import annotations

from datetime import date

from tests.console.helpers import console_app, login, screen_text, settle, type_into, wait_until


async def _fill(pilot, values: dict) -> None:
    for name, value in values.items():
        await type_into(pilot, f"#f-{name}", value)


async def test_dsl_records_a_move_and_sends_the_file(settings, school, record, scrypt_fast):
    from kiosk.widgets.dialogs import NoticeDialog
    from kiosk.widgets.dialogs import FieldsDialog
    from kiosk.widgets.pupil_search import PupilSearchDialog
    from kiosk.screens.pupils.transfers import TransfersScreen
    from kiosk.services import transfers

    record()
    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "dsl")
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, TransfersScreen)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, PupilSearchDialog)
        await type_into(pilot, "#pupil-search", "amara")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FieldsDialog)
        await _fill(pilot, {"school": "Oak Hill Academy", "dsl": "Mr Receiver", "left": "today"})
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TransfersScreen)
        await wait_until(pilot, lambda: "to send" in screen_text(app))  # the list reloads in a worker
        assert "to send" in screen_text(app) and "5 working days left" in screen_text(app)
        await pilot.press("s")
        await settle(pilot)
        await _fill(pilot, {"password": ""})
        app.screen.query_one("#f-summary").text = "Open to social care."
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, NoticeDialog))
        text = screen_text(app)
        assert "Password: " in text and "never with the files" in text
        await pilot.press("enter")
        await settle(pilot)
        assert "sent" in screen_text(app)
        [t] = transfers.transfers(school.users["dsl"])
        assert t.state == "sent"
        # The home screen shows the state and countdown, without the pupil's name.
        await pilot.press("escape")
        await settle(pilot)
        home = screen_text(app)
        assert "CP file transfer sent: chase on" in home and "Amara" not in home


async def test_receiving_school_imports_in_the_console(settings, school, record, profile, tmp_path,
                                                       scrypt_fast):
    """The sending school is a second data dir; this app's school receives."""
    import dataclasses

    from kiosk import schema
    from kiosk.config import Settings
    from kiosk.db import db
    from kiosk.widgets.dialogs import NoticeDialog
    from kiosk.services import chronology, transfers
    from kiosk.services.actor import shell_actor
    from kiosk.services import accounts

    here = db.obj
    sender = Settings(data_dir=tmp_path / "sender")
    schema.open_database(sender)
    from kiosk.models import User

    info = accounts.create_user(shell_actor("shell:test"), "sdsl", "Ms Sender", ("dsl",),
                                "correct-battery-staple-42", must_change=False)
    sdsl = accounts.actor_for(User.get_by_id(info.id), "terminal")
    from kiosk.services import pupils

    kid = pupils.add_pupil(sdsl, first_name="Zed", last_name="Mover", date_of_birth=date(2015, 1, 2),
                           year_group=6, upn="A123456789012")
    other = dataclasses.replace(profile, school_name="Far Away School")
    t = transfers.start_transfer(sdsl, kid.id, destination_school=profile.school_name,
                                 destination_dsl="Mrs Dsl", left_on=date(2026, 11, 25), profile=other)
    sent = transfers.send_transfer(sdsl, sender, other, t.id, summary="Please call me.")
    db.obj.close()
    db.initialize(here)
    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "dsl")
        await pilot.press("f")
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        await _fill(pilot, {"file": str(sent.bundle_path), "password": "wrong but long enough"})
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "password is wrong" in screen_text(app))
        await pilot.press("v")
        await settle(pilot)
        await _fill(pilot, {"file": str(sent.bundle_path), "password": sent.password, "key": sent.fingerprint})
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, NoticeDialog))
        text = screen_text(app)
        assert "From Far Away School for Zed Mover" in text and "Receipt code" in text
    got = transfers.incoming(school.users["dsl"])[0]
    entries = chronology.chronology(school.users["dsl"], got.pupil_id)
    assert any(e.title.startswith("Received from Far Away School on") and "summary" in e.title for e in entries)


async def test_dsl_exports_chronology_from_the_pupil(settings, school, record):
    from kiosk.screens.pupils.chronology import ChronologyScreen
    from kiosk.widgets.dialogs import NoticeDialog
    from tests.exports.conftest import open_pdf

    record()
    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "dsl")
        app.push_screen(ChronologyScreen(school.pupils["amara"].id))
        await settle(pilot)
        assert "x Export" in screen_text(app)
        await pilot.press("x")
        await settle(pilot)
        await _fill(pilot, {"password": "case conference 2026"})
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, NoticeDialog))
        text = screen_text(app)
        assert "Chronology exported" in text and "Password:" not in text
    [pdf] = list((settings.data_dir / "exports").glob("chronology-*.pdf"))
    assert "Dad hit me with the belt" in "".join(p.extract_text() for p in open_pdf(pdf.read_bytes(),
                                                                                     "case conference 2026").pages)


async def test_headteacher_reads_but_has_no_export_keys(settings, school, record):
    from kiosk.screens.pupils.chronology import ChronologyScreen

    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "head")  # reads chronologies, exports nothing
        app.push_screen(ChronologyScreen(school.pupils["amara"].id))
        await settle(pilot)
        text = screen_text(app)
        assert "x Export" not in text and "Moving school" not in text
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ChronologyScreen)


async def test_governor_reads_the_report_and_writes_the_pdf(settings, school, record):
    from kiosk.widgets.dialogs import NoticeDialog
    from kiosk.screens.reports.governors_report import GovernorsReportScreen

    for _ in range(6):
        record()
    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "governor")
        await pilot.press("o")
        await wait_until(pilot, lambda: isinstance(app.screen, GovernorsReportScreen)
                         and app.screen.report is not None)
        text = screen_text(app)
        assert "Safeguarding report to governors" in text and "Concerns by month" in text
        assert "Amara" not in text
        await pilot.press("t")
        await wait_until(pilot, lambda: "autumn term" in screen_text(app))
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, NoticeDialog))
    assert list((settings.data_dir / "exports").glob("governors-report-autumn-*.pdf"))


async def test_dsl_records_the_move_from_the_leavers_list(settings, school, record):
    from kiosk.models.pupils import Pupil
    from kiosk.widgets.dialogs import FieldsDialog
    from kiosk.screens.pupils.leavers import LeaversScreen
    from kiosk.screens.pupils.transfers import TransfersScreen
    from kiosk.services import transfers

    record()
    amara = school.pupils["amara"].id
    Pupil.update(active=False, left_on=date(2026, 11, 24)).where(Pupil.id == amara).execute()
    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "dsl")
        app.push_screen(LeaversScreen())
        await settle(pilot)
        assert "t Record the move" in screen_text(app)
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, FieldsDialog))
        assert app.screen.query_one("#f-left").value == "24/11/2026"
        await _fill(pilot, {"school": "Oak Hill Academy", "dsl": "Mr Receiver"})
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TransfersScreen)
    [t] = transfers.transfers(school.users["dsl"])
    assert t.source == "roll_import" and t.left_on == date(2026, 11, 24)
