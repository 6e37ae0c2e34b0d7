"""Outcomes in KCSIE part four's words, the route change to low-level, malicious removal,
the DBS/TRA questions after a substantiated allegation, and the LADO never shown as shared
before contact (issue 18)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kiosk.errors import PermissionDenied, ValidationError
from kiosk.models.adults import AdultConcernEvent
from kiosk.rules import allegations as rules
from kiosk.rules.retention import RetentionRules, adult_due
from kiosk.rules.routing import HarmsAnswers
from kiosk.services import adults

HARM = HarmsAnswers(harmed_child=True)


def allegation(s, profile):
    return adults.raise_concern(s["teacher"], profile, subject_user_id=s["subject"].user_id,
                                answers=HARM, what_happened="Grabbed a pupil's arm",
                                happened_when="Monday")


# ---- rules --------------------------------------------------------------------------------

def test_statutory_words_and_the_route_change():
    assert list(rules.OUTCOMES) == ["substantiated", "malicious", "false", "unsubstantiated",
                                    "unfounded", "threshold_not_met"]
    assert rules.OUTCOMES["threshold_not_met"] == "Threshold not met: managed as a low-level concern"
    assert rules.effective_kind("allegation", "threshold_not_met") == "low_level"
    assert rules.effective_kind("allegation", "unfounded") == "allegation"
    assert rules.effective_kind("low_level", "") == "low_level"
    assert not rules.closes_allegation("threshold_not_met") and rules.closes_allegation("false")
    assert rules.to_be_removed("malicious") and not rules.to_be_removed("false")


@pytest.mark.parametrize("outcome,answered,due", [
    ("substantiated", False, True), ("substantiated", True, False),
    ("unsubstantiated", False, False), ("malicious", False, False), ("", False, False)])
def test_referral_question_only_after_substantiated(outcome, answered, due):
    assert rules.referral_question_due(outcome, answered) is due


def test_referral_problems_name_their_fields():
    today = date(2026, 12, 2)
    assert rules.referral_problems("dismissed", "referred", "referred", today, today, today) == []
    fields = [f for f, _ in rules.referral_problems("", "", "", None, today, today)]
    assert fields == ["departure", "dbs", "tra", "answered_on"]
    assert rules.referral_problems("left", "not_applicable", "not_a_teacher",
                                   today + timedelta(days=1), today, today)[0][0] == "answered_on"
    assert "before the outcome" in rules.referral_problems(
        "left", "referred", "not_referred", today - timedelta(days=3), today, today)[0][1]


def test_retention_follows_the_route_change():
    r = RetentionRules()
    raised = date(2026, 1, 5)
    assert adult_due("allegation", raised, None, "threshold_not_met", None, r).on is None
    assert "Low-level" in adult_due("allegation", raised, None, "threshold_not_met", None, r).rule
    assert adult_due("allegation", raised, None, "malicious", None, r).on == raised


# ---- services -----------------------------------------------------------------------------

def test_lado_not_shown_as_shared_before_contact(school, profile, fake_clock):
    s = school
    r = allegation(s, profile)
    d = adults.get_concern(s["head"], r.id)
    assert all("not yet contacted" in x for x in d.share_labels if "LADO" in x), d.share_labels
    assert any("LADO" in x for x in d.share_labels)
    d = adults.record_lado_contact(s["head"], r.id, details="Phoned the LADO")
    assert any("LADO (local authority), contacted" in x for x in d.share_labels)
    assert not any("not yet" in x for x in d.share_labels)


def test_threshold_not_met_moves_to_low_level_with_its_history(school, profile, fake_clock):
    s = school
    r = allegation(s, profile)
    head = s["head"]
    adults.record_lado_contact(head, r.id, details="LADO: does not meet the threshold")
    d = adults.record_outcome(head, r.id, outcome="threshold_not_met",
                              rationale="LADO advised the harms threshold is not met")
    assert d.kind == "low_level" and d.raised_as == "allegation"
    assert d.open and "awaiting record" in d.status
    assert [e.kind for e in d.events] == ["lado_contact", "outcome"]  # history kept
    assert "Low-level concern" in d.retention.text and not d.retention.to_be_removed
    row = next(x for x in adults.register(head) if x.id == r.id)
    assert row.kind == "low_level" and row.raised_as == "allegation" and row.open
    # Now on the low-level route: the written record, not LADO steps.
    with pytest.raises(ValidationError, match="allegation"):
        adults.record_lado_advice(head, r.id, advice="x", rationale="y")
    d = adults.record_low_level(head, r.id, action_taken="Spoke to them about the code of conduct",
                                rationale="Low-level: guidance and monitoring")
    assert not d.open and "recorded" in d.status


def test_malicious_is_marked_for_removal(school, profile, fake_clock):
    s = school
    r = allegation(s, profile)
    d = adults.record_outcome(s["head"], r.id, outcome="malicious", rationale="Deliberately invented")
    assert d.retention.to_be_removed and "to be removed" in d.status
    assert not d.referral_due


def test_substantiated_asks_dbs_and_tra_then_records_answer_and_date(school, profile, fake_clock):
    s = school
    head = s["head"]
    r = allegation(s, profile)
    d = adults.record_outcome(head, r.id, outcome="substantiated", rationale="Evidence from CCTV")
    assert d.referral_due and d.open and "DBS/TRA" in d.status
    row = next(x for x in adults.register(head) if x.id == r.id)
    assert row.referral_due and row.open
    with pytest.raises(ValidationError) as e:
        adults.record_referral_decisions(head, r.id, departure="dismissed", dbs="referred",
                                         tra="", answered_on="today", rationale="Dismissed")
    assert e.value.field == "tra"
    with pytest.raises(ValidationError) as e:
        adults.record_referral_decisions(head, r.id, departure="dismissed", dbs="referred",
                                         tra="referred", answered_on="tomorrow", rationale="x")
    assert e.value.field == "answered_on"
    with pytest.raises(PermissionDenied):
        adults.record_referral_decisions(s["dsl"], r.id, departure="dismissed", dbs="referred",
                                         tra="referred", answered_on="today", rationale="x")
    d = adults.record_referral_decisions(
        head, r.id, adults.ReferralDecisionInput(departure="dismissed", dbs="referred",
                                                 tra="referred", answered_on="today",
                                                 rationale="Dismissed for gross misconduct"))
    assert not d.referral_due and not d.open
    dbs = next(e for e in d.events if e.kind == "dbs")
    tra = next(e for e in d.events if e.kind == "tra")
    assert dbs.choice_label == "Duty applies: referred to the DBS" and "Dismissed" in dbs.text
    assert tra.choice_label == "Referred to the Teaching Regulation Agency"
    assert dbs.occurred_at is not None and tra.occurred_at == dbs.occurred_at
    with pytest.raises(ValidationError, match="already"):
        adults.record_referral_decisions(head, r.id, departure="left", dbs="not_applicable",
                                         tra="not_a_teacher", answered_on="today", rationale="x")
    # Appended, never edited: the append-only trigger refuses changes.
    with pytest.raises(Exception):
        AdultConcernEvent.update(choice="not_applicable").where(AdultConcernEvent.kind == "dbs").execute()


def test_referral_questions_refused_without_substantiated_outcome(school, profile, fake_clock):
    s = school
    r = allegation(s, profile)
    with pytest.raises(ValidationError, match="substantiated"):
        adults.record_referral_decisions(s["head"], r.id, departure="left", dbs="not_applicable",
                                         tra="not_a_teacher", answered_on="today", rationale="x")
    adults.record_outcome(s["head"], r.id, outcome="unfounded", rationale="No basis")
    with pytest.raises(ValidationError, match="substantiated"):
        adults.record_referral_decisions(s["head"], r.id, departure="left", dbs="not_applicable",
                                         tra="not_a_teacher", answered_on="today", rationale="x")
