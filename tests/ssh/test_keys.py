"""kiosk.services.ssh_keys: registering, removing and looking up SSH public keys."""

from __future__ import annotations

import json
import shutil
import subprocess

import asyncssh
import pytest

from kiosk.errors import NotFound, PermissionDenied, ValidationError
from kiosk.services import accounts, ssh_keys


def _pub(key) -> str:
    return key.export_public_key().decode()


@pytest.fixture
def key():
    return asyncssh.generate_private_key("ssh-ed25519", comment="dana@laptop")


def _events(action):
    from kiosk.models import AuditEvent

    return [json.loads(e.detail) | {"_actor": e.actor}
            for e in AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.seq)]


def test_add_key_returns_the_openssh_fingerprint_and_audits(admin, make_user, key, tmp_path):
    make_user("dana", "deputy_dsl")
    fp = ssh_keys.add_key(admin, "dana", _pub(key))
    assert fp.startswith("SHA256:") and fp == key.get_fingerprint("sha256")
    if shutil.which("ssh-keygen"):
        path = tmp_path / "k.pub"
        path.write_text(_pub(key))
        out = subprocess.run(["ssh-keygen", "-l", "-E", "sha256", "-f", str(path)], capture_output=True,
                             text=True, timeout=10, stdin=subprocess.DEVNULL).stdout
        assert fp in out
    [event] = _events("ssh_key.add")
    assert event["fingerprint"] == fp and event["username"] == "dana" and event["_actor"] == "shell"
    [info] = ssh_keys.list_keys(admin, "dana")
    assert (info.fingerprint, info.algorithm, info.comment, info.removed_at) == (fp, "ssh-ed25519", "dana@laptop", None)


def test_the_key_selects_the_user_and_the_role_decides(admin, make_user, key):
    make_user("dana", "deputy_dsl")
    make_user("sam", "staff")
    other = asyncssh.generate_private_key("ssh-ed25519")
    ssh_keys.add_key(admin, "dana", _pub(key))
    ssh_keys.add_key(admin, "sam", _pub(other))
    assert tuple(ssh_keys.user_for_key(key.convert_to_public())) == ("dana", True, "")
    assert tuple(ssh_keys.user_for_key(_pub(key))) == ("dana", True, "")
    assert tuple(ssh_keys.user_for_key(other.convert_to_public())) == ("sam", False, ssh_keys.ROLE)
    # remote_roles comes from the settings: widen it and staff are let through
    assert ssh_keys.user_for_key(other.convert_to_public(), remote_roles=("staff",)).allowed
    stranger = asyncssh.generate_private_key("ssh-ed25519")
    assert tuple(ssh_keys.user_for_key(stranger.convert_to_public())) == (None, False, ssh_keys.UNKNOWN)
    assert tuple(ssh_keys.user_for_key("not a key")) == (None, False, ssh_keys.UNKNOWN)


def test_the_answer_follows_the_account_now(admin, make_user, key):
    make_user("dana", "deputy_dsl")
    ssh_keys.add_key(admin, "dana", _pub(key))
    accounts.set_roles(admin, "dana", ["staff"])
    assert ssh_keys.user_for_key(key.convert_to_public()).reason == ssh_keys.ROLE
    accounts.set_roles(admin, "dana", ["dsl"])
    assert ssh_keys.user_for_key(key.convert_to_public()).allowed
    accounts.deactivate(admin, "dana")
    assert tuple(ssh_keys.user_for_key(key.convert_to_public())) == ("dana", False, ssh_keys.INACTIVE)


def test_remove_key_keeps_the_row_and_stops_the_key(admin, make_user, key):
    make_user("dana", "deputy_dsl")
    fp = ssh_keys.add_key(admin, "dana", _pub(key))
    ssh_keys.remove_key(admin, "dana", fp)
    assert not ssh_keys.user_for_key(key.convert_to_public()).allowed
    assert ssh_keys.list_keys(admin, "dana") == []
    [kept] = ssh_keys.list_keys(admin, "dana", include_removed=True)
    assert kept.removed_at is not None
    [event] = _events("ssh_key.remove")
    assert event["fingerprint"] == fp
    with pytest.raises(NotFound):
        ssh_keys.remove_key(admin, "dana", fp)  # already removed
    # the same key can be registered again later, as a new row
    assert ssh_keys.add_key(admin, "dana", _pub(key)) == fp
    assert len(ssh_keys.list_keys(admin, "dana", include_removed=True)) == 2
    # the fingerprint may be given without its SHA256: prefix
    ssh_keys.remove_key(admin, "dana", fp.removeprefix("SHA256:"))


