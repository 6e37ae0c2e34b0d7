"""The second factor at sign-in: TOTP (RFC 6238) enrolment, codes, recovery codes, resets.

Who needs it: every role that can read case records or manage accounts
(`capabilities.SECOND_FACTOR_ROLES`), and everyone when `two_factor_all_staff` is set.
A code is accepted once: the time step of the last accepted code is stored and only a
later step passes, with one step (30 s) of drift either way. Wrong codes count towards
the same lockout as wrong passwords, and a correct password alone no longer clears that
count for an enrolled account (else password + four guesses could repeat for ever).

Secrets are sealed with kiosk.fieldcrypt (AES-GCM) under kiosk.keys.field_key(), which
derives from the database key when the database is encrypted; `kiosk rekey` and `kiosk
encrypt` change that key, and `_rekey_hook` (in keys.REKEY_HOOKS) re-seals every secret.
Recovery codes (random, ~79 bits) are kept only as HMACs. Their HMAC key is a random key
of its own, stored in the database (Meta, RECOVERY_KEY_META) sealed under the field key:
a rekey re-seals that wrapper but never changes the HMAC key itself, so the hashes of
codes already on paper stay valid (they cannot be re-hashed: the codes are not stored);
it travels with a backup, and a copy of the database without the field key cannot test
guesses. An administrator may ask for someone's second factor to
be cleared (password reset, lost phone); it is cleared only when the headteacher or the
DSL confirms, never by the holder or the requester, and the holder is told at their
next sign-in.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone

import pyotp

from kiosk import db as dbmod
from kiosk import fieldcrypt
from kiosk.capabilities import SECOND_FACTOR_ROLES, Cap, Role
from kiosk.clock import fmt_local, utcnow
from kiosk.errors import AccountLocked, AuthError, NotFound, ValidationError
from kiosk.services import audit
from kiosk.services.actor import Actor, require

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1
RECOVERY_CODES = 10
# No 0/o, 1/l/i: codes are read off paper.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 16  # 16 * log2(31) ~ 79 bits
ISSUER = "DSL"
# At error level L a version-4 QR code holds 78 bytes: 37 columns and 19 (half-block)
# rows with a 2-module quiet zone, so it fits beside the secret at 80x24.
QR_MAX_BYTES = 78
RECOVERY_KEY_META = "2fa.recovery_hmac_key"
RECOVERY_KEY_CONTEXT = "meta:" + RECOVERY_KEY_META
CODE_REFUSED = "That code was not accepted. Type the 6 digits your app shows now, or a recovery code."


# --- who needs a second factor -------------------------------------------------------

def is_required(roles, all_staff: bool = False) -> bool:
    if all_staff:
        return True
    return any(Role(r) in SECOND_FACTOR_ROLES for r in roles)


@dataclass(frozen=True)
class LoginStep:
    """What the sign-in needs after a correct password: "none", "verify" or "enrol"."""

    kind: str
    notice: str = ""  # e.g. "your second factor was reset on ..." (told once)


def after_password(actor: Actor, all_staff: bool = False) -> LoginStep:
    """Called once the password was right. Tells the holder (once) of a confirmed reset."""
    from kiosk.models.two_factor import TotpEnrolment

    live = _live(actor.user_id)
    if live is not None:
        return LoginStep("verify")
    if not is_required(actor.roles, all_staff):
        return LoginStep("none")
    notice = ""
    with dbmod.write():
        untold = (TotpEnrolment.select()
                  .where(TotpEnrolment.user == actor.user_id, TotpEnrolment.ended_reason == "reset",
                         TotpEnrolment.holder_told_at.is_null())
                  .order_by(TotpEnrolment.ended_at.desc()))
        rows = list(untold)
        if rows:
            notice = (f"Your authenticator was reset on {fmt_local(rows[0].ended_at)} at the "
                      "administrator's request, confirmed by the headteacher or DSL. If you did "
                      "not ask for this, tell the headteacher or DSL now.")
            TotpEnrolment.update(holder_told_at=utcnow()).where(
                TotpEnrolment.id.in_([r.id for r in rows])).execute()
            audit.record(actor, "2fa.reset_told", "user", actor.user_id)
    return LoginStep("enrol", notice)


# --- enrolment -----------------------------------------------------------------------

@dataclass(frozen=True)
class Enrolment:
    id: int
    secret: str  # base32, shown in groups for typing
    uri: str  # otpauth:// for the QR code

    @property
    def grouped(self) -> str:
        return " ".join(self.secret[i:i + 4] for i in range(0, len(self.secret), 4))


def provisioning_uri(username: str, secret: str) -> str:
    """The otpauth URI, kept within a version-4 QR code (usernames are [a-z0-9._-])."""
    name = username[: QR_MAX_BYTES - len(f"otpauth://totp/{ISSUER}:?secret={secret}")]
    uri = f"otpauth://totp/{ISSUER}:{name}?secret={secret}"
    with_issuer = f"{uri}&issuer={ISSUER}"
    return with_issuer if len(with_issuer) <= QR_MAX_BYTES else uri


def _context(user_id: int) -> str:
    return f"totp:user:{user_id}"


def _live(user_id):
    from kiosk.models.two_factor import TotpEnrolment

    return (TotpEnrolment.select()
            .where(TotpEnrolment.user == user_id, TotpEnrolment.confirmed_at.is_null(False),
                   TotpEnrolment.ended_at.is_null())
            .first())


def is_enrolled(user_id: int) -> bool:
    return _live(user_id) is not None


def start_enrolment(actor: Actor) -> Enrolment:
    """A new secret for the signed-in person. Refused while one is live: replacing a
    working factor needs a confirmed reset, never the password alone."""
    from kiosk.models.two_factor import TotpEnrolment

    secret = pyotp.random_base32()  # 160 bits, as RFC 4226 recommends
    with dbmod.write():
        if _live(actor.user_id) is not None:
            raise ValidationError("authenticator", "is already set up for this account")
        TotpEnrolment.update(ended_at=utcnow(), ended_reason="abandoned").where(
            TotpEnrolment.user == actor.user_id, TotpEnrolment.confirmed_at.is_null(),
            TotpEnrolment.ended_at.is_null()).execute()
        row = TotpEnrolment.create(user=actor.user_id,
                                   secret=fieldcrypt.seal(secret.encode(), _context(actor.user_id)))
        audit.record(actor, "2fa.enrol_start", "user", actor.user_id)
    return Enrolment(row.id, secret, provisioning_uri(actor.username, secret))


def confirm_enrolment(actor: Actor, enrolment_id: int, code: str) -> list[str]:
    """The first code from the new authenticator turns it on. Returns the ten recovery
    codes: the only time they exist in clear."""
    from kiosk.models.two_factor import RecoveryCode, TotpEnrolment

    now = utcnow()
    row = TotpEnrolment.get_or_none(TotpEnrolment.id == enrolment_id)
    if (row is None or row.user_id != actor.user_id or row.ended_at is not None
            or row.confirmed_at is not None):
        raise NotFound("that set-up has ended; sign in again to start it afresh")
    step = _matching_step(_secret(row), code, row.last_step, now)
    if step is None:
        audit.record(actor, "2fa.enrol_code_refused", "user", actor.user_id)
        raise ValidationError("code", "does not match; check the app's clock and try the next code")
    with dbmod.write():
        row = TotpEnrolment.get_by_id(enrolment_id)
        if row.confirmed_at is not None or row.ended_at is not None or _live(actor.user_id) is not None:
            raise ValidationError("authenticator", "is already set up for this account")
        row.confirmed_at = now
        row.last_step = step
        row.save()
        codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
        for code_text in codes:
            RecoveryCode.create(enrolment=row, code_hash=_hash_recovery(code_text))
        audit.record(actor, "2fa.enrolled", "user", actor.user_id)
    return codes


# --- sign-in -------------------------------------------------------------------------

@dataclass(frozen=True)
class Verified:
    method: str  # "totp" or "recovery"
    recovery_left: int


def verify(actor: Actor, code: str) -> Verified:
    """Check the code after the password. Raises AuthError / AccountLocked."""
    from kiosk.models import User
    from kiosk.services.accounts import locked_message

    now = utcnow()
    # Errors are raised after the transaction: raising inside would roll back the count.
    failure: AuthError | None = None
    with dbmod.write():
        user = User.get_by_id(actor.user_id)
        if user.locked_until and user.locked_until > now:
            audit.record(actor, "login.locked", "user", user.id, {"stage": "second_factor"})
            failure = AccountLocked(locked_message(user.locked_until))
        row = _live(user.id) if failure is None else None
        if row is None and failure is None:
            failure = AuthError("No authenticator is set up for this account; sign in again.")
        if failure is None:
            method, left, failure = _check_code(actor, user, row, code, now)
    if failure is not None:
        raise failure
    return Verified(method, left)


def _check_code(actor, user, row, code, now):
    """Inside verify's transaction: (method, recovery codes left, error or None)."""
    from kiosk.models.two_factor import RecoveryCode, TotpEnrolment
    from kiosk.services.accounts import LOCKOUT, MAX_FAILURES, locked_message

    method = None
    step = _matching_step(_secret(row), code, row.last_step, now)
    if step is not None:
        TotpEnrolment.update(last_step=step).where(TotpEnrolment.id == row.id).execute()
        method = "totp"
    else:
        normal = _normal_recovery(code)
        if normal:
            used = (RecoveryCode.update(used_at=now)
                    .where(RecoveryCode.enrolment == row.id,
                           RecoveryCode.code_hash == _hash_recovery(normal),
                           RecoveryCode.used_at.is_null())
                    .execute())
            if used:
                method = "recovery"
    if method is None:
        user.failed_attempts += 1
        locked = user.failed_attempts >= MAX_FAILURES
        if locked:
            user.locked_until = now + LOCKOUT
        user.save()
        audit.record(actor, "2fa.failure", "user", user.id, {"failures": user.failed_attempts})
        if locked:
            audit.record(actor, "account.lockout", "user", user.id)
            return None, 0, AccountLocked(locked_message(user.locked_until))
        return None, 0, AuthError(CODE_REFUSED)
    user.failed_attempts = 0
    user.locked_until = None
    user.save()
    left = (RecoveryCode.select()
            .where(RecoveryCode.enrolment == row.id, RecoveryCode.used_at.is_null()).count())
    audit.record(actor, "2fa.success", "user", user.id, {"method": method, "recovery_left": left})
    return method, left, None


