"""Procedures sign-off (paragraph 3): every user confirms they have read and agree to the
current version before using the console; a new version needs a new signature.

Headteacher, DSL team and admin (Cap.SIGNOFF_STATUS) see who has not signed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kiosk import db as dbmod
from kiosk.capabilities import Cap
from kiosk.clock import utcnow
from kiosk.errors import PermissionDenied, ValidationError
from kiosk.services import audit
from kiosk.services.actor import Actor, require


@dataclass(frozen=True)
class UnsignedUser:
    username: str
    full_name: str
    roles: tuple[str, ...]
    last_version: str | None
    last_signed_at: datetime | None


def signed_version(actor: Actor) -> str | None:
    """The newest version this user has signed (None if never)."""
    from kiosk.models import ProcedureSignoff
    from kiosk.services.actor import require_signed_in

    require_signed_in(actor)

    if actor.user_id is None:
        return None
    row = (ProcedureSignoff.select()
           .where(ProcedureSignoff.user == actor.user_id)
           .order_by(ProcedureSignoff.signed_at.desc(), ProcedureSignoff.id.desc())
           .first())
    return row.version if row else None


def needs_signoff(actor: Actor, profile) -> bool:
    """True until this user has signed the profile's current procedures version."""
    from kiosk.models import ProcedureSignoff
    from kiosk.services.actor import require_signed_in

    require_signed_in(actor)

    if actor.user_id is None:
        return False
    return not (ProcedureSignoff.select()
                .where((ProcedureSignoff.user == actor.user_id)
                       & (ProcedureSignoff.version == profile.procedures_version))
                .exists())


def sign(actor: Actor, version: str) -> None:
    """Record that the user has read and agrees to `version` of the procedures."""
    require(actor, Cap.PROCEDURES_SIGN)
    from kiosk.models import ProcedureSignoff

    if actor.user_id is None:
        raise PermissionDenied(Cap.PROCEDURES_SIGN, "Only a signed-in user can sign the procedures.")
    version = (version or "").strip()
    if not version or len(version) > 40:
        raise ValidationError("version", "is required (at most 40 characters)")
    with dbmod.write():
        inserted = (ProcedureSignoff.insert(user=actor.user_id, version=version, signed_at=utcnow())
                    .on_conflict_ignore().execute())
        audit.record(actor, "procedures.sign", "user", actor.user_id,
                     {"version": version, "already": not bool(inserted)})


def unsigned_users(actor: Actor, profile) -> list[UnsignedUser]:
    """Active accounts that have not signed the current version, by username."""
    require(actor, Cap.SIGNOFF_STATUS)
    from kiosk.models import ProcedureSignoff, User, UserRole

    version = profile.procedures_version
    signed = ProcedureSignoff.select(ProcedureSignoff.user).where(ProcedureSignoff.version == version)
    users = list(User.select().where(User.active & User.id.not_in(signed)).order_by(User.username))
    roles: dict[int, list[str]] = {}
    last: dict[int, tuple[str, datetime]] = {}
    ids = [u.id for u in users]
    if ids:
        for r in UserRole.select().where(UserRole.user.in_(ids)):
            roles.setdefault(r.user_id, []).append(r.role)
        for s in (ProcedureSignoff.select().where(ProcedureSignoff.user.in_(ids))
                  .order_by(ProcedureSignoff.signed_at)):
            last[s.user_id] = (s.version, s.signed_at)
    audit.record(actor, "signoff.status_view", detail={"version": version, "unsigned": len(users)})
    return [
        UnsignedUser(u.username, u.full_name, tuple(sorted(roles.get(u.id, ()))),
                     last.get(u.id, (None, None))[0], last.get(u.id, (None, None))[1])
        for u in users
    ]


def unsigned_count(actor: Actor, profile) -> int:
    require(actor, Cap.SIGNOFF_STATUS)
    from kiosk.models import ProcedureSignoff, User

    signed = ProcedureSignoff.select(ProcedureSignoff.user).where(
        ProcedureSignoff.version == profile.procedures_version)
    return User.select().where(User.active & User.id.not_in(signed)).count()
