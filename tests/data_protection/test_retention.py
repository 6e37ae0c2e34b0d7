"""Retention: the review queue at a fake date, legal holds never offered, removal by two
people, and the tombstone left in the audit trail and the chronology."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from kiosk.errors import PermissionDenied, ValidationError
from kiosk.rules.retention import RetentionRules, adult_due, child_record_due

RULES = RetentionRules()


def test_rules_follow_the_irms_defaults():
    assert child_record_due([date(2015, 3, 4), date(2013, 1, 1)], RULES).on == date(2040, 3, 4)
    assert child_record_due([date(2016, 2, 29)], RULES).on == date(2041, 2, 28)
    # Allegation: retirement age or ten years, whichever is longer.
    assert adult_due("allegation", date(2026, 1, 1), date(1960, 5, 1), None, None, RULES).on == date(2036, 1, 1)
    assert adult_due("allegation", date(2026, 1, 1), date(1990, 5, 1), None, None, RULES).on == date(2057, 5, 1)
    assert adult_due("allegation", date(2026, 1, 1), date(1990, 5, 1), "malicious", None, RULES).on == date(2026, 1, 1)
    assert adult_due("low_level", date(2026, 1, 1), None, None, None, RULES).on is None
    assert adult_due("low_level", date(2026, 1, 1), None, None, date(2027, 7, 20), RULES).on == date(2027, 7, 20)


def test_profile_can_change_a_rule_and_refuses_nonsense():
    from kiosk.rules.profile import ProfileError, load_profile, profile_from_dict
    import tomllib
    from importlib.resources import files

    data = tomllib.loads((files("kiosk.rules") / "default_profile.toml").read_text())
    data["retention"]["allegation_retirement_age"] = 68
    assert profile_from_dict(data).retention.allegation_retirement_age == 68
    data["retention"]["child_protection_until_age"] = "25"
    with pytest.raises(ProfileError, match="child_protection_until_age"):
        profile_from_dict(data)
    assert load_profile().retention == RULES


def _at(clock, when: datetime):
    clock.now = when


def test_queue_at_a_fake_date_and_removal_by_two_people(school, record):
    from kiosk.models.concerns import Concern
    from kiosk.models import AuditEvent
    from kiosk.services import audit, chronology, retention

    s = school
    amara, ben, chloe = s.pupils["amara"], s.pupils["ben"], s.pupils["chloe"]
    c_amara = record(pupils=[(amara.id, "subject")])
    c_ben = record(pupils=[(ben.id, "subject")])
    c_chloe = record(pupils=[(chloe.id, "subject")])
    held = record(pupils=[(ben.id, "subject")], categories=["sexual_abuse"])
    both = record(pupils=[(ben.id, "subject"), (chloe.id, "witness")])
    dsl, deputy = s.users["dsl"], s.users["deputy"]

    # Today (2026): nothing is due.
    assert retention.queue(dsl, RULES).items == []
    # 10 January 2041: Amara (25 on 4 March 2040) and Ben (1 October 2039) are due; Chloe
    # (25 on 20 January 2041) is not, nor is a concern naming her beside Ben.
    _at(s.clock, datetime(2041, 1, 10, 9, 0))
    q = retention.queue(dsl, RULES)
    assert [(i.ref, i.due) for i in q.items] == [
        (f"C-{c_ben.id:05d}", date(2039, 10, 1)), (f"C-{c_amara.id:05d}", date(2040, 3, 4))]
    assert q.held == 1  # the sexual-abuse concern: under the inquiry's hold, never offered
    assert all("Dad hit me" not in i.summary for i in q.items)
    with pytest.raises(ValidationError, match="legal hold"):
        retention.propose_removal(dsl, "concern", held.id, "Past the review date; no longer needed.", RULES)
    with pytest.raises(ValidationError, match="not due"):
        retention.propose_removal(dsl, "concern", c_chloe.id, "Past the review date; no longer needed.", RULES)

    # Others cannot see the queue; the headteacher sees adults only.
    with pytest.raises(PermissionDenied):
        retention.queue(s.users["teacher"], RULES)
    assert retention.queue(s.users["head"], RULES).items == []

    # Removal: a reason, proposed by one, confirmed by a second.
    with pytest.raises(ValidationError, match="reason"):
        retention.propose_removal(dsl, "concern", c_amara.id, "ok", RULES)
    decision = retention.propose_removal(dsl, "concern", c_amara.id,
                                         "Reviewed at 25: no further safeguarding need.", RULES)
    item = [i for i in retention.queue(dsl, RULES).items if i.record_id == c_amara.id][0]
    assert item.proposal and item.proposal.by == "Mrs Dsl"
    with pytest.raises(PermissionDenied, match="second person"):
        retention.confirm_removal(dsl, decision, RULES)
    with pytest.raises(PermissionDenied):
        retention.confirm_removal(s.users["head"], decision, RULES)
    ref = retention.confirm_removal(deputy, decision, RULES)
    assert ref == f"C-{c_amara.id:05d}"
    assert Concern.get_or_none(Concern.id == c_amara.id) is None
    assert [i.record_id for i in retention.queue(dsl, RULES).items] == [c_ben.id]

    # The tombstone: in the audit trail (no content) and in the pupil's chronology.
    ev = AuditEvent.get(AuditEvent.action == "retention.removed")
    detail = json.loads(ev.detail)
    assert detail["ref"] == ref and detail["proposed_by"] == "Mrs Dsl" and detail["confirmed_by"] == "Mr Deputy"
    assert "Dad hit me" not in ev.detail and "bruise" not in ev.detail.lower()
    entries = chronology.chronology(dsl, amara.id)
    stone = [e for e in entries if e.kind == "removed"]
    assert len(stone) == 1 and ref in stone[0].title and "Mr Deputy" in stone[0].detail
    assert "Dad hit me" not in stone[0].detail
    # The chain and the record hashes still verify: the removal is accounted for.
    assert audit.verify().ok
    assert audit.verify_records() == []

    # Keep: back in the queue after a year.
    retention.keep(dsl, "concern", c_ben.id, "Sibling still on roll; keep for another year.", RULES)
    assert retention.queue(dsl, RULES).items == []
    _at(s.clock, datetime(2042, 1, 11, 9, 0))
    # Chloe turned 25 on 20 January 2041: her concern and the one naming her beside Ben.
    assert [i.record_id for i in retention.queue(dsl, RULES).items] == [c_ben.id, c_chloe.id, both.id]


def test_adults_queue_for_the_headteacher(database, make_user, admin, fake_clock):
    from kiosk.rules.profile import load_profile
    from kiosk.rules.routing import HarmsAnswers
    from kiosk.services import accounts, adults, retention

    profile = load_profile()
    teacher = make_user("teacher", "staff", full_name="Ms Teacher")
    subject = make_user("subject", "staff", full_name="Mr Subject")
    head = make_user("head", "headteacher", full_name="Dr Head")
    director = make_user("director", "director_of_education", full_name="Mrs Director")
    dsl = make_user("dsl", "dsl", full_name="Mrs Dsl")
    alleg = adults.raise_concern(teacher, profile, subject_user_id=subject.user_id,
                                 subject_dob=date(1990, 5, 1), what_happened="Grabbed a pupil's arm",
                                 answers=HarmsAnswers(harmed_child=True))
    low = adults.raise_concern(teacher, profile, subject_user_id=subject.user_id,
                               what_happened="Shouted in the corridor")
    malicious = adults.raise_concern(teacher, profile, subject_name="Mr Visitor", subject_dob=date(1980, 1, 1),
                                     what_happened="Said to have hit a pupil", answers=HarmsAnswers(harmed_child=True))
    adults.record_outcome(head, malicious.id, outcome="malicious",
                          rationale="CCTV shows it did not happen; the report was made to cause harm.")
    q = retention.queue(head, RULES)
    assert [i.ref for i in q.items] == [f"A-{malicious.id:05d}"]
    assert retention.queue(dsl, RULES).items == []  # the DSL reviews children's records only
    # The subject leaves: the low-level concern comes up for review.
    accounts.deactivate(admin, "subject")
    assert {i.record_id for i in retention.queue(head, RULES).items} == {malicious.id, low.id}
    d = retention.propose_removal(head, "adult_concern", malicious.id,
                                  "Malicious allegation: removed under the IRMS rule.", RULES)
    retention.confirm_removal(director, d, RULES)
    assert {i.record_id for i in retention.queue(head, RULES).items} == {low.id}
    del alleg


async def test_console_journey_propose_then_a_second_person_confirms(settings, make_user, admin, fake_clock,
                                                                    monkeypatch):
    """At a fake date the DSL proposes a removal in the console; the deputy confirms it."""
    from kiosk.models.concerns import Concern
    from kiosk.services import concerns, pupils
    from tests.console.helpers import CellsOnArrival, console_app, login, settle, type_into, wait_until

    cells = CellsOnArrival(monkeypatch)  # the queue's cells whole as its rows land

    teacher = make_user("tess", "staff")
    kid = pupils.add_pupil(admin, first_name="Amara", last_name="Abbott", date_of_birth=date(2015, 3, 4),
                           year_group=6, form_group="6W")
    r = concerns.record_concern(teacher, token=concerns.new_submission_token(), pupils=[(kid.id, "subject")],
                                occurred_on=date(2026, 11, 20), source="noticed", categories=["neglect"],
                                description="Came in hungry again.", why_concern="Third time this week.")
    fake_clock.now = datetime(2040, 6, 1, 9, 0)
    # The DSL team of 2040 (accounts made then, so their passwords are current).
    make_user("alice", "dsl", full_name="Alice Dsl")
    make_user("dan", "deputy_dsl", full_name="Dan Deputy")
    from kiosk.screens.admin.retention import RetentionScreen

    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "alice")
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, RetentionScreen))
        await settle(pilot)
        table = app.screen.query_one("#retention")
        assert table.row_count == 1 and str(table.get_row_at(0)[0]) == f"C-{r.id:05d}"
        await pilot.press("x")
        await settle(pilot)
        await type_into(pilot, "#f-reason", "Reviewed at 25: no further need to keep it.")
        await pilot.press("enter")
        await settle(pilot)
        assert str(app.screen.query_one("#retention").get_row_at(0)[3]) == "proposed by Alice Dsl"
        await pilot.press("c", "y")  # the proposer cannot confirm
        await settle(pilot)
        assert Concern.get_or_none(Concern.id == r.id) is not None
    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await login(pilot, "dan")
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, RetentionScreen))
        await settle(pilot)
        await pilot.press("c")
        from kiosk.screens.admin.retention import ConfirmDialog

        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, RetentionScreen))
        assert Concern.get_or_none(Concern.id == r.id) is None
        assert app.screen.query_one("#retention").row_count == 0
    assert "RetentionScreen#retention" in cells.shown and not cells.cut, cells.cut


def test_early_help_records_come_up_at_25_and_are_removed_whole(school):
    from kiosk.models.early_help import AgencyReferral, EarlyHelpEnrolment, EarlyHelpReferral, EarlyHelpReview
    from kiosk.services import audit, chronology, early_help as eh, retention

    s = school
    ben = s.pupils["ben"]  # 25 on 1 October 2039
    pastoral, dsl, deputy = s.users["pastoral"], s.users["dsl"], s.users["deputy"]
    ref = eh.refer_internally(s.users["teacher"], ben.id, "pastoral_one_to_one", "Withdrawn since half term")
    eh.decide_referral(dsl, ref.id, "accepted", "Keyworker has space", picked_up_by=pastoral.user_id,
                       enrol_start_on=date(2026, 11, 26), aims="Settle in class",
                       review_on=date(2026, 12, 10))
    enrolment = EarlyHelpEnrolment.get(EarlyHelpEnrolment.pupil == ben.id)
    eh.record_review(dsl, enrolment.id, "Going well", reviewed_on=date(2026, 11, 26))
    eh.refer_to_agency(dsl, ben.id, "wellbeing", "Low mood", "parent", referred_on=date(2026, 11, 26))
    s.clock.now = datetime(2039, 10, 2, 9, 0)
    item = [i for i in retention.queue(dsl, RULES).items if i.record_type == "early_help"]
    assert [(i.ref, i.due) for i in item] == [(f"EH-{ben.id:05d}", date(2039, 10, 1))]
    assert "Brennan" in item[0].summary
    d = retention.propose_removal(dsl, "early_help", ben.id, "Reviewed at 25: no further need.", RULES)
    retention.confirm_removal(deputy, d, RULES)
    for model in (EarlyHelpReferral, EarlyHelpEnrolment, EarlyHelpReview, AgencyReferral):
        assert model.select().count() == 0
    assert [i for i in retention.queue(dsl, RULES).items if i.record_type == "early_help"] == []
    assert any(e.kind == "removed" for e in chronology.chronology(dsl, ben.id))
    assert audit.verify().ok and audit.verify_records() == []
