"""Sealed fields (TOTP secrets) under kiosk.keys.field_key(): derived from the database key
when the database is encrypted, a key file beside the data dir when plain; `kiosk rekey`
and `kiosk encrypt` re-seal them, and recovery codes keep working across both."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pyotp
import pytest

from tests.data_protection.conftest import sqlite_only


def _open(settings):
    from kiosk import schema

    return schema.open_database(settings, create=True)


def _close():
    from kiosk.db import db

    if db.obj is not None and not db.obj.is_closed():
        db.close()


def _code(secret: str, clock) -> str:
    from kiosk.services import two_factor

    clock.advance(seconds=30)  # a later step than the last accepted one
    return pyotp.TOTP(secret).generate_otp(two_factor.current_step())


def _enrol_lee(clock):
    """lee (DSL), enrolled: (secret, recovery codes)."""
    from kiosk.models import User
    from kiosk.services import accounts, two_factor
    from kiosk.services.actor import shell_actor
    from tests.conftest import STRONG_PASSWORD

    accounts.create_user(shell_actor("shell:test"), "lee", "Lee", ["dsl"], STRONG_PASSWORD,
                         must_change=False)
    lee = accounts.actor_for(User.get(User.username == "lee"), "terminal")
    started = two_factor.start_enrolment(lee)
    codes = two_factor.confirm_enrolment(
        lee, started.id, pyotp.TOTP(started.secret).generate_otp(two_factor.current_step()))
    return started.secret, codes


def _lee():
    from kiosk.models import User
    from kiosk.services import accounts

    return accounts.actor_for(User.get(User.username == "lee"), "terminal")


def _sealed():
    from kiosk.models.two_factor import TotpEnrolment

    return TotpEnrolment.get().secret


@sqlite_only
def test_sealed_under_the_database_key_when_encrypted(settings, key_file, fake_clock):
    from kiosk import fieldcrypt, keys
    from kiosk.services import two_factor

    _open(settings)
    secret, _codes = _enrol_lee(fake_clock)
    assert keys.database_is_encrypted(settings)
    assert not keys.field_key_path(settings).exists()  # nothing but the database key
    assert not (settings.data_dir / "field.key").exists()
    assert _sealed().startswith("f2:")
    derived = keys.field_key(settings)
    assert fieldcrypt.unseal(_sealed(), f"totp:user:{_lee().user_id}", derived).decode() == secret
    with pytest.raises(Exception):
        fieldcrypt.unseal(_sealed(), f"totp:user:{_lee().user_id}", os.urandom(32))
    assert two_factor.verify(_lee(), _code(secret, fake_clock)).method == "totp"
    _close()


def test_sealed_under_the_key_file_beside_a_plain_database(settings, database, fake_clock):
    from kiosk import fieldcrypt, keys
    from kiosk.services import two_factor

    secret, _codes = _enrol_lee(fake_clock)
    if not settings.db_url:
        assert not keys.database_is_encrypted(settings)
        assert keys.field_key_path(settings).exists()
        assert keys.field_key_path(settings).parent == settings.data_dir.parent
    assert not (settings.data_dir / "field.key").exists()
    assert fieldcrypt.unseal(_sealed(), f"totp:user:{_lee().user_id}",
                             keys.field_key(settings)).decode() == secret
    assert two_factor.verify(_lee(), _code(secret, fake_clock)).method == "totp"


@sqlite_only
def test_rekey_reseals_and_keeps_totp_and_recovery_codes(settings, key_file, fake_clock):
    from kiosk import fieldcrypt, keys
    from kiosk.errors import ConfigError
    from kiosk.services import backup, two_factor

    _open(settings)
    secret, codes = _enrol_lee(fake_clock)
    before, old_field = _sealed(), keys.field_key(settings)
    lee_id = _lee().user_id
    _close()
    backup.rekey(settings)
    _open(settings)
    after = _sealed()
    assert keys.field_key(settings) != old_field and after != before
    with pytest.raises(ConfigError):
        fieldcrypt.unseal(after, f"totp:user:{lee_id}", old_field)  # the old key no longer opens it
    assert two_factor.verify(_lee(), _code(secret, fake_clock)).method == "totp"
    assert two_factor.verify(_lee(), codes[0]).method == "recovery"
    assert two_factor.verify(_lee(), codes[1]).method == "recovery"
    _close()


@sqlite_only
def test_encrypting_a_plain_database_reseals_under_the_derived_key(settings, fake_clock):
    from kiosk import keys
    from kiosk.services import backup, two_factor

    _open(settings)
    secret, codes = _enrol_lee(fake_clock)
    _close()
    backup.encrypt_in_place(settings)
    assert keys.database_is_encrypted(settings)
    _open(settings)
    assert two_factor.verify(_lee(), _code(secret, fake_clock)).method == "totp"
    assert two_factor.verify(_lee(), codes[0]).method == "recovery"
    # The plain-database key file is no longer needed: the database key alone opens them.
    keys.field_key_path(settings).unlink()
    assert two_factor.verify(_lee(), _code(secret, fake_clock)).method == "totp"
    _close()


@sqlite_only
def test_the_cli_rekey_registers_the_hook_itself(settings, key_file, fake_clock):
    """`kiosk rekey` in a fresh process (which imports nothing of the second factor by
    itself) still re-seals: the hook is imported explicitly, not found by chance."""
    from kiosk.services import two_factor

    _open(settings)
    secret, codes = _enrol_lee(fake_clock)
    before = _sealed()
    _close()
    run = subprocess.run([sys.executable, "-m", "kiosk", "rekey", "--data-dir", str(settings.data_dir)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    from kiosk import keys

    keys.forget()
    _open(settings)
    assert _sealed() != before
    assert two_factor.verify(_lee(), _code(secret, fake_clock)).method == "totp"
    assert two_factor.verify(_lee(), codes[0]).method == "recovery"
    _close()


@sqlite_only
def test_a_copy_restored_elsewhere_opens_with_the_database_key_alone(settings, key_file, fake_clock, tmp_path):
    from kiosk import keys
    from kiosk.config import Settings
    from kiosk.services import two_factor

    _open(settings)
    secret, codes = _enrol_lee(fake_clock)
    _close()
    other = Settings(data_dir=tmp_path / "elsewhere" / "school")
    other.data_dir.mkdir(parents=True, mode=0o700)
    shutil.copy2(settings.db_path, other.db_path)
    keys.write_key_file(keys.db_key_path(other), keys.read_key_file(key_file))
    keys.forget()
    _open(other)
    assert not keys.field_key_path(other).exists()
    assert two_factor.verify(_lee(), _code(secret, fake_clock)).method == "totp"
    assert two_factor.verify(_lee(), codes[0]).method == "recovery"
    _close()
