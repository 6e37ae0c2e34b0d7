"""Early help services: the offer, referrals, enrolments, reviews, registers, agencies."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest

from kiosk.errors import NotFound, PermissionDenied, ValidationError
from kiosk.services import early_help as eh

TODAY = date(2026, 11, 26)  # the fake clock: a Thursday in term


def audit_actions():
    from kiosk.models import AuditEvent

    return [e.action for e in AuditEvent.select().order_by(AuditEvent.seq)]


def count(model) -> int:
    return model.select().count()


# --- the offer ------------------------------------------------------------------------------


def test_sync_brings_the_profile_offer_once(pastoral, fake_clock):
    offers = eh.sync_offers(pastoral)
    keys = [o.key for o in offers]
    assert keys == ["pupil_drop_in", "vulnerable_lunch_club", "young_carers_drop_in",
                    "pmhw_parent_workshops", "pastoral_one_to_one", "targeted_group_work"]
    assert audit_actions().count("early_help.offers_sync") == 1
    eh.sync_offers(pastoral)
    assert audit_actions().count("early_help.offers_sync") == 1  # nothing new, nothing written


def test_rename_and_retire_keep_history_and_survive_a_sync(pastoral, offers, pupils):
    club = offers["vulnerable_lunch_club"]
    eh.take_register(pastoral, eh.SessionSpec(club.id, TODAY - timedelta(days=7)), {pupils[0]: True})
    renamed = eh.rename_offer(pastoral, club.id, "Friendship lunch club", "pupils chose the name")
    assert renamed.name == "Friendship lunch club"
    eh.sync_offers(pastoral)  # the profile still says the old name: the school's choice stands
    assert eh.list_offers(pastoral)[1].name == "Friendship lunch club"
    eh.retire_offer(pastoral, club.id, "replaced by group work")
    assert club.id not in [o.id for o in eh.list_offers(pastoral)]
    assert club.id in [o.id for o in eh.list_offers(pastoral, include_retired=True)]
    # History stays readable under the new name ...
    sessions = eh.list_sessions(pastoral)
    assert [(s.offer_name, s.present) for s in sessions] == [("Friendship lunch club", 1)]
    changes = [c.change for c in eh.offer_history(pastoral, club.id)]
    assert changes == ["add", "rename", "retire"]
    # ... but nothing new starts under a retired offer.
    with pytest.raises(ValidationError, match="retired"):
        eh.take_register(pastoral, eh.SessionSpec(club.id, TODAY), {pupils[0]: True})
    with pytest.raises(ValidationError, match="retired"):
        eh.enrol(pastoral, pupils[1], club.id, TODAY, "aims", TODAY + timedelta(days=28))
    eh.restore_offer(pastoral, club.id)
    eh.take_register(pastoral, eh.SessionSpec(club.id, TODAY), {pupils[0]: True})


def test_a_profile_rename_is_followed_when_the_school_has_not_renamed(pastoral, offers):
    from kiosk.rules import load_profile

    prof = load_profile()
    changed = dataclasses.replace(prof, offers=tuple(
        dataclasses.replace(o, name="Drop-in (Tuesdays)") if o.key == "pupil_drop_in" else o
        for o in prof.offers
    ) + (dataclasses.replace(prof.offers[0], key="nurture_group", name="Nurture group", kind="group"),))
    after = {o.key: o for o in eh.sync_offers(pastoral, changed)}
    assert after["pupil_drop_in"].name == "Drop-in (Tuesdays)"
    assert after["pupil_drop_in"].id == offers["pupil_drop_in"].id
    assert after["nurture_group"].kind == "group"


def test_school_can_add_its_own_offer(pastoral, offers):
    o = eh.add_offer(pastoral, "Bereavement group", "group", "weekly", audience="pupils")
    assert o.key == "school_bereavement_group" and o.active and not o.from_profile
    with pytest.raises(ValidationError, match="already an offer"):
        eh.add_offer(pastoral, "Bereavement group", "group", "weekly")
    with pytest.raises(ValidationError, match="kind"):
        eh.add_offer(pastoral, "Other", "party", "weekly")


def test_staff_cannot_change_the_offer(make_user, offers):
    teacher = make_user("t1", "staff")
    with pytest.raises(PermissionDenied):
        eh.add_offer(teacher, "Something", "group", "weekly")
    with pytest.raises(PermissionDenied):
        eh.list_offers(teacher)
    assert audit_actions()[-1] == "permission.denied"


# --- internal referrals ----------------------------------------------------------------------


def test_staff_refers_and_pastoral_accepts_and_enrols(make_user, pastoral, offers, pupils, fake_clock):
    from kiosk.models.pupils import Pupil, PupilFlagChange

    teacher = make_user("t1", "staff", full_name="Priya Lawson")
    ref = eh.refer_internally(teacher, pupils[2], "pastoral_one_to_one", "Withdrawn since half term")
    assert ref.decision == "pending" and ref.referred_by == "Priya Lawson"
    with pytest.raises(PermissionDenied):
        eh.list_referrals(teacher)
    assert [r.id for r in eh.list_referrals(pastoral, pending_only=True)] == [ref.id]
    done = eh.decide_referral(pastoral, ref.id, "accepted", "Weekly sessions", pastoral.user_id,
                              aims="Rebuild confidence", review_on=TODAY + timedelta(days=28))
    assert done.decision == "accepted" and done.picked_up_by == "Jan Okafor"
    assert done.enrolment_id is not None
    assert eh.list_referrals(pastoral, pending_only=True) == []
    assert eh.get_referral(pastoral, ref.id).picked_up_by == "Jan Okafor"
    assert audit_actions()[-1] == "early_help.view"
    assert eh.list_referrals(pastoral)[0].enrolment_id == done.enrolment_id
    enrolment = eh.get_enrolment(pastoral, done.enrolment_id)
    assert enrolment.referral_id == ref.id and enrolment.keyworker == "Jan Okafor"
    # The pupil's early-help flag follows, with its history row naming who.
    assert Pupil.get_by_id(pupils[2]).early_help_open is True
    change = PupilFlagChange.get()
    assert (change.flag, change.value, change.by_id) == ("early_help_open", True, pastoral.user_id)
    with pytest.raises(ValidationError, match="already"):
        eh.decide_referral(pastoral, ref.id, "declined", "changed mind")


def test_decline_needs_a_reason_and_referral_is_for_one_to_one_or_group(pastoral, offers, pupils):
    with pytest.raises(ValidationError, match="not 'Lunch club"):
        eh.refer_internally(pastoral, pupils[0], "vulnerable_lunch_club", "lonely")
    ref = eh.refer_internally(pastoral, pupils[0], "targeted_group_work", "friendship issues")
    with pytest.raises(ValidationError, match="reason"):
        eh.decide_referral(pastoral, ref.id, "declined", "")
    with pytest.raises(ValidationError, match="picked up"):
        eh.decide_referral(pastoral, ref.id, "accepted", "")
    out = eh.decide_referral(pastoral, ref.id, "declined", "Needs met by the lunch club")
    assert out.decision == "declined" and out.decision_reason == "Needs met by the lunch club"


# --- enrolments and reviews ----------------------------------------------------------------------


def test_enrolment_ending_before_it_starts_is_refused_and_nothing_saved(pastoral, offers, pupils, fake_clock):
    from kiosk.models.early_help import EarlyHelpEnrolment

    before = len(audit_actions())
    with pytest.raises(ValidationError, match="cannot end before it starts"):
        eh.enrol(pastoral, pupils[0], "vulnerable_lunch_club", TODAY, "aims",
                 TODAY + timedelta(days=14), planned_end_on=TODAY - timedelta(days=1))
    assert count(EarlyHelpEnrolment) == 0 and len(audit_actions()) == before
    e = eh.enrol(pastoral, pupils[0], "vulnerable_lunch_club", TODAY - timedelta(days=10), "aims",
                 TODAY + timedelta(days=14))
    with pytest.raises(ValidationError, match="cannot end before it starts"):
        eh.end_enrolment(pastoral, e.id, TODAY - timedelta(days=11), "stopped")
    assert eh.get_enrolment(pastoral, e.id).open


def test_duplicate_enrolment_refused_until_the_first_ends(pastoral, offers, pupils, fake_clock):
    from kiosk.models.pupils import Pupil

    e = eh.enrol(pastoral, pupils[0], "vulnerable_lunch_club", "01/11/2026", "Eat with friends", "+2w")
    with pytest.raises(ValidationError, match="already enrolled in 'Lunch club for vulnerable pupils'"):
        eh.enrol(pastoral, pupils[0], "vulnerable_lunch_club", TODAY, "again", "+2w")
    eh.enrol(pastoral, pupils[0], "pupil_drop_in", TODAY, "Drop in weekly", "+2w")  # another offer is fine
    ended = eh.end_enrolment(pastoral, e.id, TODAY, "Settled, eating with friends")
    assert ended.ended_on == TODAY and ended.outcome == "Settled, eating with friends"
    assert Pupil.get_by_id(pupils[0]).early_help_open is True  # still in the drop-in
    eh.enrol(pastoral, pupils[0], "vulnerable_lunch_club", TODAY, "Back again", "+2w")
    with pytest.raises(ValidationError, match="already ended"):
        eh.end_enrolment(pastoral, e.id, TODAY, "twice")


def test_flag_clears_when_the_last_enrolment_ends(pastoral, offers, pupils):
    from kiosk.models.pupils import Pupil

    e = eh.enrol(pastoral, pupils[3], "pastoral_one_to_one", TODAY, "aims", "+4w")
    assert Pupil.get_by_id(pupils[3]).early_help_open
    eh.end_enrolment(pastoral, e.id, "today", "done")
    assert not Pupil.get_by_id(pupils[3]).early_help_open


def test_workshops_do_not_enrol_pupils(pastoral, offers, pupils):
    with pytest.raises(ValidationError, match="families are not enrolled"):
        eh.enrol(pastoral, pupils[0], "pmhw_parent_workshops", TODAY, "aims", "+2w")


def test_review_due_on_pure():
    first = date(2026, 12, 1)
    assert eh.review_due_on(first, []) == first
    assert eh.review_due_on(first, [(date(2026, 11, 30), date(2027, 1, 10))]) == date(2027, 1, 10)
    assert eh.review_due_on(first, [(date(2026, 12, 20), None), (date(2026, 11, 30), date(2027, 1, 1))]) is None
    assert eh.week_bounds(TODAY) == (date(2026, 11, 23), date(2026, 11, 29))


def test_reviews_due_this_week_and_overdue(pastoral, offers, pupils, fake_clock):
    start = TODAY - timedelta(days=30)
    overdue = eh.enrol(pastoral, pupils[0], "pastoral_one_to_one", start, "a", TODAY - timedelta(days=1))
    this_week = eh.enrol(pastoral, pupils[1], "pastoral_one_to_one", start, "b", date(2026, 11, 29))
    eh.enrol(pastoral, pupils[2], "pastoral_one_to_one", start, "c", date(2026, 11, 30))  # next week
    due = eh.reviews_due(pastoral)
    assert [(d.enrolment_id, d.overdue) for d in due] == [(overdue.id, True), (this_week.id, False)]
    counts = {c.label: c for c in eh.home_counts(pastoral)}
    assert counts["Early help reviews due this week"].value == 1
    assert counts["Early help reviews overdue"].value == 1 and counts["Early help reviews overdue"].urgent
    assert not counts["Early help reviews due this week"].urgent
    # A review sets the next date; the overdue one drops off.
    after = eh.record_review(pastoral, overdue.id, "Going well", next_review_on=TODAY + timedelta(days=42))
    assert after.next_review_on == TODAY + timedelta(days=42) and len(after.reviews) == 1
    assert [d.enrolment_id for d in eh.reviews_due(pastoral)] == [this_week.id]
    assert [d.enrolment_id for d in eh.reviews_due(pastoral, within_days=60)][-1] == overdue.id
    # Ending an enrolment removes its review.
    eh.end_enrolment(pastoral, this_week.id, TODAY, "moved school")
    assert eh.reviews_due(pastoral) == []
    # The week rolls on.
    fake_clock.advance(days=4)  # Monday 30 November
    assert [d.pupil_id for d in eh.reviews_due(pastoral)] == [pupils[2]]


def test_review_validation(pastoral, offers, pupils):
    e = eh.enrol(pastoral, pupils[0], "pastoral_one_to_one", TODAY - timedelta(days=3), "a", "+2w")
    with pytest.raises(ValidationError, match="future"):
        eh.record_review(pastoral, e.id, "notes", reviewed_on=TODAY + timedelta(days=1))
    with pytest.raises(ValidationError, match="before the enrolment started"):
        eh.record_review(pastoral, e.id, "notes", reviewed_on=TODAY - timedelta(days=4))
    with pytest.raises(ValidationError, match="after this review"):
        eh.record_review(pastoral, e.id, "notes", next_review_on=TODAY)
    with pytest.raises(ValidationError, match="control characters"):
        eh.record_review(pastoral, e.id, "bad \x1b]0;x")
    with pytest.raises(NotFound):
        eh.record_review(pastoral, 999, "notes")


# --- registers -------------------------------------------------------------------------------


def _club_with(pastoral, pupils, n):
    for pid in pupils[:n]:
        eh.enrol(pastoral, pid, "vulnerable_lunch_club", TODAY - timedelta(days=20), "Lunch with friends", "+4w")


def test_register_lists_enrolled_pupils_and_counts_walk_ins(pastoral, offers, pupils, fake_clock):
    _club_with(pastoral, pupils, 12)
    spec = eh.SessionSpec("vulnerable_lunch_club", TODAY)
    sheet = eh.register_sheet(pastoral, spec)
    assert sheet.session_id is None and len(sheet.lines) == 12 and all(l.enrolled for l in sheet.lines)
    marks = {l.pupil_id: eh.Mark(i % 4 != 0) for i, l in enumerate(sheet.lines)}
    marks[pupils[13]] = eh.Mark(True, "came with a friend")
    result = eh.take_register(pastoral, spec, marks)
    assert (result.present, result.absent, result.walk_ins, result.corrected) == (10, 3, 1, False)
    sheet = eh.register_sheet(pastoral, result.session_id)
    assert len(sheet.lines) == 13 and sheet.lines[-1].note == "came with a friend"
    assert sheet.lines[-1].enrolled is False and sheet.taken_by == "Jan Okafor"
    assert audit_actions()[-1] == "early_help.register"


def test_future_session_refused_and_nothing_saved(pastoral, offers, pupils, fake_clock):
    from kiosk.models.early_help import EarlyHelpAttendance, EarlyHelpSession

    with pytest.raises(ValidationError, match="in the future"):
        eh.take_register(pastoral, eh.SessionSpec("vulnerable_lunch_club", TODAY + timedelta(days=1)),
                         {pupils[0]: True})
    with pytest.raises(ValidationError, match="no pupil with id 999"):
        eh.take_register(pastoral, eh.SessionSpec("vulnerable_lunch_club", TODAY), {pupils[0]: True, 999: True})
    assert count(EarlyHelpSession) == 0 and count(EarlyHelpAttendance) == 0


def test_taking_a_register_again_is_a_correction_with_a_reason(pastoral, offers, pupils):
    spec = eh.SessionSpec("pupil_drop_in", TODAY)
    first = eh.take_register(pastoral, spec, {pupils[0]: True, pupils[1]: False})
    with pytest.raises(ValidationError, match="reason"):
        eh.take_register(pastoral, spec, {pupils[0]: True, pupils[1]: True})
    again = eh.take_register(pastoral, first.session_id, {pupils[0]: True, pupils[1]: True},
                             reason="Ben arrived late")
    assert again.corrected and again.session_id == first.session_id and again.present == 2
    from kiosk.models.early_help import EarlyHelpAttendance as A

    assert A.select().where(A.superseded_at.is_null(False)).count() == 2  # the first marks are kept
    assert eh.list_sessions(pastoral)[0].present == 2


def test_register_marks_accept_several_shapes(pastoral, offers, pupils):
    r = eh.take_register(pastoral, {"offer": "pupil_drop_in", "held_on": TODAY},
                         {pupils[0]: "present", pupils[1]: (False, "ill"), pupils[2]: {"present": True}})
    assert (r.present, r.absent) == (2, 1)
    with pytest.raises(ValidationError, match="present or absent"):
        eh.take_register(pastoral, eh.SessionSpec("pupil_drop_in", TODAY - timedelta(days=7)), {pupils[0]: "maybe"})
    with pytest.raises(ValidationError, match="at least one"):
        eh.take_register(pastoral, eh.SessionSpec("pupil_drop_in", TODAY - timedelta(days=7)), {})


def test_a_register_costs_the_same_queries_for_five_pupils_as_for_thirty(pastoral, dsl, offers, fake_clock,
                                                                        monkeypatch):
    """Speed is the bench's to measure; here, that a register does not query per pupil."""
    from kiosk.db import db
    from kiosk.services.pupils import add_pupil

    ids = [add_pupil(dsl, first_name=f"P{i}", last_name="Fast", date_of_birth=date(2015, 1, 1),
                     year_group=6).id for i in range(30)]
    calls = []
    real = db.obj.execute_sql

    def counting(sql, *a, **kw):
        calls.append(sql)
        return real(sql, *a, **kw)

    monkeypatch.setattr(db.obj, "execute_sql", counting)
    counts = []
    for day, size in ((1, 5), (2, 30)):
        marks = {pid: eh.Mark(i % 5 != 0, "") for i, pid in enumerate(ids[:size])}
        calls.clear()
        eh.take_register(pastoral, eh.SessionSpec("vulnerable_lunch_club", TODAY - timedelta(days=day)), marks)
        counts.append(len(calls))
    assert counts[0] == counts[1], f"statements for 5 and 30 pupils: {counts}"


