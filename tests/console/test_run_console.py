"""The console as a process on a real pseudo-terminal: Textual's environment variables are
ignored in kiosk mode, and SIGHUP (a dropped SSH connection) ends it and audits the logout."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from tests.conftest import STRONG_PASSWORD, TEST_DB_URL

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(TEST_DB_URL is not None, reason="uses the SQLite data dir")


def _read_until(fd: int, proc, needle: bytes, timeout: float = 30.0) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and needle not in seen:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
        elif proc.poll() is not None:
            break
    return seen


def _drain(fd: int, proc, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                os.read(fd, 65536)
            except OSError:
                return


def test_sighup_ends_a_signed_in_console_and_records_it(settings, make_user):
    from kiosk.models import AuditEvent
    from kiosk.rules import load_profile
    from kiosk.services import signoff

    from tests.console.helpers import authenticator_code, enrol_authenticator

    alice = make_user("alice", "dsl")
    signoff.sign(alice, load_profile().procedures_version)
    enrol_authenticator(alice)
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env["TEXTUAL_DRIVER"] = "no_such_module_anywhere:Driver"  # would crash unless stripped
    env["TEXTUAL_LOG"] = str(settings.data_dir / "textual.log")
    env["TERM"] = "xterm-256color"
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--data-dir", str(settings.data_dir), "run"],
        stdin=slave, stdout=slave, stderr=slave, cwd=ROOT, env=env, start_new_session=True,
    )
    os.close(slave)
    try:
        out = _read_until(master, proc, b"Username")
        assert b"Username" in out, out[-2000:]
        for chunk in (b"alice", b"\r", STRONG_PASSWORD.encode()):
            os.write(master, chunk)
            _drain(master, proc, 0.4)
        # Read from the Enter on: on a quick machine the code screen is drawn within the 0.4 s a
        # drain would throw away.
        os.write(master, b"\r")
        out = _read_until(master, proc, b"authenticator", timeout=30)
        assert b"authenticator" in out  # the DSL's second factor is asked for
        os.write(master, authenticator_code(alice.user_id).encode() + b"\r")
        out = _read_until(master, proc, b"Home \xc2\xb7", timeout=30)
        assert b"Home \xc2\xb7" in out  # the header of the home screen
        os.kill(proc.pid, signal.SIGHUP)
        deadline = time.monotonic() + 15
        while proc.poll() is None and time.monotonic() < deadline:
            _drain(master, proc, 0.2)
        assert proc.poll() is not None, "the console ignored SIGHUP"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    assert not (settings.data_dir / "textual.log").exists()
    events = [e.action for e in AuditEvent.select().order_by(AuditEvent.seq)]
    assert events[-1] == "session.disconnect"


def _run_to_the_end(argv: list[str], timeout: float = 60.0) -> tuple[int, str]:
    """Run the console on an 80x24 PTY until it exits: (exit code, what the terminal showed,
    escape sequences removed)."""
    from kiosk.bench.startup import _ESCAPES

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "KIOSK_DB_URL")}
    env["TERM"] = "xterm-256color"
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, cwd=ROOT, env=env,
                            start_new_session=True)
    os.close(slave)
    seen = b""
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    break
                seen += chunk
            elif proc.poll() is not None:
                break
        code = proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    return code, _ESCAPES.sub(b"", seen).decode(errors="replace")


def _console(data_dir, *extra: str) -> list[str]:
    return [sys.executable, "-m", "kiosk", "--data-dir", str(data_dir), *extra, "run"]


def test_a_wrong_database_key_ends_the_console_with_one_clear_line(tmp_path):
    """The database opens after the login screen is drawn; a key that does not open it still
    ends the console, and says so once the terminal is restored."""
    data = tmp_path / "data"
    init = subprocess.run([sys.executable, "-m", "kiosk", "--data-dir", str(data), "init", "--admin",
                           "root", "--encrypt", "--password-stdin"], input=STRONG_PASSWORD + "\n",
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert init.returncode == 0, init.stderr
    from kiosk import keys
    from kiosk.config import Settings

    keys.db_key_path(Settings(data_dir=data)).write_text("ab" * 32 + "\n")
    code, shown = _run_to_the_end(_console(data))
    assert code == 1
    assert "Password" in shown  # the login screen came first
    tail = shown.rsplit("Password", 1)[1]
    assert "the database key is wrong" in tail and "Traceback" not in shown


def test_an_unreachable_database_server_ends_the_console_with_the_reason(tmp_path):
    code, shown = _run_to_the_end(_console(tmp_path / "data", "--db-url",
                                           "postgresql://kiosk:x@127.0.0.1:1/nowhere"))
    assert code == 1
    assert "kiosk: cannot connect to the database" in shown and "Traceback" not in shown


def test_a_schema_newer_than_the_console_ends_it_with_the_reason(settings, database):
    from kiosk import schema

    schema._set_meta("schema_version", str(schema.SCHEMA_VERSION + 1))
    database.close()
    code, shown = _run_to_the_end(_console(settings.data_dir))
    assert code == 1
    assert "newer than this console understands" in shown and "Traceback" not in shown


def test_a_missing_database_is_said_before_the_console_starts(tmp_path):
    code, shown = _run_to_the_end(_console(tmp_path / "nothing-here"))
    assert code == 1 and "run 'kiosk init' first" in shown and "Password" not in shown


def test_a_profile_that_fails_its_checks_after_the_first_paint_ends_the_console(settings, database):
    """The school's name was remembered for a profile file (kiosk/school_name.py) that this
    console's checks refuse: the login screen is drawn with the name, then the profile is read
    in full, and the console ends with the file, key and problem named, as at any start."""
    import json

    from kiosk import school_name
    from kiosk.config import load_settings
    from kiosk.rules.profile import DEFAULT_PROFILE_PATH

    database.close()
    bad = settings.data_dir / "profile.toml"
    bad.write_text(DEFAULT_PROFILE_PATH.read_text() + "\nno_such_setting = 1\n")
    (settings.data_dir / "config.toml").write_text('profile = "profile.toml"\n')
    configured = load_settings(data_dir=settings.data_dir)
    (settings.data_dir / school_name.FILENAME).write_text(json.dumps(
        {"profile": school_name._key(configured), "school_name": "Westley Middle School"}))
    code, shown = _run_to_the_end(_console(settings.data_dir))
    assert code == 1
    assert "Password" in shown and "Westley Middle School" in shown  # the login screen came first
    tail = shown.rsplit("Password", 1)[1]
    assert "no_such_setting" in tail and "Traceback" not in shown
