"""`[mail]` in config.toml: the school's relay for e-mail notices. Every refusal names the
file, the key and the fix, like the other settings; the CLI commands that go with it."""

from __future__ import annotations

import pytest

from kiosk.config import load_settings
from kiosk.errors import ConfigError
from tests.conftest import STRONG_PASSWORD
from tests.unit.cli_helpers import init, run


def _load(tmp_path, text):
    d = tmp_path / "cfg"
    d.mkdir(exist_ok=True)
    (d / "config.toml").write_text(text)
    return load_settings(data_dir=d, env={})


def test_no_mail_section_means_no_mail(tmp_path):
    assert _load(tmp_path, "").mail is None


def test_full_mail_section(tmp_path):
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "relay.pw").write_text("pw\n")
    s = _load(tmp_path, '[mail]\nhost = "smtp.school.example"\nport = 2525\nstarttls = true\n'
                        'username = "console"\npassword_file = "relay.pw"\nfrom = "dsl@school.example"\n')
    m = s.mail
    assert (m.host, m.port, m.starttls, m.username, m.from_address) == (
        "smtp.school.example", 2525, True, "console", "dsl@school.example")
    assert m.password_file == tmp_path / "cfg" / "relay.pw" and m.read_password() == "pw"
    assert "pw" not in repr(_load(tmp_path, '[mail]\nhost = "h.example"\nfrom = "a@b.example"\n'
                                            'username = "u"\npassword = "pw"\n').mail)


def test_default_ports(tmp_path):
    assert _load(tmp_path, '[mail]\nhost = "h.example"\nfrom = "a@b.example"\n').mail.port == 587
    assert _load(tmp_path, '[mail]\nhost = "h.example"\nfrom = "a@b.example"\nstarttls = false\n').mail.port == 25


@pytest.mark.parametrize("body, key, fix", [
    ('mail = "smtp.example"', "mail", "[mail] section"),
    ('[mail]\nfrom = "a@b.example"', "mail.host", "host ="),
    ('[mail]\nhost = "h.example"', "mail.from", "from ="),
    ('[mail]\nhost = "h.example"\nfrom = "not an address"', "mail.from", "from ="),
    ('[mail]\nhost = "h.example"\nfrom = "a@b.example"\nport = 0', "mail.port", "1 to 65535"),
    ('[mail]\nhost = "h.example"\nfrom = "a@b.example"\nport = "587"', "mail.port", "1 to 65535"),
    ('[mail]\nhost = "h.example"\nfrom = "a@b.example"\nstarttls = "yes"', "mail.starttls", "true or false"),
    ('[mail]\nhost = "h.example"\nfrom = "a@b.example"\nusername = "u"\npassword = "p"\npassword_file = "x"',
     "mail.password", "not both"),
    ('[mail]\nhost = "h.example"\nfrom = "a@b.example"\nusername = "u"\npassword_file = "missing.pw"',
     "mail.password_file", "fix the path"),
    ('[mail]\nhost = "h.example"\nfrom = "a@b.example"\npassword = "p"', "mail.username", "account name"),
    ('[mail]\nhost = "h.example"\nfrom = "a@b.example"\nusername = "u"', "mail.password_file", "give password_file"),
    ('[mail]\nhost = "h.example"\nfrom = "a@b.example"\nsmtp_host = "x"', "mail.smtp_host", "use any of"),
    ('[mail]\nhost = "h.example"\nfrom = "a@b.example"\ntimeout_seconds = 0', "mail.timeout_seconds", "1 to 300"),
])
def test_bad_mail_settings_name_file_key_and_fix(tmp_path, body, key, fix):
    with pytest.raises(ConfigError) as exc:
        _load(tmp_path, body + "\n")
    text = str(exc.value)
    assert str(tmp_path / "cfg" / "config.toml") in text
    assert f": {key}: " in text and fix in text


def test_cli_email_and_send_pending(monkeypatch, capsys, data_dir):  # noqa: F811
    code, _, err = init(monkeypatch, capsys)
    assert code == 0, err
    code, out, err = run(monkeypatch, capsys, "users", "add", "dana", "--role", "dsl", "--full-name", "Dana",
                         "--email", "dana@school.example", "--password-stdin", stdin=STRONG_PASSWORD + "\n")
    assert code == 0, err
    code, out, err = run(monkeypatch, capsys, "users", "list")
    assert "e-mails dana@school.example" in next(ln for ln in out.splitlines() if ln.startswith("dana"))
    code, out, err = run(monkeypatch, capsys, "users", "set-email", "dana", "d.other@school.example")
    assert code == 0 and "d.other@school.example" in out
    code, out, err = run(monkeypatch, capsys, "users", "set-email", "dana", "bad address")
    assert code != 0 and "email" in err and len(err.strip().splitlines()) == 1
    code, out, err = run(monkeypatch, capsys, "users", "set-email", "dana", "--clear")
    assert code == 0 and "no e-mail notices" in out
    # Without [mail], send-pending says what to add, where.
    code, out, err = run(monkeypatch, capsys, "mail", "send-pending")
    assert code == 1 and "config.toml: mail: not set" in err
    data_dir.mkdir(exist_ok=True)  # on PostgreSQL init makes no data dir
    with open(data_dir / "config.toml", "a") as fh:
        fh.write('\n[mail]\nhost = "127.0.0.1"\nport = 9\nstarttls = false\nfrom = "c@school.example"\n')
    code, out, err = run(monkeypatch, capsys, "mail", "send-pending")
    assert code == 0 and "sent 0" in out and "0 waiting" in out


def test_init_profile_keeps_the_mail_section_intact(monkeypatch, capsys, data_dir, tmp_path):  # noqa: F811
    from importlib.resources import files

    data_dir.mkdir(mode=0o700)
    (data_dir / "config.toml").write_text('[mail]\nhost = "smtp.school.example"\nfrom = "c@school.example"\n')
    profile = tmp_path / "p.toml"
    profile.write_text(files("kiosk.rules").joinpath("default_profile.toml").read_text())
    code, out, err = run(monkeypatch, capsys, "init", "--admin", "root-admin", "--password-stdin",
                         "--profile", str(profile), stdin=STRONG_PASSWORD + "\n")
    assert code == 0, err
    s = load_settings(data_dir=data_dir, env={})
    assert s.mail.host == "smtp.school.example" and s.profile_path == data_dir / "profile.toml"


def test_ca_file_must_be_a_certificate(tmp_path):
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "ca.pem").write_text("not a certificate\n")
    with pytest.raises(ConfigError) as exc:
        _load(tmp_path, '[mail]\nhost = "h.example"\nfrom = "a@b.example"\nca_file = "ca.pem"\n')
    assert "config.toml: mail.ca_file: " in str(exc.value) and "fix the path or the file" in str(exc.value)


from hypothesis import given, strategies as st  # noqa: E402


@given(st.text(max_size=80))
def test_an_accepted_address_can_never_break_a_mail_header(text):
    from kiosk.errors import ValidationError
    from kiosk.services.accounts import _validate_email

    try:
        address = _validate_email(text)
    except ValidationError:
        return
    if address is None:
        assert not text.strip()
        return
    assert address.count("@") == 1 and len(address) <= 254
    assert not any(c.isspace() or ord(c) < 32 or 127 <= ord(c) < 160 or c in '<>,;:"\\'
                   for c in address)
