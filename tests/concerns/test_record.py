"""Recording a concern: validation, alerts, double submit, confirmation, status for the recorder."""

from __future__ import annotations

import dataclasses

import json
from datetime import date

import pytest

from kiosk.errors import NotFound, PermissionDenied, ValidationError
from kiosk.services import alerts, concerns


def _audit(action):
    from kiosk.models import AuditEvent

    return list(AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.seq))


def test_record_alerts_every_dsl_and_deputy_without_content(school, record):
    done = record(urgent=True)
    assert done.ref.startswith("C-") and not done.duplicate
    assert done.alerted == 3
    assert [p.name for p in done.pupils] == ["Amara Abbott"]
    assert done.description.startswith("Amara showed me")
    for who in ("dsl", "deputy", "deputy2"):
        mine = alerts.for_user(school.users[who])
        assert len(mine) == 1
        a = mine[0]
        assert a.record_id == done.id and a.urgent and not a.read
        assert a.label == "Physical abuse" and a.raised_by == "Ms Teacher"
        # The alert never carries the content.
        assert "bruise" not in (a.label + a.raised_by).lower()
    for who in ("teacher", "pastoral", "head", "governor", "itadmin"):
        assert alerts.for_user(school.users[who]) == []
    ev = _audit("concern.record")[-1]
    assert ev.target_id == str(done.id)
    assert "bruise" not in ev.detail.lower() and "belt" not in ev.detail.lower()


def test_dsl_recording_is_not_alerted_about_own_record(school, record):
    done = record("dsl")
    assert done.alerted == 2
    assert alerts.for_user(school.users["dsl"]) == []


def test_double_submit_records_once(school, record):
    from kiosk.models.concerns import Concern

    token = concerns.new_submission_token()
    first = record(token=token)
    second = record(token=token)
    assert second.id == first.id and second.duplicate
    assert Concern.select().count() == 1
    assert len(alerts.for_user(school.users["dsl"])) == 1


def test_token_of_someone_else_is_refused(school, record):
    token = concerns.new_submission_token()
    record(token=token)
    with pytest.raises(ValidationError) as e:
        record("teacher2", token=token)
    assert e.value.field == concerns.F_TOKEN


@pytest.mark.parametrize(
    "override, field",
    [
        (dict(pupils=[]), concerns.F_PUPIL),
        (dict(description=""), concerns.F_DESCRIPTION),
        (dict(description="   \n "), concerns.F_DESCRIPTION),
        (dict(occurred_on=date(2026, 11, 27)), concerns.F_DATE),
        (dict(occurred_time="10:30"), concerns.F_TIME),  # later today (clock is 10:00)
        (dict(occurred_time="25:00"), concerns.F_TIME),
        (dict(occurred_on=date(2015, 3, 3)), concerns.F_DATE),  # the day before Amara's birth
        (dict(source="rumour"), concerns.F_SOURCE),
        (dict(categories=[]), concerns.F_CATEGORY),
        (dict(categories=["made_up"]), concerns.F_CATEGORY),
        (dict(pupils=[(1, "witness")]), concerns.F_ROLE),
        (dict(pupils=[(1, "subject"), (1, "witness")]), concerns.F_PUPIL),
        (dict(pupils=[(99999, "subject")]), concerns.F_PUPIL),
        (dict(pupils=[(1, "boss")]), concerns.F_ROLE),
        (dict(words="hello \x1b]0;pwned\x07"), concerns.F_WORDS),
        (dict(injuries=[("elbow", "graze")]), concerns.F_INJURY),
        (dict(injuries=[("left_arm", "")]), concerns.F_INJURY),
        (dict(token="x"), concerns.F_TOKEN),
    ],
)
def test_bad_input_is_refused_with_the_field_named(school, record, override, field):
    from kiosk.models import Alert
    from kiosk.models.concerns import Concern

    if "pupils" in override and override["pupils"] and override["pupils"][0][0] == 1:
        pid = school.pupils["amara"].id
        override = dict(pupils=[(pid, r) for _, r in override["pupils"]])
    with pytest.raises(ValidationError) as e:
        record(**override)
    assert e.value.field == field
    # The form puts the cursor on the field by this name: it must be one of the input's (or a
    # pupil's role, within `pupils`: the cursor goes to that pupil's role).
    assert field in {f.name for f in dataclasses.fields(concerns.ConcernInput)} | {concerns.F_ROLE}
    assert Concern.select().count() == 0
    assert Alert.select().count() == 0


