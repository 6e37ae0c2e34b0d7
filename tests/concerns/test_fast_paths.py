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


def test_the_inbox_lists_every_flag_and_roll_status_as_the_orm_did(school, busy):
    """The inbox reads a pupil's flags as one sum of bits worked out in SQL: each flag alone,
    all of them, none, a leaver and a child not on roll give the ORM's labels."""
    from kiosk.models.pupils import NOT_ON_ROLL, Pupil
    from kiosk.services import concerns_sql

    amara, ben, chloe = (school.pupils[k].id for k in ("amara", "ben", "chloe"))
    school.clock.advance(minutes=5)
    concerns.record_concern(school.users["teacher"], token=concerns.new_submission_token(),
                            pupils=[(amara, "subject"), (ben, "witness"), (chloe, "witness")],
                            occurred_on=date(2026, 11, 20), source="child_told", categories=["neglect"],
                            description="Three children named.")
    Pupil.update(active=False).where(Pupil.id == ben).execute()
    Pupil.update(status=NOT_ON_ROLL).where(Pupil.id == chloe).execute()
    settings = [{f: f == flag for f in concerns_sql.FLAGS} for flag in concerns_sql.FLAGS]
    settings += [dict.fromkeys(concerns_sql.FLAGS, True), dict.fromkeys(concerns_sql.FLAGS, False)]
    for flags in settings:
        Pupil.update(**flags).where(Pupil.id.in_([amara, chloe])).execute()
        Pupil.update(**{f: not v for f, v in flags.items()}).where(Pupil.id == ben).execute()
        for who in ("dsl", "deputy", "head"):
            got = concerns.inbox(school.users[who], page_size=50, view="all")
            assert (got.total, got.rows) == _orm_inbox(school.users[who], "all", False, False, 0, 50), flags
    assert [concerns_sql.flags_set(1 << i) for i in range(len(concerns_sql.FLAGS))] == [
        (f,) for f in concerns_sql.FLAGS]


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


def test_pupil_search_reads_every_flag_and_the_other_label_as_the_model_did(school, busy):
    """Search rows give their flags by position (PupilRow.set_flags), model rows by name:
    each flag alone, all of them, and "other" with and without its label."""
    from kiosk.models.pupils import Pupil
    from kiosk.rules.flags import PUPIL_FLAGS
    from kiosk.services.pupils import _search_orm as search_orm, summary

    dsl = school.users["dsl"]
    settings = [{k: True} for k in PUPIL_FLAGS] + [{k: True for k in PUPIL_FLAGS}]
    settings += [{"other": True, "other_label": "Young carer [b]x[/b]"}, {"other": False, "other_label": "kept"}]
    for flags in settings:
        Pupil.update(**{k: False for k in PUPIL_FLAGS}, other_label="").execute()
        Pupil.update(**flags).execute()
        for text in ("a", "ben b", "c"):
            got = pupils.search(dsl, text)
            assert got and got == [summary(p, True) for p in search_orm(text.split(), False, 20)], flags
            assert all(p.flags == tuple(k for k in PUPIL_FLAGS if flags.get(k)) for p in got), flags
            label = flags.get("other_label", "") if flags.get("other") else ""
            assert all(p.other_label == label for p in got), flags


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


def test_a_new_concern_is_shown_as_the_record_reads_back(school, record):
    """Recording shows what it has just written without reading it back (issue 19): the same
    pupils, roles, flags, categories and injuries, in the same order, as the read-back."""
    from kiosk.models.concerns import Concern

    pupils.set_flag(school.users["dsl"], school.pupils["ben"].id, "looked_after", True, "Placed with carers")
    got = record(pupils=[(school.pupils["ben"].id, "witness"), (school.pupils["amara"].id, "subject")],
                 categories=["neglect", "physical_abuse"],
                 injuries=[("left_arm", "Oval bruise"), ("back", "red mark"), ("left_arm", "graze")])
    again = concerns._recorded(Concern.get_by_id(got.id), got.alerted, False)
    assert got == again
    assert [p.role for p in got.pupils] == ["witness", "subject"] and got.pupils[0].flags == ("looked_after",)
    assert [c.key for c in got.categories] == ["neglect", "physical_abuse"] and len(got.injuries) == 3


def test_an_event_appended_inside_a_write_rolls_back_with_it(school, busy):
    from kiosk import db as dbmod
    from kiosk.models import AuditEvent, Meta
    from kiosk.services import audit

    head = Meta.get(Meta.key == audit.HEAD_KEY).value
    last = AuditEvent.select().order_by(AuditEvent.seq.desc()).first().seq
    with pytest.raises(RuntimeError):
        with dbmod.write():
            audit.record(school.users["dsl"], "test.inside", "pupil", 1)
            audit.record(school.users["dsl"], "test.inside", "pupil", 2)
            raise RuntimeError("the caller fails after its events")
    assert AuditEvent.select().order_by(AuditEvent.seq.desc()).first().seq == last
    assert Meta.get(Meta.key == audit.HEAD_KEY).value == head
    with dbmod.write():
        first = audit.record(school.users["dsl"], "test.inside", "pupil", 1)
        second = audit.record(school.users["dsl"], "test.inside", "pupil", 2)
    assert (first, second) == (last + 1, last + 2) and audit.verify().ok


