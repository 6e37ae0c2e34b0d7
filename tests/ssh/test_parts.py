"""The server's parts on their own: rate limiter, host key, the child's environment."""

from __future__ import annotations

import os
import stat

import pytest

from kiosk.config import Settings
from kiosk.errors import ConfigError
from kiosk.ssh import hostkey
from kiosk.ssh.ratelimit import RateLimiter
from kiosk.ssh.session import child_environment, clamp_size, console_argv, safe_term


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rate_limiter_allows_n_per_minute_per_address():
    clock = Clock()
    limiter = RateLimiter(3, clock=clock)
    assert [limiter.allow("192.0.2.1") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("192.0.2.2")  # another address has its own budget
    clock.now += 30
    assert not limiter.allow("192.0.2.1")  # refused attempts do not count, but the window holds
    clock.now += 31
    assert limiter.allow("192.0.2.1")


def test_rate_limiter_bounds_its_memory():
    clock = Clock()
    limiter = RateLimiter(1, clock=clock, max_addresses=10)
    assert all(limiter.allow(f"10.0.0.{i}") for i in range(10))
    assert not limiter.allow("10.0.1.1")  # full: newcomers refused, not remembered
    clock.now += 61
    assert limiter.allow("10.0.1.1")  # old entries pruned


def test_host_key_is_created_owner_only_and_kept(tmp_path):
    data = tmp_path / "data"
    key, path, created = hostkey.load_or_create(data)
    assert created and path.parent == data
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again, _path, created_again = hostkey.load_or_create(data)
    assert not created_again
    assert hostkey.fingerprint(again) == hostkey.fingerprint(key)
    assert hostkey.fingerprint(key).startswith("SHA256:")


def test_a_host_key_others_can_read_is_refused(tmp_path):
    data = tmp_path / "data"
    _key, path, _ = hostkey.load_or_create(data)
    os.chmod(path, 0o644)
    with pytest.raises(ConfigError, match="can be read by others"):
        hostkey.load_or_create(data)
    path.write_text("garbage")
    os.chmod(path, 0o600)
    with pytest.raises(ConfigError, match="cannot read the host key"):
        hostkey.load_or_create(data)


def test_the_child_gets_a_clean_environment(tmp_path):
    settings = Settings(data_dir=tmp_path / "d", db_url="postgresql://u:secret@db/kiosk")
    client = {"COLUMNS": "10", "LINES": "5", "TEXTUAL_DRIVER": "evil.module", "LD_PRELOAD": "/x.so",
              "COLORTERM": "truecolor", "PATH": "/evil", "LANG": "xx", "PYTHONPATH": "/evil"}
    server = {"PATH": "/usr/bin:/bin", "HOME": "/home/kiosk", "LANG": "en_GB.UTF-8",
              "TEXTUAL_LOG": "/tmp/log", "COLUMNS": "99", "SECRET": "x"}
    env = child_environment(settings, "xterm-256color", client, server)
    assert env == {
        "PATH": "/usr/bin:/bin", "HOME": "/home/kiosk", "LANG": "en_GB.UTF-8",
        "TERM": "xterm-256color", "COLORTERM": "truecolor",
        "KIOSK_DATA_DIR": str(tmp_path / "d"), "KIOSK_DB_URL": "postgresql://u:secret@db/kiosk",
    }
    # the database URL (which may hold a password) never goes on the command line
    argv = console_argv(settings, "ssh:192.0.2.1:5000", "dana")
    assert "secret" not in " ".join(argv)
    assert argv[-4:] == ["--origin", "ssh:192.0.2.1:5000", "--remote-user", "dana"]
    odd = child_environment(Settings(data_dir=tmp_path), "../../etc/x\x1b", {"COLORTERM": "256;evil"}, {})
    assert odd["TERM"] == "xterm" and "COLORTERM" not in odd and odd["LANG"] == "C.UTF-8"
    assert "KIOSK_DB_URL" not in odd


def test_terminal_names_and_sizes_are_checked():
    assert safe_term("xterm-256color") == "xterm-256color"
    assert safe_term("screen.xterm-256color") == "screen.xterm-256color"
    assert safe_term(None) == safe_term("") == safe_term("a b") == safe_term("x" * 80) == "xterm"
    assert clamp_size(0, 0) == (80, 24)
    assert clamp_size(100000, 5) == (1000, 5)
