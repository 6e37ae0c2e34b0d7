"""Who sees which concern about an adult: every role, and the subject of each concern."""

from __future__ import annotations

import pytest

from kiosk.errors import NotFound, PermissionDenied
from kiosk.rules.routing import HarmsAnswers
from kiosk.services import accounts, adults

HARM = HarmsAnswers(risk_of_harm=True)
NONE = HarmsAnswers()


@pytest.fixture
def concerns(school, profile):
    s = school
    t = s["teacher"]

    def r(**kw):
        kw.setdefault("what_happened", "Something happened")
        return adults.raise_concern(t, profile, **kw).id

    return {
        "A_teacher": r(subject_user_id=s["subject"].user_id, answers=HARM),
        "L_teacher": r(subject_user_id=s["subject"].user_id, answers=NONE),
        "L_deputy": r(subject_user_id=s["deputy"].user_id, answers=NONE),
        "L_dsl": r(subject_user_id=s["dsl"].user_id, answers=NONE),
        "A_dsl": r(subject_user_id=s["dsl"].user_id, answers=HARM),
        "A_head": r(subject_user_id=s["head"].user_id, answers=HARM),
        "L_head": r(subject_user_id=s["head"].user_id, answers=NONE),
        "A_relative": r(subject_name="Mr Tom Marsh", is_head_relative=True, answers=HARM),
        "L_central": r(subject_name="Mr Ray Dunmore", is_trust_central=True, answers=NONE),
        "L_trustlead": r(subject_user_id=s["trustlead"].user_id, answers=NONE),
        "L_director": r(subject_user_id=s["director"].user_id, answers=NONE),
    }


# Who sees what. The subject of a concern never appears against it.
EXPECTED = {
    "teacher": None,  # PermissionDenied: staff see only that their report was received
    "subject": None,
    "pastoral": None,
    "governor": None,
    "itadmin": None,
    "dsl": {"L_teacher", "L_deputy"},
    "deputy": set(),
    "head": {"A_teacher", "L_teacher", "L_deputy", "L_dsl", "A_dsl"},
    "director": {"A_head", "L_head", "A_relative", "L_dsl", "L_trustlead"},
    "trustlead": {"L_central", "L_director"},
}


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_register_matrix(who, school, concerns):
    actor = school[who]
    names = {v: k for k, v in concerns.items()}
    want = EXPECTED[who]
    if want is None:
        with pytest.raises(PermissionDenied):
            adults.register(actor)
        for cid in concerns.values():
            with pytest.raises(PermissionDenied):
                adults.get_concern(actor, cid)
        return
    seen = {names[row.id] for row in adults.register(actor)}
    assert seen == want
    for key, cid in concerns.items():
        if key in want:
            assert adults.get_concern(actor, cid).id == cid
        else:
            with pytest.raises(NotFound):
                adults.get_concern(actor, cid)


def test_dsl_sees_only_low_level_reported_to_them(school, concerns):
    rows = adults.register(school["dsl"])
    assert {r.kind for r in rows} == {"low_level"}
    assert {r.recipient_role for r in rows} == {"dsl"}


def test_nobody_sees_a_concern_about_themselves_even_after_a_role_change(school, concerns, admin):
    from kiosk.models import User

    # The DSL becomes (acting) headteacher: the headteacher's register now opens to them,
    # except the concerns about them.
    accounts.set_roles(admin, "dsl", ["dsl", "headteacher"])
    dsl = accounts.actor_for(User.get_by_id(school["dsl"].user_id), "terminal")
    seen = {r.id for r in adults.register(dsl)}
    assert concerns["A_teacher"] in seen
    assert concerns["L_dsl"] not in seen and concerns["A_dsl"] not in seen
    with pytest.raises(NotFound):
        adults.get_concern(dsl, concerns["A_dsl"])
    assert adults.patterns(dsl) == [] or all(
        concerns["L_dsl"] not in p.concern_ids for p in adults.patterns(dsl))


def test_subject_never_alerted(school, concerns):
    from kiosk.services import alerts

    for who in ("subject", "dsl", "head", "director", "trustlead", "deputy"):
        mine = {a.record_id for a in alerts.for_user(school[who])}
        about_them = {cid for k, cid in concerns.items()
                      if k.endswith("_" + {"subject": "teacher"}.get(who, who))}
        assert not (mine & about_them), who


def test_staff_see_that_their_report_was_received(school, concerns):
    mine = adults.my_reports(school["teacher"])
    assert len(mine) == len(concerns)
    assert {m.received_by for m in mine} >= {"the headteacher", "the DSL",
                                            "the trust Director of Education",
                                            "the Trust Lead on Safeguarding"}
    assert adults.my_reports(school["subject"]) == []


def test_refused_views_are_audited(school, concerns):
    from kiosk.models import AuditEvent

    with pytest.raises(NotFound):
        adults.get_concern(school["head"], concerns["A_head"])
    with pytest.raises(PermissionDenied):
        adults.register(school["itadmin"])
    actions = [e.action for e in AuditEvent.select().order_by(AuditEvent.seq.desc()).limit(2)]
    assert actions == ["permission.denied", "adult_concern.refused"]


def test_register_is_few_queries(school, profile, concerns, monkeypatch):
    """The benchmark times 500 concerns; the register must not query per row."""
    from kiosk.db import db

    for _ in range(20):
        adults.raise_concern(school["teacher"], profile, subject_name="Mr Many", what_happened="x",
                             answers=HARM)
    calls = []
    real = db.obj.execute_sql

    def counting(sql, *a, **kw):
        calls.append(sql)
        return real(sql, *a, **kw)

    monkeypatch.setattr(db.obj, "execute_sql", counting)
    rows = adults._register_rows(school["head"])
    assert len(rows) == 25
    # Three for the register, one for the check that the head's account is unchanged.
    assert len(calls) <= 4
    assert sum('"account_version"' in sql for sql in calls) <= 1


@pytest.mark.parametrize("who", sorted(w for w, want in EXPECTED.items() if want is not None))
def test_register_in_sql_is_what_the_orm_answered(who, school, concerns):
    """Issue 19: the register's hand-written SQL (kiosk.services.adults_sql) against the ORM,
    with LADO contact, an outcome and a written record among the events."""
    head = school["head"]
    adults.record_lado_contact(head, concerns["A_teacher"], details="Phoned the LADO")
    adults.record_lado_contact(head, concerns["A_dsl"], details="LADO: does not meet the threshold")
    adults.record_outcome(head, concerns["A_dsl"], outcome="threshold_not_met", rationale="LADO advice")
    adults.record_low_level(school["dsl"], concerns["L_teacher"], action_taken="Spoke to them",
                            rationale="Code of conduct")
    actor = school[who]
    assert adults._register_rows(actor) == adults._register_rows_orm(actor)
    assert adults.register(actor) == adults._register_rows_orm(actor)
