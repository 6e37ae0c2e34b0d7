"""Staff accounts: creation, login, password changes, lockout, roles, deactivation.

An administrator in the console cannot change their own roles, and a role that reads case
records (kiosk.capabilities.reads_case_records) asked for by one is only a pending RoleGrant
until the headteacher or the DSL confirms it in the console (never the person who asked).
The shell's CLI (root on the server, who holds the database file anyway) grants at once; every
grant, and every password reset, is listed for the headteacher and the DSL.

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
from kiosk.capabilities import Cap, Role, parse_role, reads_case_records
from kiosk.clock import utcnow
from kiosk.errors import AccountLocked, AuthError, NotFound, SessionEnded, ValidationError
from kiosk.services import audit
from kiosk.services.actor import Actor, account_current, require
from kiosk.text import clean

MIN_PASSWORD_LENGTH = 12
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
GENERIC_LOGIN_FAILURE = "Username or password not recognised."

# OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1 as the minimum.
HASH_PARAMS = dict(time_cost=2, memory_cost=19456, parallelism=1, hash_len=32, salt_len=16)


@functools.cache
def hasher() -> PasswordHasher:
    return PasswordHasher(type=Type.ID, **HASH_PARAMS)


@functools.cache
def _dummy_hash() -> str:
    return hasher().hash("not-a-real-password-but-the-same-work")


MIN_STRENGTH = 3  # zxcvbn's score, 0-4: 3 is "safely unguessable", 10^8 guesses or more


def check_password_policy(password: str, username: str = "", full_name: str = "") -> None:
    """Length bounds, then zxcvbn's estimate of how guessable it is (with its feedback)."""
    from zxcvbn import zxcvbn

    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError("password", f"must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > 256:
        raise ValidationError("password", "is too long (at most 256 characters)")
    clean(password, "password", max_length=256)
    if username and username.lower() in password.lower():
        raise ValidationError("password", "must not contain the username")
    inputs = [w for w in [username, *full_name.split(), "safeguarding", "kiosk", "school"] if w]
    result = zxcvbn(password, user_inputs=inputs)
    if result["score"] < MIN_STRENGTH:
        feedback = result.get("feedback") or {}
        advice = [feedback.get("warning") or "", *(feedback.get("suggestions") or [])]
        advice = " ".join(a.strip() for a in advice if a and a.strip())
        raise ValidationError("password", "is too easy to guess" + (f". {advice}" if advice else "; choose another"))


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
    pending_roles: tuple[str, ...] = ()  # asked for, waiting for the head or the DSL
    email: str | None = None


def _roles_of(user) -> frozenset[Role]:
    from kiosk.services import fastsql

    # Hand-written (kiosk.services.fastsql): asked at every sign-in.
    return frozenset(Role(r) for (r,) in fastsql.rows("SELECT role FROM user_role WHERE user_id = ?",
                                                       (user.id,)))


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
        pending_roles=_pending_roles(user.id),
        email=user.email or None,
    )


def _pending_roles(user_id: int) -> tuple[str, ...]:
    from kiosk.models import RoleGrant

    return tuple(sorted(g.role for g in RoleGrant.select(RoleGrant.role)
                        .where((RoleGrant.user == user_id) & (RoleGrant.decision == "pending"))))


def actor_for(user, origin: str) -> Actor:
    return Actor(user.id, user.username, user.full_name, _roles_of(user), origin=origin,
                 version=user.account_version)


def _bump(user) -> None:
    """Mark the account changed: its signed-in sessions end at their next action."""
    from kiosk.services.actor import forget_account_checks

    user.account_version = (user.account_version or 0) + 1
    forget_account_checks()


def validate_username(username: str) -> str:
    name = clean(username, "username", required=True, max_length=64)
    if not all(c.isalnum() or c in "._-" for c in name) or not name[0].isalnum():
        raise ValidationError("username", "use letters, digits, '.', '_' or '-' and start with a letter or digit")
    return name.lower()


def user_by_name(username: str):
    from kiosk.models import User

    user = User.get_or_none(User.username == username.strip().lower())
    if user is None:
        raise NotFound(f"no user called {username!r}")
    return user


# --- administration -----------------------------------------------------------------

