"""Every admin CLI command and its errors: one line on stderr, non-zero, no partial change."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from kiosk.cli import main
from kiosk.db import db
from tests.conftest import STRONG_PASSWORD, TEST_DB_URL
from tests.unit.cli_helpers import init, run


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert "kiosk 0.1.0" in capsys.readouterr().out


def test_python_dash_m_kiosk_runs():
    result = subprocess.run([sys.executable, "-m", "kiosk", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("kiosk ")


def test_init_creates_owner_only_data_dir_database_and_admin(monkeypatch, capsys, data_dir):
    code, out, err = init(monkeypatch, capsys)
    assert code == 0, err
    assert "created admin 'root-admin'" in out
    if not TEST_DB_URL:
        assert stat.S_IMODE(os.stat(data_dir).st_mode) == 0o700
        assert stat.S_IMODE(os.stat(data_dir / "kiosk.sqlite3").st_mode) == 0o600
    code, out, err = run(monkeypatch, capsys, "users", "list")
    assert code == 0 and "root-admin" in out and "admin" in out


def test_init_twice_with_admin_is_refused(monkeypatch, capsys, data_dir):
    init(monkeypatch, capsys)
    code, out, err = init(monkeypatch, capsys)
    assert code == 1 and "already has accounts" in err


@pytest.mark.skipif(bool(TEST_DB_URL), reason="checks the SQLite data dir is not created")
def test_init_with_short_password_changes_nothing(monkeypatch, capsys, data_dir):
    code, out, err = init(monkeypatch, capsys, password="short")
    assert code == 1
    assert err.count("\n") == 1 and "password" in err and "Traceback" not in err
    assert not data_dir.exists()


def test_users_add_list_reset_unlock_deactivate(monkeypatch, capsys, data_dir):
    init(monkeypatch, capsys)
    code, out, err = run(monkeypatch, capsys, "users", "add", "jsmith", "--role", "staff",
                         "--role", "pastoral", "--full-name", "Jo Smith", "--password-stdin",
                         stdin="temporary-pass-123\n")
    assert code == 0, err
    code, out, _ = run(monkeypatch, capsys, "users", "list")
    line = next(ln for ln in out.splitlines() if ln.startswith("jsmith"))
    assert "pastoral,staff" in line and "must change password" in line
    assert run(monkeypatch, capsys, "users", "reset-password", "jsmith", "--password-stdin",
               stdin="another-temp-pass-9\n")[0] == 0
    assert run(monkeypatch, capsys, "users", "unlock", "jsmith")[0] == 0
    assert run(monkeypatch, capsys, "users", "set-roles", "jsmith", "--role", "dsl")[0] == 0
    assert run(monkeypatch, capsys, "users", "deactivate", "jsmith")[0] == 0
    code, out, _ = run(monkeypatch, capsys, "users", "list")
    assert "deactivated" in next(ln for ln in out.splitlines() if ln.startswith("jsmith"))
    code, _, err = run(monkeypatch, capsys, "users", "deactivate", "jsmith")
    assert code == 1 and "already deactivated" in err
    # Each was audited as done from the shell.
    code, out, _ = run(monkeypatch, capsys, "audit", "verify")
    assert code == 0
    from kiosk.cli.common import open_db
    from kiosk.models import AuditEvent

    class A:
        data_dir = None
        db_url = None

    open_db(A())
    actions = [e.action for e in AuditEvent.select().order_by(AuditEvent.seq)]
    origins = {e.origin for e in AuditEvent.select()}
    assert {"account.create", "account.reset_password", "account.unlock", "account.roles",
            "account.deactivate"} <= set(actions)
    assert all(o.startswith("shell:") for o in origins)


@pytest.mark.parametrize(
    "argv, stdin, message",
    [
        (["users", "add", "x1", "--role", "wizard", "--full-name", "X", "--password-stdin"],
         "temporary-pass-123\n", "unknown role 'wizard'"),
        (["users", "add", "root-admin", "--role", "staff", "--full-name", "X", "--password-stdin"],
         "temporary-pass-123\n", "already taken"),
        (["users", "add", "x2", "--role", "staff", "--full-name", "X", "--password-stdin"],
         "short\n", "at least 12 characters"),
        (["users", "add", "x3", "--role", "staff", "--full-name", "X", "--password-stdin"],
         "", "nothing was given"),
        (["users", "add", "x4", "--role", "staff", "--full-name", "bad\x1b]0;x", "--password-stdin"],
         "temporary-pass-123\n", "control characters"),
        (["users", "unlock", "ghost"], "", "no user called 'ghost'"),
    ],
)
def test_user_errors_are_one_line_and_change_nothing(monkeypatch, capsys, data_dir, argv, stdin, message):
    init(monkeypatch, capsys)
    before = run(monkeypatch, capsys, "users", "list")[1]
    code, out, err = run(monkeypatch, capsys, *argv, stdin=stdin)
    assert code == 1
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert run(monkeypatch, capsys, "users", "list")[1] == before


@pytest.mark.skipif(bool(TEST_DB_URL), reason="SQLite data dir errors")
def test_missing_data_dir(monkeypatch, capsys, data_dir):
    code, _, err = run(monkeypatch, capsys, "users", "list")
    assert code == 1 and "run 'kiosk init'" in err
    assert not data_dir.exists()


@pytest.mark.skipif(bool(TEST_DB_URL), reason="SQLite data dir errors")
def test_data_dir_that_is_a_file(monkeypatch, capsys, data_dir):
    data_dir.write_text("not a directory")
    code, _, err = run(monkeypatch, capsys, "users", "list")
    assert code == 1 and "is a file" in err and "Traceback" not in err


@pytest.mark.skipif(bool(TEST_DB_URL), reason="SQLite file errors")
def test_corrupt_database_file(monkeypatch, capsys, data_dir):
    data_dir.mkdir(mode=0o700)
    (data_dir / "kiosk.sqlite3").write_bytes(b"this is not sqlite at all" * 100)
    code, _, err = run(monkeypatch, capsys, "users", "list")
    assert code == 1 and "damaged or not a database" in err and err.count("\n") == 1


def test_bad_config_names_file_key_and_fix(monkeypatch, capsys, data_dir):
    init(monkeypatch, capsys)
    data_dir.mkdir(parents=True, exist_ok=True)  # on PostgreSQL init makes no SQLite data dir
    (data_dir / "config.toml").write_text("idle_timout_seconds = 30\n")
    code, _, err = run(monkeypatch, capsys, "users", "list")
    assert code == 1 and "config.toml: idle_timout_seconds: unknown setting" in err


@pytest.mark.skipif(bool(TEST_DB_URL), reason="SQLite locking")
def test_database_locked_past_timeout_is_reported(monkeypatch, capsys, data_dir):
    import sqlite3

    from kiosk import db as dbmod

    init(monkeypatch, capsys)
    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_SECONDS", 0.2)
    monkeypatch.setitem(dbmod.SQLITE_PRAGMAS, "busy_timeout", 200)
    holder = sqlite3.connect(data_dir / "kiosk.sqlite3", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        code, _, err = run(monkeypatch, capsys, "users", "unlock", "root-admin")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 1 and "stayed locked" in err


def test_audit_verify_names_the_altered_event(monkeypatch, capsys, data_dir):
    init(monkeypatch, capsys)
    from kiosk.cli.common import open_db
    from kiosk.models import AuditEvent

    class A:
        data_dir = None
        db_url = None

    open_db(A())
    from kiosk import appendonly

    appendonly.drop_triggers()  # someone with the file drops the append-only triggers first
    AuditEvent.update(actor="mallory").where(AuditEvent.seq == 1).execute()
    db.close()
    code, out, err = run(monkeypatch, capsys, "audit", "verify")
    assert code == 2 and "event 1" in err and "altered" in err


def test_init_with_profile_installs_it(monkeypatch, capsys, data_dir):
    from importlib.resources import files

    profile = files("kiosk.rules") / "default_profile.toml"
    code, out, err = run(monkeypatch, capsys, "init", "--admin", "root-admin", "--password-stdin",
                         "--profile", str(profile), stdin=STRONG_PASSWORD + "\n")
    assert code == 0, err
    if not TEST_DB_URL:
        assert (data_dir / "profile.toml").exists()
        assert 'profile = "profile.toml"' in (data_dir / "config.toml").read_text()


def test_init_with_bad_profile_changes_nothing(monkeypatch, capsys, data_dir, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("this is = = not toml")
    code, _, err = run(monkeypatch, capsys, "init", "--admin", "root-admin", "--password-stdin",
                       "--profile", str(bad), stdin=STRONG_PASSWORD + "\n")
    assert code == 1 and "bad.toml" in err
    assert not data_dir.exists()


@pytest.mark.skipif(bool(TEST_DB_URL), reason="checks files in the SQLite data dir")
def test_init_copies_a_relative_procedures_file_with_the_profile(monkeypatch, capsys, data_dir, tmp_path):
    from importlib.resources import files

    src = tmp_path / "src"
    src.mkdir()
    text = (files("kiosk.rules") / "default_profile.toml").read_text(encoding="utf-8")
    text = text.replace('# file = "child-protection-procedures.txt"', 'file = "our-procedures.txt"')
    (src / "profile.toml").write_text(text, encoding="utf-8")
    (src / "our-procedures.txt").write_text(
        (files("kiosk.rules") / "procedures.txt").read_text(encoding="utf-8"), encoding="utf-8"
    )
    code, out, err = run(monkeypatch, capsys, "init", "--admin", "root-admin", "--password-stdin",
                         "--profile", str(src / "profile.toml"), stdin=STRONG_PASSWORD + "\n")
    assert code == 0, err
    from kiosk.rules import load_profile

    installed = load_profile(data_dir / "profile.toml")
    assert installed.procedures_file == data_dir / "our-procedures.txt"
    assert installed.procedures_file.is_file()


def test_users_add_list_and_remove_keys(monkeypatch, capsys, data_dir, tmp_path):
    import asyncssh

    init(monkeypatch, capsys)
    run(monkeypatch, capsys, "users", "add", "dana", "--role", "deputy_dsl", "--full-name", "Dana",
        "--password-stdin", stdin="temporary-pass-123\n")
    key = asyncssh.generate_private_key("ssh-ed25519", comment="dana@laptop")
    (tmp_path / "dana.pub").write_bytes(key.export_public_key())
    code, out, err = run(monkeypatch, capsys, "users", "add-key", "dana", str(tmp_path / "dana.pub"))
    assert code == 0, err
    fingerprint = out.split()[2]
    assert fingerprint.startswith("SHA256:")
    code, out, _ = run(monkeypatch, capsys, "users", "list-keys", "dana")
    assert code == 0 and fingerprint in out and "dana@laptop" in out
    assert run(monkeypatch, capsys, "users", "remove-key", "dana", fingerprint)[0] == 0
    assert "has no SSH keys" in run(monkeypatch, capsys, "users", "list-keys", "dana")[1]
    assert "removed" in run(monkeypatch, capsys, "users", "list-keys", "dana", "--all")[1]
    code, _, err = run(monkeypatch, capsys, "users", "add-key", "dana", str(tmp_path / "missing.pub"))
    assert code == 1 and "cannot read the key file" in err


def test_reset_2fa_for_a_lost_phone_waits_for_the_head_or_dsl(monkeypatch, capsys, data_dir):
    init(monkeypatch, capsys)
    # The school's first headteacher gets the role at once; the DSL role then waits for her.
    for name, role in (("hana", "headteacher"), ("lee", "dsl")):
        assert run(monkeypatch, capsys, "users", "add", name, "--role", role, "--full-name", name,
                   "--password-stdin", stdin="temporary-pass-123\n")[0] == 0
    code, _, err = run(monkeypatch, capsys, "users", "reset-2fa", "lee")
    assert code == 1 and "no authenticator" in err  # nothing to reset yet

    import pyotp

    from kiosk.cli.common import open_db
    from kiosk.models import AuditEvent, User
    from kiosk.services import accounts, two_factor

    class A:
        data_dir = None
        db_url = None

    open_db(A())

    def actor(name):
        return accounts.actor_for(User.get(User.username == name), "terminal")

    started = two_factor.start_enrolment(actor("lee"))
    two_factor.confirm_enrolment(actor("lee"), started.id,
                                 pyotp.TOTP(started.secret).generate_otp(two_factor.current_step()))
    code, out, _ = run(monkeypatch, capsys, "users", "list")
    assert "authenticator on" in next(ln for ln in out.splitlines() if ln.startswith("lee"))
    code, out, err = run(monkeypatch, capsys, "users", "reset-2fa", "lee")
    assert code == 0, err
    assert "headteacher or the DSL confirms" in out
    open_db(A())
    assert two_factor.is_enrolled(actor("lee").user_id)  # not yet
    # A password reset may ask for the same; one request is kept, not two.
    assert run(monkeypatch, capsys, "users", "reset-password", "lee", "--clear-2fa",
               "--password-stdin", stdin="another-temp-pass-9\n")[0] == 0
    open_db(A())
    (request,) = two_factor.pending_resets(actor("hana"))
    two_factor.decide_reset(actor("hana"), request.id, True)
    assert not two_factor.is_enrolled(actor("lee").user_id)
    rows = [e for e in AuditEvent.select().order_by(AuditEvent.seq) if e.action.startswith("2fa.reset")]
    assert [(e.action, e.origin.split(":")[0]) for e in rows] == [
        ("2fa.reset_requested", "shell"), ("2fa.reset_confirmed", "terminal")]


def test_kiosk_users_grants_a_case_role_only_after_confirmation(monkeypatch, capsys, data_dir):
    init(monkeypatch, capsys)
    code, out, err = run(monkeypatch, capsys, "users", "add", "head", "--role", "headteacher",
                         "--full-name", "Head Teacher", "--password-stdin", stdin="violet-harbour-tram-73\n")
    assert code == 0, err
    assert "waiting" not in out  # the school's first headteacher: nobody could confirm it
    code, out, err = run(monkeypatch, capsys, "users", "add", "dana", "--role", "deputy_dsl",
                         "--full-name", "Dana Deputy", "--password-stdin", stdin="violet-harbour-tram-73\n")
    assert code == 0, err
    assert "added dana (staff)" in out
    assert "waiting for the headteacher or the DSL to confirm" in out and "deputy_dsl" in out
