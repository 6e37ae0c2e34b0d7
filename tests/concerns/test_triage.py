"""The DSL team's work on a concern: acknowledge, act, own, close, reopen, amend, restrict, share."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.errors import NotFound, PermissionDenied, ValidationError
from kiosk.services import alerts, chronology, concerns


def test_open_marks_alert_read_and_is_audited(school, record):
    from kiosk.models import AuditEvent

    done = record()
    dsl = school.users["dsl"]
    assert alerts.unread_count(dsl) == 1
    detail = concerns.get_concern(dsl, done.id)
    assert detail.status == "open" and detail.can_triage
    assert alerts.unread_count(dsl) == 0
    assert alerts.unread_count(school.users["deputy"]) == 1  # only the opener's alert
    views = AuditEvent.select().where((AuditEvent.action == "concern.view")
                                      & (AuditEvent.target_id == str(done.id)))
    assert [v.actor for v in views] == ["dsl"]


def test_full_triage_journey(school, record):
    done = record()
    dsl, deputy = school.users["dsl"], school.users["deputy"]
    d = concerns.acknowledge(deputy, done.id)
    assert d.status == "acknowledged" and d.events[-1].kind == "acknowledged"
    d = concerns.add_action(dsl, done.id, kind="consultation_line", action_date=date(2026, 11, 26),
                            taken_by="Mrs Dsl", notes="Spoke to duty social worker",
                            rationale="Advice on threshold before any referral")
    assert d.actions[-1].kind_label.startswith("Advice from the professional consultation line")
    d = concerns.assign_owner(dsl, done.id, deputy.user_id)
    assert d.owner == "Mr Deputy"
    with pytest.raises(ValidationError) as e:
        concerns.close_concern(dsl, done.id, summary="Seen", outcome="no_further_action", reasoning="")
    assert e.value.field == "reasoning"
    with pytest.raises(ValidationError) as e:
        concerns.close_concern(dsl, done.id, summary="Seen", outcome="shrug", reasoning="x")
    assert e.value.field == "outcome"
    d = concerns.close_concern(dsl, done.id, summary="Bruise explained by PE accident, confirmed by PE staff",
                               outcome="advice_taken_no_referral",
                               reasoning="Consultation line agreed threshold not met; monitor informally")
    assert d.status == "closed"
    assert concerns.own_concern(school.users["teacher"], done.id).status_label == "Closed"
    with pytest.raises(ValidationError):
        concerns.add_action(dsl, done.id, kind="monitor", action_date=date(2026, 11, 26),
                            taken_by="x", rationale="y")
    with pytest.raises(ValidationError) as e:
        concerns.reopen_concern(dsl, done.id, "")
    assert e.value.field == "reason"
    d = concerns.reopen_concern(dsl, done.id, "Second bruise reported by a parent")
    assert d.status == "acknowledged"
    assert [e.kind for e in d.events] == ["acknowledged", "owner", "closed", "reopened"]
    assert d.events[2].reasoning.startswith("Consultation line agreed")


def test_action_acknowledges_and_refuses_future_dates(school, record):
    done = record()
    dsl = school.users["dsl"]
    with pytest.raises(ValidationError) as e:
        concerns.add_action(dsl, done.id, kind="monitor", action_date=date(2026, 11, 27),
                            taken_by="Mrs Dsl", rationale="r")
    assert e.value.field == "action_date"
    with pytest.raises(ValidationError) as e:
        concerns.add_action(dsl, done.id, kind="monitor", action_date=date(2026, 11, 26),
                            taken_by="Mrs Dsl", rationale="")
    assert e.value.field == "rationale"
    d = concerns.add_action(dsl, done.id, kind="monitor", action_date=date(2026, 11, 26),
                            taken_by="Mrs Dsl", rationale="Low level; watch for a pattern")
    assert d.status == "acknowledged"


def test_amendments_append_and_original_stays(school, record):
    done = record()
    dsl = school.users["dsl"]
    d = concerns.amend(dsl, done.id, field="location", text="Playground, not classroom",
                       reason="Teacher corrected this in person")
    assert d.location == "Year 6 classroom"
    assert d.amendments[0].text == "Playground, not classroom"
    d = concerns.amend(dsl, done.id, field="words", text="He hit me with his belt",
                       reason="Child's exact words re-checked with the teacher")
    assert d.words == "Dad hit me with the belt"
    assert [a.field for a in d.amendments] == ["location", "words"]
    with pytest.raises(ValidationError):
        concerns.amend(dsl, done.id, field="location", text="x", reason="")
    entries = chronology.chronology(dsl, school.pupils["amara"].id)
    assert [e.kind for e in entries if e.kind == "amendment"] == ["amendment", "amendment"]


def test_owner_must_be_dsl_team(school, record):
    done = record()
    with pytest.raises(ValidationError) as e:
        concerns.assign_owner(school.users["dsl"], done.id, school.users["teacher"].user_id)
    assert e.value.field == "user_id"


def test_restricted_concern_is_invisible_to_a_deputy_not_named(school, record):
    done = record()
    dsl, deputy, deputy2 = school.users["dsl"], school.users["deputy"], school.users["deputy2"]
    with pytest.raises(ValidationError):
        concerns.restrict(dsl, done.id, [], "x")
    with pytest.raises(ValidationError):
        concerns.restrict(dsl, done.id, [school.users["teacher"].user_id], "x")
    d = concerns.restrict(dsl, done.id, [dsl.user_id, deputy2.user_id],
                          "Concerns the child of a member of staff")
    assert d.restricted and {a.name for a in d.restricted_to} == {"Mrs Dsl", "Ms Deputy Two"}
    # The deputy not named: sees that it exists, nothing more.
    with pytest.raises(concerns.RestrictedConcern):
        concerns.get_concern(deputy, done.id)
    rows = concerns.inbox(deputy).rows
    assert len(rows) == 1 and rows[0].hidden and rows[0].pupils == "Restricted"
    assert rows[0].categories == "" and rows[0].recorded_by == ""
    assert alerts.for_user(deputy)[0].label == "Restricted"
    assert alerts.for_user(deputy)[0].raised_by == ""
    assert not concerns.visible_to(deputy, done.id)
    for fn, kw in [(concerns.acknowledge, {}),
                   (concerns.add_action, dict(kind="monitor", action_date=date(2026, 11, 26),
                                              taken_by="x", rationale="y")),
                   (concerns.close_concern, dict(summary="s", outcome="other", reasoning="r")),
                   (concerns.amend, dict(field="other", text="t", reason="r"))]:
        with pytest.raises(PermissionDenied):
            fn(deputy, done.id, **kw)
    entries = chronology.chronology(deputy, school.pupils["amara"].id)
    assert [(e.title, e.detail.count("bruise"), e.category) for e in entries] == [
        ("Restricted concern", 0, None)]
    assert chronology.chronology(deputy, school.pupils["amara"].id, category="physical_abuse") == []
    # The headteacher is not named either.
    with pytest.raises(concerns.RestrictedConcern):
        concerns.get_concern(school.users["head"], done.id)
    # The named deputy and DSL see it all.
    assert concerns.get_concern(deputy2, done.id).description.startswith("Amara showed")
    assert not concerns.inbox(deputy2).rows[0].hidden
    # The recorder still sees the status.
    assert concerns.own_concern(school.users["teacher"], done.id).status == "open"
    # Lifting it gives the team access again.
    concerns.lift_restriction(dsl, done.id, "Staff member has left")
    assert concerns.get_concern(deputy, done.id).restricted is False


def test_a_deputy_cannot_restrict_a_concern_away_from_the_dsl(school, record):
    done = record()
    dsl, deputy = school.users["dsl"], school.users["deputy"]
    assert {c.id for c in concerns.restriction_candidates(deputy) if c.always} == {dsl.user_id}
    d = concerns.restrict(deputy, done.id, [deputy.user_id], "Concerns a relative of the deputy's")
    # The DSL is named whoever restricts it, sees it all and can lift the restriction.
    assert {a.name for a in d.restricted_to} == {"Mr Deputy", "Mrs Dsl"}
    assert concerns.get_concern(dsl, done.id).description.startswith("Amara showed")
    assert not concerns.inbox(dsl).rows[0].hidden
    assert alerts.for_user(dsl)[0].label != "Restricted"
    # Even if the DSL's name is somehow ended on the list, the DSL still sees and lifts it.
    from kiosk.clock import utcnow
    from kiosk.models.concerns import ConcernAccess

    ConcernAccess.update(ended_at=utcnow()).where(ConcernAccess.user == dsl.user_id).execute()
    assert concerns.get_concern(dsl, done.id).restricted
    assert [e.kind for e in chronology.chronology(dsl, school.pupils["amara"].id)][0] != "restricted"
    assert chronology.chronology(dsl, school.pupils["amara"].id)[-1].title != "Restricted concern"
    concerns.lift_restriction(dsl, done.id, "The DSL has reviewed it")
    assert concerns.get_concern(deputy, done.id).restricted is False


def test_restricted_concern_cannot_be_shared(school, record):
    done = record()
    dsl = school.users["dsl"]
    concerns.restrict(dsl, done.id, [dsl.user_id], "Sensitive")
    with pytest.raises(ValidationError):
        concerns.share(dsl, done.id, school.users["pastoral"].user_id)


def test_restricting_ends_existing_shares(school, record):
    done = record()
    dsl, pastoral = school.users["dsl"], school.users["pastoral"]
    concerns.share(dsl, done.id, pastoral.user_id, "For 1:1 support")
    assert concerns.get_concern(pastoral, done.id)
    concerns.restrict(dsl, done.id, [dsl.user_id], "Sensitive")
    with pytest.raises(NotFound):
        concerns.get_concern(pastoral, done.id)
    assert concerns.shared_with_me(pastoral) == []


def test_pastoral_sees_only_what_is_shared(school, record):
    a = record()
    b = record(pupils=[(school.pupils["ben"].id, "subject")])
    dsl, pastoral = school.users["dsl"], school.users["pastoral"]
    with pytest.raises(NotFound):
        concerns.get_concern(pastoral, a.id)
    with pytest.raises(ValidationError):
        concerns.share(dsl, a.id, school.users["teacher"].user_id)
    concerns.share(dsl, a.id, pastoral.user_id, "Early help planning")
    assert [r.id for r in concerns.shared_with_me(pastoral)] == [a.id]
    assert concerns.get_concern(pastoral, a.id).can_triage is False
    with pytest.raises(NotFound):
        concerns.get_concern(pastoral, b.id)
    with pytest.raises(PermissionDenied):
        concerns.acknowledge(pastoral, a.id)
    concerns.unshare(dsl, a.id, pastoral.user_id, "Plan finished")
    with pytest.raises(NotFound):
        concerns.get_concern(pastoral, a.id)


def test_inbox_orders_urgent_first_then_newest_and_pages(school, record):
    first = record()
    school.clock.advance(minutes=5)
    urgent = record(urgent=True)
    school.clock.advance(minutes=5)
    newest = record()
    dsl = school.users["dsl"]
    page = concerns.inbox(dsl)
    assert [r.id for r in page.rows] == [urgent.id, newest.id, first.id]
    assert page.total == 3 and not page.has_more
    assert all(r.unread for r in page.rows)
    p0 = concerns.inbox(dsl, page=0, page_size=2)
    p1 = concerns.inbox(dsl, page=1, page_size=2)
    assert p0.has_more and [r.id for r in p1.rows] == [first.id]
    concerns.close_concern(dsl, first.id, summary="s", outcome="no_further_action", reasoning="r")
    assert [r.id for r in concerns.inbox(dsl).rows] == [urgent.id, newest.id]
    assert [r.id for r in concerns.inbox(dsl, view="closed").rows] == [first.id]
    assert len(concerns.inbox(dsl, view="all").rows) == 3


def test_home_counts(school, record):
    from kiosk.services.home import HomeCount

    record(urgent=True)
    record()
    dsl_counts = {c.label: c for c in concerns.home_counts(school.users["dsl"])}
    assert dsl_counts["Unread concern alerts"].value == 2
    assert dsl_counts["Unread concern alerts"].urgent
    assert dsl_counts["Urgent concerns not yet acknowledged"].value == 1
    assert dsl_counts["Open concerns"].value == 2
    assert dsl_counts["Concerns unacknowledged after one working day"].value == 0
    # Thursday 10:00 -> Saturday: the deadline (end of Friday) has passed.
    school.clock.advance(days=2)
    dsl_counts = {c.label: c for c in concerns.home_counts(school.users["dsl"])}
    assert dsl_counts["Concerns unacknowledged after one working day"].value == 2
    teacher = concerns.home_counts(school.users["teacher"])
    assert teacher == [HomeCount("of your reports awaiting the DSL team", 2, key="m"),
                       HomeCount("of your reports acknowledged by the DSL team", 0, key="m")]
    assert concerns.home_counts(school.users["governor"]) == []
    assert concerns.home_counts(school.users["itadmin"]) == []
    head = {c.label for c in concerns.home_counts(school.users["head"])}
    assert "Open concerns" in head and "Unread concern alerts" not in head


def test_overdue_cutoff_skips_weekends_and_bank_holidays():
    from datetime import datetime

    # Tuesday 10:00 -> concerns recorded before Monday 00:00 are overdue.
    assert concerns.overdue_cutoff(datetime(2026, 11, 24, 10, 0)) == datetime(2026, 11, 23, 0, 0)
    # Monday -> Friday's deadline ended Monday night, so only Thursday and before.
    assert concerns.overdue_cutoff(datetime(2026, 11, 23, 10, 0)) == datetime(2026, 11, 20, 0, 0)
    # Christmas 2026: Fri 25 and Mon 28 (Boxing Day substitute) are bank holidays.
    assert concerns.overdue_cutoff(datetime(2026, 12, 29, 10, 0)) == datetime(2026, 12, 24, 0, 0)
