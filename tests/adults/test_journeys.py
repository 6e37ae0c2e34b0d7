"""Journeys through the real console: raising each route of paragraphs 14-15 on the form,
the receipt, the register, the detail screen, and F2 whistleblowing from anywhere."""

from __future__ import annotations

from datetime import datetime

import pytest
from textual.widgets import Checkbox, DataTable, Select

from kiosk.models.adults import AdultConcern
from kiosk.screens.session.home import HomeScreen
from tests.console.helpers import console_app, login, screen_text, settle, type_into, type_text_area, wait_until

SIZE = (80, 24)


def all_text(app) -> str:
    """Static text of every screen on the stack, plus the rules pane."""
    return "\n".join(screen_text(s) for s in app.screen_stack)


async def open_form(pilot):
    from kiosk.screens.adults.form import AdultConcernScreen

    assert isinstance(pilot.app.screen, HomeScreen)
    await pilot.press("a")
    await settle(pilot)
    assert isinstance(pilot.app.screen, AdultConcernScreen)
    return pilot.app.screen


async def fill(pilot, *, subject=None, name="", role="", flags=(), answers=(),
               what="Was alone with a pupil behind a closed door", when="Monday after school"):
    screen = pilot.app.screen
    select = screen.query_one("#subject", Select)
    if subject is not None:
        select.focus()
        select.value = subject
        await pilot.pause()
    if name:
        await type_into(pilot, "#subject_name", name)
    if role:
        await type_into(pilot, "#subject_role", role)
    for key in tuple(flags) + tuple(answers):
        box = screen.query_one(f"#{key}", Checkbox)
        box.focus()
        await pilot.press("space")
        assert box.value
    area = screen.query_one("#what_happened")
    area.focus()
    area.insert(what)
    await type_into(pilot, "#happened_when", when)
    await settle(pilot)


def rules_text(app) -> str:
    from kiosk.widgets.rules_pane import RulesPane

    pane = app.screen.query_one(RulesPane)
    return str(pane.query_one("#rules-text").visual.plain)


ROUTES = [
    # (description, subject username or None, typed name, flags, answers, expected recipient)
    ("teacher allegation", "subject", "", (), ("harmed_child",), "the headteacher", "allegation"),
    ("teacher low level", "subject", "", (), (), "the DSL", "low_level"),
    ("teacher low level, DSL away", "subject", "", ("dsl_unavailable",), (), "a deputy DSL",
     "low_level"),
    ("DSL low level", "dsl", "", (), (), "the headteacher", "low_level"),
    ("DSL allegation", "dsl", "", (), ("unsuitable",), "the headteacher", "allegation"),
    ("head allegation", "head", "", (), ("criminal_offence",), "the trust Director of Education", "allegation"),
    ("head low level", "head", "", (), (), "the trust Director of Education", "low_level"),
    ("relative of head", None, "Mr Tom Marsh", ("is_head_relative",), ("risk_of_harm",),
     "the trust Director of Education", "allegation"),
    ("relative of head low level", None, "Mr Tom Marsh", ("is_head_relative",), (),
     "the trust Director of Education", "low_level"),
    ("trust central low level", None, "Mr Ray Dunmore", ("is_trust_central",), (),
     "the Trust Lead on Safeguarding", "low_level"),
]


@pytest.mark.parametrize("desc,subject,name,flags,answers,recipient,kind", ROUTES,
                         ids=[r[0] for r in ROUTES])
async def test_route_through_the_form(settings, school, desc, subject, name, flags, answers,
                                      recipient, kind):
    from kiosk.screens.adults.form import SOMEONE_ELSE, ReceiptScreen

    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await login(pilot, "teacher")
        await open_form(pilot)
        subject_id = school[subject].user_id if subject else SOMEONE_ELSE
        await fill(pilot, subject=subject_id, name=name, role="Caretaker" if name else "",
                   flags=flags, answers=answers)
        pane = rules_text(app)
        assert f"goes to {recipient}" in pane
        assert ("ALLEGATION" if kind == "allegation" else "LOW-LEVEL") in pane
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ReceiptScreen), all_text(app)
        text = all_text(app)
        assert "received" in text and recipient in text
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
    c = AdultConcern.select().get()
    assert c.kind == kind and c.reported_by_id == school["teacher"].user_id