def test_the_pupils_of_a_new_concern_are_read_as_the_orm_read_them(school, record):
    """record_concern reads its pupils in one hand-written statement (pupils_sql.by_ids): each
    gives the recorder's view the ORM's Pupil gave, whatever its flags and roll status."""
    from kiosk.models.pupils import NOT_ON_ROLL, Pupil
    from kiosk.services import pupils_sql
    from kiosk.services.concerns import _pupil_in_concern

    amara, ben, chloe = (school.pupils[k].id for k in ("amara", "ben", "chloe"))
    Pupil.update(looked_after=True, other=True, other_label="Note").where(Pupil.id == amara).execute()
    Pupil.update(active=False, cp_plan=True).where(Pupil.id == ben).execute()
    Pupil.update(status=NOT_ON_ROLL, preferred_name="Clo").where(Pupil.id == chloe).execute()
    rows = pupils_sql.by_ids([amara, ben, chloe, 99999])
    assert sorted(rows) == sorted([amara, ben, chloe]) and pupils_sql.by_ids([]) == {}
    for pid in (amara, ben, chloe):
        orm = Pupil.get_by_id(pid)
        assert _pupil_in_concern(rows[pid], "witness") == _pupil_in_concern(orm, "witness")
        assert rows[pid].display_name == orm.display_name and rows[pid].date_of_birth == orm.date_of_birth
    got = record(pupils=[(ben, "witness"), (chloe, "subject"), (amara, "witness")])
    assert got.pupils == tuple(_pupil_in_concern(Pupil.get_by_id(p), r)
                               for p, r in ((ben, "witness"), (chloe, "subject"), (amara, "witness")))


@pytest.mark.parametrize("given, field, problem", [
    ([("amara", "subject"), ("x", "witness")], concerns.F_PUPIL, "is not a pupil"),
    ([("amara", "subject"), (None, "witness")], concerns.F_PUPIL, "is not a pupil"),
    ([("amara", "subject"), ("amara", "witness"), (99999, "subject")], concerns.F_PUPIL, "listed twice"),
    ([(99999, "subject"), ("amara", "boss")], concerns.F_PUPIL, "not on the roll"),
    ([("amara", "boss"), (99999, "subject")], concerns.F_ROLE, "choose one of"),
    ([(2 ** 70, "subject")], concerns.F_PUPIL, "not on the roll"),
    ([("ben", "witness")], concerns.F_ROLE, "subject"),
])
def test_the_first_fault_in_the_pupils_is_the_one_named(school, record, given, field, problem):
    """The pupils are read together, but still checked one by one in the order given."""
    from kiosk.errors import ValidationError

    pupils = [(school.pupils[p].id if p in school.pupils else p, role) for p, role in given]
    with pytest.raises(ValidationError) as e:
        record(pupils=pupils)
    assert e.value.field == field and problem in e.value.problem