def has_live_factor(user_id: int) -> bool:
    """For accounts.authenticate: a correct password alone must not clear the failure
    count of an account that still has to give a code."""
    from kiosk.services import fastsql

    # The question `_live` asks, as one indexed row or none (asked at every sign-in).
    return fastsql.first("SELECT id FROM totp_enrolment WHERE user_id = ? AND confirmed_at IS NOT NULL "
                         "AND ended_at IS NULL LIMIT 1", (user_id,)) is not None


# --- resets (password reset, lost phone) ---------------------------------------------

@dataclass(frozen=True)
class ResetRequest:
    id: int
    username: str
    full_name: str
    reason: str
    requested_by: str
    requested_at: datetime


def _request_info(row) -> ResetRequest:
    return ResetRequest(row.id, row.user.username, row.user.full_name, row.reason,
                        row.requested_by, row.requested_at)


def request_reset(actor: Actor, username: str, reason: str = "lost_phone") -> ResetRequest:
    """An administrator asks for someone's second factor to be cleared. Nothing changes
    until the headteacher or the DSL confirms (confirm_reset)."""
    require(actor, Cap.ACCOUNTS_MANAGE)
    from kiosk.models.two_factor import TwoFactorReset
    from kiosk.services.accounts import user_by_name

    if reason not in ("lost_phone", "password_reset"):
        raise ValidationError("reason", "must be lost_phone or password_reset")
    with dbmod.write():
        user = user_by_name(username)
        if _live(user.id) is None:
            raise ValidationError("username", f"{user.username!r} has no authenticator set up")
        pending = (TwoFactorReset.select()
                   .where(TwoFactorReset.user == user, TwoFactorReset.decided_at.is_null()).first())
        if pending is not None:
            return _request_info(pending)
        row = TwoFactorReset.create(user=user, reason=reason, requested_by=actor.username,
                                    requested_by_id=actor.user_id, requested_origin=actor.origin)
        audit.record(actor, "2fa.reset_requested", "user", user.id,
                     {"username": user.username, "reason": reason, "request": row.id})
    return _request_info(row)