def _validate_email(value: str | None) -> str | None:
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
    email = _validate_email(email)
    parsed = []
    for r in roles:
        try:
            parsed.append(parse_role(r))
        except ValueError as exc:
            raise ValidationError("role", str(exc)) from None
    if not parsed:
        raise ValidationError("role", "at least one role is required")
    check_password_policy(password, name, full)
    digest = hasher().hash(password)
    now_roles, pending = _split_grants(actor, set(parsed))
    if not now_roles:
        now_roles = {Role.STAFF}  # what they are meanwhile: a member of staff
    with dbmod.write():
        if User.select().where(User.username == name).exists():
            raise ValidationError("username", f"{name!r} is already taken")
        user = User.create(username=name, full_name=full, password_hash=digest,
                           must_change_password=must_change, email=email)
        for role in sorted(now_roles):
            UserRole.create(user=user, role=role.value)
        audit.record(actor, "account.create", "user", user.id,
                     {"username": name, "roles": sorted(r.value for r in now_roles),
                      "pending": sorted(r.value for r in pending), "email": bool(email)})
        _request_grants(actor, user, pending)
    return _info(user)


def _split_grants(actor: Actor, roles: set, user_id: int | None = None) -> tuple[set, set]:
    """(roles given at once, roles that wait for the head's or the DSL's confirmation).

    At once: for a set-up step (demo, tests), and while the school has no active headteacher
    or DSL (other than the account itself) who could confirm: the first ones are set up so."""
    pending = {r for r in roles if reads_case_records(r)}
    if not pending or actor.can(Cap.ACCOUNTS_SETUP) or not _confirmers_exist(user_id):
        return set(roles), set()
    return set(roles) - pending, pending


def _confirmers_exist(besides: int | None) -> bool:
    from kiosk.models import User, UserRole

    q = (UserRole.select().join(User)
         .where(UserRole.role.in_([Role.HEADTEACHER.value, Role.DSL.value]) & (User.active == True)))  # noqa: E712
    if besides is not None:
        q = q.where(User.id != besides)
    return q.exists()


def _request_grants(actor: Actor, user, roles) -> None:
    from kiosk.models import RoleGrant

    for role in sorted(roles):
        exists = RoleGrant.select().where((RoleGrant.user == user) & (RoleGrant.role == role.value)
                                          & (RoleGrant.decision == "pending")).exists()
        if not exists:
            g = RoleGrant.create(user=user, role=role.value, requested_by=actor.user_id,
                                 requested_at=utcnow())
            audit.record(actor, "account.grant_requested", "user", user.id,
                         {"username": user.username, "role": role.value, "grant": g.id})


def list_users(actor: Actor) -> list[UserInfo]:
    require(actor, Cap.ACCOUNTS_MANAGE)
    from kiosk.models import User

    return [_info(u) for u in User.select().order_by(User.username)]


def get_user_info(actor: Actor, username: str) -> UserInfo:
    require(actor, Cap.ACCOUNTS_MANAGE)
    return _info(user_by_name(username))


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
        user = user_by_name(username)
        if actor.user_id is not None and actor.user_id == user.id:
            raise ValidationError("role", "you cannot change your own roles; ask another administrator")
        before = _roles_of(user)
        pending = set()
        if wanted - before:
            _now, pending = _split_grants(actor, wanted - before, user.id)
            wanted = wanted - pending
            if not wanted:
                wanted = before & {Role.STAFF} or {Role.STAFF}
            _request_grants(actor, user, pending)
        # Role rows are account settings, not case records: replacing them is allowed,
        # and the audit event keeps what they were.
        UserRole.delete().where(UserRole.user == user, UserRole.role.not_in([r.value for r in wanted])).execute()
        for role in wanted - before:
            UserRole.create(user=user, role=role.value)
        if wanted != before:
            _bump(user)
            user.save()
        audit.record(actor, "account.roles", "user", user.id,
                     {"before": sorted(r.value for r in before), "after": sorted(r.value for r in wanted),
                      "pending": sorted(r.value for r in pending)})
    return _info(user)


def set_email(actor: Actor, username: str, email: str | None) -> UserInfo:
    """Set (or clear, with None or "") where the account's alert notices are e-mailed."""
    require(actor, Cap.ACCOUNTS_MANAGE)
    address = _validate_email(email)
    with dbmod.write():
        user = user_by_name(username)
        before = user.email or None
        user.email = address
        user.save()
        audit.record(actor, "account.email", "user", user.id,
                     {"username": user.username, "before": before, "after": address})
    return _info(user)


def reset_password(actor: Actor, username: str, new_password: str) -> UserInfo:
    require(actor, Cap.ACCOUNTS_MANAGE)
    user = user_by_name(username)
    check_password_policy(new_password, user.username)
    digest = hasher().hash(new_password)
    with dbmod.write():
        user = user_by_name(user.username)
        user.password_hash = digest
        user.must_change_password = True
        user.failed_attempts = 0
        user.locked_until = None
        _bump(user)
        user.save()
        audit.record(actor, "account.reset_password", "user", user.id, {"username": user.username})
    return _info(user)


