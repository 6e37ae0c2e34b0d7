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