def pending_resets(actor: Actor) -> list[ResetRequest]:
    require(actor, Cap.ACCOUNTS_CONFIRM)
    from kiosk.models.two_factor import TwoFactorReset

    rows = (TwoFactorReset.select().where(TwoFactorReset.decided_at.is_null())
            .order_by(TwoFactorReset.requested_at))
    return [_request_info(r) for r in rows if r.user_id != actor.user_id]


def decide_reset(actor: Actor, request_id: int, confirm: bool) -> ResetRequest:
    """The headteacher or DSL confirms (the factor is cleared now) or declines."""
    require(actor, Cap.ACCOUNTS_CONFIRM)
    from kiosk.models.two_factor import TotpEnrolment, TwoFactorReset

    now = utcnow()
    with dbmod.write():
        row = TwoFactorReset.get_or_none(TwoFactorReset.id == request_id)
        if row is None or row.decided_at is not None:
            raise NotFound("that request has already been decided or does not exist")
        if row.user_id == actor.user_id:
            raise ValidationError("request", "someone else must confirm a reset of your own account")
        if row.requested_by_id is not None and row.requested_by_id == actor.user_id:
            raise ValidationError("request", "the person who asked cannot also confirm it")
        row.decided_by = actor.user_id
        row.decided_at = now
        row.decision = "confirmed" if confirm else "declined"
        row.save()
        if confirm:
            TotpEnrolment.update(ended_at=now, ended_reason="reset").where(
                TotpEnrolment.user == row.user_id, TotpEnrolment.ended_at.is_null()).execute()
        audit.record(actor, "2fa.reset_" + row.decision, "user", row.user_id,
                     {"username": row.user.username, "reason": row.reason, "request": row.id,
                      "requested_by": row.requested_by})
    return _request_info(row)