def test_duplicates_are_refused_for_the_same_or_another_user(admin, make_user, key):
    make_user("dana", "deputy_dsl")
    make_user("lee", "dsl")
    ssh_keys.add_key(admin, "dana", _pub(key))
    with pytest.raises(ValidationError, match="already registered"):
        ssh_keys.add_key(admin, "dana", _pub(key))
    with pytest.raises(ValidationError, match="another account"):
        ssh_keys.add_key(admin, "lee", _pub(key))
    assert ssh_keys.list_keys(admin, "lee") == []


def test_deactivated_and_unknown_users_get_no_key(admin, make_user, key):
    make_user("dora", "deputy_dsl")
    accounts.deactivate(admin, "dora")
    with pytest.raises(ValidationError, match="deactivated"):
        ssh_keys.add_key(admin, "dora", _pub(key))
    with pytest.raises(NotFound):
        ssh_keys.add_key(admin, "nobody", _pub(key))
    assert _events("ssh_key.add") == []


@pytest.mark.parametrize("text, problem", [
    ("", "no public key"),
    ("ssh-ed25519 not-base64!!", "not a valid"),
    ("-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n", "private key"),
    ("hello world", "not a valid"),
])
def test_bad_key_text_is_refused(admin, make_user, text, problem):
    make_user("dana", "deputy_dsl")
    with pytest.raises(ValidationError, match=problem):
        ssh_keys.add_key(admin, "dana", text)


def test_weak_or_odd_keys_are_refused(admin, make_user, key):
    make_user("dana", "deputy_dsl")
    small = asyncssh.generate_private_key("ssh-rsa", key_size=1024)
    with pytest.raises(ValidationError, match="at least 2048"):
        ssh_keys.add_key(admin, "dana", _pub(small))
    two = _pub(key) + "\n" + _pub(asyncssh.generate_private_key("ssh-ed25519"))
    with pytest.raises(ValidationError, match="exactly one"):
        ssh_keys.add_key(admin, "dana", two)
    algorithm, blob = _pub(key).split()[:2]
    with pytest.raises(ValidationError, match="control characters"):
        ssh_keys.add_key(admin, "dana", f"{algorithm} {blob} evil\x1b]0;title\x07")
    # a comment line and a trailing newline are fine
    assert ssh_keys.add_key(admin, "dana", "# dana's laptop\n" + _pub(key) + "\n")


def test_only_account_managers_handle_keys(admin, make_user, key):
    dsl = make_user("lee", "dsl")
    make_user("dana", "deputy_dsl")
    with pytest.raises(PermissionDenied):
        ssh_keys.add_key(dsl, "dana", _pub(key))
    with pytest.raises(PermissionDenied):
        ssh_keys.list_keys(dsl, "dana")
    fp = ssh_keys.add_key(admin, "dana", _pub(key))
    with pytest.raises(PermissionDenied):
        ssh_keys.remove_key(dsl, "dana", fp)
    assert _events("permission.denied")


def test_cli_add_key_and_remove_key(database, make_user, key, tmp_path, capsys):
    from kiosk.cli import main

    make_user("dana", "deputy_dsl")
    path = tmp_path / "dana.pub"
    path.write_text(_pub(key))
    assert main(["users", "add-key", "dana", str(path)]) == 0
    fp = key.get_fingerprint("sha256")
    assert fp in capsys.readouterr().out
    assert main(["users", "remove-key", "dana", fp]) == 0
    assert main(["users", "remove-key", "dana", fp]) == 1
    assert "no current key" in capsys.readouterr().err
