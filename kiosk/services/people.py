"""People lookups, in one place: names by user id, and the active users holding roles.

Every domain asks these questions (who is on the DSL team, who can be a keyworker, who
holds the headteacher's role, what is this user's name); answering them here keeps one
query for each and one meaning of "active".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True)
class Person:
    id: int
    name: str


def names(ids: Iterable[int | None] | None = None) -> dict[int, str]:
    """{user id: full name} for `ids` (None: every user, for views naming many people)."""
    from kiosk.models import User

    q = User.select(User.id, User.full_name)
    if ids is not None:
        wanted = [i for i in set(ids) if i is not None]
        if not wanted:
            return {}
        q = q.where(User.id.in_(wanted))
    return {uid: name for uid, name in q.tuples()}


def with_roles(roles: Iterable) -> list[Person]:
    """Active users holding any of `roles` (Role values or keys), each once, by name."""
    from kiosk.models import User, UserRole

    keys = [str(getattr(r, "value", r)) for r in roles]
    q = (
        User.select(User.id, User.full_name)
        .join(UserRole, on=(UserRole.user == User.id))
        .where(UserRole.role.in_(keys) & (User.active == True))  # noqa: E712
        .distinct()
        .order_by(User.full_name)
        .tuples()
    )
    return [Person(uid, name) for uid, name in q]


def holders(roles: Iterable, exclude: Iterable[int | None] = ()) -> dict[str, list[Person]]:
    """{role key: [active users holding it]} for each of `roles`, leaving out `exclude`."""
    from kiosk.models import User, UserRole

    keys = [str(getattr(r, "value", r)) for r in roles]
    out: dict[str, list[Person]] = {k: [] for k in keys}
    if not keys:
        return out
    excluded = {u for u in exclude if u}
    rows = (
        UserRole.select(UserRole.role, User.id, User.full_name)
        .join(User)
        .where(UserRole.role.in_(keys) & (User.active == True))  # noqa: E712
        .order_by(User.full_name)
        .tuples()
    )
    for role, uid, name in rows:
        if uid not in excluded:
            out[role].append(Person(uid, name))
    return out