def test_a_concern_is_stored_as_the_orm_stored_it(school, record):
    """record_concern writes through hand-written SQL (issue 19): the stored rows are those
    Concern.create and insert_many wrote, column for column, on either backend."""
    from kiosk.db import db
    from kiosk.models.concerns import Concern, ConcernCategoryLink, ConcernInjury, ConcernPupil

    got = record(pupils=[(school.pupils["ben"].id, "witness"), (school.pupils["amara"].id, "subject")],
                 categories=["neglect", "physical_abuse"], urgent=True, child_told_next=False,
                 dsl_told_in_person=True, injuries=[("left_arm", "Oval bruise"), ("back", "red mark")])
    mine = Concern.get_by_id(got.id)
    twin = Concern.create(
        submission_token=concerns.new_submission_token(), recorded_by=mine.recorded_by_id,
        recorded_at=mine.recorded_at, occurred_on=date(2026, 11, 26), occurred_time="09:15",
        location="Year 6 classroom", source="child_told", words="Dad hit me with the belt",
        description="Amara showed me a bruise on her arm at registration.",
        why_concern="Bruise shaped like a buckle; she looked frightened.", child_told_next=False,
        dsl_told_in_person=True, urgent=True, status="open", is_open=True, updated_at=mine.updated_at)
    ConcernPupil.insert_many([dict(concern=twin.id, pupil=school.pupils["ben"].id, role="witness"),
                              dict(concern=twin.id, pupil=school.pupils["amara"].id, role="subject")]).execute()
    ConcernCategoryLink.insert_many([dict(concern=twin.id, category="neglect", position=0),
                                     dict(concern=twin.id, category="physical_abuse", position=1)]).execute()
    ConcernInjury.insert_many([dict(concern=twin.id, body_area="left_arm", description="Oval bruise"),
                               dict(concern=twin.id, body_area="back", description="red mark")]).execute()

    def stored(table, key, cid, skip):
        cursor = db.execute_sql(f"SELECT * FROM {table} WHERE {key} = {int(cid)} ORDER BY 1")
        names = [d[0] for d in cursor.description]
        return [tuple(v for n, v in zip(names, r) if n not in skip) for r in cursor.fetchall()]

    assert stored("concern", "id", got.id, {"id", "submission_token"}) == stored(
        "concern", "id", twin.id, {"id", "submission_token"})
    for table in ("concern_pupil", "concern_category_link", "concern_injury"):
        assert stored(table, "concern_id", got.id, {"id", "concern_id"}) == stored(
            table, "concern_id", twin.id, {"id", "concern_id"}), table
    from kiosk.models import Alert

    mine_alerts = list(Alert.select().where(Alert.record_id == got.id).order_by(Alert.id))
    Alert.insert_many([dict(recipient=a.recipient_id, kind=a.kind, record_type=a.record_type, record_id=twin.id,
                            label=a.label, raised_by=a.raised_by, urgent=a.urgent, created_at=a.created_at)
                       for a in mine_alerts]).execute()
    assert got.alerted == len(mine_alerts) == 3
    assert stored("alert", "record_id", got.id, {"id", "record_id"}) == stored(
        "alert", "record_id", twin.id, {"id", "record_id"})


def test_sign_in_asks_what_the_orm_asked(school, monkeypatch):
    """accounts_sql's "since your last visit" and account rows are the ORM's, for every
    combination of a previous visit, failures, locks and resets before and after it."""
    from tests.conftest import STRONG_PASSWORD
    from kiosk.errors import AuthError
    from kiosk.models import User
    from kiosk.services import accounts, accounts_sql, audit

    teacher = User.get(User.username == "teacher")
    assert accounts_sql.user_where("username", "teacher").__data__ == teacher.__data__
    assert accounts_sql.user_where("id", teacher.id).__data__ == teacher.__data__
    assert accounts_sql.user_where("username", "nobody") is None
    moments = [None]
    for step in range(3):
        for _ in range(step + 1):
            with pytest.raises(AuthError):
                accounts.authenticate("teacher", "wrong password here")
            school.clock.advance(minutes=1)
        audit.record(school.users["dsl"], "account.reset_password", "user", teacher.id, {"username": "teacher"})
        audit.record(school.users["dsl"], "login.locked", "user", teacher.id)
        school.clock.advance(minutes=1)
        moments.append(User.get_by_id(teacher.id).last_login_at)
        accounts.authenticate("teacher", STRONG_PASSWORD)
        moments.append(User.get_by_id(teacher.id).last_login_at)
        school.clock.advance(minutes=3)
    answers = set()
    for user_id in (teacher.id, school.users["dsl"].user_id):
        for previous in moments:
            for must_change in (False, True):
                got = accounts._since_last_visit(user_id, previous, must_change)
                assert got == accounts._since_last_visit_orm(user_id, previous, must_change)
                answers.add(got)
    assert len(answers) > 4  # the questions had different answers to give


def test_the_alert_poll_reads_what_the_orm_read(school, busy):
    """The alert watcher's question (every open console, every two seconds) in hand-written
    SQL: the same alerts, in order, after any id, with any ids skipped and any limit."""
    from kiosk.services import alerts

    dsl = school.users["dsl"].user_id
    ids = [r[0] for r in alerts._scan_rows_orm(dsl, 0, 1000)]
    assert len(ids) >= 9

    def norm(rows):
        return [(i, kind, bool(urgent), created, read_at is None) for i, kind, urgent, created, read_at in rows]

    for after in (0, ids[2], ids[-1]):
        for skip in ((), ids[3:5], ids[:1] + ids[-2:]):
            for limit in (1, 3, 50):
                got = alerts._scan_rows(dsl, after, limit, skip)
                assert norm(got) == norm(alerts._scan_rows_orm(dsl, after, limit, skip)), (after, skip, limit)
                assert all(type(r[3]).__name__ == "datetime" for r in got)
    cursor = alerts.AlertCursor(school.users["dsl"], start_id=ids[4])
    assert [n.id for n in cursor.poll()] == [i for i, *_, read_at in alerts._scan_rows_orm(dsl, ids[4], 50)
                                             if read_at is None][:50]