@dataclass(frozen=True)
class GrantView:
    id: int
    username: str
    full_name: str
    role: str
    requested_by: str
    requested_at: datetime
    decision: str
    decided_by: str
    decided_at: datetime | None


def _grant_view(g, names: dict[int, str]) -> GrantView:
    return GrantView(g.id, g.user.username, g.user.full_name, g.role,
                     names.get(g.requested_by_id, "?") if g.requested_by_id else "the shell (kiosk users)",
                     g.requested_at, g.decision, names.get(g.decided_by_id, "") if g.decided_by_id else "",
                     g.decided_at)


def role_grants(actor: Actor, pending_only: bool = True) -> list[GrantView]:
    """Roles that read case records, asked for by an administrator (pending first)."""
    require(actor, Cap.ACCOUNTS_CONFIRM)
    from kiosk.models import RoleGrant, User

    q = RoleGrant.select(RoleGrant, User).join(User, on=(RoleGrant.user == User.id))
    if pending_only:
        q = q.where(RoleGrant.decision == "pending")
    rows = list(q.order_by(RoleGrant.requested_at.desc(), RoleGrant.id.desc()).limit(200))
    ids = {r.requested_by_id for r in rows} | {r.decided_by_id for r in rows if r.decided_by_id}
    names = {u.id: u.full_name for u in User.select().where(User.id.in_(list(ids)))} if ids else {}
    audit.record(actor, "account.grants_view", detail={"pending_only": pending_only})
    return [_grant_view(r, names) for r in rows]


def home_counts(actor: Actor) -> list:
    """For the headteacher's and the DSL's home screen: ONE count of account changes waiting
    for them, role grants and authenticator resets together, as the one "Account changes"
    screen (menu z) lists them. Shown only when there are some: a call to act. A number,
    not a view of anyone's account, so not audited (the screen is)."""
    from kiosk.services import two_factor
    from kiosk.services.actor import require_signed_in
    from kiosk.services.home import HomeCount
    from kiosk.models import RoleGrant

    require_signed_in(actor)
    if not actor.can(Cap.ACCOUNTS_CONFIRM):
        return []
    waiting = (RoleGrant.select().where(RoleGrant.decision == "pending").count()
               + two_factor.pending_reset_count(actor))
    return [HomeCount("Account changes to confirm", waiting, urgent=True, key="z")] if waiting else []


def decide_grant(actor: Actor, grant_id: int, confirm: bool, reason: str = "") -> GrantView:
    """The headteacher or the DSL confirms (the role is given) or refuses a pending grant.
    Nobody decides a grant they asked for, or one for their own account."""
    require(actor, Cap.ACCOUNTS_CONFIRM)
    from kiosk.models import RoleGrant, User, UserRole

    why = clean(reason, "reason", multiline=True, max_length=2000)
    with dbmod.write():
        g = RoleGrant.get_or_none(RoleGrant.id == grant_id)
        if g is None or g.decision != "pending":
            raise NotFound("no such pending grant")
        if actor.user_id in (g.requested_by_id, g.user_id):
            audit.record(actor, "account.grant_refused_self", "user", g.user_id, {"grant": g.id})
            raise ValidationError("grant", "someone else must decide this (you asked for it, or it is for you)")
        user = User.get_by_id(g.user_id)
        g.decision = "confirmed" if confirm else "refused"
        g.decided_by = actor.user_id
        g.decided_at = utcnow()
        g.reason = why
        g.save()
        if confirm and user.active and Role(g.role) not in _roles_of(user):
            UserRole.create(user=user, role=g.role)
            _bump(user)
            user.save()
        audit.record(actor, "account.grant_" + g.decision, "user", user.id,
                     {"username": user.username, "role": g.role, "grant": g.id})
    names = {u.id: u.full_name for u in User.select().where(User.id.in_([i for i in (g.requested_by_id, actor.user_id) if i]))}
    return _grant_view(RoleGrant.get_by_id(g.id), names)


@dataclass(frozen=True)
class AccountChange:
    at: datetime
    action: str  # "password reset", "roles changed", "account created", "deactivated", ...
    username: str
    by: str
    origin: str


_CHANGE_LABELS = {
    "account.reset_password": "password reset",
    "account.roles": "roles changed",
    "account.create": "account created",
    "account.deactivate": "deactivated",
    "account.reactivate": "reactivated",
}


