"""Raising, routing and recording concerns about adults (paragraphs 14-16)."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from kiosk.errors import NotFound, PermissionDenied, ValidationError
from kiosk.rules.routing import HarmsAnswers
from kiosk.services import adults, alerts

HARM = HarmsAnswers(harmed_child=True)
NONE = HarmsAnswers()


def raise_(actor, profile, **kw):
    kw.setdefault("what_happened", "Shouted at a pupil in the corridor")
    kw.setdefault("happened_when", "Tuesday lunchtime")
    return adults.raise_concern(actor, profile, **kw)


def test_allegation_about_teacher_goes_to_head_and_alerts_without_content(school, profile, fake_clock):
    s = school
    r = raise_(s["teacher"], profile, subject_user_id=s["subject"].user_id, answers=HARM)
    assert r.kind == "allegation"
    assert r.received_by == "the headteacher"
    assert r.recipient_names == ("Dr Helen Marsh",)
    head_alerts = alerts.for_user(s["head"])
    assert len(head_alerts) == 1 and head_alerts[0].urgent
    assert "Subject" not in head_alerts[0].label and "Shouted" not in head_alerts[0].label
    # Nobody else alerted; certainly not the subject.
    for who in ("subject", "dsl", "director", "teacher"):
        assert alerts.for_user(s[who]) == []


def test_low_level_about_teacher_goes_to_dsl_shared_with_head(school, profile):
    s = school
    r = raise_(s["teacher"], profile, subject_user_id=s["subject"].user_id, answers=NONE)
    assert r.kind == "low_level" and r.received_by == "the DSL"
    assert r.lado_due_at is None
    assert [a.label for a in alerts.for_user(s["dsl"])] == ["Low-level concern about an adult"]
    assert [a.label for a in alerts.for_user(s["head"])] == ["Low-level concern shared with you"]
    assert [row.id for row in adults.register(s["head"])] == [r.id]
    assert adults.register(s["head"])[0].my_access == "shared"


def test_low_level_about_dsl_goes_to_head_shared_with_director(school, profile):
    s = school
    r = raise_(s["teacher"], profile, subject_user_id=s["dsl"].user_id, answers=NONE)
    assert r.received_by == "the headteacher"
    assert [x.id for x in adults.register(s["director"])] == [r.id]
    assert adults.register(s["dsl"]) == []


@pytest.mark.parametrize("answers,kind", [(HARM, "allegation"), (NONE, "low_level")])
def test_about_head_goes_to_director(school, profile, answers, kind):
    s = school
    r = raise_(s["teacher"], profile, subject_user_id=s["head"].user_id, answers=answers)
    assert (r.kind, r.received_by) == (kind, "the trust Director of Education")
    assert adults.register(s["head"]) == []
    with pytest.raises(NotFound):
        adults.get_concern(s["head"], r.id)


def test_relative_of_head_goes_to_director(school, profile):
    r = raise_(school["teacher"], profile, subject_name="Mr Tom Marsh", subject_role="Caretaker",
               is_head_relative=True, answers=HARM)
    assert r.received_by == "the trust Director of Education"


def test_low_level_about_trust_central_goes_to_trust_lead(school, profile):
    r = raise_(school["teacher"], profile, subject_name="Mr Ray Dunmore",
               subject_role="Trust finance officer", is_trust_central=True, answers=NONE)
    assert r.received_by == "the Trust Lead on Safeguarding"
    assert [x.id for x in adults.register(school["trustlead"])] == [r.id]


def test_roles_of_subject_user_override_unticked_boxes(school, profile, make_user):
    both = make_user("both", "dsl", "headteacher", full_name="Mrs Dual Role")
    r = raise_(school["teacher"], profile, subject_user_id=both.user_id, answers=NONE)
    # Both DSL and headteacher: the headteacher rule wins, so the director receives it.
    assert r.received_by == "the trust Director of Education"
    detail = adults.get_concern(school["director"], r.id)
    assert "the headteacher" in detail.flags and "the DSL" in detail.flags


def test_concern_about_oneself_refused(school, profile):
    with pytest.raises(ValidationError, match="yourself"):
        raise_(school["teacher"], profile, subject_user_id=school["teacher"].user_id, answers=NONE)
    with pytest.raises(ValidationError, match="yourself"):
        raise_(school["teacher"], profile, subject_name="  ms priya   LAWSON ", answers=NONE)


def test_no_subject_or_description_refused(school, profile):
    with pytest.raises(ValidationError, match="who it is about"):
        raise_(school["teacher"], profile, answers=NONE)
    with pytest.raises(ValidationError, match="what happened"):
        raise_(school["teacher"], profile, subject_name="Mr X", what_happened="  ", answers=NONE)


def test_control_characters_refused(school, profile):
    with pytest.raises(ValidationError, match="control"):
        raise_(school["teacher"], profile, subject_name="Mr \x1b]0;X", answers=NONE)


def test_routing_around_the_rules_refused(school, profile):
    s = school
    # The subject as the recipient.
    with pytest.raises(ValidationError, match="person it is about"):
        raise_(s["teacher"], profile, subject_user_id=s["head"].user_id, answers=HARM,
               recipient_user_id=s["head"].user_id)
    # Someone who does not hold the routed role.
    with pytest.raises(ValidationError, match="must go to the headteacher"):
        raise_(s["teacher"], profile, subject_user_id=s["subject"].user_id, answers=HARM,
               recipient_user_id=s["dsl"].user_id)
    # Claiming the subject is an ordinary teacher does not stop the roles deciding.
    r = raise_(s["teacher"], profile, subject_user_id=s["head"].user_id,
               is_headteacher=False, answers=HARM)
    assert r.received_by == "the trust Director of Education"
    from kiosk.models.adults import AdultConcern

    assert AdultConcern.select().count() == 1  # the refused ones left nothing behind


def test_chosen_recipient_among_holders(school, profile, make_user):
    acting = make_user("acting", "headteacher", full_name="Mr Acting Head")
    r = raise_(school["teacher"], profile, subject_user_id=school["subject"].user_id,
               answers=HARM, recipient_user_id=acting.user_id)
    assert r.recipient_names == ("Mr Acting Head",)
    assert alerts.for_user(school["head"]) == []
    assert len(alerts.for_user(acting)) == 1


def test_subject_gets_no_alert_even_when_holding_share_role(school, profile, make_user):
    # Two headteachers; a low-level concern about the DSL shared... the DSL is subject.
    r = raise_(school["teacher"], profile, subject_user_id=school["deputy"].user_id, answers=NONE)
    assert r.received_by == "the DSL"
    assert alerts.for_user(school["deputy"]) == []


def test_plan_shows_recipient_and_contacts(school, profile):
    p = adults.plan(school["teacher"], profile, subject_user_id=school["dsl"].user_id, answers=NONE)
    assert p.kind == "low_level" and p.recipient_role == "headteacher"
    assert p.recipient_names == ("Dr Helen Marsh",)
    assert p.share_with == ("director_of_education",)
    # One headteacher: the account the concern reaches, with the profile's number (the
    # packaged profile still names "Mr F. Taylor").
    assert profile.headteacher.name != "Dr Helen Marsh"
    assert p.routing.contacts and p.routing.contacts[0].name == "Dr Helen Marsh"
    assert p.routing.contacts[0].phone == profile.headteacher.phone
    assert p.profile.headteacher.name == "Dr Helen Marsh"


def test_my_reports_show_only_received(school, profile):
    r = raise_(school["teacher"], profile, subject_user_id=school["subject"].user_id, answers=HARM)
    mine = adults.my_reports(school["teacher"])
    assert [(m.id, m.received_by) for m in mine] == [(r.id, "the headteacher")]
    assert not hasattr(mine[0], "what_happened") and not hasattr(mine[0], "subject_name")
    assert adults.my_reports(school["dsl"]) == []


def test_allegation_lifecycle_events_append_only(school, profile, fake_clock):
    s = school
    r = raise_(s["teacher"], profile, subject_user_id=s["subject"].user_id, answers=HARM)
    head = s["head"]
    d = adults.get_concern(head, r.id)
    assert d.can_act and d.open and d.lado_contacted_at is None
    fake_clock.advance(hours=2)
    d = adults.record_lado_contact(head, r.id, details="Spoke to the LADO, ref 123")
    assert d.lado_contacted_at == fake_clock.now and not d.lado_overdue
    d = adults.record_lado_advice(head, r.id, advice="Hold a strategy discussion",
                                  rationale="Agreed; police to attend")
    with pytest.raises(ValidationError, match="rationale"):
        adults.record_action(head, r.id, action="suspension_considered", decision="Not suspended",
                             rationale="")
    with pytest.raises(ValidationError, match="action"):
        adults.record_action(head, r.id, action="sacked", decision="x", rationale="y")
    adults.record_action(head, r.id, action="strategy_discussion", decision="Held 27 Nov",
                         rationale="LADO advice")
    adults.record_action(head, r.id, action="suspension_considered",
                         decision="Not suspended; moved to non-teaching duties",
                         rationale="Risk managed by supervision")
    adults.record_action(head, r.id, action="police", decision="Police informed",
                         rationale="Possible offence")
    d = adults.record_outcome(head, r.id, outcome="unsubstantiated", rationale="Insufficient evidence")
    assert not d.open and d.outcome == "unsubstantiated"
    assert [e.kind for e in d.events] == ["lado_contact", "lado_advice", "action", "action",
                                          "action", "outcome"]
    with pytest.raises(ValidationError, match="already"):
        adults.record_outcome(head, r.id, outcome="false", rationale="Changed mind")
    with pytest.raises(ValidationError, match="low-level"):
        adults.record_low_level(head, r.id, action_taken="x", rationale="y")
    assert "Keep until" in d.retention.text


def test_low_level_written_record_by_recipient_only(school, profile):
    s = school
    r = raise_(s["teacher"], profile, subject_user_id=s["subject"].user_id, answers=NONE,
               context="In the dining hall, busy")
    # The headteacher (shared) may add a note but not write the DSL's record.
    with pytest.raises(PermissionDenied):
        adults.record_low_level(s["head"], r.id, action_taken="x", rationale="y")
    adults.add_note(s["head"], r.id, note="Seen.")
    with pytest.raises(PermissionDenied):  # the DSL never handles allegations
        adults.record_lado_contact(s["dsl"], r.id)
    d = adults.record_low_level(s["dsl"], r.id, action_taken="Spoke to Mr Subject about the code of conduct",
                                rationale="First concern; behaviour likely thoughtless")
    assert d.status == "Recorded" and not d.open
    assert d.context == "In the dining hall, busy"
    assert [e.kind for e in d.events] == ["note", "record"]


def test_patterns_group_same_adult(school, profile, fake_clock):
    s = school
    for _ in range(3):
        raise_(s["teacher"], profile, subject_user_id=s["subject"].user_id, answers=NONE)
        fake_clock.advance(days=3)
    raise_(s["teacher"], profile, subject_name="Mrs Lone Concern", answers=NONE)
    raise_(s["teacher"], profile, subject_name="Mr Named Twice", answers=NONE)
    raise_(s["pastoral"], profile, subject_name=" mr named  twice", answers=NONE)
    pats = adults.patterns(s["dsl"])
    assert [(p.subject_name, p.low_level) for p in pats] == [
        ("Mr Ian Subject", 3), ("mr named  twice", 2)]


def test_lado_deadline_over_weekend(school, profile, fake_clock):
    fake_clock.now = datetime(2026, 11, 27, 16, 0)  # Friday, GMT
    r = raise_(school["teacher"], profile, subject_user_id=school["subject"].user_id, answers=HARM)
    assert r.lado_due_at == datetime(2026, 11, 30, 23, 59, 59)  # end of Monday


def test_lado_deadline_over_christmas_bank_holidays(school, profile, fake_clock):
    fake_clock.now = datetime(2026, 12, 24, 10, 0)  # Thursday; Fri 25, Mon 28 are bank holidays
    r = raise_(school["teacher"], profile, subject_user_id=school["subject"].user_id, answers=HARM)
    assert r.lado_due_at == datetime(2026, 12, 29, 23, 59, 59)


def test_lado_deadline_easter_into_summer_time(school, profile, fake_clock):
    fake_clock.now = datetime(2027, 3, 25, 16, 0)  # Thursday before Good Friday
    r = raise_(school["teacher"], profile, subject_user_id=school["subject"].user_id, answers=HARM)
    # Tuesday 30 March 23:59:59 BST is 22:59:59 UTC.
    assert r.lado_due_at == datetime(2027, 3, 30, 22, 59, 59)


def test_home_counts_countdown_then_overdue(school, profile, fake_clock):
    fake_clock.now = datetime(2026, 11, 27, 16, 0)
    r = raise_(school["teacher"], profile, subject_user_id=school["subject"].user_id, answers=HARM)
    counts = {c.label.split(" (")[0]: c for c in adults.home_counts(school["head"])}
    assert counts["Concerns about adults open"].value == 1
    # The alert: new until the recipient opens the record.
    assert counts["New concerns about adults"].value == 1 and counts["New concerns about adults"].urgent
    adults.get_concern(school["head"], r.id)
    assert "New concerns about adults" not in {c.label.split(" (")[0] for c in adults.home_counts(school["head"])}
    due = [c for c in adults.home_counts(school["head"]) if c.label.startswith("LADO contact due")]
    assert due and "due in 3 days 7 h" in due[0].label
    fake_clock.now = datetime(2026, 12, 1, 9, 0)
    labels = {c.label: c for c in adults.home_counts(school["head"])}
    assert labels["LADO contact OVERDUE"].urgent and labels["LADO contact OVERDUE"].value == 1
    adults.record_lado_contact(school["head"], r.id, contacted_at=fake_clock.now)
    assert [c.label for c in adults.home_counts(school["head"])] == ["Concerns about adults open"]
    assert adults.home_counts(school["teacher"]) == []
    assert adults.home_counts(school["dsl"])[0].value == 0


def test_lado_contact_cannot_be_in_future(school, profile, fake_clock):
    r = raise_(school["teacher"], profile, subject_user_id=school["subject"].user_id, answers=HARM)
    with pytest.raises(ValidationError, match="future"):
        adults.record_lado_contact(school["head"], r.id, contacted_at=datetime(2030, 1, 1))


def test_retention_rules():
    at = datetime(2026, 11, 27, 10)
    no_dob = adults.retention_for("allegation", at, None, "")
    assert no_dob.until == date(2036, 11, 27) and "67" in no_dob.text
    young = adults.retention_for("allegation", at, date(1990, 5, 1), "substantiated")
    assert young.until == date(2057, 5, 1) and "retirement" in young.text
    old = adults.retention_for("allegation", at, date(1962, 2, 1), "unfounded")
    assert old.until == date(2036, 11, 27)
    mal = adults.retention_for("allegation", at, date(1990, 5, 1), "malicious")
    assert mal.to_be_removed and mal.until is None and "To be removed" in mal.text
    assert adults.retention_for("low_level", at, None, "").until is None


def test_malicious_allegation_is_kept_but_marked(school, profile):
    r = raise_(school["teacher"], profile, subject_user_id=school["subject"].user_id, answers=HARM)
    d = adults.record_outcome(school["head"], r.id, outcome="malicious", rationale="Admitted invented")
    assert d.retention.to_be_removed
    assert adults.get_concern(school["head"], r.id).what_happened  # still there


def test_views_are_audited_without_content(school, profile):
    from kiosk.models import AuditEvent

    r = raise_(school["teacher"], profile, subject_user_id=school["subject"].user_id, answers=HARM)
    adults.register(school["head"])
    adults.get_concern(school["head"], r.id)
    with pytest.raises(NotFound):
        adults.get_concern(school["dsl"], r.id)
    actions = [e.action for e in AuditEvent.select().order_by(AuditEvent.seq)]
    for a in ("adult_concern.raise", "adult_concern.register_view", "adult_concern.view",
              "adult_concern.refused"):
        assert a in actions
    for e in AuditEvent.select():
        assert "Subject" not in e.detail and "Shouted" not in e.detail
        json.loads(e.detail)


def test_markup_looking_text_is_kept_exactly(school, profile):
    r = raise_(school["teacher"], profile, subject_name="[b]Mr X[/b] [@click=app.quit]",
               what_happened="[/", answers=NONE)
    d = adults.get_concern(school["dsl"], r.id)
    assert d.subject_name == "[b]Mr X[/b] [@click=app.quit]" and d.what_happened == "[/"


def test_dsl_away_low_level_goes_to_deputy_and_is_shared(school, profile):
    s = school
    p = adults.plan(s["teacher"], profile, subject_user_id=s["subject"].user_id, answers=NONE,
                    dsl_unavailable=True)
    assert p.recipient_role == "deputy_dsl" and p.recipient_names == ("Mr Daniel Hart",)
    r = raise_(s["teacher"], profile, subject_user_id=s["subject"].user_id, answers=NONE,
               dsl_unavailable=True)
    assert r.received_by == "a deputy DSL"
    assert [x.id for x in adults.register(s["deputy"])] == [r.id]
    # The deputy shares with the headteacher and the DSL (patterns, paragraph 15).
    assert [x.my_access for x in adults.register(s["dsl"])] == ["shared"]
    assert [x.my_access for x in adults.register(s["head"])] == ["shared"]
    # Allegations are not affected by the DSL's absence.
    a = raise_(s["teacher"], profile, subject_user_id=s["subject"].user_id, answers=HARM,
               dsl_unavailable=True)
    assert a.received_by == "the headteacher"


def test_shell_administrator_cannot_raise_or_read(admin, profile, school):
    with pytest.raises(ValidationError, match="signed-in"):
        raise_(admin, profile, subject_name="Mr X", answers=NONE)
    with pytest.raises(PermissionDenied):
        adults.register(admin)


# --- a typed name that matches an account (issue 12) ---------------------------------------------


@pytest.mark.parametrize("typed", ["Dr Helen Marsh", "helen marsh", "  HELEN   MARSH ",
                                   "Mrs Helen Marsh", "Dr. Helen Marsh"])
def test_typed_name_of_an_account_is_routed_as_that_account(school, profile, typed):
    s = school
    r = raise_(s["teacher"], profile, subject_name=typed, answers=HARM)
    # About the headteacher: never to her, never visible to her (paragraph 14).
    assert r.received_by == "the trust Director of Education"
    assert "Dr Helen Marsh" not in r.recipient_names
    assert alerts.for_user(s["head"]) == []
    assert adults.register(s["head"]) == []
    with pytest.raises(NotFound):
        adults.get_concern(s["head"], r.id)
    from kiosk.models.adults import AdultConcern

    assert AdultConcern.get_by_id(r.id).subject_user_id == s["head"].user_id


def test_typed_name_plan_matches_the_account_too(school, profile):
    s = school
    p = adults.plan(s["teacher"], profile, subject_name="dr helen marsh", answers=HARM)
    assert p.recipient_role == "director_of_education"
    match = adults.matching_account(s["teacher"], "Helen  Marsh")
    assert match is not None and match.user_id == s["head"].user_id
    assert adults.matching_account(s["teacher"], "Helen Marshall") is None


def test_typed_own_name_with_a_title_is_refused(school, profile):
    with pytest.raises(ValidationError, match="yourself"):
        raise_(school["teacher"], profile, subject_name="Mrs priya LAWSON", answers=HARM)


def test_a_name_two_accounts_share_must_be_picked_from_the_list(school, profile, make_user):
    make_user("marsh2", "staff", full_name="Ms Helen Marsh")
    with pytest.raises(ValidationError, match="more than one console account"):
        raise_(school["teacher"], profile, subject_name="Helen Marsh", answers=HARM)


def test_name_key_ignores_titles_case_spacing_and_role_labels():
    assert adults.name_key("Dr.  HELEN marsh") == "helen marsh"
    assert adults.name_key("Dr Helen Marsh (headteacher)") == "helen marsh"
    assert adults.name_key("Mx Sam  Patel") == "sam patel"
    assert adults.name_key("Miss") == "miss"  # a bare title stays a name
