"""Staff accounts: creation, login, password changes, lockout, roles, deactivation.

Passwords are argon2id with at least OWASP's minimum parameters (19 MiB, t=2, p=1),
rehashed at login when the parameters change. An unknown username is verified against
a dummy hash so it costs the same as a wrong password. Accounts are deactivated,
never deleted.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from kiosk import db as dbmod
from kiosk.capabilities import Cap, Role, parse_role
from kiosk.clock import utcnow
from kiosk.errors import AccountLocked, AuthError, NotFound, ValidationError
from kiosk.services import audit
from kiosk.services.actor import Actor, require
from kiosk.text import clean

MIN_PASSWORD_LENGTH = 12
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
GENERIC_LOGIN_FAILURE = "Username or password not recognised."

# OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1 as the minimum.
HASH_PARAMS = dict(time_cost=2, memory_cost=19456, parallelism=1, hash_len=32, salt_len=16)

COMMON_PASSWORDS = frozenset(
    {
        "password1234", "password12345", "passwordpassword", "123456789012",
        "1234567890123", "qwertyuiopas", "qwerty123456", "letmein12345",
        "welcome12345", "iloveyou1234", "administrator", "changeme1234",
        "safeguarding", "safeguarding1", "safeguarding123", "school123456",
        "teacher12345", "password1!23", "abc123456789", "aaaaaaaaaaaa",
        "monkey123456", "football1234", "sunshine1234", "princess1234",
        "trustno1trustno1", "correcthorse", "P@ssw0rd1234", "Password1234",
        "Welcome12345", "Summer2026!!", "Winter2026!!", "westleymiddle",
    }
)


@functools.cache
def hasher() -> PasswordHasher:
    return PasswordHasher(type=Type.ID, **HASH_PARAMS)


@functools.cache
def _dummy_hash() -> str:
    return hasher().hash("not-a-real-password-but-the-same-work")


def check_password_policy(password: str, username: str = "") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError("password", f"must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > 256:
        raise ValidationError("password", "is too long (at most 256 characters)")
    lowered = password.lower()
    if lowered in {p.lower() for p in COMMON_PASSWORDS} or len(set(password)) < 4:
        raise ValidationError("password", "is too common or too simple; choose another")
    if username and username.lower() in lowered:
        raise ValidationError("password", "must not contain the username")
    clean(password, "password", max_length=256)


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    full_name: str
    roles: tuple[str, ...]
    active: bool
    locked: bool
    must_change_password: bool
    last_login_at: datetime | None
    email: str | None = None


def _roles_of(user) -> frozenset[Role]:
    from kiosk.models import UserRole

    return frozenset(Role(r.role) for r in UserRole.select(UserRole.role).where(UserRole.user == user))


def _info(user) -> UserInfo:
    now = utcnow()
    return UserInfo(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        roles=tuple(sorted(r.value for r in _roles_of(user))),
        active=user.active,
        locked=bool(user.locked_until and user.locked_until > now),
        must_change_password=user.must_change_password,
        last_login_at=user.last_login_at,
        email=user.email or None,
    )


def actor_for(user, origin: str) -> Actor:
    return Actor(user.id, user.username, user.full_name, _roles_of(user), origin=origin)


def validate_username(username: str) -> str:
    name = clean(username, "username", required=True, max_length=64)
    if not all(c.isalnum() or c in "._-" for c in name) or not name[0].isalnum():
        raise ValidationError("username", "use letters, digits, '.', '_' or '-' and start with a letter or digit")
    return name.lower()


def _get_user(username: str):
    from kiosk.models import User

    user = User.get_or_none(User.username == username.strip().lower())
    if user is None:
        raise NotFound(f"no user called {username!r}")
    return user


# --- administration -----------------------------------------------------------------

def validate_email(value: str | None) -> str | None:
    """An address for notices, or None for "no e-mail". Plain addresses only: no display
    names, no spaces or controls (the address goes into a mail header)."""
    text = clean(value, "email", max_length=254)
    if not text:
        return None
    local, at, domain = text.rpartition("@")
    if (not at or not local or "." not in domain or domain.startswith(".") or domain.endswith(".")
            or any(c.isspace() or c in '<>(),;:"[]\\' for c in text) or "@" in local):
        raise ValidationError("email", "must be one plain address such as j.smith@school.example")
    return text


def create_user(actor: Actor, username: str, full_name: str, roles, password: str,
                must_change: bool = True, email: str | None = None) -> UserInfo:
    require(actor, Cap.ACCOUNTS_MANAGE)
    from kiosk.models import User, UserRole

    name = validate_username(username)
    full = clean(full_name, "full name", required=True)
    email = validate_email(email)
    parsed = []
    for r in roles:
        try:
            parsed.append(parse_role(r))
        except ValueError as exc:
            raise ValidationError("role", str(exc)) from None
    if not parsed:
        raise ValidationError("role", "at least one role is required")
    check_password_policy(password, name)
    digest = hasher().hash(password)
    with dbmod.write():
        if User.select().where(User.username == name).exists():
            raise ValidationError("username", f"{name!r} is already taken")
        user = User.create(username=name, full_name=full, password_hash=digest,
                           must_change_password=must_change, email=email)
        for role in sorted(set(parsed)):
            UserRole.create(user=user, role=role.value)
        audit.record(actor, "account.create", "user", user.id,
                     {"username": name, "roles": sorted(r.value for r in set(parsed)),
                      "email": bool(email)})
    return _info(user)


def list_users(actor: Actor) -> list[UserInfo]:
    require(actor, Cap.ACCOUNTS_MANAGE)
    from kiosk.models import User

    return [_info(u) for u in User.select().order_by(User.username)]


def get_user_info(actor: Actor, username: str) -> UserInfo:
    require(actor, Cap.ACCOUNTS_MANAGE)
    return _info(_get_user(username))


def set_roles(actor: Actor, username: str, roles) -> UserInfo:
    require(actor, Cap.ACCOUNTS_MANAGE)
    from kiosk.models import UserRole

    try:
        wanted = {parse_role(r) for r in roles}
    except ValueError as exc:
        raise ValidationError("role", str(exc)) from None
    if not wanted:
        raise ValidationError("role", "at least one role is required")
    with dbmod.write():
        user = _get_user(username)
        before = _roles_of(user)
        # Role rows are account settings, not case records: replacing them is allowed,
        # and the audit event keeps what they were.
        UserRole.delete().where(UserRole.user == user, UserRole.role.not_in([r.value for r in wanted])).execute()
        for role in wanted - before:
            UserRole.create(user=user, role=role.value)
        audit.record(actor, "account.roles", "user", user.id,
                     {"before": sorted(r.value for r in before), "after": sorted(r.value for r in wanted)})
    return _info(user)


def set_email(actor: Actor, username: str, email: str | None) -> UserInfo:
    """Set (or clear, with None or "") where the account's alert notices are e-mailed."""
    require(actor, Cap.ACCOUNTS_MANAGE)
    address = validate_email(email)
    with dbmod.write():
        user = _get_user(username)
        before = user.email or None
        user.email = address
        user.save()
        audit.record(actor, "account.email", "user", user.id,
                     {"username": user.username, "before": before, "after": address})
    return _info(user)