def account_changes(actor: Actor, limit: int = 100) -> list[AccountChange]:
    """What administrators did to accounts lately (password resets above all), newest first:
    the headteacher's and the DSL's view of the IT administrator's work."""
    require(actor, Cap.ACCOUNTS_CONFIRM)
    import json

    from kiosk.models import AuditEvent, User

    rows = list(AuditEvent.select().where(AuditEvent.action.in_(list(_CHANGE_LABELS)))
                .order_by(AuditEvent.seq.desc()).limit(limit))
    ids = {int(r.target_id) for r in rows if r.target_type == "user" and r.target_id.isdigit()}
    names = {u.id: u.username for u in User.select().where(User.id.in_(list(ids)))} if ids else {}
    out = []
    for r in rows:
        try:
            detail = json.loads(r.detail) if r.detail else {}
        except ValueError:
            detail = {}
        who = names.get(int(r.target_id)) if r.target_id.isdigit() else None
        out.append(AccountChange(datetime.fromisoformat(r.at), _CHANGE_LABELS[r.action],
                                 who or str(detail.get("username", "?")), r.actor, r.origin))
    audit.record(actor, "account.changes_view")
    return out


def unlock(actor: Actor, username: str) -> UserInfo:
    require(actor, Cap.ACCOUNTS_MANAGE)
    with dbmod.write():
        user = user_by_name(username)
        user.failed_attempts = 0
        user.locked_until = None
        user.save()
        audit.record(actor, "account.unlock", "user", user.id, {"username": user.username})
    return _info(user)


def deactivate(actor: Actor, username: str) -> UserInfo:
    require(actor, Cap.ACCOUNTS_MANAGE)
    with dbmod.write():
        user = user_by_name(username)
        if actor.user_id == user.id:
            raise ValidationError("username", "you cannot deactivate your own account")
        if not user.active:
            raise ValidationError("username", f"{user.username!r} is already deactivated")
        user.active = False
        user.deactivated_at = utcnow()
        _bump(user)
        user.save()
        audit.record(actor, "account.deactivate", "user", user.id, {"username": user.username})
    return _info(user)


def reactivate(actor: Actor, username: str) -> UserInfo:
    require(actor, Cap.ACCOUNTS_MANAGE)
    with dbmod.write():
        user = user_by_name(username)
        user.active = True
        user.deactivated_at = None
        _bump(user)
        user.save()
        audit.record(actor, "account.reactivate", "user", user.id, {"username": user.username})
    return _info(user)


# --- login ---------------------------------------------------------------------------

@dataclass(frozen=True)
class LoginResult:
    actor: Actor
    must_change_password: bool
    previous_login_at: datetime | None
    # Told to the user at sign-in: failed attempts on their account since their last visit,
    # and when an administrator last reset their password (if since then).
    failed_since_last: int = 0
    password_reset_at: datetime | None = None


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
    from kiosk.services import accounts_sql

    name = (username or "").strip().lower()[:64]
    # Hand-written SQL (accounts_sql, beside this module) for the reads and writes of every
    # sign-in; a failed one stays on the ORM.
    user = accounts_sql.user_where("username", name) if name else None
    now = utcnow()
    if user is None or not user.active:
        _fail_without_account(name, password, origin, now, "unknown" if user is None else "inactive")
    if user.locked_until and user.locked_until > now:
        audit.record(_Origin(name, origin, user.id), "login.locked", "user", user.id)
        raise AccountLocked(locked_message(user.locked_until))
    try:
        hasher().verify(user.password_hash, password or "")
        ok = True
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    with dbmod.write():
        user = accounts_sql.user_where("id", user.id)
        if user.locked_until and user.locked_until <= now:
            # The lock has run its course: the next five tries start from nothing.
            user.failed_attempts = 0
            user.locked_until = None
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
            from kiosk.services import two_factor

            # With a second factor still to come, only a right code clears the count.
            if not two_factor.has_live_factor(user.id):
                user.failed_attempts = 0
                user.locked_until = None
            user.last_login_at = now
            if hasher().check_needs_rehash(user.password_hash):
                user.password_hash = hasher().hash(password)
                audit.record(_Origin(name, origin, user.id), "account.rehash", "user", user.id)
            accounts_sql.signed_in(user.id, user.failed_attempts, user.locked_until, user.last_login_at,
                                   user.password_hash)
            failed_since, reset_at = _since_last_visit(user.id, previous, user.must_change_password)
            audit.record(_Origin(name, origin, user.id), "login.success", "user", user.id)
    if not ok:
        if user.locked_until and user.locked_until > now:
            raise AccountLocked(locked_message(user.locked_until))
        raise AuthError(GENERIC_LOGIN_FAILURE)
    actor = actor_for(user, origin)
    if allowed_roles is None and origin.startswith("ssh:"):
        # A remote session must name the roles allowed remote access; fail closed if not.
        allowed_roles = ()
    if allowed_roles is not None and not (set(actor.roles) & {str(r) for r in allowed_roles}):
        audit.record(actor, "login.refused_role", "user", user.id, {"origin": origin})
        raise AuthError("This account may not use the console from here.")
    return LoginResult(actor, user.must_change_password, previous, failed_since, reset_at)


