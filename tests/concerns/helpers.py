"""Helpers shared by the concern tests."""

from __future__ import annotations

from kiosk.config import MailSettings
from tests.console.helpers import login, screen_text, settle, type_into, wait_until


def mail_settings(port, **kw) -> MailSettings:
    """[mail] settings for a relay on this machine's loopback."""
    kw.setdefault("timeout_seconds", 5)
    return MailSettings(host="127.0.0.1", port=port, starttls=False,
                        from_address="dsl-console@school.example", **kw)


async def choose_kind(pilot, kind: str) -> None:
    """In the action kind picker: move to `kind` with the arrow keys and take it."""
    from textual.widgets import OptionList

    from kiosk.rules.action_kinds import KINDS
    from kiosk.screens.concerns.actions import KindPicker

    assert isinstance(pilot.app.screen, KindPicker), screen_text(pilot.app)
    assert pilot.app.screen.query_one("#kinds", OptionList).highlighted == 0
    for _ in range([k.key for k in KINDS].index(kind)):
        await pilot.press("down")
    await pilot.press("enter")
    await settle(pilot)


async def logout(pilot):
    await pilot.press("ctrl+q")
    await settle(pilot)


async def record_as_teacher(pilot, school, *, urgent=False, words="Dad hit me with the belt"):
    from kiosk.screens.concerns.form import ConcernRecordedScreen, RecordConcernScreen

    app = pilot.app
    await login(pilot, "teacher")
    await pilot.press("r")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, RecordConcernScreen)
    # Pupil search: type the first letters, results update, Enter takes the first.
    await type_into(pilot, "#pupil-search", "ama")
    # The search runs in a worker: on a loaded machine its results land after one settle.
    await wait_until(pilot, lambda: "Amara Abbott" in screen_text(app))
    await pilot.press("enter")
    await settle(pilot)
    rows = screen._rows()
    assert [(r.pupil_name, r.role) for r in rows] == [("Amara Abbott", "subject")]
    screen.query_one("#source").value = "child_told"
    screen.query_one("#categories").select("physical_abuse")
    await type_into(pilot, "#where", "Year 6 classroom")
    screen.query_one("#words").text = words
    screen.query_one("#description").text = "Bruise on her left arm at registration."
    screen.query_one("#why").text = "Buckle-shaped; she flinched."
    if urgent:
        screen.query_one("#urgent").value = True
    await settle(pilot)
    # The rules pane follows the chosen source and category, with the local authority's numbers.
    rules = str(screen.query_one("#rules-text").content)
    assert "A child has told you something: Physical abuse" in rules
    assert "0808 800 4005" in rules  # Customer First, para 21 (and para 12)
    screen.query_one("#reach").value = "none"
    await settle(pilot)
    rules = str(screen.query_one("#rules-text").content)
    assert "make the referral yourself" in rules
    assert "0345 606 1499" in rules and "0808 800 4005" in rules  # paras 20 and 21
    screen.query_one("#reach").value = "all"
    await settle(pilot)
    await pilot.press("ctrl+s")
    await settle(pilot)
    assert isinstance(app.screen, ConcernRecordedScreen), screen_text(app)
    return app.screen.result


SECRET_BITS = ("Consultation line said refer", "MASH-SECRET-9", "Chase SECRET outcome",
               "SECRET handover", "Strategy SECRET reason", "SECRET correction")


def dsl_team_works_on(school, cid, today):
    """The DSL team works on a concern: every bit of it marked SECRET for the recorder."""
    from kiosk.services import concerns, pupils as pupil_svc
    from kiosk.services.casework import FollowUpInput

    dsl, deputy = school.users["dsl"], school.users["deputy"]
    concerns.assign_owner(dsl, cid, deputy.user_id)
    concerns.add_action(dsl, cid, kind="childrens_services", action_date=today, taken_by="Mrs Dsl",
                        notes="Consultation line said refer", rationale="Strategy SECRET reason",
                        details={"la_reference": "MASH-SECRET-9"},
                        follow_up=FollowUpInput("Chase SECRET outcome", today, dsl.user_id))
    concerns.assign_owner(deputy, cid, dsl.user_id, "SECRET handover")
    concerns.amend(dsl, cid, field="other", text="SECRET correction", reason="typo")
    pupil_svc.set_flag(dsl, school.pupils["amara"].id, "cp_plan", True, "Plan from conference")