async def test_refusals_on_the_form(settings, school):
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await login(pilot, "teacher")
        screen = await open_form(pilot)
        await pilot.press("ctrl+s")  # nothing filled in
        await settle(pilot)
        assert app.screen is screen
        assert "who it is about" in screen_text(screen).lower()
        await fill(pilot, subject=None, name="Ms Priya Lawson", what="x")  # the teacher herself
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "yourself" in screen_text(screen)
        await type_into(pilot, "#subject_name", "Mr Someone")
        screen.query_one("#what_happened").text = ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "what happened" in screen_text(screen).lower()
        assert app.focused is screen.query_one("#what_happened")
    assert AdultConcern.select().count() == 0


async def test_markup_in_names_shows_literally(settings, school, profile):
    from kiosk.rules.routing import HarmsAnswers
    from kiosk.services import adults

    adults.raise_concern(school["teacher"], profile, subject_name="[@click=app.quit]Mr [b]X[/",
                         what_happened="[/red] said [bold]", answers=HarmsAnswers())
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await login(pilot, "dsl")
        await pilot.press("g")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app.screen)
        assert "[@click=app.quit]Mr [b]X[/" in text and "[/red] said [bold]" in text


async def test_head_records_lado_contact_and_outcome(settings, school, profile, fake_clock):
    from kiosk.rules.routing import HarmsAnswers
    from kiosk.screens.adults.detail import AdultDetailScreen
    from kiosk.services import adults

    fake_clock.now = datetime(2026, 11, 27, 16, 0)
    r = adults.raise_concern(school["teacher"], profile, subject_user_id=school["subject"].user_id,
                             what_happened="Pushed a pupil", answers=HarmsAnswers(harmed_child=True))
    fake_clock.now = datetime(2026, 12, 1, 9, 0)  # Tuesday: the deadline (end of Monday) passed
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await login(pilot, "head")
        assert "LADO contact OVERDUE" in screen_text(app.screen)
        await pilot.press("g")
        await settle(pilot)
        assert "overdue" in str(app.screen.query_one(DataTable).get_row_at(0))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AdultDetailScreen)
        assert "Keep until" in screen_text(app.screen)
        await pilot.press("l")
        await settle(pilot)
        await type_text_area(pilot, "#f-details", "Rang the LADO, ref 42")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, AdultDetailScreen)
        assert "Rang the LADO, ref 42" in screen_text(app.screen)
        await pilot.press("o")
        await settle(pilot)
        app.screen.query_one("#f-outcome", Select).value = "unfounded"
        area = app.screen.query_one("#f-rationale")
        area.focus()
        area.insert("No evidence it happened")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Unfounded" in screen_text(app.screen)
    d = adults.get_concern(school["head"], r.id)
    assert d.outcome == "unfounded" and d.lado_contacted_at is not None


async def test_dsl_writes_low_level_record_and_sees_pattern(settings, school, profile):
    from kiosk.rules.routing import HarmsAnswers
    from kiosk.services import adults

    for _ in range(2):
        adults.raise_concern(school["teacher"], profile, subject_user_id=school["subject"].user_id,
                             what_happened="Favouritism", answers=HarmsAnswers())
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await login(pilot, "dsl")
        await pilot.press("g")
        await settle(pilot)
        await pilot.press("p")
        await wait_until(pilot, lambda: bool(app.screen.query("#patterns"))
                         and app.screen.query_one("#patterns", DataTable).row_count > 0)
        assert "Mr Ian Subject" in str(app.screen.query_one("#patterns", DataTable).get_row_at(0))
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        await type_text_area(pilot, "#f-action_taken", "Reminded of the code of conduct")
        area = app.screen.query_one("#f-rationale")
        area.focus()
        area.insert("Thoughtless rather than deliberate")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "Reminded of the code of conduct" in screen_text(app.screen))


