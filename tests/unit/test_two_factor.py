"""The second factor's service: enrolment, codes once only, drift, recovery codes, lockout,
resets confirmed by the headteacher or DSL, and the sealed secret."""

from __future__ import annotations

import os
import stat

import pyotp
import pytest

from kiosk.errors import AccountLocked, AuthError, ConfigError, NotFound, PermissionDenied, ValidationError
from kiosk.services import accounts, two_factor
from tests.conftest import STRONG_PASSWORD, TEST_DB_URL

SQLITE_ONLY = pytest.mark.skipif(bool(TEST_DB_URL), reason="first-release key files lived in the SQLite data dir; not yet checked on PostgreSQL")


def code_at(secret: str, step: int) -> str:
    return pyotp.TOTP(secret).generate_otp(step)


@pytest.fixture
def enrolled(make_user, fake_clock):
    """lee (DSL) with a confirmed authenticator: (actor, secret, recovery codes)."""
    lee = make_user("lee", "dsl")
    started = two_factor.start_enrolment(lee)
    step = two_factor.current_step()
    codes = two_factor.confirm_enrolment(lee, started.id, code_at(started.secret, step))
    return lee, started.secret, codes


def test_who_needs_a_second_factor():
    assert two_factor.is_required(["dsl"])
    assert two_factor.is_required(["staff", "pastoral"])
    assert two_factor.is_required(["admin"])
    assert not two_factor.is_required(["staff"])
    assert not two_factor.is_required(["governor"])
    assert two_factor.is_required(["staff"], all_staff=True)


def test_after_password_says_enrol_then_verify(make_user, fake_clock):
    lee = make_user("lee", "dsl")
    sam = make_user("sam", "staff")
    assert two_factor.after_password(sam).kind == "none"
    assert two_factor.after_password(sam, all_staff=True).kind == "enrol"
    assert two_factor.after_password(lee).kind == "enrol"
    started = two_factor.start_enrolment(lee)
    assert two_factor.after_password(lee).kind == "enrol"  # not on until confirmed
    two_factor.confirm_enrolment(lee, started.id, code_at(started.secret, two_factor.current_step()))
    assert two_factor.after_password(lee).kind == "verify"


def test_enrolment_needs_a_right_code_and_gives_ten_single_use_codes(make_user, fake_clock):
    lee = make_user("lee", "dsl")
    started = two_factor.start_enrolment(lee)
    assert len(started.secret) == 32 and started.grouped.count(" ") == 7
    assert started.uri.startswith("otpauth://totp/DSL:lee?secret=" + started.secret)
    with pytest.raises(ValidationError):
        two_factor.confirm_enrolment(lee, started.id, "000000" if code_at(started.secret, two_factor.current_step()) != "000000" else "111111")
    assert not two_factor.is_enrolled(lee.user_id)
    codes = two_factor.confirm_enrolment(lee, started.id, code_at(started.secret, two_factor.current_step()))
    assert len(codes) == len(set(codes)) == 10
    assert two_factor.is_enrolled(lee.user_id)
    # A second set-up while one is live is refused (the password alone cannot replace it).
    with pytest.raises(ValidationError):
        two_factor.start_enrolment(lee)


def test_secret_and_codes_are_not_stored_in_clear(enrolled):
    from kiosk.models.two_factor import RecoveryCode, TotpEnrolment

    lee, secret, codes = enrolled
    row = TotpEnrolment.get(TotpEnrolment.user == lee.user_id)
    assert secret not in row.secret and row.secret.startswith("f2:")
    stored = {r.code_hash for r in RecoveryCode.select()}
    assert not any(c in h or c.replace("-", "") in h for c in codes for h in stored)
    assert len(stored) == 10


def test_a_code_is_accepted_once(enrolled, fake_clock):
    lee, secret, _ = enrolled
    fake_clock.advance(seconds=60)
    code = code_at(secret, two_factor.current_step())
    assert two_factor.verify(lee, code).method == "totp"
    with pytest.raises(AuthError):
        two_factor.verify(lee, code)  # replay refused
    # ... and an older code than the last accepted one is refused too.
    with pytest.raises(AuthError):
        two_factor.verify(lee, code_at(secret, two_factor.current_step() - 1))


@pytest.mark.parametrize("drift", [-1, 1])
def test_one_step_of_drift_either_way(enrolled, fake_clock, drift):
    lee, secret, _ = enrolled
    fake_clock.advance(seconds=300)
    assert two_factor.verify(lee, code_at(secret, two_factor.current_step() + drift)).method == "totp"


