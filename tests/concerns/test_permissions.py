"""The permission matrix at service level, for every role (issue 5, item 7).

Each cell says what one role gets from one service on a concern recorded by the teacher:
"ok", "denied" (PermissionDenied: the role may not do this at all) or "notfound" (the
role may not know the concern exists).
"""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.capabilities import Role
from kiosk.errors import NotFound, PermissionDenied
from kiosk.services import chronology, concerns

ROLE_USER = {
    Role.STAFF: "teacher2",  # not the recorder
    Role.PASTORAL: "pastoral",
    Role.DSL: "dsl",
    Role.DEPUTY_DSL: "deputy",
    Role.HEADTEACHER: "head",
    Role.GOVERNOR: "governor",
    Role.ADMIN: "itadmin",
    Role.DIRECTOR_OF_EDUCATION: "director",
    Role.TRUST_SAFEGUARDING_LEAD: "trustlead",
}


def _ops(school, cid):
    pid = school.pupils["amara"].id
    past = date(2026, 11, 26)
    return {
        "view": lambda a: concerns.get_concern(a, cid),
        "status": lambda a: concerns.own_concern(a, cid),
        "inbox": lambda a: concerns.inbox(a),
        "shared_list": lambda a: concerns.shared_with_me(a),
        "chronology": lambda a: chronology.chronology(a, pid),
        "acknowledge": lambda a: concerns.acknowledge(a, cid),
        "action": lambda a: concerns.add_action(a, cid, kind="monitor", action_date=past,
                                                taken_by="X", rationale="Why"),
        "amend": lambda a: concerns.amend(a, cid, field="other", text="t", reason="r"),
        "share": lambda a: concerns.share(a, cid, school.users["pastoral"].user_id, "r"),
        "restrict": lambda a: concerns.restrict(a, cid, [a.user_id], "r"),
        "close": lambda a: concerns.close_concern(a, cid, summary="s", outcome="other", reasoning="r"),
    }


# role -> {operation: expected}
MATRIX = {
    Role.STAFF: dict(view="notfound", status="notfound", inbox="denied", shared_list="denied",
                     chronology="denied", acknowledge="denied", action="denied", amend="denied",
                     share="denied", restrict="denied", close="denied"),
    Role.PASTORAL: dict(view="notfound", status="notfound", inbox="denied", shared_list="ok",
                        chronology="denied", acknowledge="denied", action="denied", amend="denied",
                        share="denied", restrict="denied", close="denied"),
    Role.DSL: dict(view="ok", status="notfound", inbox="ok", shared_list="denied", chronology="ok",
                   acknowledge="ok", action="ok", amend="ok", share="ok", restrict="ok", close="ok"),
    Role.DEPUTY_DSL: dict(view="ok", status="notfound", inbox="ok", shared_list="denied",
                          chronology="ok", acknowledge="ok", action="ok", amend="ok", share="ok",
                          restrict="ok", close="ok"),
    Role.HEADTEACHER: dict(view="ok", status="notfound", inbox="ok", shared_list="denied",
                           chronology="ok", acknowledge="denied", action="denied", amend="denied",
                           share="denied", restrict="denied", close="denied"),
    Role.GOVERNOR: dict(view="notfound", status="notfound", inbox="denied", shared_list="denied",
                        chronology="denied", acknowledge="denied", action="denied", amend="denied",
                        share="denied", restrict="denied", close="denied"),
    Role.ADMIN: dict(view="notfound", status="notfound", inbox="denied", shared_list="denied",
                     chronology="denied", acknowledge="denied", action="denied", amend="denied",
                     share="denied", restrict="denied", close="denied"),
    Role.DIRECTOR_OF_EDUCATION: dict(view="notfound", status="notfound", inbox="denied",
                                     shared_list="denied", chronology="denied", acknowledge="denied",
                                     action="denied", amend="denied", share="denied",
                                     restrict="denied", close="denied"),
    Role.TRUST_SAFEGUARDING_LEAD: dict(view="notfound", status="notfound", inbox="denied",
                                       shared_list="denied", chronology="denied",
                                       acknowledge="denied", action="denied", amend="denied",
                                       share="denied", restrict="denied", close="denied"),
}


def test_matrix_covers_every_role():
    assert set(MATRIX) == set(Role)
    assert set(ROLE_USER) == set(Role)


def _outcome(fn, actor) -> str:
    try:
        fn(actor)
    except NotFound:
        return "notfound"
    except PermissionDenied:
        return "denied"
    return "ok"


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_permission_matrix(school, record, role):
    got = {}
    for op in MATRIX[role]:
        # A fresh concern per operation so that closing or restricting does not change the next cell.
        done = record()
        got[op] = _outcome(_ops(school, done.id)[op], school.users[ROLE_USER[role]])
    assert got == MATRIX[role]


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_everyone_can_record_and_see_status_of_their_own(school, record, role):
    user = ROLE_USER[role]
    done = record(user)
    own = concerns.own_concerns(school.users[user])
    assert [o.id for o in own] == [done.id]
    assert concerns.own_concern(school.users[user], done.id).status in ("open", "acknowledged")


@pytest.mark.parametrize("role", [r for r in Role if r not in (Role.DSL, Role.DEPUTY_DSL, Role.HEADTEACHER)],
                         ids=str)
def test_roles_outside_the_team_cannot_find_a_concern_by_guessing_ids(school, record, role):
    done = record()
    actor = school.users[ROLE_USER[role]]
    for cid in (done.id, done.id + 1, 0, -1):
        with pytest.raises(NotFound):
            concerns.get_concern(actor, cid)
    assert not concerns.visible_to(actor, done.id)


def test_refusals_are_audited(school, record):
    from kiosk.models import AuditEvent

    done = record()
    with pytest.raises(PermissionDenied):
        concerns.acknowledge(school.users["head"], done.id)
    with pytest.raises(NotFound):
        concerns.get_concern(school.users["governor"], done.id)
    actions = {(e.actor, e.action) for e in AuditEvent.select()}
    assert ("head", "permission.denied") in actions
    assert ("governor", "concern.not_found") in actions