def pending_reset_count(actor: Actor) -> int:
    """How many resets wait for this person (for the one "Account changes" home count,
    kiosk.services.accounts.home_counts)."""
    require(actor, Cap.ACCOUNTS_CONFIRM)
    from kiosk.models.two_factor import TwoFactorReset

    query = TwoFactorReset.select().where(TwoFactorReset.decided_at.is_null())
    if actor.user_id is not None:
        query = query.where(TwoFactorReset.user != actor.user_id)
    return query.count()


def demo_code(username: str) -> str:
    """The current code of a demo account's authenticator (being set up, or set up), for
    `kiosk demo --code`: someone trying the demo needs no phone. Refused on any database the
    demo did not seed, so a school's secrets never leave this way."""
    from kiosk.models import Meta, User
    from kiosk.models.two_factor import TotpEnrolment

    if Meta.get_or_none(Meta.key == "demo_seeded") is None:
        raise ValidationError("--code", "works only on the demo school's data")
    user = User.get_or_none(User.username == username)
    row = None if user is None else (
        TotpEnrolment.select().where(TotpEnrolment.user == user.id, TotpEnrolment.ended_at.is_null())
        .order_by(TotpEnrolment.id.desc()).first())
    if row is None:
        raise NotFound(f"{username} has no authenticator yet: sign in as {username} first, "
                       "then ask again while the console shows the set-up")
    return pyotp.TOTP(_secret(row)).at(utcnow().replace(tzinfo=timezone.utc))


# --- internals -----------------------------------------------------------------------

def _secret(row) -> str:
    return fieldcrypt.unseal(row.secret, _context(row.user_id)).decode()


def current_step(now: datetime | None = None) -> int:
    moment = (now or utcnow()).replace(tzinfo=timezone.utc)
    return int(moment.timestamp()) // STEP_SECONDS


def _matching_step(secret: str, code: str, last_step: int, now: datetime) -> int | None:
    """The step whose code this is, within one step of now and later than the last one
    accepted; None if there is none. Compared in constant time."""
    typed = "".join((code or "").split())
    if len(typed) != DIGITS or not typed.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    centre = current_step(now)
    found = None
    for step in range(centre - DRIFT_STEPS, centre + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), typed) and step > last_step and found is None:
            found = step
    return found


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, RECOVERY_LENGTH, 4))


def _normal_recovery(code: str) -> str:
    text = "".join(c for c in (code or "").lower() if c not in " -")
    if len(text) != RECOVERY_LENGTH or any(c not in RECOVERY_ALPHABET for c in text):
        return ""
    return text


def _hash_recovery(code: str) -> str:
    return fieldcrypt.keyed_hash(_normal_recovery(code) or code, _recovery_key())