def test_parent_workshop_records_families_not_pupils(pastoral, offers, pupils):
    spec = eh.SessionSpec("pmhw_parent_workshops", TODAY, "Anxiety management")
    with pytest.raises(ValidationError, match="family register"):
        eh.take_register(pastoral, spec, {pupils[0]: True})
    with pytest.raises(ValidationError, match="looks like a pupil's name"):
        eh.take_family_register(pastoral, spec, ["Family 1", "mum of Amara Abbott"])
    r = eh.take_family_register(pastoral, spec, [eh.FamilyMark("Family 1", 2), ("Family 2", 1, "first visit")])
    assert r.present == 2
    sid, lines = eh.family_register(pastoral, spec)
    assert sid == r.session_id and [l.family for l in lines] == ["Family 1", "Family 2"]
    assert eh.list_sessions(pastoral)[0].families == 2
    with pytest.raises(ValidationError, match="records families"):
        eh.register_sheet(pastoral, spec)


# --- outside agencies --------------------------------------------------------------------------


def test_agency_not_in_profile_refused(pastoral, pupils):
    from kiosk.models.early_help import AgencyReferral

    with pytest.raises(ValidationError, match="not an agency in the school profile"):
        eh.refer_to_agency(pastoral, pupils[0], "ghostbusters", "reason", "parent")
    assert count(AgencyReferral) == 0