def reset_password(actor: Actor, username: str, new_password: str) -> UserInfo:
    require(actor, Cap.ACCOUNTS_MANAGE)
    user = _get_user(username)
    check_password_policy(new_password, user.username)
    digest = hasher().hash(new_password)
    with dbmod.write():
        user.password_hash = digest
        user.must_change_password = True
        user.failed_attempts = 0
        user.locked_until = None
        user.save()
        audit.record(actor, "account.reset_password", "user", user.id, {"username": user.username})
    return _info(user)


def unlock(actor: Actor, username: str) -> UserInfo:
    require(actor, Cap.ACCOUNTS_MANAGE)
    with dbmod.write():
        user = _get_user(username)
        user.failed_attempts = 0
        user.locked_until = None
        user.save()
        audit.record(actor, "account.unlock", "user", user.id, {"username": user.username})
    return _info(user)


def deactivate(actor: Actor, username: str) -> UserInfo:
    require(actor, Cap.ACCOUNTS_MANAGE)
    with dbmod.write():
        user = _get_user(username)
        if actor.user_id == user.id:
            raise ValidationError("username", "you cannot deactivate your own account")
        if not user.active:
            raise ValidationError("username", f"{user.username!r} is already deactivated")
        user.active = False
        user.deactivated_at = utcnow()
        user.save()
        audit.record(actor, "account.deactivate", "user", user.id, {"username": user.username})
    return _info(user)


def reactivate(actor: Actor, username: str) -> UserInfo:
    require(actor, Cap.ACCOUNTS_MANAGE)
    with dbmod.write():
        user = _get_user(username)
        user.active = True
        user.deactivated_at = None
        user.save()
        audit.record(actor, "account.reactivate", "user", user.id, {"username": user.username})
    return _info(user)