def test_two_steps_away_is_refused(enrolled, fake_clock):
    lee, secret, _ = enrolled
    fake_clock.advance(seconds=300)
    now = two_factor.current_step()
    for step in (now - 2, now + 2):
        with pytest.raises(AuthError):
            two_factor.verify(lee, code_at(secret, step))


def test_a_recovery_code_works_once(enrolled):
    lee, _, codes = enrolled
    typed = codes[3].upper().replace("-", " ")  # read off paper, however it is typed
    result = two_factor.verify(lee, typed)
    assert result.method == "recovery" and result.recovery_left == 9
    with pytest.raises(AuthError):
        two_factor.verify(lee, codes[3])


def test_wrong_codes_count_towards_the_lockout(enrolled, fake_clock):
    lee, secret, _ = enrolled
    # A right password does not wipe the count while a code is still owed.
    for _ in range(4):
        with pytest.raises(AuthError):
            two_factor.verify(lee, "abc")
        accounts.authenticate("lee", STRONG_PASSWORD)
    with pytest.raises(AccountLocked):
        two_factor.verify(lee, "nope")
    fake_clock.advance(seconds=60)
    with pytest.raises(AccountLocked):  # even the right code, while locked
        two_factor.verify(lee, code_at(secret, two_factor.current_step()))


def test_reset_needs_the_head_or_dsl_and_the_holder_is_told(enrolled, make_user, admin, fake_clock):
    lee, _, _ = enrolled
    head = make_user("hana", "headteacher")
    deputy = make_user("dee", "deputy_dsl")
    request = two_factor.request_reset(admin, "lee", "lost_phone")
    assert two_factor.is_enrolled(lee.user_id)  # nothing changes yet
    with pytest.raises(PermissionDenied):
        two_factor.decide_reset(deputy, request.id, True)
    with pytest.raises(PermissionDenied):
        two_factor.decide_reset(admin, request.id, True)
    with pytest.raises(ValidationError):
        two_factor.decide_reset(lee, request.id, True)  # not their own
    assert [r.username for r in two_factor.pending_resets(head)] == ["lee"]
    assert two_factor.pending_resets(lee) == []
    two_factor.decide_reset(head, request.id, True)
    assert not two_factor.is_enrolled(lee.user_id)
    with pytest.raises(NotFound):
        two_factor.decide_reset(head, request.id, True)
    step = two_factor.after_password(lee)
    assert step.kind == "enrol" and "reset" in step.notice
    assert two_factor.after_password(lee).notice == ""  # told once


def test_a_declined_reset_changes_nothing(enrolled, make_user, admin):
    lee, _, _ = enrolled
    head = make_user("hana", "headteacher")
    request = two_factor.request_reset(admin, "lee", "password_reset")
    two_factor.decide_reset(head, request.id, False)
    assert two_factor.is_enrolled(lee.user_id)


def test_provisioning_uri_fits_a_version_4_code():
    secret = pyotp.random_base32()
    for name in ("a", "lee", "alison.smith", "x" * 64):
        uri = two_factor.provisioning_uri(name, secret)
        assert len(uri) <= two_factor.QR_MAX_BYTES
        assert pyotp.parse_uri(uri).secret == secret


def _first_release_seal(key: bytes, plaintext: bytes, context: str) -> str:
    """How the first two-factor release sealed a field (written out here on purpose, so the
    test does not lean on the code it checks)."""
    import base64
    import hashlib
    import hmac

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    sub = hmac.new(key, b"kiosk-field-subkey:aes-gcm", hashlib.sha256).digest()
    nonce = os.urandom(12)
    return "f1:" + base64.urlsafe_b64encode(nonce + AESGCM(sub).encrypt(nonce, plaintext, context.encode())).decode()


def _first_release_hash(key: bytes, code: str) -> str:
    import hashlib
    import hmac

    sub = hmac.new(key, b"kiosk-field-subkey:hash:recovery-code", hashlib.sha256).digest()
    return hmac.new(sub, code.replace("-", "").encode(), hashlib.sha256).hexdigest()


@pytest.fixture
def first_release(make_user, fake_clock, settings):
    """lee enrolled as the first release left it: a `field.key` inside the data dir, the
    secret sealed "f1:" under it, recovery codes hashed under its subkey, no HMAC key row."""
    from kiosk.models import Meta
    from kiosk.models.two_factor import RecoveryCode, TotpEnrolment

    lee = make_user("lee", "dsl")
    legacy = os.urandom(32)
    path = settings.data_dir / "field.key"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(legacy)
    secret = pyotp.random_base32()
    step = two_factor.current_step()
    row = TotpEnrolment.create(user=lee.user_id, secret=_first_release_seal(legacy, secret.encode(),
                                                                            f"totp:user:{lee.user_id}"),
                               confirmed_at=fake_clock(), last_step=step)
    code = "abcd-efgh-jkmn-pqrs"
    RecoveryCode.create(enrolment=row, code_hash=_first_release_hash(legacy, code))
    Meta.delete().where(Meta.key == two_factor.RECOVERY_KEY_META).execute()
    return lee, secret, code, row.id


