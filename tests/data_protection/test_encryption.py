"""Encryption at rest: the key sources, each bad key as one clear line, nothing readable beside
the database, and converting or rekeying in place."""

from __future__ import annotations

import os
from datetime import date

import pytest

from tests.data_protection.conftest import sqlite_only

PHRASE = "Zebracrossing-Marmalade said the lodger hurts her"


def _open(settings):
    from kiosk import schema

    return schema.open_database(settings)


def _close():
    from kiosk.db import db

    if db.obj is not None and not db.obj.is_closed():
        db.close()


def _type_concern_and_draft(settings):
    """A concern and a half-typed draft holding the phrase, through the services."""
    from kiosk.services import accounts, concerns, drafts, pupils
    from kiosk.services.actor import shell_actor
    from kiosk.models import User
    from tests.conftest import STRONG_PASSWORD

    admin = shell_actor("shell:test")
    accounts.create_user(admin, "dsl", "Mrs Dsl", ["dsl"], STRONG_PASSWORD, must_change=False)
    accounts.create_user(admin, "teacher", "Ms Teacher", ["staff"], STRONG_PASSWORD, must_change=False)
    dsl = accounts.actor_for(User.get(User.username == "dsl"), "terminal")
    teacher = accounts.actor_for(User.get(User.username == "teacher"), "terminal")
    kid = pupils.add_pupil(dsl, first_name="Amara", last_name="Abbott",
                           date_of_birth=date(2015, 3, 4), year_group=6, form_group="6W")
    concerns.record_concern(
        teacher, token=concerns.new_submission_token(), pupils=[(kid.id, "subject")],
        occurred_on=date(2026, 11, 26), source="child_told", categories=["physical_abuse"],
        words=PHRASE, description=PHRASE + " (seen)", why_concern="Frightened.")
    drafts.save_draft(teacher, "concern_form", "kiosk.screens.concerns.form:ConcernForm",
                      {"words": PHRASE + " draft"})


def _grep(directory, phrase: str) -> list[str]:
    needles = [phrase.encode("utf-8"), phrase.encode("utf-16-le"), b"Zebracrossing"]
    hits = []
    for root, _dirs, files in os.walk(directory):
        for name in files:
            data = open(os.path.join(root, name), "rb").read()
            if any(n in data for n in needles):
                hits.append(name)
    return hits


@sqlite_only
def test_nothing_readable_beside_the_encrypted_database(settings, key_file):
    _open(settings)
    _type_concern_and_draft(settings)
    from kiosk.db import db

    # While the console is still open (the WAL holds the newest pages) and after closing.
    files = sorted(os.listdir(settings.data_dir))
    assert "kiosk.sqlite3-wal" in files
    assert _grep(settings.data_dir, PHRASE) == []
    assert db.execute_sql("PRAGMA temp_store").fetchone()[0] == 2  # memory
    _close()
    assert _grep(settings.data_dir, PHRASE) == []
    # The same records are readable again with the key.
    _open(settings)
    from kiosk.models.concerns import Concern

    assert Concern.get().words == PHRASE
    _close()


@sqlite_only
def test_the_grep_finds_the_phrase_in_a_plain_database(settings):
    """The leak test can fail: the same steps on a plain database leave the phrase readable."""
    _open(settings)
    _type_concern_and_draft(settings)
    _close()
    assert _grep(settings.data_dir, PHRASE)


@sqlite_only
def test_wrong_key_is_one_clear_line(settings, key_file, monkeypatch, capsys):
    from kiosk import keys
    from kiosk.cli import main

    _open(settings)
    _close()
    keys.forget()
    key_file.write_text("ab" * 32 + "\n")
    code = main(["users", "list", "--data-dir", str(settings.data_dir)])
    err = capsys.readouterr().err
    assert code == 1 and "key is wrong" in err and err.count("\n") == 1 and "Traceback" not in err


@sqlite_only
def test_key_file_readable_by_others_is_refused(settings, key_file, capsys):
    from kiosk.cli import main

    _open(settings)
    _close()
    os.chmod(key_file, 0o644)
    code = main(["users", "list", "--data-dir", str(settings.data_dir)])
    err = capsys.readouterr().err
    assert code == 1 and "can be read by others" in err and "chmod 600" in err and err.count("\n") == 1


@sqlite_only
def test_missing_and_malformed_keys_are_one_line(settings, key_file, capsys):
    from kiosk import keys
    from kiosk.cli import main

    _open(settings)
    _close()
    keys.forget()
    key_file.write_text("not a key\n")
    assert main(["users", "list", "--data-dir", str(settings.data_dir)]) == 1
    err = capsys.readouterr().err
    assert "not a key file" in err and err.count("\n") == 1
    key_file.unlink()
    assert main(["users", "list", "--data-dir", str(settings.data_dir)]) == 1
    err = capsys.readouterr().err
    assert "no key was found" in err and err.count("\n") == 1


@sqlite_only
def test_service_credential_is_used_first(settings, tmp_path, monkeypatch, key_file):
    """systemd LoadCredential: $CREDENTIALS_DIRECTORY/kiosk-db-key wins over the key file."""
    from kiosk import keys

    creds = tmp_path / "creds"
    creds.mkdir()
    (creds / keys.CREDENTIAL_NAME).write_text(key_file.read_text())
    key_file.write_text("cd" * 32 + "\n")  # a wrong key file is never read
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    _open(settings)
    _close()
    assert keys.database_is_encrypted(settings)