def test_agency_referral_status_history_and_outcome(pastoral, pupils, fake_clock):
    r = eh.refer_to_agency(pastoral, pupils[0], "school_nursing", "Toileting concerns", "parent",
                           referred_on=TODAY - timedelta(days=2))
    assert (r.status, r.agency_name, r.response_days) == ("sent", "School nursing team", 10)
    with pytest.raises(ValidationError, match="before the referral was sent"):
        eh.record_agency_status(pastoral, r.id, "acknowledged", TODAY - timedelta(days=3))
    r = eh.record_agency_status(pastoral, r.id, "acknowledged", TODAY - timedelta(days=1))
    r = eh.record_agency_status(pastoral, r.id, "accepted", TODAY, "Nurse to see him next week")
    with pytest.raises(ValidationError, match="it can move to closed"):
        eh.record_agency_status(pastoral, r.id, "declined", TODAY, "no")
    with pytest.raises(ValidationError, match="outcome"):
        eh.record_agency_status(pastoral, r.id, "closed", TODAY)
    r = eh.record_agency_status(pastoral, r.id, "closed", TODAY, "Continence plan in place")
    assert [h.status for h in r.history] == ["sent", "acknowledged", "accepted", "closed"]
    assert r.outcome == "Continence plan in place" and r.status == "closed"
    assert eh.get_agency_referral(pastoral, r.id).history == r.history
    assert audit_actions()[-1] == "early_help.view"
    with pytest.raises(ValidationError, match="closed"):
        eh.record_agency_status(pastoral, r.id, "accepted", TODAY)


