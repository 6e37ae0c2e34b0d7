"""The hand-written SQL on the hot paths (issue 19) gives the answers the ORM gave: the inbox
for every view, filter and reader, pupil search, the audit append, sign-in's questions.
Permission refusals and audit events are unchanged."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kiosk.errors import PermissionDenied
from kiosk.models.concerns import CLOSE_OUTCOMES
from kiosk.services import concerns, pupils

OUTCOME = next(iter(CLOSE_OUTCOMES))


@pytest.fixture
def busy(school, record):
    dsl = school.users["dsl"]
    made = []
    for i in range(9):
        c = record(occurred_on=date(2026, 11, 1) + timedelta(days=i), urgent=(i % 3 == 0),
                   pupils=[(school.pupils["amara"].id, "subject")] + (
                       [(school.pupils["ben"].id, "witness")] if i % 2 else []),
                   categories=["neglect", "physical_abuse"] if i % 2 else ["neglect"])
        made.append(c.id)
        school.clock.advance(minutes=5)
    concerns.acknowledge(dsl, made[1])
    concerns.acknowledge(school.users["deputy"], made[2])
    concerns.close_concern(dsl, made[3], outcome=OUTCOME, summary="Resolved", reasoning="Checked with family")
    concerns.restrict(dsl, made[4], [dsl.user_id, school.users["deputy2"].user_id], "Staff involved")
    pupils.set_flag(dsl, school.pupils["ben"].id, "looked_after", True, "Placed with carers")
    return made


def _orm_inbox(actor, view, mine, urgent_only, page, size):
    q = concerns._inbox_query(actor, view, mine, urgent_only)
    rows = list(q.paginate(page + 1, size))
    return q.count(), concerns._inbox_rows(actor, rows)


@pytest.mark.parametrize("who", ["dsl", "deputy", "deputy2", "head"])
def test_the_inbox_is_what_the_orm_answered(school, busy, who):
    actor = school.users[who]
    for view in concerns.INBOX_VIEWS:
        for mine in (False, True):
            for urgent_only in (False, True):
                for page, size in ((0, 50), (0, 3), (1, 3), (5, 3)):
                    got = concerns.inbox(actor, page=page, page_size=size, view=view, mine=mine,
                                         urgent_only=urgent_only)
                    total, rows = _orm_inbox(actor, view, mine, urgent_only, page, size)
                    assert (got.total, got.rows) == (total, rows), (view, mine, urgent_only, page)


def test_the_inbox_still_hides_a_restriction_and_is_audited(school, busy):
    from kiosk.models import AuditEvent

    got = concerns.inbox(school.users["deputy"], page_size=50, view="all")
    hidden = [r for r in got.rows if r.hidden]
    assert [r.id for r in hidden] == [busy[4]] and hidden[0].pupils == "Restricted"
    assert hidden[0].recorded_by == "" and hidden[0].categories == ""
    seen = concerns.inbox(school.users["deputy2"], page_size=50, view="all")
    assert not any(r.hidden for r in seen.rows)
    last = AuditEvent.select().order_by(AuditEvent.seq.desc()).first()
    assert last.action == "concern.inbox" and last.actor == "deputy2"
    assert f'"ids":[{", ".join(str(r.id) for r in seen.rows)}]'.replace(" ", "") in last.detail
    with pytest.raises(PermissionDenied):
        concerns.inbox(school.users["teacher"])
    refused = AuditEvent.select().order_by(AuditEvent.seq.desc()).first()
    assert refused.action == "permission.denied" and refused.actor == "teacher"


def test_pupil_search_is_what_the_orm_answered(school, busy):
    from kiosk.services.pupils import _search_orm as search_orm, summary

    dsl, teacher = school.users["dsl"], school.users["teacher"]
    pupils.add_pupil(dsl, first_name="Benedict", last_name="Abbott", preferred_name="Ben",
                     date_of_birth=date(2015, 5, 6), year_group=6, form_group="6W")
    for text in ("a", "ab", "b", "ben", "ben ab", "amara abbott", "c", "zz", "B  BRE"):
        for actor, show in ((dsl, True), (teacher, False)):
            for on_roll in (False, True):
                words = text.lower().split()
                want = [summary(p, show) for p in search_orm(words, on_roll, 20)]
                assert pupils.search(actor, text, on_roll_only=on_roll) == want, text
    assert [p.flags for p in pupils.search(dsl, "ben b")] == [("looked_after",)]
    assert [p.flags for p in pupils.search(teacher, "ben b")] == [()]
    assert pupils.search(dsl, "a", limit=1) == [summary(p, True) for p in search_orm(["a"], False, 1)]


def test_the_audit_append_writes_what_peewee_wrote(school, busy):
    from kiosk.models import AuditEvent, Meta
    from kiosk.services import audit

    seq = audit.record(school.users["dsl"], "test.fast", "pupil", 7, {"b": "ünï [x]", "a": None})
    row = AuditEvent.get(AuditEvent.seq == seq)
    prev = AuditEvent.get(AuditEvent.seq == seq - 1)
    assert (row.actor_id, row.actor, row.origin, row.action, row.target_type, row.target_id) == (
        school.users["dsl"].user_id, "dsl", "terminal", "test.fast", "pupil", "7")
    assert row.detail == '{"a":null,"b":"ünï [x]"}' and row.prev_hash == prev.hash
    assert row.hash == audit._digest(prev.hash, seq, row.at, row.actor_id, row.actor, row.origin,
                                     row.action, row.target_type, row.target_id, row.detail)
    assert Meta.get(Meta.key == audit.HEAD_KEY).value == f"{seq}:{row.hash}"
    assert audit.verify().ok


def test_sign_in_still_tells_of_failures_and_resets_since_the_last_visit(school, monkeypatch):
    from tests.conftest import STRONG_PASSWORD
    from kiosk.errors import AuthError
    from kiosk.services import accounts

    accounts.authenticate("teacher", STRONG_PASSWORD)
    school.clock.advance(minutes=5)
    for _ in range(2):
        with pytest.raises(AuthError):
            accounts.authenticate("teacher", "wrong password here")
    school.clock.advance(minutes=5)
    result = accounts.authenticate("teacher", STRONG_PASSWORD)
    assert result.failed_since_last == 2 and result.password_reset_at is None
    school.clock.advance(minutes=5)
    assert accounts.authenticate("teacher", STRONG_PASSWORD).failed_since_last == 0