@SQLITE_ONLY
def test_first_release_secrets_still_read_then_move_to_the_field_key(first_release, settings, fake_clock):
    from kiosk import fieldcrypt, keys, schema
    from kiosk.db import db
    from kiosk.models.two_factor import TotpEnrolment

    lee, secret, code, row_id = first_release
    sealed = TotpEnrolment.get_by_id(row_id).secret
    assert sealed.startswith("f1:")
    assert fieldcrypt.unseal(sealed, f"totp:user:{lee.user_id}").decode() == secret  # fallback read
    db.close()
    schema.open_database(settings)  # the migration on open
    resealed = TotpEnrolment.get_by_id(row_id).secret
    assert resealed.startswith("f2:") and resealed != sealed
    # Under the new key, not the old file: it opens without the old file's help.
    os.rename(settings.data_dir / "field.key", settings.data_dir / "moved-away")
    fieldcrypt.configure(settings.data_dir)
    assert fieldcrypt.unseal(resealed, f"totp:user:{lee.user_id}", keys.field_key()).decode() == secret
    fake_clock.advance(seconds=30)
    assert two_factor.verify(lee, code_at(secret, two_factor.current_step())).method == "totp"
    assert two_factor.verify(lee, code).method == "recovery"  # the old hash still matches
    with pytest.raises(AuthError):
        two_factor.verify(lee, code)  # and only once


@SQLITE_ONLY
def test_a_first_release_key_file_others_can_read_is_refused(first_release, settings):
    from kiosk import fieldcrypt
    from kiosk.models.two_factor import TotpEnrolment

    lee, _secret, _code, row_id = first_release
    path = settings.data_dir / "field.key"
    os.chmod(path, 0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        fieldcrypt.unseal(TotpEnrolment.get_by_id(row_id).secret, f"totp:user:{lee.user_id}")
    os.chmod(path, 0o600)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_no_key_file_is_made_inside_the_data_dir(enrolled, settings):
    from kiosk import keys

    assert not (settings.data_dir / "field.key").exists()
    if not keys.database_is_encrypted(settings):
        assert stat.S_IMODE(keys.field_key_path(settings).stat().st_mode) == 0o600
        assert keys.field_key_path(settings).parent == settings.data_dir.parent


def test_a_sealed_secret_does_not_open_on_another_account():
    from kiosk import fieldcrypt

    token = fieldcrypt.seal(b"secret", "totp:user:1")
    assert fieldcrypt.unseal(token, "totp:user:1") == b"secret"
    with pytest.raises(ConfigError):
        fieldcrypt.unseal(token, "totp:user:2")


def test_config_can_require_it_for_all_staff(tmp_path):
    from kiosk.config import load_settings

    (tmp_path / "config.toml").write_text("two_factor_all_staff = true\n")
    assert load_settings(tmp_path, env={}).two_factor_all_staff is True
    (tmp_path / "config.toml").write_text("")
    assert load_settings(tmp_path, env={}).two_factor_all_staff is False
    (tmp_path / "config.toml").write_text('two_factor_all_staff = "yes"\n')
    with pytest.raises(ConfigError, match="two_factor_all_staff: must be true or false"):
        load_settings(tmp_path, env={})


def test_demo_code_is_the_code_the_console_accepts_and_only_on_demo_data(database, make_user):
    """`kiosk demo --code USER`: a person trying the demo needs no phone; a school's
    database never gives a secret away like this."""
    from kiosk.errors import NotFound, ValidationError
    from kiosk.models import Meta
    from kiosk.services import two_factor

    dana = make_user("dana", "deputy_dsl")
    with pytest.raises(ValidationError):
        two_factor.demo_code("dana")
    Meta.create(key="demo_seeded", value="2026-01-01")
    with pytest.raises(NotFound):
        two_factor.demo_code("dana")  # nothing set up yet
    started = two_factor.start_enrolment(dana)
    two_factor.confirm_enrolment(dana, started.id, two_factor.demo_code("dana"))
    assert two_factor.is_enrolled(dana.user_id)
    with pytest.raises(NotFound):
        two_factor.demo_code("nobody")
