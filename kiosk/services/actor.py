"""Who is acting, from where, and the capability check every service starts with.

An Actor is a snapshot taken at sign-in; `require` also checks, at every call, that the
account is still as it was then (active, same `account_version`): one primary-key read,
so a deactivation, a role change or a password reset takes effect at the next action.
`Actor.can` (services that decide by level of access rather than refuse) answers False for
such a session; it reuses a check made within the last second, since it is asked many times
per call, and a change made in this process forgets those at once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from kiosk.capabilities import Cap, Role, capabilities_for
from kiosk.errors import PermissionDenied, SessionEnded

TERMINAL = "terminal"


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    full_name: str
    roles: frozenset[Role]
    origin: str = TERMINAL  # "terminal", "ssh:203.0.113.5:51234", "shell:root"
    caps: frozenset[Cap] = field(default=frozenset())
    version: int | None = None  # the account's account_version at sign-in

    def __post_init__(self) -> None:
        if not self.caps:
            object.__setattr__(self, "caps", capabilities_for(self.roles))

    def can(self, cap: Cap) -> bool:
        return cap in self.caps and _current_recently(self)

    def has_role(self, role: Role) -> bool:
        return role in self.roles


def shell_actor(origin: str | None = None, *, setup: bool = False) -> Actor:
    """The person at the shell running an admin CLI command (audited as such).

    `setup=True` (the demo, tests) may also give roles that read case records at once; the
    `kiosk users` commands never pass it, so their grants wait like a console admin's."""
    import getpass
    import os

    who = origin or f"shell:{getpass.getuser()}@{os.uname().nodename}"
    caps = capabilities_for({Role.ADMIN}) | ({Cap.ACCOUNTS_SETUP} if setup else set())
    return Actor(None, "shell", "Shell administrator", frozenset({Role.ADMIN}), origin=who,
                 caps=frozenset(caps))


CHECK_REUSE_SECONDS = 1.0
_checked: dict[tuple[int, int | None], tuple[float, bool]] = {}


def forget_account_checks() -> None:
    """An account changed in this process: the next `can` asks the database again."""
    _checked.clear()


def account_current(actor: Actor) -> bool:
    """Whether the account behind `actor` is still active and unchanged since sign-in.
    Shell actors (no account) always are."""
    if actor.user_id is None:
        return True
    from kiosk.services import fastsql

    # Hand-written (kiosk.services.fastsql): every service call asks this first.
    row = fastsql.first('SELECT active, account_version FROM "user" WHERE id = ?', (actor.user_id,))
    ok = row is not None and bool(row[0]) and (actor.version is None or row[1] == actor.version)
    if len(_checked) > 1000:
        _checked.clear()
    _checked[(actor.user_id, actor.version)] = (time.monotonic(), ok)
    return ok


def _current_recently(actor: Actor) -> bool:
    if actor.user_id is None:
        return True
    seen = _checked.get((actor.user_id, actor.version))
    if seen is not None and time.monotonic() - seen[0] < CHECK_REUSE_SECONDS:
        return seen[1]
    return account_current(actor)


def require_signed_in(actor: Actor) -> None:
    """The check for what acts only on the actor's own things (their alerts, drafts, home
    counts, sign-off): an account that is current and may do anything at all."""
    from kiosk.services import audit

    if not account_current(actor):
        audit.record(actor, "session.stale_refused", "user", actor.user_id, {"capability": "signed_in"})
        raise SessionEnded()
    if not actor.caps:
        audit.record(actor, "permission.denied", detail={"capability": "signed_in"})
        raise PermissionDenied("signed_in")


def require(actor: Actor, cap: Cap) -> None:
    """Refuse (and audit the refusal) unless the actor holds the capability, and the
    account is as it was at sign-in (else SessionEnded)."""
    from kiosk.services import audit

    if not account_current(actor):
        audit.record(actor, "session.stale_refused", "user", actor.user_id, {"capability": str(cap)})
        raise SessionEnded()
    if actor.can(cap):
        return
    audit.record(actor, "permission.denied", detail={"capability": str(cap)})
    raise PermissionDenied(cap)