async def test_staff_have_no_register_and_whistleblowing_from_anywhere(settings, school):
    from kiosk.screens.help.whistleblowing import WhistleblowingScreen

    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await login(pilot, "teacher")
        await pilot.press("g")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        await open_form(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, WhistleblowingScreen)
        text = screen_text(app.screen)
        assert "0800 028 0285" in text and "help@nspcc.org.uk" in text
        assert "Trust Lead on Safeguarding" in text, text
        assert "Chair" in text


async def test_escape_with_content_asks_before_losing_it(settings, school):
    from kiosk.screens.adults.form import AdultConcernScreen
    from kiosk.widgets.dialogs import ConfirmDialog as ConfirmScreen

    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await login(pilot, "teacher")
        await open_form(pilot)
        await type_into(pilot, "#subject_name", "Mr Someone")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, AdultConcernScreen)
        assert app.screen.query_one("#subject_name").value == "Mr Someone"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_my_reports_show_receipt_only(settings, school, profile):
    from kiosk.rules.routing import HarmsAnswers
    from kiosk.screens.adults.form import MyAdultReportsScreen
    from kiosk.services import adults

    adults.raise_concern(school["teacher"], profile, subject_user_id=school["subject"].user_id,
                         what_happened="Secret detail", answers=HarmsAnswers(harmed_child=True))
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await login(pilot, "teacher")
        await open_form(pilot)
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, MyAdultReportsScreen)
        row = " ".join(str(c) for c in app.screen.query_one(DataTable).get_row_at(0))
        assert "the headteacher" in row
        assert "Secret" not in row and "Subject" not in row


async def test_typed_name_of_an_account_asks_did_you_mean_and_never_reaches_them(settings, school):
    from kiosk.screens.adults.form import SOMEONE_ELSE, ReceiptScreen
    from kiosk.widgets.dialogs import ConfirmDialog as ConfirmScreen
    from kiosk.services import alerts

    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await login(pilot, "teacher")
        screen = await open_form(pilot)
        await fill(pilot, subject=SOMEONE_ELSE, name="dr  HELEN marsh", answers=("harmed_child",))
        # The pane already routes it as the headteacher's account.
        assert "goes to the trust Director of Education" in rules_text(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Did you mean Dr Helen Marsh" in screen_text(app.screen)
        await pilot.press("n")  # no: back to the form, nothing sent
        await settle(pilot)
        assert app.screen is screen and AdultConcern.select().count() == 0
        assert "Not sent" in str(screen.query_one("#form-message").content)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, ReceiptScreen), all_text(app)
        assert "Director of Education" in all_text(app)
    c = AdultConcern.select().get()
    assert c.subject_user_id == school["head"].user_id and c.recipient_role == "director_of_education"
    assert alerts.for_user(school["head"]) == []


