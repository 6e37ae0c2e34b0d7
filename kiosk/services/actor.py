"""Who is acting, from where, and the capability check every service starts with."""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.capabilities import Cap, Role, capabilities_for
from kiosk.errors import PermissionDenied

TERMINAL = "terminal"


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    full_name: str
    roles: frozenset[Role]
    origin: str = TERMINAL  # "terminal", "ssh:203.0.113.5:51234", "shell:root"
    caps: frozenset[Cap] = field(default=frozenset())

    def __post_init__(self) -> None:
        if not self.caps:
            object.__setattr__(self, "caps", capabilities_for(self.roles))

    def can(self, cap: Cap) -> bool:
        return cap in self.caps

    def has_role(self, role: Role) -> bool:
        return role in self.roles


def shell_actor(origin: str | None = None) -> Actor:
    """The person at the shell running an admin CLI command (audited as such)."""
    import getpass
    import os

    who = origin or f"shell:{getpass.getuser()}@{os.uname().nodename}"
    return Actor(None, "shell", "Shell administrator", frozenset({Role.ADMIN}), origin=who)


def require(actor: Actor, cap: Cap) -> None:
    """Refuse (and audit the refusal) unless the actor holds the capability."""
    if actor.can(cap):
        return
    from kiosk.services import audit

    audit.record(actor, "permission.denied", detail={"capability": str(cap)})
    raise PermissionDenied(cap)
