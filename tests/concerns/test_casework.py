"""Issue 18, the DSL team: statutory action kinds with their fields, follow-ups, handover."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kiosk.errors import NotFound, PermissionDenied, ValidationError
from kiosk.rules import action_kinds
from kiosk.services import casework, concerns
from kiosk.services.casework import FollowUpInput
from tests.concerns.helpers import SECRET_BITS, dsl_team_works_on

TODAY = date(2026, 11, 26)  # the fake clock's date


def act(dsl, cid, kind, details=None, when=TODAY, follow_up=None):
    return concerns.add_action(dsl, cid, kind=kind, action_date=when, taken_by="Mrs Dsl",
                               notes="", rationale="Statutory step", details=details,
                               follow_up=follow_up)


# --- the kinds, as data ---------------------------------------------------------------------


def test_every_statutory_kind_is_in_the_vocabulary():
    labels = " | ".join(action_kinds.LABELS.values()).lower()
    for words in ("mash", "strategy discussion", "section 47", "child protection conference",
                  "core group", "police", "early help assessment", "spoke to the child",
                  "contacted the parent", "consultation line"):
        assert words in labels, words
    by = action_kinds.BY_KEY
    assert by["parent_contact"].paragraph == "11a" and by["consultation_line"].paragraph == "21"


def test_plan_dates_may_be_in_the_future_fact_dates_not():
    later = TODAY + timedelta(days=20)
    kept, problems = action_kinds.check_details(
        "cp_conference", {"conference_type": "initial", "conference_date": later}, TODAY)
    assert problems == [] and kept["conference_date"] == later.isoformat()
    fact = action_kinds.DetailField("seen_on", "Seen on", "date", when=action_kinds.FACT)
    kind = action_kinds.ActionKind("x", "X", (fact,))
    action_kinds.BY_KEY["x"] = kind
    try:
        _, problems = action_kinds.check_details("x", {"seen_on": later}, TODAY)
        assert problems and problems[0][0] == "seen_on" and "future" in problems[0][1]
    finally:
        del action_kinds.BY_KEY["x"]


def test_unknown_and_missing_fields_are_named():
    _, problems = action_kinds.check_details("police", {"crime_ref": "x"}, TODAY)
    assert problems[0][0] == "crime_ref"
    _, problems = action_kinds.check_details("parent_contact", {"decision": "not_contacted"}, TODAY)
    assert problems == [("why_not", "is required")]
    kept, problems = action_kinds.check_details("parent_contact", {"decision": "contacted"}, TODAY)
    assert problems == [] and kept == {"decision": "contacted"}


# --- the service ----------------------------------------------------------------------------


def test_referral_keeps_the_la_reference_and_outcome(school, record):
    done = record()
    dsl = school.users["dsl"]
    d = act(dsl, done.id, "childrens_services", {"la_reference": "MASH-2026-0042", "outcome": ""})
    a = d.actions[-1]
    assert a.kind_label == "Referral to children's social care / MASH"
    assert a.details == (("The local authority's reference", "MASH-2026-0042"),)
    from kiosk.services import chronology

    entries = chronology.chronology(dsl, school.pupils["amara"].id)
    assert any("The local authority's reference: MASH-2026-0042." in e.detail for e in entries)
    # A conference booked for next month is a plan: allowed.
    d = act(dsl, done.id, "cp_conference", {"conference_type": "initial",
                                            "conference_date": TODAY + timedelta(days=15)})
    assert ("Which conference", "Initial child protection conference") in d.actions[-1].details
    # The action itself is a fact: never in the future.
    with pytest.raises(ValidationError) as e:
        act(dsl, done.id, "police", {"crime_reference": "37/1234/26"}, when=TODAY + timedelta(days=1))
    assert e.value.field == "action_date"


def test_decision_not_to_tell_the_parent_needs_why(school, record):
    done = record()
    dsl = school.users["dsl"]
    with pytest.raises(ValidationError) as e:
        act(dsl, done.id, "parent_contact", {"decision": "not_contacted", "why_not": "  "})
    assert e.value.field == "why_not"
    d = act(dsl, done.id, "parent_contact", {"decision": "not_contacted",
                                              "why_not": "Father is the alleged harmer"})
    assert ("Why not", "Father is the alleged harmer") in d.actions[-1].details


def test_details_refuse_control_characters_and_refused_action_writes_nothing(school, record):
    from kiosk.models.concerns import ConcernAction, ConcernActionDetail

    done = record()
    with pytest.raises(ValidationError) as e:
        act(school.users["dsl"], done.id, "police", {"crime_reference": "37\x1b[2J"})
    assert e.value.field == "crime_reference"
    assert ConcernAction.select().count() == 0 and ConcernActionDetail.select().count() == 0


def test_details_are_append_only(school, record):
    from peewee import IntegrityError, InternalError, OperationalError

    from kiosk.models.concerns import ConcernActionDetail

    done = record()
    act(school.users["dsl"], done.id, "police", {"crime_reference": "37/1234/26"})
    row = ConcernActionDetail.get()
    with pytest.raises((IntegrityError, OperationalError, InternalError)):
        ConcernActionDetail.update(fields="{}").where(ConcernActionDetail.id == row.id).execute()


def test_actions_without_details_still_read(school, record):
    done = record()
    d = act(school.users["dsl"], done.id, "monitor")
    assert d.actions[-1].details == ()


# --- follow-ups -----------------------------------------------------------------------------


def test_follow_ups_due_overdue_today_and_this_week(school, record):
    done = record()
    dsl, deputy = school.users["dsl"], school.users["deputy"]
    act(dsl, done.id, "childrens_services", {"la_reference": "R1"},
        follow_up=FollowUpInput("Chase the MASH outcome", TODAY, deputy.user_id))
    act(dsl, done.id, "monitor",
        follow_up=FollowUpInput("Check in with Amara", TODAY + timedelta(days=3), dsl.user_id))
    act(dsl, done.id, "monitor",
        follow_up=FollowUpInput("Review in a month", TODAY + timedelta(days=30), dsl.user_id))
    due = casework.due_follow_ups(dsl)
    assert [f.what for f in due.today] == ["Chase the MASH outcome"]
    assert [f.what for f in due.this_week] == ["Check in with Amara"]
    assert due.overdue == ()
    mine = casework.due_follow_ups(dsl, mine=True)
    assert [f.what for f in mine.today + mine.this_week] == ["Check in with Amara"]
    # Two days later the first is overdue; the month-away one is still not listed.
    school.clock.advance(days=2)
    due = casework.due_follow_ups(deputy)
    assert [f.what for f in due.overdue] == ["Chase the MASH outcome"]
    assert due.count() == 2


def test_completing_a_follow_up_is_a_record(school, record):
    from kiosk.models.concerns import ConcernFollowUp, ConcernFollowUpDone

    done = record()
    dsl, deputy = school.users["dsl"], school.users["deputy"]
    act(dsl, done.id, "monitor", follow_up=FollowUpInput("Ring the school nurse", TODAY, deputy.user_id))
    fid = ConcernFollowUp.get().id
    v = casework.complete_follow_up(deputy, fid, "Nurse has no concerns")
    assert v.done and v.done_by == "Mr Deputy"
    assert casework.due_follow_ups(dsl).count() == 0
    with pytest.raises(ValidationError):
        casework.complete_follow_up(dsl, fid)
    assert ConcernFollowUpDone.select().count() == 1
    assert ConcernFollowUp.get().what == "Ring the school nurse"  # unchanged


def test_follow_up_refusals(school, record):
    done = record()
    dsl = school.users["dsl"]
    with pytest.raises(ValidationError) as e:
        act(dsl, done.id, "monitor", follow_up=FollowUpInput("x", TODAY - timedelta(days=1), dsl.user_id))
    assert e.value.field == "follow_up_due"
    with pytest.raises(ValidationError) as e:
        act(dsl, done.id, "monitor",
            follow_up=FollowUpInput("x", TODAY, school.users["teacher"].user_id))
    assert e.value.field == "follow_up_owner"
    with pytest.raises(ValidationError) as e:
        act(dsl, done.id, "monitor", follow_up=FollowUpInput("", TODAY, dsl.user_id))
    assert e.value.field == "follow_up"


@pytest.mark.parametrize("who", ["teacher", "pastoral", "head", "governor", "itadmin"])
def test_only_the_dsl_team_sees_or_completes_follow_ups(school, record, who):
    from kiosk.models.concerns import ConcernFollowUp

    done = record()
    dsl = school.users["dsl"]
    act(dsl, done.id, "monitor", follow_up=FollowUpInput("Check", TODAY, dsl.user_id))
    with pytest.raises(PermissionDenied):
        casework.due_follow_ups(school.users[who])
    with pytest.raises(PermissionDenied):
        casework.complete_follow_up(school.users[who], ConcernFollowUp.get().id)


def test_restricted_follow_ups_hide_their_text(school, record):
    done = record()
    dsl, deputy = school.users["dsl"], school.users["deputy"]
    act(dsl, done.id, "monitor", follow_up=FollowUpInput("Secret step", TODAY, dsl.user_id))
    concerns.restrict(dsl, done.id, [dsl.user_id], "Staff member's own child")
    seen = casework.due_follow_ups(deputy).today[0]
    assert seen.hidden and seen.what == ""
    with pytest.raises((NotFound, PermissionDenied)):
        casework.complete_follow_up(deputy, seen.id)
    assert casework.due_follow_ups(dsl).today[0].what == "Secret step"


# --- owner handover -------------------------------------------------------------------------


def test_handover_needs_a_note_and_shows_in_history(school, record):
    done = record()
    dsl, deputy = school.users["dsl"], school.users["deputy"]
    d = concerns.assign_owner(deputy, done.id, deputy.user_id)  # first owner: no note needed
    assert d.owner == "Mr Deputy"
    with pytest.raises(ValidationError) as e:
        concerns.assign_owner(deputy, done.id, dsl.user_id, "  ")
    assert e.value.field == "note"
    d = concerns.assign_owner(deputy, done.id, dsl.user_id, "Strategy discussion Friday; I am off")
    d = concerns.assign_owner(dsl, done.id, deputy.user_id, "Back to you: conference booked")
    owners = [(e.subject_user, e.summary) for e in d.events if e.kind == "owner"]
    assert owners == [("Mr Deputy", ""), ("Mrs Dsl", "Strategy discussion Friday; I am off"),
                      ("Mr Deputy", "Back to you: conference booked")]
    from kiosk.services import chronology

    entries = chronology.chronology(dsl, school.pupils["amara"].id)
    assert any("Handover: Back to you" in x.detail for x in entries)


@pytest.mark.parametrize("who", ["teacher", "pastoral", "head", "governor"])
def test_only_the_dsl_team_hands_over(school, record, who):
    done = record()
    with pytest.raises((PermissionDenied, NotFound)):
        concerns.assign_owner(school.users[who], done.id, school.users["dsl"].user_id, "note")


# --- staff see what they recorded -----------------------------------------------------------

def test_recorder_reads_what_they_wrote_never_the_dsl_teams_work(school, record):
    done = record()
    dsl_team_works_on(school, done.id, TODAY)
    own = concerns.own_record(school.users["teacher"], done.id)
    assert own.status_label == "Acknowledged"
    assert own.record.words == "Dad hit me with the belt"
    assert own.record.description.startswith("Amara showed me a bruise")
    assert all(p.flags == () for p in own.record.pupils)
    flat = repr(own)
    for bit in SECRET_BITS:
        assert bit not in flat, bit
    assert "Mr Deputy" not in flat and "Mrs Dsl" not in flat  # not even who owns it


@pytest.mark.parametrize("who", ["teacher2", "pastoral", "governor", "itadmin"])
def test_nobody_else_reads_a_recorders_view(school, record, who):
    done = record()
    with pytest.raises((NotFound, PermissionDenied)):
        concerns.own_record(school.users[who], done.id)


from hypothesis import given, strategies as st  # noqa: E402


@given(st.text(max_size=250))
def test_any_typed_reference_is_kept_as_typed_or_refused_by_name(text):
    kept, problems = action_kinds.check_details("police", {"crime_reference": text}, TODAY)
    if not text.strip():
        assert kept == {} and problems == []
    elif len(text.strip()) > 200:
        assert problems == [("crime_reference", "is longer than 200 characters")]
    else:
        assert kept == {"crime_reference": text.strip()} and problems == []
    assert action_kinds.describe("police", kept) == (
        [("Crime reference", text.strip())] if kept else [])
