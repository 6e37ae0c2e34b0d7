"""Lists filled from a worker's result show every cell whole as the rows land, not only once
the table next goes idle (Textual measures auto-width columns then: under load a list
showed "Late" for "Late Signer" for ten seconds). The names and places typed by people are
long and look like markup; each screen is looked at the moment its rows are shown."""

from __future__ import annotations

from datetime import date, timedelta

from tests.console.helpers import CellsOnArrival, console_app, login, settle, wait_until

CHILD_FIRST, CHILD_LAST = "Zara-Louise [b]", "Ahmed-Montgomery"
SCHOOL = "St Mary's [i]Catholic[/i] Primary School, Upper Norwood"
ADULT = "Mr Bartholomew Fitzgerald-Henderson"
NOTE = "Came with grandmother; asked about [bold]young carers[/] support"


async def test_lists_filled_from_a_worker_show_every_cell_whole_at_once(settings, staff, fixture_bytes,
                                                                       record_concern, monkeypatch):
    from kiosk.models.pupils import Pupil
    from kiosk.rules.profile import load_profile
    from kiosk.rules.routing import HarmsAnswers
    from kiosk.screens.adults.form import MyAdultReportsScreen
    from kiosk.screens.concerns.mine import MyConcernsScreen
    from kiosk.screens.early_help.caseload import OfferScreen
    from kiosk.screens.early_help.register import FamilyRegisterScreen
    from kiosk.screens.pupils.family import PupilFamilyScreen
    from kiosk.screens.pupils.flags import PupilFlagsScreen
    from kiosk.screens.pupils.leavers import LeaversScreen, NotOnRollScreen
    from kiosk.screens.pupils.transfers import TransfersScreen
    from kiosk.services import adults, early_help as eh, pupils, roll_import, transfers

    profile = load_profile()
    today = staff.clock.now.date()
    roll_import.run_import(staff.itadmin, fixture_bytes("ctf24_roll.xml"), "ctf24_roll.xml")
    ids = {p.first_name: p.id for p in Pupil.select()}
    record_concern(staff.dsl, ids["Mia"])
    child = pupils.add_not_on_roll(staff.teacher, first_name=CHILD_FIRST, last_name=CHILD_LAST,
                                   born="05/05/2013", note="Cousin of a pupil")
    record_concern(staff.teacher, child.id)
    roll_import.run_import(staff.itadmin, fixture_bytes("ctf25_roll.xml"), "ctf25_roll.xml", full_roll=True)
    pupils.set_flag(staff.dsl, ids["Ava"], "cp_plan", True, "Initial conference", on=today)
    transfers.start_transfer(staff.dsl, ids["Ava"], destination_school=SCHOOL, destination_dsl="Mr Okafor",
                             left_on=today, profile=profile)
    adults.raise_concern(staff.dsl, profile, subject_name=ADULT, what_happened="Shouted at a pupil",
                         answers=HarmsAnswers())
    offers = {o.key: o for o in eh.sync_offers(staff.pastoral)}
    workshop = eh.SessionSpec("pmhw_parent_workshops", today - timedelta(days=3), "Resilience")
    eh.take_family_register(staff.pastoral, workshop, [eh.FamilyMark("Family 1", 2, NOTE)])
    eh.retire_offer(staff.pastoral, offers["vulnerable_lunch_club"].id, "Not run this year")

    screens = {
        "PupilFlagsScreen#flags": lambda: PupilFlagsScreen(ids["Ava"]),
        "PupilFamilyScreen#siblings": lambda: PupilFamilyScreen(ids["Ava"]),
        "LeaversScreen#leavers": LeaversScreen,
        "NotOnRollScreen#not-on-roll": NotOnRollScreen,
        "TransfersScreen#transfers": TransfersScreen,
        "MyConcernsScreen#my-concerns": MyConcernsScreen,
        "MyAdultReportsScreen#my-reports": MyAdultReportsScreen,
        "OfferScreen#table": OfferScreen,
        "FamilyRegisterScreen#families": lambda: FamilyRegisterScreen(
            offers["pmhw_parent_workshops"], workshop.held_on, workshop.label),
    }
    cells = CellsOnArrival(monkeypatch)
    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "dsl")
        home = app.screen
        for where, make in screens.items():
            await app.push_screen(make())
            await wait_until(pilot, lambda: where in cells.shown)
            app.pop_screen()
            await wait_until(pilot, lambda: app.screen is home)
    assert not cells.cut, "\n".join(cells.cut)