# --- login ---------------------------------------------------------------------------

@dataclass(frozen=True)
class LoginResult:
    actor: Actor
    must_change_password: bool
    previous_login_at: datetime | None


class _Origin:
    """A stand-in actor for audit events before anyone is logged in."""

    def __init__(self, username: str, origin: str, user_id: int | None = None) -> None:
        self.username = username[:64]
        self.origin = origin
        self.user_id = user_id


def authenticate(username: str, password: str, origin: str = "terminal",
                 allowed_roles=None) -> LoginResult:
    """Check a login. Slow by design (argon2): call from a worker thread.

    Raises AuthError with the generic message for any failure, AccountLocked while
    locked out. Every attempt is audited with its origin. `allowed_roles` (remote
    sessions) refuses, after a correct password, a user holding none of those roles.
    """
    from kiosk.models import User

    name = (username or "").strip().lower()[:64]
    user = User.get_or_none(User.username == name) if name else None
    now = utcnow()
    if user is None or not user.active:
        try:
            hasher().verify(_dummy_hash(), password or "")
        except VerificationError:
            pass
        audit.record(_Origin(name or "?", origin), "login.failure",
                     detail={"reason": "unknown" if user is None else "inactive"})
        raise AuthError(GENERIC_LOGIN_FAILURE)
    if user.locked_until and user.locked_until > now:
        audit.record(_Origin(name, origin, user.id), "login.locked", "user", user.id)
        raise AccountLocked(_locked_message(user.locked_until))
    try:
        hasher().verify(user.password_hash, password or "")
        ok = True
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    with dbmod.write():
        user = User.get_by_id(user.id)
        if not ok:
            user.failed_attempts += 1
            locked = user.failed_attempts >= MAX_FAILURES
            if locked:
                user.locked_until = now + LOCKOUT
            user.save()
            audit.record(_Origin(name, origin, user.id), "login.failure", "user", user.id,
                         {"reason": "password", "failures": user.failed_attempts})
            if locked:
                audit.record(_Origin(name, origin, user.id), "account.lockout", "user", user.id)
        else:
            previous = user.last_login_at
            user.failed_attempts = 0
            user.locked_until = None
            user.last_login_at = now
            if hasher().check_needs_rehash(user.password_hash):
                user.password_hash = hasher().hash(password)
                audit.record(_Origin(name, origin, user.id), "account.rehash", "user", user.id)
            user.save()
            audit.record(_Origin(name, origin, user.id), "login.success", "user", user.id)
    if not ok:
        if user.locked_until and user.locked_until > now:
            raise AccountLocked(_locked_message(user.locked_until))
        raise AuthError(GENERIC_LOGIN_FAILURE)
    actor = actor_for(user, origin)
    if allowed_roles is None and origin.startswith("ssh:"):
        # A remote session must name the roles allowed remote access; fail closed if not.
        allowed_roles = ()
    if allowed_roles is not None and not (set(actor.roles) & {str(r) for r in allowed_roles}):
        audit.record(actor, "login.refused_role", "user", user.id, {"origin": origin})
        raise AuthError("This account may not use the console from here.")
    return LoginResult(actor, user.must_change_password, previous)


def _locked_message(until: datetime) -> str:
    from kiosk.clock import to_local

    return (
        "This account is locked after too many failed attempts. "
        f"Try again after {to_local(until):%H:%M}, or ask the IT administrator to unlock it."
    )


def change_password(actor: Actor, current: str, new: str) -> None:
    """The user changes their own password (forced after creation or reset)."""
    from kiosk.models import User

    user = User.get_by_id(actor.user_id)
    try:
        hasher().verify(user.password_hash, current or "")
    except (VerificationError, InvalidHashError):
        raise ValidationError("current password", "is not correct") from None
    if current == new:
        raise ValidationError("new password", "must differ from the current one")
    try:
        check_password_policy(new, user.username)
    except ValidationError as exc:
        raise ValidationError("new password", exc.problem) from None
    digest = hasher().hash(new)
    with dbmod.write():
        user = User.get_by_id(actor.user_id)
        user.password_hash = digest
        user.must_change_password = False
        user.password_changed_at = utcnow()
        user.save()
        audit.record(actor, "account.change_password", "user", user.id)


def record_logout(actor: Actor, reason: str = "logout") -> None:
    """reason: logout, idle_lock, hide_screen, disconnect."""
    audit.record(actor, "session." + reason, "user", actor.user_id)


def count_users() -> int:
    from kiosk.models import User

    return User.select().count()