def _fail_without_account(name: str, password: str, origin: str, now: datetime, reason: str):
    """An unknown or deactivated name: the same work, the same counting and the same
    answers as a wrong password for a real account (a lock after MAX_FAILURES, for LOCKOUT)."""
    from kiosk.models import LoginThrottle

    who = _Origin(name or "?", origin)
    with dbmod.write():
        row = LoginThrottle.get_or_none(LoginThrottle.name == name)
        if row is not None and row.locked_until and row.locked_until > now:
            audit.record(who, "login.locked", detail={"reason": reason})
            raise AccountLocked(locked_message(row.locked_until))
    try:
        hasher().verify(_dummy_hash(), password or "")
    except VerificationError:
        pass
    with dbmod.write():
        row = LoginThrottle.get_or_none(LoginThrottle.name == name)
        if row is None:
            row = LoginThrottle(name=name, failures=0)
        if row.locked_until and row.locked_until <= now:
            row.failures, row.locked_until = 0, None
        row.failures += 1
        locked = row.failures >= MAX_FAILURES
        if locked:
            row.locked_until = now + LOCKOUT
        row.updated_at = now
        row.save()
        audit.record(who, "login.failure", detail={"reason": reason, "failures": row.failures})
        if locked:
            audit.record(who, "account.lockout", detail={"reason": reason})
        # Names tried long ago need no row (a flood of made-up names must not grow forever).
        LoginThrottle.delete().where(LoginThrottle.updated_at < now - LOCKOUT * 4).execute()
    if locked:
        raise AccountLocked(locked_message(row.locked_until))
    raise AuthError(GENERIC_LOGIN_FAILURE)


def _since_last_visit(user_id: int, previous: datetime | None,
                      must_change: bool = False) -> tuple[int, datetime | None]:
    """Failed sign-ins on the account, and the latest password reset by an administrator,
    since the user's previous sign-in (from the audit trail; hand-written SQL in
    accounts_sql, the same questions as `_since_last_visit_orm`)."""
    from kiosk.services import accounts_sql

    since = previous.isoformat(timespec="microseconds") if previous is not None else None
    failed, reset = accounts_sql.since_last_visit(user_id, since, must_change or since is None)
    return failed, accounts_sql.as_datetime(reset)


def _since_last_visit_orm(user_id: int, previous: datetime | None,
                          must_change: bool = False) -> tuple[int, datetime | None]:
    """Failed sign-ins on the account, and the latest password reset by an administrator,
    since the user's previous sign-in (from the audit trail).

    While the password still has to be changed, the reset is told whenever it was: a sign-in
    that left at the forced change never reached the home screen that tells it."""
    from kiosk.models import AuditEvent

    from peewee import fn

    mine = (AuditEvent.target_type == "user") & (AuditEvent.target_id == str(user_id))
    since = mine
    if previous is not None:
        since = mine & (AuditEvent.at > previous.isoformat(timespec="microseconds"))
    # Plain COUNT and one column (no subquery, no model row): this runs at every sign-in.
    failed = (AuditEvent.select(fn.COUNT(AuditEvent.seq))
              .where(since & AuditEvent.action.in_(["login.failure", "login.locked"])).scalar())
    resets = (mine if must_change else since) & (AuditEvent.action == "account.reset_password")
    reset = AuditEvent.select(AuditEvent.at).where(resets).order_by(AuditEvent.seq.desc()).limit(1).scalar()
    return failed, (datetime.fromisoformat(reset) if reset is not None else None)


def locked_message(until: datetime) -> str:
    from kiosk.clock import to_local

    return (
        "This account is locked after too many failed attempts. "
        f"Try again after {to_local(until):%H:%M}, or ask the IT administrator to unlock it."
    )


def change_password(actor: Actor, current: str, new: str) -> None:
    """The user changes their own password (forced after creation or reset)."""
    from kiosk.models import User

    if actor.user_id is None or not account_current(actor):
        raise SessionEnded()
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
