"""The headteacher's register of concerns about adults in hand-written SQL (issue 19).

Three questions over the concerns an actor may see (routed to or shared with one of their
roles, of a kind they receive, never about themselves): the concerns with the reporter's
name, what has happened since, and which came to the actor's roles as recipient. They
answer what `kiosk.services.adults` asks through the ORM (tests compare the two); who may
see what is still decided there.
"""

from __future__ import annotations

from kiosk.services import fastsql

_CONCERNS = ("SELECT c.id, c.kind, c.subject_user_id, c.subject_name, c.subject_role, c.created_at, "
             "u.full_name, c.recipient_role, c.lado_due_at FROM adult_concern c "
             'JOIN "user" u ON u.id = c.reported_by_id WHERE c.id IN ({ids}) '
             "ORDER BY c.created_at DESC, c.id DESC")
_EVENTS = ("SELECT concern_id, kind, choice, occurred_at, at FROM adult_concern_event "
           "WHERE concern_id IN ({ids}) AND kind IN (?, ?, ?, ?) ORDER BY id")
_RECIPIENT = ("SELECT concern_id FROM adult_concern_role WHERE concern_id IN ({ids}) "
              "AND role IN {roles} AND reason = ?")


def visible_ids(kinds: list[str], roles: list[str], user_id: int | None) -> tuple[str, list]:
    """The subquery (text, values) of the ids of the concerns these roles and kinds reach."""
    text = ("SELECT r.concern_id FROM adult_concern_role r JOIN adult_concern c ON c.id = r.concern_id "
            f"WHERE r.role IN {fastsql.marks(len(roles))} AND c.kind IN {fastsql.marks(len(kinds))}")
    params = [*roles, *kinds]
    if user_id is not None:
        text += " AND (c.subject_user_id IS NULL OR c.subject_user_id <> ?)"
        params.append(user_id)
    return text, params


def concerns(ids: tuple[str, list]) -> list[tuple]:
    """(id, kind, subject user, subject name, subject role, raised at, reporter's name,
    recipient role, LADO due) newest first."""
    text, params = ids
    out = []
    for cid, kind, suid, sname, srole, at, reporter, rrole, due in fastsql.rows(
            _CONCERNS.format(ids=text), params):
        out.append((cid, kind, suid, sname, srole, fastsql.as_datetime(at), reporter, rrole,
                    fastsql.as_datetime(due)))
    return out


def events(ids: tuple[str, list], kinds: list[str]) -> list[tuple]:
    """(concern, kind, choice, occurred at, at) of the events of these kinds, in order; the
    two times only for a LADO contact, the one event whose times the register reads."""
    text, params = ids
    as_dt = fastsql.as_datetime
    return [(cid, kind, choice, as_dt(occurred), as_dt(at)) if kind == "lado_contact"
            else (cid, kind, choice, None, None)
            for cid, kind, choice, occurred, at in fastsql.rows(_EVENTS.format(ids=text), [*params, *kinds])]


def recipient_of(ids: tuple[str, list], roles: list[str]) -> set[int]:
    text, params = ids
    return {c for (c,) in fastsql.rows(_RECIPIENT.format(ids=text, roles=fastsql.marks(len(roles))),
                                       [*params, *roles, "recipient"])}