def test_consent_note_needed_when_consent_not_sought(pastoral, pupils):
    with pytest.raises(ValidationError, match="consent note"):
        eh.refer_to_agency(pastoral, pupils[0], "childrens_services", "Disclosure", "not_sought")
    r = eh.refer_to_agency(pastoral, pupils[0], "childrens_services", "Disclosure", "not_sought",
                           consent_note="Seeking consent would increase the risk")
    assert r.consent_text.startswith("Consent not sought")


def test_referrals_waiting_past_the_timescale_are_flagged(pastoral, pupils, fake_clock):
    # Children's services: 1 working day. Referred on Tuesday; due Wednesday; Thursday is late.
    late = eh.refer_to_agency(pastoral, pupils[0], "childrens_services", "r", "parent", referred_on=date(2026, 11, 24))
    on_time = eh.refer_to_agency(pastoral, pupils[1], "childrens_services", "r", "parent", referred_on=date(2026, 11, 25))
    # School nursing: 10 working days from 12 Nov is 26 Nov (today): not late yet.
    nursing = eh.refer_to_agency(pastoral, pupils[2], "school_nursing", "r", "parent", referred_on=date(2026, 11, 12))
    assert nursing.reply_due == TODAY and not nursing.waiting_too_long
    assert [v.id for v in eh.agency_waiting(pastoral)] == [late.id]
    assert on_time.reply_due == TODAY
    counts = {c.label: c for c in eh.home_counts(pastoral)}
    assert counts["Agency referrals waiting past timescale"].value == 1
    assert counts["Agency referrals waiting past timescale"].urgent
    eh.record_agency_status(pastoral, late.id, "accepted", TODAY)
    fake_clock.advance(days=1)
    assert {v.id for v in eh.agency_waiting(pastoral)} == {on_time.id, nursing.id}


