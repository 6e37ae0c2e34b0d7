"""SSH public keys that let a console user reach the login screen over SSH.

A key is never enough on its own: it only chooses which console user the remote
session is for, and that person still gives their console password (two factors).
Keys are registered by an admin and removed by setting `removed_at`; rows are never
deleted. A fingerprint may be active for one user only, so a key names exactly one
person. `user_for_key` is what `kiosk serve-ssh` asks at every connection: the
answer depends on the user's state *now* (active, roles), not when the key was added.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kiosk import db as dbmod
from kiosk.capabilities import Cap
from kiosk.clock import utcnow
from kiosk.errors import NotFound, ValidationError
from kiosk.services import audit
from kiosk.services.actor import Actor, require
from kiosk.text import clean

DEFAULT_REMOTE_ROLES = ("dsl", "deputy_dsl")
MAX_KEY_TEXT = 16_384
MIN_RSA_BITS = 2048

# Reasons user_for_key gives for a refusal (also written into audit events).
UNKNOWN = "unknown key"
INACTIVE = "account deactivated"
ROLE = "role not allowed remote access"

_ACCEPTED_ALGORITHMS = (
    "ssh-ed25519",
    "ssh-ed448",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "ssh-rsa",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
)


@dataclass(frozen=True)
class KeyInfo:
    username: str
    fingerprint: str
    algorithm: str
    comment: str
    added_at: datetime
    removed_at: datetime | None


@dataclass(frozen=True)
class KeyMatch:
    """What the SSH server learns from a key (a tuple: username, allowed, reason)."""

    username: str | None
    allowed: bool
    reason: str
    user_id: int | None = None

    def __iter__(self):
        return iter((self.username, self.allowed, self.reason))


def _parse(key_text: str):
    """The one public key in `key_text` (OpenSSH format) as an asyncssh key."""
    import asyncssh

    if not isinstance(key_text, str):
        raise ValidationError("key", "must be text (an OpenSSH public key line)")
    if len(key_text) > MAX_KEY_TEXT:
        raise ValidationError("key", "is too long to be a public key")
    if "PRIVATE KEY" in key_text:
        raise ValidationError("key", "this is a private key; give the public key (the .pub file) and keep the private key secret")
    lines = [ln.strip() for ln in key_text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        raise ValidationError("key", "no public key found")
    if len(lines) > 1:
        raise ValidationError("key", "give exactly one public key (the file has several lines)")
    line = lines[0]
    if "-cert-v01@openssh.com" in line.split(" ", 1)[0]:
        raise ValidationError("key", "certificates are not accepted; give the plain public key")
    try:
        key = asyncssh.import_public_key(line)
    except (asyncssh.KeyImportError, ValueError, TypeError) as exc:
        raise ValidationError("key", f"not a valid OpenSSH public key ({exc})") from None
    algorithm = key.get_algorithm()
    if algorithm not in _ACCEPTED_ALGORITHMS:
        raise ValidationError("key", f"key type {algorithm} is not accepted; use ed25519 (ssh-keygen -t ed25519)")
    if algorithm == "ssh-rsa":
        bits = _rsa_bits(key)
        if bits is not None and bits < MIN_RSA_BITS:
            raise ValidationError("key", f"RSA keys must have at least {MIN_RSA_BITS} bits (this one has {bits})")
    return key


def _rsa_bits(key) -> int | None:
    try:
        return key.pyca_key.key_size
    except AttributeError:
        return None


def fingerprint_of(key) -> str:
    """SHA256 fingerprint as OpenSSH prints it (`SHA256:...`)."""
    return key.get_fingerprint("sha256")


def _key_data(key) -> str:
    """The canonical `algorithm base64` text, without the comment."""
    algorithm, blob = key.export_public_key("openssh").decode("ascii").split()[:2]
    return f"{algorithm} {blob}"


def _normalise_fingerprint(fingerprint: str) -> str:
    fp = clean(fingerprint, "fingerprint", required=True, max_length=120)
    if not fp.startswith(("SHA256:", "MD5:")):
        fp = "SHA256:" + fp
    return fp


def add_key(actor: Actor, username: str, key_text: str) -> str:
    """Register a public key for `username`; returns its SHA256 fingerprint."""
    require(actor, Cap.ACCOUNTS_MANAGE)
    from kiosk.models import SshKey, User

    key = _parse(key_text)
    comment_raw = key.get_comment() or ""
    comment = clean(comment_raw, "key comment", max_length=200)
    fp = fingerprint_of(key)
    data = _key_data(key)
    with dbmod.write():
        user = User.get_or_none(User.username == (username or "").strip().lower())
        if user is None:
            raise NotFound(f"no user called {username!r}")
        if not user.active:
            raise ValidationError("username", f"{user.username!r} is deactivated; reactivate the account before adding a key")
        existing = (
            SshKey.select(SshKey, User)
            .join(User)
            .where(SshKey.fingerprint == fp, SshKey.removed_at.is_null())
            .first()
        )
        if existing is not None:
            if existing.user_id == user.id:
                raise ValidationError("key", f"{fp} is already registered for {user.username!r}")
            raise ValidationError("key", f"{fp} is already registered for another account; a key may belong to one person only")
        row = SshKey.create(user=user, fingerprint=fp, public_key=data, comment=comment)
        audit.record(actor, "ssh_key.add", "user", user.id,
                     {"username": user.username, "fingerprint": fp,
                      "algorithm": key.get_algorithm(), "key_id": row.id})
    return fp


def remove_key(actor: Actor, username: str, fingerprint: str) -> None:
    """Stop a key from working (the row is kept, with when it was removed)."""
    require(actor, Cap.ACCOUNTS_MANAGE)
    from kiosk.models import SshKey, User

    fp = _normalise_fingerprint(fingerprint)
    with dbmod.write():
        user = User.get_or_none(User.username == (username or "").strip().lower())
        if user is None:
            raise NotFound(f"no user called {username!r}")
        row = (
            SshKey.select()
            .where(SshKey.user == user, SshKey.fingerprint == fp, SshKey.removed_at.is_null())
            .first()
        )
        if row is None:
            raise NotFound(f"{user.username!r} has no current key {fp}")
        row.removed_at = utcnow()
        row.save()
        audit.record(actor, "ssh_key.remove", "user", user.id,
                     {"username": user.username, "fingerprint": fp, "key_id": row.id})


def list_keys(actor: Actor, username: str, include_removed: bool = False) -> list[KeyInfo]:
    require(actor, Cap.ACCOUNTS_MANAGE)
    from kiosk.models import SshKey, User

    user = User.get_or_none(User.username == (username or "").strip().lower())
    if user is None:
        raise NotFound(f"no user called {username!r}")
    query = SshKey.select().where(SshKey.user == user)
    if not include_removed:
        query = query.where(SshKey.removed_at.is_null())
    return [
        KeyInfo(user.username, row.fingerprint, row.public_key.split(" ", 1)[0], row.comment,
                row.added_at, row.removed_at)
        for row in query.order_by(SshKey.added_at, SshKey.id)
    ]


def user_for_key(public_key, remote_roles=DEFAULT_REMOTE_ROLES) -> KeyMatch:
    """Which console user a key offered over SSH belongs to, and whether they may
    have a remote session now. `public_key` is an asyncssh key or OpenSSH key text.

    Not audited here: the SSH server audits the outcome with the remote address.
    """
    from kiosk.models import SshKey, User, UserRole

    if isinstance(public_key, (str, bytes)):
        try:
            key = _parse(public_key.decode("ascii", "replace") if isinstance(public_key, bytes) else public_key)
        except ValidationError:
            return KeyMatch(None, False, UNKNOWN)
    else:
        key = public_key
    fp = fingerprint_of(key)
    data = _key_data(key)
    row = (
        SshKey.select(SshKey, User)
        .join(User)
        .where(SshKey.fingerprint == fp, SshKey.removed_at.is_null())
        .first()
    )
    if row is None or row.public_key != data:
        return KeyMatch(None, False, UNKNOWN)
    user = row.user
    if not user.active:
        return KeyMatch(user.username, False, INACTIVE, user.id)
    roles = {r.role for r in UserRole.select(UserRole.role).where(UserRole.user == user)}
    if not roles & {str(r) for r in remote_roles}:
        return KeyMatch(user.username, False, ROLE, user.id)
    return KeyMatch(user.username, True, "", user.id)


REMOVED = "key removed"


def session_refusal(user_id: int, fingerprint: str, remote_roles=DEFAULT_REMOTE_ROLES) -> str:
    """Why a running remote console may no longer go on ("" if it may): asked by the SSH
    server every few seconds for each live session, so removing the key, deactivating the
    account or taking away the remote role ends it. Not audited here (the server is)."""
    from kiosk.models import SshKey, User, UserRole

    key = (SshKey.select(SshKey.id)
           .where(SshKey.user == user_id, SshKey.fingerprint == fingerprint, SshKey.removed_at.is_null())
           .first())
    if key is None:
        return REMOVED
    user = User.get_or_none(User.id == user_id)
    if user is None or not user.active:
        return INACTIVE
    roles = {r.role for r in UserRole.select(UserRole.role).where(UserRole.user == user_id)}
    if not roles & {str(r) for r in remote_roles}:
        return ROLE
    return ""