def _recovery_key() -> bytes:
    """The HMAC key for recovery codes, made on first need. Where the first release's
    data-dir key file is still there, its recovery-code subkey is adopted (so the hashes
    it wrote still match); otherwise a fresh random key."""
    from kiosk.models import Meta

    row = Meta.get_or_none(Meta.key == RECOVERY_KEY_META)
    if row is None:
        raw = (fieldcrypt.legacy_hash_key("recovery-code") if fieldcrypt.has_legacy_key()
               else secrets.token_bytes(32))
        with dbmod.write():
            Meta.insert(key=RECOVERY_KEY_META,
                        value=fieldcrypt.seal(raw, RECOVERY_KEY_CONTEXT)).on_conflict_ignore().execute()
        row = Meta.get(Meta.key == RECOVERY_KEY_META)  # another process may have won
    return fieldcrypt.unseal(row.value, RECOVERY_KEY_CONTEXT)


# --- keys changing under the sealed secrets --------------------------------------------

def _reseal_all(old_key: bytes | None, new_key: bytes | None) -> int:
    """Re-seal every TOTP secret and the recovery HMAC key under `new_key` (None: the
    current field key), opening "f2:" values with `old_key` and "f1:" with the legacy
    file. One transaction: all or nothing. Returns how many values were re-sealed."""
    from kiosk.models import Meta
    from kiosk.models.two_factor import TotpEnrolment

    count = 0
    with dbmod.write():
        meta = Meta.get_or_none(Meta.key == RECOVERY_KEY_META)
        if meta is not None:
            plain = fieldcrypt.unseal(meta.value, RECOVERY_KEY_CONTEXT, old_key)
            Meta.update(value=fieldcrypt.seal(plain, RECOVERY_KEY_CONTEXT, new_key)).where(
                Meta.key == RECOVERY_KEY_META).execute()
            count += 1
        elif fieldcrypt.has_legacy_key() and TotpEnrolment.select().exists():
            # Adopt the legacy HMAC key before the old file stops mattering.
            Meta.insert(key=RECOVERY_KEY_META, value=fieldcrypt.seal(
                fieldcrypt.legacy_hash_key("recovery-code"), RECOVERY_KEY_CONTEXT, new_key)).execute()
            count += 1
        for row in TotpEnrolment.select(TotpEnrolment.id, TotpEnrolment.user, TotpEnrolment.secret):
            context = _context(row.user_id)
            plain = fieldcrypt.unseal(row.secret, context, old_key)
            TotpEnrolment.update(secret=fieldcrypt.seal(plain, context, new_key)).where(
                TotpEnrolment.id == row.id).execute()
            count += 1
    return count


def reseal_legacy() -> int:
    """On open: re-seal values still under the first release's data-dir key ("f1:") under
    the field key, so a copy of the data dir (which holds that old file) no longer opens
    them. Cheap when there is nothing to do."""
    from kiosk.models import Meta
    from kiosk.models.two_factor import TotpEnrolment

    if not fieldcrypt.has_legacy_key():
        return 0
    legacy = fieldcrypt.LEGACY_PREFIX + "%"
    waiting = (TotpEnrolment.select().where(TotpEnrolment.secret ** legacy).exists()
               or Meta.select().where(Meta.key == RECOVERY_KEY_META, Meta.value ** legacy).exists()
               or (TotpEnrolment.select().exists()
                   and Meta.get_or_none(Meta.key == RECOVERY_KEY_META) is None))
    if not waiting:
        return 0
    count = _reseal_all(None, None)
    audit.record("system", "2fa.resealed", "field_key", "", {"values": count})
    return count


def _rekey_hook(settings, old_field: bytes, new_field: bytes) -> None:
    """keys.REKEY_HOOKS: the field key changed (rekey, encrypt); re-seal under the new one."""
    from kiosk.db import db
    from kiosk.schema import open_database

    if old_field == new_field:
        return
    was_closed = db.is_closed() if hasattr(db, "is_closed") else True
    open_database(settings, create=False)
    try:
        count = _reseal_all(old_field, new_field)
        if count:
            audit.record("system", "2fa.resealed", "field_key", "", {"values": count})
    finally:
        if was_closed:
            db.close()


def _register() -> None:
    from kiosk import keys

    if _rekey_hook not in keys.REKEY_HOOKS:
        keys.REKEY_HOOKS.append(_rekey_hook)


_register()