async def test_adult_concerns_have_their_own_reference_on_receipt_reports_and_register(
        settings, school, profile, fake_clock):
    from kiosk.rules.routing import HarmsAnswers
    from kiosk.screens.adults.form import ReceiptScreen, SOMEONE_ELSE
    from kiosk.services import adults

    # An allegation whose LADO contact is days overdue, with a long name: nothing cut at 80.
    fake_clock.now = datetime(2026, 11, 20, 10, 0)
    old = adults.raise_concern(school["teacher"], profile, subject_name="Mr Bartholomew Featherstonehaugh",
                               subject_role="Peripatetic music teacher",
                               what_happened="Pushed a pupil", answers=HarmsAnswers(harmed_child=True))
    fake_clock.now = datetime(2026, 11, 30, 14, 0)
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await login(pilot, "teacher")
        await open_form(pilot)
        await fill(pilot, subject=SOMEONE_ELSE, name="Mr Ray Dunmore", role="Caretaker")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ReceiptScreen)
        new_ref = adults.ref_for(old.id + 1)
        assert new_ref == "A-00002" and new_ref in screen_text(app.screen)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("a", "f4")
        # The list is read in a worker started once the screen is mounted: wait for its rows.
        await wait_until(pilot, lambda: new_ref in screen_text(app) and adults.ref_for(old.id) in screen_text(app))
        await pilot.press("escape", "escape")
        await settle(pilot)
        await pilot.press("ctrl+q")
        await settle(pilot)
        await login(pilot, "head")
        await pilot.press("g")
        await settle(pilot)
        text = screen_text(app)
        assert "A-00001" in text
        status = next(r.status for r in adults.register(school["head"]) if r.id == old.id)
        assert status.startswith("LADO overdue by") and status.endswith(" h")
        # Every word of the status and of who it is about is on screen (wrapped, not cut).
        for word in (status + " Mr Bartholomew Featherstonehaugh").split():
            assert word in text, (word, text)


async def test_the_rules_pane_names_one_headteacher_when_profile_and_accounts_differ(
        settings, school, make_user):
    """Issue 12: the packaged profile names "Mr F. Taylor" as headteacher while the console's
    headteacher account is "Dr Helen Marsh". The pane names the account (the person the
    concern reaches) beside the profile's number, never both; a label typed into an account's
    name ("(deputy DSL)") is not shown twice."""
    from kiosk.screens.adults.form import SOMEONE_ELSE

    make_user("deputy3", "deputy_dsl", full_name="Mr Oliver Grant (deputy DSL)")
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert app.profile.headteacher.name == "Mr F. Taylor"  # profile and accounts differ
        await login(pilot, "teacher")
        screen = await open_form(pilot)
        labels = [str(prompt) for prompt, _ in screen.query_one("#subject", Select)._options]
        assert "Mr Oliver Grant (Deputy DSL)" in labels
        assert not any("(deputy DSL)" in label for label in labels)
        await fill(pilot, subject=school["subject"].user_id, answers=("harmed_child",))
        pane = rules_text(app)
        assert "goes to the headteacher (Dr Helen Marsh)" in pane
        assert "Dr Helen Marsh | 01632 960100" in pane
        assert "Taylor" not in pane
        box = screen.query_one("#harmed_child", Checkbox)
        box.focus()
        await pilot.press("space")
        box = screen.query_one("#dsl_unavailable", Checkbox)
        box.focus()
        await pilot.press("space")
        await settle(pilot)
        pane = rules_text(app)
        assert "goes to a deputy DSL (Mr Daniel Hart, Mr Oliver Grant)" in pane
        assert "(deputy DSL)" not in pane and "Mr B. Jones" not in pane
        # A typed name of an account asks about the account by its name, once labelled.
        screen.query_one("#subject", Select).value = SOMEONE_ELSE
        await type_into(pilot, "#subject_name", "Oliver Grant")
        await pilot.press("ctrl+s")
        await settle(pilot)
        text = screen_text(app.screen)
        assert "Did you mean Mr Oliver Grant (Deputy DSL)" in text
        assert "(deputy DSL) (Deputy DSL)" not in text


async def test_ctrl_s_straight_after_typing_sends_every_key(settings, school):
    """Typed in one burst (a fast typist, SSH latency): Ctrl+S acts on every key before it."""
    from kiosk.screens.adults.form import ReceiptScreen
    from tests.console.helpers import burst, typed

    what = "Was alone with a pupil behind a closed door after the bell"
    app = console_app(settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await login(pilot, "teacher")
        await open_form(pilot)
        await fill(pilot, subject=school["subject"].user_id, what="")
        app.screen.query_one("#what_happened").focus()
        await settle(pilot)
        burst(app, *typed(what), "ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ReceiptScreen)
                         or "Not saved" in screen_text(app))
        assert isinstance(app.screen, ReceiptScreen), all_text(app)
    assert AdultConcern.select().get().what_happened == what