@sqlite_only
def test_passphrase_typed_at_start(settings, monkeypatch):
    from kiosk import keys
    from kiosk.errors import KioskError

    settings.data_dir.mkdir(mode=0o700, parents=True)
    keys.new_passphrase_salt(settings)
    keys.set_passphrase_prompt(lambda prompt: "a long passphrase of several words")
    _open(settings)
    _close()
    assert keys.database_is_encrypted(settings)
    keys.set_passphrase_prompt(lambda prompt: "the wrong passphrase entirely")
    with pytest.raises(KioskError, match="key is wrong"):
        _open(settings)
    _close()


@sqlite_only
def test_init_encrypt_and_convert_and_rekey(tmp_path, capsys):
    from kiosk import keys
    from kiosk.cli import main
    from kiosk.config import Settings
    from tests.conftest import STRONG_PASSWORD
    import io
    import sys

    enc = tmp_path / "enc"
    sys.stdin = io.StringIO(STRONG_PASSWORD + "\n")
    try:
        assert main(["init", "--data-dir", str(enc), "--encrypt", "--admin", "root", "--password-stdin"]) == 0
    finally:
        sys.stdin = sys.__stdin__
    s = Settings(data_dir=enc)
    assert keys.database_is_encrypted(s) and keys.db_key_path(s).stat().st_mode & 0o777 == 0o600
    assert "encrypt = true" in (enc / "config.toml").read_text()

    plain = tmp_path / "plain"
    sys.stdin = io.StringIO(STRONG_PASSWORD + "\n")
    try:
        assert main(["init", "--data-dir", str(plain), "--admin", "root", "--password-stdin"]) == 0
    finally:
        sys.stdin = sys.__stdin__
    p = Settings(data_dir=plain)
    assert not keys.database_is_encrypted(p)
    capsys.readouterr()
    assert main(["encrypt", "--data-dir", str(plain)]) == 0
    out = capsys.readouterr().out
    assert "verified backup first" in out and keys.database_is_encrypted(p)
    assert list((tmp_path / "plain-backups").glob("*.kbackup"))
    assert main(["users", "list", "--data-dir", str(plain)]) == 0
    assert "root" in capsys.readouterr().out

    old = keys.db_key_path(p).read_text()
    old_field = keys.field_key(p)
    assert main(["rekey", "--data-dir", str(plain)]) == 0
    assert keys.db_key_path(p).read_text() != old
    assert keys.field_key(p) != old_field
    assert main(["audit", "verify", "--data-dir", str(plain)]) == 0
    keys.forget()
    keys.db_key_path(p).write_text(old)
    assert main(["users", "list", "--data-dir", str(plain)]) == 1
    assert "key is wrong" in capsys.readouterr().err


def test_field_key_is_stable_and_owner_only(settings, database):
    from kiosk import keys

    first = keys.field_key(settings)
    assert len(first) == 32 and keys.field_key(settings) == first
    assert keys.field_key() == first  # the open database's, for services without settings
    if not keys.database_is_encrypted(settings):
        assert keys.field_key_path(settings).stat().st_mode & 0o777 == 0o600


@sqlite_only
def test_field_key_derives_from_the_database_key(settings, key_file):
    from kiosk import keys

    _open(settings)
    _close()
    derived = keys.field_key(settings)
    assert len(derived) == 32 and derived != keys.db_key(settings)
    assert not keys.field_key_path(settings).exists()


@sqlite_only
async def test_phrase_typed_in_the_console_is_nowhere_in_the_data_dir(settings, key_file, school):
    """Typed through the real form at 80x24, then a second form left half-typed when the
    screen is hidden (kept as a draft): the data dir holds neither in readable form."""
    from kiosk.models import Draft
    from kiosk.screens.concerns.form import RecordConcernScreen
    from tests.concerns.helpers import logout as _logout, record_as_teacher as _record_as_teacher
    from tests.console.helpers import console_app, settle, wait_until

    app = console_app(settings)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await _record_as_teacher(pilot, school, words=PHRASE)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, RecordConcernScreen))
        app.screen.query_one("#words").text = PHRASE + " (draft)"
        await settle(pilot)
        await pilot.press("ctrl+b")  # hide the screen: the half-typed form becomes a draft
        await settle(pilot)
        assert Draft.select().count() == 1
        from kiosk.models.concerns import Concern

        assert Concern.get().words == PHRASE
        assert _grep(settings.data_dir, PHRASE) == []
        del _logout
    _close()
    assert _grep(settings.data_dir, PHRASE) == []


def test_ssh_sessions_get_the_services_credentials_never_the_clients(settings):
    from kiosk.ssh.session import child_environment

    env = child_environment(settings, "xterm", {"CREDENTIALS_DIRECTORY": "/tmp/evil"},
                            {"PATH": "/bin", "CREDENTIALS_DIRECTORY": "/run/credentials/kiosk.service"})
    assert env["CREDENTIALS_DIRECTORY"] == "/run/credentials/kiosk.service"
    env = child_environment(settings, "xterm", {"CREDENTIALS_DIRECTORY": "/tmp/evil"}, {"PATH": "/bin"})
    assert "CREDENTIALS_DIRECTORY" not in env