# --- what each role may do ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ["staff", "governor", "admin", "director_of_education"])
def test_roles_without_early_help_see_nothing(make_user, role, offers, pupils):
    other = make_user("someone", role)
    for call in (
        lambda: eh.caseload(other),
        lambda: eh.list_enrolments(other),
        lambda: eh.pupil_record(other, pupils[0]),
        lambda: eh.take_register(other, eh.SessionSpec("pupil_drop_in", TODAY), {pupils[0]: True}),
        lambda: eh.refer_to_agency(other, pupils[0], "school_nursing", "r", "parent"),
        lambda: eh.chronology_entries(other, pupils[0]),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert eh.home_counts(other) == []


def test_headteacher_views_but_does_not_run_early_help(make_user, offers, pupils):
    head = make_user("head", "headteacher")
    assert eh.caseload(head).pending_referrals == 0
    with pytest.raises(PermissionDenied):
        eh.enrol(head, pupils[0], "pupil_drop_in", TODAY, "a", "+2w")
    eh.refer_internally(head, pupils[0], "pastoral_one_to_one", "Parent asked")


def test_pastoral_record_holds_early_help_only_and_is_audited(pastoral, offers, pupils):
    from kiosk.capabilities import Cap

    eh.enrol(pastoral, pupils[0], "pupil_drop_in", TODAY, "aims", "+2w")
    eh.refer_to_agency(pastoral, pupils[0], "wellbeing", "anxious", "parent_and_pupil")
    rec = eh.pupil_record(pastoral, pupils[0])
    assert len(rec.enrolments) == 1 and len(rec.agency_referrals) == 1
    assert {f.name for f in dataclasses.fields(rec)} == {
        "pupil_id", "pupil_name", "form_group", "enrolments", "referrals", "agency_referrals", "attendance"}
    assert audit_actions()[-1] == "early_help.view"
    # Child-protection concern details are not theirs unless shared by a DSL.
    assert not pastoral.can(Cap.CONCERN_VIEW_ALL) and not pastoral.can(Cap.CHRONOLOGY_VIEW)
    assert pastoral.can(Cap.CONCERN_VIEW_SHARED)


# --- caseload and chronology -------------------------------------------------------------------


def test_caseload(pastoral, offers, pupils, fake_clock):
    _club_with(pastoral, pupils, 3)
    eh.enrol(pastoral, pupils[5], "pastoral_one_to_one", TODAY - timedelta(days=5), "aims", "+2w")
    for days, marks in ((14, [True, True, False]), (7, [True, False, False])):
        eh.take_register(pastoral, eh.SessionSpec("vulnerable_lunch_club", TODAY - timedelta(days=days)),
                         dict(zip(pupils[:3], marks)))
    eh.refer_to_agency(pastoral, pupils[0], "school_nursing", "r", "parent")
    w = eh.refer_to_agency(pastoral, pupils[1], "school_nursing", "r", "parent")
    eh.record_agency_status(pastoral, w.id, "accepted", TODAY)
    eh.refer_internally(pastoral, pupils[7], "targeted_group_work", "friendships")
    c = eh.caseload(pastoral)
    assert [(r.label, r.count) for r in c.open_by_offer] == [
        ("Lunch club for vulnerable pupils", 3), ("1:1 pastoral support", 1)]
    assert {r.label: r.count for r in c.open_by_kind} == {"Club": 3, "1:1 support": 1}
    rates = {r.id: (r.present, r.sessions, r.percent) for r in c.attendance_by_pupil}
    assert rates == {pupils[0]: (2, 2, "100%"), pupils[1]: (1, 2, "50%"), pupils[2]: (0, 2, "0%")}
    assert [(r.label, r.present, r.sessions) for r in c.attendance_by_offer] == [
        ("Lunch club for vulnerable pupils", 3, 6)]
    assert [(r.label, r.detail, r.count) for r in c.agency_by_status] == [
        ("School nursing team", "sent", 1), ("School nursing team", "accepted", 1)]
    assert c.pending_referrals == 1
    assert audit_actions()[-1] == "early_help.caseload_view"


def test_chronology_entries_for_the_dsl_team(dsl, pastoral, offers, pupils, fake_clock):
    pytest.importorskip("kiosk.services.chronology")
    ref = eh.refer_internally(pastoral, pupils[0], "pastoral_one_to_one", "Low mood")
    eh.decide_referral(pastoral, ref.id, "accepted", "", pastoral.user_id, aims="Talk weekly", review_on="+2w")
    fake_clock.advance(days=1)
    eh.take_register(pastoral, eh.SessionSpec("pupil_drop_in", TODAY), {pupils[0]: eh.Mark(True, "chatty")})
    a = eh.refer_to_agency(pastoral, pupils[0], "school_nursing", "Sleep", "parent")
    eh.record_agency_status(pastoral, a.id, "accepted", "today")
    entries = eh.chronology_entries(dsl, pupils[0])
    titles = [e.title for e in entries]
    assert "Referred for 1:1 pastoral support by Jan Okafor" in titles
    assert "Referral accepted: 1:1 pastoral support, picked up by Jan Okafor" in titles
    assert "Started 1:1 pastoral support" in titles
    assert "Referred to School nursing team" in titles
    assert "School nursing team: referral accepted" in titles
    assert any(t.startswith("Weekly pupil drop-in: attended 1 of 1") for t in titles)
    assert all(e.restricted is False and e.at.tzinfo is None and e.kind == "early_help" for e in entries)
    # The DSL team's chronology carries them.
    from kiosk.services.chronology import chronology

    assert {e.title for e in chronology(dsl, pupils[0])} >= set(titles)
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    assert eh.chronology_entries(dsl, pupils[1]) == []


def test_the_register_sql_knows_who_is_enrolled_as_the_orm_did(pastoral, offers, pupils, fake_clock):
    """Issue 19: taking a register reads who is enrolled through hand-written SQL; it gives
    the ORM's answer on every day around a start and an end, and the marks it writes are the
    ones the register sheet then shows."""
    from kiosk.services.early_help import registers, registers_sql
    from kiosk.services.early_help.common import offer_row

    _club_with(pastoral, pupils, 4)
    late = eh.enrol(pastoral, pupils[5], "vulnerable_lunch_club", TODAY - timedelta(days=5), "Lunch", "+4w")
    gone = eh.enrol(pastoral, pupils[6], "vulnerable_lunch_club", TODAY - timedelta(days=30), "Lunch", "+4w")
    eh.end_enrolment(pastoral, gone.id, TODAY - timedelta(days=8), "stopped")
    club = offer_row("vulnerable_lunch_club").id
    for back in (40, 25, 20, 9, 8, 7, 5, 4, 0):
        on = TODAY - timedelta(days=back)
        assert registers_sql.enrolled_ids(club, on) == {p.id for p in registers._enrolled_on(club, on)}, back
    marks = {pupils[0]: eh.Mark(True, "ate well"), pupils[5]: eh.Mark(False), pupils[6]: eh.Mark(True)}
    done = eh.take_register(pastoral, eh.SessionSpec("vulnerable_lunch_club", TODAY - timedelta(days=6)), marks)
    assert (done.present, done.absent, done.walk_ins) == (2, 1, 2)  # 5 starts later; 6 has left
    sheet = eh.register_sheet(pastoral, done.session_id)
    got = {l.pupil_id: (l.present, l.note, l.enrolled) for l in sheet.lines if l.pupil_id in marks}
    assert got == {pupils[0]: (True, "ate well", True), pupils[5]: (False, "", False),
                   pupils[6]: (True, "", False)}
    assert sheet.taken_by == "Jan Okafor"


def test_the_chronology_history_sql_reads_what_the_orm_read(dsl, pastoral, offers, pupils, fake_clock):
    """Issue 19: the early-help lines of every chronology page come from hand-written SQL
    (history_sql); each row carries what the ORM's rows carried."""
    import importlib

    caseload = importlib.import_module("kiosk.services.early_help.caseload")  # the module, not the service

    ref = eh.refer_internally(pastoral, pupils[0], "pastoral_one_to_one", "Low mood")
    eh.decide_referral(pastoral, ref.id, "accepted", "", pastoral.user_id, aims="Talk weekly", review_on="+2w")
    other = eh.refer_internally(pastoral, pupils[0], "targeted_group_work", "Friendship issues")
    eh.decide_referral(pastoral, other.id, "declined", "Club is full", None)
    e = eh.enrol(pastoral, pupils[0], "vulnerable_lunch_club", TODAY - timedelta(days=20), "Lunch", "+1w")
    fake_clock.advance(days=1)
    eh.record_review(pastoral, e.id, "Going well", reviewed_on=TODAY - timedelta(days=10),
                     next_review_on=TODAY + timedelta(days=4))
    eh.end_enrolment(pastoral, e.id, TODAY, "Settled")
    fields = ("referral", "decision", "enrolment", "review", "end")
    got, want = caseload._history(pupils[0]), caseload._history_orm(pupils[0])
    assert [len(x) for x in got] == [len(x) for x in want]
    assert (len(got[0]), len(got[1]), len(got[3]), len(got[4])) == (2, 2, 1, 1)
    for name, rows, orm_rows in zip(fields, got, want):
        for row, orm in zip(rows, orm_rows):
            for attr in row._fields:
                value = getattr(row, attr)
                expected = getattr(orm, attr)
                if attr == "referral":
                    value, expected = (value.id, value.offer_id), (expected.id, expected.offer_id)
                assert value == expected, (name, attr)
    assert caseload._history(pupils[1]) == ([], [], [], [], [])
    # The same statement names the users the referrals name, and every offer.
    from kiosk.models import User
    from kiosk.models.early_help import EarlyHelpOffer
    from kiosk.services.early_help import history_sql

    got = history_sql.history(pupils[0])
    named = ({r.referred_by_id for r in want[0]} | {d.picked_up_by_id for d in want[1]}) - {None}
    assert got.names == {u.id: u.full_name for u in User.select().where(User.id.in_(list(named)))}
    assert got.names and got.offers == {o.id: o.name for o in EarlyHelpOffer.select()}
    assert history_sql.history(pupils[1]).names == {}


def test_the_chronology_attendance_and_agency_sql_read_what_the_orm_read(dsl, pastoral, offers, pupils,
                                                                        fake_clock):
    """Issue 19: a chronology page reads the register marks and agency referrals through
    history_sql; the marks are the ORM's (`_attendance_lines`) and each agency line is a
    status of `agency_views`' history, in its order."""
    import importlib

    from dataclasses import astuple

    from kiosk.models.early_help import AgencyReferral as AR
    from kiosk.services.early_help import agencies, history_sql

    caseload = importlib.import_module("kiosk.services.early_help.caseload")
    eh.take_register(pastoral, eh.SessionSpec("pupil_drop_in", TODAY - timedelta(days=3)),
                     {pupils[0]: eh.Mark(True, "chatty"), pupils[1]: eh.Mark(False)})
    eh.take_register(pastoral, eh.SessionSpec("pupil_drop_in", TODAY), {pupils[0]: eh.Mark(False, "off sick")})
    a = eh.refer_to_agency(pastoral, pupils[0], "school_nursing", "Sleep", "not_sought", consent_note="Urgent")
    fake_clock.advance(days=1)
    eh.record_agency_status(pastoral, a.id, "accepted", "today")
    eh.refer_to_agency(pastoral, pupils[0], "school_nursing", "Eating", "parent")
    for p in pupils[:3]:
        got = history_sql.history(p)
        assert [tuple(m) for m in got.attendance] == [astuple(line) for line in caseload._attendance_lines(p)], p
        views = agencies.agency_views(agencies.agency_query().where(AR.pupil == p).order_by(AR.id), {})
        want = [(v.id, v.agency_name, v.reason, v.consent, v.consent_note, h.status, h.on, h.note, h.at)
                for v in views for h in v.history]
        assert [tuple(line) for line in got.agency] == want, p
    got = history_sql.history(pupils[0])
    assert len(got.attendance) == 2 and len(got.agency) == 3


@pytest.mark.parametrize("size", [1, 2, 3])
def test_chronology_pages_with_early_help_joined_are_the_whole(dsl, pastoral, offers, pupils, fake_clock, size):
    """Issue 19: a page makes only the early-help entries it may show (the newest of them);
    the pages joined are still the whole chronology."""
    from kiosk.services import chronology

    ref = eh.refer_internally(pastoral, pupils[0], "pastoral_one_to_one", "Low mood")
    eh.decide_referral(pastoral, ref.id, "accepted", "", pastoral.user_id, aims="Talk weekly", review_on="+2w")
    for weeks in range(0, 30, 3):  # marks over several months, summarised a month a line
        eh.take_register(pastoral, eh.SessionSpec("pupil_drop_in", TODAY - timedelta(weeks=weeks)),
                         {pupils[0]: eh.Mark(weeks % 2 == 0, f"week {weeks}")})
    a = eh.refer_to_agency(pastoral, pupils[0], "school_nursing", "Sleep", "parent")
    fake_clock.advance(days=1)
    eh.record_agency_status(pastoral, a.id, "accepted", "today")
    whole = chronology.chronology(dsl, pupils[0])
    assert len(whole) >= 10
    got, cursor = [], None
    while True:
        page = chronology.chronology_page(dsl, pupils[0], cursor=cursor, size=size)
        assert len(page.entries) <= size
        got += page.entries
        if page.next is None:
            break
        cursor = page.next
    assert got == whole


@pytest.mark.parametrize("size", [1, 2, 4])
def test_a_page_reads_the_marks_from_its_horizons_month_and_the_pages_are_still_whole(
        dsl, pastoral, offers, pupils, fake_clock, size, monkeypatch):
    """Issue 19: with concerns newer than most of the register marks, a page knows how far back
    it reaches before it reads early help (its horizon), and reads only the marks of that
    month and later; the pages joined are still the whole chronology."""
    from kiosk.services import chronology, concerns
    from kiosk.services.early_help import history_sql

    for weeks in range(0, 30, 3):
        eh.take_register(pastoral, eh.SessionSpec("pupil_drop_in", TODAY - timedelta(weeks=weeks)),
                         {pupils[0]: eh.Mark(weeks % 2 == 0, f"week {weeks}")})
    for days in range(0, 120, 9):
        concerns.record_concern(
            dsl, token=concerns.new_submission_token(), pupils=[(pupils[0], "subject")],
            occurred_on=TODAY - timedelta(days=days), occurred_time="", location="Hall", source="child_told",
            categories=["neglect"], words="", description=f"Day {days}", why_concern="Hungry",
            child_told_next=True, dsl_told_in_person=False, injuries=[], urgent=False)
    whole = chronology.chronology(dsl, pupils[0])
    reads = []
    real = history_sql.history
    monkeypatch.setattr(history_sql, "history", lambda pid, since=None: reads.append(since) or real(pid, since))
    got, cursor = [], None
    while True:
        page = chronology.chronology_page(dsl, pupils[0], cursor=cursor, size=size)
        got += page.entries
        if page.next is None:
            break
        cursor = page.next
    assert got == whole
    assert any(since is not None and since.day == 1 for since in reads)
    assert sum(e.title.startswith("Drop-in") or "attended" in e.title for e in whole) >= 5


def test_the_register_finds_and_makes_its_session_as_the_orm_did(pastoral, offers, pupils, fake_clock):
    """Issue 19: take_register finds the offer and the session, and makes a new session,
    through hand-written SQL: the same offer row, the same session, the row S.create wrote."""
    from kiosk.db import db
    from kiosk.models.early_help import EarlyHelpSession as S
    from kiosk.services.early_help import registers, registers_sql
    from kiosk.services.early_help.common import offer_row

    _club_with(pastoral, pupils, 2)
    club = offer_row("vulnerable_lunch_club")
    assert registers_sql.offer_where("key", "vulnerable_lunch_club").__data__ == club.__data__
    assert registers_sql.offer_where("id", club.id).__data__ == club.__data__
    assert registers_sql.offer_where("key", "no_such_offer") is None
    day = TODAY - timedelta(days=3)
    for spec in (eh.SessionSpec("vulnerable_lunch_club", day), ("vulnerable_lunch_club", day, "Week 2"),
                 {"offer": club.id, "held_on": day, "label": "Week 3"}):
        assert registers._find_session_id(spec)[0] is None
        done = eh.take_register(pastoral, spec, {pupils[0]: True})
        s, o, held_on, label = registers._find_session(spec)
        assert registers._find_session_id(spec) == (s.id, o, held_on, label) and s.id == done.session_id
        twin = S.create(offer=club.id, held_on=held_on, label=label + " twin", created_by=s.created_by_id,
                        created_at=s.created_at, register_taken_at=s.register_taken_at,
                        register_taken_by=s.register_taken_by_id)
        rows = [db.execute_sql(f"SELECT * FROM early_help_session WHERE id = {i}").fetchone() for i in (s.id, twin.id)]
        assert rows[0][1:3] + rows[0][4:] == rows[1][1:3] + rows[1][4:] and rows[1][3] == rows[0][3] + " twin"
    with pytest.raises(ValidationError):
        eh.take_register(pastoral, eh.SessionSpec("no_such_offer", day), {pupils[0]: True})
    with pytest.raises(ValidationError):
        eh.take_register(pastoral, eh.SessionSpec(True, day), {pupils[0]: True})