def test_date_before_birth_names_the_pupil(school, record):
    with pytest.raises(ValidationError) as e:
        record(pupils=[(school.pupils["amara"].id, "subject"), (school.pupils["chloe"].id, "witness")],
               occurred_on=date(2015, 6, 1))
    assert "Chloe Carver" in e.value.problem


def test_child_on_child_roles_are_kept(school, record):
    done = record(pupils=[(school.pupils["amara"].id, "subject"),
                          (school.pupils["ben"].id, "alleged_harmer"),
                          (school.pupils["chloe"].id, "witness")],
                  categories=["child_on_child", "online_safety"])
    detail = concerns.get_concern(school.users["dsl"], done.id)
    assert [(p.name, p.role) for p in detail.pupils] == [
        ("Amara Abbott", "subject"), ("Ben Brennan", "alleged_harmer"), ("Chloe Carver", "witness")]
    assert [c.key for c in detail.categories] == ["child_on_child", "online_safety"]
    assert detail.words == "Dad hit me with the belt"
    assert detail.injuries[0].area_label == "Left arm"


def test_markup_looking_text_is_kept_exactly(school, record):
    text = "[@click=app.quit]x[/] [b]bold[/b] [/"
    done = record(description=text, words="[$accent]")
    detail = concerns.get_concern(school.users["dsl"], done.id)
    assert detail.description == text and detail.words == "[$accent]"


def test_recorder_sees_status_only(school, record):
    done = record()
    teacher = school.users["teacher"]
    own = concerns.own_concerns(teacher)
    assert [o.id for o in own] == [done.id]
    assert own[0].status_label == "Awaiting the DSL team"
    assert not hasattr(own[0], "description")
    with pytest.raises(NotFound):
        concerns.get_concern(teacher, done.id)
    concerns.acknowledge(school.users["deputy"], done.id)
    assert concerns.own_concern(teacher, done.id).status_label == "Acknowledged"


def test_staff_cannot_see_another_persons_concern(school, record):
    done = record()
    other = school.users["teacher2"]
    assert concerns.own_concerns(other) == []
    with pytest.raises(NotFound):
        concerns.own_concern(other, done.id)
    with pytest.raises(NotFound):
        concerns.get_concern(other, done.id)
    # Missing and forbidden look the same.
    with pytest.raises(NotFound):
        concerns.get_concern(other, 424242)
    assert _audit("concern.not_found")


def test_shell_actor_cannot_record(school, admin):
    with pytest.raises(PermissionDenied):
        concerns.record_concern(admin, token=concerns.new_submission_token(),
                                pupils=[(school.pupils["amara"].id, "subject")],
                                occurred_on=date(2026, 11, 26), source="noticed",
                                categories=["neglect"], description="x")


def test_categories_are_seeded_from_the_profile_and_school_editable(school):
    from kiosk.rules.profile import load_profile

    dsl = school.users["dsl"]
    cats = concerns.categories(dsl)
    assert [c.key for c in cats] == list(load_profile().category_keys)
    added = concerns.add_category(dsl, "Attendance worry")
    assert added.key == "attendance_worry"
    assert concerns.categories(school.users["teacher"])[-1].name == "Attendance worry"
    concerns.set_category_active(dsl, "radicalisation", False)
    assert "radicalisation" not in [c.key for c in concerns.categories(dsl)]
    with pytest.raises(PermissionDenied):
        concerns.add_category(school.users["deputy"], "Nope")
    with pytest.raises(PermissionDenied):
        concerns.add_category(school.users["teacher"], "Nope")


def test_retired_category_cannot_be_chosen(school, record):
    concerns.set_category_active(school.users["dsl"], "radicalisation", False)
    with pytest.raises(ValidationError) as e:
        record(categories=["radicalisation"])
    assert e.value.field == concerns.F_CATEGORY


def test_failed_save_leaves_nothing_half_written(school, record, monkeypatch):
    """A failure while alerting rolls back the concern too: all or nothing."""
    from kiosk.models import Alert
    from kiosk.models.concerns import Concern, ConcernPupil

    def boom(*a, **k):
        import peewee
        raise peewee.OperationalError("database or disk is full")

    monkeypatch.setattr(alerts, "raise_for_users", boom)
    from kiosk.errors import DatabaseError

    with pytest.raises(DatabaseError) as e:
        record()
    assert "disk is full" in str(e.value)
    assert Concern.select().count() == 0 and ConcernPupil.select().count() == 0
    assert Alert.select().count() == 0
